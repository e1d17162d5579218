//! `zisctl log`: print the local audit log (table, JSON, or formula-safe CSV), optionally
//! filtered by integration, time and action.
use serde::Serialize;
use time::OffsetDateTime;

use crate::args::{LogArgs, OutputFormat};
use crate::auditlog::{self, Entry};
use crate::sanitize::clean;

use super::output::{self, Table};
use super::{CliError, CliResult};

/// The CSV columns, in order.
const LOG_CSV: &[&str] = &[
    "time",
    "profile",
    "account",
    "integration",
    "connection",
    "action",
    "kind",
    "fields",
    "outcome",
];

/// The table's columns.
const LOG_TABLE: &[&str] = &[
    "TIME", "PROFILE", "ACCOUNT", "ACTION", "TARGET", "FIELDS", "OUTCOME",
];

/// The actions an entry may have (the first word of its action).
const ACTIONS: &[&str] = &[
    "create",
    "update",
    "rotate",
    "delete",
    "register",
    "authorize",
];

/// One entry as `log -o json` prints it: every key always there (`null` when it does not
/// apply), whatever the line on disk left out.
#[derive(Serialize)]
struct EntryView<'a> {
    time: &'a str,
    profile: &'a str,
    account: Option<&'a str>,
    integration: &'a str,
    connection: Option<&'a str>,
    action: &'a str,
    kind: Option<&'a str>,
    fields: &'a [String],
    outcome: &'a str,
    id: Option<&'a str>,
}

impl<'a> EntryView<'a> {
    fn new(e: &'a Entry) -> EntryView<'a> {
        EntryView {
            time: &e.time,
            profile: &e.profile,
            account: e.account.as_deref(),
            integration: &e.integration,
            connection: e.connection.as_deref(),
            action: &e.action,
            kind: e.kind.as_deref(),
            fields: &e.fields,
            outcome: &e.outcome,
            id: e.id.as_deref(),
        }
    }
}

/// What `--integration`, `--since` and `--action` keep.
struct Filter {
    integration: Option<String>,
    since: Option<OffsetDateTime>,
    action: Option<String>,
}

impl Filter {
    fn from_args(a: &LogArgs, now: OffsetDateTime) -> CliResult<Filter> {
        if let Some(i) = &a.integration {
            crate::zis::validate::integration_name(i)?;
        }
        if let Some(act) = &a.action {
            if !ACTIONS.contains(&act.as_str()) {
                return Err(CliError::usage(format!(
                    "--action: one of {}",
                    ACTIONS.join(", ")
                )));
            }
        }
        let since = a
            .since
            .as_deref()
            .map(|s| parse_since(s, now))
            .transpose()?;
        Ok(Filter {
            integration: a.integration.clone(),
            since,
            action: a.action.clone(),
        })
    }

    fn active(&self) -> bool {
        self.integration.is_some() || self.since.is_some() || self.action.is_some()
    }

    fn keeps(&self, e: &Entry) -> bool {
        if let Some(i) = &self.integration {
            if &e.integration != i {
                return false;
            }
        }
        if let Some(a) = &self.action {
            if e.action.split(' ').next() != Some(a.as_str()) {
                return false;
            }
        }
        if let Some(since) = self.since {
            // An entry whose time does not parse is not known to be recent: left out.
            match parse_time(&e.time) {
                Some(t) if t >= since => {}
                _ => return false,
            }
        }
        true
    }
}

fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// `--since`: `YYYY-MM-DD` (midnight UTC), an RFC 3339 time, or `N` + `m`/`h`/`d`/`w` back
/// from `now`.
fn parse_since(s: &str, now: OffsetDateTime) -> CliResult<OffsetDateTime> {
    let bad = || {
        CliError::usage(format!(
            "--since: a date (2026-11-30), an RFC 3339 time (2026-11-30T08:00:00Z) or a \
             duration back from now (90m, 12h, 7d, 2w), not {}",
            clean(s)
        ))
    };
    if let Some(t) = parse_time(s) {
        return Ok(t);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(s, &fmt) {
        return Ok(d.midnight().assume_utc());
    }
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| bad())?;
    if n < 0 {
        return Err(bad());
    }
    let d = match unit {
        "m" => time::Duration::minutes(n),
        "h" => time::Duration::hours(n),
        "d" => time::Duration::days(n),
        "w" => time::Duration::weeks(n),
        _ => return Err(bad()),
    };
    now.checked_sub(d).ok_or_else(bad)
}

/// A time of fixed width, `2026-11-30 08:00:00Z` (whatever fraction of a second the line
/// holds); a line's text as it is when it does not parse.
fn fixed_time(s: &str) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
    parse_time(s)
        .and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&fmt).ok())
        .unwrap_or_else(|| s.to_string())
}

