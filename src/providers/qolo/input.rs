//! Reading Qolo request bodies the way an ASP.NET Core model binder does: unknown fields are
//! ignored, `null` means unset, and every field that is the wrong type or breaks its rule gets
//! its own entry in `errors`, keyed by its JSON path. Nothing is written until a body passed.

use actix_web::{web, HttpRequest};
use chrono::{DateTime, NaiveDate};
use serde_json::{Map, Value};

use super::errors::{FieldErrors, QoloError};
use crate::core::http::{body_limit, decode_json, media_type, read_body};
use crate::core::validate::is_email;

/// What a field must hold.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// A string of at most this many characters (and at least `min`).
    Text {
        min: usize,
        max: usize,
    },
    /// `yyyy-MM-dd` (a date-time is accepted and cut to its date, as ASP.NET binds `DateTime`).
    Date,
    DateTime,
    Email,
    Phone,
    /// ISO 3166-1 alpha-3 (`USA`), stored uppercase.
    Country3,
    Bool,
    Number,
    Uuid,
    Ip,
    OneOf(&'static [&'static str]),
    /// Base64 bytes (a document image).
    Base64,
    /// `{string: string}`.
    StringMap,
    /// An array of strings, each at most this long.
    Texts {
        max: usize,
    },
    /// An object with these fields.
    Object(&'static [(&'static str, Rule)]),
    /// An array of objects with these fields.
    Objects(&'static [(&'static str, Rule)]),
}

pub const ADDRESS: &[(&str, Rule)] = &[
    ("address_line1", Rule::Text { min: 0, max: 48 }),
    ("address_line2", Rule::Text { min: 0, max: 48 }),
    ("city", Rule::Text { min: 0, max: 30 }),
    ("state", Rule::Text { min: 2, max: 30 }),
    ("postal_code", Rule::Text { min: 0, max: 10 }),
    ("country", Rule::Country3),
];

/// `govt_id_type`: Qolo's sample shows `NOTPROVIDED`; the rest are the sandbox's (README).
pub const GOVT_ID_TYPES: &[&str] = &[
    "NOTPROVIDED",
    "SSN",
    "ITIN",
    "PASSPORT",
    "DRIVERS_LICENSE",
    "NATIONAL_ID",
    "OTHER",
];

pub const IDENTIFICATION: &[(&str, Rule)] = &[
    ("govt_id_type", Rule::OneOf(GOVT_ID_TYPES)),
    ("govt_id_number", Rule::Text { min: 0, max: 30 }),
];

/// `contact_type`, as Qolo's SearchPerson lists it.
pub const CONTACT_TYPES: &[&str] = &[
    "INDIVIDUAL",
    "INVENTORYMANAGER",
    "CORPORATE",
    "PROGRAMPERSON",
    "UBODIRECTOR",
];

/// The writable fields of Qolo's `PersonDTO`.
pub const PERSON: &[(&str, Rule)] = &[
    ("title", Rule::Text { min: 0, max: 10 }),
    ("first_name", Rule::Text { min: 0, max: 32 }),
    ("middle_name", Rule::Text { min: 0, max: 32 }),
    ("last_name", Rule::Text { min: 0, max: 32 }),
    ("birth_date", Rule::Date),
    ("email", Rule::Email),
    ("mobile_number", Rule::Phone),
    ("home_number", Rule::Phone),
    ("office_number", Rule::Phone),
    ("base_address", Rule::Object(ADDRESS)),
    ("mailing_address", Rule::Object(ADDRESS)),
    ("billing_address", Rule::Object(ADDRESS)),
    ("nationality", Rule::Country3),
    ("ip_address", Rule::Ip),
    ("client_reference_id", Rule::Text { min: 0, max: 50 }),
    ("additional_data", Rule::StringMap),
    ("identifications", Rule::Objects(IDENTIFICATION)),
    ("contact_type", Rule::OneOf(CONTACT_TYPES)),
    ("market_notification_optin", Rule::Bool),
    ("market_notification_optin_date", Rule::DateTime),
    ("address_lat", Rule::Number),
    ("address_lon", Rule::Number),
];

/// Collects every bad field of one body.
#[derive(Debug, Default)]
pub struct Checks {
    errors: FieldErrors,
}

