//! `multipart/form-data` (RFC 7578, framed as RFC 2046 §5.1.1 says) parsed from a body that was
//! already read whole and size-checked. Each part's data is a slice of that body, not a copy.
//!
//! actix-multipart's parser is built for a body still arriving: it copied every part into
//! buffers of its own and its stream machinery cost about a fifth of an upload's CPU time. The
//! header lines of a part are parsed by `httparse`, their values by [`header_values`]; the
//! framing is done here.

mod header_values;

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpRequest;
use compact_str::CompactString;
use memchr::memmem;
use thiserror::Error;

use header_values::{disposition, media_type};

/// One part of a form. Its data is a slice of the body; its texts are short copies, kept in place
/// up to 24 bytes (a shared slice of the body cost an atomic count each, and a second UTF-8
/// check), so parsing a form of short names allocates only its list of parts.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: CompactString,
    pub file_name: Option<CompactString>,
    pub content_type: Option<CompactString>,
    pub data: Bytes,
}

impl Part {
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.data).ok()
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("malformed multipart body: {0}")]
pub struct MultipartError(&'static str);

/// The most header lines one part may have (actix-multipart's bound).
const MAX_PART_HEADERS: usize = 32;

/// Every part of the form, in order.
pub fn parse_multipart(req: &HttpRequest, body: Bytes) -> Result<Vec<Part>, MultipartError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(super::header_text)
        .and_then(|v| media_type(v, "boundary"))
        .ok_or(MultipartError("no multipart content type"))?;
    let Some(subtype) = content_type.essence.strip_prefix("multipart/") else {
        return Err(MultipartError("the content type is not multipart"));
    };
    let boundary = content_type
        .parameter
        .as_deref()
        .filter(|b| !b.is_empty() && b.len() <= 70)
        .ok_or(MultipartError("the content type names no boundary"))?;
    parse_parts(&body, boundary.as_bytes(), subtype == "form-data")
}

fn parse_parts(
    body: &Bytes,
    boundary: &[u8],
    form_data: bool,
) -> Result<Vec<Part>, MultipartError> {
    // Every delimiter but a first one at the very start follows a line break.
    let mut delimiter = Vec::with_capacity(boundary.len() + 4);
    delimiter.extend_from_slice(b"\r\n--");
    delimiter.extend_from_slice(boundary);
    let finder = Delimiter::new(&delimiter, body.len());
    let mut at = if body.starts_with(&delimiter[2..]) {
        delimiter.len() - 2
    } else {
        finder
            .find(body)
            .ok_or(MultipartError("no boundary in the body"))?
            + delimiter.len()
    };
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            // The close delimiter; what follows is the epilogue, which carries nothing.
            return Ok(parts);
        }
        at += line_end(rest).ok_or(MultipartError("a boundary line does not end"))?;
        let mut slots = [httparse::EMPTY_HEADER; MAX_PART_HEADERS];
        let (header_len, headers) = match httparse::parse_headers(&body[at..], &mut slots) {
            Ok(httparse::Status::Complete(parsed)) => parsed,
            Ok(httparse::Status::Partial) => {
                return Err(MultipartError("the body ended inside a part's headers"))
            }
            Err(_) => return Err(MultipartError("a part's headers are not valid")),
        };
        at += header_len;
        let length = finder
            .find(&body[at..])
            .ok_or(MultipartError("the body ended before the form did"))?;
        let data = body.slice(at..at + length);
        at += length + delimiter.len();
        parts.push(part(headers, data, form_data)?);
    }
}

