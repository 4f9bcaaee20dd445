//! Rebilly KYC requests: create with a gatherer link, status recomputed from documents, attempts,
//! credit files, expiry on the sandbox clock, PATCH, DELETE, lists, admin transitions.

use crate::common;

use common::spawn_app;
use reqwest::Method;
use serde_json::{json, Value};

fn identity_and_address(customer: &str) -> Value {
    json!({
        "customerId": customer,
        "redirectUrl": "https://shop.example/return",
        "documents": [{"type": "identity-proof"}, {"type": "address-proof"}],
        "reason": "registration",
    })
}

fn link<'a>(resource: &'a Value, rel: &str) -> &'a str {
    resource["_links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == rel)
        .unwrap_or_else(|| panic!("no {rel} link in {resource}"))["href"]
        .as_str()
        .unwrap()
}

#[tokio::test]
async fn a_new_request_is_gathering_with_defaults_and_a_gatherer_link() {
    let app = spawn_app().await;
    let reply = app
        .reb_json(Method::POST, "/kyc-requests", identity_and_address("cus_1"))
        .await;
    let request = reply.rebilly(201, "KycRequest").clone();
    let id = request["id"].as_str().unwrap();
    assert!(id.starts_with("kyc_req_") && id.len() == 34, "{id}");
    assert_eq!(
        reply.headers["location"],
        format!("/rebilly/organizations/org-1/kyc-requests/{id}")
    );
    assert_eq!(request["status"], "gathering");
    assert_eq!(request["revision"], 1);
    assert_eq!(request["matchLevel"], 2);
    assert_eq!(request["createdTime"], common::T0);
    assert_eq!(request["expirationTime"], "2026-01-01T01:00:00Z");
    assert_eq!(request["documents"][0]["maxAttempts"], 3);
    assert_eq!(request["documents"][1]["type"], "address-proof");
    let gatherer = link(&request, "kycGatherer");
    assert!(
        gatherer.starts_with(&format!("{}/rebilly/kyc-gatherer/?token=", app.url(""))),
        "{gatherer}"
    );
    assert_eq!(link(&request, "gatherer"), gatherer);
    assert_eq!(
        link(&request, "documents"),
        format!("/rebilly/organizations/org-1/kyc-documents?filter=requestId:{id}")
    );
    assert_eq!(
        link(&request, "self"),
        format!("/rebilly/organizations/org-1/kyc-requests/{id}")
    );
    let read = app.reb_get(&format!("/kyc-requests/{id}")).await;
    assert_eq!(read.rebilly(200, "KycRequest"), &request);
}

#[tokio::test]
async fn bad_requests_name_every_bad_field() {
    let app = spawn_app().await;
    let reply = app
        .reb_json(
            Method::POST,
            "/kyc-requests",
            json!({
                "documents": [
                    {"type": "selfie-proof"},
                    {"type": "address-proof", "maxAttempts": 101, "subtypes": ["passport", "hologram"]},
                    {"type": "address-proof", "faceProofRequired": "yes"},
                ],
                "matchLevel": 7,
                "expirationTime": "2025-01-01T00:00:00Z",
                "redirectUrl": "not a url",
            }),
        )
        .await;
    let fields = reply.rebilly_invalid_fields();
    for expected in [
        "customerId",
        "documents.0.type",
        "documents.1.maxAttempts",
        "documents.1.subtypes.1",
        "documents.2.faceProofRequired",
        "documents.2.type",
        "matchLevel",
        "expirationTime",
        "redirectUrl",
    ] {
        assert!(
            fields.iter().any(|f| f == expected),
            "{expected} not in {fields:?}"
        );
    }
    let empty = app
        .reb_json(
            Method::POST,
            "/kyc-requests",
            json!({"customerId": "cus_1", "documents": []}),
        )
        .await;
    empty.rebilly_problem(422, "ValidationError");
    let listed = app.reb_get("/kyc-requests").await;
    assert_eq!(listed.headers["pagination-total"], "0", "nothing written");
}

#[tokio::test]
async fn documents_move_the_request_to_partial_then_fulfilled() {
    let app = spawn_app().await;
    let request = app.kyc_request(identity_and_address("cus_1")).await;
    let id = request["id"].as_str().unwrap();
    let identity = app
        .kyc_document("cus_1", "identity-proof", "passport.png")
        .await;
    assert_eq!(identity["requestId"], id, "linked to the open request");
    assert_eq!(app.request_status(id).await, "pending-review");
    app.advance(5).await;
    assert_eq!(app.request_status(id).await, "partial");
    app.kyc_document("cus_1", "address-proof", "bill.png").await;
    assert_eq!(app.request_status(id).await, "partial");
    app.advance(5).await;
    let done = app
        .reb_get(&format!("/kyc-requests/{id}?expand=documents"))
        .await;
    let done = done.rebilly(200, "KycRequest");
    assert_eq!(done["status"], "fulfilled");
    assert_eq!(done["updatedTime"], "2026-01-01T00:00:10Z");
    let embedded = done["_embedded"]["documents"].as_array().unwrap();
    assert_eq!(embedded.len(), 2);
    assert!(embedded.iter().all(|d| d["status"] == "accepted"));

    let other = app
        .kyc_document("cus_2", "identity-proof", "passport.png")
        .await;
    assert_eq!(
        other["requestId"],
        Value::Null,
        "another customer's request"
    );
    let filtered = app
        .reb_get(&format!("/kyc-documents?filter=requestId:{id}"))
        .await;
    assert_eq!(filtered.headers["pagination-total"], "2");
}

