//! Sumvin's KYC resources and the status machine
//! `pending → in_progress → approved | rejected | retry (→ in_progress)`.

use std::cell::Cell;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::fake::FakePerson;
use crate::core::scenario::TimelineRun;
use crate::core::store::Store;
use crate::core::SeededRng;
use crate::core::TenantState;

mod images;

use self::images::{step_bit, summary_bits, APPROVED_PASSPORT};
pub use self::images::{DocumentStatus, DocumentType, Image, Side, StepType};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KycStatus {
    Pending,
    InProgress,
    Retry,
    Approved,
    Rejected,
}

impl KycStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::Retry => "retry",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::InProgress,
            Self::Retry,
            Self::Approved,
            Self::Rejected,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The moves a review (or a reviewer through the admin API) may make from here.
    pub fn allowed_next(self) -> &'static [KycStatus] {
        match self {
            Self::Pending => &[Self::InProgress],
            Self::InProgress => &[Self::Approved, Self::Rejected, Self::Retry],
            Self::Retry => &[Self::InProgress, Self::Rejected],
            Self::Approved | Self::Rejected => &[],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewAnswer {
    #[serde(rename = "GREEN")]
    Green,
    #[serde(rename = "RED")]
    Red,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepReview {
    pub answer: ReviewAnswer,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rejection {
    pub can_retry: bool,
    pub message: String,
}

/// The user's verification (Sumsub applicant) and where its review stands.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Kyc {
    pub applicant_id: String,
    pub level: String,
    pub status: KycStatus,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub verified_at: Option<DateTime<Utc>>,
    pub rejected_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<String>,
    pub rejection: Option<Rejection>,
    /// Completed submissions; the one being collected or reviewed is `submissions` (0-based).
    pub submissions: u32,
    pub reviews: BTreeMap<StepType, StepReview>,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub run: Option<TimelineRun>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub session_id: String,
    /// The credential that redeemed it: only that one may replay the redemption.
    pub redeemed_by: Option<crate::core::TenantId>,
    #[serde(deserialize_with = "crate::core::snapshot::interned")]
    pub origin: crate::core::snapshot::StaticText,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub redeemed_at: Option<DateTime<Utc>>,
    pub idempotency_key: Option<String>,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub access_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShareToken {
    pub for_client_id: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub expires_in: u32,
}

/// What a review decides, from a scenario step or from `POST /__admin/transitions`.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub message: Option<String>,
    /// Steps the decision marks RED; empty (or none of the level's) means every step of the level.
    pub steps: Vec<StepType>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct IllegalMove {
    pub from: KycStatus,
    pub to: KycStatus,
}

/// Everything one Sumvin user (one credential) has.
#[derive(Clone, Serialize, Deserialize)]
pub struct SumvinTenant {
    pub user_id: String,
    /// When the user first called (the user's `created_at`).
    pub created_at: DateTime<Utc>,
    pub person: FakePerson,
    pub kyc: Option<Kyc>,
    /// Read through `images()`, added to through `add_image`, so `image_summary` stays true.
    images: Store<Image>,
    /// Which steps have documents (a bit per `StepType`) and whether a passport was approved,
    /// worked out when first asked and kept up to date as images are added; a review's verdicts
    /// clear it. Every upload and every status poll asks, and scanning every image each time made
    /// a user's calls slower the more images they had.
    #[serde(skip)]
    image_summary: Cell<Option<u8>>,
    pub sessions: Store<Session>,
    pub share_tokens: Vec<ShareToken>,
    pub access_tokens_issued: u32,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub rng: SeededRng,
}

const DEFAULT_REJECT_MESSAGE: &str = "Verification was declined after review.";
const DEFAULT_RETRY_MESSAGE: &str = "Please upload the requested documents again.";

impl TenantState for SumvinTenant {
    fn holds_nothing(&self) -> bool {
        self.kyc.is_none()
            && self.images.is_empty()
            && self.sessions.is_empty()
            && self.share_tokens.is_empty()
            && self.access_tokens_issued == 0
    }
}

impl SumvinTenant {
    pub fn new(mut rng: SeededRng, now: DateTime<Utc>) -> Self {
        let user_id = format!("usr_{}", rng.hex(24));
        let person = FakePerson::generate(&mut rng);
        SumvinTenant {
            user_id,
            created_at: now,
            person,
            kyc: None,
            images: Store::default(),
            image_summary: Cell::new(None),
            sessions: Store::default(),
            share_tokens: Vec::new(),
            access_tokens_issued: 0,
            rng,
        }
    }

    pub fn is_untouched(&self) -> bool {
        self.kyc.is_none() && self.images.is_empty() && self.sessions.is_empty()
    }

    /// Creates the applicant if there is none; returns whether it already existed.
    pub fn ensure_kyc(&mut self, level: &str, now: DateTime<Utc>) -> bool {
        if self.kyc.is_some() {
            return true;
        }
        let applicant_id = self.rng.hex(24);
        self.kyc = Some(Kyc {
            applicant_id,
            level: level.to_owned(),
            status: KycStatus::Pending,
            created_at: now,
            started_at: None,
            verified_at: None,
            rejected_at: None,
            reject_reason: None,
            rejection: None,
            submissions: 0,
            reviews: BTreeMap::new(),
            run: None,
        });
        false
    }

    /// The submission new uploads belong to: after a retry request, the next one.
    pub fn collecting_round(&self) -> u32 {
        self.kyc.as_ref().map_or(0, |k| match k.status {
            KycStatus::Retry => k.submissions + 1,
            _ => k.submissions,
        })
    }

    pub fn images(&self) -> &Store<Image> {
        &self.images
    }

    pub fn add_image(&mut self, image: Image) {
        if let Some(summary) = self.image_summary.get() {
            self.image_summary.set(Some(summary | summary_bits(&image)));
        }
        self.images.insert(image.image_id.clone(), image);
    }

    fn summary(&self) -> u8 {
        self.image_summary.get().unwrap_or_else(|| {
            let summary = self
                .images
                .values()
                .fold(0, |bits, i| bits | summary_bits(i));
            self.image_summary.set(Some(summary));
            summary
        })
    }

    /// A step has documents when an image for it was uploaded and not rejected by a review.
    pub fn has_documents_for(&self, step: StepType) -> bool {
        self.summary() & step_bit(step) != 0
    }

    /// Whether a review approved a passport image.
    pub fn has_approved_passport(&self) -> bool {
        self.summary() & APPROVED_PASSPORT != 0
    }

    /// The one place a verification changes status; it keeps the timestamps, the rejection, the
    /// step reviews and the document statuses consistent with each other.
    pub fn transition(
        &mut self,
        to: KycStatus,
        at: DateTime<Utc>,
        decision: Decision,
        level_steps: &[StepType],
    ) -> Result<(), IllegalMove> {
        let kyc = self.kyc.as_mut().expect("transition needs an applicant");
        if !kyc.status.allowed_next().contains(&to) {
            return Err(IllegalMove {
                from: kyc.status,
                to,
            });
        }
        let named: Vec<StepType> = decision
            .steps
            .iter()
            .copied()
            .filter(|s| level_steps.contains(s))
            .collect();
        let red_steps = if named.is_empty() {
            level_steps.to_vec()
        } else {
            named
        };
        let round = kyc.submissions;
        match to {
            KycStatus::Pending => {}
            KycStatus::InProgress => {
                if kyc.status == KycStatus::Retry {
                    kyc.submissions += 1;
                }
                kyc.started_at.get_or_insert(at);
                kyc.reject_reason = None;
                kyc.rejection = None;
                kyc.reviews.clear();
            }
            KycStatus::Approved => {
                kyc.verified_at = Some(at);
                kyc.rejection = None;
                kyc.reject_reason = None;
                kyc.reviews = level_steps
                    .iter()
                    .map(|s| {
                        (
                            *s,
                            StepReview {
                                answer: ReviewAnswer::Green,
                                comment: None,
                            },
                        )
                    })
                    .collect();
            }
            KycStatus::Rejected | KycStatus::Retry => {
                let can_retry = to == KycStatus::Retry;
                let default = if can_retry {
                    DEFAULT_RETRY_MESSAGE
                } else {
                    DEFAULT_REJECT_MESSAGE
                };
                let message = decision.message.unwrap_or_else(|| default.to_owned());
                if !can_retry {
                    kyc.rejected_at = Some(at);
                }
                kyc.reject_reason = Some(message.clone());
                kyc.rejection = Some(Rejection {
                    can_retry,
                    message: message.clone(),
                });
                kyc.reviews = level_steps
                    .iter()
                    .map(|s| {
                        let red = red_steps.contains(s);
                        let review = StepReview {
                            answer: if red {
                                ReviewAnswer::Red
                            } else {
                                ReviewAnswer::Green
                            },
                            comment: red.then(|| message.clone()),
                        };
                        (*s, review)
                    })
                    .collect();
            }
        }
        kyc.status = to;
        if matches!(
            to,
            KycStatus::Approved | KycStatus::Rejected | KycStatus::Retry
        ) {
            let reviews = kyc.reviews.clone();
            self.image_summary.set(None);
            for image in self.images.values_mut().filter(|i| i.round == round) {
                image.status = match reviews.get(&image.document_type.step()).map(|r| r.answer) {
                    Some(ReviewAnswer::Red) => DocumentStatus::Rejected,
                    _ => DocumentStatus::Approved,
                };
            }
        }
        if to != KycStatus::InProgress {
            kyc.run = None;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
