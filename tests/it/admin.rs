//! The admin API and core behaviour seen from outside: tenants, reset, journal, clock,
//! transitions, scenario reloads, determinism, CORS.

use crate::common;

use common::{spawn_app, spawn_with, T0_MS};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn index_and_health_show_what_is_mounted() {
    let app = spawn_with(|c| c.no_provider_ports = false).await;
    let index = app.send(app.request(Method::GET, "/")).await;
    let providers = index.body["providers"].as_array().unwrap();
    for name in ["rebilly", "kycaid", "sumvin"] {
        let expected = json!({"name": name, "base_url": format!("{}/{name}", app.base), "own_port_url": app.ports[name]});
        assert!(providers.contains(&expected), "{name} in {providers:?}");
    }
    assert_eq!(index.body["admin"], format!("{}/__admin", app.base));
    let health = app.admin_get("/health").await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["clock"]["now"], common::T0);
    let missing = app.send(app.request(Method::GET, "/__admin/nope")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["error"]["status"], 404);
}

#[tokio::test]
async fn tenants_are_isolated_listed_dumped_and_reset() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    app.send(app.sumvin(Method::POST, "pat-b", "/v0/kyc/applicant"))
        .await;
    assert_eq!(app.status("pat-a").await["status"], "in_progress");
    assert_eq!(app.status("pat-b").await["status"], "pending");
    let listed = app
        .send(app.sumvin(Method::GET, "pat-b", "/v0/kyc/documents"))
        .await;
    assert_eq!(
        listed.body["total_count"], 0,
        "pat-b never sees pat-a's documents"
    );

    let tenants = app.admin_get("/tenants").await;
    let tenants = tenants["tenants"].as_array().unwrap().clone();
    assert_eq!(tenants.len(), 2);
    assert!(
        tenants
            .iter()
            .all(|t| t["credential"] == "x-sumvin-pat pa…"),
        "{tenants:?}"
    );
    assert!(
        !tenants.iter().any(|t| t.to_string().contains("pat-a")),
        "secrets are never shown"
    );
    let journal = app
        .admin_get("/requests?method=POST&path=documents&limit=1")
        .await;
    let tenant_a = journal["requests"][0]["tenant"]
        .as_str()
        .unwrap()
        .to_owned();

    let state = app.admin_get(&format!("/tenants/{tenant_a}/state")).await;
    assert_eq!(state["provider"], "sumvin");
    assert_eq!(state["state"]["kyc"]["status"], "in_progress");
    assert_eq!(
        state["state"]["kyc"]["timeline"]["scenario"],
        "sumvin-approve"
    );
    assert_eq!(state["state"]["images"].as_object().unwrap().len(), 2);
    let missing = app
        .send(app.request(Method::GET, "/__admin/tenants/sumvin-000000000000/state"))
        .await;
    assert_eq!(missing.status, 404);

    let reset = app
        .admin_post(&format!("/reset?tenant={tenant_a}"), json!({}))
        .await;
    assert_eq!(reset.body["tenants_removed"], 1);
    assert_eq!(app.status("pat-a").await["applicant_id"], Value::Null);
    assert_ne!(
        app.status("pat-b").await["applicant_id"],
        Value::Null,
        "other tenants are untouched"
    );

    let reset = app.admin_post("/reset", json!({})).await;
    assert_eq!(reset.status, 200);
    assert_eq!(app.admin_get("/tenants").await["tenants"], json!([]));
    assert_eq!(app.admin_get("/requests").await["requests"], json!([]));
}

