//! Qolo's resources through the core's CRUD pattern: persons (read; creates and updates run KYC
//! and stay in `handlers::persons`) and webhook subscriptions (all of it).

use std::sync::Arc;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::auth::Caller;
use super::errors::QoloError;
use super::handlers::notifications::{apply, read};
use super::handlers::path_guid_error;
use super::input::json_object;
use super::model::{Notification, Person, QoloTenant};
use super::wire::{list_json, notification_json, person_json};
use super::Qolo;
use crate::core::http::{location, query_param};
use crate::core::json_out::{Rendered, RenderedBody};
use crate::core::resource::{Call, Create, Listing, Resource, ResourceApi, Update};
use crate::core::store::{Page, Store};
use crate::core::tenant::TenantSlot;

impl ResourceApi for Qolo {
    type State = QoloTenant;
    type Caller = Caller;
    type Error = QoloError;
    type Body = Map<String, Value>;
    type Query = Paging;

    fn with_state<T>(&self, caller: &Caller, f: impl FnOnce(&mut QoloTenant) -> T) -> T {
        self.with_tenant(caller, f)
    }

    fn now(&self) -> DateTime<Utc> {
        self.core.clock.now()
    }

    fn tenant(&self, caller: &Caller) -> Option<Arc<TenantSlot<QoloTenant>>> {
        self.tenants.get(&caller.tenant)
    }

    async fn read_body(
        req: &HttpRequest,
        payload: &mut web::Payload,
    ) -> Result<Self::Body, QoloError> {
        json_object(req, payload).await
    }

    fn not_found<R: Resource<Self>>() -> QoloError {
        match R::KIND {
            "Person" => QoloError::PersonNotFound,
            kind => QoloError::NotFound(format!("{kind} not found")),
        }
    }

    /// Ids are guids; anything else is ASP.NET's `400` on the route parameter.
    fn check_id<R: Resource<Self>>(id: &str) -> Result<(), QoloError> {
        match uuid::Uuid::parse_str(id) {
            Ok(_) => Ok(()),
            Err(_) => Err(path_guid_error(R::ID, id)),
        }
    }

    fn canonical_id<R: Resource<Self>>(id: &str) -> std::borrow::Cow<'_, str> {
        let Ok(guid) = uuid::Uuid::parse_str(id) else {
            return std::borrow::Cow::Borrowed(id);
        };
        let mut text = uuid::Uuid::encode_buffer();
        let canonical = guid.hyphenated().encode_lower(&mut text);
        // A client nearly always sends the guid as it was given: nothing to copy then.
        match *canonical == *id {
            true => std::borrow::Cow::Borrowed(id),
            false => std::borrow::Cow::Owned(canonical.to_owned()),
        }
    }

    fn created<R: Resource<Self>>(call: &Call<Self>, state: &QoloTenant, id: &str) -> HttpResponse {
        let href = format!("{}/{id}", call.req.path().trim_end_matches('/'));
        HttpResponse::Created()
            .insert_header((header::LOCATION, location(&href)))
            .rendered(rendered::<R>(call, state, id))
    }

    fn updated<R: Resource<Self>>(call: &Call<Self>, state: &QoloTenant, id: &str) -> HttpResponse {
        rendered::<R>(call, state, id).ok()
    }

    fn deleted<R: Resource<Self>>(_: &Call<Self>, _: &str) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }
}

fn rendered<R: Resource<Qolo>>(call: &Call<Qolo>, state: &QoloTenant, id: &str) -> Rendered {
    R::find(state, id).map_or_else(|_| Rendered::null(), |item| R::render(call, state, item))
}

/// `limit` (1–1000, default 100) from `start_index`, oldest first, in SearchPerson's envelope.
pub struct Paging {
    limit: usize,
    start_index: usize,
}

impl<R> Listing<Qolo, R> for Paging {
    fn parse(req: &HttpRequest) -> Result<Paging, QoloError> {
        let number =
            |name: &str, default: usize, range: std::ops::RangeInclusive<usize>| match query_param(
                req, name,
            ) {
                None => Ok(default),
                Some(v) => v.parse().ok().filter(|n| range.contains(n)).ok_or_else(|| {
                    QoloError::field(name, format!("The value '{v}' is not valid for {name}."))
                }),
            };
        Ok(Paging {
            limit: number("limit", 100, 1..=1000)?,
            start_index: number("start_index", 0, 0..=usize::MAX)?,
        })
    }

    fn page<'s>(&self, store: &'s Store<R>) -> Page<'s, R> {
        store.page(self.start_index, self.limit, false)
    }

    fn reply(&self, items: Vec<Rendered>, total: usize) -> HttpResponse {
        let has_more = self.start_index + items.len() < total;
        list_json(&items, self.start_index, has_more).ok()
    }
}

impl Resource<Qolo> for Person {
    const KIND: &'static str = "Person";
    const COLLECTION: &'static str = "persons";
    const ID: &'static str = "person_guid";

    fn store(state: &QoloTenant) -> &Store<Person> {
        &state.persons
    }

    fn store_mut(state: &mut QoloTenant) -> &mut Store<Person> {
        &mut state.persons
    }

    fn render(_: &Call<Qolo>, _: &QoloTenant, person: &Person) -> Rendered {
        person_json(person)
    }

    fn read_changes_nothing(_: &QoloTenant, _: &str) -> bool {
        true
    }
}

impl Resource<Qolo> for Notification {
    const KIND: &'static str = "Notification";
    const COLLECTION: &'static str = "notifications";
    const ID: &'static str = "notification_guid";

    fn store(state: &QoloTenant) -> &Store<Notification> {
        &state.notifications
    }

    fn store_mut(state: &mut QoloTenant) -> &mut Store<Notification> {
        &mut state.notifications
    }

    fn render(_: &Call<Qolo>, _: &QoloTenant, notification: &Notification) -> Rendered {
        notification_json(notification)
    }

    fn read_changes_nothing(_: &QoloTenant, _: &str) -> bool {
        true
    }
}

impl Create<Qolo> for Notification {
    type Draft = Map<String, Value>;

    fn draft(call: &Call<Qolo>, body: Map<String, Value>) -> Result<Self::Draft, QoloError> {
        read(call.api, &body)
    }

    fn insert(
        call: &Call<Qolo>,
        state: &mut QoloTenant,
        fields: Self::Draft,
    ) -> Result<String, QoloError> {
        let mut notification = Notification {
            notification_guid: state.rng.uuid_v4(),
            program_guid: String::new(),
            url: String::new(),
            headers: Map::new(),
            secret: None,
            active: true,
            event_type: Vec::new(),
            created_date: call.now,
            updated_date: call.now,
        };
        apply(&mut notification, fields);
        let id = notification.notification_guid.clone();
        state.notifications.insert(id.clone(), notification);
        Ok(id)
    }
}

/// `PUT`: the whole subscription, replaced.
impl Update<Qolo> for Notification {
    type Patch = Map<String, Value>;

    fn patch(call: &Call<Qolo>, body: Map<String, Value>) -> Result<Self::Patch, QoloError> {
        read(call.api, &body)
    }

    fn apply(
        call: &Call<Qolo>,
        state: &mut QoloTenant,
        id: &str,
        fields: Self::Patch,
    ) -> Result<(), QoloError> {
        let notification = Notification::find_mut(state, id)?;
        apply(notification, fields);
        notification.updated_date = call.now;
        Ok(())
    }
}
