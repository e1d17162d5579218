//! The state of the TUI. `update` writes it; `ui::view` reads it.
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use secrecy::SecretString;
use time::OffsetDateTime;
use tui_textarea::TextArea;

use crate::zis::{Connection, ConnectionKind, Integration, TokenSource};

use super::action::ReqId;
use super::filter::Filter;
use super::form::Form;

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
}

impl IntegrationEntry {
    pub fn new(integration: Integration) -> IntegrationEntry {
        IntegrationEntry {
            integration,
            connections: None,
            loading: None,
            error: None,
            token: None,
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
pub enum SortKey {
    Name,
    Kind,
    Age,
    Domain,
    Integration,
}

impl SortKey {
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Kind => "kind",
            SortKey::Age => "age",
            SortKey::Domain => "domain",
            SortKey::Integration => "integration",
        }
    }

    pub fn parse(s: &str) -> Option<SortKey> {
        [
            SortKey::Name,
            SortKey::Kind,
            SortKey::Age,
            SortKey::Domain,
            SortKey::Integration,
        ]
        .into_iter()
        .find(|k| k.label() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

/// What the table rows were last built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsKey {
    left_sel: LeftSel,
    filter: Filter,
    sort: Sort,
    only_findings: bool,
    data_gen: u64,
}

/// The widest value of each text column over the table rows (characters), for the view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Widest {
    pub integration: usize,
    pub name: usize,
    pub principal: usize,
    pub domain: usize,
    pub findings: usize,
}

/// One visible row of the connections table: indexes into `State::integrations`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub entry: usize,
    pub conn: usize,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Command,
}

/// The line at the bottom while typing a filter or a command.
pub struct InputLine {
    pub kind: InputKind,
    pub input: TextArea<'static>,
    /// The pane a filter applies to.
    pub pane: Pane,
}

impl InputLine {
    pub fn text(&self) -> String {
        self.input.lines().concat()
    }
}

/// One connection of a rotation.
pub struct RotItem {
    pub key: ConnKey,
    pub username: String,
    pub allowed_domain: String,
    /// `updated_at` before the change, to verify that it moved.
    pub before: Option<OffsetDateTime>,
    pub password: SecretString,
    pub status: RotStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotStatus {
    /// Generated and shown; not sent.
    Ready,
    Applying(ReqId),
    Applied {
        verified: bool,
    },
    /// The server refused it: the old password is still in force.
    Failed(String),
    /// The answer was lost: the new password may or may not be in force.
    Unknown(String),
}

/// The two-step rotation screen.
pub struct Rotation {
    pub items: Vec<RotItem>,
    pub selected: usize,
    pub revealed: bool,
    /// Something was copied to the clipboard.
    pub copied: bool,
    /// Esc was pressed once where dismissing forgets a password still needed.
    pub confirm_discard: bool,
    /// Marked connections that were not basic_auth and so were left out.
    pub skipped: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotPhase {
    Ready,
    Applying,
    Done,
}

impl Rotation {
    pub fn phase(&self) -> RotPhase {
        if self
            .items
            .iter()
            .any(|i| matches!(i.status, RotStatus::Applying(_)))
        {
            RotPhase::Applying
        } else if self.items.iter().all(|i| i.status == RotStatus::Ready) {
            RotPhase::Ready
        } else {
            RotPhase::Done
        }
    }

    /// Every item applied and verified: nothing left that needs the password on screen.
    pub fn all_applied(&self) -> bool {
        self.items
            .iter()
            .all(|i| matches!(i.status, RotStatus::Applied { .. }))
    }
}

impl fmt::Debug for RotItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotItem")
            .field("key", &self.key)
            .field("password", &"[REDACTED]")
            .field("status", &self.status)
            .finish()
    }
}

impl fmt::Debug for Rotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rotation")
            .field("items", &self.items)
            .field("revealed", &self.revealed)
            .finish()
    }
}

