//! The sandbox's in-memory account: integrations (the registry), their OAuth clients, minted
//! tokens, connections and the OAuth side of sign-in. The [`Store`] is here; the rest is split
//! by concern: `model` (the data types and their JSON), `registry` (integrations, OAuth clients
//! and minted tokens), `oauth` (the sandbox's OAuth clients, codes, admin tokens, switches),
//! `connections` (reading and writing connections), `oauth_clients` (ZIS OAuth clients, OAuth
//! flows and the OAuth connections they write), `bundles` (bundles and job specs), `pages`
//! (cursor pagination), `rules` (validation rules) and `helpers` (timestamps, random values,
//! secret comparison).
//!
//! Secrets (passwords, API keys, bearer tokens, OAuth client secrets, OAuth connection tokens,
//! minted access tokens) are held in [`SecretString`](secrecy::SecretString) or in
//! [`TokenTable`], whose `Debug` prints no token. Nothing here logs. Responses are built by
//! [`Connection::to_json`], which redacts the three creatable kinds to `"*****"` and shows an
//! OAuth connection's tokens in clear, and by [`ZisOAuthClient::to_json`], which shows the
//! client secret in clear: both as Zendesk's documented examples do.

mod bundles;
mod connections;
mod helpers;
mod model;
mod oauth;
mod oauth_clients;
mod pages;
mod registry;
mod rules;
mod target;

use std::collections::BTreeMap;

pub(crate) use self::bundles::{Bundle, Hostile, HostileAnswer, JobSpec, TEMPLATE_VERSION};
pub(crate) use self::connections::ConnError;
pub(crate) use self::helpers::{
    format_ts, format_ts_secs, now, random_token, random_uuid, secret_eq,
};
pub(crate) use self::model::{Connection, Creds, Integration, Kind, OAuthConn};
pub(crate) use self::oauth::{
    parse_scopes, AuthRequest, CodeExchange, Issued, OAuthError, OAuthErrorKind, OAuthSettings,
    OAuthState, User, CONFIDENTIAL_CLIENT_ID, PUBLIC_CLIENT_ID,
};
pub(crate) use self::oauth_clients::{
    flow_deadline, FlowError, FlowTable, GrantType, PendingFlow, ZisOAuthClient,
};
pub(crate) use self::pages::{decode_cursor, paginate, PageFrom};
pub(crate) use self::registry::{Grant, RegisterError, TokenTable};
pub(crate) use self::rules::{
    check_allowed_domain, check_connection_name, check_header_name, check_oauth_name, check_secret,
    check_url, check_username, valid_integration_name,
};
pub(crate) use self::target::{Target, TargetRefusal};

/// First OAuth client id handed out (the contract's example id is 10066).
const FIRST_CLIENT_ID: u64 = 10_000;

/// The whole account.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) integrations: BTreeMap<String, Integration>,
    pub(crate) tokens: TokenTable,
    pub(crate) oauth: OAuthState,
    /// OAuth connection flows in progress (`POST .../oauth/start/{integration}`).
    pub(crate) flows: FlowTable,
    /// The stand-in target system (`/_sandbox/target/...`).
    pub(crate) target: Target,
    next_client_id: u64,
    next_token_id: u64,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            integrations: BTreeMap::new(),
            tokens: TokenTable::default(),
            oauth: OAuthState::new(OAuthSettings::default()),
            flows: FlowTable::default(),
            target: Target::default(),
            next_client_id: FIRST_CLIENT_ID,
            next_token_id: 1,
        }
    }
}

#[cfg(test)]
mod tests;
