//! One generic CRUD pattern for every provider's resources. The handlers [`show`], [`list`],
//! [`create`], [`update`] and [`remove`] do the shape every resource repeats (path id → lock the
//! tenant → find in its [`Store`] or answer the provider's not-found → render), so a provider
//! writes only what differs: its wire format once ([`ResourceApi`], [`Listing`]), and per resource
//! its model, how it renders and what its writes check ([`Resource`], [`Create`], [`Update`]).
//!
//! How a provider adds a resource, say Qolo's persons. Once per provider, `impl ResourceApi for
//! Qolo` names its tenant state, its `Caller` (the Bearer token's tenant), its error envelope and
//! how writes answer, as `Rebilly` and `Kycaid` do. Then per resource:
//!
//! ```ignore
//! // 1. The model lives in the tenant state: `pub persons: Store<Person>`.
//! // 2. What it is called, where it is kept, how it renders:
//! impl Resource<Qolo> for Person {
//!     const KIND: &'static str = "Person"; // so `Qolo::not_found` says `Person not found`
//!     const COLLECTION: &'static str = "persons";
//!     const ID: &'static str = "person_guid"; // the route's `{person_guid}`
//!     fn store(state: &QoloTenant) -> &Store<Person> { &state.persons }
//!     fn store_mut(state: &mut QoloTenant) -> &mut Store<Person> { &mut state.persons }
//!     fn render(_: &Call<Qolo>, _: &QoloTenant, p: &Person) -> Rendered { person_json(p) }
//! }
//! // 3. Its writes: the body is checked before the lock, the model changes under it.
//! impl Create<Qolo> for Person {
//!     type Draft = NewPerson;
//!     fn draft(_: &Call<Qolo>, body: Map<String, Value>) -> Result<NewPerson, QoloError> {
//!         NewPerson::parse(&body)
//!     }
//!     fn insert(call: &Call<Qolo>, state: &mut QoloTenant, new: NewPerson)
//!         -> Result<String, QoloError> {
//!         Ok(state.add_person(new, call.now))
//!     }
//! }
//! impl Update<Qolo> for Person { /* type Patch; fn patch(..); fn apply(..) */ }
//! // 4. The route lines (its search: `impl<R> Listing<Qolo, R> for Search`, reading `limit`).
//! let endpoints = Endpoints::new(|| web::to(not_found))
//!     .service(endpoint(vec!["/api/v1/persons".into()], || web::to(not_allowed))
//!         .get(list::<Qolo, Person>)
//!         .post(create::<Qolo, Person>))
//!     .service(endpoint(vec!["/api/v1/persons/{person_guid}".into()], || web::to(not_allowed))
//!         .get(show::<Qolo, Person>)
//!         .patch(update::<Qolo, Person>));
//! cfg.service(endpoints);
//! ```
//!
//! What does not fit this shape (a create-or-replace `PUT`, copy-on-write updates, uploads and
//! downloads, review calls, customer-scoped views) stays a plain handler in the provider, using
//! the same model methods and [`Resource::find`].

use std::future::Future;
use std::sync::Arc;

use actix_web::web::Bytes;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use chrono::{DateTime, Utc};

use super::json_out::{Rendered, RenderedBody};
use super::store::{Page, Store};
use super::tenant::TenantSlot;

