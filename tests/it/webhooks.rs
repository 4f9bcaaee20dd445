//! Outbound webhooks seen from outside: a local receiver gets what the dispatcher sends, failures
//! retry on the sandbox clock, and the admin API lists, shows, redelivers and resets deliveries.

use crate::common;

use std::sync::Arc;
use std::time::Duration as StdDuration;

use base64::Engine as _;
use common::receiver::{closed_port_url, Receiver, WAIT};
use common::{spawn_app, spawn_with, TestApp, T0};
use hmac::{Hmac, Mac};
use kyc_sandbox::core::webhooks::{
    basic_auth, DeliveryStatus, Dispatcher, HmacAlgorithm, HmacSigner, Outbound, RetryPolicy,
    SignatureEncoding, SignedInput,
};
use kyc_sandbox::core::{Clock, ClockMode, TenantId};
use reqwest::Method;
use serde_json::{json, Value};

const TOKEN: &str = "28c6f7cc0345a04eee0b535039b1c5a62547";

fn hook(tenant: &str, event: &str, url: &str) -> Outbound {
    Outbound::json(
        "demo",
        TenantId::parse(tenant),
        event,
        url,
        &json!({"type": event, "tenant": tenant}),
    )
}

/// Polls the delivery until `done` holds, for at most `WAIT`.
async fn wait_for(app: &TestApp, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let view = app.admin_get(&format!("/webhooks/{id}")).await;
        if done(&view) {
            return view;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "delivery {id} never got there: {view:#}"
        );
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
}

/// Waits until no attempt is in flight and `attempts` have finished (snapshot tests use it too).
pub(crate) async fn settled(app: &TestApp, id: &str, attempts: usize) -> Value {
    wait_for(app, id, |v| {
        v["status"] != "pending" && v["attempts"].as_array().map(Vec::len) == Some(attempts)
    })
    .await
}

