//! Everything one Rebilly organization has, and the rules that span resources: which request a
//! document counts toward, request statuses recomputed on every document change, and the events
//! each change emits.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::session::{encode_jwt, AuthenticationToken, Claims, CustomerJwt};
use super::{default_settings, Attachment, LivenessSession, Webhook};
use super::{
    Customer, CustomerChange, DocumentStatus, DocumentType, File, KycDocument, KycRequest, Refusal,
    RequestStatus,
};
use crate::core::fake::FakePerson;
use crate::core::store::Store;
use crate::core::SeededRng;
use crate::core::TenantState;

pub const MODIFIED: &str = "kyc-document-modified";
pub const REVIEWED: &str = "kyc-document-reviewed";

/// The document or request as it was when an event happened: a payload shows that, not the
/// state at the end of the operation (a new document is `pending` in `kyc-document-created`
/// even when its review starts at once).
#[derive(Debug, Clone)]
pub enum Snapshot {
    Document(Box<KycDocument>),
    Request(Box<KycRequest>),
}

/// A change worth a webhook: the event type and the resource as it was then.
#[derive(Debug, Clone)]
pub struct Event {
    pub event_type: &'static str,
    pub snapshot: Snapshot,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RebillyTenant {
    pub organization_id: String,
    pub files: Store<File>,
    pub documents: Store<KycDocument>,
    pub requests: Store<KycRequest>,
    /// Customers are created on first reference, each with a fake identity for document matches.
    pub customers: Store<Customer>,
    /// Customer JWTs by id (`jwt_…`, the token's `jti`).
    pub jwts: HashMap<String, CustomerJwt>,
    pub authentication_tokens: Store<AuthenticationToken>,
    pub attachments: Store<Attachment>,
    pub liveness_sessions: Store<LivenessSession>,
    pub kyc_settings: serde_json::Value,
    pub webhooks: Store<Webhook>,
    /// Customers by the email (username) they log in with.
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    customer_emails: HashMap<String, String>,
    /// Each customer's requests, oldest first.
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    customer_requests: HashMap<String, Vec<String>>,
    /// Each customer's documents, so an acceptance finds the ones it supersedes without reading
    /// every document of the organization. A document is listed under every customer it has
    /// belonged to (readers check its current customer). Not saved: `None` after a restore, and
    /// rebuilt from the documents the first time it is needed.
    #[serde(skip)]
    customer_documents: Option<CustomerDocuments>,
    /// Changes not yet turned into webhooks; drained after every operation.
    #[serde(skip)]
    pub events: Vec<Event>,
    /// Whether every event goes to a webhook all organizations share (`--rebilly-webhook-url`),
    /// so it must be kept even when none of the organization's own webhooks wants it. Set by the
    /// provider as it locks the tenant; until then, true, so no event is lost.
    #[serde(skip, default = "listened")]
    pub global_listener: bool,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub rng: SeededRng,
}

/// Document ids by customer id; looked up on every document create, so with foldhash (the ids are
/// the client's, bounded by the body limit, on localhost).
type CustomerDocuments = HashMap<String, Vec<String>, foldhash::fast::RandomState>;

/// Adds `id` to `customer_id`'s documents; the customer's key is copied only for its first one.
fn list_document(index: &mut CustomerDocuments, customer_id: &str, id: &str) {
    match index.get_mut(customer_id) {
        Some(ids) => ids.push(id.to_owned()),
        None => {
            index.insert(customer_id.to_owned(), vec![id.to_owned()]);
        }
    }
}

fn listened() -> bool {
    true
}

impl TenantState for RebillyTenant {
    fn holds_nothing(&self) -> bool {
        self.files.is_empty()
            && self.documents.is_empty()
            && self.requests.is_empty()
            && self.customers.is_empty()
            && self.jwts.is_empty()
            && self.authentication_tokens.is_empty()
            && self.attachments.is_empty()
            && self.liveness_sessions.is_empty()
            && self.webhooks.is_empty()
            && self.kyc_settings == default_settings()
    }
}

impl RebillyTenant {
    pub fn new(organization_id: &str, rng: SeededRng) -> Self {
        RebillyTenant {
            organization_id: organization_id.to_owned(),
            jwts: HashMap::new(),
            authentication_tokens: Store::default(),
            attachments: Store::default(),
            liveness_sessions: Store::default(),
            kyc_settings: default_settings(),
            webhooks: Store::default(),
            customer_emails: HashMap::new(),
            files: Store::default(),
            documents: Store::default(),
            requests: Store::default(),
            customers: Store::default(),
            customer_requests: HashMap::new(),
            customer_documents: Some(CustomerDocuments::default()),
            events: Vec::new(),
            global_listener: listened(),
            rng,
        }
    }

