//! The one pty harness: the real `zisctl` binary in a pseudo-terminal (portable-pty), every
//! byte it writes kept raw and fed to a vt100 screen. Every pty test uses it, and so does
//! `benches/tui_pty.rs`, which includes this file by path: it uses nothing else of
//! `tests/common`.
//!
//! - The child's environment is cleared ([`clean_env`]): nothing of the developer's shell
//!   (`ZENDESK_*`, `ZIS_*`, `ZISCTL_*`, `RUST_LOG`, `NO_COLOR`, …) reaches it; HOME and the XDG
//!   directories are a temp dir of the run; TERM is `xterm-256color`; the config file (0600),
//!   the log file and the audit log are the run's own.
//! - Every wait is for something the app writes (text on the screen, bytes in the output, the
//!   end of its output), with one timeout, [`TIMEOUT`]; never a fixed sleep. A wait that fails
//!   shows the screen with the run's secrets redacted.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use portable_pty::{
    native_pty_system, Child, CommandBuilder, ExitStatus, MasterPty, PtySize, SlavePty,
};
use zisctl::sandbox::SandboxHandle;

/// How long any wait may take: generous, for a loaded 2-core CI machine.
pub const TIMEOUT: Duration = Duration::from_secs(30);
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

/// What ratatui's crossterm backend writes at the end of each draw: one frame.
pub const FRAME_END: &[u8] = b"\x1b[39m\x1b[49m\x1b[59m\x1b[0m";

/// The path of the binary under test (the release one under `cargo bench`).
pub const BIN: &str = env!("CARGO_BIN_EXE_zisctl");

/// What a masked field shows for `secret`.
pub fn mask_of(secret: &str) -> String {
    zisctl::app::MASK.to_string().repeat(secret.chars().count())
}

/// The whole environment of a child whose home is `home` (every child, in a pty or not):
/// PATH, HOME and the XDG directories inside `home`, and the audit log in `home`. Nothing
/// else of the parent's environment.
pub fn clean_env(home: &Path) -> Vec<(String, String)> {
    let p = |x: PathBuf| x.display().to_string();
    let mut v = vec![
        ("HOME".to_string(), p(home.to_path_buf())),
        ("XDG_CONFIG_HOME".to_string(), p(home.join("xdg-config"))),
        ("XDG_DATA_HOME".to_string(), p(home.join("xdg-data"))),
        ("XDG_STATE_HOME".to_string(), p(home.join("xdg-state"))),
        ("XDG_CACHE_HOME".to_string(), p(home.join("xdg-cache"))),
        ("ZISCTL_AUDIT_LOG".to_string(), p(home.join("audit.jsonl"))),
    ];
    if let Ok(path) = std::env::var("PATH") {
        v.push(("PATH".to_string(), path));
    }
    v
}

/// How to start zisctl in a pty: its arguments (after `--config` and `--log-file`, which the
/// harness adds), environment variables on top of [`clean_env`], the config file's text, the
/// terminal's size.
pub struct Options {
    args: Vec<String>,
    env: Vec<(String, String)>,
    config: String,
    cols: u16,
    rows: u16,
    secrets: Vec<String>,
    keep_slave: bool,
}

impl Options {
    pub fn new(args: &[&str]) -> Options {
        Options {
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            config: String::new(),
            cols: COLS,
            rows: ROWS,
            secrets: Vec::new(),
            keep_slave: false,
        }
    }

    /// Talk to the sandbox `h` as its admin (`ZISCTL_BASE_URL`, `ZENDESK_EMAIL`,
    /// `ZENDESK_API_TOKEN`); the admin token is redacted from screen dumps.
    pub fn sandbox(self, h: &SandboxHandle) -> Options {
        let mut o = self
            .env("ZISCTL_BASE_URL", &h.base_url)
            .env("ZENDESK_EMAIL", &h.admin_email)
            .env("ZENDESK_API_TOKEN", &h.admin_token);
        o.secrets.push(h.admin_token.clone());
        o
    }

