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

/// The hosted pages' one stylesheet and script, embedded; templates place them with the
/// `{{hosted_style}}` and `{{hosted_script}}` placeholders ([`fill_hosted`]).
pub const HOSTED_STYLE: &str = include_str!("hosted.css");
pub const HOSTED_SCRIPT: &str = include_str!("hosted.js");

/// [`fill`], with the shared stylesheet and script placed too.
pub fn fill_hosted(template: &str, values: &[(&str, &str)]) -> String {
    let mut all = values.to_vec();
    all.push(("hosted_style", HOSTED_STYLE));
    all.push(("hosted_script", HOSTED_SCRIPT));
    fill(template, &all)
}

/// How a provider's hosted pages look: its name as the header shows it (trusted HTML), the
/// product line, its colours, and which page of the provider the sandbox stands in for.
pub struct Brand {
    pub name_html: &'static str,
    pub product: &'static str,
    pub color: &'static str,
    pub soft: &'static str,
    pub stands_in_for: &'static str,
}

/// A whole hosted page in the shared look around `main` (trusted HTML); `title` is escaped.
pub fn hosted_page(brand: &Brand, title: &str, main: &str) -> String {
    fill_hosted(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} · {{product}} (sandbox)</title>
<style>{{hosted_style}}
:root { --brand: {{color}}; --brand-soft: {{soft}}; }</style>
</head>
<body>
<header class="hp-header"><span class="hp-brand">{{name}}</span><span class="hp-product">{{product}}</span><span class="hp-tag">kyc-sandbox</span></header>
<p class="hp-banner">Sandbox page standing in for {{stands_in_for}}. Nothing leaves this machine.</p>
<main class="hp-main">{{main}}</main>
<script>{{hosted_script}}</script>
</body>
</html>"#,
        &[
            ("title", &super::escape_html(title)),
            ("product", brand.product),
            ("name", brand.name_html),
            ("color", brand.color),
            ("soft", brand.soft),
            ("stands_in_for", brand.stands_in_for),
            ("main", main),
        ],
    )
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
    fn hosted_pages_carry_the_shared_look() {
        let brand = Brand {
            name_html: "Acme",
            product: "Checks",
            color: "#123456",
            soft: "#eeeeee",
            stands_in_for: "Acme's page",
        };
        let page = hosted_page(&brand, "<Hi>", "<p id=\"x\">body</p>");
        assert!(page.contains(HOSTED_STYLE) && page.contains(HOSTED_SCRIPT));
        assert!(page.contains("<title>&lt;Hi&gt; · Checks (sandbox)</title>"));
        assert!(page.contains("--brand: #123456"));
        assert!(page.contains("standing in for Acme's page"));
        assert!(!page.contains("{{"), "every placeholder filled");
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
