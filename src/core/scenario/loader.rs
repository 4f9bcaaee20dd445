//! Reads scenario files (YAML or JSON) and checks them against the provider's schema, reporting
//! every problem as `file:line:column: message`.

use std::marker::PhantomData;

use serde::Deserialize;
use thiserror::Error;

use super::model::{Effect, EventSchema, Scenario, ScenarioDoc, Step, Trigger};

#[derive(Debug, Clone)]
pub struct Source {
    pub path: String,
    pub text: String,
}

impl Source {
    fn is_json(&self) -> bool {
        self.path.ends_with(".json")
    }
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{path}:{line}:{column}: {message}")]
pub struct LoadError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl LoadError {
    pub fn at(source: &Source, (line, column): (usize, usize), message: impl Into<String>) -> Self {
        LoadError {
            path: source.path.clone(),
            line,
            column,
            message: message.into(),
        }
    }

    /// Points at the first place `key` appears as a YAML or JSON key, else at the top.
    pub(super) fn near(source: &Source, key: &str, message: impl Into<String>) -> Self {
        let position = source
            .text
            .lines()
            .enumerate()
            .find_map(|(i, line)| key_column(line, key).map(|column| (i + 1, column)))
            .unwrap_or((1, 1));
        Self::at(source, position, message)
    }
}

/// 1-based column of `key` used as a mapping key on this line (`key:` or `"key":`).
fn key_column(line: &str, key: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut from = 0;
    while let Some(found) = line[from..].find(key) {
        let start = from + found;
        let end = start + key.len();
        let quoted = start > 0 && bytes[start - 1] == b'"' && bytes.get(end) == Some(&b'"');
        let (token_start, after) = if quoted {
            (start - 1, end + 1)
        } else {
            (start, end)
        };
        let boundary =
            token_start == 0 || matches!(bytes[token_start - 1], b' ' | b'{' | b',' | b'-' | b'\t');
        let colon = line[after..].trim_start().starts_with(':');
        if boundary && colon {
            return Some(token_start + 1);
        }
        from = end;
    }
    None
}

/// Parses a whole document of type `T` from YAML or JSON with positions on error.
pub fn parse_document<T: serde::de::DeserializeOwned>(source: &Source) -> Result<T, LoadError> {
    if source.is_json() {
        serde_json::from_str(&source.text).map_err(|e| {
            LoadError::at(
                source,
                (e.line(), e.column()),
                strip_position(&e.to_string()),
            )
        })
    } else {
        serde_yaml_ng::from_str(&source.text).map_err(|e| {
            let position = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            LoadError::at(source, position, strip_position(&e.to_string()))
        })
    }
}

/// serde's messages end with their own " at line X column Y"; ours lead with it instead.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// What one provider's scenarios may contain.
pub trait ScenarioSchema: Send + Sync {
    fn provider(&self) -> &'static str;
    fn events(&self) -> &'static [EventSchema];
    fn parse(&self, source: &Source) -> Result<Scenario, LoadError>;
}

pub struct TypedSchema<E>(PhantomData<fn() -> E>);

pub fn schema_for<E: Effect>() -> Box<dyn ScenarioSchema> {
    Box::new(TypedSchema::<E>(PhantomData))
}

impl<E: Effect> ScenarioSchema for TypedSchema<E> {
    fn provider(&self) -> &'static str {
        E::PROVIDER
    }

    fn events(&self) -> &'static [EventSchema] {
        E::EVENTS
    }

    fn parse(&self, source: &Source) -> Result<Scenario, LoadError> {
        let doc: ScenarioDoc<E> = parse_document(source)?;
        if doc.name.trim().is_empty() {
            return Err(LoadError::near(source, "name", "`name` must not be empty"));
        }
        let event = E::EVENTS.iter().find(|e| e.name == doc.on).ok_or_else(|| {
            let known: Vec<_> = E::EVENTS.iter().map(|e| e.name).collect();
            LoadError::near(
                source,
                "on",
                format!(
                    "unknown event `{}` for {}; expected one of: {}",
                    doc.on,
                    E::PROVIDER,
                    known.join(", ")
                ),
            )
        })?;
        if let Some(fact) = doc.when.keys().find(|k| !event.facts.contains(&k.as_str())) {
            return Err(LoadError::near(
                source,
                fact,
                format!(
                    "`when` tests unknown fact `{fact}` for event `{}`; available: {}",
                    event.name,
                    event.facts.join(", ")
                ),
            ));
        }
        let effects: Vec<&E> = doc.timeline.iter().map(|s| &s.set).collect();
        if let Err((index, message)) = E::check_timeline(&effects) {
            return Err(LoadError::near(
                source,
                "timeline",
                format!("timeline[{index}]: {message}"),
            ));
        }
        let mut timeline = Vec::with_capacity(doc.timeline.len());
        for (index, step) in doc.timeline.into_iter().enumerate() {
            let trigger = match (step.after, step.after_reads) {
                (Some(_), Some(_)) => {
                    return Err(LoadError::near(
                        source,
                        "after_reads",
                        format!("timeline[{index}]: `after` and `after_reads` cannot both be set"),
                    ))
                }
                (Some(delay), None) => Trigger::After(delay),
                (None, Some(0)) | (None, None) => Trigger::Immediately,
                (None, Some(reads)) => Trigger::AfterReads(reads),
            };
            let set = serde_json::to_value(&step.set).map_err(|e| {
                LoadError::near(source, "set", format!("timeline[{index}].set: {e}"))
            })?;
            timeline.push(Step { trigger, set });
        }
        Ok(Scenario {
            name: doc.name,
            provider: doc.provider,
            on: doc.on,
            description: doc.description,
            priority: doc.priority,
            when: doc.when,
            forced_only: doc.forced_only,
            timeline,
            source: source.path.clone(),
        })
    }
}

