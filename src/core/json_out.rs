//! JSON written straight into a byte buffer, for the bodies clients fetch again and again.
//!
//! Building a `serde_json::Value` first costs a map per object (hashing, a `String` per key,
//! cloned values) and then a second pass to serialize it; profiling showed that as the largest
//! share of a read's CPU time. Here each field is written once, in the order written, with
//! `serde_json` escaping keys and serializing values, so the text is what `Value` gave.
//!
//! One difference has to be kept in mind: a `Map` given a key twice keeps one entry (the later
//! value, at the first position), where a writer would emit the key twice. Debug builds panic on
//! a duplicate key, so the test suite catches any rendering that relied on replacing; release
//! builds do not pay for the check.

use std::fmt;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, HttpResponseBuilder};
use serde::Serialize;
use serde_json::Value;

use super::time_text::SecondsText;

/// Finished JSON text: a response body, or a part that a larger body embeds as it is.
#[derive(Clone, PartialEq, Eq)]
pub struct Rendered(Vec<u8>);

impl Rendered {
    /// Any serializable value, serialized as `serde_json` does.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Rendered {
        let mut out = Vec::with_capacity(CAPACITY);
        write_value(&mut out, value);
        Rendered(out)
    }

    pub fn null() -> Rendered {
        Rendered(b"null".to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The text parsed back into a `Value`, for the few consumers that edit or inspect what a
    /// resource renders (admin transitions, payloads assembled as `Value`). Not for responses.
    pub fn to_value(&self) -> Value {
        serde_json::from_slice(&self.0).expect("rendered JSON parses")
    }

    /// `200 OK` with this body.
    pub fn ok(self) -> HttpResponse {
        HttpResponse::Ok().rendered(self)
    }
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl From<Rendered> for Bytes {
    fn from(rendered: Rendered) -> Bytes {
        Bytes::from(rendered.0)
    }
}

/// `HttpResponseBuilder::json` for text already rendered: the same `content-type` (unless one
/// was set), and the buffer becomes the body without a copy.
pub trait RenderedBody {
    fn rendered(&mut self, body: Rendered) -> HttpResponse;
}

impl RenderedBody for HttpResponseBuilder {
    fn rendered(&mut self, body: Rendered) -> HttpResponse {
        let mut response = self.body(body.0);
        // The builder does not show its headers; the response does.
        let headers = response.headers_mut();
        if !headers.contains_key(header::CONTENT_TYPE) {
            headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json"),
            );
        }
        response
    }
}

/// Most bodies fit, so most are written without growing the buffer. Not larger: glibc serves
/// blocks up to about 1 KiB from its per-thread cache, and larger ones through its slower path.
const CAPACITY: usize = 1024;

/// A JSON object written by `f`.
pub fn object(f: impl FnOnce(&mut ObjectWriter)) -> Rendered {
    let mut out = Vec::with_capacity(CAPACITY);
    write_object(&mut out, f);
    Rendered(out)
}

/// A JSON array written by `f` (a bare-array list body).
pub fn array(f: impl FnOnce(&mut ArrayWriter)) -> Rendered {
    let mut out = Vec::with_capacity(CAPACITY);
    write_array(&mut out, f);
    Rendered(out)
}

fn write_value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing into a `Vec` cannot fail; only a `Serialize` impl can (a map with non-string
    // keys), which is a bug, as `json!` treats it.
    serde_json::to_writer(out, value).expect("the value serializes as JSON");
}

/// Whether JSON must escape a byte of `text` (a control character, `"` or `\\`). Looked at
/// eight bytes at a time: every key and formatted value of every body passes here.
#[inline(always)]
fn needs_escape(text: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH_BITS: u64 = ONES * 0x80;
    // The classic "has a byte less than n" test (n <= 128): set high bits mark such bytes.
    let below = |word: u64, n: u8| word.wrapping_sub(ONES * n as u64) & !word & HIGH_BITS;
    let any_in = |word: u64| {
        below(word, 0x20)
            | below(word ^ (ONES * b'"' as u64), 1)
            | below(word ^ (ONES * b'\\' as u64), 1)
            != 0
    };
    let word = |bytes: &[u8]| u64::from_ne_bytes(bytes.try_into().expect("eight bytes"));
    if text.len() < 8 {
        // Padded with a byte that needs nothing.
        let mut padded = [b'a'; 8];
        padded[..text.len()].copy_from_slice(text);
        return any_in(word(&padded));
    }
    let mut chunks = text.chunks_exact(8);
    chunks.by_ref().any(|chunk| any_in(word(chunk)))
        || (!chunks.remainder().is_empty() && any_in(word(&text[text.len() - 8..])))
}

/// `value`'s text as a JSON string. Formatted straight into the buffer and escaped afterwards
/// only if it needs it: what these texts are (times, URLs) nearly never does, and `serde_json`'s
/// `collect_str` escapes piece by piece through `fmt::Write`.
fn write_display(out: &mut Vec<u8>, value: impl fmt::Display) {
    use std::io::Write as _;
    write_string_with(out, |out| {
        write!(out, "{value}").expect("writing into a Vec cannot fail")
    });
}

/// A JSON string of what `write` appends, escaped afterwards if it needs it.
fn write_string_with(out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
    out.push(b'"');
    let start = out.len();
    write(out);
    if needs_escape(&out[start..]) {
        let text = String::from_utf8(out.split_off(start)).expect("Display writes UTF-8");
        out.pop();
        write_value(out, text.as_str());
    } else {
        out.push(b'"');
    }
}

/// `map[key]`, found by comparing keys while the map is small. Rendering looks a resource's
/// handful of stored fields up one by one, in the provider's order, and hashing each name cost
/// more than comparing it with a few keys.
pub fn lookup<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    if map.len() <= 8 {
        map.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    } else {
        map.get(key)
    }
}

