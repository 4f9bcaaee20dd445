//! KYC requests: list, create (with a gatherer link), get, PATCH, DELETE.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value};

use super::listing::Listed;
use super::{expanding, href};
use crate::core::fields::Fields;
use crate::core::http::{base_url, mount_prefix};
use crate::core::json_out::Rendered;
use crate::core::resource::{Call, Create, Resource, Update};
use crate::core::store::Store;
use crate::providers::rebilly::errors::{InvalidField, RebillyError};
use crate::providers::rebilly::model::{
    DocumentType, KycRequest, RebillyTenant, RequestStatus, RequestedDocument,
    DEFAULT_MAX_ATTEMPTS, SUBTYPES,
};
use crate::providers::rebilly::wire::{request_of, Checks};
use crate::providers::rebilly::{Rebilly, MOUNT};

/// How long a request (and its gatherer link) lives unless `expirationTime` says otherwise.
pub const DEFAULT_LIFETIME: Duration = Duration::hours(1);

impl Resource<Rebilly> for KycRequest {
    const KIND: &'static str = "KycRequest";
    const COLLECTION: &'static str = "kyc-requests";

    fn store(state: &RebillyTenant) -> &Store<Self> {
        &state.requests
    }

    fn store_mut(state: &mut RebillyTenant) -> &mut Store<Self> {
        &mut state.requests
    }

    /// With its documents embedded when a read asks `?expand=documents`.
    fn render(call: &Call<Rebilly>, state: &RebillyTenant, request: &Self) -> Rendered {
        let href = href::<Self>(call.req, &request.id);
        request_of(state, request, &href, expanding(call.req, "documents"))
    }

    fn read_changes_nothing(_: &RebillyTenant, _: &str) -> bool {
        true
    }

    /// Its documents stay, no longer counting toward it; its gatherer link stops working.
    fn delete(_: &Call<Rebilly>, state: &mut RebillyTenant, id: &str) -> Result<(), RebillyError> {
        let request = state
            .remove_request(id)
            .ok_or(RebillyError::NotFound { kind: Self::KIND })?;
        if let Some(jwt) = state.jwts.get_mut(&request.gatherer_jwt_id) {
            jwt.revoked = true;
        }
        Ok(())
    }
}

impl Listed for KycRequest {
    const FILTERABLE: &'static [&'static str] = &["id", "customerId", "status"];

    fn field(&self, name: &str) -> Option<&str> {
        match name {
            "id" => Some(&self.id),
            "customerId" => Some(&self.customer_id),
            "status" => Some(self.status.as_str()),
            _ => None,
        }
    }

    fn updated_time(&self) -> DateTime<Utc> {
        self.updated_time
    }
}

fn requested_document(checks: &mut Checks, at: &str, item: &Value) -> Option<RequestedDocument> {
    let Value::Object(item) = item else {
        checks.fail(at, "must be an object");
        return None;
    };
    let kind = match item.get("type") {
        None => {
            checks.fail(format!("{at}.type"), "is required");
            None
        }
        Some(v) => v.as_str().and_then(DocumentType::parse).or_else(|| {
            checks.fail(
                format!("{at}.type"),
                format!("must be one of {}", DocumentType::NAMES.join(", ")),
            );
            None
        }),
    };
    let subtypes = checks.string_list(item, "subtypes");
    for (i, subtype) in subtypes.iter().flatten().enumerate() {
        if !SUBTYPES.contains(&subtype.as_str()) {
            checks.fail(
                format!("{at}.subtypes.{i}"),
                format!("must be one of {}", SUBTYPES.join(", ")),
            );
        }
    }
    if let Some(f) = checks
        .0
        .iter_mut()
        .find(|f| f.field.starts_with("subtypes"))
    {
        f.field = format!("{at}.{}", f.field);
    }
    let max_attempts = match item.get("maxAttempts") {
        None | Some(Value::Null) => DEFAULT_MAX_ATTEMPTS,
        Some(v) => match v.as_u64() {
            Some(n @ 0..=100) => n as u32,
            _ => {
                checks.fail(
                    format!("{at}.maxAttempts"),
                    "must be an integer from 0 (unlimited) to 100",
                );
                DEFAULT_MAX_ATTEMPTS
            }
        },
    };
    let mut flag = |name: &str| match item.get(name) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            checks.fail(format!("{at}.{name}"), "must be a boolean");
            false
        }
    };
    let face_proof_required = flag("faceProofRequired");
    let face_liveness_required = flag("faceLivenessRequired");
    Some(RequestedDocument {
        kind: kind?,
        subtypes,
        max_attempts,
        face_proof_required,
        face_liveness_required,
    })
}