/// The answer to registering an integration: its client secret, shown here once.
pub struct RegisteredView {
    pub name: String,
    pub client_id: Option<u64>,
    pub identifier: Option<String>,
    pub secret: Option<SecretString>,
    pub revealed: bool,
    pub copied: bool,
    pub confirm_discard: bool,
}

impl fmt::Debug for RegisteredView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredView")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

/// A window over the main screen.
#[derive(Debug)]
pub enum Modal {
    Help {
        scroll: u16,
    },
    Details,
    ConfirmDelete {
        key: ConnKey,
    },
    Form(Box<Form>),
    Rotation(Box<Rotation>),
    Registered(Box<RegisteredView>),
    /// The local audit log of mutations: `None` while it is being read.
    AuditLog {
        entries: Option<Result<Vec<crate::auditlog::Entry>, String>>,
        scroll: u16,
    },
}

pub struct State {
    pub ctx: Context,
    pub screen: Screen,
    pub color: bool,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub now: OffsetDateTime,

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
    /// First visible row of the table (the view keeps the selection in sight).
    pub scroll: usize,
    /// How many table rows are on screen, as the view last reported (`Action::Viewport`).
    pub table_rows: usize,
    pub marked: BTreeSet<ConnKey>,

    pub modal: Option<Modal>,
    pub input: Option<InputLine>,
    pub banner: Option<Banner>,
    /// "rate limited, waiting N s" with ticks left.
    pub rate_note: Option<(String, u32)>,
    /// Requests in flight and what they are.
    pub in_flight: BTreeMap<ReqId, String>,
    pub tick: u64,
    pub next_req: ReqId,
    pub quit: Option<i32>,

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
    derived: Derived,
    /// Set while `update_all` applies a burst of answers: `recompute` then only notes
    /// (`true`) that it is due, and runs once at the end.
    pub(crate) deferred: Option<bool>,
}

/// Worked out from the connections once per `data_gen`; per connection, indexed by
/// `first[entry] + conn`.
#[derive(Debug, Default)]
struct Derived {
    gen: u64,
    first: Vec<usize>,
    /// Order of integration names, per entry.
    entry_rank: Vec<u32>,
    /// Order of (lowercased name, integration name): the sort's tie-break as one number
    /// (equal pairs share a rank).
    name_rank: Vec<u32>,
    /// Characters of the name, principal, allowed domain, and of the findings as the view
    /// joins them.
    widths: Vec<[u32; 4]>,
    /// Order of lowercased allowed domains (made when first sorted by domain).
    domain_rank: Option<Vec<u32>>,
    /// The substring filter's haystacks: `name kind principal domain `, each lowercased,
    /// one after the other; connection `k` is `hay[hay_at[k]..hay_at[k + 1]]` (made when
    /// first filtered).
    hay: Option<(String, Vec<u32>)>,
}

/// A row's place in the table: best match first, then the sort key, then name and
/// integration as one rank.
type RowSortKey = (std::cmp::Reverse<u32>, i64, u32);

/// Lowercase `s`, borrowing it when it has nothing to lower.
fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() && !s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.to_lowercase())
    }
}

/// Ranks of `keys` (0 for the smallest; equal keys share a rank).
fn ranks<K: Ord>(keys: Vec<K>) -> Vec<u32> {
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_unstable_by(|a, b| keys[*a as usize].cmp(&keys[*b as usize]));
    let mut rank = vec![0u32; keys.len()];
    let mut r = 0u32;
    for (i, k) in order.iter().enumerate() {
        if i > 0 && keys[*k as usize] != keys[order[i - 1] as usize] {
            r += 1;
        }
        rank[*k as usize] = r;
    }
    rank
}

impl Derived {
    fn is_for(&self, gen: u64, integrations: &[IntegrationEntry]) -> bool {
        self.gen == gen
            && self.first.len() == integrations.len() + 1
            && integrations.iter().enumerate().all(|(i, e)| {
                e.connections.as_ref().map_or(0, Vec::len) == self.first[i + 1] - self.first[i]
            })
    }

