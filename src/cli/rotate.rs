//! `zisctl rotate INTEGRATION (NAME... | --all)`: for each basic_auth connection, a fresh
//! password from the OS CSPRNG, PATCH, then GET to verify that `updated_at` moved.
//!
//! Nothing the user needs is ever lost:
//! - each new password is printed (a `password` record: written, flushed, synced for a file,
//!   taken by a pipe's reader) BEFORE its PATCH is sent, and what became of it follows (a
//!   `result` record, see `records.rs`), so even `kill -9` loses no password that was sent;
//! - when stdout fails (a full disk, a closed pipe: Rust ignores SIGPIPE, so it is an error
//!   here), that connection is not touched and the run stops: no further PATCH;
//! - on Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGQUIT the result of every change still in flight
//!   is printed as `unknown` before exiting with 128 + the signal's number (130, 143, 129, 131).
//!
//! A clean refusal (403, 404, validation) is a `not_applied` result: the old password stays.
//!
//! It asks first on a terminal and needs `--yes` without one; `--dry-run` says what would
//! change; `--prepare` prints the new passwords and applies nothing, and `--apply-prepared`
//! reads those records back from stdin and applies them.
use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

use futures::StreamExt;
use secrecy::SecretString;
use time::OffsetDateTime;

use crate::args::{GlobalArgs, RotateArgs};
use crate::sanitize::clean;
use crate::zis::models::format_time;
use crate::zis::{validate, ConnectionKind, ErrorKind};

use super::records::Records;
use super::sink::Stdout;
use super::views::{Outcome, PasswordRecord, ResultRecord, PASSWORD_RECORD, RESULT_RECORD};
use super::{
    check_length, combined_exit, may_have_applied, new_password, stdout_is_terminal, warn,
    CliError, CliResult, Ctx,
};

/// Rotations in flight at once.
const CONCURRENCY: usize = 4;

/// One connection to rotate. `before` is its `updated_at` when already known (from the list).
struct Target {
    name: String,
    before: Option<Option<OffsetDateTime>>,
}

