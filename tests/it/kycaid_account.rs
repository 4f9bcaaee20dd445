//! Account-level refusals a client must handle, forced by magic token prefixes: a switched-off
//! token (`forbidden…`: 403 on every call) and an empty balance (`no-funds…`: 402 on the paid
//! operations only).

use crate::common;

use common::kycaid::*;
use common::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_forbidden_token_is_refused_everywhere_in_the_envelope() {
    let app = spawn_app().await;
    for (method, path) in [
        (Method::GET, "/applicants"),
        (Method::POST, "/applicants"),
        (Method::GET, "/countries"),
    ] {
        let reply = common::Reply::read(
            kyc_as(&app, "forbidden-0001", method, path)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_error(&reply, 403, "forbidden", &["authorization"]);
    }
}

#[tokio::test]
async fn a_token_without_funds_may_prepare_data_but_not_start_verifications() {
    let app = spawn_app().await;
    let token = "no-funds-0001";
    let send = |method: Method, path: &str, body: serde_json::Value| {
        let request = kyc_as(&app, token, method, path).json(&body);
        async move { common::Reply::read(request.send().await.unwrap()).await }
    };
    let created = send(
        Method::POST,
        "/applicants",
        json!({"type": "PERSON", "first_name": "Nora", "last_name": "Funds"}),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let applicant_id = created.body["applicant_id"].as_str().unwrap().to_owned();

    let refused = send(
        Method::POST,
        "/verifications",
        json!({"applicant_id": applicant_id}),
    )
    .await;
    let messages = assert_error(&refused, 402, "insufficient_funds", &["balance"]);
    assert!(messages[0].contains("Insufficient funds"), "{messages:?}");
    let link = send(
        Method::POST,
        "/forms/55d5a731790f81cf26637083168ff266b603/urls",
        json!({"applicant_id": applicant_id}),
    )
    .await;
    assert_error(&link, 402, "insufficient_funds", &["balance"]);

    let listed = send(
        Method::GET,
        &format!("/verifications?applicant_id={applicant_id}"),
        json!({}),
    )
    .await;
    assert_eq!(
        listed.body["total"], 0,
        "nothing was started: {}",
        listed.body
    );
}
