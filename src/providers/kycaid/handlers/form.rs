//! `GET /form/{form_token}`: the hosted verification form a `POST /forms/{form_id}/urls` link
//! opens. No API token: the form token names the tenant. The page asks for what the form's checks
//! need (profile, identity document, selfie, address), prefilled from the link's applicant, and
//! posts everything at once to `POST /form/{form_token}/submit` (see `form_submit.rs`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::core::http::{escape_html, fill_hosted, mount_prefix, query_param, script_json};
use crate::core::{Sandbox, TenantId};
use crate::providers::kycaid::model::{Applicant, ApplicantType, Check, Form, FormLink};
use crate::providers::kycaid::{Kycaid, MOUNT};

const PAGE: &str = include_str!("form.html");

/// The identity documents the form offers when its configuration names none, in this order.
pub(super) const IDENTITY_TYPES: &[&str] = &[
    "PASSPORT",
    "GOVERNMENT_ID",
    "DRIVERS_LICENSE",
    "DOMESTIC_PASSPORT",
    "FOREIGN_CITIZEN_PASSPORT",
    "PERMANENT_RESIDENCE_PERMIT",
];

fn type_label(kind: &str) -> &'static str {
    match kind {
        "PASSPORT" => "Passport",
        "GOVERNMENT_ID" => "National ID card",
        "DRIVERS_LICENSE" => "Driver's license",
        "DOMESTIC_PASSPORT" => "Domestic passport",
        "FOREIGN_CITIZEN_PASSPORT" => "Foreign citizen passport",
        "PERMANENT_RESIDENCE_PERMIT" => "Residence permit",
        _ => "Identity document",
    }
}

/// The steps a form link shows.
#[derive(Debug, Clone, Copy)]
pub(super) struct Steps {
    pub profile: bool,
    pub document: bool,
    pub facial: bool,
    pub address: bool,
}

impl Steps {
    /// By the form's checks; a link without an applicant always asks for the person's name (a
    /// new applicant needs one), and a company applicant's profile is not a person's.
    pub fn of(form: &Form, applicant: Option<&Applicant>) -> Steps {
        let has = |check| form.checks.contains(&check);
        Steps {
            profile: match applicant {
                None => true,
                Some(a) => a.kind == ApplicantType::Person && has(Check::Profile),
            },
            document: has(Check::Document),
            facial: has(Check::Facial),
            address: has(Check::Address),
        }
    }
}

/// The identity document types the form accepts: those it is configured with, or all of them.
pub(super) fn document_types(form: &Form) -> Vec<&'static str> {
    let configured: Vec<&'static str> = IDENTITY_TYPES
        .iter()
        .copied()
        .filter(|t| form.document_types.iter().any(|d| d == t))
        .collect();
    if configured.is_empty() {
        IDENTITY_TYPES.to_vec()
    } else {
        configured
    }
}

/// The tenant a form token belongs to. Like an API call, opening or submitting the form fires
/// what fell due and tags the journal entry with the tenant.
pub(super) fn tenant_of(req: &HttpRequest, kycaid: &Kycaid, token: &str) -> Option<TenantId> {
    if let Some(sandbox) = req.app_data::<web::Data<Sandbox>>() {
        sandbox.fire_due();
    }
    let tenant = kycaid.form_tokens.read().get(token).cloned()?;
    req.extensions_mut().insert(tenant.clone());
    Some(tenant)
}