pub async fn run(global: &GlobalArgs, a: RotateArgs) -> CliResult<i32> {
    if a.recover {
        return super::recover::run(a.integration.as_deref(), a.out.output).await;
    }
    let Some(integration) = a.integration.clone() else {
        return Err(CliError::usage("rotate needs an INTEGRATION"));
    };
    validate::integration_name(&integration)?;
    for n in &a.names {
        validate::connection_name(n)?;
    }
    if let Some(length) = a.length {
        check_length(length)?;
    }
    if a.apply_prepared && !a.yes {
        return Err(CliError::usage(
            "--apply-prepared reads the prepared records from stdin, so it cannot ask: add \
             --yes",
        ));
    }
    let prepared = if a.apply_prepared {
        Some(read_prepared(&integration)?)
    } else {
        None
    };
    // Every rotation changes a live credential at once: on a terminal it asks first (after
    // listing what changes); without one it needs --yes, as `connections delete` does.
    // --prepare and --dry-run change nothing.
    let ask = !a.yes && !a.dry_run && !a.prepare;
    if ask && !super::input::stdin_is_terminal() {
        return Err(CliError::usage(
            "refusing to rotate without confirmation: stdin is not a terminal; add --yes \
             (or --dry-run to see what would change)",
        ));
    }
    let ctx = Ctx::load(global)?;
    let policy = ctx.password(a.length, a.charset)?;
    if !a.dry_run && !a.prepare {
        ctx.check_writable("rotate")?;
    }
    // Registered before the first request, so that no signal kills the process while a
    // password is in flight.
    let mut signals = crate::signals::Signals::new();

    let targets: Vec<Target> = if a.all {
        let list = tokio::select! {
            r = ctx.client.list_connections(&integration) => r?,
            code = signals.recv() => return Err(CliError { code, ..CliError::interrupted() }),
        };
        let mut t: Vec<Target> = list
            .into_iter()
            .filter(|c| c.kind == ConnectionKind::BasicAuth)
            .map(|c| Target {
                name: c.name,
                before: Some(c.updated_at),
            })
            .collect();
        t.sort_by(|x, y| x.name.cmp(&y.name));
        t
    } else if let Some(p) = &prepared {
        p.iter()
            .map(|(n, _)| Target {
                name: n.clone(),
                before: None,
            })
            .collect()
    } else {
        let mut seen = HashSet::new();
        a.names
            .iter()
            .filter(|n| seen.insert(n.as_str()))
            .map(|n| Target {
                name: n.clone(),
                before: None,
            })
            .collect()
    };
    if targets.is_empty() {
        warn(&format!("no basic_auth connections in {integration}"));
    }
    if a.dry_run {
        return dry_run(&ctx, &integration, targets, a.out.output).await;
    }
    if a.prepare {
        return prepare(&ctx, &integration, targets, &a).await;
    }
    if ask && !targets.is_empty() {
        let names: Vec<String> = targets.iter().map(|t| clean(&t.name)).collect();
        let q = format!(
            "Rotate the password of {} basic_auth connection(s) of {}: {}? ZIS takes each new \
             password at once, and each target system must then be given it.",
            names.len(),
            clean(&integration),
            names.join(", ")
        );
        let answer = tokio::task::spawn_blocking(move || super::input::confirm(&q));
        let yes = tokio::select! {
            r = answer => r.map_err(|e| CliError { code: 1, message: Some(format!("cannot ask: {e}")) })??,
            code = signals.recv() => return Err(CliError { code, ..CliError::interrupted() }),
        };
        if !yes {
            warn("not rotated: nothing was changed (cancelled)");
            return Err(CliError::silent(crate::exit::CANCELLED));
        }
    }

    let stdout = Stdout::new();
    let mut records = Records::new(
        a.out.output,
        targets
            .iter()
            .map(|t| (integration.as_str(), t.name.as_str())),
        policy.length,
        Box::new({
            let stdout = stdout.clone();
            move |text: &str, durable: bool| stdout.write(text, durable)
        }),
    );
    if let Err(e) = records.begin() {
        return Err(CliError {
            code: 1,
            message: Some(format!(
                "cannot write to stdout ({e}): nothing was changed (new passwords are printed \
                 before they are sent)"
            )),
        });
    }
    if !targets.is_empty() && stdout_is_terminal() {
        warn("new passwords are printed below: store them now, then clear the scrollback");
    }
    let total = targets.len();
    let state = Mutex::new(Run {
        records,
        integration: clean(&integration),
        slots: (0..total).map(|_| Slot::Idle).collect(),
        stopped: false,
        sent: 0,
    });
    let job = Job {
        ctx: &ctx,
        integration: &integration,
        prepared: prepared
            .map(|p| p.into_iter().collect())
            .unwrap_or_default(),
        policy,
        state: &state,
        stdout,
    };
    let work = futures::stream::iter(targets.into_iter().enumerate())
        .map(|(i, t)| job.rotate_one(i, t))
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<Done>>();
    let outcomes = tokio::select! {
        o = work => o,
        code = signals.recv() => {
            let mut run = lock(&state);
            let (sent, unsent) = run.interrupted();
            let _ = run.records.end();
            drop(run);
            let mut msg = "interrupted".to_string();
            if sent > 0 {
                msg.push_str(&format!(
                    ": {sent} password change(s) were sent without an answer; their passwords \
                     were printed before they were sent, and their results say unknown (check \
                     them with `connections show`)"
                ));
            }
            if unsent > 0 {
                msg.push_str(&format!(
                    "; {unsent} printed password(s) were never sent (not_applied)"
                ));
            }
            return Err(CliError { code, message: Some(msg) });
        }
    };
    let mut run = lock(&state);
    let _ = run.records.end();
    let stopped = run.stopped;
    drop(run);
    let failures: Vec<i32> = outcomes
        .iter()
        .filter_map(|o| match o {
            Done::Failed(c) => Some(*c),
            _ => None,
        })
        .collect();
    let skipped = outcomes.iter().filter(|o| **o == Done::Skipped).count();
    let succeeded = outcomes.iter().filter(|o| **o == Done::Ok).count();
    if stopped {
        warn(&format!(
            "the run stopped because stdout failed: {succeeded} of {total} rotated, {skipped} \
             not touched"
        ));
        return Ok(1);
    }
    if !failures.is_empty() && outcomes.len() > 1 {
        warn(&format!(
            "{} of {} rotation(s) failed",
            failures.len(),
            outcomes.len()
        ));
    }
    Ok(combined_exit(succeeded, &failures))
}