/// A provider's API as the generic handlers see it: its tenant state, who calls, its error
/// envelope, its request bodies, and how it answers writes. Implemented once per provider.
pub trait ResourceApi: Sized + 'static {
    /// One tenant's state, where the resources' stores live.
    type State;
    /// The extractor that authenticates a request and selects its tenant (its own 401 on failure).
    type Caller: FromRequest + 'static;
    type Error: ResponseError + 'static;
    /// A request body as the provider reads every write (a JSON object, form fields, ...).
    type Body;
    /// What a list request asks for (page, filters); see [`Listing`].
    type Query;

    /// Runs `f` on the caller's tenant state, locked for the whole of `f` so a request sees and
    /// leaves it whole; whatever the provider does after every change (callbacks, publishing)
    /// happens here too.
    fn with_state<T>(&self, caller: &Self::Caller, f: impl FnOnce(&mut Self::State) -> T) -> T;

    /// The sandbox clock's time.
    fn now(&self) -> DateTime<Utc>;

    /// The caller's tenant, when it exists, for reads that change nothing (see [`show`]).
    /// `None`, the default, sends every read through `with_state`.
    fn tenant(&self, _caller: &Self::Caller) -> Option<Arc<TenantSlot<Self::State>>> {
        None
    }

    /// Whether what `with_state` does around a request would leave `state` as it is for this
    /// caller, so that a read may go without it (KYCAID first notes a new origin).
    fn reads_alone(_state: &Self::State, _caller: &Self::Caller) -> bool {
        true
    }

    /// Reads the body of a create or update (bounded, in the provider's envelope on failure).
    fn read_body(
        req: &HttpRequest,
        payload: &mut web::Payload,
    ) -> impl Future<Output = Result<Self::Body, Self::Error>>;

    /// The provider's answer for an id that names nothing.
    fn not_found<R: Resource<Self>>() -> Self::Error;

    /// Refuses a path id that cannot be one (KYCAID: `Applicant ID is not valid`), before any
    /// lookup or body is read. Any id by default.
    fn check_id<R: Resource<Self>>(_id: &str) -> Result<(), Self::Error> {
        Ok(())
    }

    /// The stored form of a path id that passed `check_id` (Qolo's guids are matched whatever
    /// their case, as ASP.NET parses them). The id as sent by default.
    fn canonical_id<R: Resource<Self>>(id: &str) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(id)
    }

    /// What a create answers (`201` with the resource, or an acknowledgement with its id).
    fn created<R: Resource<Self>>(call: &Call<Self>, state: &Self::State, id: &str)
        -> HttpResponse;

    /// What an update answers.
    fn updated<R: Resource<Self>>(call: &Call<Self>, state: &Self::State, id: &str)
        -> HttpResponse;

    /// What a delete answers.
    fn deleted<R: Resource<Self>>(call: &Call<Self>, id: &str) -> HttpResponse;
}

/// How a provider reads a list request for resources `R` and answers it: its query parameters
/// (page size, filters, sort), the page of the store they select, and its list shape (Rebilly:
/// a bare array with `Pagination-*` headers; KYCAID: a `{data, total, page, per_page}` envelope).
/// The items come rendered; the envelope embeds them as they are.
pub trait Listing<P: ResourceApi, R>: Sized {
    /// Parses the query string, before the tenant is locked.
    fn parse(req: &HttpRequest) -> Result<Self, P::Error>;
    /// The items of the page asked for, and how many matched in all. Only what it returns is
    /// rendered, so a list costs O(page) when the query lets the store page by itself.
    fn page<'s>(&self, store: &'s Store<R>) -> Page<'s, R>;
    fn reply(&self, items: Vec<Rendered>, total: usize) -> HttpResponse;
}

/// One request to a resource: what hooks may need besides the tenant state.
pub struct Call<'a, P: ResourceApi> {
    pub req: &'a HttpRequest,
    pub caller: &'a P::Caller,
    pub api: &'a P,
    /// Read once, before the tenant is locked, so every time a request writes is the same.
    pub now: DateTime<Utc>,
}

impl<'a, P: ResourceApi> Call<'a, P> {
    fn new(req: &'a HttpRequest, caller: &'a P::Caller, api: &'a web::Data<P>) -> Self {
        Call {
            req,
            caller,
            api: api.get_ref(),
            now: api.now(),
        }
    }
}

