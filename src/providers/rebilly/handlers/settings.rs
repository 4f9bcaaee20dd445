//! `GET|PUT /kyc-settings`: the organization's analyzer weights, thresholds and gatherer UI.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;

use crate::core::fields::Fields;
use crate::core::json_out::Rendered;
use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::RebillyError;
use crate::providers::rebilly::model::{ADDRESS_WEIGHTS, IDENTITY_WEIGHTS};
use crate::providers::rebilly::wire::{json_object, ok, Checks};
use crate::providers::rebilly::Rebilly;

type Reply = Result<HttpResponse, RebillyError>;

pub async fn get(caller: Caller, rebilly: web::Data<Rebilly>) -> Reply {
    rebilly.with_tenant(&caller, |state| Ok(ok(Rendered::of(&state.kyc_settings))))
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

/// An integer from `min` to `max`, if present.
fn check_range(checks: &mut Checks, at: String, value: Option<&Value>, min: u64, max: u64) {
    if value.is_some_and(|v| !v.as_u64().is_some_and(|n| (min..=max).contains(&n))) {
        checks.fail(at, format!("must be an integer from {min} to {max}"));
    }
}

/// `identityProof.minimumAgeSettings`: a default age and per-country (and state) overrides.
fn check_minimum_ages(checks: &mut Checks, at: &str, value: Option<&Value>) {
    let Some(value) = value else {
        return;
    };
    let Value::Object(ages) = value else {
        checks.fail(at, "must be an object");
        return;
    };
    let default = ages.get("defaultMinimumAge");
    check_range(checks, format!("{at}.defaultMinimumAge"), default, 1, 100);
    let overrides = match ages.get("locationOverrides") {
        None => return,
        Some(Value::Array(items)) => items,
        Some(_) => {
            checks.fail(format!("{at}.locationOverrides"), "must be an array");
            return;
        }
    };
    for (i, item) in overrides.iter().enumerate() {
        let at = format!("{at}.locationOverrides.{i}");
        let Value::Object(item) = item else {
            checks.fail(at, "must be an object");
            continue;
        };
        let country = item.get("country").and_then(Value::as_str);
        if !country.is_some_and(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())) {
            checks.fail(format!("{at}.country"), "must be a two-letter country code");
        }
        let state = item.get("state");
        if state.is_some_and(|s| s.as_str().is_none_or(|s| s.chars().count() > 45)) {
            checks.fail(format!("{at}.state"), "must be at most 45 characters");
        }
        match item.get("minimumAge") {
            None => checks.fail(format!("{at}.minimumAge"), "is required"),
            age => check_range(checks, format!("{at}.minimumAge"), age, 1, 100),
        }
    }
}

fn check_proof(checks: &mut Checks, body: &Fields, field: &str, weights: &[(&str, u8)]) {
    match body.get(field) {
        None => {}
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
            if field == "identityProof" {
                let at = format!("{field}.minimumAgeSettings");
                check_minimum_ages(checks, &at, proof.get("minimumAgeSettings"));
            }
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
    let mut body = json_object(&req, &mut payload).await?;
    let mut checks = Checks::default();
    check_proof(&mut checks, &body, "identityProof", IDENTITY_WEIGHTS);
    check_proof(&mut checks, &body, "addressProof", ADDRESS_WEIGHTS);
    if body.get("uiVersion").is_some_and(Value::is_null) {
        // The spec's default; its enum has no null.
        body.insert("uiVersion".into(), Value::String("1".into()));
    }
    match body.get("uiVersion") {
        None => {}
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
        Ok(ok(Rendered::of(&state.kyc_settings)))
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
