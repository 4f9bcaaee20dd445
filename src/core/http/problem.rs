//! Error bodies that name the request path (`instance`). `ResponseError` cannot see the request,
//! so a provider's error type renders itself again here, once the path is known.

use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

pub trait ProblemAt: ResponseError + From<super::BodyError> + 'static {
    /// Where the provider is mounted; stripped so `instance` is the path the real API would see.
    const MOUNT: &'static str;

    fn render_at(&self, instance: &str) -> HttpResponse;

    /// An error the HTTP layer raised on its own (an invalid response header, an extractor's
    /// refusal), so that it too is answered in the provider's envelope.
    fn unexpected(status: StatusCode, detail: String) -> Self;

    /// The error a fault rule answers with (429, 500, 502, 503, 504); a provider with a
    /// dedicated shape for one of them (a rate limit) says so here.
    fn fault(status: StatusCode, message: String) -> Self {
        Self::unexpected(status, message)
    }
}

/// The request path as the client addressed the real API (without the sandbox mount, which a
/// request on the provider's own port does not have).
pub fn instance_of(mount: &str, path: &str) -> String {
    match path.strip_prefix(mount) {
        Some("") => "/".to_owned(),
        Some(rest) if rest.starts_with('/') => rest.to_owned(),
        _ if path.is_empty() => "/".to_owned(),
        _ => path.to_owned(),
    }
}

/// A refused request body (too large, too slow) in the provider's envelope, for the path it hit.
pub fn refusal<E: ProblemAt>(error: super::BodyError, path: &str) -> HttpResponse {
    E::from(error).render_at(&instance_of(E::MOUNT, path))
}

/// An injected fault's answer (`core::faults`) in the provider's envelope, for the path it hit.
pub fn faulted<E: ProblemAt>(status: StatusCode, message: &str, path: &str) -> HttpResponse {
    E::fault(status, message.to_owned()).render_at(&instance_of(E::MOUNT, path))
}

/// The last step of a provider's scope (`BrowserCors::finish`): its errors re-rendered with
/// `instance` filled in, and any other error (raised by the HTTP layer rather than the provider)
/// in the provider's envelope.
pub fn in_envelope<E: ProblemAt>(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let instance = || instance_of(E::MOUNT, res.request().path());
    let rendered = res.response().error().map(|e| match e.as_error::<E>() {
        Some(own) => own.render_at(&instance()),
        None => {
            let status = res.status();
            let detail = if status.is_server_error() {
                log::error!("{} {}: {e}", res.request().method(), res.request().path());
                "The request could not be completed.".to_owned()
            } else {
                e.to_string()
            };
            E::unexpected(status, detail).render_at(&instance())
        }
    });
    match rendered {
        Some(mut response) => {
            // Headers set around the error (`Allow` on a 405) survive its re-rendering.
            if let Some(allow) = res.headers().get(actix_web::http::header::ALLOW) {
                response
                    .headers_mut()
                    .insert(actix_web::http::header::ALLOW, allow.clone());
            }
            res.into_response(response)
        }
        None => res,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_strips_the_mount() {
        assert_eq!(
            instance_of("/sumvin", "/sumvin/v0/kyc/status"),
            "/v0/kyc/status"
        );
        assert_eq!(instance_of("/sumvin", "/sumvin"), "/");
        assert_eq!(instance_of("/sumvin", "/v0/kyc/status"), "/v0/kyc/status");
        assert_eq!(instance_of("/sumvin", "/sumvinx"), "/sumvinx");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("{1}")]
    struct Envelope(StatusCode, String);

    impl ResponseError for Envelope {
        fn status_code(&self) -> StatusCode {
            self.0
        }
    }

    impl From<super::super::BodyError> for Envelope {
        fn from(e: super::super::BodyError) -> Self {
            Envelope(StatusCode::BAD_REQUEST, e.to_string())
        }
    }

    impl ProblemAt for Envelope {
        const MOUNT: &'static str = "/p";

        fn render_at(&self, instance: &str) -> HttpResponse {
            HttpResponse::build(self.0)
                .json(serde_json::json!({"envelope": self.1, "instance": instance}))
        }

        fn unexpected(status: StatusCode, detail: String) -> Self {
            Envelope(status, detail)
        }
    }

    /// A response header that cannot be built is a 500 from the HTTP layer; it still comes out in
    /// the provider's envelope, without the internals.
    #[actix_web::test]
    async fn errors_of_the_http_layer_come_out_in_the_providers_envelope() {
        use actix_web::{test, web, App};
        let app = test::init_service(
            App::new().service(
                web::scope("/p")
                    .wrap(super::super::BrowserCors {
                        finish: in_envelope::<Envelope>,
                    })
                    .route(
                        "/bad-header",
                        web::get().to(|| async {
                            HttpResponse::Ok()
                                .insert_header(("x-name", "a\nb"))
                                .finish()
                        }),
                    ),
            ),
        )
        .await;
        let res = test::call_service(
            &app,
            test::TestRequest::get().uri("/p/bad-header").to_request(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body: serde_json::Value = test::read_body_json(res).await;
        assert_eq!(
            body,
            serde_json::json!({"envelope": "The request could not be completed.", "instance": "/bad-header"})
        );
    }
}
