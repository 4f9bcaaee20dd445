//! KYC requests: which documents a customer is asked for, and a status recomputed from the
//! documents provided for it (the spec's `x-enumDescriptions`, applied literally).

use crate::core::wire_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{DocumentStatus, DocumentType, KycDocument};

wire_enum!(RequestStatus {
    Gathering = "gathering",
    Attempted = "attempted",
    Partial = "partial",
    PendingReview = "pending-review",
    Fulfilled = "fulfilled",
    Failed = "failed",
    Abandoned = "abandoned",
    Expired = "expired",
});

impl RequestStatus {
    /// Permanent states never change again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestStatus::Fulfilled
                | RequestStatus::Failed
                | RequestStatus::Abandoned
                | RequestStatus::Expired
        )
    }
}

pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestedDocument {
    #[serde(rename = "type")]
    pub kind: DocumentType,
    pub subtypes: Option<Vec<String>>,
    /// 0 allows unlimited attempts.
    pub max_attempts: u32,
    pub face_proof_required: bool,
    pub face_liveness_required: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KycRequest {
    pub id: String,
    pub customer_id: String,
    pub documents: Vec<RequestedDocument>,
    pub status: RequestStatus,
    pub redirect_url: Option<String>,
    pub reason: Option<String>,
    pub match_level: u8,
    pub revision: u32,
    pub expiration_time: DateTime<Utc>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
    /// Documents provided for this request, oldest first.
    pub document_ids: Vec<String>,
    /// The token of the gatherer link (a customer JWT scoped to this request).
    pub gatherer_token: String,
    pub gatherer_jwt_id: String,
    /// The KYC gatherer page with that token, on the host the request was created through.
    pub gatherer_url: String,
    /// Matches the scheduler job that expires this request; a new expiration time replaces it.
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub expiry_run: u64,
}

/// Why a document cannot be provided for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Closed(RequestStatus),
    NotRequested(DocumentType),
    SubtypeNotPermitted(DocumentType),
    AttemptsExhausted { kind: DocumentType, max: u32 },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Closed(status) => {
                write!(
                    f,
                    "the KYC request is {} and takes no more documents",
                    status.as_str()
                )
            }
            Refusal::NotRequested(kind) => {
                write!(f, "the KYC request does not ask for {}", kind.as_str())
            }
            Refusal::SubtypeNotPermitted(kind) => {
                write!(
                    f,
                    "the KYC request does not permit this subtype of {}",
                    kind.as_str()
                )
            }
            Refusal::AttemptsExhausted { kind, max } => write!(
                f,
                "all {max} attempts for {} in this KYC request are used",
                kind.as_str()
            ),
        }
    }
}

/// What the documents provided for one requested type add up to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    attempts: u32,
    accepted: bool,
    awaiting: bool,
}

impl KycRequest {
    pub fn requested(&self, kind: DocumentType) -> Option<&RequestedDocument> {
        self.documents.iter().find(|d| d.kind == kind)
    }

    /// A credit file asked for together with other proofs is tried first and, when it fails,
    /// falls back to the others: then it neither fulfils nor fails the request.
    fn credit_file_is_fallback(&self) -> bool {
        self.requested(DocumentType::CreditFile).is_some() && self.documents.len() > 1
    }