fn requested_documents(checks: &mut Checks, body: &Fields) -> Option<Vec<RequestedDocument>> {
    let items = match body.get("documents") {
        None => {
            checks.fail("documents", "is required");
            return None;
        }
        Some(Value::Array(items)) if items.is_empty() => {
            checks.fail("documents", "must list at least one document");
            return None;
        }
        Some(Value::Array(items)) => items,
        Some(_) => {
            checks.fail("documents", "must be an array");
            return None;
        }
    };
    let mut documents: Vec<RequestedDocument> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if let Some(document) = requested_document(checks, &format!("documents.{i}"), item) {
            if documents.iter().any(|d| d.kind == document.kind) {
                checks.fail(
                    format!("documents.{i}.type"),
                    format!("{} is requested twice", document.kind.as_str()),
                );
            }
            documents.push(document);
        }
    }
    Some(documents)
}

/// The optional fields a create and a PATCH share.
pub struct RequestFields {
    redirect_url: Option<Option<String>>,
    reason: Option<Option<String>>,
    match_level: Option<u8>,
    expiration_time: Option<DateTime<Utc>>,
}

fn request_fields(checks: &mut Checks, body: &Fields, now: DateTime<Utc>) -> RequestFields {
    let redirect_url = body.contains_key("redirectUrl").then(|| {
        let url = checks.opt_string(body, "redirectUrl", 2048);
        if let Some(url) = &url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                checks.fail("redirectUrl", "must be an absolute http(s) URL");
            }
        }
        url
    });
    let reason = body
        .contains_key("reason")
        .then(|| checks.opt_string(body, "reason", 1000));
    let match_level = match body.get("matchLevel") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=3) => Some(n as u8),
            _ => {
                checks.fail("matchLevel", "must be 1, 2 or 3");
                None
            }
        },
    };
    let expiration_time = match body.get("expirationTime") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) if t > now => Some(t.with_timezone(&Utc)),
            Ok(_) => {
                checks.fail("expirationTime", "must be in the future");
                None
            }
            Err(_) => {
                checks.fail("expirationTime", "must be an RFC 3339 date-time");
                None
            }
        },
        Some(_) => {
            checks.fail("expirationTime", "must be an RFC 3339 date-time string");
            None
        }
    };
    RequestFields {
        redirect_url,
        reason,
        match_level,
        expiration_time,
    }
}

/// A checked create: the customer, what to gather, and where the gatherer page is.
pub struct NewRequest {
    customer_id: String,
    documents: Vec<RequestedDocument>,
    fields: RequestFields,
    gatherer_base: String,
}

impl Create<Rebilly> for KycRequest {
    type Draft = NewRequest;

    fn draft(call: &Call<Rebilly>, body: Fields) -> Result<NewRequest, RebillyError> {
        let now = call.now;
        let mut checks = Checks::default();
        let customer_id = checks.opt_string(&body, "customerId", 50);
        if customer_id.is_none() {
            checks.fail("customerId", "is required");
        }
        let documents = requested_documents(&mut checks, &body);
        let fields = request_fields(&mut checks, &body, now);
        checks.finish()?;
        let (Some(customer_id), Some(documents)) = (customer_id, documents) else {
            return Err(RebillyError::Validation(vec![InvalidField::new(
                "documents",
                "is required",
            )]));
        };
        let gatherer_base = format!(
            "{}{}/kyc-gatherer/?token=",
            base_url(call.req),
            mount_prefix(call.req, MOUNT)
        );
        Ok(NewRequest {
            customer_id,
            documents,
            fields,
            gatherer_base,
        })
    }

