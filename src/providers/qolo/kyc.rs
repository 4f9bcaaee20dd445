//! How KYC decides a person, as Qolo's "KYC verification flows" guide describes it: SDD screens
//! sanctions lists; CDD verifies the identity electronically (IDology), which may ask
//! out-of-wallet questions; a document verification or the client's own verification can then
//! clear the person. The scenario chosen when KYC runs says how each of these ends.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::errors::QoloError;
use super::fixtures::VerificationMode;
use super::model::{
    DocumentRefs, Person, PersonEvent, PersonStatus, QoloTenant, Question, StoredDocument,
    VerificationResult,
};
use super::scenario::{Outcome, QoloEffect, KYC};
use super::wire::person_json;
use super::{Qolo, NAME};
use crate::core::scenario::{Facts, Scenario};
use crate::core::{SeededRng, TransitionError};

/// The provider named in results of the electronic verification and its questions.
const EID_PROVIDER: &str = "IDology";

/// What a client's own verification (`client_verification`) says.
#[derive(Debug, Default)]
pub struct ClientVerification {
    pub document_approved: Option<bool>,
    pub person_status_update: Option<bool>,
    pub override_sanction_check: Option<bool>,
    pub verification_datetime: Option<DateTime<Utc>>,
    pub verification_provider: Option<String>,
    pub verification_provider_refnumber: Option<String>,
    pub verification_level: Option<String>,
}

impl Qolo {
    /// The scenario this person's KYC run plays: the one `forced` names, else the first whose
    /// `when` holds.
    pub(super) fn choose(
        &self,
        person: &Person,
        forced: Option<&str>,
    ) -> Result<(Option<String>, QoloEffect), QoloError> {
        let mut facts = Facts::default();
        for name in ["first_name", "last_name", "email", "birth_date"] {
            facts.add(name, person.detail(name).unwrap_or_default());
        }
        if let Some((kind, number)) = person.government_id() {
            let digits: String = number.chars().filter(char::is_ascii_alphanumeric).collect();
            facts
                .add("govt_id_type", kind)
                .add("govt_id_number", digits);
        }
        let country = person
            .details
            .get("base_address")
            .and_then(|a| a.get("country"))
            .and_then(|c| c.as_str());
        facts
            .add("country", country.unwrap_or_default())
            .add("verification_mode", person.verification_mode.as_str())
            .add("program_guid", person.program_guid.as_str())
            .add("attempt", (person.kyc_runs + 1).to_string());
        let scenario = self
            .core
            .scenarios()
            .select(NAME, KYC, &facts, forced)
            .map_err(|e| QoloError::field("X-Sandbox-Scenario", e.to_string()))?;
        Ok(match scenario {
            Some(s) => (Some(s.name.clone()), effect_of(&s)),
            None => (None, QoloEffect::default()),
        })
    }

