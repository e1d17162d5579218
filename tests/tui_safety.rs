//! Safety on the TUI's paths that change or reveal a secret (issue 14): the real binary in a
//! pty (the harness of `tests/common/pty.rs`) against a sandbox of this test process. Every
//! step waits for text on the emulated screen; no fixed sleeps. Secrets are compared, never
//! printed.
#![cfg(unix)]

mod common;

use common::pty::{field_after, Options, Pty, CTRL_R, CTRL_S, ENTER, ESC, TAB};

const LEFT: &str = "\x1b[D";

const CTRL_C: &str = "\x03";
use common::sandbox::SyncSandbox;

/// zisctl against `sb` (the demo account) on a `cols`×`rows` terminal.
fn ready(sb: &SyncSandbox, cols: u16, rows: u16) -> Pty {
    let app = Pty::spawn(Options::new(&[]).sandbox(&sb.handle).size(cols, rows));
    app.wait_for("salesforce_prod");
    app
}

/// All connections, filtered to the basic_auth ones, the first four marked, and `r`.
fn rotate_four(app: &mut Pty) {
    app.send("k");
    app.send(TAB);
    app.send("/basic");
    app.send(ENTER);
    app.wait_for("/basic (substring)");
    // Space marks and moves down.
    app.send("    ");
    app.wait_until("four marked", |s| s.matches("● ").count() == 4);
    app.send("r");
    app.wait_for("Rotate 4 passwords");
}

/// The name on the selected line (`▶ name  in integration`) of the rotation window.
fn selected_name(screen: &str) -> Option<String> {
    let line = screen.lines().find(|l| l.contains("▶ "))?;
    let rest = line.split("▶ ").nth(1)?;
    rest.split_whitespace().next().map(str::to_string)
}

/// At 80×24 four connections do not fit in full: the selected one is drawn in full, the others
/// one line each (name and steps); the selection goes down to the fourth, and the "copied"
/// banner is not behind the window.
#[test]
fn rotation_window_shows_the_selection_in_full_and_the_copied_banner() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb, 80, 24);
    rotate_four(&mut app);
    let short = |s: &str| {
        s.lines()
            .filter(|l| l.contains("generate ✓ → set") && !l.contains("steps"))
            .count()
    };
    app.wait_until("one in full, three in one line", |s| {
        s.contains("▶ ") && s.matches("new password  ").count() == 1 && short(s) == 3
    });
    app.send("jjj");
    // Every one-line connection above the selected one: it is the last.
    let last = |s: &str| {
        let lines: Vec<&str> = s.lines().collect();
        let sel = lines.iter().position(|l| l.contains("▶ "));
        let below = sel.map(|at| {
            lines[at..]
                .iter()
                .any(|l| l.contains("generate ✓ → set") && !l.contains("steps"))
        });
        below == Some(false)
    };
    app.wait_until("the last one selected, in full", |s| {
        last(s) && s.matches("new password  ").count() == 1
    });
    let name = selected_name(&app.screen()).expect("a selected line");
    app.send("c");
    app.wait_for("copied the new password of");
    let screen = app.screen();
    let banner: String = screen.lines().take(3).collect::<Vec<_>>().join(" ");
    assert!(
        banner.contains(&format!("/{name} (OSC 52)")),
        "the banner names the selected connection above the window: {screen}"
    );
    assert!(screen.contains(&format!("▶ {name}")), "{screen}");
}

/// Enter with a password nobody revealed or copied asks first; Esc goes back with nothing
/// sent, `y` applies. Copied, Enter applies at once.
#[test]
fn enter_asks_before_applying_a_password_nobody_has() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb, 120, 40);
    app.select("salesforce_prod");
    app.send("r");
    app.wait_for("step 1 of 2");
    app.send(ENTER);
    app.wait_for("not copied or revealed yet: apply anyway?");
    assert!(app.screen().contains("not applied yet"), "nothing sent yet");
    app.send(ESC);
    app.wait_gone("apply anyway?");
    assert!(app.screen().contains("not applied yet"), "{}", app.screen());
    app.send(ENTER);
    app.wait_for("apply anyway?");
    app.send("y");
    app.wait_for("applied and verified");

    // The next one copied first: no question.
    app.send(ESC);
    app.wait_for("was never revealed or copied");
    app.send(ESC);
    app.wait_gone("Rotate 1 password");
    app.send("r");
    app.wait_for("step 1 of 2");
    app.send("c");
    app.wait_for("copied the new password");
    app.send(ENTER);
    app.wait_for("applied and verified");
    assert!(!app.screen().contains("apply anyway?"));
}

