//! The header values multipart framing reads: `Content-Disposition` (RFC 6266 §4.1, as RFC 7578
//! §4.2 uses it) and a media type with its parameters (RFC 9110 §8.3.1). Parsed from the bytes
//! in place, borrowing what needs no unescaping: `mime` and actix-web's `ContentDisposition`
//! allocated a string per parameter, a dozen allocations per uploaded form.

use std::borrow::Cow;

/// A part's `Content-Disposition`: its type and the parameters a form reads.
#[derive(Debug, PartialEq, Eq)]
pub struct Disposition<'a> {
    pub form_data: bool,
    pub name: Option<Cow<'a, str>>,
    pub file_name: Option<Cow<'a, str>>,
}

/// `None` when the value does not follow the grammar. A parameter given twice counts once, the
/// first time; `filename*` (RFC 8187) is not read, as no browser sends it in a form.
pub fn disposition(value: &[u8]) -> Option<Disposition<'_>> {
    if let Some(plain) = plain_form_data(value) {
        return Some(plain);
    }
    let text = std::str::from_utf8(value).ok()?;
    let (kind, params) = split_at(text, b';').unwrap_or((text, ""));
    let kind = token(trim(kind))?;
    let mut disposition = Disposition {
        form_data: kind.eq_ignore_ascii_case("form-data"),
        name: None,
        file_name: None,
    };
    for (param, value) in parameters(params) {
        let (param, value) = (param?, value);
        let slot = if param.eq_ignore_ascii_case("name") {
            &mut disposition.name
        } else if param.eq_ignore_ascii_case("filename") {
            &mut disposition.file_name
        } else {
            continue;
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    Some(disposition)
}

/// `form-data; name="…"`, then `; filename="…"` or nothing: what browsers, curl and the HTTP
/// libraries send, read in one pass. Any other spelling (case, spaces, escapes, more parameters)
/// is left to the grammar, which reads this one alike.
fn plain_form_data(value: &[u8]) -> Option<Disposition<'_>> {
    let (name, rest) = plain_quoted(value.strip_prefix(b"form-data; name=\"")?)?;
    let file_name = match rest {
        b"" => None,
        _ => match plain_quoted(rest.strip_prefix(b"; filename=\"")?)? {
            (file_name, b"") => Some(Cow::Borrowed(file_name)),
            _ => return None,
        },
    };
    Some(Disposition {
        form_data: true,
        name: Some(Cow::Borrowed(name)),
        file_name,
    })
}

/// The quoted string `text` continues (after its opening quote) when it holds no escape, and
/// what follows its closing quote.
fn plain_quoted(text: &[u8]) -> Option<(&str, &[u8])> {
    let close = memchr::memchr2(b'"', b'\\', text)?;
    if text[close] != b'"' {
        return None;
    }
    Some((
        std::str::from_utf8(&text[..close]).ok()?,
        &text[close + 1..],
    ))
}

/// A media type's `type/subtype`, lowercased, and the value of its parameter `wanted`.
#[derive(Debug, PartialEq, Eq)]
pub struct MediaType<'a> {
    pub essence: Cow<'a, str>,
    pub parameter: Option<Cow<'a, str>>,
}

/// `None` when the value breaks the grammar, parameters included. `wanted` is `""` when no
/// parameter is needed: no parameter has an empty name.
pub fn media_type<'a>(value: &'a str, wanted: &str) -> Option<MediaType<'a>> {
    let (essence, params) = split_at(value, b';').unwrap_or((value, ""));
    let essence = trim(essence);
    let (kind, subtype) = split_at(essence, b'/')?;
    token(kind)?;
    token(subtype)?;
    let mut parameter = None;
    for (name, value) in parameters(params) {
        if name?.eq_ignore_ascii_case(wanted) && parameter.is_none() {
            parameter = Some(value);
        }
    }
    let essence = match essence.bytes().any(|b| b.is_ascii_uppercase()) {
        true => Cow::Owned(essence.to_ascii_lowercase()),
        false => Cow::Borrowed(essence),
    };
    Some(MediaType { essence, parameter })
}

