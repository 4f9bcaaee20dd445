//! Sumvin: verification sessions (CLI → browser) and ID Connect share tokens.

use crate::common;

use common::{spawn_app, TestApp, T0_MS};
use reqwest::Method;
use serde_json::{json, Value};

fn jwt(app: &TestApp, token: &str, path: &str) -> reqwest::RequestBuilder {
    app.request(Method::POST, &format!("/sumvin{path}"))
        .header("x-juno-jwt", token)
}

async fn mint(app: &TestApp, pat: &str) -> Value {
    let reply = app
        .send(app.sumvin(Method::POST, pat, "/v0/kyc/sessions"))
        .await;
    reply.sumvin(201, "KycSessionMintResponse").clone()
}

#[tokio::test]
async fn a_session_hands_the_cli_user_over_to_the_browser() {
    let app = spawn_app().await;
    let session = mint(&app, "cli-pat").await;
    let ticket = session["ticket"].as_str().unwrap();
    assert_eq!(session["expires_at"], T0_MS + 900_000);
    assert_eq!(
        session["url"],
        format!("{}/sumvin/cli/kyc?ticket={ticket}", app.base)
    );
    assert_eq!(
        session["_links"]["redemption"]["href"],
        "/v0/kyc/sessions/redemption"
    );

    let page = app
        .send(app.request(Method::GET, &format!("/sumvin/cli/kyc?ticket={ticket}")))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = String::from_utf8_lossy(&page.bytes);
    // The page a person uses: it redeems the ticket itself, then offers uploads and the status.
    for id in [
        "id=\"status\"",
        "id=\"document_type\"",
        "id=\"file\"",
        "id=\"upload\"",
    ] {
        assert!(html.contains(id), "{id} in {html}");
    }
    assert!(html.contains(&format!("\"ticket\":\"{ticket}\"")), "{html}");
    // An unknown ticket is refused as the API refuses it, and nothing from the URL is echoed raw.
    let hostile = app
        .send(app.request(
            Method::GET,
            "/sumvin/cli/kyc?ticket=%3Cscript%3Ealert(1)%3C/script%3E",
        ))
        .await;
    assert_eq!(hostile.status, 404);
    let html = String::from_utf8_lossy(&hostile.bytes);
    assert!(
        html.contains("Session not found") && !html.contains("alert(1)"),
        "{html}"
    );

    let redeemed = app
        .send(
            jwt(&app, "browser-jwt", "/v0/kyc/sessions/redemption")
                .header("x-sumvin-kyc-ticket", ticket),
        )
        .await;
    let redeemed = redeemed.sumvin(200, "KycSessionRedemptionResponse").clone();
    assert_eq!(redeemed["origin"], "cli");
    assert_eq!(redeemed["level_name"], "basic-kyc-level");
    assert!(redeemed["session_id"]
        .as_str()
        .unwrap()
        .starts_with("kycs-"));
    assert!(redeemed["access_token"]
        .as_str()
        .unwrap()
        .starts_with("_act-sbx-"));

    // The browser (JWT) now acts as the CLI user: what it does, the CLI sees.
    let created = app
        .send(jwt(&app, "browser-jwt", "/v0/kyc/applicant"))
        .await;
    let created = created.sumvin(201, "KYCApplicantResponse");
    assert_eq!(created["user_id"], redeemed["user_id"]);
    assert_eq!(
        app.status("cli-pat").await["applicant_id"],
        created["applicant_id"]
    );

    let again = app
        .send(
            jwt(&app, "browser-jwt", "/v0/kyc/sessions/redemption")
                .header("x-sumvin-kyc-ticket", ticket),
        )
        .await;
    again.sumvin_problem(409, "KYC-409-005");
}

#[tokio::test]
async fn credential_kinds_are_enforced() {
    let app = spawn_app().await;
    let reply = app.send(jwt(&app, "browser-jwt", "/v0/kyc/sessions")).await;
    reply.sumvin_problem(403, "KYC-403-001");
    let session = mint(&app, "cli-pat").await;
    let reply = app
        .send(
            app.sumvin(Method::POST, "cli-pat", "/v0/kyc/sessions/redemption")
                .header("x-sumvin-kyc-ticket", session["ticket"].as_str().unwrap()),
        )
        .await;
    reply.sumvin_problem(403, "KYC-403-002");
}

#[tokio::test]
async fn tickets_missing_unknown_expired() {
    let app = spawn_app().await;
    let reply = app
        .send(jwt(&app, "browser-jwt", "/v0/kyc/sessions/redemption"))
        .await;
    reply.sumvin_problem(400, "KYC-400-001");
    let reply = app
        .send(
            jwt(&app, "browser-jwt", "/v0/kyc/sessions/redemption")
                .header("x-sumvin-kyc-ticket", "nope"),
        )
        .await;
    let body = reply.sumvin_problem(404, "KYC-404-002");
    assert_eq!(body["_links"]["sessions"]["method"], "POST");

    let session = mint(&app, "cli-pat").await;
    app.advance(901).await;
    let reply = app
        .send(
            jwt(&app, "browser-jwt", "/v0/kyc/sessions/redemption")
                .header("x-sumvin-kyc-ticket", session["ticket"].as_str().unwrap()),
        )
        .await;
    reply.sumvin_problem(410, "KYC-410-001");
}

