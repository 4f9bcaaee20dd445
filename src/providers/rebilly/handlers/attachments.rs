//! Attachments: files linked to other resources (`POST /attachments/`, list, get, PUT, DELETE).

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::files::IdPath;
use super::listing::{ListQuery, Listed};
use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::RebillyError;
use crate::providers::rebilly::model::{
    rfc3339, Attachment, RebillyTenant, ATTACHMENT_RELATED_TYPES,
};
use crate::providers::rebilly::wire::{created, json_object, list, ok, resource_href, Checks};
use crate::providers::rebilly::Rebilly;

type Reply = Result<HttpResponse, RebillyError>;

impl Listed for Attachment {
    const KIND: &'static str = "Attachment";
    const FILTERABLE: &'static [&'static str] = &["id", "fileId", "relatedType", "relatedId"];

    fn field(&self, name: &str) -> Option<&str> {
        match name {
            "id" => Some(&self.id),
            "fileId" => Some(&self.file_id),
            "relatedType" => Some(&self.related_type),
            "relatedId" => Some(&self.related_id),
            _ => None,
        }
    }

    fn updated_time(&self) -> DateTime<Utc> {
        self.updated_time
    }
}

fn attachment_json(attachment: &Attachment, href: &str) -> Value {
    let mut v = serde_json::to_value(attachment).unwrap_or_default();
    // `name` and `description` are plain strings in the spec: left out rather than null.
    if let Value::Object(map) = &mut v {
        map.retain(|_, value| !value.is_null());
    }
    v["createdTime"] = json!(rfc3339(attachment.created_time));
    v["updatedTime"] = json!(rfc3339(attachment.updated_time));
    let collection = href.rsplit_once("/attachments/").map_or("", |(p, _)| p);
    v["_links"] = json!([
        {"rel": "self", "href": href},
        {"rel": "file", "href": format!("{collection}/files/{}", attachment.file_id)},
    ]);
    v
}

struct AttachmentInput {
    file_id: String,
    related_type: String,
    related_id: String,
    name: Option<String>,
    description: Option<String>,
}

fn parse(
    body: &Map<String, Value>,
    state: &RebillyTenant,
) -> Result<AttachmentInput, RebillyError> {
    let mut checks = Checks::default();
    let required = |checks: &mut Checks, field: &str| {
        let value = checks.opt_string(body, field, 255);
        if value.is_none() {
            checks.fail(field, "is required");
        }
        value.unwrap_or_default()
    };
    let file_id = required(&mut checks, "fileId");
    let related_type = required(&mut checks, "relatedType");
    let related_id = required(&mut checks, "relatedId");
    if !file_id.is_empty() && !state.files.contains(&file_id) {
        checks.fail("fileId", format!("file {file_id} does not exist"));
    }
    if !related_type.is_empty() && !ATTACHMENT_RELATED_TYPES.contains(&related_type.as_str()) {
        checks.fail(
            "relatedType",
            format!("must be one of {}", ATTACHMENT_RELATED_TYPES.join(", ")),
        );
    }
    let name = checks.opt_string(body, "name", 255);
    let description = checks.opt_string(body, "description", 1000);
    checks.finish()?;
    Ok(AttachmentInput {
        file_id,
        related_type,
        related_id,
        name,
        description,
    })
}

fn not_found() -> RebillyError {
    RebillyError::NotFound { kind: "Attachment" }
}

pub async fn list_attachments(
    req: HttpRequest,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let query = ListQuery::parse::<Attachment>(&req)?;
    rebilly.with_tenant(&caller, |state| {
        let (found, total) = query.run(&state.attachments);
        let items = found
            .into_iter()
            .map(|a| attachment_json(a, &resource_href(&req, "attachments", &a.id)))
            .collect();
        Ok(list(items, total, query.page))
    })
}

pub async fn attach(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let body = json_object(&req, &mut payload).await?;
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(&caller, |state| {
        let input = parse(&body, state)?;
        let attachment = Attachment {
            id: state.new_id("att_"),
            name: input
                .name
                .or_else(|| state.files.get(&input.file_id).map(|f| f.name.clone())),
            file_id: input.file_id,
            related_type: input.related_type,
            related_id: input.related_id,
            description: input.description,
            created_time: now,
            updated_time: now,
        };
        let href = resource_href(&req, "attachments", &attachment.id);
        let body = attachment_json(&attachment, &href);
        state.attachments.insert(attachment.id.clone(), attachment);
        Ok(created(href, body))
    })
}

pub async fn get(
    req: HttpRequest,
    path: web::Path<IdPath>,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    rebilly.with_tenant(&caller, |state| {
        let attachment = state.attachments.get(&path.id).ok_or_else(not_found)?;
        Ok(ok(attachment_json(
            attachment,
            &resource_href(&req, "attachments", &path.id),
        )))
    })
}

pub async fn update(
    req: HttpRequest,
    path: web::Path<IdPath>,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let body = json_object(&req, &mut payload).await?;
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(&caller, |state| {
        if !state.attachments.contains(&path.id) {
            return Err(not_found());
        }
        let input = parse(&body, state)?;
        let attachment = state.attachments.get_mut(&path.id).ok_or_else(not_found)?;
        attachment.file_id = input.file_id;
        attachment.related_type = input.related_type;
        attachment.related_id = input.related_id;
        attachment.name = input.name.or(attachment.name.take());
        attachment.description = input.description;
        attachment.updated_time = now;
        Ok(ok(attachment_json(
            attachment,
            &resource_href(&req, "attachments", &path.id),
        )))
    })
}

pub async fn detach(path: web::Path<IdPath>, caller: Caller, rebilly: web::Data<Rebilly>) -> Reply {
    rebilly.with_tenant(&caller, |state| {
        state.attachments.remove(&path.id).ok_or_else(not_found)?;
        Ok(HttpResponse::NoContent().finish())
    })
}
