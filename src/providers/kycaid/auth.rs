//! Who is calling: `Authorization: Token <api_token>`; the token selects the tenant.

use std::future::{ready, Ready};
use std::rc::Rc;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::errors::KycaidError;
use super::{Kycaid, NAME};
use crate::core::http::{base_url, header_str, mount_prefix};
use crate::core::tenant::{secret_hint, Label};
use crate::core::{Sandbox, TenantId, TenantInfo};

#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    /// The token starts with `no-funds`: paid operations (verifications, form links) get `402`.
    pub without_funds: bool,
    pub info: TenantInfo,
    pub token: String,
    /// `scheme://host` as the client reached us (and the mount prefix on the main port).
    pub origin: Rc<str>,
}

impl FromRequest for Caller {
    type Error = KycaidError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify(req))
    }
}

/// Magic token prefixes that let a client test its handling of account-level refusals.
pub const FORBIDDEN_PREFIX: &str = "forbidden";
pub const NO_FUNDS_PREFIX: &str = "no-funds";

impl Caller {
    /// `402 insufficient_funds` for a token without balance, before a paid operation.
    pub fn pays(&self) -> Result<(), KycaidError> {
        if self.without_funds {
            Err(KycaidError::InsufficientFunds)
        } else {
            Ok(())
        }
    }
}

/// The token of `Token <t>` (what every KYCAID client sends) or `Bearer <t>`.
fn token(req: &HttpRequest) -> Option<&str> {
    let value = header_str(req, actix_web::http::header::AUTHORIZATION)?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim_ascii();
    let known = scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer");
    let spaced = token.bytes().any(|b| b.is_ascii_whitespace());
    (known && !token.is_empty() && !spaced).then_some(token)
}

fn identify(req: &HttpRequest) -> Result<Caller, KycaidError> {
    let token = token(req).ok_or(KycaidError::Unauthorized)?;
    if token.starts_with(FORBIDDEN_PREFIX) {
        return Err(KycaidError::Forbidden);
    }
    let (tenant, credential) = TenantId::derive_labelled(NAME, &[token], "", || {
        ["API token ", &secret_hint(token)].concat()
    });
    Ok(caller_for(req, tenant, credential, token.to_owned()))
}

/// Fires what fell due, tags the journal entry with the tenant and names the caller.
pub fn caller_for(req: &HttpRequest, tenant: TenantId, credential: Label, token: String) -> Caller {
    if let Some(sandbox) = req.app_data::<web::Data<Sandbox>>() {
        sandbox.fire_due();
    }
    req.extensions_mut().insert(tenant.clone());
    let now = req
        .app_data::<web::Data<Kycaid>>()
        .map(|k| k.core.clock.now())
        .unwrap_or_default();
    Caller {
        without_funds: token.starts_with(NO_FUNDS_PREFIX),
        info: TenantInfo {
            tenant: tenant.clone(),
            provider: NAME,
            credential,
            created_at: now,
        },
        tenant,
        token,
        origin: match mount_prefix(req, super::MOUNT) {
            "" => base_url(req),
            prefix => [&*base_url(req), prefix].concat().into(),
        },
    }
}

/// The tenant the request's token selects, without creating it (for fault rules).
pub fn tenant_of(_kycaid: &Kycaid, req: &HttpRequest) -> Option<TenantId> {
    token(req).map(|token| TenantId::derive(NAME, &[token]))
}
