//! `/addresses`: an applicant's addresses, versioned once a verification has covered them.

use actix_web::{web, HttpRequest};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{path_id, Reply};
use crate::core::json_out::Rendered;
use crate::core::resource::{Call, Create, Resource};
use crate::core::store::Store;
use crate::providers::kycaid::auth::Caller;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{read_input, rule, Checks, Input, Kind, Rule};
use crate::providers::kycaid::model::applicant::APPLICANT_ID_RULE;
use crate::providers::kycaid::model::extras::{merge, without_nulls, ADDRESS_RULES};
use crate::providers::kycaid::model::{
    Address, AddressType, Applicant, DocumentStatus, KycaidTenant,
};
use crate::providers::kycaid::wire::{ack, address_json};
use crate::providers::kycaid::Kycaid;

impl Resource<Kycaid> for Address {
    const KIND: &'static str = "Address";
    const COLLECTION: &'static str = "addresses";
    const ID: &'static str = "address_id";

    fn store(state: &KycaidTenant) -> &Store<Self> {
        &state.addresses
    }

    fn store_mut(state: &mut KycaidTenant) -> &mut Store<Self> {
        &mut state.addresses
    }

    fn render(_: &Call<Kycaid>, _: &KycaidTenant, address: &Self) -> Rendered {
        address_json(address)
    }

    fn read_changes_nothing(_: &KycaidTenant, _: &str) -> bool {
        true
    }

    /// Only before a verification covered the applicant's addresses.
    fn delete(_: &Call<Kycaid>, state: &mut KycaidTenant, id: &str) -> Result<(), KycaidError> {
        let applicant_id = Self::find(state, id)?.applicant_id.clone();
        if state.has_verification(&applicant_id) {
            return Err(KycaidError::invalid(
                Self::ID,
                "Addresses may be deleted only before a verification was created",
            ));
        }
        state.addresses.remove(id);
        if let Some(a) = state.applicants.get_mut(&applicant_id) {
            a.address_ids.retain(|a| a != id);
        }
        Ok(())
    }
}

const ADDRESS_TYPE: Rule = rule("type", Kind::Enum(AddressType::NAMES)).labelled("Type of address");

/// The `applicant_id` and `type` every create needs, plus the record's own fields.
pub(super) fn create_values(
    kycaid: &Kycaid,
    input: &Input,
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
    Applicant::find(state, applicant_id)?;
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

impl Create<Kycaid> for Address {
    /// The applicant, the address type and its checked fields.
    type Draft = (String, AddressType, Map<String, Value>);

    fn draft(call: &Call<Kycaid>, input: Input) -> Result<Self::Draft, KycaidError> {
        let mut checks = Checks::default();
        let (applicant_id, kind, values) =
            create_values(call.api, &input, ADDRESS_TYPE, ADDRESS_RULES, &mut checks);
        checks.finish()?;
        let kind = AddressType::parse(&kind).expect("validated");
        Ok((applicant_id, kind, values))
    }

    fn insert(
        call: &Call<Kycaid>,
        state: &mut KycaidTenant,
        (applicant_id, kind, values): Self::Draft,
    ) -> Result<String, KycaidError> {
        insert_address(state, &applicant_id, kind, values, call.now)
    }
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
    path_id(&id, Address::ID)?;
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
        let current = Address::find(state, &id)?;
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
            return Ok(ack(Address::ID, &new_id));
        }
        state.addresses.insert(id.clone(), updated);
        Ok(ack(Address::ID, &id))
    })
}
