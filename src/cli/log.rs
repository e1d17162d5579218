//! `zisctl log`: print the local audit log (table, JSON, or formula-safe CSV).
use crate::args::{LogArgs, OutputFormat};
use crate::auditlog::{self, Entry};
use crate::sanitize::clean;

use super::output::{self, Table};
use super::{CliError, CliResult};

/// The CSV columns, in order.
const LOG_CSV: &[&str] = &[
    "time",
    "profile",
    "integration",
    "connection",
    "action",
    "kind",
    "fields",
    "outcome",
];

pub fn run(args: &LogArgs) -> CliResult {
    let Some(path) = crate::files::audit_log_path() else {
        return Err(CliError::usage(
            "no data directory for the audit log on this system",
        ));
    };
    // `-n N` reads the file backwards from its end: a large log costs N entries of memory.
    let entries = match args.tail {
        Some(n) => auditlog::read_tail(&path, n),
        None => auditlog::read(&path),
    }
    .map_err(|e| CliError {
        code: 1,
        message: Some(format!("cannot read the audit log: {e}")),
    })?;
    let text = match args.out.output {
        OutputFormat::Json => output::json(&entries)?,
        OutputFormat::Csv => csv(&entries),
        OutputFormat::Table => {
            if entries.is_empty() {
                eprintln!("no mutations recorded yet in {}", path.display());
            }
            let mut out = String::new();
            for e in &entries {
                let (target, fields) = (e.target(), e.fields_text());
                out.push_str(&format!(
                    "{}  {:<10} {:<9} {}{}  {}\n",
                    clean(&e.time),
                    clean(&e.profile),
                    clean(&e.action),
                    clean(&target),
                    clean(&fields),
                    clean(&e.outcome)
                ));
            }
            out
        }
    };
    output::print(&text)?;
    Ok(())
}

/// The entries as CSV, through the same formula-safe writer as every other CSV output.
fn csv(entries: &[Entry]) -> String {
    let mut t = Table::new(LOG_CSV);
    for e in entries {
        t.push(vec![
            e.time.clone(),
            e.profile.clone(),
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
            "2024-01-01T00:00:00Z,p,\"'=HYPERLINK(\"\"x\"\")\",\"a,b\",update,basic_auth,\
             password username,'@SUM(A1)"
        );
        assert_eq!(
            lines.len(),
            3,
            "header, one row, nothing after the last CRLF"
        );
    }
}
