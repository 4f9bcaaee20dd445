//! `/addresses` and `/affiliated-persons`: records attached to an applicant.

use actix_web::{web, HttpRequest};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{found, path_id, show, Reply, Shown};
use crate::providers::kycaid::auth::Caller;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{read_input, rule, Checks, Kind, Rule};
use crate::providers::kycaid::model::applicant::APPLICANT_ID_RULE;
use crate::providers::kycaid::model::extras::{
    merge, without_nulls, ADDRESS_RULES, AFFILIATED_RULES,
};
use crate::providers::kycaid::model::{
    Address, AddressType, AffiliatedPerson, AffiliatedType, ApplicantType, DocumentStatus,
    KycaidTenant,
};
use crate::providers::kycaid::wire::{ack, address_json, affiliated_json};
use crate::providers::kycaid::Kycaid;

const ADDRESS_ID: &str = "address_id";
const PERSON_ID: &str = "affiliated_person_id";
const ADDRESS_TYPE: Rule = rule("type", Kind::Enum(AddressType::NAMES)).labelled("Type of address");
const PERSON_TYPE: Rule =
    rule("type", Kind::Enum(AffiliatedType::NAMES)).labelled("Type of affiliated person");
/// An authorised person must be fully described.
const AUTHORISED_REQUIRED: &[&str] = &[
    "first_name",
    "last_name",
    "title",
    "dob",
    "residence_country",
    "nationality",
    "email",
];

