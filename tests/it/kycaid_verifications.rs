//! KYCAID verifications: creation and its checks, the reviewer's status API, admin transitions,
//! form URLs and the list. The built-in scenarios are in kycaid_scenarios.rs.

use crate::common;

use common::kycaid::{
    applicant_of, assert_declined, assert_error, file, get, is_id, passport, person, post,
    submit_person, verification, verification_of,
};
use common::spawn_app;
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
    // Unknown legacy `types` are ignored, not refused (the kycaid gem sends its own list):
    // with none known, the checks come from the data.
    let third = person(&app, json!({})).await;
    let lenient = verification(&app, json!({"applicant_id": third, "types": ["DNA"]})).await;
    assert_eq!(
        check_names(&verification_of(&app, &lenient).await),
        ["profile"]
    );
    let bad = post(
        &app,
        "/verifications",
        json!({"applicant_id": third, "types": "AML"}),
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
async fn one_verification_at_a_time_and_the_reviewer_decides() {
    let app = spawn_app().await;
    let (applicant_id, id) =
        submit_person(&app, json!({"email": "m+manual@example.com"}), "P1").await;
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
    let (a, first) = submit_person(&app, json!({}), "P1").await;
    let (_, second) = submit_person(&app, json!({}), "P2").await;
    let all = get(&app, "/verifications").await;
    assert_eq!(all.status, 200);
    assert_eq!(all.body["total"], 2);
    assert_eq!(all.body["data"][0]["verification_id"], second);
    assert_eq!(all.body["data"][1]["verification_id"], first);
    let mine = get(&app, &format!("/verifications?applicant_id={a}")).await;
    assert_eq!(mine.body["total"], 1);
    assert_eq!(mine.body["data"][0]["verification_id"], first);
    let beyond = get(&app, "/verifications?page=1000001").await;
    assert_eq!(
        beyond.body["errors"][0]["message"], "Page must be an integer from 1 to 1000000",
        "a bound a person can read"
    );
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

/// A completed verification's decision is final, as in KYCAID: neither the status API nor an
/// admin transition decides it again, and exactly one `VERIFICATION_COMPLETED` goes out (one
/// verification used to collect 80 contradictory callbacks).
#[tokio::test]
async fn a_completed_verification_is_never_decided_again() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({"email": "t+manual@example.com"})).await;
    passport(&app, &applicant_id, "P1").await;
    let callback_url = common::receiver::closed_port_url();
    let id = verification(
        &app,
        json!({"applicant_id": applicant_id, "callback_url": callback_url}),
    )
    .await;
    let decide = |to: &'static str| json!({"provider": "kycaid", "kind": "verification", "id": id, "to": to});
    let first = app.admin_post("/transitions", decide("approved")).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let decided = verification_of(&app, &id).await;
    assert_eq!(decided["verified"], true);

    for _ in 0..3 {
        let again = app.admin_post("/transitions", decide("declined")).await;
        assert_eq!(again.status, 409, "{}", again.body);
        assert!(
            again.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("final"),
            "{}",
            again.body
        );
        let status_api = post(
            &app,
            &format!("/verifications/{id}/status"),
            json!({"verification_status": "declined", "callback_enabled": true}),
        )
        .await;
        assert_error(&status_api, 422, "validation", &["verification_status"]);
    }
    assert_eq!(verification_of(&app, &id).await, decided, "nothing changed");
    let applicant = applicant_of(&app, &applicant_id).await;
    assert_eq!(applicant["verification_status"], "valid", "{applicant}");
    let completed = app
        .admin_get("/webhooks?provider=kycaid&event=VERIFICATION_COMPLETED")
        .await;
    let deliveries = completed["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 1, "{completed}");
}
