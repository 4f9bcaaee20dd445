//! The HTTP side: building a hook's request once, and the background task that sends attempts.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Url};
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::{Attempt, Dispatcher, Outbound, WebhookError, RESPONSE_BODY_LIMIT};

/// A hook's request, validated once when it is enqueued and reused by every attempt.
#[derive(Debug)]
pub(super) struct Prepared {
    url: Url,
    method: reqwest::Method,
    headers: HeaderMap,
}

/// One attempt handed to the sender task.
#[derive(Debug)]
pub(super) struct Job {
    pub seq: u64,
    pub number: u32,
    pub at: DateTime<Utc>,
    pub request: Arc<Prepared>,
    pub body: Bytes,
}

pub(super) type JobSender = mpsc::UnboundedSender<Job>;
pub(super) type JobReceiver = mpsc::UnboundedReceiver<Job>;

/// Parses a receiver URL the way deliveries do: absolute `http` or `https`. Providers can call it
/// where they accept a callback URL, to refuse a bad one at the edge.
pub fn check_url(url: &str) -> Result<(), WebhookError> {
    parse_url(url).map(|_| ())
}

fn parse_url(url: &str) -> Result<Url, WebhookError> {
    let invalid = |reason: String| WebhookError::Url {
        url: url.to_owned(),
        reason,
    };
    let parsed = Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    match parsed.scheme() {
        "http" | "https" if parsed.host_str().is_some() => Ok(parsed),
        "http" | "https" => Err(invalid("no host".into())),
        other => Err(invalid(format!("scheme `{other}` is not http or https"))),
    }
}

/// The headers in the order they are sent (defaults, the hook's, the signer's; a later one
/// replaces an earlier one of the same name), and the request to send, unless the hook is invalid.
pub(super) fn prepare(hook: &Outbound) -> (Vec<(String, String)>, Result<Prepared, WebhookError>) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut set = |name: &str, value: String| {
        let name = name.to_ascii_lowercase();
        match headers.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => headers.push((name, value)),
        }
    };
    set("content-type", "application/json; charset=utf-8".into());
    set(
        "user-agent",
        format!("kyc-sandbox/{}", env!("CARGO_PKG_VERSION")),
    );
    for (name, value) in &hook.headers {
        set(name, value.clone());
    }
    if let Some(signer) = &hook.signer {
        for (name, value) in signer.headers(&hook.body) {
            set(&name, value);
        }
    }
    let prepared = build(hook, &headers);
    (headers, prepared)
}

fn build(hook: &Outbound, headers: &[(String, String)]) -> Result<Prepared, WebhookError> {
    rebuild(&hook.url, hook.method.as_str(), headers)
}

/// The request of a delivery read back from a snapshot (what `prepare` built when it was queued).
pub(super) fn rebuild(
    url: &str,
    method: &str,
    headers: &[(String, String)],
) -> Result<Prepared, WebhookError> {
    let url = parse_url(url)?;
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| WebhookError::Method(method.to_owned()))?;
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let invalid = || WebhookError::Header { name: name.clone() };
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid())?;
        let value = HeaderValue::from_str(value).map_err(|_| invalid())?;
        map.insert(header, value);
    }
    Ok(Prepared {
        url,
        method,
        headers: map,
    })
}

impl Dispatcher {
    /// Starts the task that sends attempts (each in its own task, at most
    /// `RetryPolicy::max_in_flight` at once, each bounded by `attempt_timeout`, one at a time and
    /// in order per receiver URL). Call it once,
    /// inside a Tokio runtime; later calls do nothing and return `Ok(false)`. The task ends when
    /// the dispatcher is dropped.
    pub fn spawn_sender(self: &Arc<Self>) -> Result<bool, WebhookError> {
        let client = Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| WebhookError::Client(describe(&e)))?;
        let Some(mut jobs) = self.take_receiver() else {
            return Ok(false);
        };
        let timeout = self.policy().attempt_timeout;
        let permits = Arc::new(Semaphore::new(self.policy().max_in_flight.max(1)));
        let dispatcher = Arc::downgrade(self);
        tokio::spawn(async move {
            // Per receiver URL, the previous attempt's completion: attempts to one receiver leave
            // one after another in the order they were queued (events in the order they happened);
            // different receivers do not wait for each other.
            let mut lanes: HashMap<String, oneshot::Receiver<()>> = HashMap::new();
            while let Some(job) = jobs.recv().await {
                if lanes.len() >= 1024 {
                    // Receivers with nothing in flight need no lane.
                    lanes.retain(|_, finished| {
                        matches!(
                            finished.try_recv(),
                            Err(oneshot::error::TryRecvError::Empty)
                        )
                    });
                }
                let (done, finished) = oneshot::channel();
                let previous = lanes.insert(job.request.url.as_str().to_owned(), finished);
                let (client, dispatcher, permits) =
                    (client.clone(), dispatcher.clone(), permits.clone());
                tokio::spawn(async move {
                    if let Some(previous) = previous {
                        let _ = previous.await;
                    }
                    let Ok(permit) = permits.acquire_owned().await else {
                        return;
                    };
                    let attempt = attempt(&client, &job, timeout).await;
                    drop(permit);
                    if let Some(dispatcher) = dispatcher.upgrade() {
                        dispatcher.complete(job.seq, attempt);
                    }
                    let _ = done.send(());
                });
            }
        });
        Ok(true)
    }
}

