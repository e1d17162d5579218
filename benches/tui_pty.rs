//! The real TUI in a pty, timed from the outside (issue 6, item 5).
//!
//! Runs the release binary `zisctl demo --synthetic 100x100` (its own in-process sandbox, no
//! added latency) in a 200x60 pty, reads every byte it writes into a vt100 screen, and prints:
//! - time to the first frame, to the first frame showing connections, to the whole account
//!   loaded, and the frames drawn on the way;
//! - for `j`, PageDown, `G`/`g`, each filter keystroke (substring and fuzzy) and `s` in the
//!   "All connections" view (10,000 rows): the time from writing the key to the last byte of
//!   the frame it caused (median and max), and the frames drawn per key;
//! - CPU time and frames drawn over 5 s of idling (no busy redraw loop: both must be ~0).
//!
//! A frame is counted by the reset sequence ratatui's crossterm backend writes at the end of
//! every draw. `cargo bench --bench tui_pty` runs it; under `cargo test` it does nothing
//! (numbers from a loaded test machine would mean nothing, and it is not a test).
#![cfg_attr(not(unix), allow(unused))]

#[cfg(unix)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        println!("tui_pty: a benchmark; run it with `cargo bench --bench tui_pty`");
        return;
    }
    // `cargo bench -- FILTER` passes FILTER to every bench: run only if it names this one.
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "tui_pty".contains(f.as_str())) {
        return;
    }
    pty::run();
}

#[cfg(not(unix))]
fn main() {
    println!("tui_pty: unix only");
}

#[cfg(unix)]
mod pty {
    use std::io::{Read, Write};
    use std::num::NonZeroU16;
    use std::sync::{Arc, Condvar, Mutex};
    use std::time::{Duration, Instant};

    use portable_pty::{native_pty_system, Child, CommandBuilder, PtySize};

    const COLS: u16 = 200;
    const ROWS: u16 = 60;
    const TIMEOUT: Duration = Duration::from_secs(60);
    /// Startups timed (a fresh process each).
    const LAUNCHES: usize = 7;
    /// No byte for this long: the frame is complete.
    const QUIET: Duration = Duration::from_millis(60);
    /// What ratatui's crossterm backend writes at the end of each draw.
    const FRAME_END: &[u8] = b"\x1b[39m\x1b[49m\x1b[59m\x1b[0m";

    struct Seen {
        parser: vt100::Parser,
        frames: u64,
        bytes: u64,
        last_byte: Instant,
        /// The end of the previous chunk, to find FRAME_END across a chunk boundary.
        tail: Vec<u8>,
        closed: bool,
    }

    struct Tui {
        seen: Arc<(Mutex<Seen>, Condvar)>,
        writer: Box<dyn Write + Send>,
        child: Box<dyn Child + Send + Sync>,
        pid: u32,
        _master: Box<dyn portable_pty::MasterPty + Send>,
        _dir: tempfile::TempDir,
    }

    fn count(hay: &[u8], needle: &[u8]) -> u64 {
        hay.windows(needle.len()).filter(|w| *w == needle).count() as u64
    }

    impl Tui {
        fn start(args: &[&str]) -> (Tui, Instant) {
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
            for var in ["ZISCTL_BASE_URL", "ZISCTL_PROFILE", "NO_COLOR", "RUST_LOG"] {
                cmd.env_remove(var);
            }
            cmd.env("TERM", "xterm-256color");
            cmd.env("HOME", dir.path());
            cmd.env("ZISCTL_AUDIT_LOG", dir.path().join("audit.jsonl"));
            let (rows, cols) = (
                NonZeroU16::new(ROWS).expect("rows"),
                NonZeroU16::new(COLS).expect("cols"),
            );
            let seen = Arc::new((
                Mutex::new(Seen {
                    parser: vt100::Parser::new(rows, cols, 0),
                    frames: 0,
                    bytes: 0,
                    last_byte: Instant::now(),
                    tail: Vec::new(),
                    closed: false,
                }),
                Condvar::new(),
            ));
            let mut reader = pty.master.try_clone_reader().expect("reader");
            let writer = pty.master.take_writer().expect("writer");
            let t0 = Instant::now();
            let child = pty.slave.spawn_command(cmd).expect("spawn zisctl");
            drop(pty.slave);
            let pid = child.process_id().expect("pid");
            let s = seen.clone();
            std::thread::spawn(move || {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match reader.read(&mut buf) {
                        Ok(0) | Err(_) => 0,
                        Ok(n) => n,
                    };
                    let now = Instant::now();
                    let (lock, cv) = &*s;
                    let mut g = lock.lock().expect("lock");
                    if n == 0 {
                        g.closed = true;
                        cv.notify_all();
                        break;
                    }
                    let chunk = &buf[..n];
                    g.parser.process(chunk);
                    let mut joined = std::mem::take(&mut g.tail);
                    joined.extend_from_slice(chunk);
                    g.frames += count(&joined, FRAME_END);
                    let keep = joined.len().min(FRAME_END.len() - 1);
                    g.tail = joined[joined.len() - keep..].to_vec();
                    g.bytes += n as u64;
                    g.last_byte = now;
                    cv.notify_all();
                }
            });
            (
                Tui {
                    seen,
                    writer,
                    child,
                    pid,
                    _master: pty.master,
                    _dir: dir,
                },
                t0,
            )
        }

