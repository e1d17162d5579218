//! End-to-end: the real binary in a pty (portable-pty + vt100) against a sandbox started in
//! this test process. Every step waits for text on the emulated screen (with a timeout); no
//! fixed sleeps. Secrets are compared, never printed: screen dumps on failure are redacted.
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::sandbox::SyncSandbox;
use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};
use serde_json::json;
use zisctl::sandbox::SandboxConfig;

const TIMEOUT: Duration = Duration::from_secs(10);
const COLS: u16 = 120;
const ROWS: u16 = 40;

const TAB: &str = "\t";
const ENTER: &str = "\r";
const ESC: &str = "\x1b";
const CTRL_S: &str = "\x13";

struct App {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    /// Strings redacted from any screen dump (secrets the test learnt).
    secrets: Vec<String>,
    _dir: tempfile::TempDir,
}

impl App {
    /// Run zisctl against `sb` (or unconfigured when `sb` is None).
    fn start(sb: Option<&SyncSandbox>, args: &[&str]) -> App {
        App::start_with(sb, args, &[])
    }

    fn start_with(sb: Option<&SyncSandbox>, args: &[&str], env: &[(&str, &str)]) -> App {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "").expect("config");
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_zisctl"));
        cmd.arg("--config");
        cmd.arg(&config);
        cmd.arg("--log-file");
        cmd.arg(dir.path().join("zisctl.log"));
        for a in args {
            cmd.arg(a);
        }
        cmd.cwd(dir.path());
        for var in [
            "ZISCTL_BASE_URL",
            "ZISCTL_PROFILE",
            "ZISCTL_CONFIG",
            "ZENDESK_EMAIL",
            "ZENDESK_API_TOKEN",
            "ZENDESK_SUBDOMAIN",
            "ZIS_OAUTH_TOKEN",
            "NO_COLOR",
            "ZISCTL_AUDIT_LOG",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", dir.path());
        cmd.env("XDG_CONFIG_HOME", dir.path().join("config"));
        cmd.env("XDG_DATA_HOME", dir.path().join("data"));
        cmd.env("ZISCTL_AUDIT_LOG", dir.path().join("audit.jsonl"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(sb) = sb {
            cmd.env("ZISCTL_BASE_URL", &sb.handle.base_url);
            cmd.env("ZENDESK_EMAIL", &sb.handle.admin_email);
            cmd.env("ZENDESK_API_TOKEN", &sb.handle.admin_token);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn zisctl");
        drop(pty.slave);
        let (Some(rows), Some(cols)) = (NonZeroU16::new(ROWS), NonZeroU16::new(COLS)) else {
            panic!("terminal size")
        };
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let p = parser.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if let Ok(mut p) = p.lock() {
                            p.process(&buf[..n]);
                        }
                    }
                }
            }
        });
        let writer = pty.master.take_writer().expect("writer");
        App {
            parser,
            writer,
            child,
            master: pty.master,
            secrets: Vec::new(),
            _dir: dir,
        }
    }

    /// The log file and the audit log, as written so far.
    fn logs(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self._dir.path().join(name)).unwrap_or_default();
        format!("{}\n{}", read("zisctl.log"), read("audit.jsonl"))
    }

    fn screen(&self) -> String {
        self.parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    fn redacted(&self) -> String {
        let mut s = self.screen();
        for secret in &self.secrets {
            s = s.replace(secret.as_str(), "[SECRET]");
        }
        s
    }

    /// Wait until `pred` holds for the screen; on timeout fail with the (redacted) screen.
    fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if pred(&self.screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.redacted());
    }

    fn wait_for(&self, text: &str) {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text));
    }

    fn wait_gone(&self, text: &str) {
        self.wait_until(&format!("{text:?} to go"), |s| !s.contains(text));
    }

    fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    /// Esc alone; callers wait for its effect before the next key, so that it is not read
    /// as Alt+(next key).
    fn esc(&mut self) {
        self.send(ESC);
    }

    /// Wait for the process to end; its exit code.
    fn wait_exit(&mut self) -> u32 {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("zisctl did not exit; screen:\n{}", self.redacted());
    }

    /// Focus the table and filter it down to the one connection `name`.
    fn select(&mut self, name: &str) {
        self.send(TAB);
        self.send("/");
        self.send(name);
        self.send(ENTER);
        self.wait_for(&format!("/{name} (substring)"));
    }

    /// The app is up with the demo account loaded.
    fn ready(sb: &SyncSandbox) -> App {
        let app = App::start(Some(sb), &[]);
        app.wait_for("salesforce_prod");
        app
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// The text after `label` on the first screen row that has it.
fn field_after(screen: &str, label: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let i = l.find(label)?;
        let rest = l[i + label.len()..].trim_start();
        let end = rest.find([' ', '│']).unwrap_or(rest.len());
        Some(rest[..end].to_string())
    })
}

