//! `/documents`: the one-of body by `type` (each type with its own fields), get, update, delete.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::core::json_out::Rendered;
use crate::core::resource::{Call, Create, Resource, Update};
use crate::core::store::Store;
use crate::providers::kycaid::errors::KycaidError;
use crate::providers::kycaid::input::{label_of, rule, Checks, Input, Kind, Rule};
use crate::providers::kycaid::model::applicant::APPLICANT_ID_RULE;
use crate::providers::kycaid::model::document::{all_data_rules, DATA_FIELDS, SIDES, SIDE_RULES};
use crate::providers::kycaid::model::{
    Applicant, Decline, Document, DocumentProvider, DocumentStatus, DocumentType, KycaidTenant,
};
use crate::providers::kycaid::wire::document_json;
use crate::providers::kycaid::Kycaid;

impl Resource<Kycaid> for Document {
    const KIND: &'static str = "Document";
    const COLLECTION: &'static str = "documents";
    const ID: &'static str = "document_id";

    fn store(state: &KycaidTenant) -> &Store<Self> {
        &state.documents
    }

    fn store_mut(state: &mut KycaidTenant) -> &mut Store<Self> {
        &mut state.documents
    }

    fn render(_: &Call<Kycaid>, state: &KycaidTenant, document: &Self) -> Rendered {
        document_json(state, document)
    }

    fn read_changes_nothing(_: &KycaidTenant, _: &str) -> bool {
        true
    }

    /// Its files are no longer used by it; the applicant no longer lists it.
    fn delete(_: &Call<Kycaid>, state: &mut KycaidTenant, id: &str) -> Result<(), KycaidError> {
        state.delete_document(id);
        Ok(())
    }
}

const TYPE_RULE: Rule = rule("type", Kind::Enum(DocumentType::NAMES)).labelled("Type of document");

fn given(input: &Input, name: &str) -> bool {
    match input.get(name) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) if input.from_form => !s.is_empty(),
        Some(_) => true,
    }
}

/// The data and side fields of a `kind` document from `input`; a data field of another type is
/// refused, so a typo in `type` does not silently drop data.
fn document_values(input: &Input, kind: DocumentType, checks: &mut Checks) -> Map<String, Value> {
    let own = kind.rules();
    for name in DATA_FIELDS {
        if given(input, name) && !own.iter().any(|r| r.name == *name) {
            checks.fail(
                *name,
                format!(
                    "{} is not allowed for {} documents",
                    label_of(name, ""),
                    kind.as_str()
                ),
            );
        }
    }
    let rules: Vec<Rule> = own.iter().chain(SIDE_RULES).copied().collect();
    checks.read(input, &rules)
}

/// Every side file a document names must exist in this tenant.
fn check_files(state: &KycaidTenant, values: &Map<String, Value>) -> Result<(), KycaidError> {
    for side in SIDES {
        let parameter = format!("{side}_id");
        if let Some(id) = values.get(&parameter).and_then(Value::as_str) {
            if !state.files.contains(id) {
                return Err(KycaidError::not_found(&parameter, "File"));
            }
        }
    }
    Ok(())
}

