//! Sumvin's KYC resources and the status machine
//! `pending → in_progress → approved | rejected | retry (→ in_progress)`.

use std::cell::Cell;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::core::fake::FakePerson;
use crate::core::scenario::TimelineRun;
use crate::core::storage::Blob;
use crate::core::store::Store;
use crate::core::SeededRng;
use crate::core::TenantState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentType {
    Passport,
    IdCard,
    Drivers,
    Selfie,
    ProofOfAddress,
}

impl DocumentType {
    pub const NAMES: &'static [&'static str] = &[
        "PASSPORT",
        "ID_CARD",
        "DRIVERS",
        "SELFIE",
        "PROOF_OF_ADDRESS",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "PASSPORT" => Self::Passport,
            "ID_CARD" => Self::IdCard,
            "DRIVERS" => Self::Drivers,
            "SELFIE" => Self::Selfie,
            "PROOF_OF_ADDRESS" => Self::ProofOfAddress,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    pub fn step(self) -> StepType {
        match self {
            Self::Passport | Self::IdCard | Self::Drivers => StepType::Identity,
            Self::Selfie => StepType::Selfie,
            Self::ProofOfAddress => StepType::ProofOfAddress,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Side {
    FrontSide,
    BackSide,
}

impl Side {
    pub const NAMES: &'static [&'static str] = &["FRONT_SIDE", "BACK_SIDE"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "FRONT_SIDE" => Some(Self::FrontSide),
            "BACK_SIDE" => Some(Self::BackSide),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A verification level's step, as Sumsub names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StepType {
    Identity,
    Selfie,
    ProofOfAddress,
}

impl StepType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "IDENTITY",
            Self::Selfie => "SELFIE",
            Self::ProofOfAddress => "PROOF_OF_ADDRESS",
        }
    }
}

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
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Pending,
    Approved,
    Rejected,
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

/// An uploaded document image. `round` is the submission it belongs to (0 = first).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Image {
    pub image_id: String,
    pub document_type: DocumentType,
    pub country: String,
    pub side: Option<Side>,
    pub added_at: DateTime<Utc>,
    pub status: DocumentStatus,
    pub round: u32,
    pub file_name: Option<String>,
    #[serde(deserialize_with = "crate::core::snapshot::interned")]
    pub content_type: crate::core::snapshot::StaticText,
    pub width: Option<u32>,
    pub height: Option<u32>,
    #[serde(rename = "file_size", serialize_with = "serialize_len")]
    pub data: Blob,
}

