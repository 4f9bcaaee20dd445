//! Rebilly demo data: one organization and key; customers whose KYC documents end accepted,
//! rejected with a reason and waiting for a reviewer, and KYC requests still gathering documents
//! and expired.

use reqwest::Method;
use serde_json::{json, Value};

use super::{part, Demo, DemoError, Seeded};

const KEY: &str = "sk_sandbox_demo";
const ORG: &str = "org-demo";

impl Demo {
    async fn rebilly(&self, method: Method, path: &str, body: Value) -> Result<Value, DemoError> {
        let request = self
            .request(
                method.clone(),
                &format!("/rebilly/organizations/{ORG}{path}"),
            )
            .header("REB-APIKEY", KEY)
            .json(&body);
        self.send(&format!("Rebilly {method} {path}"), request)
            .await
    }

    /// A new customer (`cus_demo_<n>`) named after the next fake person; returns id and name.
    async fn rebilly_customer(&mut self, n: usize) -> Result<(String, String), DemoError> {
        let person = self.person();
        let id = format!("cus_demo_{n}");
        self.rebilly(
            Method::PUT,
            &format!("/customers/{id}"),
            json!({"primaryAddress": {"firstName": person.first_name, "lastName": person.last_name,
                   "emails": [{"label": "main", "value": person.email, "primary": true}],
                   "city": person.city, "postalCode": person.postal_code, "country": "GB"}}),
        )
        .await?;
        Ok((id, format!("{} {}", person.first_name, person.last_name)))
    }

    /// An identity proof for `customer` from a file named `file_name` (the name picks the
    /// scenario: `reject-…`, `manual…`).
    async fn rebilly_document(&self, customer: &str, file_name: &str) -> Result<(), DemoError> {
        let form = reqwest::multipart::Form::new().part("file", part(file_name));
        let upload = self
            .request(Method::POST, &format!("/rebilly/organizations/{ORG}/files"))
            .header("REB-APIKEY", KEY)
            .multipart(form);
        let file = self.send("Rebilly POST /files", upload).await?;
        self.rebilly(
            Method::POST,
            "/kyc-documents",
            json!({"customerId": customer, "documentType": "identity-proof", "fileIds": [file["id"]]}),
        )
        .await?;
        Ok(())
    }

    async fn rebilly_request(&self, customer: &str) -> Result<String, DemoError> {
        let request = self
            .rebilly(
                Method::POST,
                "/kyc-requests",
                json!({"customerId": customer, "reason": "registration",
                       "documents": [{"type": "identity-proof"}, {"type": "address-proof"}]}),
            )
            .await?;
        Ok(request["id"].as_str().unwrap_or_default().to_owned())
    }
}

pub(super) async fn seed(demo: &mut Demo) -> Result<Seeded, DemoError> {
    let mut items = Vec::new();
    // A webhook for every event, so the dashboard lists deliveries.
    demo.rebilly(
        Method::POST,
        "/webhooks",
        json!({"url": demo.sink("rebilly"), "method": "POST", "credentialHash": "demo",
               "eventsFilter": []}),
    )
    .await?;
    let (customer, name) = demo.rebilly_customer(1).await?;
    demo.rebilly_document(&customer, "passport.png").await?;
    items.push((format!("{name}'s identity proof"), "accepted".into()));
    let (customer, name) = demo.rebilly_customer(2).await?;
    demo.rebilly_document(&customer, "reject-document-expired.png")
        .await?;
    items.push((
        format!("{name}'s identity proof"),
        "rejected (document-expired)".into(),
    ));
    let (customer, name) = demo.rebilly_customer(3).await?;
    demo.rebilly_document(&customer, "manual-review.png")
        .await?;
    items.push((
        format!("{name}'s identity proof"),
        "pending, waiting for a reviewer".into(),
    ));
    let (customer, name) = demo.rebilly_customer(4).await?;
    demo.rebilly_request(&customer).await?;
    items.push((
        format!("{name}'s KYC request"),
        "gathering, waiting for documents".into(),
    ));
    let (customer, name) = demo.rebilly_customer(5).await?;
    let expired = demo.rebilly_request(&customer).await?;
    demo.admin(
        "/transitions",
        json!({"provider": "rebilly", "kind": "kyc-request", "id": expired, "to": "expired"}),
    )
    .await?;
    items.push((format!("{name}'s KYC request"), "expired".into()));
    Ok(Seeded {
        provider: "rebilly",
        credentials: vec![
            format!("REB-APIKEY: {KEY}"),
            format!("organization: {ORG} (base URL …/organizations/{ORG})"),
        ],
        items,
    })
}
