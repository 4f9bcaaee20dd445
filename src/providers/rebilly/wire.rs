//! Rebilly's wire format: resources as JSON, bare-array lists with `Pagination-*` headers,
//! `201` + `Location` on create.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::errors::{InvalidField, RebillyError};
use super::model::{rfc3339, Customer, File, KycDocument, KycRequest, RebillyTenant};
use crate::core::fake::FakePerson;
use crate::core::http::{self, body_limit, decode_json, read_body, PageRequest};

/// Where a resource lives, as the client addressed the API (with or without the organization).
pub fn resource_href(req: &HttpRequest, collection: &str, id: &str) -> String {
    let path = req.path();
    let prefix = path
        .find(&format!("/{collection}"))
        .map_or("", |i| &path[..i]);
    format!("{prefix}/{collection}/{id}")
}

pub fn ok(body: Value) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

pub fn created(location: String, body: Value) -> HttpResponse {
    HttpResponse::build(StatusCode::CREATED)
        .insert_header((header::LOCATION, http::location(&location)))
        .json(body)
}

/// A bare JSON array with the pagination headers the SDK reads.
pub fn list(items: Vec<Value>, total: usize, page: PageRequest) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Pagination-Total", total.to_string()))
        .insert_header(("Pagination-Limit", page.limit.to_string()))
        .insert_header(("Pagination-Offset", page.offset.to_string()))
        .json(Value::Array(items))
}

pub fn file_json(file: &File, href: &str) -> Value {
    let mut v = serde_json::to_value(file).unwrap_or_default();
    v["createdTime"] = json!(rfc3339(file.created_time));
    v["updatedTime"] = json!(rfc3339(file.updated_time));
    v["_links"] = json!([
        {"rel": "self", "href": href},
        {"rel": "download", "href": format!("{href}/download")},
    ]);
    v
}

fn time_opt(t: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    t.map_or(Value::Null, |t| json!(rfc3339(t)))
}

/// What Rebilly's analysis "read" from an identity document: the customer's fake identity.
/// `documentMatches` / `parsedData` once a document is decided: the latest spec's
/// `{version, score, checkList, data}`, with `data` in the shape of the document's type
/// (KycIdentityMatches, KycAddressMatches, FundsMatches, PurchaseMatches, CreditFileMatches).
fn matches(document: &KycDocument, person: &FakePerson) -> Value {
    use super::model::{DocumentStatus, DocumentType};
    let decided = matches!(
        document.status,
        DocumentStatus::Accepted | DocumentStatus::Rejected
    );
    if !decided {
        return Value::Null;
    }
    let accepted = document.status == DocumentStatus::Accepted;
    let check = |name: &str, failed: bool| json!({"name": name, "failed": failed, "score": if failed { 20 } else { 100 }, "reason": null});
    let (check_list, data) = match document.document_type {
        DocumentType::Identity => (
            vec![
                check("containsImage", false),
                check("firstName", !accepted),
                check("lastName", false),
                check("dateOfBirth", false),
            ],
            json!({
                "containsImage": true,
                "isIdentityDocument": true,
                "isPublishedOnline": false,
                "firstName": person.first_name,
                "lastName": person.last_name,
                "dateOfBirth": format!("{}T00:00:00Z", person.date_of_birth.format("%Y-%m-%d")),
                "documentNumber": person.document_number,
                "documentSubtype": document.document_subtype,
            }),
        ),
        DocumentType::Address => (
            vec![
                check("firstName", false),
                check("lastName", false),
                check("line1", !accepted),
                check("postalCode", false),
            ],
            json!({
                "firstName": person.first_name,
                "lastName": person.last_name,
                "line1": person.street,
                "city": person.city,
                "postalCode": person.postal_code,
                "date": rfc3339(document.created_time),
                "wordCount": 212,
                "uniqueWords": 131,
                "isTampered": !accepted,
                "documentSubtype": document.document_subtype,
            }),
        ),
        DocumentType::Funds => (
            vec![check("firstName", !accepted), check("lastName", false)],
            json!({
                "firstName": person.first_name,
                "lastName": person.last_name,
                "documentSubtype": document.document_subtype,
            }),
        ),
        DocumentType::Purchase => (
            vec![check("firstName", !accepted), check("lastName", false)],
            json!({
                "firstName": person.first_name,
                "lastName": person.last_name,
                "paymentInstrumentId": null,
                "documentSubtype": document.document_subtype,
            }),
        ),
        DocumentType::CreditFile => (
            vec![check("name", !accepted)],
            json!({
                "creditBureau": "test-bureau",
                "creditFileNumber": person.document_number,
                "name": format!("{} {}", person.first_name, person.last_name),
                "consultedDate": rfc3339(document.created_time),
                "decision": if accepted { "single-source" } else { "other" },
                "trades": [],
            }),
        ),
    };
    json!({
        "version": "2.0",
        "score": if accepted { 92 } else { 31 },
        "checkList": check_list,
        "data": data,
    })
}

