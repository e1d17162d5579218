//! Issue 13 items 9 and 16, in a real pty: the demo's audit log in a private directory, and
//! the masked prompt putting the terminal back on every signal. Every wait is for text or for
//! the process to end, with a timeout.
#![cfg(unix)]

#[path = "common/cli_support.rs"]
mod cli_support;
#[path = "common/pty.rs"]
mod pty;

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cli_support::{Env, BIN};
use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize, SlavePty};
use pty::{SyncSandbox, Tui, TuiOptions};

const CRM: &str = "acme_crm_sync";
const WAIT: Duration = Duration::from_secs(15);

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
    let sb = SyncSandbox::demo();
    let tmp = tempfile::tempdir().expect("tmp");
    let mut app = Tui::start(
        &sb,
        TuiOptions {
            args: vec!["demo"],
            env: vec![("TMPDIR", tmp.path().display().to_string())],
            config: None,
        },
    );
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

/// zisctl in a pty whose slave the test keeps open (as a shell would), so that the
/// terminal's attributes after zisctl has ended are still there to read.
struct Term {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    _slave: Box<dyn SlavePty + Send>,
    screen: Arc<Mutex<Vec<u8>>>,
}

impl Term {
    fn spawn(env: &Env, args: &[&str]) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 120,
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
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let sink = screen.clone();
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
        });
        Term {
            child,
            master: pair.master,
            _slave: pair.slave,
            screen,
        }
    }

    fn text(&self) -> String {
        let s = self.screen.lock().map(|s| s.clone()).unwrap_or_default();
        String::from_utf8_lossy(&s).into_owned()
    }

    fn wait_for(&self, needle: &str) {
        let start = Instant::now();
        while !self.text().contains(needle) {
            assert!(
                start.elapsed() < WAIT,
                "waited for {needle:?}; the screen has: {}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The terminal's local modes (what `stty -a` shows as echo, icanon, isig).
    fn lflag(&self) -> libc::tcflag_t {
        let fd = self.master.as_raw_fd().expect("the pty's fd");
        // SAFETY: termios is a plain C struct; tcgetattr on the master reads the pty's
        // attributes into it.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0, "tcgetattr");
        t.c_lflag
    }

    fn wait_until_echo_is_off(&self) {
        let start = Instant::now();
        while self.lflag() & libc::ECHO != 0 {
            assert!(start.elapsed() < WAIT, "echo never went off at the prompt");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// How the process ended: its exit code, or None when a signal killed it.
    fn wait_end(&mut self) -> Option<u32> {
        let start = Instant::now();
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.signal().is_none().then(|| st.exit_code());
            }
            assert!(start.elapsed() < WAIT, "zisctl did not end");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

/// Each signal that ends the program, sent from outside while the masked prompt has echo and
/// canonical mode off: zisctl ends with 128 + the signal, and the terminal has echo, icanon
/// and isig back on (before: they stayed off, the shell then typed blind).
#[test]
fn the_masked_prompt_restores_the_terminal_on_every_signal() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let env = rt.block_on(Env::demo());
    for (sig, name) in [
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGQUIT, "SIGQUIT"),
        (libc::SIGINT, "SIGINT"),
    ] {
        let mut t = Term::spawn(&env, &["connections", "update", CRM, "salesforce_prod"]);
        t.wait_for("new password: ");
        t.wait_until_echo_is_off();
        let before = t.lflag();
        assert_eq!(before & (libc::ECHO | libc::ICANON), 0, "{name}: not raw");
        let pid = t.child.process_id().expect("pid") as libc::pid_t;
        // SAFETY: sends a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0, "kill");
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
        rt.block_on(env.requests_by("PATCH")),
        0,
        "a change was sent"
    );
}
