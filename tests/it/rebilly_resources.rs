//! The smaller Rebilly resources around KYC documents: kyc-settings, attachments, tags, matches,
//! and the list options files and documents take (`filter`, `sort`, `expand`).

use crate::common;

use common::{spawn_app, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn fields(reply: &Reply) -> Vec<String> {
    let mut fields = reply.rebilly_invalid_fields();
    fields.sort();
    fields
}

/// A pending document (a `manual…` file) of `kind` for `cus_1`.
async fn pending(app: &TestApp, kind: &str) -> String {
    let document = app.kyc_document("cus_1", kind, "manual-doc.png").await;
    document["id"].as_str().unwrap().to_owned()
}

async fn document(app: &TestApp, id: &str) -> Value {
    let reply = app.reb_get(&format!("/kyc-documents/{id}")).await;
    let schema = match reply.body["documentType"].as_str() {
        Some("address-proof") => "ProofOfAddressKycDocument",
        Some("funds-proof") => "ProofOfFundsKycDocument",
        _ => "ProofOfIdentityKycDocument",
    };
    reply.rebilly(200, schema).clone()
}

fn tag_names(document: &Value) -> Vec<&str> {
    document["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn kyc_settings_merge_what_is_put() {
    let app = spawn_app().await;
    let initial = app
        .reb_get("/kyc-settings")
        .await
        .rebilly(200, "KycSettings")
        .clone();
    assert_eq!(initial["uiVersion"], "1");
    assert_eq!(initial["identityProof"]["weights"]["firstName"], 10);
    assert_eq!(initial["addressProof"]["thresholds"]["acceptAbove"], 80);

    let reply = app
        .reb_json(
            Method::PUT,
            "/kyc-settings",
            json!({
                "identityProof": {"weights": {"firstName": 30}, "thresholds": {"rejectBelow": 40}},
                "uiVersion": "2",
            }),
        )
        .await;
    let updated = reply.rebilly(200, "KycSettings").clone();
    assert_eq!(updated["uiVersion"], "2");
    assert_eq!(updated["identityProof"]["weights"]["firstName"], 30);
    assert_eq!(updated["identityProof"]["weights"]["lastName"], 10, "kept");
    assert_eq!(updated["identityProof"]["thresholds"]["rejectBelow"], 40);
    assert_eq!(updated["identityProof"]["thresholds"]["acceptAbove"], 80);
    assert_eq!(
        updated["addressProof"], initial["addressProof"],
        "untouched"
    );
    let read = app.reb_get("/kyc-settings").await;
    assert_eq!(read.rebilly(200, "KycSettings"), &updated);
}

#[tokio::test]
async fn bad_kyc_settings_are_refused_whole() {
    let app = spawn_app().await;
    let initial = app.reb_get("/kyc-settings").await.body;
    let reply = app
        .reb_json(
            Method::PUT,
            "/kyc-settings",
            json!({
                "identityProof": {"weights": {"firstName": 101, "shoeSize": 5, "lastName": 20}},
                "addressProof": {"thresholds": {"acceptAbove": -1}},
                "uiVersion": "3",
            }),
        )
        .await;
    assert_eq!(
        fields(&reply),
        [
            "addressProof.thresholds.acceptAbove",
            "identityProof.weights.firstName",
            "identityProof.weights.shoeSize",
            "uiVersion",
        ]
    );
    let numeric = app
        .reb_json(Method::PUT, "/kyc-settings", json!({"uiVersion": 2}))
        .await;
    assert_eq!(fields(&numeric), ["uiVersion"]);
    let not_object = app
        .reb_json(
            Method::PUT,
            "/kyc-settings",
            json!({"addressProof": "strict"}),
        )
        .await;
    assert_eq!(fields(&not_object), ["addressProof"]);
    let null = app
        .reb_json(Method::PUT, "/kyc-settings", json!({"identityProof": null}))
        .await;
    assert_eq!(fields(&null), ["identityProof"], "an object in the spec");
    let ages = app
        .reb_json(
            Method::PUT,
            "/kyc-settings",
            json!({"identityProof": {"minimumAgeSettings": {
                "defaultMinimumAge": 0,
                "locationOverrides": [{"country": "usa", "minimumAge": 21}, {"country": "CA"}],
            }}}),
        )
        .await;
    assert_eq!(
        fields(&ages),
        [
            "identityProof.minimumAgeSettings.defaultMinimumAge",
            "identityProof.minimumAgeSettings.locationOverrides.0.country",
            "identityProof.minimumAgeSettings.locationOverrides.1.minimumAge",
        ]
    );
    assert_eq!(
        app.reb_get("/kyc-settings").await.body,
        initial,
        "nothing changed"
    );
}

#[tokio::test]
async fn kyc_settings_take_minimum_ages() {
    let app = spawn_app().await;
    let ages = json!({
        "defaultMinimumAge": 18,
        "locationOverrides": [{"country": "US", "state": "Alabama", "minimumAge": 19}],
    });
    let two = app
        .reb_json(Method::PUT, "/kyc-settings", json!({"uiVersion": "2"}))
        .await;
    assert_eq!(two.rebilly(200, "KycSettings")["uiVersion"], "2");
    let reply = app
        .reb_json(
            Method::PUT,
            "/kyc-settings",
            json!({"identityProof": {"minimumAgeSettings": ages}, "uiVersion": null}),
        )
        .await;
    let updated = reply.rebilly(200, "KycSettings");
    assert_eq!(updated["identityProof"]["minimumAgeSettings"], ages);
    assert_eq!(updated["uiVersion"], "1", "null is the spec's default");
    let read = app.reb_get("/kyc-settings").await;
    assert_eq!(read.rebilly(200, "KycSettings"), updated);
}

#[tokio::test]
async fn attachments_link_files_and_are_listed_by_file() {
    let app = spawn_app().await;
    let file = app.upload_named("front.png").await;
    let other = app.upload_named("back.png").await;
    let body = json!({"fileId": file["id"], "relatedType": "customer", "relatedId": "cus_1"});
    let reply = app.reb_json(Method::POST, "/attachments/", body).await;
    let attachment = reply.rebilly(201, "Attachment").clone();
    let id = attachment["id"].as_str().unwrap();
    assert_eq!(
        attachment["name"], "front.png",
        "the file's name by default"
    );
    assert_eq!(attachment["relatedType"], "customer");
    assert_eq!(
        reply.headers["location"],
        format!("/rebilly/organizations/org-1/attachments/{id}")
    );
    app.reb_json(
        Method::POST,
        "/attachments",
        json!({"fileId": other["id"], "relatedType": "customer", "relatedId": "cus_2"}),
    )
    .await
    .rebilly(201, "Attachment");

    let file_id = file["id"].as_str().unwrap();
    let listed = app
        .reb_get(&format!("/attachments?filter=fileId:{file_id}"))
        .await;
    assert_eq!(listed.status, 200);
    common::spec::rebilly().check_response("/attachments", "get", "200", &listed.body);
    assert_eq!(listed.headers["pagination-total"], "1");
    assert_eq!(listed.body[0]["id"], id);
    let all = app.reb_get("/attachments?limit=1").await;
    common::spec::rebilly().check_response("/attachments", "get", "200", &all.body);
    assert_eq!(all.headers["pagination-total"], "2");
    assert_eq!(all.body.as_array().unwrap().len(), 1);

    let read = app.reb_get(&format!("/attachments/{id}")).await;
    assert_eq!(read.rebilly(200, "Attachment"), &attachment);
    let put = app
        .reb_json(
            Method::PUT,
            &format!("/attachments/{id}"),
            json!({
                "fileId": file["id"], "relatedType": "customer", "relatedId": "cus_1",
                "description": "id front",
            }),
        )
        .await;
    let put = put.rebilly(200, "Attachment");
    assert_eq!(put["description"], "id front");
    assert_eq!(put["name"], "front.png", "kept");

    let deleted = app
        .send(app.reb(Method::DELETE, &format!("/attachments/{id}")))
        .await;
    assert_eq!(deleted.status, 204);
    app.reb_get(&format!("/attachments/{id}"))
        .await
        .rebilly_problem(404, "NotFound");
    let again = app
        .send(app.reb(Method::DELETE, &format!("/attachments/{id}")))
        .await;
    again.rebilly_problem(404, "NotFound");
    app.reb_get(&format!("/files/{file_id}"))
        .await
        .rebilly(200, "File");
}

#[tokio::test]
async fn bad_attachments_are_refused() {
    let app = spawn_app().await;
    let reply = app
        .reb_json(
            Method::POST,
            "/attachments/",
            json!({"fileId": "file_nope", "relatedType": "kyc-document", "relatedId": "x"}),
        )
        .await;
    assert_eq!(fields(&reply), ["fileId", "relatedType"]);
    let missing = app.reb_json(Method::POST, "/attachments/", json!({})).await;
    assert_eq!(fields(&missing), ["fileId", "relatedId", "relatedType"]);
    let unknown = app
        .reb_json(
            Method::PUT,
            "/attachments/att_nope",
            json!({"fileId": "file_nope", "relatedType": "customer", "relatedId": "x"}),
        )
        .await;
    unknown.rebilly_problem(404, "NotFound");
    let filter = app.reb_get("/attachments?filter=name:x").await;
    assert_eq!(fields(&filter), ["filter"]);
}

#[tokio::test]
async fn tags_are_added_and_removed_one_document_at_a_time() {
    let app = spawn_app().await;
    let id = pending(&app, "identity-proof").await;
    let path = format!("/tags/VIP customer/kyc-documents/{id}");
    let tagged = app.send(app.reb(Method::POST, &path)).await;
    assert_eq!(tagged.status, 204, "{}", tagged.body);
    let again = app
        .send(app.reb(
            Method::POST,
            &format!("/tags/vip customer/kyc-documents/{id}"),
        ))
        .await;
    assert_eq!(again.status, 204);
    let read = document(&app, &id).await;
    assert_eq!(tag_names(&read), ["VIP customer"], "case-insensitive, once");
    assert_eq!(read["tags"][0]["type"], "kyc-document");
    assert_eq!(read["revision"], 2);

    let untagged = app.send(app.reb(Method::DELETE, &path)).await;
    assert_eq!(untagged.status, 204);
    assert!(tag_names(&document(&app, &id).await).is_empty());

    app.send(app.reb(Method::POST, "/tags/vip/kyc-documents/kyc_doc_nope"))
        .await
        .rebilly_problem(404, "NotFound");
    let invalid = app
        .send(app.reb(Method::POST, &format!("/tags/a%2Fb/kyc-documents/{id}")))
        .await;
    assert_eq!(fields(&invalid), ["tag"]);
}

#[tokio::test]
async fn tags_apply_in_bulk_or_not_at_all() {
    let app = spawn_app().await;
    let a = pending(&app, "identity-proof").await;
    let b = pending(&app, "address-proof").await;
    let c = pending(&app, "funds-proof").await;
    let tagged = app
        .reb_json(
            Method::POST,
            "/tags/bulk/kyc-documents",
            json!({"kycDocumentIds": [a, b]}),
        )
        .await;
    assert_eq!(tagged.status, 204, "{}", tagged.body);
    assert_eq!(tag_names(&document(&app, &a).await), ["bulk"]);
    assert_eq!(tag_names(&document(&app, &b).await), ["bulk"]);
    assert!(tag_names(&document(&app, &c).await).is_empty());

    let partial = app
        .reb_json(
            Method::POST,
            "/tags/more/kyc-documents",
            json!({"kycDocumentIds": [c, "kyc_doc_nope"]}),
        )
        .await;
    assert_eq!(fields(&partial), ["kycDocumentIds.1"]);
    assert!(
        tag_names(&document(&app, &c).await).is_empty(),
        "nothing applied"
    );
    for body in [
        json!({}),
        json!({"kycDocumentIds": []}),
        json!({"kycDocumentIds": [1]}),
    ] {
        let bad = app
            .reb_json(Method::POST, "/tags/more/kyc-documents", body)
            .await;
        bad.rebilly_problem(422, "ValidationError");
    }

    let untagged = app
        .send(
            app.reb(Method::DELETE, "/tags/bulk/kyc-documents")
                .json(&json!({"kycDocumentIds": [a]})),
        )
        .await;
    assert_eq!(untagged.status, 204);
    assert!(tag_names(&document(&app, &a).await).is_empty());
    assert_eq!(tag_names(&document(&app, &b).await), ["bulk"]);
}

async fn post_matches(app: &TestApp, id: &str, body: Value) -> Reply {
    app.reb_json(Method::POST, &format!("/kyc-documents/{id}/matches"), body)
        .await
}

#[tokio::test]
async fn matches_overwrite_the_analysis_of_a_decided_document() {
    let app = spawn_app().await;
    let id = pending(&app, "identity-proof").await;
    let path = format!("/kyc-documents/{id}/matches");
    let body = json!({"type": "identity-proof", "firstName": "Ada", "isIdentityDocument": false});
    let reply = app.reb_json(Method::POST, &path, body).await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert!(reply.bytes.is_empty());
    assert_eq!(
        document(&app, &id).await["documentMatches"],
        Value::Null,
        "not analyzed yet"
    );

    let accepted = app
        .send(app.reb(Method::POST, &format!("/kyc-documents/{id}/acceptance")))
        .await;
    accepted.rebilly(201, "ProofOfIdentityKycDocument");
    let read = document(&app, &id).await;
    assert_eq!(read["documentMatches"]["data"]["firstName"], "Ada");
    assert_eq!(read["documentMatches"]["data"]["isIdentityDocument"], false);
    assert_eq!(read["parsedData"]["data"]["firstName"], "Ada");
    assert_ne!(read["documentMatches"]["data"]["lastName"], Value::Null);
}

#[tokio::test]
async fn matches_refuse_another_type_and_unknown_fields() {
    let app = spawn_app().await;
    let id = pending(&app, "identity-proof").await;
    let address = pending(&app, "address-proof").await;
    assert_eq!(
        fields(&post_matches(&app, &id, json!({"type": "address-proof", "line1": "x"})).await),
        ["type"]
    );
    assert_eq!(
        fields(&post_matches(&app, &id, json!({"firstName": "Ada"})).await),
        ["type"]
    );
    assert_eq!(
        fields(
            &post_matches(
                &app,
                &id,
                json!({"type": "identity-proof", "shoeSize": 44, "line1": "x"})
            )
            .await
        ),
        ["line1", "shoeSize"],
        "the operation rejects unknown fields"
    );
    assert_eq!(
        fields(
            &post_matches(
                &app,
                &id,
                json!({"type": "identity-proof", "hasMinimalAge": true})
            )
            .await
        ),
        ["hasMinimalAge"],
        "read-only"
    );
    assert_eq!(
        fields(
            &post_matches(
                &app,
                &id,
                json!({"type": "identity-proof", "firstName": 7, "isTampered": "no"})
            )
            .await
        ),
        ["firstName", "isTampered"]
    );
    let ok = post_matches(
        &app,
        &address,
        json!({"type": "address-proof", "line1": "1 Main St", "wordCount": 12}),
    )
    .await;
    assert_eq!(ok.status, 204, "{}", ok.body);
    post_matches(&app, "kyc_doc_nope", json!({"type": "identity-proof"}))
        .await
        .rebilly_problem(404, "NotFound");
    assert_eq!(document(&app, &id).await["revision"], 1, "nothing written");
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
        fields(&app.reb_get("/files?filter=size:1").await),
        ["filter"]
    );
    assert_eq!(fields(&app.reb_get("/files?sort=name").await), ["sort"]);
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
        assert_eq!(fields(&reply), [field.to_owned()], "{field}: {bad}");
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
        assert_eq!(fields(&reply), [field.to_owned()], "{query}");
        assert!(reply.body["invalidFields"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("from 0 to 1000"));
    }
}

/// Customers a document, request or login named are served (GET /customers and
/// /customers/{id}: GetCustomerCollection and GetCustomer in Rebilly's spec), so a document's
/// `customer` link (KycDocument `_links` rels: self, customer) resolves.
#[tokio::test]
async fn customers_named_by_documents_are_listed_and_read() {
    let app = spawn_app().await;
    let key = common::rebilly::KEY;
    let org = common::rebilly::ORG;
    app.kyc_document("cus_b", "identity-proof", "id.png").await;
    let document = app.kyc_document("cus_a", "address-proof", "bill.png").await;
    let link = document["_links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "customer")
        .expect("a customer link")["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = app
        .send(app.client.get(app.url(&link)).header("REB-APIKEY", key))
        .await;
    let customer = customer.rebilly(200, "Customer");
    assert_eq!(customer["id"], "cus_a");
    assert!(customer["email"].as_str().unwrap().contains('@'));
    let list = app
        .send(app.rebilly(Method::GET, key, org, "/customers?limit=1&sort=createdTime"))
        .await;
    assert_eq!(list.headers["pagination-total"], "2");
    assert_eq!(list.body[0]["id"], "cus_b");
    let filtered = app
        .send(app.rebilly(Method::GET, key, org, "/customers?filter=id:cus_a"))
        .await;
    assert_eq!(filtered.body.as_array().unwrap().len(), 1);
    app.send(app.rebilly(Method::GET, key, org, "/customers/cus_nobody"))
        .await
        .rebilly_problem(404, "NotFound");
}
