//! HTTP plumbing shared by every provider: bounded bodies, multipart, the scenario header, the journal recorder.

mod access_log;
mod cors;
mod endpoint;
mod endpoints;
mod headers;
mod json;
mod multipart;
mod page;
mod pagination;
mod ports;
mod problem;
mod recorder;

use std::rc::Rc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpRequest;
use futures_util::StreamExt;
use thiserror::Error;

pub use cors::BrowserCors;
pub use endpoint::{endpoint, Endpoint};
pub use endpoints::Endpoints;
pub use headers::{content_disposition, location};
pub use json::{decode_json, json_text, JsonError};
pub use multipart::{parse_multipart, MultipartError, Part};
pub use page::{fill, fill_hosted, hosted_page, script_json, Brand};
pub use pagination::{page_request, PageBounds, PageError, PageRequest};
pub use ports::{mount_prefix, via_port, MountAt, ProviderPorts, ViaPort};
pub use problem::{faulted, in_envelope, instance_of, refusal, ProblemAt};
pub use recorder::{guard_and_record, Mounts};

/// Request header a test sends to pick a scenario by name, whatever the request data says.
pub const SCENARIO_HEADER: &str = "x-sandbox-scenario";
const SCENARIO: header::HeaderName = header::HeaderName::from_static(SCENARIO_HEADER);

/// The largest request body accepted, shared by every provider (`--max-body`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// How long a request body may take to arrive in full (`--body-timeout`).
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

impl Default for BodyTimeout {
    fn default() -> Self {
        BodyTimeout(Duration::from_secs(10))
    }
}

/// Why a request body was refused. Every provider renders each one in its own envelope
/// (`ProblemAt::refusal`), the admin API in its own.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BodyError {
    #[error("request body is larger than the {limit} bytes allowed")]
    TooLarge { limit: usize },
    #[error("request body could not be read: {0}")]
    Incomplete(String),
    /// The client stopped sending before the body was complete (408).
    #[error("request body did not arrive within {} seconds", .after.as_secs_f64())]
    TimedOut { after: Duration },
}

/// The configured limit, from app data (falls back to 10 MiB when a test app has none).
pub fn body_limit(req: &HttpRequest) -> usize {
    req.app_data::<BodyLimit>()
        .map_or(10 * 1024 * 1024, |l| l.0)
}

pub(crate) fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// The configured body timeout, from app data (10 s when a test app has none).
pub fn body_timeout(req: &HttpRequest) -> Duration {
    req.app_data::<BodyTimeout>().copied().unwrap_or_default().0
}

/// Reads the whole body, refusing it as soon as it is known to exceed `limit`, and giving up when
/// it has not arrived within the body timeout.
pub async fn read_body(
    req: &HttpRequest,
    payload: &mut actix_web::web::Payload,
    limit: usize,
) -> Result<Bytes, BodyError> {
    if declared_length(req).is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge { limit });
    }
    let timeout = body_timeout(req);
    let deadline = tokio::time::Instant::now() + timeout;
    let mut body = Chunks::default();
    loop {
        let chunk = match tokio::time::timeout_at(deadline, payload.next()).await {
            Err(_) => return Err(BodyError::TimedOut { after: timeout }),
            Ok(None) => break,
            Ok(Some(chunk)) => chunk.map_err(|e| BodyError::Incomplete(e.to_string()))?,
        };
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.push(chunk);
    }
    Ok(body.into_bytes())
}

/// A body gathered chunk by chunk. One chunk (a small body, or one the request guard already
/// buffered) is kept as it came, without a copy.
#[derive(Default)]
pub(crate) struct Chunks {
    first: Option<Bytes>,
    joined: actix_web::web::BytesMut,
}

impl Chunks {
    pub(crate) fn len(&self) -> usize {
        self.first.as_ref().map_or(self.joined.len(), Bytes::len)
    }

    pub(crate) fn push(&mut self, chunk: Bytes) {
        match self.first.take() {
            None if self.joined.is_empty() => self.first = Some(chunk),
            first => {
                if let Some(first) = first {
                    self.joined.extend_from_slice(&first);
                }
                self.joined.extend_from_slice(&chunk);
            }
        }
    }

    pub(crate) fn into_bytes(self) -> Bytes {
        self.first.unwrap_or_else(|| self.joined.freeze())
    }
}

/// The media type without parameters, lowercased (`multipart/form-data`).
pub fn media_type(req: &HttpRequest) -> Option<std::borrow::Cow<'_, str>> {
    let value = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(header_text)?;
    let essence = match memchr::memchr(b';', value.as_bytes()) {
        Some(at) => &value[..at],
        None => value,
    };
    Some(essence.trim_ascii())
        .filter(|v| !v.is_empty())
        .map(|v| match v.bytes().any(|b| b.is_ascii_uppercase()) {
            true => v.to_ascii_lowercase().into(),
            false => v.into(),
        })
}

