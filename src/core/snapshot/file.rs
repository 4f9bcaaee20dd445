//! The state file (`--state-file`): written whole to a temporary file beside it, then renamed over
//! it, so a crash mid-write leaves the previous snapshot intact.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use super::document::{parse, Snapshot, SnapshotError};

/// One writer at a time: two renames racing over the same file would leave either snapshot, and
/// the later one should win.
static WRITING: Mutex<()> = Mutex::new(());

/// Tells apart the temporary files of writes in this process (with the pid, of other processes).
static NEXT_TEMPORARY: AtomicU64 = AtomicU64::new(0);

/// Writes `snapshot` to `path` atomically; returns the number of bytes written. Concurrent
/// writers are serialized, and each writes its own temporary file.
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
    let temporary = path.with_file_name(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        NEXT_TEMPORARY.fetch_add(1, Ordering::Relaxed)
    ));
    let _one_writer = WRITING.lock();
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
