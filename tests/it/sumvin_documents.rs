//! Sumvin: document uploads (multipart), listing, required steps and image download.

use crate::common;

use common::{spawn_app, spawn_with, tiny_png, T0_MS};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn upload_needs_an_applicant() {
    let app = spawn_app().await;
    let reply = app.upload("pat-a", "PASSPORT", "GBR", "passport.png").await;
    reply.sumvin_problem(404, "KYC-404-001");
    assert_eq!(reply.body["instance"], "/v0/kyc/documents");
}

#[tokio::test]
async fn upload_validation_reports_every_field_like_fastapi() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let form = Form::new()
        .text("document_type", "VISA")
        .text("country", "gb")
        .text("side", "TOP")
        .text("file", "not a file");
    let reply = app
        .send(
            app.sumvin(Method::POST, "pat-a", "/v0/kyc/documents")
                .multipart(form),
        )
        .await;
    let issues = reply.sumvin_validation();
    assert_eq!(
        issues,
        vec![
            ("enum".into(), json!(["body", "document_type"])),
            ("string_too_short".into(), json!(["body", "country"])),
            ("enum".into(), json!(["body", "side"])),
            ("value_error".into(), json!(["body", "file"])),
        ]
    );

    for (country, kind) in [
        ("gbr", "string_pattern_mismatch"),
        ("GBRX", "string_too_long"),
    ] {
        let form = Form::new()
            .text("document_type", "PASSPORT")
            .text("country", country)
            .part("file", Part::bytes(tiny_png()).file_name("p.png"));
        let reply = app
            .send(
                app.sumvin(Method::POST, "pat-a", "/v0/kyc/documents")
                    .multipart(form),
            )
            .await;
        assert_eq!(
            reply.sumvin_validation(),
            vec![(kind.to_owned(), json!(["body", "country"]))]
        );
    }

    let reply = app
        .send(
            app.sumvin(Method::POST, "pat-a", "/v0/kyc/documents")
                .json(&json!({"document_type": "PASSPORT"})),
        )
        .await;
    let missing: Vec<Value> = reply
        .sumvin_validation()
        .into_iter()
        .map(|(_, loc)| loc)
        .collect();
    assert_eq!(
        missing,
        vec![
            json!(["body", "document_type"]),
            json!(["body", "country"]),
            json!(["body", "file"])
        ]
    );

    let listed = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents"))
        .await;
    assert_eq!(
        listed.sumvin(200, "KYCDocumentsListResponse")["total_count"],
        0,
        "nothing was stored"
    );
}

#[tokio::test]
async fn file_content_is_checked() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let reply = app
        .upload_bytes("pat-a", "PASSPORT", "GBR", "empty.png", Vec::new())
        .await;
    reply.sumvin_problem(400, "KYC-400-004");
    let reply = app
        .upload_bytes("pat-a", "PASSPORT", "GBR", "notes.txt", b"hello".to_vec())
        .await;
    let body = reply.sumvin_problem(400, "KYC-400-003");
    assert!(body["detail"].as_str().unwrap().contains("notes.txt"));
    let pdf = b"%PDF-1.4\n%fake but well-formed enough\n".to_vec();
    app.upload_bytes("pat-a", "PROOF_OF_ADDRESS", "GBR", "bill.pdf", pdf)
        .await
        .sumvin(201, "KYCDocumentUploadResponse");
}

#[tokio::test]
async fn malformed_multipart_is_a_bad_request() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let reply = app
        .send(
            app.sumvin(Method::POST, "pat-a", "/v0/kyc/documents")
                .header("content-type", "multipart/form-data; boundary=xyz")
                .body("--xyz\r\nContent-Disposition: form-data; name=\"country\"\r\n\r\nGBR"),
        )
        .await;
    reply.sumvin_problem(400, "KYC-400-002");
}

#[tokio::test]
async fn oversized_bodies_get_413_in_sumvin_format() {
    let app = spawn_with(|c| c.max_body = 1024).await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let mut big = tiny_png();
    big.resize(4096, 0);
    let reply = app
        .upload_bytes("pat-a", "PASSPORT", "GBR", "big.png", big)
        .await;
    let body = reply.sumvin_problem(413, "GEN-400-001");
    assert_eq!(body["instance"], "/v0/kyc/documents");
    let listed = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents"))
        .await;
    assert_eq!(
        listed.sumvin(200, "KYCDocumentsListResponse")["total_count"],
        0
    );

    let chunked = reqwest::Body::wrap_stream(futures_util::stream::iter(
        (0..8).map(|_| Ok::<_, std::io::Error>(vec![b'{'; 512])),
    ));
    let reply = app
        .send(
            app.sumvin(Method::POST, "pat-a", "/v0/kyc/sumsub/connect/share-token")
                .header("content-type", "application/json")
                .body(chunked),
        )
        .await;
    reply.sumvin_problem(413, "GEN-400-001");
}

