//! State snapshots: the whole state (every provider's tenants and what the providers keep beside
//! them, stored files, scheduled steps, the webhook log, the clock) as one versioned JSON
//! document, written atomically and read back whole or not at all.

mod codec;
mod document;
pub mod file;
mod mode;

pub use codec::{base64_bytes, extra};
pub use document::{
    parse, ProviderState, SavedJob, Snapshot, SnapshotError, FORMAT, FORMAT_VERSION,
};
pub use mode::{
    capture, capturing, context, for_tenant, in_dump, intern, interned, restoring, Context,
    StaticText,
};
