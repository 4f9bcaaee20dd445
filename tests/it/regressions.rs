//! Edge cases found in review: each would break, hang or panic without its fix.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{spawn_app, spawn_with};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn absurd_clock_advances_are_refused_and_the_clock_keeps_working() {
    for clock in ["frozen:2026-01-01T00:00:00Z", "real"] {
        let app = spawn_with(|c| c.clock = clock.parse().unwrap()).await;
        for body in [
            json!({"seconds": 1e300}),
            json!({"duration": "300000years"}),
            json!({"seconds": 4e9}),
        ] {
            let reply = app.admin_post("/clock/advance", body.clone()).await;
            assert_eq!(reply.status, 400, "{clock} {body}");
        }
        assert_eq!(app.admin_get("/health").await["status"], "ok");
        assert_eq!(app.status("pat-a").await["status"], "pending");
    }
}

/// Sends raw bytes and returns the status line's code.
fn raw_status(base: &str, request: &[u8]) -> (u16, String) {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (code, text)
}

#[tokio::test]
async fn a_declared_oversized_body_is_refused_without_waiting_for_it() {
    let app = spawn_app().await;
    let request = b"POST /sumvin/v0/kyc/sumsub/connect/share-token HTTP/1.1\r\nHost: x\r\nx-sumvin-pat: p\r\n\
Content-Type: application/json\r\nContent-Length: 99999999999\r\nConnection: close\r\n\r\n{}";
    let base = app.base.clone();
    let (code, text) = tokio::task::spawn_blocking(move || raw_status(&base, request))
        .await
        .unwrap();
    assert_eq!(code, 413, "{text}");
    assert!(text.contains("GEN-400-001"), "{text}");
}

#[tokio::test]
async fn a_broken_chunked_body_is_a_bad_request_and_stores_nothing() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "p", "/v0/kyc/applicant"))
        .await;
    let form = "--b\r\nContent-Disposition: form-data; name=\"document_type\"\r\n\r\nPASSPORT\r\n\
--b\r\nContent-Disposition: form-data; name=\"country\"\r\n\r\nGBR\r\n\
--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n\r\n\u{ff}\r\n--b--\r\n";
    let request = format!(
        "POST /sumvin/v0/kyc/documents HTTP/1.1\r\nHost: x\r\nx-sumvin-pat: p\r\n\
Content-Type: multipart/form-data; boundary=b\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
{:x}\r\n{form}\r\nZZZ\r\n",
        form.len()
    );
    let base = app.base.clone();
    let (code, text) = tokio::task::spawn_blocking(move || raw_status(&base, request.as_bytes()))
        .await
        .unwrap();
    assert_eq!(code, 400, "{text}");
    assert!(text.contains("GEN-400-001"), "in Sumvin's envelope: {text}");
    let listed = app
        .send(app.sumvin(Method::GET, "p", "/v0/kyc/documents"))
        .await;
    assert_eq!(listed.body["total_count"], 0);
}

#[tokio::test]
async fn after_a_retry_rejected_documents_no_longer_count() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "retry-passport.png", "GBR").await;
    app.advance(30).await;
    let required = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents/required"))
        .await;
    let required = required.sumvin(200, "KYCRequiredDocsResponse");
    assert_eq!(
        required["steps"][0]["has_documents"], false,
        "the RED passport is gone"
    );
    assert_eq!(required["all_uploaded"], false);
    let details = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/details"))
        .await;
    assert_eq!(details.body["verification_complete"], false);
    let submit = app
        .send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/submit"))
        .await;
    submit.sumvin_problem(409, "KYC-409-004");

    app.upload("pat-a", "SELFIE", "GBR", "selfie-2.png")
        .await
        .sumvin(201, "KYCDocumentUploadResponse");
    assert_eq!(
        app.status("pat-a").await["status"],
        "retry",
        "a selfie does not replace the identity document"
    );
    app.upload("pat-a", "ID_CARD", "GBR", "id.png")
        .await
        .sumvin(201, "KYCDocumentUploadResponse");
    assert_eq!(app.status("pat-a").await["status"], "in_progress");
}

