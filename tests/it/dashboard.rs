//! The dashboard: the HTML pages, and the admin JSON they read (resource counts, one resource
//! with its decisions and timeline, journal filters).

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::kycaid::{self, passport, person, verification};
use crate::common::{spawn_app, TestApp};

/// A KYCAID person with a passport, submitted with its callbacks sent to the admin webhook sink.
pub(crate) async fn submitted(app: &TestApp, email: &str) -> (String, String) {
    let applicant = person(app, json!({"email": email})).await;
    passport(app, &applicant, "AB123456").await;
    let id = verification(
        app,
        json!({"applicant_id": applicant, "callback_url": app.url("/__admin/webhook-sink/kycaid")}),
    )
    .await;
    (applicant, id)
}

pub(crate) async fn tenant_of(app: &TestApp, provider: &str) -> String {
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

#[tokio::test]
async fn the_faults_page_lists_rules_with_their_buttons_and_escapes_them() {
    let app = spawn_app().await;
    let page = html(&app, "/__admin/ui/faults").await;
    assert!(page.contains(r#"<a href="/__admin/ui/faults" aria-current="page">Faults</a>"#));
    assert!(page.contains("No fault rules"));
    assert!(!page.contains(">Remove all rules</button>"));
    assert!(
        page.contains(r#"data-method="POST" data-url="/__admin/faults""#),
        "the form adds through the admin API"
    );
    assert!(page.contains("<option>kycaid</option>"));
    assert!(page.contains("<option selected>503</option>"));

    let script = "/applicants/<script>alert(1)</script>";
    let hostile = json!({"provider": "kycaid", "path": script, "times": 2,
                         "description": "<b>flaky</b>",
                         "effect": {"type": "error", "status": 503, "retry_after": 4}});
    let reply = app.admin_post("/faults", hostile.clone()).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let reply = app
        .admin_post(
            "/faults",
            json!({"provider": "kycaid", "method": "get", "path": "/applicants/*", "times": 3,
                   "effect": {"type": "error", "status": 502}}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let hit = app
        .send(crate::common::kycaid::kyc(
            &app,
            Method::GET,
            "/applicants/abc",
        ))
        .await;
    assert_eq!(hit.status, 502);

    let page = html(&app, "/__admin/ui/faults").await;
    assert!(
        !page.contains("<script>alert(1)"),
        "the path glob is escaped"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<b>flaky</b>"));
    assert!(page.contains("error 503, Retry-After 4 s"));
    assert!(page.contains("2 (2 left)"));
    let row = page.split(r#"<tr data-id="flt_2">"#).nth(1).unwrap();
    assert!(row.contains("<b>method</b><code>GET</code>"), "normalized");
    assert!(row.contains("3 (2 left)"), "one of three hits used");
    assert!(
        row.contains(r#"<td class="hits" title="requests hit / requests that matched">1 / 1</td>"#)
    );
    assert!(row.contains("<td>api</td>"), "source");
    assert!(
        row.contains(r#"data-method="DELETE" data-url="/__admin/faults/flt_2">Delete</button>"#)
    );
    // The Edit button carries the rule in the shape PUT /__admin/faults/{id} takes.
    let spec = app.admin_get("/faults/flt_1").await;
    let mut sent = hostile;
    sent["probability"] = json!(1.0);
    for field in [
        "provider",
        "path",
        "times",
        "description",
        "effect",
        "probability",
    ] {
        assert_eq!(spec[field], sent[field], "{field}");
    }
    let edit = page
        .split(r#"data-edit="/__admin/faults/flt_1" data-spec=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an Edit button for flt_1");
    let carried: Value = serde_json::from_str(&unescape(edit)).unwrap();
    assert_eq!(carried, sent_spec(&spec));
    assert!(page
        .contains(r#"data-method="DELETE" data-url="/__admin/faults">Remove all rules</button>"#));
}

/// An attribute value as the page wrote it, back to its text.
fn unescape(attribute: &str) -> String {
    attribute
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// A listed rule without what the listing adds (id, counters, source): the body of its PUT.
fn sent_spec(rule: &Value) -> Value {
    let mut spec = rule.clone();
    for added in ["id", "source", "created_at", "matched", "hits", "remaining"] {
        spec.as_object_mut().unwrap().remove(added);
    }
    spec
}

#[tokio::test]
async fn the_snapshot_page_offers_the_snapshot_calls() {
    let app = spawn_app().await;
    let page = html(&app, "/__admin/ui/snapshot").await;
    assert!(page.contains(r#"<a class="button" id="snapshot-download" href="/__admin/snapshot""#));
    assert!(page.contains(
        r#"data-method="POST" data-url="/__admin/snapshot">Write state file now</button>"#
    ));
    assert!(page.contains(r#"data-url="/__admin/snapshot/restore""#));
    assert!(page.contains("start with <code>--state-file PATH</code>"));
    let path = std::env::temp_dir().join(format!("kyc-sandbox-<ui>-{}.json", std::process::id()));
    let app = {
        let path = path.clone();
        crate::common::spawn_with(move |c| c.state_file = Some(path)).await
    };
    let page = html(&app, "/__admin/ui/snapshot").await;
    assert!(page.contains(&format!(
        "<code>{}</code>",
        path.display()
            .to_string()
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    )));
}
