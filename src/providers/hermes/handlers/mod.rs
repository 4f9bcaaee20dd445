//! Hermes routes: the login (`/authorize`, the sandbox's stand-in for the URL a backend turns into
//! a QR code), the signed data API (`get_token`, `get_data`, also under ZealID's v2.0 paths) and
//! the picture links `get_data` hands out.

mod data;
mod login;

pub(super) use data::{person_data, provider_failure};

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};

use super::errors::{method_not_allowed, route_not_found, HermesError};
use crate::core::http::{endpoint, hosted_page, location, Brand, Endpoints};

pub(super) type Reply = Result<HttpResponse, HermesError>;

pub fn routes() -> Endpoints {
    let resource = |path: &str| endpoint(vec![path.to_owned()], || web::to(method_not_allowed));
    Endpoints::new(|| web::to(route_not_found))
        .service(resource("/authorize").get(login::authorize))
        .service(resource("/mediator/api/get_token").post(data::get_token))
        .service(resource("/mediator/api/orpheus/v2.0/api/get_token").post(data::get_token))
        .service(resource("/mediator/api/get_data").post(data::get_data))
        .service(resource("/mediator/api/orpheus/v2.0/api/get_data").post(data::get_data))
        .service(resource("/pictures/{tenant}/{id}").get(data::picture))
}

/// How the login pages look.
const BRAND: Brand = Brand {
    name_html: "ZealID",
    product: "Login",
    color: "#0b6e4f",
    soft: "#dff2ea",
    stands_in_for: "ZealID's QR login",
};

/// A login page's answer: a redirect to the client, or a page that redirects nowhere.
pub(super) fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(hosted_page(&BRAND, title, body))
}

pub(super) fn redirect(to: &str, params: &[(&str, &str)]) -> HttpResponse {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let separator = if to.contains('?') { '&' } else { '?' };
    HttpResponse::Found()
        .insert_header((
            header::LOCATION,
            location(&format!("{to}{separator}{query}")),
        ))
        .finish()
}
