//! Typed models of the ZIS API. None of these hold a secret the server sent: the server sends
//! `"*****"` for every secret, and that placeholder is never stored as a value.
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The four kinds of ZIS connection. Only the first three can be created with a form; `oauth`
/// connections come from an OAuth flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionKind {
    BasicAuth,
    ApiKey,
    BearerToken,
    #[serde(rename = "oauth")]
    OAuth,
}

impl ConnectionKind {
    pub const ALL: [ConnectionKind; 4] = [
        ConnectionKind::BasicAuth,
        ConnectionKind::ApiKey,
        ConnectionKind::BearerToken,
        ConnectionKind::OAuth,
    ];
    pub const CREATABLE: [ConnectionKind; 3] = [
        ConnectionKind::BasicAuth,
        ConnectionKind::ApiKey,
        ConnectionKind::BearerToken,
    ];

    /// The path segment and JSON key of this kind (`basic_auth`, ...): the one spelling the
    /// CLI, the TUI and the API share.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::BasicAuth => "basic_auth",
            ConnectionKind::ApiKey => "api_key",
            ConnectionKind::BearerToken => "bearer_token",
            ConnectionKind::OAuth => "oauth",
        }
    }

    pub fn parse(s: &str) -> Option<ConnectionKind> {
        ConnectionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ConnectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A connection as the server describes it, without any secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub kind: ConnectionKind,
    pub name: String,
    pub allowed_domain: String,
    /// basic_auth only.
    pub username: Option<String>,
    /// api_key only.
    pub header_name: Option<String>,
    pub created_at: Option<OffsetDateTime>,
    pub updated_at: Option<OffsetDateTime>,
    /// oauth only: its client, scopes and token expiry (never its tokens).
    pub oauth: Option<super::oauth_models::OAuthDetails>,
}

impl Connection {
    /// Whole days since `updated_at` (or `created_at`), as of `now`.
    pub fn age_days(&self, now: OffsetDateTime) -> Option<i64> {
        let t = self.updated_at.or(self.created_at)?;
        Some((now - t).whole_days().max(0))
    }

    /// The "who" column: username for basic_auth, header name for api_key.
    pub fn principal(&self) -> &str {
        self.username
            .as_deref()
            .or(self.header_name.as_deref())
            .unwrap_or("")
    }
}

/// What happened to one password rotation
/// ([`Client::apply_password`](super::Client::apply_password)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// `updated_at` after the change, as the server reports it.
    pub updated_at: Option<OffsetDateTime>,
    /// The follow-up GET saw `updated_at` move past its earlier value.
    pub verified: bool,
}

/// The OAuth client ZIS made for an integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    pub id: u64,
    pub identifier: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    pub name: String,
    pub description: String,
    pub jwt_public_key: Option<String>,
    pub oauth_client: Option<OAuthClient>,
}

/// The answer to registering an integration: the one time its OAuth client secret is shown.
pub struct RegisteredIntegration {
    pub integration: Integration,
    pub client_secret: Option<SecretString>,
}

impl fmt::Debug for RegisteredIntegration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredIntegration")
            .field("integration", &self.integration)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

/// One page of `connections/all`.
#[derive(Debug, Clone, Default)]
pub struct ConnectionPage {
    pub connections: Vec<Connection>,
    pub has_more: bool,
    pub after: Option<String>,
    pub before: Option<String>,
}

/// The credential part of a new connection.
pub enum NewCredential {
    BasicAuth {
        username: String,
        password: SecretString,
    },
    ApiKey {
        header_name: String,
        api_key: SecretString,
    },
    BearerToken {
        token: SecretString,
    },
}

impl NewCredential {
    pub fn kind(&self) -> ConnectionKind {
        match self {
            NewCredential::BasicAuth { .. } => ConnectionKind::BasicAuth,
            NewCredential::ApiKey { .. } => ConnectionKind::ApiKey,
            NewCredential::BearerToken { .. } => ConnectionKind::BearerToken,
        }
    }
}

impl fmt::Debug for NewCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewCredential::BasicAuth { username, .. } => f
                .debug_struct("BasicAuth")
                .field("username", username)
                .field("password", &"[REDACTED]")
                .finish(),
            NewCredential::ApiKey { header_name, .. } => f
                .debug_struct("ApiKey")
                .field("header_name", header_name)
                .field("api_key", &"[REDACTED]")
                .finish(),
            NewCredential::BearerToken { .. } => f
                .debug_struct("BearerToken")
                .field("token", &"[REDACTED]")
                .finish(),
        }
    }
}

