//! `/applicants`: create (PERSON or COMPANY), get the full object, update, delete, list.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::core::json_out::Rendered;
use crate::core::resource::{Call, Create, Resource, Update};
use crate::core::store::Store;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{Checks, Input};
use crate::providers::kycaid::model::applicant::TYPE_RULE;
use crate::providers::kycaid::model::extras::without_nulls;
use crate::providers::kycaid::model::{Applicant, ApplicantType, KycaidTenant};
use crate::providers::kycaid::wire::applicant_json;
use crate::providers::kycaid::Kycaid;

impl Resource<Kycaid> for Applicant {
    const KIND: &'static str = "Applicant";
    const COLLECTION: &'static str = "applicants";
    const ID: &'static str = "applicant_id";

    fn store(state: &KycaidTenant) -> &Store<Self> {
        &state.applicants
    }

    fn store_mut(state: &mut KycaidTenant) -> &mut Store<Self> {
        &mut state.applicants
    }

    fn render(_: &Call<Kycaid>, state: &KycaidTenant, applicant: &Self) -> Rendered {
        applicant_json(state, applicant)
    }

    fn read_changes_nothing(_: &KycaidTenant, _: &str) -> bool {
        true
    }

    /// Takes everything of the applicant with it; its hosted-form links stop opening.
    fn delete(call: &Call<Kycaid>, state: &mut KycaidTenant, id: &str) -> Result<(), KycaidError> {
        if state.in_review(id) {
            return Err(KycaidError::invalid(
                Self::ID,
                "Applicant cannot be deleted while a verification is in progress",
            ));
        }
        let dead_links = state.delete_applicant(id).unwrap_or_default();
        call.api.forget_form_tokens(&dead_links);
        Ok(())
    }
}

/// The profile fields of `kind`, moved out of `input`, with `business_activity_id` checked
/// against the fixtures; problems are added to `checks`.
pub(super) fn profile(
    kycaid: &Kycaid,
    kind: ApplicantType,
    input: &mut Input,
    checks: &mut Checks,
) -> Map<String, Value> {
    let values = checks.take(input, kind.rules());
    kycaid.check_countries(kind.rules(), &values, checks);
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
    Applicant::find_mut(state, id)?.update(values);
    Ok(())
}

impl Create<Kycaid> for Applicant {
    /// The applicant's type and its checked profile fields.
    type Draft = (ApplicantType, Map<String, Value>);

    fn draft(call: &Call<Kycaid>, mut input: Input) -> Result<Self::Draft, KycaidError> {
        let mut checks = Checks::default();
        let typed = checks.read_one(&input, &TYPE_RULE);
        checks.require_value(typed.as_ref(), &TYPE_RULE);
        let Some(kind) = typed
            .as_ref()
            .and_then(Value::as_str)
            .and_then(ApplicantType::parse)
        else {
            return Err(KycaidError::Validation(checks.errors));
        };
        let values = profile(call.api, kind, &mut input, &mut checks);
        require(kind, &Map::new(), &values, &mut checks);
        checks.finish()?;
        Ok((kind, values))
    }

    fn insert(
        call: &Call<Kycaid>,
        state: &mut KycaidTenant,
        (kind, values): Self::Draft,
    ) -> Result<String, KycaidError> {
        Ok(insert_applicant(state, kind, values, call.now))
    }
}

/// The body as sent: what it may change depends on the applicant's type, known under the lock.
impl Update<Kycaid> for Applicant {
    type Patch = Input;

    fn patch(_: &Call<Kycaid>, input: Input) -> Result<Input, KycaidError> {
        Ok(input)
    }

    fn apply(
        call: &Call<Kycaid>,
        state: &mut KycaidTenant,
        id: &str,
        mut input: Input,
    ) -> Result<(), KycaidError> {
        let applicant = Self::find(state, id)?;
        let kind = applicant.kind;
        let mut checks = Checks::default();
        if let Some(raw) = input.get("type") {
            if raw.as_str() != Some(kind.as_str()) {
                checks.fail("type", "Type of applicant cannot be changed");
            }
        }
        let values = profile(call.api, kind, &mut input, &mut checks);
        if values.is_empty() && checks.errors.is_empty() {
            return Err(KycaidError::no_parameters());
        }
        require(kind, &applicant.fields, &values, &mut checks);
        checks.finish()?;
        update_applicant(state, id, values)
    }
}
