//! Sumvin's error envelopes: RFC 7807 ProblemDetail (served as `application/json`) and FastAPI's
//! 422 `{"detail": [...]}`. Every Sumvin failure becomes one of these here and nowhere else.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{json, Value};
use thiserror::Error;

use super::MOUNT;
use crate::core::http::{BodyError, ProblemAt};
use crate::core::storage::StorageFull;

/// One entry of FastAPI's validation error list (pydantic v2 wording).
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub kind: &'static str,
    pub loc: Vec<Value>,
    pub msg: String,
    /// Boxed: issues travel in `Result`s and should stay small.
    pub input: Box<Value>,
    pub ctx: Option<Box<Value>>,
}

impl Issue {
    pub fn missing(place: &str, field: &str) -> Self {
        Issue {
            kind: "missing",
            loc: vec![json!(place), json!(field)],
            msg: "Field required".into(),
            input: Box::new(Value::Null),
            ctx: None,
        }
    }

    pub fn new(
        kind: &'static str,
        place: &str,
        field: &str,
        msg: impl Into<String>,
        input: Value,
    ) -> Self {
        Issue {
            kind,
            loc: vec![json!(place), json!(field)],
            msg: msg.into(),
            input: Box::new(input),
            ctx: None,
        }
    }

    pub fn with_ctx(mut self, ctx: Value) -> Self {
        self.ctx = Some(Box::new(ctx));
        self
    }

    fn to_json(&self) -> Value {
        let mut v =
            json!({"type": self.kind, "loc": self.loc, "msg": self.msg, "input": self.input});
        if let Some(ctx) = &self.ctx {
            v["ctx"] = (**ctx).clone();
        }
        v
    }
}

#[derive(Debug, Error)]
pub enum SumvinError {
    #[error("Send a credential in the x-sumvin-pat, x-juno-jwt or x-sumvin-token header.")]
    Unauthorized,
    #[error("This operation accepts a personal access token (x-sumvin-pat) only.")]
    PatRequired,
    #[error("This operation accepts a signed-in user's session JWT (x-juno-jwt) only.")]
    JwtRequired,
    /// `GET /v0/user/me` lists only `JunoJWT` under `security`, and only `401` among its errors.
    #[error("The user profile needs a signed-in user's session JWT (x-juno-jwt or Authorization: Bearer).")]
    UserJwtRequired,
    #[error("No KYC verification found for this user. Create the applicant first.")]
    NoApplicant,
    #[error("No document image with ID {0} for this user.")]
    ImageNotFound(String),
    #[error("No verification session matches this ticket. Start a new session.")]
    TicketUnknown,
    #[error("Send the session ticket in the x-sumvin-kyc-ticket header.")]
    TicketMissing,
    #[error("This verification session's ticket was already redeemed. Start a new session.")]
    TicketSpent,
    #[error("This verification session's ticket has expired. Start a new session.")]
    TicketExpired,
    #[error("This ticket belongs to another user; sign in as the user who started the session.")]
    TicketForeign,
    #[error("Verification is under review; documents cannot change until it is decided.")]
    UnderReview,
    #[error("Identity is already verified.")]
    AlreadyApproved,
    #[error("Verification was rejected; the rejection is final.")]
    RejectedFinal,
    #[error("KYC must be approved before its data can be shared.")]
    NotApproved,
    #[error("Required documents are missing for: {0}.")]
    DocumentsMissing(String),
    #[error("Expected a multipart/form-data body: {0}")]
    MalformedUpload(String),
    #[error("Unsupported file type{0}; upload a JPEG, PNG, HEIC or PDF file.")]
    UnsupportedFile(String),
    #[error("The uploaded file is empty.")]
    EmptyFile,
    #[error("{0}")]
    UnknownScenario(String),
    #[error("Request body exceeds the {limit} bytes allowed.")]
    TooLarge { limit: usize },
    #[error("Request body could not be read: {0}")]
    Unreadable(String),
    #[error("The request body did not arrive in time: {0}.")]
    RequestTimeout(String),
    #[error("request validation failed")]
    Validation(Vec<Issue>),
    #[error("{0}")]
    StorageFull(#[from] StorageFull),
    /// Anything the HTTP layer refused on its own, kept in Sumvin's envelope.
    #[error("{detail}")]
    Unexpected { status: StatusCode, detail: String },
    /// An injected fault (`core::faults`): a rate limit or an outage, with the KYC service's
    /// codes for them.
    #[error("{detail}")]
    Outage { status: StatusCode, detail: String },
}

impl From<BodyError> for SumvinError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge { limit } => SumvinError::TooLarge { limit },
            BodyError::Incomplete(why) => SumvinError::Unreadable(why),
            timeout @ BodyError::TimedOut { .. } => {
                SumvinError::RequestTimeout(timeout.to_string())
            }
        }
    }
}

