//! Person webhooks (Qolo's "Webhooks" guide): each subscription of the person's program that
//! listens to the event (or to `all`) gets a `POST`, signed in `x-qolo-signature` with the hex
//! HMAC-SHA256 of the raw body keyed by the subscription's secret. Qolo shows no payload; the
//! sandbox sends `{"event_type", "event_guid", "event_date", "program_guid", "data": PersonDTO}`.

use std::sync::Arc;

use actix_web::web::Bytes;

use super::model::QoloTenant;
use super::{Qolo, NAME};
use crate::core::json_out;
use crate::core::webhooks::{HmacAlgorithm, HmacSigner, Outbound, SignatureEncoding, SignedInput};
use crate::core::TenantId;

/// The events a subscription may name (Qolo's list, person and every other kind).
pub const EVENT_TYPES: &[&str] = &[
    "all",
    "person.created",
    "person.verification.success",
    "person.updated",
    "card.created",
    "card.activated",
    "card.status",
    "card.pin.changed",
    "card.replaced",
    "card.fulfilment",
    "wallet.created",
    "account.created",
    "account.activated",
    "account.closed",
    "account.status",
    "account.instrument.created",
    "outside.instrument.created",
    "outside.instrument.updated",
    "auth.approved",
    "auth.reversed",
    "auth.refunded",
    "auth.declined",
    "bankeft.credit.received",
    "bankeft.credit.reversed",
    "bankeft.credit.returned",
    "bankeft.debit.received",
    "bankeft.debit.reversed",
    "bankeft.debit.returned",
    "transfer.success",
    "check.cleared",
    "payment.success",
    "payment.failure",
    "realtimepayment",
];

pub const SIGNATURE_HEADER: &str = "x-qolo-signature";

impl Qolo {
    /// Hands the person events the last change queued to the webhook dispatcher.
    pub(super) fn send_webhooks(&self, tenant: &TenantId, state: &mut QoloTenant) {
        if state.outbox.is_empty() {
            return;
        }
        let now = self.core.clock.now();
        for event in std::mem::take(&mut state.outbox) {
            let payload: Bytes = json_out::object(|o| {
                o.field("event_type", event.event_type)
                    .field("event_guid", &state.rng.uuid_v4())
                    .display(
                        "event_date",
                        now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    )
                    .field("program_guid", &event.program_guid)
                    .raw("data", &event.person);
            })
            .into();
            let subscribed = state.notifications.values().filter(|n| {
                n.active
                    && n.program_guid == event.program_guid
                    && n.event_type
                        .iter()
                        .any(|t| t == event.event_type || t == "all")
            });
            for subscription in subscribed {
                let mut hook = Outbound::post(
                    NAME,
                    tenant.clone(),
                    event.event_type,
                    subscription.url.clone(),
                    payload.clone(),
                );
                for (name, value) in &subscription.headers {
                    if let Some(value) = value.as_str() {
                        hook = hook.with_header(name.clone(), value);
                    }
                }
                if let Some(secret) = &subscription.secret {
                    hook = hook.with_signer(Arc::new(HmacSigner::new(
                        SIGNATURE_HEADER,
                        secret.as_bytes().to_vec(),
                        HmacAlgorithm::Sha256,
                        SignedInput::RawBody,
                        SignatureEncoding::Hex,
                    )));
                }
                self.core.webhooks.enqueue(hook);
            }
        }
    }
}
