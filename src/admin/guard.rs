//! The admin API answers only the developer's own machine: a `Host` that names the listen address
//! or a localhost name (DNS rebinding sends the attacker's host name), and no `Origin` of another
//! site (a page in the developer's browser can send a simple POST without asking). `--allow-host`
//! adds names; `*` allows any.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{web, Error, ResponseError};

use std::net::IpAddr;

use super::AdminError;

/// The host names the admin API answers besides localhost names.
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    names: Vec<String>,
    any: bool,
}

impl AllowedHosts {
    /// `listen` is the `--host` address; `extra` the `--allow-host` values.
    pub fn new(listen: &str, extra: &[String]) -> Self {
        let mut names: Vec<String> = extra
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        let any = names.iter().any(|h| h == "*");
        let listen = listen.trim_matches(['[', ']']).to_ascii_lowercase();
        if !matches!(listen.as_str(), "0.0.0.0" | "::") {
            names.push(listen);
        }
        AllowedHosts { names, any }
    }

    /// `host` as sent in `Host` or in an origin's authority, with or without a port.
    pub fn allows(&self, host: &str) -> bool {
        if self.any {
            return true;
        }
        let name = host_name(host);
        name == "localhost"
            || name.ends_with(".localhost")
            || is_loopback_address(&name)
            || self.names.contains(&name)
    }
}

/// Whether `name` is a loopback IP address (`127.0.0.0/8`, `::1`, `::ffff:127.x.x.x`): a name
/// that merely starts like one (`127.evil.example`) is a DNS name anyone can point anywhere.
fn is_loopback_address(name: &str) -> bool {
    name.parse::<IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// The name part of `host[:port]` or `[v6]:port`, lowercased.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The authority of an `Origin` (`http://localhost:3000` → `localhost:3000`); `None` for `null`.
fn origin_authority(origin: &str) -> Option<&str> {
    origin.split_once("://").map(|(_, rest)| rest)
}

pub async fn local_only(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let allowed = req
        .app_data::<web::Data<AllowedHosts>>()
        .map(|a| a.get_ref().clone())
        .unwrap_or_default();
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let host = header(header::HOST).unwrap_or("");
    let refusal = if !allowed.allows(host) {
        Some(format!(
            "the admin API answers only localhost names and the listen address, not Host `{host}`; start with --allow-host {} to allow it",
            host_name(host)
        ))
    } else {
        header(header::ORIGIN)
            .filter(|origin| !origin_authority(origin).is_some_and(|a| allowed.allows(a)))
            .map(|origin| {
                format!("the admin API does not answer pages from other sites (Origin `{origin}`)")
            })
    };
    match refusal {
        Some(message) => {
            let response = AdminError::Forbidden(message).error_response();
            Ok(req.into_response(response))
        }
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_names_and_the_listen_address_only() {
        let hosts = AllowedHosts::new("127.0.0.1", &[]);
        for ok in [
            "localhost:4747",
            "127.0.0.1:4747",
            "[::1]:4747",
            "[::1]",
            "127.0.0.2:4747",
            "127.255.255.254",
            "[::ffff:127.0.0.1]:4747",
            "app.localhost",
            "LOCALHOST",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example:4747",
            "localhost.evil.example",
            "127.evil.example",
            "127.evil.example:4747",
            "127.0.0.1.evil.example",
            "[::2]:4747",
            "",
            "10.0.0.2",
        ] {
            assert!(!hosts.allows(refused), "{refused}");
        }
        let lan = AllowedHosts::new("0.0.0.0", &["sandbox".into()]);
        assert!(lan.allows("sandbox:4747") && !lan.allows("0.0.0.0:4747"));
        assert!(AllowedHosts::new("127.0.0.1", &["*".into()]).allows("anything"));
    }
}