/// A header's trimmed, non-empty text. Pass a `HeaderName` (a constant) rather than a `&str`,
/// which would be parsed into one on every call.
pub fn header_str(req: &HttpRequest, name: impl header::AsHeaderName) -> Option<&str> {
    // Only visible ASCII, spaces and tabs are admitted, so ASCII trimming is the whole job.
    req.headers()
        .get(name)
        .and_then(header_text)
        .map(str::trim_ascii)
        .filter(|v| !v.is_empty())
}

/// What `HeaderValue::to_str` gives: the text when it is visible ASCII, spaces and tabs. Checked
/// without stopping early, so that the compiler checks many bytes at once: a bearer JWT is a few
/// hundred of them, and `to_str` looks at each in turn.
fn header_text(value: &header::HeaderValue) -> Option<&str> {
    let bytes = value.as_bytes();
    let admitted = bytes.iter().fold(true, |ok, &b| {
        ok & ((b' '..0x7f).contains(&b) | (b == b'\t'))
    });
    // SAFETY: every byte was just checked to be below 0x7f, so this is ASCII, which is valid
    // UTF-8 (`from_utf8` would walk the bytes a second time to find that out: a quarter of
    // reading a credential).
    admitted.then(|| unsafe { std::str::from_utf8_unchecked(bytes) })
}

/// The scenario a request forces with `X-Sandbox-Scenario`, if any.
pub fn forced_scenario(req: &HttpRequest) -> Option<String> {
    header_str(req, SCENARIO).map(str::to_owned)
}

/// The last value of a query parameter.
pub fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .ok()?
        .into_iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// `http://host:port` as the client reached us, for absolute URLs in responses.
pub fn base_url(req: &HttpRequest) -> Rc<str> {
    thread_local! {
        /// The last `Host` a worker answered a plain request for, with its base URL: a client
        /// keeps calling the same host, and working out the connection's details (proxy
        /// headers, scheme, host) cost more than comparing.
        static LAST: std::cell::RefCell<(Vec<u8>, Option<Rc<str>>)> = std::cell::RefCell::default();
    }
    let plain = req.uri().authority().is_none()
        && ![
            header::FORWARDED,
            header::X_FORWARDED_HOST,
            header::X_FORWARDED_PROTO,
        ]
        .iter()
        .any(|name| req.headers().contains_key(name));
    let host = req.headers().get(header::HOST).filter(|_| plain);
    let computed = || -> Rc<str> {
        let info = req.connection_info();
        [info.scheme(), "://", info.host()].concat().into()
    };
    match host {
        None => computed(),
        Some(host) => LAST.with_borrow_mut(|(known, url)| match url {
            Some(url) if known.as_slice() == host.as_bytes() => url.clone(),
            _ => {
                let fresh = computed();
                *url = Some(fresh.clone());
                known.clear();
                known.extend_from_slice(host.as_bytes());
                fresh
            }
        }),
    }
}

/// Text made safe to put inside HTML elements and quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_admits_what_to_str_admits() {
        for byte in 0..=255u8 {
            for at in [0, 1, 7, 8, 30] {
                let mut bytes = vec![b'a'; 31];
                bytes[at] = byte;
                let Ok(value) = header::HeaderValue::from_bytes(&bytes) else {
                    continue;
                };
                assert_eq!(
                    header_text(&value),
                    value.to_str().ok(),
                    "{byte:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn base_urls_follow_the_host_and_any_proxy_header() {
        use actix_web::test::TestRequest;
        let url = |headers: &[(&str, &str)]| {
            let mut req = TestRequest::get().uri("/x");
            for header in headers {
                req = req.insert_header(*header);
            }
            base_url(&req.to_http_request()).to_string()
        };
        assert_eq!(url(&[("host", "a:1")]), "http://a:1");
        assert_eq!(url(&[("host", "a:1")]), "http://a:1");
        assert_eq!(url(&[("host", "b:2")]), "http://b:2");
        assert_eq!(
            url(&[("host", "b:2"), ("x-forwarded-host", "proxy.example")]),
            "http://proxy.example"
        );
        assert_eq!(
            url(&[
                ("host", "b:2"),
                ("forwarded", "proto=https;host=edge.example")
            ]),
            "https://edge.example"
        );
        assert_eq!(url(&[("host", "b:2")]), "http://b:2");
        let absolute = TestRequest::get()
            .uri("http://c:3/x")
            .insert_header(("host", "b:2"))
            .to_http_request();
        assert_eq!(
            base_url(&absolute).to_string(),
            absolute.connection_info().scheme().to_owned()
                + "://"
                + absolute.connection_info().host()
        );
    }

    #[test]
    fn one_chunk_is_kept_as_it_came_and_more_are_joined() {
        let chunk = Bytes::from_static(b"whole");
        let mut one = Chunks::default();
        one.push(chunk.clone());
        assert_eq!(one.len(), 5);
        assert_eq!(one.into_bytes().as_ptr(), chunk.as_ptr(), "not copied");

        let mut three = Chunks::default();
        for part in [&b"ab"[..], b"", b"cde"] {
            three.push(Bytes::copy_from_slice(part));
        }
        assert_eq!(three.len(), 5);
        assert_eq!(&three.into_bytes()[..], b"abcde");
        assert!(Chunks::default().into_bytes().is_empty());
    }
}