/// Ctrl-C on a half-filled form asks, as Esc does with a password shown; any other key goes
/// back (what was typed still there); the second Ctrl-C exits 130.
#[test]
fn ctrl_c_on_a_half_filled_form_asks_then_exits_130() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb, 120, 40);
    app.send(TAB);
    app.send("n");
    app.wait_for("New connection");
    app.send("half_typed");
    app.wait_for("half_typed");
    app.send(CTRL_C);
    app.wait_for("again quits and discards this form");
    app.send("x");
    app.wait_gone("again quits");
    assert!(app.screen().contains("half_typedx"), "{}", app.screen());
    app.send(CTRL_C);
    app.wait_for("again quits and discards this form");
    app.send(CTRL_C);
    assert_eq!(app.wait_exit(), 130);
}

/// Ctrl-C in the new client secret's window, before it was revealed or copied, asks; the
/// second exits 130. From the main screen Ctrl-C exits 130 at once.
#[test]
fn ctrl_c_in_the_registered_window_asks_and_ctrl_c_exits_130() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb, 120, 40);
    app.send("I");
    app.wait_for("Register");
    app.send("zz_ctrl_c");
    app.wait_for("zz_ctrl_c");
    app.send(CTRL_S);
    app.wait_for("Integration registered");
    app.send(CTRL_C);
    app.wait_for("again quits and forgets it for good");
    app.send("x");
    app.wait_gone("again quits");
    assert!(app.screen().contains("Integration registered"));
    app.send(CTRL_C);
    app.wait_for("again quits and forgets it for good");
    app.send(CTRL_C);
    assert_eq!(app.wait_exit(), 130);

    let mut app = ready(&sb, 120, 40);
    app.send(CTRL_C);
    assert_eq!(app.wait_exit(), 130);
}

/// The "copied" banner says what zisctl does (overwrite the clipboard) and, inside tmux, how
/// to drop tmux's own copy; outside tmux it names no tmux.
#[test]
fn the_copied_banner_says_only_what_is_true_and_names_tmux_buffers() {
    let sb = SyncSandbox::demo();
    for tmux in [false, true] {
        let mut opts = Options::new(&[]).sandbox(&sb.handle);
        if tmux {
            opts = opts.env("TMUX", "/tmp/tmux-1000/default,1,0");
        }
        let mut app = Pty::spawn(opts);
        app.wait_for("salesforce_prod");
        app.select("salesforce_prod");
        app.send("r");
        app.wait_for("step 1 of 2");
        app.send("c");
        // The banner may wrap: compare its words.
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        app.wait_until("the copied banner", |s| {
            words(s).contains("zisctl overwrites the clipboard with a space")
        });
        let screen = words(&app.screen());
        assert!(!screen.contains("is cleared"), "{screen}");
        assert_eq!(screen.contains("tmux delete-buffer"), tmux, "{screen}");
    }
}

const CTRL_U: &str = "\x15";

/// Ctrl-U deletes to the start of the line, as in a shell, in a text field, a secret field,
/// the filter and the command line (it used to undo in some and clear the secret whole).
#[test]
fn ctrl_u_clears_to_the_start_everywhere() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb, 120, 40);
    app.send(TAB);
    app.send("n");
    app.wait_for("New connection");
    app.send("bad name!");
    app.wait_for("bad name!");
    app.send(CTRL_U);
    app.send("ux_basic_1");
    app.wait_for("ux_basic_1");
    assert_eq!(
        field_after(&app.screen(), "Name  ").as_deref(),
        Some("ux_basic_1")
    );
    // A secret field: the part after the cursor stays.
    app.send(TAB);
    app.send(TAB);
    app.send("abcdef");
    app.send(LEFT);
    app.send(LEFT);
    app.send(CTRL_U);
    app.send(CTRL_R);
    app.wait_for("hide");
    app.wait_until("the password is ef", |s| {
        field_after(s, "Password  ").as_deref() == Some("ef")
    });
    app.send(ESC);
    app.wait_for("again discards this form");
    app.send(ESC);
    app.wait_gone("New connection");

    // The filter, and the command line.
    app.send("/");
    app.send("nothing_like_it");
    app.wait_for("/nothing_like_it");
    app.send(CTRL_U);
    app.send("salesforce_prod");
    app.send(ENTER);
    app.wait_for("/salesforce_prod (substring)");
    app.send(":");
    app.send("nonsense");
    app.wait_for(":nonsense");
    app.send(CTRL_U);
    app.send("help");
    app.send(ENTER);
    app.wait_for("Help");
    assert!(!app.screen().contains("unknown command"));
}

