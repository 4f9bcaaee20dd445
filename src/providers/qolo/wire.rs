//! Qolo's JSON, written straight to text (`core::json_out`): `PersonDTO` (with Qolo's own
//! `verfication_*` spelling), the KYC details of Perform KYC / Retrieve Person KYC (with its
//! camelCase `verificationResults`), and the list envelope of SearchPerson.

use super::input::PERSON;
use super::model::{Notification, Person, PersonStatus};
use crate::core::json_out::{self, ObjectWriter, Rendered};

fn person_fields(o: &mut ObjectWriter, person: &Person) {
    o.field("person_guid", &person.person_guid);
    for (name, _) in PERSON {
        o.field(name, &json_out::lookup(&person.details, name));
    }
    o.field("person_status", &person.person_status)
        .field("verfication_mode", &person.verification_mode)
        .field("verfication_level", &person.verification_level);
}

/// `PersonDTO`: every field, `null` when unset, as Qolo's serializer writes them.
pub fn person_json(person: &Person) -> Rendered {
    json_out::object(|o| person_fields(o, person))
}

/// What CreatePerson answers: the `PersonDTO`, and why KYC did not clear the person yet.
pub fn created_person_json(person: &Person) -> Rendered {
    json_out::object(|o| {
        person_fields(o, person);
        if person.person_status != PersonStatus::Cleared {
            o.field("additional_desc", &person.additional_desc);
        }
    })
}

/// The KYC details answered by `GET` and `POST /persons/{person_guid}/kyc`.
pub fn kyc_json(person: &Person) -> Rendered {
    json_out::object(|o| {
        o.field("person_guid", &person.person_guid)
            .field("verification_mode", &person.verification_mode)
            .field("verification_level", &person.verification_level)
            .field("additional_desc", &person.additional_desc)
            .field("verificationResults", &person.results);
    })
}

pub fn notification_json(notification: &Notification) -> Rendered {
    Rendered::of(notification)
}

/// SearchPerson's envelope: `count` items from `start_index` (`end_index` inclusive, one less
/// than `start_index` when empty) and whether more follow.
pub fn list_json(items: &[Rendered], start_index: usize, has_more: bool) -> Rendered {
    let count = items.len();
    json_out::object(|o| {
        o.field("count", &count)
            .field("start_index", &start_index)
            .field("end_index", &(start_index as i64 + count as i64 - 1))
            .field("has_more", &has_more)
            .array("data", |a| {
                for item in items {
                    a.raw(item);
                }
            });
    })
}
