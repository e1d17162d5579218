//! What the integration tests share. Each test binary declares `mod common;` and uses what
//! it needs:
//! - `pty`: the one pty harness (also included by `benches/tui_pty.rs`);
//! - `support`: the one client of the sandbox's test-support endpoints;
//! - `sandbox`: sandboxes to test against, async or on a runtime of their own;
//! - `cli_support`: the real binary run to its end against a sandbox, in a clean environment;
//! - `leak`: canary secrets, and where to look for them (argv of the child's process tree);
//! - `rawhttp`: a raw TCP server for the answers axum will not send;
//! - `screen`: views drawn into a `TestBackend`, for the snapshot tests.
pub mod cli_support;
pub mod leak;
pub mod pty;
pub mod rawhttp;
pub mod sandbox;
pub mod screen;
pub mod support;