async fn attempt(client: &Client, job: &Job, timeout: StdDuration) -> Attempt {
    let started = Instant::now();
    let result = tokio::time::timeout(timeout, exchange(client, job)).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (status, error, response_body) = match result {
        Ok(Ok((status, body))) => (Some(status), None, Some(body)),
        Ok(Err(e)) => (None, Some(describe(&e)), None),
        Err(_) => (
            None,
            Some(format!(
                "timed out after {}",
                humantime::format_duration(timeout)
            )),
            None,
        ),
    };
    Attempt {
        number: job.number,
        at: job.at,
        duration_ms,
        status,
        error,
        response_body,
    }
}

/// Sends the request and reads at most `RESPONSE_BODY_LIMIT` bytes of the answer.
async fn exchange(client: &Client, job: &Job) -> Result<(u16, String), reqwest::Error> {
    let request = &job.request;
    let mut response = client
        .request(request.method.clone(), request.url.clone())
        .headers(request.headers.clone())
        .body(job.body.clone())
        .send()
        .await?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    // A body cut short by the receiver still leaves the status, which is what counts.
    while body.len() < RESPONSE_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = RESPONSE_BODY_LIMIT - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// An error and its causes, e.g. `error sending request ...: tcp connect error: Connection refused`.
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tenant::TenantId;
    use crate::core::webhooks::{HmacAlgorithm, HmacSigner, SignatureEncoding, SignedInput};

    fn hook(url: &str) -> Outbound {
        Outbound::post("demo", TenantId::parse("demo-1"), "thing", url, "{}")
    }

    #[test]
    fn headers_go_defaults_then_hook_then_signer_and_later_ones_replace() {
        let signer = HmacSigner::new(
            "X-Sig",
            "k",
            HmacAlgorithm::Sha256,
            SignedInput::RawBody,
            SignatureEncoding::Hex,
        );
        let hook = hook("http://127.0.0.1:9/hook")
            .with_header("User-Agent", "custom")
            .with_header("x-sig", "static")
            .with_header("x-extra", "1")
            .with_signer(Arc::new(signer.clone()));
        let (headers, prepared) = prepare(&hook);
        let names: Vec<_> = headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["content-type", "user-agent", "x-sig", "x-extra"]);
        assert_eq!(headers[1].1, "custom");
        assert_eq!(headers[2].1, signer.signature(b"{}"));
        let prepared = prepared.unwrap();
        assert_eq!(prepared.headers.len(), 4);
        assert_eq!(prepared.method, reqwest::Method::POST);
    }

    #[test]
    fn invalid_hooks_are_refused_with_a_reason() {
        assert!(check_url("https://example.test/callback?x=1").is_ok());
        for bad in ["", "not a url", "ftp://example.test/", "mailto:a@b.c"] {
            assert!(
                matches!(check_url(bad), Err(WebhookError::Url { .. })),
                "{bad}"
            );
        }
        let (_, bad_header) = prepare(&hook("http://h/").with_header("bad name", "v"));
        assert_eq!(
            bad_header.unwrap_err(),
            WebhookError::Header {
                name: "bad name".into()
            }
        );
        let (_, bad_value) = prepare(&hook("http://h/").with_header("x", "line\nbreak"));
        assert!(matches!(bad_value, Err(WebhookError::Header { .. })));
    }
}
