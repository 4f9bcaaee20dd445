//! KYCAID applicants: validation, the error envelope for every kind of bad request (unreadable
//! bodies, missing or bad tokens, unknown ids, routes and methods, an applicant under review) and
//! tenants kept apart.

use crate::common;

use common::kycaid::{
    applicant_of, assert_error, delete, get, id_of, is_id, kyc, kyc_as, patch, person, post,
    OTHER_TOKEN, TOKEN,
};
use common::{spawn_app, spawn_with};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn validation_reports_every_bad_field_once() {
    let app = spawn_app().await;
    let reply = post(
        &app,
        "/applicants",
        json!({
            "type": "PERSON", "first_name": "R2-D2", "last_name": "Roe", "dob": "1990-13-01",
            "gender": "X", "residence_country": "GBR", "nationality": 5,
            "telegram_username": "t".repeat(33), "email": "not-an-email",
            "phone": "12345678901234567", "external_applicant_id": "e".repeat(51),
        }),
    )
    .await;
    let messages = assert_error(
        &reply,
        422,
        "validation",
        &[
            "first_name",
            "dob",
            "gender",
            "residence_country",
            "nationality",
            "telegram_username",
            "email",
            "phone",
            "external_applicant_id",
        ],
    );
    assert_eq!(messages[0], "First name is not valid");
    assert_eq!(messages[1], "Day of birth is not valid");
    assert_eq!(messages[3], "Country of residence is not valid");
    assert_eq!(messages[4], "Nationality must be a string");
    assert!(messages[5].contains("32"), "{}", messages[5]);

    // The messages recorded from the real API (see also kycaid_recorded.rs).
    let bad_type = post(&app, "/applicants", json!({"type": "ROBOT"})).await;
    assert_eq!(
        assert_error(&bad_type, 422, "validation", &["type"]),
        ["Type of applicant is not valid"]
    );
    let no_type = post(&app, "/applicants", json!({"first_name": "Ann"})).await;
    assert_eq!(
        assert_error(&no_type, 422, "validation", &["type"]),
        ["Type of applicant is not valid"],
        "a missing type is not valid, as recorded"
    );
    let long_custom = post(
        &app,
        "/applicants",
        json!({"type": "PERSON", "first_name": "A", "last_name": "B", "custom_field_2": "c".repeat(2049)}),
    )
    .await;
    assert_error(&long_custom, 422, "validation", &["custom_field_2"]);
    assert_eq!(
        get(&app, "/applicants").await.body["total"],
        0,
        "nothing was created"
    );
    // Names are optional: the real API has answered 200 to a nameless PERSON since 2022.
    let nameless = post(&app, "/applicants", json!({"type": "PERSON"})).await;
    id_of(&nameless, "applicant_id");
}

#[tokio::test]
async fn bodies_that_cannot_be_read_are_refused() {
    let app = spawn_app().await;
    let send = |body: &'static str, content_type: &'static str| {
        app.send(
            kyc(&app, Method::POST, "/applicants")
                .header("content-type", content_type)
                .body(body),
        )
    };
    let malformed = send("{\"type\": ", "application/json").await;
    let messages = assert_error(&malformed, 400, "bad_request", &["body"]);
    assert!(messages[0].starts_with("Malformed JSON"), "{}", messages[0]);
    let array = send("[1, 2]", "application/json").await;
    assert_eq!(
        assert_error(&array, 400, "bad_request", &["body"]),
        ["Request body must be a JSON object"]
    );
    let string = send("\"PERSON\"", "application/json").await;
    assert_error(&string, 400, "bad_request", &["body"]);
    let xml = send("<applicant/>", "application/xml").await;
    let messages = assert_error(&xml, 415, "bad_request", &["content-type"]);
    assert!(messages[0].contains("application/xml"));
    // An empty body is an empty object: the fields are missing, not malformed.
    let empty = send("", "application/json").await;
    assert_error(&empty, 422, "validation", &["type"]);
}

#[tokio::test]
async fn calls_without_a_usable_token_are_unauthorized() {
    let app = spawn_app().await;
    let id = person(&app, json!({})).await;
    let path = format!("/kycaid/applicants/{id}");
    let without = app.send(app.request(Method::GET, &path)).await;
    assert_eq!(
        assert_error(&without, 401, "unauthorized", &["authorization"]),
        ["Unauthorized"]
    );
    for header in ["Basic dXNlcjpwYXNz", "Token", "Token ", "Token a b", TOKEN] {
        let reply = app
            .send(
                app.request(Method::GET, &path)
                    .header("Authorization", header),
            )
            .await;
        assert_error(&reply, 401, "unauthorized", &["authorization"]);
    }
    let create = app
        .send(
            app.request(Method::POST, "/kycaid/applicants")
                .json(&json!({"type": "PERSON", "first_name": "A", "last_name": "B"})),
        )
        .await;
    assert_error(&create, 401, "unauthorized", &["authorization"]);
    // Bearer is accepted as an alias of Token.
    let bearer = app
        .send(
            app.request(Method::GET, &path)
                .header("Authorization", format!("Bearer {TOKEN}")),
        )
        .await;
    assert_eq!(bearer.status, 200);
    assert_eq!(bearer.body["applicant_id"], id);
}

