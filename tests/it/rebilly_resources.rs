//! The smaller Rebilly resources around KYC documents: kyc-settings, attachments, tags, matches.

use crate::common;

use common::{spawn_app, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn field_set(reply: &Reply) -> Vec<String> {
    reply.rebilly_invalid_field_set()
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
        field_set(&reply),
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
    assert_eq!(field_set(&numeric), ["uiVersion"]);
    let not_object = app
        .reb_json(
            Method::PUT,
            "/kyc-settings",
            json!({"addressProof": "strict"}),
        )
        .await;
    assert_eq!(field_set(&not_object), ["addressProof"]);
    let null = app
        .reb_json(Method::PUT, "/kyc-settings", json!({"identityProof": null}))
        .await;
    assert_eq!(field_set(&null), ["identityProof"], "an object in the spec");
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
        field_set(&ages),
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
    assert_eq!(field_set(&reply), ["fileId", "relatedType"]);
    let missing = app.reb_json(Method::POST, "/attachments/", json!({})).await;
    assert_eq!(field_set(&missing), ["fileId", "relatedId", "relatedType"]);
    let unknown = app
        .reb_json(
            Method::PUT,
            "/attachments/att_nope",
            json!({"fileId": "file_nope", "relatedType": "customer", "relatedId": "x"}),
        )
        .await;
    unknown.rebilly_problem(404, "NotFound");
    let filter = app.reb_get("/attachments?filter=name:x").await;
    assert_eq!(field_set(&filter), ["filter"]);
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
    assert_eq!(field_set(&invalid), ["tag"]);
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
    assert_eq!(field_set(&partial), ["kycDocumentIds.1"]);
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

    // The overrides are kept apart from the document (boxed, as few documents have any): a
    // snapshot still carries them across a reset.
    let snapshot = app
        .send(app.request(Method::GET, "/__admin/snapshot"))
        .await;
    assert_eq!(snapshot.status, 200, "{}", snapshot.body);
    assert_eq!(app.admin_post("/reset", json!({})).await.status, 200);
    let restored = app.admin_post("/snapshot/restore", snapshot.body).await;
    assert_eq!(restored.status, 200, "{}", restored.body);
    assert_eq!(
        document(&app, &id).await["documentMatches"],
        read["documentMatches"]
    );
}

#[tokio::test]
async fn matches_refuse_another_type_and_unknown_fields() {
    let app = spawn_app().await;
    let id = pending(&app, "identity-proof").await;
    let address = pending(&app, "address-proof").await;
    assert_eq!(
        field_set(&post_matches(&app, &id, json!({"type": "address-proof", "line1": "x"})).await),
        ["type"]
    );
    assert_eq!(
        field_set(&post_matches(&app, &id, json!({"firstName": "Ada"})).await),
        ["type"]
    );
    assert_eq!(
        field_set(
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
        field_set(
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
        field_set(
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
