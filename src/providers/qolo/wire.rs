//! Qolo's JSON: `PersonDTO` (with Qolo's own `verfication_*` spelling), the KYC details of
//! Perform KYC / Retrieve Person KYC (with its camelCase `verificationResults`), and the list
//! envelope of SearchPerson.

use serde_json::{json, Map, Value};

use super::input::PERSON;
use super::model::{Notification, Person};

/// `PersonDTO`: every field, `null` when unset, as Qolo's serializer writes them.
pub fn person_json(person: &Person) -> Value {
    let mut out = Map::new();
    out.insert("person_guid".into(), json!(person.person_guid));
    for (name, _) in PERSON {
        let value = person.details.get(*name).cloned().unwrap_or(Value::Null);
        out.insert((*name).to_owned(), value);
    }
    out.insert("person_status".into(), json!(person.person_status));
    out.insert("verfication_mode".into(), json!(person.verification_mode));
    out.insert("verfication_level".into(), json!(person.verification_level));
    Value::Object(out)
}

/// The KYC details answered by `GET` and `POST /persons/{person_guid}/kyc`.
pub fn kyc_json(person: &Person) -> Value {
    json!({
        "person_guid": person.person_guid,
        "verification_mode": person.verification_mode,
        "verification_level": person.verification_level,
        "additional_desc": person.additional_desc,
        "verificationResults": person.results,
    })
}

pub fn notification_json(notification: &Notification) -> Value {
    json!(notification)
}

/// SearchPerson's envelope: `count` items from `start_index` (`end_index` inclusive, one less
/// than `start_index` when empty) and whether more follow.
pub fn list_json(items: Vec<Value>, start_index: usize, has_more: bool) -> Value {
    let count = items.len();
    json!({
        "count": count,
        "start_index": start_index,
        "end_index": start_index as i64 + count as i64 - 1,
        "has_more": has_more,
        "data": items,
    })
}
