//! Rebilly's error envelope: RFC 7807 problem+json, with `invalidFields[{field, message}]` on 422.
//! Every Rebilly failure becomes one of these here and nowhere else.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::json;
use thiserror::Error;

use super::MOUNT;
use crate::core::http::{BodyError, JsonError, PageError, ProblemAt};
use crate::core::storage::StorageFull;

/// One bad field, in dot notation for nested fields (`rejectionReason.type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidField {
    pub field: String,
    pub message: String,
}

impl InvalidField {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        InvalidField {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Error)]
pub enum RebillyError {
    #[error("Invalid credentials used. Send your secret API key in the REB-APIKEY header.")]
    Unauthorized,
    /// A customer call without a usable JWT (missing, `null`, forged, logged out or expired),
    /// or a login with wrong credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// A credential that is valid but does not reach this operation (a customer JWT on the core
    /// API, whose spec `security` lists no `CustomerJWT`).
    #[error("{0}")]
    Forbidden(String),
    #[error("{kind} not found")]
    NotFound { kind: &'static str },
    #[error("{0}")]
    Conflict(String),
    #[error("Invalid data was sent.")]
    Validation(Vec<InvalidField>),
    #[error("Malformed request body: {0}")]
    BadRequest(String),
    /// Query parameters the server cannot use: the spec's `400 BadRequest` (reports' period).
    #[error("Server could not understand the request due to invalid syntax.")]
    InvalidQuery(Vec<InvalidField>),
    #[error("Request body exceeds the {limit} bytes allowed.")]
    TooLarge { limit: usize },
    #[error("Route not found.")]
    RouteNotFound,
    #[error("The request body did not arrive in time: {0}.")]
    RequestTimeout(String),
    #[error("Method not allowed.")]
    MethodNotAllowed,
    #[error("{0}")]
    StorageFull(#[from] StorageFull),
    /// Anything the HTTP layer refused on its own, kept in Rebilly's envelope.
    #[error("{detail}")]
    Unexpected { status: StatusCode, detail: String },
}

impl From<BodyError> for RebillyError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge { limit } => RebillyError::TooLarge { limit },
            BodyError::Incomplete(why) => RebillyError::BadRequest(why),
            timeout @ BodyError::TimedOut { .. } => {
                RebillyError::RequestTimeout(timeout.to_string())
            }
        }
    }
}

impl From<JsonError> for RebillyError {
    fn from(e: JsonError) -> Self {
        match e {
            JsonError::Syntax { .. } => RebillyError::BadRequest(e.to_string()),
            JsonError::Shape { path, message } => {
                let field = if path.is_empty() {
                    "body".to_owned()
                } else {
                    path
                };
                RebillyError::Validation(vec![InvalidField::new(field, message)])
            }
        }
    }
}

impl From<PageError> for RebillyError {
    fn from(e: PageError) -> Self {
        RebillyError::Validation(vec![InvalidField::new(e.field, e.message)])
    }
}

impl RebillyError {
    fn title(&self) -> &'static str {
        match self {
            RebillyError::Unauthorized | RebillyError::Unauthenticated(_) => "Unauthorized",
            RebillyError::Forbidden(_) => "Forbidden",
            RebillyError::NotFound { .. } | RebillyError::RouteNotFound => "Not Found",
            RebillyError::Conflict(_) => "Conflict",
            RebillyError::Validation(_) => "Validation error",
            RebillyError::BadRequest(_) | RebillyError::InvalidQuery(_) => "Bad Request",
            RebillyError::TooLarge { .. } => "Payload Too Large",
            RebillyError::RequestTimeout(_) => "Request Timeout",
            RebillyError::MethodNotAllowed => "Method Not Allowed",
            RebillyError::StorageFull(_) => "Insufficient Storage",
            RebillyError::Unexpected { status, .. } => status.canonical_reason().unwrap_or("Error"),
        }
    }
}

impl ResponseError for RebillyError {
    fn status_code(&self) -> StatusCode {
        match self {
            RebillyError::Unauthorized | RebillyError::Unauthenticated(_) => {
                StatusCode::UNAUTHORIZED
            }
            RebillyError::Forbidden(_) => StatusCode::FORBIDDEN,
            RebillyError::NotFound { .. } | RebillyError::RouteNotFound => StatusCode::NOT_FOUND,
            RebillyError::Conflict(_) => StatusCode::CONFLICT,
            RebillyError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            RebillyError::BadRequest(_) | RebillyError::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            RebillyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            RebillyError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            RebillyError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            RebillyError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            RebillyError::Unexpected { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.render_at("")
    }
}

impl ProblemAt for RebillyError {
    const MOUNT: &'static str = MOUNT;

    fn unexpected(status: StatusCode, detail: String) -> Self {
        RebillyError::Unexpected { status, detail }
    }

    fn render_at(&self, instance: &str) -> HttpResponse {
        let status = self.status_code();
        let mut body = json!({
            "type": "about:blank",
            "title": self.title(),
            "status": status.as_u16(),
            "detail": self.to_string(),
            "instance": instance,
        });
        if let RebillyError::Validation(fields) | RebillyError::InvalidQuery(fields) = self {
            body["invalidFields"] = json!(fields);
        }
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, "application/problem+json"))
            .body(crate::core::http::json_text(&body))
    }
}

pub async fn route_not_found() -> Result<HttpResponse, RebillyError> {
    Err(RebillyError::RouteNotFound)
}

pub async fn method_not_allowed() -> Result<HttpResponse, RebillyError> {
    Err(RebillyError::MethodNotAllowed)
}