    /// Runs the program's KYC on `person` with the chosen scenario.
    pub(super) fn run_kyc(
        &self,
        person: &mut Person,
        (scenario, effect): (Option<String>, QoloEffect),
        rng: &mut SeededRng,
        now: DateTime<Utc>,
    ) {
        person.kyc_runs += 1;
        person.pending_questions.clear();
        person.scenario = scenario;
        let mode = person.verification_mode;
        let reference = rng.uuid_v4();
        let person_guid = person.person_guid.clone();
        let result = |method: &str, code: &str, status: PersonStatus, reason: Option<String>| {
            VerificationResult {
                person_guid: person_guid.clone(),
                verification_method: method.into(),
                verification_date: now,
                document_type: None,
                document_path: None,
                response_code: code.into(),
                verification_results: status.as_str().into(),
                reason_code: reason,
                questions: Vec::new(),
                provider_reference: reference.clone(),
                provider_name: EID_PROVIDER.into(),
                documents: None,
            }
        };
        let (status, entry) = if effect.person_status.is_restricted() {
            let reason = effect
                .reason
                .clone()
                .unwrap_or_else(|| "Screening match".into());
            (
                effect.person_status,
                result(
                    "SANCTIONS_SCREEN",
                    "HIT",
                    effect.person_status,
                    Some(reason),
                ),
            )
        } else if mode == VerificationMode::Sdd {
            (
                PersonStatus::Cleared,
                result("SANCTIONS_SCREEN", "PASS", PersonStatus::Cleared, None),
            )
        } else if let Some(missing) = missing_for_cdd(person) {
            let reason = format!("CDD verification needs {missing}");
            (
                PersonStatus::Incomplete,
                result("EID", "INCOMPLETE", PersonStatus::Incomplete, Some(reason)),
            )
        } else if effect.person_status == PersonStatus::Cleared {
            (
                PersonStatus::Cleared,
                result("EID", "PASS", PersonStatus::Cleared, None),
            )
        } else {
            let mut entry = result("EID", "FAIL", effect.person_status, effect.reason.clone());
            if effect.oow.is_some() {
                let questions = questions_for(person, rng);
                entry.response_code = "QUESTIONS".into();
                entry.questions.clone_from(&questions);
                person.pending_questions = questions;
            }
            (effect.person_status, entry)
        };
        person.additional_desc = entry.reason_code.clone();
        person.results.push(entry);
        person.effect = effect;
        self.decide(person, status, now);
    }

