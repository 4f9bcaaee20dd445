//! Verifications: `unused` → `pending` → `completed`, with `verified` and one result per check.

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::reasons::DeclineReason;
use crate::core::scenario::TimelineRun;
use crate::core::wire_enum;

wire_enum!(VerificationStatus {
    Unused = "unused",
    Pending = "pending",
    Completed = "completed",
});

wire_enum!(Check {
    Profile = "profile",
    Document = "document",
    Facial = "facial",
    Address = "address",
    Aml = "aml",
    Financial = "financial",
    Video = "video",
    Company = "company",
});

impl VerificationStatus {
    /// Forward only, one step at a time: `unused` → `pending` → `completed`. Nothing decides a
    /// verification that was never submitted.
    pub fn may_become(self, next: VerificationStatus) -> bool {
        use VerificationStatus::*;
        matches!((self, next), (Unused, Pending) | (Pending, Completed))
    }
}

impl Check {
    pub fn from_legacy(name: &str) -> Option<Check> {
        Check::parse(&name.to_ascii_lowercase())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub verified: Option<bool>,
    pub comment: String,
    pub decline_reasons: Vec<DeclineReason>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Verification {
    pub id: String,
    /// `None` for a form link opened without an applicant, until the person submits the form.
    pub applicant_id: Option<String>,
    pub form_id: Option<String>,
    pub form_token: Option<String>,
    pub callback_url: Option<String>,
    pub status: VerificationStatus,
    pub verified: Option<bool>,
    pub checks: IndexMap<Check, CheckResult>,
    /// The applicant's documents when it was submitted: the ones its decision judges.
    pub documents: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// How many more times the person may resubmit, when a scenario says so.
    pub attempts_left: Option<u32>,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub run: Option<TimelineRun>,
}

impl Verification {
    /// Makes sure `check` has a result slot (a scenario may decide a check nobody asked for).
    pub fn ensure_check(&mut self, check: Check) -> &mut CheckResult {
        self.checks.entry(check).or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::VerificationStatus::*;

    #[test]
    fn the_status_machine_only_moves_forward() {
        assert!(Unused.may_become(Pending) && Pending.may_become(Completed));
        for (from, to) in [
            (Unused, Completed),
            (Pending, Unused),
            (Completed, Pending),
            (Completed, Unused),
        ] {
            assert!(!from.may_become(to), "{from:?} -> {to:?}");
        }
        assert!(!Pending.may_become(Pending), "no change is not a move");
    }
}
