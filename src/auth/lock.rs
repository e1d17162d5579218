//! The token store's lock: `flock` where there is one, else a lock file made with `create_new`.
use std::path::Path;
#[cfg(not(unix))]
use std::path::PathBuf;

use crate::zis::Error;

type Result<T> = std::result::Result<T, Error>;

/// An exclusive advisory lock on `path`, held until the value is dropped.
#[cfg(unix)]
pub(super) fn lock_file(path: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::config(format!("cannot open the lock {}: {e}", path.display())))?;
    loop {
        // SAFETY: flock takes a file descriptor we own (kept open by `f`) and an int flag.
        let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) };
        if rc == 0 {
            return Ok(f);
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(Error::config(format!(
                "cannot lock {}: {e}",
                path.display()
            )));
        }
    }
}

/// Elsewhere: a lock file made with `create_new`, removed on drop; one older than a minute is
/// taken to be left by a process that died.
#[cfg(not(unix))]
pub(super) fn lock_file(path: &Path) -> Result<LockFile> {
    let started = std::time::Instant::now();
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
        {
            Ok(_) => return Ok(LockFile(path.to_path_buf())),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let old = std::fs::metadata(path)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > std::time::Duration::from_secs(60));
                if old {
                    let _ = std::fs::remove_file(path);
                } else if started.elapsed() > std::time::Duration::from_secs(120) {
                    return Err(Error::config(format!("{} stays locked", path.display())));
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => {
                return Err(Error::config(format!(
                    "cannot lock {}: {e}",
                    path.display()
                )))
            }
        }
    }
}

#[cfg(not(unix))]
pub(super) struct LockFile(PathBuf);

#[cfg(not(unix))]
impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
