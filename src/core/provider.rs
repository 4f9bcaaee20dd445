//! What every provider module offers the core and the admin API.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::http::{in_envelope, BodyError, BrowserCors, Endpoints, MountAt, ProblemAt};
use super::scheduler::Job;
use super::tenant::{TenantId, TenantInfo, TenantStore};

pub trait Provider: Send + Sync + 'static {
    fn name(&self) -> &'static str;

    /// Path prefix on the main port, e.g. `/sumvin`.
    fn mount(&self) -> &'static str;

    /// Registers the provider's routes (and its own not-found fallback) under its mount, or at
    /// the root of its own port.
    fn configure(self: Arc<Self>, cfg: &mut web::ServiceConfig, at: MountAt);

    /// Registers the provider's own admin endpoints, under `/__admin/{name}`.
    fn configure_admin(self: Arc<Self>, _cfg: &mut web::ServiceConfig) {}

    /// The routes `configure_admin` registers (relative to `/__admin/{name}`), for listings and
    /// the OpenAPI check.
    fn admin_routes(&self) -> &'static [AdminRoute] {
        &[]
    }

    /// The provider's tenants; `tenants`, `dump` and `reset` read them unless a provider has
    /// more to say (state kept beside them, a richer dump).
    fn tenant_store(&self) -> &dyn TenantStore;

    fn tenants(&self) -> Vec<TenantInfo> {
        self.tenant_store().infos()
    }

    /// Every resource of one tenant, as JSON, for `GET /__admin/tenants/{tenant}/state`.
    fn dump(&self, tenant: &TenantId) -> Option<serde_json::Value> {
        self.tenant_store().dump(tenant)
    }

    /// What the provider keeps beside its tenants, for a snapshot (`Null` when nothing).
    fn snapshot_extra(&self) -> serde_json::Value {
        serde_json::Value::Null
    }

    /// Reads `extra` (from [`Provider::snapshot_extra`]) back; the returned function puts it in
    /// place, once every part of the snapshot has been read.
    fn prepare_extra(&self, _extra: serde_json::Value) -> Result<Box<dyn FnOnce() + '_>, String> {
        Ok(Box::new(|| {}))
    }

    /// Drops one tenant's state, or every tenant's; returns how many tenants were dropped.
    fn reset(&self, tenant: Option<&TenantId>) -> usize {
        self.tenant_store().reset(tenant)
    }

    /// A request body refused before any handler read it (too large, too slow), in the
    /// provider's envelope for `path`.
    fn refuse(&self, error: BodyError, path: &str) -> HttpResponse;

    /// An injected fault's error answer (429, 5xx) in the provider's envelope for `path`
    /// (usually `core::http::faulted::<E>`).
    fn fault(&self, status: StatusCode, message: &str, path: &str) -> HttpResponse;

    /// The tenant this request's credential selects, told without creating it or touching any
    /// state, for fault rules that name a tenant; `None` without a usable credential.
    fn tenant_of(&self, _req: &HttpRequest) -> Option<TenantId> {
        None
    }

    /// Applies a due timeline step the scheduler hands back.
    fn fire(&self, job: &Job);

    /// Forces a resource into a state as if a reviewer had decided (`POST /__admin/transitions`).
    fn transition(&self, request: &TransitionRequest)
        -> Result<serde_json::Value, TransitionError>;

    /// The decisions a reviewer can take on this provider's resources, which the dashboard
    /// offers as buttons (each one a `transition`). None unless the provider says.
    fn decidable(&self) -> &'static [Decidable] {
        &[]
    }
}

/// Resources of one collection of the state dump that a reviewer can decide on.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Decidable {
    /// The collection in `dump` (`documents`): a map of resources by id, or one resource.
    pub collection: &'static str,
    /// The `kind` of `POST /__admin/transitions` (`kyc-document`).
    pub kind: &'static str,
    /// The resource's field holding its status.
    pub status_field: &'static str,
    /// For a collection that is one resource, the field holding its id.
    pub id_field: Option<&'static str>,
    /// The statuses in which a decision can still be taken.
    pub pending: &'static [&'static str],
    pub actions: &'static [ReviewAction],
}

/// One button: move the resource `to` a status, with these extra transition fields.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ReviewAction {
    pub label: &'static str,
    pub to: &'static str,
    /// Extra string fields of the transition request (a rejection type, a message).
    #[serde(serialize_with = "as_object")]
    pub details: &'static [(&'static str, &'static str)],
}

fn as_object<S: serde::Serializer>(
    details: &&'static [(&'static str, &'static str)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(details.iter().copied())
}

impl Decidable {
    /// Whether a resource in `status` still waits for a decision.
    pub fn is_pending(&self, status: &str) -> bool {
        self.pending.contains(&status)
    }
}

/// One admin route: lowercase method (`get`) and path relative to its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminRoute {
    pub method: &'static str,
    pub path: &'static str,
}

#[derive(Debug, Deserialize)]
pub struct TransitionRequest {
    pub provider: String,
    pub kind: String,
    pub id: String,
    pub to: String,
    #[serde(default)]
    pub tenant: Option<String>,
    /// Provider-specific details of the decision (reason, message, ...).
    #[serde(flatten)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Error)]
pub enum TransitionError {
    #[error("unknown resource kind `{kind}`; this provider has: {known}")]
    UnknownKind { kind: String, known: String },
    #[error("no {kind} with id `{id}`")]
    NotFound { kind: String, id: String },
    #[error("cannot move {kind} `{id}` from `{from}` to `{to}`; {}", if allowed.is_empty() {
        format!("`{from}` is final: no move is allowed from it")
    } else {
        format!("allowed from `{from}`: {allowed}")
    })]
    Illegal {
        kind: String,
        id: String,
        from: String,
        to: String,
        allowed: String,
    },
    #[error("{0}")]
    Invalid(String),
}

/// Mounts a provider's endpoints under `E::MOUNT` (on the main port) or at the root (of its
/// own port), with the provider as app data, its errors rendered with `instance` filled in, and
/// CORS open to every origin. `E` is the provider's error type. The provider's data goes on the
/// app itself: each provider's type is its own, so the main port's app holds all five apart.
pub fn mount_provider<P: Send + Sync + 'static, E: ProblemAt>(
    cfg: &mut web::ServiceConfig,
    provider: Arc<P>,
    at: MountAt,
    endpoints: fn() -> Endpoints,
) {
    let prefix = match at {
        MountAt::Prefixed => E::MOUNT,
        MountAt::Root => "",
    };
    cfg.app_data(web::Data::from(provider));
    // Browser clients (hosted pages, frontend prototypes) call the provider APIs from any origin;
    // every error leaves in the provider's envelope.
    cfg.service(endpoints().mounted(
        prefix,
        BrowserCors {
            finish: in_envelope::<E>,
        },
    ));
}
