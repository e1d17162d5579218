//! Rotation end to end in the TUI (issue 15): the real binary in a pty against a sandbox of
//! this test process, whose stand-in target system a profile's recipe sets and tests. `r` and
//! Enter run every step; a failing `set_command` stops before ZIS. And the demo rotates
//! `intranet_portal` end to end with its built-in recipe. Every step waits for text on the
//! emulated screen; no fixed sleeps. Passwords are compared, never printed.
#![cfg(unix)]

mod common;

use std::path::Path;

use common::pty::{field_after, Options, Pty, ENTER, ESC};
use common::sandbox::SyncSandbox;

const CTRL_C: &str = "\x03";
const ALL_DONE: &str = "generate ✓ → set ✓ → test ✓ → apply ✓ → verify ✓";

/// A profile whose recipe for `intranet_portal/*` runs `set_command` and tests at the
/// sandbox's target on localhost (the connections' allowed domain).
fn config(sb: &SyncSandbox, set_command: &str) -> String {
    let port = sb.handle.base_url.rsplit(':').next().unwrap_or("0");
    format!(
        "[profiles.default]\n\
         [[profiles.default.rotation]]\n\
         match = \"intranet_portal/*\"\n\
         set_command = {set_command:?}\n\
         test_url = \"http://localhost:{port}/_sandbox/target/check\"\n"
    )
}

fn example_script(sb: &SyncSandbox) -> String {
    format!(
        "python3 {}/assets/sandbox-target-set.py {}",
        env!("CARGO_MANIFEST_DIR"),
        sb.handle.base_url
    )
}

/// zisctl against `sb` with `cfg`, the All view, the table filtered to `name`, and `r`.
fn rotate(sb: &SyncSandbox, cfg: &str, name: &str) -> Pty {
    let mut app = Pty::spawn(Options::new(&[]).sandbox(&sb.handle).config(cfg));
    app.wait_for("intranet_portal");
    app.send("k");
    app.select(name);
    app.wait_for(name);
    app.send("r");
    app.wait_for("with a recipe");
    app
}

/// The new password in the window, revealed (`v`).
fn revealed(app: &mut Pty) -> String {
    app.send("v");
    app.wait_for("v hide");
    let pw = field_after(&app.screen(), "new password  ").expect("the password row");
    assert!(
        pw.chars().count() == zisctl::app::PASSWORD_LENGTH && !pw.contains('•'),
        "revealed whole"
    );
    app.secrets.push(pw.clone());
    pw
}

fn store_text(home: &Path) -> String {
    std::fs::read_to_string(home.join("xdg-data").join("zisctl").join("recovery.json"))
        .unwrap_or_default()
}

#[test]
fn r_and_enter_set_test_apply_and_verify_with_the_recipe() {
    let sb = SyncSandbox::demo();
    let before = sb.target_changes();
    let mut app = rotate(&sb, &config(&sb, &example_script(&sb)), "portal_admin");
    assert!(
        app.screen()
            .contains("intranet_portal/*: set (command), test"),
        "the header names the recipe: {}",
        app.screen()
    );
    app.send(ENTER);
    app.wait_for(ALL_DONE);
    app.wait_for("set at the target, applied and verified in ZIS");
    let pw = revealed(&mut app);
    // The target took it, and only it; ZIS holds it.
    let after = sb.target_changes();
    assert_eq!(
        after.get("svc_portal").copied().unwrap_or(0),
        before.get("svc_portal").copied().unwrap_or(0) + 1
    );
    assert!(sb.target_takes("svc_portal", &pw), "the target takes it");
    assert!(
        sb.holds("intranet_portal", "portal_admin", &pw),
        "ZIS holds it"
    );
    // Both sides hold it: the recovery store does not, and one Esc closes.
    assert!(!store_text(app.dir.path()).contains("portal_admin"));
    app.send(ESC);
    app.wait_gone("Rotate 1 password");
}

#[test]
fn a_failing_set_command_shows_why_and_applies_nothing_in_zis() {
    let sb = SyncSandbox::demo();
    let mut app = rotate(&sb, &config(&sb, "echo nope >&2; exit 3"), "wiki_sync");
    app.send(ENTER);
    app.wait_for("set ✗");
    app.wait_for("exited with status 3: nope");
    let screen = app.screen();
    assert!(screen.contains("Nothing was applied in"), "{screen}");
    assert!(
        screen.contains("generate ✓ → set ✗ → test · → apply · → verify ·"),
        "{screen}"
    );
    assert_eq!(sb.requests_by("PATCH"), 0, "nothing sent to ZIS");
    // Still revealable, not in ZIS, and kept in the recovery store (it may be at the target).
    let pw = revealed(&mut app);
    assert!(!sb.holds("intranet_portal", "wiki_sync", &pw));
    let store = store_text(app.dir.path());
    assert!(store.contains("wiki_sync") && store.contains("at_target"));
    // Enter runs the set again (and it fails again the same way).
    app.send(ENTER);
    app.wait_for("exited with status 3: nope");
    // Ctrl-C asks first; the second quits, the store still holding it.
    app.send(CTRL_C);
    app.wait_for("not in ZIS yet");
    app.send(CTRL_C);
    assert_eq!(app.wait_exit(), 130);
    let store = store_text(app.dir.path());
    assert!(store.contains("wiki_sync") && store.contains("at_target"));
    assert_eq!(
        store.matches("wiki_sync").count(),
        1,
        "kept once, not twice"
    );
    assert_eq!(sb.requests_by("PATCH"), 0);
}

/// A new user rotates end to end in the demo: its recipe for intranet_portal sets the
/// password at the demo sandbox's target with the example script and tests it there.
#[test]
fn the_demo_rotates_intranet_portal_end_to_end() {
    let mut app = Pty::spawn(Options::new(&["demo"]));
    app.wait_for("intranet_portal");
    app.send("k");
    app.select("reports_reader");
    app.wait_for("reports_reader");
    app.send("r");
    app.wait_for("intranet_portal/*: set (command), test (GET");
    app.send(ENTER);
    app.wait_for(ALL_DONE);
    app.wait_for("set at the target, applied and verified in ZIS");
}
