//! `State`, the whole of the TUI's state, and its accessors. `update` writes it; `ui::view`
//! reads it.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use time::OffsetDateTime;

use crate::zis::Connection;

use super::filter::Filter;
use super::modal::{HelpView, InputLine, Modal, Search};
use super::model::{
    AuditInfo, Banner, BundlesEntry, ConnKey, Context, FirstRun, Hitmap, IntegrationEntry,
    LeftItem, LeftSel, Pane, ReqId, RightTab, Screen, UsageState,
};
use super::table::{Derived, Row, RowsKey, Sort, SortKey, Widest};

pub struct State {
    pub ctx: Context,
    pub screen: Screen,
    pub color: bool,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub now: OffsetDateTime,
    /// Who is signed in ("Ann <ann@acme.com>", from the stored `auth login`), for the status
    /// line.
    pub signed_in: Option<String>,
    /// When the admin session ends for good: its refresh token's end, or its access token's
    /// when it holds no refresh token. The status line says it when it is close.
    pub session_ends: Option<OffsetDateTime>,
    /// A renewal of the sign-in was refused (or it is gone): the status line says so, and
    /// the banner what to do. The screen stays.
    pub signed_out: bool,

    pub integrations: Vec<IntegrationEntry>,
    pub integrations_req: Option<ReqId>,
    pub integrations_loaded: bool,
    pub integrations_error: Option<String>,

    pub focus: Pane,
    pub left_sel: LeftSel,
    pub left_filter: Filter,
    pub table_sel: Option<ConnKey>,
    /// The selection remembered for each left item, restored when coming back to it.
    pub remembered: HashMap<LeftSel, ConnKey>,
    pub table_filter: Filter,
    pub sort_one: Sort,
    pub sort_all: Sort,
    /// All view: only stale connections or ones with findings.
    pub only_findings: bool,
    /// All view: only connections no bundle uses.
    pub only_unused: bool,
    /// Bundles, job specs and usage graph per integration name.
    pub bundles: BTreeMap<String, BundlesEntry>,
    /// First visible row of the table (the view keeps the selection in sight).
    pub scroll: usize,
    /// How many table rows are on screen, as the view last reported (`Action::Viewport`).
    pub table_rows: usize,
    /// Where the last frame put the panes (the mouse's clicks and wheel find them here).
    pub hitmap: Hitmap,
    pub marked: BTreeSet<ConnKey>,
    /// The right pane's tab: connections, or the integration's OAuth clients.
    pub tab: RightTab,
    /// The selected OAuth client (its uuid) in the OAuth clients tab.
    pub client_sel: Option<String>,

    pub modal: Option<Modal>,
    /// The help window, over the modal or the input line it was opened from.
    pub help: Option<HelpView>,
    /// A search in the help window or the audit log (`/`, then `n` / `N`).
    pub search: Option<Search>,
    pub input: Option<InputLine>,
    /// The `:` lines run this session, oldest first (Up/Down on the command line). Kept in
    /// memory only; no command takes a secret.
    pub command_history: Vec<String>,
    pub banner: Option<Banner>,
    /// "rate limited, waiting N s" with ticks left.
    pub rate_note: Option<(String, u32)>,
    /// Requests in flight and what they are.
    pub in_flight: BTreeMap<ReqId, String>,
    pub tick: u64,
    pub next_req: ReqId,
    pub quit: Option<i32>,
    /// The audit log could not be written (what to say): added to every banner until Esc.
    pub audit_failure: Option<String>,
    /// A recovery store takes the rotated passwords the app must let go of unseen (none in
    /// the demo: its sandbox ends with it).
    pub recovery: bool,
    /// Inside tmux (`$TMUX`): it keeps its own copy of what OSC 52 copies.
    pub tmux: bool,
    /// Passwords the recovery store held when the app started.
    pub kept_passwords: usize,
    /// The profiles of the config file, for `:ctx` (sorted; empty without a config).
    pub profiles: Vec<String>,
    /// The profile's rotation recipes: which connections zisctl sets and tests at their
    /// target before ZIS takes the new password.
    pub recipes: crate::rotation::Recipes,
    /// How Ctrl-G and the rotation window make passwords (the profile's `password_*`).
    pub password: crate::secret::Policy,
    /// Why the audit log was refused at start (the app is then read-only), said in a banner.
    pub audit_log_refused: Option<String>,

