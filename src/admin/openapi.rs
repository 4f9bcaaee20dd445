//! `GET /__admin/openapi.json`: the admin API described in OpenAPI 3.1. Written by hand in YAML
//! (embedded), served as JSON; a test holds its paths and methods to the routes actually mounted.

use std::sync::OnceLock;

use actix_web::HttpResponse;

const SOURCE: &str = include_str!("openapi.yaml");

/// The document as JSON, parsed once.
pub fn json() -> &'static serde_json::Value {
    static DOCUMENT: OnceLock<serde_json::Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        // The embedded YAML is checked by a unit test, so this never fails in a build that passed.
        serde_yaml_ng::from_str(SOURCE).unwrap_or_else(|e| {
            log::error!("the embedded OpenAPI document does not parse: {e}");
            serde_json::json!({"openapi": "3.1.0", "info": {"title": "kyc-sandbox admin API", "version": env!("CARGO_PKG_VERSION")}, "paths": {}})
        })
    })
}

pub(super) async fn document() -> HttpResponse {
    HttpResponse::Ok().json(json())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_document_parses() {
        let parsed: serde_json::Value = serde_yaml_ng::from_str(super::SOURCE).unwrap();
        assert_eq!(parsed["openapi"], "3.1.0");
        assert_eq!(parsed["info"]["version"], env!("CARGO_PKG_VERSION"));
    }
}
