//! Rebilly's storefront API as a customer's browser (or the KYC gatherer) calls it: login with
//! `Bearer null` or a publishable key, JWT checks, the customer's own documents and requests,
//! gatherer tokens and liveness sessions.

use crate::common;

use common::{spawn_app, Reply, TestApp};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};

const SF: &str = "/rebilly/storefront/organizations/org-1";

fn sf(app: &TestApp, method: Method, token: &str, path: &str) -> RequestBuilder {
    app.request(method, &format!("{SF}{path}"))
        .header("Authorization", format!("Bearer {token}"))
}

/// Logs `username` in at the organization's storefront as the SDK does (`Bearer null`).
async fn sf_login(app: &TestApp, username: &str) -> String {
    let reply = app
        .send(
            app.request(Method::POST, &format!("{SF}/login"))
                .header("Authorization", "Bearer null")
                .json(&json!({"username": username, "password": "pw"})),
        )
        .await;
    reply.rebilly(201, "StorefrontCustomerJWT")["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Checks a storefront document against its concrete schema (`StorefrontKycDocument` is a oneOf).
#[track_caller]
fn sf_document(reply: &Reply, status: u16) -> Value {
    let schema = match reply.body["documentType"].as_str() {
        Some("identity-proof") => "StorefrontProofOfIdentityKycDocument",
        Some("address-proof") => "StorefrontProofOfAddressKycDocument",
        Some("funds-proof") => "StorefrontProofOfFundsKycDocument",
        _ => "StorefrontProofOfPurchaseKycDocument",
    };
    let body = reply.rebilly(status, schema).clone();
    assert!(body.get("customerId").is_none(), "merchant-only: {body}");
    body
}

async fn sf_get(app: &TestApp, token: &str, path: &str) -> Reply {
    app.send(sf(app, Method::GET, token, path)).await
}

async fn patch_own(app: &TestApp, token: &str, id: &str, body: Value) -> Reply {
    let path = format!("/kyc-documents/{id}");
    app.send(sf(app, Method::PATCH, token, &path).json(&body))
        .await
}

async fn create_own(app: &TestApp, token: &str, body: Value) -> Reply {
    app.send(sf(app, Method::POST, token, "/kyc-documents").json(&body))
        .await
}

/// An identity document the signed-in customer files with a `manual…` file (stays pending).
async fn own_identity(app: &TestApp, token: &str) -> Value {
    let file = app.upload_named("manual-id.png").await;
    let reply = create_own(
        app,
        token,
        json!({"documentType": "identity-proof", "fileIds": [file["id"]]}),
    )
    .await;
    sf_document(&reply, 201)
}

fn gatherer_token(request: &Value) -> String {
    let href = request["_links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "kycGatherer")
        .expect("a kycGatherer link")["href"]
        .as_str()
        .unwrap();
    href.split_once("?token=").expect("?token=").1.to_owned()
}

#[tokio::test]
async fn login_with_bearer_null_mints_a_storefront_jwt() {
    let app = spawn_app().await;
    let reply = app
        .send(
            app.request(Method::POST, &format!("{SF}/login"))
                .header("Authorization", "Bearer null")
                .json(&json!({"username": "cus_sf", "password": "correct horse"})),
        )
        .await;
    let jwt = reply.rebilly(201, "StorefrontCustomerJWT");
    assert!(jwt["id"].as_str().unwrap().starts_with("jwt_"), "{jwt}");
    assert_eq!(jwt["token"].as_str().unwrap().split('.').count(), 3);
    assert_eq!(jwt["createdTime"], common::T0);
    assert_eq!(jwt["expiredTime"], "2026-01-01T01:00:00Z");
    assert_eq!(reply.headers["location"], format!("{SF}/account"));
    let token = jwt["token"].as_str().unwrap();
    let account = sf_get(&app, token, "/account").await;
    let account = account.rebilly(200, "Customer");
    assert_eq!(account["id"], "cus_sf");
    assert!(account["email"].as_str().unwrap().contains('@'));

    let wrong = app
        .send(
            app.request(Method::POST, &format!("{SF}/login"))
                .header("Authorization", "Bearer null")
                .json(&json!({"username": "cus_sf", "password": "wrong-password"})),
        )
        .await;
    wrong.rebilly_problem(401, "Unauthorized");
    let missing = app
        .send(
            app.request(Method::POST, &format!("{SF}/login"))
                .json(&json!({"username": "cus_sf"})),
        )
        .await;
    missing.rebilly_problem(422, "ValidationError");
}

#[tokio::test]
async fn login_without_organization_uses_the_publishable_keys_organization() {
    let app = spawn_app().await;
    let login = |auth: Option<&'static str>| {
        let mut request = app
            .request(Method::POST, "/rebilly/storefront/login")
            .json(&json!({"username": "cus_pk", "password": "pw"}));
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        app.send(request)
    };
    login(None).await.rebilly_problem(401, "Unauthorized");
    login(Some("Bearer null"))
        .await
        .rebilly_problem(401, "Unauthorized");

    // A publishable key reaches only what the spec's `security` lists `PublishableApiKey` for:
    // not the KYC documents.
    let core = app
        .send(
            app.request(Method::GET, "/rebilly/organizations/org-1/kyc-documents")
                .header("Authorization", "pk_sandbox_x"),
        )
        .await;
    core.rebilly_problem(403, "Forbidden");
    // A call it may make, with the organization in the path, binds the key to it
    // (GetAuthenticationTokenVerification; the token does not exist).
    let verify = app
        .send(
            app.request(
                Method::GET,
                "/rebilly/organizations/org-1/authentication-tokens/nope",
            )
            .header("Authorization", "pk_sandbox_x"),
        )
        .await;
    assert_ne!(verify.status, 403, "{}", verify.body);
    let reply = login(Some("pk_sandbox_x")).await;
    let token = reply.rebilly(201, "StorefrontCustomerJWT")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(reply.headers["location"], "/rebilly/storefront/account");
    let account = sf_get(&app, &token, "/account").await;
    assert_eq!(account.rebilly(200, "Customer")["id"], "cus_pk", "org-1");
}

#[tokio::test]
async fn protected_calls_need_a_live_jwt() {
    let app = spawn_app().await;
    let token = sf_login(&app, "cus_1").await;
    for bad in ["null", "garbage", "a.b.c"] {
        let reply = sf_get(&app, bad, "/account").await;
        reply.rebilly_problem(401, "Unauthorized");
    }
    let none = app
        .send(app.request(Method::GET, &format!("{SF}/kyc-documents/kyc_doc_x")))
        .await;
    none.rebilly_problem(401, "Unauthorized");

    let other = sf_login(&app, "cus_2").await;
    let out = app.send(sf(&app, Method::POST, &other, "/logout")).await;
    assert_eq!(out.status, 204);
    let after = sf_get(&app, &other, "/account").await;
    after.rebilly_problem(401, "Unauthorized");
    let twice = app.send(sf(&app, Method::POST, &other, "/logout")).await;
    twice.rebilly_problem(401, "Unauthorized");

    sf_get(&app, &token, "/account")
        .await
        .rebilly(200, "Customer");
    app.advance(3601).await;
    let expired = sf_get(&app, &token, "/account").await;
    expired.rebilly_problem(401, "Unauthorized");
}

#[tokio::test]
async fn a_customer_creates_reads_and_patches_own_documents() {
    let app = spawn_app().await;
    let token = sf_login(&app, "cus_1").await;
    let file = app.upload_named("manual-front.png").await;
    let reply = create_own(
        &app,
        &token,
        json!({"documentType": "identity-proof", "fileIds": [file["id"]], "customerId": "cus_other"}),
    )
    .await;
    let created = sf_document(&reply, 201);
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("kyc_doc_"), "{id}");
    assert_eq!(
        reply.headers["location"],
        format!("{SF}/kyc-documents/{id}")
    );
    assert_eq!(created["status"], "pending");
    let core = app.reb_get(&format!("/kyc-documents/{id}")).await;
    assert_eq!(
        core.rebilly(200, "ProofOfIdentityKycDocument")["customerId"],
        "cus_1",
        "the JWT's customer, whatever the body says"
    );

    let read = sf_get(&app, &token, &format!("/kyc-documents/{id}")).await;
    assert_eq!(sf_document(&read, 200), created);

    let back = app.upload_named("manual-back.png").await;
    let patched = patch_own(
        &app,
        &token,
        id,
        json!({
            "fileIds": [file["id"], back["id"]],
            "documentSubtype": "id-card",
        }),
    )
    .await;
    let patched = sf_document(&patched, 200);
    assert_eq!(patched["documentSubtype"], "id-card");
    assert_eq!(patched["fileIds"], json!([file["id"], back["id"]]));
    let subtype_only = patch_own(&app, &token, id, json!({"documentSubtype": "passport"})).await;
    let subtype_only = sf_document(&subtype_only, 200);
    assert_eq!(subtype_only["fileIds"], patched["fileIds"], "kept");

    let bad = patch_own(
        &app,
        &token,
        id,
        json!({"fileIds": ["file_nope"], "documentSubtype": "hologram"}),
    )
    .await;
    bad.rebilly_problem(422, "ValidationError");

    let accepted = app
        .send(app.reb(Method::POST, &format!("/kyc-documents/{id}/acceptance")))
        .await;
    accepted.rebilly(201, "ProofOfIdentityKycDocument");
    let late = patch_own(
        &app,
        &token,
        id,
        json!({"documentSubtype": "driver-license"}),
    )
    .await;
    late.rebilly_problem(409, "Conflict");
}

#[tokio::test]
async fn a_customer_lists_only_own_documents_and_never_sees_others() {
    let app = spawn_app().await;
    let mine = sf_login(&app, "cus_1").await;
    let theirs = sf_login(&app, "cus_2").await;
    let mut own = Vec::new();
    for _ in 0..3 {
        own.push(own_identity(&app, &mine).await["id"].clone());
    }
    let foreign = own_identity(&app, &theirs).await;
    let foreign_id = foreign["id"].as_str().unwrap();

    let page = sf_get(&app, &mine, "/kyc-documents?limit=2&offset=1").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.headers["pagination-total"], "3");
    assert_eq!(page.headers["pagination-limit"], "2");
    assert_eq!(page.headers["pagination-offset"], "1");
    let items = page.body.as_array().unwrap();
    for item in items {
        common::spec::rebilly().check("StorefrontProofOfIdentityKycDocument", item);
    }
    let ids: Vec<&Value> = items.iter().map(|d| &d["id"]).collect();
    assert_eq!(ids, [&own[1], &own[0]], "newest first");

    let get = sf_get(&app, &mine, &format!("/kyc-documents/{foreign_id}")).await;
    get.rebilly_problem(404, "NotFound");
    let patch = patch_own(
        &app,
        &mine,
        foreign_id,
        json!({"documentSubtype": "passport"}),
    )
    .await;
    patch.rebilly_problem(404, "NotFound");
    let core = app.reb_get(&format!("/kyc-documents/{foreign_id}")).await;
    assert_eq!(
        core.rebilly(200, "ProofOfIdentityKycDocument")["documentSubtype"],
        Value::Null
    );
}

