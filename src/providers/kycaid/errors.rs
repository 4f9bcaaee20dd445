//! KYCAID's error envelope, `{"type": ..., "errors": [{"parameter": ..., "message": ...}]}`.
//! Every KYCAID failure becomes one here and nowhere else.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::json;
use thiserror::Error;

use super::MOUNT;
use crate::core::http::{BodyError, ProblemAt};
use crate::core::storage::StorageFull;

/// One entry of `errors`: the request parameter at fault and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub parameter: String,
    pub message: String,
}

impl FieldError {
    pub fn new(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            parameter: parameter.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Error)]
pub enum KycaidError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{message}")]
    BadRequest { parameter: String, message: String },
    #[error("Unauthorized")]
    Unauthorized,
    /// A token the account has switched off (magic prefix `forbidden`).
    #[error("Access to the API is disabled for this token")]
    Forbidden,
    /// A paid operation on an account without balance (magic prefix `no-funds`).
    #[error("Insufficient funds on the account balance")]
    InsufficientFunds,
    /// `parameter` names the id that was looked up (`applicant_id`, `document_id`, ...).
    #[error("{message}")]
    NotFound { parameter: String, message: String },
    #[error("Route not found")]
    RouteNotFound,
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// A limit of the account's flow, e.g. a second authorised person (429 `flow`).
    #[error("{0}")]
    Flow(String),
    #[error("Request body is larger than the {limit} bytes allowed")]
    TooLarge { limit: usize },
    #[error("{0}")]
    RequestTimeout(String),
    #[error("Content-Type {0} is not supported")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    StorageFull(#[from] StorageFull),
    /// Anything the HTTP layer refused on its own, kept in KYCAID's envelope.
    #[error("{detail}")]
    Unexpected { status: StatusCode, detail: String },
}

impl KycaidError {
    pub fn bad_body(message: impl Into<String>) -> Self {
        KycaidError::BadRequest {
            parameter: "body".into(),
            message: message.into(),
        }
    }

    pub fn invalid(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        KycaidError::Validation(vec![FieldError::new(parameter, message)])
    }

    /// An update that sets nothing (KYCAID's wording, with the wildcard parameter).
    pub fn no_parameters() -> Self {
        KycaidError::invalid("*", "At least one parameter should be set")
    }

    /// `Applicant was not found` for `applicant_id`, and so on for every resource.
    pub fn not_found(parameter: &str, resource: &str) -> Self {
        KycaidError::NotFound {
            parameter: parameter.into(),
            message: format!("{resource} was not found"),
        }
    }

    fn meta(&self) -> (StatusCode, &'static str) {
        use KycaidError::*;
        match self {
            Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
            BadRequest { .. } => (StatusCode::BAD_REQUEST, "bad_request"),
            Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            InsufficientFunds => (StatusCode::PAYMENT_REQUIRED, "insufficient_funds"),
            NotFound { .. } | RouteNotFound => (StatusCode::NOT_FOUND, "not_found"),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Flow(_) => (StatusCode::TOO_MANY_REQUESTS, "flow"),
            TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            RequestTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "bad_request"),
            StorageFull(_) => (StatusCode::INSUFFICIENT_STORAGE, "insufficient_storage"),
            Unexpected { status, .. } if status.is_server_error() => (*status, "internal_error"),
            Unexpected { status, .. } if *status == StatusCode::NOT_FOUND => (*status, "not_found"),
            Unexpected { status, .. } => (*status, "bad_request"),
        }
    }

    fn errors(&self) -> Vec<FieldError> {
        use KycaidError::*;
        match self {
            Validation(errors) => errors.clone(),
            BadRequest { parameter, message } | NotFound { parameter, message } => {
                vec![FieldError::new(parameter.clone(), message.clone())]
            }
            Unauthorized => vec![FieldError::new("authorization", "Unauthorized")],
            Forbidden => vec![FieldError::new("authorization", self.to_string())],
            InsufficientFunds => vec![FieldError::new("balance", self.to_string())],
            RouteNotFound => vec![FieldError::new("path", self.to_string())],
            MethodNotAllowed => vec![FieldError::new("method", self.to_string())],
            Flow(message) => vec![FieldError::new("limit_exceeded", message.clone())],
            TooLarge { .. } | RequestTimeout(_) => vec![FieldError::new("body", self.to_string())],
            UnsupportedMediaType(_) => vec![FieldError::new("content-type", self.to_string())],
            Unexpected { .. } => vec![FieldError::new("request", self.to_string())],
            StorageFull(_) => vec![FieldError::new("file", self.to_string())],
        }
    }

    pub fn body(&self) -> serde_json::Value {
        json!({"type": self.meta().1, "errors": self.errors()})
    }
}

impl From<BodyError> for KycaidError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge { limit } => KycaidError::TooLarge { limit },
            BodyError::Incomplete(why) => KycaidError::bad_body(why),
            timeout @ BodyError::TimedOut { .. } => {
                KycaidError::RequestTimeout(timeout.to_string())
            }
        }
    }
}

impl ResponseError for KycaidError {
    fn status_code(&self) -> StatusCode {
        self.meta().0
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(self.body())
    }
}

impl ProblemAt for KycaidError {
    const MOUNT: &'static str = MOUNT;

    fn unexpected(status: StatusCode, detail: String) -> Self {
        KycaidError::Unexpected { status, detail }
    }

    /// KYCAID answers a rate limit as a `flow` error on `limit_exceeded`.
    fn fault(status: StatusCode, message: String) -> Self {
        if status == StatusCode::TOO_MANY_REQUESTS {
            KycaidError::Flow(message)
        } else {
            KycaidError::Unexpected {
                status,
                detail: message,
            }
        }
    }

    fn render_at(&self, _instance: &str) -> HttpResponse {
        self.error_response()
    }
}

pub async fn route_not_found() -> Result<HttpResponse, KycaidError> {
    Err(KycaidError::RouteNotFound)
}

pub async fn method_not_allowed() -> Result<HttpResponse, KycaidError> {
    Err(KycaidError::MethodNotAllowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_matches_recorded_422() {
        let e = KycaidError::invalid("first_name", "First name is required");
        assert_eq!(e.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            e.body(),
            json!({"type":"validation","errors":[{"parameter":"first_name","message":"First name is required"}]})
        );
        let e = KycaidError::not_found("applicant_id", "Applicant");
        assert_eq!(e.body()["errors"][0]["message"], "Applicant was not found");
    }
}
