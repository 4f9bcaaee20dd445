//! KYCAID callbacks seen from a local receiver at the verification's `callback_url`: the events
//! and their payloads, the `x-data-integrity` signature (HMAC-SHA512 keyed by the API token over
//! the Base64 of the body), retries on the sandbox clock and redelivery.

use crate::common;

use std::time::Duration;

use base64::Engine as _;
use common::kycaid::{
    advance, applicant_of, kyc_as, passport, person, post, verification, verification_of,
    OTHER_TOKEN, TOKEN,
};
use common::receiver::{Received, Receiver, WAIT};
use common::{spawn_app, TestApp};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};

/// Lowercase hex of HMAC-SHA512 keyed by `token` over the Base64 of `body`, as KYCAID documents.
fn signature(token: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(token.as_bytes()).unwrap();
    mac.update(
        base64::engine::general_purpose::STANDARD
            .encode(body)
            .as_bytes(),
    );
    hex::encode(mac.finalize().into_bytes())
}

/// The payload of a callback, after checking how it was sent and signed with `token`.
#[track_caller]
fn checked(got: &Received, token: &str, path: &str) -> Value {
    assert_eq!(got.method, "POST");
    assert_eq!(got.target, path);
    assert!(got.header("content-type").starts_with("application/json"));
    assert_eq!(got.header("x-data-integrity"), signature(token, &got.body));
    serde_json::from_slice(&got.body).expect("a JSON payload")
}

