//! KYCAID resources and the state of one API token (tenant).

pub mod applicant;
pub mod document;
pub mod extras;
pub mod reasons;
pub mod tenant;
pub mod verification;

use chrono::{DateTime, Utc};

use crate::core::wire_enum;

pub use applicant::{Applicant, ApplicantType};
pub use document::{Document, DocumentProvider, DocumentStatus, DocumentType};
pub use extras::{Address, AddressType, AffiliatedPerson, AffiliatedType, File, Form, FormLink};
pub use reasons::{Decline, DeclineReason};
pub use tenant::{Callback, KycaidTenant};
pub use verification::{Check, CheckResult, Verification, VerificationStatus};

// An applicant's review status; `new` until a verification of it is submitted (as recorded from
// the real API: a fresh applicant shows `"verification_status": "new"`, `"profile_status": null`).
wire_enum!(ReviewStatus {
    New = "new",
    Pending = "pending",
    Valid = "valid",
    Invalid = "invalid",
});

/// KYCAID's timestamp format, `YYYY-MM-DD HH:mm:ss` (UTC), written without an intermediate
/// `String`.
pub fn timestamp(t: DateTime<Utc>) -> crate::core::time_text::SecondsText {
    crate::core::time_text::seconds_text(t, b' ', "")
}
