//! Qolo, as a client written against devapi.qolopay.com calls it: a bearer token from
//! `POST /api/v1/auth/login`, then persons and Perform KYC (shapes from Qolo's "qoloreference":
//! CreatePerson, GetPersonById, SearchPerson, GetKycResult, PerformKYC).

mod auth;
mod kyc;
mod notifications;
mod persons;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{Reply, TestApp};

/// The CDD program (the guid in Qolo's Perform KYC sample) and its SDD sibling.
pub const CDD: &str = "3fa0d2ea-ffcf-485d-94ed-dbf4f861ad2f";
pub const SDD: &str = "5a8e0f6c-2d4b-4e9a-8c1f-6b3d7e2a9c41";
/// A CDD program under another top program.
pub const OTHER_TOP: &str = "c2f7b9d4-8e1a-4f3c-b6d2-9a0e5c7f1b38";

pub async fn login(app: &TestApp, loginid: &str) -> String {
    let reply = app
        .send(
            app.request(Method::POST, "/qolo/api/v1/auth/login")
                .json(&json!({"loginid": loginid, "apikey": "demo-apikey"})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["token"].as_str().unwrap().to_owned()
}

/// A call to `/qolo/api/v1{path}` with the bearer token.
pub async fn call(
    app: &TestApp,
    method: Method,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> Reply {
    let mut request = app
        .request(method, &format!("/qolo/api/v1{path}"))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    app.send(request).await
}

/// A person with everything CDD needs, and this government id.
pub fn details(last_name: &str, govt_id: &str) -> Value {
    json!({
        "first_name": "Alex",
        "last_name": last_name,
        "birth_date": "1990-04-01",
        "email": format!("{}@example.com", last_name.to_lowercase()),
        "mobile_number": "+1 512 555 0100",
        "base_address": {"address_line1": "12 Oak St", "city": "Austin", "state": "TX", "postal_code": "73301", "country": "USA"},
        "nationality": "USA",
        "identifications": [{"govt_id_type": "SSN", "govt_id_number": govt_id}],
    })
}

/// CreatePerson in `program`, asserting the 201.
pub async fn create(app: &TestApp, token: &str, program: &str, details: Value) -> Value {
    let reply = call(
        app,
        Method::POST,
        token,
        "/persons",
        Some(json!({"create_account": false, "program_guid": program, "person_details": details})),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body
}

pub async fn perform(app: &TestApp, token: &str, guid: &str, body: Value) -> Reply {
    call(
        app,
        Method::POST,
        token,
        &format!("/persons/{guid}/kyc"),
        Some(body),
    )
    .await
}

/// Asserts Qolo's 400 (ASP.NET ProblemDetails) and returns the fields it names.
#[track_caller]
pub fn field_errors(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.headers["content-type"], "application/problem+json");
    assert_eq!(reply.body["status"], 400);
    assert_eq!(
        reply.body["title"],
        "One or more validation errors occurred."
    );
    reply.body["errors"]
        .as_object()
        .expect("errors")
        .keys()
        .cloned()
        .collect()
}
