//! `/__admin`: the sandbox's own JSON API (health, reset, state, journal, clock, transitions,
//! scenarios, webhook deliveries).

mod dashboard;
mod events;
mod faults;
mod guard;
pub mod openapi;
mod snapshot;
mod state;
pub(crate) mod table;
mod webhooks;

pub(crate) use table::route_table;

pub use guard::AllowedHosts;

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use chrono::Duration;
use serde::Deserialize;
use serde_json::{json, Value};
use thiserror::Error;

use crate::core::clock::MAX_ADVANCE;
use crate::core::http::{base_url, body_limit, decode_json, read_body, BodyError, ProviderPorts};
use crate::core::journal::{Filter, StatusFilter};
use crate::core::{Provider, Sandbox, TenantId, TransitionError, TransitionRequest};

pub const MOUNT: &str = "/__admin";

/// `POST /__admin/snapshot/restore`: the one admin route with its own body limit
/// (`--max-snapshot-body`), applied where every body is read first.
pub const SNAPSHOT_RESTORE_PATH: &str = "/__admin/snapshot/restore";

#[derive(Debug, Error)]
pub enum AdminError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("scenario files have errors")]
    Scenarios(Vec<String>),
    #[error("{0}")]
    Body(BodyError),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Internal(String),
}

impl From<BodyError> for AdminError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Incomplete(_) => AdminError::BadRequest(e.to_string()),
            e => AdminError::Body(e),
        }
    }
}

/// A refused body on any path outside the providers' mounts, in the admin API's envelope.
pub fn refusal(error: BodyError, _path: &str) -> HttpResponse {
    AdminError::from(error).error_response()
}

impl ResponseError for AdminError {
    fn status_code(&self) -> StatusCode {
        match self {
            AdminError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AdminError::NotFound(_) => StatusCode::NOT_FOUND,
            AdminError::Conflict(_) => StatusCode::CONFLICT,
            AdminError::Forbidden(_) => StatusCode::FORBIDDEN,
            AdminError::Scenarios(_) | AdminError::Unprocessable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AdminError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AdminError::Body(BodyError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            AdminError::Body(BodyError::TimedOut { .. }) => StatusCode::REQUEST_TIMEOUT,
            AdminError::Body(BodyError::Incomplete(_)) => StatusCode::BAD_REQUEST,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut body =
            json!({"error": {"status": self.status_code().as_u16(), "message": self.to_string()}});
        if let AdminError::Scenarios(errors) = self {
            body["error"]["details"] = json!(errors);
        }
        HttpResponse::build(self.status_code()).json(body)
    }
}

impl From<TransitionError> for AdminError {
    fn from(e: TransitionError) -> Self {
        match e {
            TransitionError::NotFound { .. } => AdminError::NotFound(e.to_string()),
            TransitionError::Illegal { .. } => AdminError::Conflict(e.to_string()),
            TransitionError::UnknownKind { .. } | TransitionError::Invalid(_) => {
                AdminError::BadRequest(e.to_string())
            }
        }
    }
}

pub type Reply = Result<HttpResponse, AdminError>;

/// The admin API, with each provider's own endpoints under `/__admin/{provider}`.
pub fn routes(cfg: &mut web::ServiceConfig, providers: &[Arc<dyn Provider>]) {
    let mut scope = web::scope(MOUNT);
    for provider in providers {
        let name = provider.name();
        let provider = provider.clone();
        scope = scope.service(
            web::scope(&format!("/{name}"))
                .configure(move |cfg| provider.configure_admin(cfg))
                .default_service(web::to(no_such_endpoint)),
        );
    }
    cfg.service(
        scope
            .wrap(actix_web::middleware::from_fn(guard::local_only))
            .configure(register)
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|e, _| AdminError::BadRequest(e.to_string()).into()),
            )
            .default_service(web::to(no_such_endpoint)),
    )
    .service(
        web::resource("/")
            .wrap(actix_web::middleware::from_fn(guard::local_only))
            .route(web::get().to(index)),
    );
}

async fn no_such_endpoint() -> HttpResponse {
    AdminError::NotFound("no such admin endpoint; see GET /__admin".into()).error_response()
}

