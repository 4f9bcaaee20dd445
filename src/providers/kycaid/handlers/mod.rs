//! KYCAID's routes, and what their handlers share: path ids, paging, "not found".

mod addresses;
mod affiliated;
mod applicants;
mod documents;
mod files;
mod form;
mod form_submit;
mod forms;
mod reference;
mod verifications;

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::errors::{method_not_allowed, route_not_found, KycaidError};
use super::input::{is_id, label_of, Checks, Kind, Rule};
use super::model::KycaidTenant;
use super::Kycaid;
use crate::core::http::{endpoint, query_param, Endpoint};
use crate::core::store::Store;

type Reply = Result<HttpResponse, KycaidError>;

fn resource(path: &str) -> Endpoint {
    endpoint(
        vec![path.to_owned(), format!("{path}/")],
        web::to(method_not_allowed),
    )
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/applicants")
            .get(applicants::list)
            .post(applicants::create),
    )
    .service(
        resource("/applicants/{id}")
            .get(applicants::get)
            .patch(applicants::update)
            .put(applicants::update)
            .delete(applicants::delete),
    )
    .service(resource("/files").post(files::upload))
    .service(
        resource("/files/{id}")
            .get(files::download)
            .put(files::replace)
            .delete(files::delete),
    )
    .service(resource("/storage/{tenant}/{id}").get(files::storage))
    .service(resource("/documents").post(documents::create))
    .service(
        resource("/documents/{id}")
            .get(documents::get)
            .patch(documents::update)
            .put(documents::update)
            .delete(documents::delete),
    )
    .service(resource("/addresses").post(addresses::create_address))
    .service(
        resource("/addresses/{id}")
            .get(addresses::get_address)
            .patch(addresses::update_address)
            .delete(addresses::delete_address),
    )
    .service(resource("/affiliated-persons").post(affiliated::create_person))
    .service(
        resource("/affiliated-persons/{id}")
            .get(affiliated::get_person)
            .patch(affiliated::update_person)
            .delete(affiliated::delete_person),
    )
    .service(
        resource("/verifications")
            .get(verifications::list)
            .post(verifications::create),
    )
    .service(resource("/verifications/{id}").get(verifications::get))
    .service(resource("/verifications/{id}/status").post(verifications::set_status))
    .service(resource("/forms/{id}/urls").post(forms::create_url))
    .service(resource("/form/{token}").get(form::page))
    .service(resource("/form/{token}/submit").post(form_submit::submit))
    .service(resource("/countries").get(reference::countries))
    .service(resource("/languages").get(reference::languages))
    .service(resource("/business-activities").get(reference::business_activities))
    .service(resource("/bdb/persons").post(reference::screen_person))
    .service(resource("/bdb/documents").post(reference::screen_document))
    .default_service(web::to(route_not_found));
}

impl Kycaid {
    /// Country fields must name a country of `GET /countries`, not just any two letters.
    fn check_countries(&self, rules: &[Rule], values: &Map<String, Value>, checks: &mut Checks) {
        for rule in rules.iter().filter(|r| matches!(r.kind, Kind::Country)) {
            if let Some(code) = values.get(rule.name).and_then(Value::as_str) {
                if !self.fixtures.is_country(code) {
                    checks.fail(rule.name, format!("{} is not valid", rule.label()));
                }
            }
        }
    }
}

/// A path id must look like one before it is looked up: `Applicant ID is not valid`.
fn path_id(id: &str, parameter: &str) -> Result<(), KycaidError> {
    if is_id(id) {
        Ok(())
    } else {
        let name = label_of(parameter.trim_end_matches("_id"), "");
        Err(KycaidError::invalid(
            parameter,
            format!("{name} ID is not valid"),
        ))
    }
}

/// The resource with this id, or `<Resource> was not found` naming the id parameter.
fn found<'a, T>(
    store: &'a Store<T>,
    id: &str,
    parameter: &str,
    resource: &str,
) -> Result<&'a T, KycaidError> {
    store
        .get(id)
        .ok_or_else(|| KycaidError::not_found(parameter, resource))
}

/// What a resource's store is and how it renders, for [`show`].
struct Shown<T: 'static> {
    parameter: &'static str,
    resource: &'static str,
    store: fn(&KycaidTenant) -> &Store<T>,
    render: fn(&KycaidTenant, &T) -> Value,
}

/// `GET /<resources>/{id}`: the resource as JSON, after the id's format and existence checks.
async fn show<T>(
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
    shown: Shown<T>,
) -> Reply {
    let id = path.into_inner();
    path_id(&id, shown.parameter)?;
    kycaid.with_tenant(&caller, |state| {
        let item = found((shown.store)(state), &id, shown.parameter, shown.resource)?;
        Ok(HttpResponse::Ok().json((shown.render)(state, item)))
    })
}

/// `page` (from 1) and `per_page` (1..=100, default 20) of a list.
struct Paging {
    page: usize,
    per_page: usize,
}

/// The last value of query parameter `name`, when it is not empty.
fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    query_param(req, name).filter(|v| !v.is_empty())
}

impl Paging {
    fn from(req: &HttpRequest) -> Result<Paging, KycaidError> {
        let read = |name: &str, default: usize, max: usize| -> Result<usize, KycaidError> {
            match query_value(req, name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        KycaidError::invalid(
                            name,
                            format!("{} must be an integer from 1 to {max}", label_of(name, "")),
                        )
                    }),
            }
        };
        Ok(Paging {
            // Far beyond any tenant's data, and a bound a person can read in the message.
            page: read("page", 1, 1_000_000)?,
            per_page: read("per_page", 20, 100)?,
        })
    }

    fn offset(&self) -> usize {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// `{"data": [...], "total": N, "page": p, "per_page": n}`.
    fn reply(&self, data: Vec<Value>, total: usize) -> HttpResponse {
        HttpResponse::Ok().json(json!({
            "data": data,
            "total": total,
            "page": self.page,
            "per_page": self.per_page,
        }))
    }
}