impl SumvinError {
    fn meta(&self) -> (StatusCode, &'static str, &'static str) {
        use SumvinError::*;
        match self {
            Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "USR-401-001",
                "Authentication Required",
            ),
            PatRequired => (
                StatusCode::FORBIDDEN,
                "KYC-403-001",
                "Personal Access Token Required",
            ),
            JwtRequired => (
                StatusCode::FORBIDDEN,
                "KYC-403-002",
                "User Session Required",
            ),
            UserJwtRequired => (
                StatusCode::UNAUTHORIZED,
                "USR-401-002",
                "User Session Required",
            ),
            TicketForeign => (
                StatusCode::FORBIDDEN,
                "KYC-403-003",
                "KYC Session Belongs To Another User",
            ),
            NoApplicant => (StatusCode::NOT_FOUND, "KYC-404-001", "KYC Not Found"),
            ImageNotFound(_) => (
                StatusCode::NOT_FOUND,
                "KYC-404-002",
                "KYC Document Image Not Found",
            ),
            TicketUnknown => (
                StatusCode::NOT_FOUND,
                "KYC-404-002",
                "KYC Session Not Found",
            ),
            TicketMissing => (
                StatusCode::BAD_REQUEST,
                "KYC-400-001",
                "KYC Session Ticket Missing",
            ),
            MalformedUpload(_) => (StatusCode::BAD_REQUEST, "KYC-400-002", "Malformed Upload"),
            UnsupportedFile(_) => (
                StatusCode::BAD_REQUEST,
                "KYC-400-003",
                "Unsupported File Type",
            ),
            EmptyFile => (StatusCode::BAD_REQUEST, "KYC-400-004", "Empty File"),
            UnknownScenario(_) => (
                StatusCode::BAD_REQUEST,
                "KYC-400-005",
                "Unknown Sandbox Scenario",
            ),
            UnderReview => (StatusCode::CONFLICT, "KYC-409-001", "KYC Under Review"),
            AlreadyApproved => (StatusCode::CONFLICT, "KYC-409-002", "KYC Already Approved"),
            RejectedFinal => (StatusCode::CONFLICT, "KYC-409-003", "KYC Rejected"),
            DocumentsMissing(_) => (
                StatusCode::CONFLICT,
                "KYC-409-004",
                "Required Documents Missing",
            ),
            TicketSpent => (
                StatusCode::CONFLICT,
                "KYC-409-005",
                "KYC Session Already Redeemed",
            ),
            NotApproved => (StatusCode::CONFLICT, "KYC-409-006", "KYC Not Approved"),
            TicketExpired => (StatusCode::GONE, "KYC-410-001", "KYC Session Expired"),
            TooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "GEN-400-001",
                "Payload Too Large",
            ),
            Unreadable(_) => (StatusCode::BAD_REQUEST, "GEN-400-001", "Bad Request"),
            RequestTimeout(_) => (
                StatusCode::REQUEST_TIMEOUT,
                "GEN-400-001",
                "Request Timeout",
            ),
            Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "KYC-422-001",
                "Validation Error",
            ),
            StorageFull(_) => (
                StatusCode::INSUFFICIENT_STORAGE,
                "GEN-507-001",
                "Insufficient Storage",
            ),
            Unexpected { status, .. } if status.is_server_error() => {
                (*status, "GEN-500-001", "Internal Server Error")
            }
            Unexpected { status, .. } => (*status, "GEN-400-001", "Bad Request"),
            Outage { status, .. } => match status.as_u16() {
                429 => (*status, "KYC-429-001-R", "Too Many Requests"),
                502 => (*status, "KYC-502-001", "Bad Gateway"),
                503 => (*status, "KYC-503-001", "Service Unavailable"),
                504 => (*status, "KYC-503-001", "Gateway Timeout"),
                _ => (*status, "SYS-500-001-R", "Internal Server Error"),
            },
        }
    }

    /// The next action that clears the refusal, as Sumvin's `Affordance`.
    fn affordances(&self) -> Option<Value> {
        let (rel, href, method, description) = match self {
            SumvinError::NoApplicant => (
                "applicant",
                "/v0/kyc/applicant",
                "POST",
                "create the KYC applicant",
            ),
            SumvinError::DocumentsMissing(_) => (
                "required",
                "/v0/kyc/documents/required",
                "GET",
                "see which document steps still need an upload",
            ),
            SumvinError::TicketUnknown | SumvinError::TicketSpent | SumvinError::TicketExpired => (
                "sessions",
                "/v0/kyc/sessions",
                "POST",
                "start a new verification session",
            ),
            _ => return None,
        };
        Some(json!({rel: {"rel": rel, "href": href, "method": method, "description": description}}))
    }

    /// The body for a request to `instance` (the path as the client addressed Sumvin).
    pub fn body(&self, instance: &str) -> Value {
        if let SumvinError::Validation(issues) = self {
            return json!({"detail": issues.iter().map(Issue::to_json).collect::<Vec<_>>()});
        }
        let (status, code, title) = self.meta();
        let mut body = json!({
            "type": format!("https://api.sumvin.com/errors/{}", code.to_ascii_lowercase()),
            "title": title,
            "status": status.as_u16(),
            "detail": self.to_string(),
            "instance": instance,
            "error_code": code,
        });
        if let Some(links) = self.affordances() {
            body["_links"] = links;
        }
        body
    }
}

