//! Logging to a file (never to the terminal). Level from `RUST_LOG` (default `info`).
//! zisctl never logs bodies or Authorization headers; the HTTP libraries' own trace output is
//! capped at `info` whatever `RUST_LOG` says, so no wire dump can reach the file either.
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use tracing_subscriber::EnvFilter;

/// Libraries whose trace output could show wire data: capped, always.
const CAPPED: &[&str] = &[
    "hyper=info",
    "hyper_util=info",
    "h2=info",
    "rustls=info",
    "reqwest=info",
];

/// The default log file: `zisctl.log` in the platform data directory.
pub fn default_log_path() -> Option<PathBuf> {
    crate::config::data_dir().map(|d| d.join("zisctl.log"))
}

/// Install the file logger. Returns the path used, or None when no file could be opened (then
/// nothing is logged: never to the terminal).
pub fn init(path: Option<&Path>) -> Option<PathBuf> {
    let path = path.map(Path::to_path_buf).or_else(default_log_path)?;
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            crate::files::create_private_dir(dir).ok()?;
        }
    }
    let mut oo = OpenOptions::new();
    oo.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        oo.mode(0o600);
    }
    let file = oo.open(&path).ok()?;
    crate::files::restrict_to_owner(&file);
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    for d in CAPPED {
        if let Ok(d) = d.parse() {
            filter = filter.add_directive(d);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
    Some(path)
}
