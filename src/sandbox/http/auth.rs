//! Authentication: the demo admin's basic auth (an API token), admin OAuth `Bearer` tokens,
//! ZIS tokens, and the checks every connections request passes (token, integration, client,
//! scope).

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use secrecy::SecretString;
use serde_json::json;

use super::respond::{invalid_credentials, invalid_integration, json_response, plain, zis_error};
use crate::sandbox::control::Shared;
use crate::sandbox::store::{secret_eq, Grant, Store, User};
use crate::sandbox::{ADMIN_EMAIL, ADMIN_TOKEN};

fn authorization(headers: &HeaderMap) -> Option<(&str, &str)> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())?;
    let (scheme, rest) = value.trim().split_once(' ')?;
    Some((scheme, rest.trim()))
}

/// What a `Basic` header holds, decoded: `(user, password)`.
pub(super) fn basic_pair(headers: &HeaderMap) -> Option<(String, SecretString)> {
    let (scheme, b64) = authorization(headers)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_string(), SecretString::from(password.to_string())))
}

/// `Authorization: Basic base64("{email}/token:{api_token}")` with the demo admin's credentials.
fn is_api_token_admin(headers: &HeaderMap) -> bool {
    let Some((user, token)) = basic_pair(headers) else {
        return false;
    };
    let Some(email) = user.strip_suffix("/token") else {
        return false;
    };
    use secrecy::ExposeSecret as _;
    email.eq_ignore_ascii_case(ADMIN_EMAIL)
        && secret_eq(&SecretString::from(ADMIN_TOKEN), token.expose_secret())
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let (scheme, token) = authorization(headers)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    (!token.is_empty()).then_some(token)
}

/// Who made a Support-API-side call (registry, minting, users/me, token show and revoke).
#[derive(Debug, Clone)]
pub(super) enum Caller {
    /// The demo admin's API token (basic auth).
    ApiToken,
    /// An admin-side OAuth access token from `/oauth/tokens`.
    OAuth {
        token_id: u64,
        user: User,
        scopes: Vec<String>,
    },
    /// A ZIS token minted for an integration's client.
    Zis {
        token_id: u64,
        user_id: u64,
        client_id: u64,
        scopes: Vec<String>,
    },
}

impl Caller {
    pub(super) fn user_id(&self) -> u64 {
        match self {
            Caller::ApiToken => User::Admin.id(),
            Caller::OAuth { user, .. } => user.id(),
            Caller::Zis { user_id, .. } => *user_id,
        }
    }

    /// May show and revoke every token of the account: the admin, by API token or OAuth.
    /// A ZIS token and an agent's token reach only themselves.
    pub(super) fn manages_tokens(&self) -> bool {
        match self {
            Caller::ApiToken => true,
            Caller::OAuth { user, .. } => *user == User::Admin,
            Caller::Zis { .. } => false,
        }
    }

    /// The OAuth token that made the call, if one did.
    pub(super) fn token_id(&self) -> Option<u64> {
        match self {
            Caller::ApiToken => None,
            Caller::OAuth { token_id, .. } | Caller::Zis { token_id, .. } => Some(*token_id),
        }
    }
}

/// Why no caller could be named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AuthFailure {
    /// No credentials, or basic credentials that are wrong: each endpoint answers its own 401.
    Missing,
    /// An API token while the "refuse API tokens" switch is on (as after 2027-04-30).
    ApiTokensRefused,
    /// A bearer token that is unknown, expired or revoked.
    InvalidToken,
}

impl AuthFailure {
    /// The answer, with `missing` for [`AuthFailure::Missing`].
    pub(super) fn respond(self, missing: fn() -> Response) -> Response {
        match self {
            AuthFailure::Missing => missing(),
            AuthFailure::ApiTokensRefused => {
                plain(StatusCode::UNAUTHORIZED, "Couldn't authenticate you")
            }
            AuthFailure::InvalidToken => invalid_token(),
        }
    }
}

/// Doorkeeper's answer to a bad bearer token (what Zendesk sends).
pub(super) fn invalid_token() -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        json!({
            "error": "invalid_token",
            "error_description": "The access token provided is expired, revoked, malformed or invalid for other reasons.",
        }),
    )
}

/// Zendesk Support API's 401.
pub(super) fn support_unauthorized() -> Response {
    json_response(
        StatusCode::UNAUTHORIZED,
        json!({"error": "Couldn't authenticate you"}),
    )
}

/// Zendesk Support API's 403. [guess] The wording, for a role or a scope that falls short.
pub(super) fn forbidden(description: &str) -> Response {
    json_response(
        StatusCode::FORBIDDEN,
        json!({"error": "Forbidden", "description": description}),
    )
}

