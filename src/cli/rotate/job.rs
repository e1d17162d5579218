//! One connection's rotation, its steps in order: generate → (with a recipe) set at the target
//! → test at the target → apply in ZIS (PATCH) → verify (GET). The password record is printed
//! and delivered before the first step that changes anything (the set at the target, or the
//! PATCH); a failed set or test applies nothing in ZIS. Several run at once; `Run` is what
//! they share: the records, each one's stage (for an interruption) and whether the run stopped.
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use secrecy::SecretString;
use time::OffsetDateTime;

use crate::rotation::{run_command, run_test, Mark, Recipe, Step, StepFailed, Subject};
use crate::sanitize::clean;
use crate::zis::models::format_time;
use crate::zis::{Connection, ConnectionKind, ErrorKind};

use super::super::records::{
    PasswordRecord, Records, ResultRecord, PASSWORD_RECORD, RESULT_RECORD,
};
use super::super::sink::Stdout;
use super::super::views::Outcome;
use super::super::{may_have_applied, new_password, warn, Ctx};
use super::steps::{say, StepLog};
use super::Target;

/// How one connection's rotation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Done {
    Ok,
    /// Failed with this exit code (the reason is already on stderr).
    Failed(i32),
    /// Not touched: the run had stopped.
    Skipped,
}

/// Where a connection's rotation stands, for an interruption.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    Idle,
    /// Its password record was printed; nothing was sent.
    Printed,
    /// Its recipe's steps at the target are under way: the target may hold it, ZIS does not.
    AtTarget,
    /// Its PATCH was sent; no result yet.
    Sent,
    Done,
}

/// One connection of the run.
pub(super) struct Slot {
    /// Cleaned, for the records and messages.
    pub integration: String,
    pub name: String,
    pub stage: Stage,
    /// Its steps, once its password was made.
    pub log: Option<StepLog>,
}

impl Slot {
    pub fn new(integration: &str, name: &str) -> Slot {
        Slot {
            integration: clean(integration),
            name: clean(name),
            stage: Stage::Idle,
            log: None,
        }
    }

    fn key(&self) -> String {
        format!("{}/{}", self.integration, self.name)
    }
}

/// What the concurrent rotations share: the records and whether the run has stopped.
pub(super) struct Run {
    pub records: Records,
    pub slots: Vec<Slot>,
    /// stdout failed: nothing more is sent.
    pub stopped: bool,
    pub sent: usize,
}

/// How a result record ends a rotation.
pub(super) struct Ending {
    pub outcome: Outcome,
    pub verified: bool,
    pub at: Option<OffsetDateTime>,
    pub error: Option<String>,
    pub failed_step: Option<Step>,
}

impl Ending {
    fn new(outcome: Outcome, error: Option<String>) -> Ending {
        Ending {
            outcome,
            verified: false,
            at: None,
            error,
            failed_step: None,
        }
    }
}

impl Run {
    pub fn result(&mut self, idx: usize, e: Ending) {
        let Some(slot) = self.slots.get_mut(idx) else {
            return;
        };
        slot.stage = Stage::Done;
        if self.stopped {
            return;
        }
        let r = ResultRecord {
            record: RESULT_RECORD,
            integration: slot.integration.clone(),
            name: slot.name.clone(),
            status: e.outcome,
            verified: e.verified,
            updated_at: e.at.map(|t| format_time(Some(t))),
            error: e.error.map(|e| clean(&e)),
            steps: slot.log.as_ref().map(StepLog::records),
            failed_step: e.failed_step.map(Step::as_str),
        };
        let key = slot.key();
        if let Err(err) = self.records.result(&r) {
            self.stopped = true;
            warn(&format!(
                "cannot write to stdout ({err}): the run stops here; {key} was {} (its password \
                 was printed before it was sent)",
                e.outcome.as_str()
            ));
        }
    }

    /// Print the result of every rotation under way: `unknown` once sent to ZIS,
    /// `not_applied` when only printed or at the target. Returns (sent, not sent).
    pub fn interrupted(&mut self) -> (usize, usize) {
        let mut pending = Vec::new();
        for (i, s) in self.slots.iter_mut().enumerate() {
            let stage = std::mem::replace(&mut s.stage, Stage::Done);
            match stage {
                Stage::Printed | Stage::AtTarget | Stage::Sent => pending.push((i, stage)),
                other => s.stage = other,
            }
            if let (Stage::AtTarget | Stage::Sent, Some(log)) = (stage, s.log.as_mut()) {
                if let Some(step) = log.next() {
                    log.set(step, Mark::Unknown, Some("interrupted".into()));
                }
            }
        }
        let mut counts = (0, 0);
        for (i, stage) in pending {
            let (outcome, why) = match stage {
                Stage::Sent => {
                    counts.0 += 1;
                    (
                        Outcome::Unknown,
                        "interrupted: no answer; it may be in force",
                    )
                }
                Stage::AtTarget => {
                    counts.1 += 1;
                    (
                        Outcome::NotApplied,
                        "interrupted at the target: the target may hold the new password; ZIS \
                         does not",
                    )
                }
                _ => {
                    counts.1 += 1;
                    (Outcome::NotApplied, "interrupted before it was sent")
                }
            };
            self.result(i, Ending::new(outcome, Some(why.into())));
        }
        counts
    }