    fn new(gen: u64, integrations: &[IntegrationEntry], audit: &[Vec<AuditInfo>]) -> Derived {
        let mut first = Vec::with_capacity(integrations.len() + 1);
        let mut n = 0;
        for e in integrations {
            first.push(n);
            n += e.connections.as_ref().map_or(0, Vec::len);
        }
        first.push(n);
        let entry_rank = ranks(integrations.iter().map(|e| e.name()).collect());
        let mut names = Vec::with_capacity(n);
        let mut widths = Vec::with_capacity(n);
        for (ei, e) in integrations.iter().enumerate() {
            for (ci, c) in e.connections.iter().flatten().enumerate() {
                names.push((lower(&c.name), entry_rank[ei]));
                let findings = audit.get(ei).and_then(|v| v.get(ci)).map_or(0, |a| {
                    a.findings.iter().map(|f| f.chars().count() + 2).sum()
                });
                widths.push([
                    c.name.chars().count() as u32,
                    c.principal().chars().count() as u32,
                    c.allowed_domain.chars().count() as u32,
                    findings as u32,
                ]);
            }
        }
        Derived {
            gen,
            first,
            entry_rank,
            name_rank: ranks(names),
            widths,
            domain_rank: None,
            hay: None,
        }
    }

    fn make_domain_rank(&mut self, integrations: &[IntegrationEntry]) {
        self.domain_rank.get_or_insert_with(|| {
            ranks(
                integrations
                    .iter()
                    .flat_map(|e| e.connections.iter().flatten())
                    .map(|c| lower(&c.allowed_domain))
                    .collect(),
            )
        });
    }

    fn make_hay(&mut self, integrations: &[IntegrationEntry]) {
        self.hay.get_or_insert_with(|| {
            let mut hay = String::new();
            let mut at = vec![0u32];
            for c in integrations
                .iter()
                .flat_map(|e| e.connections.iter().flatten())
            {
                for part in [
                    c.name.as_str(),
                    c.kind.as_str(),
                    c.principal(),
                    c.allowed_domain.as_str(),
                ] {
                    hay.push_str(&lower(part));
                    hay.push(' ');
                }
                at.push(hay.len() as u32);
            }
            (hay, at)
        });
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("screen", &self.screen)
            .field("focus", &self.focus)
            .field("left_sel", &self.left_sel)
            .field("table_sel", &self.table_sel)
            .field("modal", &self.modal)
            .field("banner", &self.banner)
            .finish_non_exhaustive()
    }
}

/// Ticks per second (the runtime ticks every 100 ms while something needs it).
pub const TICKS_PER_SEC: u32 = 10;

/// The table rows a new state assumes until the view reports its own: what the table shows
/// on the default 120×40 terminal (`size`).
pub const DEFAULT_TABLE_ROWS: usize = 25;

