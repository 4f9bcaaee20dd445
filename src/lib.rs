//! kyc-sandbox: KYC provider APIs on localhost, deterministic and scriptable.
//! `build_sandbox` and `start` are the one place that wires everything; tests call them.

pub mod admin;
pub mod allocator;
pub mod config;
pub mod core;
pub mod demo;
pub mod logging;
pub mod providers;
mod server;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use actix_web::web;
use thiserror::Error;

use crate::config::Config;
use crate::core::http::{Mounts, ProviderPorts};
use crate::core::{load_scenarios, Clock, Core, LoadError, Sandbox, ScenarioSet};

#[derive(Debug, Error)]
pub enum StartupError {
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Files(Vec<LoadError>),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Webhooks(#[from] crate::core::webhooks::WebhookError),
    /// The state file cannot be loaded; it is left as it is.
    #[error("{path}: {error}; the file was left as it is (move it away to start afresh)")]
    StateLoad {
        path: String,
        error: crate::core::snapshot::SnapshotError,
    },
    /// `--state-file` names a file in a directory that does not exist: every write would fail.
    #[error("--state-file {path}: the directory {dir} does not exist (create it first)")]
    StateDir { path: String, dir: String },
    #[error("{error}")]
    StateSave {
        error: crate::core::snapshot::SnapshotError,
    },
}

/// Refuses a `--state-file` whose directory does not exist, before anything starts.
fn check_state_dir(path: &Path) -> Result<(), StartupError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if dir.is_dir() {
        Ok(())
    } else {
        Err(StartupError::StateDir {
            path: path.display().to_string(),
            dir: dir.display().to_string(),
        })
    }
}

/// The printable form of a listen address: loopback in place of an unspecified one (`0.0.0.0`,
/// `::`), which is no address to browse to and which the admin API refuses as a `Host`.
pub fn local_url_addr(addr: SocketAddr) -> SocketAddr {
    let mut local = addr;
    match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
            local.set_ip(std::net::Ipv4Addr::LOCALHOST.into())
        }
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
            local.set_ip(std::net::Ipv6Addr::LOCALHOST.into())
        }
        _ => {}
    }
    local
}

/// The core and every provider, from the configuration's scenarios, fixtures, clock and seed.
pub fn build_sandbox(config: &Config) -> Result<Arc<Sandbox>, StartupError> {
    if let Some(path) = &config.state_file {
        check_state_dir(path)?;
    }
    let schemas = providers::scenario_schemas();
    let scenarios =
        load_scenarios(&schemas, config.scenarios.as_deref()).map_err(StartupError::Files)?;
    let core = Arc::new(
        Core::new(
            Clock::new(config.clock),
            config.journal_size,
            config.seed.unwrap_or_else(rand::random),
            config.scenarios.clone(),
            config.fixtures.clone(),
            schemas,
            scenarios,
        )
        .with_webhook_log(config.webhook_log_size)
        .with_storage_limits(config.max_stored_bytes, config.max_tenant_stored_bytes)
        .with_default_webhook(providers::rebilly::NAME, config.rebilly_webhook_url.clone())
        .with_default_webhook(providers::kycaid::NAME, config.kycaid_callback_url.clone())
        .with_state_file(config.state_file.clone()),
    );
    let providers = providers::build(&core, config).map_err(StartupError::Files)?;
    let sandbox = Arc::new(Sandbox::new(core, providers));
    if let Some(path) = &config.state_file {
        let failed = |error| StartupError::StateLoad {
            path: path.display().to_string(),
            error,
        };
        if let Some(snapshot) = crate::core::snapshot::file::read(path).map_err(failed)? {
            sandbox.restore(snapshot).map_err(failed)?;
        }
    }
    Ok(sandbox)
}

