//! `zisctl rotate INTEGRATION (NAME... | --all)` and `rotate --stale [INTEGRATION]`: for each
//! basic_auth connection, a fresh password from the OS CSPRNG; with a rotation recipe from the
//! profile, it is set at the target (`set_command`) and tested there (`test_url` or
//! `test_command`) first; then PATCH, then GET to verify that `updated_at` moved.
//!
//! Nothing the user needs is ever lost:
//! - each new password is printed (a `password` record: written, flushed, synced for a file,
//!   taken by a pipe's reader) BEFORE its first step that changes anything (the set at the
//!   target, or the PATCH), and what became of it follows (a `result` record with every step,
//!   see `records.rs`), so even `kill -9` loses no password that was sent;
//! - a failed set or test at the target applies nothing in ZIS (exit 7);
//! - when stdout fails (a full disk, a closed pipe: Rust ignores SIGPIPE, so it is an error
//!   here), that connection is not touched and the run stops: no further change;
//! - on Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGQUIT the result of every change still in flight
//!   is printed as `unknown` (or `not_applied`) before exiting with 128 + the signal's number.
//!
//! A clean refusal (403, 404, validation) is a `not_applied` result: the old password stays.
//!
//! It asks first on a terminal and needs `--yes` without one; `--dry-run` says what would
//! change and how; `--prepare` prints the new passwords and applies nothing, and
//! `--apply-prepared` reads those records back from stdin and applies them (`prepared`).
//! `plan` picks the connections, `job` runs one connection's steps, `steps` reports them.
use std::sync::Mutex;

use futures::StreamExt;
use time::OffsetDateTime;

use crate::args::{GlobalArgs, RotateArgs};
use crate::rotation::Recipe;
use crate::sanitize::clean;
use crate::zis::{validate, Connection};

use super::records::Records;
use super::sink::Stdout;
use super::{check_length, combined_exit, stdout_is_terminal, warn, CliError, CliResult, Ctx};
use job::{lock, Done, Job, Run, Slot};

mod job;
mod plan;
mod prepared;
mod steps;

/// Rotations in flight at once.
const CONCURRENCY: usize = 4;

/// One connection to rotate.
pub(super) struct Target {
    integration: String,
    name: String,
    /// The connection as listed (None: read before its rotation).
    conn: Option<Connection>,
    /// The profile's recipe for it (None: the admin sets the target by hand).
    recipe: Option<Recipe>,
    /// In bulk without a recipe and without --manual: listed, not rotated.
    skip: bool,
}