fn write_object(out: &mut Vec<u8>, f: impl FnOnce(&mut ObjectWriter)) {
    out.push(b'{');
    let mut writer = ObjectWriter {
        out,
        empty: true,
        #[cfg(debug_assertions)]
        keys: Vec::new(),
    };
    f(&mut writer);
    writer.out.push(b'}');
}

fn write_array(out: &mut Vec<u8>, f: impl FnOnce(&mut ArrayWriter)) {
    out.push(b'[');
    let mut writer = ArrayWriter { out, empty: true };
    f(&mut writer);
    writer.out.push(b']');
}

/// The fields of one JSON object, written in order.
pub struct ObjectWriter<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
    /// The keys written so far, to refuse a duplicate (see the module's documentation).
    #[cfg(debug_assertions)]
    keys: Vec<String>,
}

impl ObjectWriter<'_> {
    // Inlined so that a literal key's length and escaping are known where it is written.
    #[inline(always)]
    fn key(&mut self, key: &str) {
        #[cfg(debug_assertions)]
        {
            assert!(
                !self.keys.iter().any(|k| k == key),
                "`{key}` written twice in one object (a `Map` would have kept one)"
            );
            self.keys.push(key.to_owned());
        }
        let first = std::mem::replace(&mut self.empty, false);
        // Keys are the provider's field names, nearly always plain ASCII with nothing to escape.
        if !needs_escape(key.as_bytes()) {
            self.out.reserve(key.len() + 4);
            if !first {
                self.out.push(b',');
            }
            self.out.push(b'"');
            self.out.extend_from_slice(key.as_bytes());
            self.out.extend_from_slice(b"\":");
        } else {
            if !first {
                self.out.push(b',');
            }
            write_value(self.out, key);
            self.out.push(b':');
        }
    }

    /// `key` with any serializable value (`Option::None` is `null`).
    #[inline(always)]
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> &mut Self {
        self.key(key);
        write_value(self.out, value);
        self
    }

    /// `key` with a string made by `Display` (a formatted time), without an intermediate `String`.
    pub fn display(&mut self, key: &str, value: impl fmt::Display) -> &mut Self {
        self.key(key);
        write_display(self.out, value);
        self
    }

    /// `key` with a timestamp (times are most of what bodies format).
    pub fn time(&mut self, key: &str, at: SecondsText) -> &mut Self {
        self.key(key);
        self.out.push(b'"');
        at.write_to(self.out);
        self.out.push(b'"');
        self
    }

    /// `time` when there is one, else `null`.
    pub fn time_or_null(&mut self, key: &str, at: Option<SecondsText>) -> &mut Self {
        match at {
            Some(at) => self.time(key, at),
            None => self.null(key),
        }
    }

    /// `key` with a string made of `parts` one after the other (a URL from its pieces), without
    /// going through `fmt`.
    pub fn joined(&mut self, key: &str, parts: &[&str]) -> &mut Self {
        self.key(key);
        write_string_with(self.out, |out| {
            for part in parts {
                out.extend_from_slice(part.as_bytes());
            }
        });
        self
    }

    /// `display` when there is a value, else `null`.
    pub fn display_or_null(&mut self, key: &str, value: Option<impl fmt::Display>) -> &mut Self {
        match value {
            Some(value) => self.display(key, value),
            None => self.null(key),
        }
    }

    #[inline(always)]
    pub fn null(&mut self, key: &str) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(b"null");
        self
    }

    /// `key` with a nested object.
    pub fn object(&mut self, key: &str, f: impl FnOnce(&mut ObjectWriter)) -> &mut Self {
        self.key(key);
        write_object(self.out, f);
        self
    }

    /// `key` with an array `f` writes.
    pub fn array(&mut self, key: &str, f: impl FnOnce(&mut ArrayWriter)) -> &mut Self {
        self.key(key);
        write_array(self.out, f);
        self
    }

    /// `key` with an array of objects, one per item.
    pub fn objects<I: IntoIterator>(
        &mut self,
        key: &str,
        items: I,
        mut f: impl FnMut(&mut ObjectWriter, I::Item),
    ) -> &mut Self {
        self.array(key, |array| {
            for item in items {
                array.object(|object| f(object, item));
            }
        })
    }

    /// `key` with JSON rendered before.
    pub fn raw(&mut self, key: &str, json: &Rendered) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(&json.0);
        self
    }
}

