//! Faults files: a document among the scenario files whose top level is `faults:`, a list of
//! fault rules in the admin API's shape. They load (and reload) with the scenarios.

use serde::Deserialize;

use super::loader::{parse_document, LoadError, Source};
use crate::core::faults::FaultSpec;

#[derive(Deserialize)]
struct Head {
    faults: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultsDoc {
    /// Free text for whoever reads the file.
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    faults: Vec<FaultSpec>,
}

/// The rules of `source` if it is a faults file (`None` for a scenario), each checked against
/// the mounted `providers`.
pub fn parse_faults(
    source: &Source,
    providers: &[&str],
) -> Option<Result<Vec<FaultSpec>, LoadError>> {
    let head: Head = parse_document(source).ok()?;
    head.faults?;
    Some(parse(source, providers))
}

fn parse(source: &Source, providers: &[&str]) -> Result<Vec<FaultSpec>, LoadError> {
    let doc: FaultsDoc = parse_document(source)?;
    doc.faults
        .into_iter()
        .enumerate()
        .map(|(index, spec)| {
            spec.validate(providers)
                .map_err(|e| LoadError::near(source, "faults", format!("faults[{index}]: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source {
            path: "faults.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn faults_files_parse_and_scenarios_are_left_alone() {
        let rules = parse_faults(
            &source(
                "faults:\n  - provider: kycaid\n    path: /applicants\n    effect: { type: error, status: 503 }\n",
            ),
            &["kycaid"],
        )
        .unwrap()
        .unwrap();
        assert_eq!(rules[0].path.as_deref(), Some("/applicants"));
        assert!(parse_faults(&source("name: x\nprovider: kycaid\n"), &["kycaid"]).is_none());
        let err = parse_faults(
            &source("faults:\n  - effect: { type: error, status: 404 }\n"),
            &["kycaid"],
        )
        .unwrap()
        .unwrap_err();
        assert!(
            err.message.starts_with("faults[0]: an error effect"),
            "{err}"
        );
        assert_eq!(err.line, 1);
    }
}
