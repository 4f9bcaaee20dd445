//! KYC documents: list, create, get, update/create-with-id (PUT), and the review calls.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use super::files::IdPath;
use super::listing::Listed;
use super::{expanding, href};
use crate::core::fields::{Fields, Lookup};
use crate::core::http::forced_scenario;
use crate::core::json_out::{self, Rendered};
use crate::core::resource::{Call, Create, Resource};
use crate::core::store::Store;
use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::{InvalidField, RebillyError};
use crate::providers::rebilly::model::{
    Decision, DocumentStatus, DocumentType, KycDocument, RebillyTenant, Rejection, RejectionType,
    MODIFIED, REVIEWED, SUBTYPES,
};
use crate::providers::rebilly::wire::{
    base_of, created, customer_of, document_of, file_fields, json_object, merchant_document_fields,
    ok, resource_href, Checks,
};
use crate::providers::rebilly::Rebilly;

type Reply = Result<HttpResponse, RebillyError>;

/// The writable fields of a document, parsed and checked against the tenant's files.
pub(crate) struct DocumentInput {
    customer_id: String,
    document_type: DocumentType,
    document_subtype: Option<String>,
    file_ids: Vec<String>,
    notes: Option<String>,
    reason: Option<String>,
    match_level: u8,
    request_id: Option<String>,
}

/// `customer` is the signed-in customer on the storefront, where the body names none.
pub(crate) fn parse_input(
    body: &Fields,
    state: &RebillyTenant,
    customer: Option<&str>,
) -> Result<DocumentInput, RebillyError> {
    let mut checks = Checks::default();
    let customer_id = match customer {
        Some(customer) => Some(customer.to_owned()),
        None => checks.opt_string(body, "customerId", 50),
    };
    if customer_id.is_none() && !body.contains_key("customerId") {
        checks.fail("customerId", "is required");
    }
    let document_type = match body.get("documentType") {
        None => {
            checks.fail("documentType", "is required");
            None
        }
        Some(Value::String(s)) => DocumentType::parse(s).or_else(|| {
            checks.fail(
                "documentType",
                format!("must be one of {}", DocumentType::NAMES.join(", ")),
            );
            None
        }),
        Some(_) => {
            checks.fail("documentType", "must be a string");
            None
        }
    };
    let document_subtype = checks.opt_string(body, "documentSubtype", 50);
    if let Some(subtype) = &document_subtype {
        if !SUBTYPES.contains(&subtype.as_str()) {
            checks.fail(
                "documentSubtype",
                format!("must be one of {} or null", SUBTYPES.join(", ")),
            );
        }
    }
    let mut file_ids = checks.string_list(body, "fileIds");
    if file_ids.is_none() {
        file_ids = checks.opt_string(body, "fileId", 50).map(|id| vec![id]);
    }
    let file_ids = file_ids.unwrap_or_default();
    if file_ids.is_empty() {
        checks.fail("fileIds", "at least one file is required");
    }
    for (i, id) in file_ids.iter().enumerate() {
        if !state.files.contains(id) {
            checks.fail(format!("fileIds.{i}"), format!("file {id} does not exist"));
        }
    }
    let match_level = match body.get("matchLevel") {
        None | Some(Value::Null) => 2,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=3) => n as u8,
            _ => {
                checks.fail("matchLevel", "must be 1, 2 or 3");
                2
            }
        },
    };
    let notes = checks.opt_string(body, "notes", 1000);
    let reason = checks.opt_string(body, "reason", 1000);
    let request_id = checks.opt_string(body, "requestId", 50);
    checks.finish()?;
    match (customer_id, document_type) {
        (Some(customer_id), Some(document_type)) => Ok(DocumentInput {
            customer_id,
            document_type,
            document_subtype,
            file_ids,
            notes,
            reason,
            match_level,
            request_id,
        }),
        _ => Err(RebillyError::Validation(vec![InvalidField::new(
            "customerId",
            "must be a string",
        )])),
    }
}

