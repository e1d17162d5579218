//! The OAuth side of the TUI's state: the OAuth clients tab of an integration (its rows and
//! selection), the delete question that names the OAuth connections a client takes with it
//! (or asks to type a reserved name first), and the re-authorise window.
use std::fmt;

use time::OffsetDateTime;

use crate::zis::{Connection, ConnectionKind, ZisOAuthClient};

use super::model::{ConnKey, LeftSel, ReqId, RightTab};
use super::state::State;
use super::table::SortKey;

/// What a delete question is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteTarget {
    Connection(ConnKey),
    OAuthClient {
        integration: String,
        uuid: String,
        name: String,
    },
}

/// A delete that needs more than `y`: an OAuth client (ZIS deletes its OAuth connections
/// with it: they are listed), or the reserved `zendesk` connection (its name must be typed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteQuestion {
    pub target: DeleteTarget,
    /// The OAuth connections deleted with it; None when the connections are not loaded.
    pub cascade: Option<Vec<String>>,
    /// The word to type before the delete runs (a reserved connection goes with it).
    pub must_type: Option<String>,
    pub typed: String,
}

impl DeleteQuestion {
    /// May the delete run now?
    pub fn ready(&self) -> bool {
        self.must_type.as_ref().is_none_or(|w| *w == self.typed)
    }
}

/// Where a re-authorisation is.
#[derive(Clone, PartialEq, Eq)]
pub enum AuthPhase {
    /// Choosing the OAuth client; nothing was sent.
    Choose,
    /// The flow's start was asked for.
    Starting(ReqId),
    /// Waiting for the connection's token to move. `url`: what to open in a browser (None:
    /// a client-credentials flow, which zisctl finished itself).
    Waiting {
        req: ReqId,
        url: Option<String>,
    },
    /// The token moved: its new expiry.
    Done {
        expiry: Option<OffsetDateTime>,
    },
    Failed(String),
}

impl fmt::Debug for AuthPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthPhase::Choose => f.write_str("Choose"),
            AuthPhase::Starting(r) => write!(f, "Starting(#{r})"),
            // The URL carries the flow's one-time state: its length only.
            AuthPhase::Waiting { req, url } => write!(
                f,
                "Waiting(#{req}, url: {})",
                url.as_ref().map_or(0, |u| u.len())
            ),
            AuthPhase::Done { expiry } => write!(f, "Done({expiry:?})"),
            AuthPhase::Failed(e) => write!(f, "Failed({e})"),
        }
    }
}

/// The re-authorise window of an OAuth connection (`r` on one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeFlow {
    pub key: ConnKey,
    /// The chosen OAuth client (its uuid); at first the one the connection was made with.
    pub client: Option<String>,
    /// The scopes to ask for: the connection's own, else the client's defaults.
    pub scopes: Option<String>,
    /// The connection as it was, to see its token move.
    pub before: Option<Connection>,
    pub phase: AuthPhase,
    /// The URL was copied to the clipboard.
    pub copied: bool,
}

impl State {
    /// The OAuth clients tab is on screen (it belongs to one integration).
    pub fn clients_tab(&self) -> bool {
        self.tab == RightTab::OAuthClients && matches!(self.left_sel, LeftSel::Integration(_))
    }

    /// The OAuth clients of `integration`, once loaded.
    pub fn clients_of(&self, integration: &str) -> Option<&[ZisOAuthClient]> {
        self.entry(integration)?.oauth_clients.as_deref()
    }

    /// The name of `integration`'s OAuth client `uuid`, when known.
    pub fn client_name(&self, integration: &str, uuid: &str) -> Option<&str> {
        self.clients_of(integration)?
            .iter()
            .find(|c| c.uuid == uuid)
            .map(|c| c.name.as_str())
    }

    /// The clients tab's rows: the selected integration's OAuth clients, through the table's
    /// filter, in the table's sort (kind sorts by grant type, domain by token URL).
    pub fn client_rows(&self) -> Vec<&ZisOAuthClient> {
        let Some(e) = self.selected_entry() else {
            return Vec::new();
        };
        let Some(list) = &e.oauth_clients else {
            return Vec::new();
        };
        let mut m = self.table_filter.matcher();
        let mut rows: Vec<(u32, &ZisOAuthClient)> = list
            .iter()
            .filter_map(|c| match &mut m {
                None => Some((0, c)),
                Some(m) => {
                    let hay = format!(
                        "{} {} {} {} {}",
                        c.name,
                        c.client_id,
                        c.grant_type.as_deref().unwrap_or(""),
                        c.token_url,
                        c.default_scopes.as_deref().unwrap_or("")
                    );
                    m.score(&hay).map(|s| (s, c))
                }
            })
            .collect();
        let ranked = m.as_ref().is_some_and(|m| m.ranks());
        let sort = self.sort_one;
        let now = self.now;
        rows.sort_by(|(sa, a), (sb, b)| {
            let primary = match sort.key {
                SortKey::Kind => a.grant().cmp(&b.grant()),
                SortKey::Age => a
                    .age_days(now)
                    .unwrap_or(i64::MAX)
                    .cmp(&b.age_days(now).unwrap_or(i64::MAX)),
                SortKey::Domain => a.token_url.to_lowercase().cmp(&b.token_url.to_lowercase()),
                SortKey::Name | SortKey::Integration => std::cmp::Ordering::Equal,
            };
            let mut o = primary.then(a.name.to_lowercase().cmp(&b.name.to_lowercase()));
            if sort.descending {
                o = o.reverse();
            }
            if ranked {
                o = sb.cmp(sa).then(o);
            }
            o
        });
        rows.into_iter().map(|(_, c)| c).collect()
    }

    /// The selected OAuth client of the clients tab, and its integration: the one chosen if
    /// it is still a row, else the first row.
    pub fn selected_client(&self) -> Option<(&str, &ZisOAuthClient)> {
        let integration = self.selected_entry()?.name();
        let rows = self.client_rows();
        let pick = self
            .client_sel
            .as_ref()
            .and_then(|u| rows.iter().find(|c| c.uuid == *u))
            .or(rows.first())
            .copied()?;
        Some((integration, pick))
    }

    /// Index of the selected client within [`State::client_rows`].
    pub fn selected_client_index(&self) -> Option<usize> {
        let (_, sel) = self.selected_client()?;
        self.client_rows().iter().position(|c| c.uuid == sel.uuid)
    }

    /// The OAuth connections of `integration` built on the client `uuid` (what a delete of
    /// the client takes with it), sorted; None while the connections are not loaded.
    pub fn connections_of_client(&self, integration: &str, uuid: &str) -> Option<Vec<String>> {
        let conns = self.entry(integration)?.connections.as_ref()?;
        let mut names: Vec<String> = conns
            .iter()
            .filter(|c| {
                c.kind == ConnectionKind::OAuth
                    && c.oauth
                        .as_ref()
                        .and_then(|o| o.oauth_client_uuid.as_deref())
                        == Some(uuid)
            })
            .map(|c| c.name.clone())
            .collect();
        names.sort();
        Some(names)
    }

    /// Whole days since the client was updated, and whether that is past the stale threshold.
    pub fn client_age(&self, c: &ZisOAuthClient) -> (Option<i64>, bool) {
        let age = c.age_days(self.now);
        (
            age,
            age.is_some_and(|a| a >= i64::from(self.ctx.stale_days)),
        )
    }
}
