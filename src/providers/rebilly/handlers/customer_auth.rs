//! Customer authentication on the core API: authentication tokens (login, list, verify, logout)
//! and their exchange for a customer JWT.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::href;
use super::listing::Listed;
use crate::core::fields::Fields;
use crate::core::json_out::{self, Rendered};
use crate::core::resource::{Call, Create, Resource};
use crate::core::store::Store;
use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::{InvalidField, RebillyError};
use crate::providers::rebilly::model::rfc3339;
use crate::providers::rebilly::model::session::{AuthenticationToken, CustomerJwt};
use crate::providers::rebilly::model::RebillyTenant;
use crate::providers::rebilly::wire::{created, json_object, link, resource_href, Checks};
use crate::providers::rebilly::Rebilly;

type Reply = Result<HttpResponse, RebillyError>;

/// How long tokens and JWTs live unless told otherwise (the spec's default for JWTs).
pub const SESSION_LIFETIME: Duration = Duration::hours(1);

/// The password that always fails, to exercise a client's 401 handling.
pub const WRONG_PASSWORD: &str = "wrong-password";

/// What the storefront may do with a JWT the sandbox issues (operation ids, as Rebilly's ACLs).
const STOREFRONT_PERMISSIONS: &[&str] = &[
    "StorefrontGetAccount",
    "StorefrontGetKycDocumentCollection",
    "StorefrontGetKycDocument",
    "StorefrontPostKycDocument",
    "StorefrontPatchKycDocument",
    "StorefrontGetKycRequest",
    "StorefrontPostKycLivenessSession",
    "StorefrontGetKycLivenessSession",
    "StorefrontPostKycLivenessSessionFinish",
    "StorefrontPostLogout",
];

#[derive(Deserialize)]
pub struct TokenPath {
    token: String,
}

/// Tokens are addressed by the token itself: `/authentication-tokens/{token}`.
impl Resource<Rebilly> for AuthenticationToken {
    const KIND: &'static str = "AuthenticationToken";
    const COLLECTION: &'static str = "authentication-tokens";
    const ID: &'static str = "token";

    fn store(state: &RebillyTenant) -> &Store<Self> {
        &state.authentication_tokens
    }

    fn store_mut(state: &mut RebillyTenant) -> &mut Store<Self> {
        &mut state.authentication_tokens
    }

    fn render(call: &Call<Rebilly>, _: &RebillyTenant, token: &Self) -> Rendered {
        token_json(token, &href::<Self>(call.req, &token.token))
    }

    /// Verifying an expired token is a `401`, as for any other use of it.
    fn on_read(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        id: &str,
    ) -> Result<(), RebillyError> {
        live_token(state, id, call.now).map(|_| ())
    }
}

impl Listed for AuthenticationToken {
    const FILTERABLE: &'static [&'static str] = &["customerId", "username"];

    fn field(&self, name: &str) -> Option<&str> {
        match name {
            "customerId" => Some(&self.customer_id),
            "username" => self.username.as_deref(),
            _ => None,
        }
    }

    fn updated_time(&self) -> DateTime<Utc> {
        self.expired_time
    }
}

fn token_json(token: &AuthenticationToken, href: &str) -> Rendered {
    json_out::object(|o| {
        o.field(
            "username",
            token.username.as_deref().unwrap_or(&token.customer_id),
        )
        .field("customerId", &token.customer_id)
        .field("token", &token.token)
        .field("otpRequired", &token.otp_required)
        .field("credentialId", &token.credential_id)
        .time("expiredTime", rfc3339(token.expired_time))
        .array("_links", |a| link(a, "self", href));
    })
}

/// `ApiKeyScope`: each list it names holds ids of at most the spec's length (so nothing
/// spec-invalid, such as a `null`, is echoed back in the JWT).
fn check_scope(checks: &mut Checks, index: usize, scope: &Map<String, Value>) {
    const LISTS: [(&str, usize); 4] = [
        ("organizationId", 50),
        ("productId", 50),
        ("planId", 50),
        ("customFieldName", 60),
    ];
    for (field, max_len) in LISTS {
        let Some(value) = scope.get(field) else {
            continue;
        };
        let valid = value.as_array().is_some_and(|ids| {
            ids.iter()
                .all(|id| id.as_str().is_some_and(|id| id.chars().count() <= max_len))
        });
        if !valid {
            checks.fail(
                format!("acl.{index}.scope.{field}"),
                format!("must be an array of ids of at most {max_len} characters"),
            );
        }
    }
}

