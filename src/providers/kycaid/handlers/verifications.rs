//! `/verifications`: create (submits the applicant's data for review), get, list, and the
//! reviewer's status change.

use actix_web::{web, HttpRequest};
use indexmap::IndexMap;
use serde_json::{json, Value};

use super::{path_id, query_value, Paging, Reply};
use crate::core::http::forced_scenario;
use crate::core::json_out::Rendered;
use crate::core::resource::{Call, Resource};
use crate::core::store::Store;
use crate::providers::kycaid::auth::Caller;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{read_input, rule, Checks, Kind, Rule};
use crate::providers::kycaid::model::applicant::APPLICANT_ID_RULE;
use crate::providers::kycaid::model::{
    Applicant, ApplicantType, Check, CheckResult, KycaidTenant, Verification, VerificationStatus,
};
use crate::providers::kycaid::review::SubmittedVia;
use crate::providers::kycaid::transitions::decision;
use crate::providers::kycaid::wire::{ack, ok, verification_json};
use crate::providers::kycaid::Kycaid;

impl Resource<Kycaid> for Verification {
    const KIND: &'static str = "Verification";
    const COLLECTION: &'static str = "verifications";
    const ID: &'static str = "verification_id";

    fn store(state: &KycaidTenant) -> &Store<Self> {
        &state.verifications
    }

    fn store_mut(state: &mut KycaidTenant) -> &mut Store<Self> {
        &mut state.verifications
    }

    fn render(_: &Call<Kycaid>, _: &KycaidTenant, verification: &Self) -> Rendered {
        verification_json(verification)
    }

    fn read_changes_nothing(_: &KycaidTenant, _: &str) -> bool {
        true
    }
}

const ID: &str = Verification::ID;
const CREATE_RULES: &[Rule] = &[
    rule("form_id", Kind::Id).labelled("Form ID"),
    rule("callback_url", Kind::Url),
    // Legacy `types` (the kycaid gem's DOCUMENT, FACIAL, ADDRESS, AML, FINANCIAL, VIDEO,
    // COMPANY): each names a check; unknown values are ignored rather than refused.
    rule("types", Kind::TextList),
];
const STATUS_RULE: Rule = rule("verification_status", Kind::Enum(&["approved", "declined"]));
const FLAG_RULES: &[Rule] = &[
    rule("callback_enabled", Kind::Bool),
    rule("project_owner_email_enabled", Kind::Bool),
    rule("applicant_email_enabled", Kind::Bool),
];

/// The checks a verification runs when the request does not name them: those the applicant's
/// data gives material for.
pub fn derived_checks(state: &KycaidTenant, applicant_id: &str) -> Vec<Check> {
    let Some(applicant) = state.applicants.get(applicant_id) else {
        return vec![Check::Profile];
    };
    let mut checks = vec![match applicant.kind {
        ApplicantType::Person => Check::Profile,
        ApplicantType::Company => Check::Company,
    }];
    for document in state.documents_of(applicant) {
        let check = document.kind.group().check();
        if !checks.contains(&check) {
            checks.push(check);
        }
    }
    if !applicant.address_ids.is_empty() && !checks.contains(&Check::Address) {
        checks.push(Check::Address);
    }
    checks
}

pub fn check_slots(checks: impl IntoIterator<Item = Check>) -> IndexMap<Check, CheckResult> {
    checks
        .into_iter()
        .map(|c| (c, CheckResult::default()))
        .collect()
}