#[tokio::test]
async fn journal_records_requests_with_bodies_and_filters() {
    let app = spawn_with(|c| c.journal_size = 5).await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    app.send(
        app.sumvin(Method::POST, "pat-a", "/v0/kyc/sumsub/connect/share-token")
            .json(&json!({"for_client_id": "partner"})),
    )
    .await;
    app.send(app.request(Method::GET, "/sumvin/v0/kyc/status"))
        .await;
    let all = app.admin_get("/requests").await;
    let entries = all["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let unauthenticated = &entries[0];
    assert_eq!(
        (
            unauthenticated["status"].clone(),
            unauthenticated["tenant"].clone()
        ),
        (json!(401), Value::Null)
    );
    let share = &entries[1];
    assert_eq!(share["method"], "POST");
    assert_eq!(share["path"], "/sumvin/v0/kyc/sumsub/connect/share-token");
    assert_eq!(
        share["request"]["content"],
        json!({"for_client_id": "partner"})
    );
    assert_eq!(share["response"]["content"]["error_code"], "KYC-409-006");
    assert_eq!(share["at"], common::T0, "the sandbox clock, frozen at T0");
    let wall_at: chrono::DateTime<chrono::Utc> =
        share["wall_at"].as_str().unwrap().parse().unwrap();
    assert!(
        (chrono::Utc::now() - wall_at).num_seconds().abs() < 60,
        "the machine's clock, as the server log shows it: {wall_at}"
    );
    let tenant = share["tenant"].as_str().unwrap();

    let only_tenant = app.admin_get(&format!("/requests?tenant={tenant}")).await;
    assert_eq!(only_tenant["requests"].as_array().unwrap().len(), 2);
    let only_posts = app.admin_get("/requests?method=post&path=applicant").await;
    assert_eq!(only_posts["requests"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.admin_get("/requests?provider=rebilly").await["requests"],
        json!([])
    );

    for _ in 0..10 {
        app.status("pat-a").await;
    }
    assert_eq!(
        app.admin_get("/requests?limit=100").await["requests"]
            .as_array()
            .unwrap()
            .len(),
        5,
        "the ring is bounded"
    );
}

#[tokio::test]
async fn clock_can_be_read_advanced_frozen_and_resumed() {
    let app = spawn_app().await;
    let clock = app.admin_get("/clock").await;
    assert_eq!(
        clock["clock"],
        json!({"now": common::T0, "frozen": true, "offset_ms": 0})
    );
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    assert_eq!(app.admin_get("/clock").await["scheduled_steps"], 1);
    assert_eq!(
        app.admin_get("/clock").await["next_due"],
        "2026-01-01T00:00:30Z"
    );

    let advanced = app
        .admin_post("/clock/advance", json!({"duration": "1m"}))
        .await;
    assert_eq!(advanced.body["clock"]["now"], "2026-01-01T00:01:00Z");
    assert_eq!(advanced.body["fired"], 1);

    for bad in [
        json!({"seconds": -1}),
        json!({}),
        json!({"duration": "soon"}),
        json!({"seconds": 1, "hours": 2}),
    ] {
        let reply = app.admin_post("/clock/advance", bad.clone()).await;
        assert_eq!(reply.status, 400, "{bad}");
    }
    let reply = app
        .send(
            app.request(Method::POST, "/__admin/clock/advance")
                .body("{not json"),
        )
        .await;
    assert_eq!(reply.status, 400);

    let resumed = app.admin_post("/clock/resume", json!({})).await;
    assert_eq!(resumed.body["clock"]["frozen"], false);
    let frozen = app.admin_post("/clock/freeze", json!({})).await;
    assert_eq!(frozen.body["clock"]["frozen"], true);
    let now = frozen.body["clock"]["now"].clone();
    assert_eq!(app.admin_get("/clock").await["clock"]["now"], now);
}

#[tokio::test]
async fn a_real_time_clock_applies_due_steps_before_answering() {
    let app = spawn_with(|c| c.clock = "real".parse().unwrap()).await;
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    // Move sandbox time without the admin API, which would fire due steps itself.
    app.sandbox
        .core
        .clock
        .advance(chrono::Duration::seconds(31))
        .unwrap();
    let mut status = Value::Null;
    for _ in 0..100 {
        status = app.status("pat-a").await;
        if status["status"] == "approved" {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(status["status"], "approved");
}

#[tokio::test]
async fn transitions_refuse_what_the_machine_refuses() {
    let app = spawn_app().await;
    app.send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    let id = app.status("pat-a").await["applicant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let post = |body: Value| app.admin_post("/transitions", body);

    let illegal =
        post(json!({"provider": "sumvin", "kind": "applicant", "id": id, "to": "approved"})).await;
    assert_eq!(illegal.status, 409);
    assert!(illegal.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("allowed from `pending`: in_progress"));
    assert_eq!(app.status("pat-a").await["status"], "pending");

    let cases = [
        (
            json!({"provider": "acme", "kind": "applicant", "id": id, "to": "approved"}),
            400,
        ),
        (
            json!({"provider": "sumvin", "kind": "document", "id": id, "to": "approved"}),
            400,
        ),
        (
            json!({"provider": "sumvin", "kind": "applicant", "id": id, "to": "maybe"}),
            400,
        ),
        (
            json!({"provider": "sumvin", "kind": "applicant", "id": "ffff", "to": "approved"}),
            404,
        ),
        (
            json!({"provider": "sumvin", "kind": "applicant", "id": id, "to": "retry", "colour": "red"}),
            400,
        ),
        (json!({"provider": "sumvin", "id": id}), 400),
    ];
    for (body, status) in cases {
        assert_eq!(post(body.clone()).await.status, status, "{body}");
    }

    let ok =
        post(json!({"provider": "sumvin", "kind": "applicant", "id": id, "to": "in_progress"}))
            .await;
    assert_eq!(ok.status, 200);
    let retry = post(json!({"provider": "sumvin", "kind": "applicant", "id": id, "to": "retry", "message": "Selfie is dark", "steps": ["SELFIE"]})).await;
    assert_eq!(retry.body["resource"]["status"], "retry");
    let required = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/documents/required"))
        .await;
    assert_eq!(
        required.body["steps"][1]["moderation_comment"],
        "Selfie is dark"
    );
    assert_eq!(required.body["steps"][0]["review_answer"], "GREEN");
    let rejected_final =
        post(json!({"provider": "sumvin", "kind": "applicant", "id": id, "to": "rejected"})).await;
    assert_eq!(rejected_final.status, 200);
    let after_final =
        post(json!({"provider": "sumvin", "kind": "applicant", "id": id, "to": "approved"})).await;
    assert_eq!(after_final.status, 409);
    assert!(
        after_final.body["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("`rejected` is final: no move is allowed from it"),
        "{}",
        after_final.body
    );
}

#[tokio::test]
async fn forced_transition_cancels_the_running_timeline() {
    let app = spawn_app().await;
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    let id = app.status("pat-a").await["applicant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .admin_post(
            "/transitions",
            json!({"provider": "sumvin", "kind": "applicant", "id": id, "to": "retry"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    app.advance(60).await;
    assert_eq!(
        app.status("pat-a").await["status"],
        "retry",
        "the approval step no longer applies"
    );
}

#[tokio::test]
async fn scenarios_are_listed_overridden_and_reloaded() {
    let dir = std::env::temp_dir().join(format!("kyc-sandbox-scenarios-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("fast.yaml"),
        "name: sumvin-approve\nprovider: sumvin\non: review.started\npriority: -100\ntimeline:\n  - after: 5s\n    set: { status: approved }\n",
    )
    .unwrap();
    let dir_for_app = dir.clone();
    let app = spawn_with(move |c| c.scenarios = Some(dir_for_app)).await;
    let listed = app.admin_get("/scenarios").await;
    let names: Vec<&str> = listed["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for expected in [
        "sumvin-approve",
        "sumvin-reject-final",
        "sumvin-retry-then-approve",
        "sumvin-stuck-in-review",
        "sumvin-approve-on-poll",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    app.submit_kyc("pat-a", "passport.png", "GBR").await;
    app.advance(5).await;
    assert_eq!(
        app.status("pat-a").await["status"],
        "approved",
        "the directory's file overrides the built-in"
    );

    std::fs::write(
        dir.join("broken.yaml"),
        "name: x\nprovider: sumvin\non: review.started\ntimeline:\n  - set: { status: maybe }\n",
    )
    .unwrap();
    let reply = app.admin_post("/scenarios/reload", json!({})).await;
    assert_eq!(reply.status, 422);
    let detail = reply.body["error"]["details"][0].as_str().unwrap();
    assert!(
        detail.contains("broken.yaml:5:") && detail.contains("unknown variant `maybe`"),
        "{detail}"
    );
    std::fs::remove_file(dir.join("broken.yaml")).unwrap();
    let reply = app.admin_post("/scenarios/reload", json!({})).await;
    assert_eq!(reply.status, 200);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn the_same_seed_gives_the_same_ids_and_people() {
    async fn run() -> (Value, Value) {
        let app = spawn_app().await;
        app.submit_kyc("pat-a", "passport.png", "GBR").await;
        let applicant = app
            .send(app.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
            .await
            .body;
        let details = app
            .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/details"))
            .await
            .body;
        (applicant, details)
    }
    let (a1, d1) = run().await;
    let (a2, d2) = run().await;
    assert_eq!(a1, a2);
    assert_eq!(d1, d2);
    let other = spawn_with(|c| c.seed = Some(7)).await;
    other
        .send(other.sumvin(Method::POST, "pat-a", "/v0/kyc/applicant"))
        .await;
    assert_ne!(
        other.status("pat-a").await["applicant_id"],
        a1["applicant_id"]
    );
    assert_eq!(d1["started_at"], T0_MS);
}

#[tokio::test]
async fn cors_is_open_for_browser_clients() {
    let app = spawn_app().await;
    let preflight = app
        .send(
            app.request(Method::OPTIONS, "/sumvin/v0/kyc/status")
                .header("Origin", "http://localhost:3000")
                .header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "x-sumvin-pat"),
        )
        .await;
    assert!(preflight.status.is_success());
    assert_eq!(
        preflight.headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let reply = app
        .send(
            app.sumvin(Method::GET, "pat-a", "/v0/kyc/status")
                .header("Origin", "http://localhost:3000"),
        )
        .await;
    assert_eq!(
        reply.headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
    // CORS does not concern a request without an `Origin` (an SDK, curl): no CORS headers.
    let plain = app
        .send(app.sumvin(Method::GET, "pat-a", "/v0/kyc/status"))
        .await;
    assert!(plain.status.is_success());
    assert!(
        !plain
            .headers
            .keys()
            .any(|name| name.as_str().starts_with("access-control-")),
        "{:?}",
        plain.headers
    );
    // Every OPTIONS still goes through CORS, as before: without an `Origin` it reaches the route,
    // whose 405 names what it allows.
    let bare_options = app
        .send(app.request(Method::OPTIONS, "/sumvin/v0/kyc/status"))
        .await;
    assert_eq!(bare_options.status, 405);
    assert_eq!(bare_options.headers["allow"], "GET, HEAD");
    assert_eq!(
        bare_options.headers["access-control-allow-credentials"],
        "true"
    );
}
