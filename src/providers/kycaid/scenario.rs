//! What KYCAID scenario steps may do to a verification, and which facts choose a scenario.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::{Check, DeclineReason, VerificationStatus};
use crate::core::scenario::{Effect, EventSchema};

/// Fired when a verification is submitted for review: created through the API, or its hosted
/// form completed.
pub const SUBMITTED: &str = "verification.submitted";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KycaidEffect {
    pub status: VerificationStatus,
    /// For `completed`: the checks that fail, each with its decline reasons; every other check
    /// passes, and the verification is `verified` when none fails.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub declined: BTreeMap<Check, Vec<DeclineReason>>,
    /// The comment a reviewer leaves on the failed checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Sends a `DATABASE_SCREENING` callback reporting these blacklist hits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening: Option<Screening>,
    /// `verification_attempts_left` from this step on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screening {
    pub databases: Vec<String>,
    pub list_types: Vec<String>,
}

impl Effect for KycaidEffect {
    const PROVIDER: &'static str = "kycaid";
    const EVENTS: &'static [EventSchema] = &[EventSchema {
        name: SUBMITTED,
        facts: &[
            "applicant_type",
            "first_name",
            "last_name",
            "email",
            "residence_country",
            "nationality",
            "document_number",
            "document_type",
            "form_id",
            "check",
            "attempt",
        ],
    }];

    fn check_timeline(steps: &[&Self]) -> Result<(), (usize, String)> {
        for (i, step) in steps.iter().enumerate() {
            let decides = !step.declined.is_empty() || step.comment.is_some();
            if decides && step.status != VerificationStatus::Completed {
                return Err((
                    i,
                    "`declined` and `comment` only apply to a step with `status: completed`".into(),
                ));
            }
        }
        Ok(())
    }
}