fn sides_of(values: &Map<String, Value>) -> [Option<String>; 5] {
    SIDES.map(|side| {
        values
            .get(&format!("{side}_id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    })
}

/// The checked fields of a new `kind` document from `input`: its own data fields and sides, with
/// the data fields its type requires. (Whether a side is there is for the caller to check: the API
/// names file ids, the hosted form uploads pictures.)
pub(super) fn new_document_values(
    input: &Input,
    kind: DocumentType,
    checks: &mut Checks,
) -> Map<String, Value> {
    let values = document_values(input, kind, checks);
    for name in kind.required() {
        if values.get(*name).is_none_or(Value::is_null) {
            checks.fail(*name, format!("{} is required", label_of(name, "")));
        }
    }
    values
}

/// Stores a new `kind` document of the applicant with checked `values` (data fields and
/// `<side>_id`s naming files of the tenant) and answers its id: what `POST /documents` and the
/// hosted form both do. A second CREDIT_CARD replaces the first once the applicant was verified.
pub(super) fn insert_document(
    state: &mut KycaidTenant,
    applicant_id: &str,
    kind: DocumentType,
    values: Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<String, KycaidError> {
    let applicant = Applicant::find(state, applicant_id)?;
    check_files(state, &values)?;
    let earlier_card = (kind == DocumentType::CreditCard)
        .then(|| {
            state
                .documents_of(applicant)
                .find(|d| d.kind == DocumentType::CreditCard)
                .map(|d| d.id.clone())
        })
        .flatten();
    if let Some(earlier) = earlier_card {
        if !state.has_verification(applicant_id) {
            return Err(one_card_only());
        }
        state.delete_document(&earlier);
    }
    let id = state.new_id();
    let sides = sides_of(&values);
    state.relink(&[], &sides);
    let fields = values
        .into_iter()
        .filter(|(k, v)| !v.is_null() && !k.ends_with("_id"))
        .collect();
    state.documents.insert(
        id.clone(),
        Document {
            id: id.clone(),
            applicant_id: applicant_id.to_owned(),
            kind,
            provider: DocumentProvider::Manual,
            status: DocumentStatus::New,
            decline: Decline::default(),
            fields,
            sides,
            created_at: now,
        },
    );
    if let Some(applicant) = state.applicants.get_mut(applicant_id) {
        applicant.document_ids.push(id.clone());
    }
    Ok(id)
}

impl Create<Kycaid> for Document {
    /// The applicant, the type, and the checked fields of that type.
    type Draft = (String, DocumentType, Map<String, Value>);

    fn draft(_: &Call<Kycaid>, input: Input) -> Result<Self::Draft, KycaidError> {
        let mut checks = Checks::default();
        let head = checks.read(&input, &[APPLICANT_ID_RULE, TYPE_RULE]);
        checks.require(&head, &APPLICANT_ID_RULE);
        checks.require(&head, &TYPE_RULE);
        let kind = head
            .get("type")
            .and_then(Value::as_str)
            .and_then(DocumentType::parse);
        let values = match kind {
            Some(kind) => new_document_values(&input, kind, &mut checks),
            None => Map::new(),
        };
        if kind.is_some_and(DocumentType::needs_front_side)
            && values.get("front_side_id").is_none_or(Value::is_null)
        {
            checks.fail("front_side_id", "Front side ID is required");
        }
        checks.finish()?;
        let (Some(kind), Some(applicant_id)) =
            (kind, head.get("applicant_id").and_then(Value::as_str))
        else {
            unreachable!("required above");
        };
        Ok((applicant_id.to_owned(), kind, values))
    }

    fn insert(
        call: &Call<Kycaid>,
        state: &mut KycaidTenant,
        (applicant_id, kind, values): Self::Draft,
    ) -> Result<String, KycaidError> {
        insert_document(state, &applicant_id, kind, values, call.now)
    }
}

/// What a `PATCH` sets: a new type, if any, and any documented field.
pub struct DocumentPatch {
    kind: Option<DocumentType>,
    values: Map<String, Value>,
}

/// `PATCH /documents/{id}`: any documented field may be sent (the seed's own example mixes every
/// type's); a new `type` must hold with the document as it then is (its required fields and
/// sides, one CREDIT_CARD per applicant). The document goes back to `new` for review.
impl Update<Kycaid> for Document {
    type Patch = DocumentPatch;

    fn patch(_: &Call<Kycaid>, input: Input) -> Result<DocumentPatch, KycaidError> {
        let mut checks = Checks::default();
        let head = checks.read(&input, &[TYPE_RULE]);
        let rules: Vec<Rule> = all_data_rules()
            .into_iter()
            .chain(SIDE_RULES.iter().copied())
            .collect();
        let values = checks.read(&input, &rules);
        checks.finish()?;
        if values.is_empty() && head.is_empty() {
            return Err(KycaidError::no_parameters());
        }
        let kind = head
            .get("type")
            .and_then(Value::as_str)
            .and_then(DocumentType::parse);
        Ok(DocumentPatch { kind, values })
    }

    fn apply(
        _: &Call<Kycaid>,
        state: &mut KycaidTenant,
        id: &str,
        patch: DocumentPatch,
    ) -> Result<(), KycaidError> {
        let current = Self::find(state, id)?;
        check_files(state, &patch.values)?;
        let mut updated = current.clone();
        updated.update(patch.values);
        if let Some(kind) = patch.kind.filter(|k| *k != current.kind) {
            updated.kind = kind;
            check_type_change(state, &updated)?;
        }
        updated.status = DocumentStatus::New;
        updated.decline = Decline::default();
        let old_sides = current.sides.clone();
        let new_sides = updated.sides.clone();
        state.documents.insert(id.to_owned(), updated);
        state.relink(&old_sides, &new_sides);
        Ok(())
    }
}

/// A document that changed type must meet the new type's rules as a whole.
fn check_type_change(state: &KycaidTenant, document: &Document) -> Result<(), KycaidError> {
    let mut checks = Checks::default();
    for name in document.kind.required() {
        if !document.fields.contains_key(*name) {
            checks.fail(*name, format!("{} is required", label_of(name, "")));
        }
    }
    if document.kind.needs_front_side() && document.sides[0].is_none() {
        checks.fail("front_side_id", "Front side ID is required");
    }
    checks.finish()?;
    let another_card = document.kind == DocumentType::CreditCard
        && state
            .applicants
            .get(&document.applicant_id)
            .is_some_and(|a| {
                state
                    .documents_of(a)
                    .any(|d| d.kind == DocumentType::CreditCard && d.id != document.id)
            });
    if another_card {
        return Err(one_card_only());
    }
    Ok(())
}

fn one_card_only() -> KycaidError {
    KycaidError::invalid(
        "type",
        "Only one CREDIT_CARD document may be associated with an applicant",
    )
}
