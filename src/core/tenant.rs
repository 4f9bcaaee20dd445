//! Tenants: every credential gets its own isolated state, created on first use.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use parking_lot::RwLock;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::tenant_cell::TenantCell;

/// A credential's stable, non-secret name: `<provider>-<12 hex of SHA-256(credential)>`.
///
/// Kept inline (a derived name is at most 20 bytes of the 24 a `CompactString` holds in place):
/// a request copies its tenant into its caller, the journal, the storage ledger and the tenant
/// map's key, and with thousands of tenants each clone of a shared `Arc<str>` was a cache miss
/// and an atomic count.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TenantId(CompactString);

/// How many credentials each worker remembers the tenant of before it starts over.
const DERIVED_PER_WORKER: usize = 16_384;

/// What a worker remembers of a credential: its tenant, and once asked for, how the admin API
/// names it.
struct Derived {
    tenant: TenantId,
    label: Option<Label>,
}

thread_local! {
    /// Every request derives its tenant from its credential; hashing it each time cost more than
    /// looking it up. The key is spelled into a buffer kept with the map, so a lookup allocates
    /// nothing.
    static DERIVED: RefCell<(String, HashMap<String, Derived, foldhash::fast::RandomState>)> =
        RefCell::default();
}

/// How the admin API names a tenant's credential (`API token my-t…oken`): made once per
/// credential and worker, shared by every request that presents it.
pub type Label = Arc<str>;

impl TenantId {
    /// `parts` are the pieces of the credential that together select a tenant (e.g. token and org id).
    pub fn derive(provider: &str, parts: &[&str]) -> Self {
        Self::remembered(provider, parts, "", |_| ()).0
    }

    /// The tenant `parts` select, and the credential's label, which `label` makes the first time
    /// this worker sees the credential. `variant` tells apart credentials that select the same
    /// tenant but read differently (a key sent in one header or another).
    pub fn derive_labelled(
        provider: &str,
        parts: &[&str],
        variant: &str,
        label: impl FnOnce() -> String,
    ) -> (Self, Label) {
        let (tenant, label) = Self::remembered(provider, parts, variant, |derived| {
            derived.label.get_or_insert_with(|| label().into()).clone()
        });
        (tenant, label)
    }

    fn remembered<T>(
        provider: &str,
        parts: &[&str],
        variant: &str,
        also: impl FnOnce(&mut Derived) -> T,
    ) -> (Self, T) {
        DERIVED.with_borrow_mut(|(key, known)| {
            key.clear();
            key.push_str(provider);
            key.push('\u{1}');
            key.push_str(variant);
            for part in parts {
                key.push('\0');
                key.push_str(part);
            }
            if let Some(derived) = known.get_mut(key.as_str()) {
                let extra = also(derived);
                return (derived.tenant.clone(), extra);
            }
            if known.len() >= DERIVED_PER_WORKER {
                known.clear();
            }
            let mut derived = Derived {
                tenant: Self::hash(provider, parts),
                label: None,
            };
            let extra = also(&mut derived);
            let tenant = derived.tenant.clone();
            known.insert(key.clone(), derived);
            (tenant, extra)
        })
    }

