//! A resource's progress through its scenario's timeline.

use std::cell::Cell;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::model::{Effect, Scenario, Step, Trigger};

/// Lives inside the resource it drives, so each resource follows its own timeline and a step is
/// applied under the same lock as the rest of the resource's state.
#[derive(Debug, Clone)]
pub struct TimelineRun {
    pub scenario: Arc<Scenario>,
    /// Distinguishes this run from earlier ones on the same resource, so stale scheduled steps are ignored.
    pub run_id: u64,
    next: usize,
    anchor: DateTime<Utc>,
    /// A counter no render shows, so a read answered from what was kept of an earlier one
    /// (`core::read_cache`, which only sees the state read-only) still counts.
    reads: Cell<u32>,
    /// The step whose due time was last handed out, so polling never schedules it twice.
    announced: Option<usize>,
}

/// The steps that fell due, in order, each with the instant it applies at. They stay in their
/// scenario: a step's `set` is only read, never copied.
pub struct DueSteps {
    scenario: Arc<Scenario>,
    due: Vec<(usize, DateTime<Utc>)>,
}

impl DueSteps {
    pub fn is_empty(&self) -> bool {
        self.due.is_empty()
    }

    pub fn len(&self) -> usize {
        self.due.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Step, DateTime<Utc>)> {
        self.due
            .iter()
            .map(|&(index, at)| (&self.scenario.timeline[index], at))
    }

    /// Each due step's effect in the provider's type. Effects were checked when the scenario
    /// loaded, so one that does not parse is a bug: it is logged and skipped.
    pub fn effects<E: Effect>(&self) -> impl Iterator<Item = (E, DateTime<Utc>)> + '_ {
        self.iter()
            .filter_map(|(step, at)| match E::deserialize(&step.set) {
                Ok(effect) => Some((effect, at)),
                Err(e) => {
                    log::error!(
                        "{}: scenario step was validated at load but does not parse: {e}",
                        E::PROVIDER
                    );
                    None
                }
            })
    }
}

/// When the next pending step is due on the clock, if it waits for time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub at: DateTime<Utc>,
    pub run_id: u64,
}

#[derive(Debug, Serialize)]
pub struct Progress<'a> {
    pub scenario: &'a str,
    pub next_step: usize,
    pub steps: usize,
    pub reads_since_last_step: u32,
}

/// A run as a snapshot keeps it: the scenario by name (scenarios are files, not state).
#[derive(Serialize, serde::Deserialize)]
struct SavedRun {
    scenario: String,
    run_id: u64,
    next: usize,
    anchor: DateTime<Utc>,
    reads: u32,
    announced: Option<usize>,
}

impl Serialize for TimelineRun {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SavedRun {
            scenario: self.scenario.name.clone(),
            run_id: self.run_id,
            next: self.next,
            anchor: self.anchor,
            reads: self.reads.get(),
            announced: self.announced,
        }
        .serialize(s)
    }
}

/// Read back from a snapshot: the scenario must be among those in force.
impl<'de> serde::Deserialize<'de> for TimelineRun {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let saved = SavedRun::deserialize(d)?;
        let scenarios = crate::core::snapshot::context()
            .map(|c| c.scenarios)
            .ok_or_else(|| serde::de::Error::custom("no scenarios to resume a timeline in"))?;
        let scenario = scenarios.get(&saved.scenario).cloned().ok_or_else(|| {
            serde::de::Error::custom(format!(
                "the scenario `{}` a resource is playing is not loaded",
                saved.scenario
            ))
        })?;
        if saved.next > scenario.timeline.len() {
            return Err(serde::de::Error::custom(format!(
                "the scenario `{}` has fewer steps than the snapshot's run",
                saved.scenario
            )));
        }
        Ok(TimelineRun {
            scenario,
            run_id: saved.run_id,
            next: saved.next,
            anchor: saved.anchor,
            reads: Cell::new(saved.reads),
            announced: saved.announced,
        })
    }
}

impl TimelineRun {
    pub fn start(scenario: Arc<Scenario>, run_id: u64, now: DateTime<Utc>) -> Self {
        TimelineRun {
            scenario,
            run_id,
            next: 0,
            anchor: now,
            reads: Cell::new(0),
            announced: None,
        }
    }

    pub fn is_finished(&self) -> bool {
        self.next >= self.scenario.timeline.len()
    }

