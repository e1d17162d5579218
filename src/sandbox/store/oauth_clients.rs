//! ZIS OAuth clients (the OAuth clients of other providers that an integration registers, to
//! make OAuth connections with), the OAuth flows in progress, and the OAuth connections a
//! finished flow writes.
//!
//! A client's `client_secret` is a [`SecretString`]; it is sent in clear by the listing, as
//! Zendesk's documented example has it, and nowhere else. Flows are kept by the SHA-256 digest
//! of their one-time token, so neither `Debug` nor a log can show one.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::connections::ConnError;
use super::helpers::{format_ts, now, random_uuid};
use super::model::{Connection, Creds, Kind, OAuthConn};
use super::oauth::{after, digest, os_random_hex, Digest};
use super::Store;

/// [guess] How long a started flow waits for its consent or its verification.
pub(crate) const FLOW_TTL: Duration = Duration::from_secs(600);
/// The lifetime of the tokens a finished flow stores (the contract: one hour).
pub(crate) const FLOW_TOKEN_LIFETIME_SECS: i64 = 3600;

/// An OAuth client's grant type [doc].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GrantType {
    AuthorizationCode,
    ClientCredentials,
}

impl GrantType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::ClientCredentials => "client_credentials",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<GrantType> {
        match s {
            "authorization_code" => Some(GrantType::AuthorizationCode),
            "client_credentials" => Some(GrantType::ClientCredentials),
            _ => None,
        }
    }
}

/// One ZIS OAuth client. `Debug` shows no secret.
#[derive(Clone)]
pub(crate) struct ZisOAuthClient {
    pub(crate) uuid: String,
    pub(crate) name: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    pub(crate) token_url: String,
    pub(crate) auth_url: Option<String>,
    pub(crate) default_scopes: String,
    pub(crate) grant_type: GrantType,
    pub(crate) created_by: String,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
}

impl fmt::Debug for ZisOAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZisOAuthClient")
            .field("uuid", &self.uuid)
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("grant_type", &self.grant_type)
            .finish_non_exhaustive()
    }
}

impl ZisOAuthClient {
    /// The client as ZIS shows it, `client_secret` in clear [doc: the listing's example].
    pub(crate) fn to_json(&self, integration: &str) -> Value {
        json!({
            "uuid": self.uuid,
            "name": self.name,
            "client_id": self.client_id,
            "client_secret": self.client_secret.expose_secret(),
            "token_url": self.token_url,
            "auth_url": self.auth_url,
            "default_scopes": self.default_scopes,
            "grant_type": self.grant_type.as_str(),
            "integration": integration,
            "created_by": self.created_by,
            "created_at": format_ts(self.created_at),
            "updated_at": format_ts(self.updated_at),
        })
    }
}

/// A started OAuth flow, waiting for the provider's consent (authorization_code) or for its
/// verification URL to be fetched (client_credentials).
#[derive(Debug, Clone)]
pub(crate) struct PendingFlow {
    pub(crate) integration: String,
    /// The OAuth connection it will write.
    pub(crate) name: String,
    pub(crate) client_uuid: String,
    pub(crate) grant: GrantType,
    pub(crate) scopes: String,
    pub(crate) offline: bool,
    pub(crate) origin: Option<String>,
    /// The ZIS token that started it (a client_credentials flow is finished by that token).
    pub(crate) token_id: u64,
    pub(crate) user_id: u64,
    pub(crate) expires_at: OffsetDateTime,
}

/// Flows in progress, by the digest of their one-time token. `Debug` shows how many.
#[derive(Default)]
pub(crate) struct FlowTable {
    by_token: HashMap<Digest, PendingFlow>,
}

impl fmt::Debug for FlowTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlowTable")
            .field("flows", &self.by_token.len())
            .finish()
    }
}

/// Why a flow could not write its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlowError {
    /// Its OAuth client was deleted meanwhile.
    ClientGone,
    /// The name is now held by a connection of another kind.
    Conflict,
    /// The integration is unknown (cannot happen: integrations cannot be deleted).
    NoIntegration,
}

/// What a finished flow wrote.
#[derive(Debug, Clone)]
pub(crate) struct Finished {
    pub(crate) name: String,
    pub(crate) token_expiry: OffsetDateTime,
    pub(crate) created: bool,
}

impl Store {
    /// Adds a client; `Conflict` if the name is taken in this integration.
    pub(crate) fn create_oauth_client(
        &mut self,
        integration: &str,
        client: ZisOAuthClient,
    ) -> Result<&ZisOAuthClient, ConnError> {
        let integ = self
            .integrations
            .get_mut(integration)
            .ok_or(ConnError::NotFound)?;
        if integ.oauth_clients.contains_key(&client.name) {
            return Err(ConnError::Conflict);
        }
        let name = client.name.clone();
        integ.oauth_clients.insert(name.clone(), client);
        integ.oauth_clients.get(&name).ok_or(ConnError::NotFound)
    }

    pub(crate) fn oauth_client_by_uuid(
        &self,
        integration: &str,
        uuid: &str,
    ) -> Option<&ZisOAuthClient> {
        self.integrations
            .get(integration)?
            .oauth_clients
            .values()
            .find(|c| c.uuid == uuid)
    }

