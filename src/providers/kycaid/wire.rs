//! KYCAID resources as JSON, field for field in the order KYCAID sends them; `{"<x>_id": ...}`
//! acknowledgements; lists.

use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::model::reasons::reason_fields;
use super::model::{
    timestamp, Address, AffiliatedPerson, Applicant, ApplicantType, Document, KycaidTenant,
    Verification,
};

pub fn ok(body: Value) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// `{"applicant_id": "..."}` and the like: what every create, update and delete answers.
pub fn ack(field: &str, id: &str) -> HttpResponse {
    let mut body = Map::new();
    body.insert(field.to_owned(), Value::String(id.to_owned()));
    ok(Value::Object(body))
}

/// Where a file's bytes can be fetched without a token, as KYCAID's signed storage URLs allow.
pub fn file_url(state: &KycaidTenant, file_id: &str) -> String {
    format!("{}/storage/{}/{file_id}", state.origin, state.tenant)
}

fn field(fields: &Map<String, Value>, name: &str) -> Value {
    fields.get(name).cloned().unwrap_or(Value::Null)
}

pub fn document_json(state: &KycaidTenant, document: &Document) -> Value {
    let mut out = Map::new();
    out.insert("document_id".into(), json!(document.id));
    out.insert("applicant_id".into(), json!(document.applicant_id));
    out.insert("type".into(), json!(document.kind.as_str()));
    out.insert("provider".into(), json!(document.provider.as_str()));
    out.insert("status".into(), json!(document.status.as_str()));
    out.insert("comment".into(), json!(document.decline.comment));
    for name in super::model::document::DATA_FIELDS {
        let value = match (*name, document.fields.get(*name)) {
            ("income_sources", None) => json!([]),
            (_, value) => value.cloned().unwrap_or(Value::Null),
        };
        out.insert((*name).to_owned(), value);
    }
    out.insert("portrait".into(), Value::Null);
    for (side, file_id) in super::model::document::SIDES.iter().zip(&document.sides) {
        out.insert(format!("{side}_id"), json!(file_id));
        let url = file_id.as_deref().map(|id| json!(file_url(state, id)));
        out.insert((*side).to_owned(), url.unwrap_or(Value::Null));
        let size = file_id
            .as_deref()
            .and_then(|id| state.files.get(id))
            .map(|f| json!(f.size));
        out.insert(format!("{side}_size"), size.unwrap_or(Value::Null));
    }
    out.insert("created_at".into(), json!(timestamp(document.created_at)));
    let (ids, names) = reason_fields(&document.decline.reasons);
    out.insert("decline_reasons_ids".into(), ids);
    out.insert("decline_reasons".into(), names);
    Value::Object(out)
}

pub fn address_json(address: &Address) -> Value {
    let mut out = Map::new();
    out.insert("address_id".into(), json!(address.id));
    out.insert("applicant_id".into(), json!(address.applicant_id));
    out.insert("type".into(), json!(address.kind.as_str()));
    out.insert("status".into(), json!(address.status.as_str()));
    for rule in super::model::extras::ADDRESS_RULES {
        out.insert(rule.name.to_owned(), field(&address.fields, rule.name));
    }
    out.insert("created_at".into(), json!(timestamp(address.created_at)));
    Value::Object(out)
}

pub fn affiliated_json(person: &AffiliatedPerson) -> Value {
    let mut out = Map::new();
    out.insert("affiliated_person_id".into(), json!(person.id));
    out.insert("applicant_id".into(), json!(person.applicant_id));
    out.insert("type".into(), json!(person.kind.as_str()));
    for rule in super::model::extras::AFFILIATED_RULES {
        out.insert(rule.name.to_owned(), field(&person.fields, rule.name));
    }
    out.insert("created_at".into(), json!(timestamp(person.created_at)));
    Value::Object(out)
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

/// The full applicant: profile, review statuses, addresses and documents (as `GET /applicants/{id}`
/// and the `VERIFICATION_COMPLETED` callback show it).
pub fn applicant_json(state: &KycaidTenant, applicant: &Applicant) -> Value {
    let mut out = Map::new();
    out.insert("applicant_id".into(), json!(applicant.id));
    out.insert(
        "external_applicant_id".into(),
        field(&applicant.fields, "external_applicant_id"),
    );
    out.insert("type".into(), json!(applicant.kind.as_str()));
    out.insert("created_at".into(), json!(timestamp(applicant.created_at)));
    out.insert(
        "profile_status".into(),
        json!(applicant.profile_status.map(|s| s.as_str())),
    );
    out.insert(
        "profile_comment".into(),
        json!(applicant.profile_decline.comment),
    );
    let own = match applicant.kind {
        ApplicantType::Person => PERSON_FIELDS,
        ApplicantType::Company => COMPANY_FIELDS,
    };
    for name in own {
        out.insert((*name).to_owned(), field(&applicant.fields, name));
    }
    for i in 1..=5 {
        let name = format!("custom_field_{i}");
        out.insert(name.clone(), field(&applicant.fields, &name));
    }
    let (ids, names) = reason_fields(&applicant.profile_decline.reasons);
    out.insert("decline_reasons_ids".into(), ids);
    out.insert("decline_reasons".into(), names);
    let addresses: Vec<Value> = applicant
        .address_ids
        .iter()
        .filter_map(|id| state.addresses.get(id))
        .map(address_json)
        .collect();
    out.insert("addresses".into(), Value::Array(addresses));
    let documents: Vec<Value> = state
        .documents_of(applicant)
        .map(|d| document_json(state, d))
        .collect();
    out.insert("documents".into(), Value::Array(documents));
    if applicant.kind == ApplicantType::Company {
        let persons: Vec<Value> = applicant
            .affiliated_person_ids
            .iter()
            .filter_map(|id| state.affiliated_persons.get(id))
            .map(affiliated_json)
            .collect();
        out.insert("affiliated_persons".into(), Value::Array(persons));
    }
    out.insert(
        "verification_status".into(),
        json!(applicant.verification_status.as_str()),
    );
    out.insert(
        "verifications_count".into(),
        json!(applicant.verification_ids.len()),
    );
    Value::Object(out)
}

/// Each check's result: `{"document": {"verified": true, "comment": "", "decline_reasons": []}}`.
pub fn checks_json(verification: &Verification) -> Value {
    let checks: Map<String, Value> = verification
        .checks
        .iter()
        .map(|(check, result)| {
            (
                check.as_str().to_owned(),
                json!({
                    "verified": result.verified,
                    "comment": result.comment,
                    "decline_reasons": result.decline_reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                }),
            )
        })
        .collect();
    Value::Object(checks)
}

pub fn verification_json(verification: &Verification) -> Value {
    json!({
        "verification_id": verification.id,
        "applicant_id": verification.applicant_id,
        "form_id": verification.form_id,
        "form_token": verification.form_token,
        "status": verification.status.as_str(),
        "verified": verification.verified,
        "verifications": checks_json(verification),
        "verification_attempts_left": verification.attempts_left,
        "created_at": timestamp(verification.created_at),
        "completed_at": verification.completed_at.map(timestamp),
    })
}