/// One row of `--dry-run`: a password that would change.
#[derive(serde::Serialize)]
struct PlanRecord {
    integration: String,
    name: String,
    kind: &'static str,
    /// When its password last changed (null: unknown).
    updated_at: Option<String>,
    action: &'static str,
}

/// `--dry-run`: what would change, each connection read (never written); no password is made.
async fn dry_run(
    ctx: &Ctx,
    integration: &str,
    targets: Vec<Target>,
    format: crate::args::OutputFormat,
) -> CliResult<i32> {
    use crate::args::OutputFormat;
    let mut plan = Vec::new();
    let mut failures = Vec::new();
    for t in targets {
        let at = match t.before {
            Some(b) => b,
            None => match ctx
                .client
                .get_connection(integration, ConnectionKind::BasicAuth, &t.name)
                .await
            {
                Ok(c) => c.updated_at,
                Err(e) => {
                    warn(&e.to_string());
                    failures.push(crate::exit::code_of(&e));
                    continue;
                }
            },
        };
        plan.push(PlanRecord {
            integration: clean(integration),
            name: clean(&t.name),
            kind: "basic_auth",
            updated_at: at.map(|t| format_time(Some(t))),
            action: "rotate",
        });
    }
    let text = match format {
        OutputFormat::Json => super::output::json(&plan)?,
        OutputFormat::Csv | OutputFormat::Table => {
            let mut t =
                super::output::Table::new(&["INTEGRATION", "NAME", "KIND", "UPDATED AT", "ACTION"]);
            for p in &plan {
                t.push(vec![
                    p.integration.clone(),
                    p.name.clone(),
                    p.kind.into(),
                    p.updated_at.clone().unwrap_or_else(|| "-".into()),
                    p.action.into(),
                ]);
            }
            if format == OutputFormat::Csv {
                t.to_csv()
            } else {
                t.render()
            }
        }
    };
    super::output::print(&text)?;
    warn(&format!(
        "dry run: {} password(s) would change; nothing was sent",
        plan.len()
    ));
    Ok(combined_exit(plan.len(), &failures))
}

/// One record of `--prepare`'s output, as `--apply-prepared` reads it back (the password
/// record; the other fields of a record are ignored).
#[derive(serde::Deserialize)]
struct PreparedIn {
    record: String,
    integration: String,
    name: String,
    password: Option<SecretString>,
}

/// Read the records `--prepare` printed (JSON) from stdin: each connection's password.
/// Every record must be of `integration`; a name given twice is refused.
fn read_prepared(integration: &str) -> CliResult<Vec<(String, SecretString)>> {
    use std::io::Read;
    const MAX: usize = 4 * 1024 * 1024;
    let mut buf = zeroize::Zeroizing::new(Vec::new());
    std::io::stdin()
        .lock()
        .take(MAX as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::usage(format!("--apply-prepared: cannot read stdin ({e})")))?;
    if buf.len() > MAX {
        return Err(CliError::usage(format!(
            "--apply-prepared: stdin is longer than {MAX} bytes; nothing was sent"
        )));
    }
    // The error names the position only: serde_json's message may quote the input.
    let records: Vec<PreparedIn> = serde_json::from_slice(&buf).map_err(|e| {
        CliError::usage(format!(
            "--apply-prepared: stdin is not the JSON records of `rotate --prepare -o json` \
             (line {}, column {}); nothing was sent",
            e.line(),
            e.column()
        ))
    })?;
    let mut out: Vec<(String, SecretString)> = Vec::new();
    for r in records {
        if r.record != PASSWORD_RECORD {
            continue;
        }
        if r.integration != integration {
            return Err(CliError::usage(format!(
                "--apply-prepared: a record is of integration {}, not {integration}; nothing \
                 was sent",
                clean(&r.integration)
            )));
        }
        validate::connection_name(&r.name)?;
        let Some(pw) = r.password else {
            return Err(CliError::usage(format!(
                "--apply-prepared: the record of {} has no password; nothing was sent",
                clean(&r.name)
            )));
        };
        if out.iter().any(|(n, _)| *n == r.name) {
            return Err(CliError::usage(format!(
                "--apply-prepared: {} is given twice; nothing was sent",
                clean(&r.name)
            )));
        }
        out.push((r.name, pw));
    }
    if out.is_empty() {
        return Err(CliError::usage(
            "--apply-prepared: stdin holds no password record; nothing was sent",
        ));
    }
    Ok(out)
}

