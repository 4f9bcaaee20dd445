//! A port per provider: the same app listens on the main port (providers under their mount, the
//! admin API) and on one port per provider (that provider at the root), so a client whose paths
//! are absolute (`/applicants`) works with only its base URL changed. Requests are tagged with the
//! listener they came in on before routing; guards and URL builders read the tag.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::guard::{Guard, GuardContext};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpRequest};

/// Which provider each provider port serves; filled once the ports are bound.
#[derive(Debug, Clone, Default)]
pub struct ProviderPorts(Arc<OnceLock<HashMap<SocketAddr, &'static str>>>);

impl ProviderPorts {
    pub fn set(&self, ports: HashMap<SocketAddr, &'static str>) {
        let _ = self.0.set(ports);
    }

    fn provider_at(&self, addr: SocketAddr) -> Option<&'static str> {
        self.0.get()?.get(&addr).copied()
    }

    /// `http://addr` of `provider`'s own port, if it has one.
    pub fn base_url_of(&self, provider: &str) -> Option<String> {
        self.0
            .get()?
            .iter()
            .filter(|(_, name)| **name == provider)
            .map(|(addr, _)| *addr)
            .min_by_key(SocketAddr::is_ipv6)
            .map(|addr| format!("http://{addr}"))
    }
}

/// The provider whose own port a request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViaPort(pub &'static str);

/// Tags each request with the provider port it came in on, if any.
pub async fn tag_listener(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let provider = req
        .app_data::<web::Data<ProviderPorts>>()
        .and_then(|ports| ports.provider_at(req.app_config().local_addr()));
    if let Some(name) = provider {
        req.extensions_mut().insert(ViaPort(name));
    }
    next.call(req).await
}

fn via_port(req: &HttpRequest) -> Option<&'static str> {
    req.extensions().get::<ViaPort>().map(|v| v.0)
}

/// The path prefix a client uses for a provider on this request's port: `mount` on the main
/// port, nothing on the provider's own port.
pub fn mount_prefix(req: &HttpRequest, mount: &'static str) -> &'static str {
    if via_port(req).is_some() {
        ""
    } else {
        mount
    }
}

/// Requests that came in on the main port.
pub struct OnMainPort;

impl Guard for OnMainPort {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        ctx.req_data().get::<ViaPort>().is_none()
    }
}

/// Requests that came in on `provider`'s own port.
pub struct OnProviderPort(pub &'static str);

impl Guard for OnProviderPort {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        ctx.req_data().get::<ViaPort>() == Some(&ViaPort(self.0))
    }
}
