//! What a webhook subscription body (Qolo's notification: `program_guid`, `url`, `headers`,
//! `secret`, `active`, `event_type[]`) must hold; the handlers are the core's (`resources.rs`).

use serde_json::{Map, Value};

use crate::core::webhooks::check_url;
use crate::providers::qolo::errors::QoloError;
use crate::providers::qolo::input::{Checks, Rule};
use crate::providers::qolo::model::Notification;
use crate::providers::qolo::notify::EVENT_TYPES;
use crate::providers::qolo::Qolo;

const FIELDS: &[(&str, Rule)] = &[
    ("program_guid", Rule::Uuid),
    ("url", Rule::Text { min: 0, max: 2048 }),
    ("headers", Rule::StringMap),
    ("secret", Rule::Text { min: 0, max: 256 }),
    ("active", Rule::Bool),
    ("event_type", Rule::Texts { max: 64 }),
];

/// The checked fields of a subscription body; every field is required but `headers`, `secret`
/// and `active` (default true).
pub(in crate::providers::qolo) fn read(
    qolo: &Qolo,
    body: &Map<String, Value>,
) -> Result<Map<String, Value>, QoloError> {
    let mut checks = Checks::default();
    let fields = checks.read(body, "", FIELDS);
    for required in ["program_guid", "url", "event_type"] {
        checks.require(&fields, "", required);
    }
    if let Some(url) = fields.get("url").and_then(Value::as_str) {
        if check_url(url).is_err() {
            checks.fail("url", "The url field must be an absolute http(s) URL.");
        }
    }
    if let Some(events) = fields.get("event_type").and_then(Value::as_array) {
        if events.is_empty() {
            checks.fail("event_type", "Name at least one event type.");
        }
        for (i, event) in events.iter().enumerate() {
            let event = event.as_str().unwrap_or_default();
            if !EVENT_TYPES.contains(&event) {
                checks.fail(
                    &format!("event_type[{i}]"),
                    format!("`{event}` is not an event type."),
                );
            }
        }
    }
    checks.finish()?;
    let program = fields["program_guid"].as_str().unwrap_or_default();
    qolo.fixtures
        .program(program)
        .ok_or(QoloError::ProgramNotFound)?;
    Ok(fields)
}

pub(in crate::providers::qolo) fn apply(
    notification: &mut Notification,
    fields: Map<String, Value>,
) {
    let text = |name: &str| fields.get(name).and_then(Value::as_str).map(str::to_owned);
    notification.program_guid = text("program_guid").unwrap_or_default();
    notification.url = text("url").unwrap_or_default();
    notification.headers = fields
        .get("headers")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    notification.secret = text("secret").filter(|s| !s.is_empty());
    notification.active = fields
        .get("active")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    notification.event_type = fields
        .get("event_type")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
}
