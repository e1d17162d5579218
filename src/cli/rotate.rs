//! `zisctl rotate INTEGRATION (NAME... | --all)`: for each basic_auth connection, a fresh
//! password from the OS CSPRNG, PATCH, then GET to verify that `updated_at` moved.
//!
//! Nothing the user needs is ever lost:
//! - each result is printed as soon as it is known (rows stream; JSON is an array written
//!   element by element), so an earlier success survives a later crash;
//! - a password is registered as "sent" before its PATCH starts; if the PATCH's answer is lost
//!   (timeout, cut-off answer, 5xx) the password is printed anyway with `verified: false`;
//! - on Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGQUIT every password whose PATCH was sent and
//!   not yet printed is printed with `verified: false` before exiting with 128 + the signal's
//!   number (130, 143, 129, 131).
//!
//! A clean refusal (403, 404, validation) prints no password: it was never applied.
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use futures::StreamExt;
use secrecy::SecretString;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::args::{CharsetArg, GlobalArgs, OutputFormat, RotateArgs};
use crate::sanitize::clean;
use crate::zis::models::format_time;
use crate::zis::{validate, ConnectionKind, ErrorKind};

use super::output::{self, aligned_line, csv_line, indent};
use super::views::{RotatedView, ROTATE_CSV, ROTATE_TABLE};
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
    validate::integration_name(&a.integration)?;
    for n in &a.names {
        validate::connection_name(n)?;
    }
    check_length(a.length)?;
    let ctx = Ctx::load(global)?;
    ctx.check_writable("rotate")?;
    // Registered before the first request, so that no signal kills the process while a
    // password is in flight.
    let mut signals = crate::signals::Signals::new();

    let targets: Vec<Target> = if a.all {
        let list = tokio::select! {
            r = ctx.client.list_connections(&a.integration) => r?,
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
        warn(&format!("no basic_auth connections in {}", a.integration));
    }

    let printer = Arc::new(Mutex::new(Printer::new(
        a.out.output,
        &a.integration,
        &targets,
        a.length,
    )));
    if !targets.is_empty() && stdout_is_terminal() {
        warn("new passwords are printed below: store them now, then clear the scrollback");
    }
    lock(&printer).begin();

    let job = Job {
        ctx: &ctx,
        integration: &a.integration,
        length: a.length,
        charset: a.charset,
        printer: &printer,
    };
    let work = futures::stream::iter(targets.into_iter().enumerate())
        .map(|(i, t)| job.rotate_one(i, t))
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<Result<(), i32>>>();
    let outcomes = tokio::select! {
        o = work => o,
        code = signals.recv() => {
            let mut p = lock(&printer);
            let n = p.print_in_flight();
            p.end();
            drop(p);
            let msg = if n > 0 {
                format!(
                    "interrupted: {n} password change(s) were sent without an answer; their \
                     passwords are printed with verified: false (check them with `connections show`)"
                )
            } else {
                "interrupted".to_string()
            };
            return Err(CliError { code, message: Some(msg) });
        }
    };
    lock(&printer).end();
    let failures: Vec<i32> = outcomes.iter().filter_map(|o| o.err()).collect();
    let succeeded = outcomes.len() - failures.len();
    if !failures.is_empty() && outcomes.len() > 1 {
        warn(&format!(
            "{} of {} rotation(s) failed",
            failures.len(),
            outcomes.len()
        ));
    }
    if lock(&printer).write_failed {
        return Ok(1);
    }
    Ok(combined_exit(succeeded, &failures))
}

struct Job<'a> {
    ctx: &'a Ctx,
    integration: &'a str,
    length: usize,
    charset: CharsetArg,
    printer: &'a Arc<Mutex<Printer>>,
}

impl Job<'_> {
    /// Rotate one connection; Err holds its exit code (the reason is already on stderr).
    async fn rotate_one(&self, idx: usize, t: Target) -> Result<(), i32> {
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
                        return Err(2);
                    }
                    warn(&e.to_string());
                    return Err(crate::exit::code_of(&e));
                }
                Err(e) => {
                    warn(&e.to_string());
                    return Err(crate::exit::code_of(&e));
                }
            },
        };
        let pw = match new_password(self.length, self.charset) {
            Ok(p) => p,
            Err(e) => {
                warn(&e.to_string());
                return Err(e.code);
            }
        };
        // From here the password may reach the server: keep it until it is printed.
        lock(self.printer).sent(idx, name, &pw);
        match client.apply_password(integration, name, &pw, before).await {
            Ok(applied) => {
                lock(self.printer).finish(idx, applied.updated_at, applied.verified);
                if !applied.verified {
                    warn(&format!(
                        "{integration}/{name}: the server accepted the new password, but reading \
                         it back did not show updated_at move: not verified"
                    ));
                }
                Ok(())
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
                lock(self.printer).finish(idx, None, false);
                warn(&format!(
                    "{e}; the new password of {integration}/{name} is printed with verified: \
                     false: {hint}"
                ));
                Err(crate::exit::code_of(&e))
            }
            Err(e) => {
                lock(self.printer).abandon(idx);
                warn(&e.to_string());
                Err(crate::exit::code_of(&e))
            }
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

fn lock(p: &Mutex<Printer>) -> MutexGuard<'_, Printer> {
    p.lock().unwrap_or_else(|e| e.into_inner())
}

/// Prints rotation results as they come, and holds every password that was sent but not yet
/// printed.
struct Printer {
    fmt: OutputFormat,
    integration: String,
    widths: Vec<usize>,
    printed: usize,
    in_flight: Vec<Option<(String, SecretString)>>,
    write_failed: bool,
    /// Where the text goes: stdout (a unit test reads it instead).
    out: fn(&str) -> std::io::Result<()>,
}

