//! `/__admin/hermes/…`: the clients a backend may sign as, added and removed at run time, and
//! AML-KYC sessions started as ZealID would start them.

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};

use super::fixtures::Client;
use super::pennydrop::StartPennydrop;
use super::Hermes;
use crate::admin::{json_body, AdminError, Reply};

crate::admin::route_table! {
    ROUTES, register;
    get "/clients" => list,
    post "/clients" => put,
    get "/clients/{client_id}" => show,
    delete "/clients/{client_id}" => remove,
    post "/pennydrop" => start_pennydrop,
}

pub fn routes(cfg: &mut web::ServiceConfig, hermes: Arc<Hermes>) {
    cfg.app_data(web::Data::from(hermes));
    register(cfg);
}

async fn list(hermes: web::Data<Hermes>) -> HttpResponse {
    HttpResponse::Ok().json(hermes.clients.list())
}

/// `{"client_id", "secret", "redirect_uris": [...]}`: 201 for a new client, 200 when it replaced
/// one with the same id (its nonces and tenant state stay).
async fn put(req: HttpRequest, mut payload: web::Payload, hermes: web::Data<Hermes>) -> Reply {
    let client: Client = json_body(&req, &mut payload).await?;
    let client = client.checked().map_err(AdminError::BadRequest)?;
    let mut reply = if hermes.clients.put(client.clone()) {
        HttpResponse::Ok()
    } else {
        HttpResponse::Created()
    };
    Ok(reply.json(client))
}

fn unknown(client_id: &str) -> AdminError {
    AdminError::NotFound(format!("no Hermes client `{client_id}`"))
}

async fn show(path: web::Path<String>, hermes: web::Data<Hermes>) -> Reply {
    let client = hermes.clients.get(&path).ok_or_else(|| unknown(&path))?;
    Ok(HttpResponse::Ok().json(client))
}

async fn remove(path: web::Path<String>, hermes: web::Data<Hermes>) -> Reply {
    hermes.clients.remove(&path).ok_or_else(|| unknown(&path))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Starts an AML-KYC session; with `status` it is decided at once and its webhook sent.
async fn start_pennydrop(
    req: HttpRequest,
    mut payload: web::Payload,
    hermes: web::Data<Hermes>,
) -> Reply {
    let start: StartPennydrop = json_body(&req, &mut payload).await?;
    let session = hermes.start_pennydrop(start)?;
    Ok(HttpResponse::Created().json(session))
}
