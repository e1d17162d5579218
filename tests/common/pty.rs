//! The real binary in a pty (portable-pty + vt100) against a sandbox run on its own runtime,
//! for tests that are not async: every raw byte the app writes is kept (to look for escape
//! sequences or secrets that the emulated screen would not show), and every wait is for text
//! on the screen, with a timeout. Screen dumps on failure are redacted of the test's secrets.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

use super::sandbox::SyncSandbox;

pub const TIMEOUT: Duration = Duration::from_secs(15);
pub const COLS: u16 = 120;
pub const ROWS: u16 = 40;

pub const TAB: &str = "\t";
pub const BACKTAB: &str = "\x1b[Z";
pub const ENTER: &str = "\r";
pub const ESC: &str = "\x1b";
pub const RIGHT: &str = "\x1b[C";
pub const CTRL_S: &str = "\x13";
pub const CTRL_R: &str = "\x12";
pub const F12: &str = "\x1b[24~";

/// What a masked field shows for `secret`.
pub fn mask_of(secret: &str) -> String {
    zisctl::app::MASK.to_string().repeat(secret.chars().count())
}

/// zisctl's TUI in a pty.
pub struct Tui {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Every byte the app wrote to the terminal.
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    pub master: Box<dyn MasterPty + Send>,
    /// Strings redacted from any screen dump.
    pub secrets: Vec<String>,
    pub dir: tempfile::TempDir,
}

/// How to start the TUI.
#[derive(Default)]
pub struct TuiOptions<'a> {
    pub args: Vec<&'a str>,
    pub env: Vec<(&'a str, String)>,
    /// The config file's text (written 0600).
    pub config: Option<String>,
}

impl Tui {
    /// Run zisctl against `sb`, RUST_LOG=trace, with a private HOME, config, log and audit log.
    pub fn start(sb: &SyncSandbox, opts: TuiOptions<'_>) -> Tui {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config.toml");
        std::fs::write(&config, opts.config.as_deref().unwrap_or("")).expect("config");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600))
                .expect("chmod config");
        }
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_zisctl"));
        cmd.env_clear();
        cmd.arg("--config");
        cmd.arg(&config);
        cmd.arg("--log-file");
        cmd.arg(dir.path().join("zisctl.log"));
        for a in &opts.args {
            cmd.arg(a);
        }
        cmd.cwd(dir.path());
        if let Ok(path) = std::env::var("PATH") {
            cmd.env("PATH", path);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", dir.path());
        cmd.env("XDG_CONFIG_HOME", dir.path().join("config"));
        cmd.env("XDG_DATA_HOME", dir.path().join("data"));
        cmd.env("ZISCTL_AUDIT_LOG", dir.path().join("audit.jsonl"));
        cmd.env("RUST_LOG", "trace");
        cmd.env("ZISCTL_BASE_URL", &sb.handle.base_url);
        cmd.env("ZENDESK_EMAIL", &sb.handle.admin_email);
        cmd.env("ZENDESK_API_TOKEN", &sb.handle.admin_token);
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("spawn zisctl");
        drop(pty.slave);
        let (Some(rows), Some(cols)) = (NonZeroU16::new(ROWS), NonZeroU16::new(COLS)) else {
            panic!("terminal size")
        };
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if let Ok(mut r) = r.lock() {
                            r.extend_from_slice(&buf[..n]);
                        }
                        if let Ok(mut p) = p.lock() {
                            p.process(&buf[..n]);
                        }
                    }
                }
            }
        });
        let writer = pty.master.take_writer().expect("writer");
        Tui {
            parser,
            raw,
            writer,
            child,
            master: pty.master,
            secrets: vec![sb.handle.admin_token.clone()],
            dir,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("zisctl.log")
    }

    /// The log file and the audit log, as written so far.
    pub fn logs(&self) -> Vec<u8> {
        let mut v = std::fs::read(self.log_path()).unwrap_or_default();
        v.push(b'\n');
        v.extend(std::fs::read(self.dir.path().join("audit.jsonl")).unwrap_or_default());
        v
    }

    pub fn raw_output(&self) -> Vec<u8> {
        self.raw.lock().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn screen(&self) -> String {
        self.parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    pub fn redacted(&self) -> String {
        let mut s = self.screen();
        for secret in &self.secrets {
            s = s.replace(secret.as_str(), "[SECRET]");
        }
        s
    }

    /// Wait until `pred` holds for the screen; on timeout fail with the (redacted) screen.
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if pred(&self.screen()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.redacted());
    }

    pub fn wait_for(&self, text: &str) {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text));
    }

    pub fn wait_gone(&self, text: &str) {
        self.wait_until(&format!("{text:?} to go"), |s| !s.contains(text));
    }

    /// Wait until the raw output (not only the screen: it may have scrolled) holds `text`.
    pub fn wait_raw(&self, text: &str) {
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if self
                .raw_output()
                .windows(text.len())
                .any(|w| w == text.as_bytes())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("timed out waiting for {text:?} in the output");
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
    }

    /// Wait for the process to end; its exit code.
    pub fn wait_exit(&mut self) -> u32 {
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
    pub fn select(&mut self, name: &str) {
        self.send(TAB);
        self.send("/");
        self.send(name);
        self.send(ENTER);
        self.wait_for(&format!("/{name} (substring)"));
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}
