//! Scenarios decide outcomes: which one applies to a resource, and the timeline it then plays.

mod candidates;
mod faults_file;
mod loader;
mod model;
mod timeline;

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;

use self::candidates::Candidates;

type Fast = foldhash::fast::RandomState;

pub use loader::{parse_document, parse_scenario, schema_for, LoadError, ScenarioSchema, Source};
pub use model::{Effect, EventSchema, Facts, Matcher, Rule, Scalar, Scenario, Step, Trigger};
pub use timeline::{Due, DueSteps, Progress, TimelineRun};

/// Every scenario in force. Later sources override earlier ones with the same name, so a file in
/// `--scenarios DIR` replaces the built-in of that name.
#[derive(Debug, Default)]
pub struct ScenarioSet {
    by_name: IndexMap<String, Arc<Scenario>>,
    /// By provider, then event: looked up without building a key, on every create that starts a
    /// review, so with foldhash rather than SipHash (the keys are the sandbox's own names).
    by_event: HashMap<String, HashMap<String, Candidates, Fast>, Fast>,
    /// The rules of faults files, each with its file's path, in load order.
    faults: Vec<(String, crate::core::faults::FaultSpec)>,
}

#[derive(Debug, Serialize)]
pub struct ScenarioSummary<'a> {
    pub name: &'a str,
    pub provider: &'a str,
    pub on: &'a str,
    pub priority: i32,
    pub when: &'a std::collections::BTreeMap<String, Matcher>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub forced_only: bool,
    pub steps: usize,
    pub description: Option<&'a str>,
    pub source: &'a str,
}

impl ScenarioSet {
    pub fn load(
        schemas: &[Box<dyn ScenarioSchema>],
        sources: &[Source],
    ) -> Result<Self, Vec<LoadError>> {
        let mut errors = Vec::new();
        let mut by_name = IndexMap::new();
        let mut faults = Vec::new();
        let providers: Vec<&str> = schemas.iter().map(|s| s.provider()).collect();
        for source in sources {
            if let Some(rules) = faults_file::parse_faults(source, &providers) {
                match rules {
                    Ok(rules) => faults.extend(rules.into_iter().map(|r| (source.path.clone(), r))),
                    Err(e) => errors.push(e),
                }
                continue;
            }
            match parse_scenario(schemas, source) {
                Ok(scenario) => {
                    by_name.insert(scenario.name.clone(), Arc::new(scenario));
                }
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut by_event: HashMap<String, HashMap<String, Vec<Arc<Scenario>>, Fast>, Fast> =
            HashMap::default();
        for scenario in by_name.values() {
            by_event
                .entry(scenario.provider.clone())
                .or_default()
                .entry(scenario.on.clone())
                .or_default()
                .push(scenario.clone());
        }
        let by_event = by_event
            .into_iter()
            .map(|(provider, events)| {
                let events = events
                    .into_iter()
                    .map(|(on, mut scenarios)| {
                        scenarios.sort_by(|a, b| {
                            b.priority
                                .cmp(&a.priority)
                                .then_with(|| a.name.cmp(&b.name))
                        });
                        (on, Candidates::new(scenarios))
                    })
                    .collect();
                (provider, events)
            })
            .collect();
        Ok(ScenarioSet {
            by_name,
            by_event,
            faults,
        })
    }

    /// The fault rules of faults files, each with the path of its file.
    pub fn faults(&self) -> &[(String, crate::core::faults::FaultSpec)] {
        &self.faults
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Scenario>> {
        self.by_name.get(name)
    }

    pub fn summaries(&self) -> impl Iterator<Item = ScenarioSummary<'_>> {
        self.by_name.values().map(|s| ScenarioSummary {
            name: &s.name,
            provider: &s.provider,
            on: &s.on,
            priority: s.priority,
            when: &s.when,
            forced_only: s.forced_only,
            steps: s.timeline.len(),
            description: s.description.as_deref(),
            source: &s.source,
        })
    }

    /// The scenario for this event: the one named by `forced` (the `X-Sandbox-Scenario` header),
    /// else the highest-priority one whose `when` holds.
    pub fn select(
        &self,
        provider: &str,
        on: &str,
        facts: &Facts,
        forced: Option<&str>,
    ) -> Result<Option<Arc<Scenario>>, UnknownScenario> {
        if let Some(name) = forced {
            return match self.by_name.get(name) {
                Some(s) if s.provider == provider && s.on == on => Ok(Some(s.clone())),
                _ => Err(UnknownScenario {
                    name: name.to_owned(),
                    provider: provider.to_owned(),
                    on: on.to_owned(),
                }),
            };
        }
        let candidates = self
            .by_event
            .get(provider)
            .and_then(|events| events.get(on));
        Ok(candidates.and_then(|c| c.first_met(facts)).cloned())
    }
}

#[derive(Debug, thiserror::Error)]
#[error(
    "no scenario named `{name}` applies to {provider} event `{on}` (see GET /__admin/scenarios)"
)]
pub struct UnknownScenario {
    pub name: String,
    pub provider: String,
    pub on: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    struct Noop {}

