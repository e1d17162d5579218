//! The local audit log: one JSON line per mutation (time, profile, integration, connection,
//! action, outcome), appended to a 0600 file. It never holds a value: fields changed are named,
//! not shown. It is the client's [`Journal`]: plugged into `ClientOptions::journal`.
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::zis::{ConnectionKind, Journal};

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
    /// `ok`, or `failed: <error>`, or `unknown: <error>` when it may have been applied.
    pub outcome: String,
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

impl Journal for AuditLog {
    /// Append one entry. A failure to write is logged, never fatal for the mutation itself.
    fn record(
        &self,
        integration: &str,
        connection: Option<&str>,
        action: &str,
        kind: Option<ConnectionKind>,
        fields: &[&str],
        outcome: &crate::zis::Result<()>,
    ) {
        let outcome = match outcome {
            Ok(()) => "ok".to_string(),
            Err(e) if e.may_have_applied => format!("unknown: {e}"),
            Err(e) => format!("failed: {e}"),
        };
        let entry = Entry {
            time: crate::zis::format_time(Some(time::OffsetDateTime::now_utc())),
            profile: self.profile.clone(),
            integration: integration.to_string(),
            connection: connection.map(str::to_string),
            action: action.to_string(),
            kind: kind.map(|k| k.as_str().to_string()),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            outcome,
        };
        if let Err(e) = append(&self.path, &entry) {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot write the audit log");
        }
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

/// Read every entry (lines that do not parse are skipped).
pub fn read(path: &Path) -> std::io::Result<Vec<Entry>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_file_is_private() {
        let d = tempfile::tempdir().unwrap();
        let log = AuditLog {
            path: d.path().join("x").join("audit.jsonl"),
            profile: "p".into(),
        };
        log.record(
            "acme",
            Some("bob"),
            "update",
            Some(ConnectionKind::BasicAuth),
            &["password"],
            &Ok(()),
        );
        let err = crate::zis::Error::from_response(403, b"Forbidden");
        log.record("acme", Some("bob"), "delete", None, &[], &Err(err));
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
}
