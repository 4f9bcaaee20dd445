//! Qolo (`devapi.qolopay.com`), mounted at `/qolo`: login, persons, Perform KYC with
//! out-of-wallet questions, document verification and client override, and person webhooks.

mod auth;
mod errors;
mod fixtures;
mod handlers;
mod input;
mod kyc;
mod model;
mod notify;
mod resources;
mod scenario;
mod wire;

use std::sync::Arc;

use actix_web::{web, HttpResponse};

use self::errors::QoloError;
use self::fixtures::Fixtures;
use self::model::{PersonStatus, QoloTenant};
use self::scenario::QoloEffect;
use crate::core::http::{refusal, BodyError, MountAt};
use crate::core::scenario::{schema_for, ScenarioSchema};
use crate::core::{
    mount_provider, Core, Decidable, Job, LoadError, Provider, ReviewAction, TenantMap,
    TenantStore, TransitionError, TransitionRequest,
};

pub const NAME: &str = "qolo";
pub const MOUNT: &str = "/qolo";

pub fn scenario_schema() -> Box<dyn ScenarioSchema> {
    schema_for::<QoloEffect>()
}

pub struct Qolo {
    core: Arc<Core>,
    fixtures: Fixtures,
    tenants: TenantMap<QoloTenant>,
    /// Signs bearer tokens; from the seed (a restored snapshot brings its own).
    jwt_secret: parking_lot::RwLock<Arc<[u8]>>,
}

impl Qolo {
    pub fn new(core: Arc<Core>) -> Result<Self, LoadError> {
        let fixtures = Fixtures::load(core.fixtures_dir.as_deref())?;
        let jwt_secret = core.rng_for("qolo-jwt").secret(48).into_bytes();
        Ok(Qolo {
            fixtures,
            tenants: TenantMap::default(),
            jwt_secret: parking_lot::RwLock::new(jwt_secret.into()),
            core,
        })
    }

    fn jwt_secret(&self) -> Arc<[u8]> {
        self.jwt_secret.read().clone()
    }

    /// Runs `f` on the caller's state, then sends the webhooks it queued.
    fn with_tenant<R>(&self, caller: &auth::Caller, f: impl FnOnce(&mut QoloTenant) -> R) -> R {
        let init = || QoloTenant::new(self.core.rng_for(caller.tenant.as_str()));
        self.tenants.with(&caller.info, init, |state| {
            let result = f(state);
            self.send_webhooks(&caller.tenant, state);
            result
        })
    }
}

impl Provider for Qolo {
    fn name(&self) -> &'static str {
        NAME
    }

    fn mount(&self) -> &'static str {
        MOUNT
    }

    fn configure(self: Arc<Self>, cfg: &mut web::ServiceConfig, at: MountAt) {
        mount_provider::<_, QoloError>(cfg, self, at, handlers::routes);
    }

    fn tenant_store(&self) -> &dyn TenantStore {
        &self.tenants
    }

    fn refuse(&self, error: BodyError, path: &str) -> HttpResponse {
        refusal::<QoloError>(error, path)
    }

    fn snapshot_extra(&self) -> serde_json::Value {
        serde_json::json!({"jwt_secret": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &*self.jwt_secret())})
    }

    fn prepare_extra(&self, extra: serde_json::Value) -> Result<Box<dyn FnOnce() + '_>, String> {
        #[derive(serde::Deserialize)]
        struct QoloExtra {
            #[serde(with = "crate::core::snapshot::base64_bytes")]
            jwt_secret: Vec<u8>,
        }
        let extra: QoloExtra = crate::core::snapshot::extra(NAME, extra)?;
        Ok(Box::new(move || {
            *self.jwt_secret.write() = extra.jwt_secret.into();
        }))
    }

    fn fault(
        &self,
        status: actix_web::http::StatusCode,
        message: &str,
        path: &str,
    ) -> actix_web::HttpResponse {
        crate::core::http::faulted::<QoloError>(status, message, path)
    }

    fn tenant_of(&self, req: &actix_web::HttpRequest) -> Option<crate::core::TenantId> {
        auth::tenant_of(self, req)
    }

    fn fire(&self, _job: &Job) {}
    fn decidable(&self) -> &'static [Decidable] {
        DECIDABLE
    }

    /// Kind `person` to any person status, as a compliance reviewer would set it.
    fn transition(
        &self,
        request: &TransitionRequest,
    ) -> Result<serde_json::Value, TransitionError> {
        if request.kind != "person" {
            return Err(TransitionError::UnknownKind {
                kind: request.kind.clone(),
                known: "person".into(),
            });
        }
        let to = PersonStatus::parse(&request.to).ok_or_else(|| {
            TransitionError::Invalid(format!(
                "unknown person_status `{}`; one of {}",
                request.to,
                PersonStatus::NAMES.join(", ")
            ))
        })?;
        let reason = request
            .details
            .get("reason")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let now = self.core.clock.now();
        if let Some(slot) = self.tenants.find(request.tenant.as_deref(), |state| {
            state.persons.contains(&request.id)
        }) {
            let mut state = slot.state.lock();
            let answer = self.review(&mut state, &request.id, to, reason, now)?;
            self.send_webhooks(&slot.info.tenant, &mut state);
            return Ok(answer);
        }
        Err(TransitionError::NotFound {
            kind: "person".into(),
            id: request.id.clone(),
        })
    }
}

/// What a compliance reviewer decides on the dashboard: persons not cleared yet.
const DECIDABLE: &[Decidable] = &[Decidable {
    collection: "persons",
    kind: "person",
    status_field: "person_status",
    id_field: None,
    pending: &["INCOMPLETE", "UNVERIFIED"],
    actions: &[
        ReviewAction {
            label: "Approve",
            to: "CLEARED",
            details: &[("reason", "Cleared from the dashboard")],
        },
        ReviewAction {
            label: "Decline",
            to: "NEGLIST",
            details: &[("reason", "Declined from the dashboard")],
        },
    ],
}];
