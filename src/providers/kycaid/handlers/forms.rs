//! `POST /forms/{form_id}/urls`: a one-time link to the hosted form, and the verification it
//! will submit.

use actix_web::{web, HttpRequest};
use serde_json::{json, Value};

use super::verifications::check_slots;
use super::{found, path_id, Reply};
use crate::providers::kycaid::auth::Caller;
use crate::providers::kycaid::input::{read_input, rule, text, Checks, Kind, Rule};
use crate::providers::kycaid::model::{
    Check, Form, FormLink, KycaidTenant, Verification, VerificationStatus,
};
use crate::providers::kycaid::wire::ok;
use crate::providers::kycaid::Kycaid;

const URL_RULES: &[Rule] = &[
    rule("applicant_id", Kind::Id).labelled("Applicant ID"),
    rule("external_applicant_id", Kind::Text { min: 0, max: 50 }),
    rule("redirect_url", Kind::Url),
    text("language_code", 2),
];

/// What a form nobody configured asks for.
const DEFAULT_CHECKS: &[Check] = &[Check::Profile, Check::Document, Check::Facial];

impl Kycaid {
    /// The form with this id: from the fixtures, or created with the default steps on first use
    /// (forms are configured in KYCAID's dashboard, so any well-formed id is accepted).
    pub(in crate::providers::kycaid) fn form<'a>(
        &self,
        state: &'a mut KycaidTenant,
        id: &str,
    ) -> &'a Form {
        if !state.forms.contains(id) {
            state.forms.insert(id.to_owned(), self.new_form(id));
        }
        &state.forms[id]
    }

    /// The checks the form runs, without registering it.
    pub(in crate::providers::kycaid) fn form_checks(
        &self,
        state: &KycaidTenant,
        id: &str,
    ) -> Vec<Check> {
        match state.forms.get(id) {
            Some(form) => form.checks.clone(),
            None => self.new_form(id).checks,
        }
    }

    fn new_form(&self, id: &str) -> Form {
        self.fixtures.form(id).cloned().unwrap_or_else(|| Form {
            id: id.to_owned(),
            name: "Default form".into(),
            checks: DEFAULT_CHECKS.to_vec(),
            document_types: Vec::new(),
            callback_url: None,
            redirect_url: None,
        })
    }
}

pub async fn create_url(
    req: HttpRequest,
    mut payload: web::Payload,
    path: web::Path<String>,
    caller: Caller,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let form_id = path.into_inner();
    path_id(&form_id, "form_id")?;
    caller.pays()?;
    let input = read_input(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let values = checks.read(&input, URL_RULES);
    checks.finish()?;
    let text = |name: &str| values.get(name).and_then(Value::as_str).map(str::to_owned);
    let applicant_id = text("applicant_id");
    let now = kycaid.core.clock.now();
    let reply = kycaid.with_tenant(&caller, |state| {
        if let Some(id) = &applicant_id {
            found(&state.applicants, id, "applicant_id", "Applicant")?;
        }
        let form = kycaid.form(state, &form_id);
        let form_checks = form.checks.clone();
        let redirect_url = text("redirect_url").or_else(|| form.redirect_url.clone());
        let verification_id = state.new_id();
        let token = state.new_id();
        state.verifications.insert(
            verification_id.clone(),
            Verification {
                id: verification_id.clone(),
                applicant_id: applicant_id.clone(),
                form_id: Some(form_id.clone()),
                form_token: Some(token.clone()),
                callback_url: None,
                status: VerificationStatus::Unused,
                verified: None,
                checks: check_slots(form_checks),
                documents: Vec::new(),
                created_at: now,
                completed_at: None,
                attempts_left: None,
                run: None,
            },
        );
        if let Some(a) = applicant_id
            .as_deref()
            .and_then(|id| state.applicants.get_mut(id))
        {
            a.verification_ids.push(verification_id.clone());
        }
        state.form_links.insert(
            token.clone(),
            FormLink {
                token: token.clone(),
                form_id: form_id.clone(),
                verification_id: verification_id.clone(),
                applicant_id: applicant_id.clone(),
                external_applicant_id: text("external_applicant_id"),
                redirect_url,
                submitted: false,
                created_at: now,
            },
        );
        Ok::<_, crate::providers::kycaid::errors::KycaidError>((verification_id, token))
    });
    let (verification_id, token) = reply?;
    kycaid
        .form_tokens
        .write()
        .insert(token.clone(), caller.tenant.clone());
    Ok(ok(json!({
        "form_id": form_id,
        "form_url": format!("{}/form/{token}", caller.origin),
        "verification_id": verification_id,
        "form_token": token,
        "verification_attempts_left": null,
    })))
}
