//! Rebilly's experimental KYC reports (`/experimental[/organizations/{id}]/reports/kyc-*-summary`),
//! computed from the organization's own documents and requests.
//!
//! All three are cohort reports: `periodStart`..=`periodEnd` (RFC 3339, both optional, defaulting
//! to the first and last instant of the current month on the sandbox clock) selects what was
//! **created** in the period, and each item is counted under the status it has **now**. Every
//! report reads the tenant's documents or requests once; groups come out in the order of the
//! spec's enums, and only groups with something in them are listed. A bad or inverted period is a
//! 422 `invalidFields` problem, like every other bad query parameter here.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde_json::{json, Value};

use crate::providers::rebilly::auth::Caller;
use crate::providers::rebilly::errors::RebillyError;
use crate::providers::rebilly::model::{
    DocumentStatus, DocumentType, KycDocument, RejectionType, RequestStatus,
};
use crate::providers::rebilly::wire::{query_param, Checks};
use crate::providers::rebilly::Rebilly;

type Reply = Result<HttpResponse, RebillyError>;

/// The reporting period, both ends inclusive.
#[derive(Debug, Clone, Copy)]
struct Period {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Period {
    fn parse(req: &HttpRequest, now: DateTime<Utc>) -> Result<Self, RebillyError> {
        let month_start = Utc
            .with_ymd_and_hms(now.year(), now.month(), 1, 0, 0, 0)
            .single()
            .unwrap_or(now);
        let (year, month) = match now.month() {
            12 => (now.year() + 1, 1),
            m => (now.year(), m + 1),
        };
        let next_month = Utc
            .with_ymd_and_hms(year, month, 1, 0, 0, 0)
            .single()
            .unwrap_or(now);
        let mut checks = Checks::default();
        let start = bound(req, &mut checks, "periodStart", month_start);
        let end = bound(
            req,
            &mut checks,
            "periodEnd",
            next_month - Duration::nanoseconds(1),
        );
        match (start, end) {
            (Some(start), Some(end)) if start <= end => Ok(Period { start, end }),
            (Some(_), Some(_)) => {
                checks.fail("periodEnd", "must not be before periodStart");
                Err(RebillyError::InvalidQuery(checks.0))
            }
            // The latest spec answers a bad period `400 BadRequest` (with `invalidFields`).
            _ => Err(RebillyError::InvalidQuery(checks.0)),
        }
    }

    fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t <= self.end
    }
}

/// One end of the period: the query parameter if given (and valid), else `default`.
fn bound(
    req: &HttpRequest,
    checks: &mut Checks,
    name: &str,
    default: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let Some(raw) = query_param(req, name) else {
        return Some(default);
    };
    match DateTime::parse_from_rfc3339(raw.trim()) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            checks.fail(
                name,
                "must be an RFC 3339 date-time, e.g. 2026-01-01T00:00:00Z",
            );
            None
        }
    }
}

/// Where `name` sits in one of the spec's enums.
fn index_of(names: &[&str], name: &str) -> usize {
    names.iter().position(|n| *n == name).unwrap_or(0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A percentage of `total`, 0 when there is nothing to divide by.
fn percent(part: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        round2(part as f64 * 100.0 / total as f64)
    }
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// Whether the document's current decision is the automated review's (a scenario step) rather
/// than a reviewer's (the review calls, the admin API or the dashboard).
fn decided_automatically(d: &KycDocument) -> bool {
    d.automated
        .is_some_and(|(status, at)| status == d.status && d.processed_time == Some(at))
}

/// Whether a reviewer overturned an automated decision of `automatic` (the opposite of the
/// document's status now).
fn overturned(d: &KycDocument, automatic: DocumentStatus) -> bool {
    !decided_automatically(d) && d.automated.is_some_and(|(status, _)| status == automatic)
}

/// One document type's line of the acceptance summary.
#[derive(Default)]
struct Acceptance {
    accepted: u64,
    accepted_automatically: u64,
    accepted_after_auto_rejected: u64,
    rejected: u64,
    rejected_automatically: u64,
    rejected_after_auto_accepted: u64,
    pending: u64,
    archived: u64,
    review_minutes: Vec<f64>,
}

impl Acceptance {
    fn add(&mut self, d: &KycDocument) {
        let automatic = decided_automatically(d);
        match d.status {
            DocumentStatus::Accepted => {
                self.accepted += 1;
                self.accepted_automatically += u64::from(automatic);
                self.accepted_after_auto_rejected +=
                    u64::from(overturned(d, DocumentStatus::Rejected));
            }
            DocumentStatus::Rejected => {
                self.rejected += 1;
                self.rejected_automatically += u64::from(automatic);
                self.rejected_after_auto_accepted +=
                    u64::from(overturned(d, DocumentStatus::Accepted));
            }
            DocumentStatus::Pending | DocumentStatus::InProgress => self.pending += 1,
            DocumentStatus::Archived => self.archived += 1,
        }
        if let Some(reviewed) = d.review_time {
            let seconds = (reviewed - d.created_time).num_milliseconds() as f64 / 1000.0;
            self.review_minutes.push(seconds / 60.0);
        }
    }

    fn into_json(mut self, document_type: &str) -> Value {
        let live = self.accepted + self.rejected + self.pending;
        let kept = live - self.accepted_after_auto_rejected - self.rejected_after_auto_accepted;
        json!({
            "documentType": document_type,
            "statusStatistics": {
                "accepted": {
                    "total": self.accepted,
                    "automatically": self.accepted_automatically,
                    "manually": self.accepted - self.accepted_automatically,
                    "afterAutoRejected": self.accepted_after_auto_rejected,
                },
                "rejected": {
                    "total": self.rejected,
                    "automatically": self.rejected_automatically,
                    "manually": self.rejected - self.rejected_automatically,
                    "afterAutoAccepted": self.rejected_after_auto_accepted,
                },
                "pending": {"total": self.pending},
                "archived": {"total": self.archived},
            },
            "total": live + self.archived,
            "accuracyRate": percent(kept, live),
            "acceptanceRate": percent(self.accepted, live),
            "manualReviewTime": round2(median(&mut self.review_minutes)),
        })
    }
}

/// `GET …/reports/kyc-acceptance-summary`: per document type, the documents created in the
/// period by their status now. `pending` includes `in-progress`. A decision is `automatically`
/// when the automated review (a scenario) made it and no one changed it since, else `manually`;
/// `afterAutoRejected`/`afterAutoAccepted` are reviewer decisions that overturned the automated
/// one. `accuracyRate` and `acceptanceRate` are the spec's formulas over the non-archived total,
/// in percent (2 decimals, 0 when there is none); `manualReviewTime` is the median of
/// `reviewTime - createdTime` in minutes over the documents a reviewer reviewed (0 when none).
pub async fn acceptance_summary(
    req: HttpRequest,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let period = Period::parse(&req, rebilly.core.clock.now())?;
    let mut lines: Vec<Option<Acceptance>> = DocumentType::NAMES.iter().map(|_| None).collect();
    rebilly.with_tenant(&caller, |state| {
        for d in state.documents.values() {
            if period.contains(d.created_time) {
                let i = index_of(DocumentType::NAMES, d.document_type.as_str());
                lines[i].get_or_insert_with(Acceptance::default).add(d);
            }
        }
    });
    let data: Vec<Value> = lines
        .into_iter()
        .zip(DocumentType::NAMES)
        .filter_map(|(line, name)| line.map(|l| l.into_json(name)))
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "data": data })))
}