pub fn jwt_json(jwt: &CustomerJwt, organization_id: &str, acl: Option<&Value>) -> Rendered {
    json_out::object(|o| {
        o.field("id", &jwt.id)
            .field("type", "customer")
            .field("token", &jwt.token)
            .field("customerId", &jwt.customer_id);
        match acl {
            Some(acl) => o.field("acl", acl),
            None => o.array("acl", |a| {
                a.object(|o| {
                    o.object("scope", |o| {
                        o.field("organizationId", &[organization_id]);
                    })
                    .field("permissions", STOREFRONT_PERMISSIONS);
                });
            }),
        };
        o.field("customClaims", &jwt.custom_claims)
            .time("createdTime", rfc3339(jwt.created_time))
            .time("updatedTime", rfc3339(jwt.updated_time))
            .time("expiredTime", rfc3339(jwt.expired_time))
            .array("_links", |a| {
                link(
                    a,
                    "customer",
                    format_args!("/customers/{}", jwt.customer_id),
                );
            });
    })
}

/// An optional future RFC 3339 `field` (`null` means absent); one hour from `now` when absent.
fn future_time(
    checks: &mut Checks,
    body: &Fields,
    field: &str,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    match body.get(field) {
        None | Some(Value::Null) => now + SESSION_LIFETIME,
        Some(v) => match v.as_str().map(DateTime::parse_from_rfc3339) {
            Some(Ok(t)) if t > now => t.with_timezone(&Utc),
            _ => {
                checks.fail(field, "must be a future RFC 3339 date-time");
                now
            }
        },
    }
}

/// Checks `username`/`password` (any non-empty pair but `wrong-password` logs in) and returns
/// the customer they sign in as.
pub fn password_login(
    rebilly: &Rebilly,
    state: &mut RebillyTenant,
    body: &Fields,
    now: DateTime<Utc>,
) -> Result<(String, String), RebillyError> {
    let mut checks = Checks::default();
    let username = checks.opt_string(body, "username", 255);
    let password = checks.opt_string(body, "password", 255);
    for (field, value) in [("username", &username), ("password", &password)] {
        if value.as_deref().is_none_or(str::is_empty) {
            checks.fail(field, "is required");
        }
    }
    checks.finish()?;
    let (Some(username), Some(password)) = (username, password) else {
        return Err(RebillyError::Validation(vec![InvalidField::new(
            "username",
            "is required",
        )]));
    };
    if password == WRONG_PASSWORD {
        return Err(RebillyError::Unauthenticated(
            "Invalid username or password.".into(),
        ));
    }
    let customer_id = if rebilly.implicit_customers {
        state.customer_for_username(&username, now)
    } else {
        state
            .known_customer(&username)
            .ok_or_else(|| RebillyError::Unauthenticated("Invalid username or password.".into()))?
    };
    Ok((username, customer_id))
}

/// A checked login body; the credentials are checked under the lock, where the customers are.
pub struct Login {
    body: Fields,
    mode: &'static str,
    otp_required: bool,
    expired_time: DateTime<Utc>,
}

impl Create<Rebilly> for AuthenticationToken {
    type Draft = Login;

    fn draft(call: &Call<Rebilly>, body: Fields) -> Result<Login, RebillyError> {
        let mut checks = Checks::default();
        let otp_required = match body.get("otpRequired") {
            None => false,
            Some(Value::Bool(required)) => *required,
            Some(_) => {
                checks.fail("otpRequired", "must be a boolean");
                false
            }
        };
        let expired_time = future_time(&mut checks, &body, "expiredTime", call.now);
        checks.finish()?;
        let mode = match body.get("mode") {
            None | Some(Value::Null) => "password",
            Some(Value::String(m)) if m == "password" => "password",
            Some(Value::String(m)) if m == "passwordless" => "passwordless",
            Some(_) => {
                return Err(RebillyError::Validation(vec![InvalidField::new(
                    "mode",
                    "must be password or passwordless",
                )]))
            }
        };
        Ok(Login {
            body,
            mode,
            otp_required,
            expired_time,
        })
    }

