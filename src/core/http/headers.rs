//! Response header values built from client input (file names, redirect URLs, ids), made valid
//! whatever the input holds: a control character must never turn a download into a 500.

use actix_web::http::header::HeaderValue;

/// `Content-Disposition` for `file_name` (RFC 6266): a plain ASCII `filename` every client reads,
/// plus `filename*` in UTF-8 (RFC 8187) when the name holds anything else.
pub fn content_disposition(disposition: &str, file_name: &str) -> HeaderValue {
    let fallback: String = file_name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    let mut value = format!("{disposition}; filename=\"{fallback}\"");
    if fallback != file_name {
        value.push_str("; filename*=UTF-8''");
        percent_encode_into(&mut value, file_name, is_attr_char);
    }
    HeaderValue::from_str(&value).expect("only visible ASCII is left")
}

/// A URL for `Location`, with every byte a header cannot carry percent-encoded.
pub fn location(url: &str) -> HeaderValue {
    // Nearly every URL is already all visible ASCII: one check, then one copy.
    if url.bytes().all(|b| b.is_ascii_graphic()) {
        return HeaderValue::from_str(url).expect("only visible ASCII");
    }
    let mut value = String::with_capacity(url.len());
    percent_encode_into(&mut value, url, |b| b.is_ascii_graphic());
    HeaderValue::from_str(&value).expect("only visible ASCII is left")
}

/// RFC 8187 `attr-char`: what `filename*` may hold unencoded.
fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b)
}

fn percent_encode_into(out: &mut String, text: &str, keep: impl Fn(u8) -> bool) {
    for b in text.bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_with_anything_in_them_make_valid_headers() {
        assert_eq!(
            content_disposition("inline", "scan.png"),
            "inline; filename=\"scan.png\""
        );
        assert_eq!(
            content_disposition("attachment", "a\nb\"c\u{7f}é.png"),
            "attachment; filename=\"a_b_c__.png\"; filename*=UTF-8''a%0Ab%22c%7F%C3%A9.png"
        );
    }

    #[test]
    fn locations_keep_their_shape() {
        assert_eq!(location("/a/b?x=1&y=%20"), "/a/b?x=1&y=%20");
        assert_eq!(
            location("https://x.test/r?a=b c\r\n"),
            "https://x.test/r?a=b%20c%0D%0A"
        );
    }
}