    pub fn customer(&mut self, customer_id: &str, now: DateTime<Utc>) -> &Customer {
        if !self.customers.contains(customer_id) {
            let person = FakePerson::generate(&mut self.rng);
            self.add_customer(customer_id.to_owned(), person, now);
        }
        &self.customers[customer_id]
    }

    fn add_customer(&mut self, id: String, person: FakePerson, now: DateTime<Utc>) {
        self.customer_emails
            .insert(person.email.clone(), id.clone());
        self.customers
            .insert(id.clone(), Customer::new(id, person, now));
    }

    /// Creates customer `id` (a new generated identity) with `change` applied.
    pub fn create_customer(&mut self, id: String, change: CustomerChange, now: DateTime<Utc>) {
        let person = FakePerson::generate(&mut self.rng);
        self.add_customer(id.clone(), person, now);
        self.update_customer(&id, change, now);
    }

    /// Applies `change` to customer `id` (which exists); its e-mail keeps logging in as it.
    pub fn update_customer(&mut self, id: &str, change: CustomerChange, now: DateTime<Utc>) {
        let Some(customer) = self.customers.get_mut(id) else {
            return;
        };
        customer.apply(change, now);
        let email = customer.identity().email;
        self.customer_emails.retain(|_, owner| owner != id);
        self.customer_emails.insert(email, id.to_owned());
    }

    /// Rebilly's merge-and-delete: what customer `from` had (documents, requests, logins) becomes
    /// `into`'s, and `from` is gone (its JWTs stop working).
    pub fn merge_customer(&mut self, from: &str, into: &str) {
        for document in self.documents.values_mut() {
            if document.customer_id == from {
                document.customer_id = into.to_owned();
            }
        }
        for request in self.requests.values_mut() {
            if request.customer_id == from {
                request.customer_id = into.to_owned();
            }
        }
        for token in self.authentication_tokens.values_mut() {
            if token.customer_id == from {
                token.customer_id = into.to_owned();
            }
        }
        for jwt in self.jwts.values_mut() {
            if jwt.customer_id == from {
                jwt.revoked = true;
            }
        }
        if let Some(index) = &mut self.customer_documents {
            if let Some(moved) = index.remove(from) {
                // A document may be listed under both already (it was moved from one to the other).
                let listed = index.entry(into.to_owned()).or_default();
                let known: HashSet<String> = listed.iter().cloned().collect();
                listed.extend(moved.into_iter().filter(|id| !known.contains(id)));
            }
        }
        if let Some(moved) = self.customer_requests.remove(from) {
            self.customer_requests
                .entry(into.to_owned())
                .or_default()
                .extend(moved);
        }
        self.customer_emails.retain(|_, owner| owner != from);
        self.customers.remove(from);
    }

    /// The customer a username logs in as: a username without `@` is a customer id (that
    /// customer, created on first reference like everywhere else); an email is the customer
    /// with that email, else a new customer with it.
    /// The existing customer a username (a customer id or an e-mail) names.
    pub fn known_customer(&self, username: &str) -> Option<String> {
        if self.customers.contains(username) {
            return Some(username.to_owned());
        }
        self.customer_emails.get(username).cloned()
    }

    pub fn customer_for_username(&mut self, username: &str, now: DateTime<Utc>) -> String {
        if self.customers.contains(username) || !username.contains('@') {
            self.customer(username, now);
            return username.to_owned();
        }
        if let Some(id) = self.customer_emails.get(username) {
            return id.clone();
        }
        let id = self.new_id("cus_");
        let mut person = FakePerson::generate(&mut self.rng);
        person.email = username.to_owned();
        self.add_customer(id.clone(), person, now);
        id
    }

