//! Webhook subscriptions (Qolo's notifications: `program_guid`, `url`, `headers`, `secret`,
//! `active`, `event_type[]`). Qolo shows the update call with `{notification_guid}`; the create,
//! list, get and delete paths beside it are the sandbox's (README).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use super::{path_guid, Reply};
use crate::core::http::location;
use crate::core::webhooks::check_url;
use crate::providers::qolo::auth::Caller;
use crate::providers::qolo::errors::QoloError;
use crate::providers::qolo::input::{json_object, Checks, Rule};
use crate::providers::qolo::model::Notification;
use crate::providers::qolo::notify::EVENT_TYPES;
use crate::providers::qolo::wire::{list_json, notification_json};
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
fn read(qolo: &Qolo, body: &Map<String, Value>) -> Result<Map<String, Value>, QoloError> {
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

fn apply(notification: &mut Notification, fields: Map<String, Value>) {
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

pub async fn create(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    qolo: web::Data<Qolo>,
) -> Reply {
    let fields = read(&qolo, &json_object(&req, &mut payload).await?)?;
    let now = qolo.core.clock.now();
    qolo.with_tenant(&caller, |state| {
        let mut notification = Notification {
            notification_guid: state.rng.uuid_v4(),
            program_guid: String::new(),
            url: String::new(),
            headers: Map::new(),
            secret: None,
            active: true,
            event_type: Vec::new(),
            created_date: now,
            updated_date: now,
        };
        apply(&mut notification, fields);
        let body = notification_json(&notification);
        let href = format!(
            "{}/{}",
            req.path().trim_end_matches('/'),
            notification.notification_guid
        );
        state
            .notifications
            .insert(notification.notification_guid.clone(), notification);
        Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, location(&href)))
            .json(body))
    })
}

/// Every subscription of the login, in the SearchPerson envelope (`limit`, `start_index` query).
pub async fn list(req: HttpRequest, caller: Caller, qolo: web::Data<Qolo>) -> Reply {
    let number = |name: &str,
                  default: usize,
                  range: std::ops::RangeInclusive<usize>|
     -> Result<usize, QoloError> {
        match crate::core::http::query_param(&req, name) {
            None => Ok(default),
            Some(v) => v.parse().ok().filter(|n| range.contains(n)).ok_or_else(|| {
                QoloError::field(name, format!("The value '{v}' is not valid for {name}."))
            }),
        }
    };
    let limit = number("limit", 100, 1..=1000)?;
    let start_index = number("start_index", 0, 0..=usize::MAX)?;
    qolo.with_tenant(&caller, |state| {
        let page = state.notifications.page(start_index, limit, false);
        let has_more = start_index + page.items.len() < page.total;
        let items = page.items.into_iter().map(notification_json).collect();
        Ok(HttpResponse::Ok().json(list_json(items, start_index, has_more)))
    })
}

fn not_found() -> QoloError {
    QoloError::NotFound("Notification not found".into())
}

pub async fn show(req: HttpRequest, caller: Caller, qolo: web::Data<Qolo>) -> Reply {
    let guid = path_guid(&req, "notification_guid")?;
    qolo.with_tenant(&caller, |state| {
        let notification = state.notifications.get(&guid).ok_or_else(not_found)?;
        Ok(HttpResponse::Ok().json(notification_json(notification)))
    })
}

/// `PUT /api/v1/notifications/{notification_guid}`: the whole subscription, replaced.
pub async fn update(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    qolo: web::Data<Qolo>,
) -> Reply {
    let guid = path_guid(&req, "notification_guid")?;
    let fields = read(&qolo, &json_object(&req, &mut payload).await?)?;
    let now = qolo.core.clock.now();
    qolo.with_tenant(&caller, |state| {
        let notification = state.notifications.get_mut(&guid).ok_or_else(not_found)?;
        apply(notification, fields);
        notification.updated_date = now;
        Ok(HttpResponse::Ok().json(notification_json(notification)))
    })
}

pub async fn remove(req: HttpRequest, caller: Caller, qolo: web::Data<Qolo>) -> Reply {
    let guid = path_guid(&req, "notification_guid")?;
    qolo.with_tenant(&caller, |state| {
        state.notifications.remove(&guid).ok_or_else(not_found)?;
        Ok(HttpResponse::NoContent().finish())
    })
}
