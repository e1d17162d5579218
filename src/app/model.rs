//! The TUI's nouns: who we talk to, the screen and pane, the integrations with their audit
//! verdicts, banners; and the two ids every other part of `app` uses, `ReqId` and `ConnKey`.
use std::fmt;

use crate::usage::Usage;
use crate::zis::{BundleSet, Connection, ConnectionKind, Integration, TokenSource, ZisOAuthClient};

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

/// What is known of an integration's bundles and job specs, and the usage graph built from
/// them and its connections (rebuilt when either changes).
#[derive(Debug, Clone, Default)]
pub struct BundlesEntry {
    /// The last set loaded (kept on screen while a reload runs).
    pub set: Option<BundleSet>,
    /// The request whose answer we wait for; any other answer is dropped.
    pub loading: Option<ReqId>,
    pub error: Option<String>,
    pub usage: Option<Usage>,
}

impl BundlesEntry {
    /// Lines of the bundles view of this entry: what scrolling may move through. The view
    /// draws exactly these (`ui::bundles`): per bundle a heading and its own problems, per
    /// resource a line and one per problem, then the job specs no bundle defines.
    pub fn view_lines(&self) -> usize {
        let Some(u) = &self.usage else {
            return 1;
        };
        let bundles: usize = u
            .bundles
            .iter()
            .map(|b| {
                1 + b.problems.len()
                    + b.resources
                        .iter()
                        .map(|r| 1 + r.problems.len())
                        .sum::<usize>()
            })
            .sum();
        let orphans = if u.orphan_job_specs.is_empty() {
            0
        } else {
            let own = u
                .problems
                .iter()
                .filter(|p| p.bundle == crate::usage::NONE)
                .count();
            1 + u.orphan_job_specs.len() + own
        };
        (bundles + orphans).max(1)
    }
}

/// What the TUI can say of what uses the connections of one integration.
#[derive(Debug, Clone, Copy)]
pub enum UsageState<'a> {
    /// Not asked for yet, or on its way.
    Loading,
    /// The bundles could not be read.
    Failed(&'a str),
    Known(&'a Usage),
}

/// The audit's verdict on one connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditInfo {
    pub age_days: Option<i64>,
    pub stale: bool,
    pub findings: Vec<String>,
}

impl AuditInfo {
    /// No bundle uses the connection (and every bundle of its integration was read).
    pub fn unused(&self) -> bool {
        self.findings.iter().any(|f| f == crate::audit::NOT_USED)
    }
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

/// Where the last frame drew the main screen's panes, for the mouse: written by the runtime
/// after each frame (from `ui::hitmap`, the layout the view drew), read by `update`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hitmap {
    /// The integrations pane, border included (no width when folded).
    pub integrations: ratatui::layout::Rect,
    /// Where its items are listed, and the index in `left_rows` of the first one shown.
    pub left_items: ratatui::layout::Rect,
    pub left_first: usize,
    /// The right pane (connections or OAuth clients), border included.
    pub table: ratatui::layout::Rect,
    /// Where its rows are (under the header), and the index of the first row shown.
    pub rows: ratatui::layout::Rect,
    pub first_row: usize,
}

/// An account opened from a profile of the config, as the runtime hands it to the app when
/// `:ctx` switches to it.
pub struct Account {
    pub ctx: Context,
    pub recipes: crate::rotation::Recipes,
    /// How its generated passwords are made (the profile's length, charset, exclusions).
    pub password: crate::secret::Policy,
    /// Who is signed in (a stored `auth login`), and when that session ends.
    pub signed_in: Option<String>,
    pub session_ends: Option<time::OffsetDateTime>,
    /// The recovery store is there for this account.
    pub recovery: bool,
    pub audit_log_refused: Option<String>,
}
