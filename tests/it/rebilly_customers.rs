//! Rebilly customers: the first step of Rebilly's KYC integration guide. Create, upsert, read,
//! list and merge-and-delete as the spec's PostCustomer, PutCustomer, GetCustomer,
//! GetCustomerCollection and DeleteCustomer describe them; and by default a KYC document or
//! request for a customer that does not exist is refused, as Rebilly refuses it.

use crate::common;

use common::rebilly::{KEY, ORG};
use common::{spawn_app, spawn_with, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn strict() -> TestApp {
    spawn_with(|c| c.rebilly_implicit_customers = false).await
}

fn contact() -> Value {
    json!({
        "firstName": "Ada", "lastName": "Lovelace", "address": "12 St James's Sq", "city": "London",
        "country": "GB", "postalCode": "SW1Y 4JH",
        "emails": [{"label": "main", "value": "ada@example.com", "primary": true}],
    })
}

#[tokio::test]
async fn a_customer_is_created_read_upserted_and_listed() {
    let app = strict().await;
    let created = app
        .send(
            app.rebilly(Method::POST, KEY, ORG, "/customers")
                .json(&json!({"primaryAddress": contact(), "customFields": {"tier": "gold"}})),
        )
        .await;
    let customer = created.rebilly(201, "Customer").clone();
    let id = customer["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("cus_"), "{id}");
    assert_eq!(
        created.headers["location"],
        format!("/rebilly/organizations/{ORG}/customers/{id}")
    );
    assert_eq!(
        (&customer["firstName"], &customer["email"]),
        (&json!("Ada"), &json!("ada@example.com"))
    );
    assert_eq!(customer["customFields"], json!({"tier": "gold"}));
    let read = app
        .send(app.rebilly(Method::GET, KEY, ORG, &format!("/customers/{id}")))
        .await;
    assert_eq!(
        read.rebilly(200, "Customer")["primaryAddress"]["city"],
        "London"
    );

    // Upsert: an unknown id is created with that id (201), a known one updated (200).
    let put = |id: &str, body: Value| {
        app.send(
            app.rebilly(Method::PUT, KEY, ORG, &format!("/customers/{id}"))
                .json(&body),
        )
    };
    let new = put("cus_mine", json!({"websiteId": "web_1"})).await;
    assert_eq!(new.rebilly(201, "Customer")["websiteId"], "web_1");
    let again = put(
        "cus_mine",
        json!({"primaryAddress": {"firstName": "Grace", "lastName": "Hopper"}}),
    )
    .await;
    let again = again.rebilly(200, "Customer");
    assert_eq!(
        (&again["firstName"], &again["websiteId"]),
        (&json!("Grace"), &json!("web_1"))
    );

    let listed = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/customers?filter=firstName:Grace"))
        .await;
    assert_eq!(listed.headers["pagination-total"], "1");
    assert_eq!(listed.body[0]["id"], "cus_mine");

    let bad = put("cus_mine", json!({"primaryAddress": {"country": "Britain", "emails": [{"value": "nope"}]}, "customFields": 3})).await;
    let fields = bad.rebilly_invalid_fields();
    assert_eq!(
        fields,
        [
            "primaryAddress.country",
            "primaryAddress.emails.0",
            "customFields"
        ]
    );
}

#[tokio::test]
async fn documents_and_requests_need_an_existing_customer_by_default() {
    let app = strict().await;
    let document = app.kyc_document_reply("cus_ghost", "identity-proof").await;
    let problem = document.rebilly_problem(422, "ValidationError");
    assert_eq!(problem["invalidFields"][0]["field"], "customerId");
    let request = app
        .send(app.rebilly(Method::POST, KEY, ORG, "/kyc-requests").json(
            &json!({"customerId": "cus_ghost", "documents": [{"documentType": "identity-proof"}]}),
        ))
        .await;
    assert_eq!(request.status, 422, "{}", request.body);
    let listed = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/customers"))
        .await;
    assert_eq!(
        listed.headers["pagination-total"], "0",
        "nothing was created"
    );
    let login = app
        .send(
            app.request(
                Method::POST,
                &format!("/rebilly/storefront/organizations/{ORG}/login"),
            )
            .json(&json!({"username": "cus_ghost", "password": "pw"})),
        )
        .await;
    login.rebilly_problem(401, "Unauthorized");

    app.send(
        app.rebilly(Method::PUT, KEY, ORG, "/customers/cus_ghost")
            .json(&json!({})),
    )
    .await;
    let document = app.kyc_document_reply("cus_ghost", "identity-proof").await;
    assert_eq!(document.status, 201, "{}", document.body);
}

#[tokio::test]
async fn deleting_a_customer_merges_it_into_the_target() {
    let app = strict().await;
    for id in ["cus_dup", "cus_main"] {
        app.send(
            app.rebilly(Method::PUT, KEY, ORG, &format!("/customers/{id}"))
                .json(&json!({})),
        )
        .await;
    }
    let document = app.kyc_document_reply("cus_dup", "identity-proof").await;
    let document_id = document.body["id"].as_str().unwrap().to_owned();
    let missing = app
        .send(app.rebilly(Method::DELETE, KEY, ORG, "/customers/cus_dup"))
        .await;
    assert_eq!(
        missing.status, 422,
        "targetCustomerId is required: {}",
        missing.body
    );
    let unknown = app
        .send(app.rebilly(
            Method::DELETE,
            KEY,
            ORG,
            "/customers/cus_dup?targetCustomerId=cus_none",
        ))
        .await;
    unknown.rebilly_problem(404, "NotFound");
    let merged = app
        .send(app.rebilly(
            Method::DELETE,
            KEY,
            ORG,
            "/customers/cus_dup?targetCustomerId=cus_main",
        ))
        .await;
    assert_eq!(merged.status, 204, "{}", merged.body);
    app.send(app.rebilly(Method::GET, KEY, ORG, "/customers/cus_dup"))
        .await
        .rebilly_problem(404, "NotFound");
    let moved = app
        .send(app.rebilly(
            Method::GET,
            KEY,
            ORG,
            &format!("/kyc-documents/{document_id}"),
        ))
        .await;
    assert_eq!(moved.body["customerId"], "cus_main");
}

#[tokio::test]
async fn the_storefront_account_is_the_customer() {
    let app = strict().await;
    app.send(
        app.rebilly(Method::PUT, KEY, ORG, "/customers/cus_shop")
            .json(&json!({"primaryAddress": contact()})),
    )
    .await;
    let login = app
        .send(
            app.request(
                Method::POST,
                &format!("/rebilly/storefront/organizations/{ORG}/login"),
            )
            .json(&json!({"username": "ada@example.com", "password": "pw"})),
        )
        .await;
    let token = login.rebilly(201, "StorefrontCustomerJWT")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let account = app
        .send(
            app.request(
                Method::GET,
                &format!("/rebilly/storefront/organizations/{ORG}/account"),
            )
            .bearer_auth(&token),
        )
        .await;
    let account = account.rebilly(200, "Customer");
    assert_eq!(
        (&account["id"], &account["lastName"]),
        (&json!("cus_shop"), &json!("Lovelace"))
    );
    // StorefrontPatchAccount changes the same customer the core API reads.
    let patched = app
        .send(
            app.request(
                Method::PATCH,
                &format!("/rebilly/storefront/organizations/{ORG}/account"),
            )
            .bearer_auth(&token)
            .json(&json!({"primaryAddress": {"firstName": "Ada", "lastName": "King"}})),
        )
        .await;
    assert_eq!(patched.rebilly(200, "Customer")["lastName"], "King");
    let core = app
        .send(app.rebilly(Method::GET, KEY, ORG, "/customers/cus_shop"))
        .await;
    assert_eq!(core.body["lastName"], "King");
}

/// Customers a document, request or login named are served (GET /customers and
/// /customers/{id}: GetCustomerCollection and GetCustomer in Rebilly's spec), so a document's
/// `customer` link (KycDocument `_links` rels: self, customer) resolves.
#[tokio::test]
async fn customers_named_by_documents_are_listed_and_read() {
    let app = spawn_app().await;
    let key = common::rebilly::KEY;
    let org = common::rebilly::ORG;
    app.kyc_document("cus_b", "identity-proof", "id.png").await;
    let document = app.kyc_document("cus_a", "address-proof", "bill.png").await;
    let link = document["_links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "customer")
        .expect("a customer link")["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = app
        .send(app.client.get(app.url(&link)).header("REB-APIKEY", key))
        .await;
    let customer = customer.rebilly(200, "Customer");
    assert_eq!(customer["id"], "cus_a");
    assert!(customer["email"].as_str().unwrap().contains('@'));
    let list = app
        .send(app.rebilly(Method::GET, key, org, "/customers?limit=1&sort=createdTime"))
        .await;
    assert_eq!(list.headers["pagination-total"], "2");
    assert_eq!(list.body[0]["id"], "cus_b");
    let filtered = app
        .send(app.rebilly(Method::GET, key, org, "/customers?filter=id:cus_a"))
        .await;
    assert_eq!(filtered.body.as_array().unwrap().len(), 1);
    app.send(app.rebilly(Method::GET, key, org, "/customers/cus_nobody"))
        .await
        .rebilly_problem(404, "NotFound");
}
