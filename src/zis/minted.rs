//! ZIS tokens minted with the admin credentials (`POST /api/v2/oauth/tokens`), one per
//! integration, and how long they are kept.
//!
//! - A minted token is reused while [`fresh`](super::session::fresh) by its `expires_at`
//!   (none: until a 401), re-minted before it ends and once on a 401.
//! - With a [`TokenStore`](super::store::TokenStore) the token is cached there too, so that
//!   a second run within its lifetime mints nothing. A store that fails to answer is only a
//!   cache that missed: the run goes on with the token in memory (and says so in the log).
//! - At most one live minted token per integration and store: one mint at a time per
//!   integration in this process; after a mint, under the store's lock, a fresh token that
//!   another process stored meanwhile is taken and ours revoked; the token replaced is revoked
//!   (`DELETE /api/v2/oauth/tokens/{id}.json`), best effort, unless it already ended or was
//!   refused.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use time::OffsetDateTime;

use super::client::Client;
use super::error::{ErrorKind, Result};
use super::parse::{parse_json, parse_timestamp};
use super::session::{blocking, fresh, SignOut};
use super::store::ZisToken;
use super::transport::Retry;

/// The ZIS tokens of one client, shared by its handles.
#[derive(Default)]
pub(super) struct Minted {
    tokens: Mutex<HashMap<String, ZisToken>>,
    /// One mint at a time per integration.
    gates: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn same(a: &ZisToken, b: &ZisToken) -> bool {
    a.token.expose_secret() == b.token.expose_secret()
}

fn usable(t: &ZisToken, now: OffsetDateTime) -> bool {
    fresh(t.expires_at, t.minted_at, now)
}

fn ended(t: &ZisToken, now: OffsetDateTime) -> bool {
    t.expires_at.is_some_and(|e| e <= now)
}

impl Minted {
    fn get(&self, integration: &str) -> Option<ZisToken> {
        lock(&self.tokens).get(integration).cloned()
    }

    fn put(&self, integration: &str, t: ZisToken) {
        lock(&self.tokens).insert(integration.to_string(), t);
    }

    fn gate(&self, integration: &str) -> Arc<tokio::sync::Mutex<()>> {
        lock(&self.gates)
            .entry(integration.to_string())
            .or_default()
            .clone()
    }
}

impl Client {
    /// `POST /api/v2/oauth/tokens`: mint a ZIS OAuth token for an integration's client, and
    /// keep it (in memory, and in the store when there is one) in place of the one before,
    /// which is revoked.
    pub async fn mint_token(&self, integration: &str) -> Result<SecretString> {
        let gate = self.inner.minted.gate(integration);
        let _one = gate.lock().await;
        let replaced = self.inner.minted.get(integration);
        Ok(self.keep_new(integration, replaced, true).await?.token)
    }

    /// True when a token minted here is held for `integration`.
    pub(super) fn holds_minted(&self, integration: &str) -> bool {
        lock(&self.inner.minted.tokens).contains_key(integration)
    }

    /// The minted token for `integration`: the one held while fresh, else the store's while
    /// fresh, else a new one.
    pub(super) async fn minted_for(&self, integration: &str) -> Result<SecretString> {
        let now = OffsetDateTime::now_utc();
        if let Some(t) = self
            .inner
            .minted
            .get(integration)
            .filter(|t| usable(t, now))
        {
            return Ok(t.token);
        }
        let gate = self.inner.minted.gate(integration);
        let _one = gate.lock().await;
        let now = OffsetDateTime::now_utc();
        let held = self.inner.minted.get(integration);
        if let Some(t) = held.as_ref().filter(|t| usable(t, now)) {
            return Ok(t.token.clone());
        }
        let stored = self.stored_zis(integration).await;
        if let Some(t) = stored.as_ref().filter(|t| usable(t, now)) {
            self.inner.minted.put(integration, t.clone());
            return Ok(t.token.clone());
        }
        let replaced = held.or(stored);
        Ok(self.keep_new(integration, replaced, true).await?.token)
    }

    /// After a 401 with `refused`: a token someone else minted meanwhile, else a new one.
    pub(super) async fn minted_after_401(
        &self,
        integration: &str,
        refused: &SecretString,
    ) -> Result<SecretString> {
        let gate = self.inner.minted.gate(integration);
        let _one = gate.lock().await;
        let now = OffsetDateTime::now_utc();
        let dead = ZisToken {
            token: refused.clone(),
            id: None,
            expires_at: None,
            minted_at: now,
        };
        let other = |t: &ZisToken| !same(t, &dead) && usable(t, now);
        if let Some(t) = self.inner.minted.get(integration).filter(other) {
            return Ok(t.token);
        }
        if let Some(t) = self.stored_zis(integration).await.filter(other) {
            self.inner.minted.put(integration, t.clone());
            return Ok(t.token);
        }
        tracing::info!(integration, "401 with a minted token: minting a new one");
        Ok(self.keep_new(integration, Some(dead), false).await?.token)
    }

