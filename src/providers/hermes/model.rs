//! One Hermes client's state: the login codes it was redirected with, the tokens it exchanged
//! them for, and the document picture links `get_data` handed out.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::scenario::{Call, HermesEffect};
use crate::core::store::Store;
use crate::core::{SeededRng, TenantState};

/// A code works once, for a few minutes (OAuth's usual short life; ZealID does not say).
pub const CODE_LIFETIME: Duration = Duration::minutes(5);
/// "valid for a particular period": 30 minutes in ZealID's v2.0 docs.
pub const TOKEN_LIFETIME: Duration = Duration::minutes(30);
/// How long a picture URL from `get_data` opens the picture.
pub const PICTURE_LIFETIME: Duration = Duration::minutes(10);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Login {
    pub code: String,
    pub identity: String,
    pub redirect_uri: String,
    pub kyc_data: bool,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    /// The scenario chosen when the login was approved, and what it does.
    pub scenario: Option<String>,
    pub effect: HermesEffect,
    /// `get_token` calls the scenario made fail so far.
    pub failures: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessToken {
    pub token: String,
    pub identity: String,
    pub kyc_data: bool,
    pub expires_at: DateTime<Utc>,
    pub scenario: Option<String>,
    pub effect: HermesEffect,
    /// `get_data` calls the scenario made fail so far.
    pub failures: u32,
}

/// Whether the scenario makes this call fail now: a named scenario (`X-Sandbox-Scenario`) fails
/// every call; the login's fails `times` calls, counted in `failures`.
pub fn failure_due<'a>(
    forced: Option<&'a HermesEffect>,
    chosen: &'a HermesEffect,
    failures: &mut u32,
    call: Call,
) -> Option<&'a super::scenario::Failure> {
    if let Some(effect) = forced {
        return effect.fail.as_ref().filter(|f| f.call == call);
    }
    let fail = chosen.fail.as_ref().filter(|f| f.call == call)?;
    if fail.times.is_some_and(|times| *failures >= times) {
        return None;
    }
    *failures += 1;
    Some(fail)
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PictureKind {
    Av,
    Rev,
    PersonPhoto,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Picture {
    pub id: String,
    pub identity: String,
    pub kind: PictureKind,
    pub expires_at: DateTime<Utc>,
}

/// Where an AML-KYC ("Pennydrop") session is: the person has not signed yet, or the webhook
/// reported `SIGNED` or `FAILED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PennydropStatus {
    Pending,
    Signed,
    Failed,
}

/// An AML-KYC session: ZealID signs a payment file with the person, then tells the client by
/// webhook; the client then reads the data with the session and user ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pennydrop {
    pub session_id: String,
    pub user_id: String,
    pub identity: String,
    pub signing_request_id: String,
    pub status: PennydropStatus,
    pub webhook_url: String,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The data can be read until then (24 hours after the decision).
    pub retrieval_exp: Option<DateTime<Utc>>,
    pub is_first_sign: bool,
}

/// "retrieval_exp ... 24 hours" and the webhook JWT's "exp ... 30 minutes" (ZealID, "Get data
/// without QR (AML-KYC)").
pub const RETRIEVAL_WINDOW: Duration = Duration::hours(24);
pub const WEBHOOK_JWT_LIFETIME: Duration = Duration::minutes(30);

#[derive(Clone, Serialize, Deserialize)]
pub struct HermesTenant {
    pub logins: Store<Login>,
    pub tokens: Store<AccessToken>,
    pub pictures: Store<Picture>,
    pub pennydrops: Store<Pennydrop>,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub rng: SeededRng,
}

impl TenantState for HermesTenant {
    fn holds_nothing(&self) -> bool {
        self.logins.is_empty()
            && self.tokens.is_empty()
            && self.pictures.is_empty()
            && self.pennydrops.is_empty()
    }
}

impl HermesTenant {
    pub fn new(rng: SeededRng) -> Self {
        HermesTenant {
            logins: Store::default(),
            tokens: Store::default(),
            pictures: Store::default(),
            pennydrops: Store::default(),
            rng,
        }
    }

    /// A login approved as `identity`: the code the browser is redirected with.
    pub fn approve(
        &mut self,
        identity: &str,
        redirect_uri: &str,
        kyc_data: bool,
        (scenario, effect): (Option<String>, HermesEffect),
        now: DateTime<Utc>,
    ) -> String {
        let code = self.rng.secret(43);
        self.logins.insert(
            code.clone(),
            Login {
                code: code.clone(),
                identity: identity.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                kyc_data,
                expires_at: now + CODE_LIFETIME,
                used: false,
                scenario,
                effect,
                failures: 0,
            },
        );
        code
    }

    /// A picture link for `identity`, valid from `now`.
    pub fn picture(&mut self, identity: &str, kind: PictureKind, now: DateTime<Utc>) -> Picture {
        let picture = Picture {
            id: self.rng.secret(32),
            identity: identity.to_owned(),
            kind,
            expires_at: now + PICTURE_LIFETIME,
        };
        self.pictures.insert(picture.id.clone(), picture.clone());
        picture
    }
}