/// A kind of resource a provider serves: where its store is, what it is called, how it renders,
/// and what deleting one does. Reads and deletes need nothing more; [`Create`] and [`Update`] add
/// the writes.
pub trait Resource<P: ResourceApi>: Sized + 'static {
    /// Its name where the provider's errors name it (`KycDocument not found`,
    /// `Affiliated person was not found`).
    const KIND: &'static str;
    /// Its collection's path segment (`attachments`, `kyc-documents`).
    const COLLECTION: &'static str;
    /// The name of its id: the path parameter routes carry it in (`/addresses/{address_id}`),
    /// and the parameter a provider's errors and acknowledgements name.
    const ID: &'static str = "id";

    fn store(state: &P::State) -> &Store<Self>;
    fn store_mut(state: &mut P::State) -> &mut Store<Self>;

    /// The resource as the provider's JSON, written straight to text (see `core::json_out`);
    /// `state` is there for what it embeds or links.
    fn render(call: &Call<P>, state: &P::State, item: &Self) -> Rendered;

    /// The item `id`, or the provider's not-found.
    fn find<'s>(state: &'s P::State, id: &str) -> Result<&'s Self, P::Error> {
        Self::store(state).get(id).ok_or_else(P::not_found::<Self>)
    }

    fn find_mut<'s>(state: &'s mut P::State, id: &str) -> Result<&'s mut Self, P::Error> {
        Self::store_mut(state)
            .get_mut(id)
            .ok_or_else(P::not_found::<Self>)
    }

    /// Runs when `show` found the item, before it is rendered: a read the model notes (a review
    /// that advances once the document was fetched), or a refusal (an expired token).
    fn on_read(_call: &Call<P>, _state: &mut P::State, _id: &str) -> Result<(), P::Error> {
        Ok(())
    }

    /// Whether reading item `id` changes nothing (`on_read` has nothing to do), so its body
    /// may be kept until the tenant changes (`core::read_cache`). No, unless a resource says so.
    fn read_changes_nothing(_state: &P::State, _id: &str) -> bool {
        false
    }

    /// What a read answered from a kept body still notes: only counters that no render shows
    /// (a review's reads while its next step waits for time). Nothing by default.
    fn on_kept_read(_state: &P::State, _id: &str) {}

    /// What `remove` does once the item is found: by default takes it out of its store (a
    /// stored file's bytes are released with it). Override to refuse (still in use), to unlink
    /// it from its parents or to take its children too.
    fn delete(_call: &Call<P>, state: &mut P::State, id: &str) -> Result<(), P::Error> {
        Self::store_mut(state).remove(id);
        Ok(())
    }
}

/// A resource clients create (`POST` to its collection).
pub trait Create<P: ResourceApi>: Resource<P> {
    /// What the body asked for, checked as far as it can be without the tenant's state.
    type Draft;
    /// Checks the body before the tenant is locked, so a bad request never waits for the lock.
    fn draft(call: &Call<P>, body: P::Body) -> Result<Self::Draft, P::Error>;
    /// Builds and stores the resource (checks against the state first), returning its id.
    fn insert(call: &Call<P>, state: &mut P::State, draft: Self::Draft)
        -> Result<String, P::Error>;
}

/// A resource clients change in place (`PATCH` or `PUT` on its path).
pub trait Update<P: ResourceApi>: Resource<P> {
    /// What the body asks to change.
    type Patch;
    /// Checks the body before the tenant is locked.
    fn patch(call: &Call<P>, body: P::Body) -> Result<Self::Patch, P::Error>;
    /// Applies the change to the item `id`, which exists; checks come before changes, so a
    /// refusal leaves the state as it was.
    fn apply(
        call: &Call<P>,
        state: &mut P::State,
        id: &str,
        patch: Self::Patch,
    ) -> Result<(), P::Error>;
}

type Reply<P> = Result<HttpResponse, <P as ResourceApi>::Error>;

/// The id from the path parameter named `R::ID`, if its format can be one.
fn path_id<P: ResourceApi, R: Resource<P>>(
    req: &HttpRequest,
) -> Result<std::borrow::Cow<'_, str>, P::Error> {
    let id = req.match_info().get(R::ID);
    debug_assert!(id.is_some(), "the route has no `{{{}}}` parameter", R::ID);
    let id = id.unwrap_or_default();
    P::check_id::<R>(id)?;
    Ok(P::canonical_id::<R>(id))
}

/// Runs `f` under the tenant lock once item `id` is known to exist.
fn with_item<P: ResourceApi, R: Resource<P>>(
    call: &Call<P>,
    id: &str,
    f: impl FnOnce(&mut P::State) -> Reply<P>,
) -> Reply<P> {
    call.api.with_state(call.caller, |state| {
        R::find(state, id)?;
        f(state)
    })
}