pub async fn run(global: &GlobalArgs, a: RotateArgs) -> CliResult<i32> {
    if a.recover {
        return super::recover::run(a.integration.as_deref(), a.out.output).await;
    }
    let integration = a.integration.clone();
    match &integration {
        Some(i) => validate::integration_name(i)?,
        None if a.stale => {}
        None => return Err(CliError::usage("rotate needs an INTEGRATION")),
    }
    for n in &a.names {
        validate::connection_name(n)?;
    }
    if let Some(length) = a.length {
        check_length(length)?;
    }
    if a.older_than.is_some() && !a.stale {
        return Err(CliError::usage(
            "--older-than goes with --stale (it moves the stale line)",
        ));
    }
    if a.manual && !a.all && !a.stale {
        return Err(CliError::usage(
            "--manual goes with --all or --stale (named connections without a recipe are \
             rotated by hand anyway)",
        ));
    }
    if a.old_password_stdin {
        if a.names.len() != 1 {
            return Err(CliError::usage(
                "--old-password-stdin gives the current password of one connection: name \
                 exactly one",
            ));
        }
        if !a.yes {
            return Err(CliError::usage(
                "--old-password-stdin reads stdin, so it cannot ask: add --yes",
            ));
        }
    }
    if a.apply_prepared && !a.yes {
        return Err(CliError::usage(
            "--apply-prepared reads the prepared records from stdin, so it cannot ask: add \
             --yes",
        ));
    }
    let prepared_in = match (&integration, a.apply_prepared) {
        (Some(i), true) => Some(prepared::read_prepared(i)?),
        _ => None,
    };
    let old_password = if a.old_password_stdin {
        Some(super::input::read_secret_stdin("old password")?)
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

    let prepared_names: Option<Vec<String>> = prepared_in
        .as_ref()
        .map(|p| p.iter().map(|(n, _)| n.clone()).collect());
    let (targets, mut failures) = tokio::select! {
        r = plan::pick(&ctx, &a, integration.as_deref(), prepared_names.as_deref()) => r?,
        code = signals.recv() => return Err(CliError { code, ..CliError::interrupted() }),
    };
    if old_password.is_some() && targets.iter().any(|t| t.recipe.is_none()) {
        warn(
            "--old-password-stdin: no rotation recipe matches the connection, so its old \
             password is not used (it is set by hand)",
        );
    }
    if targets.is_empty() {
        match &integration {
            Some(i) if a.stale => warn(&format!("no stale basic_auth connections in {i}")),
            Some(i) => warn(&format!("no basic_auth connections in {i}")),
            None => warn("no stale basic_auth connections in the account"),
        }
    }
    if a.dry_run {
        return plan::dry_run(&ctx, targets, a.out.output, failures).await;
    }
    if a.prepare {
        return prepared::prepare(
            &ctx,
            integration.as_deref().unwrap_or_default(),
            targets,
            &a,
        )
        .await;
    }
    let targets: Vec<Target> = targets.into_iter().filter(|t| !t.skip).collect();
    if ask && !targets.is_empty() {
        let names: Vec<String> = targets
            .iter()
            .map(|t| format!("{}/{}", clean(&t.integration), clean(&t.name)))
            .collect();
        let recipes = targets.iter().filter(|t| t.recipe.is_some()).count();
        let how = if recipes == targets.len() {
            "Each is set and tested at its target by its recipe, then applied in ZIS."
        } else if recipes > 0 {
            "Those with a recipe are set at their target first; ZIS takes each of the others at \
             once, and their target systems must then be given it."
        } else {
            "ZIS takes each new password at once, and each target system must then be given it."
        };
        let q = format!(
            "Rotate the password of {} basic_auth connection(s): {}? {how}",
            names.len(),
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
    let records = Records::new(
        a.out.output,
        targets
            .iter()
            .map(|t| (t.integration.as_str(), t.name.as_str())),
        policy.length,
        Box::new({
            let stdout = stdout.clone();
            move |text: &str, durable: bool| stdout.write(text, durable)
        }),
    );
    let total = targets.len();
    let state = Mutex::new(Run {
        records,
        slots: targets
            .iter()
            .map(|t| Slot::new(&t.integration, &t.name))
            .collect(),
        stopped: false,
        sent: 0,
    });
    if let Err(e) = lock(&state).records.begin() {
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
    let job = Job {
        ctx: &ctx,
        prepared: prepared_in
            .map(|p| p.into_iter().collect())
            .unwrap_or_default(),
        old_password,
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
                    "; {unsent} printed password(s) were not applied in ZIS (not_applied)"
                ));
            }
            return Err(CliError { code, message: Some(msg) });
        }
    };
    let mut run = lock(&state);
    let _ = run.records.end();
    let stopped = run.stopped;
    drop(run);
    failures.extend(outcomes.iter().filter_map(|o| match o {
        Done::Failed(c) => Some(*c),
        _ => None,
    }));
    let skipped = outcomes.iter().filter(|o| **o == Done::Skipped).count();
    let succeeded = outcomes.iter().filter(|o| **o == Done::Ok).count();
    if stopped {
        warn(&format!(
            "the run stopped because stdout failed: {succeeded} of {total} rotated, {skipped} \
             not touched"
        ));
        return Ok(1);
    }
    let at_target = failures
        .iter()
        .filter(|c| **c == crate::exit::TARGET_FAILED)
        .count();
    if !failures.is_empty() && outcomes.len() > 1 {
        warn(&format!(
            "{} of {} rotation(s) failed",
            failures.len(),
            outcomes.len()
        ));
    }
    if at_target > 0 {
        warn(&format!(
            "{at_target} rotation(s) failed at the target: not applied in ZIS; their new \
             passwords were printed above and their targets may hold them"
        ));
        return Ok(crate::exit::TARGET_FAILED);
    }
    Ok(combined_exit(succeeded, &failures))
}

fn moved(before: Option<OffsetDateTime>, after: Option<OffsetDateTime>) -> bool {
    match (before, after) {
        (Some(b), Some(a)) => a > b,
        (None, Some(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::job::{Ending, Stage};
    use super::steps::StepLog;
    use super::*;
    use crate::args::OutputFormat;
    use crate::cli::views::Outcome;
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
            slots: ["alpha", "beta", "gamma"]
                .iter()
                .map(|n| Slot::new("acme", n))
                .collect(),
            stopped: false,
            sent: 0,
        }
    }

    /// An interruption prints a result for every rotation under way: `unknown` for one whose
    /// PATCH was sent, `not_applied` for one only printed or at its target, nothing for one
    /// finished.
    #[test]
    fn an_interruption_says_what_became_of_each_rotation_under_way() {
        let buf = Arc::new(Mutex::new(String::new()));
        let b = buf.clone();
        let mut run = run_with(Box::new(move |t: &str, _: bool| {
            b.lock().unwrap().push_str(t);
            Ok(())
        }));
        run.records.begin().unwrap();
        run.slots[0].stage = Stage::Sent;
        run.slots[1].stage = Stage::Printed;
        run.slots[2].stage = Stage::AtTarget;
        let mut log = StepLog::new(true, true);
        log.set(crate::rotation::Step::Set, crate::rotation::Mark::Ok, None);
        run.slots[2].log = Some(log);
        assert_eq!(run.interrupted(), (1, 2));
        run.records.end().unwrap();
        let v: serde_json::Value = serde_json::from_str(&buf.lock().unwrap()).unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), 3);
        assert_eq!(arr[0]["name"], "alpha");
        assert_eq!(arr[0]["status"], "unknown");
        assert_eq!(arr[1]["name"], "beta");
        assert_eq!(arr[1]["status"], "not_applied");
        assert_eq!(arr[2]["name"], "gamma");
        assert_eq!(arr[2]["status"], "not_applied");
        assert!(arr[2]["error"]
            .as_str()
            .unwrap()
            .contains("the target may hold"));
        assert_eq!(arr[2]["steps"][1]["mark"], "done");
        assert_eq!(arr[2]["steps"][2]["mark"], "unknown", "the test under way");
        assert!(arr[0]["steps"].is_null(), "no steps known: null");
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
        run.result(
            0,
            Ending {
                outcome: Outcome::Applied,
                verified: true,
                at: None,
                error: None,
                failed_step: None,
            },
        );
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
