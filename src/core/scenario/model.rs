//! The scenario model: when a scenario applies, and the timeline of steps it plays.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use chrono::Duration;
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};

/// A provider's typed step effect (the `set:` of a step) and the events its scenarios hook into.
pub trait Effect: DeserializeOwned + Serialize + Send + Sync + 'static {
    const PROVIDER: &'static str;
    const EVENTS: &'static [EventSchema];

    /// Rules about the sequence of steps as a whole; an error names the offending step's index.
    fn check_timeline(_steps: &[&Self]) -> Result<(), (usize, String)> {
        Ok(())
    }
}

/// An event a scenario can be attached to (`on:`), and the request facts its `when:` may test.
#[derive(Debug)]
pub struct EventSchema {
    pub name: &'static str,
    pub facts: &'static [&'static str],
}

/// A loaded scenario; `set` values were checked against the provider's effect type at load.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub name: String,
    pub provider: String,
    pub on: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub priority: i32,
    pub when: BTreeMap<String, Matcher>,
    /// Applies only when named (`X-Sandbox-Scenario` and the like), never by its `when`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub forced_only: bool,
    pub timeline: Vec<Step>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    #[serde(flatten)]
    pub trigger: Trigger,
    pub set: serde_json::Value,
}

/// When a step is due, counted from the moment the previous step applied (or the timeline started).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Immediately,
    #[serde(serialize_with = "serialize_seconds")]
    After(Duration),
    AfterReads(u32),
}

fn serialize_seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{}ms", d.num_milliseconds()))
}

/// One condition of `when:`. A scalar means "equals" (case-insensitive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Matcher {
    Equals(Scalar),
    Rule(Rule),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Text(String),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Text(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Rule {
    Prefix(String),
    Suffix(String),
    Contains(String),
    OneOf(Vec<Scalar>),
}

impl Matcher {
    /// True when the value satisfies the condition; text comparisons ignore ASCII case.
    pub fn matches(&self, value: &str) -> bool {
        let (value, text) = (value.as_bytes(), value);
        match self {
            Matcher::Equals(s) => s.equals_ignoring_case(text),
            Matcher::Rule(Rule::Prefix(p)) => value
                .get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p.as_bytes())),
            Matcher::Rule(Rule::Suffix(p)) => value
                .len()
                .checked_sub(p.len())
                .is_some_and(|at| value[at..].eq_ignore_ascii_case(p.as_bytes())),
            Matcher::Rule(Rule::Contains(p)) => {
                p.is_empty()
                    || value
                        .windows(p.len())
                        .any(|w| w.eq_ignore_ascii_case(p.as_bytes()))
            }
            Matcher::Rule(Rule::OneOf(options)) => {
                options.iter().any(|o| o.equals_ignoring_case(text))
            }
        }
    }
}

impl Scalar {
    /// Whether `value` is this scalar written out, ignoring ASCII case.
    fn equals_ignoring_case(&self, value: &str) -> bool {
        match self {
            Scalar::Text(s) => s.eq_ignore_ascii_case(value),
            Scalar::Bool(b) => value.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            Scalar::Int(i) => value == i.to_string(),
        }
    }
}

/// Request data a scenario is chosen by. A fact may hold several values (e.g. every uploaded file
/// name); a condition holds when any of them matches.
#[derive(Debug, Default, Clone)]
pub struct Facts<'a>(Vec<(&'static str, Cow<'a, str>)>);

impl<'a> Facts<'a> {
    pub fn add(&mut self, name: &'static str, value: impl Into<Cow<'a, str>>) -> &mut Self {
        self.0.push((name, value.into()));
        self
    }

    /// The values of the facts named in `names`, each with its name's place there.
    pub(super) fn among(&self, names: &[String]) -> Vec<(usize, &str)> {
        self.0
            .iter()
            .filter_map(|(fact, value)| {
                let at = names.iter().position(|name| name == fact)?;
                Some((at, value.as_ref()))
            })
            .collect()
    }
}