        fn screen(&self) -> String {
            self.seen.0.lock().expect("lock").parser.screen().contents()
        }

        fn frames(&self) -> u64 {
            self.seen.0.lock().expect("lock").frames
        }

        /// Wait until `pred` holds for the screen; the arrival time of the bytes that made it
        /// hold.
        fn until(&self, what: &str, pred: impl Fn(&str) -> bool) -> Instant {
            let (lock, cv) = &*self.seen;
            let start = Instant::now();
            let mut g = lock.lock().expect("lock");
            loop {
                if pred(&g.parser.screen().contents()) {
                    return g.last_byte;
                }
                if g.closed || start.elapsed() > TIMEOUT {
                    let screen = g.parser.screen().contents();
                    drop(g);
                    panic!("tui_pty: gave up waiting for {what}; screen:\n{screen}");
                }
                g = cv
                    .wait_timeout(g, Duration::from_millis(50))
                    .expect("wait")
                    .0;
            }
        }

        /// Wait until nothing has been written for QUIET; the time of the last byte.
        fn settle(&self) -> Instant {
            let (lock, cv) = &*self.seen;
            let mut g = lock.lock().expect("lock");
            loop {
                let since = g.last_byte.elapsed();
                if since >= QUIET || g.closed {
                    return g.last_byte;
                }
                g = cv.wait_timeout(g, QUIET - since).expect("wait").0;
            }
        }

        fn send(&mut self, keys: &str) -> Instant {
            let t = Instant::now();
            self.writer.write_all(keys.as_bytes()).expect("write keys");
            self.writer.flush().expect("flush keys");
            t
        }

        /// Press `keys`, wait for the screen to change and for the frame to end: (time from
        /// the key to the frame's last byte, frames drawn).
        fn press(&mut self, keys: &str) -> (Duration, u64) {
            let before = self.screen();
            let frames = self.frames();
            let t = self.send(keys);
            self.until(&format!("the screen to change after {keys:?}"), |s| {
                s != before
            });
            let end = self.settle();
            (end.duration_since(t), self.frames() - frames)
        }

