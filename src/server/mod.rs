//! The HTTP server: one actix-server with a listener for the main port and one per provider port,
//! each listener with an app of its own. The main port's app holds the admin API and every
//! provider under its mount; a provider port's app holds only that provider, at the root. (One
//! `HttpServer` app for every listener built the whole route table once per listener per worker
//! and made every request walk the other providers' routes: six times the start-up work and
//! twice the idle memory.)

use std::fmt;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use actix_http::{body::MessageBody, HttpService, Protocol, Request, Response};
use actix_server::{Server, ServerBuilder};
use actix_service::{
    fn_service, map_config, IntoServiceFactory, ServiceFactory, ServiceFactoryExt,
};
use actix_web::dev::{AppConfig, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::rt::net::TcpStream;
use actix_web::{web, App};

use crate::admin;
use crate::core::faults::remember_socket;
use crate::core::http::{
    guard_and_record, BodyLimit, BodyTimeout, MountAt, Mounts, ProviderPorts, ViaPort,
};
use crate::core::Sandbox;

mod coalesced;

use coalesced::Coalesced;

/// What every listener's app shares: the state, the limits and where each provider port is.
pub struct AppParts {
    pub sandbox: web::Data<Sandbox>,
    pub mounts: web::Data<Mounts>,
    pub allowed_hosts: web::Data<admin::AllowedHosts>,
    pub ports: web::Data<ProviderPorts>,
    pub max_body: usize,
    pub body_timeout: Duration,
}

/// A bound socket and what it serves: `None` is the main port, `Some(name)` that provider's port.
pub struct Listener {
    pub tcp: TcpListener,
    pub serves: Option<&'static str>,
}

/// Binds every address `host:port` resolves to (`localhost` may give IPv4 and IPv6).
pub fn bind(host: &str, port: u16) -> std::io::Result<Vec<TcpListener>> {
    let mut bound = Vec::new();
    let mut last_error = None;
    for addr in (host, port).to_socket_addrs()? {
        match TcpListener::bind(addr) {
            Ok(tcp) => bound.push(tcp),
            Err(e) => last_error = Some(e),
        }
    }
    match (bound.is_empty(), last_error) {
        (true, Some(e)) => Err(e),
        (true, None) => Err(std::io::Error::new(
            std::io::ErrorKind::AddrNotAvailable,
            format!("{host} resolves to no address"),
        )),
        _ => Ok(bound),
    }
}

pub struct Limits {
    pub workers: usize,
    pub max_connections: usize,
    pub header_timeout: Duration,
}

/// Starts serving every listener; await the returned server to run until it is stopped.
pub fn serve(
    parts: AppParts,
    listeners: Vec<Listener>,
    limits: &Limits,
) -> std::io::Result<Server> {
    let parts = Arc::new(parts);
    let mut builder = Server::build()
        .workers(limits.workers)
        // actix bounds connections per worker; the flag is the total.
        .max_concurrent_connections(limits.max_connections.div_ceil(limits.workers).max(1))
        .shutdown_timeout(5);
    // An open event stream (a dashboard tab) would hold a graceful stop for its whole timeout:
    // end the streams as soon as the stop starts.
    let stopping = builder.graceful_shutdown_signal();
    let events = parts.sandbox.core.events.clone();
    tokio::spawn(async move {
        stopping.notified().await;
        events.close();
    });
    for listener in listeners {
        let parts = parts.clone();
        let serves = listener.serves;
        builder = listen(builder, listener.tcp, limits.header_timeout, move || {
            parts.app(serves)
        })?;
    }
    Ok(builder.run())
}

impl AppParts {
    fn app(
        &self,
        serves: Option<&'static str>,
    ) -> App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
            InitError = (),
        >,
    > {
        App::new()
            .app_data(self.sandbox.clone())
            .app_data(self.mounts.clone())
            .app_data(self.allowed_hosts.clone())
            .app_data(self.ports.clone())
            .app_data(BodyLimit(self.max_body))
            .app_data(BodyTimeout(self.body_timeout))
            // Also writes the access log line (`logging::ACCESS_TARGET`).
            .wrap(from_fn(guard_and_record))
            .configure(|cfg| self.routes(cfg, serves))
            .default_service(web::to(admin::where_providers_live))
    }

    fn routes(&self, cfg: &mut web::ServiceConfig, serves: Option<&'static str>) {
        let providers = &self.sandbox.providers;
        match serves {
            None => {
                admin::routes(cfg, providers);
                for provider in providers {
                    provider.clone().configure(cfg, MountAt::Prefixed);
                }
            }
            Some(name) => {
                cfg.app_data(ViaPort(name));
                for provider in providers.iter().filter(|p| p.name() == name) {
                    provider.clone().configure(cfg, MountAt::Root);
                }
            }
        }
    }
}

/// Adds one listener whose connections `make_app`'s app serves, as `HttpServer` would.
fn listen<F, I, S, B>(
    builder: ServerBuilder,
    tcp: TcpListener,
    header_timeout: Duration,
    make_app: F,
) -> std::io::Result<ServerBuilder>
where
    F: Fn() -> I + Send + Clone + 'static,
    I: IntoServiceFactory<S, Request>,
    S: ServiceFactory<Request, Config = AppConfig> + 'static,
    S::Error: Into<actix_web::Error>,
    S::InitError: fmt::Debug,
    S::Response: Into<Response<B>>,
    B: MessageBody + 'static,
{
    let addr: SocketAddr = tcp.local_addr()?;
    tcp.set_nonblocking(true)?;
    builder.listen(format!("kyc-sandbox-{addr}"), tcp, move || {
        let app = make_app()
            .into_factory()
            .map_err(|err| err.into().error_response());
        let http = HttpService::build()
            .client_request_timeout(header_timeout)
            .local_addr(addr)
            .on_connect_ext(|io: &Coalesced, data: _| remember_socket(io, data))
            .finish(map_config(app, |_| AppConfig::default()));
        fn_service(|stream: TcpStream| async move {
            let peer = stream.peer_addr().ok();
            Ok((Coalesced::new(stream), Protocol::Http1, peer))
        })
        .and_then(http)
    })
}