    fn insert(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        new: NewRequest,
    ) -> Result<String, RebillyError> {
        let (rebilly, now, fields) = (call.api, call.now, new.fields);
        rebilly.require_customer(state, "customerId", &new.customer_id, now)?;
        let id = state.new_id("kyc_req_");
        let expiration_time = fields.expiration_time.unwrap_or(now + DEFAULT_LIFETIME);
        let (jwt_id, token) =
            gatherer_jwt(state, rebilly, &new.customer_id, &id, now, expiration_time);
        let request = KycRequest {
            id: id.clone(),
            customer_id: new.customer_id,
            documents: new.documents,
            status: RequestStatus::Gathering,
            redirect_url: fields.redirect_url.flatten(),
            reason: fields.reason.flatten(),
            match_level: fields.match_level.unwrap_or(2),
            revision: 1,
            expiration_time,
            created_time: now,
            updated_time: now,
            document_ids: Vec::new(),
            gatherer_url: format!("{}{token}", new.gatherer_base),
            gatherer_token: token,
            gatherer_jwt_id: jwt_id,
            expiry_run: 0,
        };
        state.insert_request(request);
        rebilly.schedule_expiry(&call.caller.tenant, state, &id);
        Ok(id)
    }
}

/// A customer JWT scoped to one request, valid until the request expires: its id and token.
fn gatherer_jwt(
    state: &mut RebillyTenant,
    rebilly: &Rebilly,
    customer_id: &str,
    request_id: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
) -> (String, String) {
    let mut claims = Map::new();
    claims.insert("kycRequestId".into(), Value::String(request_id.to_owned()));
    let jwt = state.mint_jwt(
        customer_id,
        Some(request_id),
        claims,
        now,
        expires,
        &rebilly.jwt_secret(),
    );
    (jwt.id.clone(), jwt.token.clone())
}

/// A checked PATCH body; what depends on the request (read-only `customerId`) is checked under
/// the lock, into the same `checks`, so one 422 names every bad field.
pub struct RequestPatch {
    body: Fields,
    checks: Checks,
    documents: Option<Vec<RequestedDocument>>,
    fields: RequestFields,
}

impl Update<Rebilly> for KycRequest {
    type Patch = RequestPatch;

    fn patch(call: &Call<Rebilly>, body: Fields) -> Result<RequestPatch, RebillyError> {
        let mut checks = Checks::default();
        let documents = body
            .contains_key("documents")
            .then(|| requested_documents(&mut checks, &body))
            .flatten();
        let fields = request_fields(&mut checks, &body, call.now);
        Ok(RequestPatch {
            body,
            checks,
            documents,
            fields,
        })
    }

    fn apply(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        id: &str,
        patch: RequestPatch,
    ) -> Result<(), RebillyError> {
        let RequestPatch {
            body,
            mut checks,
            documents,
            fields,
        } = patch;
        let now = call.now;
        let request = Self::find(state, id)?;
        if let Some(customer) = body.get("customerId") {
            if customer.as_str() != Some(request.customer_id.as_str()) {
                checks.fail("customerId", "is read-only");
            }
        }
        checks.finish()?;
        let reshapes = documents.is_some() || fields.expiration_time.is_some();
        if reshapes && request.status.is_final() {
            return Err(RebillyError::Conflict(format!(
                "KYC request is {}; its documents and expiration time can no longer change.",
                request.status.as_str()
            )));
        }
        let jwt_id = request.gatherer_jwt_id.clone();
        let request = Self::find_mut(state, id)?;
        if let Some(documents) = documents {
            request.documents = documents;
        }
        if let Some(url) = fields.redirect_url {
            request.redirect_url = url;
        }
        if let Some(reason) = fields.reason {
            request.reason = reason;
        }
        if let Some(level) = fields.match_level {
            request.match_level = level;
        }
        if let Some(at) = fields.expiration_time {
            request.expiration_time = at;
        }
        request.touch(now);
        if let Some(at) = fields.expiration_time {
            if let Some(jwt) = state.jwts.get_mut(&jwt_id) {
                jwt.expired_time = at;
            }
            call.api.schedule_expiry(&call.caller.tenant, state, id);
        }
        state.refresh_request(id, now);
        Ok(())
    }
}
