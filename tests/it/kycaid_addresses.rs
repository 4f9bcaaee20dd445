//! KYCAID addresses and affiliated persons: create, read, update and delete; an address that a
//! completed verification saw is versioned, not changed; one authorised person per applicant.

use crate::common;

use common::kycaid::{
    advance, applicant, applicant_of, assert_error, delete, get, id_of, patch, person, post,
    verification,
};
use common::spawn_app;
use serde_json::{json, Value};

#[tokio::test]
async fn addresses_are_created_read_updated_and_deleted() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let reply = post(
        &app,
        "/addresses",
        json!({"applicant_id": applicant_id, "type": "REGISTERED", "country": "gb",
               "city": "London", "postal_code": "SW1A 1AA", "street_name": "Downing St",
               "building_number": "10"}),
    )
    .await;
    let id = id_of(&reply, "address_id");
    let path = format!("/addresses/{id}");
    let body = get(&app, &path).await.body;
    assert_eq!(body["address_id"], id);
    assert_eq!(body["applicant_id"], applicant_id);
    assert_eq!(body["type"], "REGISTERED");
    assert_eq!(body["country"], "GB");
    assert_eq!(body["city"], "London");
    assert_eq!(body["full_address"], Value::Null);
    assert_eq!(body["created_at"], "2026-01-01 00:00:00");
    assert_eq!(
        applicant_of(&app, &applicant_id).await["addresses"][0],
        body
    );

    let updated = patch(&app, &path, json!({"city": "Leeds", "type": "ADDITIONAL"})).await;
    assert_eq!(
        updated.body,
        json!({"address_id": id}),
        "same id before a verification"
    );
    let body = get(&app, &path).await.body;
    assert_eq!(
        (body["city"].clone(), body["type"].clone()),
        (json!("Leeds"), json!("ADDITIONAL"))
    );
    assert_error(
        &patch(&app, &path, json!({})).await,
        422,
        "validation",
        &["*"],
    );

    let missing = post(&app, "/addresses", json!({"applicant_id": applicant_id})).await;
    assert_eq!(
        assert_error(&missing, 422, "validation", &["type"]),
        ["Type of address is not valid"],
        "as the real API answers a missing type"
    );
    let unknown = post(
        &app,
        "/addresses",
        json!({"applicant_id": "c".repeat(36), "type": "REGISTERED"}),
    )
    .await;
    assert_error(&unknown, 404, "not_found", &["applicant_id"]);

    assert_eq!(delete(&app, &path).await.body, json!({"address_id": id}));
    assert_error(&get(&app, &path).await, 404, "not_found", &["address_id"]);
    assert_eq!(
        applicant_of(&app, &applicant_id).await["addresses"],
        json!([])
    );
}

#[tokio::test]
async fn after_a_verification_an_address_update_makes_a_new_one() {
    let app = spawn_app().await;
    let applicant_id = person(&app, json!({})).await;
    let id = id_of(
        &post(
            &app,
            "/addresses",
            json!({"applicant_id": applicant_id, "type": "REGISTERED", "city": "London"}),
        )
        .await,
        "address_id",
    );
    let verification_id = verification(&app, json!({"applicant_id": applicant_id})).await;
    let refused = delete(&app, &format!("/addresses/{id}")).await;
    assert_error(&refused, 422, "validation", &["address_id"]);
    advance(&app, 10).await;
    let verification = get(&app, &format!("/verifications/{verification_id}")).await;
    assert_eq!(verification.body["status"], "completed");
    assert!(verification.body["verifications"].get("address").is_some());

    let reply = patch(
        &app,
        &format!("/addresses/{id}"),
        json!({"city": "Paris", "country": "FR"}),
    )
    .await;
    let new_id = id_of(&reply, "address_id");
    assert_ne!(new_id, id, "the verified address is kept as it was");
    let old = get(&app, &format!("/addresses/{id}")).await.body;
    assert_eq!(old["city"], "London");
    assert_eq!(old["status"], "valid");
    let new = get(&app, &format!("/addresses/{new_id}")).await.body;
    assert_eq!(new["city"], "Paris");
    assert_eq!(new["country"], "FR");
    assert_eq!(new["status"], "new");
    let addresses = applicant_of(&app, &applicant_id).await["addresses"].clone();
    assert_eq!(addresses.as_array().unwrap().len(), 1);
    assert_eq!(addresses[0]["address_id"], new_id);
}

