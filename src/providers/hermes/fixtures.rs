//! ZealID Hermes clients and test identities from `fixtures/hermes.yaml`.

use std::path::Path;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::core::assets;
use crate::core::scenario::{parse_document, LoadError};

pub const FIXTURE_FILE: &str = "hermes.yaml";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    pub client_id: String,
    pub secret: String,
    /// A login's `redirect_uri` must start with one of these.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// The optional identity attributes this client's `data` carries (ZealID configures them per
    /// service), e.g. `personal_number`, `document_expiration_date`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    /// Where AML-KYC webhooks go unless a session names another URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

impl Client {
    /// `ID:SECRET[:REDIRECT_BASE,…]` (the redirect bases keep their own colons).
    pub fn parse(spec: &str) -> Result<Client, String> {
        let mut parts = spec.splitn(3, ':');
        let (Some(client_id), Some(secret)) = (parts.next(), parts.next()) else {
            return Err(format!("`{spec}` is not ID:SECRET[:REDIRECT_BASE,…]"));
        };
        let redirect_uris = parts
            .next()
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|u| !u.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Client {
            client_id: client_id.to_owned(),
            secret: secret.to_owned(),
            redirect_uris,
            attributes: Vec::new(),
            webhook_url: None,
        }
        .checked()
    }

    /// The client if its id, secret and redirect bases are usable.
    pub fn checked(self) -> Result<Client, String> {
        if self.client_id.is_empty() || self.secret.is_empty() {
            return Err("a client needs a non-empty client_id and secret".into());
        }
        if let Some(bad) = self.redirect_uris.iter().find(|base| {
            url::Url::parse(base).map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
        }) {
            return Err(format!("redirect base `{bad}` is not an http(s) URL"));
        }
        if let Some(url) = &self.webhook_url {
            crate::core::webhooks::check_url(url).map_err(|e| e.to_string())?;
        }
        Ok(self)
    }

    /// Whether a login may send its code to `uri`: one under a registered base, compared as URLs
    /// (same scheme and host, any port when the base names none, a path under the base's), so
    /// `https://example.com.evil.test` or `https://example.com@evil.test` never qualify. A client
    /// registered without bases (a `--hermes-client ID:SECRET`) accepts any http(s) URL.
    pub fn accepts_redirect(&self, uri: &str) -> bool {
        let Ok(target) = url::Url::parse(uri) else {
            return false;
        };
        if !matches!(target.scheme(), "http" | "https")
            || !target.username().is_empty()
            || target.password().is_some()
        {
            return false;
        }
        if self.redirect_uris.is_empty() {
            return true;
        }
        self.redirect_uris.iter().any(|base| {
            url::Url::parse(base).is_ok_and(|base| {
                base.scheme() == target.scheme()
                    && base.host() == target.host()
                    && (base.port().is_none() || base.port() == target.port())
                    && target.path().starts_with(base.path())
            })
        })
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
    /// Optional attributes a client may be configured to receive in `data`.
    #[serde(default)]
    pub attributes: indexmap::IndexMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    pub clients: Vec<Client>,
    pub identities: Vec<Identity>,
}

impl Fixtures {
    pub fn load(dir: Option<&Path>) -> Result<Self, LoadError> {
        let source = assets::required_fixture(FIXTURE_FILE, dir)?;
        let fixtures: Fixtures = parse_document(&source)?;
        if fixtures.identities.is_empty() {
            return Err(LoadError::at(
                &source,
                (1, 1),
                "at least one identity is needed",
            ));
        }
        if let Some(message) = fixtures
            .clients
            .iter()
            .find_map(|c| c.clone().checked().err())
        {
            return Err(LoadError::at(&source, (1, 1), &message));
        }
        Ok(fixtures)
    }

    pub fn identity(&self, id: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_clients_keep_the_colons_of_their_redirect_bases() {
        let client = Client::parse("app:secret:http://localhost:3000,https://x.test").unwrap();
        assert_eq!(
            (client.client_id.as_str(), client.secret.as_str()),
            ("app", "secret")
        );
        assert_eq!(
            client.redirect_uris,
            ["http://localhost:3000", "https://x.test"]
        );
        assert!(client.accepts_redirect("http://localhost:3000/cb"));
        assert!(!client.accepts_redirect("http://localhost:4000/cb"));
        for lookalike in [
            "http://localhost:3000@evil.test/cb",
            "http://localhost.evil.test/cb",
            "https://x.test.evil.test/",
            "javascript:alert(1)",
        ] {
            assert!(!client.accepts_redirect(lookalike), "{lookalike}");
        }
        let open = Client::parse("app:secret").unwrap();
        assert!(open.accepts_redirect("https://anywhere.test/cb"));
        assert!(Client::parse("app").is_err() && Client::parse(":secret").is_err());
    }
}
