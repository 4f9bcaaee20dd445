//! Provider-agnostic machinery. Nothing in here names a provider.

pub mod assets;
pub mod clock;
pub mod events;
pub mod fake;
pub mod faults;
pub mod fields;
pub mod http;
pub mod ids;
pub mod journal;
pub mod json_out;
pub mod jwt;
pub mod media;
pub mod provider;
pub mod read_cache;
pub mod resource;
pub mod scenario;
pub mod scheduler;
pub mod snapshot;
pub mod storage;
pub mod store;
pub mod tenant;
pub mod tenant_cell;
pub mod time_text;
pub mod validate;
pub mod webhooks;
pub mod wire_enum;

use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

pub use clock::{Clock, ClockMode};
pub use ids::SeededRng;
pub use journal::Journal;
pub use provider::{
    mount_provider, Decidable, Provider, ReviewAction, TransitionError, TransitionRequest,
};
pub use scenario::{LoadError, ScenarioSchema, ScenarioSet};
pub use scheduler::{Job, Scheduler};
pub use tenant::{TenantId, TenantInfo, TenantMap, TenantState, TenantStore};
pub use webhooks::{Dispatcher, Outbound, RetryPolicy};
pub(crate) use wire_enum::wire_enum;

/// What providers share: the clock, the scheduler, scenarios, the journal, outbound webhooks,
/// the seed.
pub struct Core {
    pub clock: Arc<Clock>,
    pub scheduler: Scheduler,
    pub journal: Arc<Journal>,
    pub webhooks: Arc<Dispatcher>,
    /// Fault rules in force (admin API, faults files).
    pub faults: Arc<faults::Faults>,
    /// What changed, for whoever watches (`GET /__admin/events`).
    pub events: Arc<events::Events>,
    /// Uploaded bytes, bounded in total and per tenant.
    pub storage: storage::Storage,
    /// Per provider, a URL that receives every event of every tenant (`--<provider>-webhook-url`).
    pub default_webhook_urls: std::collections::HashMap<&'static str, String>,
    pub seed: u64,
    pub scenarios_dir: Option<PathBuf>,
    pub fixtures_dir: Option<PathBuf>,
    schemas: Vec<Box<dyn ScenarioSchema>>,
    scenarios: RwLock<Arc<ScenarioSet>>,
    /// `--state-file`: where `POST /__admin/snapshot` and a graceful shutdown write the state.
    pub state_file: Option<PathBuf>,
    /// The main port's origin (`http://127.0.0.1:4747`), once bound: what links in webhooks,
    /// which leave outside any request, are absolute against.
    origin: std::sync::OnceLock<String>,
}

impl Core {
    pub fn new(
        clock: Clock,
        journal_size: usize,
        seed: u64,
        scenarios_dir: Option<PathBuf>,
        fixtures_dir: Option<PathBuf>,
        schemas: Vec<Box<dyn ScenarioSchema>>,
        scenarios: ScenarioSet,
    ) -> Self {
        let clock = Arc::new(clock);
        let faults = Arc::new(faults::Faults::new(seed));
        faults.replace_from_files(scenarios.faults().to_vec(), clock.now());
        let events = Arc::new(events::Events::default());
        Core {
            default_webhook_urls: Default::default(),
            webhooks: Arc::new(
                Dispatcher::new(
                    clock.clone(),
                    RetryPolicy::default(),
                    webhooks::DEFAULT_LOG_SIZE,
                )
                .with_faults(faults.clone())
                .with_events(events.clone()),
            ),
            faults,
            clock,
            storage: storage::Storage::default(),
            scheduler: Scheduler::default(),
            journal: Arc::new(Journal::new(journal_size).with_events(events.clone())),
            events,
            seed,
            scenarios_dir,
            fixtures_dir,
            schemas,
            scenarios: RwLock::new(Arc::new(scenarios)),
            state_file: None,
            origin: std::sync::OnceLock::new(),
        }
    }

    /// Records the main port's origin; the first call wins.
    pub fn set_origin(&self, origin: String) {
        let _ = self.origin.set(origin);
    }

    /// The main port's origin, or `""` before the server is bound (links are then relative).
    pub fn origin(&self) -> &str {
        self.origin.get().map_or("", String::as_str)
    }

    /// Replaces the webhook dispatcher with one keeping `capacity` deliveries (before any is sent).
    pub fn with_webhook_log(mut self, capacity: usize) -> Self {
        self.webhooks = Arc::new(
            Dispatcher::new(self.clock.clone(), self.webhooks.policy().clone(), capacity)
                .with_faults(self.faults.clone())
                .with_events(self.events.clone()),
        );
        self
    }

    /// Bounds uploaded bytes to `total` in all and `per_tenant` for each tenant.
    pub fn with_storage_limits(mut self, total: u64, per_tenant: u64) -> Self {
        self.storage = storage::Storage::new(total, per_tenant);
        self
    }

    /// Keeps the state in `path` (`--state-file`).
    pub fn with_state_file(mut self, path: Option<PathBuf>) -> Self {
        self.state_file = path;
        self
    }

    /// Sends every event of `provider` to `url` too.
    pub fn with_default_webhook(mut self, provider: &'static str, url: Option<String>) -> Self {
        if let Some(url) = url {
            self.default_webhook_urls.insert(provider, url);
        }
        self
    }

    pub fn scenarios(&self) -> Arc<ScenarioSet> {
        self.scenarios.read().clone()
    }

    /// Re-reads built-in and `--scenarios` files; on any error the scenarios in force stay.
    pub fn reload_scenarios(&self) -> Result<usize, Vec<LoadError>> {
        let fresh = load_scenarios(&self.schemas, self.scenarios_dir.as_deref())?;
        let count = fresh.len();
        self.faults
            .replace_from_files(fresh.faults().to_vec(), self.clock.now());
        *self.scenarios.write() = Arc::new(fresh);
        Ok(count)
    }

