//! Every provider also at the root of its own port, so clients with absolute paths (the KYCAID
//! Ruby gems call `/applicants` on the host they are given) work with only the base URL changed.
//! Tenants, clock and state are the same whichever port a request came in on.

use reqwest::Method;
use serde_json::json;

use crate::common::{spawn_with, TestApp};

async fn spawn() -> TestApp {
    spawn_with(|c| c.no_provider_ports = false).await
}

#[tokio::test]
async fn each_provider_answers_at_the_root_of_its_port_with_the_same_state() {
    let app = spawn().await;
    let kycaid = &app.ports["kycaid"];
    let created = app
        .send(
            app.client
                .post(format!("{kycaid}/applicants"))
                .header("Authorization", "Token same-state")
                .json(&json!({"type": "PERSON", "first_name": "Jane", "last_name": "Roe"})),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.body["applicant_id"].as_str().unwrap();
    // The same tenant through the prefix on the main port.
    let read = app
        .send(
            app.request(Method::GET, &format!("/kycaid/applicants/{id}"))
                .header("Authorization", "Token same-state"),
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["first_name"], "Jane");

    // Errors keep the provider's envelope and the path as the client sent it.
    let sumvin = &app.ports["sumvin"];
    let missing = app
        .send(
            app.client
                .get(format!("{sumvin}/v0/kyc/details"))
                .header("x-sumvin-pat", "p"),
        )
        .await;
    missing.sumvin_problem(404, "KYC-404-001");
    assert_eq!(missing.body["instance"], "/v0/kyc/details");

    // Rebilly's Location and self links name the path on the port they were asked on.
    let rebilly = &app.ports["rebilly"];
    let request = app
        .send(
            app.client
                .post(format!("{rebilly}/organizations/org-1/kyc-requests"))
                .header("REB-APIKEY", "k")
                .json(&json!({"customerId": "cus_1", "documents": [{"type": "identity-proof"}]})),
        )
        .await;
    assert_eq!(request.status, 201, "{}", request.body);
    let location = request.headers["location"].to_str().unwrap();
    assert!(
        location.starts_with("/organizations/org-1/kyc-requests/kyc_req_"),
        "{location}"
    );
    let gatherer = request.body["_links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "kycGatherer")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        gatherer.starts_with(&format!("{rebilly}/kyc-gatherer/?token=")),
        "{gatherer}"
    );
    let page = app.send(app.client.get(&gatherer)).await;
    assert_eq!(page.status, 200);
    let followed = app
        .send(
            app.client
                .get(format!("{rebilly}{location}"))
                .header("REB-APIKEY", "k"),
        )
        .await;
    assert_eq!(followed.status, 200, "{}", followed.body);
}

#[tokio::test]
async fn a_provider_port_serves_only_that_provider() {
    let app = spawn().await;
    let kycaid = &app.ports["kycaid"];
    for path in ["/__admin/health", "/sumvin/v0/kyc/status", "/"] {
        let reply = app
            .send(
                app.client
                    .get(format!("{kycaid}{path}"))
                    .header("Authorization", "Token t"),
            )
            .await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.body["type"], "not_found",
            "KYCAID's envelope for {path}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn an_unknown_path_on_the_main_port_says_where_each_provider_lives() {
    let app = spawn().await;
    let reply = app.send(app.request(Method::GET, "/applicants")).await;
    assert_eq!(reply.status, 404);
    let providers = reply.body["providers"].as_array().unwrap();
    let kycaid = providers.iter().find(|p| p["name"] == "kycaid").unwrap();
    assert_eq!(kycaid["base_url"], format!("{}/kycaid", app.base));
    assert_eq!(kycaid["own_port_url"], app.ports["kycaid"]);
    assert!(reply.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("/applicants"));
}

/// Rebilly's paths are one table of prefixes (`/storefront`, `/experimental`, each with and
/// without `/organizations/{organizationId}`, and the core paths with and without it): what
/// none of them knows gets Rebilly's own 404 on both ports, and a neighbouring prefix on the
/// main port is not Rebilly's.
#[tokio::test]
async fn unknown_rebilly_paths_under_every_prefix_get_rebillys_404() {
    let app = spawn().await;
    let own = &app.ports["rebilly"];
    for path in [
        "/storefront/x",
        "/experimental/files",
        "/organizations",
        "/organizations/org-1",
        "/organizations/org-1/x",
        "/storefront/organizations/org-1/x",
    ] {
        for url in [
            format!("{}/rebilly{path}", app.base),
            format!("{own}{path}"),
        ] {
            let reply = app
                .send(app.client.get(&url).header("REB-APIKEY", "sk_sandbox_1"))
                .await;
            assert_eq!(reply.status, 404, "{url}");
            assert_eq!(reply.body["title"], "Not Found", "{url}: {}", reply.body);
        }
    }
    let neighbour = app.send(app.request(Method::GET, "/rebillyx/files")).await;
    assert_eq!(neighbour.status, 404);
    assert!(
        neighbour.body["providers"].is_array(),
        "the main port's own 404: {}",
        neighbour.body
    );
}
