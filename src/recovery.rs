//! The recovery store: rotated passwords the TUI had to let go of before the admin saw them
//! (SIGHUP, SIGTERM, a confirmed Ctrl-C while one was applied or being applied, the terminal
//! gone), kept where only the admin can reach them: `recovery.json` in the data directory,
//! 0600 in a 0700 directory, rewritten atomically (temp file, fsync, rename) under a lock.
//! A rotation recipe's new password is kept here too before its first set at the target
//! (status `at_target`), and forgotten once ZIS holds it (applied and verified).
//! `zisctl rotate --recover` prints them and then forgets them.
//!
//! The file holds secrets, so its text is read into a zeroised buffer and every password
//! lives in a `SecretString`.
use std::io;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// The format's version, written in the file.
const VERSION: u32 = 1;

/// One kept password. Not `Debug`: it holds a secret.
#[derive(Clone)]
pub struct Kept {
    /// RFC 3339, UTC: when it was kept.
    pub kept_at: String,
    pub profile: String,
    /// The account's base URL.
    pub account: String,
    pub integration: String,
    pub name: String,
    pub password: SecretString,
    /// `applied`, `unknown` (sent, no answer), or `at_target` (a rotation recipe set it, or
    /// began to, at the target; ZIS does not hold it).
    pub status: String,
    pub verified: bool,
}

impl Kept {
    fn same(&self, other: &Kept) -> bool {
        self.kept_at == other.kept_at
            && self.account == other.account
            && self.integration == other.integration
            && self.name == other.name
            && self.password.expose_secret() == other.password.expose_secret()
    }

    /// The same password of the same connection of the same account, whenever it was kept.
    fn same_password(&self, other: &Kept) -> bool {
        self.account == other.account
            && self.integration == other.integration
            && self.name == other.name
            && self.password.expose_secret() == other.password.expose_secret()
    }
}

/// The status of a password a rotation recipe set (or began to set) at the target system and
/// ZIS does not hold.
pub const AT_TARGET: &str = "at_target";

/// The file's shape, as read.
#[derive(Deserialize)]
struct FileIn {
    #[allow(dead_code)]
    version: u32,
    kept: Vec<LineIn>,
}

#[derive(Deserialize)]
struct LineIn {
    kept_at: String,
    profile: String,
    account: String,
    integration: String,
    name: String,
    password: SecretString,
    status: String,
    verified: bool,
}

/// The file's shape, as written (the password borrowed, exposed only into the zeroised text).
#[derive(Serialize)]
struct FileOut<'a> {
    version: u32,
    kept: Vec<LineOut<'a>>,
}

#[derive(Serialize)]
struct LineOut<'a> {
    kept_at: &'a str,
    profile: &'a str,
    account: &'a str,
    integration: &'a str,
    name: &'a str,
    #[serde(serialize_with = "expose")]
    password: &'a SecretString,
    status: &'a str,
    verified: bool,
}

fn expose<S: serde::Serializer>(s: &&SecretString, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.expose_secret())
}

/// The store's place: `recovery.json` in the platform data directory.
pub fn path() -> Option<PathBuf> {
    crate::files::data_dir().map(|d| d.join("recovery.json"))
}

/// Every kept password (none when the file does not exist).
pub fn load(path: &Path) -> io::Result<Vec<Kept>> {
    let text = match std::fs::read(path) {
        Ok(t) => Zeroizing::new(t),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let file: FileIn = serde_json::from_slice(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a recovery file ({e})", path.display()),
        )
    })?;
    Ok(file
        .kept
        .into_iter()
        .map(|l| Kept {
            kept_at: l.kept_at,
            profile: l.profile,
            account: l.account,
            integration: l.integration,
            name: l.name,
            password: l.password,
            status: l.status,
            verified: l.verified,
        })
        .collect())
}

/// How many passwords are kept (0 when the file cannot be read).
pub fn count(path: &Path) -> usize {
    load(path).map_or(0, |k| k.len())
}

/// Add `more` to the store.
pub fn keep(path: &Path, more: &[Kept]) -> io::Result<()> {
    if more.is_empty() {
        return Ok(());
    }
    let _lock = Lock::take(path)?;
    let mut all = load(path)?;
    all.extend(more.iter().cloned());
    save(path, &all)
}

/// Add `more` to the store in place of any copy of the same password of the same connection
/// kept before (the TUI keeps a recipe's password before setting it at the target, then
/// again with what it knows when it must end).
pub fn keep_replacing(path: &Path, more: &[Kept]) -> io::Result<()> {
    if more.is_empty() {
        return Ok(());
    }
    let _lock = Lock::take(path)?;
    let mut all: Vec<Kept> = load(path)?
        .into_iter()
        .filter(|k| !more.iter().any(|m| m.same_password(k)))
        .collect();
    all.extend(more.iter().cloned());
    save(path, &all)
}

