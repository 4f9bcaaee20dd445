//! `POST /form/{form_token}/submit` (multipart/form-data): what the hosted form page sends. Every
//! step is checked with the API's own rules first (all problems in one 422 envelope, by the page's
//! field names); then the applicant, its files, documents and address are written through the
//! same functions as `/applicants`, `/files`, `/documents` and `/addresses`, and the link's
//! verification is submitted for review as `POST /verifications` does. A link submits once.

use std::collections::HashMap;

use actix_web::{web, HttpRequest};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::addresses::insert_address;
use super::applicants::{insert_applicant, profile, require, update_applicant};
use super::documents::{insert_document, new_document_values};
use super::files::{insert_file, read_parts, Upload};
use super::form::{document_types, tenant_of, Steps, IDENTITY_TYPES};
use super::{found, Reply};
use crate::core::fields::Fields;
use crate::core::http::{forced_scenario, Part};
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{rule, Checks, Input, Kind, Rule};
use crate::providers::kycaid::model::extras::ADDRESS_RULES;
use crate::providers::kycaid::model::{AddressType, ApplicantType, DocumentType, KycaidTenant};
use crate::providers::kycaid::review::SubmittedVia;
use crate::providers::kycaid::wire::ok;
use crate::providers::kycaid::Kycaid;

/// The profile fields the page asks for, and those it needs.
const PROFILE_FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "dob",
    "email",
    "residence_country",
];
const PROFILE_REQUIRED: &[&str] = &["first_name", "last_name", "dob", "residence_country"];
const DOCUMENT_TYPE: Rule =
    rule("document_type", Kind::Enum(IDENTITY_TYPES)).labelled("Document type");
const DOCUMENT_FIELDS: &[&str] = &["document_number"];
const ADDRESS_FIELDS: &[&str] = &["country", "city", "postal_code", "full_address"];
const ADDRESS_REQUIRED: &[&str] = &["country", "city", "full_address"];

/// The form's text fields (read like a urlencoded API body) and its pictures by field name.
struct Submission {
    input: Input,
    files: HashMap<String, Part>,
}

fn split(parts: Vec<Part>) -> Submission {
    let mut fields = Fields::new();
    let mut files = HashMap::new();
    for part in parts {
        match &part.file_name {
            // An empty file input still sends its part, nameless and empty.
            Some(name) if name.is_empty() && part.data.is_empty() => {}
            Some(_) => {
                files.insert(String::from(&*part.name), part);
            }
            None => {
                let text = String::from_utf8_lossy(&part.data).into_owned();
                fields.insert(String::from(&*part.name), Value::String(text));
            }
        }
    }
    Submission {
        input: Input {
            fields,
            from_form: true,
        },
        files,
    }
}

/// Only the named fields of `input`, so a step's rules see nothing of another step.
fn pick(input: &Input, names: &[&str]) -> Input {
    Input {
        fields: input
            .fields
            .iter()
            .filter(|(k, _)| names.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        from_form: true,
    }
}

/// Requires `names` among `values`, labelled by their rules.
fn require_all<'a>(
    checks: &mut Checks,
    values: &Map<String, Value>,
    rules: impl IntoIterator<Item = &'a Rule>,
    names: &[&str],
) {
    for rule in rules.into_iter().filter(|r| names.contains(&r.name)) {
        checks.require(values, rule);
    }
}

/// The picture in field `name`, checked like a `POST /files` upload; problems are reported under
/// the field's name.
fn picture(
    checks: &mut Checks,
    files: &mut HashMap<String, Part>,
    name: &str,
    label: &str,
    required: bool,
) -> Option<Upload> {
    let Some(part) = files.remove(name) else {
        if required {
            checks.fail(name, format!("{label} is required"));
        }
        return None;
    };
    match Upload::check(part.file_name.as_deref(), part.data) {
        Ok(upload) => Some(upload),
        Err(KycaidError::Validation(errors)) => {
            for e in errors {
                checks.fail(name, format!("{label}: {}", e.message));
            }
            None
        }
        Err(e) => {
            checks.fail(name, format!("{label}: {e}"));
            None
        }
    }
}

/// The identity document step, checked: type, data fields and pictures.
struct IdentityDocument {
    kind: DocumentType,
    values: Map<String, Value>,
    front: Upload,
    back: Option<Upload>,
}