#[tokio::test]
async fn rejections_make_it_attempted_and_used_up_attempts_fail_it() {
    let app = spawn_app().await;
    let request = app
        .kyc_request(json!({"customerId": "cus_1", "documents": [{"type": "identity-proof", "maxAttempts": 2}]}))
        .await;
    let id = request["id"].as_str().unwrap();
    app.kyc_document("cus_1", "identity-proof", "reject-document-expired.png")
        .await;
    app.advance(5).await;
    assert_eq!(app.request_status(id).await, "attempted");
    app.kyc_document("cus_1", "identity-proof", "reject-tampered-document.png")
        .await;
    assert_eq!(app.request_status(id).await, "pending-review");
    app.advance(5).await;
    assert_eq!(app.request_status(id).await, "failed");
    let late = app
        .kyc_document("cus_1", "identity-proof", "passport.png")
        .await;
    assert_eq!(
        late["requestId"],
        Value::Null,
        "a failed request takes no more"
    );
    app.advance(3600).await;
    assert_eq!(app.request_status(id).await, "failed", "permanent");
}

#[tokio::test]
async fn an_explicit_request_id_is_checked_against_type_and_attempts() {
    let app = spawn_app().await;
    let request = app
        .kyc_request(json!({"customerId": "cus_1", "documents": [{"type": "identity-proof", "maxAttempts": 1}]}))
        .await;
    let id = request["id"].as_str().unwrap();
    let file = app.upload_named("manual.png").await;
    let body = |kind: &str, customer: &str| json!({"customerId": customer, "documentType": kind, "fileIds": [file["id"]], "requestId": id});
    for (doc, message) in [
        (
            body("address-proof", "cus_1"),
            "does not ask for address-proof",
        ),
        (
            body("identity-proof", "cus_2"),
            "belongs to another customer",
        ),
    ] {
        let reply = app.reb_json(Method::POST, "/kyc-documents", doc).await;
        let problem = reply.rebilly_problem(422, "ValidationError");
        assert_eq!(problem["invalidFields"][0]["field"], "requestId");
        let text = problem["invalidFields"][0]["message"].as_str().unwrap();
        assert!(text.contains(message), "{text}");
    }
    let first = app
        .reb_json(
            Method::POST,
            "/kyc-documents",
            body("identity-proof", "cus_1"),
        )
        .await;
    assert_eq!(first.status, 201);
    let second = app
        .reb_json(
            Method::POST,
            "/kyc-documents",
            body("identity-proof", "cus_1"),
        )
        .await;
    let problem = second.rebilly_problem(422, "ValidationError");
    assert!(problem["invalidFields"][0]["message"]
        .as_str()
        .unwrap()
        .contains("all 1 attempts"));
}

#[tokio::test]
async fn an_accepted_credit_file_fulfils_at_once_and_a_rejected_one_falls_back() {
    let app = spawn_app().await;
    let documents = json!([{"type": "credit-file-proof", "maxAttempts": 1}, {"type": "identity-proof"}, {"type": "address-proof"}]);
    let instant = app
        .kyc_request(json!({"customerId": "cus_1", "documents": documents}))
        .await;
    let doc = app
        .kyc_document("cus_1", "credit-file-proof", "bureau.pdf.png")
        .await;
    assert_eq!(doc["status"], "accepted");
    assert_eq!(
        app.request_status(instant["id"].as_str().unwrap()).await,
        "fulfilled"
    );

    let fallback = app
        .kyc_request(json!({"customerId": "cus_2", "documents": documents}))
        .await;
    let id = fallback["id"].as_str().unwrap();
    app.kyc_document("cus_2", "credit-file-proof", "reject-other.png")
        .await;
    app.advance(5).await;
    assert_eq!(
        app.request_status(id).await,
        "attempted",
        "not failed: identity and address are still wanted"
    );
    app.kyc_document("cus_2", "identity-proof", "id.png").await;
    app.kyc_document("cus_2", "address-proof", "bill.png").await;
    app.advance(5).await;
    assert_eq!(app.request_status(id).await, "fulfilled");
}

