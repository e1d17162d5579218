//! Nothing lost, ever (issue 13, items 1 to 5), through the real binary against a sandbox: a
//! new password is printed (written, flushed, taken by a pipe's reader) before it is sent, so
//! whatever stops the run (a full disk, a reader that leaves, a signal, `kill -9`) every
//! password the server holds was printed first; the audit log records a mutation before it is
//! sent.
//!
//! Secrets are compared, never displayed: no assertion message prints a password or stdout.
#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cli_support::{Env, Out};
use serde_json::{json, Value};
use zisctl::sandbox::{SandboxConfig, Seed};

/// The synthetic integration: 30 connections, 10 of them basic_auth.
const SYN: &str = "synthetic-0001";

async fn synthetic(connections: usize) -> Env {
    Env::start(SandboxConfig {
        seed: Seed::Synthetic {
            integrations: 1,
            connections,
        },
        ..SandboxConfig::default()
    })
    .await
}

/// `updated_at` of every basic_auth connection of `integration`, by name (read through the
/// binary: no password in it).
async fn updated(env: &Env, integration: &str) -> BTreeMap<String, String> {
    let o = env
        .run(&[
            "connections",
            "list",
            integration,
            "--kind",
            "basic_auth",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "list: {}", o.stderr);
    o.json()
        .as_array()
        .expect("array")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").to_string(),
                c["updated_at"].to_string(),
            )
        })
        .collect()
}

/// The names whose `updated_at` moved between two readings: the connections the server changed.
fn changed(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    after
        .iter()
        .filter(|(n, t)| before.get(*n) != Some(*t))
        .map(|(n, _)| n.clone())
        .collect()
}

/// Every complete record of rotate's JSON output, line by line: what a run cut short (killed,
/// or read by `head`) left is readable too.
fn records(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l.trim().trim_end_matches(',')).ok())
        .filter(|v: &Value| v.is_object())
        .collect()
}

