//! Server-rendered pages: templates filled in one pass, and JSON that is safe inside them.

use serde_json::Value;

/// Fills the `{{name}}` placeholders of `template` in one pass. Only the template is scanned: a
/// value is copied as is, so data that itself reads `{{config}}` is never filled in turn. An
/// unknown placeholder stays as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(
        template.len() + values.iter().map(|(_, value)| value.len()).sum::<usize>(),
    );
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let value = after.find("}}").and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(known, _)| *known == name)
                .map(|(_, value)| (*value, close + 2))
        });
        match value {
            Some((value, skip)) => {
                out.push_str(value);
                rest = &after[skip..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `value` as JSON that is inert inside a `<script>` element (or an HTML attribute value): `<`,
/// `>`, `&` and `'` can only occur inside JSON strings, where `\u00XX` reads back the same, so no
/// `</script>`, `<!--` or character reference survives. `"` needs no escape: the page never puts
/// the JSON in an attribute.
pub fn script_json(value: &Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\'' => out.push_str("\\u0027"),
            // Valid in JSON, not in older JavaScript string literals.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_filled_from_the_template_only() {
        let filled = fill(
            "<p>{{main}}</p><script>{{config}}</script>{{unknown}}{{",
            &[("main", "a{{config}}b"), ("config", "{\"x\":1}")],
        );
        assert_eq!(
            filled,
            "<p>a{{config}}b</p><script>{\"x\":1}</script>{{unknown}}{{"
        );
    }

    #[test]
    fn script_json_has_no_markup_and_reads_back_the_same() {
        let value =
            json!({"url": "https://e.com/?q=\"></script><img src=x onerror=alert(1)>&'\u{2028}"});
        let safe = script_json(&value);
        for bad in ['<', '>', '&', '\'', '\u{2028}'] {
            assert!(!safe.contains(bad), "{bad:?} in {safe}");
        }
        assert_eq!(serde_json::from_str::<Value>(&safe).unwrap(), value);
    }
}