    pub fn progress(&self) -> Progress<'_> {
        Progress {
            scenario: &self.scenario.name,
            next_step: self.next,
            steps: self.scenario.timeline.len(),
            reads_since_last_step: self.reads.get(),
        }
    }

    /// Counts a read of the resource (a client polling it).
    pub fn record_read(&self) {
        self.reads.set(self.reads.get().saturating_add(1));
    }

    /// Whether the next step waits for reads, so that a read may take it.
    pub fn waits_for_reads(&self) -> bool {
        self.scenario
            .timeline
            .get(self.next)
            .is_some_and(|step| matches!(step.trigger, Trigger::AfterReads(_)))
    }

    /// Takes every step that is due at `now`, in order, each with the instant it fell due, and
    /// returns them with when the following step is due (for the scheduler), if it waits for time.
    pub fn take_due(&mut self, now: DateTime<Utc>) -> (DueSteps, Option<Due>) {
        let mut due_steps = DueSteps {
            scenario: self.scenario.clone(),
            due: Vec::new(),
        };
        while let Some(step) = self.scenario.timeline.get(self.next) {
            let at = match step.trigger {
                Trigger::Immediately => self.anchor,
                Trigger::After(delay) => {
                    let at = self
                        .anchor
                        .checked_add_signed(delay)
                        .unwrap_or(DateTime::<Utc>::MAX_UTC);
                    if at > now {
                        let fresh = self.announced != Some(self.next);
                        self.announced = Some(self.next);
                        let due = fresh.then_some(Due {
                            at,
                            run_id: self.run_id,
                        });
                        return (due_steps, due);
                    }
                    at
                }
                Trigger::AfterReads(reads) if self.reads.get() >= reads => now,
                Trigger::AfterReads(_) => break,
            };
            due_steps.due.push((self.next, at));
            self.next += 1;
            self.anchor = at;
            self.reads.set(0);
        }
        (due_steps, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use std::collections::BTreeMap;

    fn scenario(triggers: &[Trigger]) -> Arc<Scenario> {
        Arc::new(Scenario {
            name: "t".into(),
            provider: "demo".into(),
            on: "start".into(),
            description: None,
            priority: 0,
            when: BTreeMap::new(),
            forced_only: false,
            timeline: triggers
                .iter()
                .enumerate()
                .map(|(i, t)| Step {
                    trigger: *t,
                    set: serde_json::json!(i),
                })
                .collect(),
            source: "t.yaml".into(),
        })
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn time_steps_fire_at_their_own_instants() {
        let mut run = TimelineRun::start(
            scenario(&[
                Trigger::After(Duration::seconds(30)),
                Trigger::After(Duration::seconds(60)),
            ]),
            1,
            t0(),
        );
        let (steps, due) = run.take_due(t0() + Duration::seconds(10));
        assert!(steps.is_empty());
        assert_eq!(
            due,
            Some(Due {
                at: t0() + Duration::seconds(30),
                run_id: 1
            })
        );
        assert_eq!(
            run.take_due(t0() + Duration::seconds(11)).1,
            None,
            "announced once"
        );
        let (steps, due) = run.take_due(t0() + Duration::hours(1));
        let instants: Vec<_> = steps.iter().map(|(_, at)| at).collect();
        assert_eq!(
            instants,
            vec![t0() + Duration::seconds(30), t0() + Duration::seconds(90)]
        );
        assert_eq!(due, None);
        assert!(run.is_finished());
    }

    #[test]
    fn read_steps_wait_for_reads() {
        let mut run = TimelineRun::start(
            scenario(&[
                Trigger::Immediately,
                Trigger::AfterReads(2),
                Trigger::After(Duration::seconds(5)),
            ]),
            9,
            t0(),
        );
        assert!(!run.waits_for_reads(), "the first step is immediate");
        let (steps, due) = run.take_due(t0());
        assert_eq!(steps.len(), 1);
        assert_eq!(due, None);
        assert!(run.waits_for_reads());
        run.record_read();
        assert!(run.take_due(t0()).0.is_empty());
        run.record_read();
        let later = t0() + Duration::seconds(3);
        let (steps, due) = run.take_due(later);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps.iter().next().map(|(_, at)| at), Some(later));
        assert_eq!(due.unwrap().at, later + Duration::seconds(5));
        assert!(!run.waits_for_reads(), "the last step waits for time");
    }
}
