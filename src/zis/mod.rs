//! The ZIS API client: typed models, one method per endpoint, typed errors, retries with
//! Retry-After, token minting and caching. No terminal code; usable alone as a library: it
//! imports nothing of zisctl but `sanitize`, and tells a caller about its mutations through
//! the [`Journal`] it defines.
//!
//! - [`options`]: what a client is built from; [`client`]: the handle and its endpoints;
//!   `transport`: the wire, retries and pacing; [`parse`]: reading answers;
//!   [`validate`]: local rules (fields, base URL); [`models`], [`error`], [`journal`];
//!   [`oauth_clients`]: the OAuth endpoints of ZIS (OAuth clients, an OAuth connection's own
//!   routes, the OAuth flow), with [`oauth_models`], [`oauth_parse`] and [`oauth_validate`].
//! - Signing in: [`oauth`]: the OAuth endpoints (the three grants, `users/me`, token show
//!   and revoke); [`session`]: the admin session (renewals, one at a time, across processes
//!   through the store's lock); [`minted`]: ZIS tokens kept by their `expires_at`;
//!   [`store`]: the [`TokenStore`] a caller plugs in to keep tokens between runs.
pub mod client;
pub mod error;
pub mod journal;
pub mod minted;
pub mod models;
pub mod oauth;
pub mod oauth_clients;
pub mod oauth_models;
pub mod oauth_parse;
pub mod oauth_validate;
pub mod options;
pub mod parse;
pub mod session;
pub mod store;
mod transport;
pub mod validate;

pub use client::{Client, TokenSource};
pub use error::{ClientEvent, Error, ErrorKind, Result};
pub use journal::{Journal, Mutation, Ticket};
pub use models::*;
pub use oauth::{OAuthApp, TokenInfo, User};
pub use oauth_models::*;
pub use options::{AdminCredentials, ClientOptions};
pub use session::{SessionInfo, SignOut};
pub use store::{AdminTokens, StoreLock, TokenStore, ZisToken};
