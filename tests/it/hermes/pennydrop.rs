//! The AML-KYC flow without a QR code: the webhook with the `jwt` claims (ZealID, "Get data without
//! QR (AML-KYC)"), then `get_data {session_id, user_id}` with the results as strings.

use base64::Engine;
use serde_json::{json, Value};

use super::{DEMO, GET_DATA};
use crate::common::receiver::Receiver;
use crate::common::spawn_app;

#[tokio::test]
async fn a_signed_session_sends_its_webhook_and_opens_the_data_for_24_hours() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let started = app
        .admin_post(
            "/hermes/pennydrop",
            json!({"client_id": "demo-client", "identity": "ee-passport", "webhook_url": receiver.url("/zealid")}),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    assert_eq!(started.body["status"], "PENDING");
    let session_id = started.body["session_id"].as_str().unwrap().to_owned();
    let user_id = started.body["user_id"].as_str().unwrap().to_owned();
    let body = json!({"session_id": session_id, "user_id": user_id});
    let early = DEMO.post(&app, GET_DATA, &body, "n-0").await;
    assert_eq!(early.status, 400, "not signed yet: {}", early.body);

    let signed = app
        .admin_post(
            "/transitions",
            json!({"provider": "hermes", "kind": "pennydrop", "id": session_id, "to": "SIGNED"}),
        )
        .await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    let hook = receiver.next().await;
    let claims: Value = serde_json::from_slice(&hook.body).unwrap();
    let jwt = &claims["jwt"];
    assert_eq!(
        (&jwt["session_id"], &jwt["user_id"], &jwt["status"]),
        (&json!(session_id), &json!(user_id), &json!("SIGNED"))
    );
    let t0 = crate::common::T0_MS / 1000;
    assert_eq!(
        (&jwt["timestamp"], &jwt["retrieval_exp"], &jwt["exp"]),
        (&json!(t0), &json!(t0 + 86_400), &json!(t0 + 1_800))
    );
    assert!(jwt["signing_request_id"].is_string());

    let data = DEMO.post(&app, GET_DATA, &body, "n-1").await;
    assert_eq!(data.status, 200, "{}", data.body);
    assert!(data.body["customer_id"]
        .as_str()
        .unwrap()
        .starts_with("cust_"));
    let kyc = &data.body["data"]["kyc_data"];
    assert_eq!(data.body["data"]["last_name"], "TAMM");
    for flag in ["holder_name_match", "qes_validation", "is_first_sign"] {
        assert_eq!(kyc[flag], "true", "{flag} is a string, as ZealID sends it");
    }
    let pain = base64::engine::general_purpose::STANDARD
        .decode(kyc["pain_file"].as_str().unwrap())
        .unwrap();
    assert!(String::from_utf8(pain)
        .unwrap()
        .contains("<Nm>MARI TAMM</Nm>"));

    let wrong_user = DEMO
        .post(
            &app,
            GET_DATA,
            &json!({"session_id": session_id, "user_id": "someone"}),
            "n-2",
        )
        .await;
    assert_eq!(wrong_user.status, 400);
    let again = app
        .admin_post(
            "/transitions",
            json!({"provider": "hermes", "kind": "pennydrop", "id": session_id, "to": "FAILED"}),
        )
        .await;
    assert_eq!(again.status, 409, "SIGNED is final: {}", again.body);

    app.advance(24 * 3600 + 1).await;
    let late = DEMO.post(&app, GET_DATA, &body, "n-3").await;
    assert_eq!(late.status, 410, "{}", late.body);
}

#[tokio::test]
async fn a_failed_session_reports_failed_and_has_no_data() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let client =
        json!({"client_id": "aml", "secret": "aml-secret", "webhook_url": receiver.url("/hooks")});
    assert_eq!(app.admin_post("/hermes/clients", client).await.status, 201);
    let started = app
        .admin_post(
            "/hermes/pennydrop",
            json!({"client_id": "aml", "status": "FAILED"}),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let hook = receiver.next().await;
    assert_eq!(hook.target, "/hooks");
    let claims: Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(claims["jwt"]["status"], "FAILED");
    let aml = super::Signer {
        client: "aml",
        secret: "aml-secret",
    };
    let body =
        json!({"session_id": started.body["session_id"], "user_id": started.body["user_id"]});
    let data = aml.post(&app, GET_DATA, &body, "n-1").await;
    assert_eq!(data.status, 400);
    assert!(data.body["message"].as_str().unwrap().contains("FAILED"));
    // Another client's key does not open this client's session.
    let foreign = DEMO.post(&app, GET_DATA, &body, "n-2").await;
    assert_eq!(foreign.status, 400);

    for bad in [
        json!({"client_id": "demo-client"}),
        json!({"client_id": "nobody", "webhook_url": receiver.url("/x")}),
        json!({"client_id": "aml", "identity": "nobody"}),
        json!({"client_id": "aml", "status": "MAYBE"}),
    ] {
        let reply = app.admin_post("/hermes/pennydrop", bad.clone()).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
    }
}
