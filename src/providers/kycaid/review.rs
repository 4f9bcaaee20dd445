//! The review of a submitted verification: its scenario's timeline on the sandbox clock, and the
//! decision that sets every check, document, address and the applicant's statuses.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::callbacks::{COMPLETED, STATUS_CHANGED};
use super::errors::KycaidError;
use super::model::{
    Check, DeclineReason, DocumentStatus, KycaidTenant, ReviewStatus, Verification,
    VerificationStatus,
};
use super::scenario::{KycaidEffect, SUBMITTED};
use super::{Kycaid, NAME, VERIFICATION};
use crate::core::scenario::{Facts, Scenario, TimelineRun};
use crate::core::{Job, TenantId};

/// What a verification looked at: its checks, and the documents the applicant had when it was
/// submitted (documents added later wait for the next verification).
struct Judged {
    checks: Vec<Check>,
    documents: Vec<String>,
}

/// Carries a decision over to what the verification judged: documents by their group's check,
/// addresses by `address`, the profile by `profile`; the applicant's overall status follows.
fn settle_applicant(
    state: &mut KycaidTenant,
    applicant_id: &str,
    judged: &Judged,
    decision: &Decision,
    verified: bool,
) {
    let comment = decision.comment.clone();
    let verdict = |check: Check| {
        judged
            .checks
            .contains(&check)
            .then(|| decision.declined.get(&check))
    };
    let Some(applicant) = state.applicants.get_mut(applicant_id) else {
        return;
    };
    if let Some(declined) = verdict(Check::Profile) {
        applicant.profile_status = Some(if declined.is_some() {
            ReviewStatus::Invalid
        } else {
            ReviewStatus::Valid
        });
        applicant.profile_decline.reasons = declined.cloned().unwrap_or_default();
        applicant.profile_decline.comment = declined.and(comment.clone());
    }
    applicant.verification_status = if verified {
        ReviewStatus::Valid
    } else {
        ReviewStatus::Invalid
    };
    let addresses = applicant.address_ids.clone();
    for id in &judged.documents {
        let Some(document) = state.documents.get_mut(id) else {
            continue;
        };
        if let Some(declined) = verdict(document.kind.group().check()) {
            document.status = if declined.is_some() {
                DocumentStatus::Invalid
            } else {
                DocumentStatus::Valid
            };
            document.decline.reasons = declined.cloned().unwrap_or_default();
            document.decline.comment = declined.and(comment.clone());
        }
    }
    if let Some(declined) = verdict(Check::Address) {
        for id in &addresses {
            if let Some(address) = state.addresses.get_mut(id) {
                address.status = if declined.is_some() {
                    DocumentStatus::Invalid
                } else {
                    DocumentStatus::Valid
                };
                address.locked = true;
            }
        }
    }
}

/// What a reviewer decided: the failed checks with their reasons, and a comment on them.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub declined: BTreeMap<Check, Vec<DeclineReason>>,
    pub comment: Option<String>,
}

/// How a verification went to review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmittedVia {
    /// `POST /verifications`.
    Api,
    /// A person submitted the hosted form.
    HostedForm,
}

impl Kycaid {
    /// The scenario for `verification` (stored or about to be) as the applicant's data stands;
    /// chosen before anything is written, so an unknown `X-Sandbox-Scenario` leaves no trace.
    pub(super) fn choose_scenario(
        &self,
        state: &KycaidTenant,
        verification: &Verification,
        applicant_id: &str,
        forced: Option<&str>,
    ) -> Result<Option<Arc<Scenario>>, KycaidError> {
        let mut facts = Facts::default();
        if let Some(applicant) = state.applicants.get(applicant_id) {
            facts.add("applicant_type", applicant.kind.as_str());
            for name in [
                "first_name",
                "last_name",
                "email",
                "residence_country",
                "nationality",
            ] {
                if let Some(value) = applicant.field(name) {
                    facts.add(name, value);
                }
            }
            for document in state.documents_of(applicant) {
                facts.add("document_type", document.kind.as_str());
                if let Some(number) = document.number() {
                    facts.add("document_number", number);
                }
            }
            let attempt = applicant
                .verification_ids
                .iter()
                .position(|v| *v == verification.id)
                .unwrap_or(applicant.verification_ids.len())
                + 1;
            facts.add("attempt", attempt.to_string());
        }
        if let Some(form_id) = &verification.form_id {
            facts.add("form_id", form_id.as_str());
        }
        for check in verification.checks.keys() {
            facts.add("check", check.as_str());
        }
        self.core
            .scenarios()
            .select(NAME, SUBMITTED, &facts, forced)
            .map_err(|e| KycaidError::BadRequest {
                parameter: "x-sandbox-scenario".into(),
                message: e.to_string(),
            })
    }

