//! Response bodies checked against the providers' published OpenAPI schemas (JSON Schema 2020-12).

use std::collections::HashMap;
use std::sync::OnceLock;

use parking_lot::Mutex;
use serde_json::{json, Value};

pub struct Spec {
    document: Value,
    validators: Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

/// Rebilly's bundled KYC subset (OpenAPI 3.1, YAML), with one deliberate addition: the
/// seed-era `kycGatherer` link rel beside the latest spec's `gatherer` (README explains why both).
pub fn rebilly() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let mut document: Value =
            serde_yaml_ng::from_str(include_str!("../../specs/rebilly-kyc.openapi.yaml"))
                .expect("spec parses");
        let rels = document.pointer_mut(
            "/components/schemas/KycRequest/properties/_links/items/properties/rel/enum",
        );
        rels.and_then(Value::as_array_mut)
            .expect("KycRequest link rels are an enum")
            .push(json!("kycGatherer"));
        Spec {
            document,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

pub fn sumvin() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec {
        document: serde_json::from_str(include_str!("../../specs/sumvin-kyc.openapi.json"))
            .expect("spec parses"),
        validators: Mutex::new(HashMap::new()),
    })
}

/// The admin API's own document (`GET /__admin/openapi.json`).
pub fn admin() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec {
        document: kyc_sandbox::admin::openapi::json().clone(),
        validators: Mutex::new(HashMap::new()),
    })
}

impl Spec {
    /// Fails the test on the first mismatch, naming the schema, the JSON path and the problem.
    #[track_caller]
    pub fn check(&self, schema: &str, body: &Value) {
        assert!(
            self.document["components"]["schemas"].get(schema).is_some(),
            "no schema {schema} in spec"
        );
        let validator = self.validator(
            schema,
            || json!({"$ref": format!("#/components/schemas/{schema}")}),
        );
        Self::report(&validator, schema, body);
    }

    /// Checks `body` against the (possibly inline) JSON schema of one operation's response,
    /// e.g. `check_response("/experimental/reports/kyc-request-summary", "get", "200", &body)`.
    #[track_caller]
    pub fn check_response(&self, path: &str, method: &str, status: &str, body: &Value) {
        let name = format!("{} {path} {status}", method.to_uppercase());
        let mut response = &self.document["paths"][path][method]["responses"][status];
        if let Some(reference) = response["$ref"].as_str() {
            let pointer = reference.trim_start_matches('#');
            response = self.document.pointer(pointer).unwrap_or(&Value::Null);
        }
        let schema = response["content"]["application/json"]["schema"].clone();
        assert!(
            schema.is_object(),
            "no JSON response schema for {name} in spec"
        );
        let validator = self.validator(&name, || schema);
        Self::report(&validator, &name, body);
    }

    /// Checks `body` against a named request body of the spec's components (e.g. a webhook
    /// payload: `check_request_body("KycDocumentWebhook", &payload)`).
    #[track_caller]
    pub fn check_request_body(&self, name: &str, body: &Value) {
        let schema = self.document["components"]["requestBodies"][name]["content"]
            ["application/json"]["schema"]
            .clone();
        assert!(schema.is_object(), "no request body {name} in spec");
        let validator = self.validator(&format!("requestBodies/{name}"), || schema);
        Self::report(&validator, name, body);
    }

    #[track_caller]
    fn report(validator: &jsonschema::Validator, schema: &str, body: &Value) {
        let first_error = validator
            .iter_errors(body)
            .next()
            .map(|e| format!("at `{}`: {e}", e.instance_path));
        if let Some(error) = first_error {
            panic!("response does not match {schema}: {error}\nbody: {body}");
        }
    }

    /// A compiled validator for `schema` (with the spec's components in scope), cached by `key`.
    fn validator(
        &self,
        key: &str,
        schema: impl FnOnce() -> Value,
    ) -> std::sync::Arc<jsonschema::Validator> {
        let mut cache = self.validators.lock();
        cache
            .entry(key.to_owned())
            .or_insert_with(|| {
                let root = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$ref": "#/$defs/checked",
                    "$defs": {"checked": schema()},
                    "components": self.document["components"],
                });
                std::sync::Arc::new(jsonschema::draft202012::new(&root).expect("schema compiles"))
            })
            .clone()
    }
}
