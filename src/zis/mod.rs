//! The ZIS API client: typed models, one method per endpoint, typed errors, retries with
//! Retry-After, token minting and caching. No terminal code; usable alone as a library: it
//! imports nothing of zisctl but `sanitize`, and tells a caller about its mutations through
//! the [`Journal`] it defines.
//!
//! - [`options`]: what a client is built from; [`client`]: the handle and its endpoints;
//!   `transport`: the wire, retries and pacing; [`parse`]: reading answers;
//!   [`validate`]: local rules (fields, base URL); [`models`], [`error`], [`journal`].
pub mod client;
pub mod error;
pub mod journal;
pub mod models;
pub mod options;
pub mod parse;
mod transport;
pub mod validate;

pub use client::{Client, TokenSource};
pub use error::{ClientEvent, Error, ErrorKind, Result};
pub use journal::{Journal, Mutation, Ticket};
pub use models::*;
pub use options::{AdminCredentials, ClientOptions};
