//! Request bodies as KYCAID accepts them (JSON or `application/x-www-form-urlencoded`), and the
//! field rules every resource validates them with, so each bad field gets its own 422 entry.

use actix_web::{web, HttpRequest};
use chrono::{NaiveDate, NaiveDateTime};
use serde_json::{Map, Number, Value};

use super::errors::{FieldError, KycaidError};
use crate::core::fields::Fields;
use crate::core::http::{body_limit, decode_json, media_type, read_body, JsonError};
use crate::core::validate::is_email;

/// A parsed body: JSON values, or the strings of a form (which rules then read leniently).
pub struct Input {
    pub fields: Fields,
    pub from_form: bool,
}

impl Input {
    pub fn empty() -> Self {
        Input {
            fields: Fields::new(),
            from_form: false,
        }
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }
}

pub async fn read_input(
    req: &HttpRequest,
    payload: &mut web::Payload,
) -> Result<Input, KycaidError> {
    let body = read_body(req, payload, body_limit(req)).await?;
    parse_input(media_type(req).as_deref(), &body)
}

pub fn parse_input(media_type: Option<&str>, body: &[u8]) -> Result<Input, KycaidError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Input::empty());
    }
    match media_type {
        Some("application/x-www-form-urlencoded") => parse_form(body),
        None | Some("application/json") | Some("text/plain") => parse_json(body),
        Some(other) if other.ends_with("+json") => parse_json(body),
        Some(other) => Err(KycaidError::UnsupportedMediaType(other.to_owned())),
    }
}

fn parse_json(body: &[u8]) -> Result<Input, KycaidError> {
    match decode_json::<Fields>(body) {
        Ok(fields) => Ok(Input {
            fields,
            from_form: false,
        }),
        Err(JsonError::Syntax { message, .. }) => {
            Err(KycaidError::bad_body(format!("Malformed JSON: {message}")))
        }
        // Any value is accepted inside the object, so only the root can have the wrong shape.
        Err(JsonError::Shape { .. }) => {
            Err(KycaidError::bad_body("Request body must be a JSON object"))
        }
    }
}

/// `a=1&list[]=x&list[]=y` (or a repeated `list=`) becomes `{"a": "1", "list": ["x", "y"]}`.
fn parse_form(body: &[u8]) -> Result<Input, KycaidError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|e| KycaidError::bad_body(format!("Malformed form body: {e}")))?;
    let mut fields = Fields::new();
    for (key, value) in pairs {
        let (key, listed) = match key.strip_suffix("[]") {
            Some(k) => (k.to_owned(), true),
            None => (key, false),
        };
        match fields.get_mut(&key) {
            Some(Value::Array(items)) => items.push(Value::String(value)),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value)]);
            }
            None if listed => {
                fields.insert(key, Value::Array(vec![Value::String(value)]));
            }
            None => {
                fields.insert(key, Value::String(value));
            }
        }
    }
    Ok(Input {
        fields,
        from_form: true,
    })
}

/// What a field holds and the rule it is checked by.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text {
        min: usize,
        max: usize,
    },
    /// A person's name: `^[a-zA-Z ,.'-]{1,64}$` plus letters of any script.
    Name,
    /// Exactly two letters, stored uppercase (ISO 3166-1 alpha-2).
    Country,
    /// One of KYCAID's 36-character lowercase hex ids.
    Id,
    Email,
    /// 1..15 characters, as KYCAID's reference defines `phone`: digits with the usual
    /// formatting (`+`, spaces, `-`, `(`, `)`, `.`).
    Phone,
    Date,
    DateTime,
    Bool,
    Number,
    /// A number from 0 to 100.
    Percent,
    Enum(&'static [&'static str]),
    EnumList(&'static [&'static str]),
    /// A list of strings (one string from a form); values the sandbox does not know are kept,
    /// for the handler to ignore, as KYCAID ignores legacy values.
    TextList,
    Url,
}

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub name: &'static str,
    pub kind: Kind,
    /// How messages name the field; derived from `name` when empty (`first_name` → "First name").
    pub label: &'static str,
}

