//! KYCAID files and documents: uploads and their limits, each document family and its fields,
//! the one-card rule, updates and deletes.

use crate::common;

use common::kycaid::{
    applicant_of, assert_error, delete, document, file, file_form, get, id_of, is_id, is_timestamp,
    jpeg, kyc, passport, patch, pdf, person, png, post, upload, verification,
};
use common::{spawn_app, spawn_with, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

/// The document fields the seed lists, in its order.
const SEED_FIELDS: &[&str] = &[
    "document_id",
    "applicant_id",
    "type",
    "provider",
    "status",
    "comment",
    "document_number",
    "additional_number",
    "issue_date",
    "expiry_date",
    "issuing_authority",
    "income_sources",
    "annual_income",
    "transaction_amount",
    "transaction_currency",
    "transaction_datetime",
    "transaction_purpose",
    "origin_funds",
    "card_number",
    "account_number",
    "portrait",
    "front_side_id",
    "front_side",
    "back_side_id",
    "back_side",
    "other_side_1_id",
    "other_side_1",
    "other_side_2_id",
    "other_side_2",
    "other_side_3_id",
    "other_side_3",
    "created_at",
    "decline_reasons_ids",
    "decline_reasons",
];

async fn document_of(app: &TestApp, id: &str) -> Value {
    let reply = get(app, &format!("/documents/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

#[tokio::test]
async fn jpg_png_and_pdf_upload_and_download_as_sent() {
    let app = spawn_app().await;
    for (bytes, name, content_type) in [
        (jpeg(), "photo.jpg", "image/jpeg"),
        (png(), "document.png", "image/png"),
        (pdf(), "statement.pdf", "application/pdf"),
    ] {
        let id = id_of(&upload(&app, bytes.clone(), name).await, "file_id");
        let reply = get(&app, &format!("/files/{id}")).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.bytes, bytes, "{name} comes back byte for byte");
        assert_eq!(reply.headers["content-type"], content_type);
        let disposition = reply.headers["content-disposition"].to_str().unwrap();
        assert!(disposition.contains(name), "{disposition}");
    }
}

#[tokio::test]
async fn uploads_that_are_not_a_usable_file_are_refused() {
    let app = spawn_app().await;
    let text = upload(&app, b"just some text".to_vec(), "notes.txt").await;
    let messages = assert_error(&text, 422, "validation", &["file"]);
    assert!(messages[0].contains("JPG, PNG or PDF"), "{}", messages[0]);
    let empty = upload(&app, Vec::new(), "empty.png").await;
    assert_eq!(
        assert_error(&empty, 422, "validation", &["file"]),
        ["File is empty"]
    );
    let wrong_field = Form::new().part("document", Part::bytes(png()).file_name("a.png"));
    let missing = app
        .send(kyc(&app, Method::POST, "/files").multipart(wrong_field))
        .await;
    assert_eq!(
        assert_error(&missing, 422, "validation", &["file"]),
        ["File is required"]
    );
    let json_body = app
        .send(kyc(&app, Method::POST, "/files").json(&json!({"file": "x"})))
        .await;
    assert_error(&json_body, 415, "bad_request", &["content-type"]);
}

#[tokio::test]
async fn a_file_over_the_body_limit_is_413() {
    let app = spawn_with(|c| c.max_body = 4096).await;
    let mut big = png();
    big.resize(8192, 0);
    let reply = upload(&app, big, "big.png").await;
    assert_error(&reply, 413, "payload_too_large", &["body"]);
    let small = upload(&app, jpeg(), "small.jpg").await;
    id_of(&small, "file_id");
}

#[tokio::test]
async fn put_replaces_a_file_and_delete_waits_for_its_documents() {
    let app = spawn_app().await;
    let id = file(&app).await;
    let path = format!("/files/{id}");
    let reply = app
        .send(kyc(&app, Method::PUT, &path).multipart(file_form(jpeg(), "new.jpg")))
        .await;
    assert_eq!(reply.body, json!({"file_id": id}));
    let now = get(&app, &path).await;
    assert_eq!(now.bytes, jpeg());
    assert_eq!(now.headers["content-type"], "image/jpeg");
    let unknown = app
        .send(
            kyc(&app, Method::PUT, &format!("/files/{}", "a".repeat(36)))
                .multipart(file_form(jpeg(), "x.jpg")),
        )
        .await;
    assert_error(&unknown, 404, "not_found", &["file_id"]);

    let applicant_id = person(&app, json!({})).await;
    let document_id = document(
        &app,
        json!({"applicant_id": applicant_id, "type": "PASSPORT", "front_side_id": id}),
    )
    .await;
    let refused = delete(&app, &path).await;
    assert_error(&refused, 422, "validation", &["file_id"]);
    assert_eq!(get(&app, &path).await.status, 200, "still there");
    delete(&app, &format!("/documents/{document_id}")).await;
    let deleted = delete(&app, &path).await;
    assert_eq!(deleted.body, json!({"file_id": id}));
    assert_error(&get(&app, &path).await, 404, "not_found", &["file_id"]);
    assert_error(
        &get(&app, "/files/nope").await,
        422,
        "validation",
        &["file_id"],
    );
}

#[tokio::test]
async fn a_passport_shows_every_seed_field_and_serves_its_sides() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let front = file(&app).await;
    let back = id_of(&upload(&app, jpeg(), "back.jpg").await, "file_id");
    let id = document(
        &app,
        json!({"applicant_id": applicant_id, "type": "PASSPORT", "document_number": "AB123456",
               "additional_number": "7", "issue_date": "2020-01-01", "expiry_date": "2030-01-01",
               "issuing_authority": "HMPO", "front_side_id": front, "back_side_id": back}),
    )
    .await;
    let body = document_of(&app, &id).await;
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let seed_order: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| SEED_FIELDS.contains(k))
        .collect();
    assert_eq!(
        seed_order, SEED_FIELDS,
        "every seed field, in the seed's order"
    );
    for extra in keys.iter().filter(|k| !SEED_FIELDS.contains(k)) {
        assert!(extra.ends_with("_size"), "unexpected field {extra}");
    }
    let expected = json!({
        "document_id": id, "applicant_id": applicant_id, "type": "PASSPORT",
        "provider": "MANUAL", "status": "new", "comment": null, "document_number": "AB123456",
        "additional_number": "7", "issue_date": "2020-01-01", "expiry_date": "2030-01-01",
        "issuing_authority": "HMPO", "income_sources": [], "annual_income": null,
        "card_number": null, "portrait": null, "front_side_id": front, "back_side_id": back,
        "other_side_1_id": null, "other_side_1": null, "created_at": "2026-01-01 00:00:00",
        "decline_reasons_ids": null, "decline_reasons": [],
    });
    for (name, value) in expected.as_object().unwrap() {
        assert_eq!(&body[name], value, "field {name}");
    }
    assert!(is_timestamp(body["created_at"].as_str().unwrap()));
    assert_eq!(body["front_side_size"], png().len());

    // The side URLs serve the bytes without a token.
    for (side, bytes) in [("front_side", png()), ("back_side", jpeg())] {
        let url = body[side].as_str().unwrap();
        assert!(url.starts_with(&app.base), "{url}");
        let fetched = app.client.get(url).send().await.unwrap();
        assert_eq!(fetched.status(), 200);
        assert_eq!(fetched.bytes().await.unwrap().to_vec(), bytes);
    }
    let applicant = applicant_of(&app, &applicant_id).await;
    assert_eq!(applicant["documents"][0], body, "the applicant embeds it");
}

#[tokio::test]
async fn each_family_takes_its_own_fields() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let card = document(
        &app,
        json!({"applicant_id": applicant_id, "type": "CREDIT_CARD",
               "card_number": "5375411422962063", "account_number": "UA3832200100000262"}),
    )
    .await;
    let body = document_of(&app, &card).await;
    assert_eq!(body["card_number"], "5375411422962063");
    assert_eq!(body["account_number"], "UA3832200100000262");

    let financial = document(
        &app,
        json!({"applicant_id": applicant_id, "type": "FINANCIAL_DOCUMENT",
               "income_sources": ["SALARY", "LOAN"], "annual_income": "ANNUAL_INCOME_GROUP_2",
               "transaction_amount": 16.5, "transaction_currency": "GBP",
               "transaction_datetime": "2024-07-01 15:27:15", "transaction_purpose": "rent",
               "origin_funds": "salary"}),
    )
    .await;
    let body = document_of(&app, &financial).await;
    assert_eq!(body["income_sources"], json!(["SALARY", "LOAN"]));
    assert_eq!(body["annual_income"], "ANNUAL_INCOME_GROUP_2");
    assert_eq!(body["transaction_amount"], 16.5);
    assert_eq!(body["transaction_datetime"], "2024-07-01 15:27:15");
    assert_eq!(body["origin_funds"], "salary");

    let selfie = post(
        &app,
        "/documents",
        json!({"applicant_id": applicant_id, "type": "SELFIE_IMAGE"}),
    )
    .await;
    assert_eq!(
        assert_error(&selfie, 422, "validation", &["front_side_id"]),
        ["Front side ID is required"]
    );
    let front = file(&app).await;
    document(
        &app,
        json!({"applicant_id": applicant_id, "type": "SELFIE_IMAGE", "front_side_id": front}),
    )
    .await;

    let bad = post(
        &app,
        "/documents",
        json!({"applicant_id": applicant_id, "type": "FINANCIAL_DOCUMENT",
               "income_sources": ["LOTTERY"], "annual_income": "LOTS",
               "transaction_datetime": "2024-07-01"}),
    )
    .await;
    assert_error(
        &bad,
        422,
        "validation",
        &["income_sources", "annual_income", "transaction_datetime"],
    );
    for number in ["53754114229", "53754114229620631234"] {
        let reply = post(
            &app,
            "/documents",
            json!({"applicant_id": applicant_id, "type": "BANK_STATEMENT", "card_number": number}),
        )
        .await;
        assert_error(&reply, 422, "validation", &["card_number"]);
        let other = person(&app, json!({})).await;
        let reply = post(
            &app,
            "/documents",
            json!({"applicant_id": other, "type": "CREDIT_CARD", "card_number": number}),
        )
        .await;
        let messages = assert_error(&reply, 422, "validation", &["card_number"]);
        assert!(messages[0].contains("12 and 19"), "{}", messages[0]);
    }
    let foreign = post(
        &app,
        "/documents",
        json!({"applicant_id": applicant_id, "type": "PASSPORT", "card_number": "5375411422962063"}),
    )
    .await;
    assert_eq!(
        assert_error(&foreign, 422, "validation", &["card_number"]),
        ["Card number is not allowed for PASSPORT documents"]
    );
    let tax = post(
        &app,
        "/documents",
        json!({"applicant_id": applicant_id, "type": "TAX_ID_NUMBER"}),
    )
    .await;
    assert_error(&tax, 422, "validation", &["document_number"]);
}

