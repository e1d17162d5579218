//! The account's data types: connection kinds, credentials, connections and integrations, and
//! the JSON ZIS shows for them (every secret of the three creatable kinds redacted; an OAuth
//! connection's tokens in clear, as Zendesk's documented listing shows them).

use std::collections::BTreeMap;
use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::bundles::{Bundle, JobSpec};
use super::helpers::{fake_public_key, format_ts, format_ts_secs, random_token};
use super::oauth_clients::ZisOAuthClient;

/// The redaction ZIS puts in place of every connection secret.
pub(crate) const REDACTED: &str = "*****";
/// The redaction ZIS puts in place of an OAuth client secret in the registry listing.
pub(crate) const REDACTED_CLIENT_SECRET: &str = "************";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    BasicAuth,
    ApiKey,
    BearerToken,
    OAuth,
}

impl Kind {
    pub(crate) const ALL: [Kind; 4] = [
        Kind::ApiKey,
        Kind::BasicAuth,
        Kind::BearerToken,
        Kind::OAuth,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::BasicAuth => "basic_auth",
            Kind::ApiKey => "api_key",
            Kind::BearerToken => "bearer_token",
            Kind::OAuth => "oauth",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Kind> {
        match s {
            "basic_auth" => Some(Kind::BasicAuth),
            "api_key" => Some(Kind::ApiKey),
            "bearer_token" => Some(Kind::BearerToken),
            "oauth" => Some(Kind::OAuth),
            _ => None,
        }
    }

    /// The field that holds this kind's secret (the one `/_sandbox/verify` compares).
    pub(crate) fn secret_field(self) -> &'static str {
        match self {
            Kind::BasicAuth => "password",
            Kind::ApiKey => "api_key",
            Kind::BearerToken => "token",
            Kind::OAuth => "access_token",
        }
    }
}

/// The kind-specific part of a connection. Every secret is a [`SecretString`], so the derived
/// `Debug` prints `[REDACTED]` for it.
#[derive(Debug, Clone)]
pub(crate) enum Creds {
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
    /// Made by an OAuth flow (`POST .../oauth/start/{integration}`), or seeded.
    OAuth(OAuthConn),
}

/// What an OAuth connection holds. Its three secrets are sent in clear by the listing and the
/// `?name=` show (as Zendesk's documented examples have them); `Debug` shows none of them.
#[derive(Clone)]
pub(crate) struct OAuthConn {
    pub(crate) uuid: String,
    /// The OAuth client it was made with (`None`: seeded without one, or the client is unknown).
    pub(crate) oauth_client_uuid: Option<String>,
    pub(crate) permission_scope: String,
    pub(crate) token_type: String,
    /// `None`: the provider gave no lifetime (shown as `null`).
    pub(crate) token_expiry: Option<OffsetDateTime>,
    pub(crate) created_by: String,
    pub(crate) access_token: SecretString,
    pub(crate) refresh_token: Option<SecretString>,
    /// The provider's token answer, as text (it holds both tokens).
    pub(crate) response_body: SecretString,
}

