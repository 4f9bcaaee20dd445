//! The delivery log in a snapshot: every delivery with its attempts, and where numbering is.

use std::sync::Arc;

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::log::{Delivery, Log};
use super::sender::rebuild;
use super::{Attempt, DeliveryStatus, Dispatcher};
use crate::core::tenant::TenantId;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedLog {
    /// The last delivery number handed out (`whd_<n>`), so new ones stay unique.
    pub last_seq: u64,
    /// Oldest first.
    pub deliveries: Vec<SavedDelivery>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedDelivery {
    pub seq: u64,
    pub provider: String,
    pub tenant: TenantId,
    pub event: String,
    pub url: String,
    pub method: String,
    pub created_at: DateTime<Utc>,
    pub headers: Vec<(String, String)>,
    /// The body exactly as sent, in base64.
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: Vec<Attempt>,
    pub started: u32,
    /// Whether an attempt was in flight when the snapshot was taken.
    pub in_flight: bool,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

impl Dispatcher {
    pub fn saved(&self) -> SavedLog {
        let log = self.log().lock();
        SavedLog {
            last_seq: log.last_seq(),
            deliveries: log
                .oldest_first()
                .map(|d| SavedDelivery {
                    seq: d.seq,
                    provider: d.provider.to_owned(),
                    tenant: d.tenant.clone(),
                    event: d.event.clone(),
                    url: d.url.clone(),
                    method: d.method.clone(),
                    created_at: d.created_at,
                    headers: d.headers.clone(),
                    body: base64::engine::general_purpose::STANDARD.encode(&d.body),
                    status: d.status,
                    attempts: d.attempts.clone(),
                    started: d.started,
                    in_flight: d.in_flight > 0,
                    next_attempt_at: d.next_attempt_at,
                })
                .collect(),
        }
    }

    /// Reads a saved log back (`providers` are the mounted names); the returned function puts it
    /// in place of the current one. An attempt that was in flight when the snapshot was taken
    /// never finished: its delivery is retried at `now`.
    pub fn prepare_restore(
        &self,
        saved: SavedLog,
        providers: &[&'static str],
        now: DateTime<Utc>,
    ) -> Result<Box<dyn FnOnce() + '_>, String> {
        let capacity = self.log().lock().capacity();
        let mut log = Log::continuing(capacity, saved.last_seq);
        for d in saved.deliveries {
            let provider = providers
                .iter()
                .find(|p| **p == d.provider)
                .copied()
                .ok_or_else(|| {
                    format!(
                        "webhook delivery {}: unknown provider `{}`",
                        d.seq, d.provider
                    )
                })?;
            let body = base64::engine::general_purpose::STANDARD
                .decode(d.body.as_bytes())
                .map_err(|e| format!("webhook delivery {}: body: {e}", d.seq))?;
            let request = rebuild(&d.url, &d.method, &d.headers)
                .map(Arc::new)
                .map_err(|e| e.to_string());
            let interrupted = d.in_flight && d.status == DeliveryStatus::Pending;
            log.insert(Delivery {
                seq: d.seq,
                provider,
                tenant: d.tenant,
                event: d.event,
                url: d.url,
                method: d.method,
                created_at: d.created_at,
                headers: d.headers,
                body: body.into(),
                request,
                status: if interrupted {
                    DeliveryStatus::Retrying
                } else {
                    d.status
                },
                attempts: d.attempts,
                started: d.started,
                in_flight: 0,
                next_attempt_at: if interrupted {
                    Some(now)
                } else {
                    d.next_attempt_at
                },
            });
        }
        Ok(Box::new(move || *self.log().lock() = log))
    }
}
