//! `/webhooks`: where an organization wants its events (Rebilly's `GlobalWebhook`), with
//! `eventsFilter`, `filter`, a custom `method`, `headers`, `body` template and Basic credentials.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::href;
use super::listing::Listed;
use crate::core::fields::{Fields, Lookup};
use crate::core::json_out::{self, Rendered};
use crate::core::resource::{Call, Create, Resource, Update};
use crate::core::store::Store;
use crate::core::webhooks::check_url;
use crate::providers::rebilly::errors::RebillyError;
use crate::providers::rebilly::model::{
    rfc3339, BasicCredentials, RebillyTenant, Webhook, WebhookHeader, KYC_EVENTS,
};
use crate::providers::rebilly::wire::{link, Checks};
use crate::providers::rebilly::Rebilly;

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

impl Resource<Rebilly> for Webhook {
    const KIND: &'static str = "Webhook";
    const COLLECTION: &'static str = "webhooks";

    fn store(state: &RebillyTenant) -> &Store<Self> {
        &state.webhooks
    }

    fn store_mut(state: &mut RebillyTenant) -> &mut Store<Self> {
        &mut state.webhooks
    }

    fn render(call: &Call<Rebilly>, _: &RebillyTenant, hook: &Self) -> Rendered {
        webhook_json(hook, &href::<Self>(call.req, &hook.id))
    }

    fn read_changes_nothing(_: &RebillyTenant, _: &str) -> bool {
        true
    }
}

impl Listed for Webhook {
    const FILTERABLE: &'static [&'static str] = &["id", "status", "method", "url"];

    fn field(&self, name: &str) -> Option<&str> {
        match name {
            "id" => Some(&self.id),
            "status" => Some(&self.status),
            "method" => Some(&self.method),
            "url" => Some(&self.url),
            _ => None,
        }
    }

    fn updated_time(&self) -> DateTime<Utc> {
        self.updated_time
    }
}

fn webhook_json(hook: &Webhook, href: &str) -> Rendered {
    json_out::object(|o| {
        o.field("id", &hook.id)
            .field("eventsFilter", &hook.events_filter)
            .field("status", &hook.status)
            .field("method", &hook.method)
            .field("url", &hook.url)
            .field("headers", &hook.headers)
            .field("credentialHash", &hook.credential_hash)
            .object("authorization", |o| match &hook.authorization {
                Some(c) => {
                    o.field("type", "basic").field("username", &c.username);
                }
                None => {
                    o.field("type", "none");
                }
            })
            .field("body", &hook.body)
            .field("filter", &hook.filter)
            .time("createdTime", rfc3339(hook.created_time))
            .time("updatedTime", rfc3339(hook.updated_time))
            .array("_links", |a| link(a, "self", href));
    })
}

pub struct WebhookInput {
    events_filter: Vec<String>,
    status: String,
    method: String,
    url: String,
    headers: Vec<WebhookHeader>,
    credential_hash: String,
    authorization: Option<BasicCredentials>,
    body: Option<String>,
    filter: Option<String>,
}

fn one_of(
    checks: &mut Checks,
    body: &impl Lookup,
    field: &str,
    allowed: &[&str],
    default: &str,
) -> String {
    match body.lookup(field) {
        None | Some(Value::Null) => default.to_owned(),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => s.clone(),
        Some(_) => {
            checks.fail(field, format!("must be one of {}", allowed.join(", ")));
            default.to_owned()
        }
    }
}

fn headers(checks: &mut Checks, body: &Fields) -> Vec<WebhookHeader> {
    let Some(items) = body.get("headers").filter(|v| !v.is_null()) else {
        return Vec::new();
    };
    let Some(items) = items.as_array() else {
        checks.fail("headers", "must be an array of {name, value, status}");
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(item) = item.as_object() else {
            checks.fail(format!("headers.{i}"), "must be an object");
            continue;
        };
        let mut field = |name: &str| match item.get(name).and_then(Value::as_str) {
            Some(v) if !v.is_empty() => v.to_owned(),
            _ => {
                checks.fail(format!("headers.{i}.{name}"), "is required");
                String::new()
            }
        };
        let name = field("name");
        let value = field("value");
        let status = one_of(checks, item, "status", &["active", "inactive"], "active");
        out.push(WebhookHeader {
            name,
            value,
            status,
        });
    }
    out
}

