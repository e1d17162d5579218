//! OAuth connections (a ZIS token of the integration): shown and deleted by name at
//! `GET|DELETE /api/services/zis/connections/{integration}?name={name}` [live], made and
//! re-authorised by `POST /api/services/zis/connections/oauth/start/{integration}` [doc].
//!
//! The start flow answers a `redirect_url`:
//! - `authorization_code`: the sandbox's stand-in for the provider's consent page
//!   (`/_sandbox/provider/authorize`, in `provider`), whose Allow stores fresh tokens and sends
//!   the browser to `origin_oauth_redirect_url`;
//! - `client_credentials`: `GET /api/services/zis/connections/oauth/verify/{integration}?
//!   verification_code=…` [guess: the path], which the same ZIS token fetches to finish.
//!
//! The `?name=` show sends the tokens in clear, as Zendesk's documented examples do; nothing
//! here logs one, nor a query string (the flow tokens travel in them).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::auth::{authorize, Need};
use super::body::Body;
use super::oauth_clients::client_not_found;
use super::respond::{
    bad_path, conflict, connection_not_found, invalid_integration, json_response, validation_error,
    zis_error,
};
use crate::sandbox::control::Shared;
use crate::sandbox::store::{
    check_oauth_name, check_url, flow_deadline, format_ts_secs, FlowError, GrantType, Kind,
    PendingFlow,
};

/// `http://{Host}` of the request, for the absolute URLs the flow answers. A Host header that
/// is not a plain `host[:port]` is replaced by `127.0.0.1` (the sandbox is loopback only).
pub(super) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// The `{integration}` and `name` of a `?name=` request, once the token may do `need`.
fn named_target(
    shared: &Shared,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: &HeaderMap,
    need: Need,
) -> Result<(String, String), Response> {
    let integration = match path {
        Ok(Path(p)) => p,
        Err(e) => return Err(bad_path(e)),
    };
    authorize(shared, headers, &integration, need)?;
    let name = query
        .ok()
        .and_then(|Query(q)| q.get("name").cloned())
        .filter(|n| !n.is_empty());
    match name {
        Some(n) => Ok((integration, n)),
        None => Err(validation_error(vec![(
            "name".into(),
            "name is required: ?name={connection name}".into(),
        )])),
    }
}

/// `GET /api/services/zis/connections/{integration}?name=`: an OAuth connection only (another
/// kind of that name is "Connection does not exist") [live], wrapped in `"oauth"` or bare.
pub(super) async fn show_oauth_connection(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let (integration, name) = match named_target(&shared, path, query, &headers, Need::Read) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let bare = shared.control().shapes.oauth_connection_bare;
    let store = shared.store();
    match store.connection(&integration, &name) {
        Some(c) if c.kind() == Kind::OAuth => {
            let v = c.to_json(&integration);
            json_response(StatusCode::OK, if bare { v } else { json!({ "oauth": v }) })
        }
        _ => connection_not_found(),
    }
}

/// `DELETE /api/services/zis/connections/{integration}?name=` → 204 [guess]. The reserved
/// `zendesk` connection may be deleted too: the client is the one that guards it.
pub(super) async fn delete_oauth_connection(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let (integration, name) = match named_target(&shared, path, query, &headers, Need::Write) {
        Ok(t) => t,
        Err(r) => return r,
    };
    match shared.store().delete(&integration, Kind::OAuth, &name) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => connection_not_found(),
    }
}

/// A boolean field; `null` counts as absent.
fn flag(b: &mut Body, field: &str) -> Option<bool> {
    match b.map.remove(field) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(v)) => Some(v),
        Some(_) => {
            b.problem(field, format!("{field} must be true or false"));
            None
        }
    }
}

