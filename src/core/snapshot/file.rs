//! The state file (`--state-file`): written whole to a temporary file beside it, then renamed over
//! it, so a crash mid-write leaves the previous snapshot intact.

use std::io::Write;
use std::path::Path;

use super::document::{parse, Snapshot, SnapshotError};

/// Writes `snapshot` to `path` atomically; returns the number of bytes written.
pub fn write(path: &Path, snapshot: &Snapshot) -> Result<usize, SnapshotError> {
    let failed = |error: std::io::Error| SnapshotError::Write {
        path: path.display().to_string(),
        error,
    };
    let bytes = serde_json::to_vec(snapshot).map_err(|e| failed(e.into()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(failed(error));
    }
    Ok(bytes.len())
}

/// The snapshot in `path`, or `None` when there is no such file yet. A file that is not a
/// readable snapshot of this format version is an error (and is left as it is).
pub fn read(path: &Path) -> Result<Option<Snapshot>, SnapshotError> {
    match std::fs::read(path) {
        Ok(bytes) => parse(&bytes).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(SnapshotError::Read {
            path: path.display().to_string(),
            error,
        }),
    }
}
