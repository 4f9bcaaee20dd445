//! A tenant's resources as tables, and one resource with its timeline.

use actix_web::web;
use serde_json::{json, Map, Value};

use super::html::{action, badge, esc, json_block, query_value, scalar, seg, short_id, time};
use super::{page, Section};
use crate::admin::state::{self, Shape};
use crate::admin::{AdminError, Reply};
use crate::core::{Provider, Sandbox, TenantId};

/// Fields shown as a resource's creation time, in the providers' spellings.
const CREATED: &[&str] = &["created_at", "createdTime", "created", "added_at"];

/// Fields never worth a column (the id and status have their own; bulky or secret ones).
const SKIPPED: &[&str] = &["id", "updated_at", "updatedTime", "sha1", "revision"];

fn created_of(resource: &Map<String, Value>) -> Option<&Value> {
    CREATED.iter().find_map(|f| resource.get(*f))
}

/// Up to three short scalar fields that tell resources apart (names, types, parents).
fn highlights(resource: &Map<String, Value>, status: Option<&str>) -> Vec<(String, String)> {
    resource
        .iter()
        .filter(|(name, value)| {
            !SKIPPED.contains(&name.as_str())
                && !CREATED.contains(&name.as_str())
                && (value.is_string() || value.is_number() || value.is_boolean())
                && value.as_str() != status
                && scalar(value).len() <= 40
        })
        .take(3)
        .map(|(name, value)| (name.clone(), scalar(value)))
        .collect()
}

fn action_buttons(actions: &[Value]) -> String {
    actions
        .iter()
        .map(|a| {
            let label = a["label"].as_str().unwrap_or("Decide");
            let class = match label {
                "Approve" => "good",
                "Decline" => "bad",
                _ => "",
            };
            action(
                label,
                "POST",
                "/__admin/transitions",
                Some(&a["request"]),
                &format!("small {class}"),
            )
        })
        .collect()
}

fn resource_table(
    provider: &dyn Provider,
    tenant: &TenantId,
    collection: &str,
    items: &[(String, &Map<String, Value>)],
) -> String {
    let decidable = state::decidable_for(provider, collection);
    let mut out = String::from(
        r#"<div class="scroll"><table class="stack"><thead><tr><th>Id</th><th>Status</th><th>Created</th><th>Details</th><th></th></tr></thead><tbody>"#,
    );
    for (id, resource) in items {
        let status = state::status_of(resource, decidable);
        let details: Vec<String> = highlights(resource, status)
            .iter()
            .map(|(k, v)| {
                format!(
                    r#"<span class="kv"><b>{}</b> {}</span>"#,
                    esc(k),
                    short_id(v)
                )
            })
            .collect();
        let actions = state::actions(provider, tenant, collection, id, resource);
        out.push_str(&format!(
            r#"<tr data-id="{id_attr}"><td><a href="/__admin/ui/tenants/{t}/{c}/{i}"><code>{id_text}</code></a></td><td>{status}</td><td>{created}</td><td>{details}</td><td class="row-actions">{buttons}<a class="json" href="/__admin/tenants/{t}/resources/{c}/{i}">JSON</a></td></tr>"#,
            id_attr = esc(id),
            t = seg(tenant.as_str()),
            c = seg(collection),
            i = seg(id),
            id_text = short_id(id),
            status = status.map(badge).unwrap_or_default(),
            created = created_of(resource).map(time).unwrap_or_default(),
            details = details.join(" "),
            buttons = action_buttons(&actions),
        ));
    }
    out.push_str("</tbody></table></div>");
    out
}

