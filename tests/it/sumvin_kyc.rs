//! Sumvin: status, details, applicant, access token, submit, auth and routing.

use crate::common;

use common::{spawn_app, T0_MS};
use reqwest::Method;
use serde_json::Value;

#[tokio::test]
async fn status_before_anything_is_pending_and_refresh_is_404() {
    let app = spawn_app().await;
    let status = app.status("pat-a").await;
    assert_eq!(status["status"], "pending");
    assert_eq!(status["applicant_id"], Value::Null);
    assert_eq!(status["_links"]["self"]["href"], "/v0/kyc/status");
    assert_eq!(status["_links"]["self"]["templated"], false);

    let reply = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/status?refresh=true"))
        .await;
    reply.sumvin_problem(404, "KYC-404-001");
    assert_eq!(reply.body["instance"], "/v0/kyc/status");
    assert_eq!(
        reply.body["_links"]["applicant"]["href"],
        "/v0/kyc/applicant"
    );

    let reply = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/details"))
        .await;
    reply.sumvin_problem(404, "KYC-404-001");
    assert_eq!(reply.body["instance"], "/v0/kyc/details");
}

#[tokio::test]
async fn refresh_must_be_a_boolean() {
    let app = spawn_app().await;
    let reply = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/status?refresh=maybe"))
        .await;
    let issues = reply.sumvin_validation();
    assert_eq!(
        issues,
        vec![(
            "bool_parsing".to_owned(),
            serde_json::json!(["query", "refresh"])
        )]
    );
    let reply = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/status?refresh=1"))
        .await;
    reply.sumvin_problem(404, "KYC-404-001");
}

