//! KYCAID's hosted verification form: `GET /kycaid/form/{token}` and its multipart submit, driven
//! like the page's script does, with the results checked through the API.

use crate::common;

use common::{spawn_app, tiny_png, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

const TOKEN: &str = "kycaid-form-test-token";
/// The fixtures' default form: profile, document and facial checks.
const DEFAULT_FORM: &str = "55d5a731790f81cf26637083168ff266b603";
/// The fixtures' form that also asks for an address.
const ADDRESS_FORM: &str = "cbad2c5e4fd009e598dd25596e6c54d416f0";

/// A request to the KYCAID API with `Authorization: Token …`.
fn kycaid(app: &TestApp, method: Method, path: &str) -> RequestBuilder {
    app.request(method, &format!("/kycaid{path}"))
        .header("Authorization", format!("Token {TOKEN}"))
}

async fn get(app: &TestApp, path: &str) -> Value {
    let reply = app.send(kycaid(app, Method::GET, path)).await;
    assert_eq!(reply.status, StatusCode::OK, "GET {path}: {}", reply.body);
    reply.body
}

/// A form link: `(form_url, verification_id, form_token)`.
async fn link(app: &TestApp, form_id: &str, body: Value) -> (String, String, String) {
    let reply = app
        .send(kycaid(app, Method::POST, &format!("/forms/{form_id}/urls")).json(&body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let text = |name: &str| reply.body[name].as_str().unwrap().to_owned();
    (
        text("form_url"),
        text("verification_id"),
        text("form_token"),
    )
}

fn png(name: &str) -> Part {
    Part::bytes(tiny_png())
        .file_name(name.to_owned())
        .mime_str("image/png")
        .unwrap()
}

/// What a person fills in on the default form.
fn filled(email: &str) -> Form {
    Form::new()
        .text("first_name", "Jane")
        .text("last_name", "Roe")
        .text("dob", "1990-04-01")
        .text("email", email.to_owned())
        .text("residence_country", "gb")
        .text("document_type", "PASSPORT")
        .text("document_number", "P1234567")
        .part("front_side", png("passport.png"))
        // An empty file input, as a browser sends it.
        .part("back_side", Part::bytes(Vec::new()).file_name(""))
        .part("selfie", png("selfie.png"))
}

async fn submit(app: &TestApp, token: &str, form: Form) -> common::Reply {
    app.send(
        app.request(Method::POST, &format!("/kycaid/form/{token}/submit"))
            .multipart(form),
    )
    .await
}

#[track_caller]
fn parameters(reply: &common::Reply) -> Vec<String> {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["type"], "validation");
    reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["parameter"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_page_shows_the_steps_of_the_form() {
    let app = spawn_app().await;
    let (url, verification_id, _) = link(&app, DEFAULT_FORM, json!({})).await;
    assert!(
        url.starts_with(&format!("{}/kycaid/form/", app.base)),
        "{url}"
    );
    let reply = Page::get(&app, &url).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.content_type.starts_with("text/html"));
    for id in [
        "first_name",
        "last_name",
        "dob",
        "email",
        "residence_country",
        "document_type",
        "document_number",
        "front_side",
        "back_side",
        "selfie",
        "submit",
    ] {
        assert!(reply.text.contains(&format!("id=\"{id}\"")), "no #{id}");
    }
    assert!(reply.text.contains("<option value=\"GB\">United Kingdom"));
    assert!(reply.text.contains("<option value=\"DRIVERS_LICENSE\">"));
    assert!(
        !reply.text.contains("id=\"full_address\""),
        "no address step"
    );
    assert!(reply.text.contains(&verification_id));
    let verification = get(&app, &format!("/verifications/{verification_id}")).await;
    assert_eq!(verification["status"], "unused");
    assert_eq!(verification["applicant_id"], Value::Null);
}

#[tokio::test]
async fn unknown_links_are_not_found() {
    let app = spawn_app().await;
    let token = "0123456789abcdef0123456789abcdef0123";
    let reply = Page::get(&app, &app.url(&format!("/kycaid/form/{token}"))).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.content_type.starts_with("text/html"));
    assert!(reply.text.contains("KYC<span>AID</span>"));
    assert!(reply.text.contains("Verification link not found"));
    let reply = submit(&app, token, filled("a@example.com")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(
        reply.body,
        json!({"type": "not_found", "errors": [{"parameter": "form_token", "message": "Form was not found"}]})
    );
}

#[tokio::test]
async fn a_submitted_form_creates_the_applicant_and_its_documents() {
    let app = spawn_app().await;
    let redirect = app.url("/__admin/health?from=kycaid");
    let (_, verification_id, token) = link(
        &app,
        DEFAULT_FORM,
        json!({"external_applicant_id": "user-42", "redirect_url": redirect}),
    )
    .await;
    let reply = submit(&app, &token, filled("jane@example.com")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["verification_id"], json!(verification_id));
    assert_eq!(reply.body["redirect_url"], json!(redirect));

    let verification = get(&app, &format!("/verifications/{verification_id}")).await;
    assert_eq!(verification["status"], "pending");
    let applicant_id = verification["applicant_id"].as_str().unwrap().to_owned();
    assert_eq!(reply.body["applicant_id"], json!(applicant_id));
    let applicant = get(&app, &format!("/applicants/{applicant_id}")).await;
    assert_eq!(applicant["type"], "PERSON");
    assert_eq!(applicant["first_name"], "Jane");
    assert_eq!(applicant["last_name"], "Roe");
    assert_eq!(applicant["dob"], "1990-04-01");
    assert_eq!(applicant["residence_country"], "GB");
    assert_eq!(applicant["external_applicant_id"], "user-42");
    assert_eq!(applicant["verifications_count"], 1);
    let documents = applicant["documents"].as_array().unwrap();
    let types: Vec<&str> = documents
        .iter()
        .map(|d| d["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["PASSPORT", "SELFIE_IMAGE"]);
    assert_eq!(documents[0]["document_number"], "P1234567");
    assert_eq!(documents[0]["back_side_id"], Value::Null);
    let front = documents[0]["front_side"].as_str().unwrap();
    let image = app.client.get(front).send().await.unwrap();
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.bytes().await.unwrap().to_vec(), tiny_png());
    let listed = get(&app, "/applicants").await;
    assert_eq!(listed["total"], 1);
}

#[tokio::test]
async fn a_link_is_used_once() {
    let app = spawn_app().await;
    let redirect = app.url("/__admin/health");
    let (url, _, token) = link(&app, DEFAULT_FORM, json!({"redirect_url": redirect})).await;
    let first = submit(&app, &token, filled("jane@example.com")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = submit(&app, &token, filled("jane@example.com")).await;
    assert_eq!(parameters(&second), ["form_token"]);
    assert!(second.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("already submitted"));
    let page = Page::get(&app, &url).await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(page.text.contains("Form already completed"));
    assert!(page.text.contains(&format!("href=\"{redirect}\"")));
    assert_eq!(get(&app, "/applicants").await["total"], 1);
}

#[tokio::test]
async fn bad_fields_come_back_in_the_validation_envelope_and_nothing_is_written() {
    let app = spawn_app().await;
    let (url, verification_id, token) = link(&app, DEFAULT_FORM, json!({})).await;
    let form = Form::new()
        .text("first_name", "R2-D2")
        .text("last_name", "Roe")
        .text("dob", "1990-13-45")
        .text("email", "not-an-email")
        .text("residence_country", "")
        .text("document_type", "CREDIT_CARD")
        .part(
            "selfie",
            Part::bytes(b"hello".to_vec()).file_name("notes.txt"),
        );
    let reply = submit(&app, &token, form).await;
    assert_eq!(
        parameters(&reply),
        [
            "first_name",
            "dob",
            "email",
            "residence_country",
            "document_type",
            "front_side",
            "selfie"
        ]
    );
    let message = |p: &str| {
        reply.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["parameter"] == p)
            .unwrap()["message"]
            .clone()
    };
    assert_eq!(message("dob"), "Day of birth is not valid");
    assert_eq!(message("front_side"), "Front side is required");
    assert_eq!(
        message("selfie"),
        "Selfie: File type is not supported; upload a JPG, PNG or PDF file"
    );
    assert_eq!(get(&app, "/applicants").await["total"], 0);
    let verification = get(&app, &format!("/verifications/{verification_id}")).await;
    assert_eq!(verification["status"], "unused");
    assert_eq!(Page::get(&app, &url).await.status, StatusCode::OK);
    // Not multipart: refused before anything is read.
    let reply = app
        .send(
            app.request(Method::POST, &format!("/kycaid/form/{token}/submit"))
                .json(&json!({"first_name": "Jane"})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn the_review_completes_on_the_sandbox_clock() {
    let app = spawn_app().await;
    let (_, approved, token) = link(&app, DEFAULT_FORM, json!({})).await;
    let reply = submit(&app, &token, filled("jane@example.com")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (_, mismatch, token) = link(&app, DEFAULT_FORM, json!({})).await;
    let reply = submit(&app, &token, filled("jane+facial-mismatch@example.com")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    app.advance(11).await;

    let verification = get(&app, &format!("/verifications/{approved}")).await;
    assert_eq!(verification["status"], "completed");
    assert_eq!(verification["verified"], true);
    let applicant_id = verification["applicant_id"].as_str().unwrap();
    let applicant = get(&app, &format!("/applicants/{applicant_id}")).await;
    assert_eq!(applicant["verification_status"], "valid");
    assert_eq!(applicant["documents"][0]["status"], "valid");

    let verification = get(&app, &format!("/verifications/{mismatch}")).await;
    assert_eq!(verification["status"], "completed");
    assert_eq!(verification["verified"], false);
    assert_eq!(verification["verifications"]["facial"]["verified"], false);
    assert_eq!(verification["verifications"]["document"]["verified"], true);
}

#[tokio::test]
async fn a_link_for_an_applicant_is_prefilled_and_updates_its_profile() {
    let app = spawn_app().await;
    let created = app
        .send(kycaid(&app, Method::POST, "/applicants").json(&json!({
            "type": "PERSON", "first_name": "Jane", "last_name": "O'Hara", "email": "jane+<b>@example.com",
        })))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let applicant_id = created.body["applicant_id"].as_str().unwrap().to_owned();
    let (url, verification_id, token) =
        link(&app, ADDRESS_FORM, json!({"applicant_id": applicant_id})).await;
    let page = Page::get(&app, &url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("value=\"Jane\""));
    assert!(page.text.contains("value=\"O&#39;Hara\""), "escaped");
    assert!(
        page.text.contains("value=\"jane+&lt;b&gt;@example.com\""),
        "escaped"
    );
    assert!(page.text.contains("id=\"full_address\""));

    let form = filled("jane@example.com")
        .text("country", "DE")
        .text("city", "Berlin")
        .text("postal_code", "10115")
        .text("full_address", "Unter den Linden 1");
    let reply = submit(&app, &token, form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["applicant_id"], json!(applicant_id));
    let applicant = get(&app, &format!("/applicants/{applicant_id}")).await;
    assert_eq!(applicant["last_name"], "Roe");
    assert_eq!(applicant["verifications_count"], 1);
    assert_eq!(applicant["addresses"][0]["city"], "Berlin");
    assert_eq!(applicant["addresses"][0]["type"], "REGISTERED");
    assert_eq!(applicant["documents"].as_array().unwrap().len(), 2);
    let verification = get(&app, &format!("/verifications/{verification_id}")).await;
    assert_eq!(verification["status"], "pending");
    assert_eq!(get(&app, "/applicants").await["total"], 1);
}

#[tokio::test]
async fn the_scenario_header_is_honoured() {
    let app = spawn_app().await;
    let (url, verification_id, token) = link(&app, DEFAULT_FORM, json!({})).await;
    let unknown = app
        .send(
            app.request(Method::POST, &format!("/kycaid/form/{token}/submit"))
                .header("X-Sandbox-Scenario", "no-such-scenario")
                .multipart(filled("jane@example.com")),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.body);
    assert_eq!(get(&app, "/applicants").await["total"], 0);
    assert_eq!(Page::get(&app, &url).await.status, StatusCode::OK);
    let forced = app
        .send(
            app.request(Method::POST, &format!("/kycaid/form/{token}/submit"))
                .header("X-Sandbox-Scenario", "kycaid-facial-mismatch")
                .multipart(filled("jane@example.com")),
        )
        .await;
    assert_eq!(forced.status, StatusCode::OK, "{}", forced.body);
    app.advance(11).await;
    let verification = get(&app, &format!("/verifications/{verification_id}")).await;
    assert_eq!(verification["verified"], false);
}

/// The JSON of the page's `<script id="config">`.
fn page_config(text: &str) -> Value {
    let open = "<script id=\"config\" type=\"application/json\">";
    let start = text.find(open).expect("a config script") + open.len();
    let end = start + text[start..].find("</script>").unwrap();
    serde_json::from_str(&text[start..end]).unwrap()
}

#[tokio::test]
async fn data_in_the_page_cannot_inject_markup() {
    let app = spawn_app().await;
    // An applicant whose email holds a placeholder of the page template, and redirect URLs that
    // end an attribute or the script element: filled in turn, they used to add an <img onerror>.
    let created = app
        .send(kycaid(&app, Method::POST, "/applicants").json(&json!({
            "type": "PERSON", "first_name": "Jane", "last_name": "Roe",
            "email": "a{{config}}@x.io",
        })))
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let applicant_id = created.body["applicant_id"].as_str().unwrap().to_owned();
    for redirect in [
        "https://e.com/?q=\"><img src=x onerror=alert(1)>",
        "https://e.com/?q=</script><img src=x onerror=alert(1)>",
        "https://e.com/?q=<!--<script>&amp;'\"</SCRIPT ><img src=x onerror=alert(1)>",
    ] {
        let (url, _, _) = link(
            &app,
            DEFAULT_FORM,
            json!({"applicant_id": applicant_id, "redirect_url": redirect}),
        )
        .await;
        let page = Page::get(&app, &url).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.text.contains("<img"),
            "injected markup: {}",
            page.text
        );
        // The URL shows only as JSON text in the config script.
        let config = page_config(&page.text);
        assert_eq!(config["redirectUrl"], redirect);
        assert_eq!(page.text.matches("onerror").count(), 1, "{}", page.text);
        let lower = page.text.to_lowercase();
        // The hosted pages' shared script, the config, the form's own script.
        assert_eq!(lower.matches("<script").count(), 3, "{}", page.text);
        assert_eq!(lower.matches("</script").count(), 3, "{}", page.text);
        // The email is shown as written, in its input.
        assert!(page.text.contains("value=\"a{{config}}@x.io\""));
        assert_eq!(page.text.matches("id=\"kycaid-form\"").count(), 1);
        assert!(page.text.contains("<title>Verify your identity · KYCAID"));
        assert!(config["submitUrl"]
            .as_str()
            .unwrap()
            .starts_with("/kycaid/form/"));
    }
}

/// A page read as text.
struct Page {
    status: StatusCode,
    content_type: String,
    text: String,
}

impl Page {
    async fn get(app: &TestApp, url: &str) -> Page {
        let response = app.client.get(url).send().await.unwrap();
        let status = response.status();
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        Page {
            status,
            content_type,
            text: response.text().await.unwrap(),
        }
    }
}

/// A person submitting the hosted form sends `VERIFICATION_STATUS_CHANGED` with `pending`, the
/// fields of docs.kycaid.com/callbacks/verification-status-changed's example; the decision then
/// sends only `VERIFICATION_COMPLETED` (never a status change to `completed`).
#[tokio::test]
async fn a_submitted_form_calls_back_pending_then_completed() {
    let mut receiver = common::receiver::Receiver::start().await;
    let url = receiver.url("/hook");
    let app = common::spawn_with(|c| c.kycaid_callback_url = Some(url)).await;
    let (_, verification_id, token) = link(
        &app,
        DEFAULT_FORM,
        json!({"external_applicant_id": "ext-9"}),
    )
    .await;
    let reply = submit(&app, &token, filled("jane@example.com")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let pending: Value = serde_json::from_slice(&receiver.next().await.body).unwrap();
    let mut fields: Vec<&str> = pending
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "applicant_id",
            "external_applicant_id",
            "form_id",
            "form_token",
            "request_id",
            "type",
            "verification_attempts_left",
            "verification_id",
            "verification_status"
        ]
    );
    assert_eq!(
        (
            &pending["type"],
            &pending["verification_status"],
            &pending["form_token"]
        ),
        (
            &json!("VERIFICATION_STATUS_CHANGED"),
            &json!("pending"),
            &json!(token)
        )
    );
    assert_eq!(
        (&pending["verification_id"], &pending["form_id"]),
        (&json!(verification_id), &json!(DEFAULT_FORM))
    );
    app.advance(11).await;
    let completed: Value = serde_json::from_slice(&receiver.next().await.body).unwrap();
    assert_eq!(completed["type"], "VERIFICATION_COMPLETED");
    app.advance(3600).await;
    let logged = app.admin_get("/webhooks?provider=kycaid").await;
    assert_eq!(logged["deliveries"].as_array().unwrap().len(), 2);
}

/// KYCAID's React Native wrapper (WlinkNET/kycaid-react-native-sdk, src/App.tsx) makes a link
/// without `redirect_url`, opens `form_url?reactNative=1&lang=…`, and waits for the WebView to
/// reach the form's return URL from the dashboard: the fixtures' form `redirect_url` stands in.
#[tokio::test]
async fn a_link_without_redirect_url_returns_to_the_forms_own_and_mobile_parameters_are_accepted() {
    const DOCUMENTS_ONLY: &str = "1abb40d93277c77f8fc77fedc47758736c7e";
    let app = spawn_app().await;
    // The wrapper also sends `form_id` and a null `applicant_id` in the body.
    let (form_url, _, token) = link(
        &app,
        DOCUMENTS_ONLY,
        json!({"form_id": DOCUMENTS_ONLY, "applicant_id": null}),
    )
    .await;
    let page = app
        .send(app.client.get(format!("{form_url}?reactNative=1&lang=de")))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = String::from_utf8_lossy(&page.bytes);
    assert!(html.contains("<html lang=\"de\">"), "{}", &html[..80]);
    assert!(page_config(&html)["redirectUrl"] == "https://example.com/kycaid/done");
    let hostile = app
        .send(
            app.client
                .get(format!("{form_url}?lang=%22%3E%3Cscript%3E")),
        )
        .await;
    assert!(String::from_utf8_lossy(&hostile.bytes).contains("<html lang=\"en\">"));
    let reply = submit(&app, &token, filled("jane@example.com")).await;
    assert_eq!(
        reply.body["redirect_url"],
        "https://example.com/kycaid/done"
    );

    let (_, _, token) = link(
        &app,
        DOCUMENTS_ONLY,
        json!({"redirect_url": "https://shop.example/back"}),
    )
    .await;
    let reply = submit(&app, &token, filled("jane@example.com")).await;
    assert_eq!(
        reply.body["redirect_url"], "https://shop.example/back",
        "the link's own wins"
    );
}
