//! Models of ZIS OAuth clients and OAuth connections. The secrets the server sends about them
//! in clear (an OAuth client's `client_secret`, an OAuth connection's `access_token`,
//! `refresh_token` and `oauth_access_token_response_body`) are never read into a model: the
//! parsers skip them, so nothing here can draw, print or log one. The one secret these types
//! hold is a client secret the user gives (to create or update a client), in a
//! [`SecretString`], redacted by `Debug`.
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

/// The grant type of an OAuth client's flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GrantType {
    AuthorizationCode,
    ClientCredentials,
}

impl GrantType {
    pub const ALL: [GrantType; 2] = [GrantType::AuthorizationCode, GrantType::ClientCredentials];

    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::ClientCredentials => "client_credentials",
        }
    }

    /// A short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "auth code",
            GrantType::ClientCredentials => "client cred",
        }
    }

    pub fn parse(s: &str) -> Option<GrantType> {
        GrantType::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A ZIS OAuth client (the provider's client id, its endpoints and default scopes), as the
/// server describes it, without its `client_secret`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZisOAuthClient {
    pub uuid: String,
    pub name: String,
    pub client_id: String,
    pub token_url: String,
    pub auth_url: Option<String>,
    /// Space-delimited.
    pub default_scopes: Option<String>,
    /// As the server spells it (`authorization_code`, `client_credentials`, or another).
    pub grant_type: Option<String>,
    pub integration: Option<String>,
    pub created_by: Option<String>,
    pub created_at: Option<OffsetDateTime>,
    pub updated_at: Option<OffsetDateTime>,
}

impl ZisOAuthClient {
    /// Whole days since `updated_at` (or `created_at`), as of `now`.
    pub fn age_days(&self, now: OffsetDateTime) -> Option<i64> {
        let t = self.updated_at.or(self.created_at)?;
        Some((now - t).whole_days().max(0))
    }

    /// The grant type, when it is one zisctl knows; the API's default is authorization_code.
    pub fn grant(&self) -> GrantType {
        self.grant_type
            .as_deref()
            .and_then(GrantType::parse)
            .unwrap_or(GrantType::AuthorizationCode)
    }
}

/// What an OAuth connection has beyond every connection's fields (none of its tokens).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OAuthDetails {
    pub uuid: Option<String>,
    pub oauth_client_uuid: Option<String>,
    /// Space-delimited.
    pub permission_scope: Option<String>,
    pub token_type: Option<String>,
    /// When the access token expires; in the past means the refresh is failing.
    pub token_expiry: Option<OffsetDateTime>,
    pub created_by: Option<String>,
}

impl OAuthDetails {
    /// Whole days since the token expired, when it has (0 on the day it did).
    pub fn expired_days(&self, now: OffsetDateTime) -> Option<i64> {
        let t = self.token_expiry?;
        (t <= now).then(|| (now - t).whole_days())
    }
}

/// An OAuth client to create.
pub struct NewOAuthClient {
    pub name: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub token_url: String,
    pub auth_url: Option<String>,
    pub default_scopes: Option<String>,
    pub grant_type: Option<GrantType>,
}

impl fmt::Debug for NewOAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewOAuthClient")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("token_url", &self.token_url)
            .field("auth_url", &self.auth_url)
            .field("default_scopes", &self.default_scopes)
            .field("grant_type", &self.grant_type)
            .finish()
    }
}

impl NewOAuthClient {
    /// The JSON body of the create call. Holds the secret: build it, send it, drop it.
    pub(crate) fn to_body(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: &str| {
            m.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        };
        put("name", &self.name);
        put("client_id", &self.client_id);
        put("client_secret", self.client_secret.expose_secret());
        put("token_url", &self.token_url);
        if let Some(u) = &self.auth_url {
            put("auth_url", u);
        }
        if let Some(s) = &self.default_scopes {
            put("default_scopes", s);
        }
        if let Some(g) = self.grant_type {
            put("grant_type", g.as_str());
        }
        serde_json::Value::Object(m)
    }

    /// Names of the fields sent (for the audit log; never values).
    pub fn fields(&self) -> Vec<&'static str> {
        let mut f = vec!["client_id", "client_secret", "token_url"];
        if self.auth_url.is_some() {
            f.push("auth_url");
        }
        if self.default_scopes.is_some() {
            f.push("default_scopes");
        }
        if self.grant_type.is_some() {
            f.push("grant_type");
        }
        f
    }
}

/// A change to an OAuth client (`PATCH`): `None` leaves a field as it is. The name cannot
/// change.
#[derive(Default)]
pub struct OAuthClientUpdate {
    pub client_id: Option<String>,
    pub client_secret: Option<SecretString>,
    pub token_url: Option<String>,
    pub auth_url: Option<String>,
    pub default_scopes: Option<String>,
    pub grant_type: Option<GrantType>,
}

impl fmt::Debug for OAuthClientUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClientUpdate")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &if self.client_secret.is_some() {
                    "[REDACTED]"
                } else {
                    "unchanged"
                },
            )
            .field("token_url", &self.token_url)
            .field("auth_url", &self.auth_url)
            .field("default_scopes", &self.default_scopes)
            .field("grant_type", &self.grant_type)
            .finish()
    }
}

