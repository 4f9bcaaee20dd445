//! Replays traffic recorded from the real `https://api.kycaid.com` (the VCR cassettes of the ruby
//! gems `kycaid`/`kycaidplus`, reduced to `tests/fixtures/kycaid/recorded/*.json`) against the
//! sandbox: the same requests in the same order, with the same content type and body encoding as
//! the gem sent, the ids the recording created earlier replaced by the sandbox's own.
//!
//! Each answer must have the recorded status; its JSON the recorded top-level keys (plus only the
//! `newer_keys` the current docs add), value types, and values wherever they are not ids,
//! timestamps or URLs. An interaction whose answer the API has since changed carries a `current`
//! answer (with the reason) that is checked instead; `overrides` does the same for one field.

use crate::common;

use std::collections::HashMap;

use common::kycaid::{is_id, is_timestamp, jpeg, kyc};
use common::{spawn_app, Reply, TestApp};
use reqwest::Method;
use serde_json::{Map, Value};

fn cassette(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/kycaid/recorded/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The ids the recording shows, and the sandbox's ids standing in for them.
#[derive(Default)]
struct Ids(HashMap<String, String>);

impl Ids {
    fn apply(&self, text: &str) -> String {
        self.0
            .iter()
            .fold(text.to_owned(), |text, (recorded, ours)| {
                text.replace(recorded, ours)
            })
    }
}

/// The body the gem's multipart connection (multipart-post) sends: each part with the headers it
/// wrote, the file's bytes replaced by a small JPEG.
fn multipart(content_type: &str, parts: &[Value]) -> Vec<u8> {
    let boundary = content_type
        .split_once("boundary=")
        .expect("a multipart boundary")
        .1;
    let mut body = Vec::new();
    for part in parts {
        let name = part["name"].as_str().unwrap();
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let data = match part["filename"].as_str() {
            Some(file_name) => {
                let data = jpeg();
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n"
                    )
                    .as_bytes(),
                );
                for (header, value) in part["headers"].as_object().unwrap() {
                    let value = match header.as_str() {
                        "Content-Length" => data.len().to_string(),
                        _ => value.as_str().unwrap().to_owned(),
                    };
                    body.extend_from_slice(format!("{header}: {value}\r\n").as_bytes());
                }
                data
            }
            None => {
                body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes(),
                );
                part["value"].as_str().unwrap().as_bytes().to_vec()
            }
        };
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

/// Sends a recorded request with the sandbox's ids in its path and body.
async fn send(app: &TestApp, request: &Value, ids: &Ids) -> Reply {
    let method = Method::from_bytes(request["method"].as_str().unwrap().as_bytes()).unwrap();
    let path = ids.apply(request["path"].as_str().unwrap());
    let mut builder = kyc(app, method, &path).header("accept", "*/*");
    if let Some(content_type) = request["content_type"].as_str() {
        builder = builder.header("content-type", content_type);
        builder = match &request["body"] {
            Value::String(form) => builder.body(ids.apply(form)),
            body => builder.body(multipart(
                content_type,
                body["multipart"].as_array().expect("multipart parts"),
            )),
        };
    }
    app.send(builder).await
}

/// The last path segment of a URL.
fn last_segment(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or("")
}

/// Compares a recorded value with the sandbox's, collecting what differs into `problems`.
struct Comparison<'a> {
    ids: &'a mut Ids,
    /// The recorded request (path and body): ids named there are echoed, not new.
    request: String,
    problems: &'a mut Vec<String>,
}

impl Comparison<'_> {
    fn fail(&mut self, at: &str, want: &Value, got: &Value) {
        self.problems
            .push(format!("{at}: recorded {want}, sandbox {got}"));
    }

    fn compare(&mut self, at: &str, want: &Value, got: &Value) {
        match (want, got) {
            (Value::String(w), Value::String(g)) if w == "<id>" => {
                if !is_id(g) {
                    self.fail(at, want, got);
                }
            }
            (Value::String(w), Value::String(g)) if is_id(w) => {
                if !is_id(g) {
                    return self.fail(at, want, got);
                }
                let expected = match self.ids.0.get(w) {
                    Some(ours) => ours.clone(),
                    None if self.request.contains(w.as_str()) => w.clone(),
                    None => {
                        self.ids.0.insert(w.clone(), g.clone());
                        g.clone()
                    }
                };
                if *g != expected {
                    self.problems
                        .push(format!("{at}: id {g}, expected {expected} (recorded {w})"));
                }
            }
            (Value::String(w), Value::String(g)) if is_timestamp(w) => {
                if !is_timestamp(g) {
                    self.fail(at, want, got);
                }
            }
            (Value::String(w), Value::String(g)) if w.starts_with("https://") => {
                let url = g.starts_with("http://") || g.starts_with("https://");
                if !url || (is_id(last_segment(w)) && !is_id(last_segment(g))) {
                    self.fail(at, want, got);
                }
            }
            (Value::Object(w), Value::Object(g)) => self.object(at, w, g, &Map::new()),
            (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
                for (i, (w, g)) in w.iter().zip(g).enumerate() {
                    self.compare(&format!("{at}[{i}]"), w, g);
                }
            }
            _ if want == got => {}
            _ => self.fail(at, want, got),
        }
    }

    /// Same keys (the sandbox may add only `newer`), and each value compared.
    fn object(
        &mut self,
        at: &str,
        want: &Map<String, Value>,
        got: &Map<String, Value>,
        newer: &Map<String, Value>,
    ) {
        for key in want.keys().filter(|k| !got.contains_key(*k)) {
            self.problems.push(format!("{at}: missing key {key}"));
        }
        for key in got.keys() {
            if !want.contains_key(key) && !newer.contains_key(key) {
                self.problems
                    .push(format!("{at}: key {key} that the recording does not have"));
            }
        }
        for (key, w) in want {
            if let Some(g) = got.get(key) {
                self.compare(&format!("{at}.{key}"), w, g);
            }
        }
    }
}

