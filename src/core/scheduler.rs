//! Timeline steps waiting for the sandbox clock, across all providers and tenants.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use parking_lot::Mutex;

use super::tenant::TenantId;

/// "At `at`, the resource `kind`/`id` of `tenant` at `provider` should check its timeline run `run_id`."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub at: DateTime<Utc>,
    pub provider: &'static str,
    pub tenant: TenantId,
    pub kind: &'static str,
    pub id: String,
    pub run_id: u64,
}

#[derive(Debug, PartialEq, Eq)]
struct Queued {
    at: DateTime<Utc>,
    seq: u64,
    job: Job,
}

impl Ord for Queued {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Default)]
pub struct Scheduler {
    queue: Mutex<BinaryHeap<Reverse<Queued>>>,
    seq: AtomicU64,
    runs: AtomicU64,
}

impl Scheduler {
    /// A fresh id for a timeline run; jobs of replaced runs no longer match and are skipped.
    pub fn next_run_id(&self) -> u64 {
        self.runs.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub fn schedule(&self, job: Job) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        self.queue.lock().push(Reverse(Queued {
            at: job.at,
            seq,
            job,
        }));
    }

    /// The earliest job due at or before `now`; equal instants come out in scheduling order.
    pub fn pop_due(&self, now: DateTime<Utc>) -> Option<Job> {
        let mut queue = self.queue.lock();
        match queue.peek() {
            Some(Reverse(q)) if q.at <= now => queue.pop().map(|Reverse(q)| q.job),
            _ => None,
        }
    }

    pub fn pending(&self) -> usize {
        self.queue.lock().len()
    }

    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.queue.lock().peek().map(|Reverse(q)| q.at)
    }

    /// The jobs waiting for one resource, earliest first (a linear scan: for the admin API).
    pub fn pending_for(&self, provider: &str, tenant: &TenantId, id: &str) -> Vec<Job> {
        let queue = self.queue.lock();
        let mut jobs: Vec<&Queued> = queue
            .iter()
            .map(|Reverse(q)| q)
            .filter(|q| q.job.provider == provider && &q.job.tenant == tenant && q.job.id == id)
            .collect();
        jobs.sort();
        jobs.into_iter().map(|q| q.job.clone()).collect()
    }

    pub fn clear(&self) {
        self.queue.lock().clear();
    }

    /// Every scheduled job in firing order, and the last run id handed out, for a snapshot.
    pub fn saved(&self) -> (Vec<Job>, u64) {
        let mut queued: Vec<(DateTime<Utc>, u64, Job)> = self
            .queue
            .lock()
            .iter()
            .map(|Reverse(q)| (q.at, q.seq, q.job.clone()))
            .collect();
        queued.sort_by_key(|(at, seq, _)| (*at, *seq));
        let jobs = queued.into_iter().map(|(_, _, job)| job).collect();
        (jobs, self.runs.load(Ordering::Relaxed))
    }

    /// Replaces every job with `jobs` (in firing order); run ids continue after `runs`.
    pub fn restore(&self, jobs: Vec<Job>, runs: u64) {
        let mut queue = self.queue.lock();
        queue.clear();
        for job in jobs {
            let seq = self.seq.fetch_add(1, Ordering::Relaxed);
            queue.push(Reverse(Queued {
                at: job.at,
                seq,
                job,
            }));
        }
        self.runs.fetch_max(runs, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn job(at: DateTime<Utc>, id: &str) -> Job {
        Job {
            at,
            provider: "demo",
            tenant: TenantId::parse("demo-1"),
            kind: "thing",
            id: id.into(),
            run_id: 1,
        }
    }

    #[test]
    fn pops_in_time_then_insertion_order() {
        let s = Scheduler::default();
        let t = Utc::now();
        s.schedule(job(t + Duration::seconds(5), "late"));
        s.schedule(job(t, "first"));
        s.schedule(job(t, "second"));
        assert_eq!(s.pop_due(t).unwrap().id, "first");
        assert_eq!(s.pop_due(t).unwrap().id, "second");
        assert!(s.pop_due(t).is_none());
        assert_eq!(s.next_due(), Some(t + Duration::seconds(5)));
        let waiting = s.pending_for("demo", &TenantId::parse("demo-1"), "late");
        assert_eq!(waiting.len(), 1);
        assert!(s
            .pending_for("demo", &TenantId::parse("demo-2"), "late")
            .is_empty());
        assert_eq!(s.pop_due(t + Duration::seconds(5)).unwrap().id, "late");
        assert_eq!(s.pending(), 0);
    }
}
