//! `zisctl audit`: every connection and OAuth client of the account (or of the integrations
//! named), with age, staleness, findings (an OAuth token whose expiry has passed, an OAuth
//! client not updated in the stale threshold, a connection no bundle uses) and what uses each
//! connection (`used_by`, from the bundles). Integrations are fetched with bounded
//! concurrency; the pages of one integration are fetched in order (cursor pagination), its
//! OAuth clients and bundles beside them; rate limits are honoured by the client and reported
//! on stderr. Each connection also shows its rotation recipe (RECIPE) and when zisctl last
//! rotated it (LAST ROTATED, from the local audit log, read once).
use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::Ordering;

use futures::StreamExt;

use crate::args::{AuditArgs, GlobalArgs, OutputFormat};
use crate::audit::{add_usage_findings, audit, audit_clients, AuditRow, ClientAuditRow};
use crate::usage::Usage;
use crate::zis::{validate, ErrorKind};

use super::bundle_views::{used_by, UseView};
use super::output::{self, Table};
use super::views::{
    audit_client_table_row, audit_csv_headers, audit_csv_row, audit_table_row, AuditView,
    RotationCells, AUDIT_TABLE,
};
use super::{combined_exit, warn, CliError, CliResult, Ctx, EXIT_FINDINGS, PROGRESS_SHOWN};

pub const MAX_CONCURRENCY: usize = 64;
/// Integrations under way at once (each holds at most one of the --concurrency slots).
const MAX_UNDER_WAY: usize = 1024;

