//! Files: JSON `{url}` or multipart upload, list, get, update, delete, download.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::Value;
use sha1::{Digest, Sha1};

use super::href;
use super::listing::Listed;
use crate::core::assets::fixture_bytes;
use crate::core::fields::Fields;
use crate::core::http::{body_limit, content_disposition, media_type, parse_multipart, read_body};
use crate::core::json_out::Rendered;
use crate::core::media::{sniff_among, Media};
use crate::core::resource::{Call, Resource, Update};
use crate::core::store::Store;
use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::{InvalidField, RebillyError};
use crate::providers::rebilly::model::{File, RebillyTenant};
use crate::providers::rebilly::wire::{created, file_json, parse_object, Checks};
use crate::providers::rebilly::Rebilly;

type Reply = Result<HttpResponse, RebillyError>;

/// What Rebilly takes as a file, recognised from its first bytes.
const FILE_TYPES: &[&str] = &["image/jpeg", "image/png", "image/gif", "application/pdf"];

/// Fields a file may be created or updated with.
pub struct FileFields {
    name: Option<String>,
    description: Option<String>,
    tags: Option<Vec<String>>,
    is_public: Option<bool>,
    source_type: Option<String>,
}

fn file_fields(body: &Fields, checks: &mut Checks) -> FileFields {
    let is_public = match body.get("isPublic") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            checks.fail("isPublic", "must be a boolean");
            None
        }
    };
    let source_type = checks.opt_string(body, "sourceType", 50);
    if let Some(s) = &source_type {
        if ![
            "upload",
            "camera",
            "organization-export",
            "organization-closure-export",
        ]
        .contains(&s.as_str())
        {
            checks.fail(
                "sourceType",
                "must be one of upload, camera, organization-export, organization-closure-export",
            );
        }
    }
    // Set by the sandbox from the bytes; a client may send it, but only as a string.
    checks.opt_non_null_string(body, "extension", 10);
    FileFields {
        name: checks.opt_non_null_string(body, "name", 255),
        description: checks.opt_non_null_string(body, "description", 255),
        tags: checks.string_list(body, "tags"),
        is_public,
        source_type,
    }
}

