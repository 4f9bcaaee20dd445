//! A port per provider: the main port's app serves every provider under its mount and the admin
//! API; each provider port has an app of its own with just that provider at the root, so a client
//! whose paths are absolute (`/applicants`) works with only its base URL changed. The state
//! behind both is the same.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use actix_web::HttpRequest;

/// Which provider each provider port serves; filled once the ports are bound.
#[derive(Debug, Clone, Default)]
pub struct ProviderPorts(Arc<OnceLock<HashMap<SocketAddr, &'static str>>>);

impl ProviderPorts {
    pub fn set(&self, ports: HashMap<SocketAddr, &'static str>) {
        let _ = self.0.set(ports);
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

/// App data of a provider port's app: the provider it serves at the root. The main port's app
/// has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViaPort(pub &'static str);

/// Where a provider's routes are registered: under its mount on the main port, or at the root
/// of its own port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountAt {
    Prefixed,
    Root,
}

/// The provider whose own port a request came in on, if any.
pub fn via_port(req: &HttpRequest) -> Option<&'static str> {
    req.app_data::<ViaPort>().map(|v| v.0)
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
