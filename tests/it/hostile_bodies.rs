//! Bodies a careless or hostile client sends: multipart without its closing boundary, bodies that
//! stall, oversized bodies on every mount. Each answers at once, in the envelope of the mount it hit.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::common::rebilly::{KEY, ORG};
use crate::common::{spawn_app, tiny_png, TestApp};

const BOUNDARY: &str = "XyZzYbOuNdArY";

/// A file part and a text part with no closing `--boundary--`: the body simply ends, right after
/// the file's bytes, after them and a line break (what made actix-multipart 0.7 wait forever), or
/// after a delimiter that is not the closing one.
fn unterminated_multiparts() -> Vec<Vec<u8>> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nPASSPORT\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&tiny_png());
    let with_line_break = [body.clone(), b"\r\n".to_vec()].concat();
    let with_delimiter = [body.clone(), format!("\r\n--{BOUNDARY}\r\n").into_bytes()].concat();
    vec![body, with_line_break, with_delimiter]
}

/// Sends each unterminated body; every one is answered (not left hanging) with the same status.
async fn send_unterminated(app: &TestApp, request: reqwest::RequestBuilder) -> (u16, Value) {
    let mut answers = Vec::new();
    for body in unterminated_multiparts() {
        let request = request
            .try_clone()
            .unwrap()
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(body);
        let reply = tokio::time::timeout(Duration::from_secs(5), app.send(request))
            .await
            .expect("an unterminated multipart body is answered at once, not left hanging");
        answers.push((reply.status.as_u16(), reply.body));
    }
    assert!(answers.windows(2).all(|w| w[0].0 == w[1].0), "{answers:?}");
    answers.swap_remove(0)
}

