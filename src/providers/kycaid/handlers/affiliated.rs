//! `/affiliated-persons`: the people behind a COMPANY applicant (one authorised person, any
//! number of beneficial owners, directors and shareholders).

use serde_json::{Map, Value};

use super::addresses::create_values;
use crate::core::json_out::Rendered;
use crate::core::resource::{Call, Create, Resource, Update};
use crate::core::store::Store;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{rule, Checks, Input, Kind, Rule};
use crate::providers::kycaid::model::extras::{merge, without_nulls, AFFILIATED_RULES};
use crate::providers::kycaid::model::{
    AffiliatedPerson, AffiliatedType, Applicant, ApplicantType, KycaidTenant,
};
use crate::providers::kycaid::wire::affiliated_json;
use crate::providers::kycaid::Kycaid;

impl Resource<Kycaid> for AffiliatedPerson {
    const KIND: &'static str = "Affiliated person";
    const COLLECTION: &'static str = "affiliated-persons";
    const ID: &'static str = "affiliated_person_id";

    fn store(state: &KycaidTenant) -> &Store<Self> {
        &state.affiliated_persons
    }

    fn store_mut(state: &mut KycaidTenant) -> &mut Store<Self> {
        &mut state.affiliated_persons
    }

    fn render(_: &Call<Kycaid>, _: &KycaidTenant, person: &Self) -> Rendered {
        affiliated_json(person)
    }

    fn read_changes_nothing(_: &KycaidTenant, _: &str) -> bool {
        true
    }

    /// The company applicant no longer lists it.
    fn delete(_: &Call<Kycaid>, state: &mut KycaidTenant, id: &str) -> Result<(), KycaidError> {
        if let Some(person) = state.affiliated_persons.remove(id) {
            if let Some(a) = state.applicants.get_mut(&person.applicant_id) {
                a.affiliated_person_ids.retain(|p| p != id);
            }
        }
        Ok(())
    }
}
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

impl Create<Kycaid> for AffiliatedPerson {
    /// The company applicant, the person's role and their checked fields.
    type Draft = (String, AffiliatedType, Map<String, Value>);

    fn draft(call: &Call<Kycaid>, input: Input) -> Result<Self::Draft, KycaidError> {
        let mut checks = Checks::default();
        let (applicant_id, kind, values) =
            create_values(call.api, &input, PERSON_TYPE, AFFILIATED_RULES, &mut checks);
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
        Ok((applicant_id, kind.expect("validated"), values))
    }

    /// One authorised person per COMPANY applicant.
    fn insert(
        call: &Call<Kycaid>,
        state: &mut KycaidTenant,
        (applicant_id, kind, values): Self::Draft,
    ) -> Result<String, KycaidError> {
        let applicant = Applicant::find(state, &applicant_id)?;
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
                created_at: call.now,
            },
        );
        if let Some(a) = state.applicants.get_mut(&applicant_id) {
            a.affiliated_person_ids.push(id.clone());
        }
        Ok(id)
    }
}

impl Update<Kycaid> for AffiliatedPerson {
    type Patch = Map<String, Value>;

    fn patch(call: &Call<Kycaid>, input: Input) -> Result<Map<String, Value>, KycaidError> {
        let mut checks = Checks::default();
        let values = checks.read(&input, AFFILIATED_RULES);
        call.api
            .check_countries(AFFILIATED_RULES, &values, &mut checks);
        checks.finish()?;
        if values.is_empty() {
            return Err(KycaidError::no_parameters());
        }
        Ok(values)
    }

    fn apply(
        _: &Call<Kycaid>,
        state: &mut KycaidTenant,
        id: &str,
        values: Map<String, Value>,
    ) -> Result<(), KycaidError> {
        merge(&mut Self::find_mut(state, id)?.fields, values);
        Ok(())
    }
}
