//! The OAuth endpoints of a Zendesk account, as ZIS_API.md ("Authentication") gives them:
//! `POST /oauth/tokens` with the three grants (JSON bodies, no `Authorization`), `GET
//! /api/v2/users/me`, `GET /api/v2/oauth/tokens/current.json` and `DELETE
//! /api/v2/oauth/tokens/{id}.json`.
//!
//! Decisions:
//! - the token endpoint is never retried once a request may have reached the server: a code
//!   is single use and a refresh token dies when it is used, so a blind second try would only
//!   meet `invalid_grant` (it is retried when surely unsent, as a create is);
//! - a refused grant (`invalid_grant`, `invalid_client`, `unauthorized_client`,
//!   `access_denied`) is [`ErrorKind::Unauthorized`]; the session turns a refused refresh into
//!   [`ErrorKind::SignedOut`];
//! - answers are read leniently where the page allows: 200 or 201, a bare or a `{"token":..}`
//!   / `{"user":..}` wrapped object, ids as numbers or strings, lifetimes as numbers or
//!   numeric strings;
//! - revoking a token that is already gone (404) is success: it is revoked.
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::client::Client;
use super::error::{Error, ErrorKind, Result};
use super::parse::{parse_json, parse_timestamp};
use super::store::AdminTokens;
use super::transport::{bearer_header, AuthFor, Retry};

/// An OAuth client of the account, as it signs in.
#[derive(Clone)]
pub struct OAuthApp {
    pub client_id: String,
    /// Only for a confidential client.
    pub client_secret: Option<SecretString>,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

/// Who a token signs in as (`GET /api/v2/users/me`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Option<u64>,
    pub name: String,
    pub email: String,
    /// `admin`, `agent`, `end-user`.
    pub role: String,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role.eq_ignore_ascii_case("admin")
    }
}

/// A token as the server describes it (`GET /api/v2/oauth/tokens/current.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: u64,
    pub client_id: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<OffsetDateTime>,
}

impl Client {
    /// Exchange an authorization code (with its PKCE verifier) at `POST /oauth/tokens`.
    pub async fn exchange_code(
        &self,
        app: &OAuthApp,
        code: &SecretString,
        redirect_uri: &str,
        code_verifier: &SecretString,
    ) -> Result<AdminTokens> {
        let mut body = json!({
            "grant_type": "authorization_code",
            "code": code.expose_secret(),
            "client_id": app.client_id,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier.expose_secret(),
        });
        add_secret(&mut body, app.client_secret.as_ref());
        self.token_request(body)
            .await
            .map_err(|e| e.with_context("exchange the authorization code"))
    }

    /// `grant_type=refresh_token`: a new pair; the old one is dead from now on.
    pub async fn refresh_grant(
        &self,
        app: &OAuthApp,
        refresh_token: &SecretString,
    ) -> Result<AdminTokens> {
        let mut body = json!({
            "grant_type": "refresh_token",
            "refresh_token": refresh_token.expose_secret(),
            "client_id": app.client_id,
        });
        add_secret(&mut body, app.client_secret.as_ref());
        self.token_request(body)
            .await
            .map_err(|e| e.with_context("refresh the admin token"))
    }

    /// `grant_type=client_credentials` (a confidential client; no refresh token).
    pub async fn client_credentials_grant(
        &self,
        client_id: &str,
        client_secret: &SecretString,
        scope: &str,
    ) -> Result<AdminTokens> {
        let body = json!({
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret.expose_secret(),
            "scope": scope,
        });
        self.token_request(body)
            .await
            .map_err(|e| e.with_context("get a token with the client credentials"))
    }

    async fn token_request(&self, body: Value) -> Result<AdminTokens> {
        let url = self.url(&["oauth", "tokens"]);
        let asked_at = OffsetDateTime::now_utc();
        let ans = self
            .send(Method::POST, url, Some(body), AuthFor::None, Retry::Create)
            .await
            .map_err(grant_refused)?;
        parse_token_answer(&parse_json(&ans.body)?, asked_at)
    }

    /// `GET /api/v2/users/me` with the admin credentials: who they sign in as.
    pub async fn me(&self) -> Result<User> {
        let url = self.url(&["api", "v2", "users", "me"]);
        let ans = self
            .send_admin(Method::GET, url, None, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context("who am I (users/me)"))?;
        parse_user(&parse_json(&ans.body)?)
    }