/// A name the integration already has is refused in the form, before anything is sent,
/// naming the existing connection's kind; the cursor goes to Name and nothing typed is lost.
#[test]
fn a_duplicate_name_is_refused_in_the_form() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb, 120, 40);
    app.select("salesforce_prod");
    app.send("n");
    app.wait_for("New connection");
    app.send("salesforce_prod");
    app.send(TAB);
    app.send("bob");
    app.send(TAB);
    let pw = "Dup-name-pw-0123456789";
    app.secrets.push(pw.to_string());
    app.send(pw);
    app.send(TAB);
    app.send("login.salesforce.com");
    app.wait_for("login.salesforce.com");
    app.send(CTRL_S);
    app.wait_for("a connection named salesforce_prod already exists (basic_auth)");
    let screen = app.screen();
    assert!(screen.contains("▸ Name"), "the cursor is on Name: {screen}");
    assert!(screen.contains("New connection"), "the form stays");
    assert!(!screen.contains("creating"), "{screen}");
    assert!(
        !sb.holds("acme_crm_sync", "salesforce_prod", pw),
        "nothing was sent"
    );
    // Another name goes through.
    app.send(CTRL_U);
    app.send("salesforce_dup2");
    app.send(CTRL_S);
    app.wait_for("created basic_auth connection acme_crm_sync/salesforce_dup2");
    assert!(sb.holds("acme_crm_sync", "salesforce_dup2", pw));
}

/// A 401 says which credential was refused and what to do, not "R tries again".
#[test]
fn a_401_names_the_refused_credential_and_what_to_do() {
    let sb = SyncSandbox::demo();
    let app = Pty::spawn(
        Options::new(&[])
            .sandbox(&sb.handle)
            .env("ZENDESK_API_TOKEN", "not-the-admin-token"),
    );
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    app.wait_until("the refused banner", |s| {
        words(s).contains("were refused; trying again will not help")
    });
    let screen = words(&app.screen());
    assert!(screen.contains("(env ZENDESK_API_TOKEN)"), "{screen}");
    assert!(screen.contains("`zisctl auth login`"), "{screen}");
    assert!(!screen.contains("tries again"), "{screen}");
}

/// Ctrl-Y in a form copies the password generated there through OSC 52: the sequence the
/// terminal gets holds that password (compared, never printed), then the 30 s overwrite.
#[test]
fn ctrl_y_copies_the_forms_generated_password_through_osc_52() {
    use base64::Engine as _;
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb, 120, 40);
    app.send(TAB);
    app.send("n");
    app.wait_for("New connection");
    app.send(TAB);
    app.send(TAB);
    app.send("\x07"); // Ctrl-G
    app.wait_for("Ctrl-Y copy");
    app.send(CTRL_R);
    app.wait_for("Ctrl-R hide");
    let shown = field_after(&app.screen(), "Password").unwrap_or_default();
    app.secrets.push(shown.clone());
    assert_eq!(shown.chars().count(), 32, "the revealed password");
    let before = app.raw_output().len();
    app.send("\x19"); // Ctrl-Y
    app.wait_for("copied the password (OSC 52)");
    let raw = app.raw_output();
    let start =
        common::pty::find(&raw[before..], b"\x1b]52;c;").expect("an OSC 52 copy") + before + 7;
    let end = start
        + raw[start..]
            .iter()
            .position(|b| *b == 0x07)
            .expect("its end");
    let copied = base64::engine::general_purpose::STANDARD
        .decode(&raw[start..end])
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    assert!(copied == shown, "the clipboard holds the form's password");
    assert!(
        app.screen().contains("New connection"),
        "the form stays open"
    );
}
