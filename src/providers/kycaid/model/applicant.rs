//! Applicants: a person or a company, its profile fields and its review statuses.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::reasons::Decline;
use super::ReviewStatus;
use crate::core::wire_enum;
use crate::providers::kycaid::input::{rule, text, Kind, Rule};

wire_enum!(ApplicantType {
    Person = "PERSON",
    Company = "COMPANY",
});

pub const TYPE_RULE: Rule =
    rule("type", Kind::Enum(ApplicantType::NAMES)).labelled("Type of applicant");

/// `applicant_id` in the body of the resources that belong to an applicant.
pub const APPLICANT_ID_RULE: Rule = rule("applicant_id", Kind::Id).labelled("Applicant ID");

const GENDERS: &[&str] = &["M", "F"];

/// Fields both kinds of applicant have, in the order KYCAID shows them.
const COMMON: &[Rule] = &[
    rule("email", Kind::Email),
    rule("phone", Kind::Phone),
    rule("external_applicant_id", Kind::Text { min: 0, max: 50 }),
    text("custom_field_1", 2048),
    text("custom_field_2", 2048),
    text("custom_field_3", 2048),
    text("custom_field_4", 2048),
    text("custom_field_5", 2048),
];

pub const PERSON_RULES: &[Rule] = &[
    rule("first_name", Kind::Name),
    rule("middle_name", Kind::Name),
    rule("last_name", Kind::Name),
    rule("dob", Kind::Date).labelled("Day of birth"),
    rule("gender", Kind::Enum(GENDERS)),
    rule("pep", Kind::Bool).labelled("PEP"),
    rule("residence_country", Kind::Country).labelled("Country of residence"),
    rule("nationality", Kind::Country),
    text("telegram_username", 32),
    text("wallet_address", 50),
];

pub const COMPANY_RULES: &[Rule] = &[
    text("company_name", 255),
    rule("registration_country", Kind::Country),
    rule("business_activity_id", Kind::Id).labelled("Business activity"),
    text("registration_number", 50),
    text("tax_number", 50),
    rule("incorporation_date", Kind::Date),
    text("website", 255),
];

impl ApplicantType {
    /// Every field this kind of applicant may be created or updated with.
    pub fn rules(self) -> impl Iterator<Item = &'static Rule> {
        let own = match self {
            ApplicantType::Person => PERSON_RULES,
            ApplicantType::Company => COMPANY_RULES,
        };
        own.iter().chain(COMMON)
    }

    /// Fields that must be set when the applicant is created. A person needs none: the API has
    /// accepted a PERSON without first or last name since 2022 (recorded), as the docs say.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            ApplicantType::Person => &[],
            ApplicantType::Company => &["company_name"],
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Applicant {
    pub id: String,
    pub kind: ApplicantType,
    /// Profile fields as last set, keyed by their wire names; absent ones are `null` on the wire.
    pub fields: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    /// `None` (`null`) until a verification has judged the profile.
    pub profile_status: Option<ReviewStatus>,
    pub profile_decline: Decline,
    pub verification_status: ReviewStatus,
    /// In creation order; documents, addresses and persons point back with `applicant_id`.
    pub document_ids: Vec<String>,
    pub address_ids: Vec<String>,
    /// Addresses a completed verification covered, kept as they were when an update replaced them.
    pub replaced_address_ids: Vec<String>,
    pub affiliated_person_ids: Vec<String>,
    pub verification_ids: Vec<String>,
}

impl Applicant {
    pub fn new(
        id: String,
        kind: ApplicantType,
        fields: Map<String, Value>,
        now: DateTime<Utc>,
    ) -> Self {
        Applicant {
            id,
            kind,
            fields,
            created_at: now,
            profile_status: None,
            profile_decline: Decline::default(),
            verification_status: ReviewStatus::New,
            document_ids: Vec::new(),
            address_ids: Vec::new(),
            replaced_address_ids: Vec::new(),
            affiliated_person_ids: Vec::new(),
            verification_ids: Vec::new(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }

    /// Applies an update: `null` clears a field, absent fields stay.
    pub fn update(&mut self, values: Map<String, Value>) {
        super::extras::merge(&mut self.fields, values);
    }
}
