//! Which requests a rule hits: the seeded probability, `times`, and tenants as each provider's
//! own auth tells them.

use crate::common;

use super::{add_fault, journal};
use common::kycaid::{self, OTHER_TOKEN, TOKEN};
use common::{spawn_app, spawn_with, TestApp};
use kyc_sandbox::core::TenantId;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn times_limits_a_rule_and_the_same_seed_hits_the_same_requests() {
    async fn pattern(seed: u64) -> Vec<bool> {
        let app = spawn_with(|c| c.seed = Some(seed)).await;
        add_fault(
            &app,
            json!({"provider": "kycaid", "probability": 0.5, "effect": {"type": "error", "status": 500}}),
        )
        .await;
        let mut hits = Vec::new();
        for _ in 0..24 {
            hits.push(kycaid::get(&app, "/applicants").await.status == 500);
        }
        let rule = app.admin_get("/faults/flt_1").await;
        assert_eq!(rule["matched"], 24);
        assert_eq!(
            rule["hits"].as_u64().unwrap() as usize,
            hits.iter().filter(|h| **h).count()
        );
        hits
    }
    let first = pattern(42).await;
    assert_eq!(first, pattern(42).await, "same seed, same failures");
    assert_ne!(first, pattern(43).await);
    assert!(first.contains(&true) && first.contains(&false), "{first:?}");

    let app = spawn_app().await;
    add_fault(
        &app,
        json!({"provider": "kycaid", "times": 2, "effect": {"type": "error", "status": 503}}),
    )
    .await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(kycaid::get(&app, "/applicants").await.status.as_u16());
    }
    assert_eq!(statuses, [503, 503, 200]);
    let rule = app.admin_get("/faults/flt_1").await;
    assert_eq!(
        (rule["hits"].as_u64(), rule["remaining"].as_u64()),
        (Some(2), Some(0))
    );
}

/// Review M3: a rule's stream was seeded from its id, a counter of every rule ever added, so the
/// same rule under the same seed failed other requests once a rule had come and gone before it.
#[tokio::test]
async fn the_same_rule_under_the_same_seed_hits_the_same_requests_whatever_came_before() {
    let rule = json!({"provider": "kycaid", "probability": 0.5, "effect": {"type": "error", "status": 500}});
    async fn hits(app: &TestApp) -> Vec<bool> {
        let mut hits = Vec::new();
        for _ in 0..16 {
            hits.push(kycaid::get(app, "/applicants").await.status == 500);
        }
        hits
    }
    let a = spawn_app().await;
    add_fault(&a, rule.clone()).await;
    let b = spawn_app().await;
    let first = add_fault(&b, rule.clone()).await;
    let deleted = b
        .send(b.request(
            Method::DELETE,
            &format!("/__admin/faults/{}", first["id"].as_str().unwrap()),
        ))
        .await;
    assert!(deleted.status.is_success(), "{}", deleted.body);
    let again = add_fault(&b, rule.clone()).await;
    assert_ne!(again["id"], first["id"], "a new id");
    let pattern = hits(&a).await;
    assert_eq!(pattern, hits(&b).await);
    assert!(
        pattern.contains(&true) && pattern.contains(&false),
        "{pattern:?}"
    );
}

#[tokio::test]
async fn a_tenant_rule_hits_only_that_tenants_requests() {
    let app = spawn_app().await;
    let tenant = TenantId::derive("kycaid", &[OTHER_TOKEN]);
    add_fault(
        &app,
        json!({"tenant": tenant.as_str(), "effect": {"type": "error", "status": 500}}),
    )
    .await;
    assert_eq!(kycaid::get(&app, "/applicants").await.status, 200);
    let other = app
        .send(kycaid::kyc_as(
            &app,
            OTHER_TOKEN,
            Method::GET,
            "/applicants",
        ))
        .await;
    assert_eq!(other.status, 500);
    // The journal names the tenant even though no handler ran.
    assert_eq!(journal(&app).await[0]["tenant"], tenant.as_str());
}

/// One request per provider as credential `who` (0 or 1), through the provider's real auth.
async fn call_as(app: &TestApp, provider: &str, who: usize) -> common::Reply {
    match provider {
        "kycaid" => {
            let token = [TOKEN, OTHER_TOKEN][who];
            app.send(kycaid::kyc_as(app, token, Method::GET, "/applicants"))
                .await
        }
        "rebilly" => {
            let org = ["org-a", "org-b"][who];
            app.send(app.rebilly(Method::GET, "key-1", org, "/kyc-documents"))
                .await
        }
        "sumvin" => {
            app.send(app.sumvin(Method::GET, ["pat-a", "pat-b"][who], "/v0/kyc/status"))
                .await
        }
        "qolo" => {
            let token = crate::qolo::login(app, ["login-a", "login-b"][who]).await;
            app.send(
                app.request(Method::GET, "/qolo/api/v1/notifications")
                    .bearer_auth(token),
            )
            .await
        }
        "hermes" => {
            let signer = crate::hermes::Signer {
                client: crate::hermes::CLIENT,
                secret: crate::hermes::SECRET,
            };
            if who == 0 {
                signer
                    .post(
                        app,
                        crate::hermes::GET_TOKEN,
                        &json!({"code": "x"}),
                        &format!("n-{}", rand_nonce()),
                    )
                    .await
            } else {
                // No credential at all: never any tenant's.
                app.send(
                    app.request(Method::POST, crate::hermes::GET_TOKEN)
                        .json(&json!({"code": "x"})),
                )
                .await
            }
        }
        other => panic!("no provider {other}"),
    }
}

fn rand_nonce() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[tokio::test]
async fn tenant_rules_agree_with_each_providers_own_credentials() {
    let app = spawn_app().await;
    for provider in ["kycaid", "rebilly", "sumvin", "qolo", "hermes"] {
        let served = call_as(&app, provider, 0).await;
        let tenant = served
            .headers
            .get("x-sandbox-tenant")
            .unwrap_or_else(|| panic!("{provider}: {} {}", served.status, served.body))
            .to_str()
            .unwrap()
            .to_owned();
        add_fault(
            &app,
            json!({"tenant": tenant, "effect": {"type": "error", "status": 500}}),
        )
        .await;
        let faulted = call_as(&app, provider, 0).await;
        assert_eq!(faulted.status, 500, "{provider}: {}", faulted.body);
        assert!(
            faulted.headers.contains_key("x-sandbox-fault"),
            "{provider}"
        );
        let other = call_as(&app, provider, 1).await;
        assert!(
            !other.headers.contains_key("x-sandbox-fault"),
            "{provider}: another credential is another tenant"
        );
        app.send(app.request(Method::DELETE, "/__admin/faults"))
            .await;
    }
}
