//! `/applicants`: create (PERSON or COMPANY), get the full object, update, delete, list.

use actix_web::{web, HttpRequest};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{found, path_id, show, Paging, Reply, Shown};
use crate::providers::kycaid::auth::Caller;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{read_input, Checks, Input, Rule};
use crate::providers::kycaid::model::applicant::TYPE_RULE;
use crate::providers::kycaid::model::extras::without_nulls;
use crate::providers::kycaid::model::{Applicant, ApplicantType, KycaidTenant};
use crate::providers::kycaid::wire::{ack, applicant_json};
use crate::providers::kycaid::Kycaid;

const ID: &str = "applicant_id";
const RESOURCE: &str = "Applicant";

/// The profile fields of `kind` from `input`, with `business_activity_id` checked against the
/// fixtures; problems are added to `checks`.
pub(super) fn profile(
    kycaid: &Kycaid,
    kind: ApplicantType,
    input: &Input,
    checks: &mut Checks,
) -> Map<String, Value> {
    let rules: Vec<Rule> = kind.rules().copied().collect();
    let values = checks.read(input, &rules);
    kycaid.check_countries(&rules, &values, checks);
    if let Some(activity) = values.get("business_activity_id").and_then(Value::as_str) {
        if !kycaid.fixtures.is_activity(activity) {
            checks.fail(
                "business_activity_id",
                "Business activity was not found (see GET /business-activities)",
            );
        }
    }
    values
}

/// Checks that the required fields of `kind` hold a value once `values` are applied to `current`.
pub(super) fn require(
    kind: ApplicantType,
    current: &Map<String, Value>,
    values: &Map<String, Value>,
    checks: &mut Checks,
) {
    for name in kind.required() {
        let rule = kind
            .rules()
            .find(|r| r.name == *name)
            .expect("required fields have rules");
        let set = match values.get(*name) {
            Some(v) => !v.is_null(),
            None => current.get(*name).is_some_and(|v| !v.is_null()),
        };
        if !set {
            checks.fail(*name, format!("{} is required", rule.label()));
        }
    }
}

/// Stores a new applicant with checked profile `values` and answers its id: what
/// `POST /applicants` and a hosted form submitted without an applicant both do.
pub(super) fn insert_applicant(
    state: &mut KycaidTenant,
    kind: ApplicantType,
    values: Map<String, Value>,
    now: DateTime<Utc>,
) -> String {
    let id = state.new_id();
    let fields = without_nulls(values);
    state
        .applicants
        .insert(id.clone(), Applicant::new(id.clone(), kind, fields, now));
    id
}

/// Applies checked profile `values` to an applicant (`null` clears a field): what
/// `PATCH /applicants/{id}` and a hosted form opened for an applicant both do.
pub(super) fn update_applicant(
    state: &mut KycaidTenant,
    id: &str,
    values: Map<String, Value>,
) -> Result<(), KycaidError> {
    state
        .applicants
        .get_mut(id)
        .ok_or_else(|| KycaidError::not_found(ID, RESOURCE))?
        .update(values);
    Ok(())
}

pub async fn create(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let typed = checks.read(&input, &[TYPE_RULE]);
    checks.require(&typed, &TYPE_RULE);
    let Some(kind) = typed
        .get("type")
        .and_then(Value::as_str)
        .and_then(ApplicantType::parse)
    else {
        return Err(KycaidError::Validation(checks.errors));
    };
    let values = profile(&kycaid, kind, &input, &mut checks);
    require(kind, &Map::new(), &values, &mut checks);
    checks.finish()?;
    let now = kycaid.core.clock.now();
    let id = kycaid.with_tenant(&caller, |state| insert_applicant(state, kind, values, now));
    Ok(ack(ID, &id))
}

pub async fn get(path: web::Path<String>, caller: Caller, kycaid: web::Data<Kycaid>) -> Reply {
    let shown = Shown {
        parameter: ID,
        resource: RESOURCE,
        store: |s| &s.applicants,
        render: applicant_json,
    };
    show(path, caller, kycaid, shown).await
}

pub async fn update(
    req: HttpRequest,
    mut payload: web::Payload,
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let id = path.into_inner();
    path_id(&id, ID)?;
    let input = read_input(&req, &mut payload).await?;
    kycaid.with_tenant(&caller, |state| {
        let applicant = found(&state.applicants, &id, ID, RESOURCE)?;
        let kind = applicant.kind;
        let mut checks = Checks::default();
        if let Some(raw) = input.get("type") {
            if raw.as_str() != Some(kind.as_str()) {
                checks.fail("type", "Type of applicant cannot be changed");
            }
        }
        let values = profile(&kycaid, kind, &input, &mut checks);
        if values.is_empty() && checks.errors.is_empty() {
            return Err(KycaidError::no_parameters());
        }
        require(kind, &applicant.fields, &values, &mut checks);
        checks.finish()?;
        update_applicant(state, &id, values)?;
        Ok(ack(ID, &id))
    })
}

pub async fn delete(path: web::Path<String>, caller: Caller, kycaid: web::Data<Kycaid>) -> Reply {
    let id = path.into_inner();
    path_id(&id, ID)?;
    kycaid
        .with_tenant(&caller, |state| {
            if state.in_review(&id) {
                return Err(KycaidError::invalid(
                    ID,
                    "Applicant cannot be deleted while a verification is in progress",
                ));
            }
            state
                .delete_applicant(&id)
                .ok_or_else(|| KycaidError::not_found(ID, RESOURCE))
        })
        .map(|dead_links| {
            kycaid.forget_form_tokens(&dead_links);
            ack(ID, &id)
        })
}

pub async fn list(req: HttpRequest, caller: Caller, kycaid: web::Data<Kycaid>) -> Reply {
    let paging = Paging::from(&req)?;
    kycaid.with_tenant(&caller, |state| {
        let page = state
            .applicants
            .page(paging.offset(), paging.per_page, true);
        let data = page
            .items
            .iter()
            .map(|a| applicant_json(state, a))
            .collect();
        Ok(paging.reply(data, page.total))
    })
}