    async fn stored_zis(&self, integration: &str) -> Option<ZisToken> {
        let store = self.store()?;
        let name = integration.to_string();
        match blocking(move || store.zis_token(&name)).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(integration, error = %e, "the token store did not answer");
                None
            }
        }
    }

    /// Mint, keep (taking instead a fresh token another process stored meanwhile), and revoke
    /// what was replaced (when `revoke_replaced` and it has not ended).
    async fn keep_new(
        &self,
        integration: &str,
        replaced: Option<ZisToken>,
        revoke_replaced: bool,
    ) -> Result<ZisToken> {
        let new = self.mint(integration).await?;
        let mut chosen = new.clone();
        if let Some(store) = self.store() {
            let name = integration.to_string();
            let knew = replaced.clone();
            let mine = new.clone();
            let kept = async {
                let held = self.store_lock().await?;
                blocking(move || {
                    let now = OffsetDateTime::now_utc();
                    let theirs = store
                        .zis_token(&name)?
                        .filter(|t| usable(t, now) && knew.as_ref().is_none_or(|k| !same(k, t)));
                    if theirs.is_none() {
                        if let Some(l) = &held {
                            store.save_zis_token(l, &name, &mine)?;
                        }
                    }
                    Ok(theirs)
                })
                .await
            };
            match kept.await {
                Ok(Some(theirs)) => {
                    tracing::info!(integration, "another process minted meanwhile: taking it");
                    self.revoke_quietly(integration, &new).await;
                    chosen = theirs;
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(integration, error = %e, "the minted token was not stored")
                }
            }
        }
        self.inner.minted.put(integration, chosen.clone());
        if let Some(old) = replaced {
            if revoke_replaced && !same(&old, &chosen) && !ended(&old, OffsetDateTime::now_utc()) {
                self.revoke_quietly(integration, &old).await;
            }
        }
        Ok(chosen)
    }

    /// The mint call itself.
    async fn mint(&self, integration: &str) -> Result<ZisToken> {
        let client_id = self.client_id(integration).await?;
        let url = self.url(&["api", "v2", "oauth", "tokens"]);
        let body =
            serde_json::json!({"token": {"client_id": client_id, "scopes": ["read", "write"]}});
        let minted_at = OffsetDateTime::now_utc();
        let ans = self
            .send_admin(Method::POST, url, Some(body), Retry::Read)
            .await
            .map_err(|e| e.with_context(format!("mint a token for {integration}")))?;
        parse_minted(&parse_json(&ans.body)?, minted_at)
    }

    /// Revoke a token by its id, best effort: a failure is logged, never returned.
    async fn revoke_quietly(&self, integration: &str, t: &ZisToken) {
        let Some(id) = t.id else { return };
        if let Err(e) = self.revoke_token(id).await {
            tracing::warn!(integration, error = %e, "a replaced ZIS token was not revoked");
        }
    }

    /// Revoke every ZIS token held or stored (sign-out).
    pub(super) async fn revoke_minted(&self, report: &mut SignOut) {
        let mut all: Vec<(String, ZisToken)> = lock(&self.inner.minted.tokens)
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Some(store) = self.store() {
            match blocking(move || store.zis_tokens()).await {
                Ok(stored) => {
                    for (name, t) in stored {
                        if !all.iter().any(|(_, h)| same(h, &t)) {
                            all.push((name, t));
                        }
                    }
                }
                Err(e) => report
                    .failures
                    .push(format!("the cached ZIS tokens could not be read: {e}")),
            }
        }
        let now = OffsetDateTime::now_utc();
        for (name, t) in all {
            if ended(&t, now) {
                report.zis_revoked += 1;
                continue;
            }
            let id = match t.id {
                Some(id) => Ok(id),
                None => self.token_info(&t.token).await.map(|i| i.id),
            };
            let res = match id {
                Ok(id) => self.revoke_token(id).await,
                // The token itself is refused: it is dead already.
                Err(e) if e.kind == ErrorKind::Unauthorized => Ok(()),
                Err(e) => Err(e),
            };
            match res {
                Ok(()) => report.zis_revoked += 1,
                Err(e) => report
                    .failures
                    .push(format!("the ZIS token of {name} was not revoked: {e}")),
            }
        }
    }

    pub(super) fn forget_all_minted(&self) {
        lock(&self.inner.minted.tokens).clear();
    }
}

/// `{"token": {"id", "full_token", "expires_at", ...}}` (or bare).
pub fn parse_minted(v: &Value, minted_at: OffsetDateTime) -> Result<ZisToken> {
    let t = v.get("token").filter(|t| t.is_object()).unwrap_or(v);
    let tok = t
        .get("full_token")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| super::Error::invalid_response("no token.full_token in the answer"))?;
    let id = match t.get("id") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.parse().ok(),
        _ => None,
    };
    Ok(ZisToken {
        token: SecretString::from(tok.to_string()),
        id,
        expires_at: t
            .get("expires_at")
            .and_then(Value::as_str)
            .and_then(parse_timestamp),
        minted_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn mint_answers_are_read() {
        let at = datetime!(2026-11-01 10:00 UTC);
        let v = serde_json::json!({"token": {"id": 41, "full_token": "zt", "scopes": ["read"],
            "expires_at": "2026-11-01T10:30:00Z"}});
        let t = parse_minted(&v, at).unwrap();
        assert_eq!(t.token.expose_secret(), "zt");
        assert_eq!(t.id, Some(41));
        assert_eq!(t.expires_at, Some(datetime!(2026-11-01 10:30 UTC)));
        let v = serde_json::json!({"token": {"id": "42", "full_token": "zt", "expires_at": null}});
        let t = parse_minted(&v, at).unwrap();
        assert_eq!((t.id, t.expires_at), (Some(42), None));
        assert!(usable(&t, at + time::Duration::days(3650)));
        assert!(parse_minted(&serde_json::json!({"token": {"id": 1}}), at).is_err());
    }
}