    pub fn new_id(&mut self, prefix: &str) -> String {
        self.rng.crockford(prefix, 26)
    }

    /// A customer JWT valid until `expires`, signed with `secret`.
    pub fn mint_jwt(
        &mut self,
        customer_id: &str,
        kyc_request_id: Option<&str>,
        custom_claims: serde_json::Map<String, serde_json::Value>,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
        secret: &[u8],
    ) -> &CustomerJwt {
        self.customer(customer_id, now);
        let id = self.new_id("jwt_");
        let claims = Claims {
            jti: id.clone(),
            sub: customer_id.to_owned(),
            org: self.organization_id.clone(),
            iat: now.timestamp(),
            exp: expires.timestamp(),
        };
        let jwt = CustomerJwt {
            id: id.clone(),
            token: encode_jwt(&claims, secret),
            customer_id: customer_id.to_owned(),
            kyc_request_id: kyc_request_id.map(str::to_owned),
            custom_claims,
            created_time: now,
            updated_time: now,
            expired_time: expires,
            revoked: false,
        };
        self.jwts.entry(id).or_insert(jwt)
    }

    /// Keeps what the resource looks like now, for the webhooks the event will go to; nothing
    /// when none will (copying a document for no one was a twentieth of its create).
    pub fn emit(&mut self, event_type: &'static str, resource_id: &str) {
        if !self.global_listener && !self.webhooks.values().any(|h| h.wants(event_type)) {
            return;
        }
        let snapshot = if event_type.starts_with("kyc-document-") {
            self.documents
                .get(resource_id)
                .map(|d| Snapshot::Document(Box::new(d.clone())))
        } else {
            self.requests
                .get(resource_id)
                .map(|r| Snapshot::Request(Box::new(r.clone())))
        };
        if let Some(snapshot) = snapshot {
            self.events.push(Event {
                event_type,
                snapshot,
            });
        }
    }

    pub fn insert_request(&mut self, request: KycRequest) {
        self.customer_requests
            .entry(request.customer_id.clone())
            .or_default()
            .push(request.id.clone());
        self.requests.insert(request.id.clone(), request);
    }

    /// Removes a request; its documents stay, no longer counting toward anything.
    pub fn remove_request(&mut self, id: &str) -> Option<KycRequest> {
        let request = self.requests.remove(id)?;
        if let Some(ids) = self.customer_requests.get_mut(&request.customer_id) {
            ids.retain(|r| r != id);
        }
        for document_id in &request.document_ids {
            if let Some(document) = self.documents.get_mut(document_id) {
                document.request_id = None;
            }
        }
        Some(request)
    }

    pub fn provided(&self, request: &KycRequest) -> Vec<&KycDocument> {
        request
            .document_ids
            .iter()
            .filter_map(|id| self.documents.get(id))
            .collect()
    }

    /// Whether `request_id` takes one more document of this kind (for the storefront and the
    /// gatherer, which provide documents for a request explicitly).
    pub fn admit(
        &self,
        request_id: &str,
        kind: DocumentType,
        subtype: Option<&str>,
    ) -> Result<(), Refusal> {
        match self.requests.get(request_id) {
            Some(request) => request.admits(kind, subtype, self.provided(request)),
            None => Ok(()),
        }
    }

    /// The customer's newest open request that takes this document, for documents created
    /// without naming one.
    pub fn open_request_for(
        &self,
        customer_id: &str,
        kind: DocumentType,
        subtype: Option<&str>,
    ) -> Option<String> {
        self.customer_requests
            .get(customer_id)?
            .iter()
            .rev()
            .find(|id| self.admit(id, kind, subtype).is_ok() && self.requests.contains(id))
            .cloned()
    }

    /// Lists document `id` under the customer it now belongs to (after a change of customer).
    pub fn index_document_customer(&mut self, id: &str) {
        let Some(customer_id) = self.documents.get(id).map(|d| d.customer_id.clone()) else {
            return;
        };
        if let Some(index) = &mut self.customer_documents {
            let listed = index
                .get(&customer_id)
                .is_some_and(|ids| ids.iter().any(|listed| listed == id));
            if !listed {
                list_document(index, &customer_id, id);
            }
        }
    }

