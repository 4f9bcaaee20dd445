//! Rebilly resources: files, customers and KYC documents with their status machine; KYC requests
//! in `request`.

use crate::core::storage::Blob;
use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::core::scenario::TimelineRun;

/// Rebilly's timestamp format: RFC 3339, UTC, whole seconds; formatted where it is written
/// (`ObjectWriter::display`), without an intermediate `String`.
pub fn rfc3339(t: DateTime<Utc>) -> crate::core::time_text::SecondsText {
    crate::core::time_text::seconds_text(t, b'T', "Z")
}

use crate::core::wire_enum;

mod customer;
mod extras;
mod request;
pub mod session;
pub mod tenant;

pub use customer::{Customer, CustomerChange};
pub use extras::{
    default_settings, Attachment, BasicCredentials, LivenessSession, LivenessStatus, Webhook,
    WebhookHeader, ADDRESS_WEIGHTS, ATTACHMENT_RELATED_TYPES, IDENTITY_WEIGHTS, KYC_EVENTS,
};
pub use request::{KycRequest, Refusal, RequestStatus, RequestedDocument, DEFAULT_MAX_ATTEMPTS};
pub use tenant::{RebillyTenant, MODIFIED, REVIEWED};

wire_enum!(DocumentType {
    Identity = "identity-proof",
    Address = "address-proof",
    Funds = "funds-proof",
    Purchase = "purchase-proof",
    CreditFile = "credit-file-proof",
});

wire_enum!(DocumentStatus {
    Pending = "pending",
    InProgress = "in-progress",
    Accepted = "accepted",
    Rejected = "rejected",
    Archived = "archived",
});

wire_enum!(RejectionType {
    Unreadable = "document-unreadable",
    Expired = "document-expired",
    WasValidButExpired = "document-was-valid-but-expired",
    NotMatching = "document-not-matching",
    Duplicate = "document-duplicate",
    Invalid = "document-invalid",
    NotOpen = "document-not-open",
    Underage = "underage-person",
    ThirdParty = "third-party-or-mismatch",
    ExpirationDateMissing = "expiration-date-missing",
    IssueDateMissing = "issue-date-missing",
    SubtypeMissing = "subtype-missing",
    DobMismatch = "dob-mismatch",
    NameMismatch = "name-mismatch",
    NameAndDobMismatch = "name-and-dob-mismatch",
    CriticalInfoMissing = "critical-info-missing",
    OldAddressOnId = "old-address-on-id",
    Tampered = "tampered-document",
    Other = "other",
});

pub const SUBTYPES: &[&str] = &[
    "passport",
    "id-card",
    "driver-license",
    "birth-certificate",
    "utility-bill",
    "rental-receipt",
    "lease-agreement",
    "copy-credit-card",
    "credit-card-statement",
    "bank-statement",
    "inheritance-documentation",
    "tax-return",
    "salary-slip",
    "sale-of-assets",
    "public-health-card",
    "proof-of-age-card",
    "reverse-of-id",
    "public-service",
    "ewallet-holder-details",
    "ewallet-transaction-statement",
    "marriage-certificate",
    "firearms-license",
    "insurance-letter",
    "income-statement",
    "debtors-letter",
    "other",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    #[serde(rename = "type")]
    pub kind: RejectionType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct File {
    pub id: String,
    pub name: String,
    /// The spec types it `string`, not nullable: absent until one is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub extension: String,
    #[serde(deserialize_with = "crate::core::snapshot::interned")]
    pub mime: crate::core::snapshot::StaticText,
    pub size: usize,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sha1: String,
    pub tags: Vec<String>,
    pub source_type: Option<String>,
    pub is_public: bool,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub data: Blob,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KycDocument {
    pub id: String,
    pub customer_id: String,
    pub document_type: DocumentType,
    pub document_subtype: Option<String>,
    pub file_ids: Vec<String>,
    pub status: DocumentStatus,
    pub rejection_reason: Option<Rejection>,
    pub request_id: Option<String>,
    pub notes: Option<String>,
    pub reason: Option<String>,
    pub match_level: u8,
    /// Set from the sandbox reviewer's constants, so a review allocates nothing for them.
    pub reviewer_id: Option<CompactString>,
    pub reviewer_name: Option<CompactString>,
    pub review_start_time: Option<DateTime<Utc>>,
    pub review_time: Option<DateTime<Utc>>,
    pub processed_time: Option<DateTime<Utc>>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
    pub revision: u32,
    pub tags: Vec<String>,
    /// Analysis fields a reviewer overwrote (`POST /kyc-documents/{id}/matches`); boxed, as few
    /// documents have any and every document is stored in a slot this size.
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump", default)]
    pub matches_override: Option<Box<serde_json::Map<String, serde_json::Value>>>,
    /// The automated review this document is going through, if any.
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub run: Option<TimelineRun>,
    /// The automated review's last decision (accepted or rejected) and when; the reports tell
    /// automatic decisions from reviewers' ones with it.
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub automated: Option<(DocumentStatus, DateTime<Utc>)>,
}

/// A review decision, from the review calls, a scenario or the admin API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Analyze,
    Accept,
    Reject(Rejection),
    Archive,
}

impl DocumentStatus {
    /// The statuses a document may move to from here.
    pub fn allowed_next(self) -> &'static [DocumentStatus] {
        use DocumentStatus::*;
        match self {
            Pending => &[InProgress, Accepted, Rejected, Archived],
            InProgress => &[Accepted, Rejected, Archived],
            Accepted => &[Rejected, Archived],
            Rejected => &[Accepted, Archived],
            Archived => &[],
        }
    }
}

