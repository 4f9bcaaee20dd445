use super::*;
use crate::core::storage::Blob;

fn tenant() -> SumvinTenant {
    let mut t = SumvinTenant::new(SeededRng::derive(1, "t"), DateTime::UNIX_EPOCH);
    t.ensure_kyc("basic-kyc-level", Utc::now());
    t
}

const STEPS: &[StepType] = &[StepType::Identity, StepType::Selfie];

/// Review starts, then asks for the identity step again ("blurry").
fn submit_then_retry_identity(t: &mut SumvinTenant, now: DateTime<Utc>) {
    t.transition(KycStatus::InProgress, now, Decision::default(), STEPS)
        .unwrap();
    let decision = Decision {
        message: Some("blurry".into()),
        steps: vec![StepType::Identity],
    };
    t.transition(KycStatus::Retry, now, decision, STEPS)
        .unwrap();
}

#[test]
fn machine_refuses_illegal_moves() {
    let mut t = tenant();
    let now = Utc::now();
    assert_eq!(
        t.transition(KycStatus::Approved, now, Decision::default(), STEPS),
        Err(IllegalMove {
            from: KycStatus::Pending,
            to: KycStatus::Approved
        })
    );
    t.transition(KycStatus::InProgress, now, Decision::default(), STEPS)
        .unwrap();
    t.transition(KycStatus::Approved, now, Decision::default(), STEPS)
        .unwrap();
    assert!(t
        .transition(KycStatus::Rejected, now, Decision::default(), STEPS)
        .is_err());
    let kyc = t.kyc.as_ref().unwrap();
    assert_eq!(kyc.verified_at, Some(now));
    assert_eq!(kyc.reviews[&StepType::Identity].answer, ReviewAnswer::Green);
}

fn image(n: u32, document_type: DocumentType, round: u32) -> Image {
    Image {
        image_id: n.to_string().into(),
        document_type,
        country: "GBR".into(),
        side: None,
        added_at: DateTime::UNIX_EPOCH,
        status: DocumentStatus::Pending,
        round,
        file_name: None,
        content_type: "image/png",
        width: None,
        height: None,
        data: Blob::pending(Default::default()),
    }
}

#[test]
fn steps_with_documents_follow_uploads_and_verdicts() {
    let mut t = tenant();
    let now = Utc::now();
    assert!(!t.has_documents_for(StepType::Identity), "nothing uploaded");
    t.add_image(image(1, DocumentType::Passport, 0));
    assert!(t.has_documents_for(StepType::Identity));
    assert!(!t.has_documents_for(StepType::Selfie));
    t.add_image(image(2, DocumentType::Selfie, 0));
    assert!(
        t.has_documents_for(StepType::Selfie),
        "known, then added to"
    );
    submit_then_retry_identity(&mut t, now);
    assert!(
        !t.has_documents_for(StepType::Identity),
        "its image was rejected"
    );
    assert!(t.has_documents_for(StepType::Selfie));
    assert!(!t.has_approved_passport(), "the passport was rejected");
    t.add_image(image(3, DocumentType::IdCard, 1));
    assert!(t.has_documents_for(StepType::Identity), "uploaded again");
    // A restored tenant starts without the summary (it is not serialized) and works it out.
    let restored = t.clone();
    restored.image_summary.set(None);
    assert!(restored.has_documents_for(StepType::Identity));
    assert!(!restored.has_documents_for(StepType::ProofOfAddress));
}

#[test]
fn an_approved_passport_is_known_after_the_review() {
    let mut t = tenant();
    let now = Utc::now();
    t.add_image(image(1, DocumentType::Passport, 0));
    t.add_image(image(2, DocumentType::Selfie, 0));
    assert!(!t.has_approved_passport(), "not reviewed yet");
    t.transition(KycStatus::InProgress, now, Decision::default(), STEPS)
        .unwrap();
    t.transition(KycStatus::Approved, now, Decision::default(), STEPS)
        .unwrap();
    assert!(t.has_approved_passport());
}

#[test]
fn retry_then_resubmit_starts_a_new_round() {
    let mut t = tenant();
    let now = Utc::now();
    submit_then_retry_identity(&mut t, now);
    let kyc = t.kyc.as_ref().unwrap();
    assert!(kyc.rejection.as_ref().unwrap().can_retry);
    assert_eq!(kyc.rejected_at, None);
    assert_eq!(kyc.reviews[&StepType::Selfie].answer, ReviewAnswer::Green);
    assert_eq!(
        kyc.reviews[&StepType::Identity].comment.as_deref(),
        Some("blurry")
    );
    t.transition(KycStatus::InProgress, now, Decision::default(), STEPS)
        .unwrap();
    let kyc = t.kyc.as_ref().unwrap();
    assert_eq!((kyc.submissions, kyc.rejection.is_none()), (1, true));
}
