//! Bodies of reads a tenant answered since it last changed, so a client polling a resource
//! (the usual way to wait for a review) is answered without rendering it again.
//!
//! Correct by construction rather than by invalidation rules: every access that may change a
//! tenant's state empties its cache (`TenantCell::lock`), and only a read that changes nothing
//! (`TenantCell::peek`) fills it. An entry is keyed by the whole request (method, path and
//! query, every header), so whatever a render reads of the request, two requests that share an
//! entry read the same. Debug builds render again on every hit and compare, so the test suites
//! check each hit.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::web::Bytes;
use actix_web::HttpRequest;

use super::json_out::Rendered;

/// Entries one tenant keeps: a client polls a few resources, not many.
const ENTRIES_PER_TENANT: usize = 8;
/// Bodies larger than this are rendered each time (a resource with hundreds of embedded items).
const LARGEST_BODY: usize = 64 * 1024;
/// What all tenants' caches may hold together; past it, reads render as if nothing was cached.
const BUDGET: usize = 64 * 1024 * 1024;

/// Bytes held by every cache (keys and bodies).
static HELD: AtomicUsize = AtomicUsize::new(0);

#[derive(Default)]
pub struct ReadCache {
    entries: Vec<Entry>,
}

struct Entry {
    key: Box<[u8]>,
    body: Bytes,
}

impl Entry {
    fn size(&self) -> usize {
        self.key.len() + self.body.len()
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        HELD.fetch_sub(self.size(), Ordering::Relaxed);
    }
}

impl ReadCache {
    /// The answer to `req`: what was kept of the same request, else `render`'s, kept. Every
    /// kept answer a debug build gives (the test suites) is checked against a fresh render.
    pub fn answer(&mut self, req: &HttpRequest, render: impl Fn() -> Rendered) -> Bytes {
        let key = RequestKey::of(req);
        if let Some(body) = self.get(&key) {
            debug_assert_eq!(
                render(),
                Rendered::from(body.clone()),
                "a kept read differs from a fresh render"
            );
            return body;
        }
        let body = Bytes::from(render());
        self.insert(&key, body.clone());
        body
    }

    /// The body cached for the request `key`.
    fn get(&self, key: &RequestKey) -> Option<Bytes> {
        self.entries
            .iter()
            .find(|e| *e.key == *key.0)
            .map(|e| e.body.clone())
    }

    /// Keeps `body` as the answer to the request `key`, unless it is too large or the
    /// budget is spent. The oldest entry makes room.
    fn insert(&mut self, key: &RequestKey, body: Bytes) {
        if body.len() > LARGEST_BODY {
            return;
        }
        let key: Box<[u8]> = Box::from(&key.0[..]);
        let size = key.len() + body.len();
        if HELD.fetch_add(size, Ordering::Relaxed) + size > BUDGET {
            HELD.fetch_sub(size, Ordering::Relaxed);
            return;
        }
        if self.entries.len() == ENTRIES_PER_TENANT {
            self.entries.remove(0);
        }
        self.entries.push(Entry { key, body });
    }