pub fn run(args: &LogArgs) -> CliResult {
    let filter = Filter::from_args(args, OffsetDateTime::now_utc())?;
    let Some(path) = crate::files::audit_log_path() else {
        return Err(CliError::usage(
            "no data directory for the audit log on this system",
        ));
    };
    // `-n N` alone reads the file backwards from its end: a large log costs N entries of
    // memory. With a filter every entry is read, then the last N kept.
    let read = match (args.tail, filter.active()) {
        (Some(n), false) => auditlog::read_tail(&path, n),
        _ => auditlog::read(&path),
    };
    let mut entries = read.map_err(|e| CliError {
        code: 1,
        message: Some(format!("cannot read the audit log: {e}")),
    })?;
    if filter.active() {
        entries.retain(|e| filter.keeps(e));
        if let Some(n) = args.tail {
            let skip = entries.len().saturating_sub(n);
            entries.drain(..skip);
        }
    }
    let text = match args.out.output {
        OutputFormat::Json => {
            let views: Vec<EntryView> = entries.iter().map(EntryView::new).collect();
            output::json(&views)?
        }
        OutputFormat::Csv => csv(&entries),
        OutputFormat::Table => {
            if entries.is_empty() {
                if filter.active() {
                    eprintln!("no mutation recorded in {} matches", path.display());
                } else {
                    eprintln!("no mutations recorded yet in {}", path.display());
                }
                String::new()
            } else {
                table(&entries).render()
            }
        }
    };
    output::print(&text)?;
    Ok(())
}

/// The entries as an aligned table under a header (every cell sanitised by the table).
fn table(entries: &[Entry]) -> Table {
    let mut t = Table::new(LOG_TABLE);
    for e in entries {
        t.push(vec![
            fixed_time(&e.time),
            e.profile.clone(),
            e.account.clone().unwrap_or_else(|| "-".into()),
            e.action.clone(),
            e.target(),
            if e.fields.is_empty() {
                "-".into()
            } else {
                e.fields.join(",")
            },
            e.outcome.clone(),
        ]);
    }
    t
}

/// The entries as CSV, through the same formula-safe writer as every other CSV output.
fn csv(entries: &[Entry]) -> String {
    let mut t = Table::new(LOG_CSV);
    for e in entries {
        t.push(vec![
            e.time.clone(),
            e.profile.clone(),
            e.account.clone().unwrap_or_default(),
            e.integration.clone(),
            e.connection.clone().unwrap_or_default(),
            e.action.clone(),
            e.kind.clone().unwrap_or_default(),
            e.fields.join(" "),
            e.outcome.clone(),
        ]);
    }
    t.to_csv()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names and outcomes come from a server or a user: a cell that a spreadsheet would run as
    /// a formula is neutralised, as in every other CSV zisctl prints.
    #[test]
    fn log_csv_is_formula_safe_and_quoted() {
        let e = Entry {
            time: "2024-01-01T00:00:00Z".into(),
            profile: "p".into(),
            account: Some("https://acme.zendesk.com".into()),
            integration: "=HYPERLINK(\"x\")".into(),
            connection: Some("a,b".into()),
            action: "update".into(),
            kind: Some("basic_auth".into()),
            fields: vec!["password".into(), "username".into()],
            outcome: "@SUM(A1)".into(),
            id: None,
        };
        let text = csv(&[e]);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], LOG_CSV.join(","));
        assert_eq!(
            lines[1],
            "2024-01-01T00:00:00Z,p,https://acme.zendesk.com,\"'=HYPERLINK(\"\"x\"\")\",\"a,b\",update,basic_auth,\
             password username,'@SUM(A1)"
        );
        assert_eq!(
            lines.len(),
            3,
            "header, one row, nothing after the last CRLF"
        );
    }

    #[test]
    fn since_takes_a_date_a_time_or_a_duration() {
        let now = time::macros::datetime!(2026-12-02 12:00 UTC);
        assert_eq!(
            parse_since("7d", now).unwrap(),
            time::macros::datetime!(2026-11-25 12:00 UTC)
        );
        assert_eq!(
            parse_since("90m", now).unwrap(),
            time::macros::datetime!(2026-12-02 10:30 UTC)
        );
        assert_eq!(
            parse_since("2026-11-30", now).unwrap(),
            time::macros::datetime!(2026-11-30 0:00 UTC)
        );
        assert_eq!(
            parse_since("2026-11-30T08:00:00Z", now).unwrap(),
            time::macros::datetime!(2026-11-30 8:00 UTC)
        );
        for bad in ["", "7", "d", "-1d", "7y", "yesterday"] {
            assert_eq!(
                parse_since(bad, now).err().map(|e| e.code),
                Some(2),
                "{bad}"
            );
        }
    }

    #[test]
    fn times_are_of_one_width() {
        assert_eq!(
            fixed_time("2026-11-22T10:00:00.123456Z"),
            "2026-11-22 10:00:00Z"
        );
        assert_eq!(fixed_time("2026-11-22T10:00:00Z"), "2026-11-22 10:00:00Z");
        assert_eq!(
            fixed_time("2026-11-22T11:00:00+01:00"),
            "2026-11-22 10:00:00Z"
        );
    }
}