/// `text` before and after the first `separator` (ASCII, so both sides stay UTF-8), found with
/// `memchr`: `str::split_once` with a `char` costs more to set up than these short values take.
fn split_at(text: &str, separator: u8) -> Option<(&str, &str)> {
    let at = memchr::memchr(separator, text.as_bytes())?;
    Some((&text[..at], &text[at + 1..]))
}

/// Spaces and tabs around what a header value holds (RFC 9110's OWS).
fn is_whitespace(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim_start(text: &str) -> &str {
    let start = text.bytes().take_while(|b| is_whitespace(*b)).count();
    &text[start..]
}

fn trim_end(text: &str) -> &str {
    let end = text.len() - text.bytes().rev().take_while(|b| is_whitespace(*b)).count();
    &text[..end]
}

fn trim(text: &str) -> &str {
    trim_end(trim_start(text))
}

/// RFC 9110 §5.6.2's `tchar`, as a table: the set is checked for every byte of every name.
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    table
};

fn token(text: &str) -> Option<&str> {
    (!text.is_empty() && text.bytes().all(|b| TCHAR[usize::from(b)])).then_some(text)
}

/// `; name=value` pairs, each value a token-like run or a quoted string. A pair that breaks the
/// grammar comes out as `(None, _)` and the iteration ends there.
fn parameters(text: &str) -> Parameters<'_> {
    Parameters {
        text,
        at: 0,
        done: false,
    }
}

/// One pass over the bytes: these values are a few dozen bytes, shorter than what setting up a
/// `memchr` search or a chain of string adapters costs per parameter.
struct Parameters<'a> {
    text: &'a str,
    at: usize,
    done: bool,
}

impl<'a> Parameters<'a> {
    fn broken(&mut self) -> Option<(Option<&'a str>, Cow<'a, str>)> {
        self.done = true;
        Some((None, Cow::Borrowed("")))
    }
}

/// Where the spaces and tabs that start at `at` end.
fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && is_whitespace(bytes[at]) {
        at += 1;
    }
    at
}

impl<'a> Iterator for Parameters<'a> {
    type Item = (Option<&'a str>, Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let (text, bytes) = (self.text, self.text.as_bytes());
        let mut at = skip_whitespace(bytes, self.at);
        if bytes.get(at) == Some(&b';') {
            at = skip_whitespace(bytes, at + 1);
        }
        if at == bytes.len() {
            self.done = true;
            return None;
        }
        // Every byte boundary used below is next to an ASCII byte, so each slice is a `str`.
        let name_start = at;
        while at < bytes.len() && TCHAR[usize::from(bytes[at])] {
            at += 1;
        }
        let name = &text[name_start..at];
        at = skip_whitespace(bytes, at);
        if name.is_empty() || bytes.get(at) != Some(&b'=') {
            return self.broken();
        }
        at = skip_whitespace(bytes, at + 1);
        let value = if bytes.get(at) == Some(&b'"') {
            let Some((value, after)) = unquote(&text[at + 1..]) else {
                return self.broken();
            };
            at = text.len() - after.len();
            value
        } else {
            let start = at;
            while at < bytes.len() && bytes[at] != b';' {
                at += 1;
            }
            Cow::Borrowed(trim_end(&text[start..at]))
        };
        at = skip_whitespace(bytes, at);
        if at < bytes.len() && bytes[at] != b';' {
            return self.broken();
        }
        self.at = at;
        Some((Some(name), value))
    }
}

