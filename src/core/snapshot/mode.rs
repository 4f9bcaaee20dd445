//! Serializing state for a snapshot with the same serde derives that render the admin dump.
//!
//! The dump leaves out what a client should not see or does not need (secrets, random generator
//! state, file bytes, scenario progress); a snapshot needs all of it. Fields the dump leaves out
//! carry `#[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]`, and stored bytes
//! serialize as their size or as base64 depending on the same switch, so one set of types serves
//! both. Deserializing only ever happens for snapshots; what a value needs from the running
//! sandbox to come back (the storage ledger its bytes are leased from, the scenarios its timeline
//! plays) is lent for the duration through [`restoring`].

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use crate::core::scenario::ScenarioSet;
use crate::core::storage::Storage;
use crate::core::tenant::TenantId;

thread_local! {
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// For `skip_serializing_if`: leave the field out unless a snapshot is being taken.
pub fn in_dump<T>(_: &T) -> bool {
    !capturing()
}

/// Whether the current thread is serializing a snapshot.
pub fn capturing() -> bool {
    CAPTURING.with(Cell::get)
}

/// Runs `f` (which serializes state) in snapshot mode.
pub fn capture<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            CAPTURING.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(CAPTURING.with(|c| c.replace(true)));
    f()
}

/// What values being restored need from the running sandbox.
#[derive(Clone)]
pub struct Context {
    pub storage: Storage,
    pub scenarios: Arc<ScenarioSet>,
    /// The tenant whose state is being read: its file bytes are leased to it.
    pub tenant: Option<TenantId>,
}

/// Runs `f` (which deserializes state) with `context` lent to the values it builds.
pub fn restoring<R>(context: Context, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Context>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let previous = self.0.take();
            CONTEXT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _reset = Reset(CONTEXT.with(|c| c.borrow_mut().replace(context)));
    f()
}

/// Runs `f` with the tenant being restored set to `tenant`.
pub fn for_tenant<R>(tenant: &TenantId, f: impl FnOnce() -> R) -> R {
    let context = CONTEXT.with(|c| c.borrow().clone());
    match context {
        Some(mut context) => {
            context.tenant = Some(tenant.clone());
            restoring(context, f)
        }
        None => f(),
    }
}

/// The restore context, for deserializers; `None` outside [`restoring`].
pub fn context() -> Option<Context> {
    CONTEXT.with(|c| c.borrow().clone())
}

/// A `&'static str` for text read back from a snapshot (a media type, an event name). Each
/// distinct text is kept once for the life of the process; the values are drawn from small fixed
/// sets, so this stays small.
pub fn intern(text: &str) -> &'static str {
    static SEEN: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut seen = SEEN
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(known) = seen.get(text) {
        return known;
    }
    let leaked: &'static str = Box::leak(text.to_owned().into_boxed_str());
    seen.insert(leaked);
    leaked
}

/// `&'static str` under another name: serde's derive borrows fields spelled `&str` from the input
/// (which a snapshot, read from a file, cannot lend for `'static`); spelled this way, the field
/// is read with [`interned`] instead.
pub type StaticText = &'static str;

/// For `deserialize_with` on `&'static str` fields.
pub fn interned<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let text: std::borrow::Cow<'de, str> = serde::Deserialize::deserialize(d)?;
    Ok(intern(&text))
}
