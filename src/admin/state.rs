//! Reading a tenant's state dump without knowing the provider: which top-level fields are
//! collections of resources, how many each holds, one resource by id, and what happened to it
//! (`GET /__admin/tenants/{tenant}/resources/{collection}/{id}`).

use actix_web::{web, HttpResponse};
use serde_json::{json, Map, Value};

use super::{AdminError, Reply};
use crate::core::webhooks::DeliveryFilter;
use crate::core::{Decidable, Provider, Sandbox, TenantId};

/// What one top-level field of a dump holds.
pub enum Shape<'a> {
    /// Resources by id (a map of objects), or a list of objects (by position).
    Many(Vec<(String, &'a Map<String, Value>)>),
    /// One resource (an object with fields of its own).
    One(&'a Map<String, Value>),
    /// A plain value about the tenant.
    Scalar(&'a Value),
}

pub fn shape(value: &Value) -> Shape<'_> {
    match value {
        Value::Object(map) if map.values().all(Value::is_object) => Shape::Many(
            map.iter()
                .filter_map(|(id, v)| v.as_object().map(|o| (id.clone(), o)))
                .collect(),
        ),
        Value::Object(map) => Shape::One(map),
        Value::Array(items) if items.iter().all(Value::is_object) => Shape::Many(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_object().map(|o| (i.to_string(), o)))
                .collect(),
        ),
        other => Shape::Scalar(other),
    }
}

/// How many resources each collection of the dump holds (a single resource counts one).
pub fn counts(dump: &Value) -> Map<String, Value> {
    let Some(fields) = dump.as_object() else {
        return Map::new();
    };
    fields
        .iter()
        .filter_map(|(name, value)| match shape(value) {
            Shape::Many(items) => Some((name.clone(), json!(items.len()))),
            Shape::One(_) => Some((name.clone(), json!(1))),
            Shape::Scalar(_) => None,
        })
        .collect()
}

/// The resource `id` of `collection`: by key in a map of resources, or the single resource whose
/// `id_field` (or any field) holds `id`.
pub fn find<'a>(
    dump: &'a Value,
    collection: &str,
    id: &str,
    decidable: Option<&Decidable>,
) -> Option<&'a Map<String, Value>> {
    match shape(dump.get(collection)?) {
        Shape::Many(items) => items.into_iter().find(|(key, _)| key == id).map(|(_, r)| r),
        Shape::One(resource) => {
            let field = decidable.and_then(|d| d.id_field);
            let holds = |(name, value): (&String, &Value)| {
                field.is_none_or(|f| f == name) && value.as_str() == Some(id)
            };
            resource.iter().any(holds).then_some(resource)
        }
        Shape::Scalar(_) => None,
    }
}

/// A field that names a resource's status: `status`, `person_status`, `verificationStatus`...
pub fn status_of<'a>(
    resource: &'a Map<String, Value>,
    decidable: Option<&Decidable>,
) -> Option<&'a str> {
    if let Some(d) = decidable {
        return resource.get(d.status_field).and_then(Value::as_str);
    }
    resource
        .iter()
        .find(|(name, value)| {
            value.is_string()
                && (name.as_str() == "status"
                    || name.ends_with("_status")
                    || name.ends_with("Status"))
        })
        .and_then(|(_, value)| value.as_str())
}

/// The provider's decisions on `collection`, if a reviewer can decide there.
pub fn decidable_for<'a>(provider: &'a dyn Provider, collection: &str) -> Option<&'a Decidable> {
    provider
        .decidable()
        .iter()
        .find(|d| d.collection == collection)
}

/// The tenant's provider and state dump.
pub fn tenant_dump<'a>(
    sandbox: &'a Sandbox,
    tenant: &TenantId,
) -> Result<(&'a dyn Provider, Value), AdminError> {
    sandbox
        .providers
        .iter()
        .find_map(|p| p.dump(tenant).map(|state| (p.as_ref(), state)))
        .ok_or_else(|| {
            AdminError::NotFound(format!("no tenant `{tenant}`; see GET /__admin/tenants"))
        })
}

/// One resource with what can be decided on it and its timeline.
pub fn resource_body(
    sandbox: &Sandbox,
    tenant: &TenantId,
    collection: &str,
    id: &str,
) -> Result<Value, AdminError> {
    let (provider, dump) = tenant_dump(sandbox, tenant)?;
    let decidable = decidable_for(provider, collection);
    let resource = find(&dump, collection, id, decidable).ok_or_else(|| {
        AdminError::NotFound(format!(
            "no `{collection}` resource `{id}` in tenant `{tenant}`; see GET /__admin/tenants/{tenant}/state"
        ))
    })?;
    let status = status_of(resource, decidable);
    let actions = actions(provider, tenant, collection, id, resource);
    Ok(json!({
        "tenant": tenant,
        "provider": provider.name(),
        "collection": collection,
        "id": id,
        "kind": decidable.map(|d| d.kind),
        "status": status,
        "resource": resource,
        "actions": actions,
        "timeline": timeline(sandbox, provider.name(), tenant, id),
    }))
}

