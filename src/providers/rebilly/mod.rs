//! Rebilly KYC (`https://api-sandbox.rebilly.com`), mounted at `/rebilly`.

mod auth;
mod errors;
mod events;
mod handlers;
mod model;
mod review;
mod scenario;
mod transitions;
mod wire;

use std::sync::Arc;

use actix_web::web;
use compact_str::CompactString;
use indexmap::IndexMap;
use parking_lot::RwLock;

use self::auth::Caller;
use self::errors::RebillyError;
use self::model::RebillyTenant;
use self::scenario::RebillyEffect;
use crate::core::http::{refusal, BodyError, MountAt};
use crate::core::scenario::{schema_for, ScenarioSchema};
use crate::core::{
    mount_provider, Core, Decidable, Job, Provider, ReviewAction, TenantId, TenantMap, TenantStore,
    TransitionError, TransitionRequest,
};

pub const NAME: &str = "rebilly";
pub const MOUNT: &str = "/rebilly";
const KYC_DOCUMENT: &str = "kyc-document";
const KYC_REQUEST: &str = "kyc-request";
/// How many API keys remember the organization they were last used with.
const KEYS_REMEMBERED: usize = 65_536;

pub fn scenario_schema() -> Box<dyn ScenarioSchema> {
    schema_for::<RebillyEffect>()
}

/// API key → organization, oldest binding first. Looked up on every keyed call: foldhash rather
/// than SipHash, as keys come from the sandbox's own clients on localhost.
type KeyOrgs = IndexMap<String, String, foldhash::fast::RandomState>;

pub struct Rebilly {
    core: Arc<Core>,
    tenants: TenantMap<RebillyTenant>,
    /// The organization each API key was last used with, for paths without `/organizations/{id}`.
    key_orgs: RwLock<KeyOrgs>,
    /// Signs customer JWTs; from the seed, so tokens repeat with it (a restored snapshot brings
    /// its own, so the tokens it holds stay valid).
    jwt_secret: RwLock<Arc<[u8]>>,
    /// `--rebilly-implicit-customers`: an unknown customer named by a document, request or login
    /// is created instead of refused.
    implicit_customers: bool,
}

impl Rebilly {
    pub fn new(core: Arc<Core>, implicit_customers: bool) -> Self {
        Rebilly {
            implicit_customers,
            tenants: TenantMap::default(),
            key_orgs: RwLock::default(),
            jwt_secret: RwLock::new(
                core.rng_for("rebilly-jwt-secret")
                    .secret(32)
                    .into_bytes()
                    .into(),
            ),
            core,
        }
    }

    fn bind_key(&self, key: &str, organization_id: &str) {
        let known = self
            .key_orgs
            .read()
            .get(key)
            .is_some_and(|o| o == organization_id);
        if !known {
            let mut key_orgs = self.key_orgs.write();
            if key_orgs.len() >= KEYS_REMEMBERED && !key_orgs.contains_key(key) {
                // Bounded memory under any number of throwaway keys: the oldest binding goes.
                key_orgs.shift_remove_index(0);
            }
            key_orgs.insert(key.to_owned(), organization_id.to_owned());
        }
    }

    /// Customer `id` for a KYC document, request or token: created when implicit customers are on,
    /// else it must exist (a `422` on `field` otherwise, and nothing is written).
    fn require_customer(
        &self,
        state: &mut RebillyTenant,
        field: &str,
        id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), errors::RebillyError> {
        if self.implicit_customers {
            state.customer(id, now);
            return Ok(());
        }
        if state.customers.contains(id) {
            Ok(())
        } else {
            Err(errors::RebillyError::Validation(vec![errors::InvalidField::new(
                field,
                format!("customer {id} does not exist; create it first (POST /customers or PUT /customers/{id})"),
            )]))
        }
    }

    fn jwt_secret(&self) -> Arc<[u8]> {
        self.jwt_secret.read().clone()
    }

    /// The organization a key without an organization in the path works in.
    fn organization_of(&self, key: &str) -> CompactString {
        if let Some(bound) = self.key_orgs.read().get(key) {
            return CompactString::from(bound.as_str());
        }
        // `org-…` spelt as Rebilly's ids are, `org_…`.
        let derived = TenantId::derive("org", &[key]);
        let mut organization = CompactString::const_new("org_");
        organization.push_str(&derived.as_str()["org-".len()..]);
        organization
    }