/// `--prepare`: check each connection is a basic_auth one, make its new password and print it
/// in rotate's password record (status `prepared`). Nothing is applied.
async fn prepare(
    ctx: &Ctx,
    integration: &str,
    targets: Vec<Target>,
    a: &RotateArgs,
) -> CliResult<i32> {
    let policy = ctx.password(a.length, a.charset)?;
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for t in targets {
        if t.before.is_none() {
            if let Err(e) = ctx
                .client
                .get_connection(integration, ConnectionKind::BasicAuth, &t.name)
                .await
            {
                warn(&e.to_string());
                failures.push(crate::exit::code_of(&e));
                continue;
            }
        }
        found.push(t.name);
    }
    let stdout = Stdout::new();
    let mut records = Records::new(
        a.out.output,
        found.iter().map(|n| (integration, n.as_str())),
        policy.length,
        Box::new({
            let stdout = stdout.clone();
            move |text: &str, durable: bool| stdout.write(text, durable)
        }),
    );
    let io_err = |e: std::io::Error| CliError {
        code: 1,
        message: Some(format!("cannot write to stdout ({e}): nothing was applied")),
    };
    records.begin().map_err(io_err)?;
    if !found.is_empty() && stdout_is_terminal() {
        warn("new passwords are printed below: store them now, then clear the scrollback");
    }
    for name in &found {
        let pw = new_password(&policy)?;
        let rec = PasswordRecord {
            record: PASSWORD_RECORD,
            integration: clean(integration),
            name: clean(name),
            password: &pw,
            status: "prepared",
        };
        records.password(&rec).map_err(io_err)?;
    }
    records.end().map_err(io_err)?;
    let end = stdout.written();
    stdout.delivered(end).await.map_err(io_err)?;
    warn(&format!(
        "prepared {} new password(s); nothing was applied: give each target its new password, \
         then feed these records to `zisctl rotate {} --apply-prepared --yes` on stdin",
        found.len(),
        clean(integration)
    ));
    Ok(combined_exit(found.len(), &failures))
}

/// How one connection's rotation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Done {
    Ok,
    /// Failed with this exit code (the reason is already on stderr).
    Failed(i32),
    /// Not touched: the run had stopped.
    Skipped,
}

/// Where each connection's rotation stands, for an interruption.
enum Slot {
    Idle,
    /// Its password record was printed; the PATCH was not sent.
    Printed(String),
    /// Its PATCH was sent; no result yet.
    Sent(String),
    Done,
}

/// What the concurrent rotations share: the records and whether the run has stopped.
struct Run {
    records: Records,
    integration: String,
    slots: Vec<Slot>,
    /// stdout failed: nothing more is sent.
    stopped: bool,
    sent: usize,
}

impl Run {
    fn result(
        &mut self,
        idx: usize,
        name: &str,
        outcome: Outcome,
        verified: bool,
        at: Option<OffsetDateTime>,
        error: Option<String>,
    ) {
        if let Some(s) = self.slots.get_mut(idx) {
            *s = Slot::Done;
        }
        if self.stopped {
            return;
        }
        let r = ResultRecord {
            record: RESULT_RECORD,
            integration: self.integration.clone(),
            name: clean(name),
            status: outcome,
            verified,
            updated_at: at.map(|t| format_time(Some(t))),
            error: error.map(|e| clean(&e)),
        };
        if let Err(e) = self.records.result(&r) {
            self.stopped = true;
            warn(&format!(
                "cannot write to stdout ({e}): the run stops here; {}/{} was {} (its password \
                 was printed before it was sent)",
                self.integration,
                clean(name),
                outcome.as_str()
            ));
        }
    }

    /// Print the result of every rotation under way: `unknown` once sent, `not_applied` when
    /// only printed. Returns (sent, not sent).
    fn interrupted(&mut self) -> (usize, usize) {
        let mut pending = Vec::new();
        for (i, s) in self.slots.iter_mut().enumerate() {
            match std::mem::replace(s, Slot::Done) {
                Slot::Printed(n) => pending.push((i, n, Outcome::NotApplied)),
                Slot::Sent(n) => pending.push((i, n, Outcome::Unknown)),
                other => *s = other,
            }
        }
        let mut counts = (0, 0);
        for (i, name, outcome) in pending {
            let why = if outcome == Outcome::Unknown {
                counts.0 += 1;
                "interrupted: no answer; it may be in force"
            } else {
                counts.1 += 1;
                "interrupted before it was sent"
            };
            self.result(i, &name, outcome, false, None, Some(why.into()));
        }
        counts
    }
}

