//! The automated review of KYC documents (scenario timelines) and the expiry of KYC requests,
//! both driven by the sandbox clock.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::errors::RebillyError;
use super::model::{KycDocument, RebillyTenant, MODIFIED};
use super::scenario::{RebillyEffect, DOCUMENT_CREATED};
use super::{Rebilly, KYC_DOCUMENT, KYC_REQUEST, NAME};
use crate::core::scenario::{Facts, Scenario, TimelineRun};
use crate::core::{Job, TenantId};

impl Rebilly {
    /// The automated review for a new document; chosen before anything is written, so an unknown
    /// `X-Sandbox-Scenario` leaves no trace.
    pub(super) fn choose_scenario(
        &self,
        state: &RebillyTenant,
        document: &KycDocument,
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
    pub(super) fn start_review(
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
    fn drive(&self, tenant: &TenantId, state: &mut RebillyTenant, id: &str, now: DateTime<Utc>) {
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
        for (effect, at) in steps.effects::<RebillyEffect>() {
            let outcome = state.change_document(id, at, MODIFIED, |document| {
                document.decide_automatically(effect.into_decision(), at)
            });
            if let Some(Err((from, to))) = outcome {
                log::warn!(
                    "rebilly: scenario step skipped: {} -> {} is not allowed",
                    from.as_str(),
                    to.as_str()
                );
            }
        }
    }

    /// A client read the document: counts toward `after_reads` steps.
    pub(super) fn note_read(&self, tenant: &TenantId, state: &mut RebillyTenant, id: &str) {
        if let Some(run) = state.documents.get_mut(id).and_then(|d| d.run.as_mut()) {
            run.record_read();
            self.drive(tenant, state, id, self.core.clock.now());
        }
    }

    /// (Re)schedules a request's expiry at its expiration time; an earlier schedule is void.
    pub(super) fn schedule_expiry(&self, tenant: &TenantId, state: &mut RebillyTenant, id: &str) {
        let Some(request) = state.requests.get_mut(id) else {
            return;
        };
        request.expiry_run = self.core.scheduler.next_run_id();
        self.core.scheduler.schedule(Job {
            at: request.expiration_time,
            provider: NAME,
            tenant: tenant.clone(),
            kind: KYC_REQUEST,
            id: id.to_owned(),
            run_id: request.expiry_run,
        });
    }

    /// Applies a due scheduler job to the state it belongs to.
    pub(super) fn apply_job(&self, state: &mut RebillyTenant, job: &Job) {
        match job.kind {
            KYC_DOCUMENT => {
                let current = state
                    .documents
                    .get(&job.id)
                    .and_then(|d| d.run.as_ref())
                    .map(|r| r.run_id);
                if current == Some(job.run_id) {
                    self.drive(&job.tenant, state, &job.id, job.at);
                }
            }
            KYC_REQUEST => {
                let expiry = state
                    .requests
                    .get(&job.id)
                    .filter(|r| r.expiry_run == job.run_id)
                    .and_then(|r| r.expiry_status());
                if let Some(status) = expiry {
                    state.set_request_status(&job.id, status, job.at);
                }
            }
            _ => {}
        }
    }
}
