//! The local audit log: JSON lines (time, profile, integration, connection, action, outcome),
//! appended to a 0600 file. It never holds a value: fields changed are named, not shown. It is
//! the client's [`Journal`]: plugged into `ClientOptions::journal`.
//!
//! Each mutation is two lines with the same `id`: `pending` before the request is sent, then
//! its outcome. A mutation interrupted after it was sent (Ctrl-C, kill -9) keeps its pending
//! line; [`read`] pairs the lines, so a finished mutation shows once and an interrupted one
//! shows as [`NO_OUTCOME`].
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::zis::{Journal, Mutation, Ticket};

/// The outcome written before a mutation is sent.
pub const PENDING: &str = "pending";
/// How [`read`] shows a pending line whose outcome never came.
pub const NO_OUTCOME: &str = "pending (no outcome recorded: interrupted?)";

/// Where mutations are recorded, and under which profile.
#[derive(Debug, Clone)]
pub struct AuditLog {
    pub path: PathBuf,
    pub profile: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// RFC 3339, UTC.
    pub time: String,
    pub profile: String,
    pub integration: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// `create`, `update`, `delete`, `register`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Names of the fields changed (`password`, `username`), never their values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// `pending` (written before the request), then `ok`, or `failed: <error>`, or
    /// `unknown: <error>` when it may have been applied.
    pub outcome: String,
    /// Pairs a mutation's pending line with its outcome line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Entry {
    /// `integration/connection`, or the integration alone.
    pub fn target(&self) -> String {
        match &self.connection {
            Some(c) => format!("{}/{}", self.integration, c),
            None => self.integration.clone(),
        }
    }

    /// ` [password,username]`, or "" when no field was named.
    pub fn fields_text(&self) -> String {
        if self.fields.is_empty() {
            String::new()
        } else {
            format!(" [{}]", self.fields.join(","))
        }
    }
}

impl AuditLog {
    fn entry(&self, m: &Mutation<'_>, outcome: String, id: Option<Ticket>) -> Entry {
        Entry {
            time: crate::zis::format_time(Some(time::OffsetDateTime::now_utc())),
            profile: self.profile.clone(),
            integration: m.integration.to_string(),
            connection: m.connection.map(str::to_string),
            action: m.action.to_string(),
            kind: m.kind.map(|k| k.as_str().to_string()),
            fields: m.fields.iter().map(|f| f.to_string()).collect(),
            outcome,
            id: id.map(|t| format!("{:016x}", t.0)),
        }
    }

    fn write(&self, entry: &Entry) -> Result<(), String> {
        append(&self.path, entry).map_err(|e| {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot write the audit log");
            format!("{}: {e}", self.path.display())
        })
    }
}

impl Journal for AuditLog {
    /// Append the pending line, before the request is sent.
    fn begin(&self, m: &Mutation<'_>) -> Result<Ticket, String> {
        let ticket = Ticket(rand::random());
        self.write(&self.entry(m, PENDING.to_string(), Some(ticket)))?;
        Ok(ticket)
    }

    /// Append the outcome line.
    fn finish(
        &self,
        ticket: Option<Ticket>,
        m: &Mutation<'_>,
        outcome: &crate::zis::Result<()>,
    ) -> Result<(), String> {
        let outcome = match outcome {
            Ok(()) => "ok".to_string(),
            Err(e) if e.may_have_applied => format!("unknown: {e}"),
            Err(e) => format!("failed: {e}"),
        };
        self.write(&self.entry(m, outcome, ticket))
    }
}

fn append(path: &Path, entry: &Entry) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)?;
    }
    let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut oo = std::fs::OpenOptions::new();
    oo.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        oo.mode(0o600);
    }
    let mut f = oo.open(path)?;
    crate::files::restrict_to_owner(&f);
    // One write of a whole line: O_APPEND keeps concurrent writers' lines whole.
    f.write_all(line.as_bytes())
}

/// Read every entry (lines that do not parse are skipped), paired by [`pair`].
pub fn read(path: &Path) -> std::io::Result<Vec<Entry>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(pair(
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
    ))
}

/// One entry per mutation, in file order: a pending line whose outcome line (same `id`) comes
/// later is dropped (the outcome stands for both); one whose outcome never came says
/// [`NO_OUTCOME`].
pub fn pair(entries: Vec<Entry>) -> Vec<Entry> {
    let finished: std::collections::HashSet<String> = entries
        .iter()
        .filter(|e| e.outcome != PENDING)
        .filter_map(|e| e.id.clone())
        .collect();
    entries
        .into_iter()
        .filter_map(|mut e| {
            if e.outcome != PENDING {
                return Some(e);
            }
            if e.id.as_ref().is_some_and(|id| finished.contains(id)) {
                return None;
            }
            e.outcome = NO_OUTCOME.to_string();
            Some(e)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zis::ConnectionKind;

    fn m<'a>(action: &'a str, fields: &'a [&'a str]) -> Mutation<'a> {
        Mutation {
            integration: "acme",
            connection: Some("bob"),
            action,
            kind: Some(ConnectionKind::BasicAuth),
            fields,
        }
    }

    fn raw(path: &Path) -> Vec<Entry> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn entries_round_trip_and_file_is_private() {
        let d = tempfile::tempdir().unwrap();
        let log = AuditLog {
            path: d.path().join("x").join("audit.jsonl"),
            profile: "p".into(),
        };
        let update = m("update", &["password"]);
        let t = log.begin(&update).unwrap();
        log.finish(Some(t), &update, &Ok(())).unwrap();
        let delete = m("delete", &[]);
        let t = log.begin(&delete).unwrap();
        let err = crate::zis::Error::from_response(403, b"Forbidden");
        log.finish(Some(t), &delete, &Err(err)).unwrap();
        // Two lines a mutation on disk; one each once paired.
        assert_eq!(raw(&log.path).len(), 4);
        assert_eq!(raw(&log.path)[0].outcome, PENDING);
        let e = read(&log.path).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].fields, vec!["password".to_string()]);
        assert_eq!(e[0].outcome, "ok");
        assert!(e[1].outcome.starts_with("failed: Forbidden"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let m = std::fs::metadata(&log.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(m, 0o600);
        }
    }

    /// A mutation interrupted after its pending line keeps it, shown as interrupted; the
    /// others pair up whatever lines come between.
    #[test]
    fn a_pending_line_without_outcome_says_so() {
        let d = tempfile::tempdir().unwrap();
        let log = AuditLog {
            path: d.path().join("audit.jsonl"),
            profile: "p".into(),
        };
        let a = m("update", &["password"]);
        let ta = log.begin(&a).unwrap();
        let b = m("delete", &[]);
        let _tb = log.begin(&b).unwrap();
        log.finish(Some(ta), &a, &Ok(())).unwrap();
        let e = read(&log.path).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].action, "delete");
        assert_eq!(e[0].outcome, NO_OUTCOME);
        assert_eq!(e[1].action, "update");
        assert_eq!(e[1].outcome, "ok");
    }

    /// A journal that cannot write says so (the client turns it into an event).
    #[test]
    fn a_failure_to_write_is_returned() {
        let d = tempfile::tempdir().unwrap();
        let log = AuditLog {
            // A directory where the file should be.
            path: d.path().to_path_buf(),
            profile: "p".into(),
        };
        let err = log.begin(&m("update", &[])).unwrap_err();
        assert!(err.contains(&d.path().display().to_string()), "{err}");
    }
}
