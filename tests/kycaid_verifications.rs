//! KYCAID verifications: creation and its checks, every built-in scenario on the sandbox clock,
//! forcing a scenario, the reviewer's status API, admin transitions, form URLs and the list.

mod common;

use common::kycaid::{
    advance, applicant_of, assert_error, file, get, id_of, is_id, kyc, passport, person, post,
    verification, verification_of,
};
use common::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const FORM: &str = "55d5a731790f81cf26637083168ff266b603";

fn check_names(verification: &Value) -> Vec<String> {
    verification["verifications"]
        .as_object()
        .expect("verifications is an object")
        .keys()
        .cloned()
        .collect()
}

/// A person with `extra` fields and a passport numbered `number`, submitted for verification.
async fn submit(app: &TestApp, extra: Value, number: &str) -> (String, String) {
    let applicant_id = person(app, extra).await;
    passport(app, &applicant_id, number).await;
    let id = verification(app, json!({"applicant_id": applicant_id})).await;
    (applicant_id, id)
}

/// Submits, lets 10 s pass, and returns the verification and the applicant.
async fn decided(app: &TestApp, extra: Value, number: &str) -> (Value, Value) {
    let (applicant_id, id) = submit(app, extra, number).await;
    advance(app, 10).await;
    (
        verification_of(app, &id).await,
        applicant_of(app, &applicant_id).await,
    )
}

#[track_caller]
fn assert_declined(verification: &Value, check: &str, reason: &str) {
    assert_eq!(verification["status"], "completed");
    assert_eq!(verification["verified"], false);
    let result = &verification["verifications"][check];
    assert_eq!(result["verified"], false, "{verification}");
    assert_eq!(result["decline_reasons"], json!([reason]));
    assert!(!result["comment"].as_str().unwrap().is_empty());
    for (name, other) in verification["verifications"].as_object().unwrap() {
        if name != check {
            assert_eq!(other["verified"], true, "{name} passes");
            assert_eq!(other["decline_reasons"], json!([]));
        }
    }
}

#[tokio::test]
async fn a_verification_is_pending_at_once_with_checks_from_the_data() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    passport(&app, &applicant_id, "P1").await;
    let selfie = file(&app).await;
    post(
        &app,
        "/documents",
        json!({"applicant_id": applicant_id, "type": "SELFIE_IMAGE", "front_side_id": selfie}),
    )
    .await;
    post(
        &app,
        "/addresses",
        json!({"applicant_id": applicant_id, "type": "REGISTERED", "city": "Oslo"}),
    )
    .await;
    let id = verification(&app, json!({"applicant_id": applicant_id})).await;
    let body = verification_of(&app, &id).await;
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "verification_id",
            "applicant_id",
            "form_id",
            "form_token",
            "status",
            "verified",
            "verifications",
            "verification_attempts_left",
            "created_at",
            "completed_at"
        ]
    );
    assert_eq!(body["verification_id"], id);
    assert_eq!(body["applicant_id"], applicant_id);
    assert_eq!(body["status"], "pending");
    assert_eq!(body["verified"], Value::Null);
    assert_eq!(body["created_at"], "2026-01-01 00:00:00");
    assert_eq!(body["completed_at"], Value::Null);
    assert_eq!(
        check_names(&body),
        ["profile", "document", "facial", "address"]
    );
    assert_eq!(
        body["verifications"]["document"],
        json!({"verified": null, "comment": "", "decline_reasons": []})
    );
    let applicant = applicant_of(&app, &applicant_id).await;
    assert_eq!(applicant["verification_status"], "pending");
    assert_eq!(applicant["verifications_count"], 1);

    // Legacy `types` name the checks instead.
    let other = person(&app, json!({})).await;
    let named = verification(
        &app,
        json!({"applicant_id": other, "types": ["AML", "DOCUMENT"]}),
    )
    .await;
    assert_eq!(
        check_names(&verification_of(&app, &named).await),
        ["aml", "document"]
    );
    let bad = post(
        &app,
        "/verifications",
        json!({"applicant_id": other, "types": ["DNA"]}),
    )
    .await;
    assert_error(&bad, 422, "validation", &["types"]);
    let missing = post(&app, "/verifications", json!({"callback_url": "ftp://x"})).await;
    assert_error(
        &missing,
        422,
        "validation",
        &["applicant_id", "callback_url"],
    );
    let unknown = post(
        &app,
        "/verifications",
        json!({"applicant_id": "d".repeat(36)}),
    )
    .await;
    assert_eq!(
        assert_error(&unknown, 404, "not_found", &["applicant_id"]),
        ["Applicant was not found"]
    );
    assert_error(
        &get(&app, &format!("/verifications/{}", "d".repeat(36))).await,
        404,
        "not_found",
        &["verification_id"],
    );
}

