//! The fault rules in force, with a form that adds or edits one and buttons that remove them.
//! The form is sent by the dashboard script as the JSON a test would send to
//! `POST /__admin/faults` (or `PUT /__admin/faults/{id}` when editing); the API validates it.

use actix_web::{web, HttpResponse};

use super::html::{action, esc, seg, time};
use super::{page, Section};
use crate::core::faults::{Effect, RuleView, DEFAULT_HOLD, ERROR_STATUSES};
use crate::core::Sandbox;

/// `GET /__admin/ui/faults`.
pub(crate) async fn faults(sandbox: web::Data<Sandbox>) -> HttpResponse {
    let rules = sandbox.core.faults.list();
    let list = if rules.is_empty() {
        r#"<p class="empty">No fault rules: every request is served as usual.</p>"#.to_owned()
    } else {
        let rows: String = rules.iter().map(row).collect();
        format!(
            r#"<div class="scroll"><table class="stack" id="faults"><thead><tr><th>Rule</th><th>Matches</th><th>Effect</th><th>Probability</th><th>Times</th><th>Hits</th><th>Source</th><th></th></tr></thead><tbody>{rows}</tbody></table></div>"#
        )
    };
    let clear = if rules.is_empty() {
        String::new()
    } else {
        action(
            "Remove all rules",
            "DELETE",
            "/__admin/faults",
            None,
            "danger confirm",
        )
    };
    let body = format!(
        r#"<div class="actions">{clear}</div>
{list}
{form}
<p class="note">Rules are tried in order; the first that matches and hits applies. Editing a rule keeps its id and place and starts its counters again. Rules are configuration: a reset or a snapshot restore keeps them.</p>"#,
        form = form(&sandbox),
    );
    page(&sandbox, Section::Faults, "Faults", &body)
}

