//! Rebilly KYC (`https://api-sandbox.rebilly.com`), mounted at `/rebilly`.

mod auth;
mod errors;
mod handlers;
mod model;
mod scenario;
mod wire;

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web;
use parking_lot::RwLock;

use self::auth::Caller;
use self::errors::RebillyError;
use self::model::{Decision, RebillyTenant, Rejection, RejectionType};
use self::scenario::{RebillyEffect, DOCUMENT_CREATED};
use crate::core::scenario::{schema_for, Facts, Scenario, ScenarioSchema, TimelineRun};
use crate::core::{
    mount_provider, Core, Job, Provider, TenantId, TenantInfo, TenantMap, TransitionError,
    TransitionRequest,
};

pub const NAME: &str = "rebilly";
pub const MOUNT: &str = "/rebilly";
const KYC_DOCUMENT: &str = "kyc-document";

pub fn scenario_schema() -> Box<dyn ScenarioSchema> {
    schema_for::<RebillyEffect>()
}

pub struct Rebilly {
    core: Arc<Core>,
    tenants: TenantMap<RebillyTenant>,
    /// The organization each API key was last used with, for paths without `/organizations/{id}`.
    key_orgs: RwLock<HashMap<String, String>>,
}

impl Rebilly {
    pub fn new(core: Arc<Core>) -> Self {
        Rebilly {
            core,
            tenants: TenantMap::default(),
            key_orgs: RwLock::new(HashMap::new()),
        }
    }

    fn bind_key(&self, key: &str, organization_id: &str) {
        let known = self
            .key_orgs
            .read()
            .get(key)
            .is_some_and(|o| o == organization_id);
        if !known {
            self.key_orgs
                .write()
                .insert(key.to_owned(), organization_id.to_owned());
        }
    }

    /// The organization a key without an organization in the path works in.
    fn organization_of(&self, key: &str) -> String {
        self.key_orgs.read().get(key).cloned().unwrap_or_else(|| {
            TenantId::derive("org", &[key])
                .as_str()
                .replacen("org-", "org_", 1)
        })
    }

    /// Runs `f` on the organization's state, creating it on first use; the tenant stays locked for
    /// the whole of `f`, so a request sees and leaves the state whole.
    fn with_tenant<R>(&self, caller: &Caller, f: impl FnOnce(&mut RebillyTenant) -> R) -> R {
        let slot = self.tenants.get_or_create(caller.info.clone(), || {
            RebillyTenant::new(self.core.rng_for(caller.tenant.as_str()))
        });
        let mut state = slot.state.lock();
        f(&mut state)
    }
}

impl Rebilly {
    /// The automated review for a new document; chosen before anything is written, so an unknown
    /// `X-Sandbox-Scenario` leaves no trace.
    fn choose_scenario(
        &self,
        state: &RebillyTenant,
        document: &model::KycDocument,
        forced: Option<&str>,
    ) -> Result<Option<Arc<Scenario>>, RebillyError> {
        let mut facts = Facts::default();
        facts
            .add("document_type", document.document_type.as_str())
            .add("customer_id", document.customer_id.as_str());
        if let Some(subtype) = &document.document_subtype {
            facts.add("document_subtype", subtype.as_str());
        }
        for file in document
            .file_ids
            .iter()
            .filter_map(|id| state.files.get(id))
        {
            facts.add("file_name", file.name.as_str());
        }
        self.core
            .scenarios()
            .select(NAME, DOCUMENT_CREATED, &facts, forced)
            .map_err(|e| RebillyError::BadRequest(e.to_string()))
    }

    /// Starts the chosen scenario on a stored document and applies what is due at once.
    fn start_review(
        &self,
        tenant: &TenantId,
        state: &mut RebillyTenant,
        id: &str,
        scenario: Option<Arc<Scenario>>,
    ) {
        let now = self.core.clock.now();
        if let (Some(document), Some(scenario)) = (state.documents.get_mut(id), scenario) {
            document.run = Some(TimelineRun::start(
                scenario,
                self.core.scheduler.next_run_id(),
                now,
            ));
        }
        self.drive(tenant, state, id, now);
    }

