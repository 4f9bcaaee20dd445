//! Sumvin KYC (`https://api.sumvin.com/v0/kyc/*`), mounted at `/sumvin`.

mod auth;
mod errors;
mod fixtures;
mod handlers;
mod model;
mod scenario;
mod wire;

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web::{self, Bytes};
use actix_web::HttpRequest;
use chrono::{DateTime, Utc};
use parking_lot::RwLock;

use self::auth::Caller;
use self::errors::SumvinError;
use self::fixtures::Fixtures;
use self::model::{Decision, Image, KycStatus, SumvinTenant};
use self::scenario::{SumvinEffect, REVIEW_STARTED};
use crate::core::http::{refusal, BodyError, MountAt};
use crate::core::json_out::Rendered;
use crate::core::scenario::{schema_for, Facts, ScenarioSchema, TimelineRun};
use crate::core::{
    mount_provider, Core, Decidable, Job, LoadError, Provider, ReviewAction, TenantId, TenantMap,
    TenantStore, TransitionError, TransitionRequest,
};

pub const NAME: &str = "sumvin";
pub const MOUNT: &str = "/sumvin";
const APPLICANT: &str = "applicant";

pub fn scenario_schema() -> Box<dyn ScenarioSchema> {
    schema_for::<SumvinEffect>()
}

pub struct Sumvin {
    core: Arc<Core>,
    fixtures: Fixtures,
    tenants: TenantMap<SumvinTenant>,
    /// Credentials bound to another user's tenant by redeeming that user's session ticket.
    aliases: RwLock<HashMap<TenantId, TenantId>>,
    /// Which tenant minted each live session ticket (tickets cross from the CLI to a browser).
    tickets: RwLock<HashMap<String, TenantId>>,
}

impl Sumvin {
    pub fn new(core: Arc<Core>) -> Result<Self, LoadError> {
        let fixtures = Fixtures::load(core.fixtures_dir.as_deref())?;
        Ok(Sumvin {
            core,
            fixtures,
            tenants: TenantMap::default(),
            aliases: RwLock::new(HashMap::new()),
            tickets: RwLock::new(HashMap::new()),
        })
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.core.clock.now()
    }

    fn resolve_alias(&self, tenant: &TenantId) -> TenantId {
        self.aliases
            .read()
            .get(tenant)
            .cloned()
            .unwrap_or_else(|| tenant.clone())
    }

    /// Runs `f` on the caller's state, creating the tenant on first use; the tenant stays locked
    /// for the whole of `f`, so a request sees and leaves the state whole.
    pub(super) fn with_tenant<R>(
        &self,
        caller: &Caller,
        f: impl FnOnce(&mut SumvinTenant) -> R,
    ) -> R {
        let now = self.now();
        let init = || SumvinTenant::new(self.core.rng_for(caller.tenant.as_str()), now);
        if caller.tenant == caller.info.tenant {
            return self.tenants.with(&caller.info, init, f);
        }
        // A session bound to another user's tenant (see redemption) is recorded under that one.
        let mut info = caller.info.clone();
        info.tenant = caller.tenant.clone();
        self.tenants.with(&info, init, f)
    }

    /// Facts a scenario is chosen by: the submission's documents (with `extra`, about to be
    /// added), the level and the attempt number.
    fn review_facts<'a>(&self, state: &'a SumvinTenant, extra: Option<&'a Image>) -> Facts<'a> {
        let mut facts = Facts::default();
        let round = state.collecting_round();
        for image in state
            .images()
            .values()
            .filter(|i| i.round == round)
            .chain(extra)
        {
            if let Some(name) = &image.file_name {
                facts.add("file_name", name.as_str());
            }
            facts.add("country", image.country.as_str());
            facts.add("document_type", image.document_type.as_str());
        }
        if let Some(kyc) = &state.kyc {
            facts.add("level", kyc.level.as_str());
        }
        facts.add("attempt", (round + 1).to_string());
        facts
    }

    /// Picks the review scenario; done before any change so a bad `X-Sandbox-Scenario` leaves nothing written.
    fn choose_scenario(
        &self,
        state: &SumvinTenant,
        extra: Option<&Image>,
        forced: Option<&str>,
    ) -> Result<Option<Arc<crate::core::scenario::Scenario>>, SumvinError> {
        self.core
            .scenarios()
            .select(
                NAME,
                REVIEW_STARTED,
                &self.review_facts(state, extra),
                forced,
            )
            .map_err(|e| SumvinError::UnknownScenario(e.to_string()))
    }

    /// Refuses an `X-Sandbox-Scenario` that names no Sumvin review scenario, whatever the request.
    fn check_forced_scenario(&self, forced: Option<&str>) -> Result<(), SumvinError> {
        match forced {
            Some(name) => self
                .core
                .scenarios()
                .select(NAME, REVIEW_STARTED, &Facts::default(), Some(name))
                .map(drop)
                .map_err(|e| SumvinError::UnknownScenario(e.to_string())),
            None => Ok(()),
        }
    }

