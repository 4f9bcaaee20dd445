//! The bounded record of deliveries: O(log n) by id, the oldest finished ones dropped first, and
//! the retries waiting for the sandbox clock.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};

use super::sender::{Job, Prepared};
use super::{Attempt, DeliveryStatus, DeliveryView, RetryPolicy};
use crate::core::tenant::TenantId;

/// Attempts kept per delivery (redeliveries can add without end); the oldest go first.
const MAX_ATTEMPTS_KEPT: usize = 100;

const ID_PREFIX: &str = "whd_";

pub(super) fn format_id(seq: u64) -> String {
    format!("{ID_PREFIX}{seq}")
}

pub(super) fn parse_id(id: &str) -> Option<u64> {
    id.strip_prefix(ID_PREFIX)?.parse().ok()
}

#[derive(Debug, Clone)]
pub(super) struct Delivery {
    pub seq: u64,
    pub provider: &'static str,
    pub tenant: TenantId,
    pub event: String,
    pub url: String,
    pub method: String,
    pub created_at: DateTime<Utc>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// What to send; when the hook is invalid, why it cannot be sent.
    pub request: Result<Arc<Prepared>, String>,
    pub status: DeliveryStatus,
    pub attempts: Vec<Attempt>,
    /// Attempt numbers handed out so far.
    pub started: u32,
    pub in_flight: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl Delivery {
    /// Starts the next attempt: the job to send, or `None` when the hook cannot be sent (the
    /// attempt is then recorded as failed at once).
    pub fn start(&mut self, now: DateTime<Utc>) -> Option<Job> {
        self.started = self.started.saturating_add(1);
        self.next_attempt_at = None;
        match &self.request {
            Ok(request) => {
                self.in_flight += 1;
                self.status = DeliveryStatus::Pending;
                Some(Job {
                    seq: self.seq,
                    number: self.started,
                    at: now,
                    request: request.clone(),
                    body: self.body.clone(),
                })
            }
            Err(reason) => {
                let attempt = Attempt {
                    number: self.started,
                    at: now,
                    duration_ms: 0,
                    status: None,
                    error: Some(reason.clone()),
                    response_body: None,
                };
                self.record(attempt);
                self.status = DeliveryStatus::Failed;
                None
            }
        }
    }

    /// Records a finished attempt. Once none is in flight, the attempt with the highest number
    /// decides: delivered, retrying (`now` + the policy's delay) or failed.
    pub fn settle(&mut self, attempt: Attempt, now: DateTime<Utc>, policy: &RetryPolicy) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.record(attempt);
        if self.in_flight > 0 {
            return;
        }
        let Some(last) = self.attempts.last() else {
            return;
        };
        if last.succeeded() {
            self.status = DeliveryStatus::Delivered;
            self.next_attempt_at = None;
            return;
        }
        let next = policy
            .delay_after(last.number)
            .and_then(|delay| now.checked_add_signed(delay));
        self.next_attempt_at = next;
        self.status = match next {
            Some(_) => DeliveryStatus::Retrying,
            None => DeliveryStatus::Failed,
        };
    }

    fn record(&mut self, attempt: Attempt) {
        let at = self.attempts.partition_point(|a| a.number < attempt.number);
        self.attempts.insert(at, attempt);
        if self.attempts.len() > MAX_ATTEMPTS_KEPT {
            self.attempts.remove(0);
        }
    }

    pub fn view(&self) -> DeliveryView {
        let body = serde_json::from_slice(&self.body).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&self.body).into_owned())
        });
        DeliveryView {
            id: format_id(self.seq),
            provider: self.provider,
            tenant: self.tenant.clone(),
            event: self.event.clone(),
            url: self.url.clone(),
            method: self.method.clone(),
            status: self.status,
            attempts: self.attempts.clone(),
            next_attempt_at: self.next_attempt_at,
            created_at: self.created_at,
            request_headers: self.headers.iter().cloned().collect(),
            body,
        }
    }
}

