//! Tags on KYC documents (one or many at a time) and overwriting a document's matches.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::Value;

use super::files::IdPath;
use crate::core::fields::Fields;
use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::{InvalidField, RebillyError};
use crate::providers::rebilly::model::{DocumentType, MODIFIED};
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

fn document_ids(body: &Fields) -> Result<Vec<String>, RebillyError> {
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

/// The JSON type of a writable match field.
#[derive(Clone, Copy)]
enum MatchKind {
    /// A string or null.
    Text,
    Flag,
    Count,
}

impl MatchKind {
    fn admits(self, value: &Value) -> bool {
        match self {
            MatchKind::Text => value.is_string() || value.is_null(),
            MatchKind::Flag => value.is_boolean(),
            MatchKind::Count => value.is_i64() || value.is_u64(),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            MatchKind::Text => "must be a string or null",
            MatchKind::Flag => "must be a boolean",
            MatchKind::Count => "must be an integer",
        }
    }
}

/// The writable fields of the spec's `Kyc*MatchesOverwrite` bodies (read-only ones left out);
/// credit files have none.
fn overwritable(document_type: DocumentType) -> &'static [(&'static str, MatchKind)] {
    use MatchKind::{Count, Flag, Text};
    match document_type {
        DocumentType::Identity => &[
            ("containsImage", Flag),
            ("isIdentityDocument", Flag),
            ("isPublishedOnline", Flag),
            ("firstName", Text),
            ("lastName", Text),
            ("dateOfBirth", Text),
            ("expirationDate", Text),
            ("issueDate", Text),
            ("nationality", Text),
            ("issuanceCountry", Text),
            ("issuanceRegion", Text),
            ("documentNumber", Text),
            ("sex", Text),
            ("documentSubtype", Text),
            ("hasMatchingFaceProof", Flag),
            ("isTampered", Flag),
            ("isDigitallyTampered", Flag),
            ("isPhotocopy", Flag),
            ("expiryDate", Text),
        ],
        DocumentType::Address => &[
            ("firstName", Text),
            ("lastName", Text),
            ("line1", Text),
            ("city", Text),
            ("region", Text),
            ("postalCode", Text),
            ("wordCount", Count),
            ("uniqueWords", Count),
            ("date", Text),
            ("phone", Text),
            ("documentSubtype", Text),
            ("isTampered", Flag),
        ],
        DocumentType::Purchase => &[
            ("firstName", Text),
            ("lastName", Text),
            ("paymentInstrumentId", Text),
            ("documentSubtype", Text),
        ],
        DocumentType::Funds => &[
            ("firstName", Text),
            ("lastName", Text),
            ("documentSubtype", Text),
        ],
        DocumentType::CreditFile => &[],
    }
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
        let document_type = document.document_type;
        let expected = document_type.as_str();
        match body.remove("type") {
            Some(Value::String(t))
                if t == expected && document_type != DocumentType::CreditFile => {}
            None => {
                return Err(RebillyError::Validation(vec![InvalidField::new(
                    "type",
                    "is required",
                )]))
            }
            Some(_) if document_type == DocumentType::CreditFile => {
                return Err(RebillyError::Validation(vec![InvalidField::new(
                    "type",
                    "the matches of a credit-file-proof document cannot be overwritten",
                )]))
            }
            Some(_) => {
                return Err(RebillyError::Validation(vec![InvalidField::new(
                    "type",
                    format!("must be {expected}, the document's type"),
                )]))
            }
        }
        let known = overwritable(document_type);
        let mut checks = Checks::default();
        for (field, value) in &body {
            match known.iter().find(|(name, _)| name == field) {
                None => checks.fail(
                    field.clone(),
                    format!(
                        "is not a writable {expected} match; one of {}",
                        known.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ),
                ),
                Some((_, kind)) if !kind.admits(value) => {
                    checks.fail(field.clone(), kind.expected())
                }
                Some(_) => {}
            }
        }
        checks.finish()?;
        state.change_document(&path.id, now, MODIFIED, |document| {
            document
                .matches_override
                .get_or_insert_with(Default::default)
                .extend(body);
            document.touch(now);
        });
        Ok(HttpResponse::NoContent().finish())
    })
}
