//! HS256 compact JWS tokens the sandbox mints and checks itself (Rebilly customer JWTs, Qolo
//! bearer tokens): real JWTs a client can decode, signed with a per-provider secret.

use std::any::Any;
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
pub fn decode<C: DeserializeOwned + 'static>(token: &str, secret: &[u8]) -> Option<Rc<C>> {
    VERIFIED.with_borrow_mut(|verified| {
        if let Some(known) = verified
            .get_mut(secret)
            .and_then(|tokens| tokens.get_mut(token))
        {
            return known.claims();
        }
        let payload = verify(token, secret)?;
        let tokens = verified.entry(secret.to_vec()).or_default();
        if tokens.len() >= VERIFIED_PER_WORKER {
            tokens.clear();
        }
        let known = tokens.entry(token.to_owned()).or_insert(Verified {
            payload,
            decoded: None,
        });
        known.claims()
    })
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

/// Verified tokens by their text, for one secret.
type TokensOf = HashMap<String, Verified, Fast>;

/// A token whose signature checked out: its payload, and the claims last read from it.
struct Verified {
    payload: Box<[u8]>,
    decoded: Option<Rc<dyn Any>>,
}

impl Verified {
    /// The claims as a `C`, read from the payload the first time they are asked for as one.
    fn claims<C: DeserializeOwned + 'static>(&mut self) -> Option<Rc<C>> {
        if let Some(claims) = self.decoded.clone().and_then(|d| d.downcast::<C>().ok()) {
            return Some(claims);
        }
        let claims: Rc<C> = Rc::new(serde_json::from_slice(&self.payload).ok()?);
        self.decoded = Some(claims.clone());
        Some(claims)
    }
}

/// The decoded payload of `token` if `secret` signed it.
fn verify(token: &str, secret: &[u8]) -> Option<Box<[u8]>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Sub {
        sub: String,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Exp {
        exp: i64,
    }

    #[test]
    fn claims_are_read_once_per_token_and_type() {
        let token = encode(&serde_json::json!({"sub": "ada", "exp": 7}), b"secret");
        let first: Rc<Sub> = decode(&token, b"secret").unwrap();
        let again: Rc<Sub> = decode(&token, b"secret").unwrap();
        assert!(Rc::ptr_eq(&first, &again));
        assert_eq!(first.sub, "ada");
        let other: Rc<Exp> = decode(&token, b"secret").unwrap();
        assert_eq!(other.exp, 7);
        assert_eq!(decode::<Sub>(&token, b"other"), None);
        assert_eq!(decode::<Sub>("null", b"secret"), None);
        let unsigned = format!("{}x", token);
        assert_eq!(decode::<Sub>(&unsigned, b"secret"), None);
    }
}
