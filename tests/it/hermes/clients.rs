//! `/__admin/hermes/clients`: a client added at run time logs in and signs; removed, it cannot.

use reqwest::Method;
use serde_json::json;

use super::{login_as, Signer, GET_TOKEN};
use crate::common::{spawn_app, Reply, TestApp};

async fn admin(app: &TestApp, method: Method, path: &str) -> Reply {
    app.send(app.request(method, &format!("/__admin{path}")))
        .await
}

const SHOP: Signer = Signer {
    client: "shop",
    secret: "shop-secret",
};

#[tokio::test]
async fn a_client_added_by_the_admin_api_signs_until_it_is_removed() {
    let app = spawn_app().await;
    let added = app
        .admin_post(
            "/hermes/clients",
            json!({"client_id": "shop", "secret": "shop-secret", "redirect_uris": ["https://shop.test"]}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    let listed = app.admin_get("/hermes/clients").await;
    let ids: Vec<_> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["client_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["demo-client", "demo-client-full", "shop"]);

    let redirect = "https://shop.test/back";
    let code = login_as(&app, "shop", redirect, "sandbox_decision=approve").await["code"].clone();
    let body = json!({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect});
    let token = SHOP.post(&app, GET_TOKEN, &body, "n-1").await;
    assert_eq!(token.status, 200, "{}", token.body);

    // Replacing keeps the id and changes the key.
    let replaced = app
        .admin_post(
            "/hermes/clients",
            json!({"client_id": "shop", "secret": "rotated"}),
        )
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let old_key = SHOP.post(&app, GET_TOKEN, &body, "n-2").await;
    assert_eq!(old_key.status, 401, "{}", old_key.body);

    let removed = admin(&app, Method::DELETE, "/hermes/clients/shop").await;
    assert_eq!(removed.status, 204);
    let rotated = Signer {
        client: "shop",
        secret: "rotated",
    };
    let gone = rotated.post(&app, GET_TOKEN, &body, "n-3").await;
    assert_eq!(gone.status, 401);
    assert!(
        gone.body["message"]
            .as_str()
            .unwrap()
            .contains("unknown client_id"),
        "{}",
        gone.body
    );
    assert_eq!(
        admin(&app, Method::GET, "/hermes/clients/shop")
            .await
            .status,
        404
    );
    assert_eq!(
        admin(&app, Method::DELETE, "/hermes/clients/shop")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_client_without_a_secret_or_with_a_bad_redirect_base_is_refused() {
    let app = spawn_app().await;
    for body in [
        json!({"client_id": "x", "secret": ""}),
        json!({"client_id": "x", "secret": "s", "redirect_uris": ["javascript:alert(1)"]}),
        json!({"client_id": "x", "secret": "s", "colour": "red"}),
        json!({"client_id": "x"}),
    ] {
        let reply = app.admin_post("/hermes/clients", body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {}", reply.body);
        assert_eq!(reply.body["error"]["status"], 400);
    }
    assert_eq!(
        admin(&app, Method::GET, "/hermes/clients/x").await.status,
        404
    );
    assert_eq!(
        admin(&app, Method::GET, "/hermes/nothing").await.status,
        404
    );
    assert_eq!(
        admin(&app, Method::GET, "/rebilly/clients").await.status,
        404
    );
}
