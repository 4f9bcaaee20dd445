//! `/__admin/faults`: list, add, show and remove fault injection rules.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::{json_body, AdminError, Reply};
use crate::core::events::Event;
use crate::core::faults::{FaultSpec, FROM_API};
use crate::core::Sandbox;

/// Tells event listeners (a dashboard tab on the Faults page) that the rules changed.
pub(super) fn changed(sandbox: &Sandbox) {
    let rules = sandbox.core.faults.len();
    sandbox.core.events.publish(|| Event::Faults { rules });
}

pub(super) async fn list(sandbox: web::Data<Sandbox>) -> HttpResponse {
    HttpResponse::Ok().json(json!({"faults": sandbox.core.faults.list()}))
}

pub(super) async fn create(
    req: HttpRequest,
    mut payload: web::Payload,
    sandbox: web::Data<Sandbox>,
) -> Reply {
    let spec = valid_spec(&req, &mut payload, &sandbox).await?;
    let rule = sandbox
        .core
        .faults
        .add(spec, FROM_API, sandbox.core.clock.now());
    changed(&sandbox);
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("{}/faults/{}", super::MOUNT, rule.id),
        ))
        .json(rule))
}

/// Replaces a rule's conditions and effect in place (the dashboard's edit): same id, same
/// place in the order, counters from zero.
pub(super) async fn replace(
    req: HttpRequest,
    id: web::Path<String>,
    mut payload: web::Payload,
    sandbox: web::Data<Sandbox>,
) -> Reply {
    let spec = valid_spec(&req, &mut payload, &sandbox).await?;
    sandbox
        .core
        .faults
        .replace(&id, spec, sandbox.core.clock.now())
        .map(|rule| {
            changed(&sandbox);
            HttpResponse::Ok().json(rule)
        })
        .ok_or_else(|| no_such_rule(&id))
}

async fn valid_spec(
    req: &HttpRequest,
    payload: &mut web::Payload,
    sandbox: &Sandbox,
) -> Result<FaultSpec, AdminError> {
    let spec: FaultSpec = json_body(req, payload).await?;
    let providers: Vec<&str> = sandbox.providers.iter().map(|p| p.name()).collect();
    spec.validate(&providers)
        .map_err(|e| AdminError::BadRequest(e.to_string()))
}

pub(super) async fn clear(sandbox: web::Data<Sandbox>) -> HttpResponse {
    let removed = sandbox.core.faults.clear();
    changed(&sandbox);
    HttpResponse::Ok().json(json!({"removed": removed}))
}

fn no_such_rule(id: &str) -> AdminError {
    AdminError::NotFound(format!("no fault rule `{id}`; see GET /__admin/faults"))
}

pub(super) async fn get(id: web::Path<String>, sandbox: web::Data<Sandbox>) -> Reply {
    sandbox
        .core
        .faults
        .get(&id)
        .map(|rule| HttpResponse::Ok().json(rule))
        .ok_or_else(|| no_such_rule(&id))
}

pub(super) async fn remove(id: web::Path<String>, sandbox: web::Data<Sandbox>) -> Reply {
    if sandbox.core.faults.remove(&id) {
        changed(&sandbox);
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(no_such_rule(&id))
    }
}
