//! `/files`: multipart upload (field `file`: JPG, PNG or PDF), replace, download, delete; and
//! the token-free storage URLs documents show their sides at.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{found, path_id, Reply};
use crate::core::http::{body_limit, content_disposition, media_type, parse_multipart, read_body};
use crate::core::media::sniff_among;
use crate::core::storage::Blob;
use crate::core::TenantId;
use crate::providers::kycaid::auth::Caller;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::model::{File, KycaidTenant};
use crate::providers::kycaid::wire::ack;
use crate::providers::kycaid::Kycaid;

const ID: &str = "file_id";
const RESOURCE: &str = "File";

/// What KYCAID takes as a file, recognised from its first bytes.
const FILE_TYPES: &[&str] = &["image/jpeg", "image/png", "application/pdf"];

/// The file's type from its first bytes.
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    sniff_among(data, FILE_TYPES).map(|media| media.mime)
}

/// An uploaded file's name, type and bytes, checked.
pub struct Upload {
    pub name: String,
    pub content_type: &'static str,
    /// Pending until `Storage::keep` leases it for the tenant, before anything is written.
    pub data: Blob,
}

impl Upload {
    pub fn check(name: Option<&str>, data: actix_web::web::Bytes) -> Result<Upload, KycaidError> {
        if data.is_empty() {
            return Err(KycaidError::invalid("file", "File is empty"));
        }
        let content_type = sniff(&data).ok_or_else(|| {
            KycaidError::invalid(
                "file",
                "File type is not supported; upload a JPG, PNG or PDF file",
            )
        })?;
        Ok(Upload {
            name: name.unwrap_or("file").to_owned(),
            content_type,
            data: Blob::pending(data),
        })
    }

    pub fn into_file(self, id: String, now: chrono::DateTime<chrono::Utc>) -> File {
        File {
            id,
            name: self.name,
            content_type: self.content_type,
            size: self.data.len(),
            data: self.data,
            created_at: now,
            references: 0,
        }
    }
}

/// Stores a checked upload as a new file of the tenant and answers its id: what `POST /files` and
/// the hosted form's pictures both do.
pub fn insert_file(
    state: &mut KycaidTenant,
    upload: Upload,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let id = state.new_id();
    state
        .files
        .insert(id.clone(), upload.into_file(id.clone(), now));
    id
}

/// Every part of a `multipart/form-data` body (`415` for any other type).
pub async fn read_parts(
    req: &HttpRequest,
    payload: &mut web::Payload,
) -> Result<Vec<crate::core::http::Part>, KycaidError> {
    if media_type(req).as_deref() != Some("multipart/form-data") {
        return Err(KycaidError::UnsupportedMediaType(
            media_type(req).map_or_else(|| "(none)".into(), String::from),
        ));
    }
    let body = read_body(req, payload, body_limit(req)).await?;
    parse_multipart(req, body).map_err(|e| KycaidError::bad_body(e.to_string()))
}

async fn read_upload(req: &HttpRequest, mut payload: web::Payload) -> Result<Upload, KycaidError> {
    let part = read_parts(req, &mut payload)
        .await?
        .into_iter()
        .find(|p| p.name == "file")
        .ok_or_else(|| KycaidError::invalid("file", "File is required"))?;
    Upload::check(part.file_name.as_deref(), part.data)
}

pub async fn upload(
    req: HttpRequest,
    payload: web::Payload,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let mut upload = read_upload(&req, payload).await?;
    kycaid.core.storage.keep(&caller.tenant, &mut upload.data)?;
    let now = kycaid.core.clock.now();
    let id = kycaid.with_tenant(&caller, |state| insert_file(state, upload, now));
    Ok(ack(ID, &id))
}

pub async fn replace(
    req: HttpRequest,
    payload: web::Payload,
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let id = path.into_inner();
    path_id(&id, ID)?;
    let mut upload = read_upload(&req, payload).await?;
    kycaid.core.storage.keep(&caller.tenant, &mut upload.data)?;
    kycaid.with_tenant(&caller, |state| {
        let file = state
            .files
            .get_mut(&id)
            .ok_or_else(|| KycaidError::not_found(ID, RESOURCE))?;
        file.name = upload.name;
        file.content_type = upload.content_type;
        file.size = upload.data.len();
        file.data = upload.data;
        Ok(ack(ID, &id))
    })
}

fn bytes(file: &File) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition("inline", &file.name),
        ))
        .body(file.data.bytes())
}

pub async fn download(path: web::Path<String>, caller: Caller, kycaid: web::Data<Kycaid>) -> Reply {
    let id = path.into_inner();
    path_id(&id, ID)?;
    kycaid.with_tenant(&caller, |state| {
        Ok(bytes(found(&state.files, &id, ID, RESOURCE)?))
    })
}

pub async fn delete(path: web::Path<String>, caller: Caller, kycaid: web::Data<Kycaid>) -> Reply {
    let id = path.into_inner();
    path_id(&id, ID)?;
    kycaid.with_tenant(&caller, |state| {
        let file = found(&state.files, &id, ID, RESOURCE)?;
        if file.references > 0 {
            return Err(KycaidError::invalid(
                ID,
                "File is used by a document; delete or update the document first",
            ));
        }
        state.files.remove(&id);
        Ok(ack(ID, &id))
    })
}

/// `GET /storage/{tenant}/{file_id}`: what a document's `front_side` URL serves, without a token
/// (like the signed storage URLs KYCAID hands out).
pub async fn storage(path: web::Path<(String, String)>, kycaid: web::Data<Kycaid>) -> Reply {
    let (tenant, id) = path.into_inner();
    kycaid
        .with_existing(&TenantId::parse(&tenant), |state| {
            state.files.get(&id).map(bytes)
        })
        .flatten()
        .ok_or_else(|| KycaidError::not_found(ID, RESOURCE))
}