#[tokio::test]
async fn affiliated_persons_one_authorised_and_any_number_of_others() {
    let app = spawn_app().await;
    let company = applicant(&app, json!({"type": "COMPANY", "company_name": "Acme Ltd"})).await;
    let authorised = json!({"type": "AUTHORISED", "applicant_id": company, "first_name": "Ann",
        "last_name": "Lee", "title": "Director", "dob": "1980-01-01", "residence_country": "GB",
        "nationality": "GB", "email": "ann@acme.test"});
    let reply = post(&app, "/affiliated-persons", authorised.clone()).await;
    let id = id_of(&reply, "affiliated_person_id");

    let second = post(&app, "/affiliated-persons", authorised).await;
    assert_eq!(
        assert_error(&second, 429, "flow", &["limit_exceeded"]),
        ["The authorised person is already exists for that applicant"]
    );
    let incomplete = post(
        &app,
        "/affiliated-persons",
        json!({"type": "AUTHORISED", "applicant_id": company}),
    )
    .await;
    assert_error(
        &incomplete,
        422,
        "validation",
        &[
            "first_name",
            "last_name",
            "title",
            "dob",
            "residence_country",
            "nationality",
            "email",
        ],
    );
    let untyped = post(
        &app,
        "/affiliated-persons",
        json!({"applicant_id": company}),
    )
    .await;
    assert_eq!(
        assert_error(&untyped, 422, "validation", &["type"]),
        ["Type of affiliated person is not valid"]
    );
    let beneficial = post(
        &app,
        "/affiliated-persons",
        json!({"type": "BENEFICIAL", "applicant_id": company, "first_name": "Bo",
               "last_name": "Ng", "share": 25.5}),
    )
    .await;
    let beneficial = id_of(&beneficial, "affiliated_person_id");

    let path = format!("/affiliated-persons/{id}");
    let body = get(&app, &path).await.body;
    assert_eq!(body["affiliated_person_id"], id);
    assert_eq!(body["type"], "AUTHORISED");
    assert_eq!(body["title"], "Director");
    assert_eq!(body["applicant_id"], company);
    let persons = applicant_of(&app, &company).await["affiliated_persons"].clone();
    let listed: Vec<&Value> = persons
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["affiliated_person_id"])
        .collect();
    assert_eq!(listed, [&json!(id), &json!(beneficial)]);

    assert_eq!(
        patch(&app, &path, json!({"title": "CEO"})).await.body,
        json!({"affiliated_person_id": id})
    );
    assert_eq!(get(&app, &path).await.body["title"], "CEO");
    assert_error(
        &patch(&app, &path, json!({})).await,
        422,
        "validation",
        &["*"],
    );
    assert_eq!(
        delete(&app, &path).await.body,
        json!({"affiliated_person_id": id})
    );
    assert_eq!(
        assert_error(
            &get(&app, &path).await,
            404,
            "not_found",
            &["affiliated_person_id"]
        ),
        ["Affiliated person was not found"]
    );
    assert_error(
        &delete(&app, "/affiliated-persons/xyz").await,
        422,
        "validation",
        &["affiliated_person_id"],
    );
    // With the authorised person gone, another may be added.
    let again = post(
        &app,
        "/affiliated-persons",
        json!({"type": "AUTHORISED", "applicant_id": company, "first_name": "Cy",
               "last_name": "Oh", "title": "CFO", "dob": "1981-02-02", "residence_country": "FR",
               "nationality": "FR", "email": "cy@acme.test"}),
    )
    .await;
    id_of(&again, "affiliated_person_id");
}
