//! `POST /__admin/transitions` for Rebilly: forces a KYC document's or a KYC request's status as
//! a reviewer (or the passing of time) would.

use serde_json::Value;

use super::model::{Decision, RebillyTenant, Rejection, RejectionType, RequestStatus, MODIFIED};
use super::wire::{document_of, request_of};
use super::{Rebilly, KYC_DOCUMENT, KYC_REQUEST};
use crate::core::{TenantId, TransitionError, TransitionRequest};

fn document_decision(request: &TransitionRequest) -> Result<Decision, TransitionError> {
    Ok(match request.to.as_str() {
        "in-progress" => Decision::Analyze,
        "accepted" => Decision::Accept,
        "archived" => Decision::Archive,
        "rejected" => {
            let kind = match request.details.get("rejectionType").and_then(Value::as_str) {
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
                .and_then(Value::as_str)
                .map(str::to_owned);
            Decision::Reject(Rejection { kind, message })
        }
        other => {
            return Err(TransitionError::Invalid(format!(
                "unknown status `{other}`; expected in-progress, accepted, rejected or archived"
            )))
        }
    })
}

/// The permanent states an admin may force a request into (the temporary ones follow from its
/// documents).
const FORCEABLE_REQUEST_STATES: &[RequestStatus] = &[
    RequestStatus::Fulfilled,
    RequestStatus::Failed,
    RequestStatus::Abandoned,
    RequestStatus::Expired,
];

fn request_status(request: &TransitionRequest) -> Result<RequestStatus, TransitionError> {
    RequestStatus::parse(&request.to)
        .filter(|s| FORCEABLE_REQUEST_STATES.contains(s))
        .ok_or_else(|| {
            TransitionError::Invalid(format!(
                "unknown status `{}`; a KYC request can be forced to fulfilled, failed, abandoned or expired",
                request.to
            ))
        })
}

impl Rebilly {
    pub(super) fn admin_transition(
        &self,
        request: &TransitionRequest,
    ) -> Result<Value, TransitionError> {
        let now = self.core.clock.now();
        let slots = match &request.tenant {
            Some(t) => self.tenants.get(&TenantId::parse(t)).into_iter().collect(),
            None => self.tenants.slots(),
        };
        let not_found = |kind: &str| TransitionError::NotFound {
            kind: kind.into(),
            id: request.id.clone(),
        };
        match request.kind.as_str() {
            KYC_DOCUMENT => {
                let decision = document_decision(request)?;
                let slot = slots
                    .into_iter()
                    .find(|slot| slot.state.lock().documents.contains(&request.id))
                    .ok_or_else(|| not_found(KYC_DOCUMENT))?;
                let mut state = slot.state.lock();
                let outcome = state.change_document(&request.id, now, MODIFIED, |document| {
                    document.run = None;
                    document.transition(decision, now)
                });
                let result = match outcome {
                    None => Err(not_found(KYC_DOCUMENT)),
                    Some(Err((from, to))) => Err(TransitionError::Illegal {
                        kind: KYC_DOCUMENT.into(),
                        id: request.id.clone(),
                        from: from.as_str().into(),
                        to: to.as_str().into(),
                        allowed: names(from.allowed_next().iter().map(|s| s.as_str())),
                    }),
                    Some(Ok(())) => Ok(render_document(&state, &request.id)),
                };
                self.publish(&slot.info.tenant, &mut state);
                result
            }
            KYC_REQUEST => {
                let status = request_status(request)?;
                let slot = slots
                    .into_iter()
                    .find(|slot| slot.state.lock().requests.contains(&request.id))
                    .ok_or_else(|| not_found(KYC_REQUEST))?;
                let mut state = slot.state.lock();
                let from = state.requests[request.id.as_str()].status;
                if from.is_final() {
                    return Err(TransitionError::Illegal {
                        kind: KYC_REQUEST.into(),
                        id: request.id.clone(),
                        from: from.as_str().into(),
                        to: status.as_str().into(),
                        allowed: "nothing (a permanent state)".into(),
                    });
                }
                state.set_request_status(&request.id, status, now);
                let body = request_of(
                    &state,
                    &state.requests[request.id.as_str()],
                    &format!("/kyc-requests/{}", request.id),
                    false,
                )
                .to_value();
                self.publish(&slot.info.tenant, &mut state);
                Ok(body)
            }
            other => Err(TransitionError::UnknownKind {
                kind: other.into(),
                known: format!("{KYC_DOCUMENT}, {KYC_REQUEST}"),
            }),
        }
    }
}

fn render_document(state: &RebillyTenant, id: &str) -> Value {
    document_of(state, &state.documents[id], &format!("/kyc-documents/{id}")).to_value()
}

fn names<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
