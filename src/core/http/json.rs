//! JSON bodies decoded into typed values, with errors that say where: the byte offset of a syntax
//! error, or the dotted path of a field of the wrong shape. Providers turn these into their envelope.

use serde::de::DeserializeOwned;
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON at all. `offset` is where the parser expected something else (past the end when
    /// the input ran out, as Python's decoder reports it).
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        offset: usize,
        message: String,
    },
    /// Valid JSON of the wrong shape; `path` is dotted (`address.city`, `items[2].id`), empty at the root.
    #[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Shape { path: String, message: String },
}

pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    // Tracking the path costs a tenth of a create on every body; it is only needed to describe
    // an error, and decoding the same bytes again fails the same way.
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(first) => match decode_tracking_path::<T>(bytes) {
            Err(described) => Err(described),
            Ok(_) => Err(classify(first, String::new(), bytes)),
        },
    }
}

fn decode_tracking_path<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        classify(e.into_inner(), path, bytes)
    })?;
    deserializer
        .end()
        .map_err(|e| classify(e, String::new(), bytes))?;
    Ok(value)
}

fn classify(error: serde_json::Error, path: String, bytes: &[u8]) -> JsonError {
    if error.is_data() {
        let message = error.to_string();
        let message = match message.find(" at line ") {
            Some(i) => message[..i].to_owned(),
            None => message,
        };
        return JsonError::Shape {
            path: if path == "." { String::new() } else { path },
            message,
        };
    }
    let offset = if error.is_eof() {
        bytes.len()
    } else {
        byte_offset(bytes, error.line(), error.column())
    };
    JsonError::Syntax {
        line: error.line(),
        column: error.column(),
        offset,
        message: error.to_string(),
    }
}

fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let before: usize = bytes
        .split(|b| *b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    (before + column.saturating_sub(1)).min(bytes.len())
}

/// A JSON value as text. `serde_json::to_string` writes straight into a buffer; `Value`'s
/// `Display` goes through a formatter adapter and checks each chunk, several times slower for a
/// large body such as a webhook payload.
pub fn json_text(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Person {
        name: String,
        address: Address,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Address {
        city: String,
    }

    #[test]
    fn syntax_errors_have_offsets() {
        let err = decode_json::<serde_json::Value>(b"{\"for_client_id\": ").unwrap_err();
        assert!(
            matches!(err, JsonError::Syntax { offset: 18, .. }),
            "{err:?}"
        );
        let err = decode_json::<serde_json::Value>(b"{\"a\": x}").unwrap_err();
        assert!(
            matches!(
                err,
                JsonError::Syntax {
                    offset: 6,
                    line: 1,
                    ..
                }
            ),
            "{err:?}"
        );
        let err = decode_json::<serde_json::Value>(b"{}\n{}").unwrap_err();
        assert!(
            matches!(err, JsonError::Syntax { line: 2, .. }),
            "trailing data: {err:?}"
        );
    }

    #[test]
    fn shape_errors_have_paths() {
        let err = decode_json::<Person>(br#"{"name": "a", "address": {"city": 5}}"#).unwrap_err();
        assert_eq!(
            err,
            JsonError::Shape {
                path: "address.city".into(),
                message: "invalid type: integer `5`, expected a string".into()
            }
        );
        let err = decode_json::<Person>(b"[]").unwrap_err();
        assert!(
            matches!(err, JsonError::Shape { ref path, .. } if path.is_empty()),
            "{err:?}"
        );
    }
}
