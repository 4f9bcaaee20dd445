//! The login without a browser (`sandbox_decision`), get_token and get_data, the picture links
//! and the signature checks.

use reqwest::Method;
use serde_json::json;

use super::{login, login_as, Signer, CLIENT, DEMO, GET_DATA, GET_TOKEN, REDIRECT};
use crate::common::spawn_app;

#[tokio::test]
async fn a_login_with_kyc_data_gives_a_token_and_the_seeds_data() {
    let app = spawn_app().await;
    let redirect = login(
        &app,
        "kyc_data=true&sandbox_decision=approve&sandbox_identity=ee-passport",
    )
    .await;
    assert_eq!(redirect["state"], "s-1");
    let code = &redirect["code"];

    // The client's base URL is http://…/hermes, so it signs the path with the mount; both work.
    let token = DEMO
        .post(
            &app,
            GET_TOKEN,
            &json!({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}),
            "nonce-1",
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.body["status"], "OK");
    let access = token.body["access_token"].as_str().unwrap().to_owned();
    assert!(access.starts_with("hermes_token_"), "{access}");

    let data = DEMO
        .post_as(
            &app,
            GET_DATA,
            "/mediator/api/get_data",
            &json!({"token": access}),
            "nonce-2",
        )
        .await;
    assert_eq!(data.status, 200, "{}", data.body);
    let body = &data.body;
    assert!(body["customer_id"].as_str().unwrap().starts_with("cust_"));
    assert_eq!(
        body["customer_id"].as_str().unwrap().len(),
        "cust_".len() + 39
    );
    assert_eq!(
        body["data"],
        json!({"first_name": "MARI", "last_name": "TAMM", "serial_number": "PNOEE-48505052233"})
    );
    assert_eq!(
        (&body["status"], &body["success"]),
        (&json!("success"), &json!(true))
    );
    let document = &body["kyc_data"]["document"];
    assert_eq!(document["expires"], "30-11-2029");
    assert_eq!(
        (&document["issuance_country"], &document["type"]),
        (&json!("EE"), &json!("PASSPORT"))
    );
    let av = &document["pictures"]["av"];
    assert_eq!(av["expires"], common_t0() + 600);
    let picture = app.send(app.client.get(av["url"].as_str().unwrap())).await;
    assert_eq!(picture.status, 200);
    assert_eq!(picture.headers["content-type"], "image/png");
    assert!(body["kyc_data"]["person_photo"]["picture"]["url"].is_string());
    // Past its expiry on the sandbox clock, a picture link is gone.
    app.advance(601).await;
    let gone = app.send(app.client.get(av["url"].as_str().unwrap())).await;
    assert_eq!(gone.status, 410);
    assert_eq!(gone.body["success"], false);
}

fn common_t0() -> i64 {
    crate::common::T0_MS / 1000
}

#[tokio::test]
async fn codes_work_once_and_data_without_kyc_has_none() {
    let app = spawn_app().await;
    let code = login(&app, "sandbox_decision=approve").await["code"].clone();
    let exchange = |nonce: &'static str, redirect: &'static str| {
        let body =
            json!({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect});
        let app = &app;
        async move {
            DEMO.post(
                app,
                "/hermes/mediator/api/orpheus/v2.0/api/get_token",
                &body,
                nonce,
            )
            .await
        }
    };
    let wrong_redirect = exchange("n-a", "https://example.com/elsewhere").await;
    assert_eq!(wrong_redirect.status, 400, "{}", wrong_redirect.body);
    let first = exchange("n-b", REDIRECT).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let again = exchange("n-c", REDIRECT).await;
    assert_eq!(again.status, 400);
    assert!(again.body["message"]
        .as_str()
        .unwrap()
        .contains("already used"));
    let data = DEMO
        .post(
            &app,
            GET_DATA,
            &json!({"token": first.body["access_token"]}),
            "n-d",
        )
        .await;
    assert_eq!(data.status, 200);
    assert!(
        data.body.get("kyc_data").is_none(),
        "no KYC data was asked for: {}",
        data.body
    );
    // Tokens live 30 minutes on the sandbox clock.
    app.advance(30 * 60 + 1).await;
    let late = DEMO
        .post(
            &app,
            GET_DATA,
            &json!({"token": first.body["access_token"]}),
            "n-e",
        )
        .await;
    assert_eq!(late.status, 400, "{}", late.body);
}