pub async fn run(global: &GlobalArgs, a: AuditArgs) -> CliResult<i32> {
    for i in &a.integrations {
        validate::integration_name(i)?;
    }
    if !(1..=MAX_CONCURRENCY).contains(&a.concurrency) {
        return Err(CliError::usage(format!(
            "--concurrency: between 1 and {MAX_CONCURRENCY}"
        )));
    }
    let ctx = Ctx::load(global)?;
    let stale_days = a.stale_days.unwrap_or(ctx.settings.stale_days);
    let mut names: Vec<String> = if a.integrations.is_empty() {
        ctx.client
            .list_integrations()
            .await?
            .into_iter()
            .map(|i| i.name)
            .collect()
    } else {
        a.integrations.clone()
    };
    names.sort();
    names.dedup();

    let progress = io::stderr().is_terminal();
    let total = names.len();
    if progress {
        show_progress(0, total, 0);
    }
    // --concurrency bounds requests on the wire, not integrations: every integration is
    // under way at once, each waiting for a slot only while it sends, so the slots stay busy
    // through each one's mint-then-list chain (bounding integrations instead left the
    // lanes unevenly loaded: 13 integrations on some, 12 on others).
    // The OAuth clients and bundles of each integration are read beside its connections,
    // through the same slots.
    let client = &ctx.client.with_max_in_flight(a.concurrency);
    let parallel = a.concurrency;
    let with_bundles = !a.no_bundles;
    let mut results = futures::stream::iter(names)
        .map(|name| async move {
            let bundles = async {
                if with_bundles {
                    Some(client.load_bundles(&name, parallel).await)
                } else {
                    None
                }
            };
            let (r, clients, bundles) = futures::join!(
                client.list_connections(&name),
                client.list_oauth_clients(&name),
                bundles
            );
            (name, r, clients, bundles)
        })
        .buffer_unordered(MAX_UNDER_WAY);

    let mut items = Vec::new();
    let mut clients = Vec::new();
    let mut usages: HashMap<String, Usage> = HashMap::new();
    let mut failures = Vec::new();
    let mut done = 0usize;
    let mut ok = 0usize;
    while let Some((name, r, cl, bundles)) = results.next().await {
        done += 1;
        match r {
            Ok(conns) => {
                ok += 1;
                match bundles {
                    None => {}
                    Some(Ok(set)) => {
                        let u = super::bundles::graph(&name, &set, Some(&conns));
                        if !u.complete {
                            warn(&format!(
                                "not every bundle of {name} could be read: what uses its \
                                 connections may be incomplete (zisctl bundles check --integration \
                                 {name})"
                            ));
                        }
                        usages.insert(name.clone(), u);
                    }
                    Some(Err(e)) => warn(&format!(
                        "{e}; what uses the connections of {name} is unknown"
                    )),
                }
                items.extend(conns.into_iter().map(|c| (name.clone(), c)));
            }
            Err(e) => {
                warn(&e.to_string());
                failures.push(crate::exit::code_of(&e));
            }
        }
        match cl {
            Ok(list) => clients.extend(list.into_iter().map(|c| (name.clone(), c))),
            // A server without the OAuth clients route: said, and left out of the audit.
            Err(e) if e.kind == ErrorKind::NotFound => {
                warn(&format!("{e}; the audit leaves its OAuth clients out"));
            }
            Err(e) => {
                warn(&e.to_string());
                failures.push(crate::exit::code_of(&e));
            }
        }
        if progress {
            show_progress(done, total, items.len());
        }
    }
    if progress {
        clear_progress();
    }

    let mut client_rows: Vec<ClientAuditRow> = audit_clients(clients, &items, ctx.now, stale_days);
    let mut rows: Vec<AuditRow> = audit(items, ctx.now, stale_days);
    add_usage_findings(&mut rows, |i, n| usages.get(i).and_then(|u| u.is_unused(n)));
    let used = |r: &AuditRow| used_by(usages.get(&r.integration), &r.connection.name);
    // The audit log is read once, into a lookup: each row then costs a map probe and the
    // recipes' globs.
    let last = last_rotations(&ctx);
    let recipes = &ctx.settings.recipes;
    let rotation = |r: &AuditRow| RotationCells {
        recipe: (!recipes.is_empty())
            .then(|| recipes.find(&r.integration, &r.connection.name))
            .flatten()
            .map(|x| x.pattern.clone()),
        last_rotated: last
            .get(&r.integration)
            .and_then(|m| m.get(&r.connection.name))
            .cloned(),
    };
    client_rows.sort_by(|x, y| {
        x.integration
            .cmp(&y.integration)
            .then(x.client.name.cmp(&y.client.name))
    });
    // One list, by integration then name: connections, then (same name) OAuth clients.
    let mut all: Vec<Audited> = rows
        .into_iter()
        .map(Audited::Connection)
        .chain(client_rows.into_iter().map(Audited::Client))
        .collect();
    all.sort_by(|x, y| x.order().cmp(&y.order()));
    let text = match a.out.output {
        OutputFormat::Json => {
            // Each row's view is made as it is written: the audit is never held twice.
            output::print_json(&Views {
                rows: &all,
                used: &used,
                rotation: &rotation,
            })?;
            String::new()
        }
        OutputFormat::Csv => {
            let mut t = Table::new(&audit_csv_headers());
            for r in &all {
                t.push(audit_csv_row(&r.view(&used, &rotation)));
            }
            t.to_csv()
        }
        OutputFormat::Table => {
            let mut t = Table::new(AUDIT_TABLE);
            for r in &all {
                t.push(match r {
                    Audited::Connection(r) => {
                        audit_table_row(r, ctx.now, used(r).as_deref(), &rotation(r))
                    }
                    Audited::Client(r) => audit_client_table_row(r),
                });
            }
            let count = |client: bool, f: &dyn Fn(&Audited) -> bool| {
                all.iter()
                    .filter(|r| matches!(r, Audited::Client(_)) == client && f(r))
                    .count()
            };
            let stale = count(false, &|r| r.stale());
            let flagged = count(false, &|r| r.flagged());
            let n_clients = count(true, &|_| true);
            let mut s = t.render();
            s.push_str(&format!(
                "\n{} connection(s) in {} integration(s): {stale} stale, {flagged} with findings",
                all.len() - n_clients,
                ok
            ));
            if n_clients > 0 {
                s.push_str(&format!(
                    "; {n_clients} OAuth client(s): {} stale",
                    count(true, &|r| r.stale())
                ));
            }
            s.push('\n');
            s
        }
    };
    if !text.is_empty() {
        output::print(&text)?;
    }
    if !failures.is_empty() {
        warn(&format!(
            "{} of {total} integration(s) could not be read; the audit above is incomplete",
            failures.len()
        ));
    }
    let code = combined_exit(ok, &failures);
    if code == 0 && a.fail_on_findings && all.iter().any(Audited::flagged) {
        return Ok(EXIT_FINDINGS);
    }
    Ok(code)
}

