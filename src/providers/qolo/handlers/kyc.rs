//! Retrieve Person KYC and Perform KYC (`/api/v1/persons/{person_guid}/kyc`), exactly the seed's
//! request and response, and the document images a verification stored.

use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::DateTime;
use serde_json::{Map, Value};

use super::{path_guid, Reply};
use crate::core::http::{base_url, forced_scenario, mount_prefix};
use crate::core::media::sniff;
use crate::core::storage::Blob;
use crate::providers::qolo::auth::Caller;
use crate::providers::qolo::errors::QoloError;
use crate::providers::qolo::input::{json_object, Checks, Rule, IDENTIFICATION};
use crate::providers::qolo::kyc::{events_for, ClientVerification};
use crate::providers::qolo::model::{DocumentRefs, PersonStatus, StoredDocument};
use crate::providers::qolo::wire::kyc_json;
use crate::providers::qolo::{Qolo, MOUNT};

/// `document_type`: Qolo's sample shows `PASSPORT`; the rest are the sandbox's (README).
const DOCUMENT_TYPES: &[&str] = &[
    "PASSPORT",
    "DRIVERS_LICENSE",
    "ID_CARD",
    "RESIDENCE_PERMIT",
    "OTHER",
];
/// `file_type`: Qolo's sample shows `BMP`; the image types the sandbox also takes.
const FILE_TYPES: &[&str] = &["BMP", "JPG", "JPEG", "PNG", "GIF", "TIFF"];

const DOCUMENT: &[(&str, Rule)] = &[
    ("document_type", Rule::OneOf(DOCUMENT_TYPES)),
    ("file_type", Rule::OneOf(FILE_TYPES)),
    ("issuing_country", Rule::Country3),
    ("front", Rule::Base64),
    ("back", Rule::Base64),
    ("face_image", Rule::Base64),
    ("liveness_detected", Rule::Bool),
];

const CLIENT_VERIFICATION: &[(&str, Rule)] = &[
    ("document_approved", Rule::Bool),
    ("person_status_update", Rule::Bool),
    ("override_sanction_check", Rule::Bool),
    ("verification_datetime", Rule::DateTime),
    ("verification_provider", Rule::Text { min: 0, max: 100 }),
    (
        "verification_provider_refnumber",
        Rule::Text { min: 0, max: 100 },
    ),
    ("verification_level", Rule::Text { min: 0, max: 50 }),
    ("document", Rule::Object(DOCUMENT)),
];

const PERFORM: &[(&str, Rule)] = &[
    ("perform_kyc", Rule::Bool),
    ("notes", Rule::Text { min: 0, max: 1000 }),
    ("identifications", Rule::Objects(IDENTIFICATION)),
    (
        "answers",
        Rule::Objects(&[
            ("key", Rule::Text { min: 0, max: 100 }),
            ("answer", Rule::Text { min: 0, max: 200 }),
        ]),
    ),
    ("document", Rule::Object(DOCUMENT)),
    ("client_verification", Rule::Object(CLIENT_VERIFICATION)),
    ("program_guid", Rule::Uuid),
];

/// `GET /api/v1/persons/{person_guid}/kyc` (GetKycResult).
pub async fn show(req: HttpRequest, caller: Caller, qolo: web::Data<Qolo>) -> Reply {
    let guid = path_guid(&req, "person_guid")?;
    qolo.with_tenant(&caller, |state| {
        let person = state.persons.get(&guid).ok_or(QoloError::PersonNotFound)?;
        Ok(kyc_json(person).ok())
    })
}