    impl Effect for Noop {
        const PROVIDER: &'static str = "demo";
        const EVENTS: &'static [EventSchema] = &[EventSchema {
            name: "start",
            facts: &["country", "file_name"],
        }];
    }

    fn source(name: &str, priority: i32, when: &str) -> Source {
        Source {
            path: format!("{name}.yaml"),
            text: format!(
                "name: {name}\nprovider: demo\non: start\npriority: {priority}\nwhen: {when}\ntimeline: [{{set: {{}}}}]\n"
            ),
        }
    }

    /// The name of the scenario `set` picks for the demo event.
    fn picked(set: &ScenarioSet, facts: &Facts, forced: Option<&str>) -> String {
        let scenario = set.select("demo", "start", facts, forced).unwrap();
        scenario.expect("a scenario applies").name.clone()
    }

    #[test]
    fn selects_by_priority_then_default_and_forced() {
        let set = ScenarioSet::load(
            &[schema_for::<Noop>()],
            &[
                source("default", -100, "{}"),
                source("sanctioned", 10, "{country: {one_of: [PRK, IRN]}}"),
                source("also-prk", 5, "{country: PRK}"),
            ],
        )
        .unwrap();
        let mut facts = Facts::default();
        facts.add("country", "PRK");
        let pick = |facts: &Facts, forced| picked(&set, facts, forced);
        assert_eq!(pick(&facts, None), "sanctioned");
        assert_eq!(pick(&Facts::default(), None), "default");
        assert_eq!(pick(&Facts::default(), Some("also-prk")), "also-prk");
        assert!(set.select("demo", "start", &facts, Some("nope")).is_err());
        assert!(set.select("demo", "other", &facts, None).unwrap().is_none());
    }

    #[test]
    fn a_condition_holds_for_any_value_every_condition_must_hold_and_forced_only_waits() {
        let mut forced_only = source("hidden", 100, "{}");
        forced_only.text.push_str("forced_only: true\n");
        let set = ScenarioSet::load(
            &[schema_for::<Noop>()],
            &[
                source("default", -100, "{}"),
                source("both", 10, "{country: PRK, file_name: {prefix: reject-}}"),
                source("any-file", 5, "{file_name: {suffix: .pdf}}"),
                forced_only,
            ],
        )
        .unwrap();
        let pick = |facts: &Facts, forced| picked(&set, facts, forced);
        let mut facts = Facts::default();
        facts
            .add("file_name", "scan.jpg")
            .add("file_name", "reject-me.PDF");
        assert_eq!(pick(&facts, None), "any-file");
        facts.add("country", "prk");
        assert_eq!(pick(&facts, None), "both");
        assert_eq!(pick(&facts, Some("hidden")), "hidden");
        let mut elsewhere = Facts::default();
        elsewhere
            .add("country", "FRA")
            .add("file_name", "reject-x.jpg");
        assert_eq!(pick(&elsewhere, None), "default");
    }

    #[test]
    fn later_sources_override_and_errors_are_collected() {
        let set = ScenarioSet::load(
            &[schema_for::<Noop>()],
            &[source("a", 0, "{}"), source("a", 7, "{}")],
        )
        .unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.get("a").unwrap().priority, 7);
        let errors = ScenarioSet::load(
            &[schema_for::<Noop>()],
            &[
                source("x", 0, "{colour: red}"),
                source("y", 0, "{planet: mars}"),
            ],
        )
        .unwrap_err();
        assert_eq!(errors.len(), 2);
    }
}