impl OAuthClientUpdate {
    pub fn is_empty(&self) -> bool {
        self.fields().is_empty()
    }

    /// Names of the fields this update changes (for the audit log; never values).
    pub fn fields(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        if self.client_id.is_some() {
            f.push("client_id");
        }
        if self.client_secret.is_some() {
            f.push("client_secret");
        }
        if self.token_url.is_some() {
            f.push("token_url");
        }
        if self.auth_url.is_some() {
            f.push("auth_url");
        }
        if self.default_scopes.is_some() {
            f.push("default_scopes");
        }
        if self.grant_type.is_some() {
            f.push("grant_type");
        }
        f
    }

    /// The JSON body of the PATCH. Holds the secret: build it, send it, drop it.
    pub(crate) fn to_body(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: &str| {
            m.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        };
        if let Some(v) = &self.client_id {
            put("client_id", v);
        }
        if let Some(v) = &self.client_secret {
            put("client_secret", v.expose_secret());
        }
        if let Some(v) = &self.token_url {
            put("token_url", v);
        }
        if let Some(v) = &self.auth_url {
            put("auth_url", v);
        }
        if let Some(v) = &self.default_scopes {
            put("default_scopes", v);
        }
        if let Some(g) = self.grant_type {
            put("grant_type", g.as_str());
        }
        serde_json::Value::Object(m)
    }
}

/// Which OAuth client a flow uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthClientRef {
    Uuid(String),
    Name(String),
}

/// The start of an OAuth flow (`POST …/connections/oauth/start/{integration}`): ZIS stores
/// the token it brings under `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthStart {
    /// The OAuth connection to create or replace.
    pub name: String,
    pub client: OAuthClientRef,
    pub grant_type: Option<GrantType>,
    /// Space-delimited.
    pub permission_scopes: Option<String>,
    pub allow_offline_access: Option<bool>,
    /// Where the browser goes once the provider answered.
    pub origin_oauth_redirect_url: String,
}

impl OAuthStart {
    pub(crate) fn to_body(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let s = |v: &str| serde_json::Value::String(v.to_string());
        m.insert("name".into(), s(&self.name));
        match &self.client {
            OAuthClientRef::Uuid(u) => m.insert("oauth_client_uuid".into(), s(u)),
            OAuthClientRef::Name(n) => m.insert("oauth_client_name".into(), s(n)),
        };
        if let Some(g) = self.grant_type {
            m.insert("grant_type".into(), s(g.as_str()));
        }
        if let Some(p) = &self.permission_scopes {
            m.insert("permission_scopes".into(), s(p));
        }
        if let Some(a) = self.allow_offline_access {
            m.insert("allow_offline_access".into(), serde_json::Value::Bool(a));
        }
        m.insert(
            "origin_oauth_redirect_url".into(),
            s(&self.origin_oauth_redirect_url),
        );
        serde_json::Value::Object(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_client_secret() {
        let new = NewOAuthClient {
            name: "n".into(),
            client_id: "id".into(),
            client_secret: SecretString::from("cs-canary-1".to_string()),
            token_url: "https://t.example/token".into(),
            auth_url: None,
            default_scopes: None,
            grant_type: Some(GrantType::ClientCredentials),
        };
        let upd = OAuthClientUpdate {
            client_secret: Some(SecretString::from("cs-canary-2".to_string())),
            ..Default::default()
        };
        let text = format!("{new:?} {upd:?}");
        assert!(!text.contains("cs-canary"));
        assert!(text.contains("[REDACTED]"));
        assert_eq!(new.to_body()["client_secret"], "cs-canary-1");
        assert_eq!(new.to_body()["grant_type"], "client_credentials");
        assert!(new.to_body().get("auth_url").is_none());
        assert_eq!(upd.fields(), vec!["client_secret"]);
        assert!(!upd.is_empty() && OAuthClientUpdate::default().is_empty());
    }

    #[test]
    fn start_body_names_the_client_one_way() {
        let st = OAuthStart {
            name: "slack".into(),
            client: OAuthClientRef::Uuid("u-1".into()),
            grant_type: Some(GrantType::AuthorizationCode),
            permission_scopes: Some("read write".into()),
            allow_offline_access: Some(true),
            origin_oauth_redirect_url: "https://acme.zendesk.com/".into(),
        };
        let b = st.to_body();
        assert_eq!(b["oauth_client_uuid"], "u-1");
        assert!(b.get("oauth_client_name").is_none());
        assert_eq!(b["permission_scopes"], "read write");
        assert_eq!(b["allow_offline_access"], true);
    }

    #[test]
    fn expiry_in_days() {
        let now = time::macros::datetime!(2025-11-22 12:00 UTC);
        let d = |t| OAuthDetails {
            token_expiry: t,
            ..Default::default()
        };
        assert_eq!(
            d(Some(now + time::Duration::hours(1))).expired_days(now),
            None
        );
        assert_eq!(
            d(Some(now - time::Duration::hours(1))).expired_days(now),
            Some(0)
        );
        assert_eq!(
            d(Some(now - time::Duration::days(9))).expired_days(now),
            Some(9)
        );
        assert_eq!(d(None).expired_days(now), None);
    }
}
