//! The dispatcher: records deliveries, hands attempts to the sender task, settles their outcome.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use tokio::sync::mpsc;

use super::log::{format_id, parse_id, Delivery, Log};
use super::sender::{prepare, Job, JobReceiver, JobSender};
use super::{Attempt, DeliveryFilter, DeliveryStatus, DeliveryView, Outbound, RetryPolicy};
use crate::core::clock::Clock;
use crate::core::events::{Event, Events};
use crate::core::faults::Faults;
use crate::core::tenant::TenantId;

/// Every outbound webhook of every provider. All methods are synchronous and short: they never
/// wait on the network and never hold the lock while sending; attempts run on the task started by
/// [`Dispatcher::spawn_sender`]. Retries wait on the sandbox clock, so they fire from
/// [`Dispatcher::fire_due`] (the ticker, and every clock advance).
pub struct Dispatcher {
    clock: Arc<Clock>,
    policy: RetryPolicy,
    log: Mutex<Log>,
    queue: JobSender,
    receiver: Mutex<Option<JobReceiver>>,
    /// `webhook_failure` rules: a matching attempt fails without reaching the receiver.
    faults: Arc<Faults>,
    events: Arc<Events>,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("policy", &self.policy)
            .field("deliveries", &self.len())
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// Keeps at most `capacity` deliveries (at least one), dropping the oldest finished ones first.
    pub fn new(clock: Arc<Clock>, policy: RetryPolicy, capacity: usize) -> Self {
        let (queue, receiver) = mpsc::unbounded_channel();
        Dispatcher {
            clock,
            policy,
            log: Mutex::new(Log::new(capacity)),
            queue,
            receiver: Mutex::new(Some(receiver)),
            faults: Arc::new(Faults::new(0)),
            events: Arc::default(),
        }
    }

    /// Announces every new delivery and every settled attempt on `events`.
    pub fn with_events(mut self, events: Arc<Events>) -> Self {
        self.events = events;
        self
    }

    /// The event for delivery `seq` as it stands, when anyone listens.
    fn event_of(&self, log: &Log, seq: u64) -> Option<Event> {
        if !self.events.has_subscribers() {
            return None;
        }
        log.get(seq).map(|d| Event::Webhook {
            id: format_id(d.seq),
            provider: d.provider,
            tenant: d.tenant.clone(),
            event: d.event.clone(),
            status: d.status,
        })
    }

    fn announce(&self, event: Option<Event>) {
        if let Some(event) = event {
            self.events.publish(|| event);
        }
    }

    /// Fails the attempts that `faults`' webhook rules match (before any is sent).
    pub fn with_faults(mut self, faults: Arc<Faults>) -> Self {
        self.faults = faults;
        self
    }

    /// The attempt to record in place of sending `job`, when a fault rule fails it.
    fn faulted(&self, delivery: &Delivery, job: Job) -> Outcome {
        match self
            .faults
            .on_delivery(delivery.provider, &delivery.tenant, &delivery.event)
        {
            None => Outcome::Send(job),
            Some(fault) => Outcome::Failed(
                job.seq,
                Attempt {
                    number: job.number,
                    at: job.at,
                    duration_ms: 0,
                    status: fault.status,
                    error: Some(match fault.status {
                        Some(status) => {
                            format!("fault {}: the receiver answered {status}", fault.rule)
                        }
                        None => format!("fault {}: connection refused", fault.rule),
                    }),
                    response_body: None,
                },
            ),
        }
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    pub(super) fn log(&self) -> &Mutex<Log> {
        &self.log
    }

    pub(super) fn take_receiver(&self) -> Option<JobReceiver> {
        self.receiver.lock().take()
    }

    /// Records the hook and queues its first attempt; returns the delivery id (`whd_<n>`, counting
    /// from 1). Headers and signature are computed here, once, over the body. A hook that cannot
    /// be sent (bad URL or header) is recorded as `failed` with the reason as its attempt's error.
    pub fn enqueue(&self, hook: Outbound) -> String {
        let now = self.clock.now();
        let (headers, request) = prepare(&hook);
        let mut log = self.log.lock();
        let seq = log.next_seq();
        let mut delivery = Delivery {
            seq,
            provider: hook.provider,
            tenant: hook.tenant,
            event: hook.event,
            url: hook.url,
            method: hook.method.to_string(),
            created_at: now,
            headers,
            body: hook.body,
            request: request.map(Arc::new).map_err(|e| e.to_string()),
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            started: 0,
            in_flight: 0,
            next_attempt_at: None,
        };
        let job = delivery.start(now).map(|job| self.faulted(&delivery, job));
        log.insert(delivery);
        let event = self.event_of(&log, seq);
        drop(log);
        self.announce(event);
        self.send(job.into_iter().collect());
        format_id(seq)
    }

    /// Starts every retry due by now on the sandbox clock; returns how many.
    pub fn fire_due(&self) -> usize {
        let now = self.clock.now();
        let mut log = self.log.lock();
        if log.next_due().is_none_or(|due| due > now) {
            return 0;
        }
        let mut jobs = Vec::new();
        while let Some(seq) = log.pop_due(now) {
            if let Some(Some(job)) =
                log.update(seq, |d| d.start(now).map(|job| self.faulted(d, job)))
            {
                jobs.push(job);
            }
        }
        drop(log);
        let fired = jobs.len();
        self.send(jobs);
        fired
    }

    /// When the earliest retry is due.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.log.lock().next_due()
    }