    /// Applies the document's due timeline steps and schedules its next timed one.
    fn drive(
        &self,
        tenant: &TenantId,
        state: &mut RebillyTenant,
        id: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) {
        let Some(document) = state.documents.get_mut(id) else {
            return;
        };
        let Some(run) = document.run.as_mut() else {
            return;
        };
        let steps = self
            .core
            .take_due_steps(run, now, NAME, tenant, KYC_DOCUMENT, id);
        if run.is_finished() {
            document.run = None;
        }
        for (step, at) in steps {
            match serde_json::from_value::<RebillyEffect>(step.set) {
                Ok(effect) => {
                    if let Err((from, to)) = document.transition(effect.into_decision(), at) {
                        log::warn!(
                            "rebilly: scenario step skipped: {} -> {} is not allowed",
                            from.as_str(),
                            to.as_str()
                        );
                    }
                }
                Err(e) => log::error!(
                    "rebilly: scenario step was validated at load but does not parse: {e}"
                ),
            }
        }
    }

    /// A client read the document: counts toward `after_reads` steps.
    fn note_read(&self, tenant: &TenantId, state: &mut RebillyTenant, id: &str) {
        if let Some(run) = state.documents.get_mut(id).and_then(|d| d.run.as_mut()) {
            run.record_read();
            self.drive(tenant, state, id, self.core.clock.now());
        }
    }
}

impl Provider for Rebilly {
    fn name(&self) -> &'static str {
        NAME
    }

    fn mount(&self) -> &'static str {
        MOUNT
    }

    fn configure(self: Arc<Self>, cfg: &mut web::ServiceConfig) {
        mount_provider::<_, RebillyError>(cfg, self, handlers::routes);
    }

    fn tenants(&self) -> Vec<TenantInfo> {
        self.tenants.infos()
    }

    fn dump(&self, tenant: &TenantId) -> Option<serde_json::Value> {
        let slot = self.tenants.get(tenant)?;
        let state = slot.state.lock();
        serde_json::to_value(&*state).ok()
    }

    fn reset(&self, tenant: Option<&TenantId>) -> usize {
        if tenant.is_none() {
            self.key_orgs.write().clear();
        }
        self.tenants.reset(tenant)
    }

    fn fire(&self, job: &Job) {
        let Some(slot) = self.tenants.get(&job.tenant) else {
            return;
        };
        let mut state = slot.state.lock();
        let current = state
            .documents
            .get(&job.id)
            .and_then(|d| d.run.as_ref())
            .map(|r| r.run_id);
        if current == Some(job.run_id) {
            self.drive(&job.tenant, &mut state, &job.id, job.at);
        }
    }

    fn transition(
        &self,
        request: &TransitionRequest,
    ) -> Result<serde_json::Value, TransitionError> {
        if request.kind != KYC_DOCUMENT {
            return Err(TransitionError::UnknownKind {
                kind: request.kind.clone(),
                known: KYC_DOCUMENT.into(),
            });
        }
        let decision = match request.to.as_str() {
            "in-progress" => Decision::Analyze,
            "accepted" => Decision::Accept,
            "archived" => Decision::Archive,
            "rejected" => {
                let kind = match request
                    .details
                    .get("rejectionType")
                    .and_then(|v| v.as_str())
                {
                    None => RejectionType::Other,
                    Some(raw) => RejectionType::parse(raw).ok_or_else(|| {
                        TransitionError::Invalid(format!(
                            "unknown rejectionType `{raw}`; expected one of {}",
                            RejectionType::NAMES.join(", ")
                        ))
                    })?,
                };
                let message = request
                    .details
                    .get("message")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
                Decision::Reject(Rejection { kind, message })
            }
            other => {
                return Err(TransitionError::Invalid(format!(
                    "unknown status `{other}`; expected in-progress, accepted, rejected or archived"
                )))
            }
        };
        let slots = match &request.tenant {
            Some(t) => self.tenants.get(&TenantId::parse(t)).into_iter().collect(),
            None => self.tenants.slots(),
        };
        for slot in slots {
            let mut state = slot.state.lock();
            if let Some(document) = state.documents.get_mut(&request.id) {
                document.run = None;
                document
                    .transition(decision, self.core.clock.now())
                    .map_err(|(from, to)| TransitionError::Illegal {
                        kind: KYC_DOCUMENT.into(),
                        id: request.id.clone(),
                        from: from.as_str().into(),
                        to: to.as_str().into(),
                        allowed: from
                            .allowed_next()
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?;
                let document = document.clone();
                let href = format!("/kyc-documents/{}", document.id);
                return Ok(wire::document_of(&state, &document, &href));
            }
        }
        Err(TransitionError::NotFound {
            kind: KYC_DOCUMENT.into(),
            id: request.id.clone(),
        })
    }
}
