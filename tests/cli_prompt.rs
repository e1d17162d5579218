//! The CLI on a terminal: the masked password prompt (no echo), delete's confirmation, and the
//! warning when secrets are printed to a terminal. The real binary in a pty (portable-pty)
//! against an in-process sandbox; the test waits for text, never for a fixed time.
#![cfg(unix)]

mod common;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::cli_support::{Env, BIN};
use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

const CRM: &str = "acme_crm_sync";

/// A zisctl running in a pty: everything it writes (stdout and stderr) lands in `screen`.
struct Term {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<Vec<u8>>>,
    /// Set when the reader has seen the end of the output (the child closed the pty).
    drained: Arc<std::sync::atomic::AtomicBool>,
    _master: Box<dyn MasterPty + Send>,
}

impl Term {
    fn spawn(env: &Env, args: &[&str]) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 200,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.env_clear();
        for (k, v) in env.child_env() {
            cmd.env(k, v);
        }
        cmd.args(env.child_args(args));
        let child = pair.slave.spawn_command(cmd).expect("spawn in pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = screen.clone();
        let drained = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = drained.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.extend_from_slice(&buf[..n]);
                }
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        Term {
            child,
            writer,
            screen,
            drained,
            _master: pair.master,
        }
    }

    fn text(&self) -> String {
        let s = self.screen.lock().map(|s| s.clone()).unwrap_or_default();
        String::from_utf8_lossy(&s).into_owned()
    }

    /// Wait until the screen holds `needle` (10 s at most).
    fn wait_for(&self, needle: &str) {
        let start = Instant::now();
        while !self.text().contains(needle) {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "waited for {needle:?}; the screen has: {}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn type_text(&mut self, s: &str) {
        self.writer.write_all(s.as_bytes()).expect("type");
        self.writer.flush().expect("flush");
    }

    /// Wait for the exit code (10 s at most).
    fn exit_code(&mut self) -> u32 {
        let start = Instant::now();
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                // Its last words may still be in the pty: read them all before returning.
                while !self.drained.load(std::sync::atomic::Ordering::SeqCst)
                    && start.elapsed() < Duration::from_secs(10)
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                return st.exit_code();
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "zisctl did not exit"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Run `f` (blocking pty work) off the runtime that serves the sandbox.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}

#[tokio::test(flavor = "multi_thread")]
async fn password_prompt_is_masked_and_confirmed() {
    let env = Arc::new(Env::demo().await);
    let pw = "Pty-Canary-pw-4e7a19";
    let e = env.clone();
    let (code, screen) = blocking(move || {
        let mut t = Term::spawn(
            &e,
            &[
                "connections",
                "create",
                CRM,
                "typed_conn",
                "--allowed-domain",
                "api.typed.example",
                "--username",
                "typist",
                "-o",
                "json",
            ],
        );
        t.wait_for("password: ");
        // A typo, erased with backspace, then the real thing.
        t.type_text(&format!("{pw}X\x7f\r"));
        t.wait_for("password (again): ");
        t.type_text(&format!("{pw}\r"));
        let code = t.exit_code();
        (code, t.text())
    })
    .await;
    assert_eq!(code, 0, "screen: {}", screen.replace(pw, "<pw>"));
    assert!(
        !screen.contains(pw),
        "the typed password was echoed or printed"
    );
    assert!(screen.contains("\"name\": \"typed_conn\""));
    assert!(env.support.holds(CRM, "typed_conn", pw).await);

    // Two different entries: refused, nothing sent.
    let patches = env.support.requests_by("PATCH").await;
    let e = env.clone();
    let (code, screen) = blocking(move || {
        let mut t = Term::spawn(&e, &["connections", "update", CRM, "typed_conn"]);
        t.wait_for("new password: ");
        t.type_text("first-entry-123\r");
        t.wait_for("new password (again): ");
        t.type_text("second-entry-456\r");
        (t.exit_code(), t.text())
    })
    .await;
    assert_eq!(code, 2, "screen: {screen}");
    assert!(screen.contains("differ; nothing was sent"));
    assert!(!screen.contains("first-entry") && !screen.contains("second-entry"));
    assert_eq!(env.support.requests_by("PATCH").await, patches);

    // Ctrl-C at the prompt: exit 130, nothing sent.
    let e = env.clone();
    let code = blocking(move || {
        let mut t = Term::spawn(&e, &["connections", "update", CRM, "typed_conn"]);
        t.wait_for("new password: ");
        t.type_text("half\x03");
        t.exit_code()
    })
    .await;
    assert_eq!(code, 130);
    assert_eq!(env.support.requests_by("PATCH").await, patches);
    assert!(env.support.holds(CRM, "typed_conn", pw).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_asks_on_a_terminal() {
    let env = Arc::new(Env::demo().await);
    let e = env.clone();
    let (code, screen) = blocking(move || {
        let mut t = Term::spawn(&e, &["connections", "delete", CRM, "segment_write_key"]);
        t.wait_for("[y/N] ");
        t.type_text("n\r");
        (t.exit_code(), t.text())
    })
    .await;
    assert_eq!(code, 1, "screen: {screen}");
    assert!(screen.contains("Delete api_key connection acme_crm_sync/segment_write_key"));
    assert!(screen.contains("not deleted"));
    assert_eq!(
        env.run(&["connections", "show", CRM, "segment_write_key"])
            .await
            .code,
        0
    );

    let e = env.clone();
    let code = blocking(move || {
        let mut t = Term::spawn(&e, &["connections", "delete", CRM, "segment_write_key"]);
        t.wait_for("[y/N] ");
        t.type_text("yes\r");
        t.exit_code()
    })
    .await;
    assert_eq!(code, 0);
    assert_eq!(
        env.run(&["connections", "show", CRM, "segment_write_key"])
            .await
            .code,
        4
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_printed_to_a_terminal_come_with_a_warning() {
    let env = Arc::new(Env::demo().await);
    let e = env.clone();
    let (code, screen) = blocking(move || {
        let mut t = Term::spawn(&e, &["rotate", CRM, "salesforce_prod"]);
        t.wait_for("  yes  ");
        (t.exit_code(), t.text())
    })
    .await;
    assert_eq!(code, 0);
    assert!(screen.contains("new passwords are printed below"));
    let row = screen
        .lines()
        .find(|l| l.starts_with(CRM))
        .unwrap_or_default()
        .to_string();
    let pw = row
        .split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_string();
    assert!(env.support.holds(CRM, "salesforce_prod", &pw).await);
}
