//! Configuration from flags and environment variables, with defaults that just work.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::core::ClockMode;

#[derive(Debug, Parser)]
#[command(
    name = "kyc-sandbox",
    version,
    about = "Local, deterministic emulator of KYC provider APIs"
)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every provider (the default).
    Serve(Box<Config>),
    /// Validate scenario and fixture files; prints file:line:column errors, exits 1 on any.
    Check(CheckArgs),
    /// List the scenarios in force.
    Scenarios(ScenarioArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Directory of scenario files to check (with `scenarios/` and `fixtures/` subdirectories,
    /// each is checked as such). Without it, the embedded defaults are checked.
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// Directory of scenario files that add to or override the built-in ones.
    #[arg(long, env = "KYC_SANDBOX_SCENARIOS")]
    pub scenarios: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "KYC_SANDBOX_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on; 0 picks a free port.
    #[arg(long, env = "KYC_SANDBOX_PORT", default_value_t = 4747)]
    pub port: u16,
    /// Rebilly also at the root of this port (default 4748, or a free one when `--port 0`).
    #[arg(long, env = "KYC_SANDBOX_PORT_REBILLY")]
    pub port_rebilly: Option<u16>,
    /// KYCAID also at the root of this port (default 4749, or a free one when `--port 0`).
    #[arg(long, env = "KYC_SANDBOX_PORT_KYCAID")]
    pub port_kycaid: Option<u16>,
    /// ZealID Hermes also at the root of this port (default 4750, or a free one when `--port 0`).
    #[arg(long, env = "KYC_SANDBOX_PORT_HERMES")]
    pub port_hermes: Option<u16>,
    /// Qolo also at the root of this port (default 4751, or a free one when `--port 0`).
    #[arg(long, env = "KYC_SANDBOX_PORT_QOLO")]
    pub port_qolo: Option<u16>,
    /// Sumvin also at the root of this port (default 4752, or a free one when `--port 0`).
    #[arg(long, env = "KYC_SANDBOX_PORT_SUMVIN")]
    pub port_sumvin: Option<u16>,
    /// Serve every provider on the main port only, under its prefix.
    #[arg(long, env = "KYC_SANDBOX_NO_PROVIDER_PORTS")]
    pub no_provider_ports: bool,
    /// Seed for ids and fake data; the same seed gives the same values. Random when unset.
    #[arg(long, env = "KYC_SANDBOX_SEED")]
    pub seed: Option<u64>,
    /// Directory of scenario files that add to or override the built-in ones.
    #[arg(long, env = "KYC_SANDBOX_SCENARIOS")]
    pub scenarios: Option<PathBuf>,
    /// Directory of fixture files that replace the built-in ones of the same name.
    #[arg(long, env = "KYC_SANDBOX_FIXTURES")]
    pub fixtures: Option<PathBuf>,
    /// `real`, `frozen` (at start time) or `frozen:2026-01-01T00:00:00Z`.
    #[arg(long, env = "KYC_SANDBOX_CLOCK", default_value = "real")]
    pub clock: ClockMode,
    /// How many recent requests the journal keeps.
    #[arg(long, env = "KYC_SANDBOX_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,
    /// How many outbound webhook deliveries are kept (the oldest finished ones go first).
    #[arg(long, env = "KYC_SANDBOX_WEBHOOK_LOG_SIZE", default_value_t = 1000)]
    pub webhook_log_size: usize,
    /// Where Rebilly sends every `kyc-*` event of every organization, besides the webhooks each
    /// organization configures.
    #[arg(long, env = "KYC_SANDBOX_REBILLY_WEBHOOK_URL")]
    pub rebilly_webhook_url: Option<String>,
    /// Rebilly customers come to exist when a KYC document, request or login first names them,
    /// instead of needing `POST /customers` or `PUT /customers/{id}` first (the sandbox's older
    /// behaviour; real Rebilly refuses an unknown customer).
    #[arg(long, env = "KYC_SANDBOX_REBILLY_IMPLICIT_CUSTOMERS")]
    pub rebilly_implicit_customers: bool,
    /// Where KYCAID sends the callbacks of verifications that have no `callback_url` of their own
    /// (KYCAID's dashboard setting).
    #[arg(long, env = "KYC_SANDBOX_KYCAID_CALLBACK_URL")]
    pub kycaid_callback_url: Option<String>,
    /// Largest request body accepted, in bytes; larger ones get 413 in the provider's format.
    #[arg(long, env = "KYC_SANDBOX_MAX_BODY", default_value_t = 10 * 1024 * 1024)]
    pub max_body: usize,
    /// Largest body `POST /__admin/snapshot/restore` accepts, in bytes; larger ones get 413.
    /// Default: the larger of `--max-body` and twice `--max-stored-bytes` plus 16 MiB (stored files
    /// travel base64-encoded in a snapshot).
    #[arg(long, env = "KYC_SANDBOX_MAX_SNAPSHOT_BODY")]
    pub max_snapshot_body: Option<usize>,
    /// Most bytes of uploaded files kept in all; uploads beyond it get 507 in the provider's format.
    #[arg(long, env = "KYC_SANDBOX_MAX_STORED_BYTES", default_value_t = crate::core::storage::DEFAULT_TOTAL)]
    pub max_stored_bytes: u64,
    /// Most bytes of uploaded files kept for one tenant (credential).
    #[arg(long, env = "KYC_SANDBOX_MAX_TENANT_STORED_BYTES", default_value_t = crate::core::storage::DEFAULT_PER_TENANT)]
    pub max_tenant_stored_bytes: u64,
    /// How long a request body may take to arrive in full; a slower one gets 408 in the
    /// provider's format (e.g. `10s`, `500ms`).
    #[arg(long, env = "KYC_SANDBOX_BODY_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub body_timeout: Duration,
    /// How long a client may take to send the request line and headers; a slower one gets 408.
    #[arg(long, env = "KYC_SANDBOX_HEADER_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    pub header_timeout: Duration,
    /// Most connections served at once; further clients wait to be accepted.
    #[arg(long, env = "KYC_SANDBOX_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// Host names the admin API answers besides localhost names and the listen address (repeat
    /// the flag, or comma-separate in the env var); `*` allows any.
    #[arg(
        long = "allow-host",
        env = "KYC_SANDBOX_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    pub allow_hosts: Vec<String>,
    /// A ZealID Hermes client besides those in fixtures: `ID:SECRET[:REDIRECT_BASE,…]` (repeat the
    /// flag, or separate clients with `;` in the env var).
    #[arg(
        long = "hermes-client",
        env = "KYC_SANDBOX_HERMES_CLIENTS",
        value_delimiter = ';'
    )]
    pub hermes_clients: Vec<String>,
    /// Seed every provider with demo tenants and customers in every interesting state (through
    /// their own APIs, names from `--seed`), then print the dashboard URL and credentials.
    #[arg(long, env = "KYC_SANDBOX_DEMO")]
    pub demo: bool,
    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "KYC_SANDBOX_WORKERS")]
    pub workers: Option<usize>,
    /// Keep the whole state in this file: loaded at start (when it exists), written on graceful
    /// shutdown and on `POST /__admin/snapshot`.
    #[arg(long, env = "KYC_SANDBOX_STATE_FILE")]
    pub state_file: Option<PathBuf>,
}

