//! Hermes routes: the login (`/authorize`, the sandbox's stand-in for the URL a backend turns into
//! a QR code), the signed data API (`get_token`, `get_data`, also under ZealID's v2.0 paths) and
//! the picture links `get_data` hands out.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::errors::{method_not_allowed, route_not_found, HermesError};
use super::fixtures::{Client, Identity};
use super::model::{AccessToken, PictureKind, TOKEN_LIFETIME};
use super::{Hermes, MOUNT};
use crate::core::assets::fixture_bytes;
use crate::core::http::{
    base_url, body_limit, decode_json, endpoint, escape_html, location, mount_prefix, query_param,
    read_body,
};
use crate::core::TenantId;

type Reply = Result<HttpResponse, HermesError>;

pub fn routes(cfg: &mut web::ServiceConfig) {
    let resource = |path: &str| endpoint(vec![path.to_owned()], web::to(method_not_allowed));
    cfg.service(resource("/authorize").get(authorize))
        .service(resource("/mediator/api/get_token").post(get_token))
        .service(resource("/mediator/api/orpheus/v2.0/api/get_token").post(get_token))
        .service(resource("/mediator/api/get_data").post(get_data))
        .service(resource("/mediator/api/orpheus/v2.0/api/get_data").post(get_data))
        .service(resource("/pictures/{tenant}/{id}").get(picture))
        .default_service(web::to(route_not_found));
}

/// A login page's answer: a redirect to the client, or a page that redirects nowhere.
fn page(status: StatusCode, title: &str, body: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
             content=\"width=device-width, initial-scale=1\"><title>{} · ZealID (sandbox)</title></head>\
             <body style=\"font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem\">\
             <header><strong>ZealID</strong> <small>kyc-sandbox</small></header><main>{body}</main></body></html>",
            escape_html(title)
        ))
}

fn redirect(to: &str, params: &[(&str, &str)]) -> HttpResponse {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let separator = if to.contains('?') { '&' } else { '?' };
    HttpResponse::Found()
        .insert_header((
            header::LOCATION,
            location(&format!("{to}{separator}{query}")),
        ))
        .finish()
}

/// `GET /authorize?client_id&redirect_uri&state&kyc_data`: the login. With `sandbox_decision=
/// approve|decline` (and `sandbox_identity`) it answers the redirect at once, for tests without
/// a browser; otherwise a page offers the fixture identities, with a QR code of its own URL.
async fn authorize(req: HttpRequest, hermes: web::Data<Hermes>) -> HttpResponse {
    let param = |name| query_param(&req, name).filter(|v| !v.is_empty());
    let refuse = |message: String| {
        page(
            StatusCode::BAD_REQUEST,
            "Login refused",
            &format!(
                "<h1>Login refused</h1><p id=\"error\">{}</p>",
                escape_html(&message)
            ),
        )
    };
    let Some(client) = param("client_id").and_then(|id| hermes.clients.get(&id)) else {
        return refuse("Unknown client_id: the login cannot continue.".into());
    };
    let Some(redirect_uri) = param("redirect_uri").filter(|uri| client.accepts_redirect(uri))
    else {
        return refuse(format!(
            "redirect_uri must start with one of the client's registered URLs ({}).",
            client.redirect_uris.join(", ")
        ));
    };
    let state = param("state").unwrap_or_default();
    let kyc_data = param("kyc_data").is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    match param("sandbox_decision").as_deref() {
        Some("approve") => {
            let chosen = param("sandbox_identity");
            let identity = match &chosen {
                Some(id) => hermes.fixtures.identity(id),
                None => hermes.fixtures.identities.first(),
            };
            let Some(identity) = identity else {
                return refuse(format!(
                    "no identity `{}` in the fixtures",
                    chosen.unwrap_or_default()
                ));
            };
            let now = hermes.core.clock.now();
            let code = hermes.with_client(&client, |state| {
                state.approve(&identity.id, &redirect_uri, kyc_data, now)
            });
            redirect(&redirect_uri, &[("code", &code), ("state", &state)])
        }
        Some("decline") => redirect(
            &redirect_uri,
            &[("error", "access_denied"), ("state", &state)],
        ),
        Some(other) => refuse(format!(
            "sandbox_decision must be approve or decline, not `{other}`"
        )),
        None => login_page(&req, &hermes, &client, kyc_data),
    }
}

