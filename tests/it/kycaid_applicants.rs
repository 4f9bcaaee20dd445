//! KYCAID applicants seen from a client: create (JSON and form bodies), the full object, update,
//! delete and paging. Refused requests are in kycaid_applicant_errors.rs.

use crate::common;

use common::kycaid::{
    applicant, applicant_of, assert_error, delete, get, id_of, is_timestamp, patch, person, post,
    post_form, verification_of,
};
use common::spawn_app;
use serde_json::{json, Value};

const ACTIVITY: &str = "c92e791a33196f78164e59d65d199af303c4";

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

const PERSON_KEYS: &[&str] = &[
    "applicant_id",
    "external_applicant_id",
    "type",
    "created_at",
    "profile_status",
    "profile_comment",
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
    "custom_field_1",
    "custom_field_2",
    "custom_field_3",
    "custom_field_4",
    "custom_field_5",
    "decline_reasons_ids",
    "decline_reasons",
    "addresses",
    "documents",
    "verification_status",
    "verifications_count",
];

#[tokio::test]
async fn a_person_is_created_from_json_and_read_back_whole() {
    let app = spawn_app().await;
    let reply = post(
        &app,
        "/applicants",
        json!({
            "type": "PERSON", "first_name": "Josh", "middle_name": "J.", "last_name": "O'Coffey-Smith",
            "dob": "1976-02-21", "gender": "M", "pep": false, "residence_country": "gb",
            "nationality": "UA", "phone": "+380501234567", "email": "josh@example.com",
            "telegram_username": "joshc", "wallet_address": "0xabc", "external_applicant_id": "ext-1",
            "custom_field_1": "one", "custom_field_5": "five", "sandbox": true,
        }),
    )
    .await;
    let id = id_of(&reply, "applicant_id");
    assert!(reply.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));

    let body = applicant_of(&app, &id).await;
    let mut got = keys(&body);
    let mut want = PERSON_KEYS.to_vec();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "the applicant's field set");
    let expected = json!({
        "applicant_id": id, "external_applicant_id": "ext-1", "type": "PERSON",
        "created_at": "2026-01-01 00:00:00", "profile_status": null, "profile_comment": null,
        "first_name": "Josh", "origin_first_name": null, "middle_name": "J.",
        "origin_middle_name": null, "last_name": "O'Coffey-Smith", "origin_last_name": null,
        "residence_country": "GB", "nationality": "UA", "dob": "1976-02-21", "gender": "M",
        "email": "josh@example.com", "phone": "+380501234567", "phone_status": null,
        "wallet_address": "0xabc", "telegram_username": "joshc", "pep": false,
        "custom_field_1": "one", "custom_field_2": null, "custom_field_3": null,
        "custom_field_4": null, "custom_field_5": "five", "decline_reasons_ids": null,
        "decline_reasons": [], "addresses": [], "documents": [],
        "verification_status": "new", "verifications_count": 0,
    });
    for (name, value) in expected.as_object().unwrap() {
        assert_eq!(&body[name], value, "field {name}");
    }
    assert!(is_timestamp(body["created_at"].as_str().unwrap()));

    // Names of any script pass the name rule.
    let cyrillic = applicant(
        &app,
        json!({"type": "PERSON", "first_name": "Джош", "last_name": "Кофі"}),
    )
    .await;
    assert_eq!(applicant_of(&app, &cyrillic).await["first_name"], "Джош");
}

#[tokio::test]
async fn a_company_has_its_own_fields_and_affiliated_persons() {
    let app = spawn_app().await;
    let id = applicant(
        &app,
        json!({"type": "COMPANY", "company_name": "Acme Ltd", "registration_country": "GB",
               "registration_number": "0123456", "business_activity_id": ACTIVITY,
               "incorporation_date": "2010-05-01", "email": "ops@acme.test"}),
    )
    .await;
    let body = applicant_of(&app, &id).await;
    assert_eq!(body["type"], "COMPANY");
    assert_eq!(body["company_name"], "Acme Ltd");
    assert_eq!(body["business_activity_id"], ACTIVITY);
    assert_eq!(body["incorporation_date"], "2010-05-01");
    assert_eq!(body["affiliated_persons"], json!([]));
    assert!(body.get("first_name").is_none(), "no person fields");
    assert!(body.get("company_name").is_some());

    let missing = post(&app, "/applicants", json!({"type": "COMPANY"})).await;
    let messages = assert_error(&missing, 422, "validation", &["company_name"]);
    assert_eq!(messages, ["Company name is required"]);
    let unknown_activity = post(
        &app,
        "/applicants",
        json!({"type": "COMPANY", "company_name": "X", "business_activity_id": "0".repeat(36)}),
    )
    .await;
    assert_error(
        &unknown_activity,
        422,
        "validation",
        &["business_activity_id"],
    );
}

#[tokio::test]
async fn form_bodies_are_read_like_json_with_lists_and_booleans() {
    let app = spawn_app().await;
    let reply = post_form(
        &app,
        "/applicants",
        "type=PERSON&first_name=Ann&last_name=Lee&pep=true&dob=1990-01-02&middle_name=&sandbox=true",
    )
    .await;
    let id = id_of(&reply, "applicant_id");
    let body = applicant_of(&app, &id).await;
    assert_eq!(body["pep"], true);
    assert_eq!(body["dob"], "1990-01-02");
    assert_eq!(
        body["middle_name"],
        Value::Null,
        "an empty form value is not given"
    );

    let bad = post_form(
        &app,
        "/applicants",
        "type=PERSON&first_name=Ann&last_name=Lee&pep=maybe",
    )
    .await;
    assert_eq!(
        assert_error(&bad, 422, "validation", &["pep"]),
        ["PEP must be a boolean"]
    );

    // `types[]=A&types[]=B` is a list: the verification runs exactly those checks.
    let verification = post_form(
        &app,
        "/verifications",
        &format!("applicant_id={id}&types[]=DOCUMENT&types[]=FACIAL"),
    )
    .await;
    let verification = id_of(&verification, "verification_id");
    let checks = verification_of(&app, &verification).await["verifications"].clone();
    assert_eq!(keys(&checks), ["document", "facial"]);
}