#[derive(Deserialize)]
struct Head {
    provider: Option<String>,
}

/// Finds the schema named by the file's `provider:` and parses the file with it.
pub fn parse_scenario(
    schemas: &[Box<dyn ScenarioSchema>],
    source: &Source,
) -> Result<Scenario, LoadError> {
    let head: Head = parse_document(source)?;
    let provider = head
        .provider
        .ok_or_else(|| LoadError::at(source, (1, 1), "missing field `provider`"))?;
    let schema = schemas
        .iter()
        .find(|s| s.provider() == provider)
        .ok_or_else(|| {
            let known: Vec<_> = schemas.iter().map(|s| s.provider()).collect();
            LoadError::near(
                source,
                "provider",
                format!(
                    "unknown provider `{provider}`; expected one of: {}",
                    known.join(", ")
                ),
            )
        })?;
    schema.parse(source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct TestEffect {
        status: TestStatus,
    }

    #[derive(Debug, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum TestStatus {
        Approved,
        Rejected,
    }

    impl Effect for TestEffect {
        const PROVIDER: &'static str = "demo";
        const EVENTS: &'static [EventSchema] = &[EventSchema {
            name: "review.started",
            facts: &["file_name", "country"],
        }];
    }

    fn load(path: &str, text: &str) -> Result<Scenario, LoadError> {
        parse_scenario(
            &[schema_for::<TestEffect>()],
            &Source {
                path: path.into(),
                text: text.into(),
            },
        )
    }

    const GOOD: &str = "name: demo-reject
provider: demo
on: review.started
priority: 5
when:
  file_name: { prefix: reject }
timeline:
  - after: 30s
    set: { status: rejected }
  - after_reads: 2
    set: { status: approved }
  - set: { status: approved }
";

    #[test]
    fn parses_a_good_file() {
        let s = load("good.yaml", GOOD).unwrap();
        assert_eq!(s.name, "demo-reject");
        assert_eq!(s.priority, 5);
        assert_eq!(
            s.timeline[0].trigger,
            Trigger::After(chrono::Duration::seconds(30))
        );
        assert_eq!(s.timeline[1].trigger, Trigger::AfterReads(2));
        assert_eq!(s.timeline[2].trigger, Trigger::Immediately);
        assert_eq!(s.timeline[0].set, serde_json::json!({"status": "rejected"}));
    }

    #[test]
    fn json_files_work_too() {
        let s = load(
            "good.json",
            r#"{"name":"j","provider":"demo","on":"review.started","timeline":[{"after":5,"set":{"status":"approved"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            s.timeline[0].trigger,
            Trigger::After(chrono::Duration::seconds(5))
        );
    }

    #[test]
    fn bad_enum_in_set_is_located() {
        let err = load(
            "bad.yaml",
            &GOOD.replace("status: rejected", "status: maybe"),
        )
        .unwrap_err();
        assert_eq!((err.path.as_str(), err.line), ("bad.yaml", 9));
        assert!(err.message.contains("unknown variant `maybe`"), "{err}");
        assert!(err.to_string().starts_with("bad.yaml:9:"), "{err}");
    }

    #[test]
    fn semantic_errors_are_located() {
        let err = load(
            "e.yaml",
            &GOOD.replace("on: review.started", "on: review.finished"),
        )
        .unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("unknown event `review.finished`"));

        let err = load("f.yaml", &GOOD.replace("file_name:", "colour:")).unwrap_err();
        assert_eq!((err.line, err.column), (6, 3));
        assert!(err.message.contains("unknown fact `colour`"), "{err}");

        let err = load("p.yaml", &GOOD.replace("provider: demo", "provider: acme")).unwrap_err();
        assert_eq!(err.line, 2);

        let err = load("d.yaml", &GOOD.replace("after: 30s", "after: soon")).unwrap_err();
        assert!(err.message.contains("invalid delay `soon`"), "{err}");
        let err = load("d.yaml", &GOOD.replace("after: 30s", "after: 300000years")).unwrap_err();
        assert!(err.message.contains("delay is too long"), "{err}");
        let ok = load("d.yaml", &GOOD.replace("after: 30s", "after: 500ms")).unwrap();
        assert_eq!(
            ok.timeline[0].trigger,
            Trigger::After(chrono::Duration::milliseconds(500))
        );

        let err = load(
            "x.yaml",
            &GOOD.replace("priority: 5", "priority: 5\ncolour: red"),
        )
        .unwrap_err();
        assert!(err.message.contains("unknown field `colour`"), "{err}");
        assert_eq!(err.line, 5);
    }

    #[test]
    fn keys_are_found_in_flow_and_json_forms() {
        assert_eq!(
            key_column(" \"when\": {\"colour\": \"red\"},", "colour"),
            Some(11)
        );
        assert_eq!(key_column("when: { colour: red }", "colour"), Some(9));
        assert_eq!(key_column("name: colourful", "colour"), None);
        assert_eq!(key_column("  - after_reads: 2", "after_reads"), Some(5));
    }

    #[test]
    fn syntax_errors_are_located() {
        let err = load("s.yaml", "name: [unclosed\nprovider: demo\n").unwrap_err();
        assert!(err.line >= 1 && err.column >= 1);
        let err = load("s.json", "{\"name\": \"x\",\n \"provider\": }").unwrap_err();
        assert_eq!(err.line, 2);
    }
}