    /// Takes the steps of `run` due at `now` (each with its own instant) and schedules the next
    /// timed one for the resource `kind`/`id` of `tenant` at `provider`.
    pub fn take_due_steps(
        &self,
        run: &mut scenario::TimelineRun,
        now: chrono::DateTime<chrono::Utc>,
        provider: &'static str,
        tenant: &TenantId,
        kind: &'static str,
        id: &str,
    ) -> scenario::DueSteps {
        let (steps, due) = run.take_due(now);
        if let Some(due) = due {
            self.scheduler.schedule(Job {
                at: due.at,
                provider,
                tenant: tenant.clone(),
                kind,
                id: id.to_owned(),
                run_id: due.run_id,
            });
        }
        steps
    }

    /// The random stream for one tenant (or any other named scope).
    pub fn rng_for(&self, scope: &str) -> SeededRng {
        SeededRng::derive(self.seed, scope)
    }
}

pub fn load_scenarios(
    schemas: &[Box<dyn ScenarioSchema>],
    dir: Option<&std::path::Path>,
) -> Result<ScenarioSet, Vec<LoadError>> {
    let sources = assets::scenario_sources(dir).map_err(|e| {
        vec![LoadError {
            path: dir.map(|d| d.display().to_string()).unwrap_or_default(),
            line: 0,
            column: 0,
            message: e.to_string(),
        }]
    })?;
    ScenarioSet::load(schemas, &sources)
}

/// What one clock advance set off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advanced {
    /// Timeline steps applied.
    pub steps: usize,
    /// Webhook retries that fell due and were started.
    pub webhook_retries: usize,
}

/// The core plus the providers mounted on it: what the admin API and the ticker drive.
pub struct Sandbox {
    pub core: Arc<Core>,
    pub providers: Vec<Arc<dyn Provider>>,
    firing: Mutex<()>,
}

impl Sandbox {
    pub fn new(core: Arc<Core>, providers: Vec<Arc<dyn Provider>>) -> Self {
        Sandbox {
            core,
            providers,
            firing: Mutex::new(()),
        }
    }

    pub fn provider(&self, name: &str) -> Option<&Arc<dyn Provider>> {
        self.providers.iter().find(|p| p.name() == name)
    }

    /// Applies every scheduled step due by now, earliest first. Cheap when nothing is due, so
    /// every request calls it before touching state.
    pub fn fire_due(&self) -> usize {
        let now = self.core.clock.now();
        if self.core.scheduler.next_due().is_none_or(|due| due > now) {
            return 0;
        }
        self.fire_all_due()
    }

    /// Like `fire_due`, but always waits for the firing lock, so a step another caller already
    /// took off the queue has been applied when this returns. One caller fires at a time.
    fn fire_all_due(&self) -> usize {
        let _one_at_a_time = self.firing.lock();
        let now = self.core.clock.now();
        let mut fired = 0;
        while let Some(job) = self.core.scheduler.pop_due(now) {
            if let Some(provider) = self.provider(job.provider) {
                provider.fire(&job);
                fired += 1;
                self.core.events.publish(|| events::Event::State {
                    provider: job.provider,
                    tenant: Some(job.tenant),
                    kind: job.kind.to_owned(),
                    id: job.id,
                    cause: events::Cause::Scheduled,
                });
            }
        }
        fired
    }

    fn announce_clock(&self) {
        self.core.events.publish(|| {
            let view = self.core.clock.view();
            events::Event::Clock {
                now: view.now,
                frozen: view.frozen,
            }
        });
    }

    /// Stops the clock (`POST /__admin/clock/freeze`).
    pub fn freeze(&self) {
        self.core.clock.freeze();
        self.announce_clock();
    }

    /// Lets time flow again and applies what fell due (`POST /__admin/clock/resume`).
    pub fn resume(&self) {
        self.core.clock.resume();
        self.announce_clock();
        self.fire_due();
    }

    /// Forces a resource's state (`POST /__admin/transitions`) and announces the change.
    pub fn transition(
        &self,
        provider: &Arc<dyn Provider>,
        request: &TransitionRequest,
    ) -> Result<serde_json::Value, TransitionError> {
        let resource = provider.transition(request)?;
        self.core.events.publish(|| events::Event::State {
            provider: provider.name(),
            tenant: request.tenant.as_deref().map(TenantId::parse),
            kind: request.kind.clone(),
            id: request.id.clone(),
            cause: events::Cause::Transition,
        });
        Ok(resource)
    }

    /// Moves the clock and applies, in order, everything that fell due before returning; then
    /// starts the webhook retries that fell due (their attempts run in the background). Returns
    /// how many timeline steps were applied and how many webhook retries were started.
    pub fn advance(&self, by: chrono::Duration) -> Result<Advanced, clock::ClockError> {
        self.core.clock.advance(by)?;
        self.announce_clock();
        let steps = self.fire_all_due();
        let webhook_retries = self.core.webhooks.fire_due();
        Ok(Advanced {
            steps,
            webhook_retries,
        })
    }

    pub fn reset(&self, tenant: Option<&TenantId>) -> usize {
        if tenant.is_none() {
            // Before the providers, so a review started meanwhile keeps its newly scheduled step.
            self.core.scheduler.clear();
        }
        let removed = self.providers.iter().map(|p| p.reset(tenant)).sum();
        self.core.journal.clear(tenant);
        self.core.webhooks.clear(tenant);
        self.core.events.publish(|| events::Event::Reset {
            tenant: tenant.cloned(),
        });
        removed
    }
}
