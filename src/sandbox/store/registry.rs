//! The registry side of the account: registering integrations (and their OAuth clients) and
//! minting access tokens for those clients.

use std::collections::HashMap;
use std::fmt;

use super::helpers::random_token;
use super::model::Integration;
use super::rules::valid_integration_name;
use super::Store;

/// What a minted access token may do.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) client_id: u64,
    pub(crate) scopes: Vec<String>,
}

impl Grant {
    pub(crate) fn can_write(&self) -> bool {
        self.scopes.iter().any(|s| s == "write")
    }
}

/// Minted access tokens. The map key is the token itself, so `Debug` is written by hand and
/// shows only how many there are.
#[derive(Default)]
pub(crate) struct TokenTable {
    by_token: HashMap<String, Grant>,
}

impl fmt::Debug for TokenTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenTable")
            .field("tokens", &self.by_token.len())
            .finish()
    }
}

impl TokenTable {
    pub(crate) fn insert(&mut self, token: String, grant: Grant) {
        self.by_token.insert(token, grant);
    }
    pub(crate) fn get(&self, token: &str) -> Option<&Grant> {
        self.by_token.get(token)
    }
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.by_token.len();
        self.by_token.clear();
        n
    }
}

/// Why a registration was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RegisterError {
    InvalidName,
    TakenByAnotherAccount,
}

impl Store {
    /// Adds an integration while seeding. `client_id` of `None` takes the next free id.
    /// Returns `false` (and changes nothing) if the name is already present.
    pub(crate) fn seed_integration(
        &mut self,
        name: &str,
        description: &str,
        client_id: Option<u64>,
    ) -> bool {
        if self.integrations.contains_key(name) {
            return false;
        }
        let id = match client_id {
            Some(id) if !self.client_id_taken(id) => id,
            _ => self.next_client_id(),
        };
        self.next_client_id = self.next_client_id.max(id + 1);
        self.integrations
            .insert(name.to_string(), Integration::new(name, description, id));
        true
    }

    fn client_id_taken(&self, id: u64) -> bool {
        self.integrations.values().any(|i| i.client_id == id)
    }

    fn next_client_id(&mut self) -> u64 {
        while self.client_id_taken(self.next_client_id) {
            self.next_client_id += 1;
        }
        let id = self.next_client_id;
        self.next_client_id += 1;
        id
    }

    /// `POST /api/services/zis/registry/{integration}`.
    ///
    /// [guess] Re-registering a name this account already owns is an upsert: the description is
    /// updated, the OAuth client (id and secret) is kept, and the full answer (with the secret)
    /// is sent again. Names starting with `taken-` stand for integrations registered by another
    /// Zendesk account (names are global), and are refused.
    pub(crate) fn register(
        &mut self,
        name: &str,
        description: &str,
    ) -> Result<&Integration, RegisterError> {
        if !valid_integration_name(name) {
            return Err(RegisterError::InvalidName);
        }
        if name.starts_with("taken-") {
            return Err(RegisterError::TakenByAnotherAccount);
        }
        if !self.integrations.contains_key(name) {
            let id = self.next_client_id();
            self.integrations
                .insert(name.to_string(), Integration::new(name, description, id));
        }
        match self.integrations.get_mut(name) {
            Some(i) => {
                i.description = description.to_string();
                Ok(i)
            }
            None => Err(RegisterError::InvalidName),
        }
    }

    pub(crate) fn integration_by_client(&self, client_id: u64) -> Option<&Integration> {
        self.integrations
            .values()
            .find(|i| i.client_id == client_id)
    }

    /// `POST /api/v2/oauth/tokens`: returns the token id and the token, or `None` for an
    /// unknown client.
    pub(crate) fn mint_token(
        &mut self,
        client_id: u64,
        scopes: Vec<String>,
    ) -> Option<(u64, String)> {
        self.integration_by_client(client_id)?;
        let id = self.next_token_id;
        self.next_token_id += 1;
        let token = random_token(64);
        self.tokens
            .insert(token.clone(), Grant { client_id, scopes });
        Some((id, token))
    }
}