    /// `GET /api/v2/oauth/tokens/current.json` with the admin credentials.
    pub async fn current_token(&self) -> Result<TokenInfo> {
        let url = current_url(self);
        let ans = self
            .send_admin(Method::GET, url, None, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context("show the current token"))?;
        parse_token_info(&parse_json(&ans.body)?)
    }

    /// `GET /api/v2/oauth/tokens/current.json` with `token` (a ZIS token, say) as the bearer.
    pub async fn token_info(&self, token: &SecretString) -> Result<TokenInfo> {
        let header = bearer_header(token)?;
        let ans = self
            .send(
                Method::GET,
                current_url(self),
                None,
                AuthFor::Header(&header),
                Retry::Idempotent,
            )
            .await
            .map_err(|e| e.with_context("show a token"))?;
        parse_token_info(&parse_json(&ans.body)?)
    }

    /// `DELETE /api/v2/oauth/tokens/{id}.json` with the admin credentials. A token already
    /// gone (404) counts as revoked. (A DELETE of `current.json` is reported to answer 204
    /// and revoke nothing: always revoke by id.)
    pub async fn revoke_token(&self, id: u64) -> Result<()> {
        let url = self.url(&["api", "v2", "oauth", "tokens", &format!("{id}.json")]);
        match self
            .send_admin(Method::DELETE, url, None, Retry::Idempotent)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.with_context(format!("revoke token {id}"))),
        }
    }
}

fn current_url(c: &Client) -> Url {
    c.url(&["api", "v2", "oauth", "tokens", "current.json"])
}

fn add_secret(body: &mut Value, secret: Option<&SecretString>) {
    if let (Some(s), Some(o)) = (secret, body.as_object_mut()) {
        o.insert(
            "client_secret".into(),
            Value::String(s.expose_secret().to_string()),
        );
    }
}

/// OAuth's refusals of a grant are authentication failures, whatever their status.
fn grant_refused(mut e: Error) -> Error {
    let refused = matches!(
        e.code.as_deref(),
        Some("invalid_grant" | "invalid_client" | "unauthorized_client" | "access_denied")
    );
    if refused {
        e.kind = ErrorKind::Unauthorized;
    }
    e
}

