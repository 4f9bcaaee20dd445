//! Verification sessions (CLI → browser hand-off) and Sumsub ID Connect share tokens.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde_json::{json, Map, Value};

use crate::core::http::{
    base_url, body_limit, decode_json, escape_html, fill_hosted, header_str, mount_prefix,
    read_body, script_json, JsonError,
};
use crate::providers::sumvin::auth::{Caller, CredentialKind};
use crate::providers::sumvin::errors::{Issue, SumvinError};
use crate::providers::sumvin::model::{KycStatus, Session, ShareToken, SumvinTenant};
use crate::providers::sumvin::wire::{enum_issue, epoch_ms, links, query_param, Hal};
use crate::providers::sumvin::{Sumvin, TicketState};

pub async fn mint(
    req: HttpRequest,
    caller: Caller,
    sumvin: web::Data<Sumvin>,
) -> Result<Hal, SumvinError> {
    if caller.kind != CredentialKind::Pat {
        return Err(SumvinError::PatRequired);
    }
    let now = sumvin.now();
    let expires_at = now + Duration::seconds(i64::from(sumvin.fixtures.session_ttl));
    let ticket = sumvin.with_tenant(&caller, |state| {
        if state
            .kyc
            .as_ref()
            .is_some_and(|k| k.status == KycStatus::Approved)
        {
            return Err(SumvinError::AlreadyApproved);
        }
        let ticket = state.rng.secret(43);
        let session = Session {
            session_id: format!("kycs-{}", state.rng.hex(8)),
            origin: "cli",
            created_at: now,
            expires_at,
            redeemed_at: None,
            redeemed_by: None,
            idempotency_key: None,
            access_token: None,
        };
        state.sessions.insert(ticket.clone(), session);
        Ok(ticket)
    })?;
    sumvin
        .tickets
        .write()
        .insert(ticket.clone(), caller.tenant.clone());
    Ok(Hal::created(json!({
        "_links": links(&[
            ("self", "/v0/kyc/sessions", "POST", "start a verification session"),
            ("redemption", "/v0/kyc/sessions/redemption", "POST", "exchange this session's ticket for a verification token"),
            ("status", "/v0/kyc/status", "GET", "poll the verification outcome"),
        ]),
        "ticket": ticket,
        "url": format!(
            "{}{}/cli/kyc?ticket={ticket}",
            base_url(&req),
            mount_prefix(&req, crate::providers::sumvin::MOUNT)
        ),
        "expires_at": epoch_ms(expires_at),
    })))
}

fn redemption_body(state: &SumvinTenant, session: &Session, level: &str, ttl: u32) -> Value {
    json!({
        "_links": links(&[
            ("self", "/v0/kyc/sessions/redemption", "POST", "redeem a verification session"),
            ("applicant", "/v0/kyc/applicant", "POST", "create the verification applicant before capture"),
            ("status", "/v0/kyc/status", "GET", "poll the verification outcome"),
        ]),
        "access_token": session.access_token,
        "expires_in": ttl,
        "user_id": state.user_id,
        "level_name": level,
        "session_id": session.session_id,
        "origin": session.origin,
    })
}

/// Redeems a ticket as the signed-in user. A browser credential with no state of its own is bound
/// to the user who minted the session (it is that user signing in); one that already has its own
/// state is someone else and is refused without spending the ticket.
pub async fn redeem(
    req: HttpRequest,
    caller: Caller,
    sumvin: web::Data<Sumvin>,
) -> Result<Hal, SumvinError> {
    if caller.kind != CredentialKind::Jwt {
        return Err(SumvinError::JwtRequired);
    }
    let ticket = header_str(&req, "x-sumvin-kyc-ticket").ok_or(SumvinError::TicketMissing)?;
    let idempotency_key = header_str(&req, "idempotency-key").map(str::to_owned);
    let owner = sumvin
        .tickets
        .read()
        .get(ticket)
        .cloned()
        .ok_or(SumvinError::TicketUnknown)?;
    let mut caller = caller;
    if owner != caller.tenant {
        let own_state_is_empty = sumvin
            .tenants
            .get(&caller.tenant)
            .is_none_or(|slot| slot.state.lock().is_untouched());
        if !own_state_is_empty {
            return Err(SumvinError::TicketForeign);
        }
        caller.tenant = owner.clone();
    }
    let now = sumvin.now();
    let ttl = sumvin.fixtures.access_token_ttl;
    let body = sumvin.with_tenant(&caller, |state| {
        let level = state
            .kyc
            .as_ref()
            .map_or(sumvin.fixtures.default_level.clone(), |k| k.level.clone());
        let token = format!("_act-sbx-{}", state.rng.uuid_v4());
        let session = state
            .sessions
            .get_mut(ticket)
            .ok_or(SumvinError::TicketUnknown)?;
        if session.redeemed_at.is_some() {
            let same_retry = idempotency_key.is_some()
                && session.idempotency_key == idempotency_key
                && session.redeemed_by.as_ref() == Some(&caller.own_tenant);
            if !same_retry {
                return Err(SumvinError::TicketSpent);
            }
        } else {
            if now > session.expires_at {
                return Err(SumvinError::TicketExpired);
            }
            session.redeemed_at = Some(now);
            session.redeemed_by = Some(caller.own_tenant.clone());
            session.idempotency_key = idempotency_key.clone();
            session.access_token = Some(token);
        }
        let session = session.clone();
        state.access_tokens_issued += 1;
        Ok(redemption_body(state, &session, &level, ttl))
    })?;
    if caller.own_tenant != owner {
        sumvin
            .aliases
            .write()
            .insert(caller.own_tenant.clone(), owner);
    }
    Ok(Hal::ok(body))
}