    fn hash(provider: &str, parts: &[&str]) -> Self {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part.as_bytes());
            hasher.update([0u8]);
        }
        let digest = hasher.finalize();
        TenantId(compact_str::format_compact!(
            "{provider}-{}",
            crate::core::ids::lower_hex(&digest[..6])
        ))
    }

    pub fn parse(name: &str) -> Self {
        TenantId(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Enough of a secret to tell tenants apart without showing it: its first and last four
/// characters (`my-t…oken`), or only its first two when it is short.
pub fn secret_hint(secret: &str) -> String {
    // Byte offsets of character boundaries, so a multi-byte character is never cut.
    let after_chars = |n: usize| {
        secret
            .char_indices()
            .nth(n)
            .map_or(secret.len(), |(i, _)| i)
    };
    let long = secret.chars().nth(11).is_some();
    if long {
        let tail_start = secret.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
        format!("{}…{}", &secret[..after_chars(4)], &secret[tail_start..])
    } else {
        format!("{}…", &secret[..after_chars(2)])
    }
}

/// What the admin API shows about a tenant: never the secret itself.
#[derive(Debug, Clone, Serialize)]
pub struct TenantInfo {
    pub tenant: TenantId,
    pub provider: &'static str,
    pub credential: Label,
    pub created_at: DateTime<Utc>,
}

/// In this order (`repr(C)`): a request touches the `Arc`'s count, the flag and the lock one
/// after the other, so they share the allocation's first cache line; with thousands of tenants
/// that line is a miss, and two would be two.
#[repr(C)]
pub struct TenantSlot<S> {
    /// Set (under the state lock) when the slot is taken out of the map for holding nothing; a
    /// request that locked it meanwhile starts over with the map's current slot.
    retired: AtomicBool,
    pub state: TenantCell<S>,
    pub info: TenantInfo,
}

/// What a provider's per-tenant state tells the map: whether it holds anything a client could
/// see. A tenant exists once it holds state, so reads of unknown credentials create nothing.
pub trait TenantState {
    fn holds_nothing(&self) -> bool;
}

/// Per-tenant state of one provider. The map lock is held only to find or insert a slot; work on a
/// tenant's state locks that tenant alone, so tenants never wait on each other.
pub struct TenantMap<S> {
    slots: RwLock<Slots<S>>,
}

impl<S> Default for TenantMap<S> {
    fn default() -> Self {
        TenantMap {
            slots: RwLock::new(HashMap::default()),
        }
    }
}

impl<S> TenantMap<S> {
    pub fn get(&self, id: &TenantId) -> Option<Arc<TenantSlot<S>>> {
        self.slots.read().get(id).cloned()
    }

    fn get_or_create(&self, info: &TenantInfo, init: impl FnOnce() -> S) -> Arc<TenantSlot<S>> {
        if let Some(slot) = self.get(&info.tenant) {
            return slot;
        }
        let mut slots = self.slots.write();
        slots
            .entry(info.tenant.clone())
            .or_insert_with(|| {
                Arc::new(TenantSlot {
                    info: info.clone(),
                    state: TenantCell::new(init()),
                    retired: AtomicBool::new(false),
                })
            })
            .clone()
    }

    /// Runs `f` on the tenant's state, locked for the whole of `f` so a request sees and leaves it
    /// whole. An unknown tenant starts from `init()`; if it still holds nothing afterwards (a read,
    /// or a write that failed) it is dropped again, so only state makes a tenant.
    pub fn with<R>(&self, info: &TenantInfo, init: impl Fn() -> S, f: impl FnOnce(&mut S) -> R) -> R
    where
        S: TenantState,
    {
        loop {
            let slot = self.get_or_create(info, &init);
            let mut state = slot.state.lock();
            if slot.retired.load(Ordering::Acquire) {
                drop(state);
                self.remove_retired(&slot);
                continue;
            }
            let result = f(&mut state);
            if state.holds_nothing() {
                slot.retired.store(true, Ordering::Release);
                drop(state);
                self.remove_retired(&slot);
            }
            return result;
        }
    }

    fn remove_retired(&self, slot: &Arc<TenantSlot<S>>) {
        let mut slots = self.slots.write();
        if slots
            .get(&slot.info.tenant)
            .is_some_and(|current| Arc::ptr_eq(current, slot))
        {
            slots.remove(&slot.info.tenant);
        }
    }

    pub fn infos(&self) -> Vec<TenantInfo> {
        let mut infos: Vec<TenantInfo> =
            self.slots.read().values().map(|s| s.info.clone()).collect();
        infos.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then(a.tenant.cmp(&b.tenant))
        });
        infos
    }

    pub fn slots(&self) -> Vec<Arc<TenantSlot<S>>> {
        self.slots.read().values().cloned().collect()
    }

    /// The slot of the tenant whose state `holds` (only the named tenant's, when one is named):
    /// how an admin transition finds a resource by its id alone.
    pub fn find(
        &self,
        tenant: Option<&str>,
        holds: impl Fn(&S) -> bool,
    ) -> Option<Arc<TenantSlot<S>>> {
        let candidates = match tenant {
            Some(t) => self.get(&TenantId::parse(t)).into_iter().collect(),
            None => self.slots(),
        };
        candidates
            .into_iter()
            .find(|slot| holds(&slot.state.lock()))
    }

    /// One tenant's whole state as JSON (`GET /__admin/tenants/{tenant}/state`). The state is
    /// copied under its lock and serialized after, so the tenant's requests wait only for the copy.
    pub fn dump(&self, id: &TenantId) -> Option<serde_json::Value>
    where
        S: Serialize + Clone,
    {
        let slot = self.get(id)?;
        let copy = slot.state.lock().clone();
        serde_json::to_value(&copy).ok()
    }

    /// Removes one tenant, or all when `id` is `None`; returns how many were removed.
    pub fn reset(&self, id: Option<&TenantId>) -> usize {
        let mut slots = self.slots.write();
        match id {
            Some(id) => usize::from(slots.remove(id).is_some()),
            None => {
                let n = slots.len();
                slots.clear();
                n
            }
        }
    }
}

