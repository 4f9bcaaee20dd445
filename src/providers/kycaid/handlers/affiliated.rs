//! `/affiliated-persons`: the people behind a COMPANY applicant (one authorised person, any
//! number of beneficial owners, directors and shareholders).

use actix_web::{web, HttpRequest};

use super::addresses::create_values;
use super::{found, path_id, show, Reply, Shown};
use crate::providers::kycaid::auth::Caller;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{read_input, rule, Checks, Kind, Rule};
use crate::providers::kycaid::model::extras::{merge, without_nulls, AFFILIATED_RULES};
use crate::providers::kycaid::model::{AffiliatedPerson, AffiliatedType, ApplicantType};
use crate::providers::kycaid::wire::{ack, affiliated_json};
use crate::providers::kycaid::Kycaid;

const PERSON_ID: &str = "affiliated_person_id";
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
