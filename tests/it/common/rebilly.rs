//! Rebilly test helpers: one organization and key, uploads whose file name picks the scenario.

use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use super::{tiny_png, Reply, TestApp};

pub const KEY: &str = "sk_sandbox_1";
pub const ORG: &str = "org-1";

impl TestApp {
    /// A core call as organization `ORG` with `KEY`.
    pub fn reb(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.rebilly(method, KEY, ORG, path)
    }

    pub async fn reb_get(&self, path: &str) -> Reply {
        self.send(self.reb(Method::GET, path)).await
    }

    pub async fn reb_json(&self, method: Method, path: &str, body: Value) -> Reply {
        self.send(self.reb(method, path).json(&body)).await
    }

    /// Uploads a PNG named `name`; the name picks the review scenario (`manual*` stays pending).
    pub async fn upload_named(&self, name: &str) -> Value {
        let form = Form::new().part("file", Part::bytes(tiny_png()).file_name(name.to_owned()));
        let reply = self
            .send(self.reb(Method::POST, "/files").multipart(form))
            .await;
        reply.rebilly(201, "File").clone()
    }

    /// Uploads a file named `file_name` and creates a `document_type` document for `customer`.
    pub async fn kyc_document(
        &self,
        customer: &str,
        document_type: &str,
        file_name: &str,
    ) -> Value {
        let file = self.upload_named(file_name).await;
        let body =
            json!({"customerId": customer, "documentType": document_type, "fileIds": [file["id"]]});
        let reply = self.reb_json(Method::POST, "/kyc-documents", body).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        reply.body
    }

    /// The reply to creating a `document_type` document (with a fresh file) for `customer`.
    pub async fn kyc_document_reply(&self, customer: &str, document_type: &str) -> Reply {
        let file = self.upload_named("document.png").await;
        let body =
            json!({"customerId": customer, "documentType": document_type, "fileIds": [file["id"]]});
        self.reb_json(Method::POST, "/kyc-documents", body).await
    }

    pub async fn kyc_request(&self, body: Value) -> Value {
        let reply = self.reb_json(Method::POST, "/kyc-requests", body).await;
        reply.rebilly(201, "KycRequest").clone()
    }

    /// A request's current status.
    pub async fn request_status(&self, id: &str) -> String {
        let reply = self.reb_get(&format!("/kyc-requests/{id}")).await;
        reply.rebilly(200, "KycRequest")["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}
