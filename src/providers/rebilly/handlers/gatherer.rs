//! The KYC gatherer a kyc-request's `kycGatherer` link opens: a page asking for each requested
//! document that submits through the storefront API with the link's token, shows the outcome and
//! returns to `redirectUrl` with `info=success|partial|manual|back|token_expired`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::core::http::{
    escape_html, fill_hosted, hosted_page, location, mount_prefix, script_json, Brand,
};
use crate::providers::rebilly::auth::Shopper;
use crate::providers::rebilly::errors::RebillyError;
use crate::providers::rebilly::model::session::decode_jwt;
use crate::providers::rebilly::model::{DocumentType, KycRequest, RequestedDocument, SUBTYPES};
use crate::providers::rebilly::wire::query_param;
use crate::providers::rebilly::{Rebilly, MOUNT};

const PAGE: &str = include_str!("kyc-gatherer.html");

/// Where the gatherer sends the customer back, with `info` appended.
pub fn return_url(redirect_url: &str, info: &str) -> String {
    let joiner = if redirect_url.contains('?') { '&' } else { '?' };
    format!("{redirect_url}{joiner}info={info}")
}

fn label(kind: DocumentType) -> &'static str {
    match kind {
        DocumentType::Identity => "Proof of identity",
        DocumentType::Address => "Proof of address",
        DocumentType::Funds => "Proof of funds",
        DocumentType::Purchase => "Proof of purchase",
        DocumentType::CreditFile => "Credit file",
    }
}

/// The file tags Rebilly expects on each kind of upload.
fn tags(kind: DocumentType) -> &'static [&'static str] {
    match kind {
        DocumentType::Identity => &["kyc", "id-front"],
        _ => &["kyc"],
    }
}

fn fieldset(wanted: &RequestedDocument) -> String {
    let kind = wanted.kind.as_str();
    let subtypes: Vec<&str> = match &wanted.subtypes {
        Some(allowed) if !allowed.is_empty() => allowed.iter().map(String::as_str).collect(),
        _ => SUBTYPES.to_vec(),
    };
    let options: String = subtypes
        .iter()
        .map(|s| format!("<option value=\"{s}\">{s}</option>"))
        .collect();
    let selfie = if wanted.face_proof_required {
        format!(
            "<label for=\"selfie-{kind}\">A selfie holding the document</label>\n\
             <input type=\"file\" id=\"selfie-{kind}\" name=\"selfie-{kind}\" accept=\"image/*\" required>\n"
        )
    } else {
        String::new()
    };
    format!(
        "<fieldset data-type=\"{kind}\">\n<legend>{legend}</legend>\n\
         <label for=\"subtype-{kind}\">Kind of document</label>\n\
         <select id=\"subtype-{kind}\" name=\"subtype-{kind}\"><option value=\"\">Not sure</option>{options}</select>\n\
         <label for=\"file-{kind}\">Photo or scan (JPEG, PNG or PDF)</label>\n\
         <input type=\"file\" id=\"file-{kind}\" name=\"file-{kind}\" accept=\"image/jpeg,image/png,application/pdf\">\n\
         {selfie}</fieldset>",
        legend = label(wanted.kind),
    )
}

fn render(request: &KycRequest, token: &str, api: &str) -> String {
    let config = json!({
        "token": token,
        "requestId": request.id,
        "api": api,
        "redirectUrl": request.redirect_url,
        "documents": request.documents.iter()
            .filter(|d| d.kind != DocumentType::CreditFile)
            .map(|d| json!({"type": d.kind.as_str(), "label": label(d.kind), "tags": tags(d.kind)}))
            .collect::<Vec<_>>(),
    });
    let back = request
        .redirect_url
        .as_deref()
        .map_or_else(|| "#".to_owned(), |url| return_url(url, "back"));
    let fieldsets: String = request
        .documents
        .iter()
        .filter(|d| d.kind != DocumentType::CreditFile)
        .map(fieldset)
        .collect::<Vec<_>>()
        .join("\n");
    fill_hosted(
        PAGE,
        &[
            ("request_id", &escape_html(&request.id)),
            ("back_url", &escape_html(&back)),
            ("fieldsets", &fieldsets),
            ("config", &script_json(&config)),
        ],
    )
}

/// How the gatherer's pages look.
const BRAND: Brand = Brand {
    name_html: "Rebilly",
    product: "Identity verification",
    color: "#2a62d0",
    soft: "#e6eefc",
    stands_in_for: "Rebilly's hosted KYC gatherer",
};

fn message_page(status: StatusCode, title: &str, text: &str) -> HttpResponse {
    let main = format!(
        "<section class=\"card\"><h1>{title}</h1><p>{text}</p></section>",
        title = escape_html(title),
        text = escape_html(text)
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(hosted_page(&BRAND, title, &main))
}

/// What a gatherer link's token leads to.
enum Link {
    Open(Box<KycRequest>),
    Expired(Option<String>),
    Invalid,
}

fn resolve(rebilly: &Rebilly, token: &str) -> Link {
    let Some(claims) = decode_jwt(token, &rebilly.jwt_secret()) else {
        return Link::Invalid;
    };
    let tenant = crate::core::TenantId::derive(crate::providers::rebilly::NAME, &[&claims.org]);
    let Some(slot) = rebilly.tenants.get(&tenant) else {
        return Link::Invalid;
    };
    let now = rebilly.core.clock.now();
    let state = slot.state.lock();
    let Some(jwt) = state.jwts.get(&claims.jti).filter(|j| j.token == token) else {
        return Link::Invalid;
    };
    let Some(request) = jwt
        .kyc_request_id
        .as_deref()
        .and_then(|id| state.requests.get(id))
    else {
        return Link::Invalid;
    };
    let closed = request.status.is_final() && request.status.as_str() != "fulfilled";
    if jwt.revoked || now >= jwt.expired_time || closed {
        return Link::Expired(request.redirect_url.clone());
    }
    Link::Open(Box::new(request.clone()))
}

pub async fn page(req: HttpRequest, rebilly: web::Data<Rebilly>) -> HttpResponse {
    let Some(token) = query_param(&req, "token") else {
        return message_page(
            StatusCode::BAD_REQUEST,
            "Link incomplete",
            "This KYC link has no token. Open the link from the KYC request's kycGatherer.",
        );
    };
    match resolve(&rebilly, &token) {
        Link::Open(request) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(render(
                &request,
                &token,
                &format!("{}/storefront", mount_prefix(&req, MOUNT)),
            )),
        Link::Expired(Some(redirect)) => HttpResponse::Found()
            .insert_header((
                header::LOCATION,
                location(&return_url(&redirect, "token_expired")),
            ))
            .finish(),
        Link::Expired(None) => message_page(
            StatusCode::GONE,
            "Link expired",
            "This KYC link has expired. Ask for a new one.",
        ),
        Link::Invalid => message_page(
            StatusCode::NOT_FOUND,
            "Link not valid",
            "This KYC link is not valid in this sandbox (it may have been reset).",
        ),
    }
}

/// `POST /storefront/files`: the gatherer uploads a customer's document images with their JWT.
pub async fn upload_as_customer(
    req: HttpRequest,
    payload: web::Payload,
    shopper: Shopper,
    rebilly: web::Data<Rebilly>,
) -> Result<HttpResponse, RebillyError> {
    super::files::upload(req, payload, shopper.caller, rebilly).await
}