/// The request a new document counts toward: the one named (`requestId`, a sandbox extension
/// to the read-only field), else the customer's newest open request that asks for its type.
fn request_for(
    state: &RebillyTenant,
    input: &DocumentInput,
) -> Result<Option<String>, RebillyError> {
    let subtype = input.document_subtype.as_deref();
    let Some(id) = &input.request_id else {
        return Ok(state.open_request_for(&input.customer_id, input.document_type, subtype));
    };
    let refuse =
        |message: String| RebillyError::Validation(vec![InvalidField::new("requestId", message)]);
    match state.requests.get(id) {
        None => Err(refuse(format!("KYC request {id} does not exist"))),
        Some(request) if request.customer_id != input.customer_id => Err(refuse(format!(
            "KYC request {id} belongs to another customer"
        ))),
        Some(_) => state
            .admit(id, input.document_type, subtype)
            .map(|()| Some(id.clone()))
            .map_err(|refusal| refuse(refusal.to_string())),
    }
}

/// A new pending document from checked input, linked to its request.
fn new_document(
    state: &mut RebillyTenant,
    id: String,
    input: DocumentInput,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<KycDocument, RebillyError> {
    let request_id = request_for(state, &input)?;
    Ok(KycDocument {
        id,
        customer_id: input.customer_id,
        document_type: input.document_type,
        document_subtype: input.document_subtype,
        file_ids: input.file_ids,
        status: DocumentStatus::Pending,
        rejection_reason: None,
        request_id,
        notes: input.notes,
        reason: input.reason,
        match_level: input.match_level,
        reviewer_id: None,
        reviewer_name: None,
        review_start_time: None,
        review_time: None,
        processed_time: None,
        created_time: now,
        updated_time: now,
        revision: 1,
        tags: Vec::new(),
        matches_override: Default::default(),
        run: None,
        automated: None,
    })
}

/// Stores a new document (core or storefront) and starts its automated review; nothing is
/// written when the input or the forced scenario is refused.
pub(crate) fn create_document(
    rebilly: &Rebilly,
    caller: &Caller,
    state: &mut RebillyTenant,
    id: String,
    input: DocumentInput,
    forced: Option<&str>,
) -> Result<(), RebillyError> {
    let now = rebilly.core.clock.now();
    rebilly.require_customer(state, "customerId", &input.customer_id, now)?;
    let document = new_document(state, id.clone(), input, now)?;
    let scenario = rebilly.choose_scenario(state, &document, forced)?;
    state.insert_document(document, now);
    rebilly.start_review(&caller.tenant, state, &id, scenario);
    Ok(())
}

/// A create's body, and the scenario `X-Sandbox-Scenario` forces; the body is checked under the
/// lock, against the tenant's files and requests.
pub struct NewDocument {
    body: Fields,
    forced: Option<String>,
}

impl Create<Rebilly> for KycDocument {
    type Draft = NewDocument;

    fn draft(call: &Call<Rebilly>, body: Fields) -> Result<NewDocument, RebillyError> {
        Ok(NewDocument {
            body,
            forced: forced_scenario(call.req),
        })
    }

    fn insert(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        new: NewDocument,
    ) -> Result<String, RebillyError> {
        let input = parse_input(&new.body, state, None)?;
        let id = state.new_id("kyc_doc_");
        create_document(
            call.api,
            call.caller,
            state,
            id.clone(),
            input,
            new.forced.as_deref(),
        )?;
        Ok(id)
    }
}

/// `PUT /kyc-documents/{id}`: replaces the writable fields, or creates the document with that id.
pub async fn put(
    req: HttpRequest,
    path: web::Path<IdPath>,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let id_ok = path.id.len() <= 50
        && path
            .id
            .chars()
            .all(|c| c.is_alphanumeric() || "@~-._".contains(c));
    if !id_ok {
        return Err(RebillyError::Validation(vec![InvalidField::new(
            "id",
            "must be at most 50 characters of letters, digits and @~-._",
        )]));
    }
    let body = json_object(&req, &mut payload).await?;
    let forced = forced_scenario(&req);
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(&caller, |state| {
        let input = parse_input(&body, state, None)?;
        let href = resource_href(&req, "kyc-documents", &path.id);
        if state.documents.contains(&path.id) {
            rebilly.require_customer(state, "customerId", &input.customer_id, now)?;
            state.change_document(&path.id, now, MODIFIED, |document| {
                document.customer_id = input.customer_id;
                document.document_type = input.document_type;
                document.document_subtype = input.document_subtype;
                document.file_ids = input.file_ids;
                document.notes = input.notes;
                document.reason = input.reason;
                document.match_level = input.match_level;
                document.touch(now);
            });
            state.index_document_customer(&path.id);
            return Ok(ok(document_of(
                state,
                &state.documents[path.id.as_str()],
                &href,
            )));
        }
        create_document(
            &rebilly,
            &caller,
            state,
            path.id.clone(),
            input,
            forced.as_deref(),
        )?;
        Ok(created(
            href.clone(),
            document_of(state, &state.documents[path.id.as_str()], &href),
        ))
    })
}

/// A document with `_embedded.customer` and `_embedded.files` (at most 3) when `?expand=`
/// asks for them.
fn expanded_document(
    req: &HttpRequest,
    state: &RebillyTenant,
    document: &KycDocument,
    href: &str,
) -> Rendered {
    let (customer, files) = (expanding(req, "customer"), expanding(req, "files"));
    json_out::object(|o| {
        merchant_document_fields(o, state, document, href);
        if !customer && !files {
            return;
        }
        let base = base_of(href, "kyc-documents");
        o.object("_embedded", |o| {
            if customer {
                let customer_href = format!("{base}/customers/{}", document.customer_id);
                o.raw(
                    "customer",
                    &customer_of(state, &document.customer_id, &customer_href),
                );
            }
            if files {
                let files = document
                    .file_ids
                    .iter()
                    .filter_map(|id| state.files.get(id))
                    .take(3);
                o.objects("files", files, |o, f| {
                    file_fields(o, f, &format!("{base}/files/{}", f.id));
                });
            }
        });
    })
}

impl Resource<Rebilly> for KycDocument {
    const KIND: &'static str = "KycDocument";
    const COLLECTION: &'static str = "kyc-documents";

    fn store(state: &RebillyTenant) -> &Store<Self> {
        &state.documents
    }

    fn store_mut(state: &mut RebillyTenant) -> &mut Store<Self> {
        &mut state.documents
    }

    fn render(call: &Call<Rebilly>, state: &RebillyTenant, document: &Self) -> Rendered {
        let href = href::<Self>(call.req, &document.id);
        expanded_document(call.req, state, document, &href)
    }

    /// A read may take a review's next step when that step waits for reads.
    fn read_changes_nothing(state: &RebillyTenant, id: &str) -> bool {
        let document = state.documents.get(id);
        document.is_some_and(|d| d.run.as_ref().is_none_or(|run| !run.waits_for_reads()))
    }

    /// A review's reads count even while its next step waits for time.
    fn on_kept_read(state: &RebillyTenant, id: &str) {
        if let Some(run) = state.documents.get(id).and_then(|d| d.run.as_ref()) {
            run.record_read();
        }
    }

    /// A review scenario may wait for the document to be fetched.
    fn on_read(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        id: &str,
    ) -> Result<(), RebillyError> {
        call.api.note_read(&call.caller.tenant, state, id);
        Ok(())
    }
}

impl Listed for KycDocument {
    const FILTERABLE: &'static [&'static str] = &[
        "id",
        "customerId",
        "status",
        "documentType",
        "documentSubtype",
        "requestId",
    ];

    fn field(&self, name: &str) -> Option<&str> {
        match name {
            "id" => Some(&self.id),
            "customerId" => Some(&self.customer_id),
            "status" => Some(self.status.as_str()),
            "documentType" => Some(self.document_type.as_str()),
            "documentSubtype" => self.document_subtype.as_deref(),
            "requestId" => self.request_id.as_deref(),
            _ => None,
        }
    }

    fn updated_time(&self) -> chrono::DateTime<chrono::Utc> {
        self.updated_time
    }
}