/// A page in KYCAID's hosted-form look, in language `lang`: `main` is trusted HTML, `config`
/// goes to the script.
fn html(status: StatusCode, lang: &str, title: &str, main: &str, config: &Value) -> HttpResponse {
    let body = fill_hosted(
        PAGE,
        &[
            ("lang", lang),
            ("title", &escape_html(title)),
            ("main", main),
            ("config", &script_json(config)),
        ],
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

/// A page with a message instead of the form (unknown link, form already completed).
fn message(
    status: StatusCode,
    lang: &str,
    title: &str,
    text: &str,
    link: Option<&str>,
) -> HttpResponse {
    let link = link.map_or_else(String::new, |url| {
        format!(
            "<p><a id=\"redirect\" class=\"button\" href=\"{}\">Return to the website</a></p>",
            escape_html(url)
        )
    });
    let main = format!(
        "<section class=\"card message\" id=\"message\" data-status=\"{code}\">\n\
         <h1>{title}</h1>\n<p>{text}</p>\n{link}</section>",
        code = status.as_u16(),
        title = escape_html(title),
        text = escape_html(text),
    );
    html(status, lang, title, &main, &json!({}))
}

/// The choices of a `<select>`.
#[derive(Debug, Clone, Copy)]
enum Options {
    /// The fixtures' countries, by ISO code.
    Countries,
    /// The identity documents the form accepts ([`document_types`]).
    DocumentTypes,
}

/// How a field is entered.
#[derive(Debug, Clone, Copy)]
enum Control {
    /// `<input type="{kind}">` with `attrs` (each with its leading space) added.
    Input {
        kind: &'static str,
        attrs: &'static str,
    },
    /// An image or PDF upload.
    File,
    /// A `<select>`, with a first empty option reading `blank` if there is one.
    Select {
        options: Options,
        blank: Option<&'static str>,
    },
}

/// One field of the form. `name` is the control's id and name, the multipart field the submit
/// reads and the `parameter` its errors name.
#[derive(Debug, Clone, Copy)]
struct FieldSpec {
    name: &'static str,
    label: &'static str,
    control: Control,
    hint: Option<&'static str>,
    required: bool,
    /// The applicant field the control starts with, on a link for an applicant.
    prefill: Option<&'static str>,
}

/// One step (fieldset) of the form, shown when the form's checks ask for it.
struct StepSpec {
    id: &'static str,
    title: &'static str,
    intro: &'static str,
    shown: fn(&Steps) -> bool,
    fields: &'static [FieldSpec],
}

/// A required `<input type="{kind}">` with `attrs` added.
const fn input(
    kind: &'static str,
    name: &'static str,
    label: &'static str,
    attrs: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        label,
        control: Control::Input { kind, attrs },
        hint: None,
        required: true,
        prefill: None,
    }
}

const fn text(name: &'static str, label: &'static str, attrs: &'static str) -> FieldSpec {
    input("text", name, label, attrs)
}

const fn file(name: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        label,
        control: Control::File,
        hint: None,
        required: true,
        prefill: None,
    }
}

const fn select(
    name: &'static str,
    label: &'static str,
    options: Options,
    blank: Option<&'static str>,
) -> FieldSpec {
    FieldSpec {
        name,
        label,
        control: Control::Select { options, blank },
        hint: None,
        required: true,
        prefill: None,
    }
}

impl FieldSpec {
    const fn hint(self, hint: &'static str) -> Self {
        FieldSpec {
            hint: Some(hint),
            ..self
        }
    }

    const fn optional(self) -> Self {
        FieldSpec {
            required: false,
            ..self
        }
    }

    const fn prefill(self, field: &'static str) -> Self {
        FieldSpec {
            prefill: Some(field),
            ..self
        }
    }
}

const COUNTRY_BLANK: Option<&str> = Some("Choose a country");

