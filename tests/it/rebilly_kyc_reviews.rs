//! Rebilly KYC document reviews: the review calls and their status machine, the automated review
//! scenarios, and what a decision fills in (matches, reviewer), checked against Rebilly's OpenAPI.

use crate::common;

use common::rebilly::{KEY, ORG};
use common::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Review calls a document's state does not allow answer `422` (the spec's `ValidationError`
/// for PostKycDocumentStartReview, PostKycDocumentRejection and the like; none lists `409`, and the
/// SDK maps the two to different error classes).
#[tokio::test]
async fn review_calls_follow_the_status_machine() {
    let app = spawn_app().await;
    let id = document_for(&app, "manual-id-front.png", "identity-proof").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = |action: &str| {
        app.rebilly(
            Method::POST,
            KEY,
            ORG,
            &format!("/kyc-documents/{id}/{action}"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
    };

    let started = app.send(post("start-review")).await;
    let started = started.rebilly(201, "ProofOfIdentityKycDocument");
    assert_eq!(started["reviewerName"], "Sandbox Reviewer");
    assert_eq!(started["reviewStartTime"], common::T0);
    let again = app.send(post("start-review")).await;
    assert_eq!(
        again.rebilly_problem(422, "ValidationError")["invalidFields"][0]["field"],
        "reviewerId"
    );
    let stopped = app.send(post("stop-review")).await;
    assert_eq!(
        stopped.rebilly(201, "ProofOfIdentityKycDocument")["reviewerId"],
        Value::Null
    );

    let rejected = app
        .send(
            app.rebilly(
                Method::POST,
                KEY,
                ORG,
                &format!("/kyc-documents/{id}/rejection"),
            )
            .json(&json!({
                "rejectionReason": {"type": "document-expired", "message": "Expired in 2020"}
            })),
        )
        .await;
    let rejected = rejected.rebilly(201, "ProofOfIdentityKycDocument");
    assert_eq!(rejected["status"], "rejected");
    // A manual decision names its reviewer and time (reviewerId, reviewerName, reviewTime).
    assert_eq!(rejected["reviewerName"], "Sandbox Reviewer");
    assert!(rejected["reviewerId"].is_string() && rejected["reviewTime"].is_string());
    assert_eq!(
        rejected["rejectionReason"],
        json!({"type": "document-expired", "message": "Expired in 2020"})
    );
    assert_eq!(
        rejected["documentMatches"]["data"]["isIdentityDocument"],
        true
    );

    let bad = app
        .send(
            app.rebilly(
                Method::POST,
                KEY,
                ORG,
                &format!("/kyc-documents/{id}/rejection"),
            )
            .json(&json!({"type": "bad-hair-day"})),
        )
        .await;
    assert_eq!(
        bad.rebilly_problem(422, "ValidationError")["invalidFields"][0]["field"],
        "type"
    );

    let accepted = app.send(post("acceptance")).await;
    let accepted = accepted.rebilly(201, "ProofOfIdentityKycDocument");
    assert_eq!(
        (
            accepted["status"].clone(),
            accepted["rejectionReason"].clone()
        ),
        (json!("accepted"), Value::Null)
    );
    assert!(accepted["revision"].as_u64().unwrap() >= 5);
    let twice = app.send(post("acceptance")).await;
    assert_eq!(
        twice.rebilly_problem(422, "ValidationError")["invalidFields"][0]["field"],
        "status"
    );
    let reviewed = app.send(post("review")).await;
    assert_eq!(
        reviewed.rebilly(201, "ProofOfIdentityKycDocument")["reviewTime"],
        common::T0
    );
    app.send(app.rebilly(
        Method::POST,
        KEY,
        ORG,
        "/kyc-documents/kyc_doc_nope/acceptance",
    ))
    .await
    .rebilly_problem(404, "NotFound");
}

async fn document_for(app: &TestApp, file_name: &str, document_type: &str) -> Value {
    let file = app.upload_named(file_name).await;
    let body =
        json!({"customerId": "cus_9", "documentType": document_type, "fileIds": [file["id"]]});
    let reply = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/kyc-documents")
                .json(&body),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body.clone()
}

async fn read_document(app: &TestApp, id: &Value) -> Value {
    let reply = app
        .send(app.rebilly(
            Method::GET,
            KEY,
            ORG,
            &format!("/kyc-documents/{}", id.as_str().unwrap()),
        ))
        .await;
    reply.rebilly(200, "ProofOfIdentityKycDocument").clone()
}

#[tokio::test]
async fn identity_and_address_proofs_are_accepted_after_a_short_review() {
    let app = spawn_app().await;
    let identity = document_for(&app, "passport.png", "identity-proof").await;
    assert_eq!(identity["status"], "in-progress", "analysis starts at once");
    let address = document_for(&app, "bill.png", "address-proof").await;
    let funds = document_for(&app, "statement.png", "funds-proof").await;
    assert_eq!(
        funds["status"], "pending",
        "only identity and address proofs are analyzed automatically"
    );
    app.advance(4).await;
    assert_eq!(
        read_document(&app, &identity["id"]).await["status"],
        "in-progress"
    );
    app.advance(1).await;
    let accepted = read_document(&app, &identity["id"]).await;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["processedTime"], "2026-01-01T00:00:05Z");
    assert_eq!(accepted["documentMatches"]["score"], 92);
    assert_eq!(
        read_document(&app, &address["id"]).await["status"],
        "accepted"
    );
    assert_eq!(read_document(&app, &funds["id"]).await["status"], "pending");
}

#[tokio::test]
async fn every_rejection_type_has_a_magic_file_name() {
    let app = spawn_app().await;
    let types = [
        "document-unreadable",
        "document-expired",
        "document-was-valid-but-expired",
        "document-not-matching",
        "document-duplicate",
        "document-invalid",
        "document-not-open",
        "underage-person",
        "third-party-or-mismatch",
        "expiration-date-missing",
        "issue-date-missing",
        "subtype-missing",
        "dob-mismatch",
        "name-mismatch",
        "name-and-dob-mismatch",
        "critical-info-missing",
        "old-address-on-id",
        "tampered-document",
        "other",
    ];
    let mut ids = Vec::new();
    for kind in types {
        ids.push((
            kind,
            document_for(&app, &format!("reject-{kind}.png"), "identity-proof").await["id"].clone(),
        ));
    }
    app.advance(5).await;
    for (kind, id) in ids {
        let document = read_document(&app, &id).await;
        assert_eq!(document["status"], "rejected", "{kind}");
        assert_eq!(document["rejectionReason"]["type"], kind);
    }
}

#[tokio::test]
async fn a_human_decision_cancels_the_automated_review() {
    let app = spawn_app().await;
    let document = document_for(&app, "passport.png", "identity-proof").await;
    let id = document["id"].as_str().unwrap();
    let reply = app
        .send(
            app.rebilly(
                Method::POST,
                KEY,
                ORG,
                &format!("/kyc-documents/{id}/rejection"),
            )
            .json(&json!({"type": "name-mismatch"})),
        )
        .await;
    assert_eq!(reply.status, 201);
    app.advance(60).await;
    assert_eq!(
        read_document(&app, &document["id"]).await["status"],
        "rejected",
        "the scheduled acceptance no longer applies"
    );
}

#[tokio::test]
async fn the_scenario_header_forces_a_review() {
    let app = spawn_app().await;
    let file = app.upload_named("passport.png").await;
    let body =
        json!({"customerId": "cus_1", "documentType": "identity-proof", "fileIds": [file["id"]]});
    let unknown = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/kyc-documents")
                .header("X-Sandbox-Scenario", "nope")
                .json(&body),
        )
        .await;
    unknown.rebilly_problem(400, "BadRequest");
    let listed = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/kyc-documents"))
        .await;
    assert_eq!(listed.headers["pagination-total"], "0", "nothing written");
    let forced = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/kyc-documents")
                .header("X-Sandbox-Scenario", "rebilly-reject-underage-person")
                .json(&body),
        )
        .await;
    app.advance(5).await;
    let document = read_document(&app, &forced.body["id"]).await;
    assert_eq!(document["rejectionReason"]["type"], "underage-person");
}

