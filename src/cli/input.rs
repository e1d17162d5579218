//! Reading secrets (stdin, a masked prompt) and confirmations. A secret goes from the read
//! buffer (zeroised on drop) straight into a `SecretString`; no secret is ever on argv.
use std::io::{self, IsTerminal, Read, Write};
#[cfg(unix)]
use std::sync::atomic::{AtomicBool, Ordering};

use secrecy::SecretString;
use zeroize::{Zeroize, Zeroizing};

use super::CliError;
use crate::zis::validate;

/// The longest secret accepted on stdin, in bytes.
pub const MAX_SECRET_BYTES: usize = 64 * 1024;

pub fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

/// Read a secret from stdin: everything up to EOF, one trailing newline (`\n` or `\r\n`)
/// removed. Refuses empty input, more than [`MAX_SECRET_BYTES`], invalid UTF-8 and control
/// characters; the message names the field, never the value.
pub fn read_secret_stdin(field: &str) -> Result<SecretString, CliError> {
    let mut buf = Zeroizing::new(Vec::with_capacity(MAX_SECRET_BYTES + 64));
    io::stdin()
        .lock()
        .take(MAX_SECRET_BYTES as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::usage(format!("{field}: cannot read stdin ({e})")))?;
    secret_from_bytes(field, &buf, "stdin")
}

/// Turn raw bytes into a secret: trim one trailing newline, then check the rules.
pub fn secret_from_bytes(field: &str, bytes: &[u8], from: &str) -> Result<SecretString, CliError> {
    if bytes.len() > MAX_SECRET_BYTES {
        return Err(CliError::usage(format!(
            "{field} from {from} is longer than {MAX_SECRET_BYTES} bytes; nothing was sent"
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        CliError::usage(format!(
            "{field} from {from} is not UTF-8 text; nothing was sent"
        ))
    })?;
    let text = trim_one_newline(text);
    if text.is_empty() {
        return Err(CliError::usage(format!(
            "{field} from {from} is empty; nothing was sent"
        )));
    }
    validate::secret(field, text)
        .map_err(|e| CliError::usage(format!("{}; nothing was sent", e.message)))?;
    Ok(SecretString::from(text.to_string()))
}

/// Remove one trailing `\n` (or `\r\n`), nothing more: spaces and further newlines stay (and a
/// remaining newline is then refused as a control character).
pub fn trim_one_newline(s: &str) -> &str {
    s.strip_suffix("\r\n")
        .or_else(|| s.strip_suffix('\n'))
        .unwrap_or(s)
}

/// Ask for a secret on the terminal with echo off. `confirm` asks twice and refuses a mismatch.
pub fn prompt_secret(field: &str, confirm: bool) -> Result<SecretString, CliError> {
    let first = prompt_line(&format!("{field}: "))?;
    if confirm {
        let second = prompt_line(&format!("{field} (again): "))?;
        if first.as_slice() != second.as_slice() {
            return Err(CliError::usage(format!(
                "the two {field} entries differ; nothing was sent"
            )));
        }
    }
    secret_from_bytes(field, &first, "the prompt")
}

/// Ask a yes/no question on stderr and read the answer from the terminal. Only "y" or "yes"
/// (any case) is yes.
pub fn confirm(question: &str) -> Result<bool, CliError> {
    let mut err = io::stderr().lock();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    drop(err);
    let mut line = String::new();
    io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format!("cannot read the answer ({e})")))?;
    let a = line.trim().to_ascii_lowercase();
    Ok(a == "y" || a == "yes")
}

/// What a key typed at the masked prompt does.
#[derive(Debug, PartialEq, Eq)]
enum Key {
    Byte(u8),
    Enter,
    Erase,
    Kill,
    Cancel,
    Ignore,
}

/// Interpret the raw bytes of a masked prompt into the line typed (escape sequences such as
/// arrow keys are swallowed). Returns None when the user cancelled (Ctrl-C, or Ctrl-D on an
/// empty line). Used by the terminal reader and by tests.
struct LineEditor {
    buf: Zeroizing<Vec<u8>>,
    /// 0: normal; 1: after ESC; 2: inside a CSI / SS3 sequence.
    esc: u8,
}

impl LineEditor {
    fn new() -> LineEditor {
        LineEditor {
            buf: Zeroizing::new(Vec::with_capacity(256)),
            esc: 0,
        }
    }

    fn classify(&mut self, b: u8) -> Key {
        match self.esc {
            1 => {
                self.esc = if b == b'[' || b == b'O' { 2 } else { 0 };
                return Key::Ignore;
            }
            2 => {
                if (0x40..=0x7e).contains(&b) {
                    self.esc = 0;
                }
                return Key::Ignore;
            }
            _ => {}
        }
        match b {
            b'\r' | b'\n' => Key::Enter,
            0x03 => Key::Cancel,
            0x04 if self.buf.is_empty() => Key::Cancel,
            0x7f | 0x08 => Key::Erase,
            0x15 => Key::Kill,
            0x1b => {
                self.esc = 1;
                Key::Ignore
            }
            b if b < 0x20 => Key::Ignore,
            b => Key::Byte(b),
        }
    }