/// The sandbox reviewer that review calls made with a secret key act as.
pub const REVIEWER_ID: &str = "usr_sandbox_reviewer";
pub const REVIEWER_NAME: &str = "Sandbox Reviewer";

impl KycDocument {
    /// The one place a document changes status: keeps timestamps, rejection and revision consistent.
    pub fn transition(
        &mut self,
        decision: Decision,
        at: DateTime<Utc>,
    ) -> Result<(), (DocumentStatus, DocumentStatus)> {
        let to = match &decision {
            Decision::Analyze => DocumentStatus::InProgress,
            Decision::Accept => DocumentStatus::Accepted,
            Decision::Reject(_) => DocumentStatus::Rejected,
            Decision::Archive => DocumentStatus::Archived,
        };
        if !self.status.allowed_next().contains(&to) {
            return Err((self.status, to));
        }
        match decision {
            Decision::Analyze | Decision::Archive => {}
            Decision::Accept => {
                self.rejection_reason = None;
                self.processed_time = Some(at);
            }
            Decision::Reject(rejection) => {
                self.rejection_reason = Some(rejection);
                self.processed_time = Some(at);
            }
        }
        self.status = to;
        self.touch(at);
        Ok(())
    }

    /// A decision of the automated review (a scenario step), remembered for the reports.
    pub fn decide_automatically(
        &mut self,
        decision: Decision,
        at: DateTime<Utc>,
    ) -> Result<(), (DocumentStatus, DocumentStatus)> {
        self.transition(decision, at)?;
        if matches!(
            self.status,
            DocumentStatus::Accepted | DocumentStatus::Rejected
        ) {
            self.automated = Some((self.status, at));
        }
        Ok(())
    }

    pub fn touch(&mut self, at: DateTime<Utc>) {
        self.updated_time = at;
        self.revision += 1;
    }

    pub fn start_review(&mut self, at: DateTime<Utc>) {
        self.reviewer_id = Some(CompactString::const_new(REVIEWER_ID));
        self.reviewer_name = Some(CompactString::const_new(REVIEWER_NAME));
        self.review_start_time = Some(at);
        self.touch(at);
    }

    /// A manual review call (acceptance, rejection, review): the reviewer who made it, and when.
    pub fn mark_reviewed(&mut self, at: DateTime<Utc>) {
        self.reviewer_id
            .get_or_insert(CompactString::const_new(REVIEWER_ID));
        self.reviewer_name
            .get_or_insert(CompactString::const_new(REVIEWER_NAME));
        self.review_time = Some(at);
    }

    pub fn stop_review(&mut self, at: DateTime<Utc>) {
        self.reviewer_id = None;
        self.reviewer_name = None;
        self.review_start_time = None;
        self.touch(at);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn document() -> KycDocument {
        let t = Utc::now();
        KycDocument {
            id: "kyc_doc_1".into(),
            customer_id: "cus_1".into(),
            document_type: DocumentType::Identity,
            document_subtype: None,
            file_ids: vec![],
            status: DocumentStatus::Pending,
            rejection_reason: None,
            request_id: None,
            notes: None,
            reason: None,
            match_level: 2,
            reviewer_id: None,
            reviewer_name: None,
            review_start_time: None,
            review_time: None,
            processed_time: None,
            created_time: t,
            updated_time: t,
            revision: 1,
            tags: vec![],
            matches_override: Default::default(),
            run: None,
            automated: None,
        }
    }

    #[test]
    fn decisions_follow_the_machine() {
        let mut d = document();
        let t = Utc::now();
        d.transition(Decision::Analyze, t).unwrap();
        let rejection = Rejection {
            kind: RejectionType::Expired,
            message: None,
        };
        d.transition(Decision::Reject(rejection.clone()), t)
            .unwrap();
        assert_eq!(
            (d.status, d.rejection_reason.clone(), d.revision),
            (DocumentStatus::Rejected, Some(rejection), 3)
        );
        d.transition(Decision::Accept, t).unwrap();
        assert_eq!(d.rejection_reason, None);
        assert_eq!(
            d.transition(Decision::Accept, t),
            Err((DocumentStatus::Accepted, DocumentStatus::Accepted))
        );
        d.transition(Decision::Archive, t).unwrap();
        assert!(d.transition(Decision::Analyze, t).is_err());
        assert_eq!(RejectionType::NAMES.len(), 19);
        assert_eq!(SUBTYPES.len(), 26);
    }
}
