//! Demo mode (`kyc-sandbox serve --demo`): once the server listens, every provider is seeded with
//! a handful of tenants and customers in the states a demo wants to show (approved, rejected with
//! reasons, waiting for documents, in review, expired). The seed goes through the providers' own
//! HTTP APIs and the admin API, exactly as a client would, so the data is what those calls make
//! (ids, timestamps, webhooks, journal entries) and nothing is written behind their back. Names
//! come from the sandbox seed, so `--seed N` gives the same demo every time.

mod kycaid;
mod others;
mod rebilly;

use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use thiserror::Error;

use crate::core::fake::FakePerson;
use crate::core::SeededRng;

#[derive(Debug, Error)]
#[error("demo seeding failed: {0}")]
pub struct DemoError(String);

/// One provider's ready-to-paste credentials and what the seed left there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    pub provider: &'static str,
    /// Lines such as `REB-APIKEY: sk_sandbox_demo`, ready to paste.
    pub credentials: Vec<String>,
    /// `(what, state)`: e.g. `("verification of Jane Roe", "approved")`.
    pub items: Vec<(String, String)>,
}

/// The HTTP side of seeding: the main port's base URL, the admin API, fake people.
pub(crate) struct Demo {
    base: String,
    client: reqwest::Client,
    rng: SeededRng,
}

impl Demo {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Sends and reads the answer as JSON (or `null` when empty); a non-2xx answer is an error
    /// naming the call, since the seed only makes calls the sandbox accepts.
    async fn send(&self, what: &str, request: RequestBuilder) -> Result<Value, DemoError> {
        let response = request
            .send()
            .await
            .map_err(|e| DemoError(format!("{what}: {e}")))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| DemoError(format!("{what}: {e}")))?;
        if !status.is_success() && !status.is_redirection() {
            return Err(DemoError(format!(
                "{what}: {status} {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// A `POST` to the admin API.
    async fn admin(&self, path: &str, body: Value) -> Result<Value, DemoError> {
        let request = self
            .request(Method::POST, &format!("/__admin{path}"))
            .json(&body);
        self.send(&format!("POST /__admin{path}"), request).await
    }

    /// The next fake person of the seed's stream.
    fn person(&mut self) -> FakePerson {
        FakePerson::generate(&mut self.rng)
    }

    /// Where webhooks of the demo go: the admin API's sink, so they show as delivered.
    fn sink(&self, provider: &str) -> String {
        self.url(&format!("/__admin/webhook-sink/{provider}"))
    }
}

/// A PNG the providers accept as a document picture (from the embedded fixtures).
fn picture() -> Vec<u8> {
    crate::core::assets::fixture_bytes("images/document.png")
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

fn part(name: &str) -> reqwest::multipart::Part {
    reqwest::multipart::Part::bytes(picture())
        .file_name(name.to_owned())
        .mime_str("image/png")
        .expect("a valid MIME type")
}

/// Seeds every provider through the sandbox at `base` (its main port), with names drawn from
/// `seed`; then moves the sandbox clock a minute on, so the reviews the seed started are decided.
pub async fn seed(base: &str, seed: u64) -> Result<Vec<Seeded>, DemoError> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| DemoError(e.to_string()))?;
    let mut demo = Demo {
        base: base.trim_end_matches('/').to_owned(),
        client,
        rng: SeededRng::derive(seed, "demo"),
    };
    let seeded = vec![
        rebilly::seed(&mut demo).await?,
        kycaid::seed(&mut demo).await?,
        others::hermes(&mut demo).await?,
        others::qolo(&mut demo).await?,
        others::sumvin(&mut demo).await?,
    ];
    demo.admin("/clock/advance", json!({"duration": "1m"}))
        .await?;
    Ok(seeded)
}

/// What `serve --demo` prints: the dashboard, then each provider's base URL (`base_url`),
/// credentials and data.
pub fn report(
    dashboard: &str,
    seed: u64,
    seeded: &[Seeded],
    base_url: impl Fn(&str) -> String,
) -> String {
    let mut out = format!("\nDemo data is ready (seed {seed}; start with --seed {seed} to get it again).\nDashboard: {dashboard}\n");
    for provider in seeded {
        out.push_str(&format!(
            "\n{}  {}\n",
            provider.provider,
            base_url(provider.provider)
        ));
        for line in &provider.credentials {
            out.push_str(&format!("  {line}\n"));
        }
        for (what, state) in &provider.items {
            out.push_str(&format!("  - {what}: {state}\n"));
        }
    }
    out
}
