//! Qolo's routes (`/api/v1/…`), one module per group of endpoints.

mod kyc;
pub(super) mod notifications;
mod persons;

use actix_web::{web, HttpRequest};

use super::errors::{method_not_allowed, route_not_found, QoloError};
use super::model::{Notification, Person};
use super::Qolo;
use crate::core::http::{endpoint, Endpoints};
use crate::core::resource::{create, list, remove, show, update};

pub(super) type Reply = Result<actix_web::HttpResponse, QoloError>;

pub fn routes() -> Endpoints {
    let resource = |path: &str| endpoint(vec![path.to_owned()], || web::to(method_not_allowed));
    // `search` before `{person_guid}`, so it is not taken for a guid.
    Endpoints::new(|| web::to(route_not_found))
        .service(resource("/api/v1/auth/login").post(super::auth::login))
        .service(
            resource("/api/v1/persons")
                .post(persons::create)
                .put(persons::update),
        )
        .service(resource("/api/v1/persons/search").post(persons::search))
        .service(resource("/api/v1/persons/{person_guid}").get(show::<Qolo, Person>))
        .service(
            resource("/api/v1/persons/{person_guid}/kyc")
                .get(kyc::show)
                .post(kyc::perform),
        )
        .service(
            resource("/api/v1/persons/{person_guid}/documents/{reference}/{side}").get(kyc::image),
        )
        .service(
            resource("/api/v1/notifications")
                .post(create::<Qolo, Notification>)
                .get(list::<Qolo, Notification>),
        )
        .service(
            resource("/api/v1/notifications/{notification_guid}")
                .get(show::<Qolo, Notification>)
                .put(update::<Qolo, Notification>)
                .delete(remove::<Qolo, Notification>),
        )
}

/// A guid from the path, normalized; anything else is a 400 on that parameter, as ASP.NET's
/// `{id:guid}` binding answers.
pub(super) fn path_guid(req: &HttpRequest, name: &str) -> Result<String, QoloError> {
    let raw = req.match_info().get(name).unwrap_or_default();
    uuid::Uuid::parse_str(raw)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| path_guid_error(name, raw))
}

/// ASP.NET's answer to a route parameter that is not a guid.
pub(super) fn path_guid_error(name: &str, raw: &str) -> QoloError {
    QoloError::field(name, format!("The value '{raw}' is not valid."))
}
