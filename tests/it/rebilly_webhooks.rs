//! Rebilly webhooks seen from a local receiver: the `/webhooks` resource (CRUD and validation),
//! the spec's `KycDocumentWebhook`/`KycRequestWebhook` payloads, Basic credentials, custom
//! headers, `eventsFilter`, `filter`, body templates and `--rebilly-webhook-url`.

use crate::common;

use base64::Engine as _;
use common::receiver::{Received, Receiver};
use common::{spawn_app, spawn_with, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A webhook for every KYC event to `url`, with Basic credentials and one active and one
/// inactive custom header.
fn hook(url: &str) -> Value {
    json!({
        "url": url,
        "method": "POST",
        "credentialHash": "cred_1",
        "eventsFilter": [],
        "headers": [
            {"name": "X-Shop", "value": "demo", "status": "active"},
            {"name": "X-Off", "value": "never", "status": "inactive"},
        ],
        "authorization": {"type": "basic", "username": "rebilly", "password": "superman"},
    })
}

async fn create_hook(app: &TestApp, body: Value) -> Value {
    let reply = app.reb_json(Method::POST, "/webhooks", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body
}

fn json_body(got: &Received) -> Value {
    serde_json::from_slice(&got.body).expect("a JSON payload")
}

/// Validates a payload against the spec's webhook request body; the embedded document is a
/// `KycDocument` oneOf, so it is checked against its concrete schema.
#[track_caller]
fn check_payload(payload: &Value) {
    let spec = common::spec::rebilly();
    let mut rest = payload.clone();
    if let Some(document) = rest["_embedded"]
        .as_object_mut()
        .and_then(|e| e.remove("kycDocument"))
    {
        assert_eq!(document["documentType"], "identity-proof");
        spec.check("ProofOfIdentityKycDocument", &document);
        spec.check_request_body("KycDocumentWebhook", &rest);
    } else {
        spec.check_request_body("KycRequestWebhook", &rest);
    }
}

/// The next `n` deliveries (sent concurrently, so in any order), sorted by event type.
async fn next_events(receiver: &mut Receiver, n: usize) -> Vec<(String, Received)> {
    let mut got = Vec::with_capacity(n);
    for _ in 0..n {
        let received = receiver.next().await;
        let payload = json_body(&received);
        check_payload(&payload);
        got.push((payload["eventType"].as_str().unwrap().to_owned(), received));
    }
    got.sort_by(|a, b| a.0.cmp(&b.0));
    got
}

/// Deliveries the admin log shows for the sandbox (newest first) as `(event, url)`.
async fn logged(app: &TestApp) -> Vec<(String, String)> {
    let log = app.admin_get("/webhooks?provider=rebilly").await;
    log["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["provider"], "rebilly");
            (
                d["event"].as_str().unwrap().to_owned(),
                d["url"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_document_that_is_accepted_sends_created_modified_and_accepted() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let url = receiver.url("/rebilly-hooks");
    create_hook(&app, hook(&url)).await;
    let document = app
        .kyc_document("cus_1", "identity-proof", "passport.png")
        .await;
    let id = document["id"].as_str().unwrap();

    let first = next_events(&mut receiver, 2).await;
    let events: Vec<&str> = first.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(events, ["kyc-document-created", "kyc-document-modified"]);
    // Each payload shows the document as it was at its event.
    let created = json_body(&first[0].1);
    assert_eq!(created["_embedded"]["kycDocument"]["status"], "pending");
    assert_eq!(created["_embedded"]["kycDocument"]["revision"], 1);
    let modified = json_body(&first[1].1);
    assert_eq!(modified["_embedded"]["kycDocument"]["revision"], 2);
    assert_eq!(
        modified["_embedded"]["kycDocument"]["status"],
        "in-progress"
    );

    app.advance(10).await;
    let accepted = receiver.next().await;
    let payload = json_body(&accepted);
    check_payload(&payload);
    assert_eq!(payload["eventType"], "kyc-document-accepted");
    assert_eq!(payload["customerId"], "cus_1");
    assert_eq!(payload["kycDocumentId"], id);
    assert_eq!(payload["fileId"], document["fileIds"][0]);
    assert_eq!(payload["_embedded"]["customer"]["id"], "cus_1");
    assert_eq!(payload["_embedded"]["kycDocument"]["status"], "accepted");
    let rels: Vec<&str> = payload["_links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    assert_eq!(rels, ["customer", "file", "kycDocument"]);
    // Absolute, as Rebilly's webhook examples show, and every link resolves.
    assert_eq!(
        payload["_links"][2]["href"],
        app.url(&format!("/rebilly/organizations/org-1/kyc-documents/{id}"))
    );
    for link in payload["_links"].as_array().unwrap() {
        let href = link["href"].as_str().unwrap();
        let followed = app
            .send(
                app.client
                    .get(href)
                    .header("REB-APIKEY", common::rebilly::KEY),
            )
            .await;
        assert_eq!(followed.status, 200, "{href}: {}", followed.body);
    }
    let customer = app
        .send(
            app.client
                .get(payload["_links"][0]["href"].as_str().unwrap())
                .header("REB-APIKEY", common::rebilly::KEY),
        )
        .await;
    customer.rebilly(200, "Customer");

    assert_eq!(accepted.method, "POST");
    assert_eq!(accepted.target, "/rebilly-hooks");
    let basic = base64::engine::general_purpose::STANDARD.encode("rebilly:superman");
    assert_eq!(accepted.header("authorization"), format!("Basic {basic}"));
    assert_eq!(accepted.header("x-shop"), "demo");
    assert!(
        accepted.headers.iter().all(|(n, _)| n != "x-off"),
        "inactive headers are not sent: {:?}",
        accepted.headers
    );
    assert!(accepted
        .header("content-type")
        .starts_with("application/json"));
    assert!(receiver.try_next().is_none());
    assert_eq!(logged(&app).await.len(), 3);
}

#[tokio::test]
async fn events_filter_and_filter_choose_what_is_sent() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let accepted_only = receiver.url("/accepted");
    let cus_2_only = receiver.url("/cus-2");
    let mut body = hook(&accepted_only);
    body["eventsFilter"] = json!(["kyc-document-accepted"]);
    create_hook(&app, body).await;
    let mut body = hook(&cus_2_only);
    body["filter"] = json!("customerId:cus_2");
    create_hook(&app, body).await;
    let mut body = hook(&receiver.url("/inactive"));
    body["status"] = json!("inactive");
    assert_eq!(create_hook(&app, body).await["status"], "inactive");

    app.kyc_document("cus_1", "identity-proof", "passport.png")
        .await;
    app.advance(10).await;
    let got = receiver.next().await;
    assert_eq!(got.target, "/accepted");
    assert_eq!(json_body(&got)["eventType"], "kyc-document-accepted");
    assert_eq!(
        logged(&app).await,
        [("kyc-document-accepted".to_owned(), accepted_only.clone())],
        "nothing else was sent"
    );

    app.kyc_document("cus_2", "identity-proof", "manual-id.png")
        .await;
    let got = receiver.next().await;
    assert_eq!(got.target, "/cus-2");
    let payload = json_body(&got);
    check_payload(&payload);
    assert_eq!(payload["eventType"], "kyc-document-created");
    assert_eq!(payload["customerId"], "cus_2");
    assert_eq!(logged(&app).await.len(), 2);
}

#[tokio::test]
async fn a_fulfilled_request_sends_partially_fulfilled_then_fulfilled() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let mut body = hook(&receiver.url("/requests"));
    body["eventsFilter"] = json!(["kyc-request-partially-fulfilled", "kyc-request-fulfilled"]);
    create_hook(&app, body).await;
    let request = app
        .kyc_request(json!({
            "customerId": "cus_1",
            "documents": [{"type": "identity-proof"}, {"type": "address-proof"}],
        }))
        .await;
    app.kyc_document("cus_1", "identity-proof", "passport.png")
        .await;
    app.advance(10).await;
    let partial = json_body(&receiver.next().await);
    check_payload(&partial);
    assert_eq!(partial["eventType"], "kyc-request-partially-fulfilled");
    assert_eq!(partial["kycRequestId"], request["id"]);
    assert_eq!(partial["_embedded"]["kycRequest"]["status"], "partial");

    app.kyc_document("cus_1", "address-proof", "bill.png").await;
    app.advance(10).await;
    let fulfilled = json_body(&receiver.next().await);
    check_payload(&fulfilled);
    assert_eq!(fulfilled["eventType"], "kyc-request-fulfilled");
    assert_eq!(fulfilled["customerId"], "cus_1");
    assert_eq!(fulfilled["_embedded"]["customer"]["id"], "cus_1");
    assert_eq!(fulfilled["_embedded"]["kycRequest"]["status"], "fulfilled");
    let rels: Vec<&Value> = fulfilled["_links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["rel"])
        .collect();
    assert_eq!(rels, ["customer", "kycRequest"]);
    let events: Vec<String> = logged(&app).await.into_iter().map(|(e, _)| e).collect();
    assert_eq!(
        events,
        ["kyc-request-fulfilled", "kyc-request-partially-fulfilled"]
    );
}

#[tokio::test]
async fn a_body_template_and_a_custom_method_are_used() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let mut body = hook(&receiver.url("/template"));
    body["method"] = json!("PUT");
    body["eventsFilter"] = json!(["kyc-document-created"]);
    body["body"] =
        json!(r#"{"event": "{{eventType}}", "doc": "{{ kycDocumentId }}", "x": "{{nope}}"}"#);
    create_hook(&app, body).await;
    let document = app
        .kyc_document("cus_1", "funds-proof", "statement.png")
        .await;
    let got = receiver.next().await;
    assert_eq!(got.method, "PUT");
    assert_eq!(
        json_body(&got),
        json!({"event": "kyc-document-created", "doc": document["id"], "x": ""})
    );
}

#[tokio::test]
async fn the_global_webhook_url_receives_every_event_of_every_organization() {
    let mut receiver = Receiver::start().await;
    let url = receiver.url("/global");
    let global = url.clone();
    let app = spawn_with(move |c| c.rebilly_webhook_url = Some(global)).await;
    app.kyc_document("cus_1", "funds-proof", "statement.png")
        .await;
    let file = app
        .send(
            app.rebilly(Method::POST, "sk_other", "org-2", "/files")
                .json(&json!({"url": "https://x.example/a.png"})),
        )
        .await;
    file.rebilly(201, "File");
    let other = app
        .send(app.rebilly(Method::POST, "sk_other", "org-2", "/kyc-documents").json(&json!({
            "customerId": "cus_9", "documentType": "funds-proof", "fileIds": [file.body["id"]],
        })))
        .await;
    other.rebilly(201, "ProofOfFundsKycDocument");
    let mut customers = Vec::new();
    for _ in 0..2 {
        let got = receiver.next().await;
        assert_eq!(got.target, "/global");
        let payload = json_body(&got);
        assert_eq!(payload["eventType"], "kyc-document-created");
        customers.push(payload["customerId"].as_str().unwrap().to_owned());
    }
    customers.sort();
    assert_eq!(customers, ["cus_1", "cus_9"]);
    let log = logged(&app).await;
    assert!(log.iter().all(|(_, u)| *u == url), "{log:?}");
}

#[tokio::test]
async fn webhooks_are_created_listed_read_replaced_and_deleted() {
    let app = spawn_app().await;
    let reply = app
        .reb_json(Method::POST, "/webhooks", hook("http://127.0.0.1:9/a"))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let created = reply.body.clone();
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        reply.headers["location"],
        format!("/rebilly/organizations/org-1/webhooks/{id}")
    );
    assert_eq!(created["status"], "active");
    assert_eq!(created["method"], "POST");
    assert_eq!(created["credentialHash"], "cred_1");
    assert_eq!(
        created["authorization"],
        json!({"type": "basic", "username": "rebilly"})
    );
    assert_eq!(created["headers"][1]["status"], "inactive");
    assert_eq!(created["createdTime"], common::T0);

    app.reb_json(Method::POST, "/webhooks", hook("http://127.0.0.1:9/b"))
        .await;
    let listed = app.reb_get("/webhooks?limit=1").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.headers["pagination-total"], "2");
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let read = app.reb_get(&format!("/webhooks/{id}")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body, created);

    let mut replacement =
        json!({"url": "http://127.0.0.1:9/c", "method": "PATCH", "credentialHash": "cred_2"});
    replacement["eventsFilter"] = json!(["kyc-request-failed"]);
    let put = app
        .reb_json(Method::PUT, &format!("/webhooks/{id}"), replacement)
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    assert_eq!(put.body["url"], "http://127.0.0.1:9/c");
    assert_eq!(put.body["method"], "PATCH");
    assert_eq!(put.body["headers"], json!([]));
    assert_eq!(put.body["authorization"], json!({"type": "none"}));
    assert_eq!(app.reb_get(&format!("/webhooks/{id}")).await.body, put.body);

    let deleted = app
        .send(app.reb(Method::DELETE, &format!("/webhooks/{id}")))
        .await;
    assert_eq!(deleted.status, 204);
    app.reb_get(&format!("/webhooks/{id}"))
        .await
        .rebilly_problem(404, "NotFound");
    let put_gone = app
        .reb_json(
            Method::PUT,
            &format!("/webhooks/{id}"),
            hook("http://127.0.0.1:9/d"),
        )
        .await;
    put_gone.rebilly_problem(404, "NotFound");
    assert_eq!(
        app.reb_get("/webhooks").await.headers["pagination-total"],
        "1"
    );
}

#[tokio::test]
async fn bad_webhooks_are_refused() {
    let app = spawn_app().await;
    let empty = app.reb_json(Method::POST, "/webhooks", json!({})).await;
    assert_eq!(
        empty.rebilly_invalid_field_set(),
        ["credentialHash", "method", "url"]
    );
    let mut body = hook("ftp://example.com/x");
    body["method"] = json!("OPTIONS");
    body["eventsFilter"] = json!(["kyc-document-created", "customer-created"]);
    body["headers"] = json!([{"name": "X-A"}]);
    body["authorization"] = json!({"type": "digest"});
    let bad = app.reb_json(Method::POST, "/webhooks", body).await;
    assert_eq!(
        bad.rebilly_invalid_field_set(),
        [
            "authorization.type",
            "eventsFilter.1",
            "headers.0.value",
            "method",
            "url"
        ]
    );
    let basic = app
        .reb_json(Method::POST, "/webhooks", {
            let mut b = hook("http://127.0.0.1:9/x");
            b["authorization"] = json!({"type": "basic"});
            b
        })
        .await;
    assert_eq!(
        basic.rebilly_invalid_field_set(),
        ["authorization.password", "authorization.username"]
    );
    assert_eq!(
        app.reb_get("/webhooks").await.headers["pagination-total"],
        "0"
    );
}

/// Accepting a document archives the customer's unreviewed documents of the same type, each with
/// its `kyc-document-archived` (issue 14; Rebilly keeps one accepted document per type).
#[tokio::test]
async fn accepting_a_document_archives_the_unreviewed_ones_of_its_type() {
    let app = spawn_app().await;
    let older = app
        .kyc_document("cus_9", "identity-proof", "manual-old.png")
        .await;
    let other_type = app
        .kyc_document("cus_9", "address-proof", "manual-bill.png")
        .await;
    let newer = app
        .kyc_document("cus_9", "identity-proof", "manual-new.png")
        .await;
    let mut receiver = Receiver::start().await;
    create_hook(&app, json!({"url": receiver.url("/hooks"), "method": "POST", "credentialHash": "c", "eventsFilter": ["kyc-document-accepted", "kyc-document-archived"]})).await;
    let id = |d: &Value| d["id"].as_str().unwrap().to_owned();
    let accepted = app
        .send(app.rebilly(
            Method::POST,
            common::rebilly::KEY,
            common::rebilly::ORG,
            &format!("/kyc-documents/{}/acceptance", id(&newer)),
        ))
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    let events = next_events(&mut receiver, 2).await;
    let kinds: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(kinds, ["kyc-document-accepted", "kyc-document-archived"]);
    assert_eq!(json_body(&events[1].1)["kycDocumentId"], id(&older));
    let status = |doc: String| {
        let app = &app;
        async move {
            app.send(app.rebilly(
                Method::GET,
                common::rebilly::KEY,
                common::rebilly::ORG,
                &format!("/kyc-documents/{doc}"),
            ))
            .await
            .body["status"]
                .clone()
        }
    };
    assert_eq!(status(id(&older)).await, "archived");
    assert_eq!(
        status(id(&other_type)).await,
        "pending",
        "another type stays"
    );
}

/// The documents an acceptance supersedes are found through each customer's own list: one moved
/// to the customer by `PUT` or by merging its customer into it (`DELETE ?targetCustomerId=`) is
/// archived there, and so is one restored from a snapshot (the list is not saved, and is rebuilt
/// from the documents).
#[tokio::test]
async fn superseded_documents_are_found_after_a_move_and_after_a_restore() {
    let app = spawn_app().await;
    let id = |d: &Value| d["id"].as_str().unwrap().to_owned();
    let accept = |doc: String| {
        let app = &app;
        async move {
            let path = format!("/kyc-documents/{doc}/acceptance");
            let reply = app.send(app.reb(Method::POST, &path)).await;
            assert_eq!(reply.status, 201, "{}", reply.body);
        }
    };
    let status = |doc: String| {
        let app = &app;
        async move { app.reb_get(&format!("/kyc-documents/{doc}")).await.body["status"].clone() }
    };

    let moved = app
        .kyc_document("cus_from", "identity-proof", "manual-moved.png")
        .await;
    let put = app
        .reb_json(
            Method::PUT,
            &format!("/kyc-documents/{}", id(&moved)),
            json!({"customerId": "cus_to", "documentType": "identity-proof", "fileIds": moved["fileIds"]}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.body);
    let left_behind = app
        .kyc_document("cus_from", "identity-proof", "manual-stays.png")
        .await;
    let accepted = app
        .kyc_document("cus_to", "identity-proof", "manual-accepted.png")
        .await;
    accept(id(&accepted)).await;
    assert_eq!(status(id(&moved)).await, "archived", "moved to cus_to");
    assert_eq!(
        status(id(&left_behind)).await,
        "pending",
        "cus_from's stays"
    );

    let merged = app
        .kyc_document("cus_merged", "address-proof", "manual-merged.png")
        .await;
    let reply = app
        .send(app.reb(
            Method::DELETE,
            "/customers/cus_merged?targetCustomerId=cus_to",
        ))
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    let into = app
        .kyc_document("cus_to", "address-proof", "manual-into.png")
        .await;
    accept(id(&into)).await;
    assert_eq!(status(id(&merged)).await, "archived", "merged into cus_to");

    let restored = app
        .kyc_document("cus_restored", "address-proof", "manual-saved.png")
        .await;
    let snapshot = app.admin_get("/snapshot").await;
    let reply = app.admin_post("/snapshot/restore", snapshot).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let newer = app
        .kyc_document("cus_restored", "address-proof", "manual-new.png")
        .await;
    accept(id(&newer)).await;
    assert_eq!(status(id(&restored)).await, "archived", "after the restore");
}
