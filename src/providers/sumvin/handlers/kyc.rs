//! Status, details, applicant, access token and submission.

use std::sync::OnceLock;

use actix_web::{web, HttpRequest};
use serde_json::{json, Value};

use super::{kyc_links, personal_info, status_of, timestamps};
use crate::core::http::forced_scenario;
use crate::core::json_out::{self, Rendered};
use crate::providers::sumvin::auth::Caller;
use crate::providers::sumvin::errors::SumvinError;
use crate::providers::sumvin::fixtures::QUERY_LEVELS;
use crate::providers::sumvin::model::{DocumentType, KycStatus, StepType, SumvinTenant};
use crate::providers::sumvin::wire::{
    enum_issue, epoch_ms, link_fields, links, query_param, refresh_param, Hal, Timestamps,
};
use crate::providers::sumvin::Sumvin;

type Reply = Result<Hal, SumvinError>;

/// `GET /v0/kyc/status`, with timestamps as the request wants them.
pub fn status_body(state: &SumvinTenant, timestamps: Timestamps) -> Rendered {
    let kyc = state.kyc.as_ref();
    let has_passport = state.has_approved_passport();
    // The links never change; clients poll this call, so they are written once.
    static STATUS_LINKS: OnceLock<Rendered> = OnceLock::new();
    let status_links = STATUS_LINKS.get_or_init(|| {
        json_out::object(|o| {
            link_fields(
                o,
                &[
                    ("self", "/v0/kyc/status", "GET", "current KYC status"),
                    super::USER_LINK,
                    (
                        "refresh",
                        "/v0/kyc/status?refresh=true",
                        "GET",
                        "fetch the latest status from the verification provider",
                    ),
                    (
                        "details",
                        "/v0/kyc/details",
                        "GET",
                        "detailed KYC information",
                    ),
                    super::ACCESS_TOKEN_LINK,
                ],
            )
        })
    });
    json_out::object(|o| {
        o.raw("_links", status_links)
            .field("status", status_of(state).as_str())
            .field("applicant_id", &kyc.map(|k| k.applicant_id.as_str()))
            .null("global_id");
        timestamps.field(o, "verified_at", kyc.and_then(|k| k.verified_at));
        timestamps.field(o, "rejected_at", kyc.and_then(|k| k.rejected_at));
        o.field(
            "reject_reason",
            &kyc.and_then(|k| k.reject_reason.as_deref()),
        )
        .field("has_passport", &has_passport);
    })
}

pub async fn status(req: HttpRequest, caller: Caller, sumvin: web::Data<Sumvin>) -> Reply {
    let refresh = refresh_param(&req)?;
    let timestamps = Timestamps::of(&req);
    if let Some(body) = sumvin.kept_read(&caller, &req, |state| status_body(state, timestamps)) {
        return Ok(Hal::ok(body));
    }
    sumvin.with_tenant(&caller, |state| {
        if state.kyc.is_none() && refresh {
            return Err(SumvinError::NoApplicant);
        }
        sumvin.note_read(&caller.tenant, state);
        Ok(Hal::ok(status_body(state, timestamps)))
    })
}

pub async fn details(req: HttpRequest, caller: Caller, sumvin: web::Data<Sumvin>) -> Reply {
    refresh_param(&req)?;
    sumvin.with_tenant(&caller, |state| {
        if state.kyc.is_none() {
            return Err(SumvinError::NoApplicant);
        }
        sumvin.note_read(&caller.tenant, state);
        let kyc = state.kyc.as_ref().ok_or(SumvinError::NoApplicant)?;
        let (started_at, verified_at, rejected_at) = timestamps(state);
        let level_steps = sumvin.fixtures.steps(&kyc.level);
        let mut documents: Vec<Value> = Vec::new();
        let mut groups: Vec<(DocumentType, &str)> = Vec::new();
        for image in state.images().values() {
            let key = (image.document_type, image.country.as_str());
            match groups.iter().position(|g| *g == key) {
                Some(i) => {
                    if let Some(ids) = documents[i]["image_ids"].as_array_mut() {
                        ids.push(json!(image.image_id));
                    }
                    documents[i]["status"] = json!(image.status);
                }
                None => {
                    groups.push(key);
                    documents.push(json!({
                        "document_type": image.document_type.as_str(),
                        "country": image.country,
                        "status": image.status,
                        "submitted_at": epoch_ms(image.added_at),
                        "image_ids": [image.image_id],
                    }));
                }
            }
        }
        let complete = level_steps.iter().all(|s| state.has_documents_for(*s));
        Ok(Hal::ok(json!({
            "_links": kyc_links("/v0/kyc/details"),
            "status": kyc.status.as_str(),
            "verified_at": verified_at,
            "rejected_at": rejected_at,
            "started_at": started_at,
            "personal_info": personal_info(state),
            "documents": documents,
            "verification_complete": complete,
            "verification_passed": kyc.status == KycStatus::Approved,
            "rejection": kyc.rejection,
        })))
    })
}