#[tokio::test]
async fn a_customer_reads_own_requests_with_embedded_documents() {
    let app = spawn_app().await;
    let token = sf_login(&app, "cus_1").await;
    let request = app
        .kyc_request(json!({"customerId": "cus_1", "documents": [{"type": "identity-proof"}]}))
        .await;
    let other = app
        .kyc_request(json!({"customerId": "cus_2", "documents": [{"type": "identity-proof"}]}))
        .await;
    let document = own_identity(&app, &token).await;
    assert_eq!(
        document["requestId"], request["id"],
        "filed under the open request"
    );

    let id = request["id"].as_str().unwrap();
    let reply = sf_get(
        &app,
        &token,
        &format!("/kyc-requests/{id}?expand=documents"),
    )
    .await;
    let body = reply.rebilly(200, "StorefrontKycRequest");
    assert_eq!(body["id"], id);
    assert_eq!(body["status"], "pending-review");
    let embedded = body["_embedded"]["documents"].as_array().unwrap();
    assert_eq!(embedded.len(), 1);
    common::spec::rebilly().check("StorefrontProofOfIdentityKycDocument", &embedded[0]);
    assert_eq!(embedded[0]["id"], document["id"]);
    assert!(embedded[0].get("customerId").is_none());

    let plain = sf_get(&app, &token, &format!("/kyc-requests/{id}")).await;
    assert!(plain
        .rebilly(200, "StorefrontKycRequest")
        .get("_embedded")
        .is_none());
    let foreign = sf_get(
        &app,
        &token,
        &format!("/kyc-requests/{}", other["id"].as_str().unwrap()),
    )
    .await;
    foreign.rebilly_problem(404, "NotFound");
}

