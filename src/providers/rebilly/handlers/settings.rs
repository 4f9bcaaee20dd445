//! `GET|PUT /kyc-settings`: the organization's analyzer weights, thresholds and gatherer UI.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::RebillyError;
use crate::providers::rebilly::model::{ADDRESS_WEIGHTS, IDENTITY_WEIGHTS};
use crate::providers::rebilly::wire::{json_object, ok, Checks};
use crate::providers::rebilly::Rebilly;

type Reply = Result<HttpResponse, RebillyError>;

pub async fn get(caller: Caller, rebilly: web::Data<Rebilly>) -> Reply {
    rebilly.with_tenant(&caller, |state| Ok(ok(state.kyc_settings.clone())))
}

fn check_percentages(checks: &mut Checks, at: &str, value: Option<&Value>, known: &[&str]) {
    let Some(value) = value else {
        return;
    };
    let Value::Object(map) = value else {
        checks.fail(at, "must be an object");
        return;
    };
    for (name, v) in map {
        if !known.contains(&name.as_str()) {
            checks.fail(
                format!("{at}.{name}"),
                format!("is not one of {}", known.join(", ")),
            );
        } else if v.as_u64().is_none_or(|n| n > 100) {
            checks.fail(format!("{at}.{name}"), "must be an integer from 0 to 100");
        }
    }
}

fn check_proof(
    checks: &mut Checks,
    body: &Map<String, Value>,
    field: &str,
    weights: &[(&str, u8)],
) {
    match body.get(field) {
        None | Some(Value::Null) => {}
        Some(Value::Object(proof)) => {
            let names: Vec<&str> = weights.iter().map(|(n, _)| *n).collect();
            check_percentages(
                checks,
                &format!("{field}.weights"),
                proof.get("weights"),
                &names,
            );
            check_percentages(
                checks,
                &format!("{field}.thresholds"),
                proof.get("thresholds"),
                &["rejectBelow", "acceptAbove"],
            );
        }
        Some(_) => checks.fail(field, "must be an object"),
    }
}

/// Replaces the settings; sections left out keep their current values.
pub async fn put(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let body = json_object(&req, &mut payload).await?;
    let mut checks = Checks::default();
    check_proof(&mut checks, &body, "identityProof", IDENTITY_WEIGHTS);
    check_proof(&mut checks, &body, "addressProof", ADDRESS_WEIGHTS);
    match body.get("uiVersion") {
        None | Some(Value::Null) => {}
        Some(Value::String(v)) if v == "1" || v == "2" => {}
        Some(_) => checks.fail("uiVersion", "must be \"1\" or \"2\""),
    }
    checks.finish()?;
    rebilly.with_tenant(&caller, |state| {
        for (field, value) in body {
            if let Some(section) = state.kyc_settings.get_mut(&field) {
                merge(section, value);
            }
        }
        Ok(ok(state.kyc_settings.clone()))
    })
}

/// Overlays `update` on `target`, object by object.
fn merge(target: &mut Value, update: Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => {
            for (key, value) in update {
                match target.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (target, update) => *target = update,
    }
}
