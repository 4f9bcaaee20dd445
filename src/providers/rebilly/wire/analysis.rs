//! The analysis of a decided KYC document (`documentMatches` / `parsedData`), written straight
//! to text.

use serde_json::{Map, Value};

use crate::core::fake::FakePerson;
use crate::core::json_out::{self, ObjectWriter, Rendered};
use crate::providers::rebilly::model::{rfc3339, DocumentStatus, DocumentType, KycDocument};

/// What Rebilly's analysis "read" from a decided document: the customer's fake identity.
/// `documentMatches` / `parsedData`: the latest spec's `{version, score, checkList, data}`, with
/// `data` in the shape of the document's type (KycIdentityMatches, KycAddressMatches,
/// FundsMatches, PurchaseMatches, CreditFileMatches). `None` (null) until it is decided.
pub(super) fn analysis(document: &KycDocument, person: &FakePerson) -> Option<Rendered> {
    let accepted = match document.status {
        DocumentStatus::Accepted => true,
        DocumentStatus::Rejected => false,
        _ => return None,
    };
    let checks: &[(&str, bool)] = match document.document_type {
        DocumentType::Identity => &[
            ("containsImage", false),
            ("firstName", !accepted),
            ("lastName", false),
            ("dateOfBirth", false),
        ],
        DocumentType::Address => &[
            ("firstName", false),
            ("lastName", false),
            ("line1", !accepted),
            ("postalCode", false),
        ],
        DocumentType::Funds | DocumentType::Purchase => {
            &[("firstName", !accepted), ("lastName", false)]
        }
        DocumentType::CreditFile => &[("name", !accepted)],
    };
    Some(json_out::object(|o| {
        o.field("version", "2.0")
            .field("score", &if accepted { 92 } else { 31 })
            .objects("checkList", checks, |o, (name, failed)| {
                o.field("name", name)
                    .field("failed", failed)
                    .field("score", &if *failed { 20 } else { 100 })
                    .null("reason");
            })
            .object("data", |o| {
                let mut data = Overridable {
                    o,
                    overrides: document.matches_override.as_deref(),
                    written: Vec::new(),
                };
                matched_data(&mut data, document, person, accepted);
                data.finish();
            });
    }))
}

/// The analysis `data` with the fields a reviewer overwrote (`POST /kyc-documents/{id}/matches`):
/// an overwritten field keeps its place, fields the analysis has not come after. `written` is
/// only kept when there are overrides to place.
struct Overridable<'w, 'a> {
    o: &'w mut ObjectWriter<'a>,
    overrides: Option<&'w Map<String, Value>>,
    written: Vec<&'static str>,
}

impl Overridable<'_, '_> {
    fn field<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> &mut Self {
        match self.overrides.and_then(|overrides| overrides.get(key)) {
            Some(overridden) => self.o.field(key, overridden),
            None => self.o.field(key, value),
        };
        if self.overrides.is_some() {
            self.written.push(key);
        }
        self
    }

    fn finish(self) {
        for (key, value) in self.overrides.into_iter().flatten() {
            if !self.written.contains(&key.as_str()) {
                self.o.field(key, value);
            }
        }
    }
}

fn matched_data(
    data: &mut Overridable,
    document: &KycDocument,
    person: &FakePerson,
    accepted: bool,
) {
    let subtype = &document.document_subtype;
    match document.document_type {
        DocumentType::Identity => {
            let born = person.date_of_birth.format("%Y-%m-%d");
            data.field("containsImage", &true)
                .field("isIdentityDocument", &true)
                .field("isPublishedOnline", &false)
                .field("firstName", &person.first_name)
                .field("lastName", &person.last_name)
                .field("dateOfBirth", &format_args!("{born}T00:00:00Z"))
                .field("documentNumber", &person.document_number)
                .field("documentSubtype", subtype);
        }
        DocumentType::Address => {
            data.field("firstName", &person.first_name)
                .field("lastName", &person.last_name)
                .field("line1", &person.street)
                .field("city", &person.city)
                .field("postalCode", &person.postal_code)
                .field("date", &format_args!("{}", rfc3339(document.created_time)))
                .field("wordCount", &212)
                .field("uniqueWords", &131)
                .field("isTampered", &!accepted)
                .field("documentSubtype", subtype);
        }
        DocumentType::Funds => {
            data.field("firstName", &person.first_name)
                .field("lastName", &person.last_name)
                .field("documentSubtype", subtype);
        }
        DocumentType::Purchase => {
            data.field("firstName", &person.first_name)
                .field("lastName", &person.last_name)
                .field("paymentInstrumentId", &())
                .field("documentSubtype", subtype);
        }
        DocumentType::CreditFile => {
            data.field("creditBureau", "test-bureau")
                .field("creditFileNumber", &person.document_number)
                .field(
                    "name",
                    &format_args!("{} {}", person.first_name, person.last_name),
                )
                .field(
                    "consultedDate",
                    &format_args!("{}", rfc3339(document.created_time)),
                )
                .field("decision", if accepted { "single-source" } else { "other" })
                .field("trades", &Vec::<Value>::new());
        }
    }
}
