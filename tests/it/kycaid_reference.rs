//! KYCAID reference data (`/countries`, `/languages`, `/business-activities`) and the blacklist
//! database searches (`/bdb/persons`, `/bdb/documents`).

use crate::common;

use common::kycaid::{assert_error, get, is_id, post};
use common::spawn_app;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn reference_data_lists() {
    let app = spawn_app().await;
    let countries = get(&app, "/countries").await;
    assert_eq!(countries.status, 200);
    let list = countries.body.as_array().unwrap();
    assert!(list.len() > 240);
    assert!(list.contains(&json!({"code": "GB", "name": "United Kingdom"})));
    assert!(list
        .iter()
        .all(|c| c.as_object().unwrap().len() == 2 && c["code"].as_str().unwrap().len() == 2));
    let languages = get(&app, "/languages").await.body;
    assert!(languages
        .as_array()
        .unwrap()
        .contains(&json!({"code": "EN", "name": "English"})));

    let activities = get(&app, "/business-activities").await.body;
    let categories = activities.as_array().unwrap();
    assert!(!categories.is_empty());
    for category in categories {
        assert!(is_id(category["business_category_id"].as_str().unwrap()));
        assert_eq!(category["labels"][0]["language_code"], "EN");
        for activity in category["activities"].as_array().unwrap() {
            assert!(is_id(activity["business_activity_id"].as_str().unwrap()));
            assert!(activity["labels"][0]["label"].is_string());
        }
    }
    let anonymous = app
        .send(app.request(Method::GET, "/kycaid/countries"))
        .await;
    assert_error(&anonymous, 401, "unauthorized", &["authorization"]);
}

#[tokio::test]
async fn blacklist_searches_find_listed_people_and_documents() {
    let app = spawn_app().await;
    let hit = post(
        &app,
        "/bdb/persons",
        json!({"full_name": "Ivan Sanctioned"}),
    )
    .await;
    assert_eq!(hit.status, 200);
    let rows = hit.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row["full_name"], "Ivan Sanctioned");
    assert_eq!(row["first_name"], "Ivan");
    assert_eq!(row["last_name"], "Sanctioned");
    assert_eq!(row["bdb_name"], "Open Sanctions Default");
    assert_eq!(row["bdb_type"], json!(["SANCTIONS"]));
    assert_eq!(row["description"], "Reciprocal - 2010-04-30");
    assert_eq!(row["dob"], "1970-01-01");
    for key in [
        "origin_full_name",
        "middle_name",
        "residence_country",
        "gender",
        "accuracy",
    ] {
        assert!(row.get(key).is_some(), "{key}");
    }
    let split = post(
        &app,
        "/bdb/persons",
        json!({"first_name": "ivan", "last_name": "sanctioned"}),
    )
    .await;
    assert_eq!(split.body["data"].as_array().unwrap().len(), 1);
    let filtered = post(
        &app,
        "/bdb/persons",
        json!({"full_name": "Ivan Sanctioned", "bdb_types": ["PEP"]}),
    )
    .await;
    assert_eq!(filtered.body, json!({"data": []}));
    let clean = post(&app, "/bdb/persons", json!({"full_name": "Jane Roe"})).await;
    assert_eq!(clean.body, json!({"data": []}));
    assert_error(
        &post(&app, "/bdb/persons", json!({})).await,
        422,
        "validation",
        &["full_name"],
    );

    let document = post(
        &app,
        "/bdb/documents",
        json!({"document_number": "SANCT0001", "document_type": "PASSPORT"}),
    )
    .await;
    let rows = document.body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["document_number"], "SANCT0001");
    assert_eq!(rows[0]["document_type"], "PASSPORT");
    assert_eq!(rows[0]["bdb_type"], json!(["SANCTIONS"]));
    let none = post(&app, "/bdb/documents", json!({"document_number": "X1"})).await;
    assert_eq!(none.body, json!({"data": []}));
    assert_error(
        &post(&app, "/bdb/documents", json!({})).await,
        422,
        "validation",
        &["document_number"],
    );
}
