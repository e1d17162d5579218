//! Signing in to Zendesk without API tokens (issue 10): what is resolved from the config, the
//! token store, and the browser login. The client side (the OAuth calls, renewals, minted
//! tokens) is `zis::{oauth, session, minted}`; this module is what zisctl adds around it.
//!
//! - [`store`]: zisctl's [`TokenStore`](crate::zis::TokenStore): the OS keyring, else a
//!   0600 file, with a non-secret index and the cross-process lock; `os_keyring` (the
//!   keyrings' entries) and `lock` (the lock file) beside it.
//! - [`login`]: `auth login`: the authorization-code flow with PKCE on a loopback listener.
//!
//! How an admin signs in, first match wins (config::load resolves it; `auth status` says it):
//! 1. `ZIS_OAUTH_TOKEN` (or the profile's `oauth_token`): a ready ZIS token for every
//!    connections call (method `zis_token`); an admin sign-in below is still used for the
//!    registry when there is one;
//! 2. client credentials: `ZENDESK_OAUTH_CLIENT_ID` + `ZENDESK_OAUTH_CLIENT_SECRET`, else the
//!    profile's `oauth_client_id` + `oauth_client_secret_command` (`client_credentials`);
//! 3. the profile's stored login, from `zisctl auth login` (`oauth`);
//! 4. an API token: `ZENDESK_API_TOKEN`, else the profile's `api_token(_command)`
//!    (`api_token`; one stderr line per run names 2027-04-30 and `zisctl auth login`).
//!
//! Minted ZIS tokens are kept in the store for the OAuth methods (2, 3): a second run within
//! their lifetime mints nothing. With an API token they live in memory for the run, as
//! before (the legacy path is left as it was; it ends on 2027-04-30).
use std::fmt;
use std::sync::Arc;

use secrecy::SecretString;

use crate::zis::{Error, Result};

mod lock;
pub mod login;
mod os_keyring;
pub mod store;

pub use store::{Backend, Store};

/// Scopes asked for by `auth login` and the client-credentials grant.
pub const DEFAULT_SCOPES: &str = "read write";
/// The loopback port of `auth login` (redirect `http://127.0.0.1:8765/callback`).
pub const DEFAULT_REDIRECT_PORT: u16 = 8765;

/// How the account is signed in to, as `auth status` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A stored `auth login`.
    OAuth,
    ClientCredentials,
    ApiToken,
    /// `ZIS_OAUTH_TOKEN` (or the profile's `oauth_token`).
    ZisToken,
    /// A ready admin bearer (only through the library).
    Bearer,
    /// Nothing: not signed in.
    None,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::OAuth => "oauth",
            Method::ClientCredentials => "client_credentials",
            Method::ApiToken => "api_token",
            Method::ZisToken => "zis_token",
            Method::Bearer => "bearer",
            Method::None => "none",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What config::load found about signing in, for `auth` and the status line.
#[derive(Clone)]
pub struct AuthInfo {
    /// The method in force (see the module doc for the order).
    pub method: Method,
    /// The admin's method (the registry's), when `method` is `zis_token`.
    pub admin_method: Method,
    /// The base URL's host and port ("acme.zendesk.com", "127.0.0.1:41234").
    pub account: String,
    /// The store of this profile and account (None: no data directory).
    pub store: Option<Arc<Store>>,
    /// The stored sign-in, from the index (who, until when).
    pub login: Option<store::LoginRecord>,
    /// The OAuth client for `auth login`: env, else the profile.
    pub client_id: Option<String>,
    /// A confidential client's secret (env, else the profile's command).
    pub client_secret: Option<SecretString>,
    /// The profile's `oauth_redirect_port`.
    pub redirect_port: Option<u16>,
}

impl fmt::Debug for AuthInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthInfo")
            .field("method", &self.method)
            .field("admin_method", &self.admin_method)
            .field("account", &self.account)
            .field("login", &self.login)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("redirect_port", &self.redirect_port)
            .finish_non_exhaustive()
    }
}

impl AuthInfo {
    /// Who is signed in, for a status line: "Ann <ann@acme.com>" (from the stored login).
    pub fn who(&self) -> Option<String> {
        let u = self.login.as_ref()?.user.as_ref()?;
        Some(format!("{} <{}>", u.name, u.email))
    }

    /// When the stored sign-in ends (its refresh token), if it said.
    pub fn session_ends(&self) -> Option<time::OffsetDateTime> {
        self.login
            .as_ref()
            .and_then(|l| l.refresh_expires_at.as_deref())
            .and_then(crate::zis::parse::parse_timestamp)
    }
}

/// The account of a base URL: its host, and its port when one is given.
pub fn account_of(base_url: &str) -> Result<String> {
    let url = crate::zis::validate::parse_base_url(base_url)?;
    let host = url
        .host_str()
        .ok_or_else(|| Error::config("base URL has no host"))?
        .to_ascii_lowercase();
    Ok(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// Run a store call off the async threads (a Secret Service call panics on one).
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| Error::config("the token store's worker stopped"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_name_host_and_port() {
        assert_eq!(
            account_of("https://Acme.zendesk.com").unwrap(),
            "acme.zendesk.com"
        );
        assert_eq!(
            account_of("https://acme.zendesk.com:443/").unwrap(),
            "acme.zendesk.com"
        );
        assert_eq!(
            account_of("http://127.0.0.1:41234").unwrap(),
            "127.0.0.1:41234"
        );
        assert!(account_of("http://example.com").is_err());
    }
}
