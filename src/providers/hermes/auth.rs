//! ZealID's request signature (developer.zealid.com, "Hermes interface", its bash and Python
//! reference scripts): `Authorization: HMAC client_id="…",ts="…",nonce="…",signature="…"`, where
//! `signature` is the standard base64 of HMAC-SHA512, keyed by the client secret, over
//! `client_id + nonce + ts + "METHOD /path" + raw body`.

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use sha2::Sha512;

use super::errors::HermesError;
use super::fixtures::Client;

/// How far `ts` may be from the machine's clock (clients sign with theirs; tests move only the
/// sandbox clock, so this is never the sandbox clock).
pub const TS_WINDOW_SECS: i64 = 300;

/// The four fields of the header.
#[derive(Debug, PartialEq, Eq)]
pub struct Signed<'a> {
    pub client_id: &'a str,
    pub ts: &'a str,
    pub nonce: &'a str,
    pub signature: &'a str,
}

/// `HMAC client_id="a",ts="1",nonce="n",signature="s"`, in any order.
pub fn parse_header(value: &str) -> Result<Signed<'_>, HermesError> {
    let malformed = || {
        HermesError::Unauthorized(
            "Authorization must be `HMAC client_id=\"…\",ts=\"…\",nonce=\"…\",signature=\"…\"`"
                .into(),
        )
    };
    let fields = value.trim().strip_prefix("HMAC ").ok_or_else(malformed)?;
    let mut found: HashMap<&str, &str> = HashMap::new();
    for pair in fields.split(',') {
        let (key, quoted) = pair.trim().split_once('=').ok_or_else(malformed)?;
        let value = quoted
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(malformed)?;
        found.insert(key.trim(), value);
    }
    let field = |name| found.get(name).copied().filter(|v| !v.is_empty());
    Ok(Signed {
        client_id: field("client_id").ok_or_else(malformed)?,
        ts: field("ts").ok_or_else(malformed)?,
        nonce: field("nonce").ok_or_else(malformed)?,
        signature: field("signature").ok_or_else(malformed)?,
    })
}

/// The signature ZealID's reference scripts compute.
pub fn sign(
    secret: &str,
    client_id: &str,
    nonce: &str,
    ts: &str,
    method_path: &str,
    body: &[u8],
) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(client_id.as_bytes());
    mac.update(nonce.as_bytes());
    mac.update(ts.as_bytes());
    mac.update(method_path.as_bytes());
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Nonces seen per client, each until its `ts` leaves the window. Kept by `ts` as well, so
/// those that left it are dropped from the ends, not found by scanning every nonce per call.
#[derive(Default)]
pub struct Nonces(Mutex<Seen>);

type NonceKey = (String, String);

#[derive(Default)]
struct Seen {
    ts_of: HashMap<NonceKey, i64>,
    by_ts: BTreeMap<i64, Vec<NonceKey>>,
}

impl Seen {
    /// Drops the nonces whose `ts` is more than the window away from `now`, on either side (the
    /// sandbox clock can be set back).
    fn forget_outside(&mut self, now: i64) {
        let window = (now - TS_WINDOW_SECS)..=(now + TS_WINDOW_SECS);
        while let Some(entry) = self.by_ts.first_entry() {
            if window.contains(entry.key()) {
                break;
            }
            for key in entry.remove() {
                self.ts_of.remove(&key);
            }
        }
        while let Some(entry) = self.by_ts.last_entry() {
            if window.contains(entry.key()) {
                break;
            }
            for key in entry.remove() {
                self.ts_of.remove(&key);
            }
        }
    }
}

impl Nonces {
    /// False if the nonce was already used within the window.
    fn first_use(&self, client_id: &str, nonce: &str, ts: i64, now: i64) -> bool {
        let mut seen = self.0.lock();
        seen.forget_outside(now);
        let key = (client_id.to_owned(), nonce.to_owned());
        if seen.ts_of.contains_key(&key) {
            return false;
        }
        seen.ts_of.insert(key.clone(), ts);
        seen.by_ts.entry(ts).or_default().push(key);
        true
    }
}