/// The items of one JSON array, written in order.
pub struct ArrayWriter<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl ArrayWriter<'_> {
    fn separate(&mut self) {
        if !std::mem::replace(&mut self.empty, false) {
            self.out.push(b',');
        }
    }

    pub fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> &mut Self {
        self.separate();
        write_value(self.out, value);
        self
    }

    pub fn object(&mut self, f: impl FnOnce(&mut ObjectWriter)) -> &mut Self {
        self.separate();
        write_object(self.out, f);
        self
    }

    pub fn raw(&mut self, json: &Rendered) -> &mut Self {
        self.separate();
        self.out.extend_from_slice(&json.0);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::time_text::seconds_text;
    use chrono::DateTime;
    use serde_json::json;

    fn text(rendered: Rendered) -> String {
        String::from_utf8(rendered.into_bytes()).unwrap()
    }

    #[test]
    fn escapes_are_found_wherever_they_are() {
        let naive = |t: &[u8]| t.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for len in 0..20 {
            let plain: Vec<u8> = (0..len).map(|i| b"az_-09 ~\x7f\xc3\xa9"[i % 11]).collect();
            assert!(!needs_escape(&plain), "{plain:?}");
            for at in 0..len {
                for bad in [0u8, 0x1f, b'"', b'\\', b'\n'] {
                    let mut text = plain.clone();
                    text[at] = bad;
                    assert_eq!(needs_escape(&text), naive(&text), "{text:?}");
                }
            }
        }
        assert!(!needs_escape("паспорт ß €".as_bytes()));
    }

    #[test]
    fn writes_what_a_value_serializes_to() {
        let nested = object(|o| {
            o.field("n", &1);
        });
        let written = object(|o| {
            o.field("id", "a\"b\\c\n\u{1}é")
                .field("count", &3u64)
                .field("ratio", &0.1)
                .field("none", &None::<String>)
                .null("null")
                .display("at", format_args!("{}-{}", 2026, "01"))
                .display("escaped", format_args!("{}\"{}", "say", "\n"))
                .joined("url", &["http://h", "/storage/", "t-1", "/", "f\"1"])
                .time("at_time", seconds_text(DateTime::UNIX_EPOCH, b'T', "Z"))
                .time_or_null("no_time", None)
                .display_or_null("never", None::<&str>)
                .object("empty", |_| {})
                .array("nothing", |_| {})
                .field("tags", &["x", "y"])
                .objects("links", ["self", "next"], |o, rel| {
                    o.field("rel", rel);
                })
                .raw("nested", &nested)
                .array("mixed", |a| {
                    a.value(&1).object(|o| {
                        o.field("k\t", &true);
                    });
                    a.raw(&nested);
                });
        });
        let value = json!({
            "id": "a\"b\\c\n\u{1}é",
            "count": 3,
            "ratio": 0.1,
            "none": null,
            "null": null,
            "at": "2026-01",
            "escaped": "say\"\n",
            "url": "http://h/storage/t-1/f\"1",
            "at_time": "1970-01-01T00:00:00Z",
            "no_time": null,
            "never": null,
            "empty": {},
            "nothing": [],
            "tags": ["x", "y"],
            "links": [{"rel": "self"}, {"rel": "next"}],
            "nested": {"n": 1},
            "mixed": [1, {"k\t": true}, {"n": 1}],
        });
        assert_eq!(
            text(written.clone()),
            serde_json::to_string(&value).unwrap()
        );
        assert_eq!(written.to_value(), value);
    }

    #[test]
    fn bare_values_and_arrays() {
        assert_eq!(text(object(|_| {})), "{}");
        assert_eq!(text(array(|_| {})), "[]");
        assert_eq!(text(Rendered::null()), "null");
        assert_eq!(text(Rendered::of(&json!({"a": [1, 2]}))), r#"{"a":[1,2]}"#);
        let item = object(|o| {
            o.field("a", &1);
        });
        let list = array(|a| {
            a.raw(&item).raw(&item);
        });
        assert_eq!(text(list), r#"[{"a":1},{"a":1}]"#);
    }

    #[test]
    fn keys_are_escaped_like_values() {
        let written = object(|o| {
            o.field("plain", &1)
                .field("qu\"ote", &2)
                .field("back\\slash", &3)
                .field("tab\t", &4)
                .field("é", &5);
        });
        assert_eq!(
            text(written),
            serde_json::json!({"plain": 1, "qu\"ote": 2, "back\\slash": 3, "tab\t": 4, "é": 5})
                .to_string()
        );
    }

    #[test]
    fn lookup_finds_keys_in_small_and_large_maps() {
        for size in [0, 1, 3, 8, 9, 40] {
            let map: serde_json::Map<String, Value> =
                (0..size).map(|n| (format!("k{n}"), json!(n))).collect();
            for n in 0..size {
                assert_eq!(lookup(&map, &format!("k{n}")), Some(&json!(n)), "{size}");
            }
            assert_eq!(lookup(&map, "absent"), None);
        }
    }

    #[test]
    fn keys_repeat_only_in_different_objects() {
        let written = object(|o| {
            o.field("id", &1).object("child", |o| {
                o.field("id", &2);
            });
        });
        assert_eq!(text(written), r#"{"id":1,"child":{"id":2}}"#);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "`id` written twice")]
    fn a_duplicate_key_panics_in_debug_builds() {
        object(|o| {
            o.field("id", &1).field("name", "x").null("id");
        });
    }

    #[actix_web::test]
    async fn a_response_carries_the_bytes_as_json() {
        use actix_web::body::MessageBody;
        let response = HttpResponse::Created().rendered(Rendered::of(&json!({"a": 1})));
        assert_eq!(response.status(), 201);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/json"
        );
        let body = response.into_body().try_into_bytes().unwrap();
        assert_eq!(&body[..], br#"{"a":1}"#);
        let problem = HttpResponse::BadRequest()
            .content_type("application/problem+json")
            .rendered(Rendered::null());
        assert_eq!(
            problem.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/problem+json"
        );
    }
}