    fn tally<'a>(kind: DocumentType, provided: impl IntoIterator<Item = &'a KycDocument>) -> Tally {
        provided
            .into_iter()
            .filter(|d| d.document_type == kind && d.status != DocumentStatus::Archived)
            .fold(Tally::default(), |mut t, d| {
                t.attempts += 1;
                t.accepted |= d.status == DocumentStatus::Accepted;
                t.awaiting |= matches!(
                    d.status,
                    DocumentStatus::Pending | DocumentStatus::InProgress
                );
                t
            })
    }

    /// Whether one more document of `kind` (with `subtype`) may be provided for this request.
    pub fn admits<'a>(
        &self,
        kind: DocumentType,
        subtype: Option<&str>,
        provided: impl IntoIterator<Item = &'a KycDocument>,
    ) -> Result<(), Refusal> {
        if self.status.is_final() {
            return Err(Refusal::Closed(self.status));
        }
        let wanted = self.requested(kind).ok_or(Refusal::NotRequested(kind))?;
        if let (Some(allowed), Some(subtype)) = (&wanted.subtypes, subtype) {
            if !allowed.is_empty() && !allowed.iter().any(|s| s == subtype) {
                return Err(Refusal::SubtypeNotPermitted(kind));
            }
        }
        let tally = Self::tally(kind, provided);
        if wanted.max_attempts > 0 && tally.attempts >= wanted.max_attempts {
            return Err(Refusal::AttemptsExhausted {
                kind,
                max: wanted.max_attempts,
            });
        }
        Ok(())
    }

    /// The status the provided documents imply; permanent states stay as they are.
    pub fn evaluate(&self, provided: &[&KycDocument]) -> RequestStatus {
        if self.status.is_final() {
            return self.status;
        }
        let tallies: Vec<(&RequestedDocument, Tally)> = self
            .documents
            .iter()
            .map(|wanted| (wanted, Self::tally(wanted.kind, provided.iter().copied())))
            .collect();
        let credit_file_accepted = tallies
            .iter()
            .any(|(w, t)| w.kind == DocumentType::CreditFile && t.accepted);
        if credit_file_accepted {
            return RequestStatus::Fulfilled;
        }
        let fallback = self.credit_file_is_fallback();
        let required: Vec<&(&RequestedDocument, Tally)> = tallies
            .iter()
            .filter(|(w, _)| !(fallback && w.kind == DocumentType::CreditFile))
            .collect();
        if required.iter().all(|(_, t)| t.accepted) {
            return RequestStatus::Fulfilled;
        }
        let exhausted = required.iter().any(|(w, t)| {
            w.max_attempts > 0 && t.attempts >= w.max_attempts && !t.accepted && !t.awaiting
        });
        if exhausted {
            return RequestStatus::Failed;
        }
        let any_provided = tallies.iter().any(|(_, t)| t.attempts > 0);
        let any_accepted = required.iter().any(|(_, t)| t.accepted);
        let any_awaiting = tallies.iter().any(|(_, t)| t.awaiting);
        match (any_provided, any_accepted, any_awaiting) {
            (false, _, _) => RequestStatus::Gathering,
            (true, true, _) => RequestStatus::Partial,
            (true, false, true) => RequestStatus::PendingReview,
            (true, false, false) => RequestStatus::Attempted,
        }
    }

    /// At the expiration time: `expired` if nothing was provided, `abandoned` otherwise.
    pub fn expiry_status(&self) -> Option<RequestStatus> {
        if self.status.is_final() {
            return None;
        }
        Some(if self.document_ids.is_empty() {
            RequestStatus::Expired
        } else {
            RequestStatus::Abandoned
        })
    }

    pub fn set_status(&mut self, status: RequestStatus, at: DateTime<Utc>) -> bool {
        if status == self.status {
            return false;
        }
        self.status = status;
        self.touch(at);
        true
    }

    pub fn touch(&mut self, at: DateTime<Utc>) {
        self.updated_time = at;
        self.revision += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::rebilly::model::tests::document;

    fn request(kinds: &[(DocumentType, u32)]) -> KycRequest {
        let t = Utc::now();
        KycRequest {
            id: "kyc_req_1".into(),
            customer_id: "cus_1".into(),
            documents: kinds
                .iter()
                .map(|&(kind, max_attempts)| RequestedDocument {
                    kind,
                    subtypes: None,
                    max_attempts,
                    face_proof_required: false,
                    face_liveness_required: false,
                })
                .collect(),
            status: RequestStatus::Gathering,
            redirect_url: None,
            reason: None,
            match_level: 2,
            revision: 1,
            expiration_time: t,
            created_time: t,
            updated_time: t,
            document_ids: vec![],
            gatherer_token: String::new(),
            gatherer_jwt_id: String::new(),
            gatherer_url: String::new(),
            expiry_run: 0,
        }
    }

    fn doc(kind: DocumentType, status: DocumentStatus) -> KycDocument {
        let mut d = document();
        d.document_type = kind;
        d.status = status;
        d
    }

    use DocumentStatus as D;
    use DocumentType::*;
    use RequestStatus as R;

    #[test]
    fn status_follows_the_enum_descriptions() {
        let r = request(&[(Identity, 3), (Address, 3)]);
        let cases: Vec<(Vec<KycDocument>, RequestStatus)> = vec![
            (vec![], R::Gathering),
            (vec![doc(Identity, D::Rejected)], R::Attempted),
            (vec![doc(Identity, D::Pending)], R::PendingReview),
            (vec![doc(Identity, D::InProgress)], R::PendingReview),
            (
                vec![doc(Identity, D::Accepted), doc(Address, D::Pending)],
                R::Partial,
            ),
            (
                vec![doc(Identity, D::Accepted), doc(Address, D::Accepted)],
                R::Fulfilled,
            ),
            (
                vec![
                    doc(Address, D::Rejected),
                    doc(Address, D::Rejected),
                    doc(Address, D::Rejected),
                ],
                R::Failed,
            ),
            (
                vec![
                    doc(Address, D::Rejected),
                    doc(Address, D::Rejected),
                    doc(Address, D::Pending),
                ],
                R::PendingReview,
            ),
            (vec![doc(Identity, D::Archived)], R::Gathering),
        ];
        for (docs, expected) in cases {
            let refs: Vec<&KycDocument> = docs.iter().collect();
            assert_eq!(r.evaluate(&refs), expected, "{docs:?}");
        }
    }

    #[test]
    fn an_accepted_credit_file_fulfils_at_once_and_a_failed_one_falls_back() {
        let r = request(&[(CreditFile, 1), (Identity, 3), (Address, 3)]);
        let accepted = [doc(CreditFile, D::Accepted)];
        assert_eq!(r.evaluate(&[&accepted[0]]), R::Fulfilled);
        let rejected = doc(CreditFile, D::Rejected);
        assert_eq!(r.evaluate(&[&rejected]), R::Attempted);
        let id = doc(Identity, D::Accepted);
        let address = doc(Address, D::Accepted);
        assert_eq!(r.evaluate(&[&rejected, &id, &address]), R::Fulfilled);
        let alone = request(&[(CreditFile, 1)]);
        assert_eq!(alone.evaluate(&[&rejected]), R::Failed);
    }

    #[test]
    fn admission_enforces_type_subtypes_and_attempts() {
        let mut r = request(&[(Identity, 2)]);
        let rejected = [doc(Identity, D::Rejected), doc(Identity, D::Rejected)];
        assert_eq!(r.admits(Identity, None, &rejected[..1]), Ok(()));
        assert_eq!(
            r.admits(Identity, None, &rejected),
            Err(Refusal::AttemptsExhausted {
                kind: Identity,
                max: 2
            })
        );
        assert_eq!(
            r.admits(Address, None, []),
            Err(Refusal::NotRequested(Address))
        );
        r.documents[0].subtypes = Some(vec!["passport".into()]);
        assert!(r.admits(Identity, Some("id-card"), []).is_err());
        assert!(r.admits(Identity, Some("passport"), []).is_ok());
        r.documents[0].max_attempts = 0;
        assert!(r.admits(Identity, None, &rejected).is_ok());
        r.status = R::Expired;
        assert_eq!(
            r.admits(Identity, None, []),
            Err(Refusal::Closed(R::Expired))
        );
    }
}
