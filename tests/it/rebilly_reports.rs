//! Rebilly's experimental KYC reports: acceptance, rejection and request summaries computed from
//! the organization's documents and requests, the period filter, both URL shapes, validation.

use crate::common;

use common::rebilly::{KEY, ORG};
use common::{spawn_app, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// The first five minutes of the sandbox clock; everything `seed` makes before t=400s.
const FIRST_MINUTES: [(&str, &str); 2] = [
    ("periodStart", "2026-01-01T00:00:00Z"),
    ("periodEnd", "2026-01-01T00:05:00Z"),
];

/// Query parameters of a report call.
type Query = [(&'static str, &'static str)];

const ACCEPTANCE: &str = "/experimental/reports/kyc-acceptance-summary";
const REJECTION: &str = "/experimental/reports/kyc-rejection-summary";
const REQUESTS: &str = "/experimental/reports/kyc-request-summary";

/// A report as the SDK asks for it (`/experimental/organizations/org-1/reports/…`), or without
/// the organization when `with_org` is false.
async fn report(app: &TestApp, name: &str, with_org: bool, query: &[(&str, &str)]) -> Reply {
    let path = if with_org {
        format!("/rebilly/experimental/organizations/{ORG}/reports/{name}")
    } else {
        format!("/rebilly/experimental/reports/{name}")
    };
    app.send(
        app.request(Method::GET, &path)
            .header("REB-APIKEY", KEY)
            .query(query),
    )
    .await
}

fn id(resource: &Value) -> &str {
    resource["id"].as_str().unwrap()
}

async fn review(app: &TestApp, document: &Value, call: &str, body: Value) {
    let path = format!("/kyc-documents/{}/{call}", id(document));
    let reply = app.reb_json(Method::POST, &path, body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

/// Documents of two types, decided by scenarios and by a reviewer, plus one outside the period:
///
/// | doc | type     | file             | what happens                                  |
/// |-----|----------|------------------|-----------------------------------------------|
/// | A   | identity | passport         | auto-accepted at 5s                           |
/// | B   | identity | passport         | auto-accepted at 5s, rejected by hand at 60s  |
/// | C,J | identity | reject-…-expired | auto-rejected at 5s                           |
/// | D   | identity | reject-…-expired | auto-rejected at 5s, accepted by hand at 60s  |
/// | E   | identity | manual           | accepted by hand at 120s                      |
/// | F   | identity | manual           | stays pending                                 |
/// | G   | address  | manual           | archived (admin) at 120s                      |
/// | H   | address  | passport         | auto-accepted at 5s                           |
/// | K   | address  | reject-…-unread… | auto-rejected at 5s                           |
/// | I   | identity | passport         | created at 400s (outside FIRST_MINUTES)       |
async fn seed(app: &TestApp) {
    let mut docs = Vec::new();
    for (customer, kind, file) in [
        ("cus_a", "identity-proof", "passport.png"),
        ("cus_b", "identity-proof", "passport.png"),
        ("cus_c", "identity-proof", "reject-document-expired.png"),
        ("cus_d", "identity-proof", "reject-document-expired.png"),
        ("cus_e", "identity-proof", "manual.png"),
        ("cus_f", "identity-proof", "manual.png"),
        ("cus_j", "identity-proof", "reject-document-expired.png"),
        ("cus_g", "address-proof", "manual.png"),
        ("cus_h", "address-proof", "passport.png"),
        ("cus_k", "address-proof", "reject-document-unreadable.png"),
    ] {
        docs.push(app.kyc_document(customer, kind, file).await);
    }
    let [_a, b, _c, d, e, _f, _j, g, ..] = &docs[..] else {
        unreachable!()
    };
    app.advance(5).await;
    app.advance(55).await;
    review(
        app,
        b,
        "rejection",
        json!({"type": "document-not-matching"}),
    )
    .await;
    review(app, d, "acceptance", json!({})).await;
    app.advance(60).await;
    review(app, e, "acceptance", json!({})).await;
    let archived = app
        .admin_post(
            "/transitions",
            json!({"provider": "rebilly", "kind": "kyc-document", "id": id(g), "to": "archived"}),
        )
        .await;
    assert_eq!(archived.status, 200, "{}", archived.body);
    app.advance(280).await;
    app.kyc_document("cus_i", "identity-proof", "passport.png")
        .await;
    app.advance(5).await;
}

#[track_caller]
fn acceptance_body(reply: &Reply) -> &Value {
    assert_eq!(reply.status, 200, "{}", reply.body);
    common::spec::rebilly().check_response(ACCEPTANCE, "get", "200", &reply.body);
    &reply.body
}

#[tokio::test]
async fn acceptance_summary_counts_documents_by_type_status_and_decider() {
    let app = spawn_app().await;
    seed(&app).await;
    let reply = report(&app, "kyc-acceptance-summary", true, &FIRST_MINUTES).await;
    let body = acceptance_body(&reply);
    assert_eq!(
        body,
        &json!({"data": [
            {
                "documentType": "identity-proof",
                "statusStatistics": {
                    "accepted": {"total": 3, "automatically": 1, "manually": 2, "afterAutoRejected": 1},
                    "rejected": {"total": 3, "automatically": 2, "manually": 1, "afterAutoAccepted": 1},
                    "pending": {"total": 1},
                    "archived": {"total": 0},
                },
                "total": 7,
                "accuracyRate": 71.43,
                "acceptanceRate": 42.86,
                "manualReviewTime": 1.0,
            },
            {
                "documentType": "address-proof",
                "statusStatistics": {
                    "accepted": {"total": 1, "automatically": 1, "manually": 0, "afterAutoRejected": 0},
                    "rejected": {"total": 1, "automatically": 1, "manually": 0, "afterAutoAccepted": 0},
                    "pending": {"total": 0},
                    "archived": {"total": 1},
                },
                "total": 3,
                "accuracyRate": 100.0,
                "acceptanceRate": 50.0,
                "manualReviewTime": 0.0,
            },
        ]})
    );

    let without_org = report(&app, "kyc-acceptance-summary", false, &FIRST_MINUTES).await;
    assert_eq!(acceptance_body(&without_org), body, "same organization");
}

#[tokio::test]
async fn the_period_defaults_to_the_current_month_and_its_bounds_are_inclusive() {
    let app = spawn_app().await;
    seed(&app).await;
    let month = report(&app, "kyc-acceptance-summary", true, &[]).await;
    let identity = &acceptance_body(&month)["data"][0];
    assert_eq!(identity["total"], 8, "document I counts in January");
    assert_eq!(identity["statusStatistics"]["accepted"]["automatically"], 2);
    assert_eq!(identity["accuracyRate"], 75.0);
    assert_eq!(identity["acceptanceRate"], 50.0);

    let from_i = report(
        &app,
        "kyc-acceptance-summary/",
        true,
        &[("periodStart", "2026-01-01T01:06:40+01:00")],
    )
    .await;
    let data = acceptance_body(&from_i)["data"].as_array().unwrap().clone();
    assert_eq!(data.len(), 1, "only document I: {data:?}");
    assert_eq!(data[0]["total"], 1);
    assert_eq!(data[0]["statusStatistics"]["accepted"]["automatically"], 1);

    let until_i = report(
        &app,
        "kyc-acceptance-summary",
        false,
        &[("periodEnd", "2026-01-01T00:06:39Z")],
    )
    .await;
    assert_eq!(acceptance_body(&until_i)["data"][0]["total"], 7);

    let february = [
        ("periodStart", "2026-02-01T00:00:00Z"),
        ("periodEnd", "2026-02-28T23:59:59Z"),
    ];
    for name in [
        "kyc-acceptance-summary",
        "kyc-rejection-summary",
        "kyc-request-summary",
    ] {
        let empty = report(&app, name, true, &february).await;
        assert_eq!(empty.status, 200);
        assert_eq!(empty.body, json!({"data": []}), "{name}");
    }
}

#[tokio::test]
async fn rejection_summary_counts_rejected_documents_by_type_and_reason() {
    let app = spawn_app().await;
    seed(&app).await;
    let expected = json!({"data": [
        {"documentType": "identity-proof", "rejectionReasons": [
            {"rejectionReason": "document-expired", "count": 2},
            {"rejectionReason": "document-not-matching", "count": 1},
        ]},
        {"documentType": "address-proof", "rejectionReasons": [
            {"rejectionReason": "document-unreadable", "count": 1},
        ]},
    ]});
    for with_org in [true, false] {
        let reply = report(&app, "kyc-rejection-summary", with_org, &FIRST_MINUTES).await;
        let body = reply.rebilly(200, "ReportKycRejections");
        common::spec::rebilly().check_response(REJECTION, "get", "200", body);
        assert_eq!(body, &expected);
        assert_eq!(reply.headers["pagination-total"], "2");
        assert_eq!(reply.headers["pagination-offset"], "0");
    }
}

#[tokio::test]
async fn request_summary_counts_requests_by_status() {
    let app = spawn_app().await;
    let identity = |customer: &str, attempts: u32| json!({"customerId": customer, "documents": [{"type": "identity-proof", "maxAttempts": attempts}]});
    app.kyc_request(identity("cus_ok", 3)).await;
    app.kyc_request(identity("cus_bad", 1)).await;
    app.kyc_request(identity("cus_idle", 3)).await;
    app.kyc_request(identity("cus_wait", 3)).await;
    let gone = app.kyc_request(identity("cus_gone", 3)).await;
    app.kyc_document("cus_ok", "identity-proof", "passport.png")
        .await;
    app.kyc_document("cus_bad", "identity-proof", "reject-document-expired.png")
        .await;
    app.kyc_document("cus_wait", "identity-proof", "manual.png")
        .await;
    let abandoned = app
        .admin_post(
            "/transitions",
            json!({"provider": "rebilly", "kind": "kyc-request", "id": id(&gone), "to": "abandoned"}),
        )
        .await;
    assert_eq!(abandoned.status, 200, "{}", abandoned.body);
    app.advance(400).await;
    let late = app.kyc_request(identity("cus_late", 3)).await;
    app.kyc_document("cus_late", "identity-proof", "passport.png")
        .await;
    app.advance(5).await;
    assert_eq!(app.request_status(id(&late)).await, "fulfilled");
    assert_eq!(app.request_status(id(&gone)).await, "abandoned");

    let reply = report(&app, "kyc-request-summary", true, &FIRST_MINUTES).await;
    let body = reply.rebilly(200, "ReportKycRequests");
    common::spec::rebilly().check_response(REQUESTS, "get", "200", body);
    assert_eq!(
        body,
        &json!({"data": [
            {"rejectionReason": "abandoned", "count": 1},
            {"rejectionReason": "failed", "count": 1},
            {"rejectionReason": "fulfilled", "count": 1},
            {"rejectionReason": "pending-review", "count": 1},
        ]}),
        "the gathering request and the late one are not counted"
    );
    assert_eq!(reply.headers["pagination-total"], "4");

    let month = report(&app, "kyc-request-summary/", false, &[]).await;
    let body = month.rebilly(200, "ReportKycRequests");
    assert_eq!(
        body["data"][2],
        json!({"rejectionReason": "fulfilled", "count": 2})
    );
}

/// A bad or inverted period is `400 BadRequest` with `invalidFields`, as the latest spec lists for the
/// three summary reports (GetKycAcceptanceSummaryReport and siblings; no `422`).
#[tokio::test]
async fn a_bad_period_is_a_bad_request_naming_each_field() {
    let app = spawn_app().await;
    let cases: [(&Query, &[&str]); 4] = [
        (&[("periodStart", "yesterday")], &["periodStart"]),
        (&[("periodEnd", "2026-01-31")], &["periodEnd"]),
        (
            &[("periodStart", "soon"), ("periodEnd", "")],
            &["periodStart", "periodEnd"],
        ),
        (
            &[
                ("periodStart", "2026-01-02T00:00:00Z"),
                ("periodEnd", "2026-01-01T00:00:00Z"),
            ],
            &["periodEnd"],
        ),
    ];
    for name in [
        "kyc-acceptance-summary",
        "kyc-rejection-summary",
        "kyc-request-summary",
    ] {
        for (query, fields) in cases {
            let reply = report(&app, name, true, query).await;
            let problem = reply.rebilly_problem(400, "BadRequest");
            let named: Vec<&str> = problem["invalidFields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            assert_eq!(named, fields, "{name} {query:?}");
        }
    }
}

#[tokio::test]
async fn reports_need_a_key_and_answer_get_only() {
    let app = spawn_app().await;
    let path = format!("/rebilly/experimental/organizations/{ORG}/reports/kyc-request-summary");
    app.send(app.request(Method::GET, &path))
        .await
        .rebilly_problem(401, "Unauthorized");
    app.send(app.request(Method::POST, &path).header("REB-APIKEY", KEY))
        .await
        .rebilly_problem(405, "BaseProblem");
    let unknown = app
        .send(
            app.request(Method::GET, "/rebilly/experimental/reports/kyc-nothing")
                .header("REB-APIKEY", KEY),
        )
        .await;
    assert_eq!(unknown.status, 404);
    let core = app.reb_get("/kyc-documents").await;
    assert_eq!(core.status, 200, "core routes still answer");
}