/// Names the caller of a Support-API-side request.
pub(super) fn authenticate(store: &mut Store, headers: &HeaderMap) -> Result<Caller, AuthFailure> {
    if let Some(token) = bearer(headers) {
        if let Some(t) = store.oauth.access_token(token) {
            return Ok(Caller::OAuth {
                token_id: t.id,
                user: t.user,
                scopes: t.scopes,
            });
        }
        if let Some(g) = store.tokens.live(token) {
            return Ok(Caller::Zis {
                token_id: g.id,
                user_id: g.user_id,
                client_id: g.client_id,
                scopes: g.scopes.clone(),
            });
        }
        return Err(AuthFailure::InvalidToken);
    }
    if let Some((user, _)) = basic_pair(headers) {
        // [guess] Only API-token basic auth (`{email}/token`) is refused by the switch;
        // Zendesk turned password basic auth off before, so it never worked here.
        if store.oauth.settings.refuse_api_tokens && user.ends_with("/token") {
            return Err(AuthFailure::ApiTokensRefused);
        }
        if is_api_token_admin(headers) {
            return Ok(Caller::ApiToken);
        }
    }
    Err(AuthFailure::Missing)
}

/// An admin call: the demo admin's API token, or an admin's OAuth token with the scope `need`
/// asks for. A ZIS token is refused with 403 [guess: it belongs to an integration's client].
/// `missing` answers a call with no (or wrong basic) credentials.
pub(super) fn require_admin(
    shared: &Shared,
    headers: &HeaderMap,
    need: Need,
    missing: fn() -> Response,
) -> Result<Caller, Response> {
    let caller = authenticate(&mut shared.store(), headers).map_err(|f| f.respond(missing))?;
    if let Caller::Zis { .. } = caller {
        return Err(forbidden(
            "A ZIS token belongs to an integration's OAuth client; this needs an admin's token",
        ));
    }
    check_admin(&caller, need)?;
    Ok(caller)
}

/// The admin checks of [`require_admin`]: an admin's OAuth token needs the scope.
fn check_admin(caller: &Caller, need: Need) -> Result<(), Response> {
    if let Caller::OAuth { user, scopes, .. } = caller {
        if *user != User::Admin {
            return Err(forbidden("You do not have access to this page. Please contact the account owner of this help desk for further help."));
        }
        if !scopes_allow(scopes, need) {
            return Err(forbidden(if need == Need::Write {
                "You are missing the following required scopes: write"
            } else {
                "You are missing the following required scopes: read"
            }));
        }
    }
    Ok(())
}

/// A registry read of one integration (bundles, job specs): basic auth or an API token, an
/// admin's OAuth token, or a ZIS token of that integration [doc]. A ZIS token of another
/// integration gets the plain-text mismatch 401 [live, for connections; guess here];
/// `missing` answers a call without credentials, `unknown` an integration that does not exist.
pub(super) fn require_registry_reader(
    shared: &Shared,
    headers: &HeaderMap,
    integration: &str,
    missing: fn() -> Response,
    unknown: impl Fn() -> Response,
) -> Result<Caller, Response> {
    let mut store = shared.store();
    let caller = authenticate(&mut store, headers).map_err(|f| f.respond(missing))?;
    check_admin(&caller, Need::Read)?;
    let integ = store.integrations.get(integration).ok_or_else(unknown)?;
    if let Caller::Zis {
        client_id, scopes, ..
    } = &caller
    {
        if *client_id != integ.client_id {
            return Err(plain(
                StatusCode::UNAUTHORIZED,
                "Authorization failed due to integration mismatch",
            ));
        }
        if !scopes_allow(scopes, Need::Read) {
            return Err(forbidden(
                "You are missing the following required scopes: read",
            ));
        }
    }
    Ok(caller)
}

#[derive(PartialEq, Eq, Clone, Copy)]
pub(super) enum Need {
    Read,
    Write,
}

/// [guess] `write` may also read; neither `read` nor `write` may do nothing here.
fn scopes_allow(scopes: &[String], need: Need) -> bool {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    match need {
        Need::Write => has("write"),
        Need::Read => has("write") || has("read"),
    }
}

/// Checks a connections request, in this order [guess]: a known, live bearer token (else 401
/// InvalidCredentials; an expired ZIS token is refused alike), a known integration (else 400
/// InvalidIntegration), the token's client belongs to that integration (else 401 plain text
/// "Authorization failed due to integration mismatch"), the write scope for POST/PATCH/DELETE
/// (else 403 Forbidden).
pub(super) fn authorize(
    shared: &Shared,
    headers: &HeaderMap,
    integration: &str,
    need: Need,
) -> Result<Grant, Response> {
    let mut store = shared.store();
    let grant = bearer(headers)
        .and_then(|t| store.tokens.live(t))
        .cloned()
        .ok_or_else(invalid_credentials)?;
    let integ = store
        .integrations
        .get(integration)
        .ok_or_else(invalid_integration)?;
    if grant.client_id != integ.client_id {
        return Err(plain(
            StatusCode::UNAUTHORIZED,
            "Authorization failed due to integration mismatch",
        ));
    }
    if !scopes_allow(&grant.scopes, need) {
        let title = if need == Need::Write {
            "Cannot access this resource. Missing scope write"
        } else {
            "Cannot access this resource. Missing scope read"
        };
        return Err(zis_error(StatusCode::FORBIDDEN, "Forbidden", title));
    }
    Ok(grant)
}
