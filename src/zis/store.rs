//! What outlives one run of a client: the admin's OAuth tokens and the ZIS tokens it minted,
//! kept by a [`TokenStore`] the caller plugs in through
//! [`ClientOptions::store`](super::ClientOptions::store). The client defines the trait and
//! knows no implementation (zisctl's is `auth::store`: the OS keyring, else a 0600 file).
//!
//! Contract:
//! - every method may block (a keyring, a file, a lock): the client calls them off its async
//!   threads (`spawn_blocking`);
//! - writes take a [`StoreLock`], so none can happen without the lock: one writer at a time
//!   for a profile, across processes too. The client holds the lock around
//!   read-refresh-store, and re-reads under it (another process may have refreshed already);
//! - reads need no lock: a writer replaces each piece atomically, and a reader that meets a
//!   half-replaced pair (a new access token, the old expiry) only takes the lock early or
//!   meets a 401, and re-reads;
//! - errors carry what failed, never a value.
use std::fmt;

use secrecy::SecretString;
use time::OffsetDateTime;

use super::error::Result;

/// The admin's OAuth tokens, as stored after a sign-in, a refresh or a client-credentials
/// grant.
#[derive(Clone)]
pub struct AdminTokens {
    pub access_token: SecretString,
    /// Absent for the client-credentials grant.
    pub refresh_token: Option<SecretString>,
    /// When the access token ends (`expires_in` after `issued_at`); None: not said.
    pub access_expires_at: Option<OffsetDateTime>,
    /// When the refresh token ends (`refresh_token_expires_in`); None: not said.
    pub refresh_expires_at: Option<OffsetDateTime>,
    /// When the server issued the pair (as seen here): with the expiry, the lifetime.
    pub issued_at: OffsetDateTime,
    /// The scopes granted (`scope`), as the server said them.
    pub scope: Option<String>,
}

impl fmt::Debug for AdminTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminTokens")
            .field("access_token", &"[REDACTED]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("issued_at", &self.issued_at)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A ZIS OAuth token minted for an integration's OAuth client.
#[derive(Clone)]
pub struct ZisToken {
    pub token: SecretString,
    /// The token's id at the server (`token.id`), to revoke it; None: not said.
    pub id: Option<u64>,
    /// `token.expires_at`; None: the token does not expire.
    pub expires_at: Option<OffsetDateTime>,
    /// When it was minted (as seen here).
    pub minted_at: OffsetDateTime,
}

impl fmt::Debug for ZisToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZisToken")
            .field("token", &"[REDACTED]")
            .field("id", &self.id)
            .field("expires_at", &self.expires_at)
            .field("minted_at", &self.minted_at)
            .finish()
    }
}

/// Proof that the store's lock is held (across processes): writes take one. Dropping it
/// releases the lock.
pub struct StoreLock {
    _held: Box<dyn Send + Sync>,
}

impl StoreLock {
    /// A lock held for as long as `held` lives (a locked file, a mutex guard).
    pub fn new(held: impl Send + Sync + 'static) -> StoreLock {
        StoreLock {
            _held: Box::new(held),
        }
    }
}

/// Where a client keeps its tokens between runs, for one profile of one account. See the
/// module doc for the contract.
pub trait TokenStore: Send + Sync {
    /// Take the lock of this profile's tokens, waiting for another holder (another process)
    /// to let go.
    fn lock(&self) -> Result<StoreLock>;

    /// The admin's tokens, if any are stored.
    fn admin_tokens(&self) -> Result<Option<AdminTokens>>;
    /// Replace the admin's tokens. The refresh token must be replaced at once: the server has
    /// already killed the old one.
    fn save_admin_tokens(&self, lock: &StoreLock, tokens: &AdminTokens) -> Result<()>;
    /// Forget the admin's tokens (signed out).
    fn forget_admin_tokens(&self, lock: &StoreLock) -> Result<()>;

    /// The cached ZIS token of `integration`, if any.
    fn zis_token(&self, integration: &str) -> Result<Option<ZisToken>>;
    fn save_zis_token(&self, lock: &StoreLock, integration: &str, token: &ZisToken) -> Result<()>;
    fn forget_zis_token(&self, lock: &StoreLock, integration: &str) -> Result<()>;
    /// Every cached ZIS token, by integration (to revoke them all at sign-out).
    fn zis_tokens(&self) -> Result<Vec<(String, ZisToken)>>;
}