/// Finds the delimiter in the body. Building `memmem`'s searcher costs about what scanning a
/// small form takes, so a body of up to `SCAN_UP_TO` bytes is searched by memchr for the
/// delimiter's first byte (`\r`), each hit checked; in binary data one byte in 256 is a `\r`.
enum Delimiter<'a> {
    Scan(&'a [u8]),
    Searcher(Box<memmem::Finder<'a>>),
}

const SCAN_UP_TO: usize = 4096;

impl<'a> Delimiter<'a> {
    fn new(delimiter: &'a [u8], body_len: usize) -> Self {
        if body_len <= SCAN_UP_TO {
            Delimiter::Scan(delimiter)
        } else {
            Delimiter::Searcher(Box::new(memmem::Finder::new(delimiter)))
        }
    }

    fn find(&self, haystack: &[u8]) -> Option<usize> {
        let needle = match self {
            Delimiter::Searcher(finder) => return finder.find(haystack),
            Delimiter::Scan(needle) => needle,
        };
        let (&first, rest) = needle.split_first()?;
        let mut from = 0;
        while let Some(hit) = memchr::memchr(first, &haystack[from..]) {
            let at = from + hit;
            if haystack[at + 1..].starts_with(rest) {
                return Some(at);
            }
            from = at + 1;
        }
        None
    }
}

/// Where the line after a boundary starts: only transport padding (spaces, tabs) may come before
/// its CRLF.
fn line_end(rest: &[u8]) -> Option<usize> {
    let padding = rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    rest[padding..].starts_with(b"\r\n").then_some(padding + 2)
}

fn part(
    headers: &[httparse::Header<'_>],
    data: Bytes,
    form_data: bool,
) -> Result<Part, MultipartError> {
    // The first of each, found in one pass over the part's headers.
    let (mut disposition_value, mut type_value) = (None, None);
    for h in headers {
        let slot = match h.name.len() {
            19 if h.name.eq_ignore_ascii_case("content-disposition") => &mut disposition_value,
            12 if h.name.eq_ignore_ascii_case("content-type") => &mut type_value,
            _ => continue,
        };
        slot.get_or_insert(h.value);
    }
    let text = |text: Cow<'_, str>| CompactString::from(text);
    let disposition = disposition_value
        .and_then(disposition)
        .filter(|d| !form_data || d.form_data);
    let (name, file_name) = match disposition {
        Some(d) => (d.name.map(text), d.file_name.map(text)),
        None if form_data => return Err(MultipartError("a part has no form-data disposition")),
        None => (None, None),
    };
    let name = match name {
        Some(name) => name,
        None if form_data => return Err(MultipartError("a part has no name")),
        None => CompactString::default(),
    };
    let content_type = type_value
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| Some(text(media_type(v, "")?.essence)));
    Ok(Part {
        name,
        file_name,
        content_type,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &[u8]) -> Result<Vec<Part>, MultipartError> {
        parse_parts(&Bytes::copy_from_slice(body), b"xyz", true)
    }

    #[test]
    fn parts_come_in_order_with_names_files_and_types() {
        let parts = parse(
            b"preamble\r\n--xyz\r\n\
              Content-Disposition: form-data; name=\"side\"\r\n\r\n\
              FRONT\r\n--xyz  \r\n\
              content-disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".jpg\"\r\n\
              Content-Type: Image/JPEG; q=1\r\n\r\n\
              \xff\xd8\r\n--x\r\n\xff\r\n--xyz--\r\nepilogue",
        )
        .unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((&*parts[0].name, parts[0].text()), ("side", Some("FRONT")));
        assert_eq!(
            (&parts[0].file_name, &parts[0].content_type),
            (&None, &None)
        );
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].file_name.as_deref(), Some("a \"b\".jpg"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/jpeg"));
        assert_eq!(&parts[1].data[..], b"\xff\xd8\r\n--x\r\n\xff");
    }

    #[test]
    fn a_form_may_start_at_the_first_byte_and_hold_nothing() {
        let parts =
            parse(b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--xyz--").unwrap();
        assert_eq!((&*parts[0].name, parts[0].data.len()), ("a", 0));
        assert!(parse(b"--xyz--\r\n").unwrap().is_empty());
    }

    #[test]
    fn a_browser_s_raw_utf8_file_name_is_read() {
        let parts = parse(
            "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"паспорт.jpg\"\r\n\r\nx\r\n--xyz--"
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(parts[0].file_name.as_deref(), Some("паспорт.jpg"));
    }

    #[test]
    fn broken_framing_is_refused() {
        let refused = [
            &b""[..],
            b"no boundary at all",
            b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\nno closing delimiter",
            b"--xyz\r\nContent-Disposition: form-data; name=a",
            b"--xyzjunk\r\n\r\n\r\n--xyz--",
            b"--xyz\r\nBad Header\r\n\r\nx\r\n--xyz--",
            b"--xyz\r\nContent-Type: text/plain\r\n\r\nx\r\n--xyz--",
            b"--xyz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--xyz--",
            b"--xyz\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--xyz--",
        ];
        for body in refused {
            assert!(parse(body).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn small_and_large_bodies_split_alike() {
        // Binary data full of `\r` and near-delimiters, under and over the scanning limit.
        for filler in [100, SCAN_UP_TO] {
            let mut body = b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n".to_vec();
            let data: Vec<u8> = (0..filler).flat_map(|_| *b"\r\r\n-\r\n--xy\r").collect();
            body.extend_from_slice(&data);
            body.extend_from_slice(
                b"\r\n--xyz\r\nContent-Disposition: form-data; name=b\r\n\r\nB\r\n--xyz--",
            );
            let parts = parse(&body).unwrap();
            assert_eq!(parts.len(), 2);
            assert_eq!(&parts[0].data[..], &data[..]);
            assert_eq!(&parts[1].data[..], b"B");
        }
    }

    #[test]
    fn part_data_shares_the_body() {
        let body = Bytes::from_static(
            b"--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\nDATA\r\n--xyz--",
        );
        let parts = parse_parts(&body, b"xyz", true).unwrap();
        let offset = parts[0].data.as_ptr() as usize - body.as_ptr() as usize;
        assert_eq!(&body[offset..offset + 4], b"DATA");
    }
}
