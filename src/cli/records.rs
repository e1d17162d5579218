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

use zeroize::Zeroizing;

use crate::args::OutputFormat;

use super::output::{aligned_line, csv_line};
use super::views::{PasswordRecord, ResultRecord, ROTATE_CSV, ROTATE_TABLE};

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
    use crate::cli::views::{Outcome, PASSWORD_RECORD, RESULT_RECORD};
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
            "result,acme,beta,,applied,true,2024-01-01T00:00:00Z,"
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
    fn an_empty_run_is_an_empty_array() {
        let (out, buf) = capture();
        let mut r = Records::new(OutputFormat::Json, std::iter::empty(), 32, out);
        r.begin().unwrap();
        r.end().unwrap();
        let v: serde_json::Value = serde_json::from_str(&buf.lock().unwrap()).unwrap();
        assert_eq!(v, serde_json::json!([]));
    }
}
