//! Fault injection: rules that make matching provider requests slow, failing or unanswered, and
//! matching webhook deliveries fail. Rules come from the admin API and from faults files among the
//! scenarios. Each rule draws from its own generator seeded by `--seed` and the rule's content
//! (its conditions and effect), so a run with the same seed, the same rule and the same requests
//! fails the same ones, whatever rules were added or removed before.
//!
//! Providers never call this: requests are faulted by the recording middleware
//! ([`crate::core::http::guard_and_record`]), deliveries by the webhook dispatcher. With no rule,
//! both pay one atomic load.

mod apply;
mod rule;

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use parking_lot::{Mutex, RwLock};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

pub use apply::{remember_socket, serve_faulted, FaultNote, FAULT_HEADER};
pub use rule::{
    glob_matches, Effect, FaultSpec, RuleError, DEFAULT_HOLD, ERROR_STATUSES, MAX_DELAY,
};

use super::ids::SeededRng;
use super::tenant::TenantId;

/// Where a rule came from: the admin API, or a faults file (replaced when scenarios reload).
pub const FROM_API: &str = "api";

const ID_PREFIX: &str = "flt_";

/// One rule in force, with its counters and its own random stream.
struct Rule {
    id: String,
    spec: FaultSpec,
    source: String,
    created_at: DateTime<Utc>,
    /// Requests (or deliveries) that met the rule's conditions.
    matched: AtomicU64,
    /// Of those, how many the rule hit (after the probability and `times`).
    hits: AtomicU32,
    rng: Mutex<ChaCha8Rng>,
}

/// A rule as the admin API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: String,
    #[serde(flatten)]
    pub spec: FaultSpec,
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub matched: u64,
    pub hits: u32,
    /// Hits left when the rule has `times`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u32>,
}

/// What a hit does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Serve the request after this long.
    Delay(Duration),
    /// Answer in the provider's envelope instead of serving.
    Answer {
        status: StatusCode,
        retry_after: Option<u32>,
        message: String,
    },
    /// Close the connection without an answer.
    Drop,
    /// Answer nothing for this long, then close the connection.
    Hold(Duration),
}

/// A request a rule hit: which rule and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: String,
    pub effect: &'static str,
    pub action: Action,
}

/// A webhook attempt a rule failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryFault {
    pub rule: String,
    /// The receiver status to record, or `None` for a refused connection.
    pub status: Option<u16>,
}

/// The facts of a request that rules match on. The tenant costs the provider some work to tell
/// (and needs the credential), so it is asked for only when a rule names one, at most once.
pub struct RequestFacts<'a, T: FnOnce() -> Option<TenantId>> {
    pub provider: &'static str,
    pub method: &'a str,
    /// Relative to the provider's root, whichever port the request came in on.
    pub path: &'a str,
    pub tenant: T,
}

/// Every fault rule in force.
pub struct Faults {
    seed: u64,
    /// How many rules there are: the hot path reads only this when it is zero.
    count: AtomicUsize,
    rules: RwLock<Vec<Arc<Rule>>>,
    next_id: AtomicU64,
}

impl Faults {
    pub fn new(seed: u64) -> Self {
        Faults {
            seed,
            count: AtomicUsize::new(0),
            rules: RwLock::new(Vec::new()),
            next_id: AtomicU64::new(0),
        }
    }

    /// Whether any rule exists; everything else is skipped when not.
    #[inline]
    pub fn is_active(&self) -> bool {
        self.count.load(Ordering::Relaxed) > 0
    }

    /// Adds a validated rule; rules are tried in the order they were added.
    pub fn add(&self, spec: FaultSpec, source: &str, now: DateTime<Utc>) -> RuleView {
        let mut rules = self.rules.write();
        let rule = self.rule(spec, source, now);
        let view = view(&rule);
        rules.push(Arc::new(rule));
        self.count.store(rules.len(), Ordering::Relaxed);
        view
    }

