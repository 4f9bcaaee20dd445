//! `multipart/form-data` parsed from an already bounded body.

use actix_multipart::Multipart;
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpRequest;
use futures_util::StreamExt;
use thiserror::Error;

#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub data: Bytes,
}

impl Part {
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.data).ok()
    }
}

#[derive(Debug, Error)]
#[error("malformed multipart body: {0}")]
pub struct MultipartError(String);

/// Every part of the form, in order. The body was read (and size-checked) before, so parsing it
/// is quick; the bound only guards against a parser that waits for bytes that never come
/// (actix-multipart before 0.8 did, for a body ending without its closing boundary).
pub async fn parse_multipart(req: &HttpRequest, body: Bytes) -> Result<Vec<Part>, MultipartError> {
    tokio::time::timeout(PARSE_BOUND, parse_parts(req, body))
        .await
        .unwrap_or_else(|_| Err(MultipartError("the body ended before the form did".into())))
}

const PARSE_BOUND: std::time::Duration = std::time::Duration::from_secs(2);

async fn parse_parts(req: &HttpRequest, body: Bytes) -> Result<Vec<Part>, MultipartError> {
    let stream =
        futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(body) });
    let mut form = Multipart::new(req.headers(), stream);
    let mut parts = Vec::new();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| MultipartError(e.to_string()))?;
        let (name, file_name) = match field.content_disposition() {
            Some(cd) => (
                cd.get_name().unwrap_or_default().to_owned(),
                cd.get_filename().map(str::to_owned),
            ),
            None => (String::new(), None),
        };
        let content_type = field.content_type().map(|m| m.essence_str().to_owned());
        let mut data = BytesMut::new();
        while let Some(chunk) = field.next().await {
            data.extend_from_slice(&chunk.map_err(|e| MultipartError(e.to_string()))?);
        }
        parts.push(Part {
            name,
            file_name,
            content_type,
            data: data.freeze(),
        });
    }
    Ok(parts)
}
