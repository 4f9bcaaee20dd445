//! ZealID Hermes (the `hermes-dev` test host), mounted at `/hermes`: the QR login with KYC data,
//! `get_token`, `get_data` and the document pictures, every API call HMAC-verified.

mod admin;
mod auth;
mod clients;
mod errors;
mod fixtures;
mod handlers;
mod model;

use std::sync::Arc;

use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use base64::Engine;
use sha2::{Digest, Sha256};

use self::auth::{parse_header, verify, Nonces};
use self::clients::Clients;
use self::errors::HermesError;
use self::fixtures::{Client, Fixtures};
use self::model::HermesTenant;
use crate::core::http::{header_str, refusal, BodyError};
use crate::core::{
    mount_provider, Core, Job, LoadError, Provider, TenantId, TenantInfo, TenantMap,
    TransitionError, TransitionRequest,
};

pub const NAME: &str = "hermes";
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
        TenantInfo {
            tenant: Self::tenant_of(client),
            provider: NAME,
            credential: format!("client_id {}", client.client_id),
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
        let header = header_str(req, "authorization").ok_or_else(|| {
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

    fn configure(self: Arc<Self>, cfg: &mut web::ServiceConfig) {
        mount_provider::<_, HermesError>(cfg, self, NAME, handlers::routes);
    }

    fn configure_admin(self: Arc<Self>, cfg: &mut web::ServiceConfig) {
        admin::routes(cfg, self);
    }

    fn tenants(&self) -> Vec<TenantInfo> {
        self.tenants.infos()
    }

    fn dump(&self, tenant: &TenantId) -> Option<serde_json::Value> {
        self.tenants.dump(tenant)
    }

    fn reset(&self, tenant: Option<&TenantId>) -> usize {
        self.tenants.reset(tenant)
    }

    fn refuse(&self, error: BodyError, path: &str) -> HttpResponse {
        refusal::<HermesError>(error, path)
    }

    fn fire(&self, _job: &Job) {}

    fn transition(
        &self,
        request: &TransitionRequest,
    ) -> Result<serde_json::Value, TransitionError> {
        Err(TransitionError::UnknownKind {
            kind: request.kind.clone(),
            known: "none yet: a Hermes login is decided on its page or with sandbox_decision"
                .into(),
        })
    }
}
