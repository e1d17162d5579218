//! Canary secrets and the places they must never reach: finding them without ever printing
//! them. Every check answers with the canary's *label* (e.g. "basic_auth password"), never
//! its value, so a failing assertion cannot leak the secret into the test output either.
#![allow(dead_code)]

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

/// `root` and every process descended from it, as they are now: children found through
/// `/proc/PID/task/*/children` where the kernel has it, else through every process's parent
/// (`/proc/*/stat`).
pub fn process_tree(root: u32) -> Vec<u32> {
    let mut tree = vec![root];
    if std::path::Path::new("/proc/thread-self/children").exists() {
        let mut i = 0;
        while i < tree.len() {
            let pid = tree[i];
            i += 1;
            let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
                continue;
            };
            for t in tasks.flatten() {
                let kids = std::fs::read_to_string(t.path().join("children")).unwrap_or_default();
                for k in kids.split_whitespace().filter_map(|k| k.parse().ok()) {
                    if !tree.contains(&k) {
                        tree.push(k);
                    }
                }
            }
        }
        return tree;
    }
    // (pid, parent) of every process.
    let mut parents = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            // A process may end between the listing and the read: skip it.
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses.
            let ppid = stat
                .rfind(')')
                .and_then(|i| stat[i + 1..].split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parents.push((pid, ppid));
            }
        }
    }
    let mut i = 0;
    while i < tree.len() {
        let pid = tree[i];
        i += 1;
        for &(k, _) in parents.iter().filter(|(_, p)| *p == pid) {
            if !tree.contains(&k) {
                tree.push(k);
            }
        }
    }
    tree
}

/// One pass over the argv (`/proc/PID/cmdline`) of `root` and its descendants: how many were
/// read, whether `root`'s was, and the labels of the canaries seen on any of them. Other
/// processes of the machine are not looked at: a developer's shell that happens to carry a
/// canary (the demo's admin token) is none of the test's business.
pub struct Scan {
    pub processes: usize,
    pub saw_pid: bool,
    pub found: Vec<String>,
}

pub fn scan_tree(canaries: &[Canary], root: u32) -> Scan {
    let mut s = Scan {
        processes: 0,
        saw_pid: false,
        found: Vec::new(),
    };
    for p in process_tree(root) {
        // A process may end between the listing and the read: skip it.
        let Ok(argv) = std::fs::read(format!("/proc/{p}/cmdline")) else {
            continue;
        };
        s.processes += 1;
        if p == root && !argv.is_empty() {
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
