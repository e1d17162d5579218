//! Running the real `zisctl` binary against an in-process sandbox.
//!
//! Every run gets a clean environment ([`clean_env`]): only the sandbox's base URL and admin
//! credentials, a temp HOME and XDG directories, an empty config file, a temp log file and a
//! temp audit log, so the user's real config and data are never read or written.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use zisctl::sandbox::{SandboxConfig, SandboxHandle, Seed};

use super::pty::clean_env;
pub use super::pty::BIN;
use super::support::Support;

/// A sandbox and a private directory for one test.
pub struct Env {
    pub sb: SandboxHandle,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    /// Extra or replaced environment variables for the child.
    pub vars: Vec<(String, String)>,
    /// The sandbox's test-support endpoints.
    pub support: Support,
}

/// What a run of the binary left. Not `Debug`: stdout may hold a secret (rotate); tests must
/// compare it, never print it.
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// stdout parsed as JSON (panics with stderr only, never stdout, on failure).
    pub fn json(&self) -> Value {
        match serde_json::from_str(&self.stdout) {
            Ok(v) => v,
            Err(e) => panic!(
                "stdout is not JSON ({e}); exit {}; stderr: {}",
                self.code, self.stderr
            ),
        }
    }

    /// stdout parsed as CSV: header row first.
    pub fn csv(&self) -> Vec<Vec<String>> {
        parse_csv(&self.stdout)
    }

    /// stderr's lines but the API-token notice, which every run that signs in with an API
    /// token (the default environment here) says once, first.
    pub fn messages(&self) -> Vec<&str> {
        let notices = self
            .stderr
            .lines()
            .filter(|l| is_api_token_notice(l))
            .count();
        assert!(notices <= 1, "the API-token notice is said once a run");
        self.stderr
            .lines()
            .filter(|l| !is_api_token_notice(l))
            .collect()
    }

    /// Everything the run printed.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// The line a run that signs in with an API token says once (it names 2027-04-30).
pub fn is_api_token_notice(line: &str) -> bool {
    line.starts_with("zisctl: signed in with an API token")
}

impl Env {
    pub async fn demo() -> Env {
        Env::start(SandboxConfig::default()).await
    }

    pub async fn with_seed(seed: Seed) -> Env {
        Env::start(SandboxConfig {
            seed,
            ..SandboxConfig::default()
        })
        .await
    }

    pub async fn start(cfg: SandboxConfig) -> Env {
        let sb = zisctl::sandbox::spawn(cfg, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("sandbox starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "").expect("write empty config");
        let support = Support::new(&sb);
        Env {
            sb,
            dir,
            config,
            vars: Vec::new(),
            support,
        }
    }

    /// Write the config file (no secrets in it: it stays 0644-safe).
    pub fn write_config(&self, text: &str) {
        std::fs::write(&self.config, text).expect("write config");
    }

    pub fn log_file(&self) -> PathBuf {
        self.dir.path().join("zisctl.log")
    }

    pub fn audit_log(&self) -> PathBuf {
        self.dir.path().join("audit.jsonl")
    }

    /// The child's whole environment: nothing of the user's.
    pub fn child_env(&self) -> Vec<(String, String)> {
        let p = |x: &Path| x.display().to_string();
        let mut v = clean_env(self.dir.path());
        v.extend([
            ("ZISCTL_BASE_URL".into(), self.sb.base_url.clone()),
            ("ZENDESK_EMAIL".into(), self.sb.admin_email.clone()),
            ("ZENDESK_API_TOKEN".into(), self.sb.admin_token.clone()),
            ("ZISCTL_CONFIG".into(), p(&self.config)),
            ("RUST_LOG".into(), "debug".into()),
        ]);
        v.extend(self.vars.iter().cloned());
        v
    }

    /// The child's arguments: a private log file, then `args`.
    pub fn child_args(&self, args: &[&str]) -> Vec<String> {
        let mut a = vec![
            "--log-file".to_string(),
            self.log_file().display().to_string(),
        ];
        a.extend(args.iter().map(|s| s.to_string()));
        a
    }

    /// The child command, with a clean environment.
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(BIN);
        c.env_clear();
        for (k, v) in self.child_env() {
            c.env(k, v);
        }
        c.args(self.child_args(args));
        c.kill_on_drop(true);
        c
    }

    /// Run the binary to its end (stdin: the bytes given, or /dev/null).
    pub async fn run(&self, args: &[&str]) -> Out {
        self.run_with_stdin(args, None).await
    }

    pub async fn run_stdin(&self, args: &[&str], stdin: &[u8]) -> Out {
        self.run_with_stdin(args, Some(stdin)).await
    }

    async fn run_with_stdin(&self, args: &[&str], stdin: Option<&[u8]>) -> Out {
        let mut c = self.command(args);
        c.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn zisctl");
        if let Some(bytes) = stdin {
            if let Some(mut w) = child.stdin.take() {
                // The child may refuse before reading; a broken pipe is fine.
                let _ = w.write_all(bytes).await;
                drop(w);
            }
        }
        let out = tokio::time::timeout(Duration::from_secs(40), child.wait_with_output())
            .await
            .expect("zisctl finished within 40 s")
            .expect("zisctl output");
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn read_file(&self, p: &Path) -> String {
        std::fs::read_to_string(p).unwrap_or_default()
    }
}

/// The command-line spelling of a connection kind: the API's own (`basic_auth`), as the CLI
/// contract says.
pub fn kind(k: &str) -> String {
    k.replace('-', "_")
}

/// A small RFC 4180 parser (quoted fields, doubled quotes, CRLF or LF line ends).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                any = false;
            }
            c => field.push(c),
        }
    }
    if any {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// CSV rows as maps from the header's names.
pub fn csv_records(rows: &[Vec<String>]) -> Vec<std::collections::HashMap<String, String>> {
    let Some((head, body)) = rows.split_first() else {
        return Vec::new();
    };
    body.iter()
        .map(|r| head.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

/// Parse an RFC 3339 timestamp.
pub fn ts(v: &Value) -> time::OffsetDateTime {
    let s = v.as_str().expect("timestamp is a string");
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 timestamp")
}

/// The object of `arr` whose `name` is `name`.
pub fn by_name<'a>(arr: &'a Value, name: &str) -> &'a Value {
    arr.as_array()
        .and_then(|a| a.iter().find(|o| o["name"] == name))
        .unwrap_or_else(|| panic!("no object named {name}"))
}
