//! Middleware that writes every provider request and its response into the journal.

use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{web, Error, HttpMessage};
use futures_util::StreamExt;

use super::declared_length;
use crate::core::journal::{CapturedBody, Entry, Journal};
use crate::core::tenant::TenantId;
use crate::core::Clock;

/// Which provider lives under which path prefix, for labelling journal entries.
pub struct Mounts {
    pub prefixes: Vec<(String, &'static str)>,
    pub journal: Arc<Journal>,
    pub clock: Arc<Clock>,
    pub max_body: usize,
}

impl Mounts {
    fn provider_of(&self, path: &str) -> Option<&'static str> {
        self.prefixes
            .iter()
            .find(|(prefix, _)| path == prefix || path.starts_with(&format!("{prefix}/")))
            .map(|(_, name)| *name)
    }
}

/// Buffers at most `max_body + 1` bytes of the request (so the handler still sees an oversized
/// body as oversized), runs the handler, and records both bodies.
pub async fn record_journal(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(mounts) = req.app_data::<web::Data<Mounts>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(provider) = mounts.provider_of(req.path()) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let started = Instant::now();
    let at = mounts.clock.now();
    let (http_req, payload) = req.into_parts();
    let (payload, request_capture) =
        if declared_length(&http_req).is_some_and(|n| n > mounts.max_body) {
            // The handler refuses it from the header alone; nothing to buffer.
            (payload, CapturedBody::capture(b""))
        } else {
            let (body, failure) = buffer_prefix(payload, mounts.max_body.saturating_add(1)).await;
            let capture = CapturedBody::capture(&body);
            (replay(body, failure), capture)
        };
    let req = ServiceRequest::from_parts(http_req, payload);

    let res = next.call(req).await?;
    let (http_req, res) = res.into_parts();
    let (res, body) = res.into_parts();
    let response_body = to_bytes(body).await.unwrap_or_default();
    let response_capture = CapturedBody::capture(&response_body);
    let res = res.set_body(BoxBody::new(response_body));

    mounts.journal.record(Entry {
        id: 0,
        at,
        provider: Some(provider),
        tenant: http_req.extensions().get::<TenantId>().cloned(),
        method: http_req.method().to_string(),
        path: http_req.path().to_owned(),
        query: http_req.query_string().to_owned(),
        status: res.status().as_u16(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        request_content_type: http_req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        request: request_capture,
        response: response_capture,
    });
    Ok(ServiceResponse::new(http_req, res))
}

/// Reads up to `cap` bytes; a read error is kept so the handler still sees it.
async fn buffer_prefix(mut payload: Payload, cap: usize) -> (Bytes, Option<PayloadError>) {
    let mut buf = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        match chunk {
            Ok(chunk) => {
                let room = cap - buf.len();
                buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if buf.len() >= cap {
                    break;
                }
            }
            Err(e) => return (buf.freeze(), Some(e)),
        }
    }
    (buf.freeze(), None)
}

/// The buffered bytes as a payload again, ending in the read error if there was one.
fn replay(body: Bytes, failure: Option<PayloadError>) -> Payload {
    match failure {
        None => Payload::from(body),
        Some(e) => {
            let stream: std::pin::Pin<
                Box<dyn futures_util::Stream<Item = Result<Bytes, PayloadError>>>,
            > = Box::pin(futures_util::stream::iter([Ok(body), Err(e)]));
            Payload::from(stream)
        }
    }
}
