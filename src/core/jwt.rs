//! HS256 compact JWS tokens the sandbox mints and checks itself (Rebilly customer JWTs, Qolo
//! bearer tokens): real JWTs a client can decode, signed with a per-provider secret.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha256;

/// Signs `claims` as an HS256 JWT.
pub fn encode<C: Serialize>(claims: &C, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(sign(signing_input.as_bytes(), secret));
    format!("{signing_input}.{signature}")
}

/// The claims of a JWT signed with `secret`, or `None` for anything else (`null`, garbage,
/// another signer's token, claims of another shape).
pub fn decode<C: DeserializeOwned>(token: &str, secret: &[u8]) -> Option<C> {
    let payload = VERIFIED.with_borrow_mut(|verified| {
        if let Some(payload) = verified.get(secret).and_then(|known| known.get(token)) {
            return Some(payload.clone());
        }
        let payload = verify(token, secret)?;
        let known = verified.entry(secret.to_vec()).or_default();
        if known.len() >= VERIFIED_PER_WORKER {
            known.clear();
        }
        known.insert(token.to_owned(), payload.clone());
        Some(payload)
    })?;
    serde_json::from_slice(&payload).ok()
}

/// How many tokens each worker remembers as verified (per secret) before it starts over.
const VERIFIED_PER_WORKER: usize = 4096;

thread_local! {
    /// Payloads of tokens whose signature checked out, by secret and token: a client sends the
    /// same token on every call, and checking the HMAC each time cost more than the lookup.
    static VERIFIED: RefCell<HashMap<Vec<u8>, TokensOf, Fast>> = RefCell::default();
}

/// Tokens are a few hundred bytes long: SipHash cost more than the rest of the lookup.
type Fast = foldhash::fast::RandomState;

/// Verified payloads by token, for one secret.
type TokensOf = HashMap<String, Rc<[u8]>, Fast>;

/// The decoded payload of `token` if `secret` signed it.
fn verify(token: &str, secret: &[u8]) -> Option<Rc<[u8]>> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (_, payload) = signing_input.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&signature).ok()?;
    Some(URL_SAFE_NO_PAD.decode(payload).ok()?.into())
}

fn sign(input: &[u8], secret: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}