#[tokio::test]
async fn a_delivery_reaches_the_receiver_with_headers_signature_and_body() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let signer = HmacSigner::new(
        "x-data-integrity",
        TOKEN,
        HmacAlgorithm::Sha512,
        SignedInput::Base64Body,
        SignatureEncoding::Hex,
    );
    let id = app.sandbox.core.webhooks.enqueue(
        hook("tenant-a", "THING_CHANGED", &receiver.url("/hooks?x=1"))
            .with_header_pair(basic_auth("user", "secret"))
            .with_header("X-Custom", "custom value")
            .with_signer(Arc::new(signer)),
    );
    assert_eq!(id, "whd_1");

    let got = receiver.next().await;
    assert_eq!(got.method, "POST");
    assert_eq!(got.target, "/hooks?x=1");
    let body: Value = serde_json::from_slice(&got.body).unwrap();
    assert_eq!(body, json!({"type": "THING_CHANGED", "tenant": "tenant-a"}));
    assert_eq!(
        got.header("content-type"),
        "application/json; charset=utf-8"
    );
    assert_eq!(
        got.header("user-agent"),
        format!("kyc-sandbox/{}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(got.header("authorization"), "Basic dXNlcjpzZWNyZXQ=");
    assert_eq!(got.header("x-custom"), "custom value");
    // The signature covers the exact bytes received.
    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(TOKEN.as_bytes()).unwrap();
    mac.update(
        base64::engine::general_purpose::STANDARD
            .encode(&got.body)
            .as_bytes(),
    );
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(got.header("x-data-integrity"), expected);

    let view = settled(&app, &id, 1).await;
    assert_eq!(view["id"], id);
    assert_eq!(view["provider"], "demo");
    assert_eq!(view["tenant"], "tenant-a");
    assert_eq!(view["event"], "THING_CHANGED");
    assert_eq!(view["url"], receiver.url("/hooks?x=1"));
    assert_eq!(view["method"], "POST");
    assert_eq!(view["status"], "delivered");
    assert_eq!(view["nextAttemptAt"], Value::Null);
    assert_eq!(view["createdAt"], T0);
    assert_eq!(view["body"], body);
    assert_eq!(view["requestHeaders"]["x-data-integrity"], expected);
    assert_eq!(view["requestHeaders"]["x-custom"], "custom value");
    let attempt = &view["attempts"][0];
    assert_eq!(attempt["number"], 1);
    assert_eq!(attempt["at"], T0);
    assert_eq!(attempt["status"], 200);
    assert_eq!(attempt["responseBody"], "ok");
    assert!(attempt["durationMs"].is_u64());
    assert!(attempt.get("error").is_none(), "{attempt}");
}

#[tokio::test]
async fn a_500_retries_after_the_backoff_on_the_sandbox_clock() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let long_answer = format!("boom{}", "x".repeat(3000));
    receiver.answer(500, &long_answer);
    let id = app
        .sandbox
        .core
        .webhooks
        .enqueue(hook("t", "e", &receiver.url("/hook")));
    receiver.next().await;
    let view = settled(&app, &id, 1).await;
    assert_eq!(view["status"], "retrying");
    assert_eq!(view["nextAttemptAt"], "2026-01-01T00:01:00Z");
    assert_eq!(view["attempts"][0]["status"], 500);
    let kept = view["attempts"][0]["responseBody"].as_str().unwrap();
    assert_eq!(kept.len(), 1024, "the first 1024 bytes of the answer");
    assert!(kept.starts_with("boom"));

    receiver.answer(204, "");
    assert_eq!(app.advance(59).await["webhook_retries"], 0);
    let early = app.admin_get(&format!("/webhooks/{id}")).await;
    assert_eq!(early["status"], "retrying", "not due yet: {early}");
    assert_eq!(early["attempts"].as_array().unwrap().len(), 1);

    let advanced = app.advance(1).await;
    assert_eq!(
        advanced["webhook_retries"], 1,
        "the advance counts the retry it started"
    );
    let now_due = app.admin_get(&format!("/webhooks/{id}")).await;
    assert!(
        now_due["status"] == "pending" || now_due["attempts"].as_array().unwrap().len() == 2,
        "the advance started the retry: {now_due}"
    );
    receiver.next().await;
    let view = settled(&app, &id, 2).await;
    assert_eq!(view["status"], "delivered");
    assert_eq!(view["nextAttemptAt"], Value::Null);
    assert_eq!(view["attempts"][1]["number"], 2);
    assert_eq!(view["attempts"][1]["at"], "2026-01-01T00:01:00Z");
    assert_eq!(view["attempts"][1]["status"], 204);
}

#[tokio::test]
async fn a_refused_connection_retries_until_the_schedule_runs_out() {
    let app = spawn_app().await;
    let id = app
        .sandbox
        .core
        .webhooks
        .enqueue(hook("t", "e", &closed_port_url()));
    let schedule = [60, 5 * 60, 30 * 60, 2 * 3600, 6 * 3600];
    let mut elapsed = 0;
    for (n, delay) in schedule.iter().enumerate() {
        let view = settled(&app, &id, n + 1).await;
        assert_eq!(view["status"], "retrying", "{view:#}");
        let error = view["attempts"][n]["error"].as_str().unwrap();
        assert!(error.to_lowercase().contains("refused"), "{error}");
        assert!(view["attempts"][n].get("status").is_none());
        elapsed += delay;
        let due =
            chrono::DateTime::parse_from_rfc3339(T0).unwrap() + chrono::Duration::seconds(elapsed);
        assert_eq!(
            view["nextAttemptAt"],
            due.to_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        );
        app.advance(*delay as u64).await;
    }
    let view = settled(&app, &id, 6).await;
    assert_eq!(view["status"], "failed");
    assert_eq!(view["nextAttemptAt"], Value::Null);
    let numbers: Vec<_> = view["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["number"].as_u64().unwrap())
        .collect();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
    app.advance(24 * 3600).await;
    let later = app.admin_get(&format!("/webhooks/{id}")).await;
    assert_eq!(later["attempts"].as_array().unwrap().len(), 6, "no more");
}

#[tokio::test]
async fn redeliver_makes_one_more_attempt_now() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let id = app
        .sandbox
        .core
        .webhooks
        .enqueue(hook("t", "e", &receiver.url("/hook")));
    let first = receiver.next().await;
    settled(&app, &id, 1).await;

    let reply = app
        .admin_post(&format!("/webhooks/{id}/redeliver"), json!({}))
        .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.body["id"], id);
    assert_eq!(reply.body["status"], "pending");
    let second = receiver.next().await;
    assert_eq!(second.body, first.body, "the same bytes again");
    let view = settled(&app, &id, 2).await;
    assert_eq!(view["status"], "delivered");
    assert_eq!(view["attempts"][1]["number"], 2);

    for path in ["/webhooks/whd_999/redeliver", "/webhooks/nope/redeliver"] {
        let missing = app.admin_post(path, json!({})).await;
        assert_eq!(missing.status, 404);
        assert_eq!(missing.body["error"]["status"], 404);
    }
}

