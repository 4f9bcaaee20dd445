//! Demo data of the providers with the simplest shapes: ZealID Hermes logins and penny-drop
//! sessions, Qolo persons after KYC, Sumvin applicants (one per personal access token).

use reqwest::Method;
use serde_json::{json, Value};

use super::{part, Demo, DemoError, Seeded};

const HERMES_CLIENT: &str = "demo-client";
const HERMES_SECRET: &str = "demo-secret";
const QOLO_LOGIN: (&str, &str) = ("demo-login", "demo-apikey");
/// The fixtures' CDD program.
const QOLO_PROGRAM: &str = "3fa0d2ea-ffcf-485d-94ed-dbf4f861ad2f";

pub(super) async fn hermes(demo: &mut Demo) -> Result<Seeded, DemoError> {
    let mut items = Vec::new();
    let path = format!(
        "/hermes/authorize?client_id={HERMES_CLIENT}&redirect_uri=http://localhost/cb&state=demo&kyc_data=true&sandbox_decision=approve"
    );
    for expire in [false, true] {
        let code = demo.redirect_code(&path).await?;
        if expire {
            demo.admin(
                "/transitions",
                json!({"provider": "hermes", "kind": "code", "id": code, "to": "expired"}),
            )
            .await?;
            items.push(("login code".into(), "expired".into()));
        } else {
            items.push((
                format!("login code {code}"),
                "approved, waiting for get_token".into(),
            ));
        }
    }
    for (status, state) in [
        (Some("SIGNED"), "penny-drop session signed"),
        (Some("FAILED"), "penny-drop session failed"),
        (None, "penny-drop session pending"),
    ] {
        let mut body = json!({"client_id": HERMES_CLIENT, "webhook_url": demo.sink("hermes")});
        if let Some(status) = status {
            body["status"] = json!(status);
        }
        let session = demo.admin("/hermes/pennydrop", body).await?;
        let id = session["session_id"].as_str().unwrap_or_default();
        items.push((format!("session {id}"), state.into()));
    }
    Ok(Seeded {
        provider: "hermes",
        credentials: vec![format!(
            "client_id: {HERMES_CLIENT}, secret: {HERMES_SECRET} (HMAC-signed calls)"
        )],
        items,
    })
}

pub(super) async fn qolo(demo: &mut Demo) -> Result<Seeded, DemoError> {
    let (login, apikey) = QOLO_LOGIN;
    let request = demo
        .request(Method::POST, "/qolo/api/v1/auth/login")
        .json(&json!({"loginid": login, "apikey": apikey}));
    let session = demo.send("Qolo POST /auth/login", request).await?;
    let token = session["token"].as_str().unwrap_or_default().to_owned();
    let mut items = Vec::new();
    for (last_name, govt_id, state) in [
        (None, "123456789", "CLEARED"),
        (
            Some("Sanctioned"),
            "123456780",
            "SANCTIONED (sanctions screen hit)",
        ),
        (
            None,
            "999000103",
            "UNVERIFIED (electronic verification failed)",
        ),
        (
            None,
            "999000101",
            "UNVERIFIED, out-of-wallet questions waiting",
        ),
    ] {
        let person = demo.person();
        let last_name = last_name.map_or(person.last_name.clone(), str::to_owned);
        let body: Value = json!({
            "program_guid": QOLO_PROGRAM,
            "person_details": {
                "first_name": person.first_name, "last_name": last_name,
                "birth_date": person.date_of_birth.to_string(),
                "base_address": {"address_line1": person.street, "city": "Austin", "state": "TX",
                                 "postal_code": "73301", "country": "USA"},
                "identifications": [{"govt_id_type": "SSN", "govt_id_number": govt_id}],
            },
        });
        let request = demo
            .request(Method::POST, "/qolo/api/v1/persons")
            .bearer_auth(&token)
            .json(&body);
        demo.send("Qolo POST /persons", request).await?;
        items.push((format!("{} {last_name}", person.first_name), state.into()));
    }
    Ok(Seeded {
        provider: "qolo",
        credentials: vec![format!(
            "POST /api/v1/auth/login {{\"loginid\": \"{login}\", \"apikey\": \"{apikey}\"}}, then Authorization: Bearer <token>"
        )],
        items,
    })
}

impl Demo {
    /// The `code` of the redirect an approved Hermes login answers with.
    async fn redirect_code(&self, path: &str) -> Result<String, DemoError> {
        let what = format!("Hermes GET {path}");
        let response = self
            .request(Method::GET, path)
            .send()
            .await
            .map_err(|e| DemoError(format!("{what}: {e}")))?;
        response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| url::Url::parse(l).ok())
            .and_then(|l| {
                l.query_pairs()
                    .find(|(k, _)| k == "code")
                    .map(|(_, v)| v.into_owned())
            })
            .ok_or_else(|| DemoError(format!("{what}: no code in the redirect")))
    }

    async fn sumvin_upload(
        &self,
        pat: &str,
        document_type: &str,
        file_name: &str,
    ) -> Result<(), DemoError> {
        let mut form = reqwest::multipart::Form::new()
            .text("document_type", document_type.to_owned())
            .text("country", "GBR");
        if document_type == "PASSPORT" {
            form = form.text("side", "FRONT_SIDE");
        }
        let request = self
            .request(Method::POST, "/sumvin/v0/kyc/documents")
            .header("x-sumvin-pat", pat)
            .multipart(form.part("file", part(file_name)));
        self.send("Sumvin POST /v0/kyc/documents", request).await?;
        Ok(())
    }
}

pub(super) async fn sumvin(demo: &mut Demo) -> Result<Seeded, DemoError> {
    let mut items = Vec::new();
    let mut credentials = Vec::new();
    // One applicant per personal access token; the passport's file name picks the scenario.
    for (pat, passport, state) in [
        ("pat_demo_approved", Some("passport.png"), "approved"),
        ("pat_demo_rejected", Some("reject.png"), "rejected"),
        (
            "pat_demo_retry",
            Some("retry.png"),
            "retry (asked to resubmit)",
        ),
        (
            "pat_demo_review",
            Some("stuck.png"),
            "in_progress (in review)",
        ),
        ("pat_demo_waiting", None, "pending (waiting for documents)"),
    ] {
        let request = demo
            .request(Method::POST, "/sumvin/v0/kyc/applicant")
            .header("x-sumvin-pat", pat);
        demo.send("Sumvin POST /v0/kyc/applicant", request).await?;
        if let Some(passport) = passport {
            demo.sumvin_upload(pat, "PASSPORT", passport).await?;
            demo.sumvin_upload(pat, "SELFIE", "selfie.png").await?;
        }
        credentials.push(format!("x-sumvin-pat: {pat}"));
        items.push((format!("applicant of {pat}"), state.into()));
    }
    Ok(Seeded {
        provider: "sumvin",
        credentials,
        items,
    })
}
