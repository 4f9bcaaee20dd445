//! Behaviours a review of the KYCAID emulation asked for: nothing written by a refused request,
//! type changes checked as a whole, deletes that leave nothing reachable behind, one review at a
//! time through every door, decisions limited to what a verification covered, and the leniency
//! real clients rely on (bare form keys, empty `external_applicant_id`).

use crate::common;

use common::kycaid::*;
use common::{spawn_app, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::json;

const FORM_ID: &str = "55d5a731790f81cf26637083168ff266b603";

async fn form_link(app: &TestApp, applicant_id: &str) -> String {
    let reply = post(
        app,
        &format!("/forms/{FORM_ID}/urls"),
        json!({"applicant_id": applicant_id}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["form_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_refused_verification_writes_nothing_not_even_an_id() {
    let refused = spawn_app().await;
    let applicant_id = person(&refused, json!({})).await;
    let reply = refused
        .send(
            kyc(&refused, Method::POST, "/verifications")
                .header("x-sandbox-scenario", "no-such-scenario")
                .json(&json!({"applicant_id": applicant_id, "form_id": FORM_ID})),
        )
        .await;
    assert_error(&reply, 400, "bad_request", &["x-sandbox-scenario"]);
    let next_after_refusal = person(&refused, json!({})).await;

    let clean = spawn_app().await;
    person(&clean, json!({})).await;
    let next_without = person(&clean, json!({})).await;
    assert_eq!(
        next_after_refusal, next_without,
        "the refused call drew no id from the seeded stream"
    );
    let tenants = refused.admin_get("/tenants").await;
    let tenant = tenants["tenants"][0]["tenant"].as_str().unwrap().to_owned();
    let state = refused.admin_get(&format!("/tenants/{tenant}/state")).await;
    assert_eq!(
        state["state"]["forms"],
        json!({}),
        "no form was registered: {state}"
    );
}

#[tokio::test]
async fn a_type_change_meets_the_new_types_rules() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let passport = passport(&app, &applicant_id, "AB123").await;
    let card = document(
        &app,
        json!({"applicant_id": applicant_id, "type": "CREDIT_CARD", "card_number": "5375411422962063"}),
    )
    .await;
    assert!(is_id(&card));
    let path = format!("/documents/{passport}");
    let second_card = patch(&app, &path, json!({"type": "CREDIT_CARD"})).await;
    assert_error(&second_card, 422, "validation", &["type"]);
    let selfie = patch(
        &app,
        &path,
        json!({"type": "SELFIE_IMAGE", "front_side_id": null}),
    )
    .await;
    assert_error(&selfie, 422, "validation", &["front_side_id"]);
    assert_eq!(
        get(&app, &path).await.body["type"],
        "PASSPORT",
        "a refused change leaves the document as it was"
    );
}

#[tokio::test]
async fn deleting_an_applicant_closes_its_form_links_and_old_addresses() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let token = form_link(&app, &applicant_id).await;
    let address = post(
        &app,
        "/addresses",
        json!({"applicant_id": applicant_id, "type": "REGISTERED", "country": "GB", "city": "London"}),
    )
    .await;
    let old_address = id_of(&address, "address_id");
    let verification_id = verification(&app, json!({"applicant_id": applicant_id})).await;
    advance(&app, 11).await;
    assert_eq!(
        verification_of(&app, &verification_id).await["status"],
        "completed"
    );
    let moved = patch(
        &app,
        &format!("/addresses/{old_address}"),
        json!({"city": "Leeds"}),
    )
    .await;
    assert_ne!(id_of(&moved, "address_id"), old_address);

    assert_eq!(
        delete(&app, &format!("/applicants/{applicant_id}"))
            .await
            .status,
        200
    );
    let page = app
        .send(app.request(Method::GET, &format!("/kycaid/form/{token}")))
        .await;
    assert_eq!(page.status, 404, "the link went with its verification");
    assert_error(
        &get(&app, &format!("/addresses/{old_address}")).await,
        404,
        "not_found",
        &["address_id"],
    );
}

#[tokio::test]
async fn the_hosted_form_cannot_start_a_second_review() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({"email": "jane+manual@example.com"})).await;
    let token = form_link(&app, &applicant_id).await;
    verification(&app, json!({"applicant_id": applicant_id})).await;
    let png = || {
        Part::bytes(png())
            .file_name("p.png")
            .mime_str("image/png")
            .unwrap()
    };
    let form = Form::new()
        .text("first_name", "Jane")
        .text("last_name", "Roe")
        .text("dob", "1990-04-01")
        .text("residence_country", "GB")
        .text("document_type", "PASSPORT")
        .text("document_number", "P1234567")
        .part("front_side", png())
        .part("selfie", png());
    let reply = app
        .send(
            app.request(Method::POST, &format!("/kycaid/form/{token}/submit"))
                .multipart(form),
        )
        .await;
    assert_error(&reply, 422, "validation", &["applicant_id"]);
    assert_eq!(
        applicant_of(&app, &applicant_id).await["documents"],
        json!([])
    );
}