/// The quoted string that `text` continues (after its opening quote), with `\x` read as `x`,
/// and what follows its closing quote.
fn unquote(text: &str) -> Option<(Cow<'_, str>, &str)> {
    let close = memchr::memchr2(b'"', b'\\', text.as_bytes())?;
    if text.as_bytes()[close] == b'"' {
        return Some((Cow::Borrowed(&text[..close]), &text[close + 1..]));
    }
    let mut value = String::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((Cow::Owned(value), &text[at + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: &str) -> Option<(bool, Option<String>, Option<String>)> {
        let d = disposition(value.as_bytes())?;
        let owned = |v: Option<Cow<str>>| v.map(Cow::into_owned);
        Some((d.form_data, owned(d.name), owned(d.file_name)))
    }

    #[test]
    fn dispositions_read_tokens_and_quoted_strings() {
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            read(r#"form-data; name="file"; filename="a \"b\".jpg""#),
            Some((true, some("file"), some("a \"b\".jpg")))
        );
        assert_eq!(
            read("Form-Data;name=side"),
            Some((true, some("side"), None))
        );
        assert_eq!(
            read("form-data ; NAME = \"x\" ; filename=\"паспорт.jpg\" "),
            Some((true, some("x"), some("паспорт.jpg")))
        );
        assert_eq!(
            read("attachment; filename=a.pdf"),
            Some((false, None, some("a.pdf")))
        );
        assert_eq!(
            read("form-data; name=a; name=b"),
            Some((true, some("a"), None))
        );
        assert_eq!(read("form-data; name=\"\""), Some((true, some(""), None)));
        assert_eq!(
            read("form-data; filename*=UTF-8''x.jpg; name=f"),
            Some((true, some("f"), None))
        );
        assert_eq!(
            read("form-data;;name=a ;filename = \"b\"\t"),
            Some((true, some("a"), some("b")))
        );
        assert_eq!(
            read("form-data; name = two words ; x=y"),
            Some((true, some("two words"), None))
        );
    }

    #[test]
    fn the_plain_spelling_reads_as_the_grammar_reads_it() {
        for value in [
            r#"form-data; name="side""#,
            r#"form-data; name="file"; filename="passport.jpg""#,
            r#"form-data; name="file"; filename="""#,
            "form-data; name=\"f\"; filename=\"паспорт.jpg\"",
        ] {
            let plain = plain_form_data(value.as_bytes()).expect(value);
            let text = value.replace("form-data;", "form-data ;");
            assert_eq!(Some(plain), disposition(text.as_bytes()), "{value}");
        }
        for other in [
            r#"form-data; name="a\"b""#,
            r#"form-data; name="a"; filename="b"; x=y"#,
            r#"form-data; name="a" "#,
            r#"form-data; name="a"; size=3"#,
            "form-data; name=a",
            "Form-Data; name=\"a\"",
        ] {
            assert_eq!(plain_form_data(other.as_bytes()), None, "{other}");
        }
        assert_eq!(disposition(b"form-data; name=\"\xff\""), None);
    }

    #[test]
    fn broken_dispositions_are_refused() {
        for value in [
            "",
            "; name=a",
            "form data; name=a",
            "form-data; name",
            "form-data; name=\"open",
            "form-data; name=\"a\"b",
            "form-data; =a",
            "form-data; name=a;; filename=b",
            "form-data; na me=a",
            "form-data; name=\"a\" ;; x",
        ] {
            assert_eq!(read(value), None, "{value}");
        }
        assert_eq!(disposition(b"form-data; name=\xff"), None);
    }

    #[test]
    fn quoted_names_without_escapes_are_borrowed() {
        let d = disposition(br#"form-data; name="side""#).unwrap();
        assert!(matches!(d.name, Some(Cow::Borrowed("side"))));
    }

    #[test]
    fn the_tchar_table_is_rfc_9110s_set_and_trims_take_only_spaces_and_tabs() {
        for b in 0..=255u8 {
            let listed = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(TCHAR[usize::from(b)], listed, "{b}");
        }
        for text in ["", " \t", " a b\t", "\u{a0}x\u{a0}", "\t\tx y \n"] {
            assert_eq!(trim(text), text.trim_matches([' ', '\t']), "{text:?}");
        }
    }

    #[test]
    fn media_types_give_their_essence_and_one_parameter() {
        let t = media_type(
            "Multipart/Form-Data; charset=utf-8; boundary=\"a b\"",
            "boundary",
        )
        .unwrap();
        assert_eq!(t.essence, "multipart/form-data");
        assert_eq!(t.parameter.as_deref(), Some("a b"));
        let t = media_type("image/jpeg", "boundary").unwrap();
        assert_eq!((t.essence.as_ref(), t.parameter), ("image/jpeg", None));
        assert!(matches!(t.essence, Cow::Borrowed(_)));
        for broken in ["", "image", "image/", "/jpeg", "ima ge/jpeg", "a/b; c"] {
            assert_eq!(media_type(broken, "boundary"), None, "{broken}");
        }
    }
}