/// One rule as a table row; its Edit button carries the rule as the API takes it, for the form.
fn row(rule: &RuleView) -> String {
    let spec = &rule.spec;
    let conditions: String = [
        ("provider", &spec.provider),
        ("method", &spec.method),
        ("path", &spec.path),
        ("tenant", &spec.tenant),
        ("event", &spec.event),
    ]
    .iter()
    .filter_map(|(name, value)| {
        value.as_deref().map(|v| {
            format!(
                r#"<span class="kv"><b>{name}</b><code>{}</code></span>"#,
                esc(v)
            )
        })
    })
    .collect();
    let conditions = if conditions.is_empty() {
        "every request".to_owned()
    } else {
        conditions
    };
    let times = match (spec.times, rule.remaining) {
        (Some(times), Some(left)) => format!("{times} ({left} left)"),
        (Some(times), None) => times.to_string(),
        _ => "unlimited".to_owned(),
    };
    let description = spec
        .description
        .as_deref()
        .map(|d| format!(r#"<div class="note">{}</div>"#, esc(d)))
        .unwrap_or_default();
    let spec_json = serde_json::to_string(spec).unwrap_or_default();
    format!(
        r#"<tr data-id="{id}"><td><code>{id}</code><div><small>{created}</small></div></td><td>{conditions}{description}</td><td class="effect">{effect}</td><td>{probability}</td><td>{times}</td><td class="hits" title="requests hit / requests that matched">{hits} / {matched}</td><td>{source}</td><td class="row-actions"><button type="button" class="small" data-edit="{rule_url}" data-spec="{spec}">Edit</button>{delete}</td></tr>"#,
        id = esc(&rule.id),
        created = time(&serde_json::json!(rule.created_at)),
        effect = esc(&effect_text(&spec.effect)),
        probability = spec.probability,
        hits = rule.hits,
        matched = rule.matched,
        source = esc(&rule.source),
        rule_url = rule_url(&rule.id),
        spec = esc(&spec_json),
        delete = action(
            "Delete",
            "DELETE",
            &rule_url(&rule.id),
            None,
            "small confirm"
        ),
    )
}

fn rule_url(id: &str) -> String {
    format!("/__admin/faults/{}", seg(id))
}

/// What an effect does, in a few words.
fn effect_text(effect: &Effect) -> String {
    match effect {
        Effect::Latency { ms, max_ms: None } => format!("latency {ms} ms"),
        Effect::Latency {
            ms,
            max_ms: Some(max),
        } => format!("latency {ms}–{max} ms"),
        Effect::Error {
            status,
            retry_after,
            message,
        } => {
            let mut text = format!("error {status}");
            if let Some(seconds) = retry_after {
                text.push_str(&format!(", Retry-After {seconds} s"));
            }
            if let Some(message) = message {
                text.push_str(&format!(": {message}"));
            }
            text
        }
        Effect::Drop => "drop the connection".to_owned(),
        Effect::Timeout { ms } => format!(
            "timeout after {} ms",
            ms.unwrap_or(DEFAULT_HOLD.as_millis() as u64)
        ),
        Effect::WebhookFailure { status: Some(s) } => format!("webhook failure {s}"),
        Effect::WebhookFailure { status: None } => "webhook failure (connection refused)".into(),
    }
}

/// The add/edit form. Each effect's parameters sit in a fieldset the script shows when that
/// effect is chosen; empty fields are left out, so the API's defaults apply (probability 1,
/// unlimited times). `novalidate`: the admin API is the one judge of a rule, and its message is
/// what the page shows.
fn form(sandbox: &Sandbox) -> String {
    let providers: String = sandbox
        .providers
        .iter()
        .map(|p| format!("<option>{}</option>", esc(p.name())))
        .collect();
    let statuses: String = ERROR_STATUSES
        .iter()
        .map(|s| {
            let selected = if *s == 503 { " selected" } else { "" };
            format!("<option{selected}>{s}</option>")
        })
        .collect();
    let effects: String = [
        Effect::Latency {
            ms: 0,
            max_ms: None,
        },
        Effect::Error {
            status: 503,
            retry_after: None,
            message: None,
        },
        Effect::Drop,
        Effect::Timeout { ms: None },
        Effect::WebhookFailure { status: None },
    ]
    .iter()
    .map(|e| format!("<option>{}</option>", e.name()))
    .collect();
    format!(
        r#"<form class="fault" id="fault-form" data-keep data-method="POST" data-url="/__admin/faults" novalidate>
<h2 data-title-add="Add a rule" data-title-edit="Edit rule">Add a rule</h2>
<div class="fields">
<label>Provider <select name="provider"><option value="">any</option>{providers}</select></label>
<label>Method <input name="method" placeholder="any" size="7"></label>
<label>Path <input name="path" placeholder="/applicants/*"></label>
<label>Tenant <input name="tenant" placeholder="any"></label>
<label>Probability <input name="probability" type="number" step="0.05" value="1" size="5"></label>
<label>Times <input name="times" type="number" placeholder="unlimited" size="7"></label>
<label>Effect <select name="effect">{effects}</select></label>
</div>
<div class="fields" data-effect="latency"><label>ms <input name="latency_ms" type="number" value="300" size="7"></label><label>up to ms (a range) <input name="latency_max_ms" type="number" placeholder="fixed" size="7"></label></div>
<div class="fields" data-effect="error"><label>Status <select name="error_status">{statuses}</select></label><label>Retry-After (s, 429/503) <input name="error_retry_after" type="number" size="5"></label><label>Message <input name="error_message" placeholder="the provider's default"></label></div>
<div class="fields" data-effect="timeout"><label>Hold ms <input name="timeout_ms" type="number" placeholder="{hold}" size="7"></label></div>
<div class="fields" data-effect="webhook_failure"><label>Receiver status <input name="webhook_status" type="number" placeholder="refused" size="5"></label><label>Event <input name="event" placeholder="any"></label></div>
<div class="fields"><label class="wide">Description <input name="description" placeholder="shown in this list"></label></div>
<p class="form-error" role="alert" hidden></p>
<div class="actions"><button type="submit" class="good">Add rule</button><button type="reset" class="cancel" hidden>Cancel edit</button></div>
</form>"#,
        hold = DEFAULT_HOLD.as_millis(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_in_words() {
        assert_eq!(
            effect_text(&Effect::Latency {
                ms: 100,
                max_ms: Some(500)
            }),
            "latency 100–500 ms"
        );
        assert_eq!(
            effect_text(&Effect::Error {
                status: 429,
                retry_after: Some(2),
                message: None
            }),
            "error 429, Retry-After 2 s"
        );
        assert_eq!(
            effect_text(&Effect::Timeout { ms: None }),
            "timeout after 30000 ms"
        );
    }
}
