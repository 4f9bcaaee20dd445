//! Small pieces of dashboard markup: escaping, links, badges, buttons that call the admin API.

use serde_json::Value;

pub use crate::core::http::escape_html as esc;

/// `text` as one URL path segment (ids are mostly safe already; this keeps odd ones whole).
pub fn seg(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `text` as a query value.
pub fn query_value(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The colour family of a status word, across providers' vocabularies.
pub fn tone(status: &str) -> &'static str {
    match status.to_ascii_lowercase().as_str() {
        "approved" | "accepted" | "valid" | "completed" | "fulfilled" | "cleared" | "signed"
        | "delivered" | "verified" | "success" | "green" | "active" => "good",
        "rejected" | "declined" | "invalid" | "failed" | "sanctioned" | "pep" | "neglist"
        | "expired" | "abandoned" | "red" => "bad",
        "pending" | "in-progress" | "in_progress" | "new" | "retry" | "retrying" | "gathering"
        | "attempted" | "partial" | "pending-review" | "incomplete" | "unverified" | "unused"
        | "amber" => "wait",
        _ => "neutral",
    }
}

pub fn badge(status: &str) -> String {
    format!(
        r#"<span class="badge {}">{}</span>"#,
        tone(status),
        esc(status)
    )
}

/// An HTTP status as a badge: 2xx good, 4xx waiting on the client, 5xx bad.
pub fn http_badge(status: u16) -> String {
    let tone = match status {
        200..=399 => "good",
        400..=499 => "wait",
        _ => "bad",
    };
    format!(r#"<span class="badge {tone}">{status}</span>"#)
}

/// A button that sends `body` (JSON) to the admin API with `method`, then refreshes the page.
pub fn action(label: &str, method: &str, url: &str, body: Option<&Value>, class: &str) -> String {
    let body = body
        .map(|b| format!(r#" data-body="{}""#, esc(&b.to_string())))
        .unwrap_or_default();
    format!(
        r#"<button type="button" class="{class}" data-method="{method}" data-url="{}"{body}>{}</button>"#,
        esc(url),
        esc(label)
    )
}

/// A value pretty-printed as JSON.
pub fn json_block(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    format!(r#"<pre class="json">{}</pre>"#, esc(&text))
}

/// A short text form of a scalar JSON value, for table cells.
pub fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A timestamp in a `<time>` element: short text (`2026-01-01 00:00:10`, UTC), the exact RFC 3339
/// value in `datetime` and the tooltip.
pub fn time(at: &Value) -> String {
    let exact = scalar(at);
    let short = chrono::DateTime::parse_from_rfc3339(&exact)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| exact.clone());
    format!(
        r#"<time datetime="{0}" title="{0}">{1}</time>"#,
        esc(&exact),
        esc(&short)
    )
}

/// A long identifier cut to its start, whole in the tooltip.
pub fn short_id(id: &str) -> String {
    const KEEP: usize = 14;
    if id.chars().count() <= KEEP + 2 {
        return esc(id);
    }
    let head: String = id.chars().take(KEEP).collect();
    format!(r#"<span title="{}">{}…</span>"#, esc(id), esc(&head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_and_tones() {
        assert_eq!(seg("kyc_doc_1"), "kyc_doc_1");
        assert_eq!(seg("a/b c"), "a%2Fb%20c");
        assert_eq!(tone("in-progress"), "wait");
        assert_eq!(tone("CLEARED"), "good");
        assert_eq!(tone("declined"), "bad");
        assert_eq!(tone("archived"), "neutral");
        assert!(time(&serde_json::json!("2026-01-01T00:00:10.500Z"))
            .ends_with(">2026-01-01 00:00:10</time>"));
        assert_eq!(short_id("kyc_doc_1"), "kyc_doc_1");
        assert!(
            short_id("7b74a18d84782ca9e756f2d7fd2f85574236").ends_with(">7b74a18d84782c…</span>")
        );
        assert!(action(
            "Go",
            "POST",
            "/x",
            Some(&serde_json::json!({"a": "\"<"})),
            "btn"
        )
        .contains(r#"data-body="{&quot;a&quot;:&quot;\&quot;&lt;&quot;}""#));
    }
}