#[tokio::test]
async fn a_gatherer_token_files_documents_under_its_request() {
    let app = spawn_app().await;
    let request = app
        .kyc_request(json!({
            "customerId": "cus_1",
            "documents": [{"type": "identity-proof", "maxAttempts": 1}],
        }))
        .await;
    let token = gatherer_token(&request);
    let file = app.upload_named("manual-id.png").await;
    let credit = create_own(
        &app,
        &token,
        json!({"documentType": "credit-file-proof", "fileIds": [file["id"]]}),
    )
    .await;
    credit.rebilly_problem(422, "ValidationError");
    let wrong_type = create_own(
        &app,
        &token,
        json!({"documentType": "address-proof", "fileIds": [file["id"]]}),
    )
    .await;
    wrong_type.rebilly_problem(422, "ValidationError");

    let reply = create_own(
        &app,
        &token,
        json!({"documentType": "identity-proof", "fileIds": [file["id"]]}),
    )
    .await;
    let document = sf_document(&reply, 201);
    assert_eq!(document["requestId"], request["id"]);

    let exhausted = create_own(
        &app,
        &token,
        json!({"documentType": "identity-proof", "fileIds": [file["id"]]}),
    )
    .await;
    let problem = exhausted.rebilly_problem(422, "ValidationError");
    assert_eq!(
        problem["invalidFields"][0]["field"], "requestId",
        "{problem}"
    );
    let listed = app
        .reb_get(&format!(
            "/kyc-documents?filter=requestId:{}",
            request["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        listed.headers["pagination-total"], "1",
        "nothing more written"
    );
}

#[tokio::test]
async fn liveness_sessions_are_created_for_an_open_request_and_finish_succeeded() {
    let app = spawn_app().await;
    let token = sf_login(&app, "cus_1").await;
    let request = app
        .kyc_request(json!({
            "customerId": "cus_1",
            "documents": [{"type": "identity-proof", "faceLivenessRequired": true}],
        }))
        .await;
    let request_id = request["id"].as_str().unwrap();
    let reply = app
        .send(
            sf(&app, Method::POST, &token, "/kyc-liveness-sessions")
                .json(&json!({"kycRequestId": request_id})),
        )
        .await;
    let session = reply.rebilly(201, "StorefrontKycLivenessSession").clone();
    let id = session["id"].as_str().unwrap();
    assert!(id.starts_with("kyc_liv_"), "{id}");
    assert_eq!(session["customerId"], "cus_1");
    assert_eq!(session["kycRequestId"], request_id);
    assert_eq!(session["status"], "pending");
    assert_eq!(
        reply.headers["location"],
        format!("{SF}/kyc-liveness-sessions/{id}")
    );
    let path = format!("/kyc-liveness-sessions/{id}");
    let read = sf_get(&app, &token, &path).await;
    assert_eq!(read.rebilly(200, "StorefrontKycLivenessSession"), &session);

    let finished = app
        .send(sf(&app, Method::POST, &token, &format!("{path}/finish")))
        .await;
    let finished = finished
        .rebilly(200, "StorefrontKycLivenessSession")
        .clone();
    assert_eq!(finished["status"], "succeeded");
    let again = sf_get(&app, &token, &path).await;
    assert_eq!(
        again.rebilly(200, "StorefrontKycLivenessSession")["status"],
        "succeeded"
    );

    let other = sf_login(&app, "cus_2").await;
    sf_get(&app, &other, &path)
        .await
        .rebilly_problem(404, "NotFound");
    let foreign = app
        .send(
            sf(&app, Method::POST, &other, "/kyc-liveness-sessions")
                .json(&json!({"kycRequestId": request_id})),
        )
        .await;
    foreign.rebilly_problem(422, "ValidationError");
    let missing = app
        .send(sf(&app, Method::POST, &token, "/kyc-liveness-sessions").json(&json!({})))
        .await;
    missing.rebilly_problem(422, "ValidationError");

    app.send(app.reb(Method::DELETE, &format!("/kyc-requests/{request_id}")))
        .await;
    let closed = app
        .kyc_request(json!({"customerId": "cus_1", "documents": [{"type": "identity-proof"}]}))
        .await;
    app.advance(3601).await;
    let token = sf_login(&app, "cus_1").await;
    let expired = app
        .send(
            sf(&app, Method::POST, &token, "/kyc-liveness-sessions")
                .json(&json!({"kycRequestId": closed["id"]})),
        )
        .await;
    expired.rebilly_problem(422, "ValidationError");
}

#[tokio::test]
async fn decided_documents_show_the_customer_their_matches() {
    let app = spawn_app().await;
    let token = sf_login(&app, "cus_1").await;
    let mut ids = Vec::new();
    for (kind, name) in [
        ("identity-proof", "passport.png"),
        ("address-proof", "bill.png"),
    ] {
        let file = app.upload_named(name).await;
        let reply = create_own(
            &app,
            &token,
            json!({"documentType": kind, "fileIds": [file["id"]]}),
        )
        .await;
        let document = sf_document(&reply, 201);
        assert_eq!(document["status"], "in-progress", "analyzed at once");
        ids.push(document["id"].as_str().unwrap().to_owned());
    }
    app.advance(10).await;
    for id in &ids {
        let read = sf_get(&app, &token, &format!("/kyc-documents/{id}")).await;
        let document = sf_document(&read, 200);
        assert_eq!(document["status"], "accepted");
        assert_eq!(document["processedTime"], "2026-01-01T00:00:05Z");
        assert!(
            document["documentMatches"]["data"]["firstName"].is_string(),
            "{document}"
        );
    }
}
