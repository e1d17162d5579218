//! The account's data types: connection kinds, credentials, connections and integrations, and
//! the JSON ZIS shows for them (every secret redacted).

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::helpers::{fake_public_key, format_ts, random_token};

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
    /// Made by an OAuth flow in real ZIS; here only seeded.
    OAuth {
        access_token: SecretString,
        permission_scope: String,
        uuid: String,
    },
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
            Creds::OAuth { .. } => Kind::OAuth,
        }
    }

    pub(crate) fn secret(&self) -> &SecretString {
        match &self.creds {
            Creds::BasicAuth { password, .. } => password,
            Creds::ApiKey { api_key, .. } => api_key,
            Creds::BearerToken { token } => token,
            Creds::OAuth { access_token, .. } => access_token,
        }
    }

    /// The connection as ZIS shows it: secrets replaced by `"*****"`.
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
            Creds::OAuth {
                permission_scope,
                uuid,
                ..
            } => {
                // [guess] The OAuth connection shape follows Zendesk's "OAuth Connections" page
                // (access_token, refresh_token, token_type, permission_scope, uuid, integration,
                // ...); it documents no allowed_domain, so none is sent. created_at/updated_at
                // are sent because ZIS_API.md says every kind has them.
                m.insert("integration".into(), json!(integration));
                m.insert("access_token".into(), json!(REDACTED));
                m.insert("refresh_token".into(), json!(REDACTED));
                m.insert("token_type".into(), json!("bearer"));
                m.insert("permission_scope".into(), json!(permission_scope));
                m.insert("uuid".into(), json!(uuid));
                m.insert("token_expiry".into(), Value::Null);
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