/// The file form of a scenario, typed by the provider's effect so that `check` reports bad
/// `set:` values with their line and column.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound = "E: Effect")]
pub(super) struct ScenarioDoc<E> {
    pub name: String,
    pub provider: String,
    pub on: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub priority: i32,
    #[serde(default)]
    pub when: BTreeMap<String, Matcher>,
    #[serde(default)]
    pub forced_only: bool,
    pub timeline: Vec<StepDoc<E>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound = "E: Effect")]
pub(super) struct StepDoc<E> {
    #[serde(default, deserialize_with = "deserialize_delay")]
    pub after: Option<Duration>,
    #[serde(default)]
    pub after_reads: Option<u32>,
    pub set: E,
    #[serde(default)]
    #[allow(dead_code)]
    pub note: Option<String>,
}

/// The longest delay a step may have: ten years on the sandbox clock.
const MAX_DELAY_MS: u128 = 10 * 366 * 24 * 3600 * 1000;

/// `30s`, `500ms`, `2m`, `1h 30m` (humantime) or a number of seconds.
fn deserialize_delay<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Delay {
        Seconds(u64),
        Text(String),
    }
    let millis = match Delay::deserialize(d)? {
        Delay::Seconds(s) => u128::from(s) * 1000,
        Delay::Text(text) => humantime::parse_duration(&text)
            .map_err(|e| {
                de::Error::custom(format!(
                    "invalid delay `{text}`: {e} (try `30s`, `2m`, `1h`)"
                ))
            })?
            .as_millis(),
    };
    if millis > MAX_DELAY_MS {
        return Err(de::Error::custom("delay is too long (at most 10 years)"));
    }
    Ok(Some(Duration::milliseconds(millis as i64)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers() {
        let text = |s: &str| Scalar::Text(s.into());
        assert!(Matcher::Equals(text("PRK")).matches("prk"));
        assert!(!Matcher::Equals(text("PRK")).matches("PRKX"));
        assert!(Matcher::Equals(Scalar::Int(1)).matches("1"));
        assert!(Matcher::Rule(Rule::Prefix("reject".into())).matches("Reject-passport.jpg"));
        assert!(Matcher::Rule(Rule::Suffix(".pdf".into())).matches("a.PDF"));
        assert!(Matcher::Rule(Rule::Contains("stuck".into())).matches("my-stuck-file.png"));
        assert!(Matcher::Rule(Rule::OneOf(vec![text("a"), text("b")])).matches("B"));
        assert!(!Matcher::Rule(Rule::OneOf(vec![text("a")])).matches("c"));
    }

    #[test]
    fn matcher_yaml_forms() {
        let m: Matcher = serde_yaml_ng::from_str("{prefix: \"0000\"}").unwrap();
        assert_eq!(m, Matcher::Rule(Rule::Prefix("0000".into())));
        let m: Matcher = serde_yaml_ng::from_str("[a]")
            .map_err(|_| ())
            .unwrap_or(Matcher::Equals(Scalar::Bool(false)));
        assert_eq!(m, Matcher::Equals(Scalar::Bool(false)));
        let m: Matcher = serde_yaml_ng::from_str("{one_of: [PRK, IRN]}").unwrap();
        assert!(m.matches("irn"));
    }

    #[test]
    fn rules_ignore_ascii_case_and_never_split_a_character() {
        let rule = |yaml: &str| serde_yaml_ng::from_str::<Matcher>(yaml).unwrap();
        assert!(rule("{prefix: REJ}").matches("reject-me"));
        assert!(!rule("{prefix: reject-me-please}").matches("reject-me"));
        assert!(rule("{suffix: .PDF}").matches("scan.pdf"));
        assert!(!rule("{suffix: scan.pdf}").matches(".pdf"));
        assert!(rule("{contains: FAIL}").matches("will-fail-soon"));
        assert!(rule("{contains: ''}").matches("anything"));
        assert!(!rule("{contains: é}").matches("e"));
        assert!(rule("{prefix: é}").matches("école"));
        assert!(!rule("{prefix: e}").matches("école"));
        assert!(rule("42").matches("42"));
        assert!(!rule("42").matches("042"));
        assert!(rule("true").matches("TRUE"));
    }
}
