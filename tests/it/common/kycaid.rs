//! KYCAID test helpers: one API token, requests under `/kycaid`, uploads, the resources most
//! tests need, and checks of KYCAID's error envelope.

use reqwest::multipart::{Form, Part};
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};

use super::{Reply, TestApp};

/// The API token of the documented signature example: 36 lowercase hex characters.
pub const TOKEN: &str = "28c6f7cc0345a04eee0b535039b1c5a62547";
/// Another account's token.
pub const OTHER_TOKEN: &str = "d9883415047de3439328df17b0310569669a";

/// A request to `{base}/kycaid{path}` with `Authorization: Token <TOKEN>`.
pub fn kyc(app: &TestApp, method: Method, path: &str) -> RequestBuilder {
    kyc_as(app, TOKEN, method, path)
}

/// Like [`kyc`] with another token.
pub fn kyc_as(app: &TestApp, token: &str, method: Method, path: &str) -> RequestBuilder {
    app.request(method, &format!("/kycaid{path}"))
        .header("Authorization", format!("Token {token}"))
}

pub async fn get(app: &TestApp, path: &str) -> Reply {
    app.send(kyc(app, Method::GET, path)).await
}

pub async fn delete(app: &TestApp, path: &str) -> Reply {
    app.send(kyc(app, Method::DELETE, path)).await
}

/// A JSON body sent with `method`.
pub async fn send_json(app: &TestApp, method: Method, path: &str, body: Value) -> Reply {
    app.send(kyc(app, method, path).json(&body)).await
}

pub async fn post(app: &TestApp, path: &str, body: Value) -> Reply {
    send_json(app, Method::POST, path, body).await
}

pub async fn patch(app: &TestApp, path: &str, body: Value) -> Reply {
    send_json(app, Method::PATCH, path, body).await
}

/// An `application/x-www-form-urlencoded` body (raw, so `types[]=A&types[]=B` stays as written).
pub async fn post_form(app: &TestApp, path: &str, body: &str) -> Reply {
    app.send(
        kyc(app, Method::POST, path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned()),
    )
    .await
}

/// A multipart upload with the bytes in field `file`.
pub fn file_form(bytes: Vec<u8>, name: &str) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()))
}

/// `POST /files` with these bytes.
pub async fn upload(app: &TestApp, bytes: Vec<u8>, name: &str) -> Reply {
    app.send(kyc(app, Method::POST, "/files").multipart(file_form(bytes, name)))
        .await
}

/// Uploads the sample PNG and returns its `file_id`.
pub async fn file(app: &TestApp) -> String {
    let reply = upload(app, png(), "document.png").await;
    id_of(&reply, "file_id")
}

