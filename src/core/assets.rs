//! Scenario and fixture files: embedded in the binary, overridable from directories on disk.

use std::path::Path;

use include_dir::{include_dir, Dir};

use super::scenario::{LoadError, Source};

static EMBEDDED_SCENARIOS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");
static EMBEDDED_FIXTURES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/fixtures");

fn is_document(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn embedded_sources(dir: &Dir<'static>, root: &str, out: &mut Vec<Source>) {
    for file in dir.files() {
        if is_document(file.path()) {
            out.push(Source {
                path: format!("(embedded) {root}/{}", file.path().display()),
                text: file.contents_utf8().unwrap_or_default().to_owned(),
            });
        }
    }
    for sub in dir.dirs() {
        embedded_sources(sub, root, out);
    }
}

/// Every YAML/JSON file under `dir`, sorted by path so loading order is stable.
pub fn disk_sources(dir: &Path) -> std::io::Result<Vec<Source>> {
    let mut paths = Vec::new();
    collect_paths(dir, &mut paths)?;
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            Ok(Source {
                text: std::fs::read_to_string(&path)?,
                path: path.display().to_string(),
            })
        })
        .collect()
}

fn collect_paths(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_paths(&path, out)?;
        } else if is_document(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// Built-in scenarios, then those of `dir` (which override built-ins of the same name).
pub fn scenario_sources(dir: Option<&Path>) -> std::io::Result<Vec<Source>> {
    let mut sources = Vec::new();
    embedded_sources(&EMBEDDED_SCENARIOS, "scenarios", &mut sources);
    if let Some(dir) = dir {
        sources.extend(disk_sources(dir)?);
    }
    Ok(sources)
}

/// The fixture file `name` (e.g. `sumvin.yaml`) from `dir` if it is there, else the embedded one.
pub fn fixture_source(name: &str, dir: Option<&Path>) -> std::io::Result<Option<Source>> {
    if let Some(path) = dir.map(|d| d.join(name)).filter(|p| p.is_file()) {
        return Ok(Some(Source {
            text: std::fs::read_to_string(&path)?,
            path: path.display().to_string(),
        }));
    }
    Ok(EMBEDDED_FIXTURES.get_file(name).map(|f| Source {
        path: format!("(embedded) fixtures/{name}"),
        text: f.contents_utf8().unwrap_or_default().to_owned(),
    }))
}

/// A fixture file a provider cannot start without: as `fixture_source`, with a missing or
/// unreadable file reported as a `LoadError` naming it.
pub fn required_fixture(name: &str, dir: Option<&Path>) -> Result<Source, LoadError> {
    let error = |message: String| LoadError {
        path: name.into(),
        line: 0,
        column: 0,
        message,
    };
    fixture_source(name, dir)
        .map_err(|e| error(e.to_string()))?
        .ok_or_else(|| error("fixture file is missing".into()))
}

/// Raw bytes of an embedded fixture (document images).
pub fn fixture_bytes(name: &str) -> Option<&'static [u8]> {
    EMBEDDED_FIXTURES.get_file(name).map(|f| f.contents())
}