/// Deliveries by sequence number, plus two indexes kept in step with them: the finished ones
/// (eviction order) and the retries by due time.
#[derive(Debug)]
pub(super) struct Log {
    capacity: usize,
    next_seq: u64,
    deliveries: BTreeMap<u64, Delivery>,
    finished: BTreeSet<u64>,
    due: BTreeSet<(DateTime<Utc>, u64)>,
}

impl Log {
    /// Keeps at most `capacity` deliveries (at least one).
    pub fn new(capacity: usize) -> Self {
        Log {
            capacity: capacity.max(1),
            next_seq: 0,
            deliveries: BTreeMap::new(),
            finished: BTreeSet::new(),
            due: BTreeSet::new(),
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Stores a new delivery, first dropping the oldest finished one (or, when none is finished,
    /// the oldest of all) if the log is full.
    pub fn insert(&mut self, delivery: Delivery) {
        while self.deliveries.len() >= self.capacity {
            let oldest = self
                .finished
                .first()
                .copied()
                .or_else(|| self.deliveries.keys().next().copied());
            match oldest {
                Some(seq) => {
                    self.remove(seq);
                }
                None => break,
            }
        }
        let seq = delivery.seq;
        self.deliveries.insert(seq, delivery);
        self.index(seq);
    }

    pub fn get(&self, seq: u64) -> Option<&Delivery> {
        self.deliveries.get(&seq)
    }

    /// Changes one delivery, keeping the indexes in step.
    pub fn update<R>(&mut self, seq: u64, change: impl FnOnce(&mut Delivery) -> R) -> Option<R> {
        let delivery = self.deliveries.get_mut(&seq)?;
        if let Some(at) = delivery.next_attempt_at {
            self.due.remove(&(at, seq));
        }
        self.finished.remove(&seq);
        let result = change(delivery);
        self.index(seq);
        Some(result)
    }

    fn index(&mut self, seq: u64) {
        if let Some(delivery) = self.deliveries.get(&seq) {
            if let Some(at) = delivery.next_attempt_at {
                self.due.insert((at, seq));
            }
            if delivery.status.is_finished() && delivery.in_flight == 0 {
                self.finished.insert(seq);
            }
        }
    }

    pub fn remove(&mut self, seq: u64) -> Option<Delivery> {
        let delivery = self.deliveries.remove(&seq)?;
        if let Some(at) = delivery.next_attempt_at {
            self.due.remove(&(at, seq));
        }
        self.finished.remove(&seq);
        Some(delivery)
    }

    /// The earliest retry due at or before `now`, taken off the due index.
    pub fn pop_due(&mut self, now: DateTime<Utc>) -> Option<u64> {
        let &(at, seq) = self.due.first()?;
        if at > now {
            return None;
        }
        self.due.pop_first();
        Some(seq)
    }

    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.due.first().map(|(at, _)| *at)
    }

    pub fn newest_first(&self) -> impl Iterator<Item = &Delivery> {
        self.deliveries.values().rev()
    }

    pub fn oldest_first(&self) -> impl Iterator<Item = &Delivery> {
        self.deliveries.values()
    }

    /// The last sequence number handed out.
    pub fn last_seq(&self) -> u64 {
        self.next_seq
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// An empty log of `capacity` that numbers on after `last_seq` (a restored snapshot's).
    pub fn continuing(capacity: usize, last_seq: u64) -> Self {
        let mut log = Log::new(capacity);
        log.next_seq = last_seq;
        log
    }

    /// Drops every delivery of `tenant`, or all; returns how many.
    pub fn clear(&mut self, tenant: Option<&TenantId>) -> usize {
        let doomed: Vec<u64> = match tenant {
            None => self.deliveries.keys().copied().collect(),
            Some(t) => self
                .deliveries
                .values()
                .filter(|d| &d.tenant == t)
                .map(|d| d.seq)
                .collect(),
        };
        for seq in &doomed {
            self.remove(*seq);
        }
        doomed.len()
    }

    pub fn len(&self) -> usize {
        self.deliveries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn delivery(log: &mut Log, tenant: &str) -> u64 {
        let seq = log.next_seq();
        log.insert(Delivery {
            seq,
            provider: "demo",
            tenant: TenantId::parse(tenant),
            event: "thing".into(),
            url: "http://127.0.0.1:9/".into(),
            method: "POST".into(),
            created_at: Utc::now(),
            headers: vec![],
            body: Bytes::from_static(b"{}"),
            request: Err("not sendable in this test".into()),
            status: DeliveryStatus::Pending,
            attempts: vec![],
            started: 0,
            in_flight: 0,
            next_attempt_at: None,
        });
        seq
    }

    fn answer(number: u32, status: u16) -> Attempt {
        Attempt {
            number,
            at: Utc::now(),
            duration_ms: 1,
            status: Some(status),
            error: None,
            response_body: Some(String::new()),
        }
    }

    #[test]
    fn ids_round_trip() {
        assert_eq!(parse_id(&format_id(42)), Some(42));
        assert_eq!(parse_id("whd_x"), None);
        assert_eq!(parse_id("42"), None);
    }

    #[test]
    fn full_log_drops_oldest_finished_first_then_oldest() {
        let mut log = Log::new(3);
        let a = delivery(&mut log, "t1");
        let b = delivery(&mut log, "t1");
        let c = delivery(&mut log, "t2");
        log.update(b, |d| d.status = DeliveryStatus::Delivered);
        let d = delivery(&mut log, "t2");
        assert!(log.get(b).is_none(), "the finished one went first");
        assert!(log.get(a).is_some() && log.get(c).is_some() && log.get(d).is_some());
        delivery(&mut log, "t2");
        assert!(log.get(a).is_none(), "then the oldest of all");
        assert_eq!(log.len(), 3);
        assert_eq!(log.clear(Some(&TenantId::parse("t2"))), 3);
        assert_eq!(log.len(), 0);
    }

    #[test]
    fn failures_follow_the_schedule_and_the_highest_attempt_decides() {
        let policy = RetryPolicy::default();
        let now = Utc::now();
        let mut log = Log::new(10);
        let seq = delivery(&mut log, "t");
        log.update(seq, |d| {
            d.in_flight = 1;
            d.started = 1;
            d.settle(answer(1, 500), now, &policy);
        });
        let d = log.get(seq).unwrap();
        assert_eq!(d.status, DeliveryStatus::Retrying);
        assert_eq!(d.next_attempt_at, Some(now + Duration::minutes(1)));
        assert_eq!(log.pop_due(now), None);
        assert_eq!(log.pop_due(now + Duration::minutes(1)), Some(seq));
        // Two attempts in flight: the earlier one's failure waits for the later one.
        log.update(seq, |d| {
            d.in_flight = 2;
            d.settle(answer(3, 200), now, &policy);
            assert_eq!(d.status, DeliveryStatus::Retrying, "one still in flight");
            d.settle(answer(2, 503), now, &policy);
        });
        let d = log.get(seq).unwrap();
        assert_eq!(d.status, DeliveryStatus::Delivered);
        assert_eq!(
            d.attempts.iter().map(|a| a.number).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        log.update(seq, |d| {
            d.in_flight = 1;
            d.settle(answer(6, 500), now, &policy);
        });
        assert_eq!(log.get(seq).unwrap().status, DeliveryStatus::Failed);
        assert_eq!(log.next_due(), None);
    }

    #[test]
    fn an_unsendable_hook_fails_at_once() {
        let mut log = Log::new(10);
        let seq = delivery(&mut log, "t");
        let job = log.update(seq, |d| d.start(Utc::now())).unwrap();
        assert!(job.is_none());
        let d = log.get(seq).unwrap();
        assert_eq!(d.status, DeliveryStatus::Failed);
        assert_eq!(
            d.attempts[0].error.as_deref(),
            Some("not sendable in this test")
        );
    }
}