struct Job<'a> {
    ctx: &'a Ctx,
    integration: &'a str,
    /// --apply-prepared: the password of each connection, read from stdin.
    prepared: std::collections::HashMap<String, SecretString>,
    policy: crate::secret::Policy,
    state: &'a Mutex<Run>,
    stdout: Stdout,
}

impl Job<'_> {
    async fn rotate_one(&self, idx: usize, t: Target) -> Done {
        if lock(self.state).stopped {
            return Done::Skipped;
        }
        let client = &self.ctx.client;
        let (integration, name) = (self.integration, t.name.as_str());
        let before = match t.before {
            Some(b) => b,
            None => match client
                .get_connection(integration, ConnectionKind::BasicAuth, name)
                .await
            {
                Ok(c) => c.updated_at,
                Err(e) if e.kind == ErrorKind::NotFound => {
                    // Say so when it exists with another kind.
                    if let Ok(c) = client.find_connection(integration, name).await {
                        warn(&format!(
                            "{integration}/{name} is a {} connection: rotate changes basic_auth \
                             passwords only (use `connections update`)",
                            c.kind
                        ));
                        return Done::Failed(2);
                    }
                    warn(&e.to_string());
                    return Done::Failed(crate::exit::code_of(&e));
                }
                Err(e) => {
                    warn(&e.to_string());
                    return Done::Failed(crate::exit::code_of(&e));
                }
            },
        };
        let made = match self.prepared.get(name) {
            Some(p) => Ok(p.clone()),
            None => new_password(&self.policy),
        };
        let pw = match made {
            Ok(p) => p,
            Err(e) => {
                warn(&e.to_string());
                return Done::Failed(e.code);
            }
        };
        if let Some(done) = self.print_password(idx, name, &pw).await {
            return done;
        }
        match client.apply_password(integration, name, &pw, before).await {
            Ok(applied) => {
                if !applied.verified {
                    warn(&format!(
                        "{integration}/{name}: the server accepted the new password, but reading \
                         it back did not show updated_at move: not verified"
                    ));
                }
                lock(self.state).result(
                    idx,
                    name,
                    Outcome::Applied,
                    applied.verified,
                    applied.updated_at,
                    None,
                );
                Done::Ok
            }
            Err(e) if may_have_applied(&e) => {
                // Look again, for a hint: did updated_at move?
                let hint = match client
                    .get_connection(integration, ConnectionKind::BasicAuth, name)
                    .await
                {
                    Ok(c) if moved(before, c.updated_at) => {
                        "updated_at has moved since, so it most likely took effect"
                    }
                    Ok(_) => {
                        "updated_at has not moved, so it most likely did not take effect and \
                         the old password still works"
                    }
                    Err(_) => "check it with `zisctl connections show`",
                };
                warn(&format!(
                    "{e}; the new password of {integration}/{name} was printed before it was \
                     sent (result: unknown, verified: false): {hint}"
                ));
                lock(self.state).result(
                    idx,
                    name,
                    Outcome::Unknown,
                    false,
                    None,
                    Some(format!("{e}; {hint}")),
                );
                Done::Failed(crate::exit::code_of(&e))
            }
            Err(e) => {
                warn(&e.to_string());
                lock(self.state).result(
                    idx,
                    name,
                    Outcome::NotApplied,
                    false,
                    None,
                    Some(e.to_string()),
                );
                Done::Failed(crate::exit::code_of(&e))
            }
        }
    }

    /// Print the password record and wait until it has left; None when the PATCH may go.
    /// When stdout fails the run stops and this connection is not touched.
    async fn print_password(&self, idx: usize, name: &str, pw: &SecretString) -> Option<Done> {
        let end = {
            let mut run = lock(self.state);
            if run.stopped {
                return Some(Done::Skipped);
            }
            let rec = PasswordRecord {
                record: PASSWORD_RECORD,
                integration: run.integration.clone(),
                name: clean(name),
                password: pw,
                status: "sending",
            };
            if let Err(e) = run.records.password(&rec) {
                run.stop(&e, name);
                return Some(Done::Failed(1));
            }
            run.slots[idx] = Slot::Printed(name.to_string());
            // Nothing else writes while the lock is held: this is where the record ends.
            self.stdout.written()
        };
        let delivered = self.stdout.delivered(end).await;
        let mut run = lock(self.state);
        if let Err(e) = delivered {
            run.slots[idx] = Slot::Done;
            run.stop(&e, name);
            return Some(Done::Failed(1));
        }
        if run.stopped {
            run.slots[idx] = Slot::Done;
            warn(&format!(
                "{}/{}: not changed (the run stopped)",
                run.integration,
                clean(name)
            ));
            return Some(Done::Skipped);
        }
        run.slots[idx] = Slot::Sent(name.to_string());
        run.sent += 1;
        None
    }
}