pub const fn rule(name: &'static str, kind: Kind) -> Rule {
    Rule {
        name,
        kind,
        label: "",
    }
}

pub const fn text(name: &'static str, max: usize) -> Rule {
    rule(name, Kind::Text { min: 1, max })
}

impl Rule {
    pub const fn labelled(self, label: &'static str) -> Rule {
        Rule { label, ..self }
    }

    pub fn label(&self) -> String {
        label_of(self.name, self.label)
    }
}

pub fn label_of(name: &str, label: &str) -> String {
    if !label.is_empty() {
        return label.to_owned();
    }
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => spaced,
    }
}

pub fn is_id(s: &str) -> bool {
    s.len() == 36
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn is_name(s: &str) -> bool {
    let count = s.chars().count();
    (1..=64).contains(&count)
        && s.chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | ',' | '.' | '\'' | '’' | '-'))
}

fn is_phone(s: &str) -> bool {
    (1..=15).contains(&s.chars().count())
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b' ' | b'-' | b'(' | b')' | b'.'))
}

/// Collects every bad field of a request, so the 422 lists them all.
#[derive(Debug, Default)]
pub struct Checks {
    pub errors: Vec<FieldError>,
}

impl Checks {
    pub fn fail(&mut self, parameter: impl Into<String>, message: impl Into<String>) {
        let parameter = parameter.into();
        if !self.errors.iter().any(|e| e.parameter == parameter) {
            self.errors.push(FieldError::new(parameter, message));
        }
    }

    pub fn finish(self) -> Result<(), KycaidError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(KycaidError::Validation(self.errors))
        }
    }

    /// The fields of `rules` present in `input`, normalized (`null` clears a field); bad ones are
    /// recorded and left out.
    pub fn read<'r>(
        &mut self,
        input: &Input,
        rules: impl IntoIterator<Item = &'r Rule>,
    ) -> Map<String, Value> {
        collect(rules, |rule| self.read_one(input, rule))
    }

    /// Like [`Checks::read`], moving the values out of `input` (left `null` there) rather than
    /// copying them: for a body read once.
    pub fn take<'r>(
        &mut self,
        input: &mut Input,
        rules: impl IntoIterator<Item = &'r Rule>,
    ) -> Map<String, Value> {
        collect(rules, |rule| self.take_one(input, rule))
    }

    /// The field of `rule`, normalized, if `input` has it; a bad one is recorded and left out.
    pub fn read_one(&mut self, input: &Input, rule: &Rule) -> Option<Value> {
        let raw = input
            .get(rule.name)
            .filter(|raw| given(input.from_form, raw))?;
        self.normalized(rule, raw.clone(), input.from_form)
    }

    fn take_one(&mut self, input: &mut Input, rule: &Rule) -> Option<Value> {
        let from_form = input.from_form;
        let raw = input
            .fields
            .get_mut(rule.name)
            .filter(|raw| given(from_form, raw))?;
        self.normalized(rule, raw.take(), from_form)
    }

    fn normalized(&mut self, rule: &Rule, raw: Value, from_form: bool) -> Option<Value> {
        normalize(rule, raw, from_form)
            .map_err(|message| self.fail(rule.name, format!("{} {message}", rule.label())))
            .ok()
    }

    /// Records `{Label} is required` unless `values` holds a non-null `name`.
    pub fn require(&mut self, values: &Map<String, Value>, rule: &Rule) {
        self.require_value(values.get(rule.name), rule);
    }

    /// Records `{Label} is required` unless `value` is given and not null; an absent enum (a
    /// `type`) is `{Label} is not valid`, as the real API answers a missing `type`.
    pub fn require_value(&mut self, value: Option<&Value>, rule: &Rule) {
        if value.is_none_or(Value::is_null) {
            let problem = match rule.kind {
                Kind::Enum(_) => "is not valid",
                _ => "is required",
            };
            self.fail(rule.name, format!("{} {problem}", rule.label()));
        }
    }
}

