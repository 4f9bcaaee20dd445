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

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::auth::Caller;
use super::errors::{method_not_allowed, route_not_found, KycaidError};
use super::input::{is_id, label_of, read_input, Checks, Input, Kind, Rule};
use super::model::{Address, AffiliatedPerson, Applicant, Document, KycaidTenant, Verification};
use super::wire::ack;
use super::Kycaid;
use crate::core::http::{endpoint, query_param, Endpoint, Endpoints};
use crate::core::json_out::{self, Rendered};
use crate::core::resource::{
    create, list, remove, show, update, Call, Listing, Resource, ResourceApi,
};
use crate::core::store::{Page, Store};
use crate::core::tenant::TenantSlot;

type Reply = Result<HttpResponse, KycaidError>;

/// KYCAID's wire format for the generic resource handlers: JSON or form bodies, ids checked
/// before they are looked up, `<Resource> was not found` naming the id parameter, and
/// `{"<resource>_id": id}` for every write.
impl ResourceApi for Kycaid {
    type State = KycaidTenant;
    type Caller = Caller;
    type Error = KycaidError;
    type Body = Input;
    type Query = Paging;

    fn with_state<T>(&self, caller: &Caller, f: impl FnOnce(&mut KycaidTenant) -> T) -> T {
        self.with_tenant(caller, f)
    }

    fn now(&self) -> DateTime<Utc> {
        self.core.clock.now()
    }

    fn tenant(&self, caller: &Caller) -> Option<Arc<TenantSlot<KycaidTenant>>> {
        self.tenants.get(&caller.tenant)
    }

    /// `with_tenant` notes the origin a token calls from, for the links it renders.
    fn reads_alone(state: &KycaidTenant, caller: &Caller) -> bool {
        *state.origin == *caller.origin
    }

    async fn read_body(
        req: &HttpRequest,
        payload: &mut web::Payload,
    ) -> Result<Input, KycaidError> {
        read_input(req, payload).await
    }

    fn not_found<R: Resource<Self>>() -> KycaidError {
        KycaidError::not_found(R::ID, R::KIND)
    }

    fn check_id<R: Resource<Self>>(id: &str) -> Result<(), KycaidError> {
        path_id(id, R::ID)
    }

    fn created<R: Resource<Self>>(_: &Call<Self>, _: &KycaidTenant, id: &str) -> HttpResponse {
        ack(R::ID, id)
    }

    fn updated<R: Resource<Self>>(_: &Call<Self>, _: &KycaidTenant, id: &str) -> HttpResponse {
        ack(R::ID, id)
    }

    fn deleted<R: Resource<Self>>(_: &Call<Self>, id: &str) -> HttpResponse {
        ack(R::ID, id)
    }
}

/// Newest first, in the `{data, total, page, per_page}` envelope.
impl<R> Listing<Kycaid, R> for Paging {
    fn parse(req: &HttpRequest) -> Result<Paging, KycaidError> {
        Paging::from(req)
    }

    fn page<'s>(&self, store: &'s Store<R>) -> Page<'s, R> {
        store.page(self.offset(), self.per_page, true)
    }

    fn reply(&self, items: Vec<Rendered>, total: usize) -> HttpResponse {
        self.envelope(&items, total)
    }
}

fn resource(path: &str) -> Endpoint {
    endpoint(vec![path.to_owned(), format!("{path}/")], || {
        web::to(method_not_allowed)
    })
}

pub fn routes() -> Endpoints {
    Endpoints::new(|| web::to(route_not_found))
        .service(
            resource("/applicants")
                .get(list::<Kycaid, Applicant>)
                .post(create::<Kycaid, Applicant>),
        )
        .service(
            resource("/applicants/{applicant_id}")
                .get(show::<Kycaid, Applicant>)
                .patch(update::<Kycaid, Applicant>)
                .put(update::<Kycaid, Applicant>)
                .delete(remove::<Kycaid, Applicant>),
        )
        .service(resource("/files").post(files::upload))
        .service(
            resource("/files/{id}")
                .get(files::download)
                .put(files::replace)
                .delete(files::delete),
        )
        .service(resource("/storage/{tenant}/{id}").get(files::storage))
        .service(resource("/documents").post(create::<Kycaid, Document>))
        .service(
            resource("/documents/{document_id}")
                .get(show::<Kycaid, Document>)
                .patch(update::<Kycaid, Document>)
                .put(update::<Kycaid, Document>)
                .delete(remove::<Kycaid, Document>),
        )
        .service(resource("/addresses").post(create::<Kycaid, Address>))
        .service(
            resource("/addresses/{address_id}")
                .get(show::<Kycaid, Address>)
                .patch(addresses::update_address)
                .delete(remove::<Kycaid, Address>),
        )
        .service(resource("/affiliated-persons").post(create::<Kycaid, AffiliatedPerson>))
        .service(
            resource("/affiliated-persons/{affiliated_person_id}")
                .get(show::<Kycaid, AffiliatedPerson>)
                .patch(update::<Kycaid, AffiliatedPerson>)
                .delete(remove::<Kycaid, AffiliatedPerson>),
        )
        .service(
            resource("/verifications")
                .get(verifications::list)
                .post(verifications::create),
        )
        .service(resource("/verifications/{verification_id}").get(show::<Kycaid, Verification>))
        .service(resource("/verifications/{id}/status").post(verifications::set_status))
        .service(resource("/forms/{id}/urls").post(forms::create_url))
        .service(resource("/form/{token}").get(form::page))
        .service(resource("/form/{token}/submit").post(form_submit::submit))
        .service(resource("/countries").get(reference::countries))
        .service(resource("/languages").get(reference::languages))
        .service(resource("/business-activities").get(reference::business_activities))
        .service(resource("/bdb/persons").post(reference::screen_person))
        .service(resource("/bdb/documents").post(reference::screen_document))
}

impl Kycaid {
    /// Country fields must name a country of `GET /countries`, not just any two letters.
    fn check_countries<'r>(
        &self,
        rules: impl IntoIterator<Item = &'r Rule>,
        values: &Map<String, Value>,
        checks: &mut Checks,
    ) {
        for rule in rules
            .into_iter()
            .filter(|r| matches!(r.kind, Kind::Country))
        {
            if let Some(code) = json_out::lookup(values, rule.name).and_then(Value::as_str) {
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

/// `page` (from 1) and `per_page` (1..=100, default 20) of a list.
pub struct Paging {
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
    fn envelope(&self, data: &[Rendered], total: usize) -> HttpResponse {
        json_out::object(|o| {
            o.array("data", |a| {
                for item in data {
                    a.raw(item);
                }
            })
            .field("total", &total)
            .field("page", &self.page)
            .field("per_page", &self.per_page);
        })
        .ok()
    }
}
