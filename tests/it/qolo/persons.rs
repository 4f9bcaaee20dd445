//! CreatePerson (KYC runs at once), GetPersonById, UpdatePerson and SearchPerson, in the shapes
//! of Qolo's reference (`PersonDTO` with its own `verfication_*` spelling).

use reqwest::Method;
use serde_json::json;

use super::{call, create, details, field_errors, login, CDD, SDD};
use crate::common::spawn_app;

#[tokio::test]
async fn a_cdd_person_is_verified_at_creation_and_reads_back() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let reply = call(&app, Method::POST, &token, "/persons", Some(json!({"create_account": false, "program_guid": CDD, "person_details": details("Rivera", "123-45-6789")}))).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let person = &reply.body;
    let guid = person["person_guid"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(guid).is_ok());
    assert_eq!(
        reply.headers["location"],
        format!("/qolo/api/v1/persons/{guid}")
    );
    assert_eq!(
        (
            &person["person_status"],
            &person["verfication_mode"],
            &person["verfication_level"]
        ),
        (&json!("CLEARED"), &json!("CDD"), &json!("CDD"))
    );
    assert_eq!(
        person["middle_name"],
        json!(null),
        "unset fields are null, as Qolo's serializer writes them"
    );
    assert_eq!(person["base_address"]["country"], "USA");
    assert!(
        person.get("additional_desc").is_none(),
        "no failure reason when KYC passed"
    );
    let read = call(&app, Method::GET, &token, &format!("/persons/{guid}"), None).await;
    assert_eq!(&read.body, person);
    // Guids match whatever their case, as ASP.NET parses them (found by the Qolo fuzzer).
    let upper = format!("/persons/{}", guid.to_uppercase());
    assert_eq!(
        &call(&app, Method::GET, &token, &upper, None).await.body,
        person
    );
}

#[tokio::test]
async fn kyc_failing_at_creation_still_creates_the_person_with_the_reason() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let mut without_id = details("Moreno", "1");
    without_id["identifications"] = json!([{"govt_id_type": "NOTPROVIDED", "govt_id_number": ""}]);
    let incomplete = create(&app, &token, CDD, without_id.clone()).await;
    assert_eq!(incomplete["person_status"], "INCOMPLETE");
    assert_eq!(incomplete["verfication_level"], json!(null));
    assert!(
        incomplete["additional_desc"]
            .as_str()
            .unwrap()
            .contains("SSN"),
        "{incomplete}"
    );
    // SDD only screens sanctions lists: no id needed.
    let sdd = create(&app, &token, SDD, without_id).await;
    assert_eq!(
        (&sdd["person_status"], &sdd["verfication_level"]),
        (&json!("CLEARED"), &json!("SDD"))
    );
    let unknown = call(&app, Method::POST, &token, "/persons", Some(json!({"program_guid": "0f8fad5b-d9cb-469f-a165-70867728950e", "person_details": details("X", "1")}))).await;
    assert_eq!(
        (unknown.status.as_u16(), &unknown.body["title"]),
        (404, &json!("Program not found"))
    );
}