/// The dump shows the size; a snapshot keeps the bytes.
fn serialize_len<S: serde::Serializer>(data: &Blob, s: S) -> Result<S::Ok, S::Error> {
    if crate::core::snapshot::capturing() {
        return data.serialize(s);
    }
    s.serialize_u64(data.len() as u64)
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

fn step_bit(step: StepType) -> u8 {
    match step {
        StepType::Identity => 1,
        StepType::Selfie => 2,
        StepType::ProofOfAddress => 4,
    }
}

/// The `image_summary` bit of an approved passport (the status's `has_passport`).
const APPROVED_PASSPORT: u8 = 8;

/// What one image adds to `image_summary`.
fn summary_bits(image: &Image) -> u8 {
    let step = if image.status == DocumentStatus::Rejected {
        0
    } else {
        step_bit(image.document_type.step())
    };
    let passport =
        image.document_type == DocumentType::Passport && image.status == DocumentStatus::Approved;
    step | if passport { APPROVED_PASSPORT } else { 0 }
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
mod tests {
    use super::*;

    fn tenant() -> SumvinTenant {
        let mut t = SumvinTenant::new(SeededRng::derive(1, "t"), DateTime::UNIX_EPOCH);
        t.ensure_kyc("basic-kyc-level", Utc::now());
        t
    }

    const STEPS: &[StepType] = &[StepType::Identity, StepType::Selfie];

    /// Review starts, then asks for the identity step again ("blurry").
    fn submit_then_retry_identity(t: &mut SumvinTenant, now: DateTime<Utc>) {
        t.transition(KycStatus::InProgress, now, Decision::default(), STEPS)
            .unwrap();
        let decision = Decision {
            message: Some("blurry".into()),
            steps: vec![StepType::Identity],
        };
        t.transition(KycStatus::Retry, now, decision, STEPS)
            .unwrap();
    }

    #[test]
    fn machine_refuses_illegal_moves() {
        let mut t = tenant();
        let now = Utc::now();
        assert_eq!(
            t.transition(KycStatus::Approved, now, Decision::default(), STEPS),
            Err(IllegalMove {
                from: KycStatus::Pending,
                to: KycStatus::Approved
            })
        );
        t.transition(KycStatus::InProgress, now, Decision::default(), STEPS)
            .unwrap();
        t.transition(KycStatus::Approved, now, Decision::default(), STEPS)
            .unwrap();
        assert!(t
            .transition(KycStatus::Rejected, now, Decision::default(), STEPS)
            .is_err());
        let kyc = t.kyc.as_ref().unwrap();
        assert_eq!(kyc.verified_at, Some(now));
        assert_eq!(kyc.reviews[&StepType::Identity].answer, ReviewAnswer::Green);
    }

    fn image(n: u32, document_type: DocumentType, round: u32) -> Image {
        Image {
            image_id: n.to_string(),
            document_type,
            country: "GBR".into(),
            side: None,
            added_at: DateTime::UNIX_EPOCH,
            status: DocumentStatus::Pending,
            round,
            file_name: None,
            content_type: "image/png",
            width: None,
            height: None,
            data: Blob::pending(Default::default()),
        }
    }

    #[test]
    fn steps_with_documents_follow_uploads_and_verdicts() {
        let mut t = tenant();
        let now = Utc::now();
        assert!(!t.has_documents_for(StepType::Identity), "nothing uploaded");
        t.add_image(image(1, DocumentType::Passport, 0));
        assert!(t.has_documents_for(StepType::Identity));
        assert!(!t.has_documents_for(StepType::Selfie));
        t.add_image(image(2, DocumentType::Selfie, 0));
        assert!(
            t.has_documents_for(StepType::Selfie),
            "known, then added to"
        );
        submit_then_retry_identity(&mut t, now);
        assert!(
            !t.has_documents_for(StepType::Identity),
            "its image was rejected"
        );
        assert!(t.has_documents_for(StepType::Selfie));
        assert!(!t.has_approved_passport(), "the passport was rejected");
        t.add_image(image(3, DocumentType::IdCard, 1));
        assert!(t.has_documents_for(StepType::Identity), "uploaded again");
        // A restored tenant starts without the summary (it is not serialized) and works it out.
        let restored = t.clone();
        restored.image_summary.set(None);
        assert!(restored.has_documents_for(StepType::Identity));
        assert!(!restored.has_documents_for(StepType::ProofOfAddress));
    }

    #[test]
    fn an_approved_passport_is_known_after_the_review() {
        let mut t = tenant();
        let now = Utc::now();
        t.add_image(image(1, DocumentType::Passport, 0));
        t.add_image(image(2, DocumentType::Selfie, 0));
        assert!(!t.has_approved_passport(), "not reviewed yet");
        t.transition(KycStatus::InProgress, now, Decision::default(), STEPS)
            .unwrap();
        t.transition(KycStatus::Approved, now, Decision::default(), STEPS)
            .unwrap();
        assert!(t.has_approved_passport());
    }

    #[test]
    fn retry_then_resubmit_starts_a_new_round() {
        let mut t = tenant();
        let now = Utc::now();
        submit_then_retry_identity(&mut t, now);
        let kyc = t.kyc.as_ref().unwrap();
        assert!(kyc.rejection.as_ref().unwrap().can_retry);
        assert_eq!(kyc.rejected_at, None);
        assert_eq!(kyc.reviews[&StepType::Selfie].answer, ReviewAnswer::Green);
        assert_eq!(
            kyc.reviews[&StepType::Identity].comment.as_deref(),
            Some("blurry")
        );
        t.transition(KycStatus::InProgress, now, Decision::default(), STEPS)
            .unwrap();
        let kyc = t.kyc.as_ref().unwrap();
        assert_eq!((kyc.submissions, kyc.rejection.is_none()), (1, true));
    }
}