// The sandbox-wide admin routes, relative to `/__admin`; providers add theirs under
// `/__admin/{name}` (`Provider::admin_routes`).
route_table! {
    ROUTES, register;
    get "" => index,
    get "/" => dashboard::overview,
    get "/ui/tenants/{tenant}" => dashboard::tenant,
    get "/ui/tenants/{tenant}/{collection}/{id}" => dashboard::resource,
    get "/ui/requests" => dashboard::requests,
    get "/ui/webhooks" => dashboard::webhooks,
    get "/ui/scenarios" => dashboard::scenarios,
    get "/ui/faults" => dashboard::faults,
    get "/ui/clock" => dashboard::clock,
    get "/ui/snapshot" => dashboard::snapshot,
    get "/events" => events::stream,
    get "/health" => health,
    post "/reset" => reset,
    get "/tenants" => tenants,
    get "/tenants/{tenant}/state" => tenant_state,
    get "/tenants/{tenant}/resources/{collection}/{id}" => state::resource,
    get "/requests" => requests,
    get "/requests/{id}" => request,
    get "/clock" => clock,
    post "/clock/advance" => advance,
    post "/clock/freeze" => freeze,
    post "/clock/resume" => resume,
    post "/transitions" => transition,
    get "/scenarios" => scenarios,
    post "/scenarios/reload" => reload_scenarios,
    get "/webhooks" => webhooks::list,
    get "/webhooks/{id}" => webhooks::get,
    post "/webhooks/{id}/redeliver" => webhooks::redeliver,
    post "/webhook-sink" => webhooks::sink,
    post "/webhook-sink/{path}" => webhooks::sink,
    get "/faults" => faults::list,
    post "/faults" => faults::create,
    delete "/faults" => faults::clear,
    get "/faults/{id}" => faults::get,
    put "/faults/{id}" => faults::replace,
    delete "/faults/{id}" => faults::remove,
    get "/openapi.json" => openapi::document,
    get "/snapshot" => snapshot::download,
    post "/snapshot" => snapshot::write,
    post "/snapshot/restore" => snapshot::restore,
}

/// Every admin route mounted with these providers: `(METHOD, /__admin/path)`.
pub fn mounted_routes(providers: &[Arc<dyn Provider>]) -> Vec<(String, String)> {
    let own = ROUTES
        .iter()
        .map(|r| (r.method.to_ascii_uppercase(), format!("{MOUNT}{}", r.path)));
    let theirs = providers.iter().flat_map(|p| {
        p.admin_routes().iter().map(move |r| {
            (
                r.method.to_ascii_uppercase(),
                format!("{MOUNT}/{}{}", p.name(), r.path),
            )
        })
    });
    own.chain(theirs).collect()
}

/// Any other path on the main port: a JSON 404 that says where each provider lives.
pub async fn where_providers_live(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    ports: Option<web::Data<ProviderPorts>>,
) -> HttpResponse {
    HttpResponse::NotFound().json(json!({
        "error": {
            "status": 404,
            "message": format!(
                "no route for {} {}; each provider lives under its prefix here, or at the root of its own port",
                req.method(),
                req.path()
            ),
        },
        "providers": providers_json(&req, &sandbox, ports.as_ref().map(|p| p.get_ref())),
        "admin": format!("{}{MOUNT}", base_url(&req)),
    }))
}

/// Each provider with its prefixed URL on this port and, when it has one, its own port.
fn providers_json(req: &HttpRequest, sandbox: &Sandbox, ports: Option<&ProviderPorts>) -> Value {
    let base = base_url(req);
    sandbox
        .providers
        .iter()
        .map(|p| {
            let mut entry = json!({"name": p.name(), "base_url": format!("{base}{}", p.mount())});
            if let Some(own) = ports.and_then(|ports| ports.base_url_of(p.name())) {
                entry["own_port_url"] = json!(own);
            }
            entry
        })
        .collect()
}

