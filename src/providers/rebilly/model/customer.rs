//! A Rebilly customer: created with `POST /customers` or `PUT /customers/{id}` (or, with
//! `--rebilly-implicit-customers`, when a document, request or login first names it). Each has a
//! generated identity that fills what its `primaryAddress` leaves out, for document matches.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::core::fake::FakePerson;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: String,
    pub person: FakePerson,
    /// The `ContactObject` the client gave, if any.
    pub primary_address: Option<Map<String, Value>>,
    pub website_id: Option<String>,
    pub custom_fields: Map<String, Value>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
}

/// What a create or upsert sets; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CustomerChange {
    pub primary_address: Option<Option<Map<String, Value>>>,
    pub website_id: Option<Option<String>>,
    pub custom_fields: Option<Map<String, Value>>,
}

impl Customer {
    pub fn new(id: String, person: FakePerson, now: DateTime<Utc>) -> Self {
        Customer {
            id,
            person,
            primary_address: None,
            website_id: None,
            custom_fields: Map::new(),
            created_time: now,
            updated_time: now,
        }
    }

    fn address_field(&self, name: &str) -> Option<&str> {
        self.primary_address
            .as_ref()?
            .get(name)?
            .as_str()
            .filter(|v| !v.is_empty())
    }

    /// The primary (else first) e-mail of the primary address.
    fn address_email(&self) -> Option<&str> {
        let emails = self.primary_address.as_ref()?.get("emails")?.as_array()?;
        emails
            .iter()
            .find(|e| e.get("primary") == Some(&Value::Bool(true)))
            .or_else(|| emails.first())?
            .get("value")?
            .as_str()
    }

    pub fn first_name(&self) -> &str {
        self.address_field("firstName")
            .unwrap_or(&self.person.first_name)
    }

    pub fn last_name(&self) -> &str {
        self.address_field("lastName")
            .unwrap_or(&self.person.last_name)
    }

    pub fn email(&self) -> &str {
        self.address_email().unwrap_or(&self.person.email)
    }

    /// Who the customer is: the primary address where it says, the generated identity elsewhere.
    pub fn identity(&self) -> FakePerson {
        let mut person = self.person.clone();
        let set = |field: &mut String, value: Option<&str>| {
            if let Some(value) = value {
                *field = value.to_owned();
            }
        };
        set(&mut person.first_name, self.address_field("firstName"));
        set(&mut person.last_name, self.address_field("lastName"));
        set(&mut person.street, self.address_field("address"));
        set(&mut person.city, self.address_field("city"));
        set(&mut person.postal_code, self.address_field("postalCode"));
        set(&mut person.email, self.address_email());
        person
    }

    pub fn apply(&mut self, change: CustomerChange, now: DateTime<Utc>) {
        if let Some(address) = change.primary_address {
            self.primary_address = address;
        }
        if let Some(website) = change.website_id {
            self.website_id = website;
        }
        if let Some(fields) = change.custom_fields {
            self.custom_fields = fields;
        }
        self.updated_time = now;
    }
}
