//! What a Hermes scenario does to a login: decline it, change what `get_data` returns, or make
//! the data API fail like a provider outage. Chosen when the login is decided (by the identity,
//! its document, or `sandbox_scenario` on the authorize URL), or per call with `X-Sandbox-Scenario`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::core::scenario::{Effect, EventSchema};

/// Fired when a person approves a login (on the page or with `sandbox_decision=approve`).
pub const LOGIN: &str = "login";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HermesEffect {
    /// The person declines in the app: the login redirects with `error=access_denied`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub decline: bool,
    /// `kyc_data` without document pictures or person photo (as when none were captured).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_pictures: bool,
    /// Replaces fields of the identity's document in `kyc_data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentOverride>,
    /// Makes a data API call fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail: Option<Failure>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentOverride {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuance_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    GetToken,
    GetData,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Failure {
    pub call: Call,
    /// An HTTP error status, 400–599.
    pub status: u16,
    pub message: String,
    /// How many calls fail before one succeeds; every call when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

impl Effect for HermesEffect {
    const PROVIDER: &'static str = "hermes";
    const EVENTS: &'static [EventSchema] = &[EventSchema {
        name: LOGIN,
        facts: &[
            "identity",
            "document_type",
            "country",
            "kyc_data",
            "client_id",
        ],
    }];

    /// A login is decided at once, so a Hermes scenario is one step.
    fn check_timeline(steps: &[&Self]) -> Result<(), (usize, String)> {
        if steps.len() > 1 {
            return Err((
                1,
                "a Hermes scenario applies when the login is decided, so its timeline has one step"
                    .into(),
            ));
        }
        if let Some(fail) = steps.first().and_then(|s| s.fail.as_ref()) {
            if !(400..=599).contains(&fail.status) {
                return Err((
                    0,
                    format!(
                        "fail.status must be an HTTP error status (400-599), not {}",
                        fail.status
                    ),
                ));
            }
        }
        Ok(())
    }
}