#[tokio::test]
async fn multipart_without_closing_boundary_gets_each_providers_400() {
    let app = spawn_app().await;

    let (status, body) = send_unterminated(
        &app,
        app.request(Method::POST, "/kycaid/files")
            .header("authorization", "Token tok-multipart"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["type"], "bad_request", "KYCAID envelope: {body}");

    let (status, body) =
        send_unterminated(&app, app.rebilly(Method::POST, KEY, ORG, "/files")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["status"], 400, "Rebilly problem: {body}");

    let (status, body) = send_unterminated(
        &app,
        app.sumvin(Method::POST, "pat-multipart", "/v0/kyc/documents"),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error_code"], "KYC-400-002", "Sumvin problem: {body}");

    // The hosted KYCAID form's submit reads multipart too; an unknown token still must not hang.
    let (status, body) =
        send_unterminated(&app, app.request(Method::POST, "/kycaid/form/0000/submit")).await;
    assert!(matches!(status, 400 | 404), "{status} {body}");
    assert!(body["type"].is_string(), "KYCAID envelope: {body}");

    // Nothing was stored by any of them.
    let tenants = app.admin_get("/tenants").await;
    assert_eq!(
        tenants["tenants"].as_array().map(Vec::len),
        Some(0),
        "{tenants}"
    );
}

/// Writes `head` (and `body`) on a fresh connection, then waits for the answer without sending
/// more: what a client that stalls looks like. Returns the status and the JSON body.
async fn raw_exchange(app: &TestApp, head: &str, body: &[u8]) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers and closes a stalled request")
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    (status, body)
}

fn stalled_post(path: &str, auth: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n"
    )
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408_in_the_mounts_envelope() {
    let app = crate::common::spawn_with(|c| c.body_timeout = Duration::from_millis(300)).await;

    let (status, body) = raw_exchange(
        &app,
        &stalled_post("/kycaid/applicants", "Authorization: Token tok-slow"),
        b"{\"type\":",
    )
    .await;
    assert_eq!(
        (status, body["type"].as_str()),
        (408, Some("request_timeout")),
        "{body}"
    );
    // Not one byte of the body: the wait still ends `--body-timeout` after the request came in.
    let (status, _) = raw_exchange(
        &app,
        &stalled_post("/kycaid/applicants", "Authorization: Token tok-slow"),
        b"",
    )
    .await;
    assert_eq!(status, 408);

    let (status, body) = raw_exchange(
        &app,
        &stalled_post(
            &format!("/rebilly/organizations/{ORG}/kyc-requests"),
            "REB-APIKEY: k",
        ),
        b"{",
    )
    .await;
    assert_eq!(
        (status, &body["status"]),
        (408, &Value::from(408)),
        "{body}"
    );
    assert_eq!(body["title"], "Request Timeout");

    let (status, body) = raw_exchange(
        &app,
        &stalled_post("/sumvin/v0/kyc/applicant", "x-sumvin-pat: pat-slow"),
        b"{",
    )
    .await;
    assert_eq!(status, 408, "{body}");
    assert_eq!(
        body["instance"], "/v0/kyc/applicant",
        "Sumvin problem: {body}"
    );

    let (status, body) = raw_exchange(
        &app,
        &stalled_post("/__admin/clock/advance", "X-Test: 1"),
        b"{",
    )
    .await;
    assert_eq!(
        (status, &body["error"]["status"]),
        (408, &Value::from(408)),
        "{body}"
    );

    // Still serving, and nothing was half-written.
    let tenants = app.admin_get("/tenants").await;
    assert_eq!(
        tenants["tenants"].as_array().map(Vec::len),
        Some(0),
        "{tenants}"
    );
}

#[tokio::test]
async fn headers_that_stop_arriving_get_408() {
    let app = crate::common::spawn_with(|c| c.header_timeout = Duration::from_millis(300)).await;
    let (status, _) =
        raw_exchange(&app, "GET /kycaid/applicants HTTP/1.1\r\nHost: x\r\n", b"").await;
    assert_eq!(status, 408);
}

#[tokio::test]
async fn a_full_house_waits_until_a_connection_leaves() {
    let app = crate::common::spawn_with(|c| c.max_connections = 1).await;
    // One connection that sends nothing holds the only slot...
    let idle = tokio::net::TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let waiting = tokio::spawn(fresh.get(app.url("/__admin/health")).send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "served although the only slot was taken"
    );
    // ...and the next client is served once it leaves.
    drop(idle);
    let reply = waiting.await.unwrap().unwrap();
    assert_eq!(reply.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

/// Every mount answers an oversized body with 413 in its own envelope, whether the size is
/// declared up front or only found while reading (chunked), and also on routes that read no body.
#[tokio::test]
async fn oversized_bodies_get_413_in_the_envelope_of_the_mount_they_hit() {
    let app = crate::common::spawn_with(|c| c.max_body = 1024).await;
    let big = vec![b' '; 4096];
    let chunked = || {
        let chunks =
            futures_util::stream::iter((0..4).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1024])));
        reqwest::Body::wrap_stream(chunks)
    };
    type InEnvelope = fn(&Value) -> bool;
    let cases: Vec<(reqwest::RequestBuilder, InEnvelope)> = vec![
        (
            app.request(Method::POST, "/kycaid/applicants")
                .header("authorization", "Token tok-big")
                .header("content-type", "application/json"),
            |b| b["type"] == "payload_too_large" && b["errors"][0]["parameter"] == "body",
        ),
        (
            app.rebilly(Method::POST, KEY, ORG, "/kyc-requests")
                .header("content-type", "application/json"),
            |b| b["status"] == 413 && b["title"] == "Payload Too Large",
        ),
        (
            // Reads no body at all; still refused, as FastAPI behind Sumvin's proxy would.
            app.sumvin(Method::POST, "pat-big", "/v0/kyc/applicant"),
            |b| b["status"] == 413 && b["error_code"] == "GEN-400-001",
        ),
        (app.sumvin(Method::POST, "pat-big", "/v0/kyc/submit"), |b| {
            b["status"] == 413 && b["instance"] == "/v0/kyc/submit"
        }),
        (
            app.request(Method::POST, "/hermes/mediator/api/get_data"),
            |b| b["success"] == false && b["status"] == "error",
        ),
        (
            app.request(Method::POST, "/qolo/api/v1/persons")
                .bearer_auth("any")
                .header("content-type", "application/json"),
            |b| b["status"] == 413 && b["traceId"].is_string(),
        ),
        (app.request(Method::POST, "/__admin/reset"), |b| {
            b["error"]["status"] == 413
        }),
    ];
    for (request, envelope) in cases {
        for body in [reqwest::Body::from(big.clone()), chunked()] {
            let request = request.try_clone().unwrap().body(body);
            let reply = app.send(request).await;
            assert_eq!(reply.status, 413, "{}", reply.body);
            assert!(
                envelope(&reply.body),
                "not in the mount's envelope: {}",
                reply.body
            );
        }
    }
    let tenants = app.admin_get("/tenants").await;
    assert_eq!(
        tenants["tenants"].as_array().map(Vec::len),
        Some(0),
        "{tenants}"
    );
}

/// A JSON object with thousands of members, one of them repeated: read as any JSON parser reads
/// it (the later value of a repeated name counts, as `serde_json` and Python's `json` take it),
/// and answered at once rather than compared name by name against every other member.
#[tokio::test]
async fn bodies_with_many_or_repeated_members_read_like_any_json_object() {
    let app = spawn_app().await;
    let junk: String = (0..5000).map(|i| format!("\"junk_{i}\": {i}, ")).collect();

    let body = format!(
        "{{\"type\": \"PERSON\", \"first_name\": \"Ada\", {junk}\"first_name\": \"Grace\"}}"
    );
    let created = app
        .send(
            crate::common::kycaid::kyc(&app, Method::POST, "/applicants")
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.body["applicant_id"].as_str().unwrap().to_owned();
    let applicant = app
        .send(crate::common::kycaid::kyc(
            &app,
            Method::GET,
            &format!("/applicants/{id}"),
        ))
        .await;
    assert_eq!(applicant.body["first_name"], "Grace", "{}", applicant.body);

    let body = format!("{{\"websiteId\": \"web-1\", {junk}\"websiteId\": \"web-2\"}}");
    let customer = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/customers")
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
    assert_eq!(customer.status, 201, "{}", customer.body);
    assert_eq!(customer.body["websiteId"], "web-2", "{}", customer.body);
}