/// `GET /__admin/ui/tenants/{tenant}`.
pub(crate) async fn tenant(path: web::Path<String>, sandbox: web::Data<Sandbox>) -> Reply {
    let tenant = TenantId::parse(&path.into_inner());
    let (provider, dump) = state::tenant_dump(&sandbox, &tenant)?;
    let info = provider
        .tenants()
        .into_iter()
        .find(|i| i.tenant == tenant)
        .ok_or_else(|| AdminError::NotFound(format!("no tenant `{tenant}`")))?;
    let t = query_value(tenant.as_str());
    let mut body = format!(
        r#"<p class="meta"><span class="kv"><b>provider</b> {provider}</span> <span class="kv"><b>credential</b> {credential}</span> <span class="kv"><b>created</b> {created}</span></p>
<div class="actions"><a class="button" href="/__admin/ui/requests?tenant={t}">Requests</a><a class="button" href="/__admin/ui/webhooks?tenant={t}">Webhooks</a><a class="button" href="/__admin/tenants/{seg}/state">State JSON</a>{reset}</div>"#,
        provider = esc(provider.name()),
        credential = esc(&info.credential),
        created = time(&json!(info.created_at)),
        seg = seg(tenant.as_str()),
        reset = action(
            "Reset this tenant",
            "POST",
            &format!("/__admin/reset?tenant={t}"),
            None,
            "danger confirm"
        ),
    );
    let mut scalars = Vec::new();
    for (name, value) in dump.as_object().into_iter().flatten() {
        match state::shape(value) {
            Shape::Many(items) if items.is_empty() => {}
            Shape::Many(items) => {
                body.push_str(&format!(
                    r#"<section id="c-{name}"><h2>{name} <small>{n}</small></h2>{table}</section>"#,
                    name = esc(name),
                    n = items.len(),
                    table = resource_table(provider, &tenant, name, &items),
                ));
            }
            Shape::One(resource) => {
                let decidable = state::decidable_for(provider, name);
                let id = decidable
                    .and_then(|d| d.id_field)
                    .and_then(|f| resource.get(f))
                    .and_then(Value::as_str);
                let table = match id {
                    Some(id) => {
                        resource_table(provider, &tenant, name, &[(id.to_owned(), resource)])
                    }
                    None => fields_table(resource),
                };
                body.push_str(&format!(
                    r#"<section id="c-{name}"><h2>{name}</h2>{table}</section>"#,
                    name = esc(name)
                ));
            }
            Shape::Scalar(Value::Null) => {}
            Shape::Scalar(value) => scalars.push(format!(
                r#"<span class="kv"><b>{}</b> {}</span>"#,
                esc(name),
                esc(&scalar(value))
            )),
        }
    }
    if !scalars.is_empty() {
        body.push_str(&format!(r#"<p class="meta">{}</p>"#, scalars.join(" ")));
    }
    Ok(page(&sandbox, Section::Tenants, tenant.as_str(), &body))
}

/// A single resource's scalar fields as a two-column table; nested ones as JSON.
fn fields_table(resource: &Map<String, Value>) -> String {
    let rows: String = resource
        .iter()
        .map(|(k, v)| {
            let value = if v.is_object() || v.is_array() {
                json_block(v)
            } else {
                esc(&scalar(v))
            };
            format!("<tr><th>{}</th><td>{value}</td></tr>", esc(k))
        })
        .collect();
    format!(r#"<div class="scroll"><table class="fields"><tbody>{rows}</tbody></table></div>"#)
}

/// `GET /__admin/ui/tenants/{tenant}/{collection}/{id}`: the resource, its decisions, its
/// timeline.
pub(crate) async fn resource(
    path: web::Path<(String, String, String)>,
    sandbox: web::Data<Sandbox>,
) -> Reply {
    let (tenant, collection, id) = path.into_inner();
    let tenant = TenantId::parse(&tenant);
    let data = state::resource_body(&sandbox, &tenant, &collection, &id)?;
    let actions = data["actions"].as_array().cloned().unwrap_or_default();
    let mut timeline = String::new();
    for step in data["timeline"]["past"].as_array().into_iter().flatten() {
        let status = match &step["status"] {
            Value::Number(n) => super::html::http_badge(n.as_u64().unwrap_or(0) as u16),
            other => badge(&scalar(other)),
        };
        timeline.push_str(&format!(
            r#"<li class="past"><span class="when">{at}</span> <span class="type">{kind}</span> <a href="{link}">{summary}</a> {status}</li>"#,
            at = time(&step["at"]),
            kind = esc(&scalar(&step["type"])),
            link = esc(&scalar(&step["link"])),
            summary = esc(&scalar(&step["summary"])),
        ));
    }
    for step in data["timeline"]["scheduled"]
        .as_array()
        .into_iter()
        .flatten()
    {
        timeline.push_str(&format!(
            r#"<li class="scheduled"><span class="when">{at}</span> <span class="type">scheduled</span> next timeline step of this {kind} (due on the sandbox clock; advance it on the <a href="/__admin/ui/clock">clock</a> page)</li>"#,
            at = time(&step["at"]),
            kind = esc(&scalar(&step["kind"])),
        ));
    }
    if timeline.is_empty() {
        timeline.push_str(r#"<li class="empty">Nothing recorded for this resource yet.</li>"#);
    }
    let body = format!(
        r#"<p class="meta"><span class="kv"><b>tenant</b> <a href="/__admin/ui/tenants/{t}">{tenant}</a></span> <span class="kv"><b>provider</b> {provider}</span> <span class="kv"><b>collection</b> {collection}</span> {status}</p>
<div class="actions">{buttons}<a class="button" href="/__admin/tenants/{t}/resources/{c}/{i}">JSON</a></div>
<h2>Timeline</h2><ol class="timeline">{timeline}</ol>
<h2>Resource</h2>{json}"#,
        t = seg(tenant.as_str()),
        tenant = esc(tenant.as_str()),
        provider = esc(&scalar(&data["provider"])),
        collection = esc(&collection),
        status = data["status"].as_str().map(badge).unwrap_or_default(),
        buttons = action_buttons(&actions),
        c = seg(&collection),
        i = seg(&id),
        json = json_block(&data["resource"]),
    );
    Ok(page(
        &sandbox,
        Section::Tenants,
        &format!("{collection} {id}"),
        &body,
    ))
}
