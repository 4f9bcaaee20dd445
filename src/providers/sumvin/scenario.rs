//! What Sumvin scenario steps may do, and which request facts choose a scenario.

use serde::{Deserialize, Serialize};

use super::model::{Decision, KycStatus, StepType};
use crate::core::scenario::{Effect, EventSchema};

/// The event fired when a submission goes to review (all required documents uploaded, or submit).
pub const REVIEW_STARTED: &str = "review.started";

/// `set:` of a Sumvin step: the review decision.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumvinEffect {
    pub status: ReviewOutcome,
    /// Rejection or retry message (`reject_reason`, `rejection.message`, moderation comment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Steps marked RED; by default every step of the level.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepType>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    Approved,
    Rejected,
    Retry,
}

impl SumvinEffect {
    pub fn into_decision(self) -> (KycStatus, Decision) {
        let status = match self.status {
            ReviewOutcome::Approved => KycStatus::Approved,
            ReviewOutcome::Rejected => KycStatus::Rejected,
            ReviewOutcome::Retry => KycStatus::Retry,
        };
        (
            status,
            Decision {
                message: self.message,
                steps: self.steps,
            },
        )
    }
}

impl Effect for SumvinEffect {
    const PROVIDER: &'static str = "sumvin";
    const EVENTS: &'static [EventSchema] = &[EventSchema {
        name: REVIEW_STARTED,
        facts: &["file_name", "country", "document_type", "level", "attempt"],
    }];

    /// Every Sumvin step is a review decision, and a decision ends the review: after a retry the
    /// next submission picks its own scenario. A second step could never apply.
    fn check_timeline(steps: &[&Self]) -> Result<(), (usize, String)> {
        if steps.len() > 1 {
            return Err((
                1,
                "a Sumvin review ends at its first decision, so a timeline has at most one step \
                 (after a retry, the next submission picks its own scenario, e.g. with `attempt: 2`)"
                    .into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::core::scenario::{parse_scenario, Source};

    #[test]
    fn a_timeline_ends_at_its_decision() {
        let source = Source {
            path: "two.yaml".into(),
            text: "name: two\nprovider: sumvin\non: review.started\ntimeline:\n  - set: { status: retry }\n  - after_reads: 3\n    set: { status: approved }\n".into(),
        };
        let err = parse_scenario(&[super::super::scenario_schema()], &source).unwrap_err();
        assert!(
            err.message
                .starts_with("timeline[1]: a Sumvin review ends at its first decision"),
            "{err}"
        );
        assert_eq!(err.line, 4);
    }
}