#[tokio::test]
async fn unknown_scenario_header_is_refused_on_any_upload_or_submit() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let form = reqwest::multipart::Form::new()
        .text("document_type", "PASSPORT")
        .text("country", "GBR")
        .part(
            "file",
            reqwest::multipart::Part::bytes(common::tiny_png()).file_name("p.png"),
        );
    let reply = app
        .send(
            app.sumvin(Method::POST, "pat-a", "/v0/kyc/documents")
                .header("X-Sandbox-Scenario", "nope")
                .multipart(form),
        )
        .await;
    reply.sumvin_problem(400, "KYC-400-005");
    let reply = app
        .send(
            app.sumvin(Method::POST, "pat-a", "/v0/kyc/submit")
                .header("X-Sandbox-Scenario", "nope"),
        )
        .await;
    reply.sumvin_problem(400, "KYC-400-005");
}

#[tokio::test]
async fn admin_steps_must_belong_to_the_level() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "stuck.png", "GBR").await;
    let id = app.status("pat-a").await["applicant_id"].clone();
    let reply = app
        .admin_post(
            "/transitions",
            json!({"provider": "sumvin", "kind": "applicant", "id": id, "to": "retry", "steps": ["PROOF_OF_ADDRESS"]}),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(app.status("pat-a").await["status"], "in_progress");
}

#[tokio::test]
async fn head_works_on_get_routes() {
    let app = spawn_app().await;
    let reply = app
        .send(app.sumvin(Method::HEAD, "pat-a", "/v0/kyc/status"))
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.bytes.is_empty());
}

#[tokio::test]
async fn share_token_ttl_and_empty_body_follow_pydantic() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    app.advance(30).await;
    let post = |body: &'static str| {
        app.sumvin(Method::POST, "pat-a", "/v0/kyc/sumsub/connect/share-token")
            .header("content-type", "application/json")
            .body(body)
    };
    let reply = app
        .send(post(r#"{"for_client_id": "p", "ttl": 600.0}"#))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["expires_in"], 600);
    let reply = app
        .send(post(r#"{"for_client_id": "p", "ttl": 600.5}"#))
        .await;
    assert_eq!(
        reply.sumvin_validation(),
        vec![("int_from_float".to_owned(), json!(["body", "ttl"]))]
    );
    let reply = app.send(post("")).await;
    assert_eq!(
        reply.sumvin_validation(),
        vec![("missing".to_owned(), json!(["body"]))]
    );
}

#[tokio::test]
async fn a_redemption_replay_must_come_from_the_same_credential() {
    let app = spawn_app().await;
    let session = app
        .send(app.sumvin(Method::POST, "cli", "/v0/kyc/sessions"))
        .await
        .body;
    let ticket = session["ticket"].as_str().unwrap().to_owned();
    let redeem = |jwt: &'static str| {
        app.request(Method::POST, "/sumvin/v0/kyc/sessions/redemption")
            .header("x-juno-jwt", jwt)
            .header("x-sumvin-kyc-ticket", ticket.clone())
            .header("Idempotency-Key", "k")
    };
    assert_eq!(app.send(redeem("browser")).await.status, 200);
    app.send(redeem("stranger"))
        .await
        .sumvin_problem(409, "KYC-409-005");
}

#[tokio::test]
async fn the_level_is_fixed_once_documents_are_uploaded() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    app.upload("pat-a", "SELFIE", "GBR", "selfie.png").await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/access-token?level=liveness"))
        .await;
    let required = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents/required"))
        .await;
    assert_eq!(
        required.body["steps"].as_array().unwrap().len(),
        2,
        "still basic-kyc-level"
    );
    assert_eq!(app.status("pat-a").await["status"], "pending");
}

#[tokio::test]
async fn admin_query_errors_use_the_admin_envelope() {
    let app = spawn_app().await;
    let reply = app
        .send(app.request(Method::GET, "/__admin/requests?limit=abc"))
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["error"]["status"], 400);
}