/// `GET /<collection>/{id}`: the resource, `200`.
pub async fn show<P: ResourceApi, R: Resource<P>>(
    req: HttpRequest,
    caller: P::Caller,
    api: web::Data<P>,
) -> Reply<P> {
    let id = path_id::<P, R>(&req)?;
    let id = id.as_ref();
    let call = Call::new(&req, &caller, &api);
    if let Some(read) = read_alone::<P, R>(&call, id) {
        return read.map(|body| HttpResponse::Ok().kept(body));
    }
    with_item::<P, R>(&call, id, |state| {
        R::on_read(&call, state, id)?;
        let item = R::find(state, id)?;
        Ok(R::render(&call, state, item).ok())
    })
}

/// `show` for a read that changes nothing, without `with_state`: the body kept for this very
/// request since the tenant last changed, else rendered and kept. `None` sends the read the
/// usual way (no such tenant, or reading it has effects).
fn read_alone<P: ResourceApi, R: Resource<P>>(
    call: &Call<P>,
    id: &str,
) -> Option<Result<Bytes, P::Error>> {
    let slot = call.api.tenant(call.caller)?;
    let mut peek = slot.state.peek();
    let (state, reads) = peek.parts();
    if !P::reads_alone(state, call.caller) || !R::read_changes_nothing(state, id) {
        return None;
    }
    let item = match R::find(state, id) {
        Ok(item) => item,
        Err(not_found) => return Some(Err(not_found)),
    };
    R::on_kept_read(state, id);
    Some(Ok(reads.answer(call.req, || R::render(call, state, item))))
}

/// `GET /<collection>`: one page, in the provider's list shape.
pub async fn list<P, R>(req: HttpRequest, caller: P::Caller, api: web::Data<P>) -> Reply<P>
where
    P: ResourceApi,
    R: Resource<P>,
    P::Query: Listing<P, R>,
{
    let query = <P::Query as Listing<P, R>>::parse(&req)?;
    let call = Call::new(&req, &caller, &api);
    api.with_state(&caller, |state| {
        let page = query.page(R::store(state));
        let items = page
            .items
            .into_iter()
            .map(|item| R::render(&call, state, item))
            .collect();
        Ok(query.reply(items, page.total))
    })
}

/// `POST /<collection>`: body checked, then stored under the lock.
pub async fn create<P: ResourceApi, R: Create<P>>(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: P::Caller,
    api: web::Data<P>,
) -> Reply<P> {
    let body = P::read_body(&req, &mut payload).await?;
    let call = Call::new(&req, &caller, &api);
    let draft = R::draft(&call, body)?;
    api.with_state(&caller, |state| {
        let id = R::insert(&call, state, draft)?;
        Ok(P::created::<R>(&call, state, &id))
    })
}

/// `PATCH`/`PUT /<collection>/{id}`: id format, then body, then existence, then the change.
pub async fn update<P: ResourceApi, R: Update<P>>(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: P::Caller,
    api: web::Data<P>,
) -> Reply<P> {
    let id = path_id::<P, R>(&req)?.into_owned();
    let id = id.as_str();
    let body = P::read_body(&req, &mut payload).await?;
    let call = Call::new(&req, &caller, &api);
    let patch = R::patch(&call, body)?;
    with_item::<P, R>(&call, id, |state| {
        R::apply(&call, state, id, patch)?;
        Ok(P::updated::<R>(&call, state, id))
    })
}

/// `DELETE /<collection>/{id}`.
pub async fn remove<P: ResourceApi, R: Resource<P>>(
    req: HttpRequest,
    caller: P::Caller,
    api: web::Data<P>,
) -> Reply<P> {
    let id = path_id::<P, R>(&req)?;
    let id = id.as_ref();
    let call = Call::new(&req, &caller, &api);
    with_item::<P, R>(&call, id, |state| {
        R::delete(&call, state, id)?;
        Ok(P::deleted::<R>(&call, id))
    })
}

#[cfg(test)]
mod tests;
