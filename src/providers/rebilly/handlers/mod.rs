//! Rebilly's routes. Core paths are served with and without `/organizations/{organizationId}`,
//! and with or without a trailing slash (the SDK posts to `/kyc-documents/`). The experimental
//! reports live under `/experimental`, with or without the organization too.

mod attachments;
mod customer_auth;
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

use actix_web::web;

use super::errors::{method_not_allowed, route_not_found};
use crate::core::http::{endpoint, Endpoint};

/// A resource answering on `path` and `path/`, with Rebilly's 405 for other methods.
fn resource(path: &str) -> Endpoint {
    endpoint(
        vec![path.to_owned(), format!("{path}/")],
        web::to(method_not_allowed),
    )
}

fn core_resources(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/files")
            .get(files::list_files)
            .post(files::upload),
    )
    .service(
        resource("/files/{id}")
            .get(files::get)
            .put(files::update)
            .delete(files::delete),
    )
    .service(resource("/files/{id}/download").get(files::download))
    .service(
        resource("/kyc-documents")
            .get(documents::list_documents)
            .post(documents::create),
    )
    .service(
        resource("/kyc-documents/{id}")
            .get(documents::get)
            .put(documents::put),
    )
    .service(
        resource("/kyc-requests")
            .get(requests::list_requests)
            .post(requests::create),
    )
    .service(
        resource("/kyc-requests/{id}")
            .get(requests::get)
            .patch(requests::patch)
            .delete(requests::delete),
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
        resource("/attachments")
            .get(attachments::list_attachments)
            .post(attachments::attach),
    )
    .service(
        resource("/attachments/{id}")
            .get(attachments::get)
            .put(attachments::update)
            .delete(attachments::detach),
    )
    .service(
        resource("/authentication-tokens")
            .get(customer_auth::list_tokens)
            .post(customer_auth::login),
    )
    .service(
        resource("/authentication-tokens/{token}")
            .get(customer_auth::verify)
            .delete(customer_auth::logout),
    )
    .service(
        resource("/webhooks")
            .get(webhooks::list_webhooks)
            .post(webhooks::create),
    )
    .service(
        resource("/webhooks/{id}")
            .get(webhooks::get)
            .put(webhooks::update)
            .delete(webhooks::delete),
    )
    .service(resource("/authentication-tokens/{token}/exchange").post(customer_auth::exchange));
}

/// The customer-facing API, with or without the organization in the path.
fn storefront_resources(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/login").post(storefront::login))
        .service(resource("/files").post(gatherer::upload_as_customer))
        .service(resource("/logout").post(storefront::logout))
        .service(resource("/account").get(storefront::account))
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
        .service(resource("/kyc-liveness-sessions/{id}/finish").post(storefront::finish_liveness));
}

fn report_resources(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/reports/kyc-acceptance-summary").get(reports::acceptance_summary))
        .service(resource("/reports/kyc-rejection-summary").get(reports::rejection_summary))
        .service(resource("/reports/kyc-request-summary").get(reports::request_summary));
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/kyc-gatherer").get(gatherer::page))
        .service(
            web::scope("/storefront/organizations/{organizationId}")
                .configure(storefront_resources)
                .default_service(web::to(route_not_found)),
        )
        .service(
            web::scope("/storefront")
                .configure(storefront_resources)
                .default_service(web::to(route_not_found)),
        )
        .service(
            web::scope("/experimental/organizations/{organizationId}")
                .configure(report_resources)
                .default_service(web::to(route_not_found)),
        )
        .service(
            web::scope("/experimental")
                .configure(report_resources)
                .default_service(web::to(route_not_found)),
        )
        .service(
            web::scope("/organizations/{organizationId}")
                .configure(core_resources)
                .default_service(web::to(route_not_found)),
        )
        .configure(core_resources)
        .default_service(web::to(route_not_found));
}
