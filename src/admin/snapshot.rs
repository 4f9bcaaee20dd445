//! `/__admin/snapshot`: download the whole state, write it to the state file, restore one.

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::{AdminError, Reply};
use crate::core::http::{body_limit, read_body, Mounts};
use crate::core::snapshot::{file, parse, Snapshot, SnapshotError};
use crate::core::Sandbox;

impl From<SnapshotError> for AdminError {
    fn from(e: SnapshotError) -> Self {
        match e {
            SnapshotError::Damaged(_)
            | SnapshotError::Version { .. }
            | SnapshotError::Invalid(_) => AdminError::Unprocessable(e.to_string()),
            SnapshotError::Write { .. } | SnapshotError::Read { .. } => {
                AdminError::Internal(e.to_string())
            }
        }
    }
}

/// What a snapshot holds, in numbers.
fn summary(snapshot: &Snapshot) -> serde_json::Value {
    json!({
        "format_version": snapshot.format_version,
        "taken_at": snapshot.taken_at,
        "tenants": snapshot.providers.values().map(|p| p.tenants.len()).sum::<usize>(),
        "scheduled_steps": snapshot.scheduled_steps.len(),
        "webhook_deliveries": snapshot.webhooks.deliveries.len(),
    })
}

/// Runs `work` (copying, serializing, writing or reading a whole state: milliseconds to seconds)
/// on the blocking pool, so the HTTP worker keeps answering meanwhile.
async fn off_the_worker<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AdminError> + Send + 'static,
) -> Result<T, AdminError> {
    web::block(work)
        .await
        .map_err(|e| AdminError::Internal(format!("the snapshot work did not finish: {e}")))?
}

/// The whole state as a snapshot document.
pub(super) async fn download(sandbox: web::Data<Sandbox>) -> Reply {
    let bytes = off_the_worker(move || {
        let snapshot = sandbox.snapshot()?;
        serde_json::to_vec(&snapshot).map_err(|e| AdminError::Internal(e.to_string()))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename("kyc-sandbox-state.json".into())],
        })
        .content_type("application/json")
        .body(bytes))
}

/// Writes the state to `--state-file` now.
pub(super) async fn write(sandbox: web::Data<Sandbox>) -> Reply {
    let path = sandbox.core.state_file.clone().ok_or_else(|| {
        AdminError::Conflict(
            "no state file: start with --state-file PATH, or download the state with GET /__admin/snapshot".into(),
        )
    })?;
    let (mut body, bytes) = {
        let path = path.clone();
        off_the_worker(move || {
            let snapshot = sandbox.snapshot()?;
            let bytes = file::write(&path, &snapshot)?;
            Ok((summary(&snapshot), bytes))
        })
        .await?
    };
    body["written"] = json!(path.display().to_string());
    body["bytes"] = json!(bytes);
    Ok(HttpResponse::Ok().json(body))
}

/// Replaces the whole state with the snapshot in the body (all of it, or nothing on an error).
pub(super) async fn restore(
    req: HttpRequest,
    mut payload: web::Payload,
    sandbox: web::Data<Sandbox>,
) -> Reply {
    // The middleware has read the body within the restore's own (larger) limit already.
    let limit = req
        .app_data::<web::Data<Mounts>>()
        .map_or_else(|| body_limit(&req), |m| m.body_limit(req.path(), None));
    let bytes = read_body(&req, &mut payload, limit).await?;
    let mut body = off_the_worker(move || {
        let snapshot = parse(&bytes)?;
        let body = summary(&snapshot);
        sandbox.restore(snapshot)?;
        Ok(body)
    })
    .await?;
    body["restored"] = json!(true);
    Ok(HttpResponse::Ok().json(body))
}
