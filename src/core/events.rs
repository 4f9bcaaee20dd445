//! What changed in the sandbox, as it happens: new journal entries, webhook deliveries moving,
//! resources changing state, the clock moving. The admin API streams these to the dashboard
//! (`GET /__admin/events`).
//!
//! Publishing sits on the request hot path, so it costs one relaxed atomic load when nobody
//! listens: the event is built (a closure) only when there is a subscriber. The channel is
//! bounded; a subscriber that falls behind misses the oldest events and is told how many
//! (`Lagged`), so a slow page never makes the server hold more memory.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::broadcast;

use super::journal::Entry;
use super::tenant::TenantId;
use super::webhooks::DeliveryStatus;

/// Events a subscriber may fall behind by before it starts missing them.
pub const CAPACITY: usize = 256;

/// One change. Journal entries travel as the `Arc` the journal already holds, so publishing one
/// copies nothing; subscribers serialize what they send.
#[derive(Debug, Clone)]
pub enum Event {
    /// A provider request was answered and recorded in the journal.
    Request(Arc<Entry>),
    /// A webhook delivery was created or one of its attempts finished.
    Webhook {
        id: String,
        provider: &'static str,
        tenant: TenantId,
        event: String,
        status: DeliveryStatus,
    },
    /// A resource changed outside a provider request: a scheduled timeline step or an admin
    /// transition.
    State {
        provider: &'static str,
        tenant: Option<TenantId>,
        kind: String,
        id: String,
        cause: Cause,
    },
    /// One tenant's state, or everything, was dropped.
    Reset { tenant: Option<TenantId> },
    /// The sandbox clock was advanced, frozen or resumed.
    Clock { now: DateTime<Utc>, frozen: bool },
    /// Fault rules were added, edited or removed (admin API, or faults files reloaded); `rules`
    /// is how many are in force now.
    Faults { rules: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    Scheduled,
    Transition,
}

impl Event {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Request(_) => "request",
            Event::Webhook { .. } => "webhook",
            Event::State { .. } => "state",
            Event::Reset { .. } => "reset",
            Event::Clock { .. } => "clock",
            Event::Faults { .. } => "faults",
        }
    }

    /// The SSE data: a short summary; the full record is one admin call away.
    pub fn data(&self) -> serde_json::Value {
        match self {
            Event::Request(e) => serde_json::json!({
                "id": e.id,
                "at": e.at,
                "provider": e.provider,
                "tenant": e.tenant,
                "method": e.method,
                "path": e.path,
                "status": e.status,
            }),
            Event::Webhook {
                id,
                provider,
                tenant,
                event,
                status,
            } => serde_json::json!({
                "id": id, "provider": provider, "tenant": tenant, "event": event, "status": status,
            }),
            Event::State {
                provider,
                tenant,
                kind,
                id,
                cause,
            } => serde_json::json!({
                "provider": provider, "tenant": tenant, "kind": kind, "id": id, "cause": cause,
            }),
            Event::Reset { tenant } => serde_json::json!({"tenant": tenant}),
            Event::Clock { now, frozen } => serde_json::json!({"now": now, "frozen": frozen}),
            Event::Faults { rules } => serde_json::json!({"rules": rules}),
        }
    }
}

/// The broadcast channel and a count of its subscribers (read without the channel's lock).
#[derive(Debug)]
pub struct Events {
    sender: broadcast::Sender<Event>,
    subscribers: Arc<AtomicUsize>,
    /// Set when the server stops: every subscription ends, so an open stream does not hold a
    /// graceful shutdown for its whole timeout.
    closed: tokio::sync::watch::Sender<bool>,
}

impl Default for Events {
    fn default() -> Self {
        Events::new(CAPACITY)
    }
}

impl Events {
    pub fn new(capacity: usize) -> Self {
        Events {
            sender: broadcast::channel(capacity.max(1)).0,
            subscribers: Arc::new(AtomicUsize::new(0)),
            closed: tokio::sync::watch::channel(false).0,
        }
    }

    /// Ends every subscription, now and to come (the server is stopping).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Whether anyone listens; one atomic load.
    pub fn has_subscribers(&self) -> bool {
        self.subscribers.load(Ordering::Relaxed) > 0
    }

    /// Sends the event `make` builds, building it only when someone listens.
    pub fn publish(&self, make: impl FnOnce() -> Event) {
        if self.has_subscribers() {
            // An error means the last subscriber left meanwhile: nobody to tell.
            let _ = self.sender.send(make());
        }
    }

    pub fn subscribe(&self) -> Subscription {
        self.subscribers.fetch_add(1, Ordering::Relaxed);
        Subscription {
            receiver: self.sender.subscribe(),
            closed: self.closed.subscribe(),
            _counted: Counted(self.subscribers.clone()),
        }
    }
}

/// A subscriber's end; dropping it (the client went away) stops the publishing cost.
pub struct Subscription {
    receiver: broadcast::Receiver<Event>,
    closed: tokio::sync::watch::Receiver<bool>,
    _counted: Counted,
}

impl Subscription {
    /// The next event, or how many were missed when this subscriber fell behind; `None` once
    /// the sandbox is gone or stopping.
    pub async fn next(&mut self) -> Option<Result<Event, u64>> {
        let received = tokio::select! {
            received = self.receiver.recv() => received,
            _ = self.closed.wait_for(|closed| *closed) => return None,
        };
        match received {
            Ok(event) => Some(Ok(event)),
            Err(broadcast::error::RecvError::Lagged(missed)) => Some(Err(missed)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock_event(n: i64) -> Event {
        Event::Clock {
            now: DateTime::from_timestamp(n, 0).unwrap(),
            frozen: true,
        }
    }

    #[test]
    fn nothing_is_built_without_subscribers() {
        let events = Events::new(4);
        events.publish(|| unreachable!("no subscriber, no event"));
        let sub = events.subscribe();
        assert!(events.has_subscribers());
        drop(sub);
        assert!(!events.has_subscribers());
        events.publish(|| unreachable!("the subscriber left"));
    }

    #[tokio::test]
    async fn closing_ends_every_subscription() {
        let events = Events::new(4);
        let mut before = events.subscribe();
        events.close();
        let mut after = events.subscribe();
        assert!(before.next().await.is_none());
        assert!(after.next().await.is_none());
    }

    #[tokio::test]
    async fn a_slow_subscriber_misses_the_oldest_and_is_told() {
        let events = Events::new(2);
        let mut sub = events.subscribe();
        for n in 0..5 {
            events.publish(|| clock_event(n));
        }
        assert_eq!(sub.next().await.unwrap().unwrap_err(), 3);
        let next = sub.next().await.unwrap().unwrap();
        assert_eq!(next.name(), "clock");
        assert_eq!(next.data()["now"], "1970-01-01T00:00:03Z");
    }
}