/// `GET …/reports/kyc-rejection-summary`: per document type, the documents created in the period
/// that are rejected now, counted by rejection reason.
pub async fn rejection_summary(
    req: HttpRequest,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let period = Period::parse(&req, rebilly.core.clock.now())?;
    let mut counts = vec![vec![0u64; RejectionType::NAMES.len()]; DocumentType::NAMES.len()];
    rebilly.with_tenant(&caller, |state| {
        for d in state.documents.values() {
            if d.status == DocumentStatus::Rejected && period.contains(d.created_time) {
                let reason = d
                    .rejection_reason
                    .as_ref()
                    .map_or(RejectionType::Other, |r| r.kind);
                counts[index_of(DocumentType::NAMES, d.document_type.as_str())]
                    [index_of(RejectionType::NAMES, reason.as_str())] += 1;
            }
        }
    });
    let data: Vec<Value> = counts
        .into_iter()
        .zip(DocumentType::NAMES)
        .filter(|(reasons, _)| reasons.iter().any(|&n| n > 0))
        .map(|(reasons, document_type)| {
            let reasons: Vec<Value> = reasons
                .into_iter()
                .zip(RejectionType::NAMES)
                .filter(|(n, _)| *n > 0)
                .map(|(count, reason)| json!({"rejectionReason": reason, "count": count}))
                .collect();
            json!({"documentType": document_type, "rejectionReasons": reasons})
        })
        .collect();
    Ok(report(data))
}

/// The request statuses the spec's request summary knows (`KycDocumentRequestStatuses`).
const REPORTED_REQUEST_STATUSES: [RequestStatus; 5] = [
    RequestStatus::Abandoned,
    RequestStatus::Expired,
    RequestStatus::Failed,
    RequestStatus::Fulfilled,
    RequestStatus::PendingReview,
];

/// `GET …/reports/kyc-request-summary`: the requests created in the period, counted by their
/// status now (in the spec's field `rejectionReason`). Only the spec's five statuses are reported;
/// requests still `gathering`, `attempted` or `partial` are not counted.
pub async fn request_summary(
    req: HttpRequest,
    caller: Caller,
    rebilly: web::Data<Rebilly>,
) -> Reply {
    let period = Period::parse(&req, rebilly.core.clock.now())?;
    let mut counts = [0u64; REPORTED_REQUEST_STATUSES.len()];
    rebilly.with_tenant(&caller, |state| {
        for r in state.requests.values() {
            let reported = REPORTED_REQUEST_STATUSES
                .iter()
                .position(|s| *s == r.status);
            if let (Some(i), true) = (reported, period.contains(r.created_time)) {
                counts[i] += 1;
            }
        }
    });
    let data: Vec<Value> = counts
        .into_iter()
        .zip(REPORTED_REQUEST_STATUSES)
        .filter(|(n, _)| *n > 0)
        .map(|(count, status)| json!({"rejectionReason": status.as_str(), "count": count}))
        .collect();
    Ok(report(data))
}

/// A whole report as one page, with the `Pagination-*` headers the spec lists for it.
fn report(data: Vec<Value>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Pagination-Total", data.len().to_string()))
        .insert_header(("Pagination-Limit", data.len().to_string()))
        .insert_header(("Pagination-Offset", "0"))
        .json(json!({ "data": data }))
}
