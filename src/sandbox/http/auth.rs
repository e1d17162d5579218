//! Authentication: the demo admin's basic auth, bearer tokens, and the checks every
//! connections request passes (token, integration, client, scope).

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use secrecy::SecretString;

use super::respond::{invalid_credentials, invalid_integration, plain, zis_error};
use crate::sandbox::control::Shared;
use crate::sandbox::store::{secret_eq, Grant};
use crate::sandbox::{ADMIN_EMAIL, ADMIN_TOKEN};

/// `Authorization: Basic base64("{email}/token:{api_token}")` with the demo admin's credentials.
pub(super) fn is_admin(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, b64)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return false;
    };
    let Some((user, token)) = decoded.split_once(':') else {
        return false;
    };
    let Some(email) = user.strip_suffix("/token") else {
        return false;
    };
    email.eq_ignore_ascii_case(ADMIN_EMAIL) && secret_eq(&SecretString::from(ADMIN_TOKEN), token)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

#[derive(PartialEq, Eq, Clone, Copy)]
pub(super) enum Need {
    Read,
    Write,
}

/// Checks a connections request, in this order [guess]: a known bearer token (else 401
/// InvalidCredentials), a known integration (else 400 InvalidIntegration), the token's client
/// belongs to that integration (else 401 plain text "Authorization failed due to integration
/// mismatch"), the write scope for POST/PATCH/DELETE (else 403 Forbidden).
pub(super) fn authorize(
    shared: &Shared,
    headers: &HeaderMap,
    integration: &str,
    need: Need,
) -> Result<Grant, Response> {
    let store = shared.store();
    let grant = bearer(headers)
        .and_then(|t| store.tokens.get(t))
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
    // [guess] A token with "write" may also read; one with neither "read" nor "write" may not.
    let allowed = match need {
        Need::Write => grant.can_write(),
        Need::Read => grant.can_write() || grant.scopes.iter().any(|s| s == "read"),
    };
    if !allowed {
        let title = if need == Need::Write {
            "Cannot access this resource. Missing scope write"
        } else {
            "Cannot access this resource. Missing scope read"
        };
        return Err(zis_error(StatusCode::FORBIDDEN, "Forbidden", title));
    }
    Ok(grant)
}