#[tokio::test]
async fn the_default_scenario_approves_after_ten_seconds_and_not_before() {
    let app = spawn_app().await;
    let (applicant_id, id) = submit(&app, json!({}), "AB123").await;
    advance(&app, 9).await;
    assert_eq!(verification_of(&app, &id).await["status"], "pending");
    advance(&app, 1).await;
    let body = verification_of(&app, &id).await;
    assert_eq!(body["status"], "completed");
    assert_eq!(body["verified"], true);
    assert_eq!(body["completed_at"], "2026-01-01 00:00:10");
    for (name, check) in body["verifications"].as_object().unwrap() {
        assert_eq!(
            check,
            &json!({"verified": true, "comment": "", "decline_reasons": []}),
            "{name}"
        );
    }
    let applicant = applicant_of(&app, &applicant_id).await;
    assert_eq!(applicant["profile_status"], "valid");
    assert_eq!(applicant["verification_status"], "valid");
    assert_eq!(applicant["documents"][0]["status"], "valid");
    assert_eq!(
        applicant["documents"][0]["decline_reasons_ids"],
        Value::Null
    );
}

#[tokio::test]
async fn document_numbers_starting_0000_decline_the_document() {
    let app = spawn_app().await;
    let (verification, applicant) = decided(&app, json!({}), "0000123").await;
    assert_declined(&verification, "document", "BAD_QUALITY");
    let document = &applicant["documents"][0];
    assert_eq!(document["status"], "invalid");
    assert_eq!(document["decline_reasons"], json!(["BAD_QUALITY"]));
    assert_eq!(document["decline_reasons_ids"], json!([7]));
    assert!(document["comment"].is_string());
    assert_eq!(applicant["profile_status"], "valid");
    assert_eq!(applicant["verification_status"], "invalid");

    let (verification, applicant) = decided(&app, json!({}), "0000-EXPIRED_DOCUMENT").await;
    assert_declined(&verification, "document", "EXPIRED_DOCUMENT");
    assert_eq!(applicant["documents"][0]["decline_reasons_ids"], json!([5]));
}

#[tokio::test]
async fn profile_scenarios_decline_the_profile() {
    let app = spawn_app().await;
    let (verification, applicant) = decided(&app, json!({"last_name": "Decline"}), "P1").await;
    assert_declined(&verification, "profile", "WRONG_INFO");
    assert_eq!(applicant["profile_status"], "invalid");
    assert_eq!(applicant["decline_reasons"], json!(["WRONG_INFO"]));
    assert_eq!(applicant["decline_reasons_ids"], json!([9]));
    assert!(applicant["profile_comment"].is_string());
    assert_eq!(applicant["documents"][0]["status"], "valid");

    let (verification, _) = decided(
        &app,
        json!({"first_name": "John", "last_name": "Doe"}),
        "P2",
    )
    .await;
    assert_declined(&verification, "profile", "WRONG_NAME");
    let (verification, applicant) = decided(
        &app,
        json!({"first_name": "John", "last_name": "Snow"}),
        "P3",
    )
    .await;
    assert_eq!(verification["verified"], true);
    assert_eq!(applicant["profile_status"], "valid");
}

