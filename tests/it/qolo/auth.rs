//! The bearer token: 12 hours on the sandbox clock, one tenant per login id (Qolo, Getting
//! started: "send loginid and apikey to /api/v1/auth/login", "valid for 12 hours").

use reqwest::Method;
use serde_json::json;

use super::{call, create, details, field_errors, login, CDD};
use crate::common::spawn_app;

#[tokio::test]
async fn a_login_gives_a_jwt_that_lives_twelve_hours() {
    let app = spawn_app().await;
    let reply = app
        .send(
            app.request(Method::POST, "/qolo/api/v1/auth/login")
                .json(&json!({"loginid": "shop", "apikey": "k"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        (&reply.body["token_type"], &reply.body["expires_in"]),
        (&json!("Bearer"), &json!(43_200))
    );
    let token = reply.body["token"].as_str().unwrap();
    assert_eq!(token.matches('.').count(), 2, "a compact JWT");
    assert_eq!(
        call(&app, Method::GET, token, "/notifications", None)
            .await
            .status,
        200
    );
    app.advance(12 * 3600).await;
    let expired = call(&app, Method::GET, token, "/notifications", None).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.headers["www-authenticate"], "Bearer");
    assert!(expired.body["detail"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn calls_without_a_valid_token_or_login_fields_are_refused() {
    let app = spawn_app().await;
    let missing = app
        .send(
            app.request(Method::POST, "/qolo/api/v1/auth/login")
                .json(&json!({"loginid": 5})),
        )
        .await;
    assert_eq!(field_errors(&missing), ["apikey", "loginid"]);
    let empty = app
        .send(
            app.request(Method::POST, "/qolo/api/v1/auth/login")
                .json(&json!({"loginid": "a", "apikey": " "})),
        )
        .await;
    assert_eq!(empty.status, 400);
    let no_token = app
        .send(app.request(Method::GET, "/qolo/api/v1/notifications"))
        .await;
    assert_eq!(no_token.status, 401);
    assert_eq!(no_token.body["title"], "Unauthorized");
    let forged = call(
        &app,
        Method::GET,
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
        "/notifications",
        None,
    )
    .await;
    assert_eq!(forged.status, 401);
}

#[tokio::test]
async fn each_login_id_sees_only_its_own_persons() {
    let app = spawn_app().await;
    let (a, b) = (login(&app, "login-a").await, login(&app, "login-b").await);
    let person = create(&app, &a, CDD, details("Rivera", "123456789")).await;
    let guid = person["person_guid"].as_str().unwrap();
    assert_eq!(
        call(&app, Method::GET, &a, &format!("/persons/{guid}"), None)
            .await
            .status,
        200
    );
    let foreign = call(&app, Method::GET, &b, &format!("/persons/{guid}"), None).await;
    assert_eq!(
        (foreign.status.as_u16(), &foreign.body["title"]),
        (404, &json!("Person not found"))
    );
}
