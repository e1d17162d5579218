//! The admin session: the `Authorization` of every admin call, and keeping it alive.
//!
//! - [`AdminCredentials::ApiToken`] and [`AdminCredentials::Bearer`] give a fixed header, and
//!   a 401 with one is returned as it is (today's API-token path, unchanged: the caller, who
//!   knows how its user signs in, says what to do about it).
//! - [`AdminCredentials::OAuth`] and [`AdminCredentials::ClientCredentials`] hold an access
//!   token (loaded from the [`TokenStore`] at first use). It is renewed before it ends — a
//!   minute before, or half its lifetime before for a token that lives less than two minutes
//!   (see [`fresh`]) — and once after a 401: a refresh (`grant_type=refresh_token`) for a
//!   sign-in, a new client-credentials grant otherwise.
//! - One renewal at a time: a task waits for the one under way and takes its result; across
//!   processes the store's lock is held around read-refresh-store, and the store is read again
//!   under it, so that a token another process refreshed meanwhile is taken instead of burning
//!   its refresh token. The new pair is stored before the lock is let go.
//! - A refresh the server refuses (`invalid_grant`, `invalid_client`, ...) means signed out:
//!   the stored tokens are forgotten and the error is [`ErrorKind::SignedOut`]. A network
//!   failure is only a failure: nothing is forgotten.
use std::sync::Mutex;

use reqwest::header::HeaderValue;
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use time::OffsetDateTime;

use super::client::Client;
use super::error::{Error, ErrorKind, Result};
use super::oauth::OAuthApp;
use super::options::AdminCredentials;
use super::store::{AdminTokens, StoreLock, TokenStore};
use super::transport::{basic_header, bearer_header, Answer, AuthFor, Retry};

/// The longest margin before an expiry at which a token is renewed.
pub const RENEW_MARGIN: time::Duration = time::Duration::seconds(60);

/// True while a token that expires at `expires_at` (issued at `issued_at`) can still be sent
/// at `now`: until a minute before its end, or half its lifetime before for a short-lived one
/// (a 2-second test token is fresh for its first second). No expiry: always fresh.
pub fn fresh(
    expires_at: Option<OffsetDateTime>,
    issued_at: OffsetDateTime,
    now: OffsetDateTime,
) -> bool {
    match expires_at {
        None => true,
        Some(end) => {
            let lifetime = (end - issued_at).max(time::Duration::ZERO);
            let margin = RENEW_MARGIN.min(lifetime / 2);
            now + margin < end
        }
    }
}

/// What the admin session holds now, for a status line: when it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionInfo {
    pub access_expires_at: Option<OffsetDateTime>,
    /// None for client credentials (renewed without end) or when not said.
    pub refresh_expires_at: Option<OffsetDateTime>,
    /// A refresh token is held: the session goes on past `access_expires_at`.
    pub refreshable: bool,
}

/// What [`Client::sign_out`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignOut {
    /// The admin token was revoked at the server (or was already dead there).
    pub admin_revoked: bool,
    /// ZIS tokens revoked (or already dead), and those that could not be.
    pub zis_revoked: usize,
    /// One line per token that could not be revoked (it may still be live), never a value.
    pub failures: Vec<String>,
}

/// The admin tokens in force, shared by every handle of one client.
#[derive(Default)]
pub(super) struct Session {
    current: Mutex<Option<AdminTokens>>,
    /// Held while a renewal is under way in this process.
    renewing: tokio::sync::Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn same(a: &SecretString, b: &SecretString) -> bool {
    a.expose_secret() == b.expose_secret()
}

fn tokens_fresh(t: &AdminTokens, now: OffsetDateTime) -> bool {
    fresh(t.access_expires_at, t.issued_at, now)
}

/// Run a blocking store call off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| Error::config("the token store's worker stopped"))?
}

impl Client {
    pub(super) fn store(&self) -> Option<std::sync::Arc<dyn TokenStore>> {
        self.inner.opts.store.clone()
    }

    /// The store's lock, taken off the async threads (None: no store).
    pub(super) async fn store_lock(&self) -> Result<Option<StoreLock>> {
        match self.store() {
            Some(s) => Ok(Some(blocking(move || s.lock()).await?)),
            None => Ok(None),
        }
    }

    /// When the admin session in force ends (OAuth and client credentials only, once a call
    /// has loaded it).
    pub fn session_info(&self) -> Option<SessionInfo> {
        lock(&self.inner.session.current)
            .as_ref()
            .map(|t| SessionInfo {
                access_expires_at: t.access_expires_at,
                refresh_expires_at: t.refresh_token.as_ref().and(t.refresh_expires_at),
                refreshable: t.refresh_token.is_some(),
            })
    }