/// The form's steps in page order, with their fields.
const STEPS: &[StepSpec] = &[
    StepSpec {
        id: "profile",
        title: "Personal information",
        intro: "As written in your identity document.",
        shown: |steps| steps.profile,
        fields: &[
            text("first_name", "First name", " autocomplete=\"given-name\"").prefill("first_name"),
            text("last_name", "Last name", " autocomplete=\"family-name\"").prefill("last_name"),
            text(
                "dob",
                "Date of birth",
                " placeholder=\"YYYY-MM-DD\" inputmode=\"numeric\" autocomplete=\"bday\"",
            )
            .prefill("dob")
            .hint("Format: YYYY-MM-DD"),
            input("email", "email", "Email", " autocomplete=\"email\"")
                .optional()
                .prefill("email"),
            select(
                "residence_country",
                "Country of residence",
                Options::Countries,
                COUNTRY_BLANK,
            )
            .prefill("residence_country"),
        ],
    },
    StepSpec {
        id: "document",
        title: "Identity document",
        intro: "A clear photo or scan of the whole document (JPG, PNG or PDF).",
        shown: |steps| steps.document,
        fields: &[
            select(
                "document_type",
                "Document type",
                Options::DocumentTypes,
                None,
            ),
            text("document_number", "Document number", ""),
            file("front_side", "Front side"),
            file("back_side", "Back side (optional)")
                .optional()
                .hint("Needed for ID cards and driver's licenses with data on the back."),
        ],
    },
    StepSpec {
        id: "facial",
        title: "Selfie",
        intro: "A photo of your face, looking at the camera, in good light.",
        shown: |steps| steps.facial,
        fields: &[file("selfie", "Selfie")],
    },
    StepSpec {
        id: "address",
        title: "Residential address",
        intro: "Where you live now.",
        shown: |steps| steps.address,
        fields: &[
            select("country", "Country", Options::Countries, COUNTRY_BLANK)
                .prefill("residence_country"),
            text("city", "City", " autocomplete=\"address-level2\""),
            text(
                "postal_code",
                "Postal code",
                " autocomplete=\"postal-code\"",
            )
            .optional(),
            text(
                "full_address",
                "Full address",
                " autocomplete=\"street-address\"",
            )
            .hint("Street, house number, apartment."),
        ],
    },
];

/// What the fields of one page draw on: the choices of each select and the prefilled values.
struct Sources<'a> {
    countries: Vec<(&'a str, &'a str)>,
    document_types: Vec<(&'static str, &'static str)>,
    applicant: Option<&'a Applicant>,
}

impl Sources<'_> {
    fn options(&self, options: Options) -> &[(&str, &str)] {
        match options {
            Options::Countries => &self.countries,
            Options::DocumentTypes => &self.document_types,
        }
    }
}

/// A field as HTML: its label, its control, its hint and the (hidden) line its error goes to.
fn render_field(spec: &FieldSpec, sources: &Sources) -> String {
    let name = spec.name;
    let value = spec
        .prefill
        .and_then(|field| sources.applicant.and_then(|a| a.field(field)));
    let required = if spec.required { " required" } else { "" };
    let control = match spec.control {
        Control::Input { kind, attrs } => {
            let value =
                value.map_or_else(String::new, |v| format!(" value=\"{}\"", escape_html(v)));
            format!("<input type=\"{kind}\" id=\"{name}\" name=\"{name}\"{value}{required}{attrs}>")
        }
        Control::File => format!(
            "<input type=\"file\" id=\"{name}\" name=\"{name}\"{required} \
             accept=\"image/jpeg,image/png,application/pdf\">"
        ),
        Control::Select { options, blank } => {
            let mut out = format!("<select id=\"{name}\" name=\"{name}\"{required}>");
            if let Some(blank) = blank {
                out.push_str(&format!(
                    "<option value=\"\">{}</option>",
                    escape_html(blank)
                ));
            }
            for (option, label) in sources.options(options) {
                let chosen = if value == Some(*option) {
                    " selected"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "<option value=\"{}\"{chosen}>{}</option>",
                    escape_html(option),
                    escape_html(label)
                ));
            }
            out.push_str("</select>");
            out
        }
    };
    let hint = spec.hint.map_or_else(String::new, |h| {
        format!("<p class=\"hint\">{}</p>", escape_html(h))
    });
    format!(
        "<div class=\"field\">\n<label for=\"{name}\">{label}</label>\n{control}\n{hint}\
         <p class=\"field-error\" id=\"{name}-error\" data-error-for=\"{name}\" hidden></p>\n</div>\n",
        label = escape_html(spec.label),
    )
}

