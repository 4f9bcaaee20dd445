//! Rebilly's routes. Core paths are served with and without `/organizations/{organizationId}`,
//! and with or without a trailing slash (the SDK posts to `/kyc-documents/`). The experimental
//! reports live under `/experimental`, with or without the organization too.

mod attachments;
mod customer_auth;
mod customers;
mod documents;
pub mod files;
mod gatherer;
mod listing;
mod reports;
mod requests;
mod settings;
mod storefront;
mod tags;
mod webhooks;

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use self::listing::ListQuery;
use super::auth::Caller;
use super::errors::{method_not_allowed, route_not_found, RebillyError};
use super::model::session::AuthenticationToken;
use super::model::{Attachment, Customer, File, KycDocument, KycRequest, RebillyTenant, Webhook};
use super::wire::{created, json_object, ok, resource_href};
use super::Rebilly;
use crate::core::fields::Fields;
use crate::core::http::{endpoint, Endpoint, Endpoints};
use crate::core::resource::{create, list, remove, show, update, Call, Resource, ResourceApi};
use crate::core::tenant::TenantSlot;

/// Rebilly's wire format for the generic resource handlers: JSON-object bodies, `201` +
/// `Location` with the resource on create, the resource on update, `204` on delete, and
/// `404 <Kind> not found`.
impl ResourceApi for Rebilly {
    type State = RebillyTenant;
    type Caller = Caller;
    type Error = RebillyError;
    type Body = Fields;
    type Query = ListQuery;

    fn with_state<T>(&self, caller: &Caller, f: impl FnOnce(&mut RebillyTenant) -> T) -> T {
        self.with_tenant(caller, f)
    }

    fn now(&self) -> DateTime<Utc> {
        self.core.clock.now()
    }

    fn tenant(&self, caller: &Caller) -> Option<Arc<TenantSlot<RebillyTenant>>> {
        self.tenants.get(&caller.tenant)
    }

    async fn read_body(
        req: &HttpRequest,
        payload: &mut web::Payload,
    ) -> Result<Fields, RebillyError> {
        json_object(req, payload).await
    }

    fn not_found<R: Resource<Self>>() -> RebillyError {
        RebillyError::NotFound { kind: R::KIND }
    }

    fn created<R: Resource<Self>>(
        call: &Call<Self>,
        state: &RebillyTenant,
        id: &str,
    ) -> HttpResponse {
        created(
            href::<R>(call.req, id),
            R::render(call, state, &R::store(state)[id]),
        )
    }

    fn updated<R: Resource<Self>>(
        call: &Call<Self>,
        state: &RebillyTenant,
        id: &str,
    ) -> HttpResponse {
        ok(R::render(call, state, &R::store(state)[id]))
    }

    fn deleted<R: Resource<Self>>(_: &Call<Self>, _: &str) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }
}

/// Where resource `id` lives, as the client addressed the API (with or without the organization).
fn href<R: Resource<Rebilly>>(req: &HttpRequest, id: &str) -> String {
    resource_href(req, R::COLLECTION, id)
}

/// Whether a `?expand=` applies: reads honour it; writes answer the plain resource.
fn expanding(req: &HttpRequest, name: &str) -> bool {
    matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    ) && super::wire::expands(req, name)
}

/// A resource answering on `path` and `path/`, with Rebilly's 405 for other methods.
fn resource(path: &str) -> Endpoint {
    endpoint(vec![path.to_owned(), format!("{path}/")], || {
        web::to(method_not_allowed)
    })
}

