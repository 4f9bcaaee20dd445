//! `POST /api/v1/auth/login` and the bearer token every other call needs: a real HS256 JWT
//! naming the login id (Qolo's samples send `Bearer <YOUR_JWT_HERE>`), valid 12 hours on the
//! sandbox clock. The login id is the tenant.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::errors::QoloError;
use super::input::{json_object, Checks, Rule};
use super::{Qolo, NAME};
use crate::core::http::header_str;
use crate::core::{jwt, Sandbox, TenantId, TenantInfo};

/// "The token is valid for 12 hours" (Qolo, Getting started).
pub const TOKEN_LIFETIME: Duration = Duration::hours(12);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// The login id.
    sub: String,
    iat: i64,
    exp: i64,
    jti: String,
}

/// `{"loginid", "apikey"}` → `{"token", "token_type": "Bearer", "expires_in", "expires_at"}`.
pub async fn login(
    req: HttpRequest,
    mut payload: web::Payload,
    qolo: web::Data<Qolo>,
) -> Result<HttpResponse, QoloError> {
    let body = json_object(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let text = Rule::Text { min: 0, max: 256 };
    let fields = checks.read(&body, "", &[("loginid", text), ("apikey", text)]);
    checks.require(&fields, "", "loginid");
    checks.require(&fields, "", "apikey");
    checks.finish()?;
    let loginid = fields["loginid"].as_str().unwrap_or_default();
    let apikey = fields["apikey"].as_str().unwrap_or_default();
    if !qolo.fixtures.admits(loginid, apikey) {
        return Err(QoloError::Unauthorized(
            "loginid or apikey is not valid".into(),
        ));
    }
    let now = qolo.core.clock.now();
    let expires_at = now + TOKEN_LIFETIME;
    let claims = Claims {
        sub: loginid.to_owned(),
        iat: now.timestamp(),
        exp: expires_at.timestamp(),
        jti: qolo.core.rng_for(loginid).uuid_v4(),
    };
    let token = jwt::encode(&claims, &qolo.jwt_secret());
    Ok(HttpResponse::Ok().json(json!({
        "token": token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME.num_seconds(),
        "expires_at": expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    })))
}

/// Who is calling: the login id of a valid, unexpired bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    pub info: TenantInfo,
}

impl FromRequest for Caller {
    type Error = QoloError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify(req))
    }
}

fn identify(req: &HttpRequest) -> Result<Caller, QoloError> {
    let qolo = req
        .app_data::<web::Data<Qolo>>()
        .expect("qolo is registered");
    let token = header_str(req, actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            QoloError::Unauthorized(
                "Authorization: Bearer <token> is required; get one from POST /api/v1/auth/login"
                    .into(),
            )
        })?;
    let claims: std::rc::Rc<Claims> = jwt::decode(token, &qolo.jwt_secret())
        .ok_or_else(|| QoloError::Unauthorized("the bearer token is not valid".into()))?;
    let now = qolo.core.clock.now();
    if now.timestamp() >= claims.exp {
        return Err(QoloError::Unauthorized(
            "the bearer token has expired (tokens live 12 hours); log in again".into(),
        ));
    }
    if let Some(sandbox) = req.app_data::<web::Data<Sandbox>>() {
        sandbox.fire_due();
    }
    let (tenant, credential) = TenantId::derive_labelled(NAME, &[&claims.sub], "", || {
        ["loginid ", &claims.sub].concat()
    });
    req.extensions_mut().insert(tenant.clone());
    Ok(Caller {
        info: TenantInfo {
            tenant: tenant.clone(),
            provider: NAME,
            credential,
            created_at: now,
        },
        tenant,
    })
}

/// The tenant the request's bearer token selects, without creating it (for fault rules).
pub fn tenant_of(qolo: &Qolo, req: &HttpRequest) -> Option<TenantId> {
    let token = header_str(req, actix_web::http::header::AUTHORIZATION)?
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))?
        .1
        .trim();
    let claims: std::rc::Rc<Claims> = jwt::decode(token, &qolo.jwt_secret())?;
    Some(TenantId::derive(NAME, &[&claims.sub]))
}
