//! A journal entry's copy (or share) of a request or response body.

use actix_web::web::Bytes;
use serde::Serialize;

/// Bodies are kept up to this many bytes; longer ones are cut and marked `truncated`.
pub const JOURNAL_BODY_LIMIT: usize = 4096;

/// A request or response body as the journal keeps it: its first `JOURNAL_BODY_LIMIT` bytes,
/// turned into JSON only when the journal is read, so recording costs no parsing.
///
/// Mostly a copy rather than a share of the body's `Bytes`: a request body is a slice of its
/// connection's read buffer, and a freshly rendered response's memory is better reused at once
/// than held for a thousand requests and freed cold. A full ring copies into the buffers its
/// oldest entry already has. A short response body that something else already shares (a kept
/// read's answer, a static fixture) is held instead: holding it costs a count where copying it
/// wrote a cold buffer on every read. Once the read cache lets go of such a body (after a write),
/// the journal alone keeps it, whole buffer and all (the render buffer's 1 KiB at least, up to
/// about twice the body): at most a few KiB per entry beyond the copy, for as long as the entry
/// stays in the ring.
#[derive(Debug, Clone)]
pub struct CapturedBody {
    copied: Vec<u8>,
    shared: Option<Bytes>,
    size: usize,
}

impl CapturedBody {
    pub fn capture(bytes: &[u8]) -> Self {
        let mut captured = CapturedBody::empty();
        captured.refill(bytes);
        captured
    }

    pub fn empty() -> Self {
        CapturedBody {
            copied: Vec::new(),
            shared: None,
            size: 0,
        }
    }

    /// Holds a copy of `bytes` in place of what it held, in the buffer it already has; returns
    /// the share it held, if any, for the caller to drop when convenient.
    pub(super) fn refill(&mut self, bytes: &[u8]) -> Option<Bytes> {
        self.copied.clear();
        self.copied
            .extend_from_slice(&bytes[..bytes.len().min(JOURNAL_BODY_LIMIT)]);
        self.size = bytes.len();
        self.shared.take()
    }

    /// As [`Self::refill`], but holds a short `body` that is already shared instead of copying
    /// it (a clone of a shared `Bytes` allocates nothing; a long one would keep all of its
    /// memory for a few bytes shown).
    pub(super) fn refill_from(&mut self, body: &Bytes) -> Option<Bytes> {
        if body.len() > JOURNAL_BODY_LIMIT || body.is_unique() {
            return self.refill(body);
        }
        self.copied.clear();
        self.size = body.len();
        self.shared.replace(body.clone())
    }

    /// The buffer its copies go into (what a refill will write over).
    pub(super) fn copy_buffer(&self) -> &[u8] {
        &self.copied
    }

    fn kept(&self) -> &[u8] {
        self.shared.as_deref().unwrap_or(&self.copied)
    }

    pub fn truncated(&self) -> bool {
        self.size > self.kept().len()
    }

    /// Whether the kept bytes contain `needle` (an id, for a resource's timeline).
    pub fn contains(&self, needle: &str) -> bool {
        let needle = needle.as_bytes();
        !needle.is_empty() && self.kept().windows(needle.len()).any(|w| w == needle)
    }

    /// JSON when the body was complete JSON, else its text (lossy UTF-8), else null when empty.
    pub fn content(&self) -> serde_json::Value {
        let kept = self.kept();
        let text = || serde_json::Value::String(String::from_utf8_lossy(kept).into_owned());
        if kept.is_empty() {
            serde_json::Value::Null
        } else if self.truncated() {
            text()
        } else {
            serde_json::from_slice(kept).unwrap_or_else(|_| text())
        }
    }
}

impl Serialize for CapturedBody {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut body = serializer.serialize_struct("CapturedBody", 3)?;
        body.serialize_field("content", &self.content())?;
        body.serialize_field("size", &self.size)?;
        body.serialize_field("truncated", &self.truncated())?;
        body.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_shared_response_is_held_and_any_other_copied() {
        let mut body = CapturedBody::empty();
        let shared = Bytes::from(br#"{"kept":"read"}"#.to_vec());
        let cache_copy = shared.clone();
        assert!(body.refill_from(&shared).is_none());
        assert_eq!(
            body.kept().as_ptr(),
            cache_copy.as_ptr(),
            "held, not copied"
        );
        assert_eq!(body.content(), serde_json::json!({"kept": "read"}));

        let fresh = Bytes::from(br#"{"fresh":1}"#.to_vec());
        let displaced = body.refill_from(&fresh);
        assert_eq!(
            displaced.as_deref(),
            Some(&cache_copy[..]),
            "handed back to drop"
        );
        assert_ne!(
            body.kept().as_ptr(),
            fresh.as_ptr(),
            "a unique body is copied"
        );
        assert_eq!(body.content(), serde_json::json!({"fresh": 1}));

        let long = Bytes::from(vec![b'x'; JOURNAL_BODY_LIMIT + 1]);
        let _other_owner = long.clone();
        assert!(body.refill_from(&long).is_none());
        assert_ne!(
            body.kept().as_ptr(),
            long.as_ptr(),
            "a long body is cut, not held"
        );
        assert!(body.truncated());
        assert_eq!(body.kept().len(), JOURNAL_BODY_LIMIT);
    }

    #[test]
    fn bodies_are_captured_and_truncated() {
        assert_eq!(
            CapturedBody::capture(br#"{"a":1}"#).content(),
            serde_json::json!({"a": 1})
        );
        let big = vec![b'x'; JOURNAL_BODY_LIMIT + 10];
        let c = CapturedBody::capture(&big);
        assert!(c.truncated());
        assert_eq!(c.size, JOURNAL_BODY_LIMIT + 10);
        assert_eq!(c.content().as_str().unwrap().len(), JOURNAL_BODY_LIMIT);
        assert_eq!(CapturedBody::empty().content(), serde_json::Value::Null);
        let serialized = serde_json::to_value(&c).unwrap();
        assert_eq!(serialized["truncated"], true);
        assert_eq!(serialized["size"], JOURNAL_BODY_LIMIT + 10);
    }
}