    /// stdout failed while printing the password of slot `idx`: stop, and say so.
    fn stop(&mut self, e: &std::io::Error, idx: usize) {
        let first = !self.stopped;
        self.stopped = true;
        let key = self.slots[idx].key();
        if first {
            warn(&format!(
                "cannot write the new password of {key} to stdout ({e}): it was not changed, \
                 and the run stops here; the {} password(s) sent before were printed before \
                 they were sent",
                self.sent
            ));
        } else {
            warn(&format!("{key}: not changed (the run stopped)"));
        }
    }

    fn log(&mut self, idx: usize, step: Step, mark: Mark, line: Option<String>) {
        if let Some(log) = self.slots[idx].log.as_mut() {
            log.set(step, mark, line);
        }
    }
}

pub(super) struct Job<'a> {
    pub ctx: &'a Ctx,
    /// --apply-prepared: the password of each connection, read from stdin.
    pub prepared: HashMap<String, SecretString>,
    /// --old-password-stdin: the connection's current password, for its recipe.
    pub old_password: Option<SecretString>,
    pub policy: crate::secret::Policy,
    pub state: &'a Mutex<Run>,
    pub stdout: Stdout,
}

impl Job<'_> {
    pub async fn rotate_one(&self, idx: usize, mut t: Target) -> Done {
        if lock(self.state).stopped {
            return Done::Skipped;
        }
        let (integration, name) = (t.integration.as_str(), t.name.as_str());
        let conn = match t.conn.take() {
            Some(c) => c,
            None => match self.read(integration, name).await {
                Ok(c) => c,
                Err(code) => return Done::Failed(code),
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
        let recipe = t.recipe.as_ref();
        lock(self.state).slots[idx].log = Some(StepLog::new(
            recipe.is_some(),
            recipe.is_some_and(|r| r.test.is_some()),
        ));
        let next = if recipe.is_some() {
            Stage::AtTarget
        } else {
            Stage::Sent
        };
        if let Some(done) = self.print_password(idx, &pw, next).await {
            return done;
        }
        if let Some(r) = recipe {
            let (ci, cn) = (clean(integration), clean(name));
            say(
                &ci,
                &cn,
                Step::Generate,
                Mark::Ok,
                Some("printed on stdout"),
            );
            if let Some(done) = self.at_target(idx, &t, r, &conn, &pw).await {
                return done;
            }
            let mut run = lock(self.state);
            run.slots[idx].stage = Stage::Sent;
            run.sent += 1;
        }
        self.apply(idx, &t, &conn, &pw).await
    }

    /// GET the connection (its `updated_at`, username and allowed domain); Err: the exit code
    /// (the reason is on stderr).
    async fn read(&self, integration: &str, name: &str) -> Result<Connection, i32> {
        let client = &self.ctx.client;
        match client
            .get_connection(integration, ConnectionKind::BasicAuth, name)
            .await
        {
            Ok(c) => Ok(c),
            Err(e) if e.kind == ErrorKind::NotFound => {
                // Say so when it exists with another kind.
                if let Ok(c) = client.find_connection(integration, name).await {
                    warn(&format!(
                        "{integration}/{name} is a {} connection: rotate changes basic_auth \
                         passwords only (use `connections update`)",
                        c.kind
                    ));
                    return Err(2);
                }
                warn(&e.to_string());
                Err(crate::exit::code_of(&e))
            }
            Err(e) => {
                warn(&e.to_string());
                Err(crate::exit::code_of(&e))
            }
        }
    }

    /// The recipe's set, then its test; None when ZIS may take the password now. A failed
    /// step ends the rotation there: nothing is applied in ZIS.
    async fn at_target(
        &self,
        idx: usize,
        t: &Target,
        recipe: &Recipe,
        conn: &Connection,
        pw: &SecretString,
    ) -> Option<Done> {
        let (integration, name) = (clean(&t.integration), clean(&t.name));
        let subject = Subject {
            integration: &t.integration,
            name: &t.name,
            kind: "basic_auth",
            username: conn.username.as_deref().unwrap_or(""),
            allowed_domain: &conn.allowed_domain,
            new_password: pw,
            old_password: self.old_password.as_ref(),
        };
        let mut steps = vec![Step::Set];
        if recipe.test.is_some() {
            steps.push(Step::Test);
        }
        for step in steps {
            let result = match (step, &recipe.test) {
                (Step::Test, Some(test)) => run_test(test, &subject).await,
                _ => run_command(&recipe.set, &subject).await,
            };
            match result {
                Ok(line) => {
                    say(&integration, &name, step, Mark::Ok, Some(&line));
                    lock(self.state).log(idx, step, Mark::Ok, Some(line));
                }
                Err(StepFailed(line)) => {
                    say(&integration, &name, step, Mark::Failed, Some(&line));
                    let error = format!(
                        "{} failed: {line}; nothing was applied in ZIS (the target may hold the \
                         new password printed above)",
                        step.label()
                    );
                    let mut run = lock(self.state);
                    run.log(idx, step, Mark::Failed, Some(line));
                    run.result(
                        idx,
                        Ending {
                            failed_step: Some(step),
                            ..Ending::new(Outcome::NotApplied, Some(error))
                        },
                    );
                    return Some(Done::Failed(crate::exit::TARGET_FAILED));
                }
            }
        }
        None
    }

    /// PATCH and verify in ZIS.
    async fn apply(&self, idx: usize, t: &Target, conn: &Connection, pw: &SecretString) -> Done {
        let client = &self.ctx.client;
        let (integration, name) = (t.integration.as_str(), t.name.as_str());
        let before = conn.updated_at;
        let show = t.recipe.is_some();
        let (ci, cn) = (clean(integration), clean(name));
        match client.apply_password(integration, name, pw, before).await {
            Ok(applied) => {
                if !applied.verified {
                    warn(&format!(
                        "{integration}/{name}: the server accepted the new password, but reading \
                         it back did not show updated_at move: not verified"
                    ));
                }
                let verify = if applied.verified {
                    (Mark::Ok, "updated_at moved")
                } else {
                    (Mark::Unknown, "updated_at did not move")
                };
                if show {
                    say(&ci, &cn, Step::Apply, Mark::Ok, None);
                    say(&ci, &cn, Step::Verify, verify.0, Some(verify.1));
                }
                let mut run = lock(self.state);
                run.log(idx, Step::Apply, Mark::Ok, None);
                run.log(idx, Step::Verify, verify.0, Some(verify.1.into()));
                run.result(
                    idx,
                    Ending {
                        verified: applied.verified,
                        at: applied.updated_at,
                        ..Ending::new(Outcome::Applied, None)
                    },
                );
                Done::Ok
            }
            Err(e) if may_have_applied(&e) => {
                // Look again, for a hint: did updated_at move?
                let hint = match client
                    .get_connection(integration, ConnectionKind::BasicAuth, name)
                    .await
                {
                    Ok(c) if super::moved(before, c.updated_at) => {
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
                let line = clean(&format!("{e}; {hint}"));
                let said = show.then_some((ci.as_str(), cn.as_str()));
                self.apply_failed(idx, said, Mark::Unknown, Outcome::Unknown, line);
                Done::Failed(crate::exit::code_of(&e))
            }
            Err(e) => {
                warn(&e.to_string());
                let line = clean(&e.to_string());
                let said = show.then_some((ci.as_str(), cn.as_str()));
                self.apply_failed(idx, said, Mark::Failed, Outcome::NotApplied, line);
                Done::Failed(crate::exit::code_of(&e))
            }
        }
    }

    /// The apply step went wrong (`mark`): its stderr line when `said` (a recipe's connection,
    /// whose steps are said), its log and the result.
    fn apply_failed(
        &self,
        idx: usize,
        said: Option<(&str, &str)>,
        mark: Mark,
        outcome: Outcome,
        line: String,
    ) {
        if let Some((ci, cn)) = said {
            say(ci, cn, Step::Apply, mark, Some(&line));
        }
        let mut run = lock(self.state);
        run.log(idx, Step::Apply, mark, Some(line.clone()));
        run.result(
            idx,
            Ending {
                failed_step: Some(Step::Apply),
                ..Ending::new(outcome, Some(line))
            },
        );
    }

    /// Print the password record and wait until it has left; None when the next step (`next`:
    /// at the target, or the PATCH) may go. When stdout fails the run stops and this
    /// connection is not touched.
    async fn print_password(&self, idx: usize, pw: &SecretString, next: Stage) -> Option<Done> {
        let end = {
            let mut run = lock(self.state);
            if run.stopped {
                return Some(Done::Skipped);
            }
            let rec = PasswordRecord {
                record: PASSWORD_RECORD,
                integration: run.slots[idx].integration.clone(),
                name: run.slots[idx].name.clone(),
                password: pw,
                status: "sending",
            };
            if let Err(e) = run.records.password(&rec) {
                run.stop(&e, idx);
                return Some(Done::Failed(1));
            }
            run.slots[idx].stage = Stage::Printed;
            // Nothing else writes while the lock is held: this is where the record ends.
            self.stdout.written()
        };
        let delivered = self.stdout.delivered(end).await;
        let mut run = lock(self.state);
        if let Err(e) = delivered {
            run.slots[idx].stage = Stage::Done;
            run.stop(&e, idx);
            return Some(Done::Failed(1));
        }
        if run.stopped {
            run.slots[idx].stage = Stage::Done;
            warn(&format!(
                "{}: not changed (the run stopped)",
                run.slots[idx].key()
            ));
            return Some(Done::Skipped);
        }
        run.slots[idx].stage = next;
        if next == Stage::Sent {
            run.sent += 1;
        }
        None
    }
}

pub(super) fn lock(p: &Mutex<Run>) -> MutexGuard<'_, Run> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}
