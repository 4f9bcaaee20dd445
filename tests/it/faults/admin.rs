//! The rules' admin API and faults files among the scenarios.

use crate::common;

use super::add_fault;
use common::kycaid;
use common::{spawn_app, spawn_with};
use reqwest::Method;
use serde_json::json;

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

/// Review L2: rules that could never match were accepted (201): a tenant of another provider, a
/// path with characters no request path holds, a probability of -0.
#[tokio::test]
async fn rules_that_can_never_match_are_refused_naming_the_field() {
    let app = spawn_app().await;
    for (bad, says) in [
        (
            json!({"provider": "kycaid", "tenant": "sumvin-1a2b3c4d5e6f", "effect": {"type": "drop"}}),
            "`tenant`",
        ),
        (
            json!({"provider": "kycaid", "path": "/[a-", "effect": {"type": "drop"}}),
            "`path`",
        ),
        (
            json!({"provider": "kycaid", "path": "/applicants?x=1", "effect": {"type": "drop"}}),
            "`path`",
        ),
        (
            json!({"provider": "kycaid", "probability": -0.0, "effect": {"type": "drop"}}),
            "`probability`",
        ),
    ] {
        let reply = app.admin_post("/faults", bad.clone()).await;
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        common::spec::admin().check("Error", &reply.body);
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{bad}: {message}");
    }
    assert_eq!(app.admin_get("/faults").await["faults"], json!([]));
    // What can match still can.
    add_fault(
        &app,
        json!({"provider": "kycaid", "tenant": "kycaid-1a2b3c4d5e6f", "path": "/applicants/**", "probability": 0.0, "effect": {"type": "drop"}}),
    )
    .await;
    add_fault(
        &app,
        json!({"tenant": "sumvin-1a2b3c4d5e6f", "effect": {"type": "drop"}, "probability": 0}),
    )
    .await;
}

/// Review L3: `PUT` on a rule from a faults file kept the file as its source, so the next
/// scenario reload silently dropped the edit.
#[tokio::test]
async fn an_edited_file_rule_becomes_the_apis_and_survives_a_reload() {
    let dir = std::env::temp_dir().join(format!("kyc-sandbox-faults-edit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("flaky.yaml"),
        "faults:\n  - provider: kycaid\n    effect: { type: error, status: 502 }\n",
    )
    .unwrap();
    let scenarios = dir.clone();
    let app = spawn_with(move |c| c.scenarios = Some(scenarios)).await;
    let id = app.admin_get("/faults").await["faults"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let edited = app
        .send(
            app.request(Method::PUT, &format!("/__admin/faults/{id}"))
                .json(&json!({"provider": "qolo", "effect": {"type": "error", "status": 503}})),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.body["source"], "api");
    let reloaded = app.admin_post("/scenarios/reload", json!({})).await;
    assert_eq!(reloaded.status, 200, "{}", reloaded.body);
    let rules = app.admin_get("/faults").await["faults"].clone();
    let providers: Vec<_> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["provider"].clone(), r["source"].as_str() == Some("api")))
        .collect();
    assert_eq!(
        providers,
        [(json!("qolo"), true), (json!("kycaid"), false)],
        "the edit stays, and the file's rule is back beside it"
    );
    std::fs::remove_dir_all(&dir).ok();
}
