//! Tags on KYC documents (one or many at a time) and overwriting a document's matches.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::files::IdPath;
use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::{InvalidField, RebillyError};
use crate::providers::rebilly::model::MODIFIED;
use crate::providers::rebilly::wire::{json_object, Checks};
use crate::providers::rebilly::Rebilly;

type Reply = Result<HttpResponse, RebillyError>;

#[derive(Deserialize)]
pub struct TagPath {
    tag: String,
}

#[derive(Deserialize)]
pub struct TagDocumentPath {
    tag: String,
    #[serde(rename = "kycDocumentId")]
    kyc_document_id: String,
}

/// Tag names: up to 255 of letters, digits, `_`, whitespace and `@~-.+` (case-insensitive).
fn check_tag(tag: &str) -> Result<(), RebillyError> {
    let ok = !tag.is_empty()
        && tag.chars().count() <= 255
        && tag
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "@~-.+".contains(c));
    if ok {
        Ok(())
    } else {
        Err(RebillyError::Validation(vec![InvalidField::new(
            "tag",
            "must be 1 to 255 letters, digits, spaces or @~-._+",
        )]))
    }
}

/// Adds or removes `tag` on each document; every id must exist or nothing changes.
fn retag(
    rebilly: &Rebilly,
    caller: &Caller,
    tag: &str,
    ids: &[String],
    add: bool,
) -> Result<(), RebillyError> {
    check_tag(tag)?;
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(caller, |state| {
        let missing: Vec<InvalidField> = ids
            .iter()
            .enumerate()
            .filter(|(_, id)| !state.documents.contains(id))
            .map(|(i, id)| {
                InvalidField::new(
                    format!("kycDocumentIds.{i}"),
                    format!("KYC document {id} does not exist"),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(RebillyError::Validation(missing));
        }
        for id in ids {
            state.change_document(id, now, MODIFIED, |document| {
                let present = document
                    .tags
                    .iter()
                    .position(|t| t.eq_ignore_ascii_case(tag));
                match (add, present) {
                    (true, None) => document.tags.push(tag.to_owned()),
                    (false, Some(i)) => {
                        document.tags.remove(i);
                    }
                    _ => return,
                }
                document.touch(now);
            });
        }
        Ok(())
    })
}

fn single(rebilly: &Rebilly, caller: &Caller, path: &TagDocumentPath, add: bool) -> Reply {
    let exists = rebilly.with_tenant(caller, |state| {
        state.documents.contains(&path.kyc_document_id)
    });
    if !exists {
        return Err(RebillyError::NotFound {
            kind: "KycDocument",
        });
    }
    retag(
        rebilly,
        caller,
        &path.tag,
        std::slice::from_ref(&path.kyc_document_id),
        add,
    )?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn tag_document(
    path: web::Path<TagDocumentPath>,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    single(&rebilly, &caller, &path, true)
}

pub async fn untag_document(
    path: web::Path<TagDocumentPath>,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    single(&rebilly, &caller, &path, false)
}

fn document_ids(body: &Map<String, Value>) -> Result<Vec<String>, RebillyError> {
    let mut checks = Checks::default();
    let ids = checks.string_list(body, "kycDocumentIds");
    match &ids {
        None => checks.fail("kycDocumentIds", "is required"),
        Some(ids) if ids.is_empty() || ids.len() > 1000 => {
            checks.fail("kycDocumentIds", "must list 1 to 1000 ids")
        }
        Some(_) => {}
    }
    checks.finish()?;
    Ok(ids.unwrap_or_default())
}

async fn bulk(
    req: HttpRequest,
    path: web::Path<TagPath>,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
    add: bool,
) -> Reply {
    let ids = document_ids(&json_object(&req, &mut payload).await?)?;
    retag(&rebilly, &caller, &path.tag, &ids, add)?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn tag_documents(
    req: HttpRequest,
    path: web::Path<TagPath>,
    payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    bulk(req, path, payload, caller, rebilly, true).await
}

pub async fn untag_documents(
    req: HttpRequest,
    path: web::Path<TagPath>,
    payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    bulk(req, path, payload, caller, rebilly, false).await
}

/// `POST /kyc-documents/{id}/matches`: overwrites fields of the analysis (`documentMatches.data`
/// and `parsedData`); `type` must be the document's type.
pub async fn overwrite_matches(
    req: HttpRequest,
    path: web::Path<IdPath>,
    mut payload: web::Payload,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let mut body = json_object(&req, &mut payload).await?;
    let now = rebilly.core.clock.now();
    rebilly.with_tenant(&caller, |state| {
        let document = state
            .documents
            .get(&path.id)
            .ok_or(RebillyError::NotFound {
                kind: "KycDocument",
            })?;
        let expected = document.document_type.as_str();
        match body.remove("type") {
            Some(Value::String(t)) if t == expected => {}
            None => {
                return Err(RebillyError::Validation(vec![InvalidField::new(
                    "type",
                    "is required",
                )]))
            }
            Some(_) => {
                return Err(RebillyError::Validation(vec![InvalidField::new(
                    "type",
                    format!("must be {expected}, the document's type"),
                )]))
            }
        }
        if let Some((field, _)) = body.iter().find(|(_, v)| v.is_object() || v.is_array()) {
            return Err(RebillyError::Validation(vec![InvalidField::new(
                field.clone(),
                "must be a string, number, boolean or null",
            )]));
        }
        state.change_document(&path.id, now, MODIFIED, |document| {
            document.matches_override.extend(body);
            document.touch(now);
        });
        Ok(HttpResponse::NoContent().finish())
    })
}
