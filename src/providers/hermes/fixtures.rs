//! ZealID Hermes clients and test identities from `fixtures/hermes.yaml`.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::core::assets;
use crate::core::scenario::{parse_document, LoadError};

pub const FIXTURE_FILE: &str = "hermes.yaml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub client_id: String,
    pub secret: String,
    /// A login's `redirect_uri` must start with one of these.
    pub redirect_uris: Vec<String>,
}

impl Client {
    pub fn accepts_redirect(&self, uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|base| uri.starts_with(base.as_str()))
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    #[serde(rename = "type")]
    pub kind: String,
    pub issuance_country: String,
    pub expires: NaiveDate,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub serial_number: String,
    pub document: Document,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    pub clients: Vec<Client>,
    pub identities: Vec<Identity>,
}

impl Fixtures {
    pub fn load(dir: Option<&Path>) -> Result<Self, LoadError> {
        let missing = |message: String| LoadError {
            path: FIXTURE_FILE.into(),
            line: 0,
            column: 0,
            message,
        };
        let source = assets::fixture_source(FIXTURE_FILE, dir)
            .map_err(|e| missing(e.to_string()))?
            .ok_or_else(|| missing("fixture file is missing".into()))?;
        let fixtures: Fixtures = parse_document(&source)?;
        if fixtures.identities.is_empty() {
            return Err(missing("at least one identity is needed".into()));
        }
        Ok(fixtures)
    }

    pub fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.client_id == id)
    }

    pub fn identity(&self, id: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.id == id)
    }
}