    pub(crate) fn oauth_client_by_uuid_mut(
        &mut self,
        integration: &str,
        uuid: &str,
    ) -> Option<&mut ZisOAuthClient> {
        self.integrations
            .get_mut(integration)?
            .oauth_clients
            .values_mut()
            .find(|c| c.uuid == uuid)
    }

    /// Deletes a client and, as ZIS does [live], every OAuth connection made with it. Answers
    /// the names of the connections deleted with it.
    pub(crate) fn delete_oauth_client(
        &mut self,
        integration: &str,
        uuid: &str,
    ) -> Result<Vec<String>, ConnError> {
        let integ = self
            .integrations
            .get_mut(integration)
            .ok_or(ConnError::NotFound)?;
        let name = integ
            .oauth_clients
            .values()
            .find(|c| c.uuid == uuid)
            .map(|c| c.name.clone())
            .ok_or(ConnError::NotFound)?;
        integ.oauth_clients.remove(&name);
        let cascade: Vec<String> = integ
            .connections
            .values()
            .filter(|c| match &c.creds {
                Creds::OAuth(o) => o.oauth_client_uuid.as_deref() == Some(uuid),
                _ => false,
            })
            .map(|c| c.name.clone())
            .collect();
        for n in &cascade {
            integ.connections.remove(n);
        }
        Ok(cascade)
    }

    /// Remembers a started flow; answers its one-time token (`None` if the OS random source
    /// fails).
    pub(crate) fn start_flow(&mut self, flow: PendingFlow) -> Option<String> {
        self.purge_flows();
        let token = os_random_hex()?;
        self.flows.by_token.insert(digest(&token), flow);
        Some(token)
    }

    /// The flow a token stands for, if it is still waiting.
    pub(crate) fn peek_flow(&mut self, token: &str) -> Option<&PendingFlow> {
        self.purge_flows();
        self.flows.by_token.get(&digest(token))
    }

    /// Takes (once) the flow a token stands for.
    pub(crate) fn take_flow(&mut self, token: &str) -> Option<PendingFlow> {
        self.purge_flows();
        self.flows.by_token.remove(&digest(token))
    }

    fn purge_flows(&mut self) {
        let t = now();
        self.flows.by_token.retain(|_, f| f.expires_at > t);
    }

    /// Writes the OAuth connection a flow was for: fresh tokens that last an hour, made with
    /// the flow's client. An OAuth connection of that name is refreshed in place (its uuid,
    /// creation time and author kept [guess]); a new one is created otherwise. The new
    /// `token_expiry` is always later than the one it replaces, so a client waiting for it to
    /// move sees it move.
    pub(crate) fn finish_flow(&mut self, flow: &PendingFlow) -> Result<Finished, FlowError> {
        let integ = self
            .integrations
            .get_mut(&flow.integration)
            .ok_or(FlowError::NoIntegration)?;
        if !integ
            .oauth_clients
            .values()
            .any(|c| c.uuid == flow.client_uuid)
        {
            return Err(FlowError::ClientGone);
        }
        let t = now();
        let mut expiry = t + time::Duration::seconds(FLOW_TOKEN_LIFETIME_SECS);
        let (access, refresh, body) =
            OAuthConn::tokens(&flow.scopes, Some(FLOW_TOKEN_LIFETIME_SECS), flow.offline);
        match integ.connections.get_mut(&flow.name) {
            Some(c) if c.kind() != Kind::OAuth => Err(FlowError::Conflict),
            Some(c) => {
                if let Creds::OAuth(o) = &mut c.creds {
                    if let Some(old) = o.token_expiry {
                        if expiry <= old {
                            expiry = old + time::Duration::seconds(1);
                        }
                    }
                    o.oauth_client_uuid = Some(flow.client_uuid.clone());
                    o.permission_scope = flow.scopes.clone();
                    o.token_type = "bearer".into();
                    o.token_expiry = Some(expiry);
                    o.access_token = access;
                    o.refresh_token = refresh;
                    o.response_body = body;
                }
                c.updated_at = t.max(c.updated_at);
                Ok(Finished {
                    name: flow.name.clone(),
                    token_expiry: expiry,
                    created: false,
                })
            }
            None => {
                let conn = Connection {
                    name: flow.name.clone(),
                    allowed_domain: String::new(),
                    created_at: t,
                    updated_at: t,
                    creds: Creds::OAuth(OAuthConn {
                        uuid: random_uuid(),
                        oauth_client_uuid: Some(flow.client_uuid.clone()),
                        permission_scope: flow.scopes.clone(),
                        token_type: "bearer".into(),
                        token_expiry: Some(expiry),
                        created_by: flow.user_id.to_string(),
                        access_token: access,
                        refresh_token: refresh,
                        response_body: body,
                    }),
                };
                integ.connections.insert(flow.name.clone(), conn);
                Ok(Finished {
                    name: flow.name.clone(),
                    token_expiry: expiry,
                    created: true,
                })
            }
        }
    }
}

/// When a flow started now stops waiting.
pub(crate) fn flow_deadline() -> OffsetDateTime {
    after(now(), FLOW_TTL)
}
