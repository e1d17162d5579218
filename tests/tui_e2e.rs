//! End-to-end: the real binary in a pty (the harness of `tests/common/pty.rs`) against a
//! sandbox started in this test process. Every step waits for text on the emulated screen
//! (with a timeout); no fixed sleeps. Secrets are compared, never printed: screen dumps on
//! failure are redacted.
#![cfg(unix)]

mod common;

use common::pty::{field_after, Options, Pty, CTRL_S, ENTER, ESC, F12, TAB};
use common::sandbox::SyncSandbox;
use serde_json::json;
use zisctl::sandbox::SandboxConfig;

/// zisctl against `sb` (or unconfigured when `sb` is None).
fn start(sb: Option<&SyncSandbox>, opts: Options) -> Pty {
    match sb {
        Some(sb) => Pty::spawn(opts.sandbox(&sb.handle)),
        None => Pty::spawn(opts),
    }
}

/// The app is up with the demo account loaded.
fn ready(sb: &SyncSandbox) -> Pty {
    let app = start(Some(sb), Options::new(&[]));
    app.wait_for("salesforce_prod");
    app
}

/// The terminal is back to the main screen.
fn main_screen_back(app: &Pty) {
    app.wait_screen("the main screen back", |s| !s.alternate_screen());
}

#[test]
fn create_appears_in_the_table() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    let pw = "E2e-Created-Pw-1";
    app.secrets.push(pw.into());
    app.send(TAB);
    app.send("n");
    app.wait_for("New connection in acme_crm_sync");
    app.send("e2e_conn");
    app.send(TAB);
    app.send("e2e_user");
    app.send(TAB);
    app.send(pw);
    app.send(TAB);
    app.send("api.e2e.example.com");
    app.send(ENTER);
    app.wait_for("created basic_auth connection acme_crm_sync/e2e_conn");
    app.wait_gone("New connection in");
    app.wait_until("the new row", |s| {
        s.lines()
            .any(|l| l.contains("e2e_conn") && l.contains("e2e_user") && l.contains("basic"))
    });
    assert!(!app.screen().contains(pw));
    assert!(sb.holds("acme_crm_sync", "e2e_conn", pw));
    let logs = String::from_utf8_lossy(&app.logs()).into_owned();
    assert!(
        logs.contains("e2e_conn"),
        "the creation is in the audit log"
    );
    assert!(!logs.contains(pw), "no password in the logs");
    // The audit log is viewable in the app.
    app.send("L");
    app.wait_for("Audit log");
    app.wait_until("the create entry", |s| {
        s.lines().any(|l| {
            l.contains("create") && l.contains("acme_crm_sync/e2e_conn") && l.contains("ok")
        })
    });
}

#[test]
fn edit_sets_a_new_password() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    let pw = "E2e-Edited-Pw-22";
    app.secrets.push(pw.into());
    app.select("salesforce_prod");
    app.send("e");
    app.wait_for("Edit basic_auth connection salesforce_prod");
    app.send(pw);
    app.send(CTRL_S);
    app.wait_for("updated acme_crm_sync/salesforce_prod");
    assert!(!app.screen().contains(pw));
    assert!(sb.holds("acme_crm_sync", "salesforce_prod", pw));
}

#[test]
fn rotate_shows_first_then_applies_and_verifies() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    app.select("salesforce_sandbox");
    app.send("r");
    app.wait_for("step 1 of 2");
    app.send("v");
    app.wait_for("hide");
    let pw = field_after(&app.screen(), "new password  ").unwrap_or_default();
    assert_eq!(pw.chars().count(), 32, "the revealed password is on screen");
    app.secrets.push(pw.clone());
    assert!(
        !sb.holds("acme_crm_sync", "salesforce_sandbox", &pw),
        "nothing is applied before Enter"
    );
    app.send(ENTER);
    app.wait_for("applied and verified");
    assert!(sb.holds("acme_crm_sync", "salesforce_sandbox", &pw));
    // Esc alone; wait for its effect before the next key (else it reads as Alt+key).
    app.send(ESC);
    app.wait_gone("Rotate 1 password");
    assert!(!app.screen().contains(&pw), "forgotten once dismissed");
    assert!(
        !String::from_utf8_lossy(&app.logs()).contains(&pw),
        "no password in the logs"
    );
}

#[test]
fn delete_after_confirmation() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    app.send("j");
    app.wait_for("stripe_test");
    app.select("stripe_test");
    app.send("d");
    app.wait_for("Delete the bearer_token connection");
    app.send("y");
    app.wait_for("deleted billing_bridge/stripe_test");
    app.wait_until("the row to go", |s| {
        !s.lines()
            .any(|l| l.contains("stripe_test") && l.contains("bearer"))
    });
}