    /// Replaces rule `id`'s conditions and effect, keeping its id and place; its counters and
    /// random stream start again. `None` for an unknown id. The rule is the API's from then on
    /// (`source: api`): a rule from a faults file, once edited, survives a scenario reload
    /// instead of silently going back to the file's version (or away).
    pub fn replace(&self, id: &str, spec: FaultSpec, now: DateTime<Utc>) -> Option<RuleView> {
        let mut rules = self.rules.write();
        let slot = rules.iter_mut().find(|r| r.id == id)?;
        let rule = self.rule_with_id(id.to_owned(), spec, FROM_API, now);
        *slot = Arc::new(rule);
        Some(view(slot))
    }

    fn rule(&self, spec: FaultSpec, source: &str, now: DateTime<Utc>) -> Rule {
        let id = format!(
            "{ID_PREFIX}{}",
            self.next_id.fetch_add(1, Ordering::Relaxed) + 1
        );
        self.rule_with_id(id, spec, source, now)
    }

    fn rule_with_id(&self, id: String, spec: FaultSpec, source: &str, now: DateTime<Utc>) -> Rule {
        // Seeded by the rule's content, not its id (ids count every rule ever added), so the same
        // rule under the same `--seed` draws the same stream whatever came before it.
        let content = serde_json::to_string(&spec).unwrap_or_default();
        let rng = SeededRng::derive(self.seed, &format!("fault:{content}"))
            .rng()
            .clone();
        Rule {
            id,
            spec,
            source: source.to_owned(),
            created_at: now,
            matched: AtomicU64::new(0),
            hits: AtomicU32::new(0),
            rng: Mutex::new(rng),
        }
    }

    /// Replaces the rules that came from files with `specs` (each with its file), keeping those
    /// added through the API.
    pub fn replace_from_files(&self, specs: Vec<(String, FaultSpec)>, now: DateTime<Utc>) {
        let mut rules = self.rules.write();
        rules.retain(|r| r.source == FROM_API);
        for (source, spec) in specs {
            rules.push(Arc::new(self.rule(spec, &source, now)));
        }
        self.count.store(rules.len(), Ordering::Relaxed);
    }

    pub fn list(&self) -> Vec<RuleView> {
        self.rules.read().iter().map(|r| view(r)).collect()
    }

    pub fn get(&self, id: &str) -> Option<RuleView> {
        self.rules
            .read()
            .iter()
            .find(|r| r.id == id)
            .map(|r| view(r))
    }

    pub fn remove(&self, id: &str) -> bool {
        let mut rules = self.rules.write();
        let before = rules.len();
        rules.retain(|r| r.id != id);
        self.count.store(rules.len(), Ordering::Relaxed);
        rules.len() < before
    }

    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        !self.is_active()
    }

    /// Removes every rule; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut rules = self.rules.write();
        let removed = rules.len();
        rules.clear();
        self.count.store(0, Ordering::Relaxed);
        removed
    }

    /// The first rule (in the order added) that matches the request and whose dice hit, with
    /// what to do, and the tenant when a rule needed to know it.
    pub fn on_request<T: FnOnce() -> Option<TenantId>>(
        &self,
        facts: RequestFacts<'_, T>,
    ) -> (Option<Hit>, Option<TenantId>) {
        if !self.is_active() {
            return (None, None);
        }
        let rules = self.rules.read();
        let mut ask_tenant = Some(facts.tenant);
        let mut tenant: Option<TenantId> = None;
        for rule in rules.iter().filter(|r| !r.spec.effect.is_webhook()) {
            let spec = &rule.spec;
            let plain = spec.provider.as_deref().is_none_or(|p| p == facts.provider)
                && spec.method.as_deref().is_none_or(|m| m == facts.method)
                && spec
                    .path
                    .as_deref()
                    .is_none_or(|p| glob_matches(p, facts.path));
            if !plain {
                continue;
            }
            if let Some(wanted) = &spec.tenant {
                if let Some(ask) = ask_tenant.take() {
                    tenant = ask();
                }
                if tenant.as_ref().is_none_or(|t| t.as_str() != wanted) {
                    continue;
                }
            }
            if let Some(roll) = rule.roll() {
                let action = action(&spec.effect, roll);
                return (
                    Some(Hit {
                        rule: rule.id.clone(),
                        effect: spec.effect.name(),
                        action,
                    }),
                    tenant,
                );
            }
        }
        (None, tenant)
    }

    /// Whether a webhook attempt of `provider`'s `tenant` for `event` fails by a rule.
    pub fn on_delivery(
        &self,
        provider: &str,
        tenant: &TenantId,
        event: &str,
    ) -> Option<DeliveryFault> {
        if !self.is_active() {
            return None;
        }
        let rules = self.rules.read();
        rules
            .iter()
            .filter(|r| r.spec.effect.is_webhook())
            .filter(|r| {
                let spec = &r.spec;
                spec.provider.as_deref().is_none_or(|p| p == provider)
                    && spec.tenant.as_deref().is_none_or(|t| t == tenant.as_str())
                    && spec.event.as_deref().is_none_or(|e| e == event)
            })
            .find_map(|rule| {
                rule.roll()?;
                let Effect::WebhookFailure { status } = rule.spec.effect else {
                    return None;
                };
                Some(DeliveryFault {
                    rule: rule.id.clone(),
                    status,
                })
            })
    }
}