/// Applies a review call to one document and answers `201` with it, as the spec does. A human
/// taking a review call takes over from the automated review, so its timeline stops.
/// `event` is what a call that leaves the status as it was emits.
fn review_call(
    req: &HttpRequest,
    caller: &Caller,
    rebilly: &Rebilly,
    id: &str,
    event: &'static str,
    act: impl FnOnce(&mut KycDocument, chrono::DateTime<chrono::Utc>) -> Result<(), RebillyError>,
) -> Reply {
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(caller, |state| {
        state
            .change_document(id, now, event, |document| {
                act(document, now)?;
                document.run = None;
                Ok::<_, RebillyError>(())
            })
            .ok_or(RebillyError::NotFound {
                kind: "KycDocument",
            })??;
        let href = resource_href(req, "kyc-documents", id);
        Ok(created(
            href.clone(),
            document_of(state, &state.documents[id], &href),
        ))
    })
}

/// A review operation the document's state does not allow: `422`, as the spec lists for
/// rejection, review and start/stop review (the SDK maps it to its validation error; acceptance
/// lists no error of its own, and gets the same).
fn not_now(field: &str, message: String) -> RebillyError {
    RebillyError::Validation(vec![InvalidField::new(field, message)])
}

fn illegal((from, to): (DocumentStatus, DocumentStatus)) -> RebillyError {
    not_now(
        "status",
        format!(
            "KYC document is {}; it cannot become {}.",
            from.as_str(),
            to.as_str()
        ),
    )
}