impl Config {
    /// `--workers`, else one per core this process may run on.
    pub fn worker_count(&self) -> usize {
        self.workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .max(1)
    }

    /// The largest snapshot restore body: `--max-snapshot-body`, else the larger of `--max-body`
    /// and twice `--max-stored-bytes` plus 16 MiB, so a downloaded snapshot can be posted back.
    pub fn snapshot_body_limit(&self) -> usize {
        self.max_snapshot_body.unwrap_or_else(|| {
            let stored = usize::try_from(self.max_stored_bytes).unwrap_or(usize::MAX);
            stored
                .saturating_mul(2)
                .saturating_add(16 * 1024 * 1024)
                .max(self.max_body)
        })
    }

    /// The port `provider` is also served on at its root, unless provider ports are off: the
    /// flag's, else its default, else (with `--port 0`, as parallel test suites start it) a free one.
    pub fn provider_port(&self, provider: &str) -> Option<u16> {
        if self.no_provider_ports {
            return None;
        }
        let (chosen, default) = match provider {
            "rebilly" => (self.port_rebilly, 4748),
            "kycaid" => (self.port_kycaid, 4749),
            "hermes" => (self.port_hermes, 4750),
            "qolo" => (self.port_qolo, 4751),
            "sumvin" => (self.port_sumvin, 4752),
            _ => return None,
        };
        Some(chosen.unwrap_or(if self.port == 0 { 0 } else { default }))
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 4747,
            port_rebilly: None,
            port_kycaid: None,
            port_hermes: None,
            port_qolo: None,
            port_sumvin: None,
            no_provider_ports: false,
            seed: None,
            scenarios: None,
            fixtures: None,
            clock: ClockMode::Real,
            journal_size: 1000,
            webhook_log_size: crate::core::webhooks::DEFAULT_LOG_SIZE,
            rebilly_webhook_url: None,
            rebilly_implicit_customers: false,
            kycaid_callback_url: None,
            max_body: 10 * 1024 * 1024,
            max_snapshot_body: None,
            max_stored_bytes: crate::core::storage::DEFAULT_TOTAL,
            max_tenant_stored_bytes: crate::core::storage::DEFAULT_PER_TENANT,
            body_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(5),
            max_connections: 1024,
            allow_hosts: Vec::new(),
            hermes_clients: Vec::new(),
            demo: false,
            workers: None,
            state_file: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_invocation_serves_with_defaults() {
        let cli = Cli::try_parse_from(["kyc-sandbox"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.port, 4747);
        assert_eq!(cli.serve.clock, ClockMode::Real);
    }

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from([
            "kyc-sandbox",
            "serve",
            "--port",
            "0",
            "--seed",
            "7",
            "--clock",
            "frozen",
        ])
        .unwrap();
        let Some(Command::Serve(config)) = cli.command else {
            panic!("serve expected")
        };
        assert_eq!(
            (config.port, config.seed, config.clock),
            (0, Some(7), ClockMode::Frozen(None))
        );
        assert!(Cli::try_parse_from(["kyc-sandbox", "--clock", "sundial"]).is_err());
    }
}
