//! `GET /__admin/events`: what changes, as server-sent events; cheap and bounded when nobody or a
//! slow client listens; ended when the server stops.

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::kycaid::person;
use crate::common::receiver::WAIT;
use crate::common::{spawn_app, TestApp};
use crate::dashboard::submitted;

/// Server-sent events as `(name, data)`, read from a streaming response.
struct Events {
    stream:
        std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<actix_web::web::Bytes>>>>,
    buffer: String,
}

impl Events {
    async fn open(app: &TestApp) -> Events {
        let response = app
            .request(Method::GET, "/__admin/events")
            .send()
            .await
            .expect("events stream opens");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let mut events = Events {
            stream: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        };
        let (name, data) = events.next().await;
        assert_eq!(
            name, "hello",
            "the first event says the subscription is in place"
        );
        assert_eq!(data["clock"]["frozen"], true);
        events
    }

    /// The next event; fails the test if none comes within `WAIT`.
    async fn next(&mut self) -> (String, Value) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                if frame.starts_with(':') {
                    continue;
                }
                let field = |name: &str| {
                    frame
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .unwrap_or_default()
                        .to_owned()
                };
                let data = serde_json::from_str(&field("data: ")).expect("data is JSON");
                return (field("event: "), data);
            }
            let chunk = tokio::time::timeout(WAIT, self.stream.next())
                .await
                .expect("an event within the wait")
                .expect("the stream stays open")
                .expect("chunk");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// Reads events until one named `name` matches `want`; returns its data.
    async fn until(&mut self, name: &str, want: impl Fn(&Value) -> bool) -> Value {
        loop {
            let (event, data) = self.next().await;
            if event == name && want(&data) {
                return data;
            }
        }
    }
}

#[tokio::test]
async fn events_announce_requests_clock_moves_scheduled_steps_and_webhooks() {
    let app = spawn_app().await;
    let mut events = Events::open(&app).await;
    let (_, id) = submitted(&app, "jane@example.com").await;
    let request = events
        .until("request", |d| d["path"] == "/kycaid/verifications")
        .await;
    assert_eq!(request["provider"], "kycaid");
    assert_eq!(request["method"], "POST");
    assert_eq!(request["status"], 200);
    assert!(request["tenant"].as_str().unwrap().starts_with("kycaid-"));

    app.advance(10).await;
    let clock = events.until("clock", |_| true).await;
    assert_eq!(clock["now"], "2026-01-01T00:00:10Z");
    let state = events.until("state", |d| d["id"] == id.as_str()).await;
    assert_eq!(state["cause"], "scheduled");
    assert_eq!(state["kind"], "verification");
    let delivered = events
        .until("webhook", |d| d["status"] == "delivered")
        .await;
    assert_eq!(delivered["event"], "VERIFICATION_COMPLETED");
}

#[tokio::test]
async fn events_announce_admin_transitions_resets_and_freezing() {
    let app = spawn_app().await;
    let (_, id) = submitted(&app, "jane+manual@example.com").await;
    let mut events = Events::open(&app).await;
    let reply = app
        .admin_post(
            "/transitions",
            json!({"provider": "kycaid", "kind": "verification", "id": id, "to": "approved"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let state = events.until("state", |_| true).await;
    assert_eq!(state["cause"], "transition");
    assert_eq!(state["id"], id.as_str());
    app.admin_post("/clock/resume", json!({})).await;
    assert_eq!(events.until("clock", |_| true).await["frozen"], false);
    app.admin_post("/clock/freeze", json!({})).await;
    assert_eq!(events.until("clock", |_| true).await["frozen"], true);
    app.admin_post("/reset", json!({})).await;
    assert_eq!(events.until("reset", |_| true).await["tenant"], Value::Null);
}

/// Review M5: a restore replaced everything and announced nothing, so an open dashboard kept
/// showing the state from before.
#[tokio::test]
async fn a_restore_announces_a_reset_and_the_restored_clock() {
    let app = spawn_app().await;
    submitted(&app, "jane+restore@example.com").await;
    let snapshot = app.admin_get("/snapshot").await;
    app.advance(60).await;
    let mut events = Events::open(&app).await;
    let reply = app.admin_post("/snapshot/restore", snapshot).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(events.until("reset", |_| true).await["tenant"], Value::Null);
    let clock = events.until("clock", |_| true).await;
    assert_eq!(clock["now"], "2026-01-01T00:00:00Z", "the restored time");
    assert_eq!(clock["frozen"], true);
}

#[tokio::test]
async fn events_announce_fault_rule_changes() {
    let app = spawn_app().await;
    let mut events = Events::open(&app).await;
    let added = app
        .admin_post(
            "/faults",
            json!({"effect": {"type": "drop"}, "probability": 0}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(events.until("faults", |_| true).await["rules"], 1);
    let edited = app
        .send(
            app.request(Method::PUT, "/__admin/faults/flt_1")
                .json(&json!({"effect": {"type": "drop"}, "probability": 0.5})),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(events.until("faults", |_| true).await["rules"], 1);
    app.send(app.request(Method::DELETE, "/__admin/faults/flt_1"))
        .await;
    assert_eq!(events.until("faults", |_| true).await["rules"], 0);
    app.send(app.request(Method::DELETE, "/__admin/faults"))
        .await;
    assert_eq!(events.until("faults", |_| true).await["rules"], 0);
    app.admin_post("/scenarios/reload", json!({})).await;
    assert_eq!(events.until("faults", |_| true).await["rules"], 0);
}

#[tokio::test]
async fn nobody_listening_means_no_subscriber_left_behind() {
    let app = spawn_app().await;
    assert!(!app.sandbox.core.events.has_subscribers());
    let events = Events::open(&app).await;
    assert!(app.sandbox.core.events.has_subscribers());
    drop(events);
    // The server notices the closed connection when it next writes to it; requests make events.
    let noticed = async {
        while app.sandbox.core.events.has_subscribers() {
            person(&app, json!({})).await;
        }
    };
    tokio::time::timeout(WAIT, noticed)
        .await
        .expect("the subscription ends with its client");
}

/// An open dashboard must not hold a graceful stop: on SIGTERM the event stream ends cleanly
/// (a forced stop would cut it off mid-body) and the server exits.
#[test]
fn stopping_the_server_ends_the_event_streams_cleanly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_kyc-sandbox"))
        .args([
            "serve",
            "--port",
            "0",
            "--no-provider-ports",
            "--workers",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let admin = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .find_map(|line| line.strip_prefix("admin   ").map(str::to_owned))
        .expect("the admin line");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ended = runtime.block_on(async {
        let response = reqwest::get(format!("{admin}/events")).await.unwrap();
        let mut stream = response.bytes_stream();
        let hello = stream.next().await.unwrap().unwrap();
        assert!(std::str::from_utf8(&hello)
            .unwrap()
            .starts_with("event: hello"));
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let mut rest = Vec::new();
        while let Some(chunk) = tokio::time::timeout(WAIT, stream.next())
            .await
            .expect("the stream ends")
        {
            rest.push(chunk.map(|_| ()));
        }
        rest
    });
    assert!(
        ended.iter().all(Result::is_ok),
        "the stream ended cleanly, not cut off: {ended:?}"
    );
    assert!(child.wait().unwrap().success());
}
