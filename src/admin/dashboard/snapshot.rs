//! Snapshots from the page: download the whole state, write the state file now, restore a file.
//! Each is the admin call a test makes (`GET`/`POST /__admin/snapshot`,
//! `POST /__admin/snapshot/restore`).

use actix_web::{web, HttpResponse};

use super::html::{action, esc};
use super::{page, Section};
use crate::core::Sandbox;

/// `GET /__admin/ui/snapshot`.
pub(crate) async fn snapshot(sandbox: web::Data<Sandbox>) -> HttpResponse {
    let state_file = match &sandbox.core.state_file {
        Some(path) => format!("<code>{}</code>", esc(&path.display().to_string())),
        None => "none: start with <code>--state-file PATH</code> to write one".to_owned(),
    };
    let tenants: usize = sandbox.providers.iter().map(|p| p.tenants().len()).sum();
    let body = format!(
        r#"<dl class="clock">
<dt>State file</dt><dd>{state_file}</dd>
<dt>Tenants</dt><dd id="snapshot-tenants">{tenants}</dd>
<dt>Scheduled steps</dt><dd>{pending}</dd>
</dl>
<div class="actions"><a class="button" id="snapshot-download" href="/__admin/snapshot" download="kyc-sandbox-state.json">Download snapshot</a>{write}</div>
<form class="restore" id="restore-form" data-keep data-url="/__admin/snapshot/restore">
<label>Restore from a file <input type="file" name="file" accept=".json,application/json"></label>
<button type="submit">Restore</button>
<p class="form-result" role="status" hidden></p>
</form>
<p class="note">A restore replaces every tenant, stored file, scheduled step, webhook delivery and the clock with the file's, or changes nothing when the file is refused; the request journal is cleared, fault rules and scenarios stay.</p>"#,
        pending = sandbox.core.scheduler.pending(),
        write = action(
            "Write state file now",
            "POST",
            "/__admin/snapshot",
            None,
            ""
        ),
    );
    page(&sandbox, Section::Snapshot, "Snapshot", &body)
}