#[test]
fn create_appears_in_the_table() {
    let sb = SyncSandbox::demo();
    let mut app = App::ready(&sb);
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
    let logs = app.logs();
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
    let mut app = App::ready(&sb);
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
    let mut app = App::ready(&sb);
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
    app.esc();
    app.wait_gone("Rotate 1 password");
    assert!(!app.screen().contains(&pw), "forgotten once dismissed");
    assert!(!app.logs().contains(&pw), "no password in the logs");
}

#[test]
fn delete_after_confirmation() {
    let sb = SyncSandbox::demo();
    let mut app = App::ready(&sb);
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
    let mut app = App::ready(&sb);
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
    app.wait_for("403");
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

#[cfg(unix)]
fn termios_is_cooked(master: &dyn MasterPty) -> bool {
    let Some(fd) = master.as_raw_fd() else {
        return false;
    };
    // SAFETY: tcgetattr writes into the termios we own, on a descriptor that is open.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(fd, &mut t) != 0 {
            return false;
        }
        t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0
    }
}

#[test]
fn q_exits_0_with_the_terminal_restored() {
    let sb = SyncSandbox::demo();
    let mut app = App::ready(&sb);
    {
        let p = app.parser.lock().expect("parser");
        assert!(p.screen().alternate_screen());
    }
    assert!(!termios_is_cooked(app.master.as_ref()), "raw while running");
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    app.wait_until("the main screen back", |_| {
        app.parser
            .lock()
            .map(|p| !p.screen().alternate_screen() && !p.screen().hide_cursor())
            .unwrap_or(false)
    });
    assert!(
        termios_is_cooked(app.master.as_ref()),
        "cooked mode restored"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    let sb = SyncSandbox::demo();
    let mut app = App::ready(&sb);
    let pid = app.child.process_id().expect("pid") as libc::pid_t;
    // SAFETY: kill sends a signal to the child we started; no memory is involved.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    assert_eq!(app.wait_exit(), 143);
    assert!(termios_is_cooked(app.master.as_ref()));
    // The last bytes it wrote may still be on their way through the pty.
    app.wait_until("the main screen back", |_| {
        app.parser
            .lock()
            .map(|p| !p.screen().alternate_screen())
            .unwrap_or(false)
    });
}

#[test]
fn a_429_says_rate_limited_and_waits() {
    let sb = SyncSandbox::start(SandboxConfig {
        rate_limit: 4,
        rate_window_secs: 2,
        ..SandboxConfig::default()
    });
    let app = App::start(Some(&sb), &[]);
    app.wait_for("rate limited, waiting");
    app.wait_for("salesforce_prod");
}

#[test]
fn first_run_explains_and_opens_the_demo() {
    let mut app = App::start(None, &[]);
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
    let mut app = App::start(Some(&sb), &["--readonly"]);
    app.wait_for("salesforce_prod");
    app.wait_for("READ-ONLY");
    app.send(TAB);
    app.send("n");
    app.wait_for("read-only mode");
    assert!(!app.screen().contains("New connection"));
    assert!(!app.screen().contains("e edit"));
}

#[test]
fn a_panic_restores_the_terminal_before_printing() {
    let sb = SyncSandbox::demo();
    let mut app = App::start_with(
        Some(&sb),
        &[],
        &[("ZISCTL_TEST_PANIC", "1"), ("RUST_BACKTRACE", "0")],
    );
    app.wait_for("salesforce_prod");
    app.send("\x1b[24~");
    assert_eq!(app.wait_exit(), 101);
    app.wait_for("test panic requested");
    assert!(termios_is_cooked(app.master.as_ref()));
    app.wait_until("the main screen back", |_| {
        app.parser
            .lock()
            .map(|p| !p.screen().alternate_screen())
            .unwrap_or(false)
    });
}
