//! ZealID Hermes (the `hermes-dev` test host), mounted at `/hermes`: the QR login with KYC data,
//! `get_token`, `get_data` and the document pictures, every API call HMAC-verified.

mod admin;
mod auth;
mod clients;
mod errors;
mod fixtures;
mod handlers;
mod model;
mod pennydrop;
mod scenario;

use std::sync::Arc;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use base64::Engine;
use sha2::{Digest, Sha256};

use self::auth::{parse_header, verify, Nonces};
use self::clients::Clients;
use self::errors::HermesError;
use self::fixtures::Identity;
use self::fixtures::{Client, Fixtures};
use self::model::HermesTenant;
use self::scenario::{HermesEffect, LOGIN};
use crate::core::http::{forced_scenario, header_str, refusal, BodyError, MountAt};
use crate::core::scenario::{schema_for, Facts, Scenario, ScenarioSchema};
use crate::core::{
    mount_provider, Core, Decidable, Job, LoadError, Provider, ReviewAction, TenantId, TenantInfo,
    TenantMap, TenantStore, TransitionError, TransitionRequest,
};

pub const NAME: &str = "hermes";

pub fn scenario_schema() -> Box<dyn ScenarioSchema> {
    schema_for::<HermesEffect>()
}
pub const MOUNT: &str = "/hermes";

pub struct Hermes {
    core: Arc<Core>,
    fixtures: Fixtures,
    clients: Clients,
    tenants: TenantMap<HermesTenant>,
    nonces: Nonces,
}

impl Hermes {
    /// `extra_clients` are `--hermes-client` values, `ID:SECRET[:REDIRECT_BASE,…]`.
    pub fn new(core: Arc<Core>, extra_clients: &[String]) -> Result<Self, LoadError> {
        let mut fixtures = Fixtures::load(core.fixtures_dir.as_deref())?;
        let clients = Clients::default();
        for client in std::mem::take(&mut fixtures.clients) {
            clients.put(client);
        }
        for spec in extra_clients {
            let client = Client::parse(spec).map_err(|message| LoadError {
                path: "--hermes-client".into(),
                line: 0,
                column: 0,
                message,
            })?;
            clients.put(client);
        }
        Ok(Hermes {
            fixtures,
            clients,
            tenants: TenantMap::default(),
            nonces: Nonces::default(),
            core,
        })
    }

    fn tenant_of(client: &Client) -> TenantId {
        TenantId::derive(NAME, &[&client.client_id])
    }

    fn info(&self, client: &Client) -> TenantInfo {
        let (tenant, credential) =
            TenantId::derive_labelled(NAME, &[&client.client_id], "", || {
                format!("client_id {}", client.client_id)
            });
        TenantInfo {
            tenant,
            provider: NAME,
            credential,
            created_at: self.core.clock.now(),
        }
    }

    /// Runs `f` on the client's state (a tenant per client).
    fn with_client<R>(&self, client: &Client, f: impl FnOnce(&mut HermesTenant) -> R) -> R {
        let tenant = Self::tenant_of(client);
        let init = || HermesTenant::new(self.core.rng_for(tenant.as_str()));
        self.tenants.with(&self.info(client), init, f)
    }

    /// The client whose `Authorization: HMAC …` signs this request and `body`.
    fn signed_by(&self, req: &HttpRequest, body: &[u8]) -> Result<Client, HermesError> {
        let header = header_str(req, actix_web::http::header::AUTHORIZATION).ok_or_else(|| {
            HermesError::Unauthorized("Authorization: HMAC … header is missing".into())
        })?;
        let signed = parse_header(header)?;
        let client = self.clients.get(signed.client_id).ok_or_else(|| {
            HermesError::Unauthorized(format!("unknown client_id `{}`", signed.client_id))
        })?;
        let target = req
            .uri()
            .path_and_query()
            .map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
        let method = req.method().as_str();
        let mut method_paths = vec![format!("{method} {target}")];
        if let Some(unmounted) = target.strip_prefix(MOUNT).filter(|t| t.starts_with('/')) {
            method_paths.push(format!("{method} {unmounted}"));
        }
        verify(
            &signed,
            &client,
            &method_paths,
            body,
            &self.nonces,
            chrono::Utc::now().timestamp(),
        )?;
        req.extensions_mut().insert(Self::tenant_of(&client));
        if let Some(sandbox) = req.app_data::<web::Data<crate::core::Sandbox>>() {
            sandbox.fire_due();
        }
        Ok(client)
    }

    /// The scenario a login approved as `identity` plays: the one `forced` names, else the first
    /// whose `when` holds; with its effect (nothing special when none applies).
    fn login_scenario(
        &self,
        client: &Client,
        identity: &Identity,
        kyc_data: bool,
        forced: Option<&str>,
    ) -> Result<(Option<String>, HermesEffect), HermesError> {
        let mut facts = Facts::default();
        facts
            .add("identity", identity.id.as_str())
            .add("document_type", identity.document.kind.as_str())
            .add("country", identity.document.issuance_country.as_str())
            .add("kyc_data", kyc_data.to_string())
            .add("client_id", client.client_id.as_str());
        let scenario = self
            .core
            .scenarios()
            .select(NAME, LOGIN, &facts, forced)
            .map_err(|e| HermesError::BadRequest(e.to_string()))?;
        Ok(match scenario {
            Some(scenario) => (Some(scenario.name.clone()), Self::effect_of(&scenario)),
            None => (None, HermesEffect::default()),
        })
    }

    /// The effect of the scenario `X-Sandbox-Scenario` names for this one call, if it names one.
    fn forced_effect(&self, req: &HttpRequest) -> Result<Option<HermesEffect>, HermesError> {
        let Some(name) = forced_scenario(req) else {
            return Ok(None);
        };
        let scenario = self
            .core
            .scenarios()
            .select(NAME, LOGIN, &Facts::default(), Some(&name))
            .map_err(|e| HermesError::BadRequest(e.to_string()))?;
        Ok(scenario.map(|s| Self::effect_of(&s)))
    }

