//! Registry endpoints (the admin's API token or OAuth bearer): list and register integrations.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::{require_admin, Need};
use super::respond::{bad_path, json_response, registry_error};
use crate::sandbox::control::Shared;
use crate::sandbox::store::RegisterError;

fn registry_unauthorized() -> Response {
    registry_error(
        StatusCode::UNAUTHORIZED,
        "1001",
        "Couldn't authenticate you",
        "Unauthorized",
    )
}

pub(super) async fn list_integrations(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = require_admin(&shared, &headers, Need::Read, registry_unauthorized) {
        return r;
    }
    let store = shared.store();
    // [guess] Listed in name order.
    let list: Vec<Value> = store
        .integrations
        .values()
        .map(|i| i.listing_json())
        .collect();
    json_response(StatusCode::OK, json!({ "integrations": list }))
}

/// `POST /api/services/zis/registry/integrations` registers an integration named
/// `integrations` (the listing route shares the path).
pub(super) async fn register_named_integrations(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    do_register(&shared, &headers, "integrations", &body)
}

pub(super) async fn register(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match path {
        Ok(Path(name)) => do_register(&shared, &headers, &name, &body),
        Err(e) => bad_path(e),
    }
}

fn do_register(shared: &Shared, headers: &HeaderMap, name: &str, body: &Bytes) -> Response {
    if let Err(r) = require_admin(shared, headers, Need::Write, registry_unauthorized) {
        return r;
    }
    let bad = |detail: &str| registry_error(StatusCode::BAD_REQUEST, "1010", detail, "Bad Request");
    // [guess] An empty body registers with an empty description.
    let description = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => match m.get("description") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(_) => return bad("description must be a string"),
            },
            _ => return bad("request body must be a JSON object"),
        }
    };
    let mut store = shared.store();
    match store.register(name, &description) {
        Ok(integ) => json_response(StatusCode::OK, integ.registration_json()),
        Err(RegisterError::InvalidName) => bad(
            "integration name must be 1-64 characters of lower-case letters (a-z), numbers, dash (-) and underscore (_)",
        ),
        Err(RegisterError::TakenByAnotherAccount) => bad(&format!(
            "the integration: {name} is not available for upsert by this account"
        )),
    }
}