#[tokio::test]
async fn bad_input_names_every_field_and_writes_nothing() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let body = json!({
        "create_account": "yes",
        "program_guid": "not-a-guid",
        "person_details": {
            "first_name": "x".repeat(33),
            "birth_date": "1990-02-30",
            "email": "nope",
            "base_address": {"country": "US"},
            "identifications": [{"govt_id_type": "BADGE"}],
        },
    });
    let reply = call(&app, Method::POST, &token, "/persons", Some(body)).await;
    assert_eq!(
        field_errors(&reply),
        [
            "create_account",
            "person_details.base_address.country",
            "person_details.birth_date",
            "person_details.email",
            "person_details.first_name",
            "person_details.identifications[0].govt_id_type",
            "person_details.last_name",
            "program_guid",
        ]
    );
    assert!(reply.body["traceId"].as_str().unwrap().starts_with("00-"));
    for raw in ["[1]", "{", ""] {
        let reply = app
            .send(
                app.request(Method::POST, "/qolo/api/v1/persons")
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(raw),
            )
            .await;
        assert_eq!(field_errors(&reply), ["$"], "{raw}");
    }
    // A body declared as something else is ASP.NET's `415`, in the same envelope.
    let form = app
        .send(
            app.request(Method::POST, "/qolo/api/v1/persons")
                .bearer_auth(&token)
                .header("content-type", "application/x-www-form-urlencoded")
                .body("last_name=Rivera"),
        )
        .await;
    assert_eq!(
        (form.status.as_u16(), &form.body["status"]),
        (415, &json!(415))
    );
    assert_eq!(form.headers["content-type"], "application/problem+json");
    let search = call(
        &app,
        Method::POST,
        &token,
        "/persons/search",
        Some(json!({})),
    )
    .await;
    assert_eq!(search.status, 404, "nothing was created");
    assert_eq!(
        call(&app, Method::GET, &token, "/persons/nope", None)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn an_update_replaces_the_fields_sent_and_clears_nulls() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    let mut with_middle = details("Rivera", "123456789");
    with_middle["middle_name"] = json!("Jo");
    with_middle["additional_data"] = json!({"tier": "gold", "ref": "1"});
    let person = create(&app, &token, CDD, with_middle).await;
    let guid = person["person_guid"].as_str().unwrap();
    let update = json!({"person_guid": guid, "email": "new@example.com", "middle_name": null, "additional_data": {"tier": "silver"}, "person_status": "PEP"});
    let reply = call(&app, Method::PUT, &token, "/persons", Some(update)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["email"], "new@example.com");
    assert_eq!(reply.body["middle_name"], json!(null));
    assert_eq!(
        reply.body["additional_data"],
        json!({"tier": "silver"}),
        "replaced whole"
    );
    assert_eq!(
        reply.body["person_status"], "CLEARED",
        "status is KYC's, not the client's"
    );
    assert_eq!(reply.body["first_name"], "Alex");
    let missing = call(
        &app,
        Method::PUT,
        &token,
        "/persons",
        Some(json!({"person_guid": "0f8fad5b-d9cb-469f-a165-70867728950e"})),
    )
    .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        field_errors(
            &call(
                &app,
                Method::PUT,
                &token,
                "/persons",
                Some(json!({"email": "a@b.co"}))
            )
            .await
        ),
        ["person_guid"]
    );
}

#[tokio::test]
async fn search_matches_every_criterion_and_pages() {
    let app = spawn_app().await;
    let token = login(&app, "demo-login").await;
    for (i, name) in ["Rivera", "Chen", "Rivera", "Okafor"].iter().enumerate() {
        let mut person = details(name, &format!("12345678{i}"));
        person["client_reference_id"] = json!(format!("ref-{i}"));
        create(&app, &token, CDD, person).await;
    }
    let search = |body| call(&app, Method::POST, &token, "/persons/search", Some(body));
    let riveras = search(json!({"last_name": "rivera"})).await;
    assert_eq!(riveras.status, 200, "{}", riveras.body);
    assert_eq!(
        (&riveras.body["count"], &riveras.body["has_more"]),
        (&json!(2), &json!(false))
    );
    let refs: Vec<_> = riveras.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["client_reference_id"].clone())
        .collect();
    assert_eq!(refs, [json!("ref-0"), json!("ref-2")]);
    let page = search(json!({"limit": 2, "start_index": 1})).await;
    assert_eq!(
        (
            &page.body["count"],
            &page.body["start_index"],
            &page.body["end_index"],
            &page.body["has_more"]
        ),
        (&json!(2), &json!(1), &json!(2), &json!(true))
    );
    let by_email = search(json!({"email_address": "chen@example.com", "city": "Austin", "govt_id_number": "123456781"})).await;
    assert_eq!(by_email.body["count"], 1);
    assert_eq!(search(json!({"last_name": "Nobody"})).await.status, 404);
    assert_eq!(
        search(json!({"card_number": "4111111111111111"}))
            .await
            .status,
        404,
        "the sandbox holds no cards"
    );
    assert_eq!(field_errors(&search(json!({"limit": 0})).await), ["limit"]);
}
