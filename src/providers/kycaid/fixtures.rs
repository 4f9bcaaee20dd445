//! KYCAID reference data from `fixtures/kycaid.yaml`: countries, languages, business
//! activities, hosted forms and the blacklist the screening matches against.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::input::is_id;
use super::model::Form;
use crate::core::assets;
use crate::core::scenario::{parse_document, LoadError, Source};

pub const FIXTURE_FILE: &str = "kycaid.yaml";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub label: String,
    pub activities: Vec<Activity>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlacklistEntry {
    pub full_name: String,
    #[serde(default)]
    pub dob: Option<String>,
    #[serde(default)]
    pub residence_country: Option<String>,
    pub bdb_name: String,
    pub bdb_type: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub document_number: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    pub countries: Vec<Named>,
    pub languages: Vec<Named>,
    pub business_categories: Vec<Category>,
    pub forms: Vec<Form>,
    pub blacklist: Vec<BlacklistEntry>,
    /// The codes of `countries`, for validating country fields.
    #[serde(skip)]
    country_codes: HashSet<String>,
}

impl Fixtures {
    pub fn load(dir: Option<&Path>) -> Result<Self, LoadError> {
        Self::parse(&assets::required_fixture(FIXTURE_FILE, dir)?)
    }

    pub fn parse(source: &Source) -> Result<Self, LoadError> {
        let mut fixtures: Fixtures = parse_document(source)?;
        fixtures.country_codes = fixtures.countries.iter().map(|c| c.code.clone()).collect();
        let ids = fixtures
            .business_categories
            .iter()
            .flat_map(|c| std::iter::once(&c.id).chain(c.activities.iter().map(|a| &a.id)))
            .chain(fixtures.forms.iter().map(|f| &f.id));
        for id in ids {
            if !is_id(id) {
                let line = source
                    .text
                    .lines()
                    .position(|l| l.contains(id.as_str()))
                    .map_or(1, |i| i + 1);
                return Err(LoadError::at(
                    source,
                    (line, 1),
                    format!("`{id}` is not a KYCAID id (36 lowercase hex characters)"),
                ));
            }
        }
        Ok(fixtures)
    }

    pub fn is_country(&self, code: &str) -> bool {
        self.country_codes.contains(code)
    }

    pub fn form(&self, id: &str) -> Option<&Form> {
        self.forms.iter().find(|f| f.id == id)
    }

    pub fn is_activity(&self, id: &str) -> bool {
        self.business_categories
            .iter()
            .any(|c| c.activities.iter().any(|a| a.id == id))
    }

    /// Blacklist entries whose name matches the person's (case-insensitive) or whose document
    /// number is one of theirs.
    pub fn screen<'a>(
        &'a self,
        full_name: &str,
        document_numbers: &'a [&'a str],
    ) -> impl Iterator<Item = &'a BlacklistEntry> + 'a {
        let name = full_name.trim().to_lowercase();
        self.blacklist.iter().filter(move |e| {
            (!name.is_empty() && e.full_name.to_lowercase() == name)
                || e.document_number
                    .as_deref()
                    .is_some_and(|n| document_numbers.contains(&n))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_fixtures_load() {
        let f = Fixtures::load(None).unwrap();
        assert!(f.countries.len() > 240);
        assert!(f.languages.iter().any(|l| l.code == "EN"));
        assert!(!f.forms.is_empty() && !f.blacklist.is_empty());
        assert_eq!(f.screen("ivan sanctioned", &[]).count(), 1);
    }
}
