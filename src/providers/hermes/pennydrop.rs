//! The AML-KYC flow without a QR code ("Get data without QR", ZealID's "Pennydrop"): the person
//! signs a payment file in the app, ZealID posts a webhook whose `jwt` holds the session, and the
//! client reads the data with `get_data {session_id, user_id}`. ZealID publishes no call that
//! starts a session, so the sandbox starts one from its admin API.

use actix_web::HttpResponse;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::errors::HermesError;
use super::fixtures::{Client, Identity};
use super::handlers::person_data;
use super::model::{
    failure_due, Pennydrop, PennydropStatus, RETRIEVAL_WINDOW, WEBHOOK_JWT_LIFETIME,
};
use super::scenario::{Call, HermesEffect};
use super::{Hermes, NAME};
use crate::core::json_out;
use crate::core::webhooks::Outbound;
use crate::core::TransitionError;

pub const KIND: &str = "pennydrop";

/// `POST /__admin/hermes/pennydrop`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartPennydrop {
    pub client_id: String,
    /// A fixture identity; the first one when absent.
    #[serde(default)]
    pub identity: Option<String>,
    /// Where the webhook goes; the client's `webhook_url` when absent.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Decide at once (`SIGNED` or `FAILED`); otherwise the session waits for an admin transition.
    #[serde(default)]
    pub status: Option<PennydropStatus>,
}

impl Hermes {
    pub(super) fn start_pennydrop(&self, start: StartPennydrop) -> Result<Value, TransitionError> {
        let client = self.clients.get(&start.client_id).ok_or_else(|| {
            TransitionError::Invalid(format!("no Hermes client `{}`", start.client_id))
        })?;
        let identity = match &start.identity {
            Some(id) => self.fixtures.identity(id),
            None => self.fixtures.identities.first(),
        }
        .ok_or_else(|| TransitionError::Invalid("no such identity in the fixtures".into()))?;
        let webhook_url = start
            .webhook_url
            .or_else(|| client.webhook_url.clone())
            .ok_or_else(|| {
                TransitionError::Invalid(
                    "no webhook_url: give one, or register the client with one".into(),
                )
            })?;
        crate::core::webhooks::check_url(&webhook_url)
            .map_err(|e| TransitionError::Invalid(e.to_string()))?;
        let now = self.core.clock.now();
        let user_id = user_id_of(&identity.id);
        self.with_client(&client, |state| {
            let is_first_sign = !state
                .pennydrops
                .values()
                .any(|p| p.user_id == user_id && p.status == PennydropStatus::Signed);
            let session = Pennydrop {
                session_id: state.rng.uuid_v4(),
                user_id: user_id.clone(),
                identity: identity.id.clone(),
                signing_request_id: state.rng.uuid_v4(),
                status: PennydropStatus::Pending,
                webhook_url,
                created_at: now,
                decided_at: None,
                retrieval_exp: None,
                is_first_sign,
            };
            let id = session.session_id.clone();
            state.pennydrops.insert(id.clone(), session);
            match start.status {
                Some(PennydropStatus::Pending) | None => {}
                Some(to) => self.decide(&client, state, &id, to, now)?,
            }
            Ok(json!(state.pennydrops[id.as_str()]))
        })
    }

    /// Moves a pending session to `SIGNED` or `FAILED` and sends its webhook.
    pub(super) fn decide(
        &self,
        client: &Client,
        state: &mut super::model::HermesTenant,
        session_id: &str,
        to: PennydropStatus,
        now: DateTime<Utc>,
    ) -> Result<(), TransitionError> {
        let session =
            state
                .pennydrops
                .get_mut(session_id)
                .ok_or_else(|| TransitionError::NotFound {
                    kind: KIND.into(),
                    id: session_id.into(),
                })?;
        let name = |s: PennydropStatus| json!(s).as_str().unwrap_or_default().to_owned();
        if session.status != PennydropStatus::Pending || to == PennydropStatus::Pending {
            let allowed = if session.status == PennydropStatus::Pending {
                "SIGNED, FAILED"
            } else {
                ""
            };
            return Err(TransitionError::Illegal {
                kind: KIND.into(),
                id: session_id.into(),
                from: name(session.status),
                to: name(to),
                allowed: allowed.into(),
            });
        }
        session.status = to;
        session.decided_at = Some(now);
        session.retrieval_exp = (to == PennydropStatus::Signed).then(|| now + RETRIEVAL_WINDOW);
        // The claims as ZealID's page shows them: an object under `jwt`.
        let payload = json!({"jwt": {
            "timestamp": now.timestamp(),
            "user_id": session.user_id,
            "session_id": session.session_id,
            "status": name(to),
            "signing_request_id": session.signing_request_id,
            "retrieval_exp": (now + RETRIEVAL_WINDOW).timestamp(),
            "exp": (now + WEBHOOK_JWT_LIFETIME).timestamp(),
        }});
        self.core.webhooks.enqueue(Outbound::json(
            NAME,
            Hermes::tenant_of(client),
            format!("pennydrop.{}", name(to)),
            session.webhook_url.clone(),
            &payload,
        ));
        Ok(())
    }