#[tokio::test]
async fn documents_point_at_things_that_exist() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let missing_file = "f".repeat(36);
    let reply = post(
        &app,
        "/documents",
        json!({"applicant_id": applicant_id, "type": "PASSPORT", "front_side_id": missing_file}),
    )
    .await;
    assert_eq!(
        assert_error(&reply, 404, "not_found", &["front_side_id"]),
        ["File was not found"]
    );
    let reply = post(
        &app,
        "/documents",
        json!({"applicant_id": "e".repeat(36), "type": "PASSPORT"}),
    )
    .await;
    assert_eq!(
        assert_error(&reply, 404, "not_found", &["applicant_id"]),
        ["Applicant was not found"]
    );
    let reply = post(&app, "/documents", json!({})).await;
    assert_error(&reply, 422, "validation", &["applicant_id", "type"]);
    let reply = post(
        &app,
        "/documents",
        json!({"applicant_id": applicant_id, "type": "DIARY"}),
    )
    .await;
    assert_eq!(
        assert_error(&reply, 422, "validation", &["type"]),
        ["Type of document is not valid"]
    );
    assert_eq!(
        applicant_of(&app, &applicant_id).await["documents"],
        json!([])
    );
}

#[tokio::test]
async fn one_credit_card_until_a_verification_then_a_new_one_replaces_it() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let card = |number: &str| json!({"applicant_id": applicant_id, "type": "CREDIT_CARD", "card_number": number});
    let first = document(&app, card("4111111111111111")).await;
    let second = post(&app, "/documents", card("5500000000000004")).await;
    assert_error(&second, 422, "validation", &["type"]);

    verification(&app, json!({"applicant_id": applicant_id})).await;
    let replacement = document(&app, card("5500000000000004")).await;
    assert_ne!(replacement, first);
    assert_error(
        &get(&app, &format!("/documents/{first}")).await,
        404,
        "not_found",
        &["document_id"],
    );
    let documents = applicant_of(&app, &applicant_id).await["documents"].clone();
    assert_eq!(documents.as_array().unwrap().len(), 1);
    assert_eq!(documents[0]["document_id"], replacement);
    assert_eq!(documents[0]["card_number"], "5500000000000004");
}

