//! The signed data API: `get_token`, `get_data` (after a QR login, or with the `session_id` and
//! `user_id` of an AML-KYC webhook) and the picture links.

use std::borrow::Cow;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::Reply;
use crate::core::assets::fixture_bytes;
use crate::core::http::{base_url, body_limit, decode_json, mount_prefix, read_body};
use crate::core::json_out::{self, ObjectWriter, Rendered};
use crate::core::TenantId;
use crate::providers::hermes::errors::HermesError;
use crate::providers::hermes::fixtures::{Client, Identity};
use crate::providers::hermes::model::{
    failure_due, AccessToken, HermesTenant, Picture, PictureKind, TOKEN_LIFETIME,
};
use crate::providers::hermes::scenario::{Call, Failure, HermesEffect};
use crate::providers::hermes::{Hermes, MOUNT};

/// The signed body of a data API call, and the scenario `X-Sandbox-Scenario` names for it.
async fn signed_call<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: &mut web::Payload,
    hermes: &Hermes,
) -> Result<(Client, T, Option<HermesEffect>), HermesError> {
    let body = read_body(req, payload, body_limit(req)).await?;
    let client = hermes.signed_by(req, &body)?;
    let input =
        decode_json(&body).map_err(|e| HermesError::BadRequest(format!("invalid body: {e}")))?;
    let forced = hermes.forced_effect(req)?;
    Ok((client, input, forced))
}

pub(crate) fn provider_failure(fail: &Failure) -> HermesError {
    HermesError::Unexpected {
        status: actix_web::http::StatusCode::from_u16(fail.status)
            .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR),
        detail: fail.message.clone(),
    }
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    code: String,
    redirect_uri: String,
}

/// `POST /mediator/api/get_token`: a login's code (once, for its client and `redirect_uri`, within
/// a few minutes) for an access token that lives 30 minutes.
pub(super) async fn get_token(
    req: HttpRequest,
    mut payload: web::Payload,
    hermes: web::Data<Hermes>,
) -> Reply {
    let (client, input, forced): (_, TokenRequest, _) =
        signed_call(&req, &mut payload, &hermes).await?;
    if input.grant_type != "authorization_code" {
        return Err(HermesError::BadRequest(
            "grant_type must be authorization_code".into(),
        ));
    }
    let now = hermes.core.clock.now();
    hermes.with_client(&client, |state| {
        let invalid = |why: &str| HermesError::InvalidGrant(format!("code {why}"));
        let login = state
            .logins
            .get_mut(&input.code)
            .ok_or_else(|| invalid("is not known"))?;
        if login.used {
            return Err(invalid("was already used"));
        }
        if now > login.expires_at {
            return Err(invalid("has expired"));
        }
        if login.redirect_uri != input.redirect_uri {
            return Err(invalid("was issued for another redirect_uri"));
        }
        if let Some(fail) = failure_due(
            forced.as_ref(),
            &login.effect,
            &mut login.failures,
            Call::GetToken,
        ) {
            return Err(provider_failure(fail));
        }
        login.used = true;
        let token = AccessToken {
            token: format!("hermes_token_{}", state.rng.secret(43)),
            identity: login.identity.clone(),
            kyc_data: login.kyc_data,
            expires_at: now + TOKEN_LIFETIME,
            scenario: login.scenario.clone(),
            effect: login.effect.clone(),
            failures: 0,
        };
        let answer = json_out::object(|o| {
            o.field("access_token", &token.token).field("status", "OK");
        });
        state.tokens.insert(token.token.clone(), token);
        Ok(answer.ok())
    })
}

/// `get_data`'s body: a QR login's token, or an AML-KYC session from its webhook.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataRequest {
    token: Option<String>,
    session_id: Option<String>,
    user_id: Option<String>,
}

/// `POST /mediator/api/get_data`: the seed's shape, with `kyc_data` only when the login asked.
pub(super) async fn get_data(
    req: HttpRequest,
    mut payload: web::Payload,
    hermes: web::Data<Hermes>,
) -> Reply {
    let (client, input, forced): (_, DataRequest, _) =
        signed_call(&req, &mut payload, &hermes).await?;
    match input {
        DataRequest {
            token: Some(token),
            session_id: None,
            user_id: None,
        } => qr_login_data(&req, &hermes, &client, &token, forced),
        DataRequest {
            token: None,
            session_id: Some(session_id),
            user_id: Some(user_id),
        } => hermes.pennydrop_data(&client, &session_id, &user_id, forced.as_ref()),
        _ => Err(HermesError::BadRequest(
            "send {\"token\"} from get_token, or {\"session_id\", \"user_id\"} from the AML-KYC webhook"
                .into(),
        )),
    }
}

fn qr_login_data(
    req: &HttpRequest,
    hermes: &Hermes,
    client: &Client,
    token: &str,
    forced: Option<HermesEffect>,
) -> Reply {
    let now = hermes.core.clock.now();
    let pictures_base = format!(
        "{}{}/pictures/{}",
        base_url(req),
        mount_prefix(req, MOUNT),
        Hermes::tenant_of(client)
    );
    hermes.with_client(client, |state| {
        let token = state
            .tokens
            .get_mut(token)
            .filter(|t| now <= t.expires_at)
            .ok_or_else(|| HermesError::InvalidGrant("token is not known or has expired".into()))?;
        if let Some(fail) = failure_due(
            forced.as_ref(),
            &token.effect,
            &mut token.failures,
            Call::GetData,
        ) {
            return Err(provider_failure(fail));
        }
        let (identity_id, kyc_data) = (token.identity.clone(), token.kyc_data);
        let effect = forced.unwrap_or_else(|| token.effect.clone());
        let identity = hermes.fixtures.identity(&identity_id).ok_or_else(|| {
            HermesError::InvalidGrant("the token's identity is gone from the fixtures".into())
        })?;
        let kyc_data = kyc_data.then(|| kyc_data_of(identity, &effect, state, &pictures_base, now));
        let answer = json_out::object(|o| {
            o.field("customer_id", &Hermes::customer_id(client, &identity.id))
                .object("data", |o| {
                    for (name, value) in person_data(client, identity) {
                        o.field(name, &value);
                    }
                })
                .field("status", "success")
                .field("success", &true);
            if let Some(kyc_data) = &kyc_data {
                o.raw("kyc_data", kyc_data);
            }
        });
        Ok(answer.ok())
    })
}