impl Checks {
    pub fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.errors
            .entry(path.to_owned())
            .or_default()
            .push(message.into());
    }

    /// `Err` with every collected error, if any.
    pub fn finish(self) -> Result<(), QoloError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(QoloError::Validation(self.errors))
        }
    }

    /// ASP.NET's message for a JSON value of the wrong type at `path`.
    fn type_error(&mut self, path: &str, target: &str) {
        self.fail(
            path,
            format!("The JSON value could not be converted to {target}. Path: $.{path}"),
        );
    }

    /// The fields of `object` that `rules` name, checked and normalized; unset (`null`) and
    /// unknown fields are left out.
    pub fn read(
        &mut self,
        object: &Map<String, Value>,
        prefix: &str,
        rules: &[(&str, Rule)],
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (name, rule) in rules {
            let Some(value) = object.get(*name).filter(|v| !v.is_null()) else {
                continue;
            };
            let path = join(prefix, name);
            if let Some(value) = self.check(&path, value, *rule) {
                out.insert((*name).to_owned(), value);
            }
        }
        out
    }

    /// The object at `path`, or an error if the value is anything else.
    pub fn object<'v>(&mut self, path: &str, value: &'v Value) -> Option<&'v Map<String, Value>> {
        let object = value.as_object();
        if object.is_none() {
            self.fail(
                path,
                format!("The {} field must be a JSON object.", leaf(path)),
            );
        }
        object
    }

    /// A required field: an error names it when it is missing or empty.
    pub fn require(&mut self, fields: &Map<String, Value>, prefix: &str, name: &str) {
        let missing = match fields.get(name) {
            None => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(_) => false,
        };
        let path = join(prefix, name);
        if missing && !self.errors.contains_key(&path) {
            self.fail(&path, format!("The {name} field is required."));
        }
    }

    fn check(&mut self, path: &str, value: &Value, rule: Rule) -> Option<Value> {
        let name = leaf(path);
        let text = |checks: &mut Self| -> Option<String> {
            match value {
                Value::String(s) => Some(s.trim().to_owned()),
                _ => {
                    checks.type_error(path, "System.String");
                    None
                }
            }
        };
        match rule {
            Rule::Text { min, max } => {
                let s = text(self)?;
                let length = s.chars().count();
                if length > max || (length < min && length > 0) {
                    let range = if min > 0 {
                        format!("between {min} and {max}")
                    } else {
                        format!("at most {max}")
                    };
                    self.fail(path, format!("The field {name} must be a string with a length of {range} characters."));
                    return None;
                }
                Some(Value::String(s))
            }
            Rule::Date => {
                let s = text(self)?;
                let date = NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .ok()
                    .or_else(|| {
                        DateTime::parse_from_rfc3339(&s)
                            .ok()
                            .map(|d| d.date_naive())
                    })
                    .or_else(|| {
                        chrono::NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S")
                            .ok()
                            .map(|d| d.date())
                    });
                match date {
                    Some(d) => Some(Value::String(d.format("%Y-%m-%d").to_string())),
                    None => {
                        self.fail(
                            path,
                            format!("The {name} field must be a date (yyyy-MM-dd)."),
                        );
                        None
                    }
                }
            }
            Rule::DateTime => {
                let s = text(self)?;
                match DateTime::parse_from_rfc3339(&s) {
                    Ok(d) => Some(Value::String(
                        d.with_timezone(&chrono::Utc)
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    )),
                    Err(_) => {
                        self.fail(
                            path,
                            format!("The {name} field must be a date-time (2019-08-24T14:15:22Z)."),
                        );
                        None
                    }
                }
            }
            Rule::Email => {
                let s = text(self)?;
                if !is_email(&s) {
                    self.fail(
                        path,
                        format!("The {name} field is not a valid e-mail address."),
                    );
                    return None;
                }
                Some(Value::String(s))
            }
            Rule::Phone => {
                let s = text(self)?;
                let digits = s.chars().filter(char::is_ascii_digit).count();
                let allowed = s
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
                if !allowed || !(7..=15).contains(&digits) {
                    self.fail(
                        path,
                        format!("The {name} field is not a valid phone number."),
                    );
                    return None;
                }
                Some(Value::String(s))
            }
            Rule::Country3 => {
                let s = text(self)?.to_ascii_uppercase();
                if s.len() != 3 || celes::Country::from_alpha3(&s).is_err() {
                    self.fail(
                        path,
                        format!(
                            "The {name} field must be an ISO 3166-1 alpha-3 country code (USA)."
                        ),
                    );
                    return None;
                }
                Some(Value::String(s))
            }
            Rule::Bool => {
                if value.is_boolean() {
                    Some(value.clone())
                } else {
                    self.type_error(path, "System.Boolean");
                    None
                }
            }
            Rule::Number => {
                if value.is_number() {
                    Some(value.clone())
                } else {
                    self.type_error(path, "System.Double");
                    None
                }
            }
            Rule::Uuid => {
                let s = text(self)?;
                match uuid::Uuid::parse_str(&s) {
                    Ok(u) => Some(Value::String(u.hyphenated().to_string())),
                    Err(_) => {
                        self.type_error(path, "System.Guid");
                        None
                    }
                }
            }
            Rule::Ip => {
                let s = text(self)?;
                if s.parse::<std::net::IpAddr>().is_err() {
                    self.fail(path, format!("The {name} field is not a valid IP address."));
                    return None;
                }
                Some(Value::String(s))
            }
            Rule::OneOf(allowed) => {
                let s = text(self)?.to_ascii_uppercase();
                if !allowed.contains(&s.as_str()) {
                    self.fail(
                        path,
                        format!("The {name} field must be one of: {}.", allowed.join(", ")),
                    );
                    return None;
                }
                Some(Value::String(s))
            }
            Rule::Base64 => {
                let s = text(self)?;
                use base64::Engine;
                let cleaned: String = s
                    .split_once("base64,")
                    .map_or(s.as_str(), |(_, b)| b)
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                match base64::engine::general_purpose::STANDARD.decode(&cleaned) {
                    Ok(bytes) if !bytes.is_empty() => Some(Value::String(cleaned)),
                    _ => {
                        self.fail(path, format!("The {name} field is not valid base64."));
                        None
                    }
                }
            }
            Rule::StringMap => {
                let map = self.object(path, value)?;
                let mut out = Map::new();
                for (key, v) in map {
                    match v {
                        Value::String(s) => {
                            out.insert(key.clone(), Value::String(s.clone()));
                        }
                        _ => self.type_error(&join(path, key), "System.String"),
                    }
                }
                Some(Value::Object(out))
            }
            Rule::Texts { max } => {
                let Some(items) = value.as_array() else {
                    self.type_error(path, "a list");
                    return None;
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(s) if s.chars().count() <= max => {
                            out.push(Value::String(s.to_owned()))
                        }
                        _ => self.fail(
                            &format!("{path}[{i}]"),
                            format!("Each {name} must be a string of at most {max} characters."),
                        ),
                    }
                }
                Some(Value::Array(out))
            }
            Rule::Object(fields) => {
                let map = self.object(path, value)?;
                Some(Value::Object(self.read(map, path, fields)))
            }
            Rule::Objects(fields) => {
                let Some(items) = value.as_array() else {
                    self.type_error(path, "a list");
                    return None;
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let item_path = format!("{path}[{i}]");
                    if let Some(map) = self.object(&item_path, item) {
                        out.push(Value::Object(self.read(map, &item_path, fields)));
                    }
                }
                Some(Value::Array(out))
            }
        }
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn leaf(path: &str) -> &str {
    let last = path.rsplit('.').next().unwrap_or(path);
    last.split('[').next().unwrap_or(last)
}

