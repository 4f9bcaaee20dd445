//! Who is calling. Core calls: `REB-APIKEY: <secret key>` or a raw `Authorization: <publishable
//! key>`; the tenant is the organization from the path, else the one the key was last used with (a
//! key never used with one gets its own). A customer JWT does not reach the core API (the spec's
//! `security` lists `CustomerJWT` on storefront operations only): `403`. Storefront calls: a
//! customer JWT this sandbox issued, scoped to its customer.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::HeaderName;
use actix_web::http::Method;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use compact_str::CompactString;

use super::errors::RebillyError;
use super::model::session::decode_jwt;
use super::Rebilly;
use crate::core::http::header_str;
use crate::core::{Sandbox, TenantId, TenantInfo};

const API_KEY: HeaderName = HeaderName::from_static("reb-apikey");

#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    pub info: TenantInfo,
    /// Kept in place: a derived organization id (`org_` and 12 hex digits) fits.
    pub organization_id: CompactString,
}

impl FromRequest for Caller {
    type Error = RebillyError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify(req))
    }
}

/// A customer signed in with a JWT: their organization, and the request a gatherer token is for.
#[derive(Debug, Clone)]
pub struct Shopper {
    pub caller: Caller,
    pub customer_id: String,
    pub jwt_id: String,
    pub request_id: Option<String>,
}

impl FromRequest for Shopper {
    type Error = RebillyError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify_shopper(req))
    }
}

fn rebilly(req: &HttpRequest) -> &Rebilly {
    req.app_data::<web::Data<Rebilly>>()
        .expect("rebilly is registered")
}

/// `Authorization: Bearer <token>`; `None` for the SDK's `Bearer null` and for raw keys.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    header_str(req, actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && *t != "null" && *t != "undefined")
}

/// A publishable key sent raw in `Authorization` (what the SDK's `setPublishableKey` does).
fn publishable_key(req: &HttpRequest) -> Option<&str> {
    header_str(req, actix_web::http::header::AUTHORIZATION)
        .filter(|v| !v.starts_with("Bearer ") && !v.trim().is_empty())
        .map(str::trim)
}

/// How a caller proved who it is, as the admin API names its tenant's credential.
#[derive(Debug, Clone, Copy)]
enum KeyKind {
    Secret,
    Publishable,
    StorefrontLogin,
    CustomerJwt,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Secret => "REB-APIKEY",
            KeyKind::Publishable => "publishable key",
            KeyKind::StorefrontLogin => "storefront login",
            KeyKind::CustomerJwt => "customer JWT",
        }
    }
}

fn caller_for(req: &HttpRequest, organization_id: CompactString, kind: KeyKind) -> Caller {
    let (tenant, credential) =
        TenantId::derive_labelled(super::NAME, &[&organization_id], kind.as_str(), || {
            format!("{} (organization {organization_id})", kind.as_str())
        });
    if let Some(sandbox) = req.app_data::<web::Data<Sandbox>>() {
        sandbox.fire_due();
    }
    req.extensions_mut().insert(tenant.clone());
    let info = TenantInfo {
        tenant: tenant.clone(),
        provider: super::NAME,
        credential,
        created_at: rebilly(req).core.clock.now(),
    };
    Caller {
        tenant,
        info,
        organization_id,
    }
}

/// The organization of a key-authenticated call, or `None` without a key.
fn keyed_organization(req: &HttpRequest) -> Option<(CompactString, KeyKind)> {
    let (key, kind) = match header_str(req, API_KEY) {
        Some(key) => (key, KeyKind::Secret),
        None => (publishable_key(req)?, KeyKind::Publishable),
    };
    let rebilly = rebilly(req);
    let organization_id = match req.match_info().get("organizationId") {
        Some(org) => {
            rebilly.bind_key(key, org);
            CompactString::from(org)
        }
        None => rebilly.organization_of(key),
    };
    Some((organization_id, kind))
}

/// Whether the spec's `security` lists `PublishableApiKey` for this call: creating, verifying,
/// deleting and exchanging authentication tokens, and uploading a file (PostAuthenticationToken,
/// GetAuthenticationTokenVerification, DeleteAuthenticationToken,
/// PostAuthenticationTokenExchange, PostFile). Storefront login has its own extractor.
fn publishable_key_allowed(req: &HttpRequest) -> bool {
    let path = req.path().trim_end_matches('/');
    let method = req.method();
    let token_call = path
        .rsplit_once("/authentication-tokens/")
        .is_some_and(|(_, rest)| !rest.is_empty());
    (method == Method::POST
        && (path.ends_with("/authentication-tokens") || path.ends_with("/files")))
        || (token_call
            && matches!(
                *method,
                Method::GET | Method::HEAD | Method::DELETE | Method::POST
            ))
}