/// The page a person uses at a desk: who asks, whether KYC data is asked for, a button per test
/// identity and one to decline, and a scannable QR code of the page's own URL.
fn login_page(req: &HttpRequest, hermes: &Hermes, client: &Client, kyc_data: bool) -> HttpResponse {
    let own_url = format!("{}{}", base_url(req), req.uri());
    let qr = qrcode::QrCode::new(own_url.as_bytes())
        .map(|code| {
            code.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default();
    let decide = |decision: &str, identity: Option<&str>| {
        let mut url = format!("{own_url}&sandbox_decision={decision}");
        if let Some(id) = identity {
            url.push_str(&format!("&sandbox_identity={id}"));
        }
        escape_html(&url)
    };
    let identities: String = hermes
        .fixtures
        .identities
        .iter()
        .map(|i: &Identity| {
            format!(
                "<li><a id=\"approve-{id}\" href=\"{href}\">Approve as {first} {last}</a> ({kind}, {country})</li>",
                id = escape_html(&i.id),
                href = decide("approve", Some(&i.id)),
                first = escape_html(&i.first_name),
                last = escape_html(&i.last_name),
                kind = escape_html(&i.document.kind),
                country = escape_html(&i.document.issuance_country),
            )
        })
        .collect();
    let body = format!(
        "<h1>Log in with ZealID</h1><p><strong id=\"client\">{client}</strong> asks for your identity{kyc}.</p>\
         <div id=\"qr\">{qr}</div><ul id=\"identities\">{identities}</ul>\
         <p><a id=\"decline\" href=\"{decline}\">Decline</a></p>",
        client = escape_html(&client.client_id),
        kyc = if kyc_data { " and your KYC data (document and photo)" } else { "" },
        decline = decide("decline", None),
    );
    page(StatusCode::OK, "Log in with ZealID", &body)
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    code: String,
    redirect_uri: String,
}

/// `POST /mediator/api/get_token`: a login's code (once, for its client and `redirect_uri`, within
/// a few minutes) for an access token that lives 30 minutes.
async fn get_token(
    req: HttpRequest,
    mut payload: web::Payload,
    hermes: web::Data<Hermes>,
) -> Reply {
    let body = read_body(&req, &mut payload, body_limit(&req)).await?;
    let client = hermes.signed_by(&req, &body)?;
    let input: TokenRequest =
        decode_json(&body).map_err(|e| HermesError::BadRequest(format!("invalid body: {e}")))?;
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
        login.used = true;
        let (identity, kyc_data) = (login.identity.clone(), login.kyc_data);
        let token = format!("hermes_token_{}", state.rng.secret(43));
        state.tokens.insert(
            token.clone(),
            AccessToken {
                token: token.clone(),
                identity,
                kyc_data,
                expires_at: now + TOKEN_LIFETIME,
            },
        );
        Ok(HttpResponse::Ok().json(json!({"access_token": token, "status": "OK"})))
    })
}

#[derive(Deserialize)]
struct DataRequest {
    token: String,
}

/// `POST /mediator/api/get_data`: the seed's shape, with `kyc_data` only when the login asked.
async fn get_data(req: HttpRequest, mut payload: web::Payload, hermes: web::Data<Hermes>) -> Reply {
    let body = read_body(&req, &mut payload, body_limit(&req)).await?;
    let client = hermes.signed_by(&req, &body)?;
    let input: DataRequest =
        decode_json(&body).map_err(|e| HermesError::BadRequest(format!("invalid body: {e}")))?;
    let now = hermes.core.clock.now();
    let pictures_base = format!(
        "{}{}/pictures/{}",
        base_url(&req),
        mount_prefix(&req, MOUNT),
        Hermes::tenant_of(&client)
    );
    hermes.with_client(&client, |state| {
        let token = state
            .tokens
            .get(&input.token)
            .filter(|t| now <= t.expires_at)
            .cloned()
            .ok_or_else(|| HermesError::InvalidGrant("token is not known or has expired".into()))?;
        let identity = hermes
            .fixtures
            .identity(&token.identity)
            .ok_or_else(|| HermesError::InvalidGrant("the token's identity is gone from the fixtures".into()))?;
        let mut answer = json!({
            "customer_id": Hermes::customer_id(&client, &identity.id),
            "data": {
                "first_name": identity.first_name,
                "last_name": identity.last_name,
                "serial_number": identity.serial_number,
            },
            "status": "success",
            "success": true,
        });
        if token.kyc_data {
            let mut link = |kind| {
                let picture = state.picture(&identity.id, kind, now);
                json!({"expires": picture.expires_at.timestamp(), "url": format!("{pictures_base}/{}", picture.id)})
            };
            let expires = identity.document.expires.format("%d-%m-%Y").to_string();
            answer["kyc_data"] = json!({
                "document": {
                    "expires": expires,
                    "issuance_country": identity.document.issuance_country,
                    "pictures": {"av": link(PictureKind::Av), "rev": link(PictureKind::Rev)},
                    "type": identity.document.kind,
                },
                "person_photo": {"picture": link(PictureKind::PersonPhoto), "expires": expires},
            });
        }
        Ok(HttpResponse::Ok().json(answer))
    })
}

/// A picture link from `get_data`: the image until its `expires`, `410` after.
async fn picture(path: web::Path<(String, String)>, hermes: web::Data<Hermes>) -> Reply {
    let (tenant, id) = path.into_inner();
    let now: DateTime<Utc> = hermes.core.clock.now();
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
