//! What a client is built from: the base URL, credentials, timeouts, retry limits, the
//! journal of mutations and the token store. Secrets stay in [`SecretString`] and are never printed by `Debug`.
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use super::journal::Journal;
use super::store::TokenStore;

/// How the client signs in as an admin, for the registry, `users/me`, the token endpoints and
/// minting ZIS tokens. The transport asks it for the `Authorization` header
/// ([`Client::admin_header`](super::Client)); see `session` for the renewals.
#[derive(Clone)]
pub enum AdminCredentials {
    /// `Basic base64("{email}/token:{api_token}")`. Zendesk retires API tokens: since
    /// 2026-07-28 one unused for 30 days is deactivated, on 2027-04-30 all stop working.
    ApiToken {
        email: String,
        api_token: SecretString,
    },
    /// An OAuth sign-in (authorization code with PKCE, `auth login`): the tokens live in the
    /// options' [`store`](ClientOptions::store) and are refreshed with the refresh token
    /// (`client_secret` only for a confidential client).
    OAuth {
        client_id: String,
        client_secret: Option<SecretString>,
    },
    /// The client-credentials grant of a confidential OAuth client (cron, CI): a new access
    /// token whenever the last one ends; kept in the store when there is one.
    ClientCredentials {
        client_id: String,
        client_secret: SecretString,
        /// Space-separated, `read write` for zisctl.
        scope: String,
    },
    /// A ready admin OAuth access token, used as it is and never renewed.
    Bearer(SecretString),
}

impl AdminCredentials {
    /// The method's name as `auth status` says it.
    pub fn method(&self) -> &'static str {
        match self {
            AdminCredentials::ApiToken { .. } => "api_token",
            AdminCredentials::OAuth { .. } => "oauth",
            AdminCredentials::ClientCredentials { .. } => "client_credentials",
            AdminCredentials::Bearer(_) => "bearer",
        }
    }

    /// True for the methods whose tokens are renewed by the client (and kept in a store).
    pub fn is_session(&self) -> bool {
        matches!(
            self,
            AdminCredentials::OAuth { .. } | AdminCredentials::ClientCredentials { .. }
        )
    }
}

impl fmt::Debug for AdminCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdminCredentials::ApiToken { email, .. } => f
                .debug_struct("ApiToken")
                .field("email", email)
                .field("api_token", &"[REDACTED]")
                .finish(),
            AdminCredentials::OAuth {
                client_id,
                client_secret,
            } => f
                .debug_struct("OAuth")
                .field("client_id", client_id)
                .field(
                    "client_secret",
                    &client_secret.as_ref().map(|_| "[REDACTED]"),
                )
                .finish(),
            AdminCredentials::ClientCredentials {
                client_id, scope, ..
            } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("client_secret", &"[REDACTED]")
                .field("scope", scope)
                .finish(),
            AdminCredentials::Bearer(_) => f.debug_tuple("Bearer").field(&"[REDACTED]").finish(),
        }
    }
}

/// Everything the client needs. Secrets stay in [`SecretString`].
#[derive(Clone)]
pub struct ClientOptions {
    pub base_url: String,
    pub admin: Option<AdminCredentials>,
    /// One ZIS OAuth token used for every integration (`ZIS_OAUTH_TOKEN`).
    pub oauth_token: Option<SecretString>,
    /// Per-integration ZIS OAuth tokens (from the config).
    pub integration_tokens: HashMap<String, SecretString>,
    pub connect_timeout: Duration,
    /// Total time for one request (connect, send, read the answer).
    pub timeout: Duration,
    /// Time one call may spend waiting for answers, across all its attempts (default 30 s,
    /// as `timeout`: a hang ends at the timeout, not after three of them). Each attempt gets
    /// what is left; none starts once it is spent. Announced waits are not counted: the
    /// backoff between attempts (0.5 s then 1 s by default) and Retry-After (at most
    /// `max_retry_wait` each); nor is waiting for a slot or for another request's 429.
    pub call_timeout: Duration,
    /// The longest a single Retry-After is honoured; longer values are capped to this.
    pub max_retry_wait: Duration,
    /// Attempts per call for 429s (each waits Retry-After).
    pub max_rate_limit_attempts: u32,
    /// Attempts per idempotent call for 5xx and network failures.
    pub max_attempts: u32,
    /// First backoff after a transient failure; doubles each time.
    pub backoff: Duration,
    /// Answers larger than this are refused.
    pub max_body_bytes: usize,
    /// Page size for `connections/all` (max 100).
    pub page_size: u32,
    /// Pages one listing follows at most (default 10,000): a server that keeps answering
    /// `has_more` with a fresh cursor is stopped there, with an error naming this cap.
    pub max_pages: u32,
    /// Connections one listing collects at most (default 100,000, some 30 MiB in memory; a
    /// ZIS integration holds tens to hundreds): past it the listing stops with an error
    /// naming this cap. With `max_pages`, it bounds the memory of every listing (CLI, TUI).
    pub max_connections: usize,
    /// Told about every mutation (never a value): an audit log, for one.
    pub journal: Option<Arc<dyn Journal>>,
    /// Where the admin's OAuth tokens and the minted ZIS tokens outlive the run (required for
    /// [`AdminCredentials::OAuth`]). None: minted tokens live in memory for the run.
    pub store: Option<Arc<dyn TokenStore>>,
}

impl ClientOptions {
    pub fn new(base_url: impl Into<String>) -> ClientOptions {
        ClientOptions {
            base_url: base_url.into(),
            admin: None,
            oauth_token: None,
            integration_tokens: HashMap::new(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            call_timeout: Duration::from_secs(30),
            max_retry_wait: Duration::from_secs(60),
            max_rate_limit_attempts: 6,
            max_attempts: 3,
            backoff: Duration::from_millis(500),
            max_body_bytes: 16 * 1024 * 1024,
            page_size: 100,
            max_pages: 10_000,
            max_connections: 100_000,
            journal: None,
            store: None,
        }
    }
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("base_url", &self.base_url)
            .field("admin", &self.admin)
            .field(
                "oauth_token",
                &self.oauth_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field(
                "integration_tokens",
                &self.integration_tokens.keys().collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .field("call_timeout", &self.call_timeout)
            .field("store", &self.store.as_ref().map(|_| "a token store"))
            .finish_non_exhaustive()
    }
}
