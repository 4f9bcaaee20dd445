//! Customer authentication: authentication tokens (`POST /authentication-tokens`) and the
//! customer JWTs they are exchanged for (also minted by storefront login and for the KYC
//! gatherer link). A JWT is a real HS256 compact JWS whose payload names the organization, so a
//! storefront call without `/organizations/{id}` still finds its tenant.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::Sha256;

/// What `POST /authentication-tokens` hands out: a login, to be exchanged for a JWT.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationToken {
    pub token: String,
    pub mode: &'static str,
    pub username: Option<String>,
    pub customer_id: String,
    pub credential_id: Option<String>,
    pub otp_required: bool,
    pub expired_time: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerJwt {
    pub id: String,
    pub token: String,
    pub customer_id: String,
    /// The KYC request a gatherer token is scoped to.
    pub kyc_request_id: Option<String>,
    pub custom_claims: Map<String, Value>,
    pub created_time: DateTime<Utc>,
    pub updated_time: DateTime<Utc>,
    pub expired_time: DateTime<Utc>,
    /// Logged out: the token no longer authenticates.
    pub revoked: bool,
}

/// The claims the sandbox puts in a customer JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub jti: String,
    pub sub: String,
    /// The organization (tenant) the customer belongs to.
    pub org: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs `claims` as an HS256 JWT with the sandbox's secret.
pub fn encode_jwt(claims: &Claims, secret: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(sign(signing_input.as_bytes(), secret));
    format!("{signing_input}.{signature}")
}

/// The claims of a JWT this sandbox signed, or `None` for anything else (`null`, garbage,
/// another signer's token).
pub fn decode_jwt(token: &str, secret: &[u8]) -> Option<Claims> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (_, payload) = signing_input.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&signature).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
}

fn sign(input: &[u8], secret: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwts_round_trip_and_forgeries_fail() {
        let claims = Claims {
            jti: "jwt_1".into(),
            sub: "cus_1".into(),
            org: "org-1".into(),
            iat: 1,
            exp: 2,
        };
        let token = encode_jwt(&claims, b"secret");
        assert_eq!(token.matches('.').count(), 2);
        assert_eq!(decode_jwt(&token, b"secret"), Some(claims));
        assert_eq!(decode_jwt(&token, b"other"), None);
        assert_eq!(decode_jwt("null", b"secret"), None);
        let mut tampered = token.clone();
        tampered.insert(token.find('.').unwrap() + 2, 'x');
        assert_eq!(decode_jwt(&tampered, b"secret"), None);
    }
}
