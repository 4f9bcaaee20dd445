//! The Hermes clients the sandbox knows: from `fixtures/hermes.yaml`, `--hermes-client` and the
//! admin API. A client is configuration, not tenant state, so `POST /__admin/reset` keeps them.

use indexmap::IndexMap;
use parking_lot::RwLock;

use super::fixtures::Client;

#[derive(Default)]
pub struct Clients(RwLock<IndexMap<String, Client>>);

impl Clients {
    pub fn get(&self, client_id: &str) -> Option<Client> {
        self.0.read().get(client_id).cloned()
    }

    /// Adds or replaces the client with this id; true when it replaced one.
    pub fn put(&self, client: Client) -> bool {
        self.0
            .write()
            .insert(client.client_id.clone(), client)
            .is_some()
    }

    pub fn remove(&self, client_id: &str) -> Option<Client> {
        self.0.write().shift_remove(client_id)
    }

    pub fn list(&self) -> Vec<Client> {
        self.0.read().values().cloned().collect()
    }
}