    /// A Hermes scenario's one step (checked at load, so it parses).
    fn effect_of(scenario: &Scenario) -> HermesEffect {
        scenario
            .timeline
            .first()
            .and_then(|step| serde_json::from_value(step.set.clone()).ok())
            .unwrap_or_default()
    }

    /// Stable per identity and client, as ZealID's `customer_id` is per user and service.
    fn customer_id(client: &Client, identity: &str) -> String {
        let digest = Sha256::digest(format!("{}\0{identity}", client.client_id));
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
        format!("cust_{}", &id[..39])
    }
}

impl Provider for Hermes {
    fn name(&self) -> &'static str {
        NAME
    }

    fn mount(&self) -> &'static str {
        MOUNT
    }

    fn configure(self: Arc<Self>, cfg: &mut web::ServiceConfig, at: MountAt) {
        mount_provider::<_, HermesError>(cfg, self, at, handlers::routes);
    }

    fn configure_admin(self: Arc<Self>, cfg: &mut web::ServiceConfig) {
        admin::routes(cfg, self);
    }

    fn admin_routes(&self) -> &'static [crate::core::provider::AdminRoute] {
        admin::ROUTES
    }

    fn tenant_store(&self) -> &dyn TenantStore {
        &self.tenants
    }

    fn refuse(&self, error: BodyError, path: &str) -> HttpResponse {
        refusal::<HermesError>(error, path)
    }

    /// The clients (those added at run time too), which a restore adds or puts in place of those
    /// with the same id; used nonces are not kept, since they only matter within the five-minute
    /// signature window.
    fn snapshot_extra(&self) -> serde_json::Value {
        serde_json::json!({"clients": self.clients.list()})
    }

    fn prepare_extra(&self, extra: serde_json::Value) -> Result<Box<dyn FnOnce() + '_>, String> {
        #[derive(serde::Deserialize)]
        struct HermesExtra {
            clients: Vec<fixtures::Client>,
        }
        let extra: HermesExtra = crate::core::snapshot::extra(NAME, extra)?;
        Ok(Box::new(move || {
            for client in extra.clients {
                self.clients.put(client);
            }
        }))
    }

    fn fault(
        &self,
        status: actix_web::http::StatusCode,
        message: &str,
        path: &str,
    ) -> actix_web::HttpResponse {
        crate::core::http::faulted::<HermesError>(status, message, path)
    }

    fn tenant_of(&self, req: &actix_web::HttpRequest) -> Option<TenantId> {
        auth::tenant_of(self, req)
    }

    fn fire(&self, _job: &Job) {}
    fn decidable(&self) -> &'static [Decidable] {
        DECIDABLE
    }

    /// `pennydrop` sessions to `SIGNED` or `FAILED` (sending the webhook); login `code`s and
    /// access `token`s to `expired`.
    fn transition(
        &self,
        request: &TransitionRequest,
    ) -> Result<serde_json::Value, TransitionError> {
        let kind = request.kind.as_str();
        if ![pennydrop::KIND, "code", "token"].contains(&kind) {
            return Err(TransitionError::UnknownKind {
                kind: request.kind.clone(),
                known: "pennydrop (to SIGNED or FAILED), code and token (to expired)".into(),
            });
        }
        let now = self.core.clock.now();
        let not_found = || TransitionError::NotFound {
            kind: request.kind.clone(),
            id: request.id.clone(),
        };
        let id = request.id.as_str();
        let Some(slot) = self
            .tenants
            .find(request.tenant.as_deref(), |state| match kind {
                "code" => state.logins.contains(id),
                "token" => state.tokens.contains(id),
                _ => state.pennydrops.contains(id),
            })
        else {
            return Err(not_found());
        };
        let mut state = slot.state.lock();
        if kind != pennydrop::KIND && request.to != "expired" {
            return Err(TransitionError::Invalid(format!(
                "a {kind} can only be moved to `expired`"
            )));
        }
        let expired = now - chrono::Duration::seconds(1);
        Ok(match kind {
            "code" => {
                let login = state.logins.get_mut(id).ok_or_else(not_found)?;
                login.expires_at = login.expires_at.min(expired);
                serde_json::json!(login)
            }
            "token" => {
                let token = state.tokens.get_mut(id).ok_or_else(not_found)?;
                token.expires_at = token.expires_at.min(expired);
                serde_json::json!(token)
            }
            _ => {
                let to = serde_json::from_value(serde_json::json!(request.to)).map_err(|_| {
                    TransitionError::Invalid(format!(
                        "unknown status `{}`; a pennydrop session moves to SIGNED or FAILED",
                        request.to
                    ))
                })?;
                let client = self
                    .clients
                    .list()
                    .into_iter()
                    .find(|c| Self::tenant_of(c) == slot.info.tenant)
                    .ok_or_else(|| {
                        TransitionError::Invalid("the session's client was removed".into())
                    })?;
                self.decide(&client, &mut state, id, to, now)?;
                serde_json::json!(state.pennydrops[id])
            }
        })
    }
}

/// What the dashboard decides: penny-drop sessions waiting for the person to sign.
const DECIDABLE: &[Decidable] = &[Decidable {
    collection: "pennydrops",
    kind: pennydrop::KIND,
    status_field: "status",
    id_field: None,
    pending: &["PENDING"],
    actions: &[
        ReviewAction {
            label: "Approve",
            to: "SIGNED",
            details: &[],
        },
        ReviewAction {
            label: "Decline",
            to: "FAILED",
            details: &[],
        },
    ],
}];
