//! What each effect does to a request: errors in each provider's envelope, latency, a dropped
//! connection, a timeout; and where rules match (method, path glob, both ports).

use crate::common;

use std::time::{Duration, Instant};

use super::{add_fault, error_rule, journal};
use common::kycaid::{self, TOKEN};
use common::{spawn_app, spawn_with, TestApp};
use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn error_rules_answer_in_each_providers_own_envelope_and_serve_nothing() {
    let app = spawn_app().await;
    for provider in ["kycaid", "rebilly", "sumvin", "qolo", "hermes"] {
        add_fault(&app, error_rule(provider, 503)).await;
    }

    let reply = kycaid::post(&app, "/applicants", json!({"type": "PERSON"})).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.body["type"], "internal_error");
    assert!(reply.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("temporarily unavailable"));
    assert_eq!(reply.headers["x-sandbox-fault"], "flt_1");

    let reply = app
        .send(app.rebilly(Method::GET, "key-1", "org-1", "/kyc-documents"))
        .await;
    reply.rebilly_problem(503, "BaseProblem");
    assert_eq!(reply.body["instance"], "/organizations/org-1/kyc-documents");

    let reply = app
        .send(app.sumvin(Method::GET, "pat-1", "/v0/kyc/status"))
        .await;
    reply.sumvin_problem(503, "KYC-503-001");

    let reply = app
        .send(app.request(Method::GET, "/qolo/api/v1/persons"))
        .await;
    assert_eq!(reply.status, 503);
    assert_eq!(
        reply.body["status"], 503,
        "Qolo's ProblemDetails: {}",
        reply.body
    );
    assert!(reply.body["traceId"].is_string(), "{}", reply.body);

    let reply = app
        .send(app.request(Method::POST, "/hermes/mediator/api/get_token"))
        .await;
    assert_eq!(reply.status, 503);
    assert_eq!(
        (
            reply.body["status"].as_str(),
            reply.body["success"].as_bool()
        ),
        (Some("error"), Some(false)),
        "{}",
        reply.body
    );

    // Nothing was served: no tenant came to exist, and each request is journaled with its rule.
    assert_eq!(app.admin_get("/tenants").await["tenants"], json!([]));
    let entries = journal(&app).await;
    assert_eq!(entries.len(), 5);
    assert!(entries.iter().all(|e| e["status"] == 503
        && e["fault"]["effect"] == "error"
        && e["fault"]["answered"] == true));
}

#[tokio::test]
async fn a_429_says_when_to_retry_in_the_providers_rate_limit_shape() {
    let app = spawn_app().await;
    add_fault(
        &app,
        json!({"provider": "kycaid", "effect": {"type": "error", "status": 429, "retry_after": 7}}),
    )
    .await;
    add_fault(&app, error_rule("sumvin", 429)).await;

    let reply = kycaid::get(&app, "/applicants").await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.headers["retry-after"], "7");
    kycaid::assert_error(&reply, 429, "flow", &["limit_exceeded"]);

    let reply = app
        .send(app.sumvin(Method::GET, "pat-1", "/v0/kyc/status"))
        .await;
    reply.sumvin_problem(429, "KYC-429-001-R");
    assert_eq!(reply.headers["retry-after"], "1", "a 429 always says when");
}

#[tokio::test]
async fn rules_match_method_and_path_glob_on_the_prefix_and_on_the_providers_own_port() {
    let app = spawn_with(|c| c.no_provider_ports = false).await;
    add_fault(
        &app,
        json!({"provider": "kycaid", "method": "get", "path": "/applicants/*",
               "effect": {"type": "error", "status": 502}}),
    )
    .await;
    let own_port = &app.ports["kycaid"];
    let get = |url: String| {
        app.client
            .get(url)
            .header("Authorization", format!("Token {TOKEN}"))
    };

    let on_main = app.send(get(app.url("/kycaid/applicants/abc"))).await;
    assert_eq!(on_main.status, 502);
    let on_own = app.send(get(format!("{own_port}/applicants/abc"))).await;
    assert_eq!(on_own.status, 502);
    assert_eq!(on_own.headers["x-sandbox-fault"], "flt_1");

    // Another method, a deeper path and the collection itself are served as usual.
    let listed = app.send(get(format!("{own_port}/applicants"))).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let deeper = app
        .send(get(app.url("/kycaid/applicants/abc/documents")))
        .await;
    assert_ne!(deeper.status, 502);
    let created = kycaid::post(&app, "/applicants/abc", json!({})).await;
    assert_ne!(created.status, 502);

    let rule = app.admin_get("/faults/flt_1").await;
    assert_eq!(
        (rule["matched"].as_u64(), rule["hits"].as_u64()),
        (Some(2), Some(2))
    );
}

#[tokio::test]
async fn latency_delays_a_request_that_is_then_served() {
    let app = spawn_app().await;
    add_fault(
        &app,
        json!({"provider": "kycaid", "path": "/applicants", "effect": {"type": "latency", "ms": 300}}),
    )
    .await;
    let started = Instant::now();
    let reply = kycaid::get(&app, "/applicants").await;
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.headers["x-sandbox-fault"], "flt_1");
    let entry = &journal(&app).await[0];
    assert_eq!(entry["fault"]["effect"], "latency");
    assert!(entry["duration_ms"].as_f64().unwrap() >= 300.0);
}

/// Sends a raw HTTP/1.1 request and reads until the server closes the connection.
async fn raw_exchange(app: &TestApp, request: &str) -> Vec<u8> {
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection")
        .ok();
    answer
}

#[tokio::test]
async fn a_dropped_connection_ends_without_a_status_line() {
    let app = spawn_app().await;
    add_fault(
        &app,
        json!({"provider": "kycaid", "method": "GET", "effect": {"type": "drop"}}),
    )
    .await;
    let answer = raw_exchange(
        &app,
        &format!(
            "GET /kycaid/applicants HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {TOKEN}\r\n\r\n"
        ),
    )
    .await;
    assert!(
        answer.is_empty(),
        "expected end of stream, got {:?}",
        String::from_utf8_lossy(&answer)
    );

    let error = app
        .client
        .get(app.url("/kycaid/applicants"))
        .header("Authorization", format!("Token {TOKEN}"))
        .send()
        .await
        .expect_err("no answer");
    assert!(!error.is_timeout(), "{error}");

    let entry = &journal(&app).await[0];
    assert_eq!(entry["status"], 0, "{entry}");
    assert_eq!(
        entry["fault"],
        json!({"rule": "flt_1", "effect": "drop", "answered": false})
    );
    // Other methods still work on a fresh connection.
    let created = kycaid::post(
        &app,
        "/applicants",
        json!({"type": "PERSON", "first_name": "A", "last_name": "B"}),
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);
}

#[tokio::test]
async fn a_timeout_outlasts_the_clients_own_timeout() {
    let app = spawn_app().await;
    add_fault(
        &app,
        json!({"provider": "kycaid", "effect": {"type": "timeout", "ms": 5000}}),
    )
    .await;
    let started = Instant::now();
    let error = app
        .client
        .get(app.url("/kycaid/applicants"))
        .header("Authorization", format!("Token {TOKEN}"))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("no answer in time");
    assert!(error.is_timeout(), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(300));
}
