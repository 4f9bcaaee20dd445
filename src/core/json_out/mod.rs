//! JSON written straight into a byte buffer, for the bodies clients fetch again and again.
//!
//! Building a `serde_json::Value` first costs a map per object (hashing, a `String` per key,
//! cloned values) and then a second pass to serialize it; profiling showed that as the largest
//! share of a read's CPU time. Here each field is written once, in the order written: strings,
//! numbers and the like by hand, the rest by `serde_json` (see `scalar`), so the text is what
//! `Value` gave.
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

use self::scalar::{needs_escape, write_str, write_value};
use super::time_text::SecondsText;

mod scalar;

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

/// Text kept as `Bytes` (a cached read) read back, for comparing it with a fresh render.
impl From<Bytes> for Rendered {
    fn from(bytes: Bytes) -> Rendered {
        Rendered(bytes.to_vec())
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
    /// The same for text kept from an earlier render (`core::read_cache`).
    fn kept(&mut self, body: Bytes) -> HttpResponse;
}

impl RenderedBody for HttpResponseBuilder {
    fn rendered(&mut self, body: Rendered) -> HttpResponse {
        json_typed(self.body(body.0))
    }

    fn kept(&mut self, body: Bytes) -> HttpResponse {
        json_typed(self.body(body))
    }
}

/// `content-type: application/json`, unless the response has a type.
fn json_typed(mut response: HttpResponse) -> HttpResponse {
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
        write_str(out, &text);
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
            write_str(self.out, key);
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
mod tests;
