//! The list options Rebilly files and documents take (`filter`, `sort`, `expand`, `limit`,
//! `offset`) and the spec's typing of file fields, checked against Rebilly's OpenAPI.

use crate::common;

use common::{spawn_app, Reply};
use reqwest::Method;
use serde_json::{json, Value};

fn field_set(reply: &Reply) -> Vec<String> {
    reply.rebilly_invalid_field_set()
}

#[tokio::test]
async fn files_are_filtered_and_sorted() {
    let app = spawn_app().await;
    let first = app.upload_named("front.png").await;
    app.advance(1).await;
    let second = app.upload_named("back.png").await;
    let ids = |reply: &Reply| -> Vec<Value> {
        common::spec::rebilly().check_response("/files", "get", "200", &reply.body);
        reply
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].clone())
            .collect()
    };
    let desc = app.reb_get("/files?sort=-createdTime").await;
    assert_eq!(ids(&desc), [second["id"].clone(), first["id"].clone()]);
    let asc = app.reb_get("/files?sort=createdTime").await;
    assert_eq!(ids(&asc), [first["id"].clone(), second["id"].clone()]);
    let by_name = app.reb_get("/files?filter=name:front.png").await;
    assert_eq!(by_name.headers["pagination-total"], "1");
    assert_eq!(ids(&by_name), [first["id"].clone()]);
    let by_id = app
        .reb_get(&format!(
            "/files?filter=id:{},file_x;mime:image/png",
            second["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(ids(&by_id), [second["id"].clone()]);
    assert_eq!(
        field_set(&app.reb_get("/files?filter=size:1").await),
        ["filter"]
    );
    assert_eq!(field_set(&app.reb_get("/files?sort=name").await), ["sort"]);
}

#[tokio::test]
async fn documents_embed_their_customer_and_files_when_expanded() {
    let app = spawn_app().await;
    let made = app
        .kyc_document("cus_1", "identity-proof", "manual-front.png")
        .await;
    let id = made["id"].as_str().unwrap();
    let file_id = &made["fileIds"][0];
    assert!(made.get("_embedded").is_none());

    let read = app
        .reb_get(&format!("/kyc-documents/{id}?expand=customer,files"))
        .await;
    let read = read.rebilly(200, "ProofOfIdentityKycDocument");
    let embedded = &read["_embedded"];
    common::spec::rebilly().check("Customer", &embedded["customer"]);
    assert_eq!(embedded["customer"]["id"], "cus_1");
    assert_eq!(embedded["files"].as_array().unwrap().len(), 1);
    common::spec::rebilly().check("File", &embedded["files"][0]);
    assert_eq!(&embedded["files"][0]["id"], file_id);
    assert_eq!(
        embedded["files"][0]["_links"][0]["href"],
        format!(
            "/rebilly/organizations/org-1/files/{}",
            file_id.as_str().unwrap()
        )
    );

    let only_customer = app
        .reb_get(&format!("/kyc-documents/{id}?expand=customer"))
        .await;
    let only_customer = only_customer.rebilly(200, "ProofOfIdentityKycDocument");
    assert!(only_customer["_embedded"].get("files").is_none());
    let listed = app
        .reb_get("/kyc-documents?filter=customerId:cus_1&expand=files")
        .await;
    common::spec::rebilly().check("ProofOfIdentityKycDocument", &listed.body[0]);
    assert_eq!(&listed.body[0]["_embedded"]["files"][0]["id"], file_id);
    assert!(listed.body[0]["_embedded"].get("customer").is_none());
    let plain = app.reb_get("/kyc-documents").await;
    common::spec::rebilly().check("ProofOfIdentityKycDocument", &plain.body[0]);
    assert!(plain.body[0].get("_embedded").is_none());
}

/// Found by schema fuzzing: `GET /files/{id}` with an empty id is `GET /files/`, which is not the
/// list (the SDK adds a trailing slash only when it creates).
#[tokio::test]
async fn a_collection_path_with_a_trailing_slash_is_an_empty_id_on_get() {
    let app = spawn_app().await;
    for (path, kind) in [
        ("/files/", "File"),
        ("/kyc-documents/", "KycDocument"),
        ("/kyc-requests/", "KycRequest"),
        ("/attachments/", "Attachment"),
    ] {
        let reply = app.reb_get(path).await;
        let body = reply.rebilly_problem(404, "NotFound");
        assert_eq!(body["detail"], format!("{kind} not found"));
    }
    assert_eq!(app.reb_get("/files").await.status, 200);
}

/// Found by schema fuzzing: a file's `name`, `description` and `extension` are typed `string` in
/// the spec (`File`), so `null` or another type is refused, and `description` (max 255) is kept.
#[tokio::test]
async fn file_fields_are_typed_as_the_spec_types_them() {
    let app = spawn_app().await;
    let url = "https://example.com/passport.png";
    for (field, bad) in [
        ("name", Value::Null),
        ("description", json!(5)),
        ("description", json!("x".repeat(256))),
        ("extension", json!(["png"])),
        ("isPublic", Value::Null),
    ] {
        let mut body = json!({"url": url});
        body[field] = bad.clone();
        let reply = app.reb_json(Method::POST, "/files", body).await;
        assert_eq!(field_set(&reply), [field.to_owned()], "{field}: {bad}");
    }
    let created = app
        .reb_json(
            Method::POST,
            "/files",
            json!({"url": url, "description": "front"}),
        )
        .await;
    let file = created.rebilly(201, "File").clone();
    assert_eq!(file["description"], "front");
    let path = format!("/files/{}", file["id"].as_str().unwrap());
    let updated = app
        .reb_json(
            Method::PUT,
            &path,
            json!({"description": "front, rescanned"}),
        )
        .await;
    assert_eq!(
        updated.rebilly(200, "File")["description"],
        "front, rescanned"
    );
}

/// `limit` and `offset` are both 0..1000 in Rebilly's spec (`collectionLimit`,
/// `collectionOffset`); found by schema fuzzing, `offset=1001` used to be accepted.
#[tokio::test]
async fn list_offsets_stop_where_the_spec_says() {
    let app = spawn_app().await;
    assert_eq!(app.reb_get("/files?offset=1000").await.status, 200);
    for query in ["offset=1001", "limit=1001", "offset=-1"] {
        let reply = app.reb_get(&format!("/files?{query}")).await;
        let field = query.split('=').next().unwrap();
        assert_eq!(field_set(&reply), [field.to_owned()], "{query}");
        assert!(reply.body["invalidFields"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("from 0 to 1000"));
    }
}