    /// Refuses answers that are not one per pending question.
    pub(super) fn check_answers(
        person: &Person,
        answers: &[(String, String)],
    ) -> Result<(), QoloError> {
        if person.pending_questions.is_empty() {
            return Err(QoloError::field(
                "answers",
                "No out-of-wallet questions are pending for this person.",
            ));
        }
        let mut errors = super::errors::FieldErrors::new();
        for (i, (key, _)) in answers.iter().enumerate() {
            if !person.pending_questions.iter().any(|q| &q.key == key) {
                errors
                    .entry(format!("answers[{i}].key"))
                    .or_default()
                    .push(format!("`{key}` is not a pending question's key."));
            }
        }
        let missing: Vec<&str> = person
            .pending_questions
            .iter()
            .filter(|q| !answers.iter().any(|(k, _)| k == &q.key))
            .map(|q| q.key.as_str())
            .collect();
        if !missing.is_empty() {
            errors.entry("answers".into()).or_default().push(format!(
                "Answer every pending question; missing: {}.",
                missing.join(", ")
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(QoloError::Validation(errors))
        }
    }

    /// Judges out-of-wallet answers (checked by `check_answers`) against the pending questions.
    pub(super) fn answer(
        &self,
        person: &mut Person,
        answers: &[(String, String)],
        rng: &mut SeededRng,
        now: DateTime<Utc>,
    ) {
        let right = person.pending_questions.iter().all(|q| {
            answers
                .iter()
                .any(|(k, a)| k == &q.key && a.trim().to_lowercase() == q.answer.to_lowercase())
        });
        let passed = right && person.effect.oow == Some(Outcome::Pass);
        let status = if passed {
            PersonStatus::Cleared
        } else {
            PersonStatus::Unverified
        };
        let reason =
            (!passed).then(|| "Out-of-wallet answers did not verify the identity".to_owned());
        person.pending_questions.clear();
        person.additional_desc.clone_from(&reason);
        person.results.push(VerificationResult {
            person_guid: person.person_guid.clone(),
            verification_method: "OOW".into(),
            verification_date: now,
            document_type: None,
            document_path: None,
            response_code: if passed { "PASS" } else { "FAIL" }.into(),
            verification_results: status.as_str().into(),
            reason_code: reason,
            questions: Vec::new(),
            provider_reference: rng.uuid_v4(),
            provider_name: EID_PROVIDER.into(),
            documents: None,
        });
        self.decide(person, status, now);
    }

    /// Verifies a document the person sent: the scenario's `document` outcome decides.
    pub(super) fn verify_document(
        &self,
        person: &mut Person,
        document: StoredDocument,
        refs: DocumentRefs,
        now: DateTime<Utc>,
    ) {
        let passed = person.effect.document != Some(Outcome::Fail);
        let status = match (passed, person.person_status) {
            (_, restricted) if restricted.is_restricted() => restricted,
            (true, _) => PersonStatus::Cleared,
            (false, _) => PersonStatus::Unverified,
        };
        let reason = (!passed).then(|| "Document rejected: it could not be verified".to_owned());
        person.additional_desc.clone_from(&reason);
        person.results.push(VerificationResult {
            person_guid: person.person_guid.clone(),
            verification_method: "DOCUMENT".into(),
            verification_date: now,
            document_type: Some(document.document_type.clone()),
            document_path: Some(refs.front_docpath.clone()),
            response_code: if passed { "PASS" } else { "FAIL" }.into(),
            verification_results: status.as_str().into(),
            reason_code: reason,
            questions: Vec::new(),
            provider_reference: refs.document_reference.clone(),
            provider_name: "kyc-sandbox documents".into(),
            documents: Some(refs),
        });
        person
            .documents
            .insert(document.reference.clone(), document);
        if passed && status == PersonStatus::Cleared {
            person.pending_questions.clear();
        }
        self.decide(person, status, now);
    }

    /// Refuses a client override that would clear a screening hit without saying so.
    pub(super) fn check_override(
        person: &Person,
        verification: &ClientVerification,
    ) -> Result<(), QoloError> {
        if person.person_status.is_restricted()
            && verification.override_sanction_check != Some(true)
        {
            return Err(QoloError::field(
                "client_verification.override_sanction_check",
                format!(
                    "The person is {}; set override_sanction_check to clear them.",
                    person.person_status.as_str()
                ),
            ));
        }
        Ok(())
    }

    /// The client's own verification (checked by `check_override`): the level, and unless told
    /// not to the status, it says.
    pub(super) fn client_override(
        &self,
        person: &mut Person,
        verification: ClientVerification,
        document: Option<(StoredDocument, DocumentRefs)>,
        rng: &mut SeededRng,
        now: DateTime<Utc>,
    ) {
        let status = if verification.person_status_update == Some(false) {
            person.person_status
        } else {
            PersonStatus::Cleared
        };
        let approved = verification.document_approved.unwrap_or(true);
        let (document_type, refs) = match document {
            Some((stored, refs)) => {
                let kind = stored.document_type.clone();
                person.documents.insert(stored.reference.clone(), stored);
                (Some(kind), Some(refs))
            }
            None => (None, None),
        };
        person.results.push(VerificationResult {
            person_guid: person.person_guid.clone(),
            verification_method: "CLIENT".into(),
            verification_date: verification.verification_datetime.unwrap_or(now),
            document_type,
            document_path: refs.as_ref().map(|r| r.front_docpath.clone()),
            response_code: if approved { "PASS" } else { "FAIL" }.into(),
            verification_results: status.as_str().into(),
            reason_code: None,
            questions: Vec::new(),
            provider_reference: verification
                .verification_provider_refnumber
                .unwrap_or_else(|| rng.uuid_v4()),
            provider_name: verification
                .verification_provider
                .unwrap_or_else(|| "client".into()),
            documents: refs,
        });
        person.pending_questions.clear();
        person.additional_desc = None;
        self.decide(person, status, now);
        if let Some(level) = verification.verification_level {
            person.verification_level = Some(level);
        }
    }

    /// An admin transition: the status a reviewer sets, with an optional reason.
    pub(super) fn review(
        &self,
        state: &mut QoloTenant,
        person_guid: &str,
        to: PersonStatus,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<serde_json::Value, TransitionError> {
        let person = state
            .persons
            .get_mut(person_guid)
            .expect("checked by the caller");
        if person.person_status == to {
            return Err(TransitionError::Invalid(format!(
                "the person is already {}",
                to.as_str()
            )));
        }
        let before = person.person_status;
        person.additional_desc = reason;
        person.pending_questions.clear();
        self.decide(person, to, now);
        let events = events_for(person, before);
        state.outbox.extend(events);
        Ok(super::wire::kyc_json(&state.persons[person_guid]).to_value())
    }

    /// Sets the status the verification reached, and the program's level when it cleared.
    fn decide(&self, person: &mut Person, status: PersonStatus, now: DateTime<Utc>) {
        person.person_status = status;
        person.verification_level =
            (status == PersonStatus::Cleared).then(|| person.verification_mode.as_str().to_owned());
        person.updated_at = now;
    }
}

/// The person events a change from `before` causes.
pub(super) fn events_for(person: &Person, before: PersonStatus) -> Vec<PersonEvent> {
    let mut events = Vec::new();
    let event = |event_type| PersonEvent {
        event_type,
        program_guid: person.program_guid.clone(),
        person: person_json(person),
    };
    if person.person_status != before {
        events.push(event("person.updated"));
        if person.person_status == PersonStatus::Cleared {
            events.push(event("person.verification.success"));
        }
    }
    events
}

/// What CDD needs and the person lacks, if anything.
fn missing_for_cdd(person: &Person) -> Option<String> {
    let mut missing = Vec::new();
    for (field, label) in [
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("birth_date", "birth_date"),
    ] {
        if person.detail(field).is_none_or(str::is_empty) {
            missing.push(label);
        }
    }
    let address = person.details.get("base_address");
    let has = |field: &str| {
        address
            .and_then(|a| a.get(field))
            .and_then(|v| v.as_str())
            .is_some_and(|v| !v.is_empty())
    };
    if !(has("address_line1") && has("city") && has("country")) {
        missing.push("base_address (address_line1, city, country)");
    }
    if person.government_id().is_none() {
        missing.push("an SSN or a government id (identifications)");
    }
    (!missing.is_empty()).then(|| missing.join(", "))
}

/// Three out-of-wallet questions; the first option of each is the right answer (documented).
fn questions_for(person: &Person, rng: &mut SeededRng) -> Vec<Question> {
    let street = person
        .details
        .get("base_address")
        .and_then(|a| a.get("address_line1"))
        .and_then(|v| v.as_str())
        .unwrap_or("100 Main St")
        .to_owned();
    let city = person
        .details
        .get("base_address")
        .and_then(|a| a.get("city"))
        .and_then(|v| v.as_str())
        .unwrap_or("Springfield")
        .to_owned();
    let bank: [(&str, Vec<String>); 3] = [
        (
            "Which of these addresses have you been associated with?",
            vec![
                street,
                "4821 Birchwood Ln".into(),
                "77 Harbor View Rd".into(),
                "None of the above".into(),
            ],
        ),
        (
            "In which of these cities have you lived?",
            vec![
                city,
                "Tulsa".into(),
                "Fresno".into(),
                "None of the above".into(),
            ],
        ),
        (
            "Which of these vehicles have you owned?",
            vec![
                "2016 Honda Civic".into(),
                "2012 Ford F-150".into(),
                "2019 Tesla Model 3".into(),
                "None of the above".into(),
            ],
        ),
    ];
    bank.into_iter()
        .map(|(prompt, options)| Question {
            prompt: prompt.into(),
            key: format!("q_{}", rng.hex(8)),
            answer: options[0].clone(),
            options,
        })
        .collect()
}

/// A Qolo scenario's one step (checked at load, so it parses).
fn effect_of(scenario: &Arc<Scenario>) -> QoloEffect {
    scenario
        .timeline
        .first()
        .and_then(|step| serde_json::from_value(step.set.clone()).ok())
        .unwrap_or_default()
}
