//! ZealID Hermes, as a backend calls it: requests signed with an independent implementation of
//! ZealID's HMAC recipe (developer.zealid.com, "Hermes interface": base64 HMAC-SHA512 over
//! client_id + nonce + ts + "METHOD /path" + body).

mod clients;
mod login;
mod pennydrop;
mod scenarios;

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::Value;

use crate::common::{Reply, TestApp};

pub const CLIENT: &str = "demo-client";
pub const SECRET: &str = "demo-secret";
pub const REDIRECT: &str = "https://example.com/zealid/callback";
pub const GET_TOKEN: &str = "/hermes/mediator/api/get_token";
pub const GET_DATA: &str = "/hermes/mediator/api/get_data";

/// A client's id and secret, signing as ZealID's reference scripts do.
#[derive(Clone, Copy)]
pub struct Signer {
    pub client: &'static str,
    pub secret: &'static str,
}

pub const DEMO: Signer = Signer {
    client: CLIENT,
    secret: SECRET,
};

impl Signer {
    pub fn signature(&self, method_path: &str, body: &str, nonce: &str, ts: i64) -> String {
        let mut mac = Hmac::<sha2::Sha512>::new_from_slice(self.secret.as_bytes()).unwrap();
        mac.update(format!("{}{nonce}{ts}{method_path}{body}", self.client).as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    pub fn header(&self, method_path: &str, body: &str, nonce: &str, ts: i64) -> String {
        format!(
            "HMAC client_id=\"{}\",ts=\"{ts}\",nonce=\"{nonce}\",signature=\"{}\"",
            self.client,
            self.signature(method_path, body, nonce, ts)
        )
    }

    /// POSTs `body` to `path`, signed for `signed_path` (what the client believes the path is).
    pub async fn post_as(
        &self,
        app: &TestApp,
        path: &str,
        signed_path: &str,
        body: &Value,
        nonce: &str,
    ) -> Reply {
        self.send(app, path, signed_path, body, nonce, &[]).await
    }

    /// POSTs `body` to `path`, signed, with extra headers.
    pub async fn post_with(
        &self,
        app: &TestApp,
        path: &str,
        body: &Value,
        nonce: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        self.send(app, path, path, body, nonce, headers).await
    }

    async fn send(
        &self,
        app: &TestApp,
        path: &str,
        signed_path: &str,
        body: &Value,
        nonce: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        let body = body.to_string();
        let ts = chrono::Utc::now().timestamp();
        let header = self.header(&format!("POST {signed_path}"), &body, nonce, ts);
        let mut request = app
            .request(Method::POST, path)
            .header("authorization", header)
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        app.send(request.body(body)).await
    }

    /// POSTs `body` to `path`, signed for that path.
    pub async fn post(&self, app: &TestApp, path: &str, body: &Value, nonce: &str) -> Reply {
        self.post_as(app, path, path, body, nonce).await
    }
}

/// The `Location` of a login answered with `sandbox_decision`, for the code (or error) in it.
pub async fn login_as(app: &TestApp, client: &str, redirect: &str, query: &str) -> Params {
    let url = app.url(&format!(
        "/hermes/authorize?client_id={client}&redirect_uri={redirect}&state=s-1&{query}"
    ));
    let reply = no_redirects().get(url).send().await.unwrap();
    let location = reply
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    assert_eq!(reply.status(), 302, "{}", reply.text().await.unwrap());
    let location = location.unwrap();
    assert!(location.starts_with(&format!("{redirect}?")), "{location}");
    params(&location)
}

/// The demo client's login.
pub async fn login(app: &TestApp, query: &str) -> Params {
    login_as(app, CLIENT, REDIRECT, query).await
}

/// A login approved with `query`, exchanged for an access token.
pub async fn token_for(app: &TestApp, query: &str, nonce: &str) -> String {
    let code = login(app, query).await["code"].clone();
    let body = serde_json::json!({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT});
    let token = DEMO.post(app, GET_TOKEN, &body, nonce).await;
    assert_eq!(token.status, 200, "{}", token.body);
    token.body["access_token"].as_str().unwrap().to_owned()
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub type Params = std::collections::HashMap<String, String>;

pub fn params(url: &str) -> Params {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    serde_urlencoded::from_str(query).unwrap()
}