impl Run {
    /// stdout failed while printing the password of `name`: stop, and say so.
    fn stop(&mut self, e: &std::io::Error, name: &str) {
        let first = !self.stopped;
        self.stopped = true;
        if first {
            warn(&format!(
                "cannot write the new password of {}/{} to stdout ({e}): it was not changed, and \
                 the run stops here; the {} password(s) sent before were printed before they \
                 were sent",
                self.integration,
                clean(name),
                self.sent
            ));
        } else {
            warn(&format!(
                "{}/{}: not changed (the run stopped)",
                self.integration,
                clean(name)
            ));
        }
    }
}

fn moved(before: Option<OffsetDateTime>, after: Option<OffsetDateTime>) -> bool {
    match (before, after) {
        (Some(b), Some(a)) => a > b,
        (None, Some(_)) => true,
        _ => false,
    }
}

fn lock(p: &Mutex<Run>) -> MutexGuard<'_, Run> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::OutputFormat;
    use std::sync::Arc;

    fn run_with(out: super::super::records::Out) -> Run {
        let records = Records::new(
            OutputFormat::Json,
            [("acme", "alpha"), ("acme", "beta"), ("acme", "gamma")].into_iter(),
            32,
            out,
        );
        Run {
            records,
            integration: "acme".into(),
            slots: (0..3).map(|_| Slot::Idle).collect(),
            stopped: false,
            sent: 0,
        }
    }

    /// An interruption prints a result for every rotation under way: `unknown` for one whose
    /// PATCH was sent, `not_applied` for one only printed, nothing for one finished.
    #[test]
    fn an_interruption_says_what_became_of_each_rotation_under_way() {
        let buf = Arc::new(Mutex::new(String::new()));
        let b = buf.clone();
        let mut run = run_with(Box::new(move |t: &str, _: bool| {
            b.lock().unwrap().push_str(t);
            Ok(())
        }));
        run.records.begin().unwrap();
        run.slots[0] = Slot::Sent("alpha".into());
        run.slots[1] = Slot::Printed("beta".into());
        run.slots[2] = Slot::Done;
        assert_eq!(run.interrupted(), (1, 1));
        run.records.end().unwrap();
        let v: serde_json::Value = serde_json::from_str(&buf.lock().unwrap()).unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), 2);
        assert_eq!(arr[0]["name"], "alpha");
        assert_eq!(arr[0]["status"], "unknown");
        assert_eq!(arr[1]["name"], "beta");
        assert_eq!(arr[1]["status"], "not_applied");
        assert!(arr.iter().all(|r| r.get("password").is_none()));
        // Once said, nothing is said twice.
        assert_eq!(run.interrupted(), (0, 0));
    }

    /// A failed write stops the run: later results are not written.
    #[test]
    fn a_failed_write_stops_the_run() {
        let mut run = run_with(Box::new(|_t: &str, _: bool| {
            Err(std::io::Error::from_raw_os_error(libc::ENOSPC))
        }));
        run.result(0, "alpha", Outcome::Applied, true, None, None);
        assert!(run.stopped);
    }

    #[test]
    fn verification_compares_updated_at() {
        let t = time::macros::datetime!(2024-01-01 00:00 UTC);
        assert!(moved(Some(t), Some(t + time::Duration::seconds(1))));
        assert!(!moved(Some(t), Some(t)));
        assert!(moved(None, Some(t)));
        assert!(!moved(Some(t), None));
    }
}
