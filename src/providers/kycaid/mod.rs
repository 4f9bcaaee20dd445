//! KYCAID API 2.0 (`https://api.kycaid.com`), mounted at `/kycaid`.

mod auth;
mod callbacks;
mod errors;
mod fixtures;
mod handlers;
mod input;
mod model;
mod review;
mod scenario;
mod transitions;
mod wire;

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web;
use parking_lot::RwLock;

use self::auth::Caller;
use self::errors::KycaidError;
use self::fixtures::Fixtures;
use self::model::KycaidTenant;
use self::scenario::KycaidEffect;
use crate::core::http::{refusal, BodyError, MountAt};
use crate::core::scenario::{schema_for, LoadError, ScenarioSchema};
use crate::core::{
    mount_provider, Core, Decidable, Job, Provider, ReviewAction, TenantId, TenantMap, TenantStore,
    TransitionError, TransitionRequest,
};

pub const NAME: &str = "kycaid";
pub const MOUNT: &str = "/kycaid";
const VERIFICATION: &str = "verification";
const DOCUMENT: &str = "document";

pub fn scenario_schema() -> Box<dyn ScenarioSchema> {
    schema_for::<KycaidEffect>()
}

pub struct Kycaid {
    core: Arc<Core>,
    tenants: TenantMap<KycaidTenant>,
    fixtures: Fixtures,
    /// Which tenant each hosted-form token belongs to: the form page has no API token.
    form_tokens: RwLock<HashMap<String, TenantId>>,
}

impl Kycaid {
    pub fn new(core: Arc<Core>) -> Result<Self, LoadError> {
        Ok(Kycaid {
            fixtures: Fixtures::load(core.fixtures_dir.as_deref())?,
            tenants: TenantMap::default(),
            form_tokens: RwLock::new(HashMap::new()),
            core,
        })
    }

    /// Runs `f` on the token's state, creating it on first use, then sends the callbacks `f`
    /// caused. The tenant stays locked for the whole of `f`, so a request sees and leaves the
    /// state whole.
    fn with_tenant<R>(&self, caller: &Caller, f: impl FnOnce(&mut KycaidTenant) -> R) -> R {
        let init = || {
            KycaidTenant::new(
                caller.tenant.clone(),
                caller.token.clone(),
                self.core.rng_for(caller.tenant.as_str()),
            )
        };
        self.tenants.with(&caller.info, init, |state| {
            if *state.origin != *caller.origin {
                state.origin = caller.origin.to_string();
            }
            let result = f(state);
            self.send_callbacks(state);
            result
        })
    }

    /// Like `with_tenant` for a tenant known by id (hosted pages, storage URLs, jobs); `None` when
    /// it does not exist (any more).
    fn with_existing<R>(
        &self,
        tenant: &TenantId,
        f: impl FnOnce(&mut KycaidTenant) -> R,
    ) -> Option<R> {
        let slot = self.tenants.get(tenant)?;
        let mut state = slot.state.lock();
        let result = f(&mut state);
        self.send_callbacks(&mut state);
        Some(result)
    }
}

impl Kycaid {
    /// Form links that no longer open anything (their verification was deleted).
    fn forget_form_tokens(&self, tokens: &[String]) {
        if !tokens.is_empty() {
            let mut known = self.form_tokens.write();
            for token in tokens {
                known.remove(token);
            }
        }
    }
}

impl Provider for Kycaid {
    fn name(&self) -> &'static str {
        NAME
    }

    fn mount(&self) -> &'static str {
        MOUNT
    }

    fn configure(self: Arc<Self>, cfg: &mut web::ServiceConfig, at: MountAt) {
        mount_provider::<_, KycaidError>(cfg, self, at, handlers::routes);
    }

    fn tenant_store(&self) -> &dyn TenantStore {
        &self.tenants
    }

    fn reset(&self, tenant: Option<&TenantId>) -> usize {
        match tenant {
            Some(t) => self.form_tokens.write().retain(|_, owner| owner != t),
            None => self.form_tokens.write().clear(),
        }
        self.tenants.reset(tenant)
    }

    fn refuse(&self, error: BodyError, path: &str) -> actix_web::HttpResponse {
        refusal::<KycaidError>(error, path)
    }

    fn snapshot_extra(&self) -> serde_json::Value {
        serde_json::json!({"form_tokens": *self.form_tokens.read()})
    }

    fn prepare_extra(&self, extra: serde_json::Value) -> Result<Box<dyn FnOnce() + '_>, String> {
        #[derive(serde::Deserialize)]
        struct KycaidExtra {
            form_tokens: HashMap<String, TenantId>,
        }
        let extra: KycaidExtra = crate::core::snapshot::extra(NAME, extra)?;
        Ok(Box::new(move || {
            *self.form_tokens.write() = extra.form_tokens;
        }))
    }

    fn fault(
        &self,
        status: actix_web::http::StatusCode,
        message: &str,
        path: &str,
    ) -> actix_web::HttpResponse {
        crate::core::http::faulted::<KycaidError>(status, message, path)
    }

    fn tenant_of(&self, req: &actix_web::HttpRequest) -> Option<TenantId> {
        auth::tenant_of(self, req)
    }

    fn fire(&self, job: &Job) {
        self.with_existing(&job.tenant, |state| self.apply_job(state, job));
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

/// What a reviewer decides on the dashboard: submitted verifications, unchecked documents.
const DECIDABLE: &[Decidable] = &[
    Decidable {
        collection: "verifications",
        kind: VERIFICATION,
        status_field: "status",
        id_field: None,
        pending: &["pending"],
        actions: &[
            ReviewAction {
                label: "Approve",
                to: "approved",
                details: &[],
            },
            ReviewAction {
                label: "Decline",
                to: "declined",
                details: &[("comment", "Declined from the dashboard")],
            },
        ],
    },
    Decidable {
        collection: "documents",
        kind: DOCUMENT,
        status_field: "status",
        id_field: None,
        pending: &["new"],
        actions: &[
            ReviewAction {
                label: "Approve",
                to: "valid",
                details: &[],
            },
            ReviewAction {
                label: "Decline",
                to: "invalid",
                details: &[("comment", "Declined from the dashboard")],
            },
        ],
    },
];
