//! Webhook subscriptions and signed person events (Qolo's "Webhooks" guide: `x-qolo-signature`
//! is the hex HMAC-SHA256 of the raw payload keyed by the subscription's secret).

use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};

use super::{call, create, details, field_errors, login, CDD, SDD};
use crate::common::receiver::Receiver;
use crate::common::spawn_app;

#[tokio::test]
async fn person_events_reach_the_programs_subscriptions_signed() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let mut receiver = Receiver::start().await;
    let subscribe = |program: &str, path: &str, events: Value| json!({"program_guid": program, "url": receiver.url(path), "secret": "s3cret", "event_type": events, "headers": {"x-team": "kyc"}});
    let created = call(
        &app,
        Method::POST,
        &token,
        "/notifications",
        Some(subscribe(CDD, "/cdd", json!(["all"]))),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let other = call(
        &app,
        Method::POST,
        &token,
        "/notifications",
        Some(subscribe(SDD, "/sdd", json!(["person.created"]))),
    )
    .await;
    assert_eq!(other.status, 201);

    let person = create(&app, &token, CDD, details("Rivera", "123456789")).await;
    let mut events = Vec::new();
    for _ in 0..2 {
        let hook = receiver.next().await;
        assert_eq!(
            hook.target, "/cdd",
            "only the CDD program's subscription hears of it"
        );
        assert_eq!(hook.header("x-team"), "kyc");
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
        mac.update(&hook.body);
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hook.header("x-qolo-signature"), expected);
        let payload: Value = serde_json::from_slice(&hook.body).unwrap();
        assert_eq!(payload["data"]["person_guid"], person["person_guid"]);
        events.push(payload["event_type"].as_str().unwrap().to_owned());
    }
    assert_eq!(events, ["person.created", "person.verification.success"]);
    let update = json!({"person_guid": person["person_guid"], "email": "x@example.com"});
    assert_eq!(
        call(&app, Method::PUT, &token, "/persons", Some(update))
            .await
            .status,
        200
    );
    let updated: Value = serde_json::from_slice(&receiver.next().await.body).unwrap();
    assert_eq!(
        (&updated["event_type"], &updated["data"]["email"]),
        (&json!("person.updated"), &json!("x@example.com"))
    );
}

#[tokio::test]
async fn subscriptions_are_listed_replaced_and_deleted() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let body = json!({"program_guid": CDD, "url": "https://hooks.example.com/qolo", "event_type": ["person.created"]});
    let created = call(&app, Method::POST, &token, "/notifications", Some(body)).await;
    let guid = created.body["notification_guid"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created.body["active"], true);
    let listed = call(&app, Method::GET, &token, "/notifications", None).await;
    assert_eq!(listed.body["count"], 1);
    let replaced = call(&app, Method::PUT, &token, &format!("/notifications/{guid}"), Some(json!({"program_guid": CDD, "url": "https://hooks.example.com/v2", "event_type": ["person.updated"], "active": false}))).await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(
        (&replaced.body["url"], &replaced.body["active"]),
        (&json!("https://hooks.example.com/v2"), &json!(false))
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            &token,
            &format!("/notifications/{guid}"),
            None
        )
        .await
        .body["event_type"],
        json!(["person.updated"])
    );
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &token,
            &format!("/notifications/{guid}"),
            None
        )
        .await
        .status,
        204
    );
    assert_eq!(
        call(
            &app,
            Method::GET,
            &token,
            &format!("/notifications/{guid}"),
            None
        )
        .await
        .status,
        404
    );
    let bad = call(
        &app,
        Method::POST,
        &token,
        "/notifications",
        Some(json!({"program_guid": CDD, "url": "ftp://x", "event_type": ["person.born"]})),
    )
    .await;
    assert_eq!(field_errors(&bad), ["event_type[0]", "url"]);
}
