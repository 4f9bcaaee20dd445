//! The request journal and the webhook deliveries, filterable, each entry opening to show
//! everything that was sent and answered.

use actix_web::web;
use serde::Deserialize;
use serde_json::{json, Value};

use super::html::{action, badge, esc, http_badge, json_block, scalar, seg, time};
use super::{page, Section};
use crate::admin::{AdminError, Reply};
use crate::core::journal::{Filter, StatusFilter};
use crate::core::webhooks::{DeliveryFilter, DeliveryStatus};
use crate::core::Sandbox;

/// How many entries a page lists.
const LIMIT: usize = 200;

#[derive(Deserialize)]
pub(crate) struct ActivityQuery {
    provider: Option<String>,
    tenant: Option<String>,
    status: Option<String>,
}

impl ActivityQuery {
    fn get(field: &Option<String>) -> Option<&str> {
        field.as_deref().map(str::trim).filter(|v| !v.is_empty())
    }
}

/// The filter form: provider (a choice), tenant, status.
fn filter_form(
    sandbox: &Sandbox,
    action_url: &str,
    query: &ActivityQuery,
    status_hint: &str,
) -> String {
    let selected = ActivityQuery::get(&query.provider);
    let options: String = sandbox
        .providers
        .iter()
        .map(|p| {
            let sel = if selected == Some(p.name()) {
                " selected"
            } else {
                ""
            };
            format!(r#"<option{sel}>{}</option>"#, esc(p.name()))
        })
        .collect();
    format!(
        r#"<form class="filters" method="get" action="{action_url}">
<label>Provider <select name="provider"><option value="">any</option>{options}</select></label>
<label>Tenant <input name="tenant" value="{tenant}" placeholder="any"></label>
<label>Status <input name="status" value="{status}" placeholder="{status_hint}" size="10"></label>
<button type="submit">Filter</button> <a href="{action_url}">clear</a>
</form>"#,
        tenant = esc(ActivityQuery::get(&query.tenant).unwrap_or("")),
        status = esc(ActivityQuery::get(&query.status).unwrap_or("")),
    )
}

fn tenant_link(tenant: &Value) -> String {
    match tenant.as_str() {
        Some(t) => format!(r#"<a href="/__admin/ui/tenants/{}">{}</a>"#, seg(t), esc(t)),
        None => String::new(),
    }
}

/// `GET /__admin/ui/requests?provider=&tenant=&status=`.
pub(crate) async fn requests(
    query: web::Query<ActivityQuery>,
    sandbox: web::Data<Sandbox>,
) -> Reply {
    let status = ActivityQuery::get(&query.status)
        .map(str::parse::<StatusFilter>)
        .transpose()
        .map_err(AdminError::BadRequest)?;
    let entries = sandbox.core.journal.query(&Filter {
        provider: ActivityQuery::get(&query.provider),
        tenant: ActivityQuery::get(&query.tenant),
        status,
        limit: LIMIT,
        ..Filter::default()
    });
    let mut body = filter_form(&sandbox, "/__admin/ui/requests", &query, "200 or 4xx");
    if entries.is_empty() {
        body.push_str(r#"<p class="empty">No requests recorded (the journal keeps provider requests, newest first).</p>"#);
    }
    body.push_str(r#"<div class="entries">"#);
    for entry in &entries {
        let e = json!(entry);
        let query_string = if entry.query.is_empty() {
            String::new()
        } else {
            format!("?{}", entry.query)
        };
        body.push_str(&format!(
            r#"<details class="entry" id="req-{id}"><summary><span class="num">#{id}</span> {status} <b>{method}</b> <code class="path">{path}{query}</code> <span class="who">{provider} {tenant}</span> {at} <span class="ms">{ms:.1} ms</span></summary>
<div class="bodies"><div><h3>Request <small>{req_type}</small></h3>{req}</div><div><h3>Response</h3>{res}</div></div>
<p><a href="/__admin/requests/{id}">JSON</a></p></details>"#,
            id = entry.id,
            status = http_badge(entry.status),
            method = esc(&entry.method),
            path = esc(&entry.path),
            query = esc(&query_string),
            provider = esc(entry.provider.unwrap_or("")),
            tenant = tenant_link(&e["tenant"]),
            at = time(&e["at"]),
            ms = entry.duration_ms,
            req_type = esc(entry.request_content_type.as_deref().unwrap_or("")),
            req = body_block(&e["request"]),
            res = body_block(&e["response"]),
        ));
    }
    body.push_str("</div>");
    Ok(page(&sandbox, Section::Requests, "Requests", &body))
}

/// A captured body: its content, and a note when it was cut.
fn body_block(captured: &Value) -> String {
    let mut out = match &captured["content"] {
        Value::Null => r#"<p class="empty">empty</p>"#.to_owned(),
        Value::String(text) => format!(r#"<pre class="json">{}</pre>"#, esc(text)),
        other => json_block(other),
    };
    if captured["truncated"] == json!(true) {
        out.push_str(&format!(
            r#"<p class="note">cut at 4 KiB of {} bytes</p>"#,
            captured["size"]
        ));
    }
    out
}

/// `GET /__admin/ui/webhooks?provider=&tenant=&status=`.
pub(crate) async fn webhooks(
    query: web::Query<ActivityQuery>,
    sandbox: web::Data<Sandbox>,
) -> Reply {
    let status = ActivityQuery::get(&query.status)
        .map(str::parse::<DeliveryStatus>)
        .transpose()
        .map_err(AdminError::BadRequest)?;
    let deliveries = sandbox.core.webhooks.list(&DeliveryFilter {
        provider: ActivityQuery::get(&query.provider),
        tenant: ActivityQuery::get(&query.tenant),
        status,
        limit: LIMIT,
        ..DeliveryFilter::default()
    });
    let mut body = filter_form(
        &sandbox,
        "/__admin/ui/webhooks",
        &query,
        "delivered, retrying…",
    );
    if deliveries.is_empty() {
        body.push_str(r#"<p class="empty">No webhook deliveries yet.</p>"#);
    }
    body.push_str(r#"<div class="entries">"#);
    for d in &deliveries {
        let v = json!(d);
        let headers: String = d
            .request_headers
            .iter()
            .map(|(name, value)| {
                let class = if name.contains("signature") || name.contains("integrity") {
                    r#" class="signature""#
                } else {
                    ""
                };
                format!(
                    r#"<tr{class}><th>{}</th><td><code>{}</code></td></tr>"#,
                    esc(name),
                    esc(value)
                )
            })
            .collect();
        let attempts: String = d
            .attempts
            .iter()
            .map(|a| {
                let outcome = match (a.status, &a.error) {
                    (Some(s), _) => http_badge(s),
                    (None, Some(e)) => format!(r#"<span class="badge bad">{}</span>"#, esc(e)),
                    (None, None) => String::new(),
                };
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{outcome}</td><td>{} ms</td></tr>",
                    a.number,
                    time(&json!(a.at)),
                    a.duration_ms
                )
            })
            .collect();
        let next = d
            .next_attempt_at
            .map(|at| {
                format!(
                    r#" <span class="kv"><b>next retry</b> {}</span>"#,
                    time(&json!(at))
                )
            })
            .unwrap_or_default();
        body.push_str(&format!(
            r#"<details class="entry" id="wh-{id}"><summary><span class="num">{id}</span> {status} <b>{event}</b> <span class="who">{provider} {tenant}</span> {at} <span class="kv"><b>attempts</b> {n}</span>{next}</summary>
<p><b>{method}</b> <code>{url}</code></p>
<div class="bodies"><div><h3>Headers</h3><div class="scroll"><table class="fields">{headers}</table></div><h3>Attempts</h3><div class="scroll"><table><thead><tr><th>#</th><th>At</th><th>Answer</th><th>Took</th></tr></thead><tbody>{attempts}</tbody></table></div></div><div><h3>Payload</h3>{payload}</div></div>
<div class="actions">{redeliver}<a class="button" href="/__admin/webhooks/{id}">JSON</a></div></details>"#,
            id = esc(&d.id),
            status = badge(&scalar(&v["status"])),
            event = esc(&d.event),
            provider = esc(d.provider),
            tenant = tenant_link(&v["tenant"]),
            at = time(&v["createdAt"]),
            n = d.attempts.len(),
            method = esc(&d.method),
            url = esc(&d.url),
            payload = json_block(&d.body),
            redeliver = action(
                "Redeliver",
                "POST",
                &format!("/__admin/webhooks/{}/redeliver", seg(&d.id)),
                None,
                "small"
            ),
        ));
    }
    body.push_str("</div>");
    Ok(page(&sandbox, Section::Webhooks, "Webhooks", &body))
}