fn core_resources(endpoints: Endpoints) -> Endpoints {
    endpoints
        .service(
            resource("/files")
                .get(list::<Rebilly, File>)
                .post(files::upload),
        )
        .service(
            resource("/files/{id}")
                .get(show::<Rebilly, File>)
                .put(update::<Rebilly, File>)
                .delete(remove::<Rebilly, File>),
        )
        .service(resource("/files/{id}/download").get(files::download))
        .service(
            resource("/kyc-documents")
                .get(list::<Rebilly, KycDocument>)
                .post(create::<Rebilly, KycDocument>),
        )
        .service(
            resource("/kyc-documents/{id}")
                .get(show::<Rebilly, KycDocument>)
                .put(documents::put),
        )
        .service(
            resource("/kyc-requests")
                .get(list::<Rebilly, KycRequest>)
                .post(create::<Rebilly, KycRequest>),
        )
        .service(
            resource("/kyc-requests/{id}")
                .get(show::<Rebilly, KycRequest>)
                .patch(update::<Rebilly, KycRequest>)
                .delete(remove::<Rebilly, KycRequest>),
        )
        .service(resource("/kyc-documents/{id}/acceptance").post(documents::accept))
        .service(resource("/kyc-documents/{id}/rejection").post(documents::reject))
        .service(resource("/kyc-documents/{id}/review").post(documents::review))
        .service(resource("/kyc-documents/{id}/start-review").post(documents::start_review))
        .service(resource("/kyc-documents/{id}/stop-review").post(documents::stop_review))
        .service(resource("/kyc-documents/{id}/matches").post(tags::overwrite_matches))
        .service(
            resource("/kyc-settings")
                .get(settings::get)
                .put(settings::put),
        )
        .service(
            resource("/tags/{tag}/kyc-documents")
                .post(tags::tag_documents)
                .delete(tags::untag_documents),
        )
        .service(
            resource("/tags/{tag}/kyc-documents/{kycDocumentId}")
                .post(tags::tag_document)
                .delete(tags::untag_document),
        )
        .service(
            resource("/customers")
                .get(list::<Rebilly, Customer>)
                .post(create::<Rebilly, Customer>),
        )
        .service(
            resource("/customers/{id}")
                .get(show::<Rebilly, Customer>)
                .put(customers::upsert)
                .delete(remove::<Rebilly, Customer>),
        )
        .service(
            resource("/attachments")
                .get(list::<Rebilly, Attachment>)
                .post(create::<Rebilly, Attachment>),
        )
        .service(
            resource("/attachments/{id}")
                .get(show::<Rebilly, Attachment>)
                .put(update::<Rebilly, Attachment>)
                .delete(remove::<Rebilly, Attachment>),
        )
        .service(
            resource("/authentication-tokens")
                .get(list::<Rebilly, AuthenticationToken>)
                .post(create::<Rebilly, AuthenticationToken>),
        )
        .service(
            resource("/authentication-tokens/{token}")
                .get(show::<Rebilly, AuthenticationToken>)
                .delete(remove::<Rebilly, AuthenticationToken>),
        )
        .service(
            resource("/webhooks")
                .get(list::<Rebilly, Webhook>)
                .post(create::<Rebilly, Webhook>),
        )
        .service(
            resource("/webhooks/{id}")
                .get(show::<Rebilly, Webhook>)
                .put(update::<Rebilly, Webhook>)
                .delete(remove::<Rebilly, Webhook>),
        )
        .service(resource("/authentication-tokens/{token}/exchange").post(customer_auth::exchange))
}

/// The customer-facing API, with or without the organization in the path.
fn storefront_resources(endpoints: Endpoints) -> Endpoints {
    endpoints
        .service(resource("/login").post(storefront::login))
        .service(resource("/files").post(gatherer::upload_as_customer))
        .service(resource("/logout").post(storefront::logout))
        .service(
            resource("/account")
                .get(storefront::account)
                .patch(storefront::patch_account),
        )
        .service(
            resource("/kyc-documents")
                .get(storefront::list_documents)
                .post(storefront::create_own_document),
        )
        .service(
            resource("/kyc-documents/{id}")
                .get(storefront::get_own_document)
                .patch(storefront::patch_own_document),
        )
        .service(resource("/kyc-requests/{id}").get(storefront::get_own_request))
        .service(resource("/kyc-liveness-sessions").post(storefront::create_liveness))
        .service(resource("/kyc-liveness-sessions/{id}").get(storefront::get_liveness))
        .service(resource("/kyc-liveness-sessions/{id}/finish").post(storefront::finish_liveness))
}

fn report_resources(endpoints: Endpoints) -> Endpoints {
    endpoints
        .service(resource("/reports/kyc-acceptance-summary").get(reports::acceptance_summary))
        .service(resource("/reports/kyc-rejection-summary").get(reports::rejection_summary))
        .service(resource("/reports/kyc-request-summary").get(reports::request_summary))
}

/// An endpoint table, answering paths it does not know with Rebilly's 404.
fn table() -> Endpoints {
    Endpoints::new(|| web::to(route_not_found))
}

/// `prefix` followed by `/organizations/{organizationId}`, and `prefix` alone.
fn with_organization(prefix: &str) -> [String; 2] {
    [
        format!("{prefix}/organizations/{{organizationId}}"),
        prefix.to_owned(),
    ]
}

/// One table for every path: the storefront's and the reports' own prefixes keep their paths
/// apart from the core ones.
pub fn routes() -> Endpoints {
    table()
        .nest(
            &with_organization("/storefront"),
            storefront_resources(table()),
        )
        .nest(
            &with_organization("/experimental"),
            report_resources(table()),
        )
        .nest(&with_organization(""), core_resources(table()))
        .service(resource("/kyc-gatherer").get(gatherer::page))
}