    /// Stores a new document, counts it toward its request and emits `kyc-document-created`.
    pub fn insert_document(&mut self, document: KycDocument, at: DateTime<Utc>) {
        let id = document.id.clone();
        let request_id = document.request_id.clone();
        if let Some(index) = &mut self.customer_documents {
            list_document(index, &document.customer_id, &id);
        }
        self.documents.insert(id.clone(), document);
        self.emit("kyc-document-created", &id);
        if let Some(request) = request_id.and_then(|r| self.requests.get_mut(&r)) {
            request.document_ids.push(id);
            let request_id = request.id.clone();
            self.refresh_request(&request_id, at);
        }
    }

    /// Applies `change` to a document. When it changed anything (its revision moved), emits
    /// the event its new status calls for (or `same_status_event`) and recomputes its request.
    pub fn change_document<R>(
        &mut self,
        id: &str,
        at: DateTime<Utc>,
        same_status_event: &'static str,
        change: impl FnOnce(&mut KycDocument) -> R,
    ) -> Option<R> {
        let document = self.documents.get_mut(id)?;
        let (status, revision) = (document.status, document.revision);
        let result = change(document);
        if document.revision == revision {
            return Some(result);
        }
        let event = match (status == document.status, document.status) {
            (false, DocumentStatus::Accepted) => "kyc-document-accepted",
            (false, DocumentStatus::Rejected) => "kyc-document-rejected",
            (false, DocumentStatus::Archived) => "kyc-document-archived",
            _ => same_status_event,
        };
        let request_id = document.request_id.clone();
        let superseded = (event == "kyc-document-accepted")
            .then(|| (document.customer_id.clone(), document.document_type));
        self.emit(event, id);
        if let Some(request_id) = request_id {
            self.refresh_request(&request_id, at);
        }
        if let Some((customer_id, kind)) = superseded {
            self.archive_superseded(id, &customer_id, kind, at);
        }
        Some(result)
    }

    /// An accepted document supersedes the customer's unreviewed (`pending`) documents of its type:
    /// Rebilly archives them, each with its `kyc-document-archived`. One already in review finishes
    /// its review.
    fn archive_superseded(
        &mut self,
        accepted: &str,
        customer_id: &str,
        kind: DocumentType,
        at: DateTime<Utc>,
    ) {
        let documents = &self.documents;
        let index = self.customer_documents.get_or_insert_with(|| {
            let mut index = CustomerDocuments::default();
            for document in documents.values() {
                list_document(&mut index, &document.customer_id, &document.id);
            }
            index
        });
        let unreviewed: Vec<String> = index
            .get(customer_id)
            .into_iter()
            .flatten()
            .filter(|id| {
                documents.get(id).is_some_and(|d| {
                    d.status == DocumentStatus::Pending
                        && d.document_type == kind
                        && d.customer_id == customer_id
                        && d.id != accepted
                })
            })
            .cloned()
            .collect();
        for id in unreviewed {
            self.change_document(&id, at, MODIFIED, |d| {
                let _ = d.transition(super::Decision::Archive, at);
                d.run = None;
            });
        }
    }

    /// Recomputes a request's status from its documents, emitting the request event for the
    /// new status.
    pub fn refresh_request(&mut self, id: &str, at: DateTime<Utc>) {
        let Some(request) = self.requests.get(id) else {
            return;
        };
        let status = request.evaluate(&self.provided(request));
        self.set_request_status(id, status, at);
    }

    pub fn set_request_status(&mut self, id: &str, status: RequestStatus, at: DateTime<Utc>) {
        let Some(request) = self.requests.get_mut(id) else {
            return;
        };
        if !request.set_status(status, at) {
            return;
        }
        let event = match status {
            RequestStatus::Attempted => "kyc-request-attempted",
            RequestStatus::Partial => "kyc-request-partially-fulfilled",
            RequestStatus::Fulfilled => "kyc-request-fulfilled",
            RequestStatus::Failed => "kyc-request-failed",
            _ => return,
        };
        self.emit(event, id);
    }
}
