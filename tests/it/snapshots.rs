//! State snapshots: the whole state downloaded, restored after a reset, kept in `--state-file`
//! across restarts; damaged and other-version snapshots refused without touching anything.

use crate::common;

use common::kycaid;
use common::receiver::closed_port_url;
use common::{spawn_app, spawn_with, TestApp};
use kyc_sandbox::core::webhooks::Outbound;
use kyc_sandbox::core::TenantId;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Resources in every provider, a step waiting on the clock and a webhook waiting to retry.
///
/// The webhook's first attempt to the closed port runs in the background; populate returns once
/// it has failed and the delivery waits on the (frozen) clock. Otherwise a snapshot could catch it
/// in flight, and the state would change after it: the source records the refused attempt and
/// schedules the retry, while the restored copy retries at once (an interrupted attempt never
/// finished).
async fn populate(app: &TestApp) {
    app.submit_kyc("pat-snap", "passport.png", "GBR").await;
    kycaid::submit_person(app, json!({}), "AB1234567").await;
    app.reb_json(
        Method::PUT,
        "/customers/cus-1",
        json!({"firstName": "Ann", "lastName": "Lee"}),
    )
    .await;
    app.kyc_document("cus-1", "identity-proof", "passport.png")
        .await;
    let token = crate::qolo::login(app, "snap-user").await;
    crate::qolo::create(
        app,
        &token,
        crate::qolo::CDD,
        crate::qolo::details("Snap", "123-45-6789"),
    )
    .await;
    let client = json!({"client_id": "snap-client", "secret": "snap-secret", "redirect_uris": ["https://example.com/cb"]});
    assert_eq!(app.admin_post("/hermes/clients", client).await.status, 201);
    let pennydrop = app
        .admin_post(
            "/hermes/pennydrop",
            json!({"client_id": "snap-client", "webhook_url": closed_port_url()}),
        )
        .await;
    assert_eq!(pennydrop.status, 201, "{}", pennydrop.body);
    let webhook = app.sandbox.core.webhooks.enqueue(Outbound::json(
        "kycaid",
        TenantId::parse("kycaid-snapshot"),
        "VERIFICATION_COMPLETED",
        closed_port_url(),
        &json!({"n": 1}),
    ));
    let settled = crate::webhooks::settled(app, &webhook, 1).await;
    assert_eq!(settled["status"], "retrying", "{settled:#}");
}

/// Everything the admin API shows about the state.
async fn observe(app: &TestApp) -> Value {
    let tenants = app.admin_get("/tenants").await["tenants"].clone();
    let mut states = serde_json::Map::new();
    for tenant in tenants.as_array().unwrap() {
        let id = tenant["tenant"].as_str().unwrap();
        states.insert(
            id.to_owned(),
            app.admin_get(&format!("/tenants/{id}/state")).await,
        );
    }
    let health = app.admin_get("/health").await;
    json!({
        "tenants": tenants,
        "states": states,
        "clock": app.admin_get("/clock").await,
        "webhooks": app.admin_get("/webhooks").await,
        "stored_bytes": health["stored_bytes"],
        "hermes_clients": app.admin_get("/hermes/clients").await,
    })
}

async fn download(app: &TestApp) -> Value {
    let reply = app
        .send(app.request(Method::GET, "/__admin/snapshot"))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("kyc-sandbox-state.json"));
    common::spec::admin().check("Snapshot", &reply.body);
    reply.body
}

async fn restore(app: &TestApp, snapshot: &Value) -> common::Reply {
    app.admin_post("/snapshot/restore", snapshot.clone()).await
}

#[tokio::test]
async fn a_reset_then_a_restore_brings_every_provider_back_identically() {
    let app = spawn_app().await;
    populate(&app).await;
    app.advance(1).await;
    let before = observe(&app).await;
    assert_eq!(
        before["tenants"].as_array().unwrap().len(),
        5,
        "{:#}",
        before["tenants"]
    );
    let snapshot = download(&app).await;

    // What the next applicant's id would be, then forget it.
    let next_id = kycaid::person(&app, json!({})).await;

    app.admin_post("/reset", json!({})).await;
    assert_eq!(app.admin_get("/tenants").await["tenants"], json!([]));
    let reply = restore(&app, &snapshot).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["restored"], true);
    assert_eq!(reply.body["tenants"], 5);
    common::spec::admin().check_response("/__admin/snapshot/restore", "post", "200", &reply.body);

    assert_eq!(observe(&app).await, before);
    // Random streams go on where they were: the same next id, so ids never repeat.
    assert_eq!(kycaid::person(&app, json!({})).await, next_id);
    // Stored bytes come back too, and the scheduled reviews still fire.
    let files = kycaid::get(&app, "/applicants").await;
    assert_eq!(files.status, 200);
    let decided = app.advance(3600).await;
    assert!(decided["fired"].as_u64().unwrap() >= 2, "{decided}");
    assert_eq!(app.status("pat-snap").await["status"], "approved");
}