#[tokio::test]
async fn patch_updates_fields_and_null_clears_them() {
    let app = spawn_app().await;
    let id = person(
        &app,
        json!({"email": "jane@example.com", "phone": "+44123"}),
    )
    .await;
    let path = format!("/applicants/{id}");
    let reply = patch(
        &app,
        &path,
        json!({"middle_name": "Q", "email": null, "nationality": "de"}),
    )
    .await;
    assert_eq!(reply.body, json!({"applicant_id": id}));
    let body = applicant_of(&app, &id).await;
    assert_eq!(body["middle_name"], "Q");
    assert_eq!(body["email"], Value::Null);
    assert_eq!(body["nationality"], "DE");
    assert_eq!(body["phone"], "+44123", "absent fields stay");
    assert_eq!(body["first_name"], "Jane");

    let empty = patch(&app, &path, json!({})).await;
    assert_eq!(
        assert_error(&empty, 422, "validation", &["*"]),
        ["At least one parameter should be set"]
    );
    let unknown_only = patch(&app, &path, json!({"sandbox": true})).await;
    assert_error(&unknown_only, 422, "validation", &["*"]);
    let retype = patch(&app, &path, json!({"type": "COMPANY", "first_name": "Jo"})).await;
    assert_error(&retype, 422, "validation", &["type"]);
    let same_type = patch(&app, &path, json!({"type": "PERSON", "first_name": "Jo"})).await;
    assert_eq!(same_type.status, 200, "{}", same_type.body);
    let bad = patch(&app, &path, json!({"dob": "yesterday", "last_name": "Doe"})).await;
    assert_eq!(
        assert_error(&bad, 422, "validation", &["dob"]),
        ["Day of birth is not valid"]
    );
    let body = applicant_of(&app, &id).await;
    assert_eq!(body["first_name"], "Jo");
    assert_eq!(body["last_name"], "Roe", "refused updates change nothing");
    assert_eq!(body["dob"], Value::Null);
    // A person needs no name (the real API accepts a PERSON without one since 2022).
    let nameless = patch(&app, &path, json!({"last_name": null})).await;
    assert_eq!(nameless.status, 200, "{}", nameless.body);
    assert_eq!(applicant_of(&app, &id).await["last_name"], Value::Null);
}

#[tokio::test]
async fn delete_removes_the_applicant() {
    let app = spawn_app().await;
    let id = person(&app, json!({})).await;
    let path = format!("/applicants/{id}");
    let reply = delete(&app, &path).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, json!({"applicant_id": id}));
    let gone = get(&app, &path).await;
    assert_error(&gone, 404, "not_found", &["applicant_id"]);
    let again = delete(&app, &path).await;
    assert_error(&again, 404, "not_found", &["applicant_id"]);
}

#[tokio::test]
async fn the_list_pages_newest_first() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for name in ["Ann", "Bea", "Cid"] {
        ids.push(person(&app, json!({"first_name": name})).await);
    }
    let first = get(&app, "/applicants?page=1&per_page=2").await;
    assert_eq!(first.status, 200);
    assert_eq!(keys(&first.body), ["data", "total", "page", "per_page"]);
    assert_eq!(first.body["total"], 3);
    assert_eq!(first.body["page"], 1);
    assert_eq!(first.body["per_page"], 2);
    let listed: Vec<&Value> = first.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["applicant_id"])
        .collect();
    assert_eq!(listed, [&json!(ids[2]), &json!(ids[1])]);
    assert_eq!(first.body["data"][0]["first_name"], "Cid");
    assert_eq!(keys(&first.body["data"][0]).len(), PERSON_KEYS.len());

    let second = get(&app, "/applicants?page=2&per_page=2").await;
    assert_eq!(second.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(second.body["data"][0]["applicant_id"], ids[0]);
    let beyond = get(&app, "/applicants?page=3&per_page=2").await;
    assert_eq!(beyond.body["data"], json!([]));
    assert_eq!(beyond.body["total"], 3);
    let defaults = get(&app, "/applicants").await;
    assert_eq!(defaults.body["page"], 1);
    assert_eq!(defaults.body["per_page"], 20);
    assert_eq!(defaults.body["data"].as_array().unwrap().len(), 3);

    for query in ["per_page=0", "per_page=101", "page=0", "page=x"] {
        let bad = get(&app, &format!("/applicants?{query}")).await;
        let parameter = query.split('=').next().unwrap();
        assert_error(&bad, 422, "validation", &[parameter]);
    }
}

/// `phone` is "string or null, [1 .. 15] characters" (docs.kycaid.com/api/applicants): usual
/// formatting is kept, anything longer or without digits is refused.
#[tokio::test]
async fn a_formatted_phone_within_fifteen_characters_is_kept() {
    let app = spawn_app().await;
    let id = person(&app, json!({"phone": "+1 (512) 555-01"})).await;
    assert_eq!(applicant_of(&app, &id).await["phone"], "+1 (512) 555-01");
    for bad in ["+1 (512) 555-0100", "call me", ""] {
        let reply = patch(&app, &format!("/applicants/{id}"), json!({"phone": bad})).await;
        assert_eq!(reply.status, 422, "{bad}: {}", reply.body);
    }
}