#[tokio::test]
async fn unknown_deliveries_are_404_in_the_admin_envelope() {
    let app = spawn_app().await;
    for path in ["/__admin/webhooks/whd_1", "/__admin/webhooks/whatever"] {
        let reply = app.send(app.request(Method::GET, path)).await;
        assert_eq!(reply.status, 404);
        assert_eq!(reply.body["error"]["status"], 404);
        assert!(reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no webhook delivery"));
    }
    let index = app.admin_get("").await;
    let endpoints = index["endpoints"].as_array().unwrap();
    assert!(endpoints.contains(&json!("POST /__admin/webhooks/{id}/redeliver")));
}

#[tokio::test]
async fn the_log_filters_newest_first_and_reset_clears_it() {
    let app = spawn_app().await;
    let mut receiver = Receiver::start().await;
    let webhooks = &app.sandbox.core.webhooks;
    let ok = receiver.url("/ok");
    let a1 = webhooks.enqueue(hook("t1", "created", &ok));
    let a2 = webhooks.enqueue(hook("t1", "accepted", &closed_port_url()));
    let b1 = webhooks.enqueue(Outbound::json(
        "other",
        TenantId::parse("t2"),
        "created",
        &ok,
        &json!({}),
    ));
    receiver.next().await;
    receiver.next().await;
    for id in [&a1, &a2, &b1] {
        settled(&app, id, 1).await;
    }

    let (a1, a2, b1) = (a1.as_str(), a2.as_str(), b1.as_str());
    let ids = |body: &Value| -> Vec<String> {
        body["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app.admin_get("/webhooks").await;
    assert_eq!(ids(&all), [b1, a2, a1], "newest first");
    assert_eq!(ids(&app.admin_get("/webhooks?limit=1").await), [b1]);
    assert_eq!(
        ids(&app.admin_get("/webhooks?provider=demo").await),
        [a2, a1]
    );
    assert_eq!(ids(&app.admin_get("/webhooks?tenant=t2").await), [b1]);
    assert_eq!(
        ids(&app.admin_get("/webhooks?event=created").await),
        [b1, a1]
    );
    assert_eq!(ids(&app.admin_get("/webhooks?status=retrying").await), [a2]);
    assert_eq!(
        ids(&app.admin_get("/webhooks?status=delivered&tenant=t1").await),
        [a1]
    );
    let bad = app
        .send(app.request(Method::GET, "/__admin/webhooks?status=lost"))
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("unknown delivery status"));
    assert_eq!(app.admin_get("/health").await["webhook_deliveries"], 3);

    app.admin_post("/reset?tenant=t1", json!({})).await;
    assert_eq!(ids(&app.admin_get("/webhooks").await), [b1]);
    assert_eq!(
        app.sandbox.core.webhooks.next_due(),
        None,
        "a2's retry went"
    );
    app.admin_post("/reset", json!({})).await;
    assert!(ids(&app.admin_get("/webhooks").await).is_empty());
    assert!(receiver.try_next().is_none(), "nothing else was sent");
}

#[tokio::test]
async fn the_log_keeps_at_most_webhook_log_size_deliveries() {
    let app = spawn_with(|c| c.webhook_log_size = 2).await;
    let url = closed_port_url();
    let ids: Vec<String> = (0..3)
        .map(|i| {
            app.sandbox
                .core
                .webhooks
                .enqueue(hook("t", &format!("e{i}"), &url))
        })
        .collect();
    let listed = app.admin_get("/webhooks").await;
    let listed: Vec<_> = listed["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].clone())
        .collect();
    assert_eq!(listed, [json!(ids[2]), json!(ids[1])], "the oldest went");
}

#[tokio::test]
async fn an_invalid_url_fails_at_once_without_a_request() {
    let app = spawn_app().await;
    let id = app
        .sandbox
        .core
        .webhooks
        .enqueue(hook("t", "e", "not a url"));
    let view = app.admin_get(&format!("/webhooks/{id}")).await;
    assert_eq!(view["status"], "failed");
    assert!(view["attempts"][0]["error"]
        .as_str()
        .unwrap()
        .contains("invalid webhook URL"));
}

/// A receiver that accepts connections and never answers: the attempt times out.
#[tokio::test]
async fn a_silent_receiver_times_out_and_retries() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (hold, mut held) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let _ = hold.send(socket);
        }
    });
    let clock = Arc::new(Clock::new(
        format!("frozen:{T0}").parse::<ClockMode>().unwrap(),
    ));
    let policy = RetryPolicy {
        attempt_timeout: StdDuration::from_millis(200),
        ..RetryPolicy::default()
    };
    let dispatcher = Arc::new(Dispatcher::new(clock, policy, 10));
    assert!(dispatcher.spawn_sender().unwrap());
    assert!(!dispatcher.spawn_sender().unwrap(), "only one sender");
    let id = dispatcher.enqueue(hook("t", "e", &url));
    let _socket = tokio::time::timeout(WAIT, held.recv()).await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    let view = loop {
        let view = dispatcher.get(&id).unwrap();
        if view.status != DeliveryStatus::Pending {
            break view;
        }
        assert!(tokio::time::Instant::now() < deadline, "{view:?}");
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    };
    assert_eq!(view.status, DeliveryStatus::Retrying);
    assert_eq!(
        view.attempts[0].error.as_deref(),
        Some("timed out after 200ms")
    );
    assert!(view.attempts[0].duration_ms >= 200);
}