/// The audit's rows as a JSON array, each row's view made as it is serialised.
struct Views<'a> {
    rows: &'a [Audited],
    used: &'a dyn Fn(&AuditRow) -> Option<Vec<UseView>>,
    rotation: &'a dyn Fn(&AuditRow) -> RotationCells,
}

impl serde::Serialize for Views<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.rows.iter().map(|r| r.view(self.used, self.rotation)))
    }
}

/// When zisctl last rotated each connection of this account successfully: the local audit
/// log's `rotate` entries whose outcome is `ok`, read once. A log that cannot be read leaves
/// the column empty (said once).
fn last_rotations(ctx: &Ctx) -> HashMap<String, HashMap<String, String>> {
    let mut last: HashMap<String, HashMap<String, String>> = HashMap::new();
    let Some(path) = &ctx.settings.audit_log else {
        return last;
    };
    let entries = match crate::auditlog::read(path) {
        Ok(e) => e,
        Err(e) => {
            warn(&format!(
                "cannot read the audit log {} ({e}): LAST ROTATED is left empty",
                path.display()
            ));
            return last;
        }
    };
    let account = &ctx.settings.options.base_url;
    for e in entries {
        let Some(conn) = e.connection else { continue };
        // Lines written before the account was recorded are judged by their profile.
        let ours = match &e.account {
            Some(a) => a == account,
            None => e.profile == ctx.settings.profile,
        };
        if e.action != "rotate" || e.outcome != "ok" || !ours {
            continue;
        }
        // RFC 3339 in UTC, one format: the later time is the greater string.
        let slot = last
            .entry(e.integration)
            .or_default()
            .entry(conn)
            .or_default();
        if e.time > *slot {
            *slot = e.time;
        }
    }
    last
}

/// One row of the audit: a connection, or an OAuth client.
enum Audited {
    Connection(AuditRow),
    Client(ClientAuditRow),
}

impl Audited {
    fn order(&self) -> (&str, &str, u8) {
        match self {
            Audited::Connection(r) => (&r.integration, &r.connection.name, r.connection.kind as u8),
            Audited::Client(r) => (&r.integration, &r.client.name, u8::MAX),
        }
    }

    /// Its view; `used` says what uses a connection.
    fn view(
        &self,
        used: &dyn Fn(&AuditRow) -> Option<Vec<UseView>>,
        rotation: &dyn Fn(&AuditRow) -> RotationCells,
    ) -> AuditView {
        match self {
            Audited::Connection(r) => AuditView::new(r)
                .with_used_by(used(r))
                .with_rotation(rotation(r)),
            Audited::Client(r) => AuditView::client(r),
        }
    }

    fn stale(&self) -> bool {
        match self {
            Audited::Connection(r) => r.stale,
            Audited::Client(r) => r.stale,
        }
    }

    fn flagged(&self) -> bool {
        match self {
            Audited::Connection(r) => !r.findings.is_empty(),
            Audited::Client(r) => !r.findings.is_empty(),
        }
    }
}

fn show_progress(done: usize, total: usize, conns: usize) {
    let mut err = io::stderr().lock();
    let _ = write!(
        err,
        "\r\x1b[Kaudit: {done}/{total} integration(s), {conns} connection(s)"
    );
    let _ = err.flush();
    PROGRESS_SHOWN.store(true, Ordering::SeqCst);
}

fn clear_progress() {
    if PROGRESS_SHOWN.swap(false, Ordering::SeqCst) {
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r\x1b[K");
        let _ = err.flush();
    }
}
