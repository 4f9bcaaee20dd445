//! The hosted pages share one look: the same embedded stylesheet and script, a provider-styled
//! header and the sandbox banner, whichever provider serves them.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::kycaid;
use crate::common::{spawn_app, TestApp};

/// A distinctive rule of the shared stylesheet, and the shared script's first line.
const SHARED_STYLE: &str = ".hp-banner { margin: 0;";
const SHARED_SCRIPT: &str = "// Shared by the hosted pages: a preview under every file input";

async fn page(app: &TestApp, url: &str) -> String {
    let url = if url.starts_with("http") {
        url.to_owned()
    } else {
        app.url(url)
    };
    let response = app.client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    response.text().await.unwrap()
}

#[track_caller]
fn assert_shared_look(html: &str, brand: &str) {
    assert!(html.contains(SHARED_STYLE), "the shared stylesheet");
    assert!(html.contains(SHARED_SCRIPT), "the shared script");
    assert!(
        html.contains(&format!(
            r#"<header class="hp-header"><span class="hp-brand">{brand}"#
        )),
        "the provider's header"
    );
    assert!(html.contains(r#"<p class="hp-banner">Sandbox page standing in for"#));
    assert!(
        html.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#)
    );
    assert!(!html.contains("{{"), "every placeholder filled");
}

#[tokio::test]
async fn the_kycaid_form_rebilly_gatherer_sumvin_session_and_hermes_login_look_alike() {
    let app = spawn_app().await;

    let link = kycaid::post(
        &app,
        "/forms/55d5a731790f81cf26637083168ff266b603/urls",
        json!({}),
    )
    .await;
    let form = page(&app, link.body["form_url"].as_str().unwrap()).await;
    assert_shared_look(&form, "KYC<span>AID</span>");
    assert!(form.contains(r#"id="kycaid-form""#), "the form's ids stay");

    let request = app
        .reb_json(
            Method::POST,
            "/kyc-requests",
            json!({"customerId": "cus_1", "documents": [{"type": "identity-proof"}]}),
        )
        .await;
    assert_eq!(request.status, 201, "{}", request.body);
    let gatherer = request.body["_links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "kycGatherer")
        .and_then(|l| l["href"].as_str())
        .unwrap()
        .to_owned();
    let gatherer = page(&app, &gatherer).await;
    assert_shared_look(&gatherer, "Rebilly");
    assert!(gatherer.contains(r#"id="file-identity-proof""#));

    let session: Value = app
        .send(app.sumvin(Method::POST, "pat-1", "/v0/kyc/sessions"))
        .await
        .body;
    let handoff = page(&app, session["url"].as_str().unwrap()).await;
    assert_shared_look(&handoff, "Sumvin");
    assert!(
        handoff.contains(r#"data-preview="preview""#) && handoff.contains(r#"<img id="preview""#),
        "the Sumvin upload previews into its own #preview"
    );

    let login = page(
        &app,
        "/hermes/authorize?client_id=demo-client&redirect_uri=http://localhost/cb&state=s",
    )
    .await;
    assert_shared_look(&login, "ZealID");
}

#[tokio::test]
async fn message_pages_look_the_same_too() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/rebilly/kyc-gatherer/?token=nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert_shared_look(&html, "Rebilly");
    assert!(html.contains("Link not valid"));
}
