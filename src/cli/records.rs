//! The records `rotate` and `rotate --recover` print, streamed as the work goes: for each
//! connection its new password first (a `password` record, written and checked before the
//! password is sent), then what became of it (a `result` record, which never repeats the
//! secret). Records of different connections interleave.
//!
//! - JSON: an array, one record per line (`[`, then `  {...},` lines, then `]`), so that even
//!   a run killed midway leaves one parseable object per line. `jq 'group_by([.integration,
//!   .name]) | map(add)'` merges each connection's records into one object.
//! - CSV: a header, then one row per record (`record` is `password` or `result`).
//! - Table: a header, then one row per record; `-` in every cell that does not apply.
use std::io;

use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, Serializer};
use zeroize::Zeroizing;

use crate::args::OutputFormat;

use super::output::{aligned_line, csv_line};
use super::views::Outcome;

fn expose<S: Serializer>(s: &&SecretString, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.expose_secret())
}

/// The first record of a rotation: the new password, printed (and delivered) before it is
/// sent. `status` is `sending` (rotate), `prepared` (rotate --prepare) or `kept` (rotate
/// --recover). The one record zisctl prints a rotated secret in.
#[derive(Serialize)]
pub struct PasswordRecord<'a> {
    pub record: &'static str,
    pub integration: String,
    pub name: String,
    #[serde(serialize_with = "expose")]
    pub password: &'a SecretString,
    pub status: &'static str,
}

/// The second record of a rotation: what became of the password printed before.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ResultRecord {
    pub record: &'static str,
    pub integration: String,
    pub name: String,
    pub status: Outcome,
    pub verified: bool,
    pub updated_at: Option<String>,
    pub error: Option<String>,
    /// Each step of this rotation, in order (null where steps were not run: `--recover`).
    pub steps: Option<Vec<StepRecord>>,
    /// The step that failed (`set`, `test`, `apply`), or null.
    pub failed_step: Option<&'static str>,
}

/// One step of a rotation in its result record: `step` (generate, set, test, apply, verify),
/// `mark` (done, failed, skipped, manual, unknown) and what it said (`line`, safe to print:
/// never a password; null when it said nothing).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StepRecord {
    pub step: &'static str,
    pub mark: &'static str,
    pub line: Option<String>,
}

/// The steps in one CSV cell: `generate=done;set=failed;...`.
fn steps_cell(steps: &Option<Vec<StepRecord>>) -> String {
    steps
        .iter()
        .flatten()
        .map(|s| format!("{}={}", s.step, s.mark))
        .collect::<Vec<_>>()
        .join(";")
}

pub const PASSWORD_RECORD: &str = "password";
pub const RESULT_RECORD: &str = "result";

/// The table: one row per record, no empty cell (`-`), so that `awk` can count columns.
pub const ROTATE_TABLE: &[&str] = &[
    "INTEGRATION",
    "NAME",
    "PASSWORD",
    "STATUS",
    "VERIFIED",
    "UPDATED AT",
];
pub const ROTATE_CSV: &[&str] = &[
    "record",
    "integration",
    "name",
    "password",
    "status",
    "verified",
    "updated_at",
    "error",
    "steps",
    "failed_step",
];

impl PasswordRecord<'_> {
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.integration.clone(),
            self.name.clone(),
            self.password.expose_secret().to_string(),
            self.status.to_string(),
            "-".into(),
            "-".into(),
        ]
    }

    pub fn csv_cells(&self) -> Vec<String> {
        vec![
            self.record.to_string(),
            self.integration.clone(),
            self.name.clone(),
            self.password.expose_secret().to_string(),
            self.status.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]
    }
}

impl ResultRecord {
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.integration.clone(),
            self.name.clone(),
            "-".into(),
            self.status.as_str().to_string(),
            if self.verified { "yes" } else { "no" }.to_string(),
            self.updated_at.clone().unwrap_or_else(|| "-".into()),
        ]
    }

    pub fn csv_cells(&self) -> Vec<String> {
        vec![
            self.record.to_string(),
            self.integration.clone(),
            self.name.clone(),
            String::new(),
            self.status.as_str().to_string(),
            self.verified.to_string(),
            self.updated_at.clone().unwrap_or_default(),
            self.error.clone().unwrap_or_default(),
            steps_cell(&self.steps),
            self.failed_step.unwrap_or_default().to_string(),
        ]
    }
}

/// Where the text goes: checked stdout (a unit test reads it instead). The flag asks for the
/// text to be made durable too (synced, for a file): set for password records.
pub type Out = Box<dyn FnMut(&str, bool) -> io::Result<()> + Send>;

