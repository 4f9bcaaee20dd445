//! Sumvin's routes, one module per group of endpoints.

mod documents;
mod kyc;
mod sessions;
mod user;

use actix_web::web;
use serde_json::{json, Value};

use super::errors::{method_not_allowed, route_not_found};
use super::model::{KycStatus, SumvinTenant};
use super::wire::{epoch_ms_opt, links};
use crate::core::http::{endpoint, Endpoints};

pub use kyc::status_body;

pub fn routes() -> Endpoints {
    // GET routes answer HEAD too, as Starlette's do.
    let resource = |path: &str| endpoint(vec![path.to_owned()], || web::to(method_not_allowed));
    Endpoints::new(|| web::to(route_not_found))
        .service(resource("/v0/kyc/access-token").post(kyc::access_token))
        .service(resource("/v0/kyc/status").get(kyc::status))
        .service(resource("/v0/kyc/details").get(kyc::details))
        .service(resource("/v0/kyc/applicant").post(kyc::create_applicant))
        .service(resource("/v0/kyc/submit").post(kyc::submit))
        .service(
            resource("/v0/kyc/documents")
                .post(documents::upload)
                .get(documents::list),
        )
        .service(resource("/v0/kyc/documents/required").get(documents::required))
        .service(resource("/v0/kyc/documents/{image_id}").get(documents::image))
        .service(resource("/v0/kyc/sessions").post(sessions::mint))
        .service(resource("/v0/kyc/sessions/redemption").post(sessions::redeem))
        .service(resource("/v0/kyc/sumsub/connect/share-token").post(sessions::share_token))
        .service(resource("/cli/kyc").get(sessions::handoff_page))
        .service(resource("/v0/user/me").get(user::me))
}

/// HAL link rows (`rel, href, method, description`) that several resources carry.
const USER_LINK: (&str, &str, &str, &str) = ("user", "/v0/user/me", "GET", "the user's profile");
const ACCESS_TOKEN_LINK: (&str, &str, &str, &str) = (
    "access-token",
    "/v0/kyc/access-token",
    "POST",
    "generate a new Sumsub SDK token",
);

/// The links every KYC resource carries (`KYCLinks`).
fn kyc_links(self_href: &str) -> Value {
    links(&[
        ("self", self_href, "GET", "this resource"),
        USER_LINK,
        ("status", "/v0/kyc/status", "GET", "current KYC status"),
        ACCESS_TOKEN_LINK,
        (
            "sessions",
            "/v0/kyc/sessions",
            "POST",
            "start a verification session that hands off to a browser",
        ),
    ])
}

fn timestamps(state: &SumvinTenant) -> (Value, Value, Value) {
    match &state.kyc {
        Some(k) => (
            epoch_ms_opt(k.started_at),
            epoch_ms_opt(k.verified_at),
            epoch_ms_opt(k.rejected_at),
        ),
        None => (Value::Null, Value::Null, Value::Null),
    }
}

fn status_of(state: &SumvinTenant) -> KycStatus {
    state.kyc.as_ref().map_or(KycStatus::Pending, |k| k.status)
}

fn personal_info(state: &SumvinTenant) -> Value {
    let started = state.kyc.as_ref().is_some_and(|k| k.started_at.is_some());
    if !started {
        return Value::Null;
    }
    let identity_country = state
        .images()
        .values()
        .find(|i| i.document_type.step() == super::model::StepType::Identity)
        .map(|i| i.country.clone());
    let residence = state
        .images()
        .values()
        .find(|i| i.document_type == super::model::DocumentType::ProofOfAddress)
        .map(|i| i.country.clone())
        .or_else(|| identity_country.clone());
    json!({
        "first_name": state.person.first_name,
        "last_name": state.person.last_name,
        "date_of_birth": state.person.date_of_birth.format("%Y-%m-%d").to_string(),
        "nationality": identity_country,
        "country_of_residence": residence,
    })
}