pub async fn create(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    caller.pays()?;
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let head = checks.read(&input, &[APPLICANT_ID_RULE]);
    checks.require(&head, &APPLICANT_ID_RULE);
    let values = checks.read(&input, CREATE_RULES);
    checks.finish()?;
    let applicant_id = head["applicant_id"].as_str().unwrap_or_default().to_owned();
    let text = |name: &str| values.get(name).and_then(Value::as_str).map(str::to_owned);
    let (form_id, callback_url) = (text("form_id"), text("callback_url"));
    let named: Option<Vec<Check>> = values.get("types").and_then(Value::as_array).map(|types| {
        types
            .iter()
            .filter_map(|t| t.as_str().and_then(Check::from_legacy))
            .collect()
    });
    let forced = forced_scenario(&req);
    let now = kycaid.core.clock.now();
    kycaid.with_tenant(&caller, |state| {
        Applicant::find(state, &applicant_id)?;
        state.refuse_second_review(&applicant_id)?;
        let checks = match (named, &form_id) {
            (Some(named), _) if !named.is_empty() => named,
            (_, Some(form_id)) => kycaid.form_checks(state, form_id),
            _ => derived_checks(state, &applicant_id),
        };
        let mut verification = Verification {
            id: String::new(),
            applicant_id: Some(applicant_id.clone()),
            form_id,
            form_token: None,
            callback_url,
            status: VerificationStatus::Unused,
            verified: None,
            checks: check_slots(checks),
            documents: Vec::new(),
            created_at: now,
            completed_at: None,
            attempts_left: None,
            run: None,
        };
        let scenario =
            kycaid.choose_scenario(state, &verification, &applicant_id, forced.as_deref())?;
        if let Some(form_id) = &verification.form_id {
            kycaid.form(state, form_id);
        }
        let id = state.new_id();
        verification.id.clone_from(&id);
        state.verifications.insert(id.clone(), verification);
        if let Some(a) = state.applicants.get_mut(&applicant_id) {
            a.verification_ids.push(id.clone());
        }
        kycaid.submit(state, &id, scenario, SubmittedVia::Api);
        Ok(ack(ID, &id))
    })
}

/// Newest first; `applicant_id` narrows the list to one applicant's verifications.
pub async fn list(req: HttpRequest, caller: Caller, kycaid: web::Data<Kycaid>) -> Reply {
    let paging = Paging::from(&req)?;
    let applicant = query_value(&req, "applicant_id");
    if let Some(id) = &applicant {
        path_id(id, "applicant_id")?;
    }
    kycaid.with_tenant(&caller, |state| {
        let (data, total): (Vec<Rendered>, usize) = match &applicant {
            Some(id) => {
                let ids = &Applicant::find(state, id)?.verification_ids;
                let data = ids
                    .iter()
                    .rev()
                    .skip(paging.offset())
                    .take(paging.per_page)
                    .filter_map(|v| state.verifications.get(v))
                    .map(verification_json)
                    .collect();
                (data, ids.len())
            }
            None => {
                let page = state
                    .verifications
                    .page(paging.offset(), paging.per_page, true);
                (
                    page.items.into_iter().map(verification_json).collect(),
                    page.total,
                )
            }
        };
        Ok(paging.envelope(&data, total))
    })
}

/// `POST /verifications/{id}/status`: a reviewer approves or declines; `callback_enabled` sends
/// the callbacks.
pub async fn set_status(
    req: HttpRequest,
    mut payload: web::Payload,
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let id = path.into_inner();
    path_id(&id, ID)?;
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let status = checks.read(&input, &[STATUS_RULE]);
    checks.require(&status, &STATUS_RULE);
    let flags = checks.read(&input, FLAG_RULES);
    checks.finish()?;
    let to = status["verification_status"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let flag = |name: &str| flags.get(name).and_then(Value::as_bool).unwrap_or(false);
    let notify = flag("callback_enabled");
    let now = kycaid.core.clock.now();
    kycaid.with_tenant(&caller, |state| {
        let verification = Verification::find(state, &id)?;
        if verification.status == VerificationStatus::Unused {
            return Err(KycaidError::invalid(
                ID,
                "Verification has not been submitted yet (its form is not completed)",
            ));
        }
        let decided = decision(
            &to,
            &serde_json::Map::new(),
            verification.checks.keys().copied(),
        )
        .map_err(|e| KycaidError::invalid("verification_status", e))?;
        if !kycaid.decide(state, &id, &decided, now, notify) {
            return Err(KycaidError::invalid(
                "verification_status",
                "Verification is already completed; its decision is final",
            ));
        }
        Ok(ok(json!({
            "status": "ok",
            "data": {
                "verification_id": id,
                "verification_status": to,
                "callback_enabled": notify,
                "project_owner_email_enabled": flag("project_owner_email_enabled"),
                "applicant_email_enabled": flag("applicant_email_enabled"),
            }
        })))
    })
}
