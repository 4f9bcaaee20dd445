//! A Rebilly customer: today created when a document, request or login first names it, with a
//! generated identity that document matches compare against.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::core::fake::FakePerson;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub id: String,
    pub person: FakePerson,
    pub created_time: DateTime<Utc>,
}
