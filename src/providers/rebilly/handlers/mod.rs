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

/// A resource answering on `path` and `path/`, with Rebilly's 405 for other methods.
fn resource(path: &str) -> actix_web::Resource {
    web::resource([path.to_owned(), format!("{path}/")])
        .default_service(web::to(method_not_allowed))
}

fn core_resources(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/files")
            .route(web::get().to(files::list_files))
            .route(web::post().to(files::upload)),
    )
    .service(
        resource("/files/{id}")
            .route(web::get().to(files::get))
            .route(web::put().to(files::update))
            .route(web::delete().to(files::delete)),
    )
    .service(resource("/files/{id}/download").route(web::get().to(files::download)))
    .service(
        resource("/kyc-documents")
            .route(web::get().to(documents::list_documents))
            .route(web::post().to(documents::create)),
    )
    .service(
        resource("/kyc-documents/{id}")
            .route(web::get().to(documents::get))
            .route(web::put().to(documents::put)),
    )
    .service(
        resource("/kyc-requests")
            .route(web::get().to(requests::list_requests))
            .route(web::post().to(requests::create)),
    )
    .service(
        resource("/kyc-requests/{id}")
            .route(web::get().to(requests::get))
            .route(web::patch().to(requests::patch))
            .route(web::delete().to(requests::delete)),
    )
    .service(resource("/kyc-documents/{id}/acceptance").route(web::post().to(documents::accept)))
    .service(resource("/kyc-documents/{id}/rejection").route(web::post().to(documents::reject)))
    .service(resource("/kyc-documents/{id}/review").route(web::post().to(documents::review)))
    .service(
        resource("/kyc-documents/{id}/start-review").route(web::post().to(documents::start_review)),
    )
    .service(
        resource("/kyc-documents/{id}/stop-review").route(web::post().to(documents::stop_review)),
    )
    .service(resource("/kyc-documents/{id}/matches").route(web::post().to(tags::overwrite_matches)))
    .service(
        resource("/kyc-settings")
            .route(web::get().to(settings::get))
            .route(web::put().to(settings::put)),
    )
    .service(
        resource("/tags/{tag}/kyc-documents")
            .route(web::post().to(tags::tag_documents))
            .route(web::delete().to(tags::untag_documents)),
    )
    .service(
        resource("/tags/{tag}/kyc-documents/{kycDocumentId}")
            .route(web::post().to(tags::tag_document))
            .route(web::delete().to(tags::untag_document)),
    )
    .service(
        resource("/attachments")
            .route(web::get().to(attachments::list_attachments))
            .route(web::post().to(attachments::attach)),
    )
    .service(
        resource("/attachments/{id}")
            .route(web::get().to(attachments::get))
            .route(web::put().to(attachments::update))
            .route(web::delete().to(attachments::detach)),
    )
    .service(
        resource("/authentication-tokens")
            .route(web::get().to(customer_auth::list_tokens))
            .route(web::post().to(customer_auth::login)),
    )
    .service(
        resource("/authentication-tokens/{token}")
            .route(web::get().to(customer_auth::verify))
            .route(web::delete().to(customer_auth::logout)),
    )
    .service(
        resource("/webhooks")
            .route(web::get().to(webhooks::list_webhooks))
            .route(web::post().to(webhooks::create)),
    )
    .service(
        resource("/webhooks/{id}")
            .route(web::get().to(webhooks::get))
            .route(web::put().to(webhooks::update))
            .route(web::delete().to(webhooks::delete)),
    )
    .service(
        resource("/authentication-tokens/{token}/exchange")
            .route(web::post().to(customer_auth::exchange)),
    );
}

/// The customer-facing API, with or without the organization in the path.
fn storefront_resources(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/login").route(web::post().to(storefront::login)))
        .service(resource("/files").route(web::post().to(gatherer::upload_as_customer)))
        .service(resource("/logout").route(web::post().to(storefront::logout)))
        .service(resource("/account").route(web::get().to(storefront::account)))
        .service(
            resource("/kyc-documents")
                .route(web::get().to(storefront::list_documents))
                .route(web::post().to(storefront::create_own_document)),
        )
        .service(
            resource("/kyc-documents/{id}")
                .route(web::get().to(storefront::get_own_document))
                .route(web::patch().to(storefront::patch_own_document)),
        )
        .service(resource("/kyc-requests/{id}").route(web::get().to(storefront::get_own_request)))
        .service(
            resource("/kyc-liveness-sessions").route(web::post().to(storefront::create_liveness)),
        )
        .service(
            resource("/kyc-liveness-sessions/{id}").route(web::get().to(storefront::get_liveness)),
        )
        .service(
            resource("/kyc-liveness-sessions/{id}/finish")
                .route(web::post().to(storefront::finish_liveness)),
        );
}

fn report_resources(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/reports/kyc-acceptance-summary")
            .route(web::get().to(reports::acceptance_summary)),
    )
    .service(
        resource("/reports/kyc-rejection-summary").route(web::get().to(reports::rejection_summary)),
    )
    .service(
        resource("/reports/kyc-request-summary").route(web::get().to(reports::request_summary)),
    );
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/kyc-gatherer").route(web::get().to(gatherer::page)))
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
