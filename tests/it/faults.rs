//! Fault injection seen from outside: rules set through `/__admin/faults` make matching provider
//! requests slow, answer errors in the provider's own envelope, cut connections, hold requests
//! past a client's timeout and fail webhook deliveries; seeded, so runs repeat.

use crate::common;

use std::time::{Duration, Instant};

use common::kycaid::{self, OTHER_TOKEN, TOKEN};
use common::receiver::Receiver;
use common::{spawn_app, spawn_with, TestApp};
use kyc_sandbox::core::webhooks::Outbound;
use kyc_sandbox::core::TenantId;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn add_fault(app: &TestApp, rule: Value) -> Value {
    let reply = app.admin_post("/faults", rule).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    common::spec::admin().check("FaultRule", &reply.body);
    reply.body
}

async fn journal(app: &TestApp) -> Vec<Value> {
    app.admin_get("/requests").await["requests"]
        .as_array()
        .unwrap()
        .clone()
}

fn error_rule(provider: &str, status: u16) -> Value {
    json!({"provider": provider, "effect": {"type": "error", "status": status}})
}

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

#[tokio::test]
async fn times_limits_a_rule_and_the_same_seed_hits_the_same_requests() {
    async fn pattern(seed: u64) -> Vec<bool> {
        let app = spawn_with(|c| c.seed = Some(seed)).await;
        add_fault(
            &app,
            json!({"provider": "kycaid", "probability": 0.5, "effect": {"type": "error", "status": 500}}),
        )
        .await;
        let mut hits = Vec::new();
        for _ in 0..24 {
            hits.push(kycaid::get(&app, "/applicants").await.status == 500);
        }
        let rule = app.admin_get("/faults/flt_1").await;
        assert_eq!(rule["matched"], 24);
        assert_eq!(
            rule["hits"].as_u64().unwrap() as usize,
            hits.iter().filter(|h| **h).count()
        );
        hits
    }
    let first = pattern(42).await;
    assert_eq!(first, pattern(42).await, "same seed, same failures");
    assert_ne!(first, pattern(43).await);
    assert!(first.contains(&true) && first.contains(&false), "{first:?}");

    let app = spawn_app().await;
    add_fault(
        &app,
        json!({"provider": "kycaid", "times": 2, "effect": {"type": "error", "status": 503}}),
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(kycaid::get(&app, "/applicants").await.status.as_u16());
    }
    assert_eq!(statuses, [503, 503, 200]);
    let rule = app.admin_get("/faults/flt_1").await;
    assert_eq!(
        (rule["hits"].as_u64(), rule["remaining"].as_u64()),
        (Some(2), Some(0))
    );
}

#[tokio::test]
async fn a_tenant_rule_hits_only_that_tenants_requests() {
    let app = spawn_app().await;
    let tenant = TenantId::derive("kycaid", &[OTHER_TOKEN]);
    add_fault(
        &app,
        json!({"tenant": tenant.as_str(), "effect": {"type": "error", "status": 500}}),
    )
    .await;
    assert_eq!(kycaid::get(&app, "/applicants").await.status, 200);
    let other = app
        .send(kycaid::kyc_as(
            &app,
            OTHER_TOKEN,
            Method::GET,
            "/applicants",
        ))
        .await;
    assert_eq!(other.status, 500);
    // The journal names the tenant even though no handler ran.
    assert_eq!(journal(&app).await[0]["tenant"], tenant.as_str());
}

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