#[tokio::test]
async fn uploads_are_listed_and_downloadable() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let form = Form::new()
        .text("document_type", "ID_CARD")
        .text("country", "DEU")
        .text("side", "FRONT_SIDE")
        .part(
            "file",
            Part::bytes(tiny_png())
                .file_name("id-front.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let reply = app
        .send(
            app.sumvin(Method::POST, "pat-a", "/v0/kyc/documents")
                .multipart(form),
        )
        .await;
    let uploaded = reply.sumvin(201, "KYCDocumentUploadResponse").clone();
    assert_eq!(uploaded["side"], "FRONT_SIDE");
    assert_eq!(uploaded["country"], "DEU");
    let image_id = uploaded["image_id"].as_str().unwrap();
    assert!(image_id.len() == 10 && image_id.chars().all(|c| c.is_ascii_digit()));
    // HAL links, `self` first; the others are the same for every upload.
    let links = uploaded["_links"].as_object().unwrap();
    assert_eq!(
        links.keys().collect::<Vec<_>>(),
        ["self", "documents", "required", "status"]
    );
    assert_eq!(
        links["self"],
        json!({"href": format!("/v0/kyc/documents/{image_id}"), "method": "GET",
               "templated": false, "description": "the uploaded image"})
    );
    assert_eq!(
        links["required"],
        json!({"href": "/v0/kyc/documents/required", "method": "GET", "templated": false,
               "description": "which document steps still need an upload"})
    );
    assert_eq!(links["status"]["href"], "/v0/kyc/status");
    assert_eq!(links["documents"]["href"], "/v0/kyc/documents");

    let listed = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents"))
        .await;
    let listed = listed.sumvin(200, "KYCDocumentsListResponse");
    assert_eq!(listed["total_count"], 1);
    let doc = &listed["documents"][0];
    assert_eq!(doc["image_id"], image_id);
    assert_eq!(doc["document_type"], "ID_CARD");
    assert_eq!(doc["document_sub_type"], "FRONT_SIDE");
    assert_eq!(doc["added_at"], T0_MS);
    assert_eq!(
        doc["file_metadata"],
        json!({"file_name": "id-front.png", "file_type": "image/png", "file_size": tiny_png().len(), "width": 3, "height": 2})
    );

    let image = app
        .send(app.sumvin(
            Method::GET,
            "pat-a",
            &format!("/v0/kyc/documents/{image_id}"),
        ))
        .await;
    assert_eq!(image.status, 200);
    assert_eq!(image.headers["content-type"], "image/png");
    assert_eq!(image.bytes, tiny_png());

    let missing = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents/999"))
        .await;
    missing.sumvin_problem(404, "KYC-404-002");
    let foreign = app
        .send(app.sumvin(
            Method::GET,
            "pat-b",
            &format!("/v0/kyc/documents/{image_id}"),
        ))
        .await;
    foreign.sumvin_problem(404, "KYC-404-002");
}

#[tokio::test]
async fn required_steps_track_uploads_and_review() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let before = required(&app, "pat-a").await;
    assert_eq!(before["all_uploaded"], false);
    assert_eq!(
        before["steps"][0],
        json!({"step_type": "IDENTITY", "has_documents": false, "review_answer": null, "moderation_comment": null})
    );
    app.upload("pat-a", "DRIVERS", "USA", "licence.png").await;
    let mid = required(&app, "pat-a").await;
    assert_eq!(
        (
            mid["steps"][0]["has_documents"].clone(),
            mid["steps"][1]["has_documents"].clone()
        ),
        (json!(true), json!(false))
    );
    app.upload("pat-a", "SELFIE", "USA", "selfie.png").await;
    assert_eq!(required(&app, "pat-a").await["all_uploaded"], true);
    app.advance(30).await;
    let reviewed = required(&app, "pat-a").await;
    assert_eq!(reviewed["steps"][0]["review_answer"], "GREEN");
    assert_eq!(reviewed["steps"][1]["review_answer"], "GREEN");
}

#[tokio::test]
async fn uploads_are_refused_while_under_review_and_after_a_decision() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    app.upload("pat-a", "PASSPORT", "GBR", "again.png")
        .await
        .sumvin_problem(409, "KYC-409-001");
    app.advance(30).await;
    app.upload("pat-a", "PASSPORT", "GBR", "again.png")
        .await
        .sumvin_problem(409, "KYC-409-002");
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/submit"))
        .await
        .sumvin_problem(409, "KYC-409-002");

    app.submit_kyc("pat-r", "reject.png", "GBR").await;
    app.advance(30).await;
    app.upload("pat-r", "PASSPORT", "GBR", "again.png")
        .await
        .sumvin_problem(409, "KYC-409-003");
    app.send(app.sumvin(Method::POST, "pat-r", "/v0/kyc/submit"))
        .await
        .sumvin_problem(409, "KYC-409-003");
}

async fn required(app: &common::TestApp, pat: &str) -> Value {
    let reply = app
        .send(app.sumvin(Method::GET, pat, "/v0/kyc/documents/required"))
        .await;
    reply.sumvin(200, "KYCRequiredDocsResponse").clone()
}
