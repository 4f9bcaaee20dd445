//! What a fault rule says: which requests (or webhook deliveries) it matches and what happens to
//! them. Parsed once at the edge (admin API, scenario files); matching works on valid rules only.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest latency or hold a rule may add: long enough for any client timeout a suite sets, short
/// enough that a forgotten rule cannot keep a worker's connections forever.
pub const MAX_DELAY: Duration = Duration::from_secs(600);

/// How long a `timeout` rule holds a request when it does not say.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(30);

/// Statuses an `error` rule may answer with: what an overloaded or failing provider sends.
pub const ERROR_STATUSES: &[u16] = &[429, 500, 502, 503, 504];

/// A rule as a client writes it (`POST /__admin/faults`, or an entry of a faults file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Only requests to this provider (`rebilly`, `kycaid`, ...); any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Only this HTTP method; any when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Only paths matching this glob, relative to the provider's root (`/applicants/*`): `*`
    /// stands for any characters but `/`, `**` for any characters at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Only requests (or deliveries) of this tenant (`kycaid-1a2b3c4d5e6f`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Only webhook deliveries of this event (`webhook_failure` rules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Chance that a matching request is hit, from 0 to 1; drawn from the seeded generator.
    #[serde(default = "always")]
    pub probability: f64,
    /// Hit at most this many requests, then stop (the rule stays listed, `remaining: 0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    pub effect: Effect,
    /// Free text shown in listings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn always() -> f64 {
    1.0
}

/// What happens to a request (or delivery) the rule hits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Effect {
    /// The request is served normally after `ms` milliseconds (a random delay between `ms` and
    /// `max_ms` when `max_ms` is given).
    Latency {
        ms: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_ms: Option<u64>,
    },
    /// The provider answers `status` in its own error envelope, without serving the request.
    Error {
        status: u16,
        /// Seconds for `Retry-After` (a 429 gets 1 when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// The connection is closed without any answer.
    Drop,
    /// The request gets no answer for `ms` milliseconds (30 s when absent), then the connection
    /// is closed: a client with a shorter timeout sees its own timeout.
    Timeout {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ms: Option<u64>,
    },
    /// Outbound webhook deliveries fail without reaching the receiver: with this receiver
    /// `status`, or as a refused connection when absent. Retries and `failed` follow as usual.
    WebhookFailure {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
    },
}

impl Effect {
    pub fn name(&self) -> &'static str {
        match self {
            Effect::Latency { .. } => "latency",
            Effect::Error { .. } => "error",
            Effect::Drop => "drop",
            Effect::Timeout { .. } => "timeout",
            Effect::WebhookFailure { .. } => "webhook_failure",
        }
    }

    pub fn is_webhook(&self) -> bool {
        matches!(self, Effect::WebhookFailure { .. })
    }
}

#[derive(Debug, Clone, Error, PartialEq)]
pub enum RuleError {
    #[error("unknown provider `{given}`; mounted: {known}")]
    UnknownProvider { given: String, known: String },
    #[error("`method` must be an HTTP method such as GET or POST, not `{0}`")]
    Method(String),
    #[error("`path` must start with `/` (it is relative to the provider's root), not `{0}`")]
    Path(String),
    #[error("`probability` must be between 0 and 1, not {0}")]
    Probability(f64),
    #[error("`path` may hold only the characters of a URL path, with `*` and `**` as the only wildcards; `{0}` never matches a request")]
    PathGlob(String),
    #[error(
        "`tenant` `{tenant}` cannot be one of {provider}'s tenants (they are named `{provider}-…`)"
    )]
    TenantOfProvider { tenant: String, provider: String },
    #[error("`times` must be at least 1")]
    Times,
    #[error("an error effect answers one of {ERROR_STATUSES:?}, not {0}")]
    Status(u16),
    #[error("`retry_after` goes with a 429 or 503 only")]
    RetryAfter,
    #[error("a webhook failure's `status` must be a failing HTTP status (300-599), not {0}")]
    WebhookStatus(u16),
    #[error("`max_ms` ({max}) must not be below `ms` ({min})")]
    Range { min: u64, max: u64 },
    #[error("delays are at most {} ms", MAX_DELAY.as_millis())]
    TooLong,
    #[error("`{0}` matches HTTP requests; a webhook_failure rule matches deliveries by provider, tenant and event")]
    NotForWebhooks(&'static str),
    #[error("`event` matches webhook deliveries; only a webhook_failure rule can use it")]
    EventOnRequest,
}

