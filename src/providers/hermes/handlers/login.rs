//! The login page and its decisions.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{page, redirect};
use crate::core::http::{base_url, escape_html, query_param};
use crate::providers::hermes::fixtures::{Client, Identity};
use crate::providers::hermes::Hermes;

/// `GET /authorize?client_id&redirect_uri&state&kyc_data`: the login. With `sandbox_decision=
/// approve|decline` (and `sandbox_identity`) it answers the redirect at once, for tests without
/// a browser; otherwise a page offers the fixture identities, with a QR code of its own URL.
pub(super) async fn authorize(req: HttpRequest, hermes: web::Data<Hermes>) -> HttpResponse {
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
            let scenario = match hermes.login_scenario(
                &client,
                identity,
                kyc_data,
                param("sandbox_scenario").as_deref(),
            ) {
                Ok(scenario) => scenario,
                Err(e) => return refuse(e.to_string()),
            };
            if scenario.1.decline {
                return redirect(
                    &redirect_uri,
                    &[("error", "access_denied"), ("state", &state)],
                );
            }
            let now = hermes.core.clock.now();
            let code = hermes.with_client(&client, |tenant| {
                tenant.approve(&identity.id, &redirect_uri, kyc_data, scenario, now)
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
                "<li class=\"identity\" style=\"display:flex;gap:.75rem;align-items:center;margin:.5rem 0\">{photo}<span><a id=\"approve-{id}\" href=\"{href}\">Approve as {first} {last}</a>\
                 <br><small>{kind}, {country}, expires {expires}</small></span></li>",
                photo = photo(i),
                id = escape_html(&i.id),
                href = decide("approve", Some(&i.id)),
                first = escape_html(&i.first_name),
                last = escape_html(&i.last_name),
                kind = escape_html(&i.document.kind),
                country = escape_html(&i.document.issuance_country),
                expires = i.document.expires.format("%d-%m-%Y"),
            )
        })
        .collect();
    let body = format!(
        "<h1>Log in with ZealID</h1><p><strong id=\"client\">{client}</strong> asks for your identity{kyc}.</p>\
         <div id=\"qr\">{qr}</div><p>Scan the code with a phone, or choose who logs in:</p>\
         <ul id=\"identities\" style=\"list-style:none;padding:0\">{identities}</ul>\
         <p><a id=\"decline\" href=\"{decline}\">Decline</a></p>",
        client = escape_html(&client.client_id),
        kyc = if kyc_data { " and your KYC data (document and photo)" } else { "" },
        decline = decide("decline", None),
    );
    page(StatusCode::OK, "Log in with ZealID", &body)
}

/// The identity's photo: a drawn portrait with its initials (no network, no image files).
fn photo(identity: &Identity) -> String {
    let hue = identity
        .id
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into()))
        % 360;
    let initials: String = [&identity.first_name, &identity.last_name]
        .iter()
        .filter_map(|name| name.chars().next())
        .collect();
    format!(
        "<svg class=\"photo\" role=\"img\" aria-label=\"Photo of {first} {last}\" width=\"48\" height=\"60\" viewBox=\"0 0 48 60\">\
         <rect width=\"48\" height=\"60\" rx=\"4\" fill=\"hsl({hue},45%,85%)\"/>\
         <circle cx=\"24\" cy=\"22\" r=\"11\" fill=\"hsl({hue},30%,45%)\"/>\
         <path d=\"M6 60c0-12 8-20 18-20s18 8 18 20z\" fill=\"hsl({hue},30%,45%)\"/>\
         <text x=\"24\" y=\"26\" font-size=\"10\" text-anchor=\"middle\" fill=\"#fff\" font-family=\"sans-serif\">{initials}</text></svg>",
        first = escape_html(&identity.first_name),
        last = escape_html(&identity.last_name),
        initials = escape_html(&initials),
    )
}
