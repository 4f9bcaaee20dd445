//! Turning document and request changes into Rebilly webhooks: the spec's `KycDocumentWebhook`
//! and `KycRequestWebhook` payloads, sent to every active webhook whose `eventsFilter` and
//! `filter` want the event, and to `--rebilly-webhook-url`.

use actix_web::http::Method;
use serde_json::{json, Value};

use super::model::tenant::{Event, Snapshot};
use super::model::{RebillyTenant, Webhook};
use super::wire::{customer_of, document_of, request_of};
use super::{Rebilly, NAME};
use crate::core::http::json_text;
use crate::core::webhooks::{basic_auth, Outbound};
use crate::core::TenantId;

/// The default payload of one event, with the resource as it was at the event. Links are absolute,
/// as in Rebilly's own webhook examples, on the main port.
fn payload(origin: &str, state: &RebillyTenant, event: &Event) -> Value {
    let base = format!("{origin}/rebilly/organizations/{}", state.organization_id);
    let customer_href = |id: &str| format!("{base}/customers/{id}");
    let customer = |id: &str| customer_of(state, id, &customer_href(id)).to_value();
    match &event.snapshot {
        Snapshot::Document(document) => {
            let href = format!("{base}/kyc-documents/{}", document.id);
            let file_id = document.file_ids.first();
            let mut links =
                vec![json!({"rel": "customer", "href": customer_href(&document.customer_id)})];
            if let Some(file_id) = file_id {
                links.push(json!({"rel": "file", "href": format!("{base}/files/{file_id}")}));
            }
            links.push(json!({"rel": "kycDocument", "href": href}));
            json!({
                "eventType": event.event_type,
                "customerId": document.customer_id,
                "kycDocumentId": document.id,
                "fileId": file_id,
                "_embedded": {
                    "customer": customer(&document.customer_id),
                    "kycDocument": document_of(state, document, &href).to_value(),
                },
                "_links": links,
            })
        }
        Snapshot::Request(request) => {
            let href = format!("{base}/kyc-requests/{}", request.id);
            json!({
                "eventType": event.event_type,
                "customerId": request.customer_id,
                "kycRequestId": request.id,
                "_embedded": {
                    "customer": customer(&request.customer_id),
                    "kycRequest": request_of(state, request, &href, false).to_value(),
                },
                "_links": [
                    {"rel": "customer", "href": customer_href(&request.customer_id)},
                    {"rel": "kycRequest", "href": href},
                ],
            })
        }
    }
}

/// A webhook's `filter` (`field:v1,v2;field2:v3`) on the payload's top-level values.
fn filter_admits(filter: Option<&str>, payload: &Value) -> bool {
    filter
        .unwrap_or("")
        .split(';')
        .filter(|c| !c.trim().is_empty())
        .all(|clause| {
            let Some((field, values)) = clause.split_once(':') else {
                return true;
            };
            let actual = match &payload[field.trim()] {
                Value::String(s) => s.clone(),
                Value::Null => return false,
                other => other.to_string(),
            };
            values.split(',').any(|v| v.trim() == actual)
        })
}

/// A webhook's own `body` template with `{{field}}` placeholders from the payload's top level;
/// unknown placeholders render empty, as Rebilly's do.
fn render_template(template: &str, payload: &Value) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = rest[start + 2..start + end].trim();
        match payload.get(name) {
            Some(Value::String(s)) => out.push_str(s),
            Some(Value::Null) | None => {}
            Some(other) => out.push_str(&other.to_string()),
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn outbound(tenant: &TenantId, event: &str, hook: &Webhook, payload: &Value) -> Outbound {
    let body = match &hook.body {
        Some(template) => render_template(template, payload),
        None => json_text(payload),
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
            let payload = payload(self.core.origin(), state, event);
            for hook in wanted
                .into_iter()
                .filter(|h| filter_admits(h.filter.as_deref(), &payload))
            {
                self.core
                    .webhooks
                    .enqueue(outbound(tenant, event.event_type, hook, &payload));
            }
            if let Some(url) = global {
                self.core.webhooks.enqueue(Outbound::json(
                    NAME,
                    tenant.clone(),
                    event.event_type,
                    url.clone(),
                    &payload,
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
        let payload =
            json!({"eventType": "kyc-document-accepted", "customerId": "cus_1", "revision": 3});
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
    }
}
