//! Routes and handlers: the ZIS endpoints of `ZIS_API.md`, the admin token endpoint, and the
//! sandbox-only `/_sandbox/...` test-support endpoints, one file per group:
//! `router` (the route table), `respond` (answer shapes), `auth` (API token, admin bearer and
//! ZIS token checks), `body` (request bodies), `registry`, `tokens` (minting, showing and
//! revoking OAuth tokens), `oauth` (`POST /oauth/tokens`), `consent` (the authorization
//! endpoint and its page), `users` (`users/me`), `connections`, `oauth_clients` (ZIS OAuth
//! clients), `oauth_connections` (show and delete by `?name=`, the start flow), `provider` (the
//! stand-in provider's consent page), `bundles` (bundles and job specs), `support`
//! (`/_sandbox/...`) and `target` (the stand-in target system of a rotation).
//!
//! Request bodies are parsed by hand from a JSON object so that every error names the field and
//! the rule, and so that secret values move straight from the parsed body into a
//! [`SecretString`](secrecy::SecretString). Nothing here logs a body, a query or a header.

// Helpers return `Result<_, Response>`: the error is the finished answer, handed straight back
// to axum once per request, so its size does not matter.
#![allow(clippy::result_large_err)]

mod auth;
mod body;
mod bundles;
mod connections;
mod consent;
mod oauth;
mod oauth_clients;
mod oauth_connections;
mod provider;
mod registry;
mod respond;
mod router;
mod support;
mod target;
mod tokens;
mod users;

pub(crate) use self::router::router;
