use super::*;
use crate::core::time_text::seconds_text;
use chrono::DateTime;
use serde::Serialize;
use serde_json::json;

fn text(rendered: Rendered) -> String {
    String::from_utf8(rendered.into_bytes()).unwrap()
}

#[test]
fn escapes_are_found_wherever_they_are() {
    let naive = |t: &[u8]| t.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    for len in 0..20 {
        let plain: Vec<u8> = (0..len).map(|i| b"az_-09 ~\x7f\xc3\xa9"[i % 11]).collect();
        assert!(!needs_escape(&plain), "{plain:?}");
        for at in 0..len {
            for bad in [0u8, 0x1f, b'"', b'\\', b'\n'] {
                let mut text = plain.clone();
                text[at] = bad;
                assert_eq!(needs_escape(&text), naive(&text), "{text:?}");
            }
        }
    }
    assert!(!needs_escape("паспорт ß €".as_bytes()));
}

#[test]
fn writes_what_a_value_serializes_to() {
    let nested = object(|o| {
        o.field("n", &1);
    });
    let written = object(|o| {
        o.field("id", "a\"b\\c\n\u{1}é")
            .field("count", &3u64)
            .field("ratio", &0.1)
            .field("none", &None::<String>)
            .null("null")
            .display("at", format_args!("{}-{}", 2026, "01"))
            .display("escaped", format_args!("{}\"{}", "say", "\n"))
            .joined("url", &["http://h", "/storage/", "t-1", "/", "f\"1"])
            .time("at_time", seconds_text(DateTime::UNIX_EPOCH, b'T', "Z"))
            .time_or_null("no_time", None)
            .display_or_null("never", None::<&str>)
            .object("empty", |_| {})
            .array("nothing", |_| {})
            .field("tags", &["x", "y"])
            .objects("links", ["self", "next"], |o, rel| {
                o.field("rel", rel);
            })
            .raw("nested", &nested)
            .array("mixed", |a| {
                a.value(&1).object(|o| {
                    o.field("k\t", &true);
                });
                a.raw(&nested);
            });
    });
    let value = json!({
        "id": "a\"b\\c\n\u{1}é",
        "count": 3,
        "ratio": 0.1,
        "none": null,
        "null": null,
        "at": "2026-01",
        "escaped": "say\"\n",
        "url": "http://h/storage/t-1/f\"1",
        "at_time": "1970-01-01T00:00:00Z",
        "no_time": null,
        "never": null,
        "empty": {},
        "nothing": [],
        "tags": ["x", "y"],
        "links": [{"rel": "self"}, {"rel": "next"}],
        "nested": {"n": 1},
        "mixed": [1, {"k\t": true}, {"n": 1}],
    });
    assert_eq!(
        text(written.clone()),
        serde_json::to_string(&value).unwrap()
    );
    assert_eq!(written.to_value(), value);
}

#[test]
fn bare_values_and_arrays() {
    assert_eq!(text(object(|_| {})), "{}");
    assert_eq!(text(array(|_| {})), "[]");
    assert_eq!(text(Rendered::null()), "null");
    assert_eq!(text(Rendered::of(&json!({"a": [1, 2]}))), r#"{"a":[1,2]}"#);
    let item = object(|o| {
        o.field("a", &1);
    });
    let list = array(|a| {
        a.raw(&item).raw(&item);
    });
    assert_eq!(text(list), r#"[{"a":1},{"a":1}]"#);
}

#[test]
fn keys_are_escaped_like_values() {
    let written = object(|o| {
        o.field("plain", &1)
            .field("qu\"ote", &2)
            .field("back\\slash", &3)
            .field("tab\t", &4)
            .field("é", &5);
    });
    assert_eq!(
        text(written),
        serde_json::json!({"plain": 1, "qu\"ote": 2, "back\\slash": 3, "tab\t": 4, "é": 5})
            .to_string()
    );
}

#[test]
fn lookup_finds_keys_in_small_and_large_maps() {
    for size in [0, 1, 3, 8, 9, 40] {
        let map: serde_json::Map<String, Value> =
            (0..size).map(|n| (format!("k{n}"), json!(n))).collect();
        for n in 0..size {
            assert_eq!(lookup(&map, &format!("k{n}")), Some(&json!(n)), "{size}");
        }
        assert_eq!(lookup(&map, "absent"), None);
    }
}

#[test]
fn keys_repeat_only_in_different_objects() {
    let written = object(|o| {
        o.field("id", &1).object("child", |o| {
            o.field("id", &2);
        });
    });
    assert_eq!(text(written), r#"{"id":1,"child":{"id":2}}"#);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "`id` written twice")]
fn a_duplicate_key_panics_in_debug_builds() {
    object(|o| {
        o.field("id", &1).field("name", "x").null("id");
    });
}

#[actix_web::test]
async fn a_response_carries_the_bytes_as_json() {
    use actix_web::body::MessageBody;
    let response = HttpResponse::Created().rendered(Rendered::of(&json!({"a": 1})));
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers().get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    let body = response.into_body().try_into_bytes().unwrap();
    assert_eq!(&body[..], br#"{"a":1}"#);
    let problem = HttpResponse::BadRequest()
        .content_type("application/problem+json")
        .rendered(Rendered::null());
    assert_eq!(
        problem.headers().get(header::CONTENT_TYPE).unwrap(),
        "application/problem+json"
    );
}

/// What `write_value` appends is what `serde_json` writes.
fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
    let mut out = b"prefix ".to_vec();
    scalar::write_value(&mut out, value);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("prefix {}", serde_json::to_string(value).unwrap())
    );
}

#[test]
fn scalars_written_by_hand_match_serde_json() {
    #[derive(Serialize)]
    enum Kind {
        #[serde(rename = "ID_CARD")]
        IdCard,
        Tagged(u8),
    }
    #[derive(Serialize)]
    struct Wrapped(Option<&'static str>);
    /// Bytes, which `serde_json` writes as an array of numbers.
    struct Raw;
    impl Serialize for Raw {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(b"ab")
        }
    }
    same_as_serde_json("plain");
    same_as_serde_json("a\"b\\c\n\u{1}\u{7f}é ß");
    same_as_serde_json(&String::from("twelve chars"));
    same_as_serde_json(&'"');
    same_as_serde_json(&'é');
    same_as_serde_json(&true);
    same_as_serde_json(&false);
    same_as_serde_json(&-12i8);
    same_as_serde_json(&i64::MIN);
    same_as_serde_json(&u64::MAX);
    same_as_serde_json(&u128::MAX);
    same_as_serde_json(&0.1f64);
    same_as_serde_json(&f64::NAN);
    same_as_serde_json(&1.5f32);
    same_as_serde_json(&None::<u8>);
    same_as_serde_json(&Some(Some("x")));
    same_as_serde_json(&());
    same_as_serde_json(&Kind::IdCard);
    same_as_serde_json(&Kind::Tagged(3));
    same_as_serde_json(&Wrapped(Some("w")));
    same_as_serde_json(&Wrapped(None));
    same_as_serde_json(&vec![Some("a"), None]);
    same_as_serde_json(&json!({"k": [1, "two", null, 3.5], "s": "q\""}));
    same_as_serde_json(&json!("value string"));
    same_as_serde_json(&json!(-7));
    same_as_serde_json(&Some(json!({"nested": true})));
    same_as_serde_json(&Raw);
}
