//! Document images: multipart upload, list, required steps, download.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use compact_str::CompactString;
use serde_json::{json, Value};

use crate::core::http::{
    body_limit, content_disposition, forced_scenario, media_type, parse_multipart, read_body, Part,
};
use crate::core::json_out::{self, Rendered};
use crate::providers::sumvin::auth::Caller;
use crate::providers::sumvin::errors::{Issue, SumvinError};
use crate::providers::sumvin::model::{DocumentStatus, DocumentType, Image, KycStatus, Side};
use crate::providers::sumvin::wire::{enum_issue, epoch_ms, link_fields, links, Hal};
use crate::providers::sumvin::Sumvin;

/// The form fields of an upload, each parsed into its domain type.
struct UploadForm {
    document_type: DocumentType,
    country: CompactString,
    side: Option<Side>,
    file_name: Option<CompactString>,
    data: web::Bytes,
}

fn text_field<'a>(parts: &'a [Part], name: &str) -> Option<&'a Part> {
    parts.iter().rev().find(|p| p.name == name)
}

/// Validates like FastAPI would: every problem reported at once, in field order.
fn parse_form(parts: &[Part]) -> Result<UploadForm, SumvinError> {
    let mut issues = Vec::new();
    let text = |name: &str| {
        text_field(parts, name).map(|p| CompactString::from(p.text().unwrap_or_default()))
    };

    let document_type = match text("document_type") {
        None => {
            issues.push(Issue::missing("body", "document_type"));
            None
        }
        Some(raw) => DocumentType::parse(&raw).or_else(|| {
            issues.push(enum_issue(
                "body",
                "document_type",
                DocumentType::NAMES,
                json!(raw),
            ));
            None
        }),
    };
    let country = match text("country") {
        None => {
            issues.push(Issue::missing("body", "country"));
            None
        }
        Some(raw) => country_issue(&raw).map_or(Some(raw), |issue| {
            issues.push(issue);
            None
        }),
    };
    let side = match text("side").filter(|s| !s.is_empty() && s != "null") {
        None => None,
        Some(raw) => Side::parse(&raw).or_else(|| {
            issues.push(enum_issue("body", "side", Side::NAMES, json!(raw)));
            None
        }),
    };
    let file = match text_field(parts, "file") {
        None => {
            issues.push(Issue::missing("body", "file"));
            None
        }
        Some(part) if part.file_name.is_none() => {
            issues.push(Issue::new(
                "value_error",
                "body",
                "file",
                "Value error, Expected UploadFile, received: <class 'str'>",
                json!(part.text().unwrap_or_default()),
            ));
            None
        }
        Some(part) => Some(part),
    };
    match (document_type, country, file) {
        (Some(document_type), Some(country), Some(file)) if issues.is_empty() => Ok(UploadForm {
            document_type,
            country,
            side,
            file_name: file.file_name.clone(),
            data: file.data.clone(),
        }),
        _ => Err(SumvinError::Validation(issues)),
    }
}

/// `country`: exactly three characters matching `^[A-Z]{3}$`, checked in pydantic's order.
fn country_issue(raw: &str) -> Option<Issue> {
    let len = raw.chars().count();
    if len < 3 {
        return Some(
            Issue::new(
                "string_too_short",
                "body",
                "country",
                "String should have at least 3 characters",
                json!(raw),
            )
            .with_ctx(json!({"min_length": 3})),
        );
    }
    if len > 3 {
        return Some(
            Issue::new(
                "string_too_long",
                "body",
                "country",
                "String should have at most 3 characters",
                json!(raw),
            )
            .with_ctx(json!({"max_length": 3})),
        );
    }
    if !raw.chars().all(|c| c.is_ascii_uppercase()) {
        return Some(
            Issue::new(
                "string_pattern_mismatch",
                "body",
                "country",
                "String should match pattern '^[A-Z]{3}$'",
                json!(raw),
            )
            .with_ctx(json!({"pattern": "^[A-Z]{3}$"})),
        );
    }
    None
}

/// The file's real type from its first bytes; the declared content type is not trusted.
fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if data.len() > 12
        && &data[4..8] == b"ftyp"
        && matches!(&data[8..12], b"heic" | b"heix" | b"mif1")
    {
        Some("image/heic")
    } else {
        None
    }
}

/// The links of an upload's answer after `self`, the same for every upload: rendered once.
fn upload_links() -> &'static [(&'static str, Rendered); 3] {
    static LINKS: OnceLock<[(&str, Rendered); 3]> = OnceLock::new();
    LINKS.get_or_init(|| {
        let link = |href, description| {
            json_out::object(|o| {
                o.field("href", href)
                    .field("method", "GET")
                    .field("templated", &false)
                    .field("description", description);
            })
        };
        [
            (
                "documents",
                link("/v0/kyc/documents", "every uploaded image"),
            ),
            (
                "required",
                link(
                    "/v0/kyc/documents/required",
                    "which document steps still need an upload",
                ),
            ),
            ("status", link("/v0/kyc/status", "current KYC status")),
        ]
    })
}