impl FaultSpec {
    /// Refuses what could never match or cannot be applied; `providers` are the mounted names.
    /// Normalizes the method to upper case.
    pub fn validate(mut self, providers: &[&str]) -> Result<Self, RuleError> {
        if let Some(given) = &self.provider {
            if !providers.contains(&given.as_str()) {
                return Err(RuleError::UnknownProvider {
                    given: given.clone(),
                    known: providers.join(", "),
                });
            }
        }
        if let Some(method) = &mut self.method {
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(RuleError::Method(method.clone()));
            }
            method.make_ascii_uppercase();
        }
        if let Some(path) = &self.path {
            if !path.starts_with('/') {
                return Err(RuleError::Path(path.clone()));
            }
            let impossible = |c: char| {
                c.is_whitespace()
                    || c.is_control()
                    || matches!(c, '[' | ']' | '{' | '}' | '?' | '#' | '\\')
            };
            if path.contains(impossible) {
                return Err(RuleError::PathGlob(path.clone()));
            }
        }
        if let (Some(tenant), Some(provider)) = (&self.tenant, &self.provider) {
            // A provider's tenant ids are `<provider>-…` (`TenantId::derive`).
            let of_provider = tenant
                .strip_prefix(provider.as_str())
                .is_some_and(|rest| rest.starts_with('-'));
            if !of_provider {
                return Err(RuleError::TenantOfProvider {
                    tenant: tenant.clone(),
                    provider: provider.clone(),
                });
            }
        }
        if !(0.0..=1.0).contains(&self.probability) || self.probability.is_sign_negative() {
            return Err(RuleError::Probability(self.probability));
        }
        if self.times == Some(0) {
            return Err(RuleError::Times);
        }
        if self.effect.is_webhook() {
            if self.method.is_some() {
                return Err(RuleError::NotForWebhooks("method"));
            }
            if self.path.is_some() {
                return Err(RuleError::NotForWebhooks("path"));
            }
        } else if self.event.is_some() {
            return Err(RuleError::EventOnRequest);
        }
        self.effect.validate()?;
        Ok(self)
    }
}

impl Effect {
    fn validate(&self) -> Result<(), RuleError> {
        let too_long = |ms: u64| Duration::from_millis(ms) > MAX_DELAY;
        match self {
            Effect::Latency { ms, max_ms } => {
                if let Some(max) = max_ms {
                    if max < ms {
                        return Err(RuleError::Range {
                            min: *ms,
                            max: *max,
                        });
                    }
                }
                if too_long(max_ms.unwrap_or(*ms)) {
                    return Err(RuleError::TooLong);
                }
            }
            Effect::Error {
                status,
                retry_after,
                ..
            } => {
                if !ERROR_STATUSES.contains(status) {
                    return Err(RuleError::Status(*status));
                }
                if retry_after.is_some() && !matches!(status, 429 | 503) {
                    return Err(RuleError::RetryAfter);
                }
            }
            Effect::Timeout { ms: Some(ms) } if too_long(*ms) => return Err(RuleError::TooLong),
            Effect::WebhookFailure {
                status: Some(status),
            } if !(300..600).contains(status) => {
                return Err(RuleError::WebhookStatus(*status));
            }
            Effect::Drop | Effect::Timeout { .. } | Effect::WebhookFailure { .. } => {}
        }
        Ok(())
    }
}

