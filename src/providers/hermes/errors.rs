//! Hermes errors: ZealID publishes no error body, so the sandbox answers in the style of its
//! success bodies: `{"status": "error", "success": false, "message": ...}` (README says so).
//! Every Hermes failure becomes one here and nowhere else.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;
use thiserror::Error;

use super::MOUNT;
use crate::core::http::{BodyError, ProblemAt};

#[derive(Debug, Error)]
pub enum HermesError {
    /// Why the `Authorization: HMAC …` header was refused.
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    BadRequest(String),
    /// A code or token that does not (or no longer) open anything.
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Gone(String),
    #[error("Route not found")]
    RouteNotFound,
    #[error("Method not allowed")]
    MethodNotAllowed,
    #[error("Request body exceeds the {limit} bytes allowed")]
    TooLarge { limit: usize },
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{detail}")]
    Unexpected { status: StatusCode, detail: String },
}

impl From<BodyError> for HermesError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge { limit } => HermesError::TooLarge { limit },
            BodyError::Incomplete(why) => HermesError::BadRequest(why),
            timeout @ BodyError::TimedOut { .. } => {
                HermesError::RequestTimeout(timeout.to_string())
            }
        }
    }
}

impl ResponseError for HermesError {
    fn status_code(&self) -> StatusCode {
        match self {
            HermesError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            HermesError::BadRequest(_) | HermesError::InvalidGrant(_) => StatusCode::BAD_REQUEST,
            HermesError::NotFound(_) | HermesError::RouteNotFound => StatusCode::NOT_FOUND,
            HermesError::Gone(_) => StatusCode::GONE,
            HermesError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            HermesError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            HermesError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            HermesError::Unexpected { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .json(json!({"status": "error", "success": false, "message": self.to_string()}))
    }
}

impl ProblemAt for HermesError {
    const MOUNT: &'static str = MOUNT;

    fn render_at(&self, _instance: &str) -> HttpResponse {
        self.error_response()
    }

    fn unexpected(status: StatusCode, detail: String) -> Self {
        HermesError::Unexpected { status, detail }
    }
}

pub async fn route_not_found() -> Result<HttpResponse, HermesError> {
    Err(HermesError::RouteNotFound)
}

pub async fn method_not_allowed() -> Result<HttpResponse, HermesError> {
    Err(HermesError::MethodNotAllowed)
}