/// A stream of rotation records in one output format.
pub struct Records {
    fmt: OutputFormat,
    widths: Vec<usize>,
    /// Records written so far (where the JSON separators go).
    written: usize,
    out: Out,
}

impl Records {
    /// `names` are the (integration, connection) pairs that may appear, `length` the
    /// passwords' length: the table's columns fit them.
    pub fn new<'a>(
        fmt: OutputFormat,
        names: impl Iterator<Item = (&'a str, &'a str)>,
        length: usize,
        out: Out,
    ) -> Records {
        let mut widths: Vec<usize> = ROTATE_TABLE.iter().map(|h| h.chars().count()).collect();
        for (i, n) in names {
            widths[0] = widths[0].max(crate::sanitize::clean(i).chars().count());
            widths[1] = widths[1].max(crate::sanitize::clean(n).chars().count());
        }
        widths[2] = widths[2].max(length);
        widths[3] = widths[3].max("not_applied".len());
        // The last column is not padded.
        widths[5] = 0;
        Records {
            fmt,
            widths,
            written: 0,
            out,
        }
    }

    fn write(&mut self, text: &str) -> io::Result<()> {
        (self.out)(text, false)
    }

    /// The header (table, CSV) or the opening of the array (JSON).
    pub fn begin(&mut self) -> io::Result<()> {
        let text = match self.fmt {
            OutputFormat::Json => "[\n".to_string(),
            OutputFormat::Csv => csv_line(ROTATE_CSV.iter().copied()),
            OutputFormat::Table => {
                let cells: Vec<String> = ROTATE_TABLE.iter().map(|s| s.to_string()).collect();
                aligned_line(&cells, &self.widths)
            }
        };
        self.write(&text)
    }

    /// Write one password record; Ok means it was written, flushed and (for a file) synced.
    pub fn password(&mut self, r: &PasswordRecord<'_>) -> io::Result<()> {
        let text = match self.fmt {
            OutputFormat::Json => {
                let j = Zeroizing::new(serde_json::to_string(r).map_err(io::Error::other)?);
                self.json_element(&j)
            }
            OutputFormat::Csv => {
                let cells = Zeroizing::new(r.csv_cells());
                Zeroizing::new(csv_line(cells.iter().map(String::as_str)))
            }
            OutputFormat::Table => {
                let cells = Zeroizing::new(r.cells());
                Zeroizing::new(aligned_line(&cells, &self.widths))
            }
        };
        (self.out)(&text, true)?;
        self.written += 1;
        Ok(())
    }

    /// Write one result record.
    pub fn result(&mut self, r: &ResultRecord) -> io::Result<()> {
        let text = match self.fmt {
            OutputFormat::Json => {
                let j = Zeroizing::new(serde_json::to_string(r).map_err(io::Error::other)?);
                self.json_element(&j)
            }
            OutputFormat::Csv => Zeroizing::new(csv_line(r.csv_cells().iter().map(String::as_str))),
            OutputFormat::Table => Zeroizing::new(aligned_line(&r.cells(), &self.widths)),
        };
        self.write(&text)?;
        self.written += 1;
        Ok(())
    }

    /// `  {...}` on a line of its own; the comma that ends the line before is written with
    /// it, so every complete line is one complete record.
    fn json_element(&self, j: &str) -> Zeroizing<String> {
        let sep = if self.written == 0 { "" } else { ",\n" };
        Zeroizing::new(format!("{sep}  {j}"))
    }

    /// The end of the array (JSON); nothing for the others.
    pub fn end(&mut self) -> io::Result<()> {
        if self.fmt == OutputFormat::Json {
            let tail = if self.written == 0 { "]\n" } else { "\n]\n" };
            return self.write(tail);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;
    use std::sync::{Arc, Mutex};

    fn capture() -> (Out, Arc<Mutex<String>>) {
        let buf = Arc::new(Mutex::new(String::new()));
        let b = buf.clone();
        let out: Out = Box::new(move |t: &str, _durable: bool| {
            b.lock().unwrap().push_str(t);
            Ok(())
        });
        (out, buf)
    }

    fn records(fmt: OutputFormat, pw: &SecretString) -> String {
        let (out, buf) = capture();
        let mut r = Records::new(
            fmt,
            [("acme", "alpha"), ("acme", "beta")].into_iter(),
            17,
            out,
        );
        r.begin().unwrap();
        for name in ["alpha", "beta"] {
            r.password(&PasswordRecord {
                record: PASSWORD_RECORD,
                integration: "acme".into(),
                name: name.into(),
                password: pw,
                status: "sending",
            })
            .unwrap();
        }
        r.result(&ResultRecord {
            record: RESULT_RECORD,
            integration: "acme".into(),
            name: "beta".into(),
            status: Outcome::Applied,
            verified: true,
            updated_at: Some("2024-01-01T00:00:00Z".into()),
            error: None,
            steps: None,
            failed_step: None,
        })
        .unwrap();
        r.end().unwrap();
        let s = buf.lock().unwrap().clone();
        s
    }

    #[test]
    fn json_is_one_record_per_line_and_a_whole_array() {
        let pw = SecretString::from("pw-canary-1234567".to_string());
        let text = records(OutputFormat::Json, &pw);
        let v: serde_json::Value = serde_json::from_str(&text).expect("an array");
        let arr = v.as_array().expect("an array");
        assert_eq!(arr.len(), 3);
        assert_eq!(arr[0]["record"], "password");
        assert!(arr[1]["password"] == "pw-canary-1234567");
        assert_eq!(arr[2]["record"], "result");
        assert_eq!(arr[2]["name"], "beta");
        // Each line between the brackets is one object once its trailing comma is cut: what
        // a run killed midway leaves can still be read line by line.
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.first(), Some(&"["));
        assert_eq!(lines.last(), Some(&"]"));
        for l in &lines[1..lines.len() - 1] {
            let o: serde_json::Value =
                serde_json::from_str(l.trim().trim_end_matches(',')).expect("one object a line");
            assert!(o.is_object());
        }
    }

    #[test]
    fn csv_and_table_rows_have_every_column() {
        let pw = SecretString::from("pw-canary-1234567".to_string());
        let csv = records(OutputFormat::Csv, &pw);
        let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(rows[0], ROTATE_CSV.join(","));
        assert_eq!(rows.len(), 4);
        assert!(rows[1].starts_with("password,acme,alpha,pw-canary-1234567,sending"));
        assert_eq!(
            rows[3],
            "result,acme,beta,,applied,true,2024-01-01T00:00:00Z,,,"
        );
        let table = records(OutputFormat::Table, &pw);
        let lines: Vec<Vec<&str>> = table
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert!(lines.iter().skip(1).all(|c| c.len() == ROTATE_TABLE.len()));
        assert_eq!(lines[1][2], "pw-canary-1234567");
        assert_eq!(lines[3][3..], ["applied", "yes", "2024-01-01T00:00:00Z"]);
    }

    #[test]
    fn rotation_records_have_the_password_first() {
        let pw = SecretString::from("Abc123!xyz-canary".to_string());
        let p = PasswordRecord {
            record: PASSWORD_RECORD,
            integration: "acme".into(),
            name: "bob".into(),
            password: &pw,
            status: "sending",
        };
        let j = serde_json::to_value(&p).unwrap();
        assert!(j["password"] == "Abc123!xyz-canary");
        assert_eq!(j["record"], "password");
        assert_eq!(j["status"], "sending");
        let r = ResultRecord {
            record: RESULT_RECORD,
            integration: "acme".into(),
            name: "bob".into(),
            status: Outcome::Unknown,
            verified: false,
            updated_at: None,
            error: Some("timed out".into()),
            steps: None,
            failed_step: None,
        };
        let j = serde_json::to_value(&r).unwrap();
        assert!(
            j.get("password").is_none(),
            "the result never repeats the secret"
        );
        assert_eq!(j["status"], "unknown");
        assert_eq!(j["verified"], false);
        assert!(j["updated_at"].is_null());
        for cells in [p.cells(), r.cells()] {
            assert_eq!(cells.len(), ROTATE_TABLE.len());
            assert!(cells.iter().all(|c| !c.is_empty()), "no empty table cell");
        }
        assert_eq!(p.csv_cells().len(), ROTATE_CSV.len());
        assert_eq!(r.csv_cells().len(), ROTATE_CSV.len());
        assert_eq!(
            Outcome::parse(Outcome::NotApplied.as_str()),
            Some(Outcome::NotApplied)
        );
    }

    #[test]
    fn an_empty_run_is_an_empty_array() {
        let (out, buf) = capture();
        let mut r = Records::new(OutputFormat::Json, std::iter::empty(), 32, out);
        r.begin().unwrap();
        r.end().unwrap();
        let v: serde_json::Value = serde_json::from_str(&buf.lock().unwrap()).unwrap();
        assert_eq!(v, serde_json::json!([]));
    }
}
