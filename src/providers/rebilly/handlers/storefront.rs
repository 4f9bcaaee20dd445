//! The storefront API a customer's browser (or the KYC gatherer) calls with a customer JWT:
//! login/logout, account, the customer's own KYC documents and requests, liveness sessions.
//! A customer never sees another customer's resources: they are answered with 404.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::customer_auth::{password_login, SESSION_LIFETIME};
use super::documents::{create_document, parse_input};
use super::files::IdPath;
use super::listing::ListQuery;
use crate::core::http::{forced_scenario, location};
use crate::core::json_out::{self, Rendered, RenderedBody};
use crate::providers::rebilly::auth::{login_caller, Shopper};
use crate::providers::rebilly::errors::{InvalidField, RebillyError};
use crate::providers::rebilly::model::{
    rfc3339, DocumentStatus, KycDocument, LivenessSession, LivenessStatus, RebillyTenant, MODIFIED,
    SUBTYPES,
};
use crate::providers::rebilly::wire::{
    base_of, created, customer_document_fields, customer_json, customer_request_fields,
    document_fields, expands, json_object, link, list, ok, request_fields, resource_href, Audience,
    Checks,
};
use crate::providers::rebilly::Rebilly;

type Reply = Result<HttpResponse, RebillyError>;

/// A document as its customer sees it (`customer_document_fields`), with only its `self` link.
fn storefront_document(state: &RebillyTenant, document: &KycDocument, href: &str) -> Rendered {
    json_out::object(|o| {
        let fields = customer_document_fields(document);
        document_fields(o, state, document, href, &fields, Audience::Customer);
    })
}

/// The signed-in customer's document, or 404 (also for another customer's).
fn own_document<'a>(
    state: &'a RebillyTenant,
    shopper: &Shopper,
    id: &str,
) -> Result<&'a KycDocument, RebillyError> {
    state
        .documents
        .get(id)
        .filter(|d| d.customer_id == shopper.customer_id)
        .ok_or(RebillyError::NotFound {
            kind: "KycDocument",
        })
}

pub async fn login(
    req: HttpRequest,
    mut payload: web::Payload,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let caller = login_caller(&req)?;
    let body = json_object(&req, &mut payload).await?;
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(&caller, |state| {
        let (_, customer_id) = password_login(&rebilly, state, &body, now)?;
        let jwt = state.mint_jwt(
            &customer_id,
            None,
            Default::default(),
            now,
            now + SESSION_LIFETIME,
            &rebilly.jwt_secret(),
        );
        let body = json_out::object(|o| {
            o.field("id", &jwt.id)
                .field("token", &jwt.token)
                .time("createdTime", rfc3339(jwt.created_time))
                .time("updatedTime", rfc3339(jwt.updated_time))
                .time("expiredTime", rfc3339(jwt.expired_time));
        });
        let location = req.path().replace("/login", "/account");
        Ok(created(location.trim_end_matches('/').to_owned(), body))
    })
}

pub async fn logout(shopper: Shopper, rebilly: web::Data<Rebilly>) -> Reply {
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(&shopper.caller, |state| {
        if let Some(jwt) = state.jwts.get_mut(&shopper.jwt_id) {
            jwt.revoked = true;
            jwt.updated_time = now;
        }
        Ok(HttpResponse::NoContent().finish())
    })
}

pub async fn account(req: HttpRequest, shopper: Shopper, rebilly: web::Data<Rebilly>) -> Reply {
    let now = rebilly.core.clock.now();
    let href = req.path().to_owned();
    rebilly.with_tenant(&shopper.caller, |state| {
        let customer = state.customer(&shopper.customer_id, now);
        Ok(ok(customer_json(customer, &href)))
    })
}

/// `PATCH /storefront/account` (StorefrontPatchAccount): the signed-in customer changes their own
/// customer record (the same fields as the core `PUT /customers/{id}`).
pub async fn patch_account(
    req: HttpRequest,
    mut payload: web::Payload,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let change = super::customers::parse_change(&json_object(&req, &mut payload).await?)?;
    let now = rebilly.core.clock.now();
    let href = req.path().to_owned();
    rebilly.with_tenant(&shopper.caller, |state| {
        state.customer(&shopper.customer_id, now);
        state.update_customer(&shopper.customer_id, change, now);
        Ok(ok(customer_json(
            &state.customers[shopper.customer_id.as_str()],
            &href,
        )))
    })
}

