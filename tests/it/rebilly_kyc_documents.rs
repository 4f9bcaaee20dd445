//! Rebilly: files and KYC documents through both URL shapes, checked against Rebilly's OpenAPI.

use crate::common;

use common::{spawn_app, tiny_png, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use common::rebilly::{KEY, ORG};

async fn upload_file(app: &TestApp) -> Value {
    app.upload_named("manual-id-front.png").await
}

async fn create_document(app: &TestApp, file_id: &str) -> Value {
    let body = json!({"customerId": "cus_1", "documentType": "identity-proof", "documentSubtype": "passport", "fileIds": [file_id]});
    let reply = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/kyc-documents/")
                .json(&body),
        )
        .await;
    let created = reply.rebilly(201, "ProofOfIdentityKycDocument").clone();
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        reply.headers["location"],
        format!("/rebilly/organizations/{ORG}/kyc-documents/{id}")
    );
    created
}

#[tokio::test]
async fn files_upload_list_get_update_download_delete() {
    let app = spawn_app().await;
    let file = upload_file(&app).await;
    let id = file["id"].as_str().unwrap();
    assert!(id.starts_with("file_") && id.len() == 31, "{id}");
    assert_eq!(
        (
            file["mime"].clone(),
            file["width"].clone(),
            file["height"].clone()
        ),
        (json!("image/png"), json!(3), json!(2))
    );
    assert_eq!(file["extension"], "png");
    assert_eq!(file["createdTime"], common::T0);

    let from_url = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/files")
                .json(&json!({"url": "https://example.com/scan.png", "tags": ["kyc"]})),
        )
        .await;
    let from_url = from_url.rebilly(201, "File");
    assert_eq!(from_url["name"], "scan.png");
    assert_eq!(from_url["tags"], json!(["kyc"]));

    let listed = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/files?limit=1"))
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.headers["pagination-total"], "2");
    assert_eq!(listed.headers["pagination-limit"], "1");
    assert_eq!(listed.headers["pagination-offset"], "0");
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    for item in listed.body.as_array().unwrap() {
        common::spec::rebilly().check("File", item);
    }

    let updated = app
        .send(
            app.rebilly(Method::PUT, KEY, ORG, &format!("/files/{id}"))
                .json(&json!({"name": "front.png", "tags": ["kyc", "id-front"]})),
        )
        .await;
    assert_eq!(updated.rebilly(200, "File")["name"], "front.png");

    let bytes = app
        .send(app.rebilly(Method::GET, KEY, ORG, &format!("/files/{id}/download")))
        .await;
    assert_eq!(bytes.status, 200);
    assert_eq!(bytes.bytes, tiny_png());

    let deleted = app
        .send(app.rebilly(Method::DELETE, KEY, ORG, &format!("/files/{id}")))
        .await;
    assert_eq!(deleted.status, 204);
    let gone = app
        .send(app.rebilly(Method::GET, KEY, ORG, &format!("/files/{id}")))
        .await;
    gone.rebilly_problem(404, "NotFound");
    assert_eq!(
        gone.body["instance"],
        format!("/organizations/{ORG}/files/{id}")
    );
}

#[tokio::test]
async fn bad_files_are_refused() {
    let app = spawn_app().await;
    let form = Form::new().part(
        "file",
        Part::bytes(b"plain text".to_vec()).file_name("notes.txt"),
    );
    let reply = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/files")
                .multipart(form),
        )
        .await;
    assert_eq!(
        reply.rebilly_problem(422, "ValidationError")["invalidFields"][0]["field"],
        "file"
    );
    let reply = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/files")
                .json(&json!({"name": 5})),
        )
        .await;
    let fields = reply.rebilly_invalid_fields();
    assert_eq!(fields, vec!["url", "name"]);
    let reply = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/files")
                .header("content-type", "application/json")
                .body("{\"url\": "),
        )
        .await;
    reply.rebilly_problem(400, "BadRequest");
}

