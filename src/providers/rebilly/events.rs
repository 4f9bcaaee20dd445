//! Turning document and request changes into Rebilly webhooks: the spec's `KycDocumentWebhook`
//! and `KycRequestWebhook` payloads, sent to every active webhook whose `eventsFilter` and
//! `filter` want the event, and to `--rebilly-webhook-url`.

use std::borrow::Cow;

use actix_web::http::Method;
use serde_json::{json, Value};

use super::model::tenant::{Event, Snapshot};
use super::model::{RebillyTenant, Webhook};
use super::wire::{customer_of, document_of, request_of};
use super::{Rebilly, NAME};
use crate::core::json_out::{self, ObjectWriter, Rendered};
use crate::core::webhooks::{basic_auth, Outbound};
use crate::core::TenantId;

/// The default payload of one event, with the resource as it was at the event. Links are absolute,
/// as in Rebilly's own webhook examples, on the main port.
struct Payload {
    /// What is sent: written once, the embedded resources as their renders wrote them.
    text: Rendered,
    /// The top-level values a webhook's `filter` and body template read (all but `_embedded` and
    /// `_links`, which [`Payload::field`] reads from the text in the rare case one is named).
    top: Value,
}

impl Payload {
    fn of(origin: &str, state: &RebillyTenant, event: &Event) -> Payload {
        let base = format!("{origin}/rebilly/organizations/{}", state.organization_id);
        let customer_href = |id: &str| format!("{base}/customers/{id}");
        let customer = |id: &str| customer_of(state, id, &customer_href(id));
        let link = |o: &mut ObjectWriter, rel: &str, href: &str| {
            o.field("rel", rel).field("href", href);
        };
        match &event.snapshot {
            Snapshot::Document(document) => {
                let href = format!("{base}/kyc-documents/{}", document.id);
                let file_id = document.file_ids.first();
                let top = json!({
                    "eventType": event.event_type,
                    "customerId": document.customer_id,
                    "kycDocumentId": document.id,
                    "fileId": file_id,
                });
                let text = json_out::object(|o| {
                    write_top(o, &top);
                    o.object("_embedded", |o| {
                        o.raw("customer", &customer(&document.customer_id))
                            .raw("kycDocument", &document_of(state, document, &href));
                    })
                    .array("_links", |a| {
                        a.object(|o| link(o, "customer", &customer_href(&document.customer_id)));
                        if let Some(file_id) = file_id {
                            a.object(|o| link(o, "file", &format!("{base}/files/{file_id}")));
                        }
                        a.object(|o| link(o, "kycDocument", &href));
                    });
                });
                Payload { text, top }
            }
            Snapshot::Request(request) => {
                let href = format!("{base}/kyc-requests/{}", request.id);
                let top = json!({
                    "eventType": event.event_type,
                    "customerId": request.customer_id,
                    "kycRequestId": request.id,
                });
                let text = json_out::object(|o| {
                    write_top(o, &top);
                    o.object("_embedded", |o| {
                        o.raw("customer", &customer(&request.customer_id))
                            .raw("kycRequest", &request_of(state, request, &href, false));
                    })
                    .array("_links", |a| {
                        a.object(|o| link(o, "customer", &customer_href(&request.customer_id)));
                        a.object(|o| link(o, "kycRequest", &href));
                    });
                });
                Payload { text, top }
            }
        }
    }

    /// A top-level value of the payload, as a filter or template names it.
    fn field(&self, name: &str) -> Option<Cow<'_, Value>> {
        match self.top.get(name) {
            Some(value) => Some(Cow::Borrowed(value)),
            None => self.text.to_value().get(name).cloned().map(Cow::Owned),
        }
    }
}

fn write_top(o: &mut ObjectWriter, top: &Value) {
    for (key, value) in top.as_object().into_iter().flatten() {
        o.field(key, value);
    }
}

/// A webhook's `filter` (`field:v1,v2;field2:v3`) on the payload's top-level values.
fn filter_admits(filter: Option<&str>, payload: &Payload) -> bool {
    filter
        .unwrap_or("")
        .split(';')
        .filter(|c| !c.trim().is_empty())
        .all(|clause| {
            let Some((field, values)) = clause.split_once(':') else {
                return true;
            };
            let actual = match payload.field(field.trim()).as_deref() {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => return false,
                Some(other) => other.to_string(),
            };
            values.split(',').any(|v| v.trim() == actual)
        })
}

/// A webhook's own `body` template with `{{field}}` placeholders from the payload's top level;
/// unknown placeholders render empty, as Rebilly's do.
fn render_template(template: &str, payload: &Payload) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = rest[start + 2..start + end].trim();
        match payload.field(name).as_deref() {
            Some(Value::String(s)) => out.push_str(s),
            Some(Value::Null) | None => {}
            Some(other) => out.push_str(&other.to_string()),
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn outbound(tenant: &TenantId, event: &str, hook: &Webhook, payload: &Payload) -> Outbound {
    let body = match &hook.body {
        Some(template) => render_template(template, payload).into_bytes(),
        None => payload.text.as_bytes().to_vec(),
    };
    let method = Method::from_bytes(hook.method.as_bytes()).unwrap_or(Method::POST);
    let mut out =
        Outbound::post(NAME, tenant.clone(), event, hook.url.clone(), body).with_method(method);
    if let Some(credentials) = &hook.authorization {
        out = out.with_header_pair(basic_auth(&credentials.username, &credentials.password));
    }
    for header in hook.headers.iter().filter(|h| h.status == "active") {
        out = out.with_header(header.name.clone(), header.value.clone());
    }
    out
}

impl Rebilly {
    /// Turns the changes an operation made into webhooks; called with the tenant still locked,
    /// so events leave in the order they happened.
    pub(super) fn publish(&self, tenant: &TenantId, state: &mut RebillyTenant) {
        if state.events.is_empty() {
            return;
        }
        let events = std::mem::take(&mut state.events);
        let global = self.core.default_webhook_urls.get(NAME);
        for event in &events {
            let wanted: Vec<&Webhook> = state
                .webhooks
                .values()
                .filter(|h| h.wants(event.event_type))
                .collect();
            if wanted.is_empty() && global.is_none() {
                continue;
            }
            let payload = Payload::of(self.core.origin(), state, event);
            for hook in wanted
                .into_iter()
                .filter(|h| filter_admits(h.filter.as_deref(), &payload))
            {
                self.core
                    .webhooks
                    .enqueue(outbound(tenant, event.event_type, hook, &payload));
            }
            if let Some(url) = global {
                self.core.webhooks.enqueue(Outbound::post(
                    NAME,
                    tenant.clone(),
                    event.event_type,
                    url.clone(),
                    payload.text.into_bytes(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_and_filters_read_the_payload() {
        let top =
            json!({"eventType": "kyc-document-accepted", "customerId": "cus_1", "revision": 3});
        let payload = Payload {
            text: Rendered::of(&json!({"eventType": "kyc-document-accepted", "_links": []})),
            top,
        };
        assert_eq!(
            render_template(
                "{{ eventType }} for {{customerId}} r{{revision}} {{nope}}!",
                &payload
            ),
            "kyc-document-accepted for cus_1 r3 !"
        );
        assert_eq!(
            render_template("open {{ never closed", &payload),
            "open {{ never closed"
        );
        assert!(filter_admits(Some("customerId:cus_2,cus_1"), &payload));
        assert!(!filter_admits(Some("customerId:cus_2"), &payload));
        assert!(filter_admits(None, &payload));
        assert_eq!(
            render_template("links: {{_links}}", &payload),
            "links: []",
            "what is not a top-level scalar is read from the text"
        );
    }
}
