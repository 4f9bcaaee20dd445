//! KYCAID resources as JSON, field for field in the order KYCAID sends them, written straight to
//! text (`core::json_out`); `{"<x>_id": ...}` acknowledgements; lists.

use actix_web::HttpResponse;
use serde_json::Value;

use super::model::document::DATA_FIELDS;
use super::model::{
    timestamp, Address, AffiliatedPerson, Applicant, ApplicantType, DeclineReason, Document,
    KycaidTenant, Verification,
};
use crate::core::json_out::{self, ObjectWriter, Rendered};

pub fn ok(body: Value) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// `{"applicant_id": "..."}` and the like: what every create, update and delete answers.
pub fn ack(field: &str, id: &str) -> HttpResponse {
    json_out::object(|o| {
        o.field(field, id);
    })
    .ok()
}

/// The keys of each side of a document (`SIDES`): its file id, URL and size.
const SIDE_KEYS: [[&str; 3]; 5] = [
    ["front_side_id", "front_side", "front_side_size"],
    ["back_side_id", "back_side", "back_side_size"],
    ["other_side_1_id", "other_side_1", "other_side_1_size"],
    ["other_side_2_id", "other_side_2", "other_side_2_size"],
    ["other_side_3_id", "other_side_3", "other_side_3_size"],
];

/// `decline_reasons_ids` (null when there are none, as KYCAID sends it) and `decline_reasons`.
fn reasons(o: &mut ObjectWriter, reasons: &[DeclineReason]) {
    if reasons.is_empty() {
        o.null("decline_reasons_ids");
    } else {
        o.array("decline_reasons_ids", |a| {
            for reason in reasons {
                a.value(&reason.id());
            }
        });
    }
    o.array("decline_reasons", |a| {
        for reason in reasons {
            a.value(reason.as_str());
        }
    });
}

fn document(o: &mut ObjectWriter, state: &KycaidTenant, document: &Document) {
    o.field("document_id", &document.id)
        .field("applicant_id", &document.applicant_id)
        .field("type", document.kind.as_str())
        .field("provider", document.provider.as_str())
        .field("status", document.status.as_str())
        .field("comment", &document.decline.comment);
    for name in DATA_FIELDS {
        match (*name, json_out::lookup(&document.fields, name)) {
            ("income_sources", None) => o.array(name, |_| {}),
            (_, value) => o.field(name, &value),
        };
    }
    o.null("portrait");
    for ([id_key, url_key, size_key], file_id) in SIDE_KEYS.iter().zip(&document.sides) {
        o.field(id_key, file_id);
        // Where the bytes can be fetched without a token, as KYCAID's signed storage URLs allow.
        match file_id {
            Some(id) => o.joined(
                url_key,
                &[&state.origin, "/storage/", state.tenant.as_str(), "/", id],
            ),
            None => o.null(url_key),
        };
        let file = file_id.as_deref().and_then(|id| state.files.get(id));
        o.field(size_key, &file.map(|f| f.size));
    }
    o.time("created_at", timestamp(document.created_at));
    reasons(o, &document.decline.reasons);
}

pub fn document_json(state: &KycaidTenant, d: &Document) -> Rendered {
    json_out::object(|o| document(o, state, d))
}

fn address(o: &mut ObjectWriter, address: &Address) {
    o.field("address_id", &address.id)
        .field("applicant_id", &address.applicant_id)
        .field("type", address.kind.as_str())
        .field("status", address.status.as_str());
    for rule in super::model::extras::ADDRESS_RULES {
        o.field(rule.name, &json_out::lookup(&address.fields, rule.name));
    }
    o.time("created_at", timestamp(address.created_at));
}

pub fn address_json(a: &Address) -> Rendered {
    json_out::object(|o| address(o, a))
}

fn affiliated(o: &mut ObjectWriter, person: &AffiliatedPerson) {
    o.field("affiliated_person_id", &person.id)
        .field("applicant_id", &person.applicant_id)
        .field("type", person.kind.as_str());
    for rule in super::model::extras::AFFILIATED_RULES {
        o.field(rule.name, &json_out::lookup(&person.fields, rule.name));
    }
    o.time("created_at", timestamp(person.created_at));
}

pub fn affiliated_json(person: &AffiliatedPerson) -> Rendered {
    json_out::object(|o| affiliated(o, person))
}