pub fn document_json(document: &KycDocument, person: Option<&FakePerson>, href: &str) -> Value {
    let mut v = serde_json::to_value(document).unwrap_or_default();
    for (field, value) in [
        ("createdTime", Some(document.created_time)),
        ("updatedTime", Some(document.updated_time)),
    ] {
        v[field] = time_opt(value);
    }
    // The deprecated `fileId` the seed-era reference still shows next to `fileIds`.
    v["fileId"] = json!(document.file_ids.first());
    v["processedTime"] = time_opt(document.processed_time);
    v["reviewStartTime"] = time_opt(document.review_start_time);
    v["reviewTime"] = time_opt(document.review_time);
    v["tags"] = json!(document
        .tags
        .iter()
        .map(|name| json!({"name": name, "type": "kyc-document"}))
        .collect::<Vec<_>>());
    let mut analysis = person.map_or(Value::Null, |p| matches(document, p));
    if let Some(data) = analysis.get_mut("data").and_then(Value::as_object_mut) {
        data.extend(document.matches_override.clone());
    }
    v["documentMatches"] = analysis.clone();
    v["parsedData"] = analysis;
    let collection = href.rsplit_once("/kyc-documents/").map_or("", |(p, _)| p);
    v["_links"] = json!([
        {"rel": "self", "href": href},
        {"rel": "customer", "href": format!("{collection}/customers/{}", document.customer_id)},
    ]);
    v
}

/// Renders a document with its customer's identity.
pub fn document_of(state: &RebillyTenant, document: &KycDocument, href: &str) -> Value {
    document_json(
        document,
        state
            .customers
            .get(&document.customer_id)
            .map(|c| &c.person),
        href,
    )
}

/// A customer as Rebilly renders one (the spec's `Customer`), from the identity the sandbox gave
/// them; `href` is its own URL.
pub fn customer_json(customer: &Customer, href: &str) -> Value {
    let person = customer.identity();
    let primary_address = customer.primary_address.clone().map_or_else(
        || {
            json!({
                "firstName": person.first_name,
                "lastName": person.last_name,
                "address": person.street,
                "city": person.city,
                "postalCode": person.postal_code,
                "emails": [{"label": "main", "value": person.email, "primary": true}],
            })
        },
        Value::Object,
    );
    let mut v = json!({
        "id": customer.id,
        "email": person.email,
        "firstName": person.first_name,
        "lastName": person.last_name,
        "defaultPaymentInstrument": null,
        "preferredPayoutInstrumentId": null,
        "createdTime": rfc3339(customer.created_time),
        "updatedTime": rfc3339(customer.updated_time),
        "customFields": customer.custom_fields,
        "primaryAddress": primary_address,
        "paymentCount": 0,
        "_links": [{"rel": "self", "href": href}],
    });
    if let Some(website) = &customer.website_id {
        v["websiteId"] = json!(website);
    }
    v
}

/// The customer `id` of the organization as JSON (just its id if it is unknown).
pub fn customer_of(state: &RebillyTenant, id: &str, href: &str) -> Value {
    state
        .customers
        .get(id)
        .map_or_else(|| json!({"id": id}), |c| customer_json(c, href))
}

/// A request with its links; `expand` embeds its documents (`?expand=documents`).
pub fn request_of(state: &RebillyTenant, request: &KycRequest, href: &str, expand: bool) -> Value {
    let mut v = serde_json::to_value(request).unwrap_or_default();
    if let Value::Object(map) = &mut v {
        map.remove("documentIds");
        map.remove("gathererToken");
        map.remove("gathererJwtId");
        map.remove("gathererUrl");
    }
    for (field, t) in [
        ("expirationTime", request.expiration_time),
        ("createdTime", request.created_time),
        ("updatedTime", request.updated_time),
    ] {
        v[field] = json!(rfc3339(t));
    }
    let collection = href
        .rsplit_once("/kyc-requests/")
        .map_or("", |(prefix, _)| prefix);
    v["_links"] = json!([
        {"rel": "self", "href": href},
        {"rel": "documents", "href": format!("{collection}/kyc-documents?filter=requestId:{}", request.id)},
        {"rel": "kycGatherer", "href": request.gatherer_url},
        {"rel": "gatherer", "href": request.gatherer_url},
    ]);
    if expand {
        let documents: Vec<Value> = state
            .provided(request)
            .into_iter()
            .map(|d| document_of(state, d, &format!("{collection}/kyc-documents/{}", d.id)))
            .collect();
        v["_embedded"] = json!({"documents": documents});
    }
    v
}

/// Whether `?expand=` asks for `name` (a comma-separated list).
pub fn expands(req: &HttpRequest, name: &str) -> bool {
    query_param(req, "expand").is_some_and(|v| v.split(',').any(|part| part.trim() == name))
}

pub use crate::core::http::query_param;

/// The JSON object a create or update sent, or a 400 (malformed) or 422 (not an object).
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, RebillyError> {
    match decode_json(bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err(RebillyError::Validation(vec![InvalidField::new(
            "body",
            "must be a JSON object",
        )])),
    }
}

/// Reads a bounded request body and parses it as a JSON object.
pub async fn json_object(
    req: &HttpRequest,
    payload: &mut web::Payload,
) -> Result<Map<String, Value>, RebillyError> {
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
        body: &Map<String, Value>,
        field: &str,
        max: usize,
    ) -> Option<String> {
        match body.get(field) {
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
        body: &Map<String, Value>,
        field: &str,
        max: usize,
    ) -> Option<String> {
        if body.get(field) == Some(&Value::Null) {
            self.fail(field, "must be a string");
            return None;
        }
        self.opt_string(body, field, max)
    }

    pub fn string_list(&mut self, body: &Map<String, Value>, field: &str) -> Option<Vec<String>> {
        match body.get(field) {
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
