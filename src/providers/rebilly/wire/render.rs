//! Rebilly resources as JSON, written straight to text (`core::json_out`).
//!
//! Field order is what clients have always seen. These resources used to be the model's serde
//! fields with some replaced (a replaced field keeps its place) and some added at the end, and
//! the storefront's views took fields out of that (`serde_json::Map::remove` swaps the last
//! field into the gap); the field lists here spell that order out.

use super::analysis::analysis;
use super::base_of;
use crate::core::json_out::{self, ObjectWriter, Rendered};
use crate::providers::rebilly::model::{
    rfc3339, Customer, File, KycDocument, KycRequest, RebillyTenant,
};

pub fn file_json(file: &File, href: &str) -> Rendered {
    json_out::object(|o| file_fields(o, file, href))
}

pub fn file_fields(o: &mut ObjectWriter, file: &File, href: &str) {
    o.field("id", &file.id).field("name", &file.name);
    if let Some(description) = &file.description {
        o.field("description", description);
    }
    o.field("extension", &file.extension)
        .field("mime", file.mime)
        .field("size", &file.size)
        .field("width", &file.width)
        .field("height", &file.height)
        .field("sha1", &file.sha1)
        .field("tags", &file.tags)
        .field("sourceType", &file.source_type)
        .field("isPublic", &file.is_public)
        .time("createdTime", rfc3339(file.created_time))
        .time("updatedTime", rfc3339(file.updated_time))
        .array("_links", |a| {
            link(a, "self", href);
            link(a, "download", format_args!("{href}/download"));
        });
}

/// `{"rel": ..., "href": ...}` in a `_links` array.
pub fn link(links: &mut json_out::ArrayWriter, rel: &str, href: impl std::fmt::Display) {
    links.object(|o| {
        o.field("rel", rel).display("href", href);
    });
}

