//! A customer JWT reaches exactly what Rebilly's spec lets it reach: the storefront API, for that
//! customer. On every core path it gets `403` (the spec's `security` lists `CustomerJWT` only on
//! storefront operations: `tests/specs/rebilly-kyc.openapi.yaml`, e.g. `GET /kyc-documents` has
//! `SecretApiKey`/`JWT`, `GET /storefront/kyc-documents/{id}` has `CustomerJWT`).

use reqwest::Method;
use serde_json::json;

use crate::common::rebilly::ORG;
use crate::common::{spawn_app, TestApp};

async fn customer_jwt(app: &TestApp, customer: &str) -> String {
    let reply = app
        .send(
            app.request(
                Method::POST,
                &format!("/rebilly/storefront/organizations/{ORG}/login"),
            )
            .header("Authorization", "Bearer null")
            .json(&json!({"username": customer, "password": "pw"})),
        )
        .await;
    reply.rebilly(201, "StorefrontCustomerJWT")["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_customer_jwt_is_refused_on_every_core_path() {
    let app = spawn_app().await;
    let victims_doc = app
        .kyc_document("cus_victim", "identity-proof", "manual-a.png")
        .await;
    let victims_file = victims_doc["fileIds"][0].as_str().unwrap().to_owned();
    let jwt = customer_jwt(&app, "cus_attacker").await;
    let own_file = app.upload_named("manual-own.png").await;
    let own_doc = app
        .reb_json(
            Method::POST,
            "/kyc-documents",
            json!({"customerId": "cus_attacker", "documentType": "identity-proof", "fileIds": [own_file["id"]]}),
        )
        .await;
    let own_doc_id = own_doc.body["id"].as_str().unwrap().to_owned();

    let calls = [
        (Method::GET, "/kyc-documents".to_owned(), None),
        (
            Method::GET,
            format!("/kyc-documents/{}", victims_doc["id"].as_str().unwrap()),
            None,
        ),
        (Method::GET, format!("/files/{victims_file}/download"), None),
        (Method::GET, "/files".to_owned(), None),
        (
            Method::POST,
            format!("/kyc-documents/{own_doc_id}/acceptance"),
            Some(json!({})),
        ),
        (Method::GET, "/authentication-tokens".to_owned(), None),
        (
            Method::PUT,
            "/kyc-settings".to_owned(),
            Some(json!({"uiVersion": "v3"})),
        ),
        (
            Method::POST,
            "/webhooks".to_owned(),
            Some(json!({"url": "http://127.0.0.1:9/x", "method": "POST"})),
        ),
        (Method::GET, "/kyc-requests".to_owned(), None),
    ];
    for (method, path, body) in calls {
        for prefix in [
            format!("/rebilly/organizations/{ORG}"),
            "/rebilly".to_owned(),
        ] {
            let mut request = app
                .request(method.clone(), &format!("{prefix}{path}"))
                .header("Authorization", format!("Bearer {jwt}"));
            if let Some(body) = &body {
                request = request.json(body);
            }
            let reply = app.send(request).await;
            reply.rebilly_problem(403, "Forbidden");
            assert!(
                reply.body["detail"]
                    .as_str()
                    .unwrap()
                    .contains("storefront"),
                "{method} {prefix}{path}: {}",
                reply.body
            );
        }
    }
    // Nothing changed: the attacker's own document is still pending, no webhook was made.
    let doc = app.reb_get(&format!("/kyc-documents/{own_doc_id}")).await;
    assert_eq!(doc.body["status"], "pending", "{}", doc.body);
    let hooks = app.reb_get("/webhooks").await;
    assert_eq!(hooks.body.as_array().map(Vec::len), Some(0));

    // A forged bearer token is not a credential at all.
    let reply = app
        .send(
            app.request(
                Method::GET,
                &format!("/rebilly/organizations/{ORG}/kyc-documents"),
            )
            .header("Authorization", "Bearer a.b.c"),
        )
        .await;
    reply.rebilly_problem(401, "Unauthorized");

    // On the storefront the same JWT sees its own documents only.
    let own = app
        .send(
            app.request(
                Method::GET,
                &format!("/rebilly/storefront/kyc-documents/{own_doc_id}"),
            )
            .header("Authorization", format!("Bearer {jwt}")),
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.body);
    let other = app
        .send(
            app.request(
                Method::GET,
                &format!(
                    "/rebilly/storefront/kyc-documents/{}",
                    victims_doc["id"].as_str().unwrap()
                ),
            )
            .header("Authorization", format!("Bearer {jwt}")),
        )
        .await;
    other.rebilly_problem(404, "NotFound");
}
