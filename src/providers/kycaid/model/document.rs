//! Documents: the one-of body by `type`, each type with its own fields, and the review status
//! `new` → `valid` | `invalid`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::reasons::Decline;
use super::verification::Check;
use crate::core::wire_enum;
use crate::providers::kycaid::input::{rule, text, Kind, Rule};

wire_enum!(DocumentType {
    GovernmentId = "GOVERNMENT_ID",
    Passport = "PASSPORT",
    DomesticPassport = "DOMESTIC_PASSPORT",
    ForeignCitizenPassport = "FOREIGN_CITIZEN_PASSPORT",
    DriversLicense = "DRIVERS_LICENSE",
    ResidencePermit = "PERMANENT_RESIDENCE_PERMIT",
    SelfieImage = "SELFIE_IMAGE",
    AddressDocument = "ADDRESS_DOCUMENT",
    BankStatement = "BANK_STATEMENT",
    CreditCard = "CREDIT_CARD",
    FinancialDocument = "FINANCIAL_DOCUMENT",
    TaxIdNumber = "TAX_ID_NUMBER",
    RegistrationCompany = "REGISTRATION_COMPANY",
    CompanyLegalAddress = "COMPANY_LEGAL_ADDRESS",
    CompanyOwnership = "COMPANY_OWNERSHIP",
    AuthorisedPerson = "AUTHORISED_PERSON",
});

wire_enum!(DocumentStatus {
    New = "new",
    Valid = "valid",
    Invalid = "invalid",
});

wire_enum!(DocumentProvider {
    Admin = "ADMIN",
    InAadhaar = "IN_AADHAAR",
    KzAdata = "KZ_ADATA",
    Manual = "MANUAL",
    Recognition = "RECOGNITION",
    UaBankId = "UA_BANK_ID",
    UaDiia = "UA_DIIA",
});

/// Which check of a verification looks at a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentGroup {
    Identity,
    Selfie,
    Address,
    Financial,
    Company,
}

const INCOME_SOURCES: &[&str] = &[
    "SALARY",
    "DIVIDENDS",
    "SALE_PROPERTY",
    "SAVINGS",
    "DIVORCE_SETTLEMENTS",
    "INHERITANCE",
    "LOAN",
    "INVESTMENTS",
    "OTHER",
];
const ANNUAL_INCOME: &[&str] = &[
    "ANNUAL_INCOME_GROUP_1",
    "ANNUAL_INCOME_GROUP_2",
    "ANNUAL_INCOME_GROUP_3",
    "ANNUAL_INCOME_GROUP_4",
];

pub const SIDES: [&str; 5] = [
    "front_side",
    "back_side",
    "other_side_1",
    "other_side_2",
    "other_side_3",
];

/// The file-id fields of every type.
pub const SIDE_RULES: &[Rule] = &[
    rule("front_side_id", Kind::Id),
    rule("back_side_id", Kind::Id),
    rule("other_side_1_id", Kind::Id),
    rule("other_side_2_id", Kind::Id),
    rule("other_side_3_id", Kind::Id),
];

const NUMBER: Rule = text("document_number", 50);
const ADDITIONAL_NUMBER: Rule = text("additional_number", 50);
const ISSUE_DATE: Rule = rule("issue_date", Kind::Date);
const EXPIRY_DATE: Rule = rule("expiry_date", Kind::Date);
const AUTHORITY: Rule = text("issuing_authority", 255);
const CARD_NUMBER: Rule = rule("card_number", Kind::Text { min: 12, max: 19 });
const ACCOUNT_NUMBER: Rule = text("account_number", 50);

const IDENTITY_RULES: &[Rule] = &[
    NUMBER,
    ADDITIONAL_NUMBER,
    ISSUE_DATE,
    EXPIRY_DATE,
    AUTHORITY,
];
const ADDRESS_RULES: &[Rule] = &[NUMBER, ISSUE_DATE, AUTHORITY];
const CARD_RULES: &[Rule] = &[CARD_NUMBER, ACCOUNT_NUMBER];
const BANK_RULES: &[Rule] = &[ACCOUNT_NUMBER, ISSUE_DATE];
const FINANCIAL_RULES: &[Rule] = &[
    rule("income_sources", Kind::EnumList(INCOME_SOURCES)),
    rule("annual_income", Kind::Enum(ANNUAL_INCOME)),
    rule("transaction_amount", Kind::Number),
    text("transaction_currency", 3),
    rule("transaction_datetime", Kind::DateTime),
    text("transaction_purpose", 255),
    text("origin_funds", 255),
];
const TAX_RULES: &[Rule] = &[NUMBER, ISSUE_DATE, AUTHORITY];
const COMPANY_RULES: &[Rule] = &[
    NUMBER,
    ADDITIONAL_NUMBER,
    ISSUE_DATE,
    EXPIRY_DATE,
    AUTHORITY,
];

