//! Customer authentication: authentication tokens (`POST /authentication-tokens`) and the
//! customer JWTs they are exchanged for (also minted by storefront login and for the KYC
//! gatherer link). A JWT is a real HS256 compact JWS whose payload names the organization, so a
//! storefront call without `/organizations/{id}` still finds its tenant.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::core::jwt;

/// What `POST /authentication-tokens` hands out: a login, to be exchanged for a JWT.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationToken {
    pub token: String,
    #[serde(deserialize_with = "crate::core::snapshot::interned")]
    pub mode: crate::core::snapshot::StaticText,
    pub username: Option<String>,
    pub customer_id: String,
    pub credential_id: Option<String>,
    pub otp_required: bool,
    pub expired_time: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
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
    jwt::encode(claims, secret)
}

/// The claims of a JWT this sandbox signed, or `None` for anything else.
pub fn decode_jwt(token: &str, secret: &[u8]) -> Option<Claims> {
    jwt::decode(token, secret).map(std::rc::Rc::unwrap_or_clone)
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
