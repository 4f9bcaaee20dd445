//! Sumvin's wire format: HAL links, epoch-millisecond or ISO 8601 timestamps, query parsing.

use actix_web::body::BoxBody;
use actix_web::http::header::HeaderName;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, Responder};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::errors::{Issue, SumvinError};
use crate::core::http::header_str;
use crate::core::json_out::{self, ObjectWriter, Rendered, RenderedBody};

const TIMESTAMP_FORMAT: HeaderName = HeaderName::from_static("x-timestamp-format");

/// The fields of a `_links` object from `(rel, href, method, description)` rows, each a HAL
/// link `{href, method, templated, description}`.
pub fn link_fields(o: &mut ObjectWriter, rows: &[(&str, &str, &str, &str)]) {
    for (rel, href, method, description) in rows {
        o.object(rel, |o| {
            o.field("href", href)
                .field("method", method)
                .field("templated", &false)
                .field("description", description);
        });
    }
}

/// A `_links` object, for bodies assembled as a `Value`.
pub fn links(rows: &[(&str, &str, &str, &str)]) -> Value {
    json_out::object(|o| link_fields(o, rows)).to_value()
}

pub fn epoch_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub fn epoch_ms_opt(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| json!(epoch_ms(t)))
}

/// A JSON response whose timestamps follow the request's `X-Timestamp-Format`: a `Value` body
/// has them rewritten on the way out; a rendered one was written with them (`Timestamps`).
pub struct Hal {
    status: StatusCode,
    body: HalBody,
}

pub enum HalBody {
    Value(Value),
    Rendered(Rendered),
    /// Kept from an earlier render of the same request (`core::read_cache`).
    Kept(Bytes),
}

impl From<Bytes> for HalBody {
    fn from(body: Bytes) -> Self {
        HalBody::Kept(body)
    }
}

impl From<Value> for HalBody {
    fn from(body: Value) -> Self {
        HalBody::Value(body)
    }
}

impl From<Rendered> for HalBody {
    fn from(body: Rendered) -> Self {
        HalBody::Rendered(body)
    }
}

impl Hal {
    pub fn ok(body: impl Into<HalBody>) -> Self {
        Hal {
            status: StatusCode::OK,
            body: body.into(),
        }
    }

    pub fn created(body: impl Into<HalBody>) -> Self {
        Hal {
            status: StatusCode::CREATED,
            body: body.into(),
        }
    }
}

impl Responder for Hal {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        match self.body {
            HalBody::Value(mut body) => {
                if Timestamps::of(req) == Timestamps::Iso8601 {
                    iso8601_timestamps(&mut body);
                }
                response.json(body)
            }
            HalBody::Rendered(body) => response.rendered(body),
            HalBody::Kept(body) => response.kept(body),
        }
    }
}

/// How a request wants timestamps: epoch milliseconds, or with `X-Timestamp-Format: iso8601`,
/// `YYYY-MM-DDTHH:MM:SSZ`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timestamps {
    EpochMs,
    Iso8601,
}

impl Timestamps {
    pub fn of(req: &HttpRequest) -> Timestamps {
        let iso =
            header_str(req, TIMESTAMP_FORMAT).is_some_and(|v| v.eq_ignore_ascii_case("iso8601"));
        if iso {
            Timestamps::Iso8601
        } else {
            Timestamps::EpochMs
        }
    }

    /// `key` with `t` in this format, or `null`.
    pub fn field(self, o: &mut ObjectWriter, key: &str, t: Option<DateTime<Utc>>) {
        match (t, self) {
            (None, _) => o.null(key),
            (Some(t), Timestamps::EpochMs) => o.field(key, &epoch_ms(t)),
            (Some(t), Timestamps::Iso8601) => o.display(key, t.format(ISO8601)),
        };
    }
}

const ISO8601: &str = "%Y-%m-%dT%H:%M:%SZ";

fn is_timestamp_field(name: &str) -> bool {
    name.ends_with("_at") || matches!(name, "timestamp" | "period_start" | "period_end")
}

/// Rewrites, recursively, every integer timestamp field to `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso8601_timestamps(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                match field.as_i64() {
                    Some(ms) if is_timestamp_field(key) => {
                        if let Some(t) = DateTime::<Utc>::from_timestamp_millis(ms) {
                            *field = json!(t.format(ISO8601).to_string());
                        }
                    }
                    _ => iso8601_timestamps(field),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(iso8601_timestamps),
        _ => {}
    }
}

/// A query parameter's raw value (the last one wins, as in Starlette), URL-decoded.
pub use crate::core::http::query_param;

/// Pydantic's lax boolean: true/false, 1/0, yes/no, on/off, t/f, y/n.
pub fn parse_bool(place: &str, name: &str, raw: &str) -> Result<bool, Issue> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Ok(true),
        "false" | "0" | "no" | "off" | "f" | "n" => Ok(false),
        _ => Err(Issue::new(
            "bool_parsing",
            place,
            name,
            "Input should be a valid boolean, unable to interpret input",
            json!(raw),
        )),
    }
}

/// `?refresh=` as the spec declares it (boolean, default false).
pub fn refresh_param(req: &HttpRequest) -> Result<bool, SumvinError> {
    match query_param(req, "refresh") {
        None => Ok(false),
        Some(raw) => {
            parse_bool("query", "refresh", &raw).map_err(|i| SumvinError::Validation(vec![i]))
        }
    }
}

/// Pydantic's message for a value outside an enum: `Input should be 'a', 'b' or 'c'`.
pub fn enum_issue(place: &str, field: &str, allowed: &[&str], input: Value) -> Issue {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
    let expected = match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    };
    Issue::new(
        "enum",
        place,
        field,
        format!("Input should be {expected}"),
        input,
    )
    .with_ctx(json!({"expected": expected}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_transform_is_recursive_and_selective() {
        let mut v = json!({
            "verified_at": 1704067200000i64,
            "rejected_at": null,
            "expires_in": 600,
            "documents": [{"submitted_at": 1704067200999i64, "image_ids": ["1"]}],
            "nested": {"timestamp": 0, "period_start": 1704067200000i64, "count_at_x": 5}
        });
        iso8601_timestamps(&mut v);
        assert_eq!(v["verified_at"], "2024-01-01T00:00:00Z");
        assert_eq!(v["rejected_at"], Value::Null);
        assert_eq!(v["expires_in"], 600);
        assert_eq!(v["documents"][0]["submitted_at"], "2024-01-01T00:00:00Z");
        assert_eq!(v["nested"]["timestamp"], "1970-01-01T00:00:00Z");
        assert_eq!(v["nested"]["period_start"], "2024-01-01T00:00:00Z");
        assert_eq!(v["nested"]["count_at_x"], 5);
    }

    #[test]
    fn lax_booleans() {
        assert_eq!(parse_bool("query", "refresh", "TRUE"), Ok(true));
        assert_eq!(parse_bool("query", "refresh", "0"), Ok(false));
        assert_eq!(
            parse_bool("query", "refresh", "maybe").unwrap_err().kind,
            "bool_parsing"
        );
    }

    #[test]
    fn enum_messages_read_like_pydantic() {
        let issue = enum_issue("query", "level", &["liveness", "passport"], json!("x"));
        assert_eq!(issue.msg, "Input should be 'liveness' or 'passport'");
    }
}