        /// utime + stime of the process, in seconds.
        fn cpu_secs(&self) -> f64 {
            let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))
                .expect("/proc/PID/stat");
            // Fields after the ")" that ends the command name; utime and stime are the 14th
            // and 15th fields of the line.
            let rest = &stat[stat.rfind(')').expect("stat") + 2..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks: f64 =
                f[11].parse::<f64>().expect("utime") + f[12].parse::<f64>().expect("stime");
            // SAFETY: sysconf has no preconditions.
            let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
            ticks / hz
        }
    }

    impl Drop for Tui {
        fn drop(&mut self) {
            if let Ok(None) = self.child.try_wait() {
                let _ = self.child.kill();
            }
        }
    }

    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }

    struct Stat {
        name: String,
        times: Vec<Duration>,
        frames: Vec<u64>,
    }

    impl Stat {
        fn new(name: &str) -> Stat {
            Stat {
                name: name.to_string(),
                times: Vec::new(),
                frames: Vec::new(),
            }
        }

        fn add(&mut self, (t, f): (Duration, u64)) {
            self.times.push(t);
            self.frames.push(f);
        }

        fn print(&self) {
            let mut t = self.times.clone();
            t.sort();
            let med = t[t.len() / 2];
            let max = t[t.len() - 1];
            let frames: u64 = self.frames.iter().sum();
            println!(
                "  {:<34} median {:>6.2} ms  max {:>6.2} ms  ({} keys, {:.2} frames/key)",
                self.name,
                ms(med),
                ms(max),
                t.len(),
                frames as f64 / t.len() as f64
            );
        }
    }

    /// A connection row of the synthetic account is on screen (`service_0042`).
    fn shows_connection(s: &str) -> bool {
        let b = s.as_bytes();
        b.windows(6).any(|w| {
            w[0].is_ascii_lowercase()
                && w[1] == b'_'
                && w[2] == b'0'
                && w[3..].iter().all(u8::is_ascii_digit)
        })
    }

    pub fn run() {
        println!("tui_pty: zisctl demo --synthetic 100x100 in a {COLS}x{ROWS} pty");
        println!(
            "startup, {LAUNCHES} launches (from spawn; the demo builds and serves its sandbox \
             in-process):"
        );
        let mut firsts = Vec::new();
        let mut datas = Vec::new();
        let mut alls = Vec::new();
        let mut tui = None;
        for launch in 1..=LAUNCHES {
            let (t, t0) = Tui::start(&["demo", "--synthetic", "100x100"]);
            let first = t.until("a first frame", |s| s.contains("zisctl"));
            let data = t.until("a connection row", shows_connection);
            let all = t.until("all 10,000 connections loaded", |s| {
                s.contains("All connections") && s.contains(" 10000 ") && !s.contains("10000…")
            });
            let end = t.settle();
            let (first, data, all) = (first - t0, data - t0, all.max(end) - t0);
            println!(
                "  launch {launch}: first frame {:>6.1} ms, first frame showing connections \
                 {:>6.1} ms, all 10,000 loaded and drawn {:>6.1} ms ({} frames, {:.0} ms CPU)",
                ms(first),
                ms(data),
                ms(all),
                t.frames(),
                t.cpu_secs() * 1000.0
            );
            firsts.push(first);
            datas.push(data);
            alls.push(all);
            if launch < LAUNCHES {
                quit(t);
            } else {
                tui = Some(t);
            }
        }
        let med = |v: &mut Vec<Duration>| {
            v.sort();
            ms(v[v.len() / 2])
        };
        println!(
            "  median: first frame {:.1} ms, first frame showing connections {:.1} ms, all \
             loaded {:.1} ms",
            med(&mut firsts),
            med(&mut datas),
            med(&mut alls)
        );
        let mut tui = tui.expect("the last launch");

        // Idle: nothing animates once everything is loaded.
        let cpu0 = tui.cpu_secs();
        let f0 = tui.frames();
        let idle = Duration::from_secs(5);
        std::thread::sleep(idle);
        let cpu = tui.cpu_secs() - cpu0;
        println!(
            "idle {} s: {:.1} ms CPU ({:.2}% of a core), {} frames drawn",
            idle.as_secs(),
            cpu * 1000.0,
            cpu / idle.as_secs_f64() * 100.0,
            tui.frames() - f0
        );

        // The All view: 10,000 rows.
        let (t, _) = tui.press("a");
        tui.until("the All view", |s| s.contains("All connections 10000"));
        println!("keys in the All view (10,000 rows), key to last byte of its frame:");
        println!("  a (open the All view)              {:>6.2} ms", ms(t));

        let mut st = Stat::new("j (down one row)");
        for _ in 0..40 {
            st.add(tui.press("j"));
        }
        st.print();
        let mut st = Stat::new("PageDown");
        for _ in 0..20 {
            st.add(tui.press("\x1b[6~"));
        }
        st.print();
        let mut st = Stat::new("G / g (last row / first row)");
        for _ in 0..5 {
            st.add(tui.press("G"));
            st.add(tui.press("g"));
        }
        st.print();
        // Deep in the list: the selection is found among 10,000 rows on every key.
        tui.press("G");
        let mut st = Stat::new("k at the bottom of the list");
        for _ in 0..20 {
            st.add(tui.press("k"));
        }
        st.print();

        for (mode, text) in [("substring", "salesforce"), ("fuzzy", "sfrc")] {
            tui.press("/");
            if mode == "fuzzy" {
                tui.press("\x06"); // Ctrl-F
            }
            let mut st = Stat::new(&format!("filter keystroke ({mode})"));
            for c in text.chars() {
                st.add(tui.press(&c.to_string()));
            }
            // Erase and type again: more keystrokes to time.
            for _ in text.chars().skip(1) {
                st.add(tui.press("\x7f"));
            }
            for c in text.chars().skip(1) {
                st.add(tui.press(&c.to_string()));
            }
            st.print();
            tui.press("\r");
            tui.until("the filter kept", |s| {
                s.contains(&format!("/{text} ({mode})"))
            });
            // Esc clears the filter.
            tui.press("\x1b");
            tui.until("the filter cleared", |s| {
                s.contains("All connections 10000")
            });
        }

        let mut st = Stat::new("s (next sort key)");
        for _ in 0..10 {
            st.add(tui.press("s"));
        }
        st.print();
        let mut st = Stat::new("S (reverse the sort)");
        for _ in 0..10 {
            st.add(tui.press("S"));
        }
        st.print();

        quit(tui);
    }

    /// Press q and wait for the process to end.
    fn quit(mut tui: Tui) {
        tui.send("q");
        let start = Instant::now();
        while start.elapsed() < TIMEOUT {
            if let Ok(Some(_)) = tui.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("tui_pty: zisctl did not quit");
    }
}