fn keys(value: &Value) -> Vec<&str> {
    value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

/// KYCAID deliveries in the admin log, newest first.
async fn deliveries(app: &TestApp) -> Vec<Value> {
    app.admin_get("/webhooks?provider=kycaid").await["deliveries"]
        .as_array()
        .unwrap()
        .clone()
}

/// Polls a delivery until `attempts` attempts have finished, for at most `WAIT`.
async fn settled(app: &TestApp, id: &str, attempts: usize) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let view = app.admin_get(&format!("/webhooks/{id}")).await;
        if view["status"] != "pending"
            && view["attempts"].as_array().map(Vec::len) == Some(attempts)
        {
            return view;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never settled: {view:#}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A person (with `email`) and a passport, submitted with the receiver as `callback_url`.
async fn submit(app: &TestApp, receiver: &Receiver, email: &str) -> (String, String) {
    let applicant_id = person(
        app,
        json!({"email": email, "external_applicant_id": "ext-7"}),
    )
    .await;
    passport(app, &applicant_id, "AB123").await;
    let id = verification(
        app,
        json!({"applicant_id": applicant_id, "callback_url": receiver.url("/hook")}),
    )
    .await;
    (applicant_id, id)
}

#[test]
fn the_documented_signature_vector_is_reproduced() {
    let body = r#"{"request_id":"61a7dbcc012d9042e909cf006e7b412d6ba5","type":"VERIFICATION_STATUS_CHANGED","applicant_id":"4141cc1b18dba048470b2961cb4592f480fe","verification_id":"2cf795e713be1040e50b202164ee17bfdfbe","form_id":"58bed87600dd9944f02ba0c9cd8b32d6bd4c","verification_status":"pending"}"#;
    assert_eq!(TOKEN, "28c6f7cc0345a04eee0b535039b1c5a62547");
    assert_eq!(
        signature(TOKEN, body.as_bytes()),
        "f7681b097b77928fc031d614709976796057c306cf77fdd449bb414937bd87678d908d7efaa65e9b1dd65b9eeea2121ea75bd9007f44fe8fcd7c9ac6cdeeef0e"
    );
}

/// An API-created verification calls back once, when completed: KYCAID sends
/// `VERIFICATION_STATUS_CHANGED` only for a hosted form a person submitted
/// (docs.kycaid.com/callbacks/verification-status-changed), and `VERIFICATION_COMPLETED` "when
/// verification status is set" (docs.kycaid.com/callbacks/verification-completed).
#[tokio::test]
async fn an_api_verification_calls_back_once_completed_with_the_full_applicant() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let (applicant_id, id) = submit(&app, &receiver, "jane@example.com").await;
    advance(&app, 9).await;
    assert!(
        deliveries(&app).await.is_empty(),
        "nothing before the decision"
    );
    advance(&app, 1).await;
    let completed = checked(&receiver.next().await, TOKEN, "/hook");
    let mut fields = keys(&completed);
    fields.sort_unstable();
    // The reference example's fields, `external_applicant_id` only inside `applicant`.
    assert_eq!(
        fields,
        [
            "applicant",
            "applicant_id",
            "form_id",
            "form_token",
            "request_id",
            "status",
            "type",
            "verification_attempts_left",
            "verification_id",
            "verification_statuses",
            "verifications",
            "verified"
        ]
    );
    assert_eq!(completed["type"], "VERIFICATION_COMPLETED");
    assert_eq!(completed["verification_id"], id);
    assert_eq!(completed["status"], "completed");
    assert_eq!(completed["verified"], true);
    assert!(common::kycaid::is_id(
        completed["request_id"].as_str().unwrap()
    ));
    assert_eq!(
        completed["verifications"],
        verification_of(&app, &id).await["verifications"]
    );
    assert_eq!(
        completed["verifications"]["document"],
        json!({"verified": true, "comment": "", "decline_reasons": []})
    );
    assert_eq!(
        completed["applicant"],
        applicant_of(&app, &applicant_id).await
    );
    assert_eq!(completed["applicant"]["external_applicant_id"], "ext-7");
    assert_eq!(completed["applicant"]["verification_status"], "valid");
    assert_eq!(
        keys(&completed["verification_statuses"]),
        [
            "duplicates",
            "ludoman",
            "agreed_with_tc",
            "face_match_confidence"
        ]
    );
    assert_eq!(completed["verification_attempts_left"], Value::Null);
    advance(&app, 3600).await;
    let logged = deliveries(&app).await;
    assert_eq!(logged.len(), 1, "never a status change, never twice");
    assert_eq!(logged[0]["event"], "VERIFICATION_COMPLETED");
    assert_eq!(logged[0]["url"], receiver.url("/hook"));
}

#[tokio::test]
async fn a_failing_receiver_is_retried_on_the_clock_and_can_be_redelivered() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    receiver.answer(500, "try later");
    let (_, id) = submit(&app, &receiver, "m@example.com").await;
    advance(&app, 10).await;
    let first = receiver.next().await;
    let payload = checked(&first, TOKEN, "/hook");
    assert_eq!(payload["verification_id"], id);
    let delivery = deliveries(&app).await[0]["id"].as_str().unwrap().to_owned();
    let view = settled(&app, &delivery, 1).await;
    assert_eq!(view["attempts"][0]["status"], 500);
    assert_eq!(view["event"], "VERIFICATION_COMPLETED");

    receiver.answer(200, "ok");
    advance(&app, 60).await;
    let retry = receiver.next().await;
    assert_eq!(retry.body, first.body, "the same bytes again");
    assert_eq!(
        retry.header("x-data-integrity"),
        first.header("x-data-integrity")
    );
    let view = settled(&app, &delivery, 2).await;
    assert_eq!(view["status"], "delivered");
    assert_eq!(view["attempts"][1]["status"], 200);
    assert_eq!(view["attempts"][1]["at"], "2026-01-01T00:01:10Z");
    assert_eq!(
        view["requestHeaders"]["x-data-integrity"],
        signature(TOKEN, &first.body)
    );

    let reply = app
        .admin_post(&format!("/webhooks/{delivery}/redeliver"), json!({}))
        .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    let again = receiver.next().await;
    assert_eq!(checked(&again, TOKEN, "/hook"), payload);
    assert_eq!(
        settled(&app, &delivery, 3).await["attempts"][2]["number"],
        3
    );
}

#[tokio::test]
async fn a_sanctions_hit_sends_database_screening_before_the_decision() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let (applicant_id, id) = submit(&app, &receiver, "ivan+aml-hit@example.com").await;
    advance(&app, 5).await;
    let screening = checked(&receiver.next().await, TOKEN, "/hook");
    assert_eq!(
        keys(&screening),
        [
            "type",
            "request_id",
            "applicant_id",
            "external_applicant_id",
            "verification_id",
            "document_id",
            "databases",
            "list_types"
        ]
    );
    assert_eq!(screening["type"], "DATABASE_SCREENING");
    assert_eq!(screening["applicant_id"], applicant_id);
    assert_eq!(screening["external_applicant_id"], "ext-7");
    assert_eq!(screening["verification_id"], id);
    let applicant = applicant_of(&app, &applicant_id).await;
    assert_eq!(
        screening["document_id"],
        applicant["documents"][0]["document_id"]
    );
    assert_eq!(screening["databases"], json!(["Open Sanctions Default"]));
    assert_eq!(screening["list_types"], json!(["SANCTIONS"]));
    assert_eq!(deliveries(&app).await.len(), 1, "no status change with it");

    advance(&app, 5).await;
    let completed = checked(&receiver.next().await, TOKEN, "/hook");
    assert_eq!(completed["type"], "VERIFICATION_COMPLETED");
    assert_eq!(completed["verified"], false);
    assert_eq!(
        completed["verifications"]["aml"]["decline_reasons"],
        json!(["COMPROMISED_PERSON"])
    );
}