/// The fields of a resource, declared in the order they are written (`$kind`), and that order as
/// a list (`$all`).
macro_rules! ordered_fields {
    (
        $(#[$kind_doc:meta])* $kind:ident;
        $(#[$all_doc:meta])* $vis:vis $all:ident = [$($(#[$field_doc:meta])* $field:ident),* $(,)?]
    ) => {
        $(#[$kind_doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $kind {
            $($(#[$field_doc])* $field),*
        }

        $(#[$all_doc])*
        $vis const $all: [$kind; [$(stringify!($field)),*].len()] = [$($kind::$field),*];
    };
}

ordered_fields! {
    /// The fields of a KYC document.
    DocumentField;
    /// A document as the merchant sees it.
    pub DOCUMENT_FIELDS = [
        Id,
        CustomerId,
        DocumentType,
        DocumentSubtype,
        FileIds,
        Status,
        RejectionReason,
        RequestId,
        Notes,
        Reason,
        MatchLevel,
        ReviewerId,
        ReviewerName,
        ReviewStartTime,
        ReviewTime,
        ProcessedTime,
        CreatedTime,
        UpdatedTime,
        Revision,
        Tags,
        // Added after the model's own: the deprecated `fileId` the seed-era reference still shows
        // next to `fileIds`, the analysis, the links.
        FileId,
        DocumentMatches,
        ParsedData,
        Links,
    ]
}

/// Who a document is rendered for: the merchant sees every link, its customer only `self`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Merchant,
    Customer,
}

/// The document's `fields`, in that order; `href` is its own URL.
pub fn document_fields(
    o: &mut ObjectWriter,
    state: &RebillyTenant,
    document: &KycDocument,
    href: &str,
    fields: &[DocumentField],
    audience: Audience,
) {
    use DocumentField::*;
    let person = state
        .customers
        .get(&document.customer_id)
        .map(|c| &c.person);
    let analysis = person.and_then(|p| analysis(document, p));
    for field in fields {
        match field {
            Id => o.field("id", &document.id),
            CustomerId => o.field("customerId", &document.customer_id),
            DocumentType => o.field("documentType", document.document_type.as_str()),
            DocumentSubtype => o.field("documentSubtype", &document.document_subtype),
            FileIds => o.field("fileIds", &document.file_ids),
            Status => o.field("status", document.status.as_str()),
            RejectionReason => o.field("rejectionReason", &document.rejection_reason),
            RequestId => o.field("requestId", &document.request_id),
            Notes => o.field("notes", &document.notes),
            Reason => o.field("reason", &document.reason),
            MatchLevel => o.field("matchLevel", &document.match_level),
            ReviewerId => o.field("reviewerId", &document.reviewer_id),
            ReviewerName => o.field("reviewerName", &document.reviewer_name),
            ReviewStartTime => {
                o.time_or_null("reviewStartTime", document.review_start_time.map(rfc3339))
            }
            ReviewTime => o.time_or_null("reviewTime", document.review_time.map(rfc3339)),
            ProcessedTime => o.time_or_null("processedTime", document.processed_time.map(rfc3339)),
            CreatedTime => o.time("createdTime", rfc3339(document.created_time)),
            UpdatedTime => o.time("updatedTime", rfc3339(document.updated_time)),
            Revision => o.field("revision", &document.revision),
            Tags => o.objects("tags", &document.tags, |o, name| {
                o.field("name", name).field("type", "kyc-document");
            }),
            FileId => o.field("fileId", &document.file_ids.first()),
            // The same analysis under both names, as Rebilly sends it.
            DocumentMatches | ParsedData => {
                let key = if *field == DocumentMatches {
                    "documentMatches"
                } else {
                    "parsedData"
                };
                match &analysis {
                    Some(analysis) => o.raw(key, analysis),
                    None => o.null(key),
                }
            }
            Links => o.array("_links", |a| {
                link(a, "self", href);
                if audience == Audience::Merchant {
                    let collection = base_of(href, "kyc-documents");
                    link(
                        a,
                        "customer",
                        format_args!("{collection}/customers/{}", document.customer_id),
                    );
                }
            }),
        };
    }
}

/// Renders a document with its customer's identity, as the merchant sees it.
pub fn document_of(state: &RebillyTenant, document: &KycDocument, href: &str) -> Rendered {
    json_out::object(|o| merchant_document_fields(o, state, document, href))
}

/// Every field of a document, as the merchant sees it, into `o`.
pub fn merchant_document_fields(
    o: &mut ObjectWriter,
    state: &RebillyTenant,
    document: &KycDocument,
    href: &str,
) {
    document_fields(
        o,
        state,
        document,
        href,
        &DOCUMENT_FIELDS,
        Audience::Merchant,
    )
}

/// A customer as Rebilly renders one (the spec's `Customer`), from the identity the sandbox gave
/// them; `href` is its own URL.
pub fn customer_json(customer: &Customer, href: &str) -> Rendered {
    json_out::object(|o| customer_fields(o, customer, href))
}

fn customer_fields(o: &mut ObjectWriter, customer: &Customer, href: &str) {
    let person = customer.identity();
    o.field("id", &customer.id)
        .field("email", &person.email)
        .field("firstName", &person.first_name)
        .field("lastName", &person.last_name)
        .null("defaultPaymentInstrument")
        .null("preferredPayoutInstrumentId")
        .time("createdTime", rfc3339(customer.created_time))
        .time("updatedTime", rfc3339(customer.updated_time))
        .field("customFields", &customer.custom_fields);
    match &customer.primary_address {
        Some(address) => o.field("primaryAddress", address),
        None => o.object("primaryAddress", |o| {
            o.field("firstName", &person.first_name)
                .field("lastName", &person.last_name)
                .field("address", &person.street)
                .field("city", &person.city)
                .field("postalCode", &person.postal_code)
                .array("emails", |a| {
                    a.object(|o| {
                        o.field("label", "main")
                            .field("value", &person.email)
                            .field("primary", &true);
                    });
                });
        }),
    };
    o.field("paymentCount", &0)
        .array("_links", |a| link(a, "self", href));
    if let Some(website) = &customer.website_id {
        o.field("websiteId", website);
    }
}

/// The customer `id` of the organization (just its id if it is unknown).
pub fn customer_of(state: &RebillyTenant, id: &str, href: &str) -> Rendered {
    json_out::object(|o| match state.customers.get(id) {
        Some(customer) => customer_fields(o, customer, href),
        None => {
            o.field("id", id);
        }
    })
}

ordered_fields! {
    /// The fields of a KYC request.
    RequestField;
    /// A request as the merchant sees it, `Embedded` (the last) only when expanded.
    REQUEST_FIELDS = [
        Id,
        CustomerId,
        Documents,
        Status,
        RedirectUrl,
        Reason,
        MatchLevel,
        Revision,
        ExpirationTime,
        CreatedTime,
        UpdatedTime,
        Links,
        /// `_embedded.documents`, when a read asks `?expand=documents`.
        Embedded,
    ]
}

/// The request's `fields`, in that order; `href` is its own URL. The customer sees only the
/// `self` link, and its embedded documents as it sees them.
pub fn request_fields(
    o: &mut ObjectWriter,
    state: &RebillyTenant,
    request: &KycRequest,
    href: &str,
    fields: &[RequestField],
    audience: Audience,
) {
    use RequestField::*;
    let collection = base_of(href, "kyc-requests");
    for field in fields {
        match field {
            Id => o.field("id", &request.id),
            CustomerId => o.field("customerId", &request.customer_id),
            Documents => o.field("documents", &request.documents),
            Status => o.field("status", request.status.as_str()),
            RedirectUrl => o.field("redirectUrl", &request.redirect_url),
            Reason => o.field("reason", &request.reason),
            MatchLevel => o.field("matchLevel", &request.match_level),
            Revision => o.field("revision", &request.revision),
            ExpirationTime => o.time("expirationTime", rfc3339(request.expiration_time)),
            CreatedTime => o.time("createdTime", rfc3339(request.created_time)),
            UpdatedTime => o.time("updatedTime", rfc3339(request.updated_time)),
            Links => o.array("_links", |a| {
                link(a, "self", href);
                if audience == Audience::Merchant {
                    link(
                        a,
                        "documents",
                        format_args!("{collection}/kyc-documents?filter=requestId:{}", request.id),
                    );
                    link(a, "kycGatherer", &request.gatherer_url);
                    link(a, "gatherer", &request.gatherer_url);
                }
            }),
            Embedded => o.object("_embedded", |o| {
                let documents = state.provided(request);
                o.objects("documents", documents, |o, d| {
                    let href = format!("{collection}/kyc-documents/{}", d.id);
                    let customer_fields;
                    let fields: &[DocumentField] = match audience {
                        Audience::Merchant => &DOCUMENT_FIELDS,
                        Audience::Customer => {
                            customer_fields = customer_document_fields(d);
                            &customer_fields
                        }
                    };
                    document_fields(o, state, d, &href, fields, audience);
                });
            }),
        };
    }
}

/// The fields of a request as the merchant sees it; `expand` embeds its documents.
fn merchant_request_fields(expand: bool) -> &'static [RequestField] {
    match expand {
        true => &REQUEST_FIELDS,
        false => &REQUEST_FIELDS[..REQUEST_FIELDS.len() - 1],
    }
}

/// A request with its links; `expand` embeds its documents (`?expand=documents`).
pub fn request_of(
    state: &RebillyTenant,
    request: &KycRequest,
    href: &str,
    expand: bool,
) -> Rendered {
    let fields = merchant_request_fields(expand);
    json_out::object(|o| request_fields(o, state, request, href, fields, Audience::Merchant))
}

/// A request as its customer sees it (the storefront schema): a `redirectUrl` only when there
/// is one, the last field taking its place as `Map::remove` did.
pub fn customer_request_fields(request: &KycRequest, expand: bool) -> Vec<RequestField> {
    let mut fields = merchant_request_fields(expand).to_vec();
    if request.redirect_url.is_none() {
        if let Some(i) = fields.iter().position(|f| *f == RequestField::RedirectUrl) {
            fields.swap_remove(i);
        }
    }
    fields
}

/// Fields of a document that only the merchant sees.
const MERCHANT_ONLY: [DocumentField; 10] = {
    use DocumentField::*;
    [
        CustomerId,
        ReviewerId,
        ReviewerName,
        ReviewStartTime,
        ReviewTime,
        Notes,
        Tags,
        Reason,
        MatchLevel,
        Revision,
    ]
};

/// A document as its customer sees it: no merchant-only fields, no `processedTime` until there
/// is one (the storefront schema's `processedTime` is not nullable). Each field taken out is
/// replaced by the last one, as `Map::remove` did (see the module's documentation).
pub fn customer_document_fields(document: &KycDocument) -> Vec<DocumentField> {
    let mut fields = DOCUMENT_FIELDS.to_vec();
    let unprocessed = document
        .processed_time
        .is_none()
        .then_some(DocumentField::ProcessedTime);
    for gone in MERCHANT_ONLY.iter().chain(&unprocessed) {
        if let Some(i) = fields.iter().position(|f| f == gone) {
            fields.swap_remove(i);
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::rebilly::model::tests::document;

    #[test]
    fn the_customer_sees_the_fields_in_the_order_map_removal_left() {
        use DocumentField::*;
        let mut unprocessed = document();
        assert_eq!(
            customer_document_fields(&unprocessed),
            [
                Id,
                Links,
                DocumentType,
                DocumentSubtype,
                FileIds,
                Status,
                RejectionReason,
                RequestId,
                UpdatedTime,
                CreatedTime,
                FileId,
                ParsedData,
                DocumentMatches,
            ]
        );
        unprocessed.processed_time = Some(unprocessed.created_time);
        let processed = customer_document_fields(&unprocessed);
        assert_eq!(processed[8..11], [UpdatedTime, CreatedTime, ProcessedTime]);
    }
}