impl Kycaid {
    fn submit_form(
        &self,
        state: &mut KycaidTenant,
        token: &str,
        mut submission: Submission,
        forced: Option<&str>,
        now: DateTime<Utc>,
    ) -> Reply {
        let link = found(&state.form_links, token, "form_token", "Form")?.clone();
        if link.submitted {
            return Err(KycaidError::invalid(
                "form_token",
                "Form was already submitted; a verification link can be used only once",
            ));
        }
        let verification_id = link.verification_id.clone();
        let verification = found(
            &state.verifications,
            &verification_id,
            "verification_id",
            "Verification",
        )?
        .clone();
        let applicant = match &link.applicant_id {
            Some(id) => Some(found(&state.applicants, id, "applicant_id", "Applicant")?.clone()),
            None => None,
        };
        if let Some(applicant) = &applicant {
            state.refuse_second_review(&applicant.id)?;
        }
        let form = self.form(state, &link.form_id).clone();
        let steps = Steps::of(&form, applicant.as_ref());
        let input = &submission.input;
        let files = &mut submission.files;
        let mut checks = Checks::default();

        let profile_values = steps.profile.then(|| {
            let kind = applicant.as_ref().map_or(ApplicantType::Person, |a| a.kind);
            let mut picked = pick(input, PROFILE_FIELDS);
            let values = profile(self, kind, &mut picked, &mut checks);
            let current = applicant
                .as_ref()
                .map(|a| a.fields.clone())
                .unwrap_or_default();
            require(kind, &current, &values, &mut checks);
            require_all(&mut checks, &values, kind.rules(), PROFILE_REQUIRED);
            values
        });

        let mut document = if steps.document {
            let head = checks.read(input, &[DOCUMENT_TYPE]);
            checks.require(&head, &DOCUMENT_TYPE);
            let accepted = document_types(&form);
            let kind = head
                .get("document_type")
                .and_then(Value::as_str)
                .filter(|t| {
                    let ok = accepted.contains(t);
                    if !ok {
                        checks.fail(
                            "document_type",
                            "Document type is not accepted by this form",
                        );
                    }
                    ok
                })
                .and_then(DocumentType::parse);
            let values = kind.map(|kind| {
                let values = new_document_values(&pick(input, DOCUMENT_FIELDS), kind, &mut checks);
                require_all(&mut checks, &values, kind.rules(), DOCUMENT_FIELDS);
                values
            });
            let front = picture(&mut checks, files, "front_side", "Front side", true);
            let back = picture(&mut checks, files, "back_side", "Back side", false);
            match (kind, values, front) {
                (Some(kind), Some(values), Some(front)) => Some(IdentityDocument {
                    kind,
                    values,
                    front,
                    back,
                }),
                _ => None,
            }
        } else {
            None
        };

        let mut selfie = if steps.facial {
            picture(&mut checks, files, "selfie", "Selfie", true)
        } else {
            None
        };

        let address = steps.address.then(|| {
            let values = checks.read(&pick(input, ADDRESS_FIELDS), ADDRESS_RULES);
            self.check_countries(ADDRESS_RULES, &values, &mut checks);
            require_all(&mut checks, &values, ADDRESS_RULES, ADDRESS_REQUIRED);
            values
        });
        checks.finish()?;
        // A forced scenario is checked before anything is written; otherwise the scenario is
        // chosen by the data just submitted (which cannot fail).
        let early = forced
            .map(|name| self.choose_scenario(state, &verification, "", Some(name)))
            .transpose()?;
        // The pictures are kept (and counted against the storage limits) before anything is
        // written, so a full store leaves no half-submitted form behind.
        let mut pictures: Vec<&mut Upload> = Vec::new();
        if let Some(doc) = document.as_mut() {
            pictures.push(&mut doc.front);
            pictures.extend(doc.back.as_mut());
        }
        pictures.extend(selfie.as_mut());
        for picture in pictures {
            self.core.storage.keep(&state.tenant, &mut picture.data)?;
        }

        let applicant_id = match &applicant {
            Some(a) => {
                if let Some(values) = profile_values.filter(|v| !v.is_empty()) {
                    update_applicant(state, &a.id, values)?;
                }
                a.id.clone()
            }
            None => {
                let mut values = profile_values.unwrap_or_default();
                if let Some(external) = &link.external_applicant_id {
                    values.insert("external_applicant_id".into(), json!(external));
                }
                let id = insert_applicant(state, ApplicantType::Person, values, now);
                if let Some(v) = state.verifications.get_mut(&verification_id) {
                    v.applicant_id = Some(id.clone());
                }
                if let Some(a) = state.applicants.get_mut(&id) {
                    a.verification_ids.push(verification_id.clone());
                }
                id
            }
        };
        if let Some(IdentityDocument {
            kind,
            mut values,
            front,
            back,
        }) = document
        {
            let front = insert_file(state, front, now);
            values.insert("front_side_id".into(), json!(front));
            if let Some(back) = back {
                let back = insert_file(state, back, now);
                values.insert("back_side_id".into(), json!(back));
            }
            insert_document(state, &applicant_id, kind, values, now)?;
        }
        if let Some(selfie) = selfie {
            let file = insert_file(state, selfie, now);
            let mut values = Map::new();
            values.insert("front_side_id".into(), json!(file));
            insert_document(state, &applicant_id, DocumentType::SelfieImage, values, now)?;
        }
        if let Some(values) = address {
            insert_address(state, &applicant_id, AddressType::Registered, values, now)?;
        }

        let scenario = match early {
            Some(scenario) => scenario,
            None => self.choose_scenario(state, &verification, &applicant_id, None)?,
        };
        if let Some(link) = state.form_links.get_mut(token) {
            link.submitted = true;
        }
        self.submit(state, &verification_id, scenario, SubmittedVia::HostedForm);
        Ok(ok(json!({
            "verification_id": verification_id,
            "applicant_id": applicant_id,
            "redirect_url": link.redirect_url,
        })))
    }
}

pub async fn submit(
    req: HttpRequest,
    mut payload: web::Payload,
    path: web::Path<String>,
    kycaid: web::Data<Kycaid>,
) -> Reply {
    let token = path.into_inner();
    let not_found = || KycaidError::not_found("form_token", "Form");
    let tenant = tenant_of(&req, &kycaid, &token).ok_or_else(not_found)?;
    let submission = split(read_parts(&req, &mut payload).await?);
    let forced = forced_scenario(&req);
    let now = kycaid.core.clock.now();
    kycaid
        .with_existing(&tenant, |state| {
            kycaid.submit_form(state, &token, submission, forced.as_deref(), now)
        })
        .ok_or_else(not_found)?
}