/// The decisions a reviewer can take on this resource now, each with the exact body of its
/// `POST /__admin/transitions`; empty when it is not waiting for one.
pub fn actions(
    provider: &dyn Provider,
    tenant: &TenantId,
    collection: &str,
    id: &str,
    resource: &Map<String, Value>,
) -> Vec<Value> {
    let Some(decidable) = decidable_for(provider, collection) else {
        return Vec::new();
    };
    if !status_of(resource, Some(decidable)).is_some_and(|s| decidable.is_pending(s)) {
        return Vec::new();
    }
    decidable
        .actions
        .iter()
        .map(|action| {
            let mut body = json!({
                "provider": provider.name(), "kind": decidable.kind, "id": id, "to": action.to,
                "tenant": tenant,
            });
            for (name, value) in action.details {
                body[*name] = json!(value);
            }
            json!({"label": action.label, "request": body})
        })
        .collect()
}

/// What happened to resource `id` (the provider requests and webhooks that name it, oldest
/// first) and what is scheduled for it on the sandbox clock.
pub fn timeline(sandbox: &Sandbox, provider: &str, tenant: &TenantId, id: &str) -> Value {
    let core = &sandbox.core;
    let requests = core.journal.query(&crate::core::journal::Filter {
        tenant: Some(tenant.as_str()),
        limit: usize::MAX,
        ..Default::default()
    });
    let mut past: Vec<Value> = requests
        .iter()
        .filter(|e| e.path.contains(id) || e.request.contains(id) || e.response.contains(id))
        .map(|e| {
            json!({
                "at": e.at, "type": "request",
                "summary": format!("{} {} → {}", e.method, e.path, e.status),
                "status": e.status,
                "link": format!("/__admin/requests/{}", e.id),
            })
        })
        .collect();
    let deliveries = core.webhooks.list(&DeliveryFilter {
        tenant: Some(tenant.as_str()),
        limit: usize::MAX,
        ..Default::default()
    });
    past.extend(
        deliveries
            .iter()
            .filter(|d| d.body.to_string().contains(id))
            .map(|d| {
                json!({
                    "at": d.created_at, "type": "webhook",
                    "summary": format!("{} to {}", d.event, d.url),
                    "status": d.status,
                    "link": format!("/__admin/webhooks/{}", d.id),
                })
            }),
    );
    // By instant (the journal and the delivery log write fractions of a second differently).
    let instant = |step: &Value| {
        step["at"]
            .as_str()
            .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
    };
    past.sort_by_key(|step| instant(step));
    let scheduled: Vec<Value> = core
        .scheduler
        .pending_for(provider, tenant, id)
        .into_iter()
        .map(|job| json!({"at": job.at, "kind": job.kind, "run_id": job.run_id}))
        .collect();
    json!({"past": past, "scheduled": scheduled})
}

/// `GET /__admin/tenants/{tenant}/resources/{collection}/{id}`.
pub(super) async fn resource(
    path: web::Path<(String, String, String)>,
    sandbox: web::Data<Sandbox>,
) -> Reply {
    let (tenant, collection, id) = path.into_inner();
    let body = resource_body(&sandbox, &TenantId::parse(&tenant), &collection, &id)?;
    Ok(HttpResponse::Ok().json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_are_counted_and_found_by_id() {
        let dump = json!({
            "organizationId": "org-1",
            "documents": {"d1": {"id": "d1", "status": "pending"}, "d2": {"id": "d2"}},
            "kyc": {"applicant_id": "app_1", "status": "retry"},
            "tokens": [{"token": "t"}],
            "empty": {},
            "nothing": null,
        });
        let counts = counts(&dump);
        assert_eq!(
            Value::Object(counts),
            json!({"documents": 2, "kyc": 1, "tokens": 1, "empty": 0})
        );
        let doc = find(&dump, "documents", "d1", None).unwrap();
        assert_eq!(status_of(doc, None), Some("pending"));
        assert!(find(&dump, "documents", "d3", None).is_none());
        let kyc = find(&dump, "kyc", "app_1", None).unwrap();
        assert_eq!(status_of(kyc, None), Some("retry"));
        assert!(
            find(&dump, "kyc", "retry", None).is_some(),
            "any field, without an id field"
        );
        assert!(find(&dump, "organizationId", "org-1", None).is_none());
    }
}
