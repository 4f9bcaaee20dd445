//! A bounded ring of recent provider requests and their responses, for tests to assert on.

use std::collections::VecDeque;
use std::sync::Arc;

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde::Serialize;

mod body;

pub use body::{CapturedBody, JOURNAL_BODY_LIMIT};

use super::events::{Event, Events};
use super::tenant::TenantId;

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: u64,
    /// On the sandbox clock.
    pub at: DateTime<Utc>,
    /// On the machine's clock, as the server log shows it.
    pub wall_at: DateTime<Utc>,
    pub provider: Option<&'static str>,
    pub tenant: Option<TenantId>,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    pub duration_ms: f64,
    pub request_content_type: Option<String>,
    pub request: CapturedBody,
    pub response: CapturedBody,
    /// The fault rule that hit this request, if one did; `status` is 0 when the client got no
    /// answer (a dropped connection, a timeout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<crate::core::faults::FaultNote>,
}

/// What a request leaves for the journal, borrowed from it: [`Journal::record`] copies the text
/// and the bodies into an entry's own buffers (or holds a shared response body, see
/// [`CapturedBody`]).
pub struct Record<'a> {
    pub at: DateTime<Utc>,
    pub wall_at: DateTime<Utc>,
    pub provider: Option<&'static str>,
    pub tenant: Option<TenantId>,
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub status: u16,
    pub duration_ms: f64,
    pub request_content_type: Option<&'a str>,
    pub request: &'a [u8],
    pub response: &'a Bytes,
    pub fault: Option<crate::core::faults::FaultNote>,
}

/// What an entry owned that a refill replaced, dropped by the caller when convenient.
type Replaced = (
    Option<TenantId>,
    Option<crate::core::faults::FaultNote>,
    [Option<Bytes>; 2],
);

impl Entry {
    fn new(id: u64, record: Record<'_>) -> Entry {
        let mut entry = Entry {
            id,
            at: record.at,
            wall_at: record.wall_at,
            provider: None,
            tenant: None,
            method: String::new(),
            path: String::new(),
            query: String::new(),
            status: 0,
            duration_ms: 0.0,
            request_content_type: None,
            request: CapturedBody::empty(),
            response: CapturedBody::empty(),
            fault: None,
        };
        entry.refill(id, record);
        entry
    }

    /// Every field from `record`, the text written into the strings this entry already has.
    fn refill(&mut self, id: u64, record: Record<'_>) -> Replaced {
        let Record {
            at,
            wall_at,
            provider,
            tenant,
            method,
            path,
            query,
            status,
            duration_ms,
            request_content_type,
            request,
            response,
            fault,
        } = record;
        let overwrite = |text: &mut String, with: &str| {
            text.clear();
            text.push_str(with);
        };
        self.id = id;
        self.at = at;
        self.wall_at = wall_at;
        self.provider = provider;
        overwrite(&mut self.method, method);
        overwrite(&mut self.path, path);
        overwrite(&mut self.query, query);
        self.status = status;
        self.duration_ms = duration_ms;
        match (&mut self.request_content_type, request_content_type) {
            (Some(kept), Some(new)) => overwrite(kept, new),
            (kept, new) => *kept = new.map(str::to_owned),
        }
        let bodies = [
            self.request.refill(request),
            self.response.refill_from(response),
        ];
        (
            std::mem::replace(&mut self.tenant, tenant),
            std::mem::replace(&mut self.fault, fault),
            bodies,
        )
    }
}

impl Entry {
    /// See [`Ring::fetch_ahead`]: what a refill writes besides the entry itself.
    fn fetch_buffers(&self) {
        for text in [&self.method, &self.path, &self.query] {
            prefetch(text.as_ptr(), text.len());
        }
        for body in [&self.request, &self.response] {
            let buffer = body.copy_buffer();
            prefetch(buffer.as_ptr(), buffer.len());
        }
        if let Some(tenant) = &self.tenant {
            // Replacing the tenant drops a count kept just before its text.
            let text = tenant.as_str();
            let counts = 2 * std::mem::size_of::<usize>();
            prefetch(text.as_ptr().wrapping_sub(counts), counts + text.len());
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Filter<'a> {
    pub provider: Option<&'a str>,
    pub tenant: Option<&'a str>,
    pub method: Option<&'a str>,
    pub path_contains: Option<&'a str>,
    pub status: Option<StatusFilter>,
    pub limit: usize,
}

/// A response status to match: one code (`404`) or a class (`4xx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Code(u16),
    Class(u16),
}

impl StatusFilter {
    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusFilter::Code(code) => status == code,
            StatusFilter::Class(class) => status / 100 == class,
        }
    }
}