/// The `applicant_id` and `type` every create needs, plus the record's own fields.
fn create_values(
    kycaid: &Kycaid,
    input: &crate::providers::kycaid::input::Input,
    type_rule: Rule,
    rules: &[Rule],
    checks: &mut Checks,
) -> (String, String, Map<String, Value>) {
    let head = checks.read(input, &[APPLICANT_ID_RULE, type_rule]);
    checks.require(&head, &type_rule);
    checks.require(&head, &APPLICANT_ID_RULE);
    let values = checks.read(input, rules);
    kycaid.check_countries(rules, &values, checks);
    let text = |name: &str| {
        head.get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    (text("applicant_id"), text("type"), values)
}

/// Stores a new address of the applicant with checked `values` and answers its id: what
/// `POST /addresses` and the hosted form's address step both do.
pub(super) fn insert_address(
    state: &mut KycaidTenant,
    applicant_id: &str,
    kind: AddressType,
    values: Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<String, KycaidError> {
    found(&state.applicants, applicant_id, "applicant_id", "Applicant")?;
    let id = state.new_id();
    state.addresses.insert(
        id.clone(),
        Address {
            id: id.clone(),
            applicant_id: applicant_id.to_owned(),
            kind,
            status: DocumentStatus::New,
            fields: without_nulls(values),
            created_at: now,
            locked: false,
        },
    );
    if let Some(a) = state.applicants.get_mut(applicant_id) {
        a.address_ids.push(id.clone());
    }
    Ok(id)
}

pub async fn create_address(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let (applicant_id, kind, values) =
        create_values(&kycaid, &input, ADDRESS_TYPE, ADDRESS_RULES, &mut checks);
    checks.finish()?;
    let kind = AddressType::parse(&kind).expect("validated");
    let now = kycaid.core.clock.now();
    kycaid.with_tenant(&caller, |state| {
        let id = insert_address(state, &applicant_id, kind, values, now)?;
        Ok(ack(ADDRESS_ID, &id))
    })
}

pub async fn get_address(
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let shown = Shown {
        parameter: ADDRESS_ID,
        resource: "Address",
        store: |s| &s.addresses,
        render: |_, a| address_json(a),
    };
    show(path, caller, kycaid, shown).await
}

/// Updates in place, or, for an address that is part of a completed verification, keeps that
/// one as it was and answers with the id of a new, updated copy.
pub async fn update_address(
    req: HttpRequest,
    mut payload: web::Payload,
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let id = path.into_inner();
    path_id(&id, ADDRESS_ID)?;
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let head = checks.read(&input, &[ADDRESS_TYPE]);
    let values = checks.read(&input, ADDRESS_RULES);
    kycaid.check_countries(ADDRESS_RULES, &values, &mut checks);
    checks.finish()?;
    if head.is_empty() && values.is_empty() {
        return Err(KycaidError::no_parameters());
    }
    let now = kycaid.core.clock.now();
    kycaid.with_tenant(&caller, |state| {
        let current = found(&state.addresses, &id, ADDRESS_ID, "Address")?;
        let mut updated = current.clone();
        if let Some(kind) = head.get("type").and_then(Value::as_str) {
            updated.kind = AddressType::parse(kind).expect("validated");
        }
        merge(&mut updated.fields, values);
        updated.status = DocumentStatus::New;
        if current.locked {
            let new_id = state.new_id();
            updated.id.clone_from(&new_id);
            updated.locked = false;
            updated.created_at = now;
            if let Some(a) = state.applicants.get_mut(&updated.applicant_id) {
                for slot in a.address_ids.iter_mut().filter(|a| **a == id) {
                    slot.clone_from(&new_id);
                }
                a.replaced_address_ids.push(id.clone());
            }
            state.addresses.insert(new_id.clone(), updated);
            return Ok(ack(ADDRESS_ID, &new_id));
        }
        state.addresses.insert(id.clone(), updated);
        Ok(ack(ADDRESS_ID, &id))
    })
}

pub async fn delete_address(
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let id = path.into_inner();
    path_id(&id, ADDRESS_ID)?;
    kycaid.with_tenant(&caller, |state| {
        let applicant_id = found(&state.addresses, &id, ADDRESS_ID, "Address")?
            .applicant_id
            .clone();
        if state.has_verification(&applicant_id) {
            return Err(KycaidError::invalid(
                ADDRESS_ID,
                "Addresses may be deleted only before a verification was created",
            ));
        }
        state.addresses.remove(&id);
        if let Some(a) = state.applicants.get_mut(&applicant_id) {
            a.address_ids.retain(|a| *a != id);
        }
        Ok(ack(ADDRESS_ID, &id))
    })
}

pub async fn create_person(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let (applicant_id, kind, values) =
        create_values(&kycaid, &input, PERSON_TYPE, AFFILIATED_RULES, &mut checks);
    let kind = AffiliatedType::parse(&kind);
    if kind == Some(AffiliatedType::Authorised) {
        for rule in AFFILIATED_RULES
            .iter()
            .filter(|r| AUTHORISED_REQUIRED.contains(&r.name))
        {
            checks.require(&values, rule);
        }
    } else if kind.is_some() {
        for rule in AFFILIATED_RULES
            .iter()
            .filter(|r| ["first_name", "last_name"].contains(&r.name))
        {
            checks.require(&values, rule);
        }
    }
    checks.finish()?;
    let kind = kind.expect("validated");
    let now = kycaid.core.clock.now();
    kycaid.with_tenant(&caller, |state| {
        let applicant = found(
            &state.applicants,
            &applicant_id,
            "applicant_id",
            "Applicant",
        )?;
        if applicant.kind != ApplicantType::Company {
            return Err(KycaidError::invalid(
                "applicant_id",
                "Affiliated persons belong to COMPANY applicants",
            ));
        }
        let has_authorised = applicant
            .affiliated_person_ids
            .iter()
            .filter_map(|p| state.affiliated_persons.get(p))
            .any(|p| p.kind == AffiliatedType::Authorised);
        if kind == AffiliatedType::Authorised && has_authorised {
            return Err(KycaidError::Flow(
                "The authorised person is already exists for that applicant".into(),
            ));
        }
        let id = state.new_id();
        state.affiliated_persons.insert(
            id.clone(),
            AffiliatedPerson {
                id: id.clone(),
                applicant_id: applicant_id.clone(),
                kind,
                fields: without_nulls(values),
                created_at: now,
            },
        );
        if let Some(a) = state.applicants.get_mut(&applicant_id) {
            a.affiliated_person_ids.push(id.clone());
        }
        Ok(ack(PERSON_ID, &id))
    })
}

pub async fn get_person(
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let shown = Shown {
        parameter: PERSON_ID,
        resource: "Affiliated person",
        store: |s| &s.affiliated_persons,
        render: |_, p| affiliated_json(p),
    };
    show(path, caller, kycaid, shown).await
}

pub async fn update_person(
    req: HttpRequest,
    mut payload: web::Payload,
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let id = path.into_inner();
    path_id(&id, PERSON_ID)?;
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let values = checks.read(&input, AFFILIATED_RULES);
    kycaid.check_countries(AFFILIATED_RULES, &values, &mut checks);
    checks.finish()?;
    if values.is_empty() {
        return Err(KycaidError::no_parameters());
    }
    kycaid.with_tenant(&caller, |state| {
        let person = state
            .affiliated_persons
            .get_mut(&id)
            .ok_or_else(|| KycaidError::not_found(PERSON_ID, "Affiliated person"))?;
        merge(&mut person.fields, values);
        Ok(ack(PERSON_ID, &id))
    })
}

pub async fn delete_person(
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let id = path.into_inner();
    path_id(&id, PERSON_ID)?;
    kycaid.with_tenant(&caller, |state| {
        let person = state
            .affiliated_persons
            .remove(&id)
            .ok_or_else(|| KycaidError::not_found(PERSON_ID, "Affiliated person"))?;
        if let Some(a) = state.applicants.get_mut(&person.applicant_id) {
            a.affiliated_person_ids.retain(|p| *p != id);
        }
        Ok(ack(PERSON_ID, &id))
    })
}