pub async fn upload(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    sumvin: web::Data<Sumvin>,
) -> Result<Hal, SumvinError> {
    let body = read_body(&req, &mut payload, body_limit(&req)).await?;
    let parts = if media_type(&req).as_deref() == Some("multipart/form-data") {
        parse_multipart(&req, body).map_err(|e| SumvinError::MalformedUpload(e.to_string()))?
    } else {
        Vec::new()
    };
    let form = parse_form(&parts)?;
    if form.data.is_empty() {
        return Err(SumvinError::EmptyFile);
    }
    let content_type = sniff(&form.data).ok_or_else(|| {
        SumvinError::UnsupportedFile(
            form.file_name
                .as_ref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
        )
    })?;
    let size = imagesize::blob_size(&form.data).ok();
    let data = sumvin.core.storage.store(&caller.tenant, form.data)?;
    let forced = forced_scenario(&req);
    sumvin.check_forced_scenario(forced.as_deref())?;
    let now = sumvin.now();

    sumvin.with_tenant(&caller, |state| {
        let kyc = state.kyc.as_ref().ok_or(SumvinError::NoApplicant)?;
        let status = kyc.status;
        match status {
            KycStatus::InProgress => return Err(SumvinError::UnderReview),
            KycStatus::Approved => return Err(SumvinError::AlreadyApproved),
            KycStatus::Rejected => return Err(SumvinError::RejectedFinal),
            KycStatus::Pending | KycStatus::Retry => {}
        }
        let level_steps = sumvin.fixtures.steps(&kyc.level);
        let image = Image {
            image_id: state.rng.digits(10),
            document_type: form.document_type,
            country: form.country,
            side: form.side,
            added_at: now,
            status: DocumentStatus::Pending,
            round: state.collecting_round(),
            file_name: form.file_name,
            content_type,
            width: size.map(|s| s.width as u32),
            height: size.map(|s| s.height as u32),
            data,
        };
        let completes_submission = level_steps
            .iter()
            .all(|s| *s == image.document_type.step() || state.has_documents_for(*s));
        let scenario = if completes_submission {
            Some(sumvin.choose_scenario(state, Some(&image), forced.as_deref())?)
        } else {
            None
        };
        let self_href = format!("/v0/kyc/documents/{}", image.image_id);
        let body = json_out::object(|o| {
            o.object("_links", |o| {
                link_fields(o, &[("self", &self_href, "GET", "the uploaded image")]);
                for (rel, link) in upload_links() {
                    o.raw(rel, link);
                }
            })
            .field("document_type", image.document_type.as_str())
            .field("country", &image.country)
            .field("side", &image.side.map(Side::as_str))
            .field("image_id", &image.image_id);
        });
        state.add_image(image);
        if let Some(scenario) = scenario {
            sumvin.start_review(&caller.tenant, state, scenario, now);
        }
        Ok(Hal::created(body))
    })
}

pub async fn list(caller: Caller, sumvin: web::Data<Sumvin>) -> Result<Hal, SumvinError> {
    sumvin.with_tenant(&caller, |state| {
        state.kyc.as_ref().ok_or(SumvinError::NoApplicant)?;
        let documents: Vec<Value> = state
            .images()
            .values()
            .map(|i| {
                json!({
                    "image_id": i.image_id,
                    "document_type": i.document_type.as_str(),
                    "document_sub_type": i.side.map(Side::as_str),
                    "country": i.country,
                    "added_at": epoch_ms(i.added_at),
                    "file_metadata": {
                        "file_name": i.file_name,
                        "file_type": i.content_type,
                        "file_size": i.data.len(),
                        "width": i.width,
                        "height": i.height,
                    },
                })
            })
            .collect();
        Ok(Hal::ok(json!({
            "_links": links(&[
                ("self", "/v0/kyc/documents", "GET", "every uploaded image"),
                ("image", "/v0/kyc/documents/{image_id}", "GET", "one image's bytes"),
                ("upload", "/v0/kyc/documents", "POST", "upload a document image"),
            ]),
            "total_count": documents.len(),
            "documents": documents,
        })))
    })
}

pub async fn required(caller: Caller, sumvin: web::Data<Sumvin>) -> Result<Hal, SumvinError> {
    sumvin.with_tenant(&caller, |state| {
        let kyc = state.kyc.as_ref().ok_or(SumvinError::NoApplicant)?;
        let steps: Vec<Value> = sumvin
            .fixtures
            .steps(&kyc.level)
            .iter()
            .map(|step| {
                let review = kyc.reviews.get(step);
                json!({
                    "step_type": step.as_str(),
                    "has_documents": state.has_documents_for(*step),
                    "review_answer": review.map(|r| r.answer),
                    "moderation_comment": review.and_then(|r| r.comment.as_deref()),
                })
            })
            .collect();
        let all_uploaded = steps.iter().all(|s| s["has_documents"] == true);
        Ok(Hal::ok(json!({
            "_links": links(&[
                ("self", "/v0/kyc/documents/required", "GET", "which document steps still need an upload"),
                ("upload", "/v0/kyc/documents", "POST", "upload a document image"),
                ("status", "/v0/kyc/status", "GET", "current KYC status"),
            ]),
            "steps": steps,
            "all_uploaded": all_uploaded,
        })))
    })
}

pub async fn image(
    path: web::Path<String>,
    caller: Caller,
    sumvin: web::Data<Sumvin>,
) -> Result<HttpResponse, SumvinError> {
    let image_id = path.into_inner();
    sumvin.with_tenant(&caller, |state| {
        let image = state
            .images()
            .get(&image_id)
            .ok_or_else(|| SumvinError::ImageNotFound(image_id.clone()))?;
        let file_name = image
            .file_name
            .clone()
            .unwrap_or_else(|| image.image_id.clone());
        Ok(HttpResponse::Ok()
            .content_type(image.content_type)
            .insert_header((
                header::CONTENT_DISPOSITION,
                content_disposition("inline", &file_name),
            ))
            .body(image.data.bytes()))
    })
}
