//! Serde helpers for what a snapshot carries that JSON has no type for.

/// `#[serde(with = "crate::core::snapshot::base64_bytes")]`: bytes (a signing secret) as base64.
pub mod base64_bytes {
    use base64::Engine;

    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text: std::borrow::Cow<'de, str> = serde::Deserialize::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

/// Reads a provider's extra state (`Provider::prepare_extra`), naming the provider on error.
pub fn extra<T: serde::de::DeserializeOwned>(
    provider: &str,
    value: serde_json::Value,
) -> Result<T, String> {
    serde_json::from_value(value).map_err(|e| format!("{provider}: {e}"))
}