/// Creates what the cassette names but did not record the creation of.
async fn presuppose(app: &TestApp, cassette: &Value, ids: &mut Ids) {
    for (recorded, setup) in cassette["presupposes"].as_object().unwrap() {
        let reply = send(app, &setup["request"], ids).await;
        assert_eq!(reply.status, 200, "setup for {recorded}: {}", reply.body);
        let field = setup["id_field"].as_str().unwrap();
        let ours = reply.body[field].as_str().expect("an id").to_owned();
        ids.0.insert(recorded.clone(), ours);
    }
}

/// Replays a cassette in a fresh sandbox; panics listing every difference.
async fn replay(name: &str) {
    let app = spawn_app().await;
    let cassette = cassette(name);
    let mut ids = Ids::default();
    presuppose(&app, &cassette, &mut ids).await;
    let mut problems = Vec::new();
    for interaction in cassette["interactions"].as_array().unwrap() {
        let source = interaction["source"].as_str().unwrap();
        let request = &interaction["request"];
        let expected = match interaction.get("current") {
            Some(current) => &current["response"],
            None => &interaction["response"],
        };
        let reply = send(&app, request, &ids).await;
        let at = format!(
            "{} {} [{source}]",
            request["method"].as_str().unwrap(),
            request["path"].as_str().unwrap()
        );
        let status = expected["status"].as_u64().unwrap();
        if u64::from(reply.status.as_u16()) != status {
            problems.push(format!(
                "{at}: status {}, expected {status}; body {}",
                reply.status, reply.body
            ));
            continue;
        }
        let content_type = reply.headers["content-type"].to_str().unwrap_or("");
        if !content_type.starts_with("application/json") {
            problems.push(format!("{at}: content-type {content_type}"));
        }
        let (Value::Object(want), Value::Object(got)) = (&expected["body"], &reply.body) else {
            problems.push(format!("{at}: body {} is not an object", reply.body));
            continue;
        };
        let mut want = want.clone();
        let overrides = interaction["overrides"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (key, over) in &overrides {
            want.insert(key.clone(), over["value"].clone());
        }
        let newer = interaction["newer_keys"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut comparison = Comparison {
            ids: &mut ids,
            request: format!("{} {}", request["path"], request["body"]),
            problems: &mut problems,
        };
        comparison.object(&at, &want, got, &newer);
    }
    assert!(
        problems.is_empty(),
        "{name}: the sandbox differs from the recording:\n{}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn applicants_as_recorded_in_2020() {
    replay("kycaid_applicant_2020.json").await;
}

#[tokio::test]
async fn applicants_as_recorded_in_2022() {
    replay("kycaidplus_applicant_2022.json").await;
}

#[tokio::test]
async fn a_form_url_as_recorded_in_2022() {
    replay("kycaidplus_liveness_2022.json").await;
}

#[tokio::test]
async fn files_documents_and_addresses_as_recorded_in_2020() {
    replay("kycaid_address_2020.json").await;
}

#[test]
fn every_interaction_names_its_source_and_hides_the_tokens() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/kycaid/recorded"
    );
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for token in [
            "d9883415047de3439328df17b0310569669a",
            "3fed4d0900f5484a792b04541a541b483bda",
        ] {
            assert!(!text.contains(token), "{path:?} shows an API token");
        }
        let cassette: Value = serde_json::from_str(&text).unwrap();
        for interaction in cassette["interactions"].as_array().unwrap() {
            let source = interaction["source"].as_str().unwrap();
            assert!(source.starts_with("github.com/ianeinser/kycaidplus spec/fixtures/"));
            count += 1;
        }
    }
    assert_eq!(count, 3 + 11 + 1 + 14, "interactions in all cassettes");
}