/// `data`, as `(name, value)` in order: the attributes every login returns, then the optional
/// ones the client is configured for that the identity has. One configured under the name of a
/// field before it takes that field's place, as in the `Map` this was once built as.
pub(crate) fn person_data<'a>(
    client: &'a Client,
    identity: &'a Identity,
) -> Vec<(&'a str, Cow<'a, str>)> {
    let mut data = vec![
        ("first_name", Cow::Borrowed(identity.first_name.as_str())),
        ("last_name", Cow::Borrowed(identity.last_name.as_str())),
        (
            "serial_number",
            Cow::Borrowed(identity.serial_number.as_str()),
        ),
    ];
    for name in &client.attributes {
        let value = match name.as_str() {
            "document_expiration_date" => Some(Cow::Owned(
                identity.document.expires.format("%d-%m-%Y").to_string(),
            )),
            other => identity
                .attributes
                .get(other)
                .map(|v| Cow::Borrowed(v.as_str())),
        };
        if let Some(value) = value {
            match data.iter_mut().find(|(field, _)| field == name) {
                Some(field) => field.1 = value,
                None => data.push((name, value)),
            }
        }
    }
    data
}

/// `kyc_data`: the document (as the scenario may change it) and, unless the scenario has none,
/// picture links that open for ten minutes.
fn kyc_data_of(
    identity: &Identity,
    effect: &HermesEffect,
    state: &mut HermesTenant,
    pictures_base: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Rendered {
    let changed = effect.document.clone().unwrap_or_default();
    let expires = changed
        .expires
        .unwrap_or(identity.document.expires)
        .format("%d-%m-%Y")
        .to_string();
    let pictures = (!effect.no_pictures).then(|| {
        [PictureKind::Av, PictureKind::Rev, PictureKind::PersonPhoto]
            .map(|kind| state.picture(&identity.id, kind, now))
    });
    let link = |o: &mut ObjectWriter, picture: &Picture| {
        o.field("expires", &picture.expires_at.timestamp())
            .display("url", format_args!("{pictures_base}/{}", picture.id));
    };
    json_out::object(|o| {
        o.object("document", |o| {
            o.field("expires", &expires)
                .field(
                    "issuance_country",
                    changed
                        .issuance_country
                        .as_deref()
                        .unwrap_or(&identity.document.issuance_country),
                )
                .field(
                    "type",
                    changed.kind.as_deref().unwrap_or(&identity.document.kind),
                );
            if let Some([av, rev, _]) = &pictures {
                o.object("pictures", |o| {
                    o.object("av", |o| link(o, av))
                        .object("rev", |o| link(o, rev));
                });
            }
        })
        .object("person_photo", |o| {
            o.field("expires", &expires);
            if let Some([_, _, photo]) = &pictures {
                o.object("picture", |o| link(o, photo));
            }
        });
    })
}

/// A picture link from `get_data`: the image until its `expires`, `410` after.
pub(super) async fn picture(path: web::Path<(String, String)>, hermes: web::Data<Hermes>) -> Reply {
    let (tenant, id) = path.into_inner();
    let now = hermes.core.clock.now();
    let slot = hermes
        .tenants
        .get(&TenantId::parse(&tenant))
        .ok_or_else(|| HermesError::NotFound("no such picture".into()))?;
    let expires_at = slot
        .state
        .lock()
        .pictures
        .get(&id)
        .map(|p| p.expires_at)
        .ok_or_else(|| HermesError::NotFound("no such picture".into()))?;
    if now > expires_at {
        return Err(HermesError::Gone("the picture link has expired".into()));
    }
    let image = fixture_bytes("images/document.png").unwrap_or_default();
    Ok(HttpResponse::Ok().content_type("image/png").body(image))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::hermes::fixtures::Document;

    #[test]
    fn configured_attributes_follow_the_fixed_ones_or_take_their_place() {
        let mut client = Client::parse("app:secret").unwrap();
        client.attributes = ["personal_number", "last_name", "missing", "personal_number"]
            .map(str::to_owned)
            .to_vec();
        let identity = Identity {
            id: "lt".into(),
            first_name: "JONAS".into(),
            last_name: "PETRAITIS".into(),
            serial_number: "PNOLT-1".into(),
            document: Document {
                kind: "ID_CARD".into(),
                issuance_country: "LT".into(),
                expires: chrono::NaiveDate::from_ymd_opt(2031, 5, 5).unwrap(),
            },
            attributes: [("personal_number", "1"), ("last_name", "P.")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into_iter()
                .collect(),
        };
        let data = person_data(&client, &identity);
        let data: Vec<(&str, &str)> = data.iter().map(|(k, v)| (*k, v.as_ref())).collect();
        assert_eq!(
            data,
            [
                ("first_name", "JONAS"),
                ("last_name", "P."),
                ("serial_number", "PNOLT-1"),
                ("personal_number", "1"),
            ]
        );
    }
}