/// The `<x>_id` of a `200 {"<x>_id": ...}` acknowledgement, checked to be a KYCAID id.
#[track_caller]
pub fn id_of(reply: &Reply, field: &str) -> String {
    assert_eq!(reply.status, 200, "{}", reply.body);
    let id = reply.body[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {}", reply.body))
        .to_owned();
    assert!(is_id(&id), "{field} {id} is not 36 lowercase hex");
    assert_eq!(
        reply.body.as_object().unwrap().len(),
        1,
        "only the id: {}",
        reply.body
    );
    id
}

pub fn is_id(s: &str) -> bool {
    s.len() == 36 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether `s` is a KYCAID timestamp, `YYYY-MM-DD HH:mm:ss`.
pub fn is_timestamp(s: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").is_ok() && s.len() == 19
}

/// Creates an applicant and returns its id.
pub async fn applicant(app: &TestApp, body: Value) -> String {
    id_of(&post(app, "/applicants", body).await, "applicant_id")
}

/// A PERSON applicant "Jane Roe" with `extra` fields merged in.
pub async fn person(app: &TestApp, extra: Value) -> String {
    let mut body = json!({"type": "PERSON", "first_name": "Jane", "last_name": "Roe"});
    merge(&mut body, extra);
    applicant(app, body).await
}

/// Creates a document and returns its id.
pub async fn document(app: &TestApp, body: Value) -> String {
    id_of(&post(app, "/documents", body).await, "document_id")
}

/// A PASSPORT with `number` and an uploaded front side.
pub async fn passport(app: &TestApp, applicant_id: &str, number: &str) -> String {
    let front = file(app).await;
    document(
        app,
        json!({"applicant_id": applicant_id, "type": "PASSPORT", "document_number": number,
               "front_side_id": front}),
    )
    .await
}

/// Creates a verification and returns its id.
pub async fn verification(app: &TestApp, body: Value) -> String {
    id_of(&post(app, "/verifications", body).await, "verification_id")
}

/// A person with `extra` fields and a passport numbered `number`, submitted for verification.
pub async fn submit_person(app: &TestApp, extra: Value, number: &str) -> (String, String) {
    let applicant_id = person(app, extra).await;
    passport(app, &applicant_id, number).await;
    let id = verification(app, json!({"applicant_id": applicant_id})).await;
    (applicant_id, id)
}

/// `GET /verifications/{id}`.
pub async fn verification_of(app: &TestApp, id: &str) -> Value {
    let reply = get(app, &format!("/verifications/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// `GET /applicants/{id}`.
pub async fn applicant_of(app: &TestApp, id: &str) -> Value {
    let reply = get(app, &format!("/applicants/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// Moves the sandbox clock on by `secs`, firing what falls due.
pub async fn advance(app: &TestApp, secs: u64) {
    app.advance(secs).await;
}

/// Asserts a completed verification declined by `check` alone, for `reason`.
#[track_caller]
pub fn assert_declined(verification: &Value, check: &str, reason: &str) {
    assert_eq!(verification["status"], "completed");
    assert_eq!(verification["verified"], false);
    let result = &verification["verifications"][check];
    assert_eq!(result["verified"], false, "{verification}");
    assert_eq!(result["decline_reasons"], json!([reason]));
    assert!(!result["comment"].as_str().unwrap().is_empty());
    for (name, other) in verification["verifications"].as_object().unwrap() {
        if name != check {
            assert_eq!(other["verified"], true, "{name} passes");
            assert_eq!(other["decline_reasons"], json!([]));
        }
    }
}

/// Asserts KYCAID's error envelope `{"type": kind, "errors": [{"parameter", "message"}]}` with
/// `status`, one entry per parameter in this order; returns the messages.
#[track_caller]
pub fn assert_error(reply: &Reply, status: u16, kind: &str, parameters: &[&str]) -> Vec<String> {
    assert_eq!(reply.status.as_u16(), status, "body: {}", reply.body);
    let content_type = reply.headers["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body = reply.body.as_object().expect("a JSON object");
    assert_eq!(body.len(), 2, "only type and errors: {}", reply.body);
    assert_eq!(body["type"], kind, "{}", reply.body);
    let errors = body["errors"].as_array().expect("errors is a list");
    let got: Vec<&str> = errors
        .iter()
        .map(|e| e["parameter"].as_str().expect("parameter"))
        .collect();
    assert_eq!(got, parameters, "{}", reply.body);
    errors
        .iter()
        .map(|e| {
            assert_eq!(e.as_object().unwrap().len(), 2, "{e}");
            let message = e["message"].as_str().expect("message").to_owned();
            assert!(!message.is_empty());
            message
        })
        .collect()
}

/// Adds the fields of `extra` (an object) to `body`.
pub fn merge(body: &mut Value, extra: Value) {
    if let Value::Object(extra) = extra {
        let body = body.as_object_mut().unwrap();
        for (k, v) in extra {
            body.insert(k, v);
        }
    }
}

/// The real PNG in `fixtures/images`.
pub fn png() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/images/document.png"
    ))
    .expect("fixtures/images/document.png")
}

/// A minimal baseline JPEG (SOI, APP0/JFIF, EOI is enough for type sniffing; this one also has
/// the JFIF header real decoders look for).
pub fn jpeg() -> Vec<u8> {
    let mut bytes = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00,
    ];
    bytes.extend_from_slice(&[0xFF, 0xD9]);
    bytes
}

/// A one-page PDF.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n".to_vec()
}