/// name → the password its `password` record printed.
fn printed(stdout: &str) -> BTreeMap<String, String> {
    records(stdout)
        .into_iter()
        .filter(|r| r["record"] == "password")
        .map(|r| {
            (
                r["name"].as_str().unwrap_or("").to_string(),
                r["password"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Every connection the server changed has its new password among those printed, and holds
/// exactly that one. Returns how many were changed.
async fn nothing_lost(
    env: &Env,
    what: &str,
    before: &BTreeMap<String, String>,
    stdout: &str,
) -> usize {
    let after = updated(env, SYN).await;
    let changed = changed(before, &after);
    let printed = printed(stdout);
    for name in &changed {
        let pw = printed.get(name);
        assert!(
            pw.is_some(),
            "{what}: {name} was changed on the server but its password was not printed"
        );
        assert!(
            env.support
                .holds(SYN, name, pw.map_or("", |p| p.as_str()))
                .await,
            "{what}: {name} holds another password than the one printed"
        );
    }
    changed.len()
}

// ----- item 1: stdout fails ----------------------------------------------------------------------

/// Stdout on a full disk: the first password cannot be written, so nothing is sent, in every
/// format; the exit is 1 with a line that says why.
#[tokio::test(flavor = "multi_thread")]
async fn rotate_onto_a_full_disk_changes_nothing() {
    let env = synthetic(30).await;
    let before = updated(&env, SYN).await;
    assert_eq!(before.len(), 10);
    for fmt in ["json", "csv", "table"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let mut c = env.command(&["rotate", SYN, "--all", "--manual", "--yes", "-o", fmt]);
        c.stdin(Stdio::null())
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped());
        // Not `output()`: it would pipe stdout.
        let out = c
            .spawn()
            .expect("spawn zisctl")
            .wait_with_output()
            .await
            .expect("run zisctl");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{fmt}: {stderr}");
        assert!(stderr.contains("cannot write"), "{fmt}: {stderr}");
        assert!(stderr.contains("nothing was changed"), "{fmt}: {stderr}");
    }
    assert_eq!(
        env.support.requests_by("PATCH").await,
        0,
        "no password was sent"
    );
    assert_eq!(updated(&env, SYN).await, before, "nothing changed");
}

/// `rotate --all | head -c 200`: head takes about one record and leaves. zisctl is not killed
/// by SIGPIPE (it sees the closed pipe, says so, exits 1), stops sending, and every password
/// the server took is one head printed whole.
#[tokio::test(flavor = "multi_thread")]
async fn rotate_into_head_loses_nothing_and_stops() {
    let env = synthetic(30).await;
    let before = updated(&env, SYN).await;
    for fmt in ["json", "table"] {
        let mut head = std::process::Command::new("head")
            .args(["-c", "200"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("head");
        let pipe = head.stdin.take().expect("head's stdin");
        let mut c = env.command(&["rotate", SYN, "--all", "--manual", "--yes", "-o", fmt]);
        c.stdin(Stdio::null())
            .stdout(Stdio::from(pipe))
            .stderr(Stdio::piped());
        let child = c.spawn().expect("spawn zisctl");
        let out = tokio::time::timeout(Duration::from_secs(40), child.wait_with_output())
            .await
            .expect("zisctl ends")
            .expect("run zisctl");
        let shown = head.wait_with_output().expect("head's output");
        let shown = String::from_utf8_lossy(&shown.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{fmt}: an exit, not a death by SIGPIPE: {stderr}"
        );
        assert!(stderr.contains("the run stops"), "{fmt}: {stderr}");
        if fmt == "json" {
            let n = nothing_lost(&env, "head -c 200", &before, &shown).await;
            assert!(
                n < before.len(),
                "the run stopped: {n} of {} changed",
                before.len()
            );
        }
    }
    let patches = env.support.requests_by("PATCH").await;
    assert!(
        patches < 2 * before.len() as u64,
        "the runs stopped early: {patches} PATCHes"
    );
}

/// The output shape: per connection, a password record before a result record; every record
/// on its own line; the password never on stderr.
#[tokio::test(flavor = "multi_thread")]
async fn every_password_comes_before_its_result() {
    let env = synthetic(30).await;
    let before = updated(&env, SYN).await;
    let o: Out = env
        .run(&["rotate", SYN, "--all", "--manual", "--yes", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let all = o.json();
    let arr = all.as_array().expect("a JSON array");
    assert_eq!(arr.len(), 2 * before.len());
    assert_eq!(records(&o.stdout).len(), arr.len(), "one record a line");
    let mut seen = BTreeSet::new();
    for r in arr {
        let name = r["name"].as_str().unwrap_or("").to_string();
        match r["record"].as_str() {
            Some("password") => {
                assert!(seen.insert(name.clone()), "{name}: one password record");
                let pw = r["password"].as_str().unwrap_or("");
                assert_eq!(pw.len(), 32);
                assert!(!o.stderr.contains(pw), "a password on stderr");
                assert_eq!(r["status"], "sending");
            }
            Some("result") => {
                assert!(
                    seen.contains(&name),
                    "{name}: its result before its password"
                );
                assert!(r.get("password").is_none(), "a result repeats the password");
                assert_eq!(r["status"], "applied");
                assert_eq!(r["verified"], true);
            }
            other => panic!("a record of kind {other:?}"),
        }
    }
    assert_eq!(
        nothing_lost(&env, "a whole run", &before, &o.stdout).await,
        10
    );
}

// ----- item 4: signals, and kill -9 -------------------------------------------------------------

/// A child whose stdout and stderr are read as they come (as a shell pipe would): rotate waits
/// for a pipe's reader to take each password before sending it.
struct Running {
    child: tokio::process::Child,
    pid: libc::pid_t,
    stdout: tokio::task::JoinHandle<Vec<u8>>,
    stderr: tokio::task::JoinHandle<Vec<u8>>,
}

fn reader<R: tokio::io::AsyncRead + Unpin + Send + 'static>(
    r: Option<R>,
) -> tokio::task::JoinHandle<Vec<u8>> {
    tokio::spawn(async move {
        let mut buf = Vec::new();
        if let Some(mut r) = r {
            let _ = tokio::io::AsyncReadExt::read_to_end(&mut r, &mut buf).await;
        }
        buf
    })
}

impl Running {
    fn spawn(mut c: tokio::process::Command) -> Running {
        c.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn zisctl");
        let pid = child.id().expect("pid") as libc::pid_t;
        let stdout = reader(child.stdout.take());
        let stderr = reader(child.stderr.take());
        Running {
            child,
            pid,
            stdout,
            stderr,
        }
    }

    fn signal(&self, sig: libc::c_int) {
        // SAFETY: sends a signal to the child this test spawned.
        unsafe {
            libc::kill(self.pid, sig);
        }
    }

    /// Wait for the end: (exit code, stdout, stderr).
    async fn finish(mut self) -> (Option<i32>, String, String) {
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait())
            .await
            .expect("zisctl ends")
            .expect("wait");
        let out = self.stdout.await.expect("stdout");
        let err = self.stderr.await.expect("stderr");
        (
            status.code(),
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    }
}

/// Start `rotate --all` with every PATCH held for `delay_ms`, and wait until `patches` of them
/// have arrived.
async fn rotation_under_way(env: &Env, delay_ms: u64, patches: u64) -> Running {
    env.support
        .fault(json!({"delay_ms": delay_ms, "count": 1000, "method": "PATCH"}))
        .await;
    let run =
        Running::spawn(env.command(&["rotate", SYN, "--all", "--manual", "--yes", "-o", "json"]));
    let started = Instant::now();
    while env.support.requests_by("PATCH").await < patches {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the PATCHes never came"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    run
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT in the middle of `rotate --all`: 128 + the signal,
/// complete JSON, a result for every password sent, and nothing lost on the server.
#[tokio::test(flavor = "multi_thread")]
async fn rotate_all_stopped_by_each_signal_loses_nothing() {
    for (sig, label, code) in [
        (libc::SIGINT, "SIGINT", 130),
        (libc::SIGTERM, "SIGTERM", 143),
        (libc::SIGHUP, "SIGHUP", 129),
        (libc::SIGQUIT, "SIGQUIT", 131),
    ] {
        let env = synthetic(30).await;
        let before = updated(&env, SYN).await;
        // Each PATCH is held 1 s: some have landed, some are in flight at the signal.
        let run = rotation_under_way(&env, 1000, 6).await;
        run.signal(sig);
        let (status, stdout, stderr) = run.finish().await;
        assert_eq!(status, Some(code), "{label}");
        let v: Value = serde_json::from_str(&stdout).expect("complete JSON when interrupted");
        let arr = v.as_array().expect("array");
        let passwords: BTreeSet<&str> = arr
            .iter()
            .filter(|r| r["record"] == "password")
            .filter_map(|r| r["name"].as_str())
            .collect();
        let results: BTreeSet<&str> = arr
            .iter()
            .filter(|r| r["record"] == "result")
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert_eq!(
            passwords, results,
            "{label}: every password printed has its result"
        );
        assert!(
            arr.iter().any(|r| r["status"] == "unknown"),
            "{label}: the ones in flight say unknown"
        );
        assert!(stderr.contains("interrupted"), "{label}: {stderr}");
        for pw in printed(&stdout).values() {
            assert!(
                !stderr.contains(pw.as_str()),
                "{label}: a password on stderr"
            );
        }
        // The 6th PATCH is sent once 2 rotations have ended (4 at once): at least 2 landed.
        let n = nothing_lost(&env, label, &before, &stdout).await;
        assert!(n >= 2, "{label}: some had landed");
    }
}

/// `kill -9` cannot be caught: no JSON end, no result for what was in flight. Still, every
/// password the server took was printed, whole, before it was sent.
#[tokio::test(flavor = "multi_thread")]
async fn rotate_all_killed_loses_nothing() {
    let env = synthetic(30).await;
    let before = updated(&env, SYN).await;
    let run = rotation_under_way(&env, 1000, 6).await;
    run.signal(libc::SIGKILL);
    let (status, stdout, _) = run.finish().await;
    assert_eq!(status, None, "killed");
    assert!(
        serde_json::from_str::<Value>(&stdout).is_err(),
        "the array was never closed"
    );
    // The 6th PATCH is sent once 2 rotations have ended (4 at once): at least 2 landed. One
    // held on the server may still land: it can only land a password that was printed.
    let n = nothing_lost(&env, "kill -9", &before, &stdout).await;
    assert!(n >= 2, "some had landed");
    assert!(n <= printed(&stdout).len());
}

// ----- item 5: the audit log ---------------------------------------------------------------------

/// `rotate --all` interrupted: every PATCH that went out is on record (its line was written
/// before it was sent), and `zisctl log` shows each mutation once: `ok` when its answer came,
/// `pending (no outcome recorded: interrupted?)` when it did not.
#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_rotation_is_on_record() {
    let env = synthetic(30).await;
    let run = rotation_under_way(&env, 1000, 6).await;
    run.signal(libc::SIGINT);
    let (status, stdout, stderr) = run.finish().await;
    assert_eq!(status, Some(130), "{stderr}");
    let patches = env.support.requests_by("PATCH").await;
    let o = env.run(&["log", "-o", "json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let entries = o.json();
    let updates: Vec<&Value> = entries
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| e["action"] == "rotate")
        .collect();
    // A task stopped between its line and its PATCH leaves a line and no PATCH: never fewer.
    assert!(
        updates.len() as u64 >= patches,
        "{} of {patches} PATCHes on record",
        updates.len()
    );
    let outcome = |name: &str| {
        updates
            .iter()
            .filter(|e| e["connection"] == name)
            .map(|e| e["outcome"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let results: Vec<Value> = records(&stdout)
        .into_iter()
        .filter(|r| r["record"] == "result")
        .collect();
    assert!(results.iter().any(|r| r["status"] == "unknown"));
    for r in &results {
        let name = r["name"].as_str().unwrap_or("");
        let expect = match r["status"].as_str() {
            Some("applied") => "ok",
            Some("unknown") => zisctl::auditlog::NO_OUTCOME,
            _ => continue,
        };
        assert_eq!(outcome(name), [expect], "{name}: shown once, as {expect}");
    }
    let o = env.run(&["log"]).await;
    assert!(
        o.stdout
            .contains("pending (no outcome recorded: interrupted?)"),
        "{}",
        o.stdout
    );
}

/// An audit log that cannot be written is said on stderr; the change still goes ahead.
#[tokio::test(flavor = "multi_thread")]
async fn an_unwritable_audit_log_is_said_on_stderr() {
    let mut env = Env::demo().await;
    // A regular file where the audit log's directory should be.
    let blocker = env.dir.path().join("not-a-dir");
    std::fs::write(&blocker, "").expect("write");
    let log = blocker.join("audit.jsonl");
    env.vars
        .push(("ZISCTL_AUDIT_LOG".into(), log.display().to_string()));
    let pw = "Audit-Less-Pw-7731";
    let o = env
        .run_stdin(
            &[
                "connections",
                "update",
                "acme_crm_sync",
                "salesforce_prod",
                "--password-stdin",
            ],
            format!("{pw}\n").as_bytes(),
        )
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("cannot write the audit log"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains(pw));
    assert!(
        env.support
            .holds("acme_crm_sync", "salesforce_prod", pw)
            .await
    );
}

// ----- item 3: connections create|update --generate ---------------------------------------------

const CRM: &str = "acme_crm_sync";
const CREATE_ROUTE: &str = "POST /api/services/zis/integrations/{integration}/connections/{kind}";
const UPDATE_ROUTE: &str =
    "PATCH /api/services/zis/integrations/{integration}/connections/{kind}/{name}";

fn create_generate(name: &str) -> Vec<String> {
    [
        "connections",
        "create",
        CRM,
        name,
        "--allowed-domain",
        "api.gen.example",
        "--username",
        "gen-user",
        "--generate",
        "-o",
        "json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The line `  "password": "…",` of a record cut short, or of a whole one.
fn password_line(stdout: &str) -> Option<String> {
    stdout.lines().find_map(|l| {
        let v = l.trim().strip_prefix("\"password\": ")?;
        serde_json::from_str::<String>(v.trim_end_matches(',')).ok()
    })
}

/// The generated password cannot be printed: nothing is sent.
#[tokio::test(flavor = "multi_thread")]
async fn generate_onto_a_full_disk_sends_nothing() {
    let env = Env::demo().await;
    let create = create_generate("gen_full");
    let update = [
        "connections",
        "update",
        CRM,
        "salesforce_prod",
        "--generate",
    ];
    let create: Vec<&str> = create.iter().map(String::as_str).collect();
    for args in [&create[..], &update[..]] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let mut c = env.command(args);
        c.stdin(Stdio::null())
            .stdout(Stdio::from(full))
            .stderr(Stdio::piped());
        let out = c
            .spawn()
            .expect("spawn")
            .wait_with_output()
            .await
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains("nothing was sent"), "{args:?}: {stderr}");
    }
    assert_eq!(env.support.requests_to(CREATE_ROUTE).await, 0);
    assert_eq!(env.support.requests_to(UPDATE_ROUTE).await, 0);
}

/// Ctrl-C, SIGTERM, SIGHUP (and kill -9) while `create --generate` is in flight: the
/// password was printed before the request went out; a caught signal ends the JSON object
/// (`status: unknown`) and exits 128 + the signal; the audit log has the pending line.
#[tokio::test(flavor = "multi_thread")]
async fn generate_interrupted_keeps_the_password() {
    for (sig, label, code) in [
        (libc::SIGINT, "SIGINT", Some(130)),
        (libc::SIGTERM, "SIGTERM", Some(143)),
        (libc::SIGHUP, "SIGHUP", Some(129)),
        (libc::SIGKILL, "SIGKILL", None),
    ] {
        let env = Env::demo().await;
        env.support
            .fault(json!({"delay_ms": 5000, "count": 1, "method": "POST", "path_contains": "/connections/basic_auth"}))
            .await;
        let name = format!("gen_{}", label.to_lowercase());
        let args = create_generate(&name);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = Running::spawn(env.command(&args));
        let started = Instant::now();
        while env.support.requests_to(CREATE_ROUTE).await == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{label}: no POST"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        run.signal(sig);
        let (status, stdout, stderr) = run.finish().await;
        assert_eq!(status, code, "{label}: {stderr}");
        let pw = password_line(&stdout);
        assert_eq!(
            pw.as_ref().map(|p| p.len()),
            Some(32),
            "{label}: the password was printed before the request"
        );
        assert!(!stderr.contains(pw.as_deref().unwrap_or("-")), "{label}");
        if code.is_some() {
            let v: Value = serde_json::from_str(&stdout).expect("a whole JSON object");
            assert_eq!(v["status"], "unknown", "{label}");
            assert_eq!(v["verified"], false, "{label}");
            assert!(stderr.contains("interrupted"), "{label}: {stderr}");
        }
        let o = env.run(&["log", "-o", "json"]).await;
        let log = o.json();
        let entry = log
            .as_array()
            .and_then(|a| a.iter().find(|e| e["connection"] == name.as_str()))
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(entry["action"], "create", "{label}: on record");
        assert_eq!(entry["outcome"], zisctl::auditlog::NO_OUTCOME, "{label}");
    }
}

/// The same for `update --generate`, whose PATCH replaces a password in force.
#[tokio::test(flavor = "multi_thread")]
async fn update_generate_interrupted_keeps_the_password() {
    let env = Env::demo().await;
    env.support
        .fault(json!({"delay_ms": 5000, "count": 1, "method": "PATCH"}))
        .await;
    let run = Running::spawn(env.command(&[
        "connections",
        "update",
        CRM,
        "salesforce_prod",
        "--generate",
        "-o",
        "json",
    ]));
    let started = Instant::now();
    while env.support.requests_to(UPDATE_ROUTE).await == 0 {
        assert!(started.elapsed() < Duration::from_secs(20), "no PATCH");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    run.signal(libc::SIGTERM);
    let (status, stdout, stderr) = run.finish().await;
    assert_eq!(status, Some(143), "{stderr}");
    let v: Value = serde_json::from_str(&stdout).expect("a whole JSON object");
    assert_eq!(v["status"], "unknown");
    assert_eq!(v["name"], "salesforce_prod");
    assert_eq!(v["password"].as_str().map(str::len), Some(32));
}