    /// Set (or replace) one variable of the child's environment.
    pub fn env(mut self, key: &str, value: impl Into<String>) -> Options {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.into()));
        self
    }

    /// `RUST_LOG=trace`: the most verbose log, for the tests that look for secrets in it.
    pub fn trace(self) -> Options {
        self.env("RUST_LOG", "trace")
    }

    /// The config file's text (written 0600; empty by default).
    pub fn config(mut self, text: &str) -> Options {
        self.config = text.to_string();
        self
    }

    pub fn size(mut self, cols: u16, rows: u16) -> Options {
        self.cols = cols;
        self.rows = rows;
        self
    }

    /// Keep the terminal's slave side open after the spawn, as the shell that started the
    /// program would: the terminal outlives zisctl, and its attributes as zisctl left them
    /// can be read after it ends ([`Pty::lflag`]). The output then never ends, so the waits
    /// for the process ([`Pty::wait_exit`], [`Pty::wait_end`]) wait for the process alone,
    /// and its last bytes may still be on their way: wait for text with [`Pty::wait_raw`].
    pub fn keep_slave(mut self) -> Options {
        self.keep_slave = true;
        self
    }
}

/// What the reader thread has seen of the output so far.
struct Seen {
    parser: vt100::Parser,
    /// Every byte the app wrote to the terminal.
    raw: Vec<u8>,
    /// Frames drawn (each ends with [`FRAME_END`]).
    frames: u64,
    /// The screen's text as the last complete frame left it. A frame reaches the pty in
    /// several reads: between two of them the screen is half old, half new.
    frame_text: Option<String>,
    /// When the last bytes arrived.
    last_byte: Instant,
    /// The output has ended (the child and every process holding the terminal are gone).
    closed: bool,
}

type Shared = Arc<(Mutex<Seen>, Condvar)>;

/// zisctl running in a pty.
pub struct Pty {
    shared: Shared,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    /// The slave side, held open by [`Options::keep_slave`].
    slave: Option<Box<dyn SlavePty + Send>>,
    pid: u32,
    /// When the process was spawned (just before).
    pub spawned_at: Instant,
    /// Strings redacted from any screen dump (the secrets the test knows).
    pub secrets: Vec<String>,
    /// HOME of the run: config, log file, audit log.
    pub dir: tempfile::TempDir,
}

fn size(cols: u16, rows: u16) -> (NonZeroU16, NonZeroU16) {
    match (NonZeroU16::new(rows), NonZeroU16::new(cols)) {
        (Some(r), Some(c)) => (r, c),
        _ => panic!("a terminal of {cols}x{rows}"),
    }
}

