//! `GET /__admin/openapi.json` describes exactly the admin routes that are mounted, and the
//! answers of the admin API match it.

use crate::common;

use std::collections::BTreeSet;

use common::spawn_app;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn documented(document: &Value) -> BTreeSet<(String, String)> {
    document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| METHODS.contains(&k.as_str()))
                .map(move |method| (method.to_ascii_uppercase(), path.clone()))
        })
        .collect()
}

/// `{name}` segments filled with a placeholder.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "nope" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_document_lists_exactly_the_mounted_admin_routes() {
    let app = spawn_app().await;
    let reply = app
        .send(app.request(Method::GET, "/__admin/openapi.json"))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["content-type"], "application/json");
    assert_eq!(reply.body["openapi"], "3.1.0");
    assert_eq!(&reply.body, kyc_sandbox::admin::openapi::json());

    let mounted: BTreeSet<(String, String)> =
        kyc_sandbox::admin::mounted_routes(&app.sandbox.providers)
            .into_iter()
            .collect();
    let documented = documented(&reply.body);
    let undocumented: Vec<_> = mounted.difference(&documented).collect();
    let not_mounted: Vec<_> = documented.difference(&mounted).collect();
    assert!(
        undocumented.is_empty() && not_mounted.is_empty(),
        "mounted but not documented: {undocumented:?}\ndocumented but not mounted: {not_mounted:?}"
    );

    // The route table is what is really mounted: each route reaches a handler, not the fallback.
    let fallback = app
        .send(app.request(Method::GET, "/__admin/no-such-thing"))
        .await;
    assert_eq!(fallback.status, 404);
    for (method, path) in &mounted {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        if path == "/__admin/events" {
            // An endless stream: its headers say it is routed; its body is never read to the end.
            let response = app.request(method, path).send().await.unwrap();
            assert_eq!(response.headers()["content-type"], "text/event-stream");
            continue;
        }
        let reply = app
            .send(
                app.request(method.clone(), &concrete(path))
                    .json(&json!({})),
            )
            .await;
        assert_ne!(
            reply.body, fallback.body,
            "{method} {path} is not routed to its handler"
        );
    }
}

#[tokio::test]
async fn operations_are_complete_and_uniquely_named() {
    let document = kyc_sandbox::admin::openapi::json();
    let mut ids = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or_else(|| {
                panic!("{method} {path} has no operationId");
            });
            assert!(ids.insert(id.to_owned()), "operationId {id} twice");
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{method} {path} documents no response"
            );
            for name in path.split('/').filter_map(|s| s.strip_prefix('{')) {
                let name = name.trim_end_matches('}');
                let parameters = serde_json::to_string(&operation["parameters"]).unwrap();
                assert!(
                    parameters.contains(name) || parameters.contains("#/components/parameters/"),
                    "{method} {path} does not describe `{name}`"
                );
            }
        }
    }
}

#[tokio::test]
async fn answers_match_the_document() {
    let app = spawn_app().await;
    let spec = common::spec::admin();
    for (path, schema_path) in [
        ("", "/__admin"),
        ("/health", "/__admin/health"),
        ("/clock", "/__admin/clock"),
        ("/tenants", "/__admin/tenants"),
        ("/requests", "/__admin/requests"),
        ("/scenarios", "/__admin/scenarios"),
        ("/webhooks", "/__admin/webhooks"),
        ("/faults", "/__admin/faults"),
        ("/hermes/clients", "/__admin/hermes/clients"),
    ] {
        let body = app.admin_get(path).await;
        spec.check_response(schema_path, "get", "200", &body);
    }
    let advanced = app.advance(5).await;
    spec.check_response("/__admin/clock/advance", "post", "200", &advanced);
    let missing = app
        .send(app.request(Method::GET, "/__admin/webhooks/whd_9"))
        .await;
    spec.check_response("/__admin/webhooks/{id}", "get", "404", &missing.body);
}