#[tokio::test]
async fn applicant_creation_is_idempotent() {
    let app = spawn_app().await;
    let first = app
        .send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let first = first.sumvin(201, "KYCApplicantResponse").clone();
    assert_eq!(first["already_existed"], false);
    let applicant_id = first["applicant_id"].as_str().unwrap();
    assert_eq!(applicant_id.len(), 24);
    assert!(applicant_id.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(first["user_id"].as_str().unwrap().starts_with("usr_"));

    let again = app
        .send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let again = again.sumvin(200, "KYCApplicantResponse");
    assert_eq!(again["already_existed"], true);
    assert_eq!(again["applicant_id"], first["applicant_id"]);

    let status = app.status("pat-a").await;
    assert_eq!(status["applicant_id"], first["applicant_id"]);
    assert_eq!(status["status"], "pending");
}

#[tokio::test]
async fn access_token_creates_the_applicant_and_checks_level() {
    let app = spawn_app().await;
    let reply = app
        .send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/access-token?level=passport"))
        .await;
    let body = reply.sumvin(200, "KYCAccessTokenResponse");
    assert!(body["access_token"]
        .as_str()
        .unwrap()
        .starts_with("_act-sbx-"));
    assert_eq!(body["expires_in"], 600);
    assert_eq!(body["_links"]["self"]["method"], "POST");
    let required = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents/required"))
        .await;
    let steps: Vec<&str> = required.sumvin(200, "KYCRequiredDocsResponse")["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        vec!["IDENTITY"],
        "the passport level needs only an identity document"
    );

    let reply = app
        .send(app.sumvin(Method::POST, "pat-b", "/v0/kyc/access-token?level=gold"))
        .await;
    let issues = reply.sumvin_validation();
    assert_eq!(issues[0].0, "enum");
    assert_eq!(
        reply.body["detail"][0]["msg"],
        "Input should be 'liveness' or 'passport'"
    );
    let status = app.status("pat-b").await;
    assert_eq!(
        status["applicant_id"],
        Value::Null,
        "a refused request changes nothing"
    );
}

#[tokio::test]
async fn every_endpoint_needs_a_credential() {
    let app = spawn_app().await;
    let endpoints = [
        (Method::POST, "/v0/kyc/access-token"),
        (Method::GET, "/v0/kyc/status"),
        (Method::GET, "/v0/kyc/details"),
        (Method::POST, "/v0/kyc/applicant"),
        (Method::POST, "/v0/kyc/documents"),
        (Method::GET, "/v0/kyc/documents"),
        (Method::GET, "/v0/kyc/documents/required"),
        (Method::GET, "/v0/kyc/documents/123"),
        (Method::POST, "/v0/kyc/submit"),
        (Method::POST, "/v0/kyc/sessions"),
        (Method::POST, "/v0/kyc/sessions/redemption"),
        (Method::POST, "/v0/kyc/sumsub/connect/share-token"),
    ];
    for (method, path) in endpoints {
        let reply = app
            .send(app.request(method.clone(), &format!("/sumvin{path}")))
            .await;
        let body = reply.sumvin_problem(401, "USR-401-001");
        assert_eq!(body["instance"], path, "{method} {path}");
    }
    let blank = app
        .send(
            app.request(Method::GET, "/sumvin/v0/kyc/status")
                .header("x-sumvin-pat", "  "),
        )
        .await;
    blank.sumvin_problem(401, "USR-401-001");
}

#[tokio::test]
async fn each_credential_header_selects_its_own_user() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "shared-secret", "/v0/kyc/applicant"))
        .await
        .sumvin(201, "KYCApplicantResponse");
    let as_jwt = app
        .send(
            app.request(Method::GET, "/sumvin/v0/kyc/status")
                .header("x-juno-jwt", "shared-secret"),
        )
        .await;
    assert_ne!(
        as_jwt.sumvin(200, "KYCStatusResponse")["applicant_id"],
        Value::Null,
        "same secret, same user"
    );
    let bearer = app
        .send(
            app.request(Method::GET, "/sumvin/v0/kyc/status")
                .bearer_auth("shared-secret"),
        )
        .await;
    assert_ne!(
        bearer.sumvin(200, "KYCStatusResponse")["applicant_id"],
        Value::Null
    );
    let token = app
        .send(
            app.request(Method::GET, "/sumvin/v0/kyc/status")
                .header("x-sumvin-token", "shared-secret"),
        )
        .await;
    assert_ne!(
        token.sumvin(200, "KYCStatusResponse")["applicant_id"],
        Value::Null
    );
    let other_org = app
        .send(
            app.sumvin(Method::GET, "shared-secret", "/v0/kyc/status")
                .header("x-juno-orgid", "org_2"),
        )
        .await;
    assert_eq!(
        other_org.sumvin(200, "KYCStatusResponse")["applicant_id"],
        Value::Null,
        "another org is another tenant"
    );
}

#[tokio::test]
async fn submit_needs_documents_and_is_idempotent_in_review() {
    let app = spawn_app().await;
    let reply = app
        .send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/submit"))
        .await;
    reply.sumvin_problem(404, "KYC-404-001");
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let reply = app
        .send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/submit"))
        .await;
    let body = reply.sumvin_problem(409, "KYC-409-004");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("IDENTITY, SELFIE"),
        "{body}"
    );
    assert_eq!(
        body["_links"]["required"]["href"],
        "/v0/kyc/documents/required"
    );

    app.upload("pat-a", "PASSPORT", "GBR", "passport.png")
        .await
        .sumvin(201, "KYCDocumentUploadResponse");
    assert_eq!(app.status("pat-a").await["status"], "pending");
    app.upload("pat-a", "SELFIE", "GBR", "selfie.png")
        .await
        .sumvin(201, "KYCDocumentUploadResponse");
    let status = app.status("pat-a").await;
    assert_eq!(
        status["status"], "in_progress",
        "all required documents uploaded starts the review"
    );

    let reply = app
        .send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/submit"))
        .await;
    let body = reply.sumvin(200, "KYCSubmitResponse");
    assert_eq!(body["status"], "in_progress");
    assert_eq!(body["applicant_id"], status["applicant_id"]);

    let details = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/details"))
        .await;
    let details = details.sumvin(200, "KYCDetailsResponse");
    assert_eq!(details["started_at"], T0_MS);
    assert_eq!(details["verification_complete"], true);
    assert_eq!(details["verification_passed"], false);
    assert_eq!(details["personal_info"]["nationality"], "GBR");
    assert!(details["personal_info"]["first_name"]
        .as_str()
        .is_some_and(|n| !n.is_empty()));
    assert_eq!(details["documents"][0]["status"], "pending");
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_like_fastapi() {
    let app = spawn_app().await;
    let reply = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/nothing-here"))
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body, serde_json::json!({"detail": "Not Found"}));
    let reply = app
        .send(app.sumvin(Method::DELETE, "pat-a", "/v0/kyc/status"))
        .await;
    assert_eq!(reply.status, 405);
    assert_eq!(
        reply.body,
        serde_json::json!({"detail": "Method Not Allowed"})
    );
}

