//! The smaller resources: files, addresses, affiliated persons, forms and form links.

use crate::core::storage::Blob;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::document::DocumentStatus;
use super::verification::Check;
use crate::core::wire_enum;
use crate::providers::kycaid::input::{rule, text, Kind, Rule};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct File {
    pub id: String,
    pub name: String,
    #[serde(deserialize_with = "crate::core::snapshot::interned")]
    pub content_type: crate::core::snapshot::StaticText,
    pub size: usize,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub data: Blob,
    pub created_at: DateTime<Utc>,
    /// How many document sides show this file; such a file cannot be deleted.
    pub references: u32,
}

wire_enum!(AddressType {
    Registered = "REGISTERED",
    Additional = "ADDITIONAL",
    Business = "BUSINESS",
});

pub const ADDRESS_RULES: &[Rule] = &[
    text("full_address", 1024),
    // The real API names this field so in its message: "Country of residence is not valid".
    rule("country", Kind::Country).labelled("Country of residence"),
    text("state", 100),
    text("region", 100),
    text("province", 100),
    text("city", 100),
    text("district", 100),
    text("address", 255),
    text("postal_code", 20),
    text("street_name", 255),
    text("building_number", 20),
    text("unit_number", 20),
];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Address {
    pub id: String,
    pub applicant_id: String,
    pub kind: AddressType,
    pub status: DocumentStatus,
    pub fields: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    /// Part of a completed verification: an update keeps this record and makes a new one.
    pub locked: bool,
}

wire_enum!(AffiliatedType {
    Authorised = "AUTHORISED",
    Beneficial = "BENEFICIAL",
    Director = "DIRECTOR",
    Shareholder = "SHAREHOLDER",
});

pub const AFFILIATED_RULES: &[Rule] = &[
    rule("first_name", Kind::Name),
    rule("middle_name", Kind::Name),
    rule("last_name", Kind::Name),
    text("title", 36),
    rule("dob", Kind::Date).labelled("Date of birth"),
    rule("residence_country", Kind::Country),
    rule("nationality", Kind::Country),
    rule("email", Kind::Email),
    rule("phone", Kind::Phone),
    rule("share", Kind::Percent),
];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AffiliatedPerson {
    pub id: String,
    pub applicant_id: String,
    pub kind: AffiliatedType,
    pub fields: Map<String, Value>,
    pub created_at: DateTime<Utc>,
}

/// What a hosted form asks for; configured in KYCAID's dashboard, here in fixtures or by default.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Form {
    pub id: String,
    pub name: String,
    pub checks: Vec<Check>,
    #[serde(default)]
    pub document_types: Vec<String>,
    #[serde(default)]
    pub callback_url: Option<String>,
    /// The form's return URL as set in KYCAID's dashboard: where a person goes after submitting
    /// when the link was made without `redirect_url` (the React Native wrapper waits for it).
    #[serde(default)]
    pub redirect_url: Option<String>,
}

/// One `POST /forms/{form_id}/urls`: the link a person opens to fill the form in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FormLink {
    pub token: String,
    pub form_id: String,
    pub verification_id: String,
    pub applicant_id: Option<String>,
    pub external_applicant_id: Option<String>,
    pub redirect_url: Option<String>,
    pub submitted: bool,
    pub created_at: DateTime<Utc>,
}

/// A create's values as stored: a `null` is the same as leaving the field out.
pub fn without_nulls(mut values: Map<String, Value>) -> Map<String, Value> {
    // In place: collecting into a new map hashed every key again.
    values.retain(|_, v| !v.is_null());
    values
}

/// Applies an update to a record's fields: `null` clears, absent fields stay.
pub fn merge(fields: &mut Map<String, Value>, values: Map<String, Value>) {
    for (name, value) in values {
        if value.is_null() {
            fields.remove(&name);
        } else {
            fields.insert(name, value);
        }
    }
}