    fn insert(
        call: &Call<Rebilly>,
        state: &mut RebillyTenant,
        login: Login,
    ) -> Result<String, RebillyError> {
        let body = &login.body;
        let (username, customer_id) = if login.mode == "password" {
            let (username, customer_id) = password_login(call.api, state, body, call.now)?;
            (Some(username), customer_id)
        } else {
            let mut checks = Checks::default();
            let customer_id = checks.opt_string(body, "customerId", 50);
            if customer_id.is_none() {
                checks.fail("customerId", "is required");
            }
            checks.finish()?;
            let customer_id = customer_id.unwrap_or_default();
            call.api
                .require_customer(state, "customerId", &customer_id, call.now)?;
            (None, customer_id)
        };
        let token = AuthenticationToken {
            token: state.rng.hex(32),
            mode: login.mode,
            username,
            credential_id: Some(state.new_id("cred_")),
            customer_id,
            otp_required: login.otp_required,
            expired_time: login.expired_time,
        };
        let id = token.token.clone();
        state.authentication_tokens.insert(id.clone(), token);
        Ok(id)
    }
}

fn live_token<'a>(
    state: &'a RebillyTenant,
    token: &str,
    now: DateTime<Utc>,
) -> Result<&'a AuthenticationToken, RebillyError> {
    let found = AuthenticationToken::find(state, token)?;
    if now >= found.expired_time {
        return Err(RebillyError::Unauthenticated(
            "The authentication token has expired.".into(),
        ));
    }
    Ok(found)
}

pub async fn exchange(
    req: HttpRequest,
    path: web::Path<TokenPath>,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let body = json_object(&req, &mut payload).await?;
    let now = rebilly.core.clock.now();
    let mut checks = Checks::default();
    let invalidate = match body.get("invalidate") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            checks.fail("invalidate", "must be a boolean");
            true
        }
    };
    let one_time_password = checks.opt_string(&body, "oneTimePassword", 6);
    if let Some(otp) = &one_time_password {
        if otp.len() != 6 || !otp.bytes().all(|b| b.is_ascii_digit()) {
            checks.fail("oneTimePassword", "must be 6 digits");
        }
    }
    let expires = future_time(&mut checks, &body, "expiredTime", now);
    let custom_claims = match body.get("customClaims") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(claims)) => claims.clone(),
        Some(_) => {
            checks.fail("customClaims", "must be an object");
            Map::new()
        }
    };
    let acl = match body.get("acl") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item.get("scope").and_then(Value::as_object) {
                    None => checks.fail(format!("acl.{i}.scope"), "is required (an object)"),
                    Some(scope) => check_scope(&mut checks, i, scope),
                }
                let permissions = item.get("permissions").and_then(Value::as_array);
                if !permissions.is_some_and(|p| p.iter().all(Value::is_string)) {
                    checks.fail(
                        format!("acl.{i}.permissions"),
                        "is required (an array of operation ids)",
                    );
                }
            }
            Some(Value::Array(items.clone()))
        }
        Some(_) => {
            checks.fail("acl", "must be an array of {scope, permissions}");
            None
        }
    };
    rebilly.with_tenant(&caller, |state| {
        let token = live_token(state, &path.token, now)?;
        let customer_id = token.customer_id.clone();
        if token.otp_required && one_time_password.is_none() {
            // The sandbox sends no OTP anywhere: any six digits stand for the one the customer got.
            checks.fail(
                "oneTimePassword",
                "is required: the token was created with otpRequired",
            );
        }
        checks.finish()?;
        if invalidate {
            state.authentication_tokens.remove(&path.token);
        }
        let jwt = state.mint_jwt(
            &customer_id,
            None,
            custom_claims,
            now,
            expires,
            &rebilly.jwt_secret(),
        );
        let body = jwt_json(jwt, &caller.organization_id, acl.as_ref());
        let href = resource_href(&req, "authentication-tokens", &path.token);
        Ok(created(href, body))
    })
}