pub async fn list_documents(
    req: HttpRequest,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let query = ListQuery::parse::<KycDocument>(&req)?;
    rebilly.with_tenant(&shopper.caller, |state| {
        let found = query.run_where(&state.documents, |d| d.customer_id == shopper.customer_id);
        let items: Vec<Rendered> = found
            .items
            .into_iter()
            .map(|d| storefront_document(state, d, &resource_href(&req, "kyc-documents", &d.id)))
            .collect();
        Ok(list(&items, found.total, query.page))
    })
}

/// A document for the signed-in customer; a gatherer token files it under its request.
pub async fn create_own_document(
    req: HttpRequest,
    mut payload: web::Payload,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let mut body = json_object(&req, &mut payload).await?;
    if body.get("documentType").and_then(Value::as_str) == Some("credit-file-proof") {
        return Err(RebillyError::Validation(vec![InvalidField::new(
            "documentType",
            "must be identity-proof, address-proof, funds-proof or purchase-proof",
        )]));
    }
    if let Some(request_id) = &shopper.request_id {
        body.insert("requestId".into(), Value::String(request_id.clone()));
    }
    let forced = forced_scenario(&req);
    rebilly.with_tenant(&shopper.caller, |state| {
        let input = parse_input(&body, state, Some(&shopper.customer_id))?;
        let id = state.new_id("kyc_doc_");
        create_document(
            &rebilly,
            &shopper.caller,
            state,
            id.clone(),
            input,
            forced.as_deref(),
        )?;
        let href = resource_href(&req, "kyc-documents", &id);
        Ok(created(
            href.clone(),
            storefront_document(state, &state.documents[id.as_str()], &href),
        ))
    })
}

pub async fn get_own_document(
    req: HttpRequest,
    path: web::Path<IdPath>,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    rebilly.with_tenant(&shopper.caller, |state| {
        own_document(state, &shopper, &path.id)?;
        rebilly.note_read(&shopper.caller.tenant, state, &path.id);
        let href = resource_href(&req, "kyc-documents", &path.id);
        Ok(ok(storefront_document(
            state,
            &state.documents[path.id.as_str()],
            &href,
        )))
    })
}

/// A customer may change the files and subtype of a document not yet decided.
pub async fn patch_own_document(
    req: HttpRequest,
    path: web::Path<IdPath>,
    mut payload: web::Payload,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let body = json_object(&req, &mut payload).await?;
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(&shopper.caller, |state| {
        let document = own_document(state, &shopper, &path.id)?;
        if !matches!(
            document.status,
            DocumentStatus::Pending | DocumentStatus::InProgress
        ) {
            return Err(RebillyError::Conflict(format!(
                "KYC document is {}; it can no longer change.",
                document.status.as_str()
            )));
        }
        let mut checks = Checks::default();
        let file_ids = checks.string_list(&body, "fileIds");
        for (i, id) in file_ids.iter().flatten().enumerate() {
            if !state.files.contains(id) {
                checks.fail(format!("fileIds.{i}"), format!("file {id} does not exist"));
            }
        }
        if file_ids.as_ref().is_some_and(Vec::is_empty) {
            checks.fail("fileIds", "at least one file is required");
        }
        let subtype = checks.opt_string(&body, "documentSubtype", 50);
        if let Some(s) = &subtype {
            if !SUBTYPES.contains(&s.as_str()) {
                checks.fail(
                    "documentSubtype",
                    format!("must be one of {}", SUBTYPES.join(", ")),
                );
            }
        }
        checks.finish()?;
        state.change_document(&path.id, now, MODIFIED, |document| {
            if let Some(file_ids) = file_ids {
                document.file_ids = file_ids;
            }
            if body.contains_key("documentSubtype") {
                document.document_subtype = subtype;
            }
            document.touch(now);
        });
        let href = resource_href(&req, "kyc-documents", &path.id);
        Ok(ok(storefront_document(
            state,
            &state.documents[path.id.as_str()],
            &href,
        )))
    })
}

