//! Every black-box test in one binary, so the sandbox and its dependencies link once.

mod common;

mod admin;
mod admin_guard;
mod cli;
mod hostile_bodies;
mod hostile_headers;
mod kycaid_account;
mod kycaid_addresses;
mod kycaid_applicant_errors;
mod kycaid_applicants;
mod kycaid_callbacks;
mod kycaid_documents;
mod kycaid_form;
mod kycaid_recorded;
mod kycaid_reference;
mod kycaid_review_fixes;
mod kycaid_scenarios;
mod kycaid_verifications;
mod provider_ports;
mod rebilly_credential_scope;
mod rebilly_customer_auth;
mod rebilly_kyc_documents;
mod rebilly_kyc_requests;
mod rebilly_reports;
mod rebilly_resources;
mod rebilly_storefront;
mod rebilly_webhooks;
mod regressions;
mod storage_limits;
mod sumvin_documents;
mod sumvin_kyc;
mod sumvin_scenarios;
mod sumvin_sessions;
mod tenant_lifecycle;
mod webhooks;
