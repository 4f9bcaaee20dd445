//! Rebilly's wire format: resources as JSON (`render`), bare-array lists with `Pagination-*`
//! headers, `201` + `Location` on create.

mod analysis;
mod render;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

pub use self::render::{
    customer_document_fields, customer_json, customer_of, customer_request_fields, document_fields,
    document_of, file_fields, file_json, link, merchant_document_fields, request_fields,
    request_of, Audience,
};
use super::errors::{InvalidField, RebillyError};
use crate::core::fields::{Fields, Lookup};
use crate::core::http::{self, body_limit, decode_json, read_body, JsonError, PageRequest};
use crate::core::json_out::{Rendered, RenderedBody};

/// Where a resource lives, as the client addressed the API (with or without the organization).
pub fn resource_href(req: &HttpRequest, collection: &str, id: &str) -> String {
    let path = req.path();
    // What comes before `/{collection}` in the path (a mount, a storefront organization).
    let prefix = path
        .match_indices('/')
        .find(|(at, _)| path[at + 1..].starts_with(collection))
        .map_or("", |(at, _)| &path[..at]);
    let mut href = String::with_capacity(prefix.len() + collection.len() + id.len() + 2);
    for part in [prefix, "/", collection, "/", id] {
        href.push_str(part);
    }
    href
}

/// What comes before the last `/{collection}/` in `href`, or `""`: the base that a resource's
/// links to other collections share, as the client addressed the API. (A search for the `/`
/// rather than for the whole text: this runs on every render, and a substring search sets up
/// more than it then scans.)
pub fn base_of<'a>(href: &'a str, collection: &str) -> &'a str {
    href.rmatch_indices('/')
        .find(|(at, _)| {
            href[at + 1..]
                .strip_prefix(collection)
                .is_some_and(|rest| rest.starts_with('/'))
        })
        .map_or("", |(at, _)| &href[..at])
}

pub fn ok(body: Rendered) -> HttpResponse {
    body.ok()
}

pub fn created(location: String, body: Rendered) -> HttpResponse {
    HttpResponse::build(StatusCode::CREATED)
        .insert_header((header::LOCATION, http::location(&location)))
        .rendered(body)
}

/// A bare JSON array with the pagination headers the SDK reads.
pub fn list(items: &[Rendered], total: usize, page: PageRequest) -> HttpResponse {
    let body = crate::core::json_out::array(|a| {
        for item in items {
            a.raw(item);
        }
    });
    HttpResponse::Ok()
        .insert_header(("Pagination-Total", total.to_string()))
        .insert_header(("Pagination-Limit", page.limit.to_string()))
        .insert_header(("Pagination-Offset", page.offset.to_string()))
        .rendered(body)
}

/// Whether `?expand=` asks for `name` (a comma-separated list).
pub fn expands(req: &HttpRequest, name: &str) -> bool {
    query_param(req, "expand").is_some_and(|v| v.split(',').any(|part| part.trim() == name))
}

pub use crate::core::http::query_param;

/// The JSON object a create or update sent, or a 400 (malformed) or 422 (not an object).
pub fn parse_object(bytes: &[u8]) -> Result<Fields, RebillyError> {
    match decode_json(bytes) {
        Ok(fields) => Ok(fields),
        // Any value is accepted inside the object, so only the root can have the wrong shape.
        Err(JsonError::Shape { .. }) => Err(RebillyError::Validation(vec![InvalidField::new(
            "body",
            "must be a JSON object",
        )])),
        Err(syntax) => Err(syntax.into()),
    }
}

/// Reads a bounded request body and parses it as a JSON object.
pub async fn json_object(
    req: &HttpRequest,
    payload: &mut web::Payload,
) -> Result<Fields, RebillyError> {
    parse_object(&read_body(req, payload, body_limit(req)).await?)
}

/// Collects per-field problems so one 422 names every bad field.
#[derive(Default)]
pub struct Checks(pub Vec<InvalidField>);

impl Checks {
    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(InvalidField::new(field, message));
    }

    /// An optional string of at most `max` characters (`null` allowed).
    pub fn opt_string(
        &mut self,
        body: &(impl Lookup + ?Sized),
        field: &str,
        max: usize,
    ) -> Option<String> {
        match body.lookup(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.chars().count() <= max => Some(s.clone()),
            Some(Value::String(_)) => {
                self.fail(field, format!("must be at most {max} characters"));
                None
            }
            Some(_) => {
                self.fail(field, "must be a string");
                None
            }
        }
    }

    /// Like `opt_string` for a field the spec types `string` alone: `null` is refused too.
    pub fn opt_non_null_string(
        &mut self,
        body: &(impl Lookup + ?Sized),
        field: &str,
        max: usize,
    ) -> Option<String> {
        if body.lookup(field) == Some(&Value::Null) {
            self.fail(field, "must be a string");
            return None;
        }
        self.opt_string(body, field, max)
    }

    pub fn string_list(
        &mut self,
        body: &(impl Lookup + ?Sized),
        field: &str,
    ) -> Option<Vec<String>> {
        match body.lookup(field) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(s) => out.push(s.to_owned()),
                        None => self.fail(format!("{field}.{i}"), "must be a string"),
                    }
                }
                Some(out)
            }
            Some(_) => {
                self.fail(field, "must be an array of strings");
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), RebillyError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(RebillyError::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_keep_what_the_client_put_before_the_collection() {
        let href = |path: &str| {
            let req = actix_web::test::TestRequest::with_uri(path).to_http_request();
            resource_href(&req, "kyc-documents", "kyc_doc_1")
        };
        assert_eq!(href("/kyc-documents"), "/kyc-documents/kyc_doc_1");
        assert_eq!(
            href("/rebilly/kyc-documents/x"),
            "/rebilly/kyc-documents/kyc_doc_1"
        );
        assert_eq!(
            href("/rebilly/organizations/org_1/kyc-documents"),
            "/rebilly/organizations/org_1/kyc-documents/kyc_doc_1"
        );
        // The first time the collection starts a segment, as the path was routed.
        assert_eq!(
            href("/storefront/kyc-documents/kyc-documents"),
            "/storefront/kyc-documents/kyc_doc_1"
        );
    }

    #[test]
    fn the_base_is_what_comes_before_the_last_collection_segment() {
        assert_eq!(base_of("/kyc-documents/kyc_doc_1", "kyc-documents"), "");
        assert_eq!(
            base_of("/rebilly/organizations/o/kyc-documents/d", "kyc-documents"),
            "/rebilly/organizations/o"
        );
        assert_eq!(
            base_of("/a/kyc-documents/b/kyc-documents/c", "kyc-documents"),
            "/a/kyc-documents/b"
        );
        assert_eq!(base_of("/rebilly/kyc-documentsx/d", "kyc-documents"), "");
        assert_eq!(base_of("/rebilly/kyc-documents", "kyc-documents"), "");
        assert_eq!(base_of("", "kyc-documents"), "");
    }
}