#[tokio::test]
async fn requests_expire_on_the_sandbox_clock_unless_extended() {
    let app = spawn_app().await;
    let untouched = app.kyc_request(identity_and_address("cus_1")).await;
    let started = app.kyc_request(identity_and_address("cus_2")).await;
    let extended = app.kyc_request(identity_and_address("cus_3")).await;
    app.kyc_document("cus_2", "identity-proof", "manual.png")
        .await;
    let patched = app
        .reb_json(
            Method::PATCH,
            &format!("/kyc-requests/{}", extended["id"].as_str().unwrap()),
            json!({"expirationTime": "2026-01-02T00:00:00Z", "reason": "extended"}),
        )
        .await;
    let patched = patched.rebilly(200, "KycRequest");
    assert_eq!(
        (patched["revision"].clone(), patched["reason"].clone()),
        (json!(2), json!("extended"))
    );
    app.advance(3599).await;
    assert_eq!(
        app.request_status(untouched["id"].as_str().unwrap()).await,
        "gathering"
    );
    app.advance(1).await;
    assert_eq!(
        app.request_status(untouched["id"].as_str().unwrap()).await,
        "expired"
    );
    assert_eq!(
        app.request_status(started["id"].as_str().unwrap()).await,
        "abandoned"
    );
    assert_eq!(
        app.request_status(extended["id"].as_str().unwrap()).await,
        "gathering"
    );
    let closed = app
        .reb_json(
            Method::PATCH,
            &format!("/kyc-requests/{}", untouched["id"].as_str().unwrap()),
            json!({"documents": [{"type": "identity-proof"}]}),
        )
        .await;
    closed.rebilly_problem(409, "Conflict");
}

#[tokio::test]
async fn list_filter_patch_and_delete() {
    let app = spawn_app().await;
    let first = app.kyc_request(identity_and_address("cus_1")).await;
    let second = app.kyc_request(identity_and_address("cus_2")).await;
    let listed = app.reb_get("/kyc-requests?limit=1").await;
    assert_eq!(listed.headers["pagination-total"], "2");
    assert_eq!(listed.body[0]["id"], second["id"], "newest first");
    let filtered = app
        .reb_get("/kyc-requests?filter=customerId:cus_1&sort=createdTime")
        .await;
    assert_eq!(filtered.headers["pagination-total"], "1");
    assert_eq!(filtered.body[0]["id"], first["id"]);
    for item in filtered.body.as_array().unwrap() {
        common::spec::rebilly().check("KycRequest", item);
    }
    let bad_filter = app.reb_get("/kyc-requests?filter=colour:red").await;
    bad_filter.rebilly_problem(422, "ValidationError");

    let id = first["id"].as_str().unwrap();
    let readonly = app
        .reb_json(
            Method::PATCH,
            &format!("/kyc-requests/{id}"),
            json!({"customerId": "cus_9"}),
        )
        .await;
    readonly.rebilly_problem(422, "ValidationError");
    let doc = app
        .kyc_document("cus_1", "identity-proof", "manual.png")
        .await;
    assert_eq!(doc["requestId"], id);
    let deleted = app
        .send(app.reb(Method::DELETE, &format!("/kyc-requests/{id}")))
        .await;
    assert_eq!(deleted.status, 204);
    app.reb_get(&format!("/kyc-requests/{id}"))
        .await
        .rebilly_problem(404, "NotFound");
    let unlinked = app
        .reb_get(&format!("/kyc-documents/{}", doc["id"].as_str().unwrap()))
        .await;
    assert_eq!(unlinked.body["requestId"], Value::Null);
    app.send(app.reb(Method::DELETE, &format!("/kyc-requests/{id}")))
        .await
        .rebilly_problem(404, "NotFound");
}

#[tokio::test]
async fn admin_transitions_force_a_permanent_state_once() {
    let app = spawn_app().await;
    let request = app.kyc_request(identity_and_address("cus_1")).await;
    let id = request["id"].as_str().unwrap();
    let forced = app
        .admin_post(
            "/transitions",
            json!({"provider": "rebilly", "kind": "kyc-request", "id": id, "to": "expired"}),
        )
        .await;
    assert_eq!(forced.status, 200, "{}", forced.body);
    assert_eq!(forced.body["resource"]["status"], "expired");
    assert_eq!(app.request_status(id).await, "expired");
    let again = app
        .admin_post(
            "/transitions",
            json!({"provider": "rebilly", "kind": "kyc-request", "id": id, "to": "fulfilled"}),
        )
        .await;
    assert_eq!(again.status, 409);
    let temporary = app
        .admin_post(
            "/transitions",
            json!({"provider": "rebilly", "kind": "kyc-request", "id": id, "to": "partial"}),
        )
        .await;
    assert_eq!(temporary.status, 400);
}

#[tokio::test]
async fn the_gatherer_page_cannot_be_injected_through_the_redirect_url() {
    let app = spawn_app().await;
    let mut body = identity_and_address("cus_1");
    body["redirectUrl"] =
        json!("https://shop.example/?a={{config}}&b=\"></a></script><img src=x onerror=alert(1)>");
    let request = app.kyc_request(body).await;
    let page = reqwest::get(link(&request, "kycGatherer"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<img"), "injected markup: {page}");
    assert_eq!(
        page.matches("</script>").count(),
        page.matches("<script").count(),
        "every script element ends where it should"
    );
    assert!(
        page.contains("a={{config}}"),
        "a placeholder in data is shown as written"
    );
}
