//! The connections table: its sort, its rows and their column widths, and the caches that keep
//! rebuilding it cheap (`Derived`); `State::recompute` and the rebuilds live here.
use crate::zis::Connection;

use super::filter::Filter;
use super::model::{AuditInfo, IntegrationEntry, LeftItem, LeftSel};
use super::state::State;

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
    only_unused: bool,
    data_gen: u64,
}

/// The widest value of each text column over the table rows (characters), for the view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Widest {
    pub integration: usize,
    /// The longest kind (`bearer_token`), so that the KIND column is no wider than it needs.
    pub kind: usize,
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

/// Worked out from the connections once per `data_gen`; per connection, indexed by
/// `first[entry] + conn`.
#[derive(Debug, Default)]
pub(super) struct Derived {
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

impl State {
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
        let mut rows = crate::audit::audit(items, self.now, self.ctx.stale_days);
        let bundles = &self.bundles;
        crate::audit::add_usage_findings(&mut rows, |i, n| {
            bundles.get(i)?.usage.as_ref()?.is_unused(n)
        });
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
            only_unused: self.only_unused,
            data_gen: self.data_gen,
        };
        if self.rows_key.as_ref() != Some(&key) {
            // On the first row while only the data changed (more of the account loaded, a
            // refresh): stay on the first row, rather than keep a row that older ones now
            // sort in above, scrolling the top of the list out of sight.
            let only_data = self.rows_key.as_ref().is_some_and(|k| {
                RowsKey {
                    data_gen: key.data_gen,
                    ..k.clone()
                } == key
            });
            let at_top = only_data && self.selected_index() == Some(0);
            self.rebuild_rows();
            self.rows_key = Some(key);
            if at_top {
                self.table_sel = self.rows.first().and_then(|r| self.row_key(*r));
            }
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
                if all && self.only_unused && audit.is_none_or(|a| !a.unused()) {
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
        // The widest values of the whole view, not of the rows the filter kept: the columns
        // and their widths stay put while a filter is typed.
        let mut w = Widest::default();
        let view: Vec<usize> = match &self.left_sel {
            LeftSel::All => (0..self.integrations.len()).collect(),
            LeftSel::Integration(n) => self.entry_index(n).into_iter().collect(),
        };
        for ei in view {
            let e = &self.integrations[ei];
            let n = e.connections.as_ref().map_or(0, Vec::len);
            if n == 0 {
                continue;
            }
            w.integration = w.integration.max(e.name().chars().count());
            for c in e.connections.iter().flatten() {
                w.kind = w.kind.max(c.kind.as_str().len());
            }
            let first = d.first[ei];
            for [name, principal, domain, findings] in &d.widths[first..first + n] {
                w.name = w.name.max(*name as usize);
                w.principal = w.principal.max(*principal as usize);
                w.domain = w.domain.max(*domain as usize);
                w.findings = w.findings.max(*findings as usize);
            }
        }
        self.widest = w;
        self.rows = keyed.into_iter().map(|(_, r)| r).collect();
    }
}