/// A connection to create.
#[derive(Debug)]
pub struct NewConnection {
    pub name: String,
    pub allowed_domain: String,
    pub credential: NewCredential,
}

/// A change to an existing connection. `None` leaves a field as it is.
pub enum ConnectionUpdate {
    BasicAuth {
        username: Option<String>,
        password: Option<SecretString>,
    },
    ApiKey {
        header_name: Option<String>,
        api_key: Option<SecretString>,
    },
    BearerToken {
        token: Option<SecretString>,
    },
}

impl ConnectionUpdate {
    pub fn kind(&self) -> ConnectionKind {
        match self {
            ConnectionUpdate::BasicAuth { .. } => ConnectionKind::BasicAuth,
            ConnectionUpdate::ApiKey { .. } => ConnectionKind::ApiKey,
            ConnectionUpdate::BearerToken { .. } => ConnectionKind::BearerToken,
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            ConnectionUpdate::BasicAuth { username, password } => {
                username.is_none() && password.is_none()
            }
            ConnectionUpdate::ApiKey {
                header_name,
                api_key,
            } => header_name.is_none() && api_key.is_none(),
            ConnectionUpdate::BearerToken { token } => token.is_none(),
        }
    }

    /// Names of the fields this update changes (for the audit log; never values).
    pub fn fields(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        match self {
            ConnectionUpdate::BasicAuth { username, password } => {
                if username.is_some() {
                    f.push("username");
                }
                if password.is_some() {
                    f.push("password");
                }
            }
            ConnectionUpdate::ApiKey {
                header_name,
                api_key,
            } => {
                if header_name.is_some() {
                    f.push("header_name");
                }
                if api_key.is_some() {
                    f.push("api_key");
                }
            }
            ConnectionUpdate::BearerToken { token } => {
                if token.is_some() {
                    f.push("token");
                }
            }
        }
        f
    }

    /// The JSON body of the PATCH. Holds the secret: build it, send it, drop it.
    pub(crate) fn to_body(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: &str| {
            m.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        };
        match self {
            ConnectionUpdate::BasicAuth { username, password } => {
                if let Some(u) = username {
                    put("username", u);
                }
                if let Some(p) = password {
                    put("password", p.expose_secret());
                }
            }
            ConnectionUpdate::ApiKey {
                header_name,
                api_key,
            } => {
                if let Some(h) = header_name {
                    put("header_name", h);
                }
                if let Some(k) = api_key {
                    put("api_key", k.expose_secret());
                }
            }
            ConnectionUpdate::BearerToken { token } => {
                if let Some(t) = token {
                    put("token", t.expose_secret());
                }
            }
        }
        serde_json::Value::Object(m)
    }
}

impl fmt::Debug for ConnectionUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = |o: bool| if o { "[REDACTED]" } else { "unchanged" };
        match self {
            ConnectionUpdate::BasicAuth { username, password } => f
                .debug_struct("BasicAuth")
                .field("username", username)
                .field("password", &r(password.is_some()))
                .finish(),
            ConnectionUpdate::ApiKey {
                header_name,
                api_key,
            } => f
                .debug_struct("ApiKey")
                .field("header_name", header_name)
                .field("api_key", &r(api_key.is_some()))
                .finish(),
            ConnectionUpdate::BearerToken { token } => f
                .debug_struct("BearerToken")
                .field("token", &r(token.is_some()))
                .finish(),
        }
    }
}

impl NewConnection {
    /// The flat JSON body of the create call. Holds the secret: build it, send it, drop it.
    pub(crate) fn to_body(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let mut put = |k: &str, v: &str| {
            m.insert(k.to_string(), serde_json::Value::String(v.to_string()));
        };
        put("name", &self.name);
        // Host names are case-insensitive; ZIS compares and shows them as stored.
        put("allowed_domain", &self.allowed_domain.to_ascii_lowercase());
        match &self.credential {
            NewCredential::BasicAuth { username, password } => {
                put("username", username);
                put("password", password.expose_secret());
            }
            NewCredential::ApiKey {
                header_name,
                api_key,
            } => {
                put("header_name", header_name);
                put("api_key", api_key.expose_secret());
            }
            NewCredential::BearerToken { token } => put("token", token.expose_secret()),
        }
        serde_json::Value::Object(m)
    }
}

/// Format a timestamp as RFC 3339 (UTC), or "" when absent.
pub fn format_time(t: Option<OffsetDateTime>) -> String {
    t.and_then(|t| {
        t.to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .unwrap_or_default()
}
