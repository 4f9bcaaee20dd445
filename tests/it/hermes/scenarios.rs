//! Hermes scenarios (scenarios/hermes/): chosen by the identity approved as, named on the login
//! with `sandbox_scenario`, or per call with `X-Sandbox-Scenario`; and admin transitions.

use serde_json::json;

use super::{login, token_for, DEMO, GET_DATA, GET_TOKEN, REDIRECT};
use crate::common::spawn_app;

#[tokio::test]
async fn identities_choose_missing_pictures_a_decline_and_an_expired_document() {
    let app = spawn_app().await;
    let token = token_for(
        &app,
        "kyc_data=true&sandbox_decision=approve&sandbox_identity=fi-no-pictures",
        "n-1",
    )
    .await;
    let data = DEMO
        .post(&app, GET_DATA, &json!({"token": token}), "n-2")
        .await;
    assert_eq!(data.status, 200, "{}", data.body);
    let kyc = &data.body["kyc_data"];
    assert_eq!(kyc["document"]["type"], "PASSPORT");
    assert!(kyc["document"].get("pictures").is_none(), "{kyc}");
    assert!(kyc["person_photo"].get("picture").is_none(), "{kyc}");
    assert_eq!(kyc["person_photo"]["expires"], "15-08-2030");

    let declined = login(
        &app,
        "sandbox_decision=approve&sandbox_identity=se-declines",
    )
    .await;
    assert_eq!(declined["error"], "access_denied");
    assert!(!declined.contains_key("code"));

    let token = token_for(
        &app,
        "kyc_data=true&sandbox_decision=approve&sandbox_identity=lv-expired",
        "n-3",
    )
    .await;
    let expired = DEMO
        .post(&app, GET_DATA, &json!({"token": token}), "n-4")
        .await;
    assert_eq!(
        expired.body["kyc_data"]["document"]["expires"],
        "31-01-2024"
    );
}

#[tokio::test]
async fn a_named_scenario_fails_get_data_once_then_the_retry_gets_the_data() {
    let app = spawn_app().await;
    let token = token_for(
        &app,
        "sandbox_decision=approve&sandbox_scenario=hermes-data-unavailable-once",
        "n-1",
    )
    .await;
    let first = DEMO
        .post(&app, GET_DATA, &json!({"token": token}), "n-2")
        .await;
    assert_eq!(first.status, 503, "{}", first.body);
    assert_eq!(
        (&first.body["status"], &first.body["success"]),
        (&json!("error"), &json!(false))
    );
    let retry = DEMO
        .post(&app, GET_DATA, &json!({"token": token}), "n-3")
        .await;
    assert_eq!(retry.status, 200, "{}", retry.body);
}

#[tokio::test]
async fn x_sandbox_scenario_fails_one_call_and_an_unknown_name_is_refused() {
    let app = spawn_app().await;
    let code = login(&app, "sandbox_decision=approve").await["code"].clone();
    let body = json!({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT});
    let failed = DEMO
        .post_with(
            &app,
            GET_TOKEN,
            &body,
            "n-1",
            &[("x-sandbox-scenario", "hermes-token-error")],
        )
        .await;
    assert_eq!(failed.status, 500, "{}", failed.body);
    assert_eq!(failed.body["message"], "Internal server error");
    let unknown = DEMO
        .post_with(
            &app,
            GET_TOKEN,
            &body,
            "n-2",
            &[("x-sandbox-scenario", "no-such")],
        )
        .await;
    assert_eq!(unknown.status, 400);
    assert!(unknown.body["message"]
        .as_str()
        .unwrap()
        .contains("no-such"));
    // Neither failure used the code up.
    let token = DEMO.post(&app, GET_TOKEN, &body, "n-3").await;
    assert_eq!(token.status, 200, "{}", token.body);
    // A login naming an unknown scenario is refused on the page, and redirects nowhere.
    let page = app
        .send(app.request(
            reqwest::Method::GET,
            &format!("/hermes/authorize?client_id=demo-client&redirect_uri={REDIRECT}&sandbox_decision=approve&sandbox_scenario=nope"),
        ))
        .await;
    assert_eq!(page.status, 400);
}

#[tokio::test]
async fn admin_transitions_expire_a_code_and_a_token() {
    let app = spawn_app().await;
    let code = login(&app, "sandbox_decision=approve").await["code"].clone();
    let moved = app
        .admin_post(
            "/transitions",
            json!({"provider": "hermes", "kind": "code", "id": code, "to": "expired"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let body = json!({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT});
    let late = DEMO.post(&app, GET_TOKEN, &body, "n-1").await;
    assert_eq!(late.status, 400);
    assert!(late.body["message"].as_str().unwrap().contains("expired"));

    let token = token_for(&app, "sandbox_decision=approve", "n-2").await;
    let moved = app
        .admin_post(
            "/transitions",
            json!({"provider": "hermes", "kind": "token", "id": token, "to": "expired"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    let refused = DEMO
        .post(&app, GET_DATA, &json!({"token": token}), "n-3")
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);

    let unknown = app
        .admin_post(
            "/transitions",
            json!({"provider": "hermes", "kind": "token", "id": "nope", "to": "expired"}),
        )
        .await;
    assert_eq!(unknown.status, 404);
    let wrong = app
        .admin_post(
            "/transitions",
            json!({"provider": "hermes", "kind": "token", "id": token, "to": "valid"}),
        )
        .await;
    assert_eq!(wrong.status, 400);
}