impl Rule {
    /// Counts a match and decides whether it is a hit: within `times`, and the dice (drawn only
    /// when the probability is below 1) below the probability. A hit returns one more draw, in
    /// [0, 1), for effects that vary (a latency range).
    fn roll(&self) -> Option<f64> {
        self.matched.fetch_add(1, Ordering::Relaxed);
        let mut rng = self.rng.lock();
        if let Some(times) = self.spec.times {
            if self.hits.load(Ordering::Relaxed) >= times {
                return None;
            }
        }
        if self.spec.probability < 1.0 && rng.random::<f64>() >= self.spec.probability {
            return None;
        }
        // Counted under the generator's lock, so `times` is never exceeded by racing requests.
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(rng.random::<f64>())
    }
}

fn action(effect: &Effect, roll: f64) -> Action {
    match effect {
        Effect::Latency { ms, max_ms } => {
            let spread = max_ms.unwrap_or(*ms).saturating_sub(*ms);
            let extra = (spread as f64 * roll).round() as u64;
            Action::Delay(Duration::from_millis(ms + extra.min(spread)))
        }
        Effect::Error {
            status,
            retry_after,
            message,
        } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let retry_after =
                retry_after.or((status == StatusCode::TOO_MANY_REQUESTS).then_some(1));
            let message = message
                .clone()
                .unwrap_or_else(|| default_message(status, retry_after));
            Action::Answer {
                status,
                retry_after,
                message,
            }
        }
        Effect::Drop => Action::Drop,
        Effect::Timeout { ms } => Action::Hold(ms.map_or(DEFAULT_HOLD, Duration::from_millis)),
        // Never asked for a request: webhook rules are skipped there.
        Effect::WebhookFailure { .. } => Action::Drop,
    }
}

/// What an overloaded or failing API says, when the rule does not say.
fn default_message(status: StatusCode, retry_after: Option<u32>) -> String {
    match status.as_u16() {
        429 => format!(
            "Too many requests; retry after {} second(s).",
            retry_after.unwrap_or(1)
        ),
        502 => "Bad gateway: the upstream service did not answer properly.".into(),
        503 => "The service is temporarily unavailable; try again later.".into(),
        504 => "Gateway timeout: the upstream service did not answer in time.".into(),
        _ => "The request could not be completed.".into(),
    }
}

fn view(rule: &Rule) -> RuleView {
    let hits = rule.hits.load(Ordering::Relaxed);
    RuleView {
        id: rule.id.clone(),
        spec: rule.spec.clone(),
        source: rule.source.clone(),
        created_at: rule.created_at,
        matched: rule.matched.load(Ordering::Relaxed),
        hits,
        remaining: rule.spec.times.map(|t| t.saturating_sub(hits)),
    }
}

#[cfg(test)]
mod tests;
