//! Persons: CreatePerson (which runs the program's KYC at once), GetPersonById, UpdatePerson
//! and SearchPerson, in the shapes of Qolo's reference.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use super::Reply;
use crate::core::http::{forced_scenario, location};
use crate::core::json_out::{Rendered, RenderedBody};
use crate::providers::qolo::auth::Caller;
use crate::providers::qolo::errors::QoloError;
use crate::providers::qolo::input::{json_object, Checks, Rule, PERSON};
use crate::providers::qolo::model::{Person, PersonEvent, PersonStatus};
use crate::providers::qolo::wire::{created_person_json, list_json, person_json};
use crate::providers::qolo::Qolo;

/// `account_type`, as Qolo's reference lists it.
const ACCOUNT_TYPES: &[&str] = &[
    "GENERAL",
    "PROGFUND",
    "CHECK",
    "REVENUE",
    "COLLECTION",
    "PRINCIPAL",
    "SECURE",
    "CREDIT",
    "USERDEFINED",
    "ADVANCE",
    "PROG_DISBURSE",
    "EXCEPTION",
    "WRITEOFF",
    "SUSPENSE",
];

const CREATE: &[(&str, Rule)] = &[
    ("create_account", Rule::Bool),
    ("account_currencies", Rule::Texts { max: 3 }),
    ("program_guid", Rule::Uuid),
    ("account_type", Rule::OneOf(ACCOUNT_TYPES)),
    ("account_name", Rule::Text { min: 0, max: 100 }),
];

/// `POST /api/v1/persons`: the person, created whatever KYC decides (a failure reason is in
/// `additional_desc`), `201` with its `PersonDTO`.
pub async fn create(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    qolo: web::Data<Qolo>,
) -> Reply {
    let body = json_object(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let mut account = checks.read(&body, "", CREATE);
    checks.require(&account, "", "program_guid");
    let details = match body.get("person_details").filter(|v| !v.is_null()) {
        Some(value) => checks
            .object("person_details", value)
            .map(|d| checks.read(d, "person_details", PERSON)),
        None => {
            checks.fail("person_details", "The person_details field is required.");
            None
        }
    };
    if let Some(details) = &details {
        checks.require(details, "person_details", "last_name");
    }
    if account.get("create_account") == Some(&Value::Bool(true)) {
        checks.require(&account, "", "account_name");
    }
    checks.finish()?;
    let program_guid = account
        .remove("program_guid")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let program = qolo
        .fixtures
        .program(&program_guid)
        .ok_or(QoloError::ProgramNotFound)?;
    let now = qolo.core.clock.now();
    let mut person = Person {
        person_guid: String::new(),
        program_guid: program.program_guid.clone(),
        details: details.unwrap_or_default(),
        person_status: PersonStatus::Incomplete,
        verification_mode: program.verification_mode,
        verification_level: None,
        account,
        created_at: now,
        updated_at: now,
        additional_desc: None,
        results: Vec::new(),
        pending_questions: Vec::new(),
        scenario: None,
        effect: Default::default(),
        kyc_runs: 0,
        notes: Vec::new(),
        documents: Default::default(),
    };
    let chosen = qolo.choose(&person, forced_scenario(&req).as_deref())?;
    qolo.with_tenant(&caller, |state| {
        person.person_guid = state.rng.uuid_v4();
        qolo.run_kyc(&mut person, chosen, &mut state.rng, now);
        let body = created_person_json(&person);
        state.outbox.push(PersonEvent {
            event_type: "person.created",
            program_guid: person.program_guid.clone(),
            person: body.clone(),
        });
        if person.person_status == PersonStatus::Cleared {
            state.outbox.push(PersonEvent {
                event_type: "person.verification.success",
                program_guid: person.program_guid.clone(),
                person: person_json(&person),
            });
        }
        let href = format!(
            "{}/{}",
            req.path().trim_end_matches('/'),
            person.person_guid
        );
        state.persons.insert(person.person_guid.clone(), person);
        Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, location(&href)))
            .rendered(body))
    })
}

/// `PUT /api/v1/persons` with the `PersonDTO` (its `person_guid` says which): the fields sent
/// replace the stored ones (`null` clears one; `additional_data` is replaced whole). Status and
/// verification fields are KYC's and are ignored here.
pub async fn update(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    qolo: web::Data<Qolo>,
) -> Reply {
    let body = json_object(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let key = checks.read(&body, "", &[("person_guid", Rule::Uuid)]);
    checks.require(&key, "", "person_guid");
    let changes = checks.read(&body, "", PERSON);
    checks.finish()?;
    let guid = key["person_guid"].as_str().unwrap_or_default().to_owned();
    let cleared: Vec<&str> = PERSON
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| body.get(*name).is_some_and(Value::is_null))
        .collect();
    let now = qolo.core.clock.now();
    qolo.with_tenant(&caller, |state| {
        let person = state
            .persons
            .get_mut(&guid)
            .ok_or(QoloError::PersonNotFound)?;
        for name in cleared {
            person.details.remove(name);
        }
        person.details.extend(changes);
        person.updated_at = now;
        let body = person_json(person);
        let program_guid = person.program_guid.clone();
        state.outbox.push(PersonEvent {
            event_type: "person.updated",
            program_guid,
            person: body.clone(),
        });
        Ok(body.ok())
    })
}

