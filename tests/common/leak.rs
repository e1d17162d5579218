//! Canary secrets and the places they must never reach: finding them without ever printing
//! them. Every check answers with the canary's *label* (e.g. "basic_auth password"), never
//! its value, so a failing assertion cannot leak the secret into the test output either.
#![allow(dead_code)]

use std::time::Duration;

use base64::Engine as _;

/// A secret no other string on this machine holds: a label for messages and its value.
#[derive(Clone)]
pub struct Canary {
    pub label: String,
    pub value: String,
}

impl Canary {
    /// `label` names the path it goes through; the value is unique to this run.
    pub fn new(label: &str) -> Canary {
        let n: u64 = rand::random();
        Canary {
            label: label.to_string(),
            value: format!("Cnry{n:016x}Zq"),
        }
    }

    /// A canary with a value given by the test (a well-known token used as one).
    pub fn known(label: &str, value: &str) -> Canary {
        Canary {
            label: label.to_string(),
            value: value.to_string(),
        }
    }

    /// The byte strings that betray it: the value itself, and the `Authorization: Basic`
    /// forms that would carry it as an admin token (`{email}/token:{value}` in base64).
    pub fn forms(&self, email: Option<&str>) -> Vec<Vec<u8>> {
        let mut v = vec![self.value.as_bytes().to_vec()];
        if let Some(email) = email {
            let raw = format!("{email}/token:{}", self.value);
            v.push(
                base64::engine::general_purpose::STANDARD
                    .encode(raw)
                    .into_bytes(),
            );
        }
        v
    }
}

/// True when `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The labels of the canaries found in `hay` (by value or, with `email`, as a Basic header).
pub fn found_in(hay: &[u8], canaries: &[Canary], email: Option<&str>) -> Vec<String> {
    canaries
        .iter()
        .filter(|c| c.forms(email).iter().any(|f| contains(hay, f)))
        .map(|c| c.label.clone())
        .collect()
}

/// Panics (naming `place` and the canaries' labels, never their values) if any is in `hay`.
pub fn assert_absent(place: &str, hay: &[u8], canaries: &[Canary], email: Option<&str>) {
    let found = found_in(hay, canaries, email);
    assert!(found.is_empty(), "secret(s) {found:?} found in {place}");
}

/// One pass over `/proc/*/cmdline`: how many processes were read, whether `pid` was among
/// them, and the labels of canaries seen on any process's argv.
pub struct Scan {
    pub processes: usize,
    pub saw_pid: bool,
    pub found: Vec<String>,
}

pub fn scan_cmdlines(canaries: &[Canary], pid: Option<u32>) -> Scan {
    let mut s = Scan {
        processes: 0,
        saw_pid: false,
        found: Vec::new(),
    };
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return s;
    };
    for e in dir.flatten() {
        let name = e.file_name();
        let Some(p) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        // A process may end between the listing and the read: skip it.
        let Ok(argv) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        s.processes += 1;
        if Some(p) == pid && !argv.is_empty() {
            s.saw_pid = true;
        }
        for l in found_in(&argv, canaries, None) {
            if !s.found.contains(&l) {
                s.found.push(l);
            }
        }
    }
    s
}

/// Scan every process's argv until `alive()` turns false (or `limit` passes); fail on any
/// canary. Returns how many passes saw `pid` alive (a test wants at least one).
pub fn watch_cmdlines(
    canaries: &[Canary],
    pid: u32,
    limit: Duration,
    alive: impl Fn() -> bool,
) -> usize {
    let started = std::time::Instant::now();
    let mut seen = 0;
    while alive() && started.elapsed() < limit {
        let s = scan_cmdlines(canaries, Some(pid));
        assert!(
            s.found.is_empty(),
            "secret(s) {:?} on a process's argv",
            s.found
        );
        assert!(s.processes > 0, "/proc is not readable");
        if s.saw_pid {
            seen += 1;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    seen
}
