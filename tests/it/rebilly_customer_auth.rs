//! Rebilly customer authentication on the core API: authentication tokens (password and
//! passwordless login, list, verify, logout) and their exchange for a customer JWT that the
//! storefront accepts.

use crate::common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::rebilly::{KEY, ORG};
use common::{spawn_app, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const TOKENS: &str = "/authentication-tokens";

async fn login(app: &TestApp, body: Value) -> Reply {
    app.reb_json(Method::POST, TOKENS, body).await
}

/// A passwordless login for `customer`: the token's reply body.
async fn token_for(app: &TestApp, customer: &str) -> Value {
    let reply = login(app, json!({"mode": "passwordless", "customerId": customer})).await;
    reply.rebilly(201, "AuthenticationTokenResponse").clone()
}

async fn exchange(app: &TestApp, token: &str, body: Value) -> Reply {
    app.reb_json(Method::POST, &format!("{TOKENS}/{token}/exchange"), body)
        .await
}

async fn verify(app: &TestApp, token: &str) -> Reply {
    app.reb_get(&format!("{TOKENS}/{token}")).await
}

fn invalid_fields(reply: &Reply) -> Vec<String> {
    reply.rebilly_invalid_fields()
}

#[tokio::test]
async fn password_login_takes_any_credentials_but_the_wrong_password() {
    let app = spawn_app().await;
    let reply = login(
        &app,
        json!({"mode": "password", "username": "ada@example.com", "password": "s3cret"}),
    )
    .await;
    let token = reply.rebilly(201, "AuthenticationTokenResponse").clone();
    assert_eq!(token["username"], "ada@example.com");
    assert_eq!(token["otpRequired"], false);
    assert_eq!(token["expiredTime"], "2026-01-01T01:00:00Z");
    let customer = token["customerId"].as_str().unwrap();
    assert!(customer.starts_with("cus_"), "{customer}");
    let value = token["token"].as_str().unwrap();
    assert_eq!(
        reply.headers["location"],
        format!("/rebilly/organizations/org-1{TOKENS}/{value}")
    );

    // `mode` defaults to password; the same email is the same customer.
    let again = login(
        &app,
        json!({"username": "ada@example.com", "password": "x"}),
    )
    .await;
    assert_eq!(
        again.rebilly(201, "AuthenticationTokenResponse")["customerId"],
        customer
    );

    let wrong = login(
        &app,
        json!({"mode": "password", "username": "ada@example.com", "password": "wrong-password"}),
    )
    .await;
    wrong.rebilly_problem(401, "Unauthorized");
}

#[tokio::test]
async fn a_username_that_is_not_an_email_is_the_customer_id() {
    let app = spawn_app().await;
    let reply = login(&app, json!({"username": "cus_first", "password": "pw"})).await;
    assert_eq!(
        reply.rebilly(201, "AuthenticationTokenResponse")["customerId"],
        "cus_first",
        "a customer id logs in as that customer even before anything referenced it"
    );
}

#[tokio::test]
async fn the_email_of_a_known_customer_logs_in_as_that_customer() {
    let app = spawn_app().await;
    app.kyc_document("cus_known", "funds-proof", "statement.png")
        .await;
    let customer = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/customers/cus_known"))
        .await;
    let email = customer.rebilly(200, "Customer")["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = login(&app, json!({"username": email, "password": "pw"})).await;
    assert_eq!(
        reply.rebilly(201, "AuthenticationTokenResponse")["customerId"],
        "cus_known"
    );
}

#[tokio::test]
async fn passwordless_login_signs_in_the_customer() {
    let app = spawn_app().await;
    let token = token_for(&app, "cus_1").await;
    assert_eq!(token["customerId"], "cus_1");
    assert_eq!(token["username"], "cus_1");
    assert!(token["token"].as_str().unwrap().len() >= 32);
}

#[tokio::test]
async fn bad_login_bodies_are_refused() {
    let app = spawn_app().await;
    let missing = login(&app, json!({"mode": "password"})).await;
    let fields = invalid_fields(&missing);
    assert!(fields.contains(&"username".to_owned()), "{fields:?}");
    assert!(fields.contains(&"password".to_owned()), "{fields:?}");
    let empty = login(&app, json!({"username": "", "password": "pw"})).await;
    assert_eq!(invalid_fields(&empty), ["username"]);
    let mode = login(&app, json!({"mode": "magic-link", "customerId": "cus_1"})).await;
    assert_eq!(invalid_fields(&mode), ["mode"]);
    let no_customer = login(&app, json!({"mode": "passwordless"})).await;
    assert_eq!(invalid_fields(&no_customer), ["customerId"]);
    let not_object = login(&app, json!(["username"])).await;
    not_object.rebilly_problem(422, "ValidationError");
    let listed = app.reb_get(TOKENS).await;
    assert_eq!(listed.headers["pagination-total"], "0", "nothing stored");
}

#[tokio::test]
async fn tokens_are_listed_with_pagination_headers_and_filters() {
    let app = spawn_app().await;
    let mut made = Vec::new();
    for customer in ["cus_1", "cus_2", "cus_1"] {
        made.push(token_for(&app, customer).await["token"].clone());
    }
    let page = app.reb_get(&format!("{TOKENS}?limit=2&offset=1")).await;
    assert_eq!(page.status, 200);
    common::spec::rebilly().check_response(TOKENS, "get", "200", &page.body);
    assert_eq!(page.headers["pagination-total"], "3");
    assert_eq!(page.headers["pagination-limit"], "2");
    assert_eq!(page.headers["pagination-offset"], "1");
    let tokens: Vec<&Value> = page
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["token"])
        .collect();
    assert_eq!(tokens, [&made[1], &made[0]], "newest first");

    let mine = app
        .reb_get(&format!("{TOKENS}?filter=customerId:cus_1"))
        .await;
    common::spec::rebilly().check_response(TOKENS, "get", "200", &mine.body);
    assert_eq!(mine.headers["pagination-total"], "2");
    assert!(mine
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["customerId"] == "cus_1"));
}

