//! `/addresses`: an applicant's addresses, versioned once a verification has covered them.

use actix_web::{web, HttpRequest};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{found, path_id, show, Reply, Shown};
use crate::providers::kycaid::auth::Caller;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{read_input, rule, Checks, Kind, Rule};
use crate::providers::kycaid::model::applicant::APPLICANT_ID_RULE;
use crate::providers::kycaid::model::extras::{merge, without_nulls, ADDRESS_RULES};
use crate::providers::kycaid::model::{Address, AddressType, DocumentStatus, KycaidTenant};
use crate::providers::kycaid::wire::{ack, address_json};
use crate::providers::kycaid::Kycaid;

const ADDRESS_ID: &str = "address_id";
const ADDRESS_TYPE: Rule = rule("type", Kind::Enum(AddressType::NAMES)).labelled("Type of address");

/// The `applicant_id` and `type` every create needs, plus the record's own fields.
pub(super) fn create_values(
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