#[test]
fn an_injected_403_shows_a_banner_and_keeps_the_form() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    sb.inject(json!({"status": 403, "count": 1, "method": "POST", "path_contains": "basic_auth"}));
    let pw = "E2e-Denied-Pw-333";
    app.secrets.push(pw.into());
    app.send(TAB);
    app.send("n");
    app.wait_for("New connection in");
    app.send("e2e_denied");
    app.send(TAB);
    app.send("someone");
    app.send(TAB);
    app.send(pw);
    app.send(TAB);
    app.send("api.denied.example.com");
    app.send(CTRL_S);
    // "(403": the status line shows the sandbox port, which may hold "403" itself.
    app.wait_for("(403");
    let s = app.screen();
    assert!(s.contains("New connection in"), "the form stays open");
    assert!(s.contains("e2e_denied") && s.contains("someone"));
    assert!(s.contains("api.denied.example.com"));
    assert!(!s.contains(pw));
    assert!(!sb.holds("acme_crm_sync", "e2e_denied", pw));
    // The same form, sent again, now goes through.
    app.send(CTRL_S);
    app.wait_for("created basic_auth connection acme_crm_sync/e2e_denied");
    assert!(sb.holds("acme_crm_sync", "e2e_denied", pw));
}

#[test]
fn q_exits_0_with_the_terminal_restored() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    assert!(app.with_screen(|s| s.alternate_screen()));
    assert!(!app.is_cooked(), "raw while running");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    app.wait_screen("the main screen back", |s| {
        !s.alternate_screen() && !s.hide_cursor()
    });
    assert!(app.is_cooked(), "cooked mode restored");
}

#[test]
fn sigterm_restores_the_terminal() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    app.signal(libc::SIGTERM);
    assert_eq!(app.wait_exit(), 143);
    assert!(app.is_cooked());
    main_screen_back(&app);
}

/// The footer is on the last of `rows` rows of the screen's text.
fn footer_on_row(screen: &str, rows: usize) -> bool {
    let lines: Vec<&str> = screen.lines().collect();
    lines.len() == rows && lines[rows - 1].contains("? help")
}

/// A resize (SIGWINCH) redraws the app at the new size: the footer moves to the new last row.
#[test]
fn a_resize_redraws_at_the_new_size() {
    let sb = SyncSandbox::demo();
    let app = ready(&sb);
    app.wait_until("the footer on row 40", |s| footer_on_row(s, 40));
    app.resize(80, 24);
    app.wait_until("the footer on row 24", |s| footer_on_row(s, 24));
    assert!(
        app.screen().contains("salesforce_prod"),
        "the table is redrawn"
    );
}

#[test]
fn a_429_says_rate_limited_and_waits() {
    let sb = SyncSandbox::start(SandboxConfig {
        rate_limit: 4,
        rate_window_secs: 2,
        ..SandboxConfig::default()
    });
    let app = start(Some(&sb), Options::new(&[]));
    app.wait_for("rate limited, waiting");
    app.wait_for("salesforce_prod");
}

#[test]
fn first_run_explains_and_opens_the_demo() {
    let mut app = start(None, Options::new(&[]));
    app.wait_for("no Zendesk account configured");
    app.wait_for("ZENDESK_API_TOKEN");
    app.send("d");
    app.wait_for("acme_crm_sync");
    app.wait_for("salesforce_prod");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}

#[test]
fn readonly_hides_and_refuses_changes() {
    let sb = SyncSandbox::demo();
    let mut app = start(Some(&sb), Options::new(&["--readonly"]));
    app.wait_for("salesforce_prod");
    app.wait_for("READ-ONLY");
    app.send(TAB);
    app.send("n");
    app.wait_for("read-only mode");
    assert!(!app.screen().contains("New connection"));
    assert!(!app.screen().contains("e edit"));
}

/// F12 panics in debug builds only (`ZISCTL_TEST_PANIC`), so this test is too: `cargo test
/// --release` would fail it.
#[cfg(debug_assertions)]
#[test]
fn a_panic_restores_the_terminal_before_printing() {
    let sb = SyncSandbox::demo();
    let mut app = start(
        Some(&sb),
        Options::new(&[])
            .env("ZISCTL_TEST_PANIC", "1")
            .env("RUST_BACKTRACE", "0"),
    );
    app.wait_for("salesforce_prod");
    app.send(F12);
    assert_eq!(app.wait_exit(), 101);
    app.wait_for("test panic requested");
    assert!(app.is_cooked());
    main_screen_back(&app);
}
