//! Sumvin: every built-in scenario, driven by the sandbox clock or by polling, never by sleeping.

use crate::common;

use common::{spawn_app, T0_MS};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn default_scenario_approves_after_thirty_seconds() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    app.advance(29).await;
    assert_eq!(app.status("pat-a").await["status"], "in_progress");
    let advanced = app.advance(1).await;
    assert_eq!(advanced["fired"], 1);
    let status = app.status("pat-a").await;
    assert_eq!(status["status"], "approved");
    assert_eq!(status["verified_at"], T0_MS + 30_000);
    assert_eq!(status["rejected_at"], Value::Null);
    assert_eq!(status["has_passport"], true);

    let details = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/details"))
        .await;
    let details = details.sumvin(200, "KYCDetailsResponse");
    assert_eq!(details["verification_passed"], true);
    assert_eq!(details["rejection"], Value::Null);
    assert!(details["documents"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["status"] == "approved"));
}

#[tokio::test]
async fn one_long_advance_applies_the_step_at_its_own_instant() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    app.advance(3600).await;
    assert_eq!(app.status("pat-a").await["verified_at"], T0_MS + 30_000);
}

#[tokio::test]
async fn reject_final_by_file_name() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "reject-passport.png", "GBR").await;
    app.advance(30).await;
    let status = app.status("pat-a").await;
    assert_eq!(status["status"], "rejected");
    assert_eq!(status["rejected_at"], T0_MS + 30_000);
    assert_eq!(status["verified_at"], Value::Null);
    assert_eq!(
        status["reject_reason"],
        "Document appears to be forged or tampered with."
    );
    let details = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/details"))
        .await;
    let details = details.sumvin(200, "KYCDetailsResponse");
    assert_eq!(
        details["rejection"],
        json!({"can_retry": false, "message": "Document appears to be forged or tampered with."})
    );
    assert_eq!(details["verification_passed"], false);
    let required = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents/required"))
        .await;
    let steps = &required.sumvin(200, "KYCRequiredDocsResponse")["steps"];
    assert_eq!(steps[0]["review_answer"], "RED");
    assert_eq!(
        steps[1]["review_answer"], "GREEN",
        "only the identity step was faulted"
    );
}

#[tokio::test]
async fn sanctioned_country_is_rejected() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "passport.png", "PRK").await;
    app.advance(30).await;
    let status = app.status("pat-a").await;
    assert_eq!(status["status"], "rejected");
    assert_eq!(
        status["reject_reason"],
        "Applicant is from a restricted jurisdiction."
    );
}

#[tokio::test]
async fn retry_then_approve_after_a_new_upload() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "retry-passport.png", "GBR").await;
    app.advance(30).await;
    let status = app.status("pat-a").await;
    assert_eq!(status["status"], "retry");
    assert_eq!(status["rejected_at"], Value::Null);
    let details = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/details"))
        .await;
    let rejection = &details.sumvin(200, "KYCDetailsResponse")["rejection"];
    assert_eq!(rejection["can_retry"], true);

    let listed = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/details"))
        .await;
    let statuses: Vec<&str> = listed.body["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, vec!["rejected", "approved"]);

    // Same magic file name again: the scenario only applies to the first attempt.
    app.upload("pat-a", "PASSPORT", "GBR", "retry-passport.png")
        .await
        .sumvin(201, "KYCDocumentUploadResponse");
    let status = app.status("pat-a").await;
    assert_eq!(status["status"], "in_progress");
    assert_eq!(status["reject_reason"], Value::Null);
    app.advance(30).await;
    let status = app.status("pat-a").await;
    assert_eq!(status["status"], "approved");
    assert_eq!(status["verified_at"], T0_MS + 60_000);
}

#[tokio::test]
async fn stuck_in_review_until_an_admin_decides() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "stuck.png", "GBR").await;
    app.advance(86_400).await;
    let status = app.status("pat-a").await;
    assert_eq!(status["status"], "in_progress");
    let applicant_id = status["applicant_id"].as_str().unwrap().to_owned();

    let reply = app
        .admin_post(
            "/transitions",
            json!({"provider": "sumvin", "kind": "applicant", "id": applicant_id, "to": "rejected", "message": "Manual review: selfie does not match."}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["resource"]["status"], "rejected");
    let status = app.status("pat-a").await;
    assert_eq!(
        status["reject_reason"],
        "Manual review: selfie does not match."
    );
    assert_eq!(status["rejected_at"], T0_MS + 86_400_000);
}

#[tokio::test]
async fn approve_on_the_third_poll() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "poll-passport.png", "GBR").await;
    assert_eq!(app.status("pat-a").await["status"], "in_progress");
    assert_eq!(app.status("pat-a").await["status"], "in_progress");
    assert_eq!(
        app.status("pat-a").await["status"],
        "approved",
        "the third read sees the decision"
    );
}

#[tokio::test]
async fn the_scenario_header_forces_a_scenario() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    app.upload("pat-a", "PASSPORT", "GBR", "passport.png").await;
    let form = reqwest::multipart::Form::new()
        .text("document_type", "SELFIE")
        .text("country", "GBR")
        .part(
            "file",
            reqwest::multipart::Part::bytes(common::tiny_png()).file_name("selfie.png"),
        );
    let unknown = app
        .send(
            app.sumvin(Method::POST, "pat-a", "/v0/kyc/documents")
                .header("X-Sandbox-Scenario", "no-such-scenario")
                .multipart(form),
        )
        .await;
    unknown.sumvin_problem(400, "KYC-400-005");
    assert_eq!(
        app.status("pat-a").await["status"],
        "pending",
        "the refused upload wrote nothing"
    );
    let required = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents/required"))
        .await;
    assert_eq!(required.body["all_uploaded"], false);

    let form = reqwest::multipart::Form::new()
        .text("document_type", "SELFIE")
        .text("country", "GBR")
        .part(
            "file",
            reqwest::multipart::Part::bytes(common::tiny_png()).file_name("selfie.png"),
        );
    app.send(
        app.sumvin(Method::POST, "pat-a", "/v0/kyc/documents")
            .header("X-Sandbox-Scenario", "sumvin-reject-final")
            .multipart(form),
    )
    .await
    .sumvin(201, "KYCDocumentUploadResponse");
    app.advance(30).await;
    assert_eq!(app.status("pat-a").await["status"], "rejected");
}

#[tokio::test]
async fn many_applicants_each_follow_their_own_timeline() {
    let app = spawn_app().await;
    for i in 0..40 {
        let name = if i % 2 == 0 {
            "passport.png"
        } else {
            "reject.png"
        };
        app.submit_kyc(&format!("pat-{i}"), name, "GBR").await;
        app.advance(10).await;
    }
    app.advance(30).await;
    for i in 0..40 {
        let status = app.status(&format!("pat-{i}")).await;
        let expected = if i % 2 == 0 { "approved" } else { "rejected" };
        assert_eq!(status["status"], expected, "applicant {i}");
        let decided = if i % 2 == 0 {
            &status["verified_at"]
        } else {
            &status["rejected_at"]
        };
        assert_eq!(
            decided,
            &json!(T0_MS + (i * 10 + 30) * 1000),
            "applicant {i} decided at its own instant"
        );
    }
}