    /// The `Authorization` for an admin call, and the access token it carries when it is a
    /// session's (to renew it after a 401).
    pub(super) async fn admin_header(&self) -> Result<(HeaderValue, Option<SecretString>)> {
        match &self.inner.opts.admin {
            None => Err(Error::signed_out(
                "not signed in: this call needs an admin sign-in (an OAuth sign-in, client \
                 credentials or an API token)",
            )),
            Some(AdminCredentials::ApiToken { email, api_token }) => {
                Ok((basic_header(email, api_token)?, None))
            }
            Some(AdminCredentials::Bearer(t)) => Ok((bearer_header(t)?, None)),
            Some(_) => {
                let tok = self.session_token(None).await?;
                Ok((bearer_header(&tok)?, Some(tok)))
            }
        }
    }

    /// An admin call: the session's header, renewed once after a 401.
    pub(super) async fn send_admin(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        retry: Retry,
    ) -> Result<Answer> {
        let (header, used) = self.admin_header().await?;
        let first = self
            .send(
                method.clone(),
                url.clone(),
                body.clone(),
                AuthFor::Header(&header),
                retry,
            )
            .await;
        let e = match first {
            Err(e) if e.status == Some(401) => e,
            other => return other,
        };
        let Some(used) = used else { return Err(e) };
        tracing::info!("401 with the admin access token: renewing it once");
        let tok = self.session_token(Some(&used)).await?;
        let header = bearer_header(&tok)?;
        self.send(method, url, body, AuthFor::Header(&header), retry)
            .await
    }

    /// The session's access token: the one in force while fresh, else a renewed one. `stale`
    /// is a token the server just refused (401): never hand it back.
    async fn session_token(&self, stale: Option<&SecretString>) -> Result<SecretString> {
        let now = OffsetDateTime::now_utc();
        if stale.is_none() {
            if let Some(t) = lock(&self.inner.session.current).as_ref() {
                if tokens_fresh(t, now) {
                    return Ok(t.access_token.clone());
                }
            }
        }
        let _renewing = self.inner.session.renewing.lock().await;
        let now = OffsetDateTime::now_utc();
        let current = lock(&self.inner.session.current).clone();
        // Renewed by another task while this one waited?
        if let Some(t) = &current {
            let refused = stale.is_some_and(|s| same(s, &t.access_token));
            if !refused && tokens_fresh(t, now) {
                return Ok(t.access_token.clone());
            }
        }
        if current.is_none() {
            if let Some(t) = self.stored_admin_tokens().await? {
                let refused = stale.is_some_and(|s| same(s, &t.access_token));
                let fresh_now = tokens_fresh(&t, now);
                *lock(&self.inner.session.current) = Some(t.clone());
                if !refused && fresh_now {
                    return Ok(t.access_token.clone());
                }
            }
        }
        self.renew(stale).await
    }

    async fn stored_admin_tokens(&self) -> Result<Option<AdminTokens>> {
        match self.store() {
            Some(s) => blocking(move || s.admin_tokens()).await,
            None => Ok(None),
        }
    }

    /// Renew under the store's lock (the caller holds `renewing`).
    async fn renew(&self, stale: Option<&SecretString>) -> Result<SecretString> {
        let store_lock = self.store_lock().await?;
        let known = lock(&self.inner.session.current).clone();
        // Another process may have renewed: read the store again, under the lock.
        let stored = self.stored_admin_tokens().await?;
        if let Some(t) = &stored {
            // Only a token the server refused is dead: one merely due for renewal by the
            // expiry read with it may have been read half-replaced (another process's new
            // token beside the old expiry); the stored expiry, read under the lock, decides.
            let dead = stale.is_some_and(|s| same(s, &t.access_token));
            if !dead && tokens_fresh(t, OffsetDateTime::now_utc()) {
                tracing::info!("the admin token was renewed by another process: taking it");
                *lock(&self.inner.session.current) = Some(t.clone());
                return Ok(t.access_token.clone());
            }
        }
        let fresh_tokens = match &self.inner.opts.admin {
            Some(AdminCredentials::OAuth {
                client_id,
                client_secret,
            }) => {
                let (Some(store), Some(held)) = (self.store(), store_lock) else {
                    return Err(Error::config("an OAuth sign-in needs a token store"));
                };
                let app = OAuthApp {
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                };
                self.refresh_with(&app, stored.or(known), store, held)
                    .await?
            }
            Some(AdminCredentials::ClientCredentials {
                client_id,
                client_secret,
                scope,
            }) => {
                let t = self
                    .client_credentials_grant(client_id, client_secret, scope)
                    .await?;
                if let (Some(s), Some(held)) = (self.store(), store_lock) {
                    let saved = t.clone();
                    blocking(move || s.save_admin_tokens(&held, &saved)).await?;
                }
                t
            }
            _ => return Err(Error::config("these admin credentials are not renewed")),
        };
        let tok = fresh_tokens.access_token.clone();
        *lock(&self.inner.session.current) = Some(fresh_tokens);
        Ok(tok)
    }