/// One tenant as a snapshot keeps it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SavedTenant {
    pub tenant: TenantId,
    pub credential: String,
    pub created_at: DateTime<Utc>,
    pub state: serde_json::Value,
}

impl<S> TenantMap<S> {
    /// Every tenant's whole state, oldest first (each copied under its lock, serialized after).
    pub fn snapshot(&self) -> Result<Vec<SavedTenant>, serde_json::Error>
    where
        S: Serialize + Clone,
    {
        let mut slots = self.slots();
        slots.sort_by(|a, b| {
            (a.info.created_at, &a.info.tenant).cmp(&(b.info.created_at, &b.info.tenant))
        });
        slots
            .iter()
            .map(|slot| {
                let copy = slot.state.lock().clone();
                Ok(SavedTenant {
                    tenant: slot.info.tenant.clone(),
                    credential: slot.info.credential.to_string(),
                    created_at: slot.info.created_at,
                    state: crate::core::snapshot::capture(|| serde_json::to_value(&copy))?,
                })
            })
            .collect()
    }

    /// Reads saved tenants back; [`TenantMap::install`] then puts them in place of the current
    /// ones. Nothing changes when one cannot be read.
    pub fn prepare(
        &self,
        provider: &'static str,
        saved: Vec<SavedTenant>,
    ) -> Result<Slots<S>, String>
    where
        S: serde::de::DeserializeOwned,
    {
        let mut restored = Slots::with_capacity_and_hasher(saved.len(), Default::default());
        for tenant in saved {
            let state: S = crate::core::snapshot::for_tenant(&tenant.tenant, || {
                serde_json::from_value(tenant.state)
            })
            .map_err(|e| format!("tenant `{}`: {e}", tenant.tenant))?;
            let info = TenantInfo {
                tenant: tenant.tenant.clone(),
                provider,
                credential: tenant.credential.into(),
                created_at: tenant.created_at,
            };
            restored.insert(
                tenant.tenant,
                Arc::new(TenantSlot {
                    info,
                    state: TenantCell::new(state),
                    retired: AtomicBool::new(false),
                }),
            );
        }
        Ok(restored)
    }

    /// Replaces every tenant with prepared ones.
    pub fn install(&self, prepared: Slots<S>) {
        *self.slots.write() = prepared;
    }
}