    /// Feed one byte; Some(true) = line done, Some(false) = cancelled, None = go on.
    fn feed(&mut self, b: u8) -> Option<bool> {
        match self.classify(b) {
            Key::Byte(b) => {
                if self.buf.len() < MAX_SECRET_BYTES {
                    self.buf.push(b);
                }
                None
            }
            Key::Enter => Some(true),
            Key::Cancel => Some(false),
            Key::Erase => {
                // Remove one UTF-8 character: continuation bytes, then its first byte.
                while let Some(last) = self.buf.pop() {
                    if last & 0xc0 != 0x80 {
                        break;
                    }
                }
                None
            }
            Key::Kill => {
                self.buf.clear();
                None
            }
            Key::Ignore => None,
        }
    }
}

/// Read one line from the terminal on stdin with echo and signals off.
#[cfg(unix)]
fn prompt_line(prompt: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    // Echo goes off before the prompt appears: whatever is typed (or pasted) as soon as the
    // prompt shows is neither echoed nor thrown away.
    let guard = RawMode::enable(libc::STDIN_FILENO)
        .map_err(|e| CliError::usage(format!("cannot turn terminal echo off ({e})")))?;
    let mut err = io::stderr().lock();
    let _ = write!(err, "{prompt}");
    let _ = err.flush();
    let mut ed = LineEditor::new();
    let done = loop {
        let mut b = [0u8; 1];
        // SAFETY: reads at most 1 byte into a live 1-byte buffer.
        let n = unsafe { libc::read(libc::STDIN_FILENO, b.as_mut_ptr().cast(), 1) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            break Err(e);
        }
        if n == 0 {
            break Ok(!ed.buf.is_empty());
        }
        let fed = ed.feed(b[0]);
        b.zeroize();
        if let Some(done) = fed {
            break Ok(done);
        }
    };
    drop(guard);
    let _ = writeln!(err);
    match done {
        Ok(true) => Ok(std::mem::replace(&mut ed.buf, Zeroizing::new(Vec::new()))),
        Ok(false) => Err(CliError::interrupted()),
        Err(e) => Err(CliError::usage(format!("cannot read the terminal ({e})"))),
    }
}

#[cfg(not(unix))]
fn prompt_line(_prompt: &str) -> Result<Zeroizing<Vec<u8>>, CliError> {
    Err(CliError::usage(
        "no masked prompt on this platform: use --password-stdin (or --api-key-stdin, --token-stdin)",
    ))
}

/// Terminal attributes with echo, canonical mode and signals off, restored on drop, and on
/// every signal that ends the program while they are on (see [`on_signal`]).
#[cfg(unix)]
struct RawMode {
    fd: libc::c_int,
    old: libc::termios,
    /// The actions the caught signals had before, put back on drop.
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

/// The signals that end the program, as `crate::signals` lists them (SIGINT, SIGTERM, SIGHUP,
/// SIGQUIT): the masked prompt restores the terminal on each.
#[cfg(unix)]
const PROMPT_SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// The attributes to put back from a signal handler: written before [`ARMED`] is set, read by
/// the handler only while it is.
#[cfg(unix)]
struct Saved(std::cell::UnsafeCell<std::mem::MaybeUninit<libc::termios>>);

// SAFETY: written only while ARMED is false (no handler reads it then), read only while it is
// true; the prompt runs on one thread at a time.
#[cfg(unix)]
unsafe impl Sync for Saved {}

#[cfg(unix)]
static SAVED: Saved = Saved(std::cell::UnsafeCell::new(std::mem::MaybeUninit::uninit()));
#[cfg(unix)]
static SAVED_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);
#[cfg(unix)]
static ARMED: AtomicBool = AtomicBool::new(false);

/// A signal (SIGTERM from `timeout`, SIGHUP from a dropped ssh session, SIGQUIT, a SIGINT
/// from outside: Ctrl-C itself is a key here) during the masked prompt: put the terminal
/// back (echo, canonical mode), end the line, and exit 128 + the signal's number, the code
/// `crate::signals` gives it. Nothing was sent: the prompt comes before any request. Only
/// async-signal-safe calls (tcsetattr, write, _exit).
#[cfg(unix)]
extern "C" fn on_signal(sig: libc::c_int) {
    if ARMED.load(Ordering::SeqCst) {
        let fd = SAVED_FD.load(Ordering::SeqCst);
        // SAFETY: SAVED was written before ARMED was set; tcsetattr and write are
        // async-signal-safe and read only the buffers passed.
        unsafe {
            libc::tcsetattr(fd, libc::TCSANOW, (*SAVED.0.get()).as_ptr());
            libc::write(libc::STDERR_FILENO, b"\n".as_ptr().cast(), 1);
        }
    }
    // SAFETY: _exit is async-signal-safe; nothing is left to flush at the prompt.
    unsafe { libc::_exit(128 + sig) }
}