impl Pty {
    /// Start zisctl in a fresh pty with a clean environment and a private HOME.
    pub fn spawn(opts: Options) -> Pty {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("config.toml");
        std::fs::write(&config, &opts.config).expect("config");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600))
                .expect("chmod config");
        }
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: opts.rows,
                cols: opts.cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("pty");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.env_clear();
        for (k, v) in clean_env(dir.path()) {
            cmd.env(k, v);
        }
        cmd.env("TERM", "xterm-256color");
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        cmd.arg("--config");
        cmd.arg(&config);
        cmd.arg("--log-file");
        cmd.arg(dir.path().join("zisctl.log"));
        for a in &opts.args {
            cmd.arg(a);
        }
        cmd.cwd(dir.path());

        let (rows, cols) = size(opts.cols, opts.rows);
        let shared: Shared = Arc::new((
            Mutex::new(Seen {
                parser: vt100::Parser::new(rows, cols, 0),
                raw: Vec::new(),
                frames: 0,
                frame_text: None,
                last_byte: Instant::now(),
                closed: false,
            }),
            Condvar::new(),
        ));
        // The reader runs before the child starts, so that arrival times are the child's.
        let mut reader = pty.master.try_clone_reader().expect("reader");
        let writer = pty.master.take_writer().expect("writer");
        let s = shared.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) | Err(_) => 0,
                    Ok(n) => n,
                };
                let now = Instant::now();
                let (lock, cv) = &*s;
                let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
                if n == 0 {
                    g.closed = true;
                    cv.notify_all();
                    return;
                }
                let chunk = &buf[..n];
                // The ends of frames in this chunk (one may straddle two reads), as offsets
                // into it: the screen's text is kept as each frame ends.
                let old = g.raw.len();
                g.raw.extend_from_slice(chunk);
                let mut ends = Vec::new();
                let mut at = old.saturating_sub(FRAME_END.len() - 1);
                while let Some(i) = find(&g.raw[at..], FRAME_END) {
                    at += i + FRAME_END.len();
                    ends.push(at - old);
                }
                let mut done = 0;
                for end in ends {
                    g.parser.process(&chunk[done..end]);
                    g.frame_text = Some(g.parser.screen().contents());
                    g.frames += 1;
                    done = end;
                }
                g.parser.process(&chunk[done..]);
                g.last_byte = now;
                cv.notify_all();
            }
        });
        let spawned_at = Instant::now();
        let child = pty.slave.spawn_command(cmd).expect("spawn zisctl");
        let slave = opts.keep_slave.then_some(pty.slave);
        let pid = child.process_id().expect("pid");
        Pty {
            shared,
            writer,
            child,
            master: pty.master,
            slave,
            pid,
            spawned_at,
            secrets: opts.secrets,
            dir,
        }
    }

    fn seen(&self) -> MutexGuard<'_, Seen> {
        self.shared.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Write `keys` to the terminal; when they were written.
    pub fn send(&mut self, keys: &str) -> Instant {
        let t = Instant::now();
        self.writer.write_all(keys.as_bytes()).expect("write keys");
        self.writer.flush().expect("flush keys");
        t
    }

    /// The emulated screen's text: as the last complete frame left it while the app draws
    /// frames (never half a frame), else (a CLI, or once the output has ended) as it is.
    pub fn screen(&self) -> String {
        text(&self.seen())
    }

    /// Look at the emulated screen as it is (modes, cursor, cells).
    pub fn with_screen<T>(&self, f: impl FnOnce(&vt100::Screen) -> T) -> T {
        f(self.seen().parser.screen())
    }

    /// Every byte written so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.seen().raw.clone()
    }

    /// Every byte written so far, as text (a CLI's lines, which the screen may have scrolled).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen().raw).into_owned()
    }

    /// Frames drawn so far.
    pub fn frames(&self) -> u64 {
        self.seen().frames
    }

    fn redact(&self, mut s: String) -> String {
        for secret in &self.secrets {
            if !secret.is_empty() {
                s = s.replace(secret.as_str(), "[SECRET]");
            }
        }
        s
    }

    /// The screen with the run's secrets replaced by `[SECRET]`.
    pub fn redacted(&self) -> String {
        self.redact(self.screen())
    }

    /// Wait until `ok` holds for what was seen; the arrival time of the bytes that made it
    /// hold. Fails (with the redacted screen) after [`TIMEOUT`], or once the output has ended
    /// without it holding.
    fn wait(&self, what: &str, mut ok: impl FnMut(&Seen) -> bool) -> Instant {
        let (lock, cv) = &*self.shared;
        let deadline = Instant::now() + TIMEOUT;
        let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if ok(&g) {
                return g.last_byte;
            }
            let now = Instant::now();
            if g.closed || now >= deadline {
                let why = if g.closed {
                    "the output ended"
                } else {
                    "timed out"
                };
                let screen = text(&g);
                drop(g);
                panic!(
                    "{why} while waiting for {what}; screen:\n{}",
                    self.redact(screen)
                );
            }
            g = cv
                .wait_timeout(g, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Wait until `pred` holds for the screen's text ([`Pty::screen`]).
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> Instant {
        self.wait(what, |s| pred(&text(s)))
    }

    /// Wait until `pred` holds for the screen as it is (its modes, cursor, cells).
    pub fn wait_screen(&self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) -> Instant {
        self.wait(what, |s| pred(s.parser.screen()))
    }

    pub fn wait_for(&self, text: &str) -> Instant {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    pub fn wait_gone(&self, text: &str) -> Instant {
        self.wait_until(&format!("{text:?} to go"), |s| !s.contains(text))
    }

    /// Wait until the raw output (not only the screen: it may have scrolled) holds `text`.
    pub fn wait_raw(&self, text: &str) -> Instant {
        let needle = text.as_bytes();
        self.wait(&format!("{text:?} in the output"), |s| {
            s.raw.windows(needle.len()).any(|w| w == needle)
        })
    }

    /// Wait until nothing has been written for `quiet` (or the output has ended); the arrival
    /// time of the last bytes.
    pub fn settle(&self, quiet: Duration) -> Instant {
        let (lock, cv) = &*self.shared;
        let deadline = Instant::now() + TIMEOUT;
        let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let since = g.last_byte.elapsed();
            if since >= quiet || g.closed {
                return g.last_byte;
            }
            assert!(
                Instant::now() < deadline,
                "the output never paused for {quiet:?}"
            );
            g = cv
                .wait_timeout(g, quiet - since)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Resize the terminal (the app gets SIGWINCH) and the emulated screen.
    pub fn resize(&self, cols: u16, rows: u16) {
        let (r, c) = size(cols, rows);
        self.seen().parser.set_size(r, c);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
    }

    /// Send `signal` to the process.
    #[cfg(unix)]
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill sends a signal to the child this harness started; no memory is involved.
        let r = unsafe { libc::kill(self.pid as libc::pid_t, signal) };
        assert_eq!(r, 0, "kill({}, {signal})", self.pid);
    }

    /// Wait for the process to end and for its last bytes to be read; its exit code (1 when
    /// a signal killed it: see [`Pty::wait_end`]).
    pub fn wait_exit(&mut self) -> u32 {
        self.wait_status().exit_code()
    }

    /// Wait for the process to end, as [`Pty::wait_exit`]; its exit code, or `None` when a
    /// signal killed it (rather than its exiting with 128 + the signal's number).
    pub fn wait_end(&mut self) -> Option<u32> {
        let status = self.wait_status();
        status.signal().is_none().then(|| status.exit_code())
    }

    fn wait_status(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        // With the slave kept open the output never ends: only the process is waited for.
        if self.slave.is_none() {
            // The output ends when the process (and whatever it started on the terminal) has
            // closed the terminal.
            let (lock, cv) = &*self.shared;
            let mut g = lock.lock().unwrap_or_else(|e| e.into_inner());
            while !g.closed && Instant::now() < deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                g = cv
                    .wait_timeout(g, left)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("zisctl did not exit; screen:\n{}", self.redacted());
            }
            // The output has ended (or, the slave kept open, cannot): the exit is a matter of
            // the kernel reaping it.
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// The terminal's local modes (`c_lflag`: what `stty -a` shows as echo, icanon, isig),
    /// read through the master; `None` if they cannot be read.
    #[cfg(unix)]
    fn local_modes(&self) -> Option<libc::tcflag_t> {
        let fd = self.master.as_raw_fd()?;
        // SAFETY: tcgetattr writes into the termios we own, on a descriptor that is open.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            (libc::tcgetattr(fd, &mut t) == 0).then_some(t.c_lflag)
        }
    }

    /// The terminal's local modes (`c_lflag`; `libc::ECHO`, `libc::ICANON`, `libc::ISIG`, …).
    /// Once zisctl has ended they are as it left them only if the slave was kept open
    /// ([`Options::keep_slave`]).
    #[cfg(unix)]
    pub fn lflag(&self) -> libc::tcflag_t {
        self.local_modes().expect("tcgetattr on the pty's master")
    }

    /// Whether the terminal is in cooked mode (canonical input and echo): restored.
    #[cfg(unix)]
    pub fn is_cooked(&self) -> bool {
        self.local_modes()
            .is_some_and(|l| l & libc::ICANON != 0 && l & libc::ECHO != 0)
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("zisctl.log")
    }

    pub fn audit_path(&self) -> PathBuf {
        self.dir.path().join("audit.jsonl")
    }

    /// The log file and the audit log, as written so far.
    pub fn logs(&self) -> Vec<u8> {
        let mut v = std::fs::read(self.log_path()).unwrap_or_default();
        v.push(b'\n');
        v.extend(std::fs::read(self.audit_path()).unwrap_or_default());
        v
    }

    /// The TUI: focus the table and filter it down to the one connection `name`.
    pub fn select(&mut self, name: &str) {
        self.send(TAB);
        self.send("/");
        self.send(name);
        self.send(ENTER);
        self.wait_for(&format!("/{name} (substring)"));
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The screen's text: the last complete frame's while frames are drawn, else the live one.
fn text(s: &Seen) -> String {
    match &s.frame_text {
        Some(t) if !s.closed => t.clone(),
        _ => s.parser.screen().contents(),
    }
}

/// Where `needle` first occurs in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// How many times `needle` occurs in `hay`.
pub fn count(hay: &[u8], needle: &[u8]) -> u64 {
    hay.windows(needle.len()).filter(|w| *w == needle).count() as u64
}

/// The text after `label` on the first screen row that has it (up to a space or a border).
pub fn field_after(screen: &str, label: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let i = l.find(label)?;
        let rest = l[i + label.len()..].trim_start();
        let end = rest.find([' ', '│']).unwrap_or(rest.len());
        Some(rest[..end].to_string())
    })
}