    /// `grant_type=refresh_token` with the stored refresh token; the new pair is stored at
    /// once, before `held` (the store's lock) is let go. A refusal forgets the sign-in.
    async fn refresh_with(
        &self,
        app: &OAuthApp,
        old: Option<AdminTokens>,
        store: std::sync::Arc<dyn TokenStore>,
        held: StoreLock,
    ) -> Result<AdminTokens> {
        let Some(refresh) = old.as_ref().and_then(|o| o.refresh_token.clone()) else {
            return Err(Error::signed_out(
                "not signed in: no OAuth sign-in is stored for this profile and account",
            ));
        };
        tracing::info!("refreshing the admin access token");
        match self.refresh_grant(app, &refresh).await {
            Ok(mut t) => {
                if t.refresh_token.is_none() {
                    // Not rotated: the old refresh token stays good.
                    t.refresh_token = Some(refresh);
                    t.refresh_expires_at = old.and_then(|o| o.refresh_expires_at);
                }
                let saved = t.clone();
                blocking(move || store.save_admin_tokens(&held, &saved)).await?;
                Ok(t)
            }
            Err(e) if e.kind == ErrorKind::Unauthorized => {
                tracing::warn!(error = %e, "the refresh token was refused: signed out");
                let _ = blocking(move || store.forget_admin_tokens(&held)).await;
                *lock(&self.inner.session.current) = None;
                let mut out = Error::signed_out(format!(
                    "signed out: the server refused the refresh token ({})",
                    e.message
                ));
                out.status = e.status;
                out.code = e.code;
                Err(out)
            }
            Err(e) => Err(e),
        }
    }

    /// Revoke the admin token and every cached ZIS token at the server, then forget them
    /// locally (whatever the server said). Errors only when the store cannot be written.
    pub async fn sign_out(&self) -> Result<SignOut> {
        let mut report = SignOut::default();
        self.revoke_minted(&mut report).await;
        let session = self
            .inner
            .opts
            .admin
            .as_ref()
            .is_some_and(AdminCredentials::is_session);
        let has_tokens = session
            && (self.stored_admin_tokens().await?.is_some()
                || lock(&self.inner.session.current).is_some());
        if session && has_tokens {
            match self.current_token().await {
                Ok(info) => match self.revoke_token(info.id).await {
                    Ok(()) => report.admin_revoked = true,
                    Err(e) => report
                        .failures
                        .push(format!("the admin token was not revoked: {e}")),
                },
                // Already dead at the server: nothing left to revoke.
                Err(e) if matches!(e.kind, ErrorKind::SignedOut | ErrorKind::Unauthorized) => {
                    report.admin_revoked = true
                }
                Err(e) => report
                    .failures
                    .push(format!("the admin token was not revoked: {e}")),
            }
        }
        if let (Some(store), Some(l)) = (self.store(), self.store_lock().await?) {
            blocking(move || {
                for (name, _) in store.zis_tokens()? {
                    store.forget_zis_token(&l, &name)?;
                }
                store.forget_admin_tokens(&l)
            })
            .await?;
        }
        *lock(&self.inner.session.current) = None;
        self.forget_all_minted();
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn freshness_keeps_a_margin() {
        let at = datetime!(2026-11-01 10:00 UTC);
        let s = time::Duration::seconds;
        // 30 minutes: renewed a minute before the end.
        let end = Some(at + s(1800));
        assert!(fresh(end, at, at + s(1738)));
        assert!(!fresh(end, at, at + s(1740)));
        // 2 seconds: fresh for its first second only.
        let end = Some(at + s(2));
        assert!(fresh(end, at, at));
        assert!(!fresh(end, at, at + s(1)));
        // No expiry: fresh for ever; an expiry in the past: never.
        assert!(fresh(None, at, at + s(10_000_000)));
        assert!(!fresh(Some(at - s(5)), at, at));
    }
}
