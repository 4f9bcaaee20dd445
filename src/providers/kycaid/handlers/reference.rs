//! Reference data (`/countries`, `/languages`, `/business-activities`) and the blacklist
//! database searches (`/bdb/persons`, `/bdb/documents`), all from the fixtures.

use actix_web::{web, HttpRequest};
use serde_json::{json, Value};

use super::Reply;
use crate::providers::kycaid::auth::Caller;
use crate::providers::kycaid::fixtures::BlacklistEntry;
use crate::providers::kycaid::input::{read_input, rule, text, Checks, Kind, Rule};
use crate::providers::kycaid::wire::ok;
use crate::providers::kycaid::Kycaid;

const BDB_TYPES: &[&str] = &[
    "INTERNAL",
    "SANCTIONS",
    "PEP",
    "SELF_RESTICTED",
    "WANTED",
    "EXPIRED",
];
const PERSON_RULES: &[Rule] = &[
    rule("full_name", Kind::Text { min: 2, max: 100 }),
    text("first_name", 64),
    text("last_name", 64),
    text("middle_name", 64),
    rule("dob", Kind::Date).labelled("Date of birth"),
    rule("residence_country", Kind::Country),
    rule("bdb_types", Kind::EnumList(BDB_TYPES)),
];
const DOCUMENT_RULES: &[Rule] = &[
    text("document_number", 50),
    text("document_type", 50),
    rule("document_country", Kind::Country),
    rule("bdb_types", Kind::EnumList(BDB_TYPES)),
];

pub async fn countries(_: Caller, kycaid: web::Data<Kycaid>) -> Reply {
    Ok(ok(json!(kycaid.fixtures.countries)))
}

pub async fn languages(_: Caller, kycaid: web::Data<Kycaid>) -> Reply {
    Ok(ok(json!(kycaid.fixtures.languages)))
}

/// Categories, each with its activities, labelled in English.
pub async fn business_activities(_: Caller, kycaid: web::Data<Kycaid>) -> Reply {
    let label = |text: &str| json!([{"label": text, "language_code": "EN"}]);
    let categories: Vec<Value> = kycaid
        .fixtures
        .business_categories
        .iter()
        .map(|c| {
            json!({
                "business_category_id": c.id,
                "labels": label(&c.label),
                "activities": c.activities.iter().map(|a| json!({
                    "business_activity_id": a.id,
                    "labels": label(&a.label),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(ok(Value::Array(categories)))
}

fn wanted_types(values: &serde_json::Map<String, Value>) -> Vec<&str> {
    values
        .get("bdb_types")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn admits(entry: &BlacklistEntry, types: &[&str]) -> bool {
    types.is_empty() || entry.bdb_type.iter().any(|t| types.contains(&t.as_str()))
}

fn split_name(full: &str) -> (Option<&str>, Option<&str>) {
    match full.rsplit_once(' ') {
        Some((first, last)) => (Some(first), Some(last)),
        None => (Some(full), None),
    }
}

/// `POST /bdb/persons`: blacklist entries whose full name matches (`full_name`, or
/// `first_name` + `last_name`).
pub async fn screen_person(
    req: HttpRequest,
    mut payload: web::Payload,
    _: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let values = checks.read(&input, PERSON_RULES);
    let text = |name: &str| values.get(name).and_then(Value::as_str);
    let full_name = match (text("full_name"), text("first_name"), text("last_name")) {
        (Some(full), _, _) => full.to_owned(),
        (None, Some(first), Some(last)) => format!("{first} {last}"),
        _ => {
            checks.fail("full_name", "Full name is required");
            String::new()
        }
    };
    checks.finish()?;
    let types = wanted_types(&values);
    let rows: Vec<Value> = kycaid
        .fixtures
        .screen(&full_name, &[])
        .filter(|e| admits(e, &types))
        .map(|e| {
            let (first, last) = split_name(&e.full_name);
            json!({
                "full_name": e.full_name, "origin_full_name": e.full_name,
                "first_name": first, "origin_first_name": first,
                "last_name": last, "origin_last_name": last,
                "middle_name": null, "origin_middle_name": null,
                "residence_country": e.residence_country, "dob": e.dob, "gender": null,
                "description": e.description, "bdb_name": e.bdb_name, "bdb_type": e.bdb_type,
                "accuracy": 100,
            })
        })
        .collect();
    Ok(ok(json!({ "data": rows })))
}

/// `POST /bdb/documents`: blacklist entries with this document number.
pub async fn screen_document(
    req: HttpRequest,
    mut payload: web::Payload,
    _: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let values = checks.read(&input, DOCUMENT_RULES);
    checks.require(&values, &DOCUMENT_RULES[0]);
    checks.finish()?;
    let number = values["document_number"].as_str().unwrap_or_default();
    let numbers = [number];
    let types = wanted_types(&values);
    let rows: Vec<Value> = kycaid
        .fixtures
        .screen("", &numbers)
        .filter(|e| admits(e, &types))
        .map(|e| {
            json!({
                "document_number": e.document_number,
                "document_type": values.get("document_type"),
                "document_country": e.residence_country,
                "description": e.description,
                "bdb_name": e.bdb_name,
                "bdb_type": e.bdb_type,
            })
        })
        .collect();
    Ok(ok(json!({ "data": rows })))
}