/// `POST /api/services/zis/connections/oauth/start/{integration}` `{"name"?,
/// "oauth_client_name" | "oauth_client_uuid", "grant_type"?, "permission_scopes"?,
/// "allow_offline_access"?, "origin_oauth_redirect_url", "oauth_url_subdomain"?}` →
/// `200 {"redirect_url"}`. Defaults [guess]: the connection is named after the client (as in
/// Zendesk's Slack tutorial, whose body has no name), the grant type and scopes are the
/// client's, no refresh token without `allow_offline_access`.
pub(super) async fn start_flow(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let integration = match path {
        Ok(Path(p)) => p,
        Err(e) => return bad_path(e),
    };
    let grant = match authorize(&shared, &headers, &integration, Need::Write) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let mut b = match Body::parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let name = b.string("name", false);
    let by_name = b.string("oauth_client_name", false);
    let by_uuid = b.string("oauth_client_uuid", false);
    let grant_type = b.string("grant_type", false);
    let scopes = b.string("permission_scopes", false);
    let offline = flag(&mut b, "allow_offline_access");
    let origin = b.string("origin_oauth_redirect_url", false);
    // [doc] Interpolated into the provider's URLs; the stand-in provider has none to fill.
    let _ = b.string("oauth_url_subdomain", false);
    if let Some(o) = &origin {
        if let Err(rule) = check_url("origin_oauth_redirect_url", o) {
            b.problem("origin_oauth_redirect_url", rule);
        }
    }
    let grant_type = match grant_type.as_deref().map(GrantType::parse) {
        None => None,
        Some(Some(g)) => Some(g),
        Some(None) => {
            b.problem(
                "grant_type",
                "grant_type must be authorization_code or client_credentials",
            );
            None
        }
    };
    if by_name.is_none() && by_uuid.is_none() && b.problems.is_empty() {
        b.problem(
            "oauth_client_name",
            "oauth_client_name or oauth_client_uuid is required",
        );
    }
    b.refuse_rest();
    if let Err(r) = b.finish() {
        return r;
    }

    let mut store = shared.store();
    let Some(integ) = store.integrations.get(&integration) else {
        return invalid_integration();
    };
    let client = integ.oauth_clients.values().find(|c| {
        by_uuid.as_deref().is_none_or(|u| c.uuid == u)
            && by_name.as_deref().is_none_or(|n| c.name == n)
    });
    // [guess] Both given and naming two clients: the client does not exist either way.
    let Some(client) = client else {
        return client_not_found();
    };
    let name = name.unwrap_or_else(|| client.name.clone());
    let grant_type = grant_type.unwrap_or(client.grant_type);
    let mut problems = Vec::new();
    if let Err(rule) = check_oauth_name("name", &name) {
        problems.push(("name".to_string(), rule));
    }
    if grant_type == GrantType::AuthorizationCode {
        if origin.is_none() {
            problems.push((
                "origin_oauth_redirect_url".into(),
                "origin_oauth_redirect_url is required for authorization_code".into(),
            ));
        }
        if client.auth_url.is_none() {
            problems.push((
                "oauth_client_name".into(),
                "the OAuth client has no auth_url, which authorization_code needs".into(),
            ));
        }
    }
    if !problems.is_empty() {
        return validation_error(problems);
    }
    if integ
        .connections
        .get(&name)
        .is_some_and(|c| c.kind() != Kind::OAuth)
    {
        return conflict();
    }
    let provider_client_id = client.client_id.clone();
    let flow = PendingFlow {
        integration: integration.clone(),
        name,
        client_uuid: client.uuid.clone(),
        grant: grant_type,
        scopes: scopes.unwrap_or_else(|| client.default_scopes.clone()),
        offline: offline.unwrap_or(false),
        origin,
        token_id: grant.id,
        user_id: grant.user_id,
        expires_at: flow_deadline(),
    };
    let scope = flow.scopes.clone();
    let Some(token) = store.start_flow(flow) else {
        return zis_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalServerError",
            "the OS random source failed",
        );
    };
    drop(store);
    let base = base_url(&headers);
    let redirect = match grant_type {
        GrantType::AuthorizationCode => with_query(
            &format!("{base}/_sandbox/provider/authorize"),
            &[
                ("response_type", "code"),
                ("client_id", &provider_client_id),
                (
                    "redirect_uri",
                    &format!("{base}/api/services/zis/connections/oauth/callback"),
                ),
                ("scope", &scope),
                ("state", &token),
            ],
        ),
        GrantType::ClientCredentials => with_query(
            &format!("{base}/api/services/zis/connections/oauth/verify/{integration}"),
            &[("verification_code", &token)],
        ),
    };
    json_response(StatusCode::OK, json!({ "redirect_url": redirect }))
}

fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut u = match url::Url::parse(base) {
        Ok(u) => u,
        Err(_) => return base.to_string(),
    };
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    u.to_string()
}

fn verification_unknown() -> Response {
    zis_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        "Verification code does not exist or has expired",
    )
}

/// `GET …/oauth/verify/{integration}?verification_code=`: finishes a client_credentials flow
/// when fetched with the ZIS token that started it [doc], storing the token; 200 with the
/// connection's name and new `token_expiry` (no secret). The code is good once.
pub(super) async fn verify_flow(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let integration = match path {
        Ok(Path(p)) => p,
        Err(e) => return bad_path(e),
    };
    let grant = match authorize(&shared, &headers, &integration, Need::Read) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Some(code) = query
        .ok()
        .and_then(|Query(q)| q.get("verification_code").cloned())
        .filter(|c| !c.is_empty())
    else {
        return validation_error(vec![(
            "verification_code".into(),
            "verification_code is required".into(),
        )]);
    };
    let mut store = shared.store();
    match store.peek_flow(&code) {
        Some(f) if f.integration == integration && f.grant == GrantType::ClientCredentials => {
            if f.token_id != grant.id {
                // [guess] Another token of the integration may not finish it.
                return zis_error(
                    StatusCode::FORBIDDEN,
                    "Forbidden",
                    "This verification code belongs to the ZIS token that started the flow",
                );
            }
        }
        _ => return verification_unknown(),
    }
    let Some(flow) = store.take_flow(&code) else {
        return verification_unknown();
    };
    match store.finish_flow(&flow) {
        Ok(done) => json_response(
            StatusCode::OK,
            json!({
                "status": "connected",
                "name": done.name,
                "created": done.created,
                "token_expiry": format_ts_secs(done.token_expiry),
            }),
        ),
        Err(FlowError::ClientGone) => client_not_found(),
        Err(FlowError::Conflict) => conflict(),
        Err(FlowError::NoIntegration) => invalid_integration(),
    }
}
