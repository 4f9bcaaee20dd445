//! Bounded memory for uploaded bytes: every stored file is a `Blob` leased from `Storage`, which
//! counts bytes in total and per tenant. A lease is returned when the last copy of its blob goes
//! (file deleted or replaced, tenant reset), so the counts never drift from what is held.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::Arc;

use actix_web::web::Bytes;
use parking_lot::Mutex;
use thiserror::Error;

use super::tenant::TenantId;

/// Which limit an upload ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum StorageFull {
    #[error("this account already stores {limit} bytes of files, the most the sandbox keeps for one account (--max-tenant-stored-bytes); delete files or reset it")]
    Tenant { limit: u64 },
    #[error("the sandbox already stores {limit} bytes of files, the most it keeps (--max-stored-bytes); reset tenants to make room")]
    Total { limit: u64 },
}

#[derive(Debug, Default)]
struct Usage {
    total: u64,
    /// Looked up on every upload: foldhash, as tenant ids are the sandbox's own.
    per_tenant: HashMap<TenantId, u64, foldhash::fast::RandomState>,
}

#[derive(Debug)]
struct Ledger {
    total_limit: u64,
    tenant_limit: u64,
    usage: Mutex<Usage>,
}

/// The sandbox-wide store of uploaded bytes.
#[derive(Debug, Clone)]
pub struct Storage(Arc<Ledger>);

impl Default for Storage {
    fn default() -> Self {
        Storage::new(DEFAULT_TOTAL, DEFAULT_PER_TENANT)
    }
}

pub const DEFAULT_TOTAL: u64 = 1024 * 1024 * 1024;
pub const DEFAULT_PER_TENANT: u64 = 256 * 1024 * 1024;

impl Storage {
    pub fn new(total_limit: u64, tenant_limit: u64) -> Self {
        Storage(Arc::new(Ledger {
            total_limit,
            tenant_limit,
            usage: Mutex::new(Usage::default()),
        }))
    }

    /// Keeps a copy of `bytes` for `tenant` if both limits allow it. A copy: uploaded bytes are
    /// a slice of the request, which is a slice of its connection's read buffer; sharing them
    /// would keep that whole buffer alive for as long as the file is stored.
    pub fn store(&self, tenant: &TenantId, bytes: Bytes) -> Result<Blob, StorageFull> {
        let lease = self.lease_within_limits(tenant, bytes.len() as u64)?;
        // Copied once counted, outside the lock: a refused upload is never copied, and a large
        // one does not hold up other workers' uploads while it is.
        Ok(Blob::leased(Bytes::copy_from_slice(&bytes), lease))
    }

    fn lease_within_limits(&self, tenant: &TenantId, size: u64) -> Result<Arc<Lease>, StorageFull> {
        let mut usage = self.0.usage.lock();
        let held = usage.per_tenant.get(tenant).copied().unwrap_or(0);
        if held + size > self.0.tenant_limit {
            return Err(StorageFull::Tenant {
                limit: self.0.tenant_limit,
            });
        }
        if usage.total + size > self.0.total_limit {
            return Err(StorageFull::Total {
                limit: self.0.total_limit,
            });
        }
        Ok(self.lease(&mut usage, tenant, size))
    }

    /// Leases `bytes` for `tenant` whatever the limits: for a snapshot being restored, whose
    /// files were within limits when it was taken and which replaces the files held now (both
    /// count until the restore completes, so checking here could refuse a snapshot of the very
    /// state in place). Uploads are refused again until the counts are below the limits.
    pub fn adopt(&self, tenant: &TenantId, bytes: Bytes) -> Blob {
        let lease = self.lease(&mut self.0.usage.lock(), tenant, bytes.len() as u64);
        Blob::leased(bytes, lease)
    }

    /// Counts `size` bytes for `tenant` (under the usage lock the caller holds).
    fn lease(&self, usage: &mut Usage, tenant: &TenantId, size: u64) -> Arc<Lease> {
        usage.total += size;
        *usage.per_tenant.entry(tenant.clone()).or_default() += size;
        Arc::new(Lease {
            ledger: self.0.clone(),
            tenant: tenant.clone(),
            size,
        })
    }

    /// Leases a pending blob's bytes for `tenant` (a no-op for one already kept), copying them
    /// only if they are a slice of a request.
    pub fn keep(&self, tenant: &TenantId, blob: &mut Blob) -> Result<(), StorageFull> {
        if blob.lease.is_none() {
            *blob = match blob.own {
                true => Blob::leased(
                    blob.bytes(),
                    self.lease_within_limits(tenant, blob.len() as u64)?,
                ),
                false => self.store(tenant, blob.bytes())?,
            };
        }
        Ok(())
    }

