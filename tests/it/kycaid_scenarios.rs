//! KYCAID's built-in verification scenarios on the sandbox clock (the default approval, declines
//! picked by the data, unused/manual/slow, resubmit) and forcing a scenario with the header.

use crate::common;

use common::kycaid::{
    advance, applicant_of, assert_declined, assert_error, get, id_of, kyc, person, post,
    submit_person, verification, verification_of,
};
use common::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Submits, lets 10 s pass, and returns the verification and the applicant.
async fn decided(app: &TestApp, extra: Value, number: &str) -> (Value, Value) {
    let (applicant_id, id) = submit_person(app, extra, number).await;
    advance(app, 10).await;
    (
        verification_of(app, &id).await,
        applicant_of(app, &applicant_id).await,
    )
}

#[tokio::test]
async fn the_default_scenario_approves_after_ten_seconds_and_not_before() {
    let app = spawn_app().await;
    let (applicant_id, id) = submit_person(&app, json!({}), "AB123").await;
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

    let (_, id) = submit_person(&app, json!({"email": "jane+aml-hit@example.com"}), "P2").await;
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
    let (_, unused) = submit_person(&app, json!({"email": "a+unused@example.com"}), "P1").await;
    let (_, manual) = submit_person(&app, json!({"email": "b+manual@example.com"}), "P2").await;
    let (_, slow) = submit_person(&app, json!({"email": "c+slow@example.com"}), "P3").await;
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
        submit_person(&app, json!({"email": "r+resubmit@example.com"}), "P1").await;
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
