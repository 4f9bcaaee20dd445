//! The dashboard: server-rendered pages over the same data the admin JSON API serves, with a
//! little JavaScript that calls that API for every button and re-reads the page when
//! `GET /__admin/events` says something changed. Nothing here changes state by itself.

mod activity;
mod controls;
mod faults;
pub mod html;
mod snapshot;
mod tenant;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use self::html::{action, esc, seg, time};
use super::state;
use crate::core::http::ProviderPorts;
use crate::core::Sandbox;

const STYLE: &str = include_str!("dashboard.css");
/// Tenants listed per provider on the overview, newest first: each costs a read of its state,
/// and a test suite can leave thousands.
const TENANTS_SHOWN: usize = 100;
const SCRIPT: &str = include_str!("dashboard.js");

// The pages, routed by the admin route table (`/__admin/ui/...`).
pub(crate) use activity::{requests, webhooks};
pub(crate) use controls::{clock, scenarios};
pub(crate) use faults::faults;
pub(crate) use snapshot::snapshot;
pub(crate) use tenant::{resource, tenant};

/// Whether the client is a browser asking for a page (`Accept` names `text/html`), rather than
/// curl or a test client (which get JSON, as before the dashboard).
pub fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// Which section of the navigation a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Tenants,
    Requests,
    Webhooks,
    Scenarios,
    Faults,
    Clock,
    Snapshot,
}

const SECTIONS: &[(Section, &str, &str)] = &[
    (Section::Tenants, "Tenants", "/__admin/"),
    (Section::Requests, "Requests", "/__admin/ui/requests"),
    (Section::Webhooks, "Webhooks", "/__admin/ui/webhooks"),
    (Section::Scenarios, "Scenarios", "/__admin/ui/scenarios"),
    (Section::Faults, "Faults", "/__admin/ui/faults"),
    (Section::Clock, "Clock", "/__admin/ui/clock"),
    (Section::Snapshot, "Snapshot", "/__admin/ui/snapshot"),
];

/// A whole page: header with navigation, the sandbox clock and the live indicator, then `body`
/// inside `#content` (what the script swaps when the page is re-read).
fn page(sandbox: &Sandbox, section: Section, title: &str, body: &str) -> HttpResponse {
    let clock = sandbox.core.clock.view();
    let nav: String = SECTIONS
        .iter()
        .map(|(s, label, href)| {
            let current = if *s == section {
                r#" aria-current="page""#
            } else {
                ""
            };
            format!(r#"<a href="{href}"{current}>{label}</a>"#)
        })
        .collect();
    let frozen = if clock.frozen { "frozen" } else { "running" };
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · kyc-sandbox</title>
<style>{STYLE}</style>
</head>
<body>
<header class="top">
  <a class="brand" href="/__admin/">kyc-sandbox <small>v{version}</small></a>
  <nav>{nav}</nav>
  <div class="status">
    <a id="clock" href="/__admin/ui/clock" data-now="{now}" data-frozen="{is_frozen}" title="sandbox clock ({frozen})">{now}</a>
    <span id="live" class="live off" title="live updates from GET /__admin/events">offline</span>
  </div>
</header>
<div id="toast" role="status" aria-live="polite" hidden></div>
<main id="content">
<h1>{title}</h1>
{body}
</main>
<script>{SCRIPT}</script>
</body>
</html>"#,
        title = esc(title),
        version = env!("CARGO_PKG_VERSION"),
        now = clock
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        is_frozen = clock.frozen,
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html)
}

/// `GET /__admin/` (and `/__admin` or `/` in a browser): each provider and its tenants, newest
/// first.
pub(crate) async fn overview(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    ports: Option<web::Data<ProviderPorts>>,
) -> HttpResponse {
    let base = crate::core::http::base_url(&req);
    let mut body = String::from(r#"<div class="actions">"#);
    body.push_str(&action(
        "Reset everything",
        "POST",
        "/__admin/reset",
        None,
        "danger confirm",
    ));
    body.push_str("</div>");
    for provider in &sandbox.providers {
        let tenants = provider.tenants();
        let own = ports
            .as_ref()
            .and_then(|p| p.base_url_of(provider.name()))
            .map(|url| format!(r#" · own port <code>{}</code>"#, esc(&url)))
            .unwrap_or_default();
        body.push_str(&format!(
            r#"<section class="provider" id="provider-{name}"><h2>{name} <small><code>{base}{mount}</code>{own}</small></h2>"#,
            name = esc(provider.name()),
            base = esc(&base),
            mount = esc(provider.mount()),
        ));
        if tenants.is_empty() {
            body.push_str(
                r#"<p class="empty">No tenants yet: the first write with a new credential creates one.</p></section>"#,
            );
            continue;
        }
        body.push_str(
            r#"<div class="scroll"><table class="stack"><thead><tr><th>Tenant</th><th>Credential</th><th>Created</th><th>Resources</th><th></th></tr></thead><tbody>"#,
        );
        let hidden = tenants.len().saturating_sub(TENANTS_SHOWN);
        for info in tenants.into_iter().rev().take(TENANTS_SHOWN) {
            let dump = provider.dump(&info.tenant).unwrap_or(Value::Null);
            let counts: Vec<String> = state::counts(&dump)
                .iter()
                .filter(|(_, n)| n.as_u64().unwrap_or(0) > 0)
                .map(|(name, n)| format!("{} {n}", esc(name)))
                .collect();
            let tenant = info.tenant.as_str();
            body.push_str(&format!(
                r#"<tr><td><a href="/__admin/ui/tenants/{link}">{id}</a></td><td>{credential}</td><td>{created}</td><td class="counts">{counts}</td><td>{reset}</td></tr>"#,
                link = seg(tenant),
                id = esc(tenant),
                credential = esc(&info.credential),
                created = time(&serde_json::json!(info.created_at)),
                counts = counts.join(" · "),
                reset = action(
                    "Reset",
                    "POST",
                    &format!("/__admin/reset?tenant={}", html::query_value(tenant)),
                    None,
                    "small confirm"
                ),
            ));
        }
        body.push_str("</tbody></table></div>");
        if hidden > 0 {
            body.push_str(&format!(
                r#"<p class="note">{hidden} older tenants not shown; <a href="/__admin/tenants">GET /__admin/tenants</a> lists them all.</p>"#
            ));
        }
        body.push_str("</section>");
    }
    page(&sandbox, Section::Tenants, "Tenants", &body)
}