fn applicant_body(state: &SumvinTenant, already_existed: bool) -> Value {
    json!({
        "_links": links(&[
            ("self", "/v0/kyc/applicant", "POST", "create the KYC applicant (idempotent)"),
            ("status", "/v0/kyc/status", "GET", "current KYC status"),
            ("upload", "/v0/kyc/documents", "POST", "upload a document image"),
            ("required", "/v0/kyc/documents/required", "GET", "which document steps still need an upload"),
            ("access-token", "/v0/kyc/access-token", "POST", "generate a Sumsub SDK token"),
        ]),
        "applicant_id": state.kyc.as_ref().map(|k| k.applicant_id.as_str()),
        "user_id": state.user_id,
        "already_existed": already_existed,
    })
}

pub async fn create_applicant(caller: Caller, sumvin: web::Data<Sumvin>) -> Reply {
    let now = sumvin.now();
    Ok(sumvin.with_tenant(&caller, |state| {
        let existed = state.ensure_kyc(&sumvin.fixtures.default_level, now);
        let body = applicant_body(state, existed);
        if existed {
            Hal::ok(body)
        } else {
            Hal::created(body)
        }
    }))
}

pub async fn access_token(req: HttpRequest, caller: Caller, sumvin: web::Data<Sumvin>) -> Reply {
    let level = match query_param(&req, "level") {
        None => None,
        Some(level) if QUERY_LEVELS.contains(&level.as_str()) => Some(level),
        Some(other) => {
            return Err(SumvinError::Validation(vec![enum_issue(
                "query",
                "level",
                QUERY_LEVELS,
                json!(other),
            )]))
        }
    };
    let now = sumvin.now();
    let ttl = sumvin.fixtures.access_token_ttl;
    Ok(sumvin.with_tenant(&caller, |state| {
        let level = level.unwrap_or_else(|| sumvin.fixtures.default_level.clone());
        state.ensure_kyc(&level, now);
        let nothing_uploaded = state.images().is_empty();
        if let Some(kyc) = state
            .kyc
            .as_mut()
            .filter(|k| k.status == KycStatus::Pending && nothing_uploaded)
        {
            kyc.level = level;
        }
        state.access_tokens_issued += 1;
        let token = format!("_act-sbx-{}", state.rng.uuid_v4());
        Hal::ok(json!({
            "_links": links(&[
                ("self", "/v0/kyc/access-token", "POST", "generate a new Sumsub SDK token"),
                ("status", "/v0/kyc/status", "GET", "current KYC status"),
            ]),
            "access_token": token,
            "expires_in": ttl,
            "user_id": state.user_id,
        }))
    }))
}

pub async fn submit(req: HttpRequest, caller: Caller, sumvin: web::Data<Sumvin>) -> Reply {
    let forced = forced_scenario(&req);
    sumvin.check_forced_scenario(forced.as_deref())?;
    let now = sumvin.now();
    sumvin.with_tenant(&caller, |state| {
        let kyc = state.kyc.as_ref().ok_or(SumvinError::NoApplicant)?;
        match kyc.status {
            KycStatus::Approved => return Err(SumvinError::AlreadyApproved),
            KycStatus::Rejected => return Err(SumvinError::RejectedFinal),
            KycStatus::InProgress => {}
            KycStatus::Pending | KycStatus::Retry => {
                let missing: Vec<&str> = sumvin
                    .fixtures
                    .steps(&kyc.level)
                    .iter()
                    .filter(|s| !state.has_documents_for(**s))
                    .map(|s: &StepType| s.as_str())
                    .collect();
                if !missing.is_empty() {
                    return Err(SumvinError::DocumentsMissing(missing.join(", ")));
                }
                let scenario = sumvin.choose_scenario(state, None, forced.as_deref())?;
                sumvin.start_review(&caller.tenant, state, scenario, now);
            }
        }
        let kyc = state.kyc.as_ref().ok_or(SumvinError::NoApplicant)?;
        Ok(Hal::ok(json!({
            "_links": links(&[
                ("self", "/v0/kyc/submit", "POST", "submit the documents for review"),
                ("status", "/v0/kyc/status", "GET", "poll the verification outcome"),
            ]),
            "status": kyc.status.as_str(),
            "applicant_id": kyc.applicant_id,
        })))
    })
}