/// What is mounted where; the dashboard for a browser (one that asks for HTML).
async fn index(
    req: HttpRequest,
    sandbox: web::Data<Sandbox>,
    ports: Option<web::Data<ProviderPorts>>,
) -> HttpResponse {
    if dashboard::wants_html(&req) {
        return dashboard::overview(req, sandbox, ports).await;
    }
    let base = base_url(&req);
    HttpResponse::Ok().json(json!({
        "name": "kyc-sandbox",
        "version": env!("CARGO_PKG_VERSION"),
        "providers": providers_json(&req, &sandbox, ports.as_ref().map(|p| p.get_ref())),
        "admin": format!("{base}{MOUNT}"),
        "openapi": format!("{base}{MOUNT}/openapi.json"),
        "endpoints": mounted_routes(&sandbox.providers)
            .into_iter()
            .filter(|(_, path)| path != MOUNT)
            .map(|(method, path)| format!("{method} {path}"))
            .collect::<Vec<_>>(),
    }))
}

async fn health(sandbox: web::Data<Sandbox>) -> HttpResponse {
    let tenants: usize = sandbox.providers.iter().map(|p| p.tenants().len()).sum();
    HttpResponse::Ok().json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "providers": sandbox.providers.iter().map(|p| p.name()).collect::<Vec<_>>(),
        "tenants": tenants,
        "scheduled_steps": sandbox.core.scheduler.pending(),
        "journal_entries": sandbox.core.journal.len(),
        "stored_bytes": sandbox.core.storage.used(None),
        "stored_bytes_limits": {
            "total": sandbox.core.storage.limits().0,
            "per_tenant": sandbox.core.storage.limits().1,
        },
        "webhook_deliveries": sandbox.core.webhooks.len(),
        "fault_rules": sandbox.core.faults.len(),
        "clock": sandbox.core.clock.view(),
    }))
}

#[derive(Deserialize)]
struct TenantQuery {
    tenant: Option<String>,
}

async fn reset(query: web::Query<TenantQuery>, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let tenant = query.tenant.as_deref().map(TenantId::parse);
    let removed = sandbox.reset(tenant.as_ref());
    HttpResponse::Ok()
        .json(json!({"reset": true, "tenants_removed": removed, "tenant": query.tenant}))
}

#[derive(Deserialize)]
struct TenantsQuery {
    #[serde(default)]
    counts: bool,
}

/// Every tenant; with `counts=true`, how many resources each collection of its state holds
/// (this reads every tenant's state, so it is not the default).
async fn tenants(query: web::Query<TenantsQuery>, sandbox: web::Data<Sandbox>) -> HttpResponse {
    let counts = query.counts;
    let all: Vec<Value> = sandbox
        .providers
        .iter()
        .flat_map(|p| {
            p.tenants().into_iter().map(move |info| {
                let mut entry = json!(info);
                if counts {
                    let dump = p.dump(&info.tenant).unwrap_or(Value::Null);
                    entry["resources"] = Value::Object(state::counts(&dump));
                }
                entry
            })
        })
        .collect();
    HttpResponse::Ok().json(json!({"tenants": all}))
}

async fn tenant_state(path: web::Path<String>, sandbox: web::Data<Sandbox>) -> Reply {
    let tenant = TenantId::parse(&path.into_inner());
    sandbox
        .providers
        .iter()
        .find_map(|p| {
            p.dump(&tenant)
                .map(|state| json!({"tenant": tenant, "provider": p.name(), "state": state}))
        })
        .map(|body| HttpResponse::Ok().json(body))
        .ok_or_else(|| {
            AdminError::NotFound(format!("no tenant `{tenant}`; see GET /__admin/tenants"))
        })
}

#[derive(Deserialize)]
struct RequestsQuery {
    provider: Option<String>,
    tenant: Option<String>,
    method: Option<String>,
    path: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
}

async fn requests(query: web::Query<RequestsQuery>, sandbox: web::Data<Sandbox>) -> Reply {
    let status = query
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::parse::<StatusFilter>)
        .transpose()
        .map_err(AdminError::BadRequest)?;
    let filter = Filter {
        provider: query.provider.as_deref(),
        tenant: query.tenant.as_deref(),
        method: query.method.as_deref(),
        path_contains: query.path.as_deref(),
        status,
        limit: query.limit.unwrap_or(100),
    };
    let entries = sandbox.core.journal.query(&filter);
    Ok(HttpResponse::Ok().json(json!({"requests": entries})))
}

/// One journal entry, both bodies included.
async fn request(path: web::Path<String>, sandbox: web::Data<Sandbox>) -> Reply {
    let id = path.into_inner();
    id.parse()
        .ok()
        .and_then(|id| sandbox.core.journal.get(id))
        .map(|entry| HttpResponse::Ok().json(entry))
        .ok_or_else(|| {
            AdminError::NotFound(format!(
                "no journal entry `{id}` (the journal keeps the most recent ones); see GET /__admin/requests"
            ))
        })
}

