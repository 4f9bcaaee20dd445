//! Sumvin reference data from `fixtures/sumvin.yaml`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::model::StepType;
use crate::core::assets;
use crate::core::scenario::{parse_document, LoadError, Source};

pub const FIXTURE_FILE: &str = "sumvin.yaml";

/// The levels `?level=` on the access-token call may name (the spec's enum).
pub const QUERY_LEVELS: &[&str] = &["liveness", "passport"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    pub levels: BTreeMap<String, Vec<StepType>>,
    pub default_level: String,
    pub access_token_ttl: u32,
    pub session_ttl: u32,
}

impl Fixtures {
    pub fn load(dir: Option<&Path>) -> Result<Self, LoadError> {
        Self::parse(&assets::required_fixture(FIXTURE_FILE, dir)?)
    }

    pub fn parse(source: &Source) -> Result<Self, LoadError> {
        let fixtures: Fixtures = parse_document(source)?;
        let at = |key: &str, message: String| {
            let line = source
                .text
                .lines()
                .position(|l| l.trim_start().starts_with(key))
                .map_or(1, |i| i + 1);
            LoadError::at(source, (line, 1), message)
        };
        for required in
            std::iter::once(fixtures.default_level.as_str()).chain(QUERY_LEVELS.iter().copied())
        {
            if !fixtures.levels.contains_key(required) {
                return Err(at(
                    "default_level",
                    format!("level `{required}` must be defined under `levels`"),
                ));
            }
        }
        if let Some((name, _)) = fixtures.levels.iter().find(|(_, steps)| steps.is_empty()) {
            return Err(at(name, format!("level `{name}` needs at least one step")));
        }
        Ok(fixtures)
    }

    pub fn steps(&self, level: &str) -> &[StepType] {
        self.levels
            .get(level)
            .or_else(|| self.levels.get(&self.default_level))
            .map_or(&[], Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fixtures_are_valid() {
        let f = Fixtures::load(None).unwrap();
        assert_eq!(
            f.steps("basic-kyc-level"),
            &[StepType::Identity, StepType::Selfie]
        );
        assert_eq!(f.steps("nope"), f.steps(&f.default_level));
    }

    #[test]
    fn bad_fixtures_are_located() {
        let source = Source {
            path: "sumvin.yaml".into(),
            text: "levels:\n  passport: [IDENTITY]\n  liveness: [FACE]\ndefault_level: passport\naccess_token_ttl: 1\nsession_ttl: 1\n".into(),
        };
        let err = Fixtures::parse(&source).unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        assert!(err.message.contains("unknown variant `FACE`"), "{err}");
    }
}
