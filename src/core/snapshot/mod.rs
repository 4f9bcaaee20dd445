//! State snapshots: the whole state (every provider's tenants and what the providers keep beside
//! them, stored files, scheduled steps, the webhook log, the clock) as one versioned JSON
//! document, written atomically and read back whole or not at all.

mod mode;

pub use mode::{
    capture, capturing, context, for_tenant, in_dump, intern, interned, restoring, Context,
    StaticText,
};