#[tokio::test]
async fn a_decision_judges_only_what_its_verification_covered() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let judged = passport(&app, &applicant_id, "AB123").await;
    let verification_id = post_form(
        &app,
        "/verifications",
        &format!("applicant_id={applicant_id}&types[]=PROFILE"),
    )
    .await;
    let verification_id = id_of(&verification_id, "verification_id");
    let late = passport(&app, &applicant_id, "CD456").await;
    advance(&app, 11).await;
    assert_eq!(
        verification_of(&app, &verification_id).await["verified"],
        true
    );
    for id in [&judged, &late] {
        assert_eq!(
            get(&app, &format!("/documents/{id}")).await.body["status"],
            "new",
            "no document check ran, and the late one was not submitted"
        );
    }
    assert_eq!(
        applicant_of(&app, &applicant_id).await["profile_status"],
        "valid"
    );
}

#[tokio::test]
async fn bare_form_keys_and_empty_external_ids_are_not_errors() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({"external_applicant_id": ""})).await;
    let passport = passport(&app, &applicant_id, "AB123").await;
    let front = get(&app, &format!("/documents/{passport}")).await.body["front_side_id"].clone();
    let reply = app
        .send(
            kyc(&app, Method::PATCH, &format!("/documents/{passport}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("document_number=P2&front_side_id&back_side_id"),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = get(&app, &format!("/documents/{passport}")).await.body;
    assert_eq!(body["document_number"], "P2");
    assert_eq!(body["front_side_id"], front, "a bare key is not a clear");
}

#[tokio::test]
async fn affiliated_persons_belong_to_companies_and_shares_are_percentages() {
    let app = spawn_app().await;
    let person_id = person(&app, json!({})).await;
    let company = applicant(&app, json!({"type": "COMPANY", "company_name": "Acme Ltd"})).await;
    let on_person = post(
        &app,
        "/affiliated-persons",
        json!({"type": "BENEFICIAL", "applicant_id": person_id, "first_name": "Bo", "last_name": "Li"}),
    )
    .await;
    assert_error(&on_person, 422, "validation", &["applicant_id"]);
    let too_much = post(
        &app,
        "/affiliated-persons",
        json!({"type": "BENEFICIAL", "applicant_id": company, "first_name": "Bo", "last_name": "Li", "share": 150}),
    )
    .await;
    assert_error(&too_much, 422, "validation", &["share"]);
}

#[tokio::test]
async fn countries_must_be_ones_kycaid_lists() {
    let app = spawn_app().await;
    let reply = post(
        &app,
        "/applicants",
        json!({"type": "PERSON", "first_name": "Jane", "residence_country": "ZZ", "nationality": "gb"}),
    )
    .await;
    let messages = assert_error(&reply, 422, "validation", &["residence_country"]);
    assert_eq!(messages, ["Country of residence is not valid"]);
    let applicant_id = person(&app, json!({})).await;
    let address = post(
        &app,
        "/addresses",
        json!({"applicant_id": applicant_id, "type": "REGISTERED", "country": "XX"}),
    )
    .await;
    assert_error(&address, 422, "validation", &["country"]);
}
