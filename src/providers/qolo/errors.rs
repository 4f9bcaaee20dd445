//! Qolo's errors. Qolo publishes status codes but no error body; its DTO naming says ASP.NET Core,
//! so the sandbox answers ASP.NET Core's ProblemDetails (`type`, `title`, `status`, `traceId`, and
//! for a 400 `errors: {field: [messages]}`), as README says. Every Qolo failure becomes one here.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use thiserror::Error;

use super::MOUNT;
use crate::core::http::{BodyError, ProblemAt};
use crate::core::storage::StorageFull;

/// Field errors keyed by the field's JSON path (`person_details.first_name`), as ASP.NET Core
/// model validation reports them.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, Error)]
pub enum QoloError {
    #[error("One or more validation errors occurred.")]
    Validation(FieldErrors),
    /// A request the API understood but will not do ("Person Already Verified").
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("Person not found")]
    PersonNotFound,
    #[error("Program not found")]
    ProgramNotFound,
    #[error("{0}")]
    NotFound(String),
    #[error("Not Found")]
    RouteNotFound,
    #[error("Method Not Allowed")]
    MethodNotAllowed,
    #[error("Request body exceeds the {limit} bytes allowed")]
    TooLarge { limit: usize },
    /// A body that says it is not JSON (ASP.NET's `[FromBody]` answers `415`).
    #[error("Unsupported Media Type")]
    UnsupportedMediaType,
    #[error("{0}")]
    RequestTimeout(String),
    #[error(transparent)]
    StorageFull(#[from] StorageFull),
    #[error("{detail}")]
    Unexpected { status: StatusCode, detail: String },
}

impl QoloError {
    /// One field's error.
    pub fn field(path: impl Into<String>, message: impl Into<String>) -> Self {
        QoloError::Validation(BTreeMap::from([(path.into(), vec![message.into()])]))
    }
}

impl From<BodyError> for QoloError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge { limit } => QoloError::TooLarge { limit },
            BodyError::Incomplete(why) => QoloError::field("$", why),
            timeout @ BodyError::TimedOut { .. } => QoloError::RequestTimeout(timeout.to_string()),
        }
    }
}

/// The RFC section ASP.NET Core puts in `type` for each status.
fn type_uri(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        408 => "https://tools.ietf.org/html/rfc9110#section-15.5.9",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        507 => "https://tools.ietf.org/html/rfc4918#section-11.5",
        _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    }
}

impl ResponseError for QoloError {
    fn status_code(&self) -> StatusCode {
        match self {
            QoloError::Validation(_) | QoloError::BadRequest(_) => StatusCode::BAD_REQUEST,
            QoloError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            QoloError::PersonNotFound
            | QoloError::ProgramNotFound
            | QoloError::NotFound(_)
            | QoloError::RouteNotFound => StatusCode::NOT_FOUND,
            QoloError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            QoloError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            QoloError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            QoloError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            QoloError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            QoloError::Unexpected { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.render_at("")
    }
}

impl ProblemAt for QoloError {
    const MOUNT: &'static str = MOUNT;

    fn render_at(&self, instance: &str) -> HttpResponse {
        let status = self.status_code();
        let mut body = json!({
            "type": type_uri(status),
            "title": self.to_string(),
            "status": status.as_u16(),
            "traceId": trace_id(instance),
        });
        match self {
            QoloError::Validation(errors) => body["errors"] = json!(errors),
            QoloError::Unauthorized(detail) | QoloError::BadRequest(detail) => {
                body["detail"] = json!(detail);
                body["title"] = json!(if status == StatusCode::UNAUTHORIZED {
                    "Unauthorized"
                } else {
                    "Bad Request"
                });
            }
            _ => {}
        }
        let mut reply = HttpResponse::build(status);
        if status == StatusCode::UNAUTHORIZED {
            reply.insert_header(("WWW-Authenticate", "Bearer"));
        }
        reply
            .content_type("application/problem+json")
            .body(crate::core::http::json_text(&body))
    }

    fn unexpected(status: StatusCode, detail: String) -> Self {
        QoloError::Unexpected { status, detail }
    }
}

/// ASP.NET Core's `traceId` shape (`00-<32 hex>-<16 hex>-00`), derived from the path so a
/// response is repeatable.
fn trace_id(instance: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(instance.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("00-{}-{}-00", &hex[..32], &hex[32..48])
}

pub async fn route_not_found() -> Result<HttpResponse, QoloError> {
    Err(QoloError::RouteNotFound)
}

pub async fn method_not_allowed() -> Result<HttpResponse, QoloError> {
    Err(QoloError::MethodNotAllowed)
}