#[tokio::test]
async fn bad_signatures_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let body = json!({"token": "hermes_token_x"});
    let ok_nonce = DEMO.post(&app, GET_DATA, &body, "once").await;
    assert_eq!(
        ok_nonce.status, 400,
        "a valid signature, an unknown token: {}",
        ok_nonce.body
    );
    let replay = DEMO.post(&app, GET_DATA, &body, "once").await;
    assert_eq!(replay.status, 401);
    assert!(replay.body["message"].as_str().unwrap().contains("nonce"));
    let wrong_path = DEMO
        .post_as(&app, GET_DATA, "/mediator/api/get_token", &body, "n2")
        .await;
    assert_eq!(wrong_path.status, 401);
    assert!(wrong_path.body["message"]
        .as_str()
        .unwrap()
        .contains("signature"));
    for header in [
        "",
        "Bearer x",
        "HMAC client_id=\"nobody\",ts=\"1\",nonce=\"n\",signature=\"s\"",
    ] {
        let reply = app
            .send(
                app.request(Method::POST, GET_DATA)
                    .header("authorization", header)
                    .json(&body),
            )
            .await;
        assert_eq!(reply.status, 401, "{header}");
        assert_eq!(reply.body["success"], false);
    }
    let stale_ts = chrono::Utc::now().timestamp() - 600;
    let raw = body.to_string();
    let header = DEMO.header(&format!("POST {GET_DATA}"), &raw, "n3", stale_ts);
    let stale = app
        .send(
            app.request(Method::POST, GET_DATA)
                .header("authorization", header)
                .body(raw),
        )
        .await;
    assert_eq!(stale.status, 401);
    assert!(stale.body["message"].as_str().unwrap().contains("ts"));
}

#[tokio::test]
async fn a_declined_login_and_a_foreign_redirect() {
    let app = spawn_app().await;
    let declined = login(&app, "sandbox_decision=decline").await;
    assert_eq!(
        (declined["error"].as_str(), declined["state"].as_str()),
        ("access_denied", "s-1")
    );
    // Found by the Hermes fuzzer: a prefix match let lookalike hosts receive the code.
    for foreign in [
        "https://evil.example/x",
        "https://example.com.evil.example/",
        "https://example.com%40evil.example/",
        "http://localhost.evil.example/cb",
    ] {
        let reply = app
            .send(app.request(Method::GET, &format!("/hermes/authorize?client_id={CLIENT}&redirect_uri={foreign}&sandbox_decision=approve")))
            .await;
        assert_eq!(reply.status, 400, "{foreign}");
    }
    let page = app
        .send(app.request(
            Method::GET,
            &format!("/hermes/authorize?client_id={CLIENT}&redirect_uri={REDIRECT}&kyc_data=true"),
        ))
        .await;
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.bytes);
    assert!(
        html.contains("<svg")
            && html.contains("id=\"approve-lt-id-card\"")
            && html.contains("KYC data"),
        "{html}"
    );
}

/// `--hermes-client ID:SECRET[:REDIRECT_BASE,…]` adds a client: its own tenant, its own key.
#[tokio::test]
async fn a_client_from_the_flag_logs_in_and_signs_with_its_secret() {
    let app = crate::common::spawn_with(|c| {
        c.hermes_clients = vec!["my-app:my-secret:http://localhost:3000".into()];
    })
    .await;
    let refused = app
        .send(app.request(
            Method::GET,
            "/hermes/authorize?client_id=my-app&redirect_uri=https://example.com/cb&sandbox_decision=approve",
        ))
        .await;
    assert_eq!(refused.status, 400, "not one of my-app's redirect bases");
    let redirect = "http://localhost:3000/cb";
    let code = login_as(&app, "my-app", redirect, "sandbox_decision=approve").await["code"].clone();
    let my_app = Signer {
        client: "my-app",
        secret: "my-secret",
    };
    let body = json!({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect});
    let token = my_app.post(&app, GET_TOKEN, &body, "n-1").await;
    assert_eq!(token.status, 200, "{}", token.body);
    let foreign_key = DEMO.post(&app, GET_TOKEN, &body, "n-2").await;
    assert_eq!(
        foreign_key.status, 400,
        "demo-client cannot redeem my-app's code: {}",
        foreign_key.body
    );
}

/// ZealID configures `data` per service: a client set up for `personal_number` and
/// `document_expiration_date` gets them ("Data API in detail", get_data's optional attributes).
#[tokio::test]
async fn a_client_configured_for_optional_attributes_gets_them() {
    let app = spawn_app().await;
    let code = login_as(
        &app,
        "demo-client-full",
        REDIRECT,
        "sandbox_decision=approve&sandbox_identity=lt-id-card",
    )
    .await["code"]
        .clone();
    let full = Signer {
        client: "demo-client-full",
        secret: "demo-secret",
    };
    let body = json!({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT});
    let token = full.post(&app, GET_TOKEN, &body, "n-1").await;
    let data = full
        .post(
            &app,
            GET_DATA,
            &json!({"token": token.body["access_token"]}),
            "n-2",
        )
        .await;
    assert_eq!(
        data.body["data"],
        json!({
            "first_name": "JONAS",
            "last_name": "PETRAITIS",
            "serial_number": "PNOLT-39010101111",
            "personal_number": "39010101111",
            "document_expiration_date": "05-05-2031",
        })
    );
}