/// `POST /v0/kyc/sumsub/connect/share-token` body, validated like FastAPI.
struct ShareTokenRequest {
    for_client_id: String,
    ttl: u32,
    kind: String,
}

fn parse_share_token(bytes: &[u8]) -> Result<ShareTokenRequest, SumvinError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(SumvinError::Validation(vec![Issue {
            kind: "missing",
            loc: vec![json!("body")],
            msg: "Field required".into(),
            input: Box::new(Value::Null),
            ctx: None,
        }]));
    }
    let value: Value = decode_json(bytes).map_err(|e| {
        let (offset, message) = match e {
            JsonError::Syntax {
                offset, message, ..
            } => (offset, message),
            JsonError::Shape { message, .. } => (0, message),
        };
        SumvinError::Validation(vec![Issue {
            kind: "json_invalid",
            loc: vec![json!("body"), json!(offset)],
            msg: "JSON decode error".into(),
            input: Box::new(json!({})),
            ctx: Some(Box::new(json!({"error": message}))),
        }])
    })?;
    let Value::Object(body) = value else {
        return Err(SumvinError::Validation(vec![Issue {
            kind: "model_attributes_type",
            loc: vec![json!("body")],
            msg: "Input should be a valid dictionary or object to extract fields from".into(),
            input: Box::new(value),
            ctx: None,
        }]));
    };
    let mut issues = Vec::new();
    let for_client_id = match body.get("for_client_id") {
        None => {
            issues.push(Issue::missing("body", "for_client_id"));
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            issues.push(Issue::new(
                "string_type",
                "body",
                "for_client_id",
                "Input should be a valid string",
                other.clone(),
            ));
            None
        }
    };
    let ttl = parse_ttl(&body).unwrap_or_else(|issue| {
        issues.push(issue);
        0
    });
    let kind = match body.get("type") {
        None | Some(Value::Null) => "standard".to_owned(),
        Some(Value::String(s)) if s == "standard" || s == "connect" => s.clone(),
        Some(other) => {
            issues.push(enum_issue(
                "body",
                "type",
                &["standard", "connect"],
                other.clone(),
            ));
            String::new()
        }
    };
    match for_client_id {
        Some(for_client_id) if issues.is_empty() => Ok(ShareTokenRequest {
            for_client_id,
            ttl,
            kind,
        }),
        _ => Err(SumvinError::Validation(issues)),
    }
}

/// `ttl`: an integer 60..=86400 (default 1800), with pydantic's lax coercions (`"600"`, `600.0`).
fn parse_ttl(body: &Map<String, Value>) -> Result<u32, Issue> {
    let raw = match body.get("ttl") {
        None | Some(Value::Null) => return Ok(1800),
        Some(v) => v,
    };
    let issue = |kind: &'static str, msg: &str| Issue::new(kind, "body", "ttl", msg, raw.clone());
    let n = match raw {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i,
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => f as i64,
            _ => {
                return Err(issue(
                    "int_from_float",
                    "Input should be a valid integer, got a number with a fractional part",
                ))
            }
        },
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| {
            issue(
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
            )
        })?,
        _ => return Err(issue("int_type", "Input should be a valid integer")),
    };
    if n < 60 {
        return Err(issue(
            "greater_than_equal",
            "Input should be greater than or equal to 60",
        )
        .with_ctx(json!({"ge": 60})));
    }
    if n > 86400 {
        return Err(issue(
            "less_than_equal",
            "Input should be less than or equal to 86400",
        )
        .with_ctx(json!({"le": 86400})));
    }
    Ok(n as u32)
}

