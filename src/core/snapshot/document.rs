//! The snapshot document: its versioned format, taking one from a sandbox and putting one back.

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::mode::{restoring, Context};
use crate::core::clock::ClockView;
use crate::core::scheduler::Job;
use crate::core::tenant::{SavedTenant, TenantId};
use crate::core::webhooks::SavedLog;
use crate::core::Sandbox;

/// What the `format` field says, so another JSON file is told apart from an old snapshot.
pub const FORMAT: &str = "kyc-sandbox-state";

/// Bumped whenever a snapshot written by this version could not be read back by the next one.
pub const FORMAT_VERSION: u32 = 1;

/// The whole state of a sandbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub format: String,
    pub format_version: u32,
    /// The sandbox version that wrote it (informative).
    pub written_by: String,
    /// When it was taken, on the sandbox clock.
    pub taken_at: DateTime<Utc>,
    pub clock: ClockView,
    /// Per provider: its tenants and what it keeps beside them.
    pub providers: IndexMap<String, ProviderState>,
    pub scheduled_steps: Vec<SavedJob>,
    /// The last timeline run id handed out.
    pub last_run_id: u64,
    pub webhooks: SavedLog,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderState {
    pub tenants: Vec<SavedTenant>,
    #[serde(default)]
    pub extra: serde_json::Value,
}

/// A timeline step waiting for the clock.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedJob {
    pub at: DateTime<Utc>,
    pub provider: String,
    pub tenant: TenantId,
    pub kind: String,
    pub id: String,
    pub run_id: u64,
}

#[derive(Debug, Error)]
pub enum SnapshotError {
    #[error("not a kyc-sandbox snapshot: {0}")]
    Damaged(String),
    #[error("this snapshot has format version {found}; this kyc-sandbox reads version {FORMAT_VERSION} only (take a new snapshot with this version)")]
    Version { found: u64 },
    #[error("the snapshot cannot be restored: {0}")]
    Invalid(String),
    #[error("cannot write the state file {path}: {error}")]
    Write { path: String, error: std::io::Error },
    #[error("cannot read the state file {path}: {error}")]
    Read { path: String, error: std::io::Error },
}

/// Reads a snapshot document, telling a damaged file, another JSON file and another version
/// apart, and naming where a damaged one goes wrong.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
    #[derive(Deserialize)]
    struct Head {
        format: Option<String>,
        format_version: Option<serde_json::Value>,
    }
    let head: Head = serde_json::from_slice(bytes)
        .map_err(|e| SnapshotError::Damaged(format!("not a JSON object ({e})")))?;
    if head.format.as_deref() != Some(FORMAT) {
        return Err(SnapshotError::Damaged(format!(
            "`format` is not \"{FORMAT}\""
        )));
    }
    match head
        .format_version
        .as_ref()
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(found) => return Err(SnapshotError::Version { found }),
        None => {
            return Err(SnapshotError::Damaged(
                "`format_version` is missing or not a number".into(),
            ))
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| SnapshotError::Damaged(format!("at `{}`: {}", e.path(), e.inner())))
}

impl Sandbox {
    /// The whole state now. Each tenant is copied under its own lock, one after another: take it
    /// while no request is changing state for a consistent picture across tenants.
    pub fn snapshot(&self) -> Result<Snapshot, SnapshotError> {
        let invalid = |e: serde_json::Error| SnapshotError::Invalid(e.to_string());
        let mut providers = IndexMap::new();
        for provider in &self.providers {
            let tenants = provider.tenant_store().snapshot().map_err(invalid)?;
            let extra = super::capture(|| provider.snapshot_extra());
            providers.insert(provider.name().to_owned(), ProviderState { tenants, extra });
        }
        let (jobs, last_run_id) = self.core.scheduler.saved();
        Ok(Snapshot {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            written_by: env!("CARGO_PKG_VERSION").to_owned(),
            taken_at: self.core.clock.now(),
            clock: self.core.clock.view(),
            providers,
            scheduled_steps: jobs
                .into_iter()
                .map(|job| SavedJob {
                    at: job.at,
                    provider: job.provider.to_owned(),
                    tenant: job.tenant,
                    kind: job.kind.to_owned(),
                    id: job.id,
                    run_id: job.run_id,
                })
                .collect(),
            last_run_id,
            webhooks: self.core.webhooks.saved(),
        })
    }

    /// Replaces the whole state with `snapshot`'s: every part is read first, and nothing changes
    /// unless all of it can be restored. The journal is cleared (it would describe another state).
    pub fn restore(&self, snapshot: Snapshot) -> Result<(), SnapshotError> {
        let invalid = SnapshotError::Invalid;
        crate::core::clock::Clock::check_restorable(&snapshot.clock).map_err(|_| {
            invalid(format!(
                "its clock offset of {} ms is beyond the 100 years the clock may run ahead or behind",
                snapshot.clock.offset_ms
            ))
        })?;
        let names: Vec<&'static str> = self.providers.iter().map(|p| p.name()).collect();
        if let Some(unknown) = snapshot
            .providers
            .keys()
            .find(|name| !names.contains(&name.as_str()))
        {
            return Err(invalid(format!(
                "it holds state of provider `{unknown}`, which is not mounted here"
            )));
        }
        let jobs = snapshot
            .scheduled_steps
            .into_iter()
            .map(|job| {
                let provider = names
                    .iter()
                    .find(|n| **n == job.provider)
                    .copied()
                    .ok_or_else(|| {
                        invalid(format!(
                            "scheduled step of unknown provider `{}`",
                            job.provider
                        ))
                    })?;
                Ok(Job {
                    at: job.at,
                    provider,
                    tenant: job.tenant,
                    kind: super::intern(&job.kind),
                    id: job.id,
                    run_id: job.run_id,
                })
            })
            .collect::<Result<Vec<_>, SnapshotError>>()?;
        let context = Context {
            storage: self.core.storage.clone(),
            scenarios: self.core.scenarios(),
            tenant: None,
        };
        let mut states = snapshot.providers;
        let mut installs: Vec<Box<dyn FnOnce() + '_>> = Vec::new();
        restoring(context, || {
            for provider in &self.providers {
                let state = states
                    .shift_remove(provider.name())
                    .unwrap_or(ProviderState {
                        tenants: Vec::new(),
                        extra: serde_json::Value::Null,
                    });
                let name = provider.name();
                installs.push(
                    provider
                        .tenant_store()
                        .prepare_restore(name, state.tenants)
                        .map_err(|e| invalid(format!("{name}: {e}")))?,
                );
                if !state.extra.is_null() {
                    installs.push(provider.prepare_extra(state.extra).map_err(invalid)?);
                }
            }
            Ok::<_, SnapshotError>(())
        })?;
        installs.push(
            self.core
                .webhooks
                .prepare_restore(snapshot.webhooks, &names, snapshot.clock.now)
                .map_err(invalid)?,
        );
        let one_at_a_time = self.firing.lock();
        self.core.clock.restore(&snapshot.clock);
        for install in installs {
            install();
        }
        self.core.scheduler.restore(jobs, snapshot.last_run_id);
        self.core.journal.clear(None);
        drop(one_at_a_time);
        // What a full reset and a clock change announce, so an open dashboard reloads everything.
        self.core
            .events
            .publish(|| crate::core::events::Event::Reset { tenant: None });
        self.announce_clock();
        Ok(())
    }
}
