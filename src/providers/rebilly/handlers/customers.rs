//! Customers (`/customers`, `/customers/{id}`): the first step of Rebilly's KYC integration guide.
//! Create, upsert, read, list, and Rebilly's merge-and-delete.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::files::IdPath;
use super::href;
use super::listing::Listed;
use crate::core::fields::Fields;
use crate::core::http::query_param;
use crate::core::json_out::Rendered;
use crate::core::resource::{Call, Create, Resource};
use crate::core::store::Store;
use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::{InvalidField, RebillyError};
use crate::providers::rebilly::model::{Customer, CustomerChange, RebillyTenant};
use crate::providers::rebilly::wire::{created, customer_json, json_object, ok, Checks};
use crate::providers::rebilly::Rebilly;

impl Resource<Rebilly> for Customer {
    const KIND: &'static str = "Customer";
    const COLLECTION: &'static str = "customers";

    fn store(state: &RebillyTenant) -> &Store<Self> {
        &state.customers
    }

    fn store_mut(state: &mut RebillyTenant) -> &mut Store<Self> {
        &mut state.customers
    }

    fn render(call: &Call<Rebilly>, _: &RebillyTenant, customer: &Self) -> Rendered {
        customer_json(customer, &href::<Self>(call.req, &customer.id))
    }

    fn read_changes_nothing(_: &RebillyTenant, _: &str) -> bool {
        true
    }

    fn delete(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        id: &str,
    ) -> Result<(), RebillyError> {
        merge_into_target(call, state, id)
    }
}

impl Listed for Customer {
    const FILTERABLE: &'static [&'static str] = &["id", "email", "firstName", "lastName"];

    fn field(&self, name: &str) -> Option<&str> {
        match name {
            "id" => Some(&self.id),
            "email" => Some(self.email()),
            "firstName" => Some(self.first_name()),
            "lastName" => Some(self.last_name()),
            _ => None,
        }
    }

    fn updated_time(&self) -> DateTime<Utc> {
        self.updated_time
    }
}

/// The `ContactObject` string fields (each non-empty when given, as the spec's patterns say) and
/// their spec lengths.
const CONTACT_FIELDS: &[(&str, usize)] = &[
    ("firstName", 45),
    ("lastName", 45),
    ("organization", 255),
    ("address", 60),
    ("address2", 60),
    ("city", 45),
    ("region", 45),
    ("jobTitle", 255),
];

/// Checks a `ContactObject` as the spec types it; the path prefixes every problem.
fn check_contact(checks: &mut Checks, contact: &Map<String, Value>) {
    let at = |field: &str| format!("primaryAddress.{field}");
    for (field, max) in CONTACT_FIELDS {
        match contact.get(*field) {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) if !v.is_empty() && v.chars().count() <= *max => {}
            Some(_) => checks.fail(
                at(field),
                format!("must be a non-empty string of at most {max} characters"),
            ),
        }
    }
    let text = |name: &str| contact.get(name).filter(|v| !v.is_null());
    if let Some(country) = text("country") {
        if !country
            .as_str()
            .is_some_and(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            checks.fail(at("country"), "must be an ISO 3166 alpha-2 code");
        }
    }
    if let Some(code) = text("postalCode") {
        let valid = code.as_str().is_some_and(|c| {
            (1..=10).contains(&c.chars().count())
                && c.chars()
                    .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '-' || ch.is_whitespace())
        });
        if !valid {
            checks.fail(
                at("postalCode"),
                "must be 1 to 10 letters, digits, spaces or dashes",
            );
        }
    }
    if let Some(dob) = text("dob") {
        if dob
            .as_str()
            .is_none_or(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err())
        {
            checks.fail(at("dob"), "must be a YYYY-MM-DD date");
        }
    }
    for (list, max) in [("emails", 255), ("phoneNumbers", 50)] {
        match contact.get(list) {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let label = item.get("label").and_then(Value::as_str);
                    let value = item.get("value").and_then(Value::as_str);
                    let primary_ok = item.get("primary").is_none_or(Value::is_boolean);
                    let value_ok = value.is_some_and(|v| {
                        v.chars().count() <= max
                            && (list != "emails" || crate::core::validate::is_email(v))
                    });
                    if !item.is_object()
                        || label.is_none_or(|l| l.chars().count() > 45)
                        || !value_ok
                        || !primary_ok
                    {
                        checks.fail(at(&format!("{list}.{i}")), "needs a label (at most 45 characters), a valid value and an optional boolean primary");
                    }
                }
            }
            Some(_) => checks.fail(at(list), "must be an array"),
        }
    }
}