#[tokio::test]
async fn stored_files_round_trip_byte_for_byte() {
    // Room for the one file only: restoring over the same state must not count it twice.
    let limit = common::tiny_png().len() as u64 + 10;
    let app = spawn_with(move |c| c.max_tenant_stored_bytes = limit).await;
    let file = app.upload_named("selfie.png").await;
    let id = file["id"].as_str().unwrap().to_owned();
    let original = app.reb_get(&format!("/files/{id}/download")).await.bytes;
    assert!(!original.is_empty());
    let snapshot = download(&app).await;
    assert_eq!(restore(&app, &snapshot).await.status, 200);
    assert_eq!(
        app.admin_get("/health").await["stored_bytes"],
        original.len()
    );
    app.admin_post("/reset", json!({})).await;
    assert_eq!(app.admin_get("/health").await["stored_bytes"], 0);
    assert_eq!(restore(&app, &snapshot).await.status, 200);
    let restored = app.reb_get(&format!("/files/{id}/download")).await;
    assert_eq!(restored.status, 200);
    assert_eq!(restored.bytes, original);
    assert_eq!(
        app.admin_get("/health").await["stored_bytes"],
        original.len(),
        "the bytes count against the limits again"
    );
}

#[tokio::test]
async fn damaged_and_other_version_snapshots_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    populate(&app).await;
    let before = observe(&app).await;
    let good = download(&app).await;

    let mut old = good.clone();
    old["format_version"] = json!(0);
    let mut broken = good.clone();
    broken["providers"]["kycaid"]["tenants"][0]["state"]["applicants"] = json!("garbage");
    let mut foreign = good.clone();
    foreign["providers"]["acme"] = json!({"tenants": []});
    for (body, says) in [
        (json!("not a snapshot"), "not a kyc-sandbox snapshot"),
        (json!({"hello": "world"}), "`format` is not"),
        (old, "format version 0"),
        (broken, "kycaid: tenant `kycaid-"),
        (foreign, "provider `acme`"),
    ] {
        let reply = restore(&app, &body).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        common::spec::admin().check("Error", &reply.body);
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    let truncated = app
        .send(
            app.request(Method::POST, "/__admin/snapshot/restore")
                .body(good.to_string()[..200].to_owned()),
        )
        .await;
    assert_eq!(truncated.status, 422);
    assert_eq!(observe(&app).await, before, "nothing changed");

    let no_file = app.admin_post("/snapshot", json!({})).await;
    assert_eq!(no_file.status, StatusCode::CONFLICT);
    assert!(no_file.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--state-file"));
}

/// Review H1: a running clock restored with an offset far beyond the calendar made every clock
/// read panic, so the server answered nothing after it.
#[tokio::test]
async fn a_snapshot_with_an_out_of_range_clock_offset_is_refused_and_the_server_still_answers() {
    let app = spawn_app().await;
    populate(&app).await;
    let before = observe(&app).await;
    let good = download(&app).await;
    for offset_ms in [
        json!(-4_611_686_018_427_387_904_i64),
        json!(4_611_686_018_427_387_904_i64),
        json!(i64::MIN),
        json!(-(101_i64 * 366 * 86_400_000)),
    ] {
        let mut body = good.clone();
        body["clock"]["frozen"] = json!(false);
        body["clock"]["offset_ms"] = offset_ms.clone();
        let reply = restore(&app, &body).await;
        assert_eq!(reply.status, 422, "{offset_ms}: {}", reply.body);
        common::spec::admin().check("Error", &reply.body);
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains("clock offset"), "{message}");
        assert_eq!(observe(&app).await, before, "nothing changed");
    }
    // A running clock 50 years behind is still a clock.
    let mut behind = good.clone();
    behind["clock"]["frozen"] = json!(false);
    behind["clock"]["offset_ms"] = json!(-(50_i64 * 365 * 86_400_000));
    assert_eq!(restore(&app, &behind).await.status, 200);
    assert_eq!(app.admin_get("/clock").await["clock"]["frozen"], false);
    assert_eq!(app.admin_get("/health").await["status"], "ok");
}