/// Events for one receiver leave in the order they happened: the second is sent only once the
/// first has been answered, however slow the receiver is. Other receivers do not wait.
#[tokio::test]
async fn deliveries_to_one_receiver_leave_in_event_order() {
    let app = spawn_app().await;
    let mut slow = Receiver::start().await;
    let mut other = Receiver::start().await;
    slow.stall_next(std::time::Duration::from_millis(400));
    let webhooks = &app.sandbox.core.webhooks;
    webhooks.enqueue(hook("tenant-a", "FIRST", &slow.url("/hook")));
    webhooks.enqueue(hook("tenant-a", "SECOND", &slow.url("/hook")));
    webhooks.enqueue(hook("tenant-a", "ELSEWHERE", &other.url("/hook")));

    let first = slow.next().await;
    let elsewhere = other.next().await;
    let second = slow.next().await;
    let event = |r: &crate::common::receiver::Received| {
        serde_json::from_slice::<Value>(&r.body).unwrap()["type"].clone()
    };
    assert_eq!(
        (event(&first), event(&second)),
        (json!("FIRST"), json!("SECOND"))
    );
    assert!(
        second.arrived.duration_since(first.arrived) >= std::time::Duration::from_millis(350),
        "the second left before the first was answered"
    );
    assert!(
        elsewhere.arrived < first.arrived + std::time::Duration::from_millis(350),
        "another receiver waited for the slow one"
    );
}