/// Tenants by id (also as read back from a snapshot, ready to be installed). Ids are digests
/// the sandbox made: foldhash is enough, and quicker than SipHash on every request.
pub type Slots<S> = HashMap<TenantId, Arc<TenantSlot<S>>, foldhash::fast::RandomState>;

/// What the admin API needs of a provider's tenants, whatever their state type.
pub trait TenantStore: Send + Sync {
    fn infos(&self) -> Vec<TenantInfo>;
    fn dump(&self, id: &TenantId) -> Option<serde_json::Value>;
    fn reset(&self, id: Option<&TenantId>) -> usize;
    /// Every tenant, for a snapshot.
    fn snapshot(&self) -> Result<Vec<SavedTenant>, serde_json::Error>;
    /// Reads saved tenants back; the returned function replaces every tenant with them. Nothing
    /// changes until it is called, so a snapshot is restored whole or not at all.
    fn prepare_restore(
        &self,
        provider: &'static str,
        saved: Vec<SavedTenant>,
    ) -> Result<Box<dyn FnOnce() + '_>, String>;
}

impl<S: Serialize + serde::de::DeserializeOwned + Clone + Send> TenantStore for TenantMap<S> {
    fn snapshot(&self) -> Result<Vec<SavedTenant>, serde_json::Error> {
        TenantMap::snapshot(self)
    }

    fn prepare_restore(
        &self,
        provider: &'static str,
        saved: Vec<SavedTenant>,
    ) -> Result<Box<dyn FnOnce() + '_>, String> {
        let prepared = self.prepare(provider, saved)?;
        Ok(Box::new(move || self.install(prepared)))
    }

    fn infos(&self) -> Vec<TenantInfo> {
        TenantMap::infos(self)
    }

    fn dump(&self, id: &TenantId) -> Option<serde_json::Value> {
        TenantMap::dump(self, id)
    }

    fn reset(&self, id: Option<&TenantId>) -> usize {
        TenantMap::reset(self, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_stable_and_distinct() {
        let a = TenantId::derive("sumvin", &["pat-1", "org-1"]);
        assert_eq!(a, TenantId::derive("sumvin", &["pat-1", "org-1"]));
        assert_ne!(a, TenantId::derive("sumvin", &["pat-1", "org-2"]));
        assert_ne!(a, TenantId::derive("sumvin", &["pat-1org-1", ""]));
        assert!(a.as_str().starts_with("sumvin-"));
        assert_eq!(a.as_str().len(), "sumvin-".len() + 12);
    }

    #[test]
    fn a_label_is_made_once_per_credential_and_variant() {
        let made = std::cell::Cell::new(0);
        let label = |text: &'static str| {
            made.set(made.get() + 1);
            text.to_owned()
        };
        let plain = TenantId::derive("p", &["secret"]);
        let (first, a) = TenantId::derive_labelled("p", &["secret"], "header-a", || label("a"));
        let (again, a2) = TenantId::derive_labelled("p", &["secret"], "header-a", || label("x"));
        let (other, b) = TenantId::derive_labelled("p", &["secret"], "header-b", || label("b"));
        assert_eq!((&first, &again, &other), (&plain, &plain, &plain));
        assert_eq!((&*a, &*a2, &*b), ("a", "a", "b"));
        assert!(
            Arc::ptr_eq(&a, &a2),
            "the second request shares the first one's label"
        );
        assert_eq!(made.get(), 2);
    }

    #[test]
    fn hints_show_the_ends_of_long_secrets_only() {
        assert_eq!(secret_hint("my-test-token-1234"), "my-t…1234");
        assert_eq!(secret_hint("short"), "sh…");
        assert_eq!(secret_hint("123456789012"), "1234…9012");
        assert_eq!(secret_hint("12345678901"), "12…");
        assert_eq!(secret_hint("ééééxxxxxxxxüüüü"), "éééé…üüüü");
        assert_eq!(secret_hint("é"), "é…");
        assert_eq!(secret_hint(""), "…");
    }
}
