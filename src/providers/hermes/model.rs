//! One Hermes client's state: the login codes it was redirected with, the tokens it exchanged
//! them for, and the document picture links `get_data` handed out.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::core::store::Store;
use crate::core::{SeededRng, TenantState};

/// A code works once, for a few minutes (OAuth's usual short life; ZealID does not say).
pub const CODE_LIFETIME: Duration = Duration::minutes(5);
/// "valid for a particular period": 30 minutes in ZealID's v2.0 docs.
pub const TOKEN_LIFETIME: Duration = Duration::minutes(30);
/// How long a picture URL from `get_data` opens the picture.
pub const PICTURE_LIFETIME: Duration = Duration::minutes(10);

#[derive(Debug, Clone, Serialize)]
pub struct Login {
    pub code: String,
    pub identity: String,
    pub redirect_uri: String,
    pub kyc_data: bool,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccessToken {
    pub token: String,
    pub identity: String,
    pub kyc_data: bool,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PictureKind {
    Av,
    Rev,
    PersonPhoto,
}

#[derive(Debug, Clone, Serialize)]
pub struct Picture {
    pub id: String,
    pub identity: String,
    pub kind: PictureKind,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Serialize)]
pub struct HermesTenant {
    pub logins: Store<Login>,
    pub tokens: Store<AccessToken>,
    pub pictures: Store<Picture>,
    #[serde(skip)]
    pub rng: SeededRng,
}

impl TenantState for HermesTenant {
    fn holds_nothing(&self) -> bool {
        self.logins.is_empty() && self.tokens.is_empty() && self.pictures.is_empty()
    }
}

impl HermesTenant {
    pub fn new(rng: SeededRng) -> Self {
        HermesTenant {
            logins: Store::default(),
            tokens: Store::default(),
            pictures: Store::default(),
            rng,
        }
    }

    /// A login approved as `identity`: the code the browser is redirected with.
    pub fn approve(
        &mut self,
        identity: &str,
        redirect_uri: &str,
        kyc_data: bool,
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
