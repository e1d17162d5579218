//! The headless commands (being written).
use crate::args::{Command, GlobalArgs};

/// Run one headless command; returns the process exit code.
pub async fn run(_global: &GlobalArgs, _cmd: Command) -> i32 {
    eprintln!("zisctl: this command is not implemented yet");
    2
}
