//! The scenarios one provider event can pick, ready to be matched against a request's facts.

use std::sync::Arc;

use super::model::{Facts, Matcher, Scenario};

/// The scenarios an event can pick by their `when`, highest priority first. Each condition names
/// its fact by its place in `names`, so a pick compares each fact's name once rather than once per
/// condition (a Rebilly document has some twenty scenarios, nearly all testing `file_name`).
#[derive(Debug, Default)]
pub(super) struct Candidates {
    names: Vec<String>,
    scenarios: Vec<Candidate>,
}

#[derive(Debug)]
struct Candidate {
    scenario: Arc<Scenario>,
    conditions: Vec<(usize, Matcher)>,
}

impl Candidates {
    /// `scenarios` in the order they are tried; forced-only ones are left out, as only their
    /// name picks them.
    pub(super) fn new(scenarios: impl IntoIterator<Item = Arc<Scenario>>) -> Self {
        let mut names: Vec<String> = Vec::new();
        let scenarios = scenarios
            .into_iter()
            .filter(|s| !s.forced_only)
            .map(|scenario| {
                let conditions = scenario
                    .when
                    .iter()
                    .map(|(name, matcher)| {
                        let at = names.iter().position(|n| n == name).unwrap_or_else(|| {
                            names.push(name.clone());
                            names.len() - 1
                        });
                        (at, matcher.clone())
                    })
                    .collect();
                Candidate {
                    scenario,
                    conditions,
                }
            })
            .collect();
        Candidates { names, scenarios }
    }

    /// The first scenario each of whose conditions some value of its fact meets.
    pub(super) fn first_met(&self, facts: &Facts) -> Option<&Arc<Scenario>> {
        let tested = facts.among(&self.names);
        self.scenarios
            .iter()
            .find(|candidate| {
                candidate.conditions.iter().all(|(fact, matcher)| {
                    tested
                        .iter()
                        .any(|(name, value)| name == fact && matcher.matches(value))
                })
            })
            .map(|candidate| &candidate.scenario)
    }
}