pub async fn share_token(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    sumvin: web::Data<Sumvin>,
) -> Result<Hal, SumvinError> {
    let bytes = read_body(&req, &mut payload, body_limit(&req)).await?;
    let request = parse_share_token(&bytes)?;
    let now = sumvin.now();
    sumvin.with_tenant(&caller, |state| {
        let kyc = state.kyc.as_ref().ok_or(SumvinError::NoApplicant)?;
        if kyc.status != KycStatus::Approved {
            return Err(SumvinError::NotApproved);
        }
        let token = format!("_st-sbx-{}", state.rng.uuid_v4());
        state.share_tokens.push(ShareToken {
            for_client_id: request.for_client_id.clone(),
            kind: request.kind,
            created_at: now,
            expires_in: request.ttl,
        });
        Ok(Hal::ok(json!({
            "_links": links(&[
                ("self", "/v0/kyc/sumsub/connect/share-token", "POST", "create a share token"),
                ("status", "/v0/kyc/status", "GET", "current KYC status"),
            ]),
            "token": token,
            "for_client_id": request.for_client_id,
            "expires_in": request.ttl,
        })))
    })
}

/// Where a session's `url` leads: a page standing in for Sumvin's web app. It signs the browser in
/// as a person of its own, redeems the ticket (which binds that person to the CLI's user), then lets
/// them upload their documents and follow the status. An unknown ticket is a `404` page, an expired
/// one a `410` page, as the API answers them.
pub async fn handoff_page(req: HttpRequest, sumvin: web::Data<Sumvin>) -> HttpResponse {
    let ticket = query_param(&req, "ticket").unwrap_or_default();
    let (status, title, main, config) = match sumvin.ticket_state(&ticket) {
        None => (
            StatusCode::NOT_FOUND,
            "Session not found",
            "<h1>Session not found</h1><p id=\"message\">This verification link is not known. Start a new \
             session from the Sumvin CLI (<code>POST /v0/kyc/sessions</code>).</p>"
                .to_owned(),
            json!({}),
        ),
        Some(TicketState::Expired) => (
            StatusCode::GONE,
            "Session expired",
            "<h1>Session expired</h1><p id=\"message\">This verification link has expired. Start a new \
             session from the Sumvin CLI.</p>"
                .to_owned(),
            json!({}),
        ),
        Some(TicketState::Open) => (
            StatusCode::OK,
            "Verify your identity",
            VERIFY_FORM.to_owned(),
            json!({"ticket": ticket, "api": mount_prefix(&req, crate::providers::sumvin::MOUNT)}),
        ),
    };
    let body = fill_hosted(
        include_str!("handoff.html"),
        &[
            ("title", &escape_html(title)),
            ("main", &main),
            ("config", &script_json(&config)),
        ],
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

/// The page's working part; element ids are stable for browser automation.
const VERIFY_FORM: &str = r#"<h1>Verify your identity</h1>
<p>Status: <span id="status" class="badge">signing in…</span> <button id="refresh" class="secondary">Refresh status</button></p>
<ul id="steps"></ul>
<p id="error" role="alert"></p>
<form id="verify" hidden>
<fieldset><legend>Upload a document</legend>
<label for="document_type">Document</label>
<select id="document_type"><option value="PASSPORT">Passport</option><option value="ID_CARD">ID card</option><option value="DRIVERS">Driving licence</option><option value="SELFIE">Selfie</option><option value="PROOF_OF_ADDRESS">Proof of address</option></select>
<label for="country">Issuing country (ISO 3166 alpha-3)</label>
<input id="country" value="GBR" maxlength="3" autocomplete="country">
<label for="side">Side</label>
<select id="side"><option value="FRONT_SIDE">Front</option><option value="BACK_SIDE">Back</option><option value="">(not applicable)</option></select>
<label for="file">Picture or PDF</label>
<input id="file" type="file" accept="image/jpeg,image/png,image/heic,application/pdf" data-preview="preview">
<img id="preview" alt="The chosen picture" hidden>
<button id="upload">Upload</button>
</fieldset>
</form>"#;
