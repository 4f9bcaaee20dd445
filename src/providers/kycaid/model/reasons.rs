//! KYCAID's decline reasons: the string codes and the numeric ids the seed documents.

use serde::{Deserialize, Serialize};

use crate::core::wire_enum;

wire_enum!(DeclineReason {
    Other = "OTHER",
    WrongName = "WRONG_NAME",
    WrongDob = "WRONG_DOB",
    AgeRestriction = "AGE_RESTRICTION",
    ExpiredDocument = "EXPIRED_DOCUMENT",
    ExpiresLess3Months = "EXPIRES_LESS_3_MONTHS",
    BadQuality = "BAD_QUALITY",
    FakeDocument = "FAKE_DOCUMENT",
    WrongInfo = "WRONG_INFO",
    ProhibitedJurisdiction = "PROHIBITED_JURISDICTION",
    NoSelfie = "NO_SELFIE",
    DifferentFaces = "DIFFERENT_FACES",
    WrongDocument = "WRONG_DOCUMENT",
    Duplicate = "DUPLICATE",
    DocumentDamaged = "DOCUMENT_DAMAGED",
    DocumentIncomplete = "DOCUMENT_INCOMPLETE",
    Fraudulent = "FRAUDULENT",
    TaxIdRequired = "TAX_ID_REQUIRED",
    CompromisedPerson = "COMPROMISED_PERSON",
    EditedDocument = "EDITED_DOCUMENT",
    MultiplePerson = "MULTIPLE_PERSON",
    Compulsion = "COMPULSION",
    LimitReachedOtp = "LIMIT_REACHED_OTP",
    IpMismatch = "IP_MISMATCH",
    AnonymizingNetwork = "ANONYMIZING_NETWORK",
    QesMismatch = "QES_MISMATCH",
});

impl DeclineReason {
    /// The id in `decline_reasons_ids`. The seed lists no id for `EXPIRES_LESS_3_MONTHS`; it takes
    /// 6, the gap the seed's numbering leaves between 5 and 7.
    pub fn id(self) -> u32 {
        use DeclineReason::*;
        match self {
            Other => 1,
            WrongName => 2,
            WrongDob => 3,
            AgeRestriction => 4,
            ExpiredDocument => 5,
            ExpiresLess3Months => 6,
            BadQuality => 7,
            FakeDocument => 8,
            WrongInfo => 9,
            ProhibitedJurisdiction => 10,
            NoSelfie => 11,
            DifferentFaces => 12,
            WrongDocument => 13,
            Duplicate => 24,
            DocumentDamaged => 25,
            DocumentIncomplete => 26,
            Fraudulent => 27,
            TaxIdRequired => 28,
            CompromisedPerson => 29,
            EditedDocument => 30,
            MultiplePerson => 31,
            Compulsion => 32,
            LimitReachedOtp => 33,
            IpMismatch => 34,
            AnonymizingNetwork => 35,
            QesMismatch => 36,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Decline {
    pub reasons: Vec<DeclineReason>,
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_match_the_seed() {
        let mut ids: Vec<u32> = DeclineReason::NAMES
            .iter()
            .map(|n| DeclineReason::parse(n).unwrap().id())
            .collect();
        assert_eq!(DeclineReason::WrongDocument.id(), 13);
        assert_eq!(DeclineReason::QesMismatch.id(), 36);
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), DeclineReason::NAMES.len());
    }
}