#[tokio::test]
async fn the_status_api_calls_back_only_when_asked() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let (_, quiet) = submit(&app, &receiver, "q+manual@example.com").await;
    let reply = post(
        &app,
        &format!("/verifications/{quiet}/status"),
        json!({"verification_status": "approved", "callback_enabled": false}),
    )
    .await;
    assert_eq!(reply.body["data"]["callback_enabled"], false);
    assert_eq!(verification_of(&app, &quiet).await["verified"], true);
    assert!(deliveries(&app).await.is_empty(), "no callback");

    let (_, loud) = submit(&app, &receiver, "l+manual@example.com").await;
    let reply = post(
        &app,
        &format!("/verifications/{loud}/status"),
        json!({"verification_status": "declined", "callback_enabled": true}),
    )
    .await;
    assert_eq!(reply.body["data"]["callback_enabled"], true);
    let completed = checked(&receiver.next().await, TOKEN, "/hook");
    assert_eq!(completed["type"], "VERIFICATION_COMPLETED");
    assert_eq!(completed["verification_id"], loud);
    assert_eq!(completed["verified"], false);
    assert_eq!(deliveries(&app).await.len(), 1);
}

#[tokio::test]
async fn no_callback_without_a_url_or_for_an_unused_verification() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let applicant_id = person(&app, json!({})).await;
    verification(&app, json!({"applicant_id": applicant_id})).await;
    advance(&app, 10).await;
    submit(&app, &receiver, "u+unused@example.com").await;
    advance(&app, 3600).await;
    assert!(deliveries(&app).await.is_empty());
}

#[tokio::test]
async fn each_account_signs_with_its_own_token() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let body = json!({"type": "PERSON", "first_name": "Olaf", "last_name": "Berg"});
    let created = app
        .send(kyc_as(&app, OTHER_TOKEN, Method::POST, "/applicants").json(&body))
        .await;
    let applicant_id = created.body["applicant_id"].as_str().unwrap().to_owned();
    let created = app
        .send(
            kyc_as(&app, OTHER_TOKEN, Method::POST, "/verifications").json(
                &json!({"applicant_id": applicant_id, "callback_url": receiver.url("/other")}),
            ),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    advance(&app, 10).await;
    let got = receiver.next().await;
    let payload = checked(&got, OTHER_TOKEN, "/other");
    assert_eq!(payload["applicant_id"], applicant_id);
    assert_ne!(got.header("x-data-integrity"), signature(TOKEN, &got.body));
}

#[tokio::test]
async fn verifications_without_a_callback_url_use_the_configured_one() {
    let mut receiver = Receiver::start().await;
    let url = receiver.url("/dashboard-hook");
    let app = common::spawn_with(|c| c.kycaid_callback_url = Some(url)).await;
    let applicant_id = person(&app, json!({})).await;
    passport(&app, &applicant_id, "AB123").await;
    let verification_id = verification(&app, json!({"applicant_id": applicant_id})).await;
    advance(&app, 10).await;
    let got = checked(&receiver.next().await, TOKEN, "/dashboard-hook");
    assert_eq!(got["type"], "VERIFICATION_COMPLETED");
    assert_eq!(got["verification_id"], verification_id);
}
