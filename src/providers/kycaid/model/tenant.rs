//! Everything one API token owns, and the changes that other resources or callbacks depend on.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    Address, AffiliatedPerson, Applicant, Document, File, Form, FormLink, Verification,
    VerificationStatus,
};
use crate::core::store::Store;
use crate::core::TenantState;
use crate::core::{SeededRng, TenantId};
use crate::providers::kycaid::errors::KycaidError;

/// A callback to send once the request that caused it has finished changing the state.
#[derive(Debug, Clone)]
pub struct Callback {
    pub event: &'static str,
    pub verification_id: String,
    pub payload: Value,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct KycaidTenant {
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub tenant: TenantId,
    /// The API token: it signs this tenant's callbacks.
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub token: String,
    /// `scheme://host[/kycaid]` of the latest API call (the prefix only on the main port), for the
    /// file URLs in documents and callbacks.
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    pub origin: String,
    #[serde(skip_serializing_if = "crate::core::snapshot::in_dump")]
    rng: SeededRng,
    pub applicants: Store<Applicant>,
    pub files: Store<File>,
    pub documents: Store<Document>,
    pub addresses: Store<Address>,
    pub affiliated_persons: Store<AffiliatedPerson>,
    pub verifications: Store<Verification>,
    pub forms: Store<Form>,
    /// By form token.
    pub form_links: Store<FormLink>,
    #[serde(skip)]
    pub outbox: Vec<Callback>,
}

impl TenantState for KycaidTenant {
    fn holds_nothing(&self) -> bool {
        self.applicants.is_empty()
            && self.files.is_empty()
            && self.documents.is_empty()
            && self.addresses.is_empty()
            && self.affiliated_persons.is_empty()
            && self.verifications.is_empty()
            && self.forms.is_empty()
            && self.form_links.is_empty()
            && self.outbox.is_empty()
    }
}

impl KycaidTenant {
    pub fn new(tenant: TenantId, token: String, rng: SeededRng) -> Self {
        KycaidTenant {
            tenant,
            token,
            origin: String::new(),
            rng,
            applicants: Store::default(),
            files: Store::default(),
            documents: Store::default(),
            addresses: Store::default(),
            affiliated_persons: Store::default(),
            verifications: Store::default(),
            forms: Store::default(),
            form_links: Store::default(),
            outbox: Vec::new(),
        }
    }

    /// A fresh id in KYCAID's format: 36 lowercase hex characters.
    pub fn new_id(&mut self) -> String {
        self.rng.hex(36)
    }

    /// Whether the applicant has a verification (some changes are refused or versioned after one).
    pub fn has_verification(&self, applicant_id: &str) -> bool {
        self.applicants
            .get(applicant_id)
            .is_some_and(|a| !a.verification_ids.is_empty())
    }

    /// Whether a verification of the applicant is being reviewed (`pending`).
    pub fn in_review(&self, applicant_id: &str) -> bool {
        self.applicants.get(applicant_id).is_some_and(|a| {
            a.verification_ids
                .iter()
                .filter_map(|v| self.verifications.get(v))
                .any(|v| v.status == VerificationStatus::Pending)
        })
    }

    /// One review at a time per applicant (`422` on `applicant_id` otherwise).
    pub fn refuse_second_review(&self, applicant_id: &str) -> Result<(), KycaidError> {
        if self.in_review(applicant_id) {
            return Err(KycaidError::invalid(
                "applicant_id",
                "Applicant already has a verification in progress",
            ));
        }
        Ok(())
    }

    /// Removes an applicant with everything that belongs to it; files stay (they are not owned).
    /// Returns the form tokens whose links went with its verifications.
    pub fn delete_applicant(&mut self, id: &str) -> Option<Vec<String>> {
        let applicant = self.applicants.remove(id)?;
        for document in &applicant.document_ids {
            if let Some(document) = self.documents.remove(document) {
                self.relink(&document.sides, &[]);
            }
        }
        for address in applicant
            .address_ids
            .iter()
            .chain(&applicant.replaced_address_ids)
        {
            self.addresses.remove(address);
        }
        for person in &applicant.affiliated_person_ids {
            self.affiliated_persons.remove(person);
        }
        let mut tokens = Vec::new();
        for verification in &applicant.verification_ids {
            let token = self
                .verifications
                .remove(verification)
                .and_then(|v| v.form_token);
            if let Some(token) = token {
                self.form_links.remove(&token);
                tokens.push(token);
            }
        }
        Some(tokens)
    }

    /// Moves the reference counts of files from a document's `old` sides to its `new` ones.
    pub fn relink<'a>(
        &mut self,
        old: impl IntoIterator<Item = &'a Option<String>>,
        new: impl IntoIterator<Item = &'a Option<String>>,
    ) {
        for id in old.into_iter().flatten() {
            if let Some(file) = self.files.get_mut(id) {
                file.references = file.references.saturating_sub(1);
            }
        }
        for id in new.into_iter().flatten() {
            if let Some(file) = self.files.get_mut(id) {
                file.references += 1;
            }
        }
    }

    pub fn delete_document(&mut self, id: &str) -> Option<Document> {
        let document = self.documents.remove(id)?;
        self.relink(&document.sides, &[]);
        if let Some(applicant) = self.applicants.get_mut(&document.applicant_id) {
            applicant.document_ids.retain(|d| d != id);
        }
        Some(document)
    }

    /// Documents of an applicant, in creation order.
    pub fn documents_of<'a>(
        &'a self,
        applicant: &'a Applicant,
    ) -> impl Iterator<Item = &'a Document> {
        applicant
            .document_ids
            .iter()
            .filter_map(|id| self.documents.get(id))
    }

    /// Moves a verification to `status` if the status machine allows it (`unused` → `pending` →
    /// `completed`); returns whether it changed. A completed verification stays completed: a
    /// reviewer may change its decision, not reopen it.
    pub fn set_verification_status(
        &mut self,
        id: &str,
        status: VerificationStatus,
        at: DateTime<Utc>,
    ) -> bool {
        let Some(verification) = self.verifications.get_mut(id) else {
            return false;
        };
        if !verification.status.may_become(status) {
            if verification.status != status {
                log::warn!(
                    "kycaid: verification {id} cannot go from {} to {}",
                    verification.status.as_str(),
                    status.as_str()
                );
            }
            return false;
        }
        verification.status = status;
        if status == VerificationStatus::Completed {
            verification.completed_at = Some(at);
        }
        true
    }
}