    /// Bytes held in all, and by `tenant`.
    pub fn used(&self, tenant: Option<&TenantId>) -> u64 {
        let usage = self.0.usage.lock();
        match tenant {
            Some(t) => usage.per_tenant.get(t).copied().unwrap_or(0),
            None => usage.total,
        }
    }

    pub fn limits(&self) -> (u64, u64) {
        (self.0.total_limit, self.0.tenant_limit)
    }
}

#[derive(Debug)]
struct Lease {
    ledger: Arc<Ledger>,
    tenant: TenantId,
    size: u64,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut usage = self.ledger.usage.lock();
        usage.total = usage.total.saturating_sub(self.size);
        if let Some(held) = usage.per_tenant.get_mut(&self.tenant) {
            *held = held.saturating_sub(self.size);
            if *held == 0 {
                usage.per_tenant.remove(&self.tenant);
            }
        }
    }
}

/// Stored file bytes. Copies (a state dump, a response body) share the one lease.
#[derive(Debug, Clone, Default)]
pub struct Blob {
    bytes: Bytes,
    lease: Option<Arc<Lease>>,
    /// Pending bytes of their own (decoded, not a slice of a request): kept without a copy.
    own: bool,
}

impl Blob {
    /// Bytes received but not kept yet, a slice of the request: they count once `Storage::keep`
    /// leases a copy of them.
    pub fn pending(bytes: Bytes) -> Self {
        Blob {
            bytes,
            lease: None,
            own: false,
        }
    }

    /// Bytes decoded from a request (base64), not kept yet: `Storage::keep` leases them as
    /// they are.
    pub fn pending_decoded(bytes: Vec<u8>) -> Self {
        Blob {
            bytes: bytes.into(),
            lease: None,
            own: true,
        }
    }

    fn leased(bytes: Bytes, lease: Arc<Lease>) -> Self {
        Blob {
            bytes,
            lease: Some(lease),
            own: true,
        }
    }

    /// The bytes, for a response body (no copy).
    pub fn bytes(&self) -> Bytes {
        self.bytes.clone()
    }
}

/// In a snapshot: the bytes in base64 (dumps show a size instead, or nothing).
impl serde::Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use base64::Engine;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.bytes))
    }
}

/// Read back from a snapshot: leased again from the sandbox's storage for the tenant being
/// restored, so the limits and counts hold as they did.
impl<'de> serde::Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use base64::Engine;
        let text: std::borrow::Cow<'de, str> = serde::Deserialize::deserialize(d)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("stored file bytes: {e}")))?;
        match super::snapshot::context() {
            Some(super::snapshot::Context {
                storage,
                tenant: Some(tenant),
                ..
            }) => Ok(storage.adopt(&tenant, bytes.into())),
            _ => Ok(Blob::pending_decoded(bytes)),
        }
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Deref for Blob {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_file_is_a_copy_not_a_share_of_the_request() {
        let request = Bytes::from_static(b"headers, then the file");
        let file = request.slice(14..);
        let stored = Storage::default()
            .store(&TenantId::parse("t"), file.clone())
            .unwrap();
        assert_eq!(&stored[..], b"the file");
        assert_ne!(stored.as_ptr(), file.as_ptr());
    }

    #[test]
    fn decoded_bytes_are_kept_as_they_are_and_counted() {
        let storage = Storage::new(10, 6);
        let tenant = TenantId::parse("t");
        let mut blob = Blob::pending_decoded(b"12345".to_vec());
        let before = blob.as_ptr();
        storage.keep(&tenant, &mut blob).unwrap();
        assert_eq!((blob.as_ptr(), storage.used(Some(&tenant))), (before, 5));
        let mut over = Blob::pending_decoded(b"67".to_vec());
        assert_eq!(
            storage.keep(&tenant, &mut over).unwrap_err(),
            StorageFull::Tenant { limit: 6 }
        );
    }

    #[test]
    fn limits_hold_and_leases_come_back() {
        let storage = Storage::new(10, 6);
        let (a, b) = (TenantId::parse("a"), TenantId::parse("b"));
        let first = storage.store(&a, Bytes::from_static(b"12345")).unwrap();
        assert_eq!(
            storage.store(&a, Bytes::from_static(b"67")).unwrap_err(),
            StorageFull::Tenant { limit: 6 }
        );
        let second = storage.store(&b, Bytes::from_static(b"12345")).unwrap();
        assert_eq!(
            storage.store(&b, Bytes::from_static(b"x")).unwrap_err(),
            StorageFull::Total { limit: 10 }
        );
        let copy = first.clone();
        drop(first);
        assert_eq!(storage.used(Some(&a)), 5, "a copy still holds the lease");
        drop(copy);
        assert_eq!((storage.used(Some(&a)), storage.used(None)), (0, 5));
        drop(second);
        assert_eq!(storage.used(None), 0);
    }
}