#[tokio::test]
async fn the_admin_api_lists_shows_removes_and_refuses_rules() {
    let app = spawn_app().await;
    let rule = add_fault(
        &app,
        json!({"provider": "sumvin", "method": "POST", "path": "/v0/kyc/**", "probability": 0.25,
               "times": 3, "description": "flaky uploads",
               "effect": {"type": "latency", "ms": 100, "max_ms": 200}}),
    )
    .await;
    assert_eq!(rule["id"], "flt_1");
    assert_eq!(rule["source"], "api");
    assert_eq!(rule["remaining"], 3);
    add_fault(&app, json!({"effect": {"type": "drop"}, "probability": 0})).await;

    let listed = app.admin_get("/faults").await;
    common::spec::admin().check_response("/__admin/faults", "get", "200", &listed);
    let ids: Vec<_> = listed["faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, [json!("flt_1"), json!("flt_2")]);

    for (bad, says) in [
        (
            json!({"effect": {"type": "error", "status": 404}}),
            "answers one of",
        ),
        (
            json!({"provider": "acme", "effect": {"type": "drop"}}),
            "unknown provider `acme`",
        ),
        (
            json!({"probability": 2, "effect": {"type": "drop"}}),
            "between 0 and 1",
        ),
        (
            json!({"path": "applicants", "effect": {"type": "drop"}}),
            "must start with `/`",
        ),
        (
            json!({"effect": {"type": "explode"}}),
            "unknown variant `explode`",
        ),
        (
            json!({"effect": {"type": "webhook_failure"}, "path": "/x"}),
            "a webhook_failure rule",
        ),
        (
            json!({"effect": {"type": "timeout", "ms": 3_600_000}}),
            "at most",
        ),
        (json!({"provider": "kycaid"}), "missing field `effect`"),
    ] {
        let reply = app.admin_post("/faults", bad.clone()).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        common::spec::admin().check("Error", &reply.body);
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{bad}: {message}");
    }

    // An edit keeps the id and the place in the order; the counters start again.
    let edited = app
        .send(
            app.request(Method::PUT, "/__admin/faults/flt_1")
                .json(&json!({"provider": "qolo", "effect": {"type": "error", "status": 500}})),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    common::spec::admin().check("FaultRule", &edited.body);
    assert_eq!(
        (edited.body["id"].as_str(), edited.body["provider"].as_str()),
        (Some("flt_1"), Some("qolo"))
    );
    let bad_edit = app
        .send(
            app.request(Method::PUT, "/__admin/faults/flt_1")
                .json(&json!({"effect": {}})),
        )
        .await;
    assert_eq!(bad_edit.status, 400);
    assert_eq!(app.admin_get("/health").await["fault_rules"], 2);

    let missing = app
        .send(app.request(Method::GET, "/__admin/faults/flt_9"))
        .await;
    assert_eq!(missing.status, 404);
    let cleared = app
        .send(app.request(Method::DELETE, "/__admin/faults"))
        .await;
    assert_eq!(cleared.body, json!({"removed": 2}));
    assert_eq!(app.admin_get("/faults").await["faults"], json!([]));
    // Ids are not reused after a clear.
    let next = add_fault(&app, json!({"effect": {"type": "drop"}, "probability": 0})).await;
    assert_eq!(next["id"], "flt_3");
}

#[tokio::test]
async fn faults_files_load_with_the_scenarios_and_reload_with_them() {
    let dir = std::env::temp_dir().join(format!("kyc-sandbox-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("flaky.yaml");
    std::fs::write(
        &file,
        "description: KYCAID applicants are slow to create\nfaults:\n  - provider: kycaid\n    method: POST\n    path: /applicants\n    effect: { type: error, status: 502 }\n",
    )
    .unwrap();
    let scenarios = dir.clone();
    let app = spawn_with(move |c| c.scenarios = Some(scenarios)).await;

    let rules = app.admin_get("/faults").await["faults"].clone();
    assert_eq!(rules[0]["source"], file.display().to_string());
    let reply = kycaid::post(&app, "/applicants", json!({"type": "PERSON"})).await;
    assert_eq!(reply.status, 502);

    // A reload replaces the file's rules and keeps those added through the API.
    add_fault(
        &app,
        json!({"provider": "sumvin", "effect": {"type": "drop"}, "probability": 0}),
    )
    .await;
    std::fs::write(
        &file,
        "faults:\n  - provider: qolo\n    effect: { type: latency, ms: 1 }\n",
    )
    .unwrap();
    let reloaded = app.admin_post("/scenarios/reload", json!({})).await;
    assert_eq!(reloaded.status, 200, "{}", reloaded.body);
    let providers: Vec<_> = app.admin_get("/faults").await["faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["provider"].clone())
        .collect();
    assert_eq!(providers, [json!("sumvin"), json!("qolo")]);

    // A bad rule is reported with its file and line, and the rules in force stay.
    std::fs::write(&file, "faults:\n  - effect: { type: error, status: 418 }\n").unwrap();
    let refused = app.admin_post("/scenarios/reload", json!({})).await;
    assert_eq!(refused.status, 422);
    let details = refused.body["error"]["details"][0].as_str().unwrap();
    assert!(
        details.contains("flaky.yaml:1:1: faults[0]: an error effect"),
        "{details}"
    );
    assert_eq!(
        app.admin_get("/faults").await["faults"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// One request per provider as credential `who` (0 or 1), through the provider's real auth.
async fn call_as(app: &TestApp, provider: &str, who: usize) -> common::Reply {
    match provider {
        "kycaid" => {
            let token = [TOKEN, OTHER_TOKEN][who];
            app.send(kycaid::kyc_as(app, token, Method::GET, "/applicants"))
                .await
        }
        "rebilly" => {
            let org = ["org-a", "org-b"][who];
            app.send(app.rebilly(Method::GET, "key-1", org, "/kyc-documents"))
                .await
        }
        "sumvin" => {
            app.send(app.sumvin(Method::GET, ["pat-a", "pat-b"][who], "/v0/kyc/status"))
                .await
        }
        "qolo" => {
            let token = crate::qolo::login(app, ["login-a", "login-b"][who]).await;
            app.send(
                app.request(Method::GET, "/qolo/api/v1/notifications")
                    .bearer_auth(token),
            )
            .await
        }
        "hermes" => {
            let signer = crate::hermes::Signer {
                client: crate::hermes::CLIENT,
                secret: crate::hermes::SECRET,
            };
            if who == 0 {
                signer
                    .post(
                        app,
                        crate::hermes::GET_TOKEN,
                        &json!({"code": "x"}),
                        &format!("n-{}", rand_nonce()),
                    )
                    .await
            } else {
                // No credential at all: never any tenant's.
                app.send(
                    app.request(Method::POST, crate::hermes::GET_TOKEN)
                        .json(&json!({"code": "x"})),
                )
                .await
            }
        }
        other => panic!("no provider {other}"),
    }
}

fn rand_nonce() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[tokio::test]
async fn tenant_rules_agree_with_each_providers_own_credentials() {
    let app = spawn_app().await;
    for provider in ["kycaid", "rebilly", "sumvin", "qolo", "hermes"] {
        let served = call_as(&app, provider, 0).await;
        let tenant = served
            .headers
            .get("x-sandbox-tenant")
            .unwrap_or_else(|| panic!("{provider}: {} {}", served.status, served.body))
            .to_str()
            .unwrap()
            .to_owned();
        add_fault(
            &app,
            json!({"tenant": tenant, "effect": {"type": "error", "status": 500}}),
        )
        .await;
        let faulted = call_as(&app, provider, 0).await;
        assert_eq!(faulted.status, 500, "{provider}: {}", faulted.body);
        assert!(
            faulted.headers.contains_key("x-sandbox-fault"),
            "{provider}"
        );
        let other = call_as(&app, provider, 1).await;
        assert!(
            !other.headers.contains_key("x-sandbox-fault"),
            "{provider}: another credential is another tenant"
        );
        app.send(app.request(Method::DELETE, "/__admin/faults"))
            .await;
    }
}
