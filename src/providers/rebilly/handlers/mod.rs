//! Rebilly's routes. Core paths are served with and without `/organizations/{organizationId}`,
//! and with or without a trailing slash (the SDK posts to `/kyc-documents/`). The experimental
//! reports live under `/experimental`, with or without the organization too.

mod documents;
pub mod files;
mod listing;
mod reports;
mod requests;

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
    cfg.service(
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
