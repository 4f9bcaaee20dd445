//! Perform KYC and Retrieve Person KYC as Qolo's seed documents them: out-of-wallet questions,
//! document verification, client override, program upgrade, and the built-in scenarios.

use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

use super::{call, create, details, field_errors, login, perform, CDD, OTHER_TOP, SDD};
use crate::common::{spawn_app, TestApp};

const PNG: &[u8] = include_bytes!("../../../fixtures/images/document.png");

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn document(file_type: &str, front: &[u8]) -> Value {
    json!({"document_type": "PASSPORT", "file_type": file_type, "issuing_country": "USA", "front": b64(front), "face_image": b64(PNG), "liveness_detected": true})
}

async fn kyc(app: &TestApp, token: &str, guid: &str) -> Value {
    let reply = call(
        app,
        Method::GET,
        token,
        &format!("/persons/{guid}/kyc"),
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// The newest entry of `verificationResults`.
fn last_result(kyc: &Value) -> Value {
    kyc["verificationResults"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

async fn created_guid(app: &TestApp, token: &str, program: &str, person: Value) -> String {
    create(app, token, program, person).await["person_guid"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The pending questions' keys with, for each, its first (the right) and last option.
fn questions(kyc: &Value) -> Vec<(String, String, String)> {
    let last = kyc["verificationResults"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    last["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let options = q["options"].as_array().unwrap();
            (
                q["key"].as_str().unwrap().into(),
                options[0].as_str().unwrap().into(),
                options.last().unwrap().as_str().unwrap().into(),
            )
        })
        .collect()
}

#[tokio::test]
async fn oow_questions_follow_and_the_first_options_clear_the_person() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let person = create(&app, &token, CDD, details("Rivera", "999000101")).await;
    let guid = person["person_guid"].as_str().unwrap();
    assert_eq!(person["person_status"], "UNVERIFIED");
    let details = kyc(&app, &token, guid).await;
    assert_eq!(details["person_guid"], guid);
    assert_eq!(
        (
            &details["verification_mode"],
            &details["verification_level"]
        ),
        (&json!("CDD"), &json!(null))
    );
    let result = &details["verificationResults"][0];
    for field in [
        "verification_method",
        "verification_date",
        "response_code",
        "verification_results",
        "reason_code",
        "provider_reference",
        "provider_name",
        "document_type",
        "document_path",
        "documents",
    ] {
        assert!(result.get(field).is_some(), "{field} in {result}");
    }
    assert_eq!(
        (
            &result["verification_method"],
            &result["response_code"],
            &result["provider_name"]
        ),
        (&json!("EID"), &json!("QUESTIONS"), &json!("IDology"))
    );
    let asked = questions(&details);
    assert_eq!(asked.len(), 3);
    assert!(
        result["questions"][0].get("answer").is_none(),
        "the right answer is never shown"
    );

    let unknown = perform(
        &app,
        &token,
        guid,
        json!({"answers": [{"key": "nope", "answer": "x"}]}),
    )
    .await;
    assert_eq!(field_errors(&unknown), ["answers", "answers[0].key"]);
    let right: Vec<Value> = asked
        .iter()
        .map(|(key, first, _)| json!({"key": key, "answer": first}))
        .collect();
    let answered = perform(
        &app,
        &token,
        guid,
        json!({"perform_kyc": true, "answers": right}),
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    assert_eq!(answered.body["verification_level"], "CDD");
    let last = last_result(&answered.body);
    assert_eq!(
        (
            &last["verification_method"],
            &last["response_code"],
            &last["verification_results"]
        ),
        (&json!("OOW"), &json!("PASS"), &json!("CLEARED"))
    );
    let again = perform(&app, &token, guid, json!({"perform_kyc": true})).await;
    assert_eq!(
        (again.status.as_u16(), &again.body["detail"]),
        (400, &json!("Person Already Verified"))
    );
}

#[tokio::test]
async fn failed_questions_leave_the_person_unverified_until_a_document_clears_them() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let guid = created_guid(&app, &token, CDD, details("Chen", "999-00-0102")).await;
    let right: Vec<Value> = questions(&kyc(&app, &token, &guid).await)
        .iter()
        .map(|(key, first, _)| json!({"key": key, "answer": first}))
        .collect();
    let failed = perform(&app, &token, &guid, json!({"answers": right})).await;
    assert_eq!(failed.status, 200);
    assert_eq!(last_result(&failed.body)["response_code"], "FAIL");
    let person = call(&app, Method::GET, &token, &format!("/persons/{guid}"), None).await;
    assert_eq!(person.body["person_status"], "UNVERIFIED");

    let verified = perform(
        &app,
        &token,
        &guid,
        json!({"document": document("PNG", PNG)}),
    )
    .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    let result = last_result(&verified.body);
    assert_eq!(
        (
            &result["verification_method"],
            &result["response_code"],
            &result["document_type"]
        ),
        (&json!("DOCUMENT"), &json!("PASS"), &json!("PASSPORT"))
    );
    let documents = &result["documents"];
    assert_eq!(documents["back_docpath"], json!(null));
    let front = documents["front_docpath"].as_str().unwrap();
    assert_eq!(result["document_path"], front);
    let image = app.send(app.client.get(front).bearer_auth(&token)).await;
    assert_eq!(
        (
            image.status.as_u16(),
            image.headers["content-type"].to_str().unwrap()
        ),
        (200, "image/png")
    );
    assert_eq!(&image.bytes[..], PNG);
    assert_eq!(app.send(app.client.get(front)).await.status, 401);
    let other = login(&app, "someone-else").await;
    assert_eq!(
        app.send(app.client.get(front).bearer_auth(&other))
            .await
            .status,
        404
    );
    let face = app
        .send(
            app.client
                .get(documents["face_image_docpath"].as_str().unwrap())
                .bearer_auth(&token),
        )
        .await;
    assert_eq!(face.status, 200);
    let person = call(&app, Method::GET, &token, &format!("/persons/{guid}"), None).await;
    assert_eq!(person.body["person_status"], "CLEARED");
}

#[tokio::test]
async fn documents_must_be_images_of_their_file_type() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let guid = created_guid(&app, &token, CDD, details("Okafor", "999000103")).await;
    let mut bad_base64 = document("PNG", PNG);
    bad_base64["front"] = json!("***");
    assert_eq!(
        field_errors(&perform(&app, &token, &guid, json!({"document": bad_base64})).await),
        ["document.front"]
    );
    assert_eq!(
        field_errors(
            &perform(
                &app,
                &token,
                &guid,
                json!({"document": document("PNG", b"just text")})
            )
            .await
        ),
        ["document.front"]
    );
    assert_eq!(
        field_errors(
            &perform(
                &app,
                &token,
                &guid,
                json!({"document": document("BMP", PNG)})
            )
            .await
        ),
        ["document.front"]
    );
    let mut no_front = document("PNG", PNG);
    no_front.as_object_mut().unwrap().remove("front");
    assert_eq!(
        field_errors(&perform(&app, &token, &guid, json!({"document": no_front})).await),
        ["document.front"]
    );
    let details = kyc(&app, &token, &guid).await;
    assert_eq!(
        details["verificationResults"].as_array().unwrap().len(),
        1,
        "refused documents leave no trace"
    );
    let ok = perform(
        &app,
        &token,
        &guid,
        json!({"document": document("PNG", PNG)}),
    )
    .await;
    assert_eq!(ok.body["verification_level"], "CDD");
}

#[tokio::test]
async fn a_rejected_document_keeps_the_person_unverified() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let guid = created_guid(&app, &token, CDD, details("Silva", "999000104")).await;
    let rejected = perform(
        &app,
        &token,
        &guid,
        json!({"document": document("PNG", PNG)}),
    )
    .await;
    assert_eq!(rejected.status, 200);
    assert!(rejected.body["additional_desc"]
        .as_str()
        .unwrap()
        .contains("Document rejected"));
    let last = last_result(&rejected.body);
    assert_eq!(
        (&last["response_code"], &last["verification_results"]),
        (&json!("FAIL"), &json!("UNVERIFIED"))
    );
}

#[tokio::test]
async fn screening_hits_by_last_name_and_the_client_override() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    for (name, status) in [
        ("Sanctioned", "SANCTIONED"),
        ("Pep", "PEP"),
        ("Neglist", "NEGLIST"),
    ] {
        let person = create(&app, &token, SDD, details(name, "123456789")).await;
        assert_eq!(person["person_status"], status, "{name}");
        assert!(person["additional_desc"].is_string());
    }
    let guid = created_guid(&app, &token, CDD, details("Sanctioned", "123456789")).await;
    let override_body = |check: bool| {
        json!({"client_verification": {
            "document_approved": true, "person_status_update": true, "override_sanction_check": check,
            "verification_datetime": "2025-12-01T10:00:00Z", "verification_provider": "Acme KYC",
            "verification_provider_refnumber": "ACME-42", "verification_level": "CDD_PLUS",
            "document": document("PNG", PNG),
        }})
    };
    let refused = perform(&app, &token, &guid, override_body(false)).await;
    assert_eq!(
        field_errors(&refused),
        ["client_verification.override_sanction_check"]
    );
    let untouched = kyc(&app, &token, &guid).await;
    assert_eq!(
        untouched["verificationResults"].as_array().unwrap().len(),
        1,
        "a refusal writes nothing"
    );
    let cleared = perform(&app, &token, &guid, override_body(true)).await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(cleared.body["verification_level"], "CDD_PLUS");
    let last = last_result(&cleared.body);
    assert_eq!(
        (
            &last["verification_method"],
            &last["provider_name"],
            &last["provider_reference"]
        ),
        (&json!("CLIENT"), &json!("Acme KYC"), &json!("ACME-42"))
    );
    assert_eq!(last["verification_date"], "2025-12-01T10:00:00Z");
    assert!(last["documents"]["front_docpath"].is_string());
}

#[tokio::test]
async fn a_program_upgrade_runs_the_new_programs_kyc() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let mut bare = details("Rivera", "1");
    bare.as_object_mut().unwrap().remove("identifications");
    let guid = create(&app, &token, SDD, bare).await["person_guid"]
        .as_str()
        .unwrap()
        .to_owned();
    let same = perform(
        &app,
        &token,
        &guid,
        json!({"perform_kyc": true, "program_guid": SDD}),
    )
    .await;
    assert_eq!(same.body["detail"], "Person Already Verified");
    let other_top = perform(&app, &token, &guid, json!({"program_guid": OTHER_TOP})).await;
    assert_eq!(field_errors(&other_top), ["program_guid"]);
    let unknown = perform(
        &app,
        &token,
        &guid,
        json!({"program_guid": "0f8fad5b-d9cb-469f-a165-70867728950e"}),
    )
    .await;
    assert_eq!(unknown.status, 404);
    let upgraded = perform(&app, &token, &guid, json!({"program_guid": CDD, "identifications": [{"govt_id_type": "SSN", "govt_id_number": "123456789"}]})).await;
    assert_eq!(upgraded.status, 200, "{}", upgraded.body);
    assert_eq!(
        (
            &upgraded.body["verification_mode"],
            &upgraded.body["verification_level"]
        ),
        (&json!("CDD"), &json!("CDD"))
    );
    assert_eq!(
        perform(
            &app,
            &token,
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            json!({"perform_kyc": true})
        )
        .await
        .body["title"],
        "Person not found"
    );
}

#[tokio::test]
async fn x_sandbox_scenario_forces_an_outcome_and_an_unknown_one_writes_nothing() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let body = json!({"program_guid": CDD, "person_details": details("Rivera", "123456789")});
    let forced = app
        .send(
            app.request(Method::POST, "/qolo/api/v1/persons")
                .bearer_auth(&token)
                .header("x-sandbox-scenario", "qolo-pep")
                .json(&body),
        )
        .await;
    assert_eq!(forced.body["person_status"], "PEP");
    let unknown = app
        .send(
            app.request(Method::POST, "/qolo/api/v1/persons")
                .bearer_auth(&token)
                .header("x-sandbox-scenario", "nope")
                .json(&body),
        )
        .await;
    assert_eq!(field_errors(&unknown), ["X-Sandbox-Scenario"]);
    let all = call(
        &app,
        Method::POST,
        &token,
        "/persons/search",
        Some(json!({})),
    )
    .await;
    assert_eq!(all.body["count"], 1);
}

#[tokio::test]
async fn an_admin_transition_sets_the_status_as_a_reviewer() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let guid = created_guid(&app, &token, CDD, details("Okafor", "999000103")).await;
    let moved = app.admin_post("/transitions", json!({"provider": "qolo", "kind": "person", "id": guid, "to": "CLEARED", "reason": "Reviewed by hand"})).await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(moved.body["resource"]["verification_level"], "CDD");
    let person = call(&app, Method::GET, &token, &format!("/persons/{guid}"), None).await;
    assert_eq!(person.body["person_status"], "CLEARED");
    let same = app
        .admin_post(
            "/transitions",
            json!({"provider": "qolo", "kind": "person", "id": guid, "to": "CLEARED"}),
        )
        .await;
    assert_eq!(same.status, 400);
    let bad = app
        .admin_post(
            "/transitions",
            json!({"provider": "qolo", "kind": "person", "id": guid, "to": "HAPPY"}),
        )
        .await;
    assert_eq!(bad.status, 400);
}
