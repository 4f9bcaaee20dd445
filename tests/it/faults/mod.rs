//! Fault injection seen from outside: rules set through `/__admin/faults` make matching provider
//! requests slow, answer errors in the provider's own envelope, cut connections, hold requests
//! past a client's timeout and fail webhook deliveries; seeded, so runs repeat.

mod admin;
mod effects;
mod selection;
mod webhooks;

use crate::common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

pub async fn add_fault(app: &TestApp, rule: Value) -> Value {
    let reply = app.admin_post("/faults", rule).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    common::spec::admin().check("FaultRule", &reply.body);
    reply.body
}

pub async fn journal(app: &TestApp) -> Vec<Value> {
    app.admin_get("/requests").await["requests"]
        .as_array()
        .unwrap()
        .clone()
}

pub fn error_rule(provider: &str, status: u16) -> Value {
    json!({"provider": provider, "effect": {"type": "error", "status": status}})
}