    // Derived by `recompute` after every change.
    pub left_rows: Vec<LeftItem>,
    pub rows: Vec<Row>,
    /// Audit verdicts, `audit[entry][conn]`, parallel to `integrations[entry].connections`.
    pub audit: Vec<Vec<AuditInfo>>,
    pub widest: Widest,
    /// Bumped whenever integrations or connections change.
    pub data_gen: u64,
    pub rows_key: Option<RowsKey>,
    /// What sorting, filtering and the column widths need, worked out once per data change
    /// so that a keystroke or a re-sort over thousands of rows allocates nothing per row.
    pub(super) derived: Derived,
    /// Set while `update_all` applies a burst of answers: `recompute` then only notes
    /// (`true`) that it is due, and runs once at the end.
    pub(crate) deferred: Option<bool>,
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("screen", &self.screen)
            .field("focus", &self.focus)
            .field("left_sel", &self.left_sel)
            .field("table_sel", &self.table_sel)
            .field("tab", &self.tab)
            .field("client_sel", &self.client_sel)
            .field("modal", &self.modal)
            .field("help", &self.help)
            .field("banner", &self.banner)
            .finish_non_exhaustive()
    }
}

/// Ticks per second (the runtime ticks every 100 ms while something needs it).
pub const TICKS_PER_SEC: u32 = 10;

/// The table rows a new state assumes until the view reports its own: what the table shows
/// on the default 120×40 terminal (`size`).
pub const DEFAULT_TABLE_ROWS: usize = 24;

impl State {
    pub fn new(ctx: Context, now: OffsetDateTime) -> State {
        State {
            ctx,
            screen: Screen::Main,
            color: true,
            size: (120, 40),
            now,
            signed_in: None,
            session_ends: None,
            signed_out: false,
            integrations: Vec::new(),
            integrations_req: None,
            integrations_loaded: false,
            integrations_error: None,
            focus: Pane::Integrations,
            left_sel: LeftSel::All,
            left_filter: Filter::default(),
            table_sel: None,
            command_history: Vec::new(),
            remembered: HashMap::new(),
            table_filter: Filter::default(),
            sort_one: Sort {
                key: SortKey::Name,
                descending: false,
            },
            sort_all: Sort {
                key: SortKey::Age,
                descending: true,
            },
            only_findings: false,
            only_unused: false,
            bundles: BTreeMap::new(),
            scroll: 0,
            table_rows: DEFAULT_TABLE_ROWS,
            hitmap: Hitmap::default(),
            marked: BTreeSet::new(),
            tab: RightTab::Connections,
            client_sel: None,
            modal: None,
            help: None,
            search: None,
            input: None,
            banner: None,
            rate_note: None,
            in_flight: BTreeMap::new(),
            tick: 0,
            next_req: 1,
            quit: None,
            audit_failure: None,
            recovery: false,
            tmux: false,
            kept_passwords: 0,
            profiles: Vec::new(),
            recipes: crate::rotation::Recipes::default(),
            password: crate::secret::Policy::default(),
            audit_log_refused: None,
            left_rows: vec![LeftItem::All],
            rows: Vec::new(),
            audit: Vec::new(),
            widest: Widest::default(),
            data_gen: 0,
            rows_key: None,
            derived: Derived::default(),
            deferred: None,
        }
    }

    /// The first-run state: nothing configured.
    pub fn first_run(config_path: Option<String>, now: OffsetDateTime) -> State {
        let mut s = State::new(
            Context {
                profile: "-".into(),
                base_url: "not configured".into(),
                credential_source: "none".into(),
                readonly: false,
                stale_days: 90,
            },
            now,
        );
        s.screen = Screen::FirstRun(FirstRun {
            config_path,
            starting: false,
            error: None,
        });
        s
    }

    pub fn is_all_view(&self) -> bool {
        self.left_sel == LeftSel::All
    }

    pub fn sort(&self) -> Sort {
        if self.is_all_view() {
            self.sort_all
        } else {
            self.sort_one
        }
    }

    pub fn entry(&self, name: &str) -> Option<&IntegrationEntry> {
        self.integrations.iter().find(|e| e.name() == name)
    }

    pub fn entry_index(&self, name: &str) -> Option<usize> {
        self.integrations.iter().position(|e| e.name() == name)
    }

    /// The integration the left pane has selected (None in the All view).
    pub fn selected_entry(&self) -> Option<&IntegrationEntry> {
        match &self.left_sel {
            LeftSel::All => None,
            LeftSel::Integration(n) => self.entry(n),
        }
    }

