//! `POST /api/v2/oauth/tokens` (admin basic auth): mints an access token for an integration's
//! OAuth client.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::is_admin;
use super::respond::json_response;
use crate::sandbox::control::Shared;
use crate::sandbox::store::{format_ts, now};

/// The admin's user id, shown on minted tokens.
const ADMIN_USER_ID: u64 = 372_000_001;

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

pub(super) async fn mint_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !is_admin(&headers) {
        // Zendesk Support API's 401 shape.
        return json_response(
            StatusCode::UNAUTHORIZED,
            json!({"error": "Couldn't authenticate you"}),
        );
    }
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
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let minted = shared.store().mint_token(client_id, scopes.clone());
    let Some((id, full_token)) = minted else {
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
                "id": id,
                "url": format!("http://{host}/api/v2/oauth/tokens/{id}.json"),
                "user_id": ADMIN_USER_ID,
                "client_id": client_id,
                "full_token": full_token,
                "scopes": scopes,
                "created_at": format_ts(now()),
                "expires_at": null,
                "refresh_token": null,
                "used_at": null,
            }
        }),
    )
}