#[cfg(unix)]
impl RawMode {
    fn enable(fd: libc::c_int) -> io::Result<RawMode> {
        // SAFETY: termios is a plain C struct; tcgetattr fills it.
        let mut old: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is a descriptor; `old` is a valid, writable termios.
        if unsafe { libc::tcgetattr(fd, &mut old) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // The handlers first, then raw mode: no signal can leave the terminal raw.
        ARMED.store(false, Ordering::SeqCst);
        // SAFETY: no handler reads SAVED while ARMED is false.
        unsafe { (*SAVED.0.get()).write(old) };
        SAVED_FD.store(fd, Ordering::SeqCst);
        ARMED.store(true, Ordering::SeqCst);
        let mut previous = Vec::new();
        for sig in PROMPT_SIGNALS {
            // SAFETY: sigaction structs are plain C structs; the handler is an extern "C" fn
            // that only makes async-signal-safe calls.
            unsafe {
                let mut act: libc::sigaction = std::mem::zeroed();
                act.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut act.sa_mask);
                let mut prev: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &act, &mut prev) == 0 {
                    previous.push((sig, prev));
                }
            }
        }
        let guard = RawMode { fd, old, previous };
        let mut raw = old;
        raw.c_lflag &= !(libc::ECHO | libc::ECHONL | libc::ICANON | libc::ISIG | libc::IEXTEN);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        // SAFETY: `raw` is a valid termios derived from the current one. TCSADRAIN, not
        // TCSAFLUSH: input typed ahead is kept.
        if unsafe { libc::tcsetattr(fd, libc::TCSADRAIN, &raw) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(guard)
    }
}

#[cfg(unix)]
impl Drop for RawMode {
    fn drop(&mut self) {
        // SAFETY: restores the attributes read in `enable`, then the signal actions that were
        // there before (a tokio handler, say), each as sigaction returned it.
        unsafe {
            libc::tcsetattr(self.fd, libc::TCSANOW, &self.old);
            ARMED.store(false, Ordering::SeqCst);
            for (sig, prev) in &self.previous {
                libc::sigaction(*sig, prev, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn one_trailing_newline_is_trimmed() {
        assert_eq!(trim_one_newline("pw\n"), "pw");
        assert_eq!(trim_one_newline("pw\r\n"), "pw");
        assert_eq!(trim_one_newline("pw\n\n"), "pw\n");
        assert_eq!(trim_one_newline(" pw "), " pw ");
        assert_eq!(trim_one_newline("pw"), "pw");
    }

    #[test]
    fn stdin_bytes_rules() {
        let s = secret_from_bytes("password", b"hunter2-canary\n", "stdin").unwrap();
        assert_eq!(s.expose_secret(), "hunter2-canary");
        for bad in [&b""[..], b"\n", b"\r\n", b"a\nb\n", b"two\n\n", b"\xff\xfe"] {
            let e = secret_from_bytes("password", bad, "stdin").err().unwrap();
            assert_eq!(e.code, 2);
            assert!(e
                .message
                .as_deref()
                .unwrap_or("")
                .contains("nothing was sent"));
        }
        let e = secret_from_bytes("password", b"secret-canary\x07", "stdin")
            .err()
            .unwrap();
        assert!(!e.message.unwrap_or_default().contains("secret-canary"));
        let big = vec![b'a'; MAX_SECRET_BYTES + 1];
        assert!(secret_from_bytes("password", &big, "stdin").is_err());
    }

    fn typed(bytes: &[u8]) -> (Option<bool>, Vec<u8>) {
        let mut ed = LineEditor::new();
        let mut done = None;
        for b in bytes {
            done = ed.feed(*b);
            if done.is_some() {
                break;
            }
        }
        (done, ed.buf.to_vec())
    }

    #[test]
    fn line_editor_keys() {
        assert_eq!(typed(b"abc\r"), (Some(true), b"abc".to_vec()));
        assert_eq!(typed(b"abx\x7fc\n"), (Some(true), b"abc".to_vec()));
        assert_eq!(typed(b"junk\x15ok\r"), (Some(true), b"ok".to_vec()));
        assert_eq!(typed(b"ab\x03"), (Some(false), b"ab".to_vec()));
        assert_eq!(typed(b"\x04"), (Some(false), vec![]));
        // Arrow keys and other escape sequences are swallowed.
        assert_eq!(typed(b"a\x1b[Db\x1bOAc\r"), (Some(true), b"abc".to_vec()));
        // Backspace removes a whole UTF-8 character.
        assert_eq!(typed("aé\x7f\r".as_bytes()), (Some(true), b"a".to_vec()));
        assert_eq!(typed(b"a\tb\r"), (Some(true), b"ab".to_vec()));
    }
}