fn num(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// `{"access_token","token_type","scope","refresh_token","expires_in",
/// "refresh_token_expires_in"}`, bare or under `"token"`. Lifetimes count from `asked_at`, so
/// an expiry is never later than the server's.
pub fn parse_token_answer(v: &Value, asked_at: OffsetDateTime) -> Result<AdminTokens> {
    let o = if v.get("access_token").is_some() {
        v
    } else {
        v.get("token").unwrap_or(v)
    };
    let access = o
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::invalid_response("no access_token in the token answer"))?;
    if let Some(t) = o.get("token_type").and_then(Value::as_str) {
        if !t.eq_ignore_ascii_case("bearer") {
            return Err(Error::invalid_response(format!(
                "token_type {} is not bearer",
                crate::sanitize::clean(t)
            )));
        }
    }
    let after = |k: &str| num(o.get(k)).map(|s| asked_at + time::Duration::seconds(s as i64));
    Ok(AdminTokens {
        access_token: SecretString::from(access.to_string()),
        refresh_token: o
            .get("refresh_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| SecretString::from(s.to_string())),
        access_expires_at: after("expires_in"),
        refresh_expires_at: after("refresh_token_expires_in"),
        issued_at: asked_at,
        scope: string(o.get("scope")).map(|s| crate::sanitize::clean(&s)),
    })
}

fn parse_user(v: &Value) -> Result<User> {
    let u = v.get("user").filter(|u| u.is_object()).unwrap_or(v);
    let field = |k: &str| crate::sanitize::clean(&string(u.get(k)).unwrap_or_default());
    let user = User {
        id: num(u.get("id")),
        name: field("name"),
        email: field("email"),
        role: field("role"),
    };
    if user.name.is_empty() && user.email.is_empty() {
        return Err(Error::invalid_response("no user in the users/me answer"));
    }
    Ok(user)
}

/// `{"token": {"id", "client_id", "scopes", "expires_at", ...}}` (or bare).
pub fn parse_token_info(v: &Value) -> Result<TokenInfo> {
    let t = v.get("token").filter(|t| t.is_object()).unwrap_or(v);
    let id =
        num(t.get("id")).ok_or_else(|| Error::invalid_response("no token.id in the answer"))?;
    let client_id = match t.get("client_id") {
        Some(Value::String(s)) => Some(crate::sanitize::clean(s)),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let scopes = match t.get("scopes") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(crate::sanitize::clean)
            .collect(),
        Some(Value::String(s)) => s.split_whitespace().map(crate::sanitize::clean).collect(),
        _ => Vec::new(),
    };
    Ok(TokenInfo {
        id,
        client_id,
        scopes,
        expires_at: t
            .get("expires_at")
            .and_then(Value::as_str)
            .and_then(parse_timestamp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn token_answers_are_read() {
        let at = datetime!(2026-11-01 10:00 UTC);
        let v = json!({"access_token": "a1", "token_type": "bearer", "scope": "read write",
            "refresh_token": "r1", "expires_in": 1800, "refresh_token_expires_in": "2592000"});
        let t = parse_token_answer(&v, at).unwrap();
        assert_eq!(t.access_token.expose_secret(), "a1");
        assert_eq!(
            t.refresh_token.as_ref().map(|r| r.expose_secret()),
            Some("r1")
        );
        assert_eq!(t.access_expires_at, Some(datetime!(2026-11-01 10:30 UTC)));
        assert_eq!(t.refresh_expires_at, Some(datetime!(2026-12-01 10:00 UTC)));
        assert_eq!(t.scope.as_deref(), Some("read write"));
        // Client credentials: no refresh token, no lifetime said; "Bearer" in any case.
        let v = json!({"access_token": "a2", "token_type": "Bearer"});
        let t = parse_token_answer(&v, at).unwrap();
        assert!(t.refresh_token.is_none() && t.access_expires_at.is_none());
        // Wrapped.
        let v = json!({"token": {"access_token": "a3"}});
        assert_eq!(
            parse_token_answer(&v, at)
                .unwrap()
                .access_token
                .expose_secret(),
            "a3"
        );
        assert!(parse_token_answer(&json!({"token_type": "bearer"}), at).is_err());
        assert!(
            parse_token_answer(&json!({"access_token": "x", "token_type": "mac"}), at).is_err()
        );
    }

    #[test]
    fn users_and_tokens_are_read() {
        let u =
            parse_user(&json!({"user": {"id": 7, "name": "Ann", "email": "a@x", "role": "admin"}}))
                .unwrap();
        assert!(u.is_admin());
        assert_eq!((u.id, u.name.as_str()), (Some(7), "Ann"));
        let u =
            parse_user(&json!({"id": "8", "name": "Bo\u{1b}[2J", "email": "b@x", "role": "agent"}))
                .unwrap();
        assert!(!u.is_admin() && !u.name.contains('\u{1b}'));
        assert!(parse_user(&json!({"user": {}})).is_err());

        let t = parse_token_info(
            &json!({"token": {"id": 99, "client_id": 5, "scopes": ["read"],
            "expires_at": "2026-11-01T10:30:00Z"}}),
        )
        .unwrap();
        assert_eq!(t.id, 99);
        assert_eq!(t.client_id.as_deref(), Some("5"));
        assert_eq!(t.expires_at, Some(datetime!(2026-11-01 10:30 UTC)));
        let t = parse_token_info(&json!({"id": "12", "scopes": "read write", "expires_at": null}))
            .unwrap();
        assert_eq!((t.id, t.scopes.len(), t.expires_at), (12, 2, None));
        assert!(parse_token_info(&json!({"token": {}})).is_err());
    }

    #[test]
    fn refused_grants_are_authentication_failures() {
        let e = grant_refused(Error::from_response(
            400,
            br#"{"error":"invalid_grant","error_description":"expired"}"#,
        ));
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        let e = grant_refused(Error::from_response(
            400,
            br#"{"error":"invalid_request","error_description":"missing code"}"#,
        ));
        assert_eq!(e.kind, ErrorKind::BadRequest);
    }
}