#[tokio::test]
async fn email_tags_pick_facial_and_aml_declines() {
    let app = spawn_app().await;
    let (verification, _) = decided(
        &app,
        json!({"email": "jane+facial-mismatch@example.com"}),
        "P1",
    )
    .await;
    assert_declined(&verification, "facial", "DIFFERENT_FACES");

    let (_, id) = submit(&app, json!({"email": "jane+aml-hit@example.com"}), "P2").await;
    advance(&app, 5).await;
    let screened = verification_of(&app, &id).await;
    assert_eq!(screened["status"], "pending", "screening first");
    advance(&app, 5).await;
    assert_declined(
        &verification_of(&app, &id).await,
        "aml",
        "COMPROMISED_PERSON",
    );
}

#[tokio::test]
async fn unused_manual_and_slow_scenarios() {
    let app = spawn_app().await;
    let (_, unused) = submit(&app, json!({"email": "a+unused@example.com"}), "P1").await;
    let (_, manual) = submit(&app, json!({"email": "b+manual@example.com"}), "P2").await;
    let (_, slow) = submit(&app, json!({"email": "c+slow@example.com"}), "P3").await;
    assert_eq!(verification_of(&app, &unused).await["status"], "unused");
    advance(&app, 24 * 3600 - 1).await;
    assert_eq!(verification_of(&app, &unused).await["status"], "unused");
    assert_eq!(verification_of(&app, &manual).await["status"], "pending");
    assert_eq!(verification_of(&app, &slow).await["status"], "pending");
    advance(&app, 1).await;
    let body = verification_of(&app, &slow).await;
    assert_eq!(
        (body["status"].clone(), body["verified"].clone()),
        (json!("completed"), json!(true))
    );
    assert_eq!(verification_of(&app, &manual).await["status"], "pending");

    let reply = post(
        &app,
        &format!("/verifications/{manual}/status"),
        json!({"verification_status": "approved"}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.body,
        json!({"status": "ok", "data": {"verification_id": manual, "verification_status": "approved",
            "callback_enabled": false, "project_owner_email_enabled": false,
            "applicant_email_enabled": false}})
    );
    let body = verification_of(&app, &manual).await;
    assert_eq!(body["status"], "completed");
    assert_eq!(body["verified"], true);
}

#[tokio::test]
async fn resubmit_declines_the_first_attempt_and_approves_the_next() {
    let app = spawn_app().await;
    let (applicant_id, first) =
        submit(&app, json!({"email": "r+resubmit@example.com"}), "P1").await;
    advance(&app, 10).await;
    let body = verification_of(&app, &first).await;
    assert_declined(&body, "document", "BAD_QUALITY");
    assert_eq!(body["verification_attempts_left"], 2);

    let second = verification(&app, json!({"applicant_id": applicant_id})).await;
    assert_eq!(verification_of(&app, &second).await["status"], "pending");
    advance(&app, 10).await;
    let body = verification_of(&app, &second).await;
    assert_eq!(body["verified"], true);
    let applicant = applicant_of(&app, &applicant_id).await;
    assert_eq!(applicant["verification_status"], "valid");
    assert_eq!(applicant["verifications_count"], 2);
}

#[tokio::test]
async fn the_scenario_header_forces_a_scenario_and_an_unknown_one_creates_nothing() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let unknown = app
        .send(
            kyc(&app, Method::POST, "/verifications")
                .header("X-Sandbox-Scenario", "kycaid-nope")
                .json(&json!({"applicant_id": applicant_id})),
        )
        .await;
    let messages = assert_error(&unknown, 400, "bad_request", &["x-sandbox-scenario"]);
    assert!(messages[0].contains("kycaid-nope"), "{}", messages[0]);
    assert_eq!(get(&app, "/verifications").await.body["total"], 0);
    assert_eq!(
        applicant_of(&app, &applicant_id).await["verifications_count"],
        0
    );

    let forced = app
        .send(
            kyc(&app, Method::POST, "/verifications")
                .header("X-Sandbox-Scenario", "kycaid-profile-declined")
                .json(&json!({"applicant_id": applicant_id})),
        )
        .await;
    let id = id_of(&forced, "verification_id");
    advance(&app, 10).await;
    assert_declined(&verification_of(&app, &id).await, "profile", "WRONG_INFO");
}