    /// Index of the left selection within `left_rows`.
    pub fn left_index(&self) -> Option<usize> {
        self.left_rows
            .iter()
            .position(|it| match (it, &self.left_sel) {
                (LeftItem::All, LeftSel::All) => true,
                (LeftItem::Integration(i), LeftSel::Integration(n)) => {
                    self.integrations.get(*i).is_some_and(|e| e.name() == n)
                }
                _ => false,
            })
    }

    pub fn row_connection(&self, row: Row) -> Option<(&IntegrationEntry, &Connection)> {
        let e = self.integrations.get(row.entry)?;
        let c = e.connections.as_ref()?.get(row.conn)?;
        Some((e, c))
    }

    pub fn row_key(&self, row: Row) -> Option<ConnKey> {
        self.row_connection(row)
            .map(|(e, c)| ConnKey::of(e.name(), c))
    }

    /// Index of the table selection within `rows`.
    pub fn selected_index(&self) -> Option<usize> {
        let sel = self.table_sel.as_ref()?;
        let is_sel = |r: &Row| {
            self.row_connection(*r).is_some_and(|(e, c)| {
                e.name() == sel.integration && c.name == sel.name && c.kind == sel.kind
            })
        };
        // A connection is in `rows` at most once, and the selection is nearly always on
        // screen: look there first, then everywhere.
        let lo = self.scroll.min(self.rows.len());
        let hi = (lo + self.table_rows + 1).min(self.rows.len());
        if let Some(i) = self.rows[lo..hi].iter().position(is_sel) {
            return Some(lo + i);
        }
        self.rows.iter().position(is_sel)
    }

    /// The selected connection and its integration name.
    pub fn selected_connection(&self) -> Option<(&str, &Connection)> {
        let i = self.selected_index()?;
        self.row_connection(self.rows[i])
            .map(|(e, c)| (e.name(), c))
    }

    pub fn find_connection(&self, key: &ConnKey) -> Option<&Connection> {
        self.entry(&key.integration)?
            .connections
            .as_ref()?
            .iter()
            .find(|c| c.name == key.name && c.kind == key.kind)
    }

    pub fn audit_of(&self, integration: &str, name: &str) -> Option<&AuditInfo> {
        let e = self.entry_index(integration)?;
        let c = self.integrations[e]
            .connections
            .as_ref()?
            .iter()
            .position(|c| c.name == name)?;
        self.audit_at(e, c)
    }

    /// The audit verdict of `integrations[entry].connections[conn]`.
    pub fn audit_at(&self, entry: usize, conn: usize) -> Option<&AuditInfo> {
        self.audit.get(entry)?.get(conn)
    }

    /// What is known of what uses the connections of `integration`.
    pub fn usage_of(&self, integration: &str) -> UsageState<'_> {
        match self.bundles.get(integration) {
            Some(BundlesEntry { usage: Some(u), .. }) => UsageState::Known(u),
            Some(BundlesEntry { error: Some(e), .. }) => UsageState::Failed(e),
            _ => UsageState::Loading,
        }
    }

    pub fn busy(&self) -> bool {
        !self.in_flight.is_empty()
    }

    /// True while something on screen changes with time (spinner, expiring messages).
    pub fn needs_tick(&self) -> bool {
        self.busy()
            || self.rate_note.is_some()
            || self.banner.as_ref().is_some_and(|b| b.ttl.is_some())
    }

    /// Loaded integrations / integrations.
    pub fn load_progress(&self) -> (usize, usize) {
        let loaded = self
            .integrations
            .iter()
            .filter(|e| e.connections.is_some())
            .count();
        (loaded, self.integrations.len())
    }

    pub fn total_connections(&self) -> usize {
        self.integrations
            .iter()
            .filter_map(|e| e.connections.as_ref().map(Vec::len))
            .sum()
    }

    /// Keep `scroll` such that the selected row is in the page the view last reported.
    pub(crate) fn clamp_scroll(&mut self) {
        let page = self.table_rows;
        let Some(i) = self.selected_index() else {
            self.scroll = 0;
            return;
        };
        if i < self.scroll {
            self.scroll = i;
        } else if i >= self.scroll + page {
            self.scroll = i + 1 - page;
        }
        let max = self.rows.len().saturating_sub(page);
        self.scroll = self.scroll.min(max);
    }

    pub(crate) fn next_req(&mut self) -> ReqId {
        let r = self.next_req;
        self.next_req += 1;
        r
    }
}
