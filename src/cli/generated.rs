//! The record `connections create|update --generate` prints, in two parts: the head (the
//! connection's name and the generated password) is written, flushed and delivered BEFORE the
//! request is sent; the tail (what the server answered, `status`, `verified`) follows. Joined,
//! they are one JSON object, one CSV row under its header, or one key/value record. If the run
//! is cut short after the head (`kill -9`), the password is on stdout all the same.
use std::io;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::args::OutputFormat;
use crate::sanitize::clean;
use crate::zis::{Connection, ConnectionKind};

use super::output::{age_of, csv_field, csv_line};
use super::sink::Stdout;
use super::views::{ConnectionView, Outcome};

/// The CSV columns: those of the head first.
pub const GENERATED_CSV: &[&str] = &[
    "integration",
    "kind",
    "name",
    "password",
    "allowed_domain",
    "username",
    "header_name",
    "created_at",
    "updated_at",
    "status",
    "verified",
];

/// The widest key of the table form: every key is padded to it.
const KEY_WIDTH: usize = "allowed domain".len();

/// A generated password's record, printed head first.
pub struct Generated {
    fmt: OutputFormat,
    stdout: Stdout,
}

impl Generated {
    pub fn new(fmt: OutputFormat) -> Generated {
        Generated {
            fmt,
            stdout: Stdout::new(),
        }
    }

    /// Print the head and wait until it has left (see [`Stdout::delivered`]). An error means
    /// the password may not have reached the user: send nothing.
    pub async fn head(
        &self,
        integration: &str,
        kind: ConnectionKind,
        name: &str,
        password: &SecretString,
    ) -> io::Result<()> {
        let (i, n) = (clean(integration), clean(name));
        let pw = password.expose_secret();
        let text = Zeroizing::new(match self.fmt {
            OutputFormat::Json => {
                let pairs = [
                    ("integration", Value::from(i)),
                    ("kind", Value::from(kind.as_str())),
                    ("name", Value::from(n)),
                ];
                let mut s = String::from("{\n");
                for (k, v) in pairs {
                    s.push_str(&format!("  {}: {v},\n", Value::from(k)));
                }
                let quoted = Zeroizing::new(Value::from(pw).to_string());
                s.push_str(&format!("  \"password\": {}", quoted.as_str()));
                s
            }
            OutputFormat::Csv => {
                let mut s = csv_line(GENERATED_CSV.iter().copied());
                let cells = [i.as_str(), kind.as_str(), n.as_str()];
                for c in cells {
                    s.push_str(&csv_field(c));
                    s.push(',');
                }
                s.push_str(&csv_field(pw));
                s
            }
            OutputFormat::Table => {
                let mut s = String::new();
                for (k, v) in [
                    ("integration", i.as_str()),
                    ("kind", kind.as_str()),
                    ("name", n.as_str()),
                    ("password", pw),
                ] {
                    s.push_str(&key_line(k, v));
                }
                s
            }
        });
        self.stdout.write(&text, true)?;
        self.stdout.delivered(self.stdout.written()).await
    }

    /// Print the tail: the connection as known now (the server's answer, or what was sent),
    /// how it ended, and whether reading it back confirmed it.
    pub fn tail(
        &self,
        integration: &str,
        c: &Connection,
        status: Outcome,
        verified: Option<bool>,
        now: OffsetDateTime,
    ) -> io::Result<()> {
        let v = ConnectionView::new(integration, c);
        let text = match self.fmt {
            OutputFormat::Json => {
                let mut pairs: Vec<(&str, Value)> =
                    vec![("allowed_domain", Value::from(v.allowed_domain))];
                if let Some(u) = v.username {
                    pairs.push(("username", Value::from(u)));
                }
                if let Some(h) = v.header_name {
                    pairs.push(("header_name", Value::from(h)));
                }
                pairs.push(("created_at", Value::from(v.created_at)));
                pairs.push(("updated_at", Value::from(v.updated_at)));
                pairs.push(("status", Value::from(status.as_str())));
                if let Some(ok) = verified {
                    pairs.push(("verified", Value::from(ok)));
                }
                let mut s = String::new();
                for (k, val) in pairs {
                    s.push_str(&format!(",\n  {}: {val}", Value::from(k)));
                }
                s.push_str("\n}\n");
                s
            }
            OutputFormat::Csv => {
                let cells = [
                    v.allowed_domain,
                    v.username.unwrap_or_default(),
                    v.header_name.unwrap_or_default(),
                    v.created_at.unwrap_or_default(),
                    v.updated_at.unwrap_or_default(),
                    status.as_str().to_string(),
                    verified.map(|b| b.to_string()).unwrap_or_default(),
                ];
                let mut s = String::new();
                for c in &cells {
                    s.push(',');
                    s.push_str(&csv_field(c));
                }
                s.push_str("\r\n");
                s
            }
            OutputFormat::Table => {
                let mut s = key_line("allowed domain", &v.allowed_domain);
                if let Some(u) = &v.username {
                    s.push_str(&key_line("username", u));
                }
                if let Some(h) = &v.header_name {
                    s.push_str(&key_line("header name", h));
                }
                s.push_str(&key_line("created", v.created_at.as_deref().unwrap_or("")));
                s.push_str(&key_line("updated", v.updated_at.as_deref().unwrap_or("")));
                s.push_str(&key_line(
                    "age",
                    &age_of(c.updated_at.or(c.created_at), now),
                ));
                s.push_str(&key_line("status", status.as_str()));
                if let Some(ok) = verified {
                    s.push_str(&key_line("verified", if ok { "yes" } else { "no" }));
                }
                s
            }
        };
        self.stdout.write(&text, false)
    }
}

/// `key` padded to the widest key, two spaces, the value; no trailing space.
fn key_line(key: &str, value: &str) -> String {
    let mut line = format!("{key:<w$}  {}", clean(value), w = KEY_WIDTH);
    let end = line.trim_end().len();
    line.truncate(end);
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_keys_line_up_and_keep_no_trailing_space() {
        assert_eq!(key_line("name", "bob"), "name            bob\n");
        assert_eq!(key_line("created", ""), "created\n");
        assert_eq!(
            key_line("allowed domain", "a.example"),
            "allowed domain  a.example\n"
        );
    }
}
