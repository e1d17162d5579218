//! Where zisctl keeps its local files (config, log, audit log), and how: directories 0700,
//! files 0600, written through a temp file and rename.
use std::io::Write;
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
