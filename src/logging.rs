//! Logging to a file (never to the terminal). Level from `RUST_LOG` (default `info`).
//! zisctl never logs bodies or Authorization headers; the HTTP libraries' own trace output is
//! capped at `info` whatever `RUST_LOG` says, so no wire dump can reach the file either.
use std::path::{Path, PathBuf};

use tracing_subscriber::filter::{filter_fn, EnvFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Libraries whose debug and trace output could show wire data: never above `info`, whatever
/// `RUST_LOG` says (a second filter, so no directive, however specific, can lift it).
const CAPPED: &[&str] = &[
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "reqwest",
    "tower",
    "axum",
];

/// True when an event of this target and level may be written.
pub fn allowed(target: &str, level: &tracing::Level) -> bool {
    let capped = CAPPED.iter().any(|c| {
        target == *c
            || target
                .strip_prefix(c)
                .is_some_and(|rest| rest.starts_with("::"))
    });
    !(capped && *level > tracing::Level::INFO)
}

/// Install the file logger. Returns the path used, or None when no file could be opened (then
/// nothing is logged, never to the terminal; why is said in one line on stderr).
pub fn init(path: Option<&Path>) -> Option<PathBuf> {
    let path = path
        .map(Path::to_path_buf)
        .or_else(crate::files::default_log_path)?;
    // A regular file of the user's alone: a link, a device (`/dev/null`), a FIFO or another
    // user's file is refused, said once on stderr (before any screen is drawn), never chmod'ed.
    let file = match crate::files::open_private_append(&path, "log file") {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "zisctl: {}; nothing is logged",
                crate::sanitize::clean(&e.to_string())
            );
            return None;
        }
    };
    let env = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_filter(env)
        .with_filter(filter_fn(|m| allowed(m.target(), m.level())));
    let _ = tracing_subscriber::registry().with(layer).try_init();
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::allowed;
    use tracing::Level;

    #[test]
    fn http_crates_are_capped_at_info_whatever_the_directive() {
        assert!(!allowed("hyper_util::client::legacy", &Level::TRACE));
        assert!(!allowed("h2::codec", &Level::DEBUG));
        assert!(!allowed("rustls", &Level::TRACE));
        assert!(allowed("hyper_util::client", &Level::INFO));
        assert!(allowed("hyper_util::client", &Level::WARN));
        assert!(allowed("zisctl::zis::client", &Level::TRACE));
        assert!(allowed("h2o", &Level::TRACE), "a prefix is not a crate");
    }
}
