//! The terminal runtime (being written).
use crate::args::{DemoArgs, GlobalArgs};

/// Open the TUI with the configured account; returns the process exit code.
pub async fn run(_global: &GlobalArgs) -> i32 {
    eprintln!("zisctl: the terminal UI is not implemented yet");
    2
}

/// Start the sandbox in-process and open the TUI on it.
pub async fn run_demo(_global: &GlobalArgs, _args: DemoArgs) -> i32 {
    eprintln!("zisctl: demo is not implemented yet");
    2
}
