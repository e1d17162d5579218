//! `/api/v2/oauth/tokens` (the admin's API token or OAuth bearer): minting an access token for
//! an integration's OAuth client, and showing and revoking OAuth tokens (`current.json`,
//! `{id}.json`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::auth::{authenticate, require_admin, support_unauthorized, Caller, Need};
use super::respond::json_response;
use crate::sandbox::control::Shared;
use crate::sandbox::store::{format_ts, Store};

/// Zendesk Support API's validation error shape. [guess] for this endpoint.
fn record_invalid(field: &str, description: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": { field: [{"description": description}] },
        }),
    )
}

fn not_found() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({"error": "RecordNotFound", "description": "Not found"}),
    )
}

fn host(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

pub(super) async fn mint_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let caller = match require_admin(&shared, &headers, Need::Write, support_unauthorized) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(Value::Object(root)) = serde_json::from_slice::<Value>(&body) else {
        return record_invalid("token", "body must be a JSON object {\"token\": {...}}");
    };
    let Some(Value::Object(tok)) = root.get("token") else {
        return record_invalid("token", "token is required and must be an object");
    };
    // [guess] A numeric string is accepted as well as a number.
    let client_id = match tok.get("client_id") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    let Some(client_id) = client_id else {
        return record_invalid("client_id", "client_id is required and must be a number");
    };
    let scopes: Option<Vec<String>> = match tok.get("scopes") {
        Some(Value::Array(a)) => a.iter().map(|v| v.as_str().map(str::to_string)).collect(),
        _ => None,
    };
    let scopes = match scopes {
        Some(s) if !s.is_empty() => s,
        _ => return record_invalid("scopes", "scopes must be a non-empty array of strings"),
    };
    let host = host(&headers);
    let minted = {
        let mut store = shared.store();
        let ttl = store.oauth.settings.zis_token_ttl;
        store.mint_token(client_id, scopes.clone(), caller.user_id(), ttl)
    };
    let Some(minted) = minted else {
        // [guess] An unknown client id is a 400 RecordInvalid naming client_id.
        return record_invalid(
            "client_id",
            "client_id is not a valid OAuth client of this account",
        );
    };
    shared.control().stats.tokens_minted += 1;
    json_response(
        StatusCode::CREATED,
        json!({
            "token": {
                "id": minted.id,
                "url": format!("http://{host}/api/v2/oauth/tokens/{}.json", minted.id),
                "user_id": caller.user_id(),
                "client_id": client_id,
                "full_token": minted.full_token,
                "scopes": scopes,
                "created_at": format_ts(minted.created_at),
                "expires_at": minted.expires_at.map(format_ts),
                "refresh_token": null,
                "used_at": null,
            }
        }),
    )
}

/// A token as Zendesk shows it (never its value), found by id among the admin-side OAuth
/// tokens and the minted ZIS tokens.
fn token_json(store: &Store, id: u64, host: &str) -> Option<Value> {
    let (user_id, client_id, scopes, created_at, expires_at) =
        if let Some(t) = store.oauth.access_by_id(id) {
            (
                t.user.id(),
                t.client_numeric_id,
                t.scopes.clone(),
                t.created_at,
                Some(t.expires_at),
            )
        } else {
            let g = store.tokens.by_id(id)?;
            (
                g.user_id,
                g.client_id,
                g.scopes.clone(),
                g.created_at,
                g.expires_at,
            )
        };
    Some(json!({
        "id": id,
        "url": format!("http://{host}/api/v2/oauth/tokens/{id}.json"),
        "user_id": user_id,
        "client_id": client_id,
        "scopes": scopes,
        "created_at": format_ts(created_at),
        "expires_at": expires_at.map(format_ts),
        "used_at": null,
        "refresh_token": null,
    }))
}

/// Which token a path names: `current.json`, `{id}.json` (the suffix is optional [guess]).
enum Which {
    Current,
    Id(u64),
}

fn which(file: &str) -> Option<Which> {
    let stem = file.strip_suffix(".json").unwrap_or(file);
    if stem == "current" {
        return Some(Which::Current);
    }
    stem.parse().ok().map(Which::Id)
}

/// May `caller` see or revoke token `id`? The admin reaches every token of the account, any
/// other caller only the token it called with.
fn reaches(caller: &Caller, id: u64) -> bool {
    caller.manages_tokens() || caller.token_id() == Some(id)
}

/// `GET /api/v2/oauth/tokens/current.json` (the token that made the call) or `{id}.json`.
pub(super) async fn show_token(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut store = shared.store();
    let caller = match authenticate(&mut store, &headers) {
        Ok(c) => c,
        Err(f) => return f.respond(support_unauthorized),
    };
    let id = match which(&file) {
        // [guess] An API-token call has no current OAuth token: 404.
        Some(Which::Current) => match caller.token_id() {
            Some(id) => id,
            None => return not_found(),
        },
        Some(Which::Id(id)) if reaches(&caller, id) => id,
        _ => return not_found(),
    };
    match token_json(&store, id, &host(&headers)) {
        Some(t) => json_response(StatusCode::OK, json!({ "token": t })),
        None => not_found(),
    }
}

/// `DELETE /api/v2/oauth/tokens/{id}.json` → 204: revokes that token (an admin-side token
/// with its refresh token). `DELETE …/current.json` answers 204 and revokes nothing [live].
pub(super) async fn revoke_token(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut store = shared.store();
    let caller = match authenticate(&mut store, &headers) {
        Ok(c) => c,
        Err(f) => return f.respond(support_unauthorized),
    };
    let id = match which(&file) {
        Some(Which::Current) => return StatusCode::NO_CONTENT.into_response(),
        Some(Which::Id(id)) if reaches(&caller, id) => id,
        _ => return not_found(),
    };
    let revoked = store.oauth.revoke_access(id) || store.tokens.revoke(id);
    if !revoked {
        return not_found();
    }
    store.oauth.counters.revoked += 1;
    StatusCode::NO_CONTENT.into_response()
}
