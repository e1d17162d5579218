//! Where zisctl keeps its local files (config, log, audit log), and how: directories 0700,
//! files 0600, written through a temp file and rename.
//!
//! Files zisctl appends to (the log, the audit log) are opened with [`open_private_append`]:
//! never through a symbolic link, only a regular file its user owns, and only that file's
//! mode is tightened. Files it reads (the config, the audit log) with [`open_regular_read`]:
//! a FIFO or a device is refused before a byte is read, so nothing blocks or reads forever.
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Overrides the audit log's place (tests, a shared machine).
pub const ENV_AUDIT_LOG: &str = "ZISCTL_AUDIT_LOG";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "zisctl")
}

/// The default config path: `config.toml` in the platform config directory.
pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

/// The platform data directory (logs, audit log).
pub fn data_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.data_dir().to_path_buf())
}

/// The default log file: `zisctl.log` in the platform data directory.
pub fn default_log_path() -> Option<PathBuf> {
    data_dir().map(|d| d.join("zisctl.log"))
}

/// Where sign-ins are kept: `auth/` in the data directory (the token index, the lock, and
/// the 0600 token file where no keyring answers).
pub fn auth_dir() -> Option<PathBuf> {
    data_dir().map(|d| d.join("auth"))
}

/// The audit log file: `ZISCTL_AUDIT_LOG`, else `audit.jsonl` in the data directory.
pub fn audit_log_path() -> Option<PathBuf> {
    std::env::var(ENV_AUDIT_LOG)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(PathBuf::from)
        .or_else(|| data_dir().map(|d| d.join("audit.jsonl")))
}

/// Create a directory (and parents) readable by its owner alone.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Write `data` to `path` atomically (temp file in the same directory, fsync, rename), 0600.
pub fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    if !dir.as_os_str().is_empty() {
        create_private_dir(dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let mut oo = std::fs::OpenOptions::new();
    oo.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        oo.mode(0o600);
    }
    let mut f = oo.open(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// The rule a file zisctl appends to must follow, as its refusals say it.
pub const PRIVATE_FILE_RULE: &str =
    "zisctl writes only to a regular file that you own, never through a symbolic link";

/// Open `path` for appending, creating it 0600 (and its directory 0700) if it is missing.
/// Refused, with an error naming `what`, the path and the rule: a symbolic link (the last
/// component is not followed), a FIFO, a device, a directory or any other special file, and a
/// file owned by another user. A FIFO never blocks the open. Only the file opened has its
/// group and other bits dropped.
pub fn open_private_append(path: &Path, what: &str) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("{what} {}: {e}", dir.display())))?;
    }
    let mut oo = std::fs::OpenOptions::new();
    oo.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NOFOLLOW: a link is refused (ELOOP), not followed; O_NONBLOCK: a FIFO with no
        // reader fails at once (ENXIO) instead of blocking.
        oo.mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = oo.open(path).map_err(|e| match special_file(path) {
        Some(kind) => refused(path, what, &format!("it is {kind}"), PRIVATE_FILE_RULE),
        None => io::Error::new(e.kind(), format!("{what} {}: {e}", path.display())),
    })?;
    let meta = f.metadata()?;
    if !meta.file_type().is_file() {
        let kind = describe(&meta.file_type());
        return Err(refused(
            path,
            what,
            &format!("it is {kind}"),
            PRIVATE_FILE_RULE,
        ));
    }
    check_owner(path, what, &meta, PRIVATE_FILE_RULE)?;
    set_blocking(&f);
    restrict_to_owner(&f);
    Ok(f)
}

/// Check, without opening it, that an existing `path` is one [`open_private_append`] would
/// take (a regular file of ours, not a link); a missing one is fine (it will be made 0600).
pub fn check_private_path(path: &Path, what: &str) -> io::Result<()> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(io::Error::new(
                e.kind(),
                format!("{what} {}: {e}", path.display()),
            ))
        }
    };
    if !meta.file_type().is_file() {
        let kind = describe(&meta.file_type());
        return Err(refused(
            path,
            what,
            &format!("it is {kind}"),
            PRIVATE_FILE_RULE,
        ));
    }
    check_owner(path, what, &meta, PRIVATE_FILE_RULE)
}

/// Open `path` for reading (following links: a config may be one), refusing anything but a
/// regular file: a FIFO or a device (`/dev/zero`) would block or never end.
pub fn open_regular_read(path: &Path, what: &str) -> io::Result<File> {
    let mut oo = std::fs::OpenOptions::new();
    oo.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        oo.custom_flags(libc::O_NONBLOCK);
    }
    let f = oo
        .open(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{what} {}: {e}", path.display())))?;
    let meta = f.metadata()?;
    if !meta.file_type().is_file() {
        let kind = describe(&meta.file_type());
        return Err(refused(
            path,
            what,
            &format!("it is {kind}"),
            "zisctl reads only a regular file",
        ));
    }
    set_blocking(&f);
    Ok(f)
}

