//! Unit tests of rule matching, seeding and counters.

use super::*;

fn at() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn spec(json: serde_json::Value) -> FaultSpec {
    serde_json::from_value(json).unwrap()
}

fn hits(faults: &Faults, n: usize) -> Vec<bool> {
    (0..n)
        .map(|_| {
            faults
                .on_request(RequestFacts {
                    provider: "kycaid",
                    method: "POST",
                    path: "/applicants",
                    tenant: || None,
                })
                .0
                .is_some()
        })
        .collect()
}

#[test]
fn the_same_seed_hits_the_same_requests() {
    let rule = spec(serde_json::json!({"probability": 0.5, "effect": {"type": "drop"}}));
    let run = |seed| {
        let faults = Faults::new(seed);
        faults.add(rule.clone(), FROM_API, at());
        hits(&faults, 64)
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    let some = run(7).iter().filter(|h| **h).count();
    assert!((16..=48).contains(&some), "{some} of 64");
}

#[test]
fn times_limits_hits_and_rules_match_their_conditions() {
    let faults = Faults::new(1);
    assert!(!faults.is_active());
    let view = faults.add(
        spec(
            serde_json::json!({"provider": "kycaid", "path": "/applicants", "times": 2,
            "effect": {"type": "error", "status": 429}}),
        ),
        FROM_API,
        at(),
    );
    assert_eq!(view.id, "flt_1");
    assert_eq!(hits(&faults, 3), [true, true, false]);
    let view = faults.get("flt_1").unwrap();
    assert_eq!((view.matched, view.hits, view.remaining), (3, 2, Some(0)));
    let other = faults.on_request(RequestFacts {
        provider: "sumvin",
        method: "POST",
        path: "/applicants",
        tenant: || None,
    });
    assert_eq!(other.0, None);
    assert!(faults.remove("flt_1"));
    assert!(!faults.is_active());
}

#[test]
fn tenant_is_asked_only_when_a_rule_names_one() {
    let faults = Faults::new(1);
    faults.add(
        spec(serde_json::json!({"tenant": "kycaid-a", "effect": {"type": "drop"}})),
        FROM_API,
        at(),
    );
    let (hit, tenant) = faults.on_request(RequestFacts {
        provider: "kycaid",
        method: "GET",
        path: "/x",
        tenant: || Some(TenantId::parse("kycaid-a")),
    });
    assert_eq!(hit.unwrap().action, Action::Drop);
    assert_eq!(tenant.unwrap().as_str(), "kycaid-a");
    let (hit, _) = faults.on_request(RequestFacts {
        provider: "kycaid",
        method: "GET",
        path: "/x",
        tenant: || Some(TenantId::parse("kycaid-b")),
    });
    assert!(hit.is_none());
}

#[test]
fn latency_ranges_stay_within_bounds_and_429_says_when_to_retry() {
    let effect = Effect::Latency {
        ms: 100,
        max_ms: Some(200),
    };
    for roll in [0.0, 0.5, 0.999] {
        let Action::Delay(d) = action(&effect, roll) else {
            panic!()
        };
        assert!((100..=200).contains(&d.as_millis()));
    }
    let answer = action(
        &Effect::Error {
            status: 429,
            retry_after: None,
            message: None,
        },
        0.0,
    );
    assert!(matches!(
        answer,
        Action::Answer {
            retry_after: Some(1),
            ..
        }
    ));
}
