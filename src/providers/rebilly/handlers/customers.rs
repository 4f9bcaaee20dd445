//! Customers, read-only for now (`GET /customers`, `GET /customers/{id}`): every customer a KYC
//! document, request or login named, so the `customer` links of documents and webhooks resolve.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::href;
use super::listing::Listed;
use crate::core::resource::{Call, Resource};
use crate::core::store::Store;
use crate::providers::rebilly::model::{Customer, RebillyTenant};
use crate::providers::rebilly::wire::customer_json;
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

    fn render(call: &Call<Rebilly>, _: &RebillyTenant, customer: &Self) -> Value {
        customer_json(customer, &href::<Self>(call.req, &customer.id))
    }
}

impl Listed for Customer {
    const FILTERABLE: &'static [&'static str] = &["id", "email", "firstName", "lastName"];

    fn field(&self, name: &str) -> Option<&str> {
        match name {
            "id" => Some(&self.id),
            "email" => Some(&self.person.email),
            "firstName" => Some(&self.person.first_name),
            "lastName" => Some(&self.person.last_name),
            _ => None,
        }
    }

    fn updated_time(&self) -> DateTime<Utc> {
        self.created_time
    }
}