const PERSON_FIELDS: &[&str] = &[
    "first_name",
    "origin_first_name",
    "middle_name",
    "origin_middle_name",
    "last_name",
    "origin_last_name",
    "residence_country",
    "nationality",
    "dob",
    "gender",
    "email",
    "phone",
    "phone_status",
    "wallet_address",
    "telegram_username",
    "pep",
];

const COMPANY_FIELDS: &[&str] = &[
    "company_name",
    "registration_country",
    "registration_number",
    "business_activity_id",
    "tax_number",
    "incorporation_date",
    "website",
    "email",
    "phone",
    "phone_status",
];

const CUSTOM_FIELDS: [&str; 5] = [
    "custom_field_1",
    "custom_field_2",
    "custom_field_3",
    "custom_field_4",
    "custom_field_5",
];

/// The full applicant: profile, review statuses, addresses and documents (as `GET /applicants/{id}`
/// and the `VERIFICATION_COMPLETED` callback show it).
pub fn applicant_json(state: &KycaidTenant, applicant: &Applicant) -> Rendered {
    json_out::object(|o| {
        let field = |name: &str| json_out::lookup(&applicant.fields, name);
        o.field("applicant_id", &applicant.id)
            .field("external_applicant_id", &field("external_applicant_id"))
            .field("type", applicant.kind.as_str())
            .time("created_at", timestamp(applicant.created_at))
            .field(
                "profile_status",
                &applicant.profile_status.map(|s| s.as_str()),
            )
            .field("profile_comment", &applicant.profile_decline.comment);
        let own = match applicant.kind {
            ApplicantType::Person => PERSON_FIELDS,
            ApplicantType::Company => COMPANY_FIELDS,
        };
        for name in own.iter().chain(&CUSTOM_FIELDS) {
            o.field(name, &field(name));
        }
        reasons(o, &applicant.profile_decline.reasons);
        let addresses = applicant
            .address_ids
            .iter()
            .filter_map(|id| state.addresses.get(id));
        o.objects("addresses", addresses, address);
        o.objects("documents", state.documents_of(applicant), |o, d| {
            document(o, state, d)
        });
        if applicant.kind == ApplicantType::Company {
            let persons = applicant
                .affiliated_person_ids
                .iter()
                .filter_map(|id| state.affiliated_persons.get(id));
            o.objects("affiliated_persons", persons, affiliated);
        }
        o.field(
            "verification_status",
            applicant.verification_status.as_str(),
        )
        .field("verifications_count", &applicant.verification_ids.len());
    })
}

/// Each check's result: `{"document": {"verified": true, "comment": "", "decline_reasons": []}}`.
fn checks(o: &mut ObjectWriter, verification: &Verification) {
    for (check, result) in &verification.checks {
        o.object(check.as_str(), |o| {
            o.field("verified", &result.verified)
                .field("comment", &result.comment)
                .array("decline_reasons", |a| {
                    for reason in &result.decline_reasons {
                        a.value(reason.as_str());
                    }
                });
        });
    }
}

/// The checks alone, as the `VERIFICATION_COMPLETED` callback embeds them.
pub fn checks_json(verification: &Verification) -> Rendered {
    json_out::object(|o| checks(o, verification))
}

pub fn verification_json(verification: &Verification) -> Rendered {
    json_out::object(|o| {
        o.field("verification_id", &verification.id)
            .field("applicant_id", &verification.applicant_id)
            .field("form_id", &verification.form_id)
            .field("form_token", &verification.form_token)
            .field("status", verification.status.as_str())
            .field("verified", &verification.verified)
            .object("verifications", |o| checks(o, verification))
            .field("verification_attempts_left", &verification.attempts_left)
            .time("created_at", timestamp(verification.created_at))
            .time_or_null("completed_at", verification.completed_at.map(timestamp));
    })
}

#[cfg(test)]
mod tests {
    use super::super::model::document::SIDES;
    use super::*;

    #[test]
    fn side_keys_follow_the_sides() {
        for (side, [id, url, size]) in SIDES.iter().zip(SIDE_KEYS) {
            assert_eq!(
                (id, url, size),
                (
                    format!("{side}_id").as_str(),
                    *side,
                    format!("{side}_size").as_str()
                )
            );
        }
    }
}
