//! The smaller resources around KYC: attachments, liveness sessions and the KYC settings.

use crate::core::wire_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize, Deserialize)]
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

wire_enum!(LivenessStatus {
    Pending = "pending",
    Succeeded = "succeeded",
    Failed = "failed",
    Abandoned = "abandoned",
});

#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// The ten KYC events Rebilly sends webhooks for.
pub const KYC_EVENTS: &[&str] = &[
    "kyc-document-created",
    "kyc-document-modified",
    "kyc-document-accepted",
    "kyc-document-rejected",
    "kyc-document-reviewed",
    "kyc-document-archived",
    "kyc-request-attempted",
    "kyc-request-partially-fulfilled",
    "kyc-request-fulfilled",
    "kyc-request-failed",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookHeader {
    pub name: String,
    pub value: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BasicCredentials {
    pub username: String,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub password: String,
}

/// A webhook an organization configured (Rebilly's `GlobalWebhook`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: String,
    pub events_filter: Vec<String>,
    pub status: String,
    pub method: String,
    pub url: String,
    pub headers: Vec<WebhookHeader>,
    pub credential_hash: String,
    /// HTTP Basic credentials sent with every delivery (Rebilly's `WebhookAuthorization`).
    pub authorization: Option<BasicCredentials>,
    pub body: Option<String>,
    pub filter: Option<String>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
}

impl Webhook {
    pub fn wants(&self, event_type: &str) -> bool {
        self.status == "active"
            && (self.events_filter.is_empty() || self.events_filter.iter().any(|e| e == event_type))
    }
}