fn render_step(spec: &StepSpec, sources: &Sources) -> String {
    let fields: String = spec
        .fields
        .iter()
        .map(|field| render_field(field, sources))
        .collect();
    format!(
        "<fieldset class=\"card step\" id=\"step-{id}\" data-step=\"{id}\">\n<legend>{title}</legend>\n\
         <p class=\"intro\">{intro}</p>\n{fields}</fieldset>\n",
        id = spec.id,
        title = escape_html(spec.title),
        intro = escape_html(spec.intro),
    )
}

fn render(kycaid: &Kycaid, link: &FormLink, form: &Form, applicant: Option<&Applicant>) -> String {
    let steps = Steps::of(form, applicant);
    let sources = Sources {
        countries: kycaid
            .fixtures
            .countries
            .iter()
            .map(|c| (c.code.as_str(), c.name.as_str()))
            .collect(),
        document_types: document_types(form)
            .into_iter()
            .map(|t| (t, type_label(t)))
            .collect(),
        applicant,
    };
    let html: String = STEPS
        .iter()
        .filter(|spec| (spec.shown)(&steps))
        .map(|spec| render_step(spec, &sources))
        .collect();
    format!(
        "<section class=\"card\" id=\"intro\">\n<h1>Verify your identity</h1>\n\
         <p>{name}: fill in the steps below and submit. It takes a few minutes.</p>\n\
         <p class=\"meta\">Verification <code id=\"verification-id\">{verification}</code></p>\n</section>\n\
         <div id=\"errors\" class=\"card alert\" role=\"alert\" hidden></div>\n\
         <form id=\"kycaid-form\" method=\"post\" enctype=\"multipart/form-data\" novalidate>\n\
         {html}<div class=\"actions\"><button type=\"submit\" id=\"submit\">Submit</button></div>\n</form>\n\
         <section class=\"card\" id=\"done\" hidden>\n<h1>Thank you</h1>\n\
         <p>Your data was sent for verification. You can close this window.</p>\n</section>",
        name = escape_html(&form.name),
        verification = escape_html(&link.verification_id),
    )
}

pub async fn page(
    req: HttpRequest,
    path: web::Path<String>,
    kycaid: web::Data<Kycaid>,
) -> HttpResponse {
    let token = path.into_inner();
    // The mobile wrappers open `form_url?reactNative=1&lang=xx`: both are accepted; `lang` names
    // the page's language (its text stays English in the sandbox).
    let lang = query_param(&req, "lang")
        .filter(|l| {
            let (base, region) = l.split_once('-').unwrap_or((l, "AA"));
            base.len() == 2
                && region.len() == 2
                && base.bytes().all(|b| b.is_ascii_lowercase())
                && region.bytes().all(|b| b.is_ascii_uppercase())
        })
        .unwrap_or_else(|| "en".into());
    let opened = tenant_of(&req, &kycaid, &token).and_then(|tenant| {
        kycaid
            .with_existing(&tenant, |state| {
                let link = state.form_links.get(&token)?.clone();
                let form = kycaid.form(state, &link.form_id).clone();
                let applicant = link
                    .applicant_id
                    .as_deref()
                    .and_then(|id| state.applicants.get(id))
                    .cloned();
                Some((link, form, applicant))
            })
            .flatten()
    });
    match opened {
        None => message(
            StatusCode::NOT_FOUND,
            &lang,
            "Verification link not found",
            "This verification link is not valid (it may be mistyped, or the sandbox was reset). \
             Ask the website that sent you here for a new link.",
            None,
        ),
        Some((link, ..)) if link.submitted => message(
            StatusCode::GONE,
            &lang,
            "Form already completed",
            "This verification form was already completed. A verification link can be used \
             only once.",
            link.redirect_url.as_deref(),
        ),
        Some((link, form, applicant)) => html(
            StatusCode::OK,
            &lang,
            "Verify your identity",
            &render(&kycaid, &link, &form, applicant.as_ref()),
            &json!({
                "submitUrl": format!("{}/form/{token}/submit", mount_prefix(&req, MOUNT)),
                "redirectUrl": link.redirect_url,
            }),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_named_once() {
        let mut names: Vec<&str> = STEPS
            .iter()
            .flat_map(|step| step.fields.iter().map(|field| field.name))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }
}
