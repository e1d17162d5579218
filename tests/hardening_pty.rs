//! Issue 13 items 9 and 16, in a real pty: the demo's audit log in a private directory, and
//! the masked prompt putting the terminal back on every signal. Every wait is for text or for
//! the process to end, with a timeout.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;

use common::cli_support::Env;
use common::pty::{Options, Pty};

const CRM: &str = "acme_crm_sync";

// ----- 9: the demo's audit log ------------------------------------------------------------------

fn mode(p: &std::path::Path) -> u32 {
    std::fs::symlink_metadata(p)
        .expect("stat")
        .permissions()
        .mode()
        & 0o777
}

/// `zisctl demo` keeps its audit log in a new directory of a random name, 0700, under
/// $TMPDIR, and removes it at the end (before: `$TMPDIR/zisctl-demo-PID.jsonl`, a predictable
/// path whose planted symlink was followed).
#[test]
fn the_demo_audit_log_is_in_a_private_random_directory() {
    // The demo serves its own sandbox: no other is needed.
    let tmp = tempfile::tempdir().expect("tmp");
    let mut app =
        Pty::spawn(Options::new(&["demo"]).env("TMPDIR", tmp.path().display().to_string()));
    app.wait_for("salesforce_prod");
    app.select("segment_write_key");
    app.send("d");
    app.wait_for("Delete the api_key connection");
    app.send("y");
    app.wait_for("deleted acme_crm_sync/segment_write_key");

    let entries: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read TMPDIR")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(entries.len(), 1, "one entry in TMPDIR: {entries:?}");
    let dir = &entries[0];
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    assert!(
        std::fs::symlink_metadata(dir).expect("stat").is_dir(),
        "{dir:?} is not a directory"
    );
    assert_eq!(mode(dir), 0o700, "{dir:?}");
    let random = name.strip_prefix("zisctl-demo-").unwrap_or_default();
    assert!(
        random.len() == 16 && random.bytes().all(|b| b.is_ascii_hexdigit()),
        "not a random name: {name}"
    );
    let log = dir.join("audit.jsonl");
    assert_eq!(mode(&log), 0o600);
    let text = std::fs::read_to_string(&log).expect("audit log");
    assert!(
        text.contains("\"connection\":\"segment_write_key\""),
        "{text}"
    );

    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    assert!(!dir.exists(), "the demo's directory was left behind");
}

// ----- 16: the masked prompt and signals --------------------------------------------------------

/// Each signal that ends the program, sent from outside while the masked prompt has echo and
/// canonical mode off: zisctl ends with 128 + the signal, and the terminal has echo, icanon
/// and isig back on (before: they stayed off, the shell then typed blind).
#[test]
fn the_masked_prompt_restores_the_terminal_on_every_signal() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let env = rt.block_on(Env::demo());
    let args = ["connections", "update", CRM, "salesforce_prod"];
    for (sig, name) in [
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGQUIT, "SIGQUIT"),
        (libc::SIGINT, "SIGINT"),
    ] {
        // The slave kept open, as the shell's would be: the terminal outlives zisctl, and
        // its modes afterwards are what zisctl left it in.
        let mut t = Pty::spawn(
            Options::new(&args)
                .sandbox(&env.sb)
                .env("RUST_LOG", "debug")
                .size(120, 24)
                .keep_slave(),
        );
        // Echo goes off before the prompt is written: once it shows, the terminal is raw.
        t.wait_raw("new password: ");
        let before = t.lflag();
        assert_eq!(before & (libc::ECHO | libc::ICANON), 0, "{name}: not raw");
        t.signal(sig);
        let code = t.wait_end();
        assert_eq!(code, Some(128 + sig as u32), "{name}: exit");
        let after = t.lflag();
        for (flag, what) in [
            (libc::ECHO, "echo"),
            (libc::ICANON, "icanon"),
            (libc::ISIG, "isig"),
        ] {
            assert_ne!(after & flag, 0, "{name}: {what} is still off");
        }
    }
    assert_eq!(
        rt.block_on(env.support.requests_by("PATCH")),
        0,
        "a change was sent"
    );
}