#[tokio::test]
async fn one_verification_at_a_time_and_the_reviewer_decides() {
    let app = spawn_app().await;
    let (applicant_id, id) = submit(&app, json!({"email": "m+manual@example.com"}), "P1").await;
    let again = post(
        &app,
        "/verifications",
        json!({"applicant_id": applicant_id}),
    )
    .await;
    assert_error(&again, 422, "validation", &["applicant_id"]);

    let path = format!("/verifications/{id}/status");
    assert_error(
        &post(&app, &path, json!({"verification_status": "maybe"})).await,
        422,
        "validation",
        &["verification_status"],
    );
    assert_error(
        &post(&app, &path, json!({})).await,
        422,
        "validation",
        &["verification_status"],
    );
    let reply = post(
        &app,
        &path,
        json!({"verification_status": "declined", "applicant_email_enabled": true}),
    )
    .await;
    assert_eq!(reply.body["status"], "ok");
    assert_eq!(reply.body["data"]["verification_status"], "declined");
    assert_eq!(reply.body["data"]["applicant_email_enabled"], true);
    let body = verification_of(&app, &id).await;
    assert_eq!(body["verified"], false);
    for check in ["profile", "document"] {
        assert_eq!(
            body["verifications"][check]["verified"], false,
            "a bare decline fails every check"
        );
    }
    let applicant = applicant_of(&app, &applicant_id).await;
    assert_eq!(applicant["verification_status"], "invalid");
    assert_eq!(applicant["profile_status"], "invalid");
    // Finished: a new verification may start.
    verification(&app, json!({"applicant_id": applicant_id})).await;

    let unknown = post(
        &app,
        &format!("/verifications/{}/status", "e".repeat(36)),
        json!({"verification_status": "approved"}),
    )
    .await;
    assert_error(&unknown, 404, "not_found", &["verification_id"]);
}

#[tokio::test]
async fn the_list_is_newest_first_and_filters_by_applicant() {
    let app = spawn_app().await;
    let (a, first) = submit(&app, json!({}), "P1").await;
    let (_, second) = submit(&app, json!({}), "P2").await;
    let all = get(&app, "/verifications").await;
    assert_eq!(all.status, 200);
    assert_eq!(all.body["total"], 2);
    assert_eq!(all.body["data"][0]["verification_id"], second);
    assert_eq!(all.body["data"][1]["verification_id"], first);
    let mine = get(&app, &format!("/verifications?applicant_id={a}")).await;
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["data"][0]["verification_id"], first);
    let paged = get(&app, "/verifications?per_page=1&page=2").await;
    assert_eq!(paged.body["data"][0]["verification_id"], first);
    assert_eq!(paged.body["per_page"], 1);
    assert_error(
        &get(&app, "/verifications?applicant_id=nope").await,
        422,
        "validation",
        &["applicant_id"],
    );
    assert_error(
        &get(
            &app,
            &format!("/verifications?applicant_id={}", "a".repeat(36)),
        )
        .await,
        404,
        "not_found",
        &["applicant_id"],
    );
}