pub async fn upload(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let body = read_body(&req, &mut payload, body_limit(&req)).await?;
    let (data, name, fields) = if media_type(&req).as_deref() == Some("multipart/form-data") {
        let parts =
            parse_multipart(&req, body).map_err(|e| RebillyError::BadRequest(e.to_string()))?;
        let file = parts
            .iter()
            .find(|p| p.file_name.is_some())
            .ok_or_else(|| {
                RebillyError::Validation(vec![InvalidField::new("file", "a file part is required")])
            })?;
        let text = |n: &str| {
            parts
                .iter()
                .find(|p| p.name == n)
                .and_then(|p| p.text())
                .map(str::to_owned)
        };
        let fields = FileFields {
            name: text("name"),
            description: text("description"),
            tags: text("tags").map(|t| {
                t.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
            is_public: text("isPublic").map(|v| v == "true" || v == "1"),
            source_type: text("sourceType"),
        };
        (
            file.data.clone(),
            file.file_name
                .as_deref()
                .map(String::from)
                .unwrap_or_default(),
            fields,
        )
    } else {
        let body = parse_object(&body)?;
        let mut checks = Checks::default();
        let url = match body.get("url") {
            Some(Value::String(url)) if !url.is_empty() => Some(url.clone()),
            Some(_) => {
                checks.fail("url", "must be a non-empty string");
                None
            }
            None => {
                checks.fail(
                    "url",
                    "is required (or upload the file as multipart/form-data)",
                );
                None
            }
        };
        let fields = file_fields(&body, &mut checks);
        checks.finish()?;
        // Offline: the sandbox cannot fetch the URL, so the file holds a placeholder document image.
        let url = url.unwrap_or_default();
        let name = url
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or("document.png")
            .to_owned();
        let data =
            web::Bytes::from_static(fixture_bytes("images/document.png").unwrap_or_default());
        (data, name, fields)
    };
    let Media { mime, extension } = sniff_among(&data, FILE_TYPES).ok_or_else(|| {
        RebillyError::Validation(vec![InvalidField::new(
            "file",
            "must be a JPEG, PNG, GIF or PDF file",
        )])
    })?;
    let size = imagesize::blob_size(&data).ok();
    let data = rebilly.core.storage.store(&caller.tenant, data)?;
    let now = rebilly.core.clock.now();
    let sha1 = crate::core::ids::lower_hex(&Sha1::digest(&data));
    let mut file = File {
        id: String::new(),
        name: fields.name.unwrap_or(name),
        description: fields.description,
        extension: extension.to_owned(),
        mime,
        size: data.len(),
        width: size.map(|s| s.width as u32),
        height: size.map(|s| s.height as u32),
        sha1,
        tags: fields.tags.unwrap_or_default(),
        source_type: fields.source_type,
        is_public: fields.is_public.unwrap_or(false),
        created_time: now,
        updated_time: now,
        data,
    };
    // Only the id needs the organization's state; the answer is rendered from the file as stored.
    let (href, body) = rebilly.with_tenant(&caller, |state| {
        file.id = state.new_id("file_");
        let href = href::<File>(&req, &file.id);
        let body = file_json(&file, &href);
        state.files.insert(file.id.clone(), file);
        (href, body)
    });
    Ok(created(href, body))
}

impl Resource<Rebilly> for File {
    const KIND: &'static str = "File";
    const COLLECTION: &'static str = "files";

    fn store(state: &RebillyTenant) -> &Store<Self> {
        &state.files
    }

    fn store_mut(state: &mut RebillyTenant) -> &mut Store<Self> {
        &mut state.files
    }

    fn render(call: &Call<Rebilly>, _: &RebillyTenant, file: &Self) -> Rendered {
        file_json(file, &href::<Self>(call.req, &file.id))
    }

    fn read_changes_nothing(_: &RebillyTenant, _: &str) -> bool {
        true
    }

    /// A file a KYC document still names stays (`409`).
    fn delete(_: &Call<Rebilly>, state: &mut RebillyTenant, id: &str) -> Result<(), RebillyError> {
        if let Some(document) = state
            .documents
            .values()
            .find(|d| d.file_ids.iter().any(|f| f == id))
        {
            return Err(RebillyError::Conflict(format!(
                "File is attached to KYC document {}; it cannot be deleted.",
                document.id
            )));
        }
        state.files.remove(id);
        Ok(())
    }
}

impl Update<Rebilly> for File {
    type Patch = FileFields;

    fn patch(_: &Call<Rebilly>, body: Fields) -> Result<FileFields, RebillyError> {
        let mut checks = Checks::default();
        let fields = file_fields(&body, &mut checks);
        checks.finish()?;
        Ok(fields)
    }

    fn apply(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        id: &str,
        fields: FileFields,
    ) -> Result<(), RebillyError> {
        let file = Self::find_mut(state, id)?;
        if let Some(name) = fields.name {
            file.name = name;
        }
        if fields.description.is_some() {
            file.description = fields.description;
        }
        if let Some(tags) = fields.tags {
            file.tags = tags;
        }
        if let Some(is_public) = fields.is_public {
            file.is_public = is_public;
        }
        if fields.source_type.is_some() {
            file.source_type = fields.source_type;
        }
        file.updated_time = call.now;
        Ok(())
    }
}

impl Listed for File {
    const FILTERABLE: &'static [&'static str] = &["id", "name", "extension", "mime", "sourceType"];

    fn field(&self, name: &str) -> Option<&str> {
        match name {
            "id" => Some(&self.id),
            "name" => Some(&self.name),
            "extension" => Some(&self.extension),
            "mime" => Some(self.mime),
            "sourceType" => self.source_type.as_deref(),
            _ => None,
        }
    }

    fn updated_time(&self) -> DateTime<Utc> {
        self.updated_time
    }
}

pub async fn download(
    path: web::Path<IdPath>,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    rebilly.with_tenant(&caller, |state| {
        let file = File::find(state, &path.id)?;
        Ok(HttpResponse::Ok()
            .content_type(file.mime)
            .insert_header((
                header::CONTENT_DISPOSITION,
                content_disposition("attachment", &file.name),
            ))
            .body(file.data.bytes()))
    })
}

#[derive(serde::Deserialize)]
pub struct IdPath {
    pub id: String,
}