pub async fn get_own_request(
    req: HttpRequest,
    path: web::Path<IdPath>,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    rebilly.with_tenant(&shopper.caller, |state| {
        let request = state
            .requests
            .get(&path.id)
            .filter(|r| r.customer_id == shopper.customer_id)
            .ok_or(RebillyError::NotFound { kind: "KycRequest" })?;
        let href = resource_href(&req, "kyc-requests", &path.id);
        let fields = customer_request_fields(request, expands(&req, "documents"));
        Ok(ok(json_out::object(|o| {
            request_fields(o, state, request, &href, &fields, Audience::Customer)
        })))
    })
}

fn liveness_json(session: &LivenessSession, href: &str) -> Rendered {
    let collection = base_of(href, "kyc-liveness-sessions");
    json_out::object(|o| {
        o.field("id", &session.id)
            .field("customerId", &session.customer_id)
            .field("kycRequestId", &session.kyc_request_id)
            .field("sessionId", &session.session_id)
            .field("status", session.status.as_str())
            .field("referenceImage", &session.reference_image)
            .time("createdTime", rfc3339(session.created_time))
            .time("updatedTime", rfc3339(session.updated_time))
            .array("_links", |a| {
                link(a, "self", href);
                link(
                    a,
                    "kycRequest",
                    format_args!("{collection}/kyc-requests/{}", session.kyc_request_id),
                );
            });
    })
}

pub async fn create_liveness(
    req: HttpRequest,
    mut payload: web::Payload,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let body = json_object(&req, &mut payload).await?;
    let now = rebilly.core.clock.now();
    let mut checks = Checks::default();
    let request_id = checks.opt_string(&body, "kycRequestId", 50);
    if request_id.is_none() {
        checks.fail("kycRequestId", "is required");
    }
    checks.finish()?;
    let request_id = request_id.unwrap_or_default();
    rebilly.with_tenant(&shopper.caller, |state| {
        let open = state
            .requests
            .get(&request_id)
            .filter(|r| r.customer_id == shopper.customer_id);
        match open {
            None => {
                return Err(RebillyError::Validation(vec![InvalidField::new(
                    "kycRequestId",
                    format!("KYC request {request_id} does not exist"),
                )]))
            }
            Some(r) if r.status.is_final() => {
                return Err(RebillyError::Validation(vec![InvalidField::new(
                    "kycRequestId",
                    format!("KYC request {request_id} is {}", r.status.as_str()),
                )]))
            }
            Some(_) => {}
        }
        let session = LivenessSession {
            id: state.new_id("kyc_liv_"),
            customer_id: shopper.customer_id.clone(),
            kyc_request_id: request_id,
            session_id: state.rng.uuid_v4().to_string(),
            status: LivenessStatus::Pending,
            reference_image: None,
            created_time: now,
            updated_time: now,
        };
        let href = resource_href(&req, "kyc-liveness-sessions", &session.id);
        let body = liveness_json(&session, &href);
        state.liveness_sessions.insert(session.id.clone(), session);
        Ok(created(href, body))
    })
}

fn own_session<'a>(
    state: &'a mut RebillyTenant,
    shopper: &Shopper,
    id: &str,
) -> Result<&'a mut LivenessSession, RebillyError> {
    state
        .liveness_sessions
        .get_mut(id)
        .filter(|s| s.customer_id == shopper.customer_id)
        .ok_or(RebillyError::NotFound {
            kind: "KycLivenessSession",
        })
}

pub async fn get_liveness(
    req: HttpRequest,
    path: web::Path<IdPath>,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    rebilly.with_tenant(&shopper.caller, |state| {
        let session = own_session(state, &shopper, &path.id)?;
        let href = resource_href(&req, "kyc-liveness-sessions", &path.id);
        Ok(ok(liveness_json(session, &href)))
    })
}

/// Finishing a pending session succeeds (an admin transition can decide it first).
pub async fn finish_liveness(
    req: HttpRequest,
    path: web::Path<IdPath>,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(&shopper.caller, |state| {
        let session = own_session(state, &shopper, &path.id)?;
        if session.status == LivenessStatus::Pending {
            session.status = LivenessStatus::Succeeded;
            session.updated_time = now;
        }
        let href = resource_href(&req, "kyc-liveness-sessions", &path.id);
        let body = liveness_json(session, &href);
        Ok(HttpResponse::Ok()
            .insert_header((header::LOCATION, location(&href)))
            .rendered(body))
    })
}
