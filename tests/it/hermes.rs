//! ZealID Hermes: the login without a browser (`sandbox_decision`), get_token and get_data as a
//! backend calls them, signed with an independent implementation of ZealID's HMAC recipe
//! (developer.zealid.com, "Hermes interface": base64 HMAC-SHA512 over client_id + nonce + ts +
//! "METHOD /path" + body).

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{spawn_app, Reply, TestApp};

const CLIENT: &str = "demo-client";
const SECRET: &str = "demo-secret";
const REDIRECT: &str = "https://example.com/zealid/callback";

fn signature(path: &str, body: &str, nonce: &str, ts: i64) -> String {
    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{CLIENT}{nonce}{ts}POST {path}{body}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

const GET_DATA: &str = "/hermes/mediator/api/get_data";

/// `get_data` for `body`, signed for the path it is sent to.
async fn get_data(app: &TestApp, body: Value, nonce: &str) -> Reply {
    signed_post(app, GET_DATA, GET_DATA, body, nonce).await
}

/// POSTs `body` to `path`, signed for `signed_path` (what the client believes the path is).
async fn signed_post(
    app: &TestApp,
    path: &str,
    signed_path: &str,
    body: Value,
    nonce: &str,
) -> Reply {
    let body = body.to_string();
    let ts = chrono::Utc::now().timestamp();
    let header = format!(
        "HMAC client_id=\"{CLIENT}\",ts=\"{ts}\",nonce=\"{nonce}\",signature=\"{}\"",
        signature(signed_path, &body, nonce, ts)
    );
    app.send(
        app.request(Method::POST, path)
            .header("authorization", header)
            .header("content-type", "application/json")
            .body(body),
    )
    .await
}

/// The redirect a login answers with, for the code (or error) in it.
async fn login(app: &TestApp, query: &str) -> url_params::Params {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = app.url(&format!(
        "/hermes/authorize?client_id={CLIENT}&redirect_uri={REDIRECT}&state=s-1&{query}"
    ));
    let reply = client.get(url).send().await.unwrap();
    assert_eq!(reply.status(), 302);
    let location = reply.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{REDIRECT}?")), "{location}");
    url_params::parse(&location)
}

mod url_params {
    pub type Params = std::collections::HashMap<String, String>;

    pub fn parse(url: &str) -> Params {
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        serde_urlencoded::from_str(query).unwrap()
    }
}

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
    let token = signed_post(
        &app,
        "/hermes/mediator/api/get_token",
        "/hermes/mediator/api/get_token",
        json!({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}),
        "nonce-1",
    )
    .await;
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.body["status"], "OK");
    let access = token.body["access_token"].as_str().unwrap().to_owned();
    assert!(access.starts_with("hermes_token_"), "{access}");

    let data = signed_post(
        &app,
        "/hermes/mediator/api/get_data",
        "/mediator/api/get_data",
        json!({"token": access}),
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
        signed_post(
            &app,
            "/hermes/mediator/api/orpheus/v2.0/api/get_token",
            "/hermes/mediator/api/orpheus/v2.0/api/get_token",
            body,
            nonce,
        )
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
    let data = get_data(&app, json!({"token": first.body["access_token"]}), "n-d").await;
    assert_eq!(data.status, 200);
    assert!(
        data.body.get("kyc_data").is_none(),
        "no KYC data was asked for: {}",
        data.body
    );
    // Tokens live 30 minutes on the sandbox clock.
    app.advance(30 * 60 + 1).await;
    let late = get_data(&app, json!({"token": first.body["access_token"]}), "n-e").await;
    assert_eq!(late.status, 400, "{}", late.body);
}

#[tokio::test]
async fn bad_signatures_are_refused_with_the_reason() {
    let app = spawn_app().await;
    let body = json!({"token": "hermes_token_x"});
    let ok_nonce = get_data(&app, body.clone(), "once").await;
    assert_eq!(
        ok_nonce.status, 400,
        "a valid signature, an unknown token: {}",
        ok_nonce.body
    );
    let replay = get_data(&app, body.clone(), "once").await;
    assert_eq!(replay.status, 401);
    assert!(replay.body["message"].as_str().unwrap().contains("nonce"));
    let wrong_path = signed_post(
        &app,
        "/hermes/mediator/api/get_data",
        "/mediator/api/get_token",
        body.clone(),
        "n2",
    )
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
                app.request(Method::POST, "/hermes/mediator/api/get_data")
                    .header("authorization", header)
                    .json(&body),
            )
            .await;
        assert_eq!(reply.status, 401, "{header}");
        assert_eq!(reply.body["success"], false);
    }
    let stale_ts = chrono::Utc::now().timestamp() - 600;
    let raw = body.to_string();
    let header = format!(
        "HMAC client_id=\"{CLIENT}\",ts=\"{stale_ts}\",nonce=\"n3\",signature=\"{}\"",
        signature("/hermes/mediator/api/get_data", &raw, "n3", stale_ts)
    );
    let stale = app
        .send(
            app.request(Method::POST, "/hermes/mediator/api/get_data")
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
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let authorize = |redirect: &str| {
        app.url(&format!(
            "/hermes/authorize?client_id=my-app&redirect_uri={redirect}&sandbox_decision=approve"
        ))
    };
    let refused = client
        .get(authorize("https://example.com/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400, "not one of my-app's redirect bases");
    let reply = client
        .get(authorize("http://localhost:3000/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 302);
    let code = url_params::parse(reply.headers()["location"].to_str().unwrap())["code"].clone();
    let body = json!({"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost:3000/cb"})
        .to_string();
    let ts = chrono::Utc::now().timestamp();
    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(b"my-secret").unwrap();
    mac.update(format!("my-appn-1{ts}POST /hermes/mediator/api/get_token{body}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let token = app
        .send(
            app.request(Method::POST, "/hermes/mediator/api/get_token")
                .header(
                    "authorization",
                    format!("HMAC client_id=\"my-app\",ts=\"{ts}\",nonce=\"n-1\",signature=\"{signature}\""),
                )
                .body(body),
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.body);
}
