//! What a Qolo scenario decides when KYC runs: the electronic verification's outcome, whether
//! out-of-wallet questions follow and how their answers fare, and how a document is judged.

use serde::{Deserialize, Serialize};

use super::model::PersonStatus;
use crate::core::scenario::{Effect, EventSchema};

/// Fired when a person's KYC runs: on create, and on Perform KYC with new data or a new program.
pub const KYC: &str = "kyc";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QoloEffect {
    /// The screening's or electronic verification's result. `UNVERIFIED` with `oow` asks
    /// questions; `SANCTIONED`, `PEP` and `NEGLIST` are screening hits (in SDD too).
    pub person_status: PersonStatus,
    /// Out-of-wallet questions follow an `UNVERIFIED` result; `pass` clears the person when each
    /// answer is the question's first option, `fail` never does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oow: Option<Outcome>,
    /// How a document verification ends (default `pass`: the person is cleared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Outcome>,
    /// `additional_desc` and the result's `reason_code` text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Default for QoloEffect {
    fn default() -> Self {
        QoloEffect {
            person_status: PersonStatus::Cleared,
            oow: None,
            document: None,
            reason: None,
        }
    }
}

impl Effect for QoloEffect {
    const PROVIDER: &'static str = "qolo";
    const EVENTS: &'static [EventSchema] = &[EventSchema {
        name: KYC,
        facts: &[
            "first_name",
            "last_name",
            "email",
            "birth_date",
            "govt_id_type",
            "govt_id_number",
            "country",
            "verification_mode",
            "program_guid",
            "attempt",
        ],
    }];

    /// KYC answers at once, so a Qolo scenario is one step.
    fn check_timeline(steps: &[&Self]) -> Result<(), (usize, String)> {
        if steps.len() > 1 {
            return Err((
                1,
                "a Qolo scenario decides when KYC runs, so its timeline has one step".into(),
            ));
        }
        if let Some(step) = steps.first() {
            if step.oow.is_some() && step.person_status != PersonStatus::Unverified {
                return Err((0, "oow questions follow an UNVERIFIED result only".into()));
            }
        }
        Ok(())
    }
}