/// Every problem in the scenario and fixture files, for `kyc-sandbox check`.
pub fn check_files(scenarios_dir: Option<&Path>, fixtures_dir: Option<&Path>) -> Vec<LoadError> {
    let schemas = providers::scenario_schemas();
    let mut errors = load_scenarios(&schemas, scenarios_dir)
        .err()
        .unwrap_or_default();
    let core = Arc::new(Core::new(
        Clock::new(crate::core::ClockMode::Real),
        0,
        0,
        None,
        fixtures_dir.map(Path::to_path_buf),
        schemas,
        ScenarioSet::default(),
    ));
    errors.extend(
        providers::build(&core, &Config::default())
            .err()
            .unwrap_or_default(),
    );
    errors
}

/// A bound, not yet awaited server.
pub struct Running {
    pub addr: SocketAddr,
    /// Each provider's own port, where it is served at the root.
    pub provider_addrs: Vec<(&'static str, SocketAddr)>,
    pub sandbox: Arc<Sandbox>,
    pub server: actix_web::dev::Server,
}

/// Binds the server (port 0 picks a free one) and starts the clock ticker that fires due steps
/// and webhook retries in real time, and the webhook sender task. Must be called inside an async
/// runtime; await `server` to serve.
pub fn start(config: &Config) -> Result<Running, StartupError> {
    let sandbox = build_sandbox(config)?;
    let mounts = web::Data::new(Mounts {
        providers: sandbox.providers.clone(),
        journal: sandbox.core.journal.clone(),
        clock: sandbox.core.clock.clone(),
        max_body: config.max_body,
        larger_bodies: vec![(admin::SNAPSHOT_RESTORE_PATH, config.snapshot_body_limit())],
        body_timeout: config.body_timeout,
        refuse_other: admin::refusal,
        faults: sandbox.core.faults.clone(),
    });
    let main_listeners = server::bind(&config.host, config.port)?;
    let addr = main_listeners[0].local_addr()?;
    sandbox.core.set_origin(format!("http://{addr}"));
    let mut listeners: Vec<server::Listener> = main_listeners
        .into_iter()
        .map(|tcp| server::Listener { tcp, serves: None })
        .collect();
    let mut ports = HashMap::new();
    let mut provider_addrs = Vec::new();
    for provider in &sandbox.providers {
        let Some(port) = config.provider_port(provider.name()) else {
            continue;
        };
        let bound = server::bind(&config.host, port)?;
        provider_addrs.push((provider.name(), bound[0].local_addr()?));
        for tcp in bound {
            ports.insert(tcp.local_addr()?, provider.name());
            listeners.push(server::Listener {
                tcp,
                serves: Some(provider.name()),
            });
        }
    }
    let provider_ports = ProviderPorts::default();
    provider_ports.set(ports);
    let parts = server::AppParts {
        sandbox: web::Data::from(sandbox.clone()),
        mounts,
        allowed_hosts: web::Data::new(admin::AllowedHosts::new(&config.host, &config.allow_hosts)),
        ports: web::Data::new(provider_ports),
        max_body: config.max_body,
        body_timeout: config.body_timeout,
    };
    let limits = server::Limits {
        workers: config.worker_count(),
        max_connections: config.max_connections,
        header_timeout: config.header_timeout,
    };
    let server = server::serve(parts, listeners, &limits)?;
    sandbox.core.webhooks.spawn_sender()?;
    spawn_ticker(Arc::downgrade(&sandbox));
    Ok(Running {
        addr,
        provider_addrs,
        sandbox,
        server,
    })
}

/// Fires due steps and webhook retries as real time passes; stops when the sandbox is gone.
fn spawn_ticker(sandbox: std::sync::Weak<Sandbox>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(StdDuration::from_millis(50));
        loop {
            tick.tick().await;
            match sandbox.upgrade() {
                Some(sandbox) => {
                    sandbox.fire_due();
                    sandbox.core.webhooks.fire_due();
                }
                None => break,
            }
        }
    });
}

