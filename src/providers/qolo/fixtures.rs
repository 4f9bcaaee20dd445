//! Qolo logins and programs from `fixtures/qolo.yaml`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::core::assets;
use crate::core::scenario::{parse_document, LoadError};

pub const FIXTURE_FILE: &str = "qolo.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VerificationMode {
    /// Simple Due Diligence: a sanctions (OFAC) screen.
    #[serde(rename = "SDD")]
    Sdd,
    /// Compliance Due Diligence: electronic identity verification, SSN or government id needed.
    #[serde(rename = "CDD")]
    Cdd,
}

impl VerificationMode {
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationMode::Sdd => "SDD",
            VerificationMode::Cdd => "CDD",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub program_guid: String,
    pub verification_mode: VerificationMode,
    pub top_program_guid: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub loginid: String,
    pub apikey: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    pub accept_any_apikey: bool,
    #[serde(default)]
    pub logins: Vec<Login>,
    pub programs: Vec<Program>,
}

impl Fixtures {
    pub fn load(dir: Option<&Path>) -> Result<Self, LoadError> {
        let source = assets::required_fixture(FIXTURE_FILE, dir)?;
        let fixtures: Fixtures = parse_document(&source)?;
        if fixtures.programs.is_empty() {
            return Err(LoadError::at(
                &source,
                (1, 1),
                "at least one program is needed",
            ));
        }
        for program in &fixtures.programs {
            for guid in [&program.program_guid, &program.top_program_guid] {
                if uuid::Uuid::parse_str(guid).is_err() {
                    return Err(LoadError::at(
                        &source,
                        (1, 1),
                        format!("`{guid}` is not a uuid"),
                    ));
                }
            }
        }
        Ok(fixtures)
    }

    /// Whether `apikey` lets `loginid` in.
    pub fn admits(&self, loginid: &str, apikey: &str) -> bool {
        if self.accept_any_apikey {
            return !apikey.is_empty();
        }
        self.logins
            .iter()
            .any(|l| l.loginid == loginid && l.apikey == apikey)
    }

    pub fn program(&self, guid: &str) -> Option<&Program> {
        self.programs
            .iter()
            .find(|p| p.program_guid.eq_ignore_ascii_case(guid))
    }
}