    /// Sends the submission to review and starts the chosen scenario's timeline.
    fn start_review(
        &self,
        tenant: &TenantId,
        state: &mut SumvinTenant,
        scenario: Option<Arc<crate::core::scenario::Scenario>>,
        now: DateTime<Utc>,
    ) {
        let Some(kyc) = state.kyc.as_ref() else {
            return;
        };
        let steps = self.fixtures.steps(&kyc.level).to_vec();
        if state
            .transition(KycStatus::InProgress, now, Decision::default(), &steps)
            .is_err()
        {
            return;
        }
        if let (Some(kyc), Some(scenario)) = (state.kyc.as_mut(), scenario) {
            kyc.run = Some(TimelineRun::start(
                scenario,
                self.core.scheduler.next_run_id(),
                now,
            ));
        }
        self.drive(tenant, state, now);
    }

    /// Applies the timeline steps due at `now` and schedules the next timed one.
    fn drive(&self, tenant: &TenantId, state: &mut SumvinTenant, now: DateTime<Utc>) {
        let Some(kyc) = state.kyc.as_mut() else {
            return;
        };
        let Some(run) = kyc.run.as_mut() else { return };
        let applicant_id = kyc.applicant_id.clone();
        let steps = self
            .core
            .take_due_steps(run, now, NAME, tenant, APPLICANT, &applicant_id);
        let level_steps = self.fixtures.steps(&kyc.level).to_vec();
        for (effect, at) in steps.effects::<SumvinEffect>() {
            let (to, decision) = effect.into_decision();
            if let Err(illegal) = state.transition(to, at, decision, &level_steps) {
                log::warn!(
                    "sumvin: scenario step skipped: {:?} -> {:?} is not allowed",
                    illegal.from,
                    illegal.to
                );
            }
        }
    }

    /// A read of the verification that changes nothing (its review, if any, waits for the
    /// clock), answered from what was kept of the same request or rendered and kept
    /// (`core::read_cache`); the read still counts. `None` for a user without a verification or
    /// one whose next step a read would take: those go through `with_tenant`.
    fn kept_read(
        &self,
        caller: &Caller,
        req: &HttpRequest,
        render: impl Fn(&SumvinTenant) -> Rendered,
    ) -> Option<Bytes> {
        let slot = self.tenants.get(&caller.tenant)?;
        let mut peek = slot.state.peek();
        let (state, reads) = peek.parts();
        let kyc = state.kyc.as_ref()?;
        if kyc.run.as_ref().is_some_and(TimelineRun::waits_for_reads) {
            return None;
        }
        if let Some(run) = &kyc.run {
            run.record_read();
        }
        Some(reads.answer(req, || render(state)))
    }

    /// A client read the verification: counts toward `after_reads` steps.
    fn note_read(&self, tenant: &TenantId, state: &mut SumvinTenant) {
        if let Some(run) = state.kyc.as_mut().and_then(|k| k.run.as_mut()) {
            run.record_read();
            self.drive(tenant, state, self.now());
        }
    }

    fn find_applicant(
        &self,
        request: &TransitionRequest,
    ) -> Result<Arc<crate::core::tenant::TenantSlot<SumvinTenant>>, TransitionError> {
        let not_found = || TransitionError::NotFound {
            kind: APPLICANT.into(),
            id: request.id.clone(),
        };
        self.tenants
            .find(request.tenant.as_deref(), |state| {
                state
                    .kyc
                    .as_ref()
                    .is_some_and(|k| k.applicant_id == request.id)
            })
            .ok_or_else(not_found)
    }
}

/// What a session ticket opens, for the hand-off page.
pub enum TicketState {
    Open,
    Expired,
}

impl Sumvin {
    /// `None` for a ticket no session has (or whose user was reset).
    fn ticket_state(&self, ticket: &str) -> Option<TicketState> {
        let owner = self.tickets.read().get(ticket).cloned()?;
        let slot = self.tenants.get(&owner)?;
        let state = slot.state.lock();
        let session = state.sessions.get(ticket)?;
        let expired = session.redeemed_at.is_none() && self.now() > session.expires_at;
        Some(if expired {
            TicketState::Expired
        } else {
            TicketState::Open
        })
    }
}

