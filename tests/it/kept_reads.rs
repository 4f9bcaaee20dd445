//! Reads answered from what the sandbox kept of an earlier identical read (`core::read_cache`):
//! every change to the tenant shows at once, however it was made, and requests that differ in
//! anything a render may read (host, query, credential) are answered apart. Debug builds check
//! each kept answer against a fresh render, so these tests also fail on a stale one.

use crate::common;

use common::kycaid::{applicant_of, get, kyc, passport, person};
use common::spawn_app;
use reqwest::Method;
use serde_json::{json, Value};

fn front_side(applicant: &Value) -> String {
    applicant["documents"][0]["front_side"]
        .as_str()
        .expect("the passport's front side has a URL")
        .to_owned()
}

#[tokio::test]
async fn a_polled_kycaid_applicant_shows_every_change_however_it_was_made() {
    let app = spawn_app().await;
    let id = person(&app, json!({"email": "t+manual@example.com"})).await;
    let document_id = passport(&app, &id, "P1").await;
    let first = applicant_of(&app, &id).await;
    assert_eq!(applicant_of(&app, &id).await, first);
    assert_eq!(first["documents"][0]["status"], "new");

    // An admin transition changes the tenant outside the provider's handlers.
    let reply = app
        .admin_post(
            "/transitions",
            json!({"provider": "kycaid", "kind": "document", "id": document_id, "to": "invalid",
                   "decline_reasons": ["BAD_QUALITY"]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let declined = applicant_of(&app, &id).await;
    assert_eq!(declined["documents"][0]["status"], "invalid");

    // So does a write through the API.
    let reply = app
        .send(
            kyc(&app, Method::PATCH, &format!("/applicants/{id}"))
                .json(&json!({"first_name": "Janet"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(applicant_of(&app, &id).await["first_name"], "Janet");
}

#[tokio::test]
async fn a_kycaid_read_from_another_host_links_to_that_host() {
    let app = spawn_app().await;
    let id = person(&app, json!({})).await;
    passport(&app, &id, "P2").await;
    let here = front_side(&applicant_of(&app, &id).await);
    assert!(here.starts_with(&app.base), "{here}");
    let proxied = app
        .send(
            kyc(&app, Method::GET, &format!("/applicants/{id}"))
                .header("X-Forwarded-Host", "kyc.example.test")
                .header("X-Forwarded-Proto", "https"),
        )
        .await;
    assert_eq!(proxied.status, 200, "{}", proxied.body);
    assert!(
        front_side(&proxied.body).starts_with("https://kyc.example.test/"),
        "{}",
        proxied.body
    );
    assert_eq!(front_side(&applicant_of(&app, &id).await), here);
}

#[tokio::test]
async fn a_kycaid_read_of_another_token_or_a_missing_id_is_its_own() {
    let app = spawn_app().await;
    let id = person(&app, json!({})).await;
    assert_eq!(applicant_of(&app, &id).await["applicant_id"], id);
    let other = app
        .send(common::kycaid::kyc_as(
            &app,
            common::kycaid::OTHER_TOKEN,
            Method::GET,
            &format!("/applicants/{id}"),
        ))
        .await;
    assert_eq!(other.status, 404, "{}", other.body);
    let missing = get(&app, &format!("/applicants/{}", "0".repeat(36))).await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_eq!(applicant_of(&app, &id).await["applicant_id"], id);
}

#[tokio::test]
async fn a_polled_rebilly_file_follows_its_changes() {
    let app = spawn_app().await;
    let file = app.upload_named("passport.png").await;
    let path = format!("/files/{}", file["id"].as_str().expect("a file id"));
    let first = app.reb_get(&path).await;
    assert_eq!(app.reb_get(&path).await.body, first.body);
    let renamed = app
        .reb_json(
            Method::PUT,
            &path,
            json!({"name": "renamed", "extension": "png"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    assert_eq!(app.reb_get(&path).await.body["name"], "renamed");
}

/// Built-in `rebilly-auto-accept`: in progress at once, accepted 5 s later. While it waits for
/// the clock, each read is answered from the kept body and still counted in the review's run.
#[tokio::test]
async fn kept_rebilly_document_reads_still_count_and_its_review_still_lands() {
    let app = spawn_app().await;
    let document = app
        .kyc_document("cus_kept", "identity-proof", "passport.png")
        .await;
    let id = document["id"].as_str().expect("a document id").to_owned();
    let path = format!("/kyc-documents/{id}");
    let first = app.reb_get(&path).await;
    assert_eq!(first.body["status"], "in-progress", "{}", first.body);
    for _ in 0..2 {
        assert_eq!(app.reb_get(&path).await.body, first.body);
    }
    // The count is kept with the review, which only a snapshot shows.
    let snapshot = app
        .send(app.request(Method::GET, "/__admin/snapshot"))
        .await
        .body;
    let tenants = snapshot["providers"]["rebilly"]["tenants"]
        .as_array()
        .expect("Rebilly's tenants");
    let saved = tenants
        .iter()
        .find_map(|t| t["state"]["documents"].get(&id))
        .expect("the document is in the snapshot");
    assert_eq!(saved["run"]["reads"], 3, "{saved}");

    app.advance(5).await;
    assert_eq!(app.reb_get(&path).await.body["status"], "accepted");
}

/// Built-in `sumvin-approve`: approved 30 s after submission. Polled meanwhile, the status is
/// answered from the kept body; each poll still counts in the review's progress, and
/// timestamps asked for in another format are another answer.
#[tokio::test]
async fn a_polled_sumvin_status_counts_its_reads_and_shows_the_approval() {
    let app = spawn_app().await;
    app.submit_kyc("pat-kept", "passport.png", "GBR").await;
    let first = app.status("pat-kept").await;
    assert_eq!(first["status"], "in_progress");
    for _ in 0..2 {
        assert_eq!(app.status("pat-kept").await, first);
    }
    let iso = app
        .send(
            app.sumvin(Method::GET, "pat-kept", "/v0/kyc/status")
                .header("X-Timestamp-Format", "iso8601"),
        )
        .await;
    assert_eq!(iso.status, 200, "{}", iso.body);

    let journal = app
        .admin_get("/requests?method=GET&path=kyc/status&limit=1")
        .await;
    let tenant = journal["requests"][0]["tenant"]
        .as_str()
        .expect("the read names its tenant")
        .to_owned();
    let state = app.admin_get(&format!("/tenants/{tenant}/state")).await;
    let timeline = &state["state"]["kyc"]["timeline"];
    assert_eq!(timeline["scenario"], "sumvin-approve", "{timeline}");
    assert_eq!(timeline["reads_since_last_step"], 4, "{timeline}");

    app.advance(30).await;
    let approved = app.status("pat-kept").await;
    assert_eq!(approved["status"], "approved");
    assert!(approved["verified_at"].is_number(), "{approved}");
}

/// The journal holds a kept read's answer rather than copying it (`core::journal`'s
/// `CapturedBody`): every entry still shows what its client got, the earlier ones included
/// after a change replaced the kept answer.
#[tokio::test]
async fn the_journal_shows_each_kept_read_as_answered_then_and_after_a_change() {
    let app = spawn_app().await;
    let id = person(&app, json!({"first_name": "Ann"})).await;
    let before = applicant_of(&app, &id).await;
    assert_eq!(
        applicant_of(&app, &id).await,
        before,
        "the second read is kept"
    );
    let reply = app
        .send(
            kyc(&app, Method::PATCH, &format!("/applicants/{id}"))
                .json(&json!({"first_name": "Beth"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let after = applicant_of(&app, &id).await;
    assert_eq!(after["first_name"], "Beth");

    let journal = app
        .admin_get(&format!("/requests?method=GET&path={id}&limit=10"))
        .await;
    let answers: Vec<&Value> = journal["requests"]
        .as_array()
        .expect("the journal's entries")
        .iter()
        .map(|entry| &entry["response"]["content"])
        .collect();
    assert_eq!(answers, [&after, &before, &before], "newest first");
}