/// What a customer body sets: `primaryAddress` (a `ContactObject` or `null`), `websiteId`,
/// `customFields`. Read-only fields (`id`, `email`, `firstName`, `lastName`, ...) and fields the
/// sandbox does not model are ignored, as Rebilly ignores read-only input.
pub(super) fn parse_change(body: &Fields) -> Result<CustomerChange, RebillyError> {
    let mut checks = Checks::default();
    let mut change = CustomerChange::default();
    match body.get("primaryAddress") {
        None => {}
        Some(Value::Null) => change.primary_address = Some(None),
        Some(Value::Object(contact)) => {
            check_contact(&mut checks, contact);
            let mut kept = contact.clone();
            // `hash` is read-only: the sandbox does not echo what a client made up.
            kept.remove("hash");
            change.primary_address = Some(Some(kept));
        }
        Some(_) => checks.fail("primaryAddress", "must be an object or null"),
    }
    if body.contains_key("websiteId") {
        change.website_id = Some(checks.opt_string(body, "websiteId", 50));
    }
    match body.get("customFields") {
        None => {}
        Some(Value::Object(fields)) => change.custom_fields = Some(fields.clone()),
        Some(Value::Null) => change.custom_fields = Some(Map::new()),
        Some(_) => checks.fail("customFields", "must be an object"),
    }
    checks.finish()?;
    Ok(change)
}

/// `POST /customers` (PostCustomer): `201` with the customer and its `Location`.
impl Create<Rebilly> for Customer {
    type Draft = CustomerChange;

    fn draft(_: &Call<Rebilly>, body: Fields) -> Result<CustomerChange, RebillyError> {
        parse_change(&body)
    }

    fn insert(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        change: CustomerChange,
    ) -> Result<String, RebillyError> {
        let id = state.new_id("cus_");
        state.create_customer(id.clone(), change, call.now);
        Ok(id)
    }
}

/// `PUT /customers/{id}` (PutCustomer, "upsert"): updates the customer, or creates it with that
/// id (`201` and `Location`).
pub async fn upsert(
    req: HttpRequest,
    path: web::Path<IdPath>,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Result<HttpResponse, RebillyError> {
    let id = path.into_inner().id;
    if id.is_empty() || id.chars().count() > 50 {
        return Err(RebillyError::Validation(vec![InvalidField::new(
            "id",
            "must be 1 to 50 characters",
        )]));
    }
    let change = parse_change(&json_object(&req, &mut payload).await?)?;
    let now = rebilly.core.clock.now();
    let href = href::<Customer>(&req, &id);
    rebilly.with_tenant(&caller, |state| {
        let existed = state.customers.contains(&id);
        if existed {
            state.update_customer(&id, change, now);
        } else {
            state.create_customer(id.clone(), change, now);
        }
        let body = customer_json(&state.customers[id.as_str()], &href);
        Ok(if existed {
            ok(body)
        } else {
            created(href, body)
        })
    })
}

/// `DELETE /customers/{id}?targetCustomerId=` (DeleteCustomer, "merge and delete"): the
/// customer's documents, requests and logins become the target's, then it is deleted.
pub fn merge_into_target(
    call: &Call<Rebilly>,
    state: &mut RebillyTenant,
    id: &str,
) -> Result<(), RebillyError> {
    let target = query_param(call.req, "targetCustomerId").filter(|t| !t.is_empty());
    let Some(target) = target else {
        return Err(RebillyError::Validation(vec![InvalidField::new(
            "targetCustomerId",
            "is required",
        )]));
    };
    if target == id {
        return Err(RebillyError::Validation(vec![InvalidField::new(
            "targetCustomerId",
            "must be another customer than the one deleted",
        )]));
    }
    if !state.customers.contains(&target) {
        return Err(RebillyError::NotFound { kind: "Customer" });
    }
    state.merge_customer(id, &target);
    Ok(())
}
