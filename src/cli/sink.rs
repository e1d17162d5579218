//! Stdout for secrets the user must not lose: every write is flushed and checked, a regular
//! file is synced to disk, and on Linux a pipe is watched until its reader has taken the
//! bytes (or has gone away). A command that prints a new password before it sends it
//! (`rotate`, `--generate`) sends nothing until [`Stdout::delivered`] says the password left.
//!
//! What cannot be known: a reader that takes the bytes and throws them away (`head -n 1`
//! reads a whole buffer and prints one line) looks the same as one that keeps them.
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Where stdout goes, as far as delivery is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A regular file: synced after each write, so that a full disk is seen now.
    File,
    /// A pipe or FIFO: its reader must take the bytes.
    Pipe,
    /// A terminal, a socket, a device: a checked write is all there is.
    Other,
}

/// Checked writes to the process's stdout. Clones share the count of bytes written.
#[derive(Debug, Clone)]
pub struct Stdout {
    kind: Kind,
    /// Bytes written through this handle (and its clones) so far.
    written: Arc<AtomicU64>,
}

impl Stdout {
    pub fn new() -> Stdout {
        Stdout {
            kind: kind_of_fd1(),
            written: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Bytes written so far: right after a write, where that write ends.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::SeqCst)
    }

    /// Write all of `text` and flush it; `durable`: for a regular file, sync it to disk too.
    /// An error (a full disk, a closed pipe: Rust ignores SIGPIPE, so it is `BrokenPipe`
    /// here, not a silent death) means the text may not have been kept.
    pub fn write(&self, text: &str, durable: bool) -> io::Result<()> {
        let mut out = io::stdout().lock();
        let result = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        // Counted even when the write fails: some of it may be in the pipe.
        self.written.fetch_add(text.len() as u64, Ordering::SeqCst);
        result?;
        if durable && self.kind == Kind::File {
            sync_fd1()?;
        }
        Ok(())
    }

    /// Wait until the first `upto` bytes written have left: for a pipe, until its reader has
    /// read them (an error when it went away before). Cancel-safe (it only looks).
    pub async fn delivered(&self, upto: u64) -> io::Result<()> {
        if self.kind != Kind::Pipe {
            return Ok(());
        }
        let mut wait = Duration::from_millis(1);
        loop {
            // Read the count first: bytes written after it only make `taken` smaller.
            let total = self.written();
            let gone = reader_gone();
            match unread() {
                None => return Ok(()),
                Some(n) if total.saturating_sub(n) >= upto => return Ok(()),
                Some(_) if gone => {
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "the program reading stdout exited before it read the password",
                    ))
                }
                Some(_) => {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_millis(50));
                }
            }
        }
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Stdout::new()
    }
}

#[cfg(unix)]
fn kind_of_fd1() -> Kind {
    // SAFETY: fstat writes into the stat buffer we own; fd 1 may be closed (then it fails).
    let mode = unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(1, &mut st) != 0 {
            return Kind::Other;
        }
        st.st_mode & libc::S_IFMT
    };
    match mode {
        libc::S_IFREG => Kind::File,
        // Only Linux says how many bytes wait in a pipe from its write end.
        libc::S_IFIFO if cfg!(target_os = "linux") => Kind::Pipe,
        _ => Kind::Other,
    }
}

#[cfg(not(unix))]
fn kind_of_fd1() -> Kind {
    Kind::Other
}

#[cfg(unix)]
fn sync_fd1() -> io::Result<()> {
    // SAFETY: fdatasync takes a descriptor and no memory.
    let r = unsafe { libc::fdatasync(1) };
    let e = io::Error::last_os_error();
    // EINVAL: a file that cannot be synced (some special file systems); the write was checked.
    if r == 0 || e.raw_os_error() == Some(libc::EINVAL) {
        Ok(())
    } else {
        Err(e)
    }
}

#[cfg(not(unix))]
fn sync_fd1() -> io::Result<()> {
    Ok(())
}

/// No process has the pipe on stdout open for reading any more (its write end polls POLLERR).
#[cfg(target_os = "linux")]
fn reader_gone() -> bool {
    let mut pfd = libc::pollfd {
        fd: 1,
        events: 0,
        revents: 0,
    };
    // SAFETY: poll reads and writes the one pollfd we own, with a zero timeout.
    let n = unsafe { libc::poll(&mut pfd, 1, 0) };
    n > 0 && pfd.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0
}

/// Bytes waiting in the pipe on stdout (None: unknown).
#[cfg(target_os = "linux")]
fn unread() -> Option<u64> {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int, which we own.
    let r = unsafe { libc::ioctl(1, libc::FIONREAD, &mut n) };
    (r == 0).then_some(n.max(0) as u64)
}

#[cfg(not(target_os = "linux"))]
fn reader_gone() -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
fn unread() -> Option<u64> {
    None
}
