//! Test helpers: a real server on a free port, an HTTP client, and response checks against the
//! providers' own specs.
#![allow(dead_code)]

pub mod kycaid;
pub mod rebilly;
pub mod receiver;
pub mod spec;

use std::sync::Arc;

use kyc_sandbox::config::Config;
use kyc_sandbox::core::{ClockMode, Sandbox};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

pub const T0: &str = "2026-01-01T00:00:00Z";
/// `T0` in epoch milliseconds.
pub const T0_MS: i64 = 1_767_225_600_000;

pub struct TestApp {
    pub base: String,
    /// Each provider's own port (`http://127.0.0.1:N`), where it lives at the root.
    pub ports: std::collections::HashMap<&'static str, String>,
    pub client: reqwest::Client,
    pub sandbox: Arc<Sandbox>,
}

/// A server with a frozen clock at `T0` and seed 42.
pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config {
        port: 0,
        seed: Some(42),
        clock: format!("frozen:{T0}").parse::<ClockMode>().unwrap(),
        workers: Some(1),
        // Each listener builds its own app (slow in a debug build); tests of the provider ports
        // turn them on.
        no_provider_ports: true,
        // The Rebilly tests written before customers existed name customers without creating
        // them; `rebilly_customers.rs` checks the default, where an unknown customer is refused.
        rebilly_implicit_customers: true,
        ..Config::default()
    };
    adjust(&mut config);
    let running = kyc_sandbox::start(&config).expect("server starts");
    tokio::spawn(running.server);
    TestApp {
        base: format!("http://{}", running.addr),
        ports: running
            .provider_addrs
            .iter()
            .map(|(name, addr)| (*name, format!("http://{addr}")))
            .collect(),
        client: reqwest::Client::new(),
        sandbox: running.sandbox,
    }
}

/// A response read whole: status, headers and body (JSON when it parses).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub bytes: Vec<u8>,
    pub body: Value,
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body").to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            bytes,
            body,
        }
    }

    /// Asserts the status and validates the body against a schema of the Sumvin spec.
    #[track_caller]
    pub fn sumvin(&self, status: u16, schema: &str) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        spec::sumvin().check(schema, &self.body);
        &self.body
    }

    /// Asserts the status and validates the body against a schema of the Rebilly spec.
    #[track_caller]
    pub fn rebilly(&self, status: u16, schema: &str) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        spec::rebilly().check(schema, &self.body);
        &self.body
    }

    /// Asserts a Rebilly problem+json of this status (`schema`: NotFound, ValidationError, ...).
    #[track_caller]
    pub fn rebilly_problem(&self, status: u16, schema: &str) -> &Value {
        self.rebilly(status, schema);
        assert_eq!(self.headers["content-type"], "application/problem+json");
        assert_eq!(self.body["status"], status);
        &self.body
    }

    /// Asserts a Rebilly `422 ValidationError` and returns the fields it names, in its order.
    #[track_caller]
    pub fn rebilly_invalid_fields(&self) -> Vec<String> {
        self.rebilly_problem(422, "ValidationError")["invalidFields"]
            .as_array()
            .expect("invalidFields")
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_owned())
            .collect()
    }

    /// `rebilly_invalid_fields`, sorted: for checks that do not care about the order.
    #[track_caller]
    pub fn rebilly_invalid_field_set(&self) -> Vec<String> {
        let mut fields = self.rebilly_invalid_fields();
        fields.sort();
        fields
    }

    /// Asserts a Sumvin ProblemDetail with this status and error code.
    #[track_caller]
    pub fn sumvin_problem(&self, status: u16, code: &str) -> &Value {
        self.sumvin(status, "ProblemDetail");
        assert_eq!(self.body["error_code"], code, "{}", self.body);
        assert_eq!(self.body["status"], status);
        let content_type = self.headers["content-type"].to_str().unwrap();
        assert_eq!(
            content_type, "application/json",
            "Sumvin serves problems as plain JSON"
        );
        &self.body
    }

    /// Asserts a FastAPI 422 and returns `(type, loc)` of each entry.
    #[track_caller]
    pub fn sumvin_validation(&self) -> Vec<(String, Value)> {
        self.sumvin(422, "HTTPValidationError");
        self.body["detail"]
            .as_array()
            .expect("detail list")
            .iter()
            .map(|d| (d["type"].as_str().unwrap().to_owned(), d["loc"].clone()))
            .collect()
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request to the Sumvin API as the user holding personal access token `pat`.
    pub fn sumvin(&self, method: Method, pat: &str, path: &str) -> RequestBuilder {
        self.request(method, &format!("/sumvin{path}"))
            .header("x-sumvin-pat", pat)
    }

    pub async fn send(&self, request: RequestBuilder) -> Reply {
        Reply::read(request.send().await.expect("request is sent")).await
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        let reply = self
            .send(self.request(Method::GET, &format!("/__admin{path}")))
            .await;
        assert!(
            reply.status.is_success(),
            "admin GET {path}: {} {}",
            reply.status,
            reply.body
        );
        reply.body
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> Reply {
        self.send(
            self.request(Method::POST, &format!("/__admin{path}"))
                .json(&body),
        )
        .await
    }

    pub async fn advance(&self, seconds: u64) -> Value {
        let reply = self
            .admin_post("/clock/advance", json!({"seconds": seconds}))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.body
    }

    /// A request to Rebilly's core API for organization `org` with secret key `key`.
    pub fn rebilly(&self, method: Method, key: &str, org: &str, path: &str) -> RequestBuilder {
        self.request(method, &format!("/rebilly/organizations/{org}{path}"))
            .header("REB-APIKEY", key)
    }

    /// Uploads a document image for `pat` and returns the reply.
    pub async fn upload(
        &self,
        pat: &str,
        document_type: &str,
        country: &str,
        file_name: &str,
    ) -> Reply {
        self.upload_bytes(pat, document_type, country, file_name, tiny_png())
            .await
    }

    pub async fn upload_bytes(
        &self,
        pat: &str,
        document_type: &str,
        country: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Reply {
        let form = reqwest::multipart::Form::new()
            .text("document_type", document_type.to_owned())
            .text("country", country.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
            );
        self.send(
            self.sumvin(Method::POST, pat, "/v0/kyc/documents")
                .multipart(form),
        )
        .await
    }

    /// Creates the applicant and uploads passport and selfie (the default level), which sends
    /// the submission to review; `file_name` picks the scenario.
    pub async fn submit_kyc(&self, pat: &str, file_name: &str, country: &str) {
        self.send(self.sumvin(Method::POST, pat, "/v0/kyc/applicant"))
            .await
            .sumvin(201, "KYCApplicantResponse");
        self.upload(pat, "PASSPORT", country, file_name)
            .await
            .sumvin(201, "KYCDocumentUploadResponse");
        self.upload(pat, "SELFIE", country, "selfie.png")
            .await
            .sumvin(201, "KYCDocumentUploadResponse");
    }

    pub async fn status(&self, pat: &str) -> Value {
        let reply = self
            .send(self.sumvin(Method::GET, pat, "/v0/kyc/status"))
            .await;
        reply.sumvin(200, "KYCStatusResponse").clone()
    }
}

/// A real 3×2 PNG image.
pub fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0x12,
        0x16, 0xF1, 0x4D, 0x00, 0x00, 0x00, 0x12, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8,
        0xCF, 0xC0, 0x00, 0x44, 0x0C, 0x10, 0x12, 0x00, 0x00, 0x35, 0xF2, 0x05, 0xFB, 0xB5, 0x3B,
        0xB8, 0x6D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}
