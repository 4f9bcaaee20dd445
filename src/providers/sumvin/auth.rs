//! Who is calling: the credential headers select the tenant (one Sumvin user per credential).

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::HeaderName;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::errors::SumvinError;
use super::Sumvin;
use crate::core::http::header_str;
use crate::core::tenant::secret_hint;
use crate::core::{Sandbox, TenantId, TenantInfo};

const JUNO_JWT: HeaderName = HeaderName::from_static("x-juno-jwt");
const SUMVIN_PAT: HeaderName = HeaderName::from_static("x-sumvin-pat");
const SUMVIN_TOKEN: HeaderName = HeaderName::from_static("x-sumvin-token");
const JUNO_ORG_ID: HeaderName = HeaderName::from_static("x-juno-orgid");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// `x-juno-jwt`, or `Authorization: Bearer` (which takes precedence).
    Jwt,
    /// `x-sumvin-pat`.
    Pat,
    /// `x-sumvin-token`.
    Token,
}

impl CredentialKind {
    fn header(self) -> &'static str {
        match self {
            Self::Jwt => "x-juno-jwt",
            Self::Pat => "x-sumvin-pat",
            Self::Token => "x-sumvin-token",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    /// The tenant the credential itself names, before any session binding (see redemption).
    pub own_tenant: TenantId,
    pub kind: CredentialKind,
    pub info: TenantInfo,
}

fn credential(req: &HttpRequest) -> Option<(CredentialKind, &str)> {
    let bearer = header_str(req, actix_web::http::header::AUTHORIZATION)
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|v| !v.is_empty());
    bearer
        .map(|t| (CredentialKind::Jwt, t))
        .or_else(|| header_str(req, JUNO_JWT).map(|t| (CredentialKind::Jwt, t)))
        .or_else(|| header_str(req, SUMVIN_PAT).map(|t| (CredentialKind::Pat, t)))
        .or_else(|| header_str(req, SUMVIN_TOKEN).map(|t| (CredentialKind::Token, t)))
}

impl FromRequest for Caller {
    type Error = SumvinError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify(req))
    }
}

fn identify(req: &HttpRequest) -> Result<Caller, SumvinError> {
    let (kind, secret) = credential(req).ok_or(SumvinError::Unauthorized)?;
    let org_id = header_str(req, JUNO_ORG_ID).unwrap_or_default();
    let (own_tenant, credential) =
        TenantId::derive_labelled(super::NAME, &[secret, org_id], kind.header(), || {
            if org_id.is_empty() {
                format!("{} {}", kind.header(), secret_hint(secret))
            } else {
                format!(
                    "{} {} (x-juno-orgid: {org_id})",
                    kind.header(),
                    secret_hint(secret)
                )
            }
        });
    let sumvin = req
        .app_data::<web::Data<Sumvin>>()
        .expect("sumvin is registered");
    let tenant = sumvin.resolve_alias(&own_tenant);
    if let Some(sandbox) = req.app_data::<web::Data<Sandbox>>() {
        sandbox.fire_due();
    }
    req.extensions_mut().insert(tenant.clone());
    let info = TenantInfo {
        tenant: own_tenant.clone(),
        provider: super::NAME,
        credential,
        created_at: sumvin.core.clock.now(),
    };
    Ok(Caller {
        tenant,
        own_tenant,
        kind,
        info,
    })
}

/// The tenant the request's credential selects, without creating it (for fault rules).
pub fn tenant_of(sumvin: &Sumvin, req: &HttpRequest) -> Option<TenantId> {
    let (_, secret) = credential(req)?;
    let org_id = header_str(req, JUNO_ORG_ID).unwrap_or_default();
    Some(sumvin.resolve_alias(&TenantId::derive(super::NAME, &[secret, org_id])))
}