/// The request's JSON object body; a body declared as another type is `415`, anything that is
/// not a JSON object a 400 on `$`.
pub async fn json_object(
    req: &HttpRequest,
    payload: &mut web::Payload,
) -> Result<Map<String, Value>, QoloError> {
    if media_type(req).is_some_and(|t| t != "application/json" && !t.ends_with("+json")) {
        return Err(QoloError::UnsupportedMediaType);
    }
    let bytes = read_body(req, payload, body_limit(req)).await?;
    let value: Value = decode_json(&bytes)
        .map_err(|e| QoloError::field("$", format!("The request body is not valid JSON: {e}")))?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(QoloError::field(
            "$",
            "The request body must be a JSON object.",
        )),
    }
}

/// An error map from field names, for tests.
#[cfg(test)]
pub fn fields(errors: &FieldErrors) -> Vec<&str> {
    errors.keys().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_bad_field_is_reported_and_good_ones_normalized() {
        let body = json!({
            "first_name": 42,
            "last_name": "x".repeat(33),
            "birth_date": "1990-02-31",
            "email": "nope",
            "nationality": "usa",
            "base_address": {"country": "US", "city": "Austin"},
            "identifications": [{"govt_id_type": "ssn", "govt_id_number": "123456789"}, "x"],
            "unknown": true,
            "middle_name": null,
        });
        let mut checks = Checks::default();
        let read = checks.read(body.as_object().unwrap(), "person_details", PERSON);
        let Err(QoloError::Validation(errors)) = checks.finish() else {
            panic!()
        };
        assert_eq!(
            fields(&errors),
            [
                "person_details.base_address.country",
                "person_details.birth_date",
                "person_details.email",
                "person_details.first_name",
                "person_details.identifications[1]",
                "person_details.last_name",
            ]
        );
        assert_eq!(read["nationality"], "USA");
        assert_eq!(read["identifications"][0]["govt_id_type"], "SSN");
        assert!(!read.contains_key("unknown") && !read.contains_key("middle_name"));
    }
}