impl std::str::FromStr for StatusFilter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad =
            || format!("invalid status `{s}`: expected a code such as 404 or a class such as 4xx");
        match s.to_ascii_lowercase().strip_suffix("xx") {
            Some(class) => match class.parse::<u16>() {
                Ok(c @ 1..=5) if class.len() == 1 => Ok(StatusFilter::Class(c)),
                _ => Err(bad()),
            },
            None => match s.parse::<u16>() {
                Ok(code @ 100..=599) => Ok(StatusFilter::Code(code)),
                _ => Err(bad()),
            },
        }
    }
}

#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    inner: Mutex<Ring>,
    events: Arc<Events>,
}

#[derive(Debug, Default)]
struct Ring {
    next_id: u64,
    entries: VecDeque<Arc<Entry>>,
}

impl Ring {
    /// Asks for the memory the next records will reuse before they need it. A full ring's oldest
    /// entry was written a thousand requests ago and has left the cache, so refilling it waited
    /// on memory for every line it read (about 2 % of a stored resource's `GET`). The entry the
    /// next record reuses had its own lines fetched by the previous record, so reading where its
    /// buffers are costs nothing now; the one after it gets its own lines fetched.
    fn fetch_ahead(&self) {
        if let Some(next) = self.entries.front() {
            next.fetch_buffers();
        }
        if let Some(after) = self.entries.get(1) {
            // An `Arc`'s two counts sit just before its value; `get_mut` reads them.
            let counts = 2 * std::mem::size_of::<usize>();
            let start = Arc::as_ptr(after).cast::<u8>().wrapping_sub(counts);
            prefetch(start, counts + std::mem::size_of::<Entry>());
        }
    }
}

