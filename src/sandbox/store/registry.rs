//! The registry side of the account: registering integrations (and their OAuth clients) and
//! minting access tokens for those clients.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use time::OffsetDateTime;

use super::helpers::{now, random_token};
use super::model::Integration;
use super::oauth::{after, digest, os_random_hex, Digest};
use super::rules::valid_integration_name;
use super::Store;

/// What a minted access token may do, and when it ends.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) id: u64,
    pub(crate) client_id: u64,
    pub(crate) user_id: u64,
    pub(crate) scopes: Vec<String>,
    pub(crate) created_at: OffsetDateTime,
    /// `None`: never expires (no ZIS token lifetime set).
    pub(crate) expires_at: Option<OffsetDateTime>,
}

impl Grant {
    pub(crate) fn live_at(&self, t: OffsetDateTime) -> bool {
        self.expires_at.is_none_or(|e| e > t)
    }
}

/// A token just minted: the only place its value is held outside the table.
pub(crate) struct Minted {
    pub(crate) id: u64,
    pub(crate) full_token: String,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) expires_at: Option<OffsetDateTime>,
}

/// Minted access tokens, keyed by the SHA-256 digest of the token (the value itself is never
/// kept). `Debug` shows only how many there are.
#[derive(Default)]
pub(crate) struct TokenTable {
    by_token: HashMap<Digest, Grant>,
}

impl fmt::Debug for TokenTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenTable")
            .field("tokens", &self.by_token.len())
            .finish()
    }
}

impl TokenTable {
    pub(crate) fn insert(&mut self, token: &str, grant: Grant) {
        self.by_token.insert(digest(token), grant);
    }
    /// A live token's grant; an expired one is dropped and answers `None`.
    pub(crate) fn live(&mut self, token: &str) -> Option<&Grant> {
        let (t, key) = (now(), digest(token));
        if self.by_token.get(&key).is_some_and(|g| !g.live_at(t)) {
            self.by_token.remove(&key);
        }
        self.by_token.get(&key)
    }
    pub(crate) fn by_id(&self, id: u64) -> Option<&Grant> {
        let t = now();
        self.by_token.values().find(|g| g.id == id && g.live_at(t))
    }
    /// Revokes a token by id; `true` if there was one.
    pub(crate) fn revoke(&mut self, id: u64) -> bool {
        let before = self.by_token.len();
        self.by_token.retain(|_, g| g.id != id);
        self.by_token.len() != before
    }
    pub(crate) fn live_count(&self) -> usize {
        let t = now();
        self.by_token.values().filter(|g| g.live_at(t)).count()
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
    /// Re-registering a name this account already owns is an upsert [live]: the description is
    /// replaced (an absent one wipes it), the OAuth client keeps its id but gets a NEW secret,
    /// and the full answer (with that secret) is sent again. Tokens minted before stay good
    /// [guess]. Names starting with `taken-` stand for integrations registered by another
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
        let created = !self.integrations.contains_key(name);
        if created {
            let id = self.next_client_id();
            self.integrations
                .insert(name.to_string(), Integration::new(name, description, id));
        }
        match self.integrations.get_mut(name) {
            Some(i) => {
                i.description = description.to_string();
                if !created {
                    i.client_secret = SecretString::from(random_token(48));
                }
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

    /// `POST /api/v2/oauth/tokens`: a token for an integration's client, made for `user_id`,
    /// expiring after `ttl` if one is given; `None` for an unknown client.
    pub(crate) fn mint_token(
        &mut self,
        client_id: u64,
        scopes: Vec<String>,
        user_id: u64,
        ttl: Option<Duration>,
    ) -> Option<Minted> {
        self.integration_by_client(client_id)?;
        let id = self.next_token_id;
        self.next_token_id += 1;
        let token = os_random_hex().unwrap_or_else(|| random_token(64));
        let created_at = now();
        let expires_at = ttl.map(|d| after(created_at, d));
        self.tokens.insert(
            &token,
            Grant {
                id,
                client_id,
                user_id,
                scopes,
                created_at,
                expires_at,
            },
        );
        self.oauth.counters.mints += 1;
        Some(Minted {
            id,
            full_token: token,
            created_at,
            expires_at,
        })
    }
}
