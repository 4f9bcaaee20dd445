//! Demo mode: every provider seeded through its own API in the states a demo shows, the same
//! data for the same seed, and `serve --demo` printing the dashboard and credentials.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::{spawn_app, TestApp};

/// Seeds `app` (seed 42) and returns every tenant's state, by provider, in tenant order.
async fn seeded(app: &TestApp) -> Vec<(String, Value)> {
    let seeded = kyc_sandbox::demo::seed(&app.base, 42).await.expect("seeds");
    assert_eq!(
        seeded.iter().map(|s| s.provider).collect::<Vec<_>>(),
        ["rebilly", "kycaid", "hermes", "qolo", "sumvin"]
    );
    let tenants = app.admin_get("/tenants").await;
    let mut states = Vec::new();
    for tenant in tenants["tenants"].as_array().unwrap() {
        let id = tenant["tenant"].as_str().unwrap();
        let state = app.admin_get(&format!("/tenants/{id}/state")).await;
        states.push((
            tenant["provider"].as_str().unwrap().to_owned(),
            state["state"].clone(),
        ));
    }
    states
}

/// The `field` of every resource of `collection` in the states of `provider`, sorted.
fn statuses(
    states: &[(String, Value)],
    provider: &str,
    collection: &str,
    field: &str,
) -> Vec<String> {
    let mut found: Vec<String> = states
        .iter()
        .filter(|(p, _)| p == provider)
        .flat_map(|(_, state)| match &state[collection] {
            Value::Object(map) if map.values().all(Value::is_object) => {
                map.values().map(|r| r[field].clone()).collect::<Vec<_>>()
            }
            one => vec![one[field].clone()],
        })
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn every_provider_gets_tenants_in_every_interesting_state() {
    let app = spawn_app().await;
    let states = seeded(&app).await;
    assert_eq!(
        statuses(&states, "rebilly", "documents", "status"),
        ["accepted", "pending", "rejected"]
    );
    assert_eq!(
        statuses(&states, "rebilly", "requests", "status"),
        ["expired", "gathering"]
    );
    assert_eq!(
        statuses(&states, "kycaid", "verifications", "status"),
        ["completed", "completed", "completed", "pending", "unused"]
    );
    let kycaid = &states.iter().find(|(p, _)| p == "kycaid").unwrap().1;
    let mut reasons: Vec<String> = kycaid["verifications"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|v| v["checks"].as_object().cloned().unwrap_or_default())
        .flat_map(|(_, check)| {
            check["decline_reasons"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|r| r.as_str().unwrap().to_owned())
        .collect();
    reasons.sort();
    assert_eq!(
        reasons,
        ["BAD_QUALITY", "EXPIRED_DOCUMENT"],
        "rejected with reasons"
    );
    assert_eq!(
        statuses(&states, "hermes", "pennydrops", "status"),
        ["FAILED", "PENDING", "SIGNED"]
    );
    assert_eq!(
        statuses(&states, "qolo", "persons", "person_status"),
        ["CLEARED", "SANCTIONED", "UNVERIFIED", "UNVERIFIED"]
    );
    assert_eq!(
        statuses(&states, "sumvin", "kyc", "status"),
        ["approved", "in_progress", "pending", "rejected", "retry"]
    );
    let deliveries = app.admin_get("/webhooks?status=delivered").await;
    assert!(
        deliveries["deliveries"].as_array().unwrap().len() >= 5,
        "the demo's webhooks reach the sink: {deliveries}"
    );
}

#[tokio::test]
async fn the_same_seed_gives_the_same_demo() {
    let (a, b) = (spawn_app().await, spawn_app().await);
    let (first, second) = (seeded(&a).await, seeded(&b).await);
    assert_eq!(first.len(), 9);
    // Links are absolute, so each server's port shows in them; nothing else may differ.
    let without_port = |app: &TestApp, state: &Value| -> Value {
        serde_json::from_str(&state.to_string().replace(&app.base, "http://sandbox")).unwrap()
    };
    for ((provider, one), (_, other)) in first.iter().zip(&second) {
        assert!(
            without_port(&a, one) == without_port(&b, other),
            "{provider}: {one} != {other}"
        );
    }
}

#[test]
fn serve_demo_prints_the_dashboard_and_credentials() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyc-sandbox"))
        .args(["serve", "--port", "0", "--seed", "7"])
        .env("KYC_SANDBOX_DEMO", "true")
        .env("KYC_SANDBOX_CLOCK", "frozen:2026-01-01T00:00:00Z")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    for line in lines {
        let line = line.unwrap();
        let done = line.starts_with("  x-sumvin-pat: pat_demo_waiting");
        printed.push(line);
        if done {
            break;
        }
    }
    child.kill().ok();
    child.wait().ok();
    let text = printed.join("\n");
    assert!(text.contains("Demo data is ready (seed 7;"), "{text}");
    let dashboard = printed
        .iter()
        .find_map(|l| l.strip_prefix("Dashboard: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(dashboard.starts_with("http://127.0.0.1:") && dashboard.ends_with("/__admin/"));
    for credential in [
        "REB-APIKEY: sk_sandbox_demo",
        "Authorization: Token demo-kycaid-token",
        "client_id: demo-client, secret: demo-secret",
        r#""loginid": "demo-login""#,
        "x-sumvin-pat: pat_demo_approved",
    ] {
        assert!(text.contains(credential), "{credential} in {text}");
    }
    assert!(
        text.contains("\nkycaid  http://127.0.0.1:"),
        "own port: {text}"
    );
}

#[tokio::test]
async fn every_decision_the_dashboard_offers_on_the_demo_is_accepted() {
    let app = spawn_app().await;
    let states = seeded(&app).await;
    let tenants = app.admin_get("/tenants").await["tenants"].clone();
    let mut decided = 0;
    for (tenant, (_, state)) in tenants.as_array().unwrap().iter().zip(&states) {
        let tenant = tenant["tenant"].as_str().unwrap();
        for (collection, value) in state.as_object().unwrap() {
            let ids: Vec<String> = match value {
                Value::Object(map) if !map.is_empty() && map.values().all(Value::is_object) => {
                    map.keys().cloned().collect()
                }
                Value::Object(one) => one
                    .get("applicant_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .into_iter()
                    .collect(),
                _ => continue,
            };
            for id in ids {
                let path = format!("/tenants/{tenant}/resources/{collection}/{id}");
                let resource = app.admin_get(&path).await;
                let actions = resource["actions"].as_array().unwrap();
                if actions.is_empty() {
                    continue;
                }
                // A different button each time, so every kind of decision is taken somewhere.
                let action = &actions[decided % actions.len()];
                let reply = app
                    .admin_post("/transitions", action["request"].clone())
                    .await;
                assert_eq!(
                    reply.status, 200,
                    "{} on {collection} {id} ({}): {}",
                    action["label"], resource["status"], reply.body
                );
                decided += 1;
            }
        }
    }
    assert!(decided >= 8, "only {decided} decisions offered");
}

/// The demo seeds an empty sandbox only: restarted from its own state file, it adds nothing.
#[test]
fn a_restored_demo_is_not_seeded_twice() {
    let dir = std::env::temp_dir().join(format!("kyc-sandbox-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let serve = |until: &str| -> String {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kyc-sandbox"))
            .args([
                "serve",
                "--demo",
                "--port",
                "0",
                "--no-provider-ports",
                "--seed",
                "3",
            ])
            .arg("--state-file")
            .arg(&state)
            .env("KYC_SANDBOX_CLOCK", "frozen:2026-01-01T00:00:00Z")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Read on another thread to the end, so the child never writes to a closed pipe.
        let (lines, seen) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
        let mut printed = Vec::new();
        for line in seen.iter() {
            let done = line.starts_with(until);
            printed.push(line);
            if done {
                break;
            }
        }
        // Once the server answers, it handles signals; a graceful stop writes the state file.
        let dashboard = printed
            .iter()
            .find_map(|l| l.strip_prefix("Dashboard: "))
            .expect("the dashboard line")
            .to_owned();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let health = runtime.block_on(async {
            reqwest::get(format!("{dashboard}health"))
                .await
                .unwrap()
                .status()
        });
        assert_eq!(health, 200);
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        let printed = printed.join("\n");
        assert!(status.success(), "{status}: {printed}");
        printed
    };
    let first = serve("  x-sumvin-pat: pat_demo_waiting");
    assert!(first.contains("Demo data is ready"), "{first}");
    let second = serve("Dashboard: ");
    assert!(
        second.contains("The state file already holds tenants, so no demo data was added."),
        "{second}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
