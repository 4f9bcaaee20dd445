//! Response headers built from client input stay valid whatever the input holds, and nothing the
//! HTTP layer raises on its own escapes a provider's envelope.

use reqwest::Method;

use crate::common::rebilly::{KEY, ORG};
use crate::common::{spawn_app, tiny_png};

const BOUNDARY: &str = "b0unDary";
/// Non-ASCII letters: a multipart part may carry them, a header value may not as they are.
const UPLOADED_NAME: &str = "scan é.png";
/// A control character, DEL and a quote, which a JSON update can set.
const NASTY_NAME: &str = "scan\u{1}\u{7f}\"é.png";

/// A well-formed multipart body with `fields` and one PNG `file` part named `NASTY_NAME`, sent raw
/// so that no client library cleans the name up first.
fn upload(request: reqwest::RequestBuilder, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: image/png\r\n\r\n",
            UPLOADED_NAME
        )
        .as_bytes(),
    );
    body.extend_from_slice(&tiny_png());
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    request
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
}

#[track_caller]
fn assert_safe_disposition(headers: &reqwest::header::HeaderMap, encoded: &str) {
    let value = headers["content-disposition"].to_str().unwrap();
    assert!(value.contains("filename=\"scan"), "{value}");
    assert!(
        value.ends_with(&format!("filename*=UTF-8''{encoded}")),
        "{value}"
    );
}

#[tokio::test]
async fn downloads_of_files_with_control_characters_in_their_names_work() {
    let app = spawn_app().await;

    let reply = app
        .send(upload(app.rebilly(Method::POST, KEY, ORG, "/files"), &[]))
        .await;
    let file = reply.rebilly(201, "File").clone();
    let download = app
        .send(app.rebilly(
            Method::GET,
            KEY,
            ORG,
            &format!("/files/{}/download", file["id"].as_str().unwrap()),
        ))
        .await;
    assert_eq!(download.status, 200, "{}", download.body);
    assert_eq!(download.bytes, tiny_png());
    assert_safe_disposition(&download.headers, "scan%20%C3%A9.png");

    // Renamed through the API to a name with a control character, DEL and a quote.
    let path = format!("/files/{}", file["id"].as_str().unwrap());
    let renamed = app
        .send(
            app.rebilly(Method::PUT, KEY, ORG, &path)
                .json(&serde_json::json!({"name": NASTY_NAME})),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    let download = app
        .send(app.rebilly(Method::GET, KEY, ORG, &format!("{path}/download")))
        .await;
    assert_eq!(download.status, 200, "{}", download.body);
    assert_safe_disposition(&download.headers, "scan%01%7F%22%C3%A9.png");

    let reply = app
        .send(upload(
            app.request(Method::POST, "/kycaid/files")
                .header("authorization", "Token tok-names"),
            &[],
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let id = reply.body["file_id"].as_str().unwrap();
    let download = app
        .send(
            app.request(Method::GET, &format!("/kycaid/files/{id}"))
                .header("authorization", "Token tok-names"),
        )
        .await;
    assert_eq!(download.status, 200, "{}", download.body);
    assert_safe_disposition(&download.headers, "scan%20%C3%A9.png");

    app.send(app.sumvin(Method::POST, "pat-names", "/v0/kyc/applicant"))
        .await
        .sumvin(201, "KYCApplicantResponse");
    let reply = app
        .send(upload(
            app.sumvin(Method::POST, "pat-names", "/v0/kyc/documents"),
            &[("document_type", "PASSPORT"), ("country", "GBR")],
        ))
        .await;
    let id = reply.sumvin(201, "KYCDocumentUploadResponse")["image_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let download = app
        .send(app.sumvin(Method::GET, "pat-names", &format!("/v0/kyc/documents/{id}")))
        .await;
    assert_eq!(download.status, 200, "{}", download.body);
    assert_safe_disposition(&download.headers, "scan%20%C3%A9.png");
}

/// A method a path does not answer gets the provider's 405 with the `Allow` header RFC 9110
/// requires (found by schema fuzzing); GET paths answer HEAD too.
#[tokio::test]
async fn a_wrong_method_gets_405_with_allow_and_get_paths_answer_head() {
    let app = spawn_app().await;
    let cases = [
        (
            app.request(Method::PATCH, "/kycaid/files")
                .header("authorization", "Token t"),
            "POST",
        ),
        (
            app.rebilly(Method::PATCH, KEY, ORG, "/kyc-documents"),
            "GET, HEAD, POST",
        ),
        (
            app.sumvin(Method::DELETE, "pat", "/v0/kyc/documents"),
            "POST, GET, HEAD",
        ),
    ];
    for (request, allow) in cases {
        let reply = app.send(request).await;
        assert_eq!(reply.status, 405, "{}", reply.body);
        assert_eq!(reply.headers["allow"], allow);
        assert!(
            reply.body.is_object(),
            "the provider's envelope: {}",
            reply.body
        );
    }
    for request in [
        app.request(Method::HEAD, "/kycaid/applicants")
            .header("authorization", "Token t"),
        app.rebilly(Method::HEAD, KEY, ORG, "/kyc-documents"),
        app.sumvin(Method::HEAD, "pat", "/v0/kyc/status"),
    ] {
        let reply = app.send(request).await;
        assert_eq!(reply.status, 200);
        assert!(reply.bytes.is_empty(), "HEAD has no body");
    }
}