impl fmt::Debug for OAuthConn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConn")
            .field("uuid", &self.uuid)
            .field("oauth_client_uuid", &self.oauth_client_uuid)
            .field("permission_scope", &self.permission_scope)
            .field("token_expiry", &self.token_expiry)
            .field("refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

impl OAuthConn {
    /// Fresh tokens as a provider would answer them: the two tokens, and the answer's text.
    pub(crate) fn tokens(
        scope: &str,
        lifetime_secs: Option<i64>,
        offline: bool,
    ) -> (SecretString, Option<SecretString>, SecretString) {
        let access = random_token(48);
        let refresh = offline.then(|| random_token(48));
        let mut body = Map::new();
        body.insert("access_token".into(), json!(access));
        body.insert("token_type".into(), json!("bearer"));
        if let Some(s) = lifetime_secs {
            body.insert("expires_in".into(), json!(s));
        }
        if let Some(r) = &refresh {
            body.insert("refresh_token".into(), json!(r));
        }
        body.insert("scope".into(), json!(scope));
        (
            SecretString::from(access),
            refresh.map(SecretString::from),
            SecretString::from(Value::Object(body).to_string()),
        )
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) name: String,
    /// Empty for OAuth connections (their documented shape has no allowed domain).
    pub(crate) allowed_domain: String,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
    pub(crate) creds: Creds,
}

impl Connection {
    pub(crate) fn kind(&self) -> Kind {
        match self.creds {
            Creds::BasicAuth { .. } => Kind::BasicAuth,
            Creds::ApiKey { .. } => Kind::ApiKey,
            Creds::BearerToken { .. } => Kind::BearerToken,
            Creds::OAuth(_) => Kind::OAuth,
        }
    }

    pub(crate) fn secret(&self) -> &SecretString {
        match &self.creds {
            Creds::BasicAuth { password, .. } => password,
            Creds::ApiKey { api_key, .. } => api_key,
            Creds::BearerToken { token } => token,
            Creds::OAuth(o) => &o.access_token,
        }
    }

    /// The connection as ZIS shows it: the secrets of the three creatable kinds replaced by
    /// `"*****"`, an OAuth connection's tokens in clear.
    pub(crate) fn to_json(&self, integration: &str) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("created_at".into(), json!(format_ts(self.created_at)));
        m.insert("updated_at".into(), json!(format_ts(self.updated_at)));
        match &self.creds {
            Creds::BasicAuth { username, .. } => {
                m.insert("allowed_domain".into(), json!(self.allowed_domain));
                m.insert("username".into(), json!(username));
                m.insert("password".into(), json!(REDACTED));
            }
            Creds::ApiKey { header_name, .. } => {
                m.insert("allowed_domain".into(), json!(self.allowed_domain));
                m.insert("header_name".into(), json!(header_name));
                m.insert("api_key".into(), json!(REDACTED));
            }
            Creds::BearerToken { .. } => {
                m.insert("allowed_domain".into(), json!(self.allowed_domain));
                m.insert("token".into(), json!(REDACTED));
            }
            Creds::OAuth(o) => {
                // The shape of Zendesk's "OAuth Connections" page [doc]: it documents no
                // allowed_domain, so none is sent; created_at/updated_at are sent because
                // ZIS_API.md says every kind has them. The tokens go in clear, as the documented
                // listing example has them [doc]; `token_expiry` is `YYYY-MM-DDThh:mm:ssZ` [doc].
                m.insert("integration".into(), json!(integration));
                m.insert("uuid".into(), json!(o.uuid));
                m.insert("oauth_client_uuid".into(), json!(o.oauth_client_uuid));
                m.insert("permission_scope".into(), json!(o.permission_scope));
                m.insert("token_type".into(), json!(o.token_type));
                m.insert(
                    "token_expiry".into(),
                    o.token_expiry
                        .map_or(Value::Null, |t| json!(format_ts_secs(t))),
                );
                m.insert("created_by".into(), json!(o.created_by));
                m.insert("access_token".into(), json!(o.access_token.expose_secret()));
                m.insert(
                    "refresh_token".into(),
                    o.refresh_token
                        .as_ref()
                        .map_or(Value::Null, |r| json!(r.expose_secret())),
                );
                m.insert(
                    "oauth_access_token_response_body".into(),
                    json!(o.response_body.expose_secret()),
                );
            }
        }
        Value::Object(m)
    }
}

/// One registered integration and its Zendesk OAuth client.
#[derive(Debug)]
pub(crate) struct Integration {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) jwt_public_key: String,
    pub(crate) client_id: u64,
    pub(crate) client_secret: SecretString,
    pub(crate) connections: BTreeMap<String, Connection>,
    /// ZIS OAuth clients (the providers' clients it makes OAuth connections with), by name.
    pub(crate) oauth_clients: BTreeMap<String, ZisOAuthClient>,
    /// Bundles, by name (an upload of the same name replaces one).
    pub(crate) bundles: BTreeMap<String, Bundle>,
    /// Job specs, by name: those of the bundles, and stale ones that older bundles left.
    pub(crate) job_specs: BTreeMap<String, JobSpec>,
}

impl Integration {
    pub(crate) fn new(name: &str, description: &str, client_id: u64) -> Integration {
        Integration {
            name: name.to_string(),
            description: description.to_string(),
            jwt_public_key: fake_public_key(),
            client_id,
            client_secret: SecretString::from(random_token(48)),
            connections: BTreeMap::new(),
            oauth_clients: BTreeMap::new(),
            bundles: BTreeMap::new(),
            job_specs: BTreeMap::new(),
        }
    }

    pub(crate) fn identifier(&self) -> String {
        format!("zis_{}", self.name)
    }

    /// The registry listing entry (client secret redacted).
    pub(crate) fn listing_json(&self) -> Value {
        json!({
            "name": self.name,
            "description": self.description,
            "jwt_public_key": self.jwt_public_key,
            "zendesk_oauth_client": {
                "id": self.client_id,
                "identifier": self.identifier(),
                "secret": REDACTED_CLIENT_SECRET,
            }
        })
    }

    /// The answer to a registration: the only place the client secret is ever sent.
    pub(crate) fn registration_json(&self) -> Value {
        json!({
            "description": self.description,
            "jwt_public_key": self.jwt_public_key,
            "zendesk_oauth_client": {
                "id": self.client_id,
                "identifier": self.identifier(),
                "secret": self.client_secret.expose_secret(),
            }
        })
    }
}