/// Whether `path` matches the glob `pattern`: `**` matches anything, `*` anything but `/`, every
/// other character itself. Iterative with one backtrack point per star kind, so a hostile pattern
/// cannot make matching exponential.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let (p, s) = (pattern.as_bytes(), path.as_bytes());
    let (mut pi, mut si) = (0, 0);
    // Where to resume after the last `*` (pattern index after it, text index it matched up to).
    let mut star: Option<(usize, usize)> = None;
    let mut globstar: Option<(usize, usize)> = None;
    while si < s.len() {
        if p.get(pi) == Some(&b'*') {
            if p.get(pi + 1) == Some(&b'*') {
                pi += 2;
                globstar = Some((pi, si));
                star = None;
            } else {
                pi += 1;
                star = Some((pi, si));
            }
            continue;
        }
        if p.get(pi) == Some(&s[si]) {
            pi += 1;
            si += 1;
            continue;
        }
        if let Some((resume, from)) = star.filter(|&(_, from)| s[from] != b'/') {
            star = Some((resume, from + 1));
            pi = resume;
            si = from + 1;
            continue;
        }
        if let Some((resume, from)) = globstar {
            globstar = Some((resume, from + 1));
            star = None;
            pi = resume;
            si = from + 1;
            continue;
        }
        return false;
    }
    p[pi..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches("/applicants", "/applicants"));
        assert!(!glob_matches("/applicants", "/applicants/1"));
        assert!(glob_matches("/applicants/*", "/applicants/abc"));
        assert!(!glob_matches("/applicants/*", "/applicants/abc/documents"));
        assert!(glob_matches("/applicants/**", "/applicants/abc/documents"));
        assert!(glob_matches("/**", "/anything/at/all"));
        assert!(glob_matches("/**/files", "/organizations/o/files"));
        assert!(glob_matches("/v0/*/status", "/v0/kyc/status"));
        assert!(!glob_matches("/v0/*/status", "/v0/kyc/x/status"));
        assert!(glob_matches("/a*c", "/abbbc"));
        assert!(!glob_matches("/a*c", "/ab/c"));
        assert!(glob_matches("/**", "/"));
        assert!(!glob_matches(
            &"/*".repeat(20),
            &format!("{}x", "/a".repeat(19))
        ));
    }

    fn spec(effect: Effect) -> FaultSpec {
        FaultSpec {
            provider: None,
            method: None,
            path: None,
            tenant: None,
            event: None,
            probability: 1.0,
            times: None,
            effect,
            description: None,
        }
    }

    #[test]
    fn validation_refuses_what_cannot_work() {
        let providers = ["kycaid"];
        let error = |status| Effect::Error {
            status,
            retry_after: None,
            message: None,
        };
        assert!(spec(error(503)).validate(&providers).is_ok());
        assert_eq!(
            spec(error(404)).validate(&providers),
            Err(RuleError::Status(404))
        );
        let mut s = spec(Effect::Drop);
        s.provider = Some("acme".into());
        assert!(matches!(
            s.validate(&providers),
            Err(RuleError::UnknownProvider { .. })
        ));
        let mut s = spec(Effect::Drop);
        s.method = Some("post".into());
        assert_eq!(
            s.validate(&providers).unwrap().method.as_deref(),
            Some("POST")
        );
        let mut s = spec(Effect::WebhookFailure { status: None });
        s.path = Some("/x".into());
        assert_eq!(
            s.validate(&providers),
            Err(RuleError::NotForWebhooks("path"))
        );
        let s = spec(Effect::Latency {
            ms: 500,
            max_ms: Some(100),
        });
        assert!(matches!(
            s.validate(&providers),
            Err(RuleError::Range { .. })
        ));
        let mut s = spec(Effect::Drop);
        s.probability = 1.5;
        assert_eq!(s.validate(&providers), Err(RuleError::Probability(1.5)));
    }
}
