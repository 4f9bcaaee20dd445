//! Reviewer decisions from outside the timeline: `POST /verifications/{id}/status` and
//! `POST /__admin/transitions` (kinds `verification` and `document`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::model::{Check, DeclineReason, DocumentStatus, KycaidTenant, VerificationStatus};
use super::review::Decision;
use super::wire::{document_json, verification_json};
use super::{Kycaid, DOCUMENT, VERIFICATION};
use crate::core::{TenantId, TransitionError, TransitionRequest};

fn reasons(value: &Value, at: &str) -> Result<Vec<DeclineReason>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("`{at}` must be an array of decline reasons"))?;
    items
        .iter()
        .map(|item| {
            item.as_str().and_then(DeclineReason::parse).ok_or_else(|| {
                format!(
                    "unknown decline reason {item} in `{at}`; expected one of {}",
                    DeclineReason::NAMES.join(", ")
                )
            })
        })
        .collect()
}

/// `approved`, or `declined` with optional `declined: {check: [reasons]}` and `comment`; a bare
/// `declined` fails every check of the verification.
pub fn decision(
    to: &str,
    details: &Map<String, Value>,
    checks: impl Iterator<Item = Check>,
) -> Result<Decision, String> {
    let comment = details
        .get("comment")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut declined = BTreeMap::new();
    match to {
        "approved" => {}
        "declined" => match details.get("declined") {
            Some(Value::Object(map)) if !map.is_empty() => {
                for (name, value) in map {
                    let check = Check::parse(name).ok_or_else(|| {
                        format!(
                            "unknown check `{name}`; expected one of {}",
                            Check::NAMES.join(", ")
                        )
                    })?;
                    declined.insert(check, reasons(value, name)?);
                }
            }
            Some(Value::Object(_)) | None => {
                for check in checks {
                    declined.insert(check, Vec::new());
                }
                if declined.is_empty() {
                    declined.insert(Check::Profile, Vec::new());
                }
            }
            Some(_) => return Err("`declined` must map checks to decline reasons".into()),
        },
        other => {
            return Err(format!(
                "unknown verification status `{other}`; expected approved or declined"
            ))
        }
    }
    Ok(Decision { declined, comment })
}

impl Kycaid {
    pub(super) fn admin_transition(
        &self,
        request: &TransitionRequest,
    ) -> Result<Value, TransitionError> {
        let slots = match &request.tenant {
            Some(t) => self.tenants.get(&TenantId::parse(t)).into_iter().collect(),
            None => self.tenants.slots(),
        };
        let not_found = |kind: &str| TransitionError::NotFound {
            kind: kind.into(),
            id: request.id.clone(),
        };
        let owns = |state: &KycaidTenant| match request.kind.as_str() {
            VERIFICATION => state.verifications.contains(&request.id),
            _ => state.documents.contains(&request.id),
        };
        match request.kind.as_str() {
            VERIFICATION | DOCUMENT => {}
            other => {
                return Err(TransitionError::UnknownKind {
                    kind: other.into(),
                    known: format!("{VERIFICATION}, {DOCUMENT}"),
                })
            }
        }
        // Found and changed under one lock, so a concurrent delete cannot slip in between.
        for slot in slots {
            let mut state = slot.state.lock();
            if !owns(&state) {
                continue;
            }
            let result = if request.kind == VERIFICATION {
                self.force_verification(&mut state, request)
            } else {
                force_document(&mut state, request)
            };
            self.send_callbacks(&mut state);
            return result;
        }
        Err(not_found(&request.kind))
    }

    fn force_verification(
        &self,
        state: &mut KycaidTenant,
        request: &TransitionRequest,
    ) -> Result<Value, TransitionError> {
        let v = &state.verifications[request.id.as_str()];
        if v.status == VerificationStatus::Completed {
            return Err(TransitionError::Illegal {
                kind: VERIFICATION.into(),
                id: request.id.clone(),
                from: v.status.as_str().into(),
                to: request.to.clone(),
                allowed: "nothing: a completed verification's decision is final".into(),
            });
        }
        if v.status == VerificationStatus::Unused || v.applicant_id.is_none() {
            return Err(TransitionError::Illegal {
                kind: VERIFICATION.into(),
                id: request.id.clone(),
                from: v.status.as_str().into(),
                to: request.to.clone(),
                allowed: "nothing until the verification is submitted (its form completed or created through the API)".into(),
            });
        }
        let checks: Vec<Check> = v.checks.keys().copied().collect();
        let decision = decision(&request.to, &request.details, checks.into_iter())
            .map_err(TransitionError::Invalid)?;
        self.decide(state, &request.id, &decision, self.core.clock.now(), true);
        Ok(verification_json(&state.verifications[request.id.as_str()]).to_value())
    }
}

fn force_document(
    state: &mut KycaidTenant,
    request: &TransitionRequest,
) -> Result<Value, TransitionError> {
    let status = DocumentStatus::parse(&request.to)
        .filter(|s| *s != DocumentStatus::New)
        .ok_or_else(|| {
            TransitionError::Invalid(format!(
                "unknown document status `{}`; expected valid or invalid",
                request.to
            ))
        })?;
    let reasons = match request.details.get("decline_reasons") {
        Some(value) => reasons(value, "decline_reasons").map_err(TransitionError::Invalid)?,
        None if status == DocumentStatus::Invalid => vec![DeclineReason::Other],
        None => Vec::new(),
    };
    let comment = request
        .details
        .get("comment")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let document = state
        .documents
        .get_mut(&request.id)
        .expect("the slot was chosen for holding it");
    document.status = status;
    document.decline.reasons = if status == DocumentStatus::Invalid {
        reasons
    } else {
        Vec::new()
    };
    document.decline.comment = comment;
    Ok(document_json(state, &state.documents[request.id.as_str()]).to_value())
}
