//! Nothing lost, ever, in the TUI (issue 13, items 2 and 5): the real binary in a pty (the
//! harness of `tests/common/pty.rs`) against a sandbox of this test process. Every step waits
//! for text on the emulated screen; no fixed sleeps. Secrets are compared, never printed.
#![cfg(unix)]

mod common;

use common::pty::{Options, Pty, CTRL_S};
use common::sandbox::SyncSandbox;

const CRM: &str = "acme_crm_sync";

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