    /// Runs `f` on the organization's state, creating it on first use; the tenant stays locked for
    /// the whole of `f`, so a request sees and leaves the state whole.
    fn with_tenant<R>(&self, caller: &Caller, f: impl FnOnce(&mut RebillyTenant) -> R) -> R {
        let init = || {
            RebillyTenant::new(
                &caller.organization_id,
                self.core.rng_for(caller.tenant.as_str()),
            )
        };
        self.tenants.with(&caller.info, init, |state| {
            state.global_listener = self.core.default_webhook_urls.contains_key(NAME);
            let result = f(state);
            self.publish(&caller.tenant, state);
            result
        })
    }
}

/// What Rebilly keeps beside its organizations, in a snapshot.
#[derive(serde::Serialize, serde::Deserialize)]
struct RebillyExtra {
    key_orgs: KeyOrgs,
    #[serde(with = "crate::core::snapshot::base64_bytes")]
    jwt_secret: Vec<u8>,
}

impl Provider for Rebilly {
    fn name(&self) -> &'static str {
        NAME
    }

    fn mount(&self) -> &'static str {
        MOUNT
    }

    fn configure(self: Arc<Self>, cfg: &mut web::ServiceConfig, at: MountAt) {
        mount_provider::<_, RebillyError>(cfg, self, at, handlers::routes);
    }

    fn tenant_store(&self) -> &dyn TenantStore {
        &self.tenants
    }

    fn reset(&self, tenant: Option<&TenantId>) -> usize {
        if tenant.is_none() {
            self.key_orgs.write().clear();
        }
        self.tenants.reset(tenant)
    }

    fn refuse(&self, error: BodyError, path: &str) -> actix_web::HttpResponse {
        refusal::<RebillyError>(error, path)
    }

    fn snapshot_extra(&self) -> serde_json::Value {
        serde_json::to_value(RebillyExtra {
            key_orgs: self.key_orgs.read().clone(),
            jwt_secret: self.jwt_secret().to_vec(),
        })
        .unwrap_or_default()
    }

    fn prepare_extra(&self, extra: serde_json::Value) -> Result<Box<dyn FnOnce() + '_>, String> {
        let extra: RebillyExtra = crate::core::snapshot::extra(NAME, extra)?;
        Ok(Box::new(move || {
            *self.key_orgs.write() = extra.key_orgs;
            *self.jwt_secret.write() = extra.jwt_secret.into();
        }))
    }

    fn fault(
        &self,
        status: actix_web::http::StatusCode,
        message: &str,
        path: &str,
    ) -> actix_web::HttpResponse {
        crate::core::http::faulted::<RebillyError>(status, message, path)
    }

    fn tenant_of(&self, req: &actix_web::HttpRequest) -> Option<TenantId> {
        auth::tenant_of(self, req)
    }

    fn fire(&self, job: &Job) {
        let Some(slot) = self.tenants.get(&job.tenant) else {
            return;
        };
        let mut state = slot.state.lock();
        self.apply_job(&mut state, job);
        self.publish(&job.tenant, &mut state);
    }
    fn decidable(&self) -> &'static [Decidable] {
        DECIDABLE
    }

    fn transition(
        &self,
        request: &TransitionRequest,
    ) -> Result<serde_json::Value, TransitionError> {
        self.admin_transition(request)
    }
}

/// What a reviewer decides on the dashboard: documents under review, requests still open.
const DECIDABLE: &[Decidable] = &[
    Decidable {
        collection: "documents",
        kind: KYC_DOCUMENT,
        status_field: "status",
        id_field: None,
        pending: &["pending", "in-progress"],
        actions: &[
            ReviewAction {
                label: "Approve",
                to: "accepted",
                details: &[],
            },
            ReviewAction {
                label: "Decline",
                to: "rejected",
                details: &[
                    ("rejectionType", "document-invalid"),
                    ("message", "Declined from the dashboard"),
                ],
            },
            ReviewAction {
                label: "Ask to resubmit",
                to: "rejected",
                details: &[
                    ("rejectionType", "document-unreadable"),
                    ("message", "Please upload a clearer picture"),
                ],
            },
        ],
    },
    Decidable {
        collection: "requests",
        kind: KYC_REQUEST,
        status_field: "status",
        id_field: None,
        pending: &["gathering", "attempted", "partial", "pending-review"],
        actions: &[
            ReviewAction {
                label: "Approve",
                to: "fulfilled",
                details: &[],
            },
            ReviewAction {
                label: "Decline",
                to: "failed",
                details: &[],
            },
        ],
    },
];
