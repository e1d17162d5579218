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
    /// The account's base URL (`https://{subdomain}.zendesk.com`, or the one given).
    pub account: String,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// RFC 3339, UTC.
    pub time: String,
    pub profile: String,
    /// The account's base URL (absent from lines written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub integration: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// `create`, `update`, `rotate`, `delete`, `register`.
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
            account: Some(self.account.clone()),
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
    let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
    line.push('\n');
    // A regular file of the user's alone (no link, device, FIFO, or another user's file).
    let mut f = crate::files::open_private_append(path, "audit log")?;
    // One write of a whole line: O_APPEND keeps concurrent writers' lines whole.
    f.write_all(line.as_bytes())
}

/// A line longer than this is no entry (an entry is some 200 bytes): skipped unread, so that
/// memory stays bounded whatever the file holds.
const MAX_LINE_BYTES: usize = 64 * 1024;

/// Open the audit log to read it: None when there is none yet. A FIFO or a device is refused.
fn open_for_read(path: &Path) -> std::io::Result<Option<std::fs::File>> {
    match crate::files::open_regular_read(path, "audit log") {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Read every entry, line by line (lines that do not parse, or are longer than any entry,
/// are skipped), paired by [`pair`].
pub fn read(path: &Path) -> std::io::Result<Vec<Entry>> {
    use std::io::{BufRead, Read};
    let Some(f) = open_for_read(path)? else {
        return Ok(Vec::new());
    };
    let mut r = std::io::BufReader::new(f);
    let mut out = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        // At most one line and MAX_LINE_BYTES + 1 bytes of it: a longer one is skipped.
        let n = (&mut r)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(pair(out));
        }
        if line.last() != Some(&b'\n') && line.len() > MAX_LINE_BYTES {
            skip_line(&mut r)?;
            continue;
        }
        if let Ok(e) = serde_json::from_slice(&line) {
            out.push(e);
        }
    }
}

fn skip_line(r: &mut impl std::io::BufRead) -> std::io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            r.consume(i + 1);
            return Ok(());
        }
        let n = buf.len();
        r.consume(n);
    }
}

/// The last `n` entries (paired by [`pair`]), read from the end of the file backwards, chunk by
/// chunk: the memory is some `2n` lines and one chunk, however large the file
/// (`zisctl log -n N`). Pairing the last lines gives the last entries exactly (a pending
/// line's outcome comes after it), and a mutation is at most two lines (pending, then its
/// outcome): the last `n` lines are read first, and twice as many only when they pair into
/// fewer than `n` entries.
pub fn read_tail(path: &Path, n: usize) -> std::io::Result<Vec<Entry>> {
    let lines = read_tail_lines(path, n)?;
    let whole_file = lines.len() < n;
    let mut paired = pair(lines);
    if paired.len() < n && !whole_file {
        paired = pair(read_tail_lines(path, n.saturating_mul(2))?);
    }
    let skip = paired.len().saturating_sub(n);
    paired.drain(..skip);
    Ok(paired)
}

/// The last `n` lines that are entries, oldest first, unpaired.
fn read_tail_lines(path: &Path, n: usize) -> std::io::Result<Vec<Entry>> {
    use std::io::{Read, Seek, SeekFrom};
    const CHUNK: u64 = 64 * 1024;
    let Some(mut f) = open_for_read(path)? else {
        return Ok(Vec::new());
    };
    let mut pos = f.metadata()?.len();
    let mut newest_first = Vec::new();
    // The bytes after `pos` that are not yet a whole line (the start of the latest line read
    // back), at most MAX_LINE_BYTES; `overlong` when the line they belong to is longer.
    let mut carry: Vec<u8> = Vec::new();
    let mut overlong = false;
    while newest_first.len() < n && pos > 0 {
        let step = CHUNK.min(pos);
        pos -= step;
        let mut chunk = vec![0u8; step as usize];
        f.seek(SeekFrom::Start(pos))?;
        f.read_exact(&mut chunk)?;
        // Whole lines of chunk + carry, newest first; the part before the first newline
        // becomes the new carry (unless the file starts there).
        let mut end = chunk.len();
        while let Some(i) = chunk[..end].iter().rposition(|&b| b == b'\n') {
            if !overlong {
                let mut line = chunk[i + 1..end].to_vec();
                line.extend_from_slice(&carry);
                push_entry(&line, &mut newest_first);
            }
            carry.clear();
            overlong = false;
            end = i;
            if newest_first.len() >= n {
                break;
            }
        }
        if newest_first.len() >= n {
            break;
        }
        if !overlong {
            let mut head = chunk[..end].to_vec();
            head.extend_from_slice(&carry);
            carry = head;
            if carry.len() > MAX_LINE_BYTES {
                carry.clear();
                overlong = true;
            }
        }
    }
    if pos == 0 && newest_first.len() < n && !overlong {
        push_entry(&carry, &mut newest_first);
    }
    newest_first.truncate(n);
    newest_first.reverse();
    Ok(newest_first)
}

fn push_entry(line: &[u8], out: &mut Vec<Entry>) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    if let Ok(e) = serde_json::from_slice(line) {
        out.push(e);
    }
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

    fn entry(i: usize) -> Entry {
        Entry {
            time: format!("2024-01-01T00:00:{:02}Z", i % 60),
            profile: "p".into(),
            account: None,
            integration: format!("int{i}"),
            connection: None,
            action: "update".into(),
            kind: None,
            fields: vec![],
            outcome: "ok".into(),
            id: None,
        }
    }

    /// Issue 13 item 19: the tail, read backwards, is the same as the end of a full read,
    /// whatever the chunk boundaries, junk lines, an overlong line, CRLF or a missing final
    /// newline.
    #[test]
    fn tail_is_the_end_of_the_whole() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("audit.jsonl");
        let mut text = String::new();
        text.push_str(&"y".repeat(200_000));
        text.push('\n');
        for i in 0..3000 {
            text.push_str(&serde_json::to_string(&entry(i)).unwrap());
            text.push_str(if i % 7 == 0 { "\r\n" } else { "\n" });
            if i % 500 == 0 {
                text.push_str("not json\n\n");
            }
            if i == 2000 {
                text.push_str(&"z".repeat(150_000));
                text.push('\n');
            }
        }
        text.push_str(&serde_json::to_string(&entry(3000)).unwrap());
        std::fs::write(&p, &text).unwrap();
        let all = read(&p).unwrap();
        assert_eq!(all.len(), 3001);
        for n in [0, 1, 2, 10, 999, 1000, 1001, 2500, 3001, 5000] {
            let tail = read_tail(&p, n).unwrap();
            assert_eq!(tail, all[all.len().saturating_sub(n)..], "n = {n}");
        }
        assert!(read_tail(&d.path().join("missing"), 3).unwrap().is_empty());
    }

    #[test]
    fn entries_round_trip_and_file_is_private() {
        let d = tempfile::tempdir().unwrap();
        let log = AuditLog {
            path: d.path().join("x").join("audit.jsonl"),
            profile: "p".into(),
            account: "https://acme.zendesk.com".into(),
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
        assert_eq!(e[0].account.as_deref(), Some("https://acme.zendesk.com"));
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
            account: "https://acme.zendesk.com".into(),
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
            account: "https://acme.zendesk.com".into(),
        };
        let err = log.begin(&m("update", &[])).unwrap_err();
        assert!(err.contains(&d.path().display().to_string()), "{err}");
    }
}
