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

/// The pty harness of the tests (it uses nothing else of `tests/common`).
#[cfg(unix)]
#[path = "../tests/common/pty.rs"]
mod harness;

#[cfg(unix)]
mod pty {
    use std::time::{Duration, Instant};

    use super::harness::{Options, Pty};

    const COLS: u16 = 200;
    const ROWS: u16 = 60;
    /// Startups timed (a fresh process each).
    const LAUNCHES: usize = 7;
    /// No byte for this long: the frame is complete.
    const QUIET: Duration = Duration::from_millis(60);

    /// zisctl in a COLS x ROWS pty (the harness's clean environment, no RUST_LOG).
    fn start(args: &[&str]) -> (Pty, Instant) {
        let t = Pty::spawn(Options::new(args).size(COLS, ROWS));
        let t0 = t.spawned_at;
        (t, t0)
    }

    /// Press `keys`, wait for the screen to change and for the frame to end: (time from the
    /// key to the frame's last byte, frames drawn).
    fn press(tui: &mut Pty, keys: &str) -> (Duration, u64) {
        let before = tui.screen();
        let frames = tui.frames();
        let t = tui.send(keys);
        tui.wait_until(&format!("the screen to change after {keys:?}"), |s| {
            s != before
        });
        let end = tui.settle(QUIET);
        (end.duration_since(t), tui.frames() - frames)
    }

    /// utime + stime of the process, in seconds.
    fn cpu_secs(tui: &Pty) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", tui.pid())).expect("/proc/PID/stat");
        // Fields after the ")" that ends the command name; utime and stime are the 14th and
        // 15th fields of the line.
        let rest = &stat[stat.rfind(')').expect("stat") + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: f64 =
            f[11].parse::<f64>().expect("utime") + f[12].parse::<f64>().expect("stime");
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        ticks / hz
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
            let (t, t0) = start(&["demo", "--synthetic", "100x100"]);
            let first = t.wait_until("a first frame", |s| s.contains("zisctl"));
            let data = t.wait_until("a connection row", shows_connection);
            let all = t.wait_until("all 10,000 connections loaded", |s| {
                s.contains("All connections") && s.contains(" 10000 ") && !s.contains("10000…")
            });
            let end = t.settle(QUIET);
            let (first, data, all) = (first - t0, data - t0, all.max(end) - t0);
            println!(
                "  launch {launch}: first frame {:>6.1} ms, first frame showing connections \
                 {:>6.1} ms, all 10,000 loaded and drawn {:>6.1} ms ({} frames, {:.0} ms CPU)",
                ms(first),
                ms(data),
                ms(all),
                t.frames(),
                cpu_secs(&t) * 1000.0
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
        let cpu0 = cpu_secs(&tui);
        let f0 = tui.frames();
        let idle = Duration::from_secs(5);
        std::thread::sleep(idle);
        let cpu = cpu_secs(&tui) - cpu0;
        println!(
            "idle {} s: {:.1} ms CPU ({:.2}% of a core), {} frames drawn",
            idle.as_secs(),
            cpu * 1000.0,
            cpu / idle.as_secs_f64() * 100.0,
            tui.frames() - f0
        );

        // The All view: 10,000 rows.
        let (t, _) = press(&mut tui, "a");
        tui.wait_until("the All view", |s| s.contains("All connections 10000"));
        println!("keys in the All view (10,000 rows), key to last byte of its frame:");
        println!("  a (open the All view)              {:>6.2} ms", ms(t));

        let mut st = Stat::new("j (down one row)");
        for _ in 0..40 {
            st.add(press(&mut tui, "j"));
        }
        st.print();
        let mut st = Stat::new("PageDown");
        for _ in 0..20 {
            st.add(press(&mut tui, "\x1b[6~"));
        }
        st.print();
        let mut st = Stat::new("G / g (last row / first row)");
        for _ in 0..5 {
            st.add(press(&mut tui, "G"));
            st.add(press(&mut tui, "g"));
        }
        st.print();
        // Deep in the list: the selection is found among 10,000 rows on every key.
        press(&mut tui, "G");
        let mut st = Stat::new("k at the bottom of the list");
        for _ in 0..20 {
            st.add(press(&mut tui, "k"));
        }
        st.print();

        for (mode, text) in [("substring", "salesforce"), ("fuzzy", "sfrc")] {
            press(&mut tui, "/");
            if mode == "fuzzy" {
                press(&mut tui, "\x06"); // Ctrl-F
            }
            let mut st = Stat::new(&format!("filter keystroke ({mode})"));
            for c in text.chars() {
                st.add(press(&mut tui, &c.to_string()));
            }
            // Erase and type again: more keystrokes to time.
            for _ in text.chars().skip(1) {
                st.add(press(&mut tui, "\x7f"));
            }
            for c in text.chars().skip(1) {
                st.add(press(&mut tui, &c.to_string()));
            }
            st.print();
            press(&mut tui, "\r");
            tui.wait_until("the filter kept", |s| {
                s.contains(&format!("/{text} ({mode})"))
            });
            // Esc clears the filter.
            press(&mut tui, "\x1b");
            tui.wait_until("the filter cleared", |s| {
                s.contains("All connections 10000")
            });
        }

        let mut st = Stat::new("s (next sort key)");
        for _ in 0..10 {
            st.add(press(&mut tui, "s"));
        }
        st.print();
        let mut st = Stat::new("S (reverse the sort)");
        for _ in 0..10 {
            st.add(press(&mut tui, "S"));
        }
        st.print();

        quit(tui);
    }

    /// Press q and wait for the process to end.
    fn quit(mut tui: Pty) {
        tui.send("q");
        tui.wait_exit();
    }
}