/// Remove every copy of these passwords of these connections, whenever kept (ZIS and the
/// target both hold them now). Others stay.
pub fn forget_passwords(path: &Path, gone: &[Kept]) -> io::Result<()> {
    if gone.is_empty() {
        return Ok(());
    }
    let _lock = Lock::take(path)?;
    let all = load(path)?;
    let before = all.len();
    let left: Vec<Kept> = all
        .into_iter()
        .filter(|k| !gone.iter().any(|g| g.same_password(k)))
        .collect();
    if left.len() == before {
        return Ok(());
    }
    if left.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    save(path, &left)
}

/// Remove `printed` from the store (the file goes once empty). Passwords kept meanwhile by
/// another process stay.
pub fn forget(path: &Path, printed: &[Kept]) -> io::Result<()> {
    let _lock = Lock::take(path)?;
    let all = load(path)?;
    let left: Vec<Kept> = all
        .into_iter()
        .filter(|k| !printed.iter().any(|p| p.same(k)))
        .collect();
    if left.is_empty() {
        return match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    save(path, &left)
}

fn save(path: &Path, all: &[Kept]) -> io::Result<()> {
    let file = FileOut {
        version: VERSION,
        kept: all
            .iter()
            .map(|k| LineOut {
                kept_at: &k.kept_at,
                profile: &k.profile,
                account: &k.account,
                integration: &k.integration,
                name: &k.name,
                password: &k.password,
                status: &k.status,
                verified: k.verified,
            })
            .collect(),
    };
    let text = Zeroizing::new(serde_json::to_vec_pretty(&file).map_err(io::Error::other)?);
    crate::files::write_private(path, &text)
}

/// An exclusive lock on `<store>.lock`, so that two processes never rewrite the store at once.
struct Lock {
    #[cfg(unix)]
    _file: std::fs::File,
}

impl Lock {
    fn take(path: &Path) -> io::Result<Lock> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            use std::os::unix::io::AsRawFd;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                crate::files::create_private_dir(dir)?;
            }
            let mut lock = path.as_os_str().to_owned();
            lock.push(".lock");
            let f = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .mode(0o600)
                .open(PathBuf::from(lock))?;
            // SAFETY: flock takes an open descriptor we own and no memory.
            if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Lock { _file: f })
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            Ok(Lock {})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(name: &str, pw: &str) -> Kept {
        Kept {
            kept_at: "2026-01-01T00:00:00Z".into(),
            profile: "default".into(),
            account: "https://acme.zendesk.com".into(),
            integration: "acme".into(),
            name: name.into(),
            password: SecretString::from(pw.to_string()),
            status: "applied".into(),
            verified: true,
        }
    }

    #[test]
    fn kept_then_forgotten_and_private() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("data").join("recovery.json");
        assert_eq!(count(&p), 0);
        keep(&p, &[kept("a", "pw-one-canary")]).unwrap();
        keep(&p, &[kept("b", "pw-two-canary")]).unwrap();
        let all = load(&p).unwrap();
        assert_eq!(all.len(), 2);
        assert!(all[1].password.expose_secret() == "pw-two-canary");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        forget(&p, &all[..1]).unwrap();
        let left = load(&p).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].name, "b");
        forget(&p, &left).unwrap();
        assert!(!p.exists(), "an empty store is removed");
    }

    #[test]
    fn a_password_kept_again_replaces_its_copy_and_goes_once_both_sides_hold_it() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("recovery.json");
        let mut held = kept("a", "pw-held-canary");
        held.status = AT_TARGET.into();
        held.verified = false;
        keep(&p, &[held.clone(), kept("b", "pw-other-canary")]).unwrap();
        let mut later = kept("a", "pw-held-canary");
        later.kept_at = "2026-01-01T00:05:00Z".into();
        later.status = "unknown".into();
        keep_replacing(&p, &[later]).unwrap();
        let all = load(&p).unwrap();
        assert_eq!(all.len(), 2, "replaced, not added");
        assert_eq!(
            crate::app::AT_TARGET,
            AT_TARGET,
            "the TUI writes this status"
        );
        let a = all.iter().find(|k| k.name == "a").unwrap();
        assert_eq!(a.status, "unknown");
        // Another password of the same connection is another entry.
        forget_passwords(&p, &[kept("a", "another-canary")]).unwrap();
        assert_eq!(load(&p).unwrap().len(), 2);
        forget_passwords(&p, &[held]).unwrap();
        let left = load(&p).unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].name, "b");
    }

    #[test]
    fn a_broken_file_is_an_error_not_an_empty_store() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("recovery.json");
        std::fs::write(&p, "not json").unwrap();
        assert!(load(&p).is_err());
        assert!(
            keep(&p, &[kept("a", "x-canary")]).is_err(),
            "never overwritten"
        );
    }
}
