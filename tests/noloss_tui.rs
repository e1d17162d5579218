//! Nothing lost, ever, in the TUI (issue 13, items 2 and 5): the real binary in a pty (the
//! harness of `tests/common/pty.rs`) against a sandbox of this test process. Every step waits
//! for text on the emulated screen; no fixed sleeps. Secrets are compared, never printed.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};

use common::pty::{clean_env, Options, Pty, BIN, CTRL_S, ENTER, ESC};
use common::sandbox::SyncSandbox;
use serde_json::{json, Value};

const CRM: &str = "acme_crm_sync";
const CTRL_C: &str = "\x03";

/// The recovery store of a run whose HOME is `home`.
fn store(home: &Path) -> PathBuf {
    home.join("xdg-data").join("zisctl").join("recovery.json")
}

/// `zisctl rotate --recover -o json` with the data directory of `home`: (exit, records).
fn recover(home: &Path) -> (Option<i32>, Vec<Value>) {
    let out = std::process::Command::new(BIN)
        .env_clear()
        .envs(clean_env(home))
        .args(["rotate", "--recover", "-o", "json"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run zisctl rotate --recover");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), v.as_array().cloned().unwrap_or_default())
}

/// The password of the `password` record for `name`.
fn kept_password(records: &[Value], name: &str) -> Option<String> {
    records
        .iter()
        .find(|r| r["record"] == "password" && r["name"] == name)
        .and_then(|r| r["password"].as_str())
        .map(str::to_string)
}

/// Rotate salesforce_prod and apply it, never revealing or copying it (`y` to the question
/// Enter then asks).
fn rotate_unseen(app: &mut Pty) {
    app.select("salesforce_prod");
    app.send("r");
    app.wait_for("step 1 of 2");
    app.send(ENTER);
    app.wait_for("apply anyway?");
    app.send("y");
}

/// zisctl against `sb`, with the demo account loaded.
fn ready(sb: &SyncSandbox, opts: Options) -> Pty {
    let app = Pty::spawn(opts.sandbox(&sb.handle));
    app.wait_for("salesforce_prod");
    app
}

/// An audit log that cannot be written is an error banner; the change still goes ahead.
#[test]
fn an_unwritable_audit_log_is_a_banner() {
    let sb = SyncSandbox::demo();
    let scratch = tempfile::tempdir().expect("tempdir");
    // A regular file where the audit log's directory should be.
    let blocker = scratch.path().join("not-a-dir");
    std::fs::write(&blocker, "").expect("write");
    let log = blocker.join("audit.jsonl");
    let mut app = ready(
        &sb,
        Options::new(&[]).env("ZISCTL_AUDIT_LOG", log.display().to_string()),
    );
    let pw = "Tui-Audit-Less-Pw-5";
    app.secrets.push(pw.into());
    app.select("salesforce_prod");
    app.send("e");
    app.wait_for("Edit basic_auth connection salesforce_prod");
    app.send(pw);
    app.send(CTRL_S);
    app.wait_for("cannot write the audit log");
    assert!(
        sb.holds(CRM, "salesforce_prod", pw),
        "the change went ahead"
    );
    assert!(!app.screen().contains(pw));
}

/// Applied and verified, never revealed or copied: one Esc asks (saying why), the second
/// forgets; nothing is kept then, and q exits 0.
#[test]
fn esc_asks_before_forgetting_an_applied_password_nobody_saw() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb, Options::new(&[]));
    rotate_unseen(&mut app);
    app.wait_for("applied and verified");
    app.wait_for("nobody has this password yet");
    app.send(ESC);
    app.wait_for("was never revealed or copied");
    assert!(app.screen().contains("Rotate 1 password"), "still open");
    app.send(ESC);
    app.wait_gone("Rotate 1 password");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert!(
        !store(app.dir.path()).exists(),
        "forgotten on purpose: nothing kept"
    );
}

/// SIGTERM and SIGHUP cannot ask: an applied password nobody saw goes to the recovery store
/// (0600), the next start says so, and `zisctl rotate --recover` prints it (the password the
/// sandbox holds) and then forgets it.
#[test]
fn sigterm_and_sighup_keep_an_applied_password_for_recover() {
    for (sig, code) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let sb = SyncSandbox::demo();
        let mut app = ready(&sb, Options::new(&[]));
        rotate_unseen(&mut app);
        app.wait_for("applied and verified");
        app.signal(sig);
        assert_eq!(app.wait_exit(), code as u32);
        let home = app.dir.path().to_path_buf();
        let path = store(&home);
        assert!(path.exists(), "{code}: kept");
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("store")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{code}");
        }
        // The next start says so.
        let next = ready(
            &sb,
            Options::new(&[]).env("XDG_DATA_HOME", home.join("xdg-data").display().to_string()),
        );
        next.wait_for("1 rotated password was kept: run `zisctl rotate --recover`");
        drop(next);
        let (status, records) = recover(&home);
        assert_eq!(status, Some(0), "{code}");
        let pw = kept_password(&records, "salesforce_prod").unwrap_or_default();
        assert_eq!(pw.len(), 32, "{code}: printed");
        assert!(
            sb.holds(CRM, "salesforce_prod", &pw),
            "{code}: the one in force"
        );
        let result = records
            .iter()
            .find(|r| r["record"] == "result")
            .cloned()
            .unwrap_or(Value::Null);
        assert_eq!(result["status"], "applied");
        assert_eq!(result["verified"], true);
        assert!(!path.exists(), "{code}: forgotten once printed");
        assert_eq!(
            recover(&home).1,
            Vec::<Value>::new(),
            "{code}: printed once"
        );
    }
}

/// Ctrl-C while the PATCH is in flight does not exit at once: it asks; the second Ctrl-C keeps
/// the password (status unknown) and exits 130.
#[test]
fn ctrl_c_while_applying_asks_then_keeps() {
    let sb = SyncSandbox::demo();
    sb.inject(json!({"delay_ms": 20_000, "count": 1, "method": "PATCH"}));
    let mut app = ready(&sb, Options::new(&[]));
    rotate_unseen(&mut app);
    app.wait_for("applying…");
    app.send(CTRL_C);
    app.wait_for("again quits and keeps it for `zisctl rotate --recover`");
    assert!(app.screen().contains("Rotate 1 password"), "not gone");
    app.send(CTRL_C);
    assert_eq!(app.wait_exit(), 130);
    let (status, records) = recover(app.dir.path());
    assert_eq!(status, Some(0));
    assert_eq!(
        kept_password(&records, "salesforce_prod").map(|p| p.len()),
        Some(32)
    );
    assert!(records
        .iter()
        .any(|r| r["record"] == "result" && r["status"] == "unknown"));
}