/// Every data field a document can carry, in the order KYCAID shows them (files come after).
pub const DATA_FIELDS: &[&str] = &[
    "document_number",
    "additional_number",
    "issue_date",
    "expiry_date",
    "issuing_authority",
    "income_sources",
    "annual_income",
    "transaction_amount",
    "transaction_currency",
    "transaction_datetime",
    "transaction_purpose",
    "origin_funds",
    "card_number",
    "account_number",
];

impl DocumentGroup {
    /// The check of a verification that judges documents of this group.
    pub fn check(self) -> Check {
        match self {
            DocumentGroup::Identity => Check::Document,
            DocumentGroup::Selfie => Check::Facial,
            DocumentGroup::Address => Check::Address,
            DocumentGroup::Financial => Check::Financial,
            DocumentGroup::Company => Check::Company,
        }
    }
}

/// Every data field of every type, once each: what an update may carry (the seed's update
/// example sends them all, whatever the type).
pub fn all_data_rules() -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    for name in DocumentType::NAMES {
        let kind = DocumentType::parse(name).expect("its own name");
        for rule in kind.rules() {
            if !rules.iter().any(|r| r.name == rule.name) {
                rules.push(*rule);
            }
        }
    }
    rules
}

impl DocumentType {
    /// The data fields this type accepts besides its files.
    pub fn rules(self) -> &'static [Rule] {
        use DocumentType::*;
        match self {
            GovernmentId
            | Passport
            | DomesticPassport
            | ForeignCitizenPassport
            | DriversLicense
            | ResidencePermit => IDENTITY_RULES,
            SelfieImage => &[],
            AddressDocument => ADDRESS_RULES,
            BankStatement => BANK_RULES,
            CreditCard => CARD_RULES,
            FinancialDocument => FINANCIAL_RULES,
            TaxIdNumber => TAX_RULES,
            RegistrationCompany | CompanyLegalAddress | CompanyOwnership | AuthorisedPerson => {
                COMPANY_RULES
            }
        }
    }

    /// Data fields that must be given when a document of this type is created.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            DocumentType::TaxIdNumber => &["document_number"],
            _ => &[],
        }
    }

    /// Whether a document of this type must show at least its front side.
    pub fn needs_front_side(self) -> bool {
        self == DocumentType::SelfieImage
    }

    pub fn group(self) -> DocumentGroup {
        use DocumentType::*;
        match self {
            GovernmentId
            | Passport
            | DomesticPassport
            | ForeignCitizenPassport
            | DriversLicense
            | ResidencePermit
            | TaxIdNumber => DocumentGroup::Identity,
            SelfieImage => DocumentGroup::Selfie,
            AddressDocument => DocumentGroup::Address,
            BankStatement | CreditCard | FinancialDocument => DocumentGroup::Financial,
            RegistrationCompany | CompanyLegalAddress | CompanyOwnership | AuthorisedPerson => {
                DocumentGroup::Company
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub applicant_id: String,
    pub kind: DocumentType,
    pub provider: DocumentProvider,
    pub status: DocumentStatus,
    pub decline: Decline,
    /// Data fields as last set (see [`DATA_FIELDS`]).
    pub fields: Map<String, Value>,
    /// File ids of the front, back and three other sides.
    pub sides: [Option<String>; 5],
    pub created_at: DateTime<Utc>,
}

impl Document {
    pub fn number(&self) -> Option<&str> {
        self.fields.get("document_number").and_then(Value::as_str)
    }

    /// Applies an update: `null` clears a field, absent fields stay.
    pub fn update(&mut self, mut values: Map<String, Value>) {
        for (side, slot) in SIDES.iter().zip(self.sides.iter_mut()) {
            if let Some(value) = values.remove(&format!("{side}_id")) {
                *slot = value.as_str().map(str::to_owned);
            }
        }
        super::extras::merge(&mut self.fields, values);
    }
}
