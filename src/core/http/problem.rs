//! Error bodies that name the request path (`instance`). `ResponseError` cannot see the request,
//! so a provider's error type renders itself again here, once the path is known.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};

pub trait ProblemAt: ResponseError + From<super::BodyError> + 'static {
    /// Where the provider is mounted; stripped so `instance` is the path the real API would see.
    const MOUNT: &'static str;

    fn render_at(&self, instance: &str) -> HttpResponse;
}

/// The request path as the client addressed the real API (without the sandbox mount).
pub fn instance_of(mount: &str, path: &str) -> String {
    match path.strip_prefix(mount) {
        Some("") | None => "/".to_owned(),
        Some(rest) => rest.to_owned(),
    }
}

/// A refused request body (too large, too slow) in the provider's envelope, for the path it hit.
pub fn refusal<E: ProblemAt>(error: super::BodyError, path: &str) -> HttpResponse {
    E::from(error).render_at(&instance_of(E::MOUNT, path))
}

/// Middleware for a provider's scope: re-renders its errors with `instance` filled in.
pub async fn with_instance<E: ProblemAt>(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let rendered = res
        .response()
        .error()
        .and_then(|e| e.as_error::<E>())
        .map(|e| e.render_at(&instance_of(E::MOUNT, res.request().path())));
    Ok(match rendered {
        Some(response) => res.into_response(response),
        None => res,
    })
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
    }
}
