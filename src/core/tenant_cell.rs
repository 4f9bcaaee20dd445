//! A tenant's state behind its lock, with the reads it answered since it last changed
//! (`core::read_cache`). The two ways in decide what the cache may hold: [`TenantCell::lock`]
//! hands out the state to change and empties the cache first; [`TenantCell::peek`] hands out
//! the state read-only, with the cache to consult and fill.

use std::ops::{Deref, DerefMut};

use parking_lot::{Mutex, MutexGuard};

use super::read_cache::ReadCache;

pub struct TenantCell<S>(Mutex<Held<S>>);

struct Held<S> {
    state: S,
    reads: ReadCache,
}

impl<S> TenantCell<S> {
    pub fn new(state: S) -> Self {
        TenantCell(Mutex::new(Held {
            state,
            reads: ReadCache::default(),
        }))
    }

    /// The state, to read or change: whatever was cached of it is forgotten.
    pub fn lock(&self) -> StateGuard<'_, S> {
        let mut held = self.0.lock();
        held.reads.clear();
        StateGuard(held)
    }

    /// The state read-only, and what reads of it cached.
    pub fn peek(&self) -> Peek<'_, S> {
        Peek(self.0.lock())
    }
}

pub struct StateGuard<'a, S>(MutexGuard<'a, Held<S>>);

impl<S> Deref for StateGuard<'_, S> {
    type Target = S;

    fn deref(&self) -> &S {
        &self.0.state
    }
}

impl<S> DerefMut for StateGuard<'_, S> {
    fn deref_mut(&mut self) -> &mut S {
        &mut self.0.state
    }
}

pub struct Peek<'a, S>(MutexGuard<'a, Held<S>>);

impl<S> Peek<'_, S> {
    pub fn parts(&mut self) -> (&S, &mut ReadCache) {
        let held = &mut *self.0;
        (&held.state, &mut held.reads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::json_out::Rendered;
    use actix_web::test::TestRequest;
    use std::cell::Cell;

    #[test]
    fn a_lock_forgets_the_kept_reads_and_a_peek_keeps_them() {
        let cell = TenantCell::new(1);
        let req = TestRequest::get().uri("/x").to_http_request();
        let renders = Cell::new(0);
        let read = |cell: &TenantCell<i32>| {
            let mut peek = cell.peek();
            let (state, reads) = peek.parts();
            reads.answer(&req, || {
                renders.set(renders.get() + 1);
                Rendered::of(state)
            })
        };
        assert_eq!(&read(&cell)[..], b"1");
        assert_eq!(&read(&cell)[..], b"1");
        // One render, and in a debug build one more to check the kept answer against.
        let two_reads = if cfg!(debug_assertions) { 2 } else { 1 };
        assert_eq!(renders.get(), two_reads);
        *cell.lock() += 1;
        assert_eq!(&read(&cell)[..], b"2");
        assert_eq!(
            renders.get(),
            two_reads + 1,
            "the change made it render again"
        );
    }
}
