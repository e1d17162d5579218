//! The TUI's nouns: who we talk to, the screen and pane, the integrations with their audit
//! verdicts, banners; and the two ids every other part of `app` uses, `ReqId` and `ConnKey`.
use std::fmt;

use crate::zis::{Connection, ConnectionKind, Integration, TokenSource, ZisOAuthClient};

/// Identifies one request; an answer whose id is no longer expected is dropped.
pub type ReqId = u64;

/// Identifies a connection: names are unique within an integration across kinds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnKey {
    pub integration: String,
    pub kind: ConnectionKind,
    pub name: String,
}

impl ConnKey {
    pub fn of(integration: &str, c: &Connection) -> ConnKey {
        ConnKey {
            integration: integration.to_string(),
            kind: c.kind,
            name: c.name.clone(),
        }
    }
}

impl fmt::Display for ConnKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.integration, self.name)
    }
}

/// Who we talk to, for the status line, and how to behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub profile: String,
    pub base_url: String,
    /// Where the credentials came from ("env ZENDESK_API_TOKEN", ...).
    pub credential_source: String,
    pub readonly: bool,
    pub stale_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// No configuration at all: say how to configure, offer the demo.
    FirstRun(FirstRun),
    Main,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FirstRun {
    pub config_path: Option<String>,
    /// The demo is being started.
    pub starting: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Integrations,
    Connections,
}

/// What the right pane shows for an integration: its connections, or its OAuth clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RightTab {
    #[default]
    Connections,
    OAuthClients,
}

/// What the left pane has selected: the "All connections" audit view, or one integration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LeftSel {
    All,
    Integration(String),
}

/// One line of the left pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftItem {
    All,
    /// Index into `State::integrations`.
    Integration(usize),
}

/// An integration and what we know of its connections.
#[derive(Debug, Clone)]
pub struct IntegrationEntry {
    pub integration: Integration,
    /// The last list loaded (kept on screen while a reload runs).
    pub connections: Option<Vec<Connection>>,
    /// The request whose answer we wait for; any other answer is dropped.
    pub loading: Option<ReqId>,
    pub error: Option<String>,
    pub token: Option<TokenSource>,
    /// Its ZIS OAuth clients, once asked for (never their secrets).
    pub oauth_clients: Option<Vec<ZisOAuthClient>>,
    /// The OAuth clients request whose answer we wait for.
    pub clients_loading: Option<ReqId>,
    pub clients_error: Option<String>,
}

impl IntegrationEntry {
    pub fn new(integration: Integration) -> IntegrationEntry {
        IntegrationEntry {
            integration,
            connections: None,
            loading: None,
            error: None,
            token: None,
            oauth_clients: None,
            clients_loading: None,
            clients_error: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.integration.name
    }
}

/// The audit's verdict on one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditInfo {
    pub age_days: Option<i64>,
    pub stale: bool,
    pub findings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warn,
    Info,
}

/// A message across the top of the screen. Errors stay until dismissed; others expire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    pub level: Level,
    pub text: String,
    /// Ticks left before it disappears (None: until dismissed).
    pub ttl: Option<u32>,
}
