//! What a user uploads: document images, their kinds and sides, the verification steps they
//! serve, and the per-user summary of which steps have documents.

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::core::storage::Blob;

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
pub enum DocumentStatus {
    Pending,
    Approved,
    Rejected,
}

/// An uploaded document image. `round` is the submission it belongs to (0 = first).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Image {
    pub image_id: CompactString,
    pub document_type: DocumentType,
    pub country: CompactString,
    pub side: Option<Side>,
    pub added_at: DateTime<Utc>,
    pub status: DocumentStatus,
    pub round: u32,
    pub file_name: Option<CompactString>,
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

pub(super) fn step_bit(step: StepType) -> u8 {
    match step {
        StepType::Identity => 1,
        StepType::Selfie => 2,
        StepType::ProofOfAddress => 4,
    }
}

/// The `image_summary` bit of an approved passport (the status's `has_passport`).
pub(super) const APPROVED_PASSPORT: u8 = 8;

/// What one image adds to `image_summary`.
pub(super) fn summary_bits(image: &Image) -> u8 {
    let step = if image.status == DocumentStatus::Rejected {
        0
    } else {
        step_bit(image.document_type.step())
    };
    let passport =
        image.document_type == DocumentType::Passport && image.status == DocumentStatus::Approved;
    step | if passport { APPROVED_PASSPORT } else { 0 }
}
