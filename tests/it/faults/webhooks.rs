//! `webhook_failure` rules: attempts fail without reaching the receiver.

use crate::common;

use super::add_fault;
use common::receiver::Receiver;
use common::spawn_app;
use kyc_sandbox::core::webhooks::Outbound;
use kyc_sandbox::core::TenantId;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn webhook_failure_rules_fail_attempts_until_the_delivery_fails_then_redelivery_works() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    add_fault(
        &app,
        json!({"tenant": "tenant-w", "event": "THING_CHANGED",
               "effect": {"type": "webhook_failure", "status": 503}}),
    )
    .await;
    let hook = |tenant: &str| {
        Outbound::json(
            "kycaid",
            TenantId::parse(tenant),
            "THING_CHANGED",
            receiver.url("/hook"),
            &json!({"n": 1}),
        )
    };
    let id = app.sandbox.core.webhooks.enqueue(hook("tenant-w"));
    let view = app.admin_get(&format!("/webhooks/{id}")).await;
    assert_eq!(view["status"], "retrying", "{view:#}");
    assert_eq!(view["attempts"][0]["status"], 503);
    assert!(view["attempts"][0]["error"]
        .as_str()
        .unwrap()
        .starts_with("fault flt_1"));
    // Retries follow on the sandbox clock, each failing the same way, until the delivery fails.
    for _ in 0..5 {
        app.advance(6 * 3600).await;
    }
    let view = app.admin_get(&format!("/webhooks/{id}")).await;
    assert_eq!(view["status"], "failed", "{view:#}");
    assert_eq!(view["attempts"].as_array().unwrap().len(), 6);

    // Another tenant's deliveries are not touched; without the rule a redelivery goes through.
    app.sandbox.core.webhooks.enqueue(hook("tenant-x"));
    assert_eq!(receiver.next().await.target, "/hook");
    let removed = app
        .send(app.request(Method::DELETE, "/__admin/faults/flt_1"))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    app.admin_post(&format!("/webhooks/{id}/redeliver"), json!({}))
        .await;
    assert_eq!(receiver.next().await.target, "/hook");
}