impl Printer {
    fn new(fmt: OutputFormat, integration: &str, targets: &[Target], length: usize) -> Printer {
        let name_w = targets
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(0);
        let widths = vec![
            integration.chars().count().max(ROTATE_TABLE[0].len()),
            name_w.max(ROTATE_TABLE[1].len()),
            length.max(ROTATE_TABLE[2].len()),
            ROTATE_TABLE[3].len(),
            0,
        ];
        Printer {
            fmt,
            integration: clean(integration),
            widths,
            printed: 0,
            in_flight: (0..targets.len()).map(|_| None).collect(),
            write_failed: false,
            out: output::print,
        }
    }

    fn write(&mut self, text: &str) -> bool {
        match (self.out)(text) {
            Ok(()) => true,
            Err(_) => {
                self.write_failed = true;
                false
            }
        }
    }

    fn begin(&mut self) {
        match self.fmt {
            OutputFormat::Json => {}
            OutputFormat::Csv => {
                let line = csv_line(ROTATE_CSV.iter().copied());
                self.write(&line);
            }
            OutputFormat::Table => {
                let cells: Vec<String> = ROTATE_TABLE.iter().map(|s| s.to_string()).collect();
                let line = aligned_line(&cells, &self.widths);
                self.write(&line);
            }
        }
    }

    fn sent(&mut self, idx: usize, name: &str, pw: &SecretString) {
        if let Some(slot) = self.in_flight.get_mut(idx) {
            *slot = Some((name.to_string(), pw.clone()));
        }
    }

    fn abandon(&mut self, idx: usize) {
        if let Some(slot) = self.in_flight.get_mut(idx) {
            *slot = None;
        }
    }

    /// Print the result of rotation `idx` (if its password is still held) and forget it.
    fn finish(&mut self, idx: usize, updated_at: Option<OffsetDateTime>, verified: bool) {
        if let Some((name, pw)) = self.in_flight.get_mut(idx).and_then(Option::take) {
            self.row(&name, &pw, updated_at, verified);
        }
    }

    /// Print every password sent and not yet printed, verified: false. Returns how many.
    fn print_in_flight(&mut self) -> usize {
        let pending: Vec<(String, SecretString)> =
            self.in_flight.iter_mut().filter_map(Option::take).collect();
        for (name, pw) in &pending {
            self.row(name, pw, None, false);
        }
        pending.len()
    }

    fn row(
        &mut self,
        name: &str,
        pw: &SecretString,
        updated_at: Option<OffsetDateTime>,
        verified: bool,
    ) {
        let view = RotatedView {
            integration: self.integration.clone(),
            name: clean(name),
            password: pw,
            updated_at: updated_at.map(|t| format_time(Some(t))),
            verified,
        };
        let text: Zeroizing<String> = Zeroizing::new(match self.fmt {
            OutputFormat::Json => match serde_json::to_string_pretty(&view) {
                Ok(j) => {
                    let j = Zeroizing::new(j);
                    let sep = if self.printed == 0 { "[\n" } else { ",\n" };
                    format!("{sep}{}", indent(&j, 2))
                }
                Err(_) => String::new(),
            },
            OutputFormat::Csv => {
                let cells = Zeroizing::new(view.csv_cells());
                csv_line(cells.iter().map(String::as_str))
            }
            OutputFormat::Table => {
                let cells = Zeroizing::new(view.cells());
                aligned_line(&cells, &self.widths)
            }
        });
        if self.write(&text) {
            self.printed += 1;
        } else {
            warn(&format!(
                "could not print the new password of {}/{} (stdout failed): rotate it again",
                self.integration,
                clean(name)
            ));
        }
    }

    fn end(&mut self) {
        if self.fmt == OutputFormat::Json {
            let tail = if self.printed == 0 { "[]\n" } else { "\n]\n" };
            self.write(tail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Vec<Target> {
        ["alpha", "beta"]
            .iter()
            .map(|n| Target {
                name: n.to_string(),
                before: None,
            })
            .collect()
    }

    thread_local! {
        /// What a printer of this test thread wrote.
        static OUT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }

    fn capture(text: &str) -> std::io::Result<()> {
        OUT.with(|o| o.borrow_mut().push_str(text));
        Ok(())
    }

    fn captured() -> String {
        OUT.with(|o| o.borrow().clone())
    }

    #[test]
    fn in_flight_passwords_are_held_until_printed() {
        let mut p = Printer::new(OutputFormat::Json, "acme", &targets(), 32);
        p.out = capture;
        let pw = SecretString::from("pw-canary-1234567".to_string());
        p.sent(0, "alpha", &pw);
        p.sent(1, "beta", &pw);
        p.abandon(1);
        assert!(p.in_flight[0].is_some());
        assert!(p.in_flight[1].is_none());
        // Nothing printed yet: the in-flight one is still held.
        assert_eq!(p.printed, 0);
        assert!(captured().is_empty());
        // Interrupted: the held password is printed, unverified; the abandoned one is not.
        assert_eq!(p.print_in_flight(), 1);
        assert_eq!(p.printed, 1);
        p.end();
        let v: serde_json::Value = serde_json::from_str(&captured()).expect("a JSON array");
        let rows = v.as_array().expect("a JSON array");
        assert_eq!(
            rows.len(),
            1,
            "one row: the abandoned password is not printed"
        );
        assert_eq!(rows[0]["name"], "alpha");
        assert_eq!(rows[0]["verified"], false);
        // Compared, not displayed.
        assert!(
            rows[0]["password"] == "pw-canary-1234567",
            "the password printed is the one held"
        );
        // Printed once: nothing is held any more.
        assert!(p.in_flight.iter().all(Option::is_none));
        assert_eq!(p.print_in_flight(), 0);
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