pub async fn accept(
    req: HttpRequest,
    path: web::Path<IdPath>,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    review_call(&req, &caller, &rebilly, &path.id, MODIFIED, |d, now| {
        d.transition(Decision::Accept, now).map_err(illegal)?;
        d.mark_reviewed(now);
        Ok(())
    })
}

/// Body: `{type, message}` (the spec) or `{rejectionReason: {type, message}}` (what the SDK sends).
fn parse_rejection(body: &Fields) -> Result<Rejection, RebillyError> {
    let (reason, prefix): (&dyn Lookup, _) = match body.get("rejectionReason") {
        Some(Value::Object(inner)) => (inner, "rejectionReason."),
        _ => (body, ""),
    };
    let mut checks = Checks::default();
    let kind = match reason.lookup("type") {
        Some(Value::String(s)) => RejectionType::parse(s).or_else(|| {
            checks.fail(
                format!("{prefix}type"),
                format!("must be one of {}", RejectionType::NAMES.join(", ")),
            );
            None
        }),
        Some(_) => {
            checks.fail(format!("{prefix}type"), "must be a string");
            None
        }
        None => {
            checks.fail(format!("{prefix}type"), "is required");
            None
        }
    };
    let message = checks.opt_string(reason, "message", 255);
    if let Some(field) = checks.0.iter_mut().find(|f| f.field == "message") {
        field.field = format!("{prefix}message");
    }
    checks.finish()?;
    Ok(Rejection {
        kind: kind.unwrap_or(RejectionType::Other),
        message,
    })
}

pub async fn reject(
    req: HttpRequest,
    path: web::Path<IdPath>,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let rejection = parse_rejection(&json_object(&req, &mut payload).await?)?;
    review_call(&req, &caller, &rebilly, &path.id, MODIFIED, |d, now| {
        d.transition(Decision::Reject(rejection), now)
            .map_err(illegal)?;
        d.mark_reviewed(now);
        Ok(())
    })
}

fn reviewable(d: &KycDocument) -> Result<(), RebillyError> {
    match d.status {
        DocumentStatus::Archived => Err(not_now("status", "KYC document is archived.".into())),
        _ => Ok(()),
    }
}

pub async fn review(
    req: HttpRequest,
    path: web::Path<IdPath>,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    review_call(&req, &caller, &rebilly, &path.id, REVIEWED, |d, now| {
        reviewable(d)?;
        d.mark_reviewed(now);
        d.touch(now);
        Ok(())
    })
}

pub async fn start_review(
    req: HttpRequest,
    path: web::Path<IdPath>,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    review_call(&req, &caller, &rebilly, &path.id, MODIFIED, |d, now| {
        reviewable(d)?;
        if d.review_start_time.is_some() {
            return Err(not_now(
                "reviewerId",
                "A review of this KYC document is already in progress.".into(),
            ));
        }
        d.start_review(now);
        Ok(())
    })
}

pub async fn stop_review(
    req: HttpRequest,
    path: web::Path<IdPath>,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    review_call(&req, &caller, &rebilly, &path.id, MODIFIED, |d, now| {
        if d.review_start_time.is_none() {
            return Err(not_now(
                "reviewerId",
                "No review of this KYC document is in progress.".into(),
            ));
        }
        d.stop_review(now);
        Ok(())
    })
}