#[tokio::test]
async fn patch_changes_a_document_and_resets_its_review() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let id = passport(&app, &applicant_id, "AB1").await;
    let path = format!("/documents/{id}");
    let forced = app
        .admin_post(
            "/transitions",
            json!({"provider": "kycaid", "kind": "document", "id": id, "to": "invalid",
                   "decline_reasons": ["BAD_QUALITY"]}),
        )
        .await;
    assert_eq!(forced.status, 200, "{}", forced.body);
    assert_eq!(document_of(&app, &id).await["status"], "invalid");

    let reply = patch(&app, &path, json!({"expiry_date": "2031-02-03"})).await;
    assert_eq!(reply.body, json!({"document_id": id}));
    let body = document_of(&app, &id).await;
    assert_eq!(body["expiry_date"], "2031-02-03");
    assert_eq!(body["document_number"], "AB1");
    assert_eq!(body["status"], "new", "an update goes back to review");
    assert_eq!(body["decline_reasons"], json!([]));

    let retyped = patch(
        &app,
        &path,
        json!({"type": "CREDIT_CARD", "card_number": "4111111111111111"}),
    )
    .await;
    assert_eq!(retyped.status, 200, "{}", retyped.body);
    let body = document_of(&app, &id).await;
    assert_eq!(body["type"], "CREDIT_CARD");
    assert_eq!(body["card_number"], "4111111111111111");
    assert_eq!(
        body["document_number"], "AB1",
        "an update keeps what it does not name, as every field is part of every document"
    );
    assert!(is_id(body["front_side_id"].as_str().unwrap()), "files stay");

    assert_error(
        &patch(&app, &path, json!({})).await,
        422,
        "validation",
        &["*"],
    );
    let any_field = patch(&app, &path, json!({"issue_date": "2020-01-01"})).await;
    assert_eq!(
        any_field.status, 200,
        "an update takes every documented field, as the seed's example does: {}",
        any_field.body
    );
    let bad_date = patch(&app, &path, json!({"issue_date": "2020-13-01"})).await;
    assert_error(&bad_date, 422, "validation", &["issue_date"]);
    let missing = patch(&app, &path, json!({"back_side_id": "b".repeat(36)})).await;
    assert_error(&missing, 404, "not_found", &["back_side_id"]);

    assert_eq!(delete(&app, &path).await.body, json!({"document_id": id}));
    assert_error(&get(&app, &path).await, 404, "not_found", &["document_id"]);
    assert_error(
        &delete(&app, &path).await,
        404,
        "not_found",
        &["document_id"],
    );
    assert_eq!(
        applicant_of(&app, &applicant_id).await["documents"],
        json!([])
    );
}