/// Review M4: the restore body was bounded by `--max-body`, so a downloaded snapshot holding a
/// few MB of files could not be posted back. It has its own limit, `--max-snapshot-body`.
#[tokio::test]
async fn a_snapshot_larger_than_max_body_restores_within_its_own_limit() {
    let source = spawn_app().await;
    populate(&source).await;
    let snapshot = download(&source).await;
    let size = snapshot.to_string().len();
    assert!(size > 4096, "{size}");

    let small_bodies = spawn_with(|c| c.max_body = 4096).await;
    let reply = restore(&small_bodies, &snapshot).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(observe(&small_bodies).await, observe(&source).await);
    // Other admin routes keep --max-body.
    let reset = small_bodies
        .send(
            small_bodies
                .request(Method::POST, "/__admin/reset")
                .body(vec![b' '; 5000]),
        )
        .await;
    assert_eq!(reset.status, 413, "{}", reset.body);

    let limited = spawn_with(|c| {
        c.max_body = 4096;
        c.max_snapshot_body = Some(size - 1);
    })
    .await;
    let reply = restore(&limited, &snapshot).await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    common::spec::admin().check("Error", &reply.body);
    assert_eq!(reply.body["error"]["status"], 413);
    assert_eq!(limited.admin_get("/tenants").await["tenants"], json!([]));
}

fn state_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kyc-sandbox-state-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("state.json")
}

#[tokio::test]
async fn a_state_file_carries_the_state_to_the_next_start() {
    let path = state_file("restart");
    let first = {
        let path = path.clone();
        spawn_with(move |c| c.state_file = Some(path)).await
    };
    populate(&first).await;
    let before = observe(&first).await;
    let written = first.admin_post("/snapshot", json!({})).await;
    assert_eq!(written.status, 200, "{}", written.body);
    assert_eq!(written.body["written"], path.display().to_string());
    common::spec::admin().check_response("/__admin/snapshot", "post", "200", &written.body);
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        [std::ffi::OsString::from("state.json")],
        "no temporary file left"
    );

    let second = {
        let path = path.clone();
        spawn_with(move |c| c.state_file = Some(path)).await
    };
    assert_eq!(observe(&second).await, before);
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

/// Review M1: concurrent writers shared one temporary file name, so parallel writes answered 500
/// (and could leave a corrupt file).
#[tokio::test]
async fn parallel_writes_of_the_state_file_all_succeed_and_leave_a_readable_file() {
    let path = state_file("parallel");
    let app = {
        let path = path.clone();
        spawn_with(move |c| {
            c.state_file = Some(path);
            c.workers = Some(4);
        })
        .await
    };
    populate(&app).await;
    let writes = (0..8).map(|_| app.admin_post("/snapshot", json!({})));
    for reply in futures_util::future::join_all(writes).await {
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let written: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(written["format"], "kyc-sandbox-state");
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        [std::ffi::OsString::from("state.json")],
        "no temporary file left"
    );
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}

#[tokio::test]
async fn a_damaged_state_file_stops_the_start_and_is_left_alone() {
    let path = state_file("damaged");
    for (content, says) in [
        (
            "{\"format\": \"kyc-sandbox-state\", \"format_version\": 1, \"clock\": ",
            "not a JSON object",
        ),
        (
            "{\"format\": \"kyc-sandbox-state\", \"format_version\": 99}",
            "format version 99",
        ),
        (
            "{\"format\": \"kyc-sandbox-state\", \"format_version\": 1, \"written_by\": \"x\"}",
            "missing field",
        ),
    ] {
        std::fs::write(&path, content).unwrap();
        let config = kyc_sandbox::config::Config {
            port: 0,
            no_provider_ports: true,
            workers: Some(1),
            state_file: Some(path.clone()),
            ..Default::default()
        };
        let error = kyc_sandbox::start(&config)
            .err()
            .expect("refused")
            .to_string();
        assert!(error.contains(says), "{error}");
        assert!(error.contains("left as it is"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }
    std::fs::remove_dir_all(path.parent().unwrap()).ok();
}