    pub fn clear(&mut self) {
        if !self.entries.is_empty() {
            self.entries.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

thread_local! {
    /// A key buffer kept between requests, so that spelling a key allocates nothing.
    static SPARE: RefCell<Vec<u8>> = RefCell::default();
}

/// A request as a cache key: `METHOD path?query`, then every header as `name:value`, sorted so
/// their order does not matter, each on a line of its own. No part can hold a line break (a
/// header value with one is refused before it gets here, as is a path), so no two requests
/// spell the same key.
struct RequestKey(Vec<u8>);

/// Headers sorted on the stack when there are this many or fewer (a client sends a handful).
const SORTED_ON_STACK: usize = 16;

impl RequestKey {
    fn of(req: &HttpRequest) -> RequestKey {
        let mut key = SPARE.take();
        key.clear();
        key.extend_from_slice(req.method().as_str().as_bytes());
        key.push(b' ');
        let target = req.uri().path_and_query().map_or("", |p| p.as_str());
        key.extend_from_slice(target.as_bytes());
        let headers = req.headers();
        let mut write = |sorted: &[(&str, &[u8])]| {
            for (name, value) in sorted {
                key.push(b'\n');
                key.extend_from_slice(name.as_bytes());
                key.push(b':');
                key.extend_from_slice(value);
            }
        };
        let pairs = headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes()));
        if headers.len() <= SORTED_ON_STACK {
            let mut stack = [("", &[][..]); SORTED_ON_STACK];
            let mut count = 0;
            for pair in pairs {
                stack[count] = pair;
                count += 1;
            }
            stack[..count].sort_unstable();
            write(&stack[..count]);
        } else {
            let mut heap: Vec<_> = pairs.collect();
            heap.sort_unstable();
            write(&heap);
        }
        RequestKey(key)
    }
}

impl Drop for RequestKey {
    fn drop(&mut self) {
        let key = std::mem::take(&mut self.0);
        SPARE.with_borrow_mut(|spare| {
            if key.capacity() > spare.capacity() {
                *spare = key;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn key_of(req: TestRequest) -> Vec<u8> {
        RequestKey::of(&req.to_http_request()).0.clone()
    }

    #[test]
    fn keys_differ_by_any_header_or_query_but_not_by_header_order() {
        let base = || TestRequest::get().uri("/applicants/a?x=1");
        let one = key_of(
            base()
                .insert_header(("Authorization", "Token a"))
                .insert_header(("Host", "h")),
        );
        let swapped = key_of(
            base()
                .insert_header(("Host", "h"))
                .insert_header(("Authorization", "Token a")),
        );
        assert_eq!(one, swapped);
        for other in [
            base().insert_header(("Authorization", "Token b")),
            base()
                .insert_header(("Authorization", "Token a"))
                .insert_header(("Host", "h"))
                .insert_header(("X-Forwarded-Proto", "https")),
            TestRequest::get()
                .uri("/applicants/a?x=2")
                .insert_header(("Authorization", "Token a"))
                .insert_header(("Host", "h")),
        ] {
            assert_ne!(key_of(other), one);
        }
        // A header's value cannot run into the next header's name, nor a name into its value.
        assert_ne!(
            key_of(base().insert_header(("a", "bc"))),
            key_of(base().insert_header(("ab", "c")))
        );
    }

    #[test]
    fn many_headers_are_sorted_too() {
        let mut forward = TestRequest::get().uri("/r");
        let mut backward = TestRequest::get().uri("/r");
        for n in 0..SORTED_ON_STACK + 4 {
            forward = forward.insert_header((format!("x-{n:02}"), format!("{n}")));
            let m = SORTED_ON_STACK + 3 - n;
            backward = backward.insert_header((format!("x-{m:02}"), format!("{m}")));
        }
        assert_eq!(key_of(forward), key_of(backward));
    }

    #[test]
    fn a_cache_answers_only_the_same_request_and_keeps_a_few() {
        let mut cache = ReadCache::default();
        let first = RequestKey::of(&TestRequest::get().uri("/r/0").to_http_request());
        assert_eq!(cache.get(&first), None);
        cache.insert(&first, Bytes::from_static(b"{\"id\":0}"));
        assert_eq!(cache.get(&first).as_deref(), Some(&b"{\"id\":0}"[..]));
        for n in 1..=ENTRIES_PER_TENANT {
            let key = RequestKey::of(&TestRequest::get().uri(&format!("/r/{n}")).to_http_request());
            assert_eq!(cache.get(&key), None);
            cache.insert(&key, Bytes::from(format!("{n}")));
        }
        assert_eq!(cache.len(), ENTRIES_PER_TENANT);
        assert_eq!(cache.get(&first), None, "the oldest entry made room");
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn large_bodies_are_not_kept() {
        let mut cache = ReadCache::default();
        let key = RequestKey::of(&TestRequest::get().uri("/big").to_http_request());
        cache.insert(&key, Bytes::from(vec![b' '; LARGEST_BODY + 1]));
        assert!(cache.is_empty());
    }
}
