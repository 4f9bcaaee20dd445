//! The smaller resources around KYC: attachments, liveness sessions and the KYC settings.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: String,
    pub file_id: String,
    pub related_type: String,
    pub related_id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
}

pub const ATTACHMENT_RELATED_TYPES: &[&str] = &[
    "customer",
    "customer-timeline-comment",
    "dispute",
    "gateway-timeline-comment",
    "invoice",
    "invoice-timeline-comment",
    "order-timeline-comment",
    "organization",
    "payment",
    "plan",
    "product",
    "subscription",
    "transaction",
    "transaction-timeline-comment",
];

kebab_enum!(LivenessStatus {
    Pending = "pending",
    Succeeded = "succeeded",
    Failed = "failed",
    Abandoned = "abandoned",
});

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LivenessSession {
    pub id: String,
    pub customer_id: String,
    pub kyc_request_id: String,
    pub session_id: String,
    pub status: LivenessStatus,
    pub reference_image: Option<String>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
}

/// The weights Rebilly's analyzer subtracts for failed identity checks, and its thresholds.
pub const IDENTITY_WEIGHTS: &[(&str, u8)] = &[
    ("containsImage", 20),
    ("isIdentityDocument", 20),
    ("isPublishedOnline", 10),
    ("firstName", 10),
    ("lastName", 10),
    ("expirationDate", 5),
    ("dateOfBirth", 10),
    ("issueDate", 5),
    ("hasMinimalAge", 10),
    ("hasMatchingFaceProof", 10),
    ("nationality", 5),
    ("documentSubtype", 5),
    ("isTampered", 20),
    ("isPhotocopy", 10),
    ("mrzChecksum", 5),
];

pub const ADDRESS_WEIGHTS: &[(&str, u8)] = &[
    ("firstName", 10),
    ("lastName", 10),
    ("line1", 15),
    ("city", 10),
    ("region", 5),
    ("postalCode", 10),
    ("date", 10),
    ("phone", 5),
    ("documentSubtype", 5),
    ("isTampered", 20),
];

fn proof_settings(weights: &[(&str, u8)]) -> Value {
    let weights: serde_json::Map<String, Value> = weights
        .iter()
        .map(|(name, weight)| ((*name).to_owned(), json!(weight)))
        .collect();
    json!({"weights": weights, "thresholds": {"rejectBelow": 50, "acceptAbove": 80}})
}

/// A new organization's KYC settings.
pub fn default_settings() -> Value {
    json!({
        "identityProof": proof_settings(IDENTITY_WEIGHTS),
        "addressProof": proof_settings(ADDRESS_WEIGHTS),
        "uiVersion": "1",
    })
}