/// A form's empty value is a parameter without a value (Faraday sends nil ones as bare keys):
/// not given, rather than cleared.
fn given(from_form: bool, raw: &Value) -> bool {
    !(from_form && raw.as_str() == Some(""))
}

/// Each rule's value that `one` gives, under the rule's name.
fn collect<'r>(
    rules: impl IntoIterator<Item = &'r Rule>,
    mut one: impl FnMut(&Rule) -> Option<Value>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for rule in rules {
        if let Some(value) = one(rule) {
            out.insert(rule.name.to_owned(), value);
        }
    }
    out
}

/// `s` without surrounding whitespace, in its own buffer when there is none to remove.
fn trimmed(s: String) -> String {
    match s.trim() {
        t if t.len() == s.len() => s,
        t => t.to_owned(),
    }
}

/// A form sends every value as text: an empty one means "not given".
fn normalize(rule: &Rule, raw: Value, from_form: bool) -> Result<Value, String> {
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let text = |raw: Value| -> Result<String, String> {
        match raw {
            Value::String(s) => Ok(trimmed(s)),
            _ => Err("must be a string".to_owned()),
        }
    };
    match rule.kind {
        Kind::Text { min, max } => {
            let s = text(raw)?;
            let n = s.chars().count();
            if min > 1 && (n < min || n > max) {
                return Err(format!("must be between {min} and {max} characters"));
            }
            if n > max {
                return Err(format!("must be at most {max} characters"));
            }
            if n < min {
                return Err("must not be empty".to_owned());
            }
            Ok(Value::String(s))
        }
        Kind::Name => {
            let s = text(raw)?;
            if is_name(&s) {
                Ok(Value::String(s))
            } else {
                Err("is not valid".into())
            }
        }
        Kind::Country => {
            let s = text(raw)?;
            if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
                Ok(Value::String(s.to_ascii_uppercase()))
            } else {
                Err("is not valid".into())
            }
        }
        Kind::Id => {
            let s = text(raw)?;
            if is_id(&s) {
                Ok(Value::String(s))
            } else {
                Err("must be 36 characters of lowercase hex".into())
            }
        }
        Kind::Email => {
            let s = text(raw)?;
            if is_email(&s) {
                Ok(Value::String(s))
            } else {
                Err("is not valid".into())
            }
        }
        Kind::Phone => {
            let s = text(raw)?;
            if is_phone(&s) {
                Ok(Value::String(s))
            } else {
                Err("must be 1 to 15 digits, optionally after a +".into())
            }
        }
        Kind::Url => {
            let s = text(raw)?;
            if (s.starts_with("http://") || s.starts_with("https://")) && s.len() <= 2048 {
                Ok(Value::String(s))
            } else {
                Err("must be an http(s) URL".into())
            }
        }
        Kind::Date => {
            let s = text(raw)?;
            NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                .ok()
                .filter(|_| s.len() == 10)
                .map(|_| Value::String(s))
                .ok_or_else(|| "is not valid".into())
        }
        Kind::DateTime => {
            let s = text(raw)?;
            NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S")
                .map(|_| Value::String(s))
                .map_err(|_| "must be a date and time in YYYY-MM-DD HH:mm:ss format".into())
        }
        Kind::Bool => match raw {
            Value::Bool(b) => Ok(Value::Bool(b)),
            Value::String(s) if from_form => match s.as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err("must be a boolean".into()),
            },
            _ => Err("must be a boolean".into()),
        },
        Kind::Number => match raw {
            Value::Number(n) => Ok(Value::Number(n)),
            Value::String(s) if from_form => s
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| "must be a number".into()),
            _ => Err("must be a number".into()),
        },
        Kind::Percent => match normalize(
            &Rule {
                kind: Kind::Number,
                ..*rule
            },
            raw,
            from_form,
        )? {
            Value::Number(n) if n.as_f64().is_some_and(|p| (0.0..=100.0).contains(&p)) => {
                Ok(Value::Number(n))
            }
            _ => Err("must be a number from 0 to 100".into()),
        },
        Kind::Enum(options) => {
            let s = text(raw)?;
            if options.contains(&s.as_str()) {
                Ok(Value::String(s))
            } else {
                Err("is not valid".into())
            }
        }
        Kind::EnumList(options) => {
            let items = match raw {
                Value::Array(items) => items,
                Value::String(s) if from_form => vec![Value::String(s)],
                _ => return Err("must be an array".into()),
            };
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item.as_str() {
                    Some(s) if options.contains(&s) => {
                        if !out.iter().any(|v: &Value| v == s) {
                            out.push(Value::String(s.to_owned()));
                        }
                    }
                    _ => return Err(format!("must only contain: {}", options.join(", "))),
                }
            }
            Ok(Value::Array(out))
        }
        Kind::TextList => {
            let items = match raw {
                Value::Array(items) => items,
                Value::String(s) if from_form => vec![Value::String(s)],
                _ => return Err("must be an array".into()),
            };
            if items.iter().all(Value::is_string) {
                Ok(Value::Array(items))
            } else {
                Err("must be an array of strings".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forms_become_maps_with_lists() {
        let input = parse_input(
            Some("application/x-www-form-urlencoded"),
            b"type=PERSON&types[]=DOCUMENT&types[]=FACIAL&pep=true&sandbox=true",
        )
        .unwrap();
        assert!(input.from_form);
        assert_eq!(input.fields["types"], json!(["DOCUMENT", "FACIAL"]));
        let mut checks = Checks::default();
        let values = checks.read(&input, &[rule("pep", Kind::Bool)]);
        assert_eq!(values["pep"], json!(true));
        assert!(checks.errors.is_empty());
    }

    #[test]
    fn taking_the_fields_gives_what_reading_them_gives() {
        let text = br#"{"first_name": " Ada ", "last_name": "Lovelace", "pep": true, "dob": "1815-13-10"}"#;
        let rules = [
            rule("first_name", Kind::Name),
            rule("last_name", Kind::Name),
            rule("pep", Kind::Bool),
            rule("dob", Kind::Date),
        ];
        let mut read = Checks::default();
        let expected = read.read(&parse_input(None, text).unwrap(), &rules);
        assert_eq!(expected["first_name"], json!("Ada"));
        let mut input = parse_input(None, text).unwrap();
        let mut taken = Checks::default();
        assert_eq!(taken.take(&mut input, &rules), expected);
        assert_eq!(taken.errors.len(), 1);
        assert_eq!(taken.errors[0].parameter, read.errors[0].parameter);
        assert!(input.get("last_name").is_some_and(Value::is_null));
    }

    #[test]
    fn every_bad_field_is_reported() {
        let input = parse_input(
            None,
            br#"{"first_name": "R2-D2", "dob": "1990-13-01", "residence_country": 5, "pep": "yes"}"#,
        )
        .unwrap();
        let mut checks = Checks::default();
        checks.read(
            &input,
            &[
                rule("first_name", Kind::Name),
                rule("dob", Kind::Date),
                rule("residence_country", Kind::Country),
                rule("pep", Kind::Bool),
            ],
        );
        let params: Vec<_> = checks.errors.iter().map(|e| e.parameter.as_str()).collect();
        assert_eq!(params, ["first_name", "dob", "residence_country", "pep"]);
        assert_eq!(
            checks.errors[2].message,
            "Residence country must be a string"
        );
    }

    #[test]
    fn bodies_that_are_not_objects_are_bad_requests() {
        assert!(matches!(
            parse_input(None, b"[1]"),
            Err(KycaidError::BadRequest { .. })
        ));
        assert!(matches!(
            parse_input(None, b"{\"a\":"),
            Err(KycaidError::BadRequest { .. })
        ));
        assert!(matches!(
            parse_input(Some("application/xml"), b"<a/>"),
            Err(KycaidError::UnsupportedMediaType(_))
        ));
        assert!(parse_input(None, b"  ").unwrap().fields.is_empty());
    }
}
