//! A ZIS-compatible HTTP server on loopback (being written on the `sandbox` branch).
use crate::args::SandboxArgs;

/// `zisctl sandbox`: serve until Ctrl-C; returns the exit code.
pub async fn run(_args: SandboxArgs) -> i32 {
    eprintln!("zisctl: sandbox is not implemented yet");
    2
}