/// `documentMatches` / `parsedData` take the shape of the document's type (the spec's
/// KycAddressMatches for an address proof: address fields, word counts, `isTampered`; no identity
/// fields), with `version`, an integer `score` and a `checkList`.
#[tokio::test]
async fn an_address_proof_carries_address_matches() {
    let app = spawn_app().await;
    let document = app
        .kyc_document("cus_addr", "address-proof", "bill.png")
        .await;
    let id = document["id"].as_str().unwrap().to_owned();
    app.advance(10).await;
    let read = app
        .send(app.rebilly(Method::GET, KEY, ORG, &format!("/kyc-documents/{id}")))
        .await;
    let read = read.rebilly(200, "ProofOfAddressKycDocument");
    let matches = &read["documentMatches"];
    assert_eq!(
        (&matches["version"], matches["score"].is_u64()),
        (&json!("2.0"), true)
    );
    let data = &matches["data"];
    for field in [
        "line1",
        "city",
        "postalCode",
        "wordCount",
        "uniqueWords",
        "isTampered",
    ] {
        assert!(data.get(field).is_some(), "{field}: {data}");
    }
    assert!(
        data.get("isIdentityDocument").is_none() && data.get("dateOfBirth").is_none(),
        "{data}"
    );
    assert_eq!(read["parsedData"], read["documentMatches"]);
}

/// A review in progress is its start time, not its reviewer: a document a reviewer decided can
/// be taken into review again.
#[tokio::test]
async fn a_decided_document_can_be_reviewed_again() {
    let app = spawn_app().await;
    let document = app
        .kyc_document("cus_again", "funds-proof", "manual-statement.png")
        .await;
    let id = document["id"].as_str().unwrap().to_owned();
    let post = |action: &str| {
        app.send(
            app.rebilly(
                Method::POST,
                KEY,
                ORG,
                &format!("/kyc-documents/{id}/{action}"),
            )
            .json(&json!({"type": "document-expired"})),
        )
    };
    assert_eq!(post("rejection").await.status, 201);
    let again = post("start-review").await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert!(again.body["reviewStartTime"].is_string());
}
