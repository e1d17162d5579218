//! `zisctl rotate --recover [INTEGRATION]`: print the rotated passwords the TUI kept in the
//! recovery store (it had to end before they were revealed or copied), in rotate's records
//! (a `password` record with status `kept`, then a `result` record with what was known), and
//! forget them only once every one was printed, flushed and delivered.
use std::collections::BTreeMap;

use crate::args::OutputFormat;
use crate::recovery::{self, Kept};
use crate::sanitize::clean;

use super::records::{PasswordRecord, Records, ResultRecord, PASSWORD_RECORD, RESULT_RECORD};
use super::sink::Stdout;
use super::views::Outcome;
use super::{stdout_is_terminal, warn, CliError, CliResult};

pub async fn run(integration: Option<&str>, fmt: OutputFormat) -> CliResult<i32> {
    if let Some(i) = integration {
        crate::zis::validate::integration_name(i)?;
    }
    let Some(path) = recovery::path() else {
        return Err(CliError::usage(
            "no data directory on this system: nothing can have been kept",
        ));
    };
    let all = recovery::load(&path).map_err(|e| CliError {
        code: 1,
        message: Some(format!("cannot read {}: {e}", path.display())),
    })?;
    let picked: Vec<Kept> = all
        .into_iter()
        .filter(|k| integration.is_none_or(|i| k.integration == i))
        .collect();
    let stdout = Stdout::new();
    let length = picked
        .iter()
        .map(|k| {
            secrecy::ExposeSecret::expose_secret(&k.password)
                .chars()
                .count()
        })
        .max()
        .unwrap_or(0);
    let mut records = Records::new(
        fmt,
        picked
            .iter()
            .map(|k| (k.integration.as_str(), k.name.as_str())),
        length,
        Box::new({
            let stdout = stdout.clone();
            move |text: &str, durable: bool| stdout.write(text, durable)
        }),
    );
    if picked.is_empty() {
        warn("no rotated passwords are kept");
    } else if stdout_is_terminal() {
        warn("kept passwords are printed below: store them now, then clear the scrollback");
    }
    let failed = |e: std::io::Error| CliError {
        code: 1,
        message: Some(format!(
            "cannot write to stdout ({e}): nothing was forgotten; run `zisctl rotate --recover` \
             again"
        )),
    };
    records.begin().map_err(failed)?;
    for k in &picked {
        records
            .password(&PasswordRecord {
                record: PASSWORD_RECORD,
                integration: clean(&k.integration),
                name: clean(&k.name),
                password: &k.password,
                status: "kept",
            })
            .map_err(failed)?;
        records
            .result(&ResultRecord {
                record: RESULT_RECORD,
                integration: clean(&k.integration),
                name: clean(&k.name),
                status: kept_outcome(&k.status),
                verified: k.verified,
                updated_at: None,
                error: (k.status == recovery::AT_TARGET).then(|| at_target_note(k)),
                steps: None,
                failed_step: None,
            })
            .map_err(failed)?;
    }
    records.end().map_err(failed)?;
    stdout.delivered(stdout.written()).await.map_err(failed)?;
    if picked.is_empty() {
        return Ok(0);
    }
    // Which accounts they belong to: said on stderr, one line each.
    let mut accounts: BTreeMap<(String, String), Vec<&Kept>> = BTreeMap::new();
    for k in &picked {
        accounts
            .entry((k.account.clone(), k.profile.clone()))
            .or_default()
            .push(k);
    }
    for ((account, profile), ks) in &accounts {
        let names: Vec<String> = ks
            .iter()
            .map(|k| format!("{}/{} (kept {})", k.integration, k.name, k.kept_at))
            .collect();
        warn(&format!(
            "from {account} (profile {profile}): {}",
            names.join(", ")
        ));
    }
    for k in picked.iter().filter(|k| k.status == recovery::AT_TARGET) {
        warn(&format!(
            "{}/{}: {}",
            clean(&k.integration),
            clean(&k.name),
            at_target_note(k)
        ));
    }
    recovery::forget(&path, &picked).map_err(|e| CliError {
        code: 1,
        message: Some(format!(
            "printed, but cannot remove them from {} ({e}): they will be printed again",
            path.display()
        )),
    })?;
    warn(&format!(
        "{} kept password(s) printed and forgotten: set them on their targets (the status says \
         whether ZIS holds them)",
        picked.len()
    ));
    Ok(0)
}

/// What a kept status says of ZIS: `at_target` (a rotation recipe set it at the target, or
/// began to) is not applied there.
fn kept_outcome(status: &str) -> Outcome {
    if status == recovery::AT_TARGET {
        return Outcome::NotApplied;
    }
    Outcome::parse(status).unwrap_or(Outcome::Unknown)
}

/// For a password a recipe set (or began to set) at the target and ZIS does not hold.
fn at_target_note(k: &Kept) -> String {
    format!(
        "set (or being set) at the target by a rotation recipe, not applied in ZIS: the target \
         may hold it; apply it with `zisctl connections update {} {} --password-stdin`",
        clean(&k.integration),
        clean(&k.name)
    )
}
