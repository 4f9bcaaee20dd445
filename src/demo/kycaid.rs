//! KYCAID demo data: one API token, applicants whose verifications end approved, declined with a
//! reason, asked to resubmit, in manual review, and a form link nobody has completed.

use reqwest::Method;
use serde_json::{json, Value};

use super::{part, Demo, DemoError, Seeded};

const TOKEN: &str = "demo-kycaid-token";
/// The fixtures' default form (profile, document and facial checks).
const FORM_ID: &str = "55d5a731790f81cf26637083168ff266b603";

impl Demo {
    async fn kycaid(&self, method: Method, path: &str, body: Value) -> Result<Value, DemoError> {
        let request = self
            .request(method.clone(), &format!("/kycaid{path}"))
            .header("authorization", format!("Token {TOKEN}"))
            .json(&body);
        self.send(&format!("KYCAID {method} {path}"), request).await
    }

    /// An applicant with a passport (numbered `number`: magic prefixes pick a decline reason),
    /// submitted for verification; `tag` goes into the email (`+manual`, `+resubmit`).
    async fn kycaid_submitted(&mut self, tag: &str, number: &str) -> Result<String, DemoError> {
        let person = self.person();
        let (user, domain) = person
            .email
            .split_once('@')
            .unwrap_or(("person", "example.com"));
        let applicant = self
            .kycaid(
                Method::POST,
                "/applicants",
                json!({
                    "type": "PERSON", "first_name": person.first_name, "last_name": person.last_name,
                    "dob": person.date_of_birth.to_string(), "email": format!("{user}{tag}@{domain}"),
                    "residence_country": "GB",
                }),
            )
            .await?;
        let applicant_id = applicant["applicant_id"].as_str().unwrap_or_default();
        let form = reqwest::multipart::Form::new().part("file", part("passport.png"));
        let upload = self
            .request(Method::POST, "/kycaid/files")
            .header("authorization", format!("Token {TOKEN}"))
            .multipart(form);
        let file = self.send("KYCAID POST /files", upload).await?;
        self.kycaid(
            Method::POST,
            "/documents",
            json!({"applicant_id": applicant_id, "type": "PASSPORT", "document_number": number,
                   "front_side_id": file["file_id"]}),
        )
        .await?;
        self.kycaid(
            Method::POST,
            "/verifications",
            json!({"applicant_id": applicant_id, "callback_url": self.sink("kycaid")}),
        )
        .await?;
        Ok(format!("{} {}", person.first_name, person.last_name))
    }
}

pub(super) async fn seed(demo: &mut Demo) -> Result<Seeded, DemoError> {
    let mut items = Vec::new();
    let number = demo.person().document_number;
    let approved = demo.kycaid_submitted("", &number).await?;
    items.push((format!("{approved}'s verification"), "approved".into()));
    let expired = demo.kycaid_submitted("", "0000-EXPIRED_DOCUMENT-1").await?;
    items.push((
        format!("{expired}'s verification"),
        "declined (document: EXPIRED_DOCUMENT)".into(),
    ));
    let resubmit = demo.kycaid_submitted("+resubmit", "AB1234567").await?;
    items.push((
        format!("{resubmit}'s verification"),
        "declined (BAD_QUALITY), may resubmit".into(),
    ));
    let review = demo.kycaid_submitted("+manual", "CD7654321").await?;
    items.push((
        format!("{review}'s verification"),
        "pending, in manual review".into(),
    ));
    let person = demo.person();
    let link = demo
        .kycaid(
            Method::POST,
            &format!("/forms/{FORM_ID}/urls"),
            json!({"external_applicant_id": format!("demo-{}", person.last_name.to_lowercase())}),
        )
        .await?;
    items.push((
        format!(
            "form link {}",
            link["form_url"].as_str().unwrap_or_default()
        ),
        "unused, waiting for documents".into(),
    ));
    Ok(Seeded {
        provider: "kycaid",
        credentials: vec![format!("Authorization: Token {TOKEN}")],
        items,
    })
}