    /// Deliveries matching `filter`, newest first, at most `filter.limit`.
    pub fn list(&self, filter: &DeliveryFilter<'_>) -> Vec<DeliveryView> {
        let matching: Vec<Delivery> = {
            let log = self.log.lock();
            log.newest_first()
                .filter(|d| filter.provider.is_none_or(|p| d.provider == p))
                .filter(|d| filter.tenant.is_none_or(|t| d.tenant.as_str() == t))
                .filter(|d| filter.event.is_none_or(|e| d.event == e))
                .filter(|d| filter.status.is_none_or(|s| d.status == s))
                .take(filter.limit)
                .cloned()
                .collect()
        };
        matching.iter().map(Delivery::view).collect()
    }

    pub fn get(&self, id: &str) -> Option<DeliveryView> {
        let seq = parse_id(id)?;
        let delivery = self.log.lock().get(seq).cloned()?;
        Some(delivery.view())
    }

    /// Starts one more attempt now, whatever the state (a pending retry is pulled forward). The
    /// attempt continues the count: if it fails, the schedule goes on from its number. `None`
    /// for an unknown id.
    pub fn redeliver(&self, id: &str) -> Option<DeliveryView> {
        let seq = parse_id(id)?;
        let now = self.clock.now();
        let mut log = self.log.lock();
        let job = log.update(seq, |d| d.start(now).map(|job| self.faulted(d, job)))?;
        let view = log.get(seq).cloned();
        let event = self.event_of(&log, seq);
        drop(log);
        self.announce(event);
        self.send(job.into_iter().collect());
        view.map(|d| d.view())
    }

    /// Drops the deliveries of `tenant`, or all; attempts in flight for them are then ignored.
    pub fn clear(&self, tenant: Option<&TenantId>) -> usize {
        self.log.lock().clear(tenant)
    }

    pub fn len(&self) -> usize {
        self.log.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records a finished attempt (called by the sender task).
    pub(super) fn complete(&self, seq: u64, attempt: Attempt) {
        let now = self.clock.now();
        let mut log = self.log.lock();
        log.update(seq, |d| d.settle(attempt, now, &self.policy));
        let event = self.event_of(&log, seq);
        drop(log);
        self.announce(event);
    }

    fn send(&self, jobs: Vec<Outcome>) {
        for outcome in jobs {
            let job = match outcome {
                Outcome::Send(job) => job,
                Outcome::Failed(seq, attempt) => {
                    self.complete(seq, attempt);
                    continue;
                }
            };
            if let Err(mpsc::error::SendError(job)) = self.queue.send(job) {
                let attempt = Attempt {
                    number: job.number,
                    at: job.at,
                    duration_ms: 0,
                    status: None,
                    error: Some("the webhook sender is not running".into()),
                    response_body: None,
                };
                self.complete(job.seq, attempt);
            }
        }
    }
}

/// What becomes of a started attempt: sent, or failed at once by a fault rule.
enum Outcome {
    Send(Job),
    Failed(u64, Attempt),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::ClockMode;

    fn dispatcher() -> Dispatcher {
        let at = "2026-01-01T00:00:00Z".parse().unwrap();
        let clock = Arc::new(Clock::new(ClockMode::Frozen(Some(at))));
        Dispatcher::new(clock, RetryPolicy::default(), 10)
    }

    fn hook(tenant: &str, event: &str, url: &str) -> Outbound {
        Outbound::json(
            "demo",
            TenantId::parse(tenant),
            event,
            url,
            &serde_json::json!({"event": event}),
        )
    }

    #[test]
    fn enqueue_records_pending_deliveries_newest_first() {
        let d = dispatcher();
        let first = d.enqueue(hook("t1", "a", "http://127.0.0.1:9/a"));
        let second = d.enqueue(hook("t2", "b", "http://127.0.0.1:9/b"));
        assert_eq!((first.as_str(), second.as_str()), ("whd_1", "whd_2"));
        let all = d.list(&DeliveryFilter {
            limit: 10,
            ..DeliveryFilter::default()
        });
        assert_eq!(
            all.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
            ["whd_2", "whd_1"]
        );
        assert!(all.iter().all(|v| v.status == DeliveryStatus::Pending));
        assert_eq!(all[0].body, serde_json::json!({"event": "b"}));
        assert_eq!(
            all[0].request_headers["content-type"],
            "application/json; charset=utf-8"
        );
        let only_t1 = d.list(&DeliveryFilter {
            tenant: Some("t1"),
            status: Some(DeliveryStatus::Pending),
            limit: 10,
            ..DeliveryFilter::default()
        });
        assert_eq!(only_t1.len(), 1);
        assert!(d.get("whd_3").is_none() && d.get("nope").is_none());
        assert_eq!(d.clear(Some(&TenantId::parse("t1"))), 1);
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn invalid_hooks_fail_without_a_network_attempt_and_redeliver_counts_on() {
        let d = dispatcher();
        let id = d.enqueue(hook("t", "a", "ftp://example.test/"));
        let view = d.get(&id).unwrap();
        assert_eq!(view.status, DeliveryStatus::Failed);
        assert!(view.attempts[0]
            .error
            .as_deref()
            .unwrap()
            .contains("is not http or https"));
        let again = d.redeliver(&id).unwrap();
        assert_eq!(again.attempts.len(), 2);
        assert_eq!(again.attempts[1].number, 2);
        assert!(d.redeliver("whd_99").is_none());
    }
}
