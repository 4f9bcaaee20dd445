//! A tenant exists once it holds state: reads of unknown credentials, and writes that fail,
//! leave nothing behind (issue: 60,000 read-only credentials used to add 198 MB).

use reqwest::Method;
use serde_json::json;

use crate::common::{spawn_app, TestApp};

async fn tenant_count(app: &TestApp) -> usize {
    app.admin_get("/tenants").await["tenants"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn reads_and_failed_writes_of_unknown_credentials_create_nothing() {
    let app = spawn_app().await;
    for i in 0..50 {
        let kycaid = format!("Token read-only-{i}");
        for path in [
            "/kycaid/applicants",
            "/kycaid/verifications",
            "/kycaid/applicants/0123",
        ] {
            let reply = app
                .send(
                    app.request(Method::GET, path)
                        .header("authorization", &kycaid),
                )
                .await;
            assert!(reply.status.as_u16() < 500, "{path}: {}", reply.status);
        }
        // A create that fails validation writes nothing either.
        let reply = app
            .send(
                app.request(Method::POST, "/kycaid/applicants")
                    .header("authorization", &kycaid)
                    .json(&json!({"type": "ALIEN"})),
            )
            .await;
        assert_eq!(reply.status, 422);

        let org = format!("org-read-{i}");
        let key = format!("sk_read_{i}");
        for path in [
            "/kyc-documents",
            "/kyc-requests",
            "/files",
            "/kyc-settings",
            "/webhooks",
        ] {
            let reply = app.send(app.rebilly(Method::GET, &key, &org, path)).await;
            assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        }
        let reply = app
            .send(
                app.request(Method::GET, "/rebilly/kyc-documents")
                    .header("REB-APIKEY", &key),
            )
            .await;
        assert_eq!(reply.status, 200);

        let pat = format!("pat-read-{i}");
        for path in ["/v0/kyc/status", "/v0/kyc/documents"] {
            let reply = app.send(app.sumvin(Method::GET, &pat, path)).await;
            assert!(reply.status.as_u16() < 500, "{path}: {}", reply.status);
        }
    }
    assert_eq!(tenant_count(&app).await, 0);

    // The first write makes the tenant, for every provider.
    let reply = app
        .send(
            app.request(Method::POST, "/kycaid/applicants")
                .header("authorization", "Token read-only-1")
                .json(&json!({"type": "PERSON", "first_name": "Jane", "last_name": "Roe"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = app
        .send(
            app.rebilly(Method::POST, "sk_read_1", "org-read-1", "/kyc-requests")
                .json(&json!({"customerId": "cus_1", "documents": [{"type": "identity-proof"}]})),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let reply = app
        .send(app.sumvin(Method::POST, "pat-read-1", "/v0/kyc/applicant"))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(tenant_count(&app).await, 3);
}

/// Every provider response names its tenant, as `GET /__admin/tenants` lists it.
#[tokio::test]
async fn responses_name_their_tenant() {
    let app = spawn_app().await;
    let created = app
        .send(
            app.request(Method::POST, "/kycaid/applicants")
                .header("authorization", "Token named")
                .json(&json!({"type": "PERSON", "first_name": "Jane", "last_name": "Roe"})),
        )
        .await;
    let tenant = created.headers["x-sandbox-tenant"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(tenant.starts_with("kycaid-"), "{tenant}");
    let tenants = app.admin_get("/tenants").await;
    assert_eq!(tenants["tenants"][0]["tenant"], tenant);
    let state = app.admin_get(&format!("/tenants/{tenant}/state")).await;
    assert_eq!(
        state["state"]["applicants"].as_object().map(|a| a.len()),
        Some(1)
    );
    // Errors too, and reads of a tenant that does not exist yet.
    let missing = app
        .send(
            app.request(Method::GET, "/kycaid/applicants")
                .header("authorization", "Token not-yet"),
        )
        .await;
    assert!(missing.headers["x-sandbox-tenant"]
        .to_str()
        .unwrap()
        .starts_with("kycaid-"));
}
