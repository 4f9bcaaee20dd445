//! Attachments: files linked to other resources (`POST /attachments/`, list, get, PUT, DELETE).

use chrono::{DateTime, Utc};

use super::href;
use super::listing::Listed;
use crate::core::fields::Fields;
use crate::core::json_out::{self, Rendered};
use crate::core::resource::{Call, Create, Resource, Update};
use crate::core::store::Store;
use crate::providers::rebilly::errors::RebillyError;
use crate::providers::rebilly::model::{
    rfc3339, Attachment, RebillyTenant, ATTACHMENT_RELATED_TYPES,
};
use crate::providers::rebilly::wire::{base_of, link, Checks};
use crate::providers::rebilly::Rebilly;

impl Resource<Rebilly> for Attachment {
    const KIND: &'static str = "Attachment";
    const COLLECTION: &'static str = "attachments";

    fn store(state: &RebillyTenant) -> &Store<Self> {
        &state.attachments
    }

    fn store_mut(state: &mut RebillyTenant) -> &mut Store<Self> {
        &mut state.attachments
    }

    fn render(call: &Call<Rebilly>, _: &RebillyTenant, attachment: &Self) -> Rendered {
        attachment_json(attachment, &href::<Self>(call.req, &attachment.id))
    }

    fn read_changes_nothing(_: &RebillyTenant, _: &str) -> bool {
        true
    }
}

impl Listed for Attachment {
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

fn attachment_json(attachment: &Attachment, href: &str) -> Rendered {
    let collection = base_of(href, "attachments");
    json_out::object(|o| {
        o.field("id", &attachment.id)
            .field("fileId", &attachment.file_id)
            .field("relatedType", &attachment.related_type)
            .field("relatedId", &attachment.related_id);
        // `name` and `description` are plain strings in the spec: left out rather than null.
        if let Some(name) = &attachment.name {
            o.field("name", name);
        }
        if let Some(description) = &attachment.description {
            o.field("description", description);
        }
        o.time("createdTime", rfc3339(attachment.created_time))
            .time("updatedTime", rfc3339(attachment.updated_time))
            .array("_links", |a| {
                link(a, "self", href);
                link(
                    a,
                    "file",
                    format_args!("{collection}/files/{}", attachment.file_id),
                );
            });
    })
}

struct AttachmentInput {
    file_id: String,
    related_type: String,
    related_id: String,
    name: Option<String>,
    description: Option<String>,
}

fn parse(body: &Fields, state: &RebillyTenant) -> Result<AttachmentInput, RebillyError> {
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

/// The body as sent: what it names is checked under the lock, against the tenant's files.
type Body = Fields;

impl Create<Rebilly> for Attachment {
    type Draft = Body;

    fn draft(_: &Call<Rebilly>, body: Body) -> Result<Body, RebillyError> {
        Ok(body)
    }

    fn insert(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        body: Body,
    ) -> Result<String, RebillyError> {
        let input = parse(&body, state)?;
        let now = call.now;
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
        let id = attachment.id.clone();
        state.attachments.insert(id.clone(), attachment);
        Ok(id)
    }
}

impl Update<Rebilly> for Attachment {
    type Patch = Body;

    fn patch(_: &Call<Rebilly>, body: Body) -> Result<Body, RebillyError> {
        Ok(body)
    }

    fn apply(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        id: &str,
        body: Body,
    ) -> Result<(), RebillyError> {
        let input = parse(&body, state)?;
        let now = call.now;
        let attachment = Self::find_mut(state, id)?;
        attachment.file_id = input.file_id;
        attachment.related_type = input.related_type;
        attachment.related_id = input.related_id;
        attachment.name = input.name.or(attachment.name.take());
        attachment.description = input.description;
        attachment.updated_time = now;
        Ok(())
    }
}