/// Serves until Ctrl-C or SIGTERM (in-flight requests finish), printing what is mounted where.
pub async fn run(config: Config) -> Result<(), StartupError> {
    let running = start(&config)?;
    let base = format!("http://{}", local_url_addr(running.addr));
    for provider in &running.sandbox.providers {
        let own = running
            .provider_addrs
            .iter()
            .find(|(name, _)| *name == provider.name())
            .map(|(_, addr)| format!("http://{}   (also ", local_url_addr(*addr)))
            .unwrap_or_default();
        let close = if own.is_empty() { "" } else { ")" };
        println!(
            "{:<8}{own}{base}{}{close}",
            provider.name(),
            provider.mount()
        );
    }
    println!("{:<8}{base}{}", "admin", admin::MOUNT);
    if config.demo {
        // The seed calls the running server, as any client would.
        let server = tokio::spawn(running.server);
        seed_demo(
            &base,
            running.addr,
            &running.provider_addrs,
            &running.sandbox,
        )
        .await;
        server
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))??;
    } else {
        running.server.await?;
    }
    // Served requests have finished: the state is at rest.
    if let Some(path) = &config.state_file {
        let written = running
            .sandbox
            .snapshot()
            .and_then(|snapshot| crate::core::snapshot::file::write(path, &snapshot));
        match written {
            Ok(bytes) => log::info!("state written to {} ({bytes} bytes)", path.display()),
            Err(error) => return Err(StartupError::StateSave { error }),
        }
    }
    Ok(())
}

/// `serve --demo`: seeds every provider through the server at `addr` (on loopback when it
/// listens on every address, since the admin API answers local names only), then prints the
/// dashboard URL and each provider's base URL, credentials and data. A failed seed is logged;
/// the sandbox goes on serving. A sandbox restored with tenants is not seeded again.
async fn seed_demo(
    base: &str,
    addr: SocketAddr,
    provider_addrs: &[(&'static str, SocketAddr)],
    sandbox: &Sandbox,
) {
    let dashboard = format!("{base}{}/", admin::MOUNT);
    // A state file brought the sandbox back with data (the demo's, most likely): seeding again
    // would add a second set beside it.
    if sandbox.providers.iter().any(|p| !p.tenants().is_empty()) {
        say(&format!(
            "\nThe state file already holds tenants, so no demo data was added.\nDashboard: {dashboard}"
        ));
        return;
    }
    let local = local_url_addr(addr);
    let seed = sandbox.core.seed;
    match demo::seed(&format!("http://{local}"), seed).await {
        Ok(seeded) => {
            // Each provider's own port when it has one, as the walkthrough uses them.
            let base_url = |name: &str| {
                provider_addrs
                    .iter()
                    .find(|(provider, _)| *provider == name)
                    .map(|(_, addr)| format!("http://{}", local_url_addr(*addr)))
                    .or_else(|| {
                        let provider = sandbox.provider(name)?;
                        Some(format!("{base}{}", provider.mount()))
                    })
                    .unwrap_or_default()
            };
            say(&demo::report(&dashboard, seed, &seeded, base_url));
        }
        Err(e) => log::error!("{e}"),
    }
}

/// Prints a line for the person who started the sandbox; a closed stdout (the reader went away)
/// is no reason to stop serving.
fn say(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{text}");
}

#[cfg(test)]
mod tests {
    use super::local_url_addr;

    #[test]
    fn printed_urls_name_loopback_for_an_unspecified_listen_address() {
        let url = |addr: &str| local_url_addr(addr.parse().unwrap()).to_string();
        assert_eq!(url("0.0.0.0:4747"), "127.0.0.1:4747");
        assert_eq!(url("[::]:4747"), "[::1]:4747");
        assert_eq!(url("192.168.1.5:4747"), "192.168.1.5:4747");
        assert_eq!(url("127.0.0.1:4747"), "127.0.0.1:4747");
    }
}