#[tokio::test]
async fn admin_transitions_decide_verifications_and_documents() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({"email": "t+manual@example.com"})).await;
    let document_id = passport(&app, &applicant_id, "P1").await;
    let id = verification(&app, json!({"applicant_id": applicant_id})).await;
    let reply = app
        .admin_post(
            "/transitions",
            json!({"provider": "kycaid", "kind": "verification", "id": id, "to": "declined",
                   "declined": {"document": ["FAKE_DOCUMENT"]}, "comment": "forged"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let resource = &reply.body["resource"];
    assert_declined(resource, "document", "FAKE_DOCUMENT");
    assert_eq!(resource["verifications"]["document"]["comment"], "forged");
    assert_eq!(verification_of(&app, &id).await, *resource);
    let document = get(&app, &format!("/documents/{document_id}")).await.body;
    assert_eq!(document["status"], "invalid");
    assert_eq!(document["decline_reasons_ids"], json!([8]));

    let reply = app
        .admin_post(
            "/transitions",
            json!({"provider": "kycaid", "kind": "document", "id": document_id, "to": "invalid",
                   "decline_reasons": ["WRONG_DOCUMENT", "BAD_QUALITY"]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.body["resource"]["decline_reasons"],
        json!(["WRONG_DOCUMENT", "BAD_QUALITY"])
    );
    assert_eq!(
        reply.body["resource"]["decline_reasons_ids"],
        json!([13, 7])
    );
    let valid = app
        .admin_post(
            "/transitions",
            json!({"provider": "kycaid", "kind": "document", "id": document_id, "to": "valid"}),
        )
        .await;
    assert_eq!(valid.body["resource"]["status"], "valid");
    assert_eq!(valid.body["resource"]["decline_reasons"], json!([]));

    let bad_reason = app
        .admin_post(
            "/transitions",
            json!({"provider": "kycaid", "kind": "document", "id": document_id, "to": "invalid",
                   "decline_reasons": ["BORED"]}),
        )
        .await;
    assert!(bad_reason.status.is_client_error(), "{}", bad_reason.body);
    let unknown = app
        .admin_post(
            "/transitions",
            json!({"provider": "kycaid", "kind": "verification", "id": "f".repeat(36), "to": "approved"}),
        )
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

#[tokio::test]
async fn form_urls_make_an_unused_verification_with_the_forms_checks() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let reply = post(
        &app,
        &format!("/forms/{FORM}/urls"),
        json!({"applicant_id": applicant_id, "redirect_url": "https://shop.test/done", "language_code": "EN"}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let keys: Vec<&str> = reply
        .body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "form_id",
            "form_url",
            "verification_id",
            "form_token",
            "verification_attempts_left"
        ]
    );
    assert_eq!(reply.body["form_id"], FORM);
    assert_eq!(reply.body["verification_attempts_left"], Value::Null);
    let token = reply.body["form_token"].as_str().unwrap();
    let id = reply.body["verification_id"].as_str().unwrap();
    assert!(is_id(token) && is_id(id));
    let url = reply.body["form_url"].as_str().unwrap();
    assert!(url.starts_with(&app.base) && url.ends_with(token), "{url}");

    let body = verification_of(&app, id).await;
    assert_eq!(body["status"], "unused");
    assert_eq!(body["form_id"], FORM);
    assert_eq!(body["form_token"], token);
    assert_eq!(body["applicant_id"], applicant_id);
    assert_eq!(check_names(&body), ["profile", "document", "facial"]);
    assert_eq!(
        applicant_of(&app, &applicant_id).await["verifications_count"],
        1
    );
    let decide = post(
        &app,
        &format!("/verifications/{id}/status"),
        json!({"verification_status": "approved"}),
    )
    .await;
    assert_error(&decide, 422, "validation", &["verification_id"]);

    let anonymous = post(&app, &format!("/forms/{FORM}/urls"), json!({})).await;
    let id = anonymous.body["verification_id"].as_str().unwrap();
    assert_eq!(verification_of(&app, id).await["applicant_id"], Value::Null);
    assert_eq!(
        assert_error(
            &post(&app, "/forms/not-a-form/urls", json!({})).await,
            422,
            "validation",
            &["form_id"]
        ),
        ["Form ID is not valid"]
    );
    let unknown = post(
        &app,
        &format!("/forms/{FORM}/urls"),
        json!({"applicant_id": "b".repeat(36)}),
    )
    .await;
    assert_error(&unknown, 404, "not_found", &["applicant_id"]);

    // A verification created with a form id runs that form's checks.
    let other = person(&app, json!({})).await;
    let with_form = verification(&app, json!({"applicant_id": other, "form_id": FORM})).await;
    let body = verification_of(&app, &with_form).await;
    assert_eq!(body["form_id"], FORM);
    assert_eq!(check_names(&body), ["profile", "document", "facial"]);
}