/// Refuse a file whose owner is not this process's user: `chown` is named.
#[cfg(unix)]
pub fn check_owner(
    path: &Path,
    what: &str,
    meta: &std::fs::Metadata,
    rule: &str,
) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let me = current_uid();
    if meta.uid() != me {
        return Err(refused(
            path,
            what,
            &format!(
                "it is owned by uid {}, not by you (uid {me}); run `chown {me} {}` or use a \
                 file of your own",
                meta.uid(),
                path.display()
            ),
            rule,
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_owner(_: &Path, _: &str, _: &std::fs::Metadata, _: &str) -> io::Result<()> {
    Ok(())
}

/// This process's effective user id.
#[cfg(unix)]
pub fn current_uid() -> u32 {
    // SAFETY: geteuid takes no arguments and cannot fail.
    unsafe { libc::geteuid() }
}

fn refused(path: &Path, what: &str, why: &str, rule: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!("{what} {} refused: {why} ({rule})", path.display()),
    )
}

/// What sits at `path` when it is not a regular file (not following a link), if anything.
fn special_file(path: &Path) -> Option<&'static str> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let ft = meta.file_type();
    (!ft.is_file()).then(|| describe(&ft))
}

fn describe(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Clear the O_NONBLOCK the open used (it means nothing for a regular file; cleared anyway).
fn set_blocking(f: &File) {
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        let fd = f.as_raw_fd();
        // SAFETY: F_GETFL / F_SETFL on a descriptor this File owns; no pointers.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = f;
}

/// Make a new directory readable by its owner alone (0700) under the system's temp directory,
/// with a random name (`{prefix}-` and 16 hex digits): nothing planted at a predictable path
/// can be followed, and an existing name is never reused.
pub fn create_private_temp_dir(prefix: &str) -> io::Result<PathBuf> {
    use rand::Rng as _;
    let base = std::env::temp_dir();
    let mut last = None;
    for _ in 0..16 {
        let name = format!("{prefix}-{:016x}", rand::rng().random::<u64>());
        let dir = base.join(name);
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        // Not recursive: fails if anything (a link, a directory) is already there.
        match b.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free temp directory name")))
}

/// Drop the group and other bits of an open file that existed before (made by hand, by an
/// older version, with a loose umask): what zisctl appends to stays its owner's alone.
pub fn restrict_to_owner(f: &std::fs::File) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = f.metadata() {
            let mode = m.permissions().mode();
            if mode & 0o077 != 0 {
                let _ = f.set_permissions(std::fs::Permissions::from_mode(mode & 0o700));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = f;
}

/// Refuse core dumps of this process (they would hold every secret in memory).
pub fn disable_core_dumps() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_DUMPABLE, 0) takes no pointers and only changes this process's flag.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    #[cfg(unix)]
    // SAFETY: setrlimit reads the struct we pass by reference for the duration of the call.
    unsafe {
        let lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &lim);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 13 items 8 and 19: what an append refuses, and what it tightens.
    #[test]
    #[cfg(unix)]
    fn private_append_refuses_links_and_special_files() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("target");
        std::fs::write(&target, "x").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = open_private_append(&link, "log file")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("a symbolic link") && e.contains(PRIVATE_FILE_RULE),
            "{e}"
        );
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "the link's target was tightened");

        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = open_private_append(&fifo, "audit log")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a FIFO"), "{e}");
        let e = open_regular_read(&fifo, "config").unwrap_err().to_string();
        assert!(e.contains("a FIFO"), "{e}");
        let e = open_private_append(Path::new("/dev/null"), "log file")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a character device"), "{e}");
        let e = open_regular_read(Path::new("/dev/zero"), "config")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a character device"), "{e}");

        // A regular file of ours: opened, and tightened to 0600.
        open_private_append(&target, "log file").unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    #[cfg(unix)]
    fn private_temp_dirs_are_new_and_0700() {
        use std::os::unix::fs::PermissionsExt;
        let a = create_private_temp_dir("zisctl-test").unwrap();
        let b = create_private_temp_dir("zisctl-test").unwrap();
        assert_ne!(a, b);
        let mode = std::fs::metadata(&a).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        std::fs::remove_dir(&a).unwrap();
        std::fs::remove_dir(&b).unwrap();
    }

    #[test]
    #[cfg(unix)]
    fn private_write_is_0600_and_atomic() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub").join("f.json");
        write_private(&p, b"one").unwrap();
        write_private(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let dmode = std::fs::metadata(p.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dmode, 0o700);
    }
}