/// Checks the header against `client`'s secret for any of `method_paths` (the path as received
/// and without the sandbox mount: a client signs the path it sees).
pub fn verify(
    signed: &Signed<'_>,
    client: &Client,
    method_paths: &[String],
    body: &[u8],
    nonces: &Nonces,
    now: i64,
) -> Result<(), HermesError> {
    let ts: i64 = signed
        .ts
        .parse()
        .map_err(|_| HermesError::Unauthorized("ts must be unix seconds".into()))?;
    if (now - ts).abs() > TS_WINDOW_SECS {
        return Err(HermesError::Unauthorized(format!(
            "ts {ts} is more than {TS_WINDOW_SECS} s from the server's clock ({now})"
        )));
    }
    let matches = method_paths.iter().any(|method_path| {
        let expected = sign(
            &client.secret,
            signed.client_id,
            signed.nonce,
            signed.ts,
            method_path,
            body,
        );
        constant_time_eq(expected.as_bytes(), signed.signature.as_bytes())
    });
    if !matches {
        return Err(HermesError::Unauthorized(format!(
            "signature does not match (signed: client_id + nonce + ts + \"{}\" + body)",
            method_paths.first().map(String::as_str).unwrap_or_default()
        )));
    }
    if !nonces.first_use(signed.client_id, signed.nonce, ts, now) {
        return Err(HermesError::Unauthorized("nonce was already used".into()));
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The tenant (client) whose `Authorization: HMAC …` header the request carries, unverified and
/// without touching state (for fault rules).
pub fn tenant_of(
    _hermes: &super::Hermes,
    req: &actix_web::HttpRequest,
) -> Option<crate::core::TenantId> {
    let header = crate::core::http::header_str(req, actix_web::http::header::AUTHORIZATION)?;
    let signed = parse_header(header).ok()?;
    Some(crate::core::TenantId::derive(
        super::NAME,
        &[signed.client_id],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_refused_within_its_window_and_forgotten_outside_it() {
        let nonces = Nonces::default();
        assert!(nonces.first_use("c", "n", 1_000, 1_000));
        assert!(
            !nonces.first_use("c", "n", 1_100, 1_100),
            "again within the window"
        );
        assert!(nonces.first_use("other", "n", 1_000, 1_000), "per client");
        for n in 0..1_000 {
            assert!(nonces.first_use("c", &format!("old-{n}"), 900, 1_000));
        }
        assert_eq!(nonces.0.lock().ts_of.len(), 1_002);
        let later = 1_000 + TS_WINDOW_SECS + 1;
        assert!(
            nonces.first_use("c", "n", later, later),
            "its first ts left the window"
        );
        assert_eq!(
            nonces.0.lock().ts_of.len(),
            1,
            "every nonce outside the window was dropped"
        );
        let earlier = later - 3 * TS_WINDOW_SECS;
        assert!(
            nonces.first_use("c", "n", earlier, earlier),
            "the clock was set back"
        );
        assert_eq!(nonces.0.lock().ts_of.len(), 1);
    }

    #[test]
    fn the_header_parses_in_any_order_and_refuses_gaps() {
        let signed = parse_header(r#"HMAC ts="1",client_id="c",signature="s=",nonce="n""#).unwrap();
        assert_eq!(
            signed,
            Signed {
                client_id: "c",
                ts: "1",
                nonce: "n",
                signature: "s="
            }
        );
        assert!(parse_header(r#"HMAC client_id="c",ts="1",nonce="n""#).is_err());
        assert!(parse_header("Bearer x").is_err());
    }

    /// The value Python's `hmac`/`base64` give for ZealID's reference recipe
    /// (`base64.b64encode(hmac.new(secret, client_id + nonce + ts + "POST /path" + payload,
    /// hashlib.sha512).digest())`), computed independently of this code.
    #[test]
    fn the_signature_is_zealids_reference_recipe() {
        let body = br#"{"grant_type":"authorization_code","code":"abc","redirect_uri":"https://example.com"}"#;
        assert_eq!(
            sign("demo-secret", "demo-client", "n0nce", "1767225600", "POST /mediator/api/get_token", body),
            "LbENWq88FX8SPShkAjFIl2iOP1KbPc80y4NQtS5WxPy/TBITlm+94+syXxY/Rcs66sUdqxR7PQq7dQZ62YnuGA=="
        );
    }

    #[test]
    fn nonces_are_single_use_within_the_window() {
        let nonces = Nonces::default();
        assert!(nonces.first_use("c", "n", 100, 100));
        assert!(!nonces.first_use("c", "n", 100, 101));
        assert!(nonces.first_use("other", "n", 100, 101));
        assert!(
            nonces.first_use("c", "n", 1000, 1000),
            "forgotten once out of the window"
        );
    }
}