#[tokio::test]
async fn a_token_verifies_until_it_is_logged_out() {
    let app = spawn_app().await;
    let token = token_for(&app, "cus_1").await;
    let value = token["token"].as_str().unwrap();
    let verified = verify(&app, value).await;
    assert_eq!(verified.rebilly(200, "AuthenticationTokenResponse"), &token);

    let out = app
        .send(app.reb(Method::DELETE, &format!("{TOKENS}/{value}")))
        .await;
    assert_eq!(out.status, 204);
    assert!(out.bytes.is_empty());
    verify(&app, value).await.rebilly_problem(404, "NotFound");
    let again = app
        .send(app.reb(Method::DELETE, &format!("{TOKENS}/{value}")))
        .await;
    again.rebilly_problem(404, "NotFound");
    exchange(&app, value, json!({}))
        .await
        .rebilly_problem(404, "NotFound");
}

#[tokio::test]
async fn exchange_mints_a_customer_jwt_and_invalidates_the_token() {
    let app = spawn_app().await;
    let value = token_for(&app, "cus_1").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let claims = json!({"documents": ["identity-proof"], "redirectUrl": "https://shop.example"});
    let reply = exchange(&app, &value, json!({"customClaims": claims})).await;
    let jwt = reply.rebilly(201, "CustomerJWT").clone();
    assert_eq!(jwt["type"], "customer");
    assert!(jwt["id"].as_str().unwrap().starts_with("jwt_"), "{jwt}");
    assert_eq!(jwt["customerId"], "cus_1");
    assert_eq!(jwt["customClaims"], claims);
    assert_eq!(jwt["createdTime"], common::T0);
    assert_eq!(
        jwt["expiredTime"], "2026-01-01T01:00:00Z",
        "one hour by default"
    );
    assert_eq!(jwt["acl"][0]["scope"]["organizationId"], json!(["org-1"]));
    let permissions = jwt["acl"][0]["permissions"].as_array().unwrap();
    assert!(permissions.contains(&json!("StorefrontPostKycDocument")));

    let token = jwt["token"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS: {token}");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    let payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(payload["jti"], jwt["id"]);
    assert_eq!(payload["sub"], "cus_1");

    verify(&app, &value).await.rebilly_problem(404, "NotFound");
    exchange(&app, &value, json!({}))
        .await
        .rebilly_problem(404, "NotFound");
}

#[tokio::test]
async fn exchange_without_invalidate_keeps_the_token_and_takes_an_expiry() {
    let app = spawn_app().await;
    let value = token_for(&app, "cus_1").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = exchange(
        &app,
        &value,
        json!({"invalidate": false, "expiredTime": "2026-01-01T00:10:00Z"}),
    )
    .await;
    let jwt = first.rebilly(201, "CustomerJWT");
    assert_eq!(jwt["expiredTime"], "2026-01-01T00:10:00Z");
    assert_eq!(jwt["customClaims"], json!({}));
    verify(&app, &value)
        .await
        .rebilly(200, "AuthenticationTokenResponse");
    let acl =
        json!([{"scope": {"organizationId": ["org-1"]}, "permissions": ["StorefrontGetAccount"]}]);
    let second = exchange(&app, &value, json!({"invalidate": false, "acl": acl})).await;
    let second = second.rebilly(201, "CustomerJWT");
    assert_ne!(second["token"], jwt["token"]);
    assert_eq!(second["acl"], acl);
}

#[tokio::test]
async fn bad_exchange_bodies_are_refused_and_keep_the_token() {
    let app = spawn_app().await;
    let value = token_for(&app, "cus_1").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = exchange(
        &app,
        &value,
        json!({
            "invalidate": "yes",
            "oneTimePassword": "12ab56",
            "expiredTime": "2025-01-01T00:00:00Z",
            "customClaims": ["not", "an", "object"],
            "acl": "all",
        }),
    )
    .await;
    let mut fields = invalid_fields(&reply);
    fields.sort();
    assert_eq!(
        fields,
        [
            "acl",
            "customClaims",
            "expiredTime",
            "invalidate",
            "oneTimePassword"
        ]
    );
    let past = exchange(&app, &value, json!({"expiredTime": "not a date"})).await;
    assert_eq!(invalid_fields(&past), ["expiredTime"]);
    let acl = exchange(
        &app,
        &value,
        json!({"acl": [{"scope": {"organizationId": ["org-1"]}, "permissions": ["*"]}, {"permissions": [1]}]}),
    )
    .await;
    assert_eq!(invalid_fields(&acl), ["acl.1.scope", "acl.1.permissions"]);
    verify(&app, &value)
        .await
        .rebilly(200, "AuthenticationTokenResponse");
}

#[tokio::test]
async fn the_exchanged_jwt_works_on_the_storefront() {
    let app = spawn_app().await;
    let value = token_for(&app, "cus_7").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = exchange(&app, &value, json!({})).await;
    let token = reply.rebilly(201, "CustomerJWT")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = app
        .send(
            app.request(Method::GET, "/rebilly/storefront/account")
                .bearer_auth(&token),
        )
        .await;
    assert_eq!(account.rebilly(200, "Customer")["id"], "cus_7");
    let org = app
        .send(
            app.request(
                Method::GET,
                "/rebilly/storefront/organizations/org-1/account",
            )
            .bearer_auth(&token),
        )
        .await;
    assert_eq!(org.rebilly(200, "Customer")["id"], "cus_7");
    let other_org = app
        .send(
            app.request(
                Method::GET,
                "/rebilly/storefront/organizations/org-2/account",
            )
            .bearer_auth(&token),
        )
        .await;
    other_org.rebilly_problem(401, "Unauthorized");
}

#[tokio::test]
async fn an_expired_token_no_longer_verifies() {
    let app = spawn_app().await;
    let value = token_for(&app, "cus_1").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.advance(3601).await;
    verify(&app, &value)
        .await
        .rebilly_problem(401, "Unauthorized");
    exchange(&app, &value, json!({}))
        .await
        .rebilly_problem(401, "Unauthorized");
}

/// Found by schema fuzzing against the spec: an `acl` scope holding `null` used to be echoed
/// back into a `CustomerJWT` the spec says cannot hold it (`ApiKeyScope.organizationId` is an
/// array of `ResourceId`s).
#[tokio::test]
async fn an_acl_scope_the_spec_forbids_is_refused_not_echoed() {
    let app = spawn_app().await;
    let value = token_for(&app, "cus_1").await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let acl = json!([{"scope": {"organizationId": null, "planId": ["x".repeat(51)]}, "permissions": ["PostFile"]}]);
    let reply = exchange(&app, &value, json!({"acl": acl})).await;
    let fields = reply.rebilly_invalid_fields();
    assert_eq!(fields, ["acl.0.scope.organizationId", "acl.0.scope.planId"]);
    // Nothing was spent: the token still exchanges with a valid ACL.
    let acl = json!([{"scope": {"organizationId": ["org-1"]}, "permissions": ["PostFile"]}]);
    let reply = exchange(&app, &value, json!({"acl": acl})).await;
    assert_eq!(reply.rebilly(201, "CustomerJWT")["acl"], acl);
}

/// Found by schema fuzzing: `otpRequired` and `expiredTime` (AuthenticationTokenPasswordMode and
/// PasswordlessMode in the spec) were ignored whatever their type. They are checked and kept; a
/// token created with `otpRequired` exchanges only with a one-time password.
#[tokio::test]
async fn login_tokens_keep_otp_required_and_their_expiry() {
    let app = spawn_app().await;
    for (field, bad) in [
        ("otpRequired", json!("AAA")),
        ("otpRequired", Value::Null),
        ("expiredTime", json!(0)),
        ("expiredTime", json!({})),
        ("expiredTime", json!("2000-01-01T00:00:00Z")),
    ] {
        let mut body = json!({"mode": "passwordless", "customerId": "cus_1"});
        body[field] = bad.clone();
        let reply = login(&app, body).await;
        assert_eq!(invalid_fields(&reply), [field], "{field}: {bad}");
    }
    let reply = login(
        &app,
        json!({"mode": "passwordless", "customerId": "cus_1", "otpRequired": true, "expiredTime": "2026-01-01T00:30:00Z"}),
    )
    .await;
    let token = reply.rebilly(201, "AuthenticationTokenResponse").clone();
    assert_eq!(token["otpRequired"], true);
    assert_eq!(token["expiredTime"], "2026-01-01T00:30:00Z");
    let value = token["token"].as_str().unwrap();
    let without = exchange(&app, value, json!({})).await;
    assert_eq!(invalid_fields(&without), ["oneTimePassword"]);
    let with = exchange(&app, value, json!({"oneTimePassword": "123456"})).await;
    with.rebilly(201, "CustomerJWT");
}