fn identify(req: &HttpRequest) -> Result<Caller, RebillyError> {
    // Refused before the key is bound to the path's organization: a refusal leaves no trace.
    if header_str(req, API_KEY).is_none()
        && publishable_key(req).is_some()
        && !publishable_key_allowed(req)
    {
        return Err(RebillyError::Forbidden(
            "A publishable key works only where Rebilly allows one (authentication tokens, file uploads, storefront login); send the secret API key in REB-APIKEY.".into(),
        ));
    }
    if let Some((organization_id, kind)) = keyed_organization(req) {
        return Ok(caller_for(req, organization_id, kind));
    }
    let rebilly = rebilly(req);
    match bearer(req).and_then(|token| decode_jwt(token, &rebilly.jwt_secret())) {
        Some(_) => Err(RebillyError::Forbidden(
            "A customer JWT works on the storefront API (/storefront/...) only; core calls need the secret API key in REB-APIKEY.".into(),
        )),
        None => Err(RebillyError::Unauthorized),
    }
}

/// The organization a storefront login happens in: the path's, else the publishable key's. A
/// login with the organization in the path needs no key (the SDK sends `Bearer null`).
pub fn login_caller(req: &HttpRequest) -> Result<Caller, RebillyError> {
    let in_path = || {
        let organization_id = CompactString::from(req.match_info().get("organizationId")?);
        Some((organization_id, KeyKind::StorefrontLogin))
    };
    keyed_organization(req)
        .or_else(in_path)
        .map(|(organization_id, kind)| caller_for(req, organization_id, kind))
        .ok_or_else(|| {
            RebillyError::Unauthenticated(
                "Send the publishable key in Authorization, or log in at /storefront/organizations/{organizationId}/login."
                    .into(),
            )
        })
}

fn identify_shopper(req: &HttpRequest) -> Result<Shopper, RebillyError> {
    let unauthenticated = |why: &str| RebillyError::Unauthenticated(why.to_owned());
    let token = bearer(req).ok_or_else(|| {
        unauthenticated("Send the customer's JWT as Authorization: Bearer <token>.")
    })?;
    let rebilly = rebilly(req);
    let claims = decode_jwt(token, &rebilly.jwt_secret())
        .ok_or_else(|| unauthenticated("The JWT was not issued by this sandbox."))?;
    if req
        .match_info()
        .get("organizationId")
        .is_some_and(|org| org != claims.org)
    {
        return Err(unauthenticated("The JWT belongs to another organization."));
    }
    let caller = caller_for(
        req,
        CompactString::from(claims.org.as_str()),
        KeyKind::CustomerJwt,
    );
    let now = rebilly.core.clock.now();
    let slot = rebilly
        .tenants
        .get(&caller.tenant)
        .ok_or_else(|| unauthenticated("The JWT's organization has been reset."))?;
    let state = slot.state.lock();
    let jwt = state
        .jwts
        .get(&claims.jti)
        .filter(|jwt| jwt.token == token)
        .ok_or_else(|| unauthenticated("The JWT is not known; it may have been reset."))?;
    if jwt.revoked {
        return Err(unauthenticated("The JWT was logged out."));
    }
    if now >= jwt.expired_time {
        return Err(unauthenticated("The JWT has expired."));
    }
    Ok(Shopper {
        customer_id: jwt.customer_id.clone(),
        jwt_id: jwt.id.clone(),
        request_id: jwt.kyc_request_id.clone(),
        caller,
    })
}

/// The organization's tenant a request works in, told without binding keys or creating anything
/// (for fault rules): the path's organization, else the key's, else the customer JWT's.
pub fn tenant_of(rebilly: &Rebilly, req: &HttpRequest) -> Option<TenantId> {
    let in_path = req
        .path()
        .split('/')
        .skip_while(|segment| *segment != "organizations")
        .nth(1)
        .filter(|org| !org.is_empty());
    let key = header_str(req, API_KEY).or_else(|| publishable_key(req));
    let organization_id = match (in_path, key) {
        (Some(org), _) => CompactString::from(org),
        (None, Some(key)) => rebilly.organization_of(key),
        (None, None) => CompactString::from(decode_jwt(bearer(req)?, &rebilly.jwt_secret())?.org),
    };
    Some(TenantId::derive(super::NAME, &[&organization_id]))
}