#[tokio::test]
async fn ids_routes_and_methods_that_do_not_exist() {
    let app = spawn_app().await;
    for bad in [
        "abc",
        "ABCDEF0123456789ABCDEF0123456789ABCD",
        &"0".repeat(37),
    ] {
        let reply = get(&app, &format!("/applicants/{bad}")).await;
        assert_eq!(
            assert_error(&reply, 422, "validation", &["applicant_id"]),
            ["Applicant ID is not valid"]
        );
    }
    let unknown = "0123456789abcdef0123456789abcdef0123";
    assert!(is_id(unknown));
    for method in [Method::GET, Method::DELETE] {
        let reply = app
            .send(kyc(&app, method, &format!("/applicants/{unknown}")))
            .await;
        assert_eq!(
            assert_error(&reply, 404, "not_found", &["applicant_id"]),
            ["Applicant was not found"]
        );
    }
    let update = patch(
        &app,
        &format!("/applicants/{unknown}"),
        json!({"first_name": "A"}),
    )
    .await;
    assert_error(&update, 404, "not_found", &["applicant_id"]);

    let route = get(&app, "/no-such-thing").await;
    assert_error(&route, 404, "not_found", &["path"]);
    let method = app.send(kyc(&app, Method::DELETE, "/applicants")).await;
    assert_error(&method, 405, "method_not_allowed", &["method"]);
}

/// Paths with parameters are matched segment by segment by the sandbox itself
/// (`core::http::endpoint`), not by actix's patterns: the same paths must reach the same routes.
#[tokio::test]
async fn parameter_paths_match_whole_segments_as_actix_would() {
    let app = spawn_with(|c| c.no_provider_ports = false).await;
    let id = person(&app, json!({})).await;
    assert_eq!(get(&app, &format!("/applicants/{id}")).await.status, 200);
    // A percent-encoded letter in a plain segment reads as the letter, as actix decodes it.
    let encoded = get(&app, &format!("/app%6Cicants/{id}")).await;
    assert_eq!(encoded.status, 200);
    assert_eq!(encoded.body["applicant_id"], id.as_str());
    // The plain head repeated, an extra segment or an empty parameter is no route at all.
    for path in [
        format!("/applicants/applicants/{id}"),
        format!("/applicants/{id}/extra"),
        "/applicants//".to_owned(),
    ] {
        let reply = get(&app, &path).await;
        assert_error(&reply, 404, "not_found", &["path"]);
    }
    // On the provider's own port (no mount in front) the same holds.
    let kycaid = &app.ports["kycaid"];
    for (path, status) in [
        (format!("/applicants/{id}"), 200),
        (format!("/applicants/applicants/{id}"), 404),
        (format!("/kycaid/applicants/{id}"), 404),
    ] {
        let reply = app
            .send(
                app.client
                    .get(format!("{kycaid}{path}"))
                    .header("Authorization", format!("Token {TOKEN}")),
            )
            .await;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
    }
}

#[tokio::test]
async fn another_token_cannot_see_or_change_the_applicant() {
    let app = spawn_app().await;
    let id = person(&app, json!({})).await;
    let path = format!("/applicants/{id}");
    let other = |method: Method| kyc_as(&app, OTHER_TOKEN, method, &path);
    assert_error(
        &app.send(other(Method::GET)).await,
        404,
        "not_found",
        &["applicant_id"],
    );
    assert_error(
        &app.send(other(Method::PATCH).json(&json!({"first_name": "Eve"})))
            .await,
        404,
        "not_found",
        &["applicant_id"],
    );
    assert_error(
        &app.send(other(Method::DELETE)).await,
        404,
        "not_found",
        &["applicant_id"],
    );
    let listed = app
        .send(kyc_as(&app, OTHER_TOKEN, Method::GET, "/applicants"))
        .await;
    assert_eq!(listed.body["total"], 0);
    let mine = applicant_of(&app, &id).await;
    assert_eq!(mine["first_name"], "Jane", "untouched");
    assert_eq!(get(&app, "/applicants").await.body["total"], 1);
}

#[tokio::test]
async fn an_applicant_under_review_cannot_be_deleted() {
    let app = spawn_app().await;
    for email in ["a@example.com", "b+manual@example.com"] {
        let id = person(&app, json!({"email": email})).await;
        common::kycaid::verification(&app, json!({"applicant_id": id})).await;
        let refused = delete(&app, &format!("/applicants/{id}")).await;
        assert_error(&refused, 422, "validation", &["applicant_id"]);
        assert_eq!(applicant_of(&app, &id).await["applicant_id"], id);
    }
    common::kycaid::advance(&app, 10).await;
    let done = person(&app, json!({})).await;
    common::kycaid::verification(&app, json!({"applicant_id": done})).await;
    common::kycaid::advance(&app, 10).await;
    let reply = delete(&app, &format!("/applicants/{done}")).await;
    assert_eq!(
        reply.body,
        json!({"applicant_id": done}),
        "finished reviews do not block"
    );
}