impl State {
    pub fn new(ctx: Context, now: OffsetDateTime) -> State {
        State {
            ctx,
            screen: Screen::Main,
            color: true,
            size: (120, 40),
            now,
            integrations: Vec::new(),
            integrations_req: None,
            integrations_loaded: false,
            integrations_error: None,
            focus: Pane::Integrations,
            left_sel: LeftSel::All,
            left_filter: Filter::default(),
            table_sel: None,
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
            scroll: 0,
            table_rows: DEFAULT_TABLE_ROWS,
            marked: BTreeSet::new(),
            modal: None,
            input: None,
            banner: None,
            rate_note: None,
            in_flight: BTreeMap::new(),
            tick: 0,
            next_req: 1,
            quit: None,
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

    /// Rebuild everything derived: audit verdicts, left rows, table rows, selections.
    pub fn recompute(&mut self) {
        if let Some(due) = &mut self.deferred {
            *due = true;
            return;
        }
        self.recompute_audit();
        self.recompute_rows();
    }

    pub(crate) fn recompute_audit(&mut self) {
        self.data_gen = self.data_gen.wrapping_add(1);
        // The connections go through the audit and come back (it keeps the order of its
        // input): the account is not copied.
        let mut counts = Vec::with_capacity(self.integrations.len());
        let mut items: Vec<(String, Connection)> = Vec::with_capacity(self.total_connections());
        for e in &mut self.integrations {
            let list = e.connections.take();
            counts.push(list.as_ref().map(Vec::len));
            let name = e.integration.name.clone();
            items.extend(list.into_iter().flatten().map(|c| (name.clone(), c)));
        }
        let total = items.len();
        let rows = crate::audit::audit(items, self.now, self.ctx.stale_days);
        assert_eq!(rows.len(), total, "the audit keeps every connection");
        let mut rows = rows.into_iter();
        self.audit = Vec::with_capacity(counts.len());
        for (e, n) in self.integrations.iter_mut().zip(counts) {
            let mut audit = Vec::new();
            if let Some(n) = n {
                let mut list = Vec::with_capacity(n);
                audit.reserve(n);
                for r in rows.by_ref().take(n) {
                    audit.push(AuditInfo {
                        age_days: r.age_days,
                        stale: r.stale,
                        findings: r.findings,
                    });
                    list.push(r.connection);
                }
                e.connections = Some(list);
            }
            self.audit.push(audit);
        }
    }

    pub(crate) fn recompute_rows(&mut self) {
        if self.deferred.is_some() {
            return;
        }
        // Left pane.
        let mut left = vec![LeftItem::All];
        match self.left_filter.matcher() {
            None => left.extend((0..self.integrations.len()).map(LeftItem::Integration)),
            Some(mut m) => {
                let mut scored: Vec<(u32, usize)> = self
                    .integrations
                    .iter()
                    .enumerate()
                    .filter_map(|(i, e)| {
                        let hay = format!("{} {}", e.name(), e.integration.description);
                        m.score(&hay).map(|s| (s, i))
                    })
                    .collect();
                if m.ranks() {
                    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                }
                left.extend(scored.into_iter().map(|(_, i)| LeftItem::Integration(i)));
            }
        }
        self.left_rows = left;
        if let LeftSel::Integration(n) = &self.left_sel {
            if self.entry(n).is_none() {
                self.left_sel = LeftSel::All;
            }
        }

        // Table: rebuilt only when what it depends on changed (keys that only move the
        // selection must stay cheap on an account with thousands of connections).
        let key = RowsKey {
            left_sel: self.left_sel.clone(),
            filter: self.table_filter.clone(),
            sort: self.sort(),
            only_findings: self.only_findings,
            data_gen: self.data_gen,
        };
        if self.rows_key.as_ref() != Some(&key) {
            self.rebuild_rows();
            self.rows_key = Some(key);
        }

        // Keep the selection if it is still visible, else restore or take the first row.
        if self.selected_index().is_none() {
            self.table_sel = self
                .remembered
                .get(&self.left_sel)
                .filter(|k| {
                    self.rows
                        .iter()
                        .any(|r| self.row_key(*r).as_ref() == Some(*k))
                })
                .cloned()
                .or_else(|| self.rows.first().and_then(|r| self.row_key(*r)));
        }
        self.clamp_scroll();
    }

    fn rebuild_rows(&mut self) {
        if !self.derived.is_for(self.data_gen, &self.integrations) {
            self.derived = Derived::new(self.data_gen, &self.integrations, &self.audit);
        }
        let entries: Vec<usize> = match &self.left_sel {
            LeftSel::All => (0..self.integrations.len()).collect(),
            LeftSel::Integration(n) => self.entry_index(n).into_iter().collect(),
        };
        let all = self.is_all_view();
        let mut rows: Vec<(u32, Row)> = Vec::new();
        let mut matcher = self.table_filter.matcher();
        if matcher.as_ref().is_some_and(|m| m.words().is_some()) {
            self.derived.make_hay(&self.integrations);
        }
        let (lower_hay, hay_at) = match &self.derived.hay {
            Some((h, at)) => (h.as_str(), at.as_slice()),
            None => ("", &[][..]),
        };
        let mut hay = String::new();
        for ei in entries {
            let e = &self.integrations[ei];
            let Some(conns) = &e.connections else {
                continue;
            };
            let first = self.derived.first[ei];
            let integration_lower = match &matcher {
                Some(m) if all && m.words().is_some() => lower(e.name()),
                _ => "".into(),
            };
            for (ci, c) in conns.iter().enumerate() {
                let audit = self.audit.get(ei).and_then(|v| v.get(ci));
                if all && self.only_findings && audit.is_none_or(|a| a.findings.is_empty()) {
                    continue;
                }
                let score = match &mut matcher {
                    None => 0,
                    Some(m) => {
                        let score = match m.words() {
                            // Every word in one of the lowercased fields (a word holds no
                            // space, so it never spans two of them).
                            Some(words) => {
                                let k = first + ci;
                                let h = &lower_hay[hay_at[k] as usize..hay_at[k + 1] as usize];
                                words
                                    .iter()
                                    .all(|w| {
                                        h.contains(w.as_str())
                                            || integration_lower.contains(w.as_str())
                                    })
                                    .then_some(1)
                            }
                            None => {
                                hay.clear();
                                for part in [
                                    c.name.as_str(),
                                    c.kind.as_str(),
                                    c.principal(),
                                    c.allowed_domain.as_str(),
                                    if all { e.name() } else { "" },
                                ] {
                                    hay.push_str(part);
                                    hay.push(' ');
                                }
                                m.score(&hay)
                            }
                        };
                        match score {
                            Some(s) => s,
                            None => continue,
                        }
                    }
                };
                rows.push((
                    score,
                    Row {
                        entry: ei,
                        conn: ci,
                    },
                ));
            }
        }
        let sort = self.sort();
        let ranked = matcher.as_ref().is_some_and(|m| m.ranks());
        if sort.key == SortKey::Domain {
            self.derived.make_domain_rank(&self.integrations);
        }
        // One key per row, all numbers: (best match first, the sort key, then name and
        // integration as one rank).
        let d = &self.derived;
        let mut keyed: Vec<(RowSortKey, Row)> = rows
            .into_iter()
            .map(|(score, r)| {
                let k = d.first[r.entry] + r.conn;
                let primary = match sort.key {
                    SortKey::Name => 0,
                    SortKey::Kind => self.integrations[r.entry]
                        .connections
                        .as_ref()
                        .map_or(0, |c| c[r.conn].kind as i64),
                    SortKey::Age => self
                        .audit_at(r.entry, r.conn)
                        .and_then(|a| a.age_days)
                        .unwrap_or(i64::MAX),
                    SortKey::Domain => d.domain_rank.as_ref().map_or(0, |v| i64::from(v[k])),
                    SortKey::Integration => i64::from(d.entry_rank[r.entry]),
                };
                let score = if ranked { score } else { 0 };
                ((std::cmp::Reverse(score), primary, d.name_rank[k]), r)
            })
            .collect();
        keyed.sort_by_key(|a| a.0);
        if sort.descending {
            if ranked {
                // Best matches stay first; reverse the order within each score.
                keyed.sort_by(|a, b| a.0 .0.cmp(&b.0 .0).then(b.0.cmp(&a.0)));
            } else {
                keyed.reverse();
            }
        }
        let mut w = Widest::default();
        let mut integration_w = vec![None; self.integrations.len()];
        for (_, r) in &keyed {
            let [name, principal, domain, findings] = d.widths[d.first[r.entry] + r.conn];
            let iw = *integration_w[r.entry]
                .get_or_insert_with(|| self.integrations[r.entry].name().chars().count());
            w.integration = w.integration.max(iw);
            w.name = w.name.max(name as usize);
            w.principal = w.principal.max(principal as usize);
            w.domain = w.domain.max(domain as usize);
            w.findings = w.findings.max(findings as usize);
        }
        self.widest = w;
        self.rows = keyed.into_iter().map(|(_, r)| r).collect();
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
