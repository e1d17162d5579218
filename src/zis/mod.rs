//! The ZIS API client: typed models, one method per endpoint, typed errors, retries with
//! Retry-After, token minting and caching. No terminal code; usable alone as a library.
pub mod client;
pub mod error;
pub mod journal;
pub mod models;
pub mod validate;

pub use client::{AdminCredentials, Client, ClientOptions, TokenSource};
pub use error::{ClientEvent, Error, ErrorKind, Result};
pub use journal::Journal;
pub use models::*;