#[tokio::test]
async fn idempotency_key_makes_a_retry_safe() {
    let app = spawn_app().await;
    let session = mint(&app, "cli-pat").await;
    let ticket = session["ticket"].as_str().unwrap();
    let redeem = |key: &'static str| {
        jwt(&app, "browser-jwt", "/v0/kyc/sessions/redemption")
            .header("x-sumvin-kyc-ticket", ticket)
            .header("Idempotency-Key", key)
    };
    let first = app.send(redeem("k-1")).await;
    let first = first.sumvin(200, "KycSessionRedemptionResponse").clone();
    let retry = app.send(redeem("k-1")).await;
    assert_eq!(
        retry.sumvin(200, "KycSessionRedemptionResponse")["access_token"],
        first["access_token"]
    );
    app.send(redeem("k-2"))
        .await
        .sumvin_problem(409, "KYC-409-005");
}

#[tokio::test]
async fn someone_elses_ticket_is_refused_without_being_spent() {
    let app = spawn_app().await;
    let session = mint(&app, "cli-pat").await;
    let ticket = session["ticket"].as_str().unwrap();
    app.send(jwt(&app, "other-user", "/v0/kyc/applicant"))
        .await
        .sumvin(201, "KYCApplicantResponse");
    let reply = app
        .send(
            jwt(&app, "other-user", "/v0/kyc/sessions/redemption")
                .header("x-sumvin-kyc-ticket", ticket),
        )
        .await;
    reply.sumvin_problem(403, "KYC-403-003");
    let reply = app
        .send(
            jwt(&app, "right-user", "/v0/kyc/sessions/redemption")
                .header("x-sumvin-kyc-ticket", ticket),
        )
        .await;
    reply.sumvin(200, "KycSessionRedemptionResponse");
}

#[tokio::test]
async fn verified_users_get_no_new_session() {
    let app = spawn_app().await;
    app.submit_kyc("cli-pat", "passport.png", "GBR").await;
    app.advance(30).await;
    app.send(app.sumvin(Method::POST, "cli-pat", "/v0/kyc/sessions"))
        .await
        .sumvin_problem(409, "KYC-409-002");
}

async fn share(app: &TestApp, pat: &str, body: &str) -> common::Reply {
    app.send(
        app.sumvin(Method::POST, pat, "/v0/kyc/sumsub/connect/share-token")
            .header("content-type", "application/json")
            .body(body.to_owned()),
    )
    .await
}

#[tokio::test]
async fn share_tokens_need_an_approved_kyc() {
    let app = spawn_app().await;
    share(&app, "pat-a", r#"{"for_client_id": "partner"}"#)
        .await
        .sumvin_problem(404, "KYC-404-001");
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    share(&app, "pat-a", r#"{"for_client_id": "partner"}"#)
        .await
        .sumvin_problem(409, "KYC-409-006");
    app.advance(30).await;
    let reply = share(
        &app,
        "pat-a",
        r#"{"for_client_id": "partner", "ttl": 600, "type": "connect"}"#,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body["token"]
        .as_str()
        .unwrap()
        .starts_with("_st-sbx-"));
    assert_eq!(reply.body["for_client_id"], "partner");
    assert_eq!(reply.body["expires_in"], 600);
    let default_ttl = share(&app, "pat-a", r#"{"for_client_id": "partner"}"#).await;
    assert_eq!(default_ttl.body["expires_in"], 1800);
}

#[tokio::test]
async fn share_token_bodies_are_validated_like_fastapi() {
    let app = spawn_app().await;
    let cases = [
        ("{\"for_client_id\": ", "json_invalid", json!(["body", 18])),
        ("[1, 2]", "model_attributes_type", json!(["body"])),
        ("{}", "missing", json!(["body", "for_client_id"])),
        (
            r#"{"for_client_id": 7}"#,
            "string_type",
            json!(["body", "for_client_id"]),
        ),
        (
            r#"{"for_client_id": "p", "ttl": 59}"#,
            "greater_than_equal",
            json!(["body", "ttl"]),
        ),
        (
            r#"{"for_client_id": "p", "ttl": 86401}"#,
            "less_than_equal",
            json!(["body", "ttl"]),
        ),
        (
            r#"{"for_client_id": "p", "ttl": "soon"}"#,
            "int_parsing",
            json!(["body", "ttl"]),
        ),
        (
            r#"{"for_client_id": "p", "type": "gold"}"#,
            "enum",
            json!(["body", "type"]),
        ),
    ];
    for (body, kind, loc) in cases {
        let reply = share(&app, "pat-a", body).await;
        assert_eq!(
            reply.sumvin_validation(),
            vec![(kind.to_owned(), loc)],
            "body {body}"
        );
    }
}

/// The hand-off page answers like the API for a ticket that can no longer be used.
#[tokio::test]
async fn the_session_page_refuses_expired_tickets() {
    let app = spawn_app().await;
    let session = mint(&app, "cli-pat-expiring").await;
    let ticket = session["ticket"].as_str().unwrap();
    app.advance(15 * 60 + 1).await;
    let page = app
        .send(app.request(Method::GET, &format!("/sumvin/cli/kyc?ticket={ticket}")))
        .await;
    assert_eq!(page.status, 410);
    assert!(String::from_utf8_lossy(&page.bytes).contains("Session expired"));
}