impl ResponseError for SumvinError {
    fn status_code(&self) -> StatusCode {
        self.meta().0
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(self.body(""))
    }
}

impl ProblemAt for SumvinError {
    const MOUNT: &'static str = MOUNT;

    fn unexpected(status: StatusCode, detail: String) -> Self {
        SumvinError::Unexpected { status, detail }
    }

    fn fault(status: StatusCode, detail: String) -> Self {
        SumvinError::Outage { status, detail }
    }

    fn render_at(&self, instance: &str) -> HttpResponse {
        HttpResponse::build(self.status_code()).json(self.body(instance))
    }
}

/// FastAPI's answers for paths and methods it has no route for.
pub async fn route_not_found() -> HttpResponse {
    HttpResponse::NotFound().json(json!({"detail": "Not Found"}))
}

pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().json(json!({"detail": "Method Not Allowed"}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_detail_has_the_six_required_fields() {
        let body = SumvinError::NoApplicant.body("/v0/kyc/details");
        for field in [
            "type",
            "title",
            "status",
            "detail",
            "instance",
            "error_code",
        ] {
            assert!(body.get(field).is_some(), "{field} missing in {body}");
        }
        assert_eq!(body["type"], "https://api.sumvin.com/errors/kyc-404-001");
        assert_eq!(body["_links"]["applicant"]["method"], "POST");
    }

    #[test]
    fn validation_is_fastapi_shaped() {
        let body = SumvinError::Validation(vec![Issue::missing("body", "country")]).body("/x");
        assert_eq!(
            body,
            json!({"detail": [{"type": "missing", "loc": ["body", "country"], "msg": "Field required", "input": null}]})
        );
    }
}