/// A document's images decoded and checked: each an image of the declared `file_type`.
struct DocumentInput {
    document_type: String,
    file_type: String,
    issuing_country: Option<String>,
    front: (Blob, &'static str),
    back: Option<(Blob, &'static str)>,
    face_image: Option<(Blob, &'static str)>,
    liveness_detected: Option<bool>,
}

fn document_input(
    checks: &mut Checks,
    path: &str,
    fields: &Map<String, Value>,
) -> Option<DocumentInput> {
    for required in ["document_type", "file_type", "front"] {
        checks.require(fields, path, required);
    }
    let declared = fields
        .get("file_type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut image = |side: &str| -> Option<(Blob, &'static str)> {
        let text = fields.get(side)?.as_str()?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?;
        match sniff(&bytes).filter(|m| m.is_image()) {
            None => {
                checks.fail(
                    &format!("{path}.{side}"),
                    format!("The {side} field is not an image."),
                );
                None
            }
            Some(media) if side != "face_image" && !same_type(declared, media.extension) => {
                checks.fail(
                    &format!("{path}.{side}"),
                    format!(
                        "The {side} image is {}, not the file_type {declared}.",
                        media.extension.to_uppercase()
                    ),
                );
                None
            }
            Some(media) => Some((Blob::pending_decoded(bytes), media.mime)),
        }
    };
    let front = image("front");
    let back = image("back");
    let face_image = image("face_image");
    Some(DocumentInput {
        document_type: fields.get("document_type")?.as_str()?.to_owned(),
        file_type: declared.to_owned(),
        issuing_country: fields
            .get("issuing_country")
            .and_then(Value::as_str)
            .map(str::to_owned),
        front: front?,
        back,
        face_image,
        liveness_detected: fields.get("liveness_detected").and_then(Value::as_bool),
    })
}

fn same_type(declared: &str, extension: &str) -> bool {
    let declared = declared.to_ascii_lowercase();
    declared == extension
        || (declared == "jpeg" && extension == "jpg")
        || (declared == "tiff" && extension == "tif")
}

/// `POST /api/v1/persons/{person_guid}/kyc` (PerformKYC): a client override, a program change,
/// out-of-wallet answers, a document, or a new electronic verification, in that order of
/// precedence; "Person Already Verified" when nothing would change.
pub async fn perform(
    req: HttpRequest,
    mut payload: web::Payload,
    caller: Caller,
    qolo: web::Data<Qolo>,
) -> Reply {
    let guid = path_guid(&req, "person_guid")?;
    let body = json_object(&req, &mut payload).await?;
    let mut checks = Checks::default();
    let input = checks.read(&body, "", PERFORM);
    let document = input
        .get("document")
        .and_then(Value::as_object)
        .and_then(|d| document_input(&mut checks, "document", d));
    let client = input.get("client_verification").and_then(Value::as_object);
    let client_document = client
        .and_then(|c| c.get("document"))
        .and_then(Value::as_object)
        .and_then(|d| document_input(&mut checks, "client_verification.document", d));
    let answers: Vec<(String, String)> = input
        .get("answers")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .enumerate()
                .filter_map(|(i, a)| {
                    let key = a.get("key").and_then(Value::as_str);
                    let answer = a.get("answer").and_then(Value::as_str);
                    if key.is_none() {
                        checks.fail(&format!("answers[{i}].key"), "The key field is required.");
                    }
                    Some((key?.to_owned(), answer.unwrap_or_default().to_owned()))
                })
                .collect()
        })
        .unwrap_or_default();
    checks.finish()?;
    let program = match input.get("program_guid").and_then(Value::as_str) {
        Some(guid) => Some(
            qolo.fixtures
                .program(guid)
                .ok_or(QoloError::ProgramNotFound)?
                .clone(),
        ),
        None => None,
    };
    let forced = forced_scenario(&req);
    let now = qolo.core.clock.now();
    let docs_base = format!(
        "{}{}/api/v1/persons/{guid}/documents",
        base_url(&req),
        mount_prefix(&req, MOUNT)
    );
    let tenant = caller.tenant.clone();
    qolo.with_tenant(&caller, |state| {
        let person = state.persons.get(&guid).ok_or(QoloError::PersonNotFound)?;
        let before = person.person_status;
        let changes_program = program.as_ref().is_some_and(|p| p.program_guid != person.program_guid);
        if let Some(p) = program.as_ref().filter(|_| changes_program) {
            let current = qolo.fixtures.program(&person.program_guid);
            if current.is_some_and(|c| c.top_program_guid != p.top_program_guid) {
                return Err(QoloError::field("program_guid", "The program is not under the person's top program."));
            }
        }
        // `perform_kyc` alone asks for a new run; with answers or a document it only says "go on".
        let rerun = changes_program
            || input.contains_key("identifications")
            || (input.get("perform_kyc") == Some(&Value::Bool(true))
                && answers.is_empty()
                && document.is_none()
                && before != PersonStatus::Cleared);
        if before == PersonStatus::Cleared && client.is_none() && !changes_program {
            return Err(QoloError::BadRequest("Person Already Verified".into()));
        }
        if client.is_none() && answers.is_empty() && document.is_none() && !rerun {
            return Err(QoloError::BadRequest(
                "Nothing to verify: send perform_kyc, identifications, answers, a document, client_verification or a new program_guid".into(),
            ));
        }
        let verification = client.map(client_verification);
        if let Some(verification) = &verification {
            Qolo::check_override(person, verification)?;
        }
        let answering = !answers.is_empty() && !rerun;
        if answering {
            Qolo::check_answers(person, &answers)?;
        }
        // Choose the scenario and lease the images before anything changes.
        let mut candidate = person.clone();
        if let Some(ids) = input.get("identifications") {
            candidate.details.insert("identifications".into(), ids.clone());
        }
        if let Some(p) = program.as_ref().filter(|_| changes_program) {
            candidate.program_guid.clone_from(&p.program_guid);
            candidate.verification_mode = p.verification_mode;
        }
        let chosen = if rerun { Some(qolo.choose(&candidate, forced.as_deref())?) } else { None };
        let stored = |doc: DocumentInput, rng: &mut crate::core::SeededRng| -> Result<(StoredDocument, DocumentRefs), QoloError> {
            let reference = rng.uuid_v4();
            let mut keep = |image: (Blob, &'static str)| -> Result<(Blob, &'static str), QoloError> {
                let mut blob = image.0;
                qolo.core.storage.keep(&tenant, &mut blob)?;
                Ok((blob, image.1))
            };
            let front = keep(doc.front)?;
            let back = doc.back.map(&mut keep).transpose()?;
            let face_image = doc.face_image.map(&mut keep).transpose()?;
            let path = |side: &str| format!("{docs_base}/{reference}/{side}");
            let refs = DocumentRefs {
                document_reference: reference.clone(),
                file_type: doc.file_type.clone(),
                back_file_type: back.as_ref().map(|_| doc.file_type.clone()),
                front_docpath: path("front"),
                back_docpath: back.as_ref().map(|_| path("back")),
                face_image_docpath: face_image.as_ref().map(|_| path("face_image")),
            };
            Ok((
                StoredDocument {
                    reference,
                    document_type: doc.document_type,
                    issuing_country: doc.issuing_country,
                    front,
                    back,
                    face_image,
                    liveness_detected: doc.liveness_detected,
                },
                refs,
            ))
        };
        let client_document = client_document.map(|d| stored(d, &mut state.rng)).transpose()?;
        let document = document.map(|d| stored(d, &mut state.rng)).transpose()?;
        let person = state.persons.get_mut(&guid).expect("found above");
        if let Some(verification) = verification {
            qolo.client_override(person, verification, client_document, &mut state.rng, now);
        } else {
            if let Some(ids) = input.get("identifications") {
                person.details.insert("identifications".into(), ids.clone());
            }
            if changes_program {
                person.program_guid.clone_from(&candidate.program_guid);
                person.verification_mode = candidate.verification_mode;
            }
            if let Some(chosen) = chosen {
                qolo.run_kyc(person, chosen, &mut state.rng, now);
            }
            if answering {
                qolo.answer(person, &answers, &mut state.rng, now);
            }
            if let Some((doc, refs)) = document {
                qolo.verify_document(person, doc, refs, now);
            }
        }
        if let Some(notes) = input.get("notes").and_then(Value::as_str) {
            person.notes.push(notes.to_owned());
        }
        let events = events_for(person, before);
        let body = kyc_json(person);
        state.outbox.extend(events);
        Ok(body.ok())
    })
}

fn client_verification(client: &Map<String, Value>) -> ClientVerification {
    let text = |name: &str| client.get(name).and_then(Value::as_str).map(str::to_owned);
    let flag = |name: &str| client.get(name).and_then(Value::as_bool);
    ClientVerification {
        document_approved: flag("document_approved"),
        person_status_update: flag("person_status_update"),
        override_sanction_check: flag("override_sanction_check"),
        verification_datetime: text("verification_datetime")
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|d| d.to_utc()),
        verification_provider: text("verification_provider"),
        verification_provider_refnumber: text("verification_provider_refnumber"),
        verification_level: text("verification_level"),
    }
}

/// A stored document image, for its docpath (the caller's own persons only).
pub async fn image(req: HttpRequest, caller: Caller, qolo: web::Data<Qolo>) -> Reply {
    let guid = path_guid(&req, "person_guid")?;
    let reference = req
        .match_info()
        .get("reference")
        .unwrap_or_default()
        .to_owned();
    let side = req.match_info().get("side").unwrap_or_default().to_owned();
    let slot = qolo
        .tenants
        .get(&caller.tenant)
        .ok_or(QoloError::PersonNotFound)?;
    let state = slot.state.lock();
    let person = state.persons.get(&guid).ok_or(QoloError::PersonNotFound)?;
    let not_found = || QoloError::NotFound("Document not found".into());
    let document = person.documents.get(&reference).ok_or_else(not_found)?;
    let (blob, mime) = match side.as_str() {
        "front" => Some(&document.front),
        "back" => document.back.as_ref(),
        "face_image" => document.face_image.as_ref(),
        _ => None,
    }
    .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok().content_type(*mime).body(blob.bytes()))
}
