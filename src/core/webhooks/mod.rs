//! Outbound webhooks shared by every provider: a provider describes one call ([`Outbound`]), the
//! [`Dispatcher`] records it, sends it in the background and retries failures on the sandbox
//! clock, and the admin API shows every delivery and its attempts.
//!
//! ```ignore
//! use crate::core::webhooks::{basic_auth, HmacAlgorithm, HmacSigner, Outbound, SignatureEncoding, SignedInput};
//! // Static headers and HTTP Basic credentials:
//! let id = core.webhooks.enqueue(
//!     Outbound::json(PROVIDER, tenant.clone(), "thing-accepted", url, &payload)
//!         .with_header_pair(basic_auth("user", "secret"))
//!         .with_header("x-custom", "value"),
//! );
//! // A signature header over the exact body bytes sent:
//! let signer = HmacSigner::new("x-signature", token, HmacAlgorithm::Sha512,
//!     SignedInput::Base64Body, SignatureEncoding::Hex);
//! core.webhooks.enqueue(Outbound::json(PROVIDER, tenant, "EVENT", url, &payload).with_signer(Arc::new(signer)));
//! ```
//!
//! Every request carries `content-type: application/json; charset=utf-8` and
//! `user-agent: kyc-sandbox/<version>`, then the hook's headers, then the signer's; a later header
//! replaces an earlier one of the same name. A 2xx answer is a delivery; anything else, a timeout or
//! a connection error is retried on the [`RetryPolicy`] schedule.

mod dispatcher;
mod log;
mod policy;
mod saved;
mod sender;
mod signer;

use std::fmt;
use std::sync::Arc;

use actix_web::http::Method;
use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::Serialize;
use thiserror::Error;

use super::tenant::TenantId;

pub use dispatcher::Dispatcher;
pub use policy::RetryPolicy;
pub use saved::{SavedDelivery, SavedLog};
pub use sender::check_url;
pub use signer::{basic_auth, HmacAlgorithm, HmacSigner, SignatureEncoding, SignedInput, Signer};

/// Deliveries kept unless configured otherwise (`--webhook-log-size`).
pub const DEFAULT_LOG_SIZE: usize = 1000;

/// The first bytes of a receiver's answer kept with each attempt.
pub const RESPONSE_BODY_LIMIT: usize = 1024;

/// One webhook call a provider wants made.
#[derive(Clone)]
pub struct Outbound {
    pub provider: &'static str,
    pub tenant: TenantId,
    /// The provider's event name, e.g. `thing-accepted`; shown and filtered on in the admin API.
    pub event: String,
    pub url: String,
    pub method: Method,
    /// Static headers (credentials, custom headers), sent after the defaults.
    pub headers: Vec<(String, String)>,
    /// The exact bytes sent, normally JSON.
    pub body: Bytes,
    /// Adds headers computed over `body` (a signature), sent last.
    pub signer: Option<Arc<dyn Signer>>,
}

impl Outbound {
    /// A `POST` of `body` with no extra headers and no signature.
    pub fn post(
        provider: &'static str,
        tenant: TenantId,
        event: impl Into<String>,
        url: impl Into<String>,
        body: impl Into<Bytes>,
    ) -> Self {
        Outbound {
            provider,
            tenant,
            event: event.into(),
            url: url.into(),
            method: Method::POST,
            headers: Vec::new(),
            body: body.into(),
            signer: None,
        }
    }

    /// A `POST` of `payload` serialized as compact JSON.
    pub fn json(
        provider: &'static str,
        tenant: TenantId,
        event: impl Into<String>,
        url: impl Into<String>,
        payload: &serde_json::Value,
    ) -> Self {
        Self::post(
            provider,
            tenant,
            event,
            url,
            crate::core::http::json_text(payload),
        )
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Same as [`Outbound::with_header`], for helpers such as [`basic_auth`].
    pub fn with_header_pair(self, (name, value): (String, String)) -> Self {
        self.with_header(name, value)
    }

    pub fn with_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = Some(signer);
        self
    }

    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }
}

impl fmt::Debug for Outbound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outbound")
            .field("provider", &self.provider)
            .field("tenant", &self.tenant)
            .field("event", &self.event)
            .field("url", &self.url)
            .field("method", &self.method)
            .field("body_bytes", &self.body.len())
            .field("signed", &self.signer.is_some())
            .finish_non_exhaustive()
    }
}

/// Why a hook cannot be sent at all (it is recorded as `failed` without a network attempt).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookError {
    #[error("invalid webhook URL `{url}`: {reason}")]
    Url { url: String, reason: String },
    #[error("invalid header `{name}`: names are tokens, values visible ASCII")]
    Header { name: String },
    #[error("invalid HTTP method `{0}`")]
    Method(String),
    #[error("cannot build the webhook HTTP client: {0}")]
    Client(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// An attempt is queued or in flight.
    Pending,
    /// The last attempt got a 2xx answer.
    Delivered,
    /// The last attempt failed; the next one is due at `nextAttemptAt`.
    Retrying,
    /// Every attempt of the schedule failed (or the hook could not be sent at all).
    Failed,
}

impl DeliveryStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, DeliveryStatus::Delivered | DeliveryStatus::Failed)
    }
}

impl std::str::FromStr for DeliveryStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(DeliveryStatus::Pending),
            "delivered" => Ok(DeliveryStatus::Delivered),
            "retrying" => Ok(DeliveryStatus::Retrying),
            "failed" => Ok(DeliveryStatus::Failed),
            _ => Err(format!(
                "unknown delivery status `{s}`: expected pending, delivered, retrying or failed"
            )),
        }
    }
}

/// One try at sending a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    /// 1 for the first attempt; redeliveries continue the count.
    pub number: u32,
    /// When it started, on the sandbox clock.
    pub at: DateTime<Utc>,
    /// How long it took in real time.
    pub duration_ms: u64,
    /// The receiver's HTTP status, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why there is no answer: connection refused, timeout, invalid URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The first [`RESPONSE_BODY_LIMIT`] bytes of the answer (lossy UTF-8).
    pub response_body: Option<String>,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A delivery as the admin API shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    pub id: String,
    pub provider: &'static str,
    pub tenant: TenantId,
    pub event: String,
    pub url: String,
    pub method: String,
    pub status: DeliveryStatus,
    /// Finished attempts, oldest first.
    pub attempts: Vec<Attempt>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Headers as sent (lowercase names), signature included.
    pub request_headers: IndexMap<String, String>,
    /// The body as JSON, or as text when it is not JSON.
    pub body: serde_json::Value,
}

/// Which deliveries `Dispatcher::list` returns (every given field must match), newest first.
#[derive(Debug, Default, Clone)]
pub struct DeliveryFilter<'a> {
    pub provider: Option<&'a str>,
    pub tenant: Option<&'a str>,
    pub event: Option<&'a str>,
    pub status: Option<DeliveryStatus>,
    pub limit: usize,
}