/// A hint that `len` bytes from `start` will be used soon, so the CPU loads them into its cache
/// meanwhile. Nothing else changes, whatever the address; on other CPUs it does nothing.
#[inline]
fn prefetch(start: *const u8, len: usize) {
    #[cfg(target_arch = "x86_64")]
    for offset in (0..len).step_by(64) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch neither reads nor writes memory as far as the program can tell and
        // never faults, even on an address that is not mapped.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset).cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (start, len);
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity,
            inner: Mutex::new(Ring::default()),
            events: Arc::default(),
        }
    }

    /// Announces every recorded entry on `events`.
    pub fn with_events(mut self, events: Arc<Events>) -> Self {
        self.events = events;
        self
    }

    /// Stores what a request left, as the entry with the next id. When the ring is full the
    /// oldest entry goes, and its buffers take the new one when no reader holds it, so a full
    /// journal records without allocating or freeing its strings.
    pub fn record(&self, record: Record<'_>) {
        if self.capacity == 0 {
            return;
        }
        let mut ring = self.inner.lock();
        ring.next_id += 1;
        let id = ring.next_id;
        let mut evicted = (ring.entries.len() == self.capacity)
            .then(|| ring.entries.pop_front())
            .flatten();
        // What the replaced entry owned elsewhere is freed once the lock is released, so other
        // workers never wait on it.
        let mut replaced = None;
        let entry = match evicted.as_mut().and_then(Arc::get_mut) {
            Some(reused) => {
                replaced = Some(reused.refill(id, record));
                evicted.take().expect("the entry just reused")
            }
            None => Arc::new(Entry::new(id, record)),
        };
        // The extra reference only when someone listens: nothing more on the hot path otherwise.
        let announced = self.events.has_subscribers().then(|| entry.clone());
        ring.entries.push_back(entry);
        if ring.entries.len() == self.capacity {
            ring.fetch_ahead();
        }
        drop(ring);
        drop((evicted, replaced));
        if let Some(entry) = announced {
            self.events.publish(|| Event::Request(entry));
        }
    }

    /// The entry with this id, while the ring still holds it. Ids grow along the ring (a
    /// tenant's reset can leave gaps), so a binary search finds it.
    pub fn get(&self, id: u64) -> Option<Arc<Entry>> {
        let ring = self.inner.lock();
        let at = ring.entries.binary_search_by_key(&id, |e| e.id).ok()?;
        ring.entries.get(at).cloned()
    }

    /// Newest first.
    pub fn query(&self, filter: &Filter<'_>) -> Vec<Arc<Entry>> {
        let ring = self.inner.lock();
        ring.entries
            .iter()
            .rev()
            .filter(|e| filter.provider.is_none_or(|p| e.provider == Some(p)))
            .filter(|e| {
                filter
                    .tenant
                    .is_none_or(|t| e.tenant.as_ref().is_some_and(|x| x.as_str() == t))
            })
            .filter(|e| {
                filter
                    .method
                    .is_none_or(|m| e.method.eq_ignore_ascii_case(m))
            })
            .filter(|e| filter.path_contains.is_none_or(|p| e.path.contains(p)))
            .filter(|e| filter.status.is_none_or(|s| s.matches(e.status)))
            .take(filter.limit)
            .cloned()
            .collect()
    }

    pub fn len(&self) -> usize {
        self.inner.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn clear(&self, tenant: Option<&TenantId>) {
        let mut ring = self.inner.lock();
        match tenant {
            None => ring.entries.clear(),
            Some(t) => ring.entries.retain(|e| e.tenant.as_ref() != Some(t)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static OK: Bytes = Bytes::from_static(br#"{"ok":true}"#);

    fn entry<'a>(provider: &'static str, path: &'a str) -> Record<'a> {
        Record {
            at: Utc::now(),
            wall_at: Utc::now(),
            provider: Some(provider),
            tenant: None,
            method: "GET",
            path,
            query: "",
            status: 200,
            duration_ms: 0.1,
            request_content_type: None,
            request: b"",
            response: &OK,
            fault: None,
        }
    }

    #[test]
    fn a_reused_entry_keeps_nothing_of_the_old_one_and_a_held_one_is_not_reused() {
        let j = Journal::new(1);
        let mut first = entry("a", "/old/path");
        first.query = "page=2";
        first.request_content_type = Some("application/json");
        first.tenant = Some(TenantId::parse("a-1"));
        first.request = b"{}";
        j.record(first);
        let held = j.get(1).unwrap();
        j.record(entry("b", "/held"));
        assert_eq!(held.path, "/old/path", "a reader's entry is left alone");
        assert_eq!(held.query, "page=2");
        drop(held);
        let mut third = entry("c", "/new");
        third.method = "DELETE";
        third.request_content_type = Some("text/plain");
        third.request = br#"{"a longer body":"than the next one"}"#;
        j.record(third);
        j.record(entry("d", "/last"));
        let last = j.get(4).unwrap();
        assert_eq!(
            (last.provider, last.method.as_str(), last.path.as_str()),
            (Some("d"), "GET", "/last")
        );
        assert_eq!(
            (last.query.as_str(), &last.request_content_type),
            ("", &None)
        );
        assert!(last.tenant.is_none());
        assert_eq!(serde_json::to_value(&last.request).unwrap()["size"], 0);
        assert_eq!(last.request.content(), serde_json::Value::Null);
        assert_eq!(last.response.content(), serde_json::json!({"ok": true}));
        assert_eq!(j.len(), 1);
    }

    #[test]
    fn ring_is_bounded_and_newest_first() {
        let j = Journal::new(2);
        j.record(entry("a", "/1"));
        j.record(entry("b", "/2"));
        j.record(entry("a", "/3"));
        let all = j.query(&Filter {
            limit: 10,
            ..Filter::default()
        });
        assert_eq!(
            all.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(),
            vec!["/3", "/2"]
        );
        assert_eq!(all[0].id, 3);
        let only_a = j.query(&Filter {
            provider: Some("a"),
            limit: 10,
            ..Filter::default()
        });
        assert_eq!(only_a.len(), 1);
        assert_eq!(j.get(3).unwrap().path, "/3");
        assert_eq!(j.get(2).unwrap().path, "/2");
        assert!(j.get(1).is_none(), "dropped from the ring");
        assert!(j.get(4).is_none());
    }

    #[test]
    fn entries_are_found_by_id_across_a_tenant_reset() {
        let j = Journal::new(10);
        for (n, tenant) in ["a", "b", "a", "b"].iter().enumerate() {
            let path = format!("/{n}");
            let mut e = entry("p", &path);
            e.tenant = Some(TenantId::parse(tenant));
            j.record(e);
        }
        j.clear(Some(&TenantId::parse("a")));
        assert!(j.get(1).is_none() && j.get(3).is_none());
        assert_eq!(j.get(4).unwrap().path, "/3");
        assert_eq!(j.get(2).unwrap().path, "/1");
    }

    #[test]
    fn status_filters_match_a_code_or_a_class() {
        let class: StatusFilter = "4xx".parse().unwrap();
        assert!(class.matches(404) && class.matches(422) && !class.matches(500));
        let code: StatusFilter = "201".parse().unwrap();
        assert!(code.matches(201) && !code.matches(200));
        for bad in ["6xx", "44xx", "x", "99", "600", ""] {
            assert!(bad.parse::<StatusFilter>().is_err(), "{bad}");
        }
    }
}