/// SearchPerson's criteria the sandbox matches (case-insensitively, whole values).
const CRITERIA: &[(&str, Rule)] = &[
    ("person_guid", Rule::Uuid),
    ("first_name", Rule::Text { min: 0, max: 32 }),
    ("last_name", Rule::Text { min: 0, max: 32 }),
    ("title", Rule::Text { min: 0, max: 10 }),
    ("client_reference_id", Rule::Text { min: 0, max: 50 }),
    ("email_address", Rule::Text { min: 0, max: 254 }),
    ("govt_id_number", Rule::Text { min: 0, max: 30 }),
    ("birth_date", Rule::Date),
    ("program_guid", Rule::Uuid),
    ("contact_type", Rule::Text { min: 0, max: 20 }),
    ("mobile_number", Rule::Text { min: 0, max: 20 }),
    ("home_number", Rule::Text { min: 0, max: 20 }),
    ("phone_number", Rule::Text { min: 0, max: 20 }),
    ("address_line1", Rule::Text { min: 0, max: 48 }),
    ("address_line2", Rule::Text { min: 0, max: 48 }),
    ("city", Rule::Text { min: 0, max: 30 }),
    ("state", Rule::Text { min: 0, max: 30 }),
    ("postal_code", Rule::Text { min: 0, max: 10 }),
    ("country", Rule::Text { min: 0, max: 3 }),
    ("additional_data_key", Rule::Text { min: 0, max: 100 }),
    ("additional_data_value", Rule::Text { min: 0, max: 500 }),
];

/// Criteria about wallets, cards and accounts, which the sandbox does not hold: a person never
/// matches them.
const UNHELD: &[&str] = &[
    "wallet_id",
    "wallet_guid",
    "card_number",
    "card_proxy",
    "company_guid",
    "company_short_name",
    "account_guid",
    "account_instrument_guid",
    "account_type",
    "account_status",
    "account_routing_number",
    "account_instrument_number",
    "outside_instrument_guid",
    "outside_instrument_number",
    "outside_card_number",
    "user_guid",
    "customer_search",
    "has_comments",
    "min_ledger_balance",
    "max_ledger_balance",
];

/// `POST /api/v1/persons/search`: the persons matching every criterion given, oldest first,
/// `limit` (1–1000, default 100) from `start_index`. No match is Qolo's `404 Person not found`.
pub async fn search(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    qolo: web::Data<Qolo>,
) -> Reply {
    let body = json_object(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let criteria = checks.read(&body, "", CRITERIA);
    let paging = checks.read(
        &body,
        "",
        &[("limit", Rule::Number), ("start_index", Rule::Number)],
    );
    let limit = paging
        .get("limit")
        .map_or(Some(100), |v| v.as_u64().filter(|n| (1..=1000).contains(n)));
    let start_index = paging.get("start_index").map_or(Some(0), Value::as_u64);
    if paging.contains_key("limit") && limit.is_none() {
        checks.fail("limit", "The field limit must be between 1 and 1000.");
    }
    if paging.contains_key("start_index") && start_index.is_none() {
        checks.fail("start_index", "The field start_index must be 0 or more.");
    }
    checks.finish()?;
    let (limit, start_index) = (
        limit.unwrap_or(100) as usize,
        start_index.unwrap_or(0) as usize,
    );
    let impossible = UNHELD
        .iter()
        .any(|name| body.get(*name).is_some_and(|v| !v.is_null()));
    qolo.with_tenant(&caller, |state| {
        let (items, has_more) = if impossible {
            (Vec::new(), false)
        } else if criteria.is_empty() {
            let page = state.persons.page(start_index, limit, false);
            let has_more = start_index + page.items.len() < page.total;
            (
                page.items.into_iter().map(person_json).collect::<Vec<_>>(),
                has_more,
            )
        } else {
            let mut matching = state
                .persons
                .values()
                .filter(|p| matches(p, &criteria))
                .skip(start_index);
            let items: Vec<Rendered> = matching.by_ref().take(limit).map(person_json).collect();
            (items, matching.next().is_some())
        };
        if items.is_empty() {
            return Err(QoloError::PersonNotFound);
        }
        Ok(list_json(&items, start_index, has_more).ok())
    })
}

fn matches(person: &Person, criteria: &Map<String, Value>) -> bool {
    let same = |a: Option<&str>, b: &str| a.is_some_and(|a| a.eq_ignore_ascii_case(b));
    let address = |field: &str| -> Vec<Option<&str>> {
        ["base_address", "mailing_address", "billing_address"]
            .iter()
            .map(|kind| {
                person
                    .details
                    .get(*kind)
                    .and_then(|a| a.get(field))
                    .and_then(Value::as_str)
            })
            .collect()
    };
    criteria.iter().all(|(name, wanted)| {
        let wanted = wanted.as_str().unwrap_or_default();
        match name.as_str() {
            "person_guid" => person.person_guid == wanted,
            "program_guid" => person.program_guid == wanted,
            "email_address" => same(person.detail("email"), wanted),
            "govt_id_number" => person.government_id().is_some_and(|(_, n)| n == wanted),
            "phone_number" => ["mobile_number", "home_number", "office_number"]
                .iter()
                .any(|f| same(person.detail(f), wanted)),
            "address_line1" | "address_line2" | "city" | "state" | "postal_code" | "country" => {
                address(name).into_iter().any(|v| same(v, wanted))
            }
            "additional_data_key" => person
                .details
                .get("additional_data")
                .and_then(|d| d.get(wanted))
                .is_some(),
            "additional_data_value" => person
                .details
                .get("additional_data")
                .and_then(Value::as_object)
                .is_some_and(|d| d.values().any(|v| same(v.as_str(), wanted))),
            other => same(person.detail(other), wanted),
        }
    })
}