fn authorization(checks: &mut Checks, body: &Fields) -> Option<BasicCredentials> {
    let auth = body.get("authorization").filter(|v| !v.is_null())?;
    let Some(auth) = auth.as_object() else {
        checks.fail("authorization", "must be an object");
        return None;
    };
    match auth.get("type").and_then(Value::as_str) {
        None | Some("none") => None,
        Some("basic") => {
            let mut field = |name: &str| match auth.get(name).and_then(Value::as_str) {
                Some(v) => v.to_owned(),
                None => {
                    checks.fail(format!("authorization.{name}"), "is required");
                    String::new()
                }
            };
            Some(BasicCredentials {
                username: field("username"),
                password: field("password"),
            })
        }
        Some(_) => {
            checks.fail(
                "authorization.type",
                "must be none or basic (digest is not emulated)",
            );
            None
        }
    }
}

fn parse(body: &Fields) -> Result<WebhookInput, RebillyError> {
    let mut checks = Checks::default();
    let url = checks.opt_string(body, "url", 2048).unwrap_or_default();
    if url.is_empty() {
        checks.fail("url", "is required");
    } else if let Err(e) = check_url(&url) {
        checks.fail("url", e.to_string());
    }
    if !body.contains_key("method") {
        checks.fail("method", "is required");
    }
    let method = one_of(&mut checks, body, "method", METHODS, "POST");
    let credential_hash = checks.opt_string(body, "credentialHash", 255);
    if credential_hash.is_none() {
        checks.fail("credentialHash", "is required");
    }
    let events_filter = checks.string_list(body, "eventsFilter").unwrap_or_default();
    for (i, event) in events_filter.iter().enumerate() {
        if !KYC_EVENTS.contains(&event.as_str()) {
            checks.fail(
                format!("eventsFilter.{i}"),
                format!("the sandbox sends only {}", KYC_EVENTS.join(", ")),
            );
        }
    }
    let status = one_of(
        &mut checks,
        body,
        "status",
        &["active", "inactive"],
        "active",
    );
    let headers = headers(&mut checks, body);
    let authorization = authorization(&mut checks, body);
    let template = checks.opt_string(body, "body", 65536);
    let filter = checks.opt_string(body, "filter", 1000);
    checks.finish()?;
    Ok(WebhookInput {
        events_filter,
        status,
        method,
        url,
        headers,
        credential_hash: credential_hash.unwrap_or_default(),
        authorization,
        body: template,
        filter,
    })
}

impl Create<Rebilly> for Webhook {
    type Draft = WebhookInput;

    fn draft(_: &Call<Rebilly>, body: Fields) -> Result<WebhookInput, RebillyError> {
        parse(&body)
    }

    fn insert(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        input: WebhookInput,
    ) -> Result<String, RebillyError> {
        let now = call.now;
        let hook = Webhook {
            id: state.new_id("hook_"),
            events_filter: input.events_filter,
            status: input.status,
            method: input.method,
            url: input.url,
            headers: input.headers,
            credential_hash: input.credential_hash,
            authorization: input.authorization,
            body: input.body,
            filter: input.filter,
            created_time: now,
            updated_time: now,
        };
        let id = hook.id.clone();
        state.webhooks.insert(id.clone(), hook);
        Ok(id)
    }
}

impl Update<Rebilly> for Webhook {
    type Patch = WebhookInput;

    fn patch(_: &Call<Rebilly>, body: Fields) -> Result<WebhookInput, RebillyError> {
        parse(&body)
    }

    fn apply(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        id: &str,
        input: WebhookInput,
    ) -> Result<(), RebillyError> {
        let now = call.now;
        let hook = Self::find_mut(state, id)?;
        hook.events_filter = input.events_filter;
        hook.status = input.status;
        hook.method = input.method;
        hook.url = input.url;
        hook.headers = input.headers;
        hook.credential_hash = input.credential_hash;
        hook.authorization = input.authorization;
        hook.body = input.body;
        hook.filter = input.filter;
        hook.updated_time = now;
        Ok(())
    }
}
