//! One Qolo login's state: its persons with their KYC, and its webhook subscriptions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fixtures::VerificationMode;
use super::scenario::QoloEffect;
use crate::core::json_out::Rendered;
use crate::core::storage::Blob;
use crate::core::store::Store;
use crate::core::wire_enum::wire_enum;
use crate::core::{SeededRng, TenantState};

wire_enum!(PersonStatus {
    Cleared = "CLEARED",
    Incomplete = "INCOMPLETE",
    Unverified = "UNVERIFIED",
    Anonymous = "ANONYMOUS",
    Sanctioned = "SANCTIONED",
    Pep = "PEP",
    Neglist = "NEGLIST",
});

impl PersonStatus {
    /// A screening hit: only a client override with `override_sanction_check` clears it.
    pub fn is_restricted(self) -> bool {
        matches!(
            self,
            PersonStatus::Sanctioned | PersonStatus::Pep | PersonStatus::Neglist
        )
    }
}

/// An out-of-wallet question; the right answer is kept, never shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Question {
    pub prompt: String,
    pub key: String,
    pub options: Vec<String>,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub answer: String,
}

/// Where a verified document's images are served (`documents` of a result).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocumentRefs {
    pub document_reference: String,
    pub file_type: String,
    pub back_file_type: Option<String>,
    pub front_docpath: String,
    pub back_docpath: Option<String>,
    pub face_image_docpath: Option<String>,
}

/// One entry of `verificationResults`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerificationResult {
    pub person_guid: String,
    pub verification_method: String,
    pub verification_date: DateTime<Utc>,
    pub document_type: Option<String>,
    pub document_path: Option<String>,
    pub response_code: String,
    pub verification_results: String,
    pub reason_code: Option<String>,
    pub questions: Vec<Question>,
    pub provider_reference: String,
    pub provider_name: String,
    pub documents: Option<DocumentRefs>,
}

/// A document's images as received (each leased from the sandbox's storage).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredDocument {
    pub reference: String,
    pub document_type: String,
    pub issuing_country: Option<String>,
    #[serde(serialize_with = "mime_of", deserialize_with = "image")]
    pub front: (Blob, &'static str),
    #[serde(
        serialize_with = "optional_mime_of",
        deserialize_with = "optional_image"
    )]
    pub back: Option<(Blob, &'static str)>,
    #[serde(
        serialize_with = "optional_mime_of",
        deserialize_with = "optional_image"
    )]
    pub face_image: Option<(Blob, &'static str)>,
    pub liveness_detected: Option<bool>,
}

/// The dump shows the media type and size; a snapshot keeps the bytes too.
fn mime_of<S: serde::Serializer>(image: &(Blob, &'static str), s: S) -> Result<S::Ok, S::Error> {
    if crate::core::snapshot::capturing() {
        return image.serialize(s);
    }
    s.serialize_str(&format!("{} ({} bytes)", image.1, image.0.len()))
}

fn image<'de, D: serde::Deserializer<'de>>(d: D) -> Result<(Blob, &'static str), D::Error> {
    let (blob, mime): (Blob, String) = Deserialize::deserialize(d)?;
    Ok((blob, crate::core::snapshot::intern(&mime)))
}

fn optional_image<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<(Blob, &'static str)>, D::Error> {
    let image: Option<(Blob, String)> = Deserialize::deserialize(d)?;
    Ok(image.map(|(blob, mime)| (blob, crate::core::snapshot::intern(&mime))))
}

fn optional_mime_of<S: serde::Serializer>(
    image: &Option<(Blob, &'static str)>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match image {
        Some(image) => mime_of(image, s),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Person {
    pub person_guid: String,
    pub program_guid: String,
    /// The writable `PersonDTO` fields as last written (checked and normalized).
    pub details: Map<String, Value>,
    pub person_status: PersonStatus,
    pub verification_mode: VerificationMode,
    /// The level KYC granted, none until it passed.
    pub verification_level: Option<String>,
    /// `create_account`, `account_currencies`, `account_type`, `account_name` as created.
    pub account: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub additional_desc: Option<String>,
    pub results: Vec<VerificationResult>,
    /// Out-of-wallet questions waiting for answers.
    pub pending_questions: Vec<Question>,
    /// The scenario the last KYC run chose, and what it decides.
    pub scenario: Option<String>,
    pub effect: QoloEffect,
    /// How many times KYC ran (`attempt` in scenario facts).
    pub kyc_runs: u32,
    /// Perform KYC's `notes`, oldest first (kept for the admin state; no response shows them).
    pub notes: Vec<String>,
    pub documents: Store<StoredDocument>,
}

impl Person {
    pub fn detail(&self, name: &str) -> Option<&str> {
        self.details.get(name).and_then(Value::as_str)
    }

    /// The first identification with a number, if any (SSN or a government id).
    pub fn government_id(&self) -> Option<(&str, &str)> {
        self.details
            .get("identifications")?
            .as_array()?
            .iter()
            .filter_map(|i| {
                let kind = i.get("govt_id_type")?.as_str()?;
                let number = i.get("govt_id_number")?.as_str()?;
                (kind != "NOTPROVIDED" && !number.is_empty()).then_some((kind, number))
            })
            .next()
    }
}

/// A webhook subscription (Qolo's notification).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Notification {
    pub notification_guid: String,
    pub program_guid: String,
    pub url: String,
    pub headers: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub active: bool,
    pub event_type: Vec<String>,
    pub created_date: DateTime<Utc>,
    pub updated_date: DateTime<Utc>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct QoloTenant {
    pub persons: Store<Person>,
    pub notifications: Store<Notification>,
    /// Person events waiting to be handed to the webhook dispatcher.
    #[serde(skip)]
    pub outbox: Vec<PersonEvent>,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub rng: SeededRng,
}

/// A person event for the subscriptions: `person.created`, `person.updated`,
/// `person.verification.success`.
#[derive(Debug, Clone)]
pub struct PersonEvent {
    pub event_type: &'static str,
    pub program_guid: String,
    /// The person as the event shows it, embedded in the payload as it is.
    pub person: Rendered,
}

impl TenantState for QoloTenant {
    fn holds_nothing(&self) -> bool {
        self.persons.is_empty() && self.notifications.is_empty()
    }
}

impl QoloTenant {
    pub fn new(rng: SeededRng) -> Self {
        QoloTenant {
            persons: Store::default(),
            notifications: Store::default(),
            outbox: Vec::new(),
            rng,
        }
    }
}
