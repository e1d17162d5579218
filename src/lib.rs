//! zisctl: a terminal app and CLI for Zendesk Integration Services (ZIS) connections.
//!
//! Layout (see README and DESIGN.md):
//! - [`zis`]: the typed async API client. No terminal code; usable alone.
//! - [`sandbox`]: a ZIS-compatible HTTP server on loopback (demo and test backend).
//!   It does not import [`zis`]: it is written from the API contract independently.
//! - [`app`]: TUI state and the pure `update(state, action) -> effects`.
//! - [`ui`]: `view(&state, frame)`.
//! - [`worker`]: runs effects on tokio tasks and sends results back as actions.
//! - [`tui`]: the terminal runtime (event loop, panic hook, signals).
//! - [`cli`]: headless commands.
//! - [`auth`]: signing in (the token store, the OAuth login) around the client's session.
//! - [`config`]: profiles, credential sources, file-permission checks.
//! - [`exit`]: the exit codes derived from an error.
//! - [`usage`]: who uses which connection (bundles → connections), pure like [`audit`].
pub mod app;
pub mod args;
pub mod audit;
pub mod auditlog;
pub mod auth;
pub mod cli;
pub mod config;
pub mod exit;
pub mod files;
pub mod logging;
pub mod recovery;
pub mod rotation;
pub mod sandbox;
pub mod sanitize;
pub mod secret;
pub mod signals;
pub mod tui;
pub mod ui;
pub mod usage;
pub mod worker;
pub mod zis;