impl Provider for Sumvin {
    fn name(&self) -> &'static str {
        NAME
    }

    fn mount(&self) -> &'static str {
        MOUNT
    }

    fn configure(self: Arc<Self>, cfg: &mut web::ServiceConfig, at: MountAt) {
        mount_provider::<_, SumvinError>(cfg, self, at, handlers::routes);
    }

    fn tenant_store(&self) -> &dyn TenantStore {
        &self.tenants
    }

    fn dump(&self, tenant: &TenantId) -> Option<serde_json::Value> {
        let slot = self.tenants.get(tenant)?;
        let state = slot.state.lock();
        let mut dump = serde_json::to_value(&*state).ok()?;
        if let Some(run) = state.kyc.as_ref().and_then(|k| k.run.as_ref()) {
            dump["kyc"]["timeline"] = serde_json::to_value(run.progress()).ok()?;
        }
        Some(dump)
    }

    fn reset(&self, tenant: Option<&TenantId>) -> usize {
        match tenant {
            None => {
                self.aliases.write().clear();
                self.tickets.write().clear();
            }
            Some(t) => {
                self.aliases.write().retain(|from, to| from != t && to != t);
                self.tickets.write().retain(|_, owner| owner != t);
            }
        }
        self.tenants.reset(tenant)
    }

    fn refuse(&self, error: BodyError, path: &str) -> actix_web::HttpResponse {
        refusal::<SumvinError>(error, path)
    }

    fn snapshot_extra(&self) -> serde_json::Value {
        serde_json::json!({"aliases": *self.aliases.read(), "tickets": *self.tickets.read()})
    }

    fn prepare_extra(&self, extra: serde_json::Value) -> Result<Box<dyn FnOnce() + '_>, String> {
        #[derive(serde::Deserialize)]
        struct SumvinExtra {
            aliases: HashMap<TenantId, TenantId>,
            tickets: HashMap<String, TenantId>,
        }
        let extra: SumvinExtra = crate::core::snapshot::extra(NAME, extra)?;
        Ok(Box::new(move || {
            *self.aliases.write() = extra.aliases;
            *self.tickets.write() = extra.tickets;
        }))
    }

    fn fault(
        &self,
        status: actix_web::http::StatusCode,
        message: &str,
        path: &str,
    ) -> actix_web::HttpResponse {
        crate::core::http::faulted::<SumvinError>(status, message, path)
    }

    fn tenant_of(&self, req: &actix_web::HttpRequest) -> Option<TenantId> {
        auth::tenant_of(self, req)
    }

    fn fire(&self, job: &Job) {
        let Some(slot) = self.tenants.get(&job.tenant) else {
            return;
        };
        let mut state = slot.state.lock();
        let current = state
            .kyc
            .as_ref()
            .and_then(|k| k.run.as_ref())
            .map(|r| r.run_id);
        if current == Some(job.run_id) {
            self.drive(&job.tenant, &mut state, job.at);
        }
    }
    fn decidable(&self) -> &'static [Decidable] {
        DECIDABLE
    }

    fn transition(
        &self,
        request: &TransitionRequest,
    ) -> Result<serde_json::Value, TransitionError> {
        if request.kind != APPLICANT {
            return Err(TransitionError::UnknownKind {
                kind: request.kind.clone(),
                known: APPLICANT.into(),
            });
        }
        let to = KycStatus::parse(&request.to).ok_or_else(|| {
            TransitionError::Invalid(format!(
                "unknown status `{}`; expected pending, in_progress, retry, approved or rejected",
                request.to
            ))
        })?;
        let details: TransitionDetails =
            serde_json::from_value(serde_json::Value::Object(request.details.clone()))
                .map_err(|e| TransitionError::Invalid(e.to_string()))?;
        let slot = self.find_applicant(request)?;
        let mut state = slot.state.lock();
        let kyc = state.kyc.as_mut().expect("found by applicant id");
        let from = kyc.status;
        let level_steps = self.fixtures.steps(&kyc.level).to_vec();
        if let Some(step) = details.steps.iter().find(|s| !level_steps.contains(s)) {
            return Err(TransitionError::Invalid(format!(
                "step {} is not part of level `{}` ({})",
                step.as_str(),
                kyc.level,
                level_steps
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let decision = Decision {
            message: details.message,
            steps: details.steps,
        };
        state
            .transition(to, self.now(), decision, &level_steps)
            .map_err(|illegal| TransitionError::Illegal {
                kind: APPLICANT.into(),
                id: request.id.clone(),
                from: illegal.from.as_str().into(),
                to: illegal.to.as_str().into(),
                allowed: from
                    .allowed_next()
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if let Some(kyc) = state.kyc.as_mut() {
            kyc.run = None;
        }
        Ok(handlers::status_body(&state, wire::Timestamps::EpochMs).to_value())
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionDetails {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    steps: Vec<model::StepType>,
}

/// What a reviewer decides on the dashboard: the applicant while it is in review or asked to
/// resubmit (a `pending` one has sent nothing to decide on).
const DECIDABLE: &[Decidable] = &[Decidable {
    collection: "kyc",
    kind: APPLICANT,
    status_field: "status",
    id_field: Some("applicant_id"),
    pending: &["in_progress", "retry"],
    actions: &[
        ReviewAction {
            label: "Approve",
            to: "approved",
            details: &[],
        },
        ReviewAction {
            label: "Decline",
            to: "rejected",
            details: &[("message", "Declined from the dashboard")],
        },
        ReviewAction {
            label: "Ask to resubmit",
            to: "retry",
            details: &[("message", "Please upload a clearer picture")],
        },
    ],
}];