#[tokio::test]
async fn timestamps_switch_to_iso8601_on_request() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    app.advance(30).await;
    let epoch = app.status("pat-a").await;
    assert_eq!(epoch["verified_at"], T0_MS + 30_000);

    let iso = app
        .send(
            app.sumvin(Method::GET, "pat-a", "/v0/kyc/details")
                .header("X-Timestamp-Format", "iso8601"),
        )
        .await;
    assert_eq!(iso.status, 200);
    assert_eq!(iso.body["verified_at"], "2026-01-01T00:00:30Z");
    assert_eq!(iso.body["started_at"], "2026-01-01T00:00:00Z");
    assert_eq!(
        iso.body["documents"][0]["submitted_at"],
        "2026-01-01T00:00:00Z"
    );
    assert_eq!(iso.body["rejected_at"], Value::Null);

    let other = app
        .send(
            app.sumvin(Method::GET, "pat-a", "/v0/kyc/status")
                .header("X-Timestamp-Format", "rfc2822"),
        )
        .await;
    assert_eq!(
        other.sumvin(200, "KYCStatusResponse")["verified_at"],
        T0_MS + 30_000,
        "unknown values are ignored"
    );
}

#[test]
#[should_panic(expected = "response does not match KYCStatusResponse")]
fn the_spec_check_rejects_a_body_that_breaks_the_schema() {
    common::spec::sumvin().check("KYCStatusResponse", &serde_json::json!({"status": 3}));
}

/// The `user` link of every KYC resource resolves: `GET /v0/user/me` (Sumvin/sdk-ts
/// `spec/openapi.json`, operation `getUserAccount`: `JunoJWT` only; `GetUserResponse` with
/// `_links.self` and `UserData`'s required fields).
#[tokio::test]
async fn the_user_link_resolves_for_a_signed_in_user() {
    let app = spawn_app().await;
    let jwt = |method, path: &str| {
        app.request(method, &format!("/sumvin{path}"))
            .header("x-juno-jwt", "jwt-user-me")
    };
    let status = app.send(jwt(Method::GET, "/v0/kyc/status")).await;
    let href = status.body["_links"]["user"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(href, "/v0/user/me");
    let me = app
        .send(jwt(Method::GET, &format!("{href}?expand=wallets")))
        .await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["_links"]["self"]["href"], "/v0/user/me");
    let user = &me.body["user"];
    for field in [
        "id",
        "first_name",
        "last_names",
        "auth_provider",
        "auth_provider_id",
        "primary_eoa_address",
        "primary_smart_wallet_address",
        "safe_creation_status",
        "email",
        "phone",
        "created_at",
        "updated_at",
        "deleted_at",
    ] {
        assert!(
            user.get(field).is_some(),
            "UserData requires {field}: {user}"
        );
    }
    assert!(user["id"].as_str().unwrap().starts_with("usr_"));
    assert!(user["created_at"].is_i64());
    assert_eq!(me.body["wallets"], serde_json::json!([]));
    let kyc = app.send(jwt(Method::POST, "/v0/kyc/applicant")).await;
    assert_eq!(
        kyc.body["user_id"], user["id"],
        "the same user the KYC resources belong to"
    );

    // A personal access token is not a user session: the operation lists only JunoJWT.
    let pat = app
        .send(app.sumvin(Method::GET, "pat-user-me", "/v0/user/me"))
        .await;
    pat.sumvin_problem(401, "USR-401-002");
}
