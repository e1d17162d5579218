//! `rotate --prepare` (print the new passwords, apply nothing) and `rotate --apply-prepared`
//! (read those records back from stdin and apply them): the two-phase flow, in which the
//! admin sets each target by hand in between. No recipe is run in either phase.
use secrecy::SecretString;

use crate::args::RotateArgs;
use crate::sanitize::clean;
use crate::zis::{validate, ConnectionKind};

use super::super::records::{PasswordRecord, Records, PASSWORD_RECORD};
use super::super::sink::Stdout;
use super::super::{
    combined_exit, new_password, stdout_is_terminal, warn, CliError, CliResult, Ctx,
};
use super::Target;

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
pub(super) fn read_prepared(integration: &str) -> CliResult<Vec<(String, SecretString)>> {
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
pub(super) async fn prepare(
    ctx: &Ctx,
    integration: &str,
    targets: Vec<Target>,
    a: &RotateArgs,
) -> CliResult<i32> {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    for t in targets {
        if t.conn.is_none() {
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
    let policy = ctx.password(a.length, a.charset)?;
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
