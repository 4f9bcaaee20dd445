//! The dashboard: live events (`GET /__admin/events`), the HTML pages, and the admin JSON they
//! read (resource counts, one resource with its decisions and timeline, journal filters).

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::kycaid::{self, passport, person, verification};
use crate::common::receiver::WAIT;
use crate::common::{spawn_app, TestApp};

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

/// A KYCAID person with a passport, submitted with its callbacks sent to the admin webhook sink.
async fn submitted(app: &TestApp, email: &str) -> (String, String) {
    let applicant = person(app, json!({"email": email})).await;
    passport(app, &applicant, "AB123456").await;
    let id = verification(
        app,
        json!({"applicant_id": applicant, "callback_url": app.url("/__admin/webhook-sink/kycaid")}),
    )
    .await;
    (applicant, id)
}

async fn tenant_of(app: &TestApp, provider: &str) -> String {
    let tenants = app.admin_get("/tenants").await;
    tenants["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["provider"] == provider)
        .map(|t| t["tenant"].as_str().unwrap().to_owned())
        .expect("a tenant of the provider")
}

async fn html(app: &TestApp, path: &str) -> String {
    let response = app
        .request(Method::GET, path)
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8",
        "GET {path}"
    );
    response.text().await.unwrap()
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

#[tokio::test]
async fn admin_index_is_json_for_clients_and_the_dashboard_for_browsers() {
    let app = spawn_app().await;
    for path in ["/__admin", "/"] {
        let reply = app.send(app.request(Method::GET, path)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["name"], "kyc-sandbox", "{path} stays JSON");
        let endpoints = reply.body["endpoints"].as_array().unwrap();
        assert!(endpoints.contains(&json!("GET /__admin/events")));
        let page = html(&app, path).await;
        assert!(
            page.contains("<title>Tenants · kyc-sandbox</title>"),
            "{path}"
        );
        assert!(page.contains(r#"id="live""#));
    }
    let page = html(&app, "/__admin/").await;
    assert!(page.contains("No tenants yet"));
    assert!(page.contains(r#"data-url="/__admin/reset""#));
}

#[tokio::test]
async fn every_page_shows_what_the_admin_api_knows() {
    let app = spawn_app().await;
    let (applicant, pending) = submitted(&app, "jane+manual@example.com").await;
    let (_, approved) = submitted(&app, "john@example.com").await;
    app.advance(10).await;
    let tenant = tenant_of(&app, "kycaid").await;

    let overview = html(&app, "/__admin/").await;
    assert!(overview.contains(&format!(r#"href="/__admin/ui/tenants/{tenant}""#)));
    assert!(overview.contains("verifications 2"), "resource counts");

    let page = html(&app, &format!("/__admin/ui/tenants/{tenant}")).await;
    assert!(page.contains(&applicant));
    assert!(page.contains(r#"<span class="badge wait">pending</span>"#));
    assert!(page.contains(r#"<span class="badge good">completed</span>"#));
    let approve = json!({"provider": "kycaid", "kind": "verification", "id": pending,
                         "to": "approved", "tenant": tenant});
    assert!(
        page.contains(&format!(
            r#"data-url="/__admin/transitions" data-body="{}">Approve</button>"#,
            attr(&approve)
        )),
        "the pending verification has an Approve button with the exact admin call"
    );
    assert_eq!(
        page.matches(">Approve</button>").count(),
        2,
        "only the pending verification and its unchecked passport can be decided"
    );

    let page = html(
        &app,
        &format!("/__admin/ui/tenants/{tenant}/verifications/{approved}"),
    )
    .await;
    assert!(
        page.contains("POST /kycaid/verifications → 200"),
        "timeline"
    );
    assert!(page.contains("VERIFICATION_COMPLETED"), "its webhook");

    let page = html(&app, "/__admin/ui/requests?provider=kycaid&status=2xx").await;
    assert!(page.contains("/verifications"));
    assert!(page.contains(r#"<option selected>kycaid</option>"#));
    let page = html(&app, "/__admin/ui/webhooks").await;
    assert!(page.contains("VERIFICATION_COMPLETED"));
    assert!(page.contains("x-data-integrity"), "the signature header");
    assert!(page.contains("/redeliver"));
    let page = html(&app, "/__admin/ui/scenarios").await;
    assert!(page.contains("kycaid-manual-review"));
    let page = html(&app, "/__admin/ui/clock").await;
    assert!(page.contains("2026-01-01T00:00:10Z"));
    assert!(page.contains(r#"data-body="{&quot;duration&quot;:&quot;1d&quot;}">+1 day</button>"#));
    assert!(page.contains(">Resume</button>"), "the clock is frozen");
}

/// `value` as the dashboard writes it into a `data-body` attribute.
fn attr(value: &Value) -> String {
    value
        .to_string()
        .replace('&', "&amp;")
        .replace('"', "&quot;")
}

#[tokio::test]
async fn pages_escape_what_clients_sent() {
    let app = spawn_app().await;
    let script = "<script>alert(1)</script>";
    let reply = app
        .reb_json(
            Method::PUT,
            "/customers/cus_x",
            json!({"primaryAddress": {"firstName": script, "lastName": "Roe"}}),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.body);
    let tenant = tenant_of(&app, "rebilly").await;
    let customer = html(
        &app,
        &format!("/__admin/ui/tenants/{tenant}/customers/cus_x"),
    )
    .await;
    let requests = html(&app, "/__admin/ui/requests").await;
    for page in [customer, requests] {
        assert!(!page.contains("<script>alert(1)"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}

#[tokio::test]
async fn a_resource_with_its_decisions_and_timeline() {
    let app = spawn_app().await;
    let (_, pending) = submitted(&app, "jane+manual@example.com").await;
    let (_, scheduled) = submitted(&app, "john@example.com").await;
    let tenant = tenant_of(&app, "kycaid").await;

    let spec = crate::common::spec::admin();
    let counts = app.admin_get("/tenants?counts=true").await;
    spec.check_response("/__admin/tenants", "get", "200", &counts);
    assert_eq!(counts["tenants"][0]["resources"]["verifications"], 2);
    assert_eq!(counts["tenants"][0]["resources"]["applicants"], 2);
    assert!(app.admin_get("/tenants").await["tenants"][0]
        .get("resources")
        .is_none());

    let path = format!("/tenants/{tenant}/resources/verifications/{scheduled}");
    let body = app.admin_get(&path).await;
    spec.check_response(
        "/__admin/tenants/{tenant}/resources/{collection}/{id}",
        "get",
        "200",
        &body,
    );
    assert_eq!(body["status"], "pending");
    assert_eq!(body["kind"], "verification");
    let scheduled_steps = body["timeline"]["scheduled"].as_array().unwrap();
    assert_eq!(scheduled_steps[0]["at"], "2026-01-01T00:00:10Z");
    assert_eq!(body["timeline"]["past"][0]["type"], "request");

    let body = app
        .admin_get(&format!(
            "/tenants/{tenant}/resources/verifications/{pending}"
        ))
        .await;
    let labels: Vec<_> = body["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Approve", "Decline"]);
    let reply = app
        .admin_post("/transitions", body["actions"][0]["request"].clone())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let after = kycaid::verification_of(&app, &pending).await;
    assert_eq!(after["verified"], true);
    let body = app
        .admin_get(&format!(
            "/tenants/{tenant}/resources/verifications/{pending}"
        ))
        .await;
    assert_eq!(
        body["actions"],
        json!([]),
        "decided: nothing left to decide"
    );

    for missing in [
        format!("/__admin/tenants/{tenant}/resources/verifications/nope"),
        "/__admin/tenants/kycaid-000000000000/resources/verifications/x".into(),
    ] {
        let reply = app.send(app.request(Method::GET, &missing)).await;
        assert_eq!(reply.status, 404);
        assert_eq!(reply.body["error"]["status"], 404);
    }
}

#[tokio::test]
async fn the_journal_filters_by_status_and_shows_one_entry() {
    let app = spawn_app().await;
    person(&app, json!({})).await;
    let missing = kycaid::get(&app, &format!("/applicants/{}", "f".repeat(36))).await;
    assert_eq!(missing.status, 404);
    let failed = app.admin_get("/requests?status=4xx").await;
    let failed = failed["requests"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    let id = failed[0]["id"].as_u64().unwrap();
    let one = app.admin_get(&format!("/requests/{id}")).await;
    crate::common::spec::admin().check_response("/__admin/requests/{id}", "get", "200", &one);
    assert_eq!(one["status"], 404);
    assert!(one["path"]
        .as_str()
        .unwrap()
        .starts_with("/kycaid/applicants/fff"));
    assert_eq!(
        app.admin_get("/requests?status=200").await["requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let bad = app
        .send(app.request(Method::GET, "/__admin/requests?status=teapot"))
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("4xx"));
    let gone = app
        .send(app.request(Method::GET, "/__admin/requests/99"))
        .await;
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn the_webhook_sink_takes_anything() {
    let app = spawn_app().await;
    let reply = app
        .send(
            app.request(Method::POST, "/__admin/webhook-sink/kycaid")
                .body("{}"),
        )
        .await;
    assert_eq!(reply.status, 204);
}

#[tokio::test]
async fn the_dashboard_is_refused_to_other_sites_like_the_rest_of_the_admin_api() {
    let app = spawn_app().await;
    for path in ["/__admin/", "/__admin/events", "/__admin/ui/clock"] {
        let reply = app
            .send(
                app.request(Method::GET, path)
                    .header("origin", "https://evil.example"),
            )
            .await;
        assert_eq!(reply.status, 403, "{path}");
    }
    let same_origin = app
        .send(
            app.request(Method::POST, "/__admin/clock/advance")
                .header("origin", app.base.clone())
                .json(&json!({"duration": "1m"})),
        )
        .await;
    assert_eq!(same_origin.status, 200, "the dashboard's own calls pass");
}

#[tokio::test]
async fn the_overview_lists_the_newest_hundred_tenants_of_a_provider() {
    let app = spawn_app().await;
    for n in 0..102 {
        let token = format!("token-{n:03}");
        let reply = app
            .send(
                kycaid::kyc_as(&app, &token, Method::POST, "/applicants")
                    .json(&json!({"type": "PERSON", "first_name": "Jane", "last_name": "Roe"})),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        if n == 0 {
            app.advance(1).await; // the first tenant is the oldest
        }
    }
    let oldest = app.admin_get("/tenants").await["tenants"][0]["tenant"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = html(&app, "/__admin/").await;
    assert_eq!(
        page.matches(r#"href="/__admin/ui/tenants/kycaid-"#).count(),
        100
    );
    assert!(!page.contains(&oldest), "the oldest is left out");
    assert!(page.contains("2 older tenants not shown"));
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