    /// `get_data {session_id, user_id}`: the person and the AML-KYC results, as strings.
    pub(super) fn pennydrop_data(
        &self,
        client: &Client,
        session_id: &str,
        user_id: &str,
        forced: Option<&HermesEffect>,
    ) -> Result<HttpResponse, HermesError> {
        let now = self.core.clock.now();
        self.with_client(client, |state| {
            let unknown = || {
                HermesError::InvalidGrant("session_id and user_id match no AML-KYC session".into())
            };
            let session = state
                .pennydrops
                .get(session_id)
                .filter(|s| s.user_id == user_id)
                .ok_or_else(unknown)?;
            match session.status {
                PennydropStatus::Pending => {
                    return Err(HermesError::InvalidGrant(
                        "the session is not signed yet".into(),
                    ))
                }
                PennydropStatus::Failed => {
                    return Err(HermesError::InvalidGrant(
                        "the session ended FAILED; it has no data".into(),
                    ))
                }
                PennydropStatus::Signed => {}
            }
            if session.retrieval_exp.is_some_and(|exp| now > exp) {
                return Err(HermesError::Gone(
                    "the data could be read for 24 hours after signing; that time has passed"
                        .into(),
                ));
            }
            if let Some(fail) = failure_due(forced, &HermesEffect::default(), &mut 0, Call::GetData)
            {
                return Err(super::handlers::provider_failure(fail));
            }
            let identity = self
                .fixtures
                .identity(&session.identity)
                .ok_or_else(unknown)?;
            let kyc_data = json_out::object(|o| {
                o.field("holder_name_match", "true")
                    .field("pain_file", &pain_file(identity, session, now))
                    .field("qes_validation", "true")
                    .display("is_first_sign", session.is_first_sign);
            });
            let data = person_data(client, identity);
            // After the person's fields, or in the place of an attribute so named (which it
            // replaced when `data` was a `Map`).
            let clash = data.iter().position(|(name, _)| *name == "kyc_data");
            Ok(json_out::object(|o| {
                o.field("customer_id", &Hermes::customer_id(client, &identity.id))
                    .object("data", |o| {
                        for (i, (name, value)) in data.iter().enumerate() {
                            if Some(i) == clash {
                                o.raw(name, &kyc_data);
                            } else {
                                o.field(name, value);
                            }
                        }
                        if clash.is_none() {
                            o.raw("kyc_data", &kyc_data);
                        }
                    })
                    .field("status", "success")
                    .field("success", &true);
            })
            .ok())
        })
    }
}

/// A ZealID user id: one per person, whichever client asks.
fn user_id_of(identity: &str) -> String {
    let digest = Sha256::digest(format!("zealid-user\0{identity}"));
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The signed payment file, base64: a minimal ISO 20022 pain.001 of the one-cent transfer the
/// person signed, with the person as debtor.
fn pain_file(identity: &Identity, session: &Pennydrop, now: DateTime<Utc>) -> String {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\"><CstmrCdtTrfInitn>\
<GrpHdr><MsgId>{id}</MsgId><CreDtTm>{at}</CreDtTm><NbOfTxs>1</NbOfTxs><CtrlSum>0.01</CtrlSum>\
<InitgPty><Nm>{first} {last}</Nm></InitgPty></GrpHdr>\
<PmtInf><PmtInfId>{id}</PmtInfId><PmtMtd>TRF</PmtMtd><Dbtr><Nm>{first} {last}</Nm></Dbtr>\
<CdtTrfTxInf><PmtId><EndToEndId>{signing}</EndToEndId></PmtId>\
<Amt><InstdAmt Ccy=\"EUR\">0.01</InstdAmt></Amt><Cdtr><Nm>ZealiD (sandbox)</Nm></Cdtr>\
</CdtTrfTxInf></PmtInf></CstmrCdtTrfInitn></Document>",
        id = session.session_id,
        at = now.format("%Y-%m-%dT%H:%M:%S"),
        first = crate::core::http::escape_html(&identity.first_name),
        last = crate::core::http::escape_html(&identity.last_name),
        signing = session.signing_request_id,
    );
    base64::engine::general_purpose::STANDARD.encode(xml)
}