fn clock_body(sandbox: &Sandbox) -> Value {
    json!({
        "clock": sandbox.core.clock.view(),
        "scheduled_steps": sandbox.core.scheduler.pending(),
        "next_due": sandbox.core.scheduler.next_due(),
    })
}

async fn clock(sandbox: web::Data<Sandbox>) -> HttpResponse {
    HttpResponse::Ok().json(clock_body(&sandbox))
}

pub async fn json_body<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: &mut web::Payload,
) -> Result<T, AdminError> {
    let bytes = read_body(req, payload, body_limit(req)).await?;
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        &bytes[..]
    };
    decode_json(bytes).map_err(|e| AdminError::BadRequest(format!("invalid JSON body: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    #[serde(default)]
    seconds: Option<f64>,
    #[serde(default)]
    duration: Option<String>,
}

async fn advance(
    req: HttpRequest,
    mut payload: web::Payload,
    sandbox: web::Data<Sandbox>,
) -> Reply {
    let body: AdvanceBody = json_body(&req, &mut payload).await?;
    let by = match (body.seconds, body.duration) {
        (Some(s), None) if (0.0..=MAX_ADVANCE.num_seconds() as f64).contains(&s) => {
            Duration::milliseconds((s * 1000.0).round() as i64)
        }
        (None, Some(text)) => humantime::parse_duration(&text)
            .ok()
            .and_then(|d| Duration::from_std(d).ok())
            .filter(|d| *d <= MAX_ADVANCE)
            .ok_or_else(|| {
                AdminError::BadRequest(format!(
                    "invalid duration `{text}` (try \"30s\", \"5m\"; at most 100 years)"
                ))
            })?,
        _ => {
            return Err(AdminError::BadRequest(
                "send {\"seconds\": N} with 0 <= N <= 100 years, or {\"duration\": \"5m\"}".into(),
            ))
        }
    };
    let advanced = sandbox
        .advance(by)
        .map_err(|e| AdminError::BadRequest(e.to_string()))?;
    let mut body = clock_body(&sandbox);
    body["fired"] = json!(advanced.steps);
    body["webhook_retries"] = json!(advanced.webhook_retries);
    Ok(HttpResponse::Ok().json(body))
}

async fn freeze(sandbox: web::Data<Sandbox>) -> HttpResponse {
    sandbox.freeze();
    HttpResponse::Ok().json(clock_body(&sandbox))
}

async fn resume(sandbox: web::Data<Sandbox>) -> HttpResponse {
    sandbox.resume();
    HttpResponse::Ok().json(clock_body(&sandbox))
}

async fn transition(
    req: HttpRequest,
    mut payload: web::Payload,
    sandbox: web::Data<Sandbox>,
) -> Reply {
    let request: TransitionRequest = json_body(&req, &mut payload).await?;
    let provider = sandbox.provider(&request.provider).ok_or_else(|| {
        let known: Vec<_> = sandbox.providers.iter().map(|p| p.name()).collect();
        AdminError::BadRequest(format!(
            "unknown provider `{}`; mounted: {}",
            request.provider,
            known.join(", ")
        ))
    })?;
    let resource = sandbox.transition(provider, &request)?;
    Ok(HttpResponse::Ok().json(json!({"provider": request.provider, "kind": request.kind, "id": request.id, "resource": resource})))
}

async fn scenarios(sandbox: web::Data<Sandbox>) -> HttpResponse {
    let set = sandbox.core.scenarios();
    HttpResponse::Ok().json(json!({"scenarios": set.summaries().collect::<Vec<_>>()}))
}

async fn reload_scenarios(sandbox: web::Data<Sandbox>) -> Reply {
    sandbox
        .core
        .reload_scenarios()
        .map(|n| {
            // Faults files are among the scenario files: their rules were replaced too.
            faults::changed(&sandbox);
            HttpResponse::Ok().json(json!({"reloaded": true, "scenarios": n}))
        })
        .map_err(|errors| AdminError::Scenarios(errors.iter().map(ToString::to_string).collect()))
}
