//! The scenarios in force and the sandbox clock, with their buttons.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::html::{action, esc, scalar, time};
use super::{page, Section};
use crate::core::Sandbox;

/// `GET /__admin/ui/scenarios`.
pub(crate) async fn scenarios(sandbox: web::Data<Sandbox>) -> HttpResponse {
    let set = sandbox.core.scenarios();
    let mut rows = String::new();
    for s in set.summaries() {
        let s = json!(s);
        let when = if s["forced_only"] == json!(true) {
            "named only (X-Sandbox-Scenario)".to_owned()
        } else {
            s["when"].to_string()
        };
        rows.push_str(&format!(
            r#"<tr><td><code>{name}</code></td><td>{provider}</td><td><code>{on}</code></td><td><code>{when}</code></td><td>{priority}</td><td>{description}</td></tr>"#,
            name = esc(&scalar(&s["name"])),
            provider = esc(&scalar(&s["provider"])),
            on = esc(&scalar(&s["on"])),
            when = esc(&when),
            priority = s["priority"],
            description = esc(&scalar(&s["description"])),
        ));
    }
    let body = format!(
        r#"<div class="actions">{reload}</div>
<div class="scroll"><table><thead><tr><th>Name</th><th>Provider</th><th>On</th><th>When</th><th>Priority</th><th>What happens</th></tr></thead><tbody>{rows}</tbody></table></div>"#,
        reload = action(
            "Reload scenario files",
            "POST",
            "/__admin/scenarios/reload",
            None,
            ""
        ),
    );
    page(&sandbox, Section::Scenarios, "Scenarios", &body)
}

/// `GET /__admin/ui/clock`.
pub(crate) async fn clock(sandbox: web::Data<Sandbox>) -> HttpResponse {
    let view = sandbox.core.clock.view();
    let advance = |label: &str, duration: &str| {
        action(
            label,
            "POST",
            "/__admin/clock/advance",
            Some(&json!({ "duration": duration })),
            "",
        )
    };
    let toggle = if view.frozen {
        action("Resume", "POST", "/__admin/clock/resume", None, "")
    } else {
        action("Freeze", "POST", "/__admin/clock/freeze", None, "")
    };
    let next_due = sandbox
        .core
        .scheduler
        .next_due()
        .map(|at| time(&json!(at)))
        .unwrap_or_else(|| "nothing scheduled".into());
    let body = format!(
        r#"<dl class="clock">
<dt>Now</dt><dd>{now}</dd>
<dt>State</dt><dd>{state}</dd>
<dt>Ahead of real time by</dt><dd>{offset}</dd>
<dt>Scheduled steps</dt><dd>{pending}</dd>
<dt>Next due</dt><dd>{next_due}</dd>
</dl>
<div class="actions">{m1}{h1}{d1}{toggle}</div>
<form class="advance" data-url="/__admin/clock/advance">
<label>Advance by <input name="duration" placeholder="90s, 2h 30m, 7d" required></label>
<button type="submit">Advance</button>
</form>
<p class="note">Moving the clock applies every timeline step and webhook retry that falls due, in order, before answering.</p>"#,
        now = time(&json!(view.now)),
        state = if view.frozen {
            "frozen: only moves when advanced"
        } else {
            "running"
        },
        offset = esc(
            &humantime::format_duration(std::time::Duration::from_millis(
                view.offset_ms.max(0) as u64
            ))
            .to_string()
        ),
        pending = sandbox.core.scheduler.pending(),
        m1 = advance("+1 min", "1m"),
        h1 = advance("+1 h", "1h"),
        d1 = advance("+1 day", "1d"),
    );
    page(&sandbox, Section::Clock, "Clock", &body)
}
