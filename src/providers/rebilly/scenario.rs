//! What Rebilly scenario steps may do to a KYC document, and which facts choose a scenario.

use serde::{Deserialize, Serialize};

use super::model::{Decision, Rejection, RejectionType};
use crate::core::scenario::{Effect, EventSchema};

/// Fired when a KYC document is created (through the API or `PUT` with a new id).
pub const DOCUMENT_CREATED: &str = "kyc-document.created";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RebillyEffect {
    pub status: Outcome,
    /// For `rejected`: one of the spec's 19 rejection types (default `other`).
    #[serde(
        default,
        rename = "rejectionType",
        skip_serializing_if = "Option::is_none"
    )]
    pub rejection_type: Option<RejectionType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    InProgress,
    Accepted,
    Rejected,
    Archived,
}

impl RebillyEffect {
    pub fn into_decision(self) -> Decision {
        match self.status {
            Outcome::InProgress => Decision::Analyze,
            Outcome::Accepted => Decision::Accept,
            Outcome::Archived => Decision::Archive,
            Outcome::Rejected => Decision::Reject(Rejection {
                kind: self.rejection_type.unwrap_or(RejectionType::Other),
                message: self.message,
            }),
        }
    }
}

impl Effect for RebillyEffect {
    const PROVIDER: &'static str = "rebilly";
    const EVENTS: &'static [EventSchema] = &[EventSchema {
        name: DOCUMENT_CREATED,
        facts: &[
            "document_type",
            "document_subtype",
            "customer_id",
            "file_name",
        ],
    }];
}