#[tokio::test]
async fn documents_are_created_read_listed_and_updated() {
    let app = spawn_app().await;
    let file = upload_file(&app).await;
    let document = create_document(&app, file["id"].as_str().unwrap()).await;
    let id = document["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("kyc_doc_"));
    assert_eq!(document["status"], "pending");
    assert_eq!(document["revision"], 1);
    assert_eq!(document["matchLevel"], 2);
    assert_eq!(document["_links"][0]["rel"], "self");
    // The seed's response shows the deprecated `fileId` next to `fileIds`.
    assert_eq!(document["fileId"], file["id"]);

    let read = app
        .send(app.rebilly(Method::GET, KEY, ORG, &format!("/kyc-documents/{id}")))
        .await;
    assert_eq!(
        read.rebilly(200, "ProofOfIdentityKycDocument")["id"],
        id.as_str()
    );

    let put = app
        .send(app.rebilly(Method::PUT, KEY, ORG, &format!("/kyc-documents/{id}")).json(&json!({
            "customerId": "cus_1", "documentType": "identity-proof", "documentSubtype": "id-card",
            "fileIds": [file["id"]], "notes": "second look"
        })))
        .await;
    let put = put.rebilly(200, "ProofOfIdentityKycDocument");
    assert_eq!(
        (
            put["documentSubtype"].clone(),
            put["notes"].clone(),
            put["revision"].clone()
        ),
        (json!("id-card"), json!("second look"), json!(2))
    );

    let with_id = app
        .send(
            app.rebilly(Method::PUT, KEY, ORG, "/kyc-documents/my-doc-1")
                .json(&json!({
                    "customerId": "cus_2", "documentType": "address-proof", "fileIds": [file["id"]]
                })),
        )
        .await;
    assert_eq!(with_id.status, 201);
    assert_eq!(
        with_id.headers["location"],
        format!("/rebilly/organizations/{ORG}/kyc-documents/my-doc-1")
    );

    let all = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/kyc-documents?sort=-createdTime"))
        .await;
    assert_eq!(all.headers["pagination-total"], "2");
    let only = app
        .send(app.rebilly(
            Method::GET,
            KEY,
            ORG,
            "/kyc-documents?filter=customerId:cus_2",
        ))
        .await;
    assert_eq!(only.headers["pagination-total"], "1");
    assert_eq!(only.body[0]["id"], "my-doc-1");
    let page = app
        .send(app.rebilly(
            Method::GET,
            KEY,
            ORG,
            "/kyc-documents?limit=1&offset=1&sort=createdTime",
        ))
        .await;
    assert_eq!(page.body[0]["id"], "my-doc-1");
    let bad = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/kyc-documents?limit=1001"))
        .await;
    assert_eq!(
        bad.rebilly_problem(422, "ValidationError")["invalidFields"][0]["field"],
        "limit"
    );
    let bad = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/kyc-documents?filter=colour:red"))
        .await;
    bad.rebilly_problem(422, "ValidationError");
}

#[tokio::test]
async fn document_validation_names_every_bad_field() {
    let app = spawn_app().await;
    let reply = app
        .send(app.rebilly(Method::POST, KEY, ORG, "/kyc-documents").json(&json!({
            "documentType": "selfie", "documentSubtype": "mugshot", "fileIds": ["file_nope", 7], "matchLevel": 9
        })))
        .await;
    let fields = reply.rebilly_invalid_fields();
    assert_eq!(
        fields,
        vec![
            "customerId",
            "documentType",
            "documentSubtype",
            "fileIds.1",
            "fileIds.0",
            "matchLevel"
        ]
    );
    let listed = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/kyc-documents"))
        .await;
    assert_eq!(
        listed.headers["pagination-total"], "0",
        "nothing half-written"
    );
    let missing = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/kyc-documents/kyc_doc_nope"))
        .await;
    missing.rebilly_problem(404, "NotFound");
}

#[tokio::test]
async fn organizations_are_tenants_and_keys_remember_theirs() {
    let app = spawn_app().await;
    let file = upload_file(&app).await;
    create_document(&app, file["id"].as_str().unwrap()).await;
    let other = app
        .send(app.rebilly(Method::GET, KEY, "org-2", "/kyc-documents"))
        .await;
    assert_eq!(other.headers["pagination-total"], "0");
    let no_org = app
        .send(
            app.request(Method::GET, "/rebilly/kyc-documents")
                .header("REB-APIKEY", KEY),
        )
        .await;
    assert_eq!(
        no_org.headers["pagination-total"], "0",
        "the key was last used with org-2"
    );
    app.send(app.rebilly(Method::GET, KEY, ORG, "/files")).await;
    let no_org = app
        .send(
            app.request(Method::GET, "/rebilly/kyc-documents")
                .header("REB-APIKEY", KEY),
        )
        .await;
    assert_eq!(no_org.headers["pagination-total"], "1");

    let anonymous = app
        .send(app.request(
            Method::GET,
            &format!("/rebilly/organizations/{ORG}/kyc-documents"),
        ))
        .await;
    anonymous.rebilly_problem(401, "Unauthorized");
    let unknown = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/nothing"))
        .await;
    unknown.rebilly_problem(404, "NotFound");
    let method = app
        .send(app.rebilly(Method::DELETE, KEY, ORG, "/kyc-documents"))
        .await;
    assert_eq!(method.status, 405);

    let id = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/kyc-documents"))
        .await
        .body[0]["id"]
        .clone();
    let reply = app
        .admin_post("/transitions", json!({"provider": "rebilly", "kind": "kyc-document", "id": id, "to": "rejected", "rejectionType": "tampered-document"}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.body["resource"]["rejectionReason"]["type"],
        "tampered-document"
    );
}

#[tokio::test]
async fn oversized_bodies_get_413_as_problem_json() {
    let app = common::spawn_with(|c| c.max_body = 1024).await;
    let big = json!({"url": "x".repeat(4096)});
    let reply = app
        .send(app.rebilly(Method::POST, KEY, ORG, "/files").json(&big))
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.headers["content-type"], "application/problem+json");
    assert_eq!(reply.body["status"], 413);
    let reply = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/kyc-documents")
                .json(&json!([1])),
        )
        .await;
    assert_eq!(
        reply.rebilly_problem(422, "ValidationError")["invalidFields"][0]["field"],
        "body"
    );
}
