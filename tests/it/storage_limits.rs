//! Uploaded bytes are bounded in total and per tenant: a full store answers 507 in the
//! provider's envelope and keeps serving; deleting files or resetting makes room again.

use reqwest::Method;

use crate::common::kycaid::{kyc_as, upload as kycaid_upload};
use crate::common::rebilly::ORG;
use crate::common::{spawn_with, tiny_png, TestApp};

fn padded_png(size: usize) -> Vec<u8> {
    let mut png = tiny_png();
    png.resize(size, 0);
    png
}

async fn rebilly_upload(app: &TestApp, key: &str, bytes: Vec<u8>) -> crate::common::Reply {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name("manual.png"),
    );
    app.send(
        app.rebilly(Method::POST, key, ORG, "/files")
            .multipart(form),
    )
    .await
}

#[tokio::test]
async fn a_full_store_answers_507_per_provider_and_keeps_serving() {
    let app = spawn_with(|c| {
        c.max_tenant_stored_bytes = 3000;
        c.max_stored_bytes = 5000;
    })
    .await;
    let file = || padded_png(1000);

    // Rebilly: three files fit the tenant's 3000 bytes, the fourth does not.
    let mut ids = Vec::new();
    for _ in 0..3 {
        let reply = rebilly_upload(&app, "sk_1", file()).await;
        ids.push(
            reply.rebilly(201, "File")["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let full = rebilly_upload(&app, "sk_1", file()).await;
    assert_eq!(full.status, 507, "{}", full.body);
    assert_eq!(full.body["title"], "Insufficient Storage");
    assert!(full.body["detail"]
        .as_str()
        .unwrap()
        .contains("--max-tenant-stored-bytes"));
    // Deleting one makes room for one.
    let deleted = app
        .send(app.rebilly(Method::DELETE, "sk_1", ORG, &format!("/files/{}", ids[0])))
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    rebilly_upload(&app, "sk_1", file())
        .await
        .rebilly(201, "File");

    // KYCAID, another tenant: 2000 bytes left in all.
    for _ in 0..2 {
        let reply = kycaid_upload(&app, file(), "a.png").await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let full = kycaid_upload(&app, file(), "a.png").await;
    assert_eq!(full.status, 507, "{}", full.body);
    assert_eq!(full.body["type"], "insufficient_storage");
    assert!(full.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("--max-stored-bytes"));

    // Sumvin: the same, in its ProblemDetail.
    app.send(app.sumvin(Method::POST, "pat-full", "/v0/kyc/applicant"))
        .await
        .sumvin(201, "KYCApplicantResponse");
    let full = app
        .upload_bytes("pat-full", "PASSPORT", "GBR", "p.png", file())
        .await;
    assert_eq!(full.status, 507, "{}", full.body);
    assert_eq!(full.body["error_code"], "GEN-507-001");

    // Reads and other writes still work while full.
    let list = app
        .send(kyc_as(&app, "my-test-token", Method::GET, "/applicants"))
        .await;
    assert_eq!(list.status, 200);
    let health = app.admin_get("/health").await;
    assert_eq!(health["stored_bytes"], 5000, "{health}");

    // A reset gives everything back.
    assert_eq!(
        app.admin_post("/reset", serde_json::json!({})).await.status,
        200
    );
    assert_eq!(app.admin_get("/health").await["stored_bytes"], 0);
    let reply = app
        .upload_bytes("pat-full", "PASSPORT", "GBR", "p.png", file())
        .await;
    assert_eq!(
        reply.status, 404,
        "no applicant after the reset: {}",
        reply.body
    );
    rebilly_upload(&app, "sk_1", file())
        .await
        .rebilly(201, "File");
}
