//! Who is calling. The tenant is the organization: from the path (`/organizations/{id}/…`), or
//! the one the API key was last used with, or (for a key never used with one) the key's own.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};

use super::errors::RebillyError;
use super::Rebilly;
use crate::core::http::header_str;
use crate::core::{Sandbox, TenantId, TenantInfo};

#[derive(Debug, Clone)]
pub struct Caller {
    pub tenant: TenantId,
    pub info: TenantInfo,
    pub organization_id: String,
}

impl FromRequest for Caller {
    type Error = RebillyError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(identify(req))
    }
}

fn identify(req: &HttpRequest) -> Result<Caller, RebillyError> {
    let key = header_str(req, "reb-apikey").ok_or(RebillyError::Unauthorized)?;
    let rebilly = req
        .app_data::<web::Data<Rebilly>>()
        .expect("rebilly is registered");
    let organization_id = match req.match_info().get("organizationId") {
        Some(org) => {
            rebilly.bind_key(key, org);
            org.to_owned()
        }
        None => rebilly.organization_of(key),
    };
    let tenant = TenantId::derive(super::NAME, &[&organization_id]);
    if let Some(sandbox) = req.app_data::<web::Data<Sandbox>>() {
        sandbox.fire_due();
    }
    req.extensions_mut().insert(tenant.clone());
    let info = TenantInfo {
        tenant: tenant.clone(),
        provider: super::NAME,
        credential: format!("REB-APIKEY (organization {organization_id})"),
        created_at: rebilly.core.clock.now(),
    };
    Ok(Caller {
        tenant,
        info,
        organization_id,
    })
}