    /// Moves a stored verification to `pending`, starts its scenario and applies what is due.
    /// Only a person submitting the hosted form causes `VERIFICATION_STATUS_CHANGED` ("sent when a
    /// user completes and submits a form", docs.kycaid.com/callbacks/verification-status-changed).
    pub(super) fn submit(
        &self,
        state: &mut KycaidTenant,
        verification_id: &str,
        scenario: Option<Arc<Scenario>>,
        via: SubmittedVia,
    ) {
        let now = self.core.clock.now();
        let documents = self
            .applicant_of(state, verification_id)
            .and_then(|a| state.applicants.get(&a))
            .map(|a| a.document_ids.clone())
            .unwrap_or_default();
        if let Some(verification) = state.verifications.get_mut(verification_id) {
            verification.documents = documents;
        }
        if let (Some(verification), Some(scenario)) =
            (state.verifications.get_mut(verification_id), scenario)
        {
            verification.run = Some(TimelineRun::start(
                scenario,
                self.core.scheduler.next_run_id(),
                now,
            ));
        }
        let starts_unused = self.first_step_keeps_unused(state, verification_id);
        if !starts_unused
            && state.set_verification_status(verification_id, VerificationStatus::Pending, now)
        {
            if let Some(applicant) = self.applicant_of(state, verification_id) {
                if let Some(a) = state.applicants.get_mut(&applicant) {
                    a.verification_status = ReviewStatus::Pending;
                }
            }
            if via == SubmittedVia::HostedForm {
                self.emit(state, STATUS_CHANGED, verification_id);
            }
        }
        let tenant = state.tenant.clone();
        self.drive(&tenant, state, verification_id, now);
    }

    /// A scenario whose first, immediate step is `unused` leaves the verification untouched.
    fn first_step_keeps_unused(&self, state: &KycaidTenant, id: &str) -> bool {
        let Some(run) = state.verifications.get(id).and_then(|v| v.run.as_ref()) else {
            return false;
        };
        run.scenario.timeline.first().is_some_and(|step| {
            step.trigger == crate::core::scenario::Trigger::Immediately
                && step.set.get("status").and_then(|s| s.as_str()) == Some("unused")
        })
    }

    fn applicant_of(&self, state: &KycaidTenant, verification_id: &str) -> Option<String> {
        state
            .verifications
            .get(verification_id)
            .and_then(|v| v.applicant_id.clone())
    }

    /// Applies the verification's due timeline steps and schedules its next timed one.
    fn drive(&self, tenant: &TenantId, state: &mut KycaidTenant, id: &str, now: DateTime<Utc>) {
        let Some(run) = state.verifications.get_mut(id).and_then(|v| v.run.as_mut()) else {
            return;
        };
        let steps = self
            .core
            .take_due_steps(run, now, NAME, tenant, VERIFICATION, id);
        if run.is_finished() {
            if let Some(v) = state.verifications.get_mut(id) {
                v.run = None;
            }
        }
        for (effect, at) in steps.effects::<KycaidEffect>() {
            self.apply_effect(state, id, effect, at);
        }
    }

    fn apply_effect(
        &self,
        state: &mut KycaidTenant,
        id: &str,
        effect: KycaidEffect,
        at: DateTime<Utc>,
    ) {
        if let Some(v) = state.verifications.get_mut(id) {
            if effect.attempts_left.is_some() {
                v.attempts_left = effect.attempts_left;
            }
        }
        if let Some(screening) = &effect.screening {
            self.emit_screening(state, id, screening);
        }
        match effect.status {
            VerificationStatus::Completed => {
                let decision = Decision {
                    declined: effect.declined,
                    comment: effect.comment,
                };
                // A timeline step cannot undo a reviewer's decision; finished is finished.
                let _ = self.decide(state, id, &decision, at, true);
            }
            status => {
                state.set_verification_status(id, status, at);
            }
        }
    }

    /// Completes a verification with `decision`: every check passes unless declined, documents
    /// and addresses follow their check, the applicant its profile check and the overall result.
    /// `notify` sends the callbacks (the status API may turn them off). Returns false, changing
    /// nothing, for a verification already completed.
    pub(super) fn decide(
        &self,
        state: &mut KycaidTenant,
        id: &str,
        decision: &Decision,
        at: DateTime<Utc>,
        notify: bool,
    ) -> bool {
        let comment = decision.comment.clone().unwrap_or_default();
        let Some(verification) = state.verifications.get_mut(id) else {
            return false;
        };
        // A decision is final, as in KYCAID: nothing changes and no callback goes out again.
        if verification.status == VerificationStatus::Completed {
            return false;
        }
        for check in decision.declined.keys() {
            verification.ensure_check(*check);
        }
        for (check, result) in verification.checks.iter_mut() {
            let reasons = decision.declined.get(check);
            result.verified = Some(reasons.is_none());
            result.decline_reasons = reasons.cloned().unwrap_or_default();
            result.comment = if reasons.is_some() {
                comment.clone()
            } else {
                String::new()
            };
        }
        let verified = decision.declined.is_empty();
        verification.verified = Some(verified);
        verification.run = None;
        let applicant_id = verification.applicant_id.clone();
        let judged = Judged {
            checks: verification.checks.keys().copied().collect(),
            documents: verification.documents.clone(),
        };
        let changed = state.set_verification_status(id, VerificationStatus::Completed, at);
        if let Some(v) = state.verifications.get_mut(id) {
            v.verified = Some(verified);
            v.completed_at = Some(at);
        }
        if let Some(applicant_id) = applicant_id {
            settle_applicant(state, &applicant_id, &judged, decision, verified);
        }
        if notify && changed {
            self.emit(state, COMPLETED, id);
        }
        true
    }

    /// Applies a due scheduler job to the verification it belongs to.
    pub(super) fn apply_job(&self, state: &mut KycaidTenant, job: &Job) {
        let current = state
            .verifications
            .get(&job.id)
            .and_then(|v| v.run.as_ref())
            .map(|r| r.run_id);
        if job.kind == VERIFICATION && current == Some(job.run_id) {
            self.drive(&job.tenant, state, &job.id, job.at);
        }
    }
}
