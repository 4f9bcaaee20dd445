//! `/__admin/webhooks`: the outbound delivery log, one delivery, and redelivery.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::{AdminError, Reply};
use crate::core::webhooks::{DeliveryFilter, DeliveryStatus};
use crate::core::Sandbox;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    provider: Option<String>,
    tenant: Option<String>,
    event: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
}

/// `{"deliveries": [...]}`, newest first (`limit` defaults to 100).
pub(super) async fn list(query: web::Query<ListQuery>, sandbox: web::Data<Sandbox>) -> Reply {
    let status = query
        .status
        .as_deref()
        .map(str::parse::<DeliveryStatus>)
        .transpose()
        .map_err(AdminError::BadRequest)?;
    let filter = DeliveryFilter {
        provider: query.provider.as_deref(),
        tenant: query.tenant.as_deref(),
        event: query.event.as_deref(),
        status,
        limit: query.limit.unwrap_or(100),
    };
    let deliveries = sandbox.core.webhooks.list(&filter);
    Ok(HttpResponse::Ok().json(json!({"deliveries": deliveries})))
}

fn unknown(id: &str) -> AdminError {
    AdminError::NotFound(format!(
        "no webhook delivery `{id}`; see GET /__admin/webhooks"
    ))
}

pub(super) async fn get(path: web::Path<String>, sandbox: web::Data<Sandbox>) -> Reply {
    let id = path.into_inner();
    let view = sandbox.core.webhooks.get(&id).ok_or_else(|| unknown(&id))?;
    Ok(HttpResponse::Ok().json(view))
}

/// Starts one more attempt now and answers `202` with the delivery as it stands.
pub(super) async fn redeliver(path: web::Path<String>, sandbox: web::Data<Sandbox>) -> Reply {
    let id = path.into_inner();
    let view = sandbox
        .core
        .webhooks
        .redeliver(&id)
        .ok_or_else(|| unknown(&id))?;
    Ok(HttpResponse::Accepted().json(view))
}

/// A receiver that takes any webhook and answers `204`: where demos point callbacks so their
/// deliveries show as delivered (the delivery log already keeps what was sent).
pub(super) async fn sink() -> HttpResponse {
    HttpResponse::NoContent().finish()
}
