//! `/_sandbox/...`: test support (sandbox-only, not ZIS; no auth, no latency, limits or
//! faults): injected faults, secret comparison, stats, switches, token revocation.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde_json::{json, Map, Value};

use super::respond::json_response;
use crate::sandbox::control::{Fault, Shared};
use crate::sandbox::store::secret_eq;

fn sandbox_bad_request(msg: impl Into<String>) -> Response {
    json_response(StatusCode::BAD_REQUEST, json!({"error": msg.into()}))
}

pub(super) async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, shared.control().faults_json())
}

pub(super) async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let fault: Fault = match serde_json::from_slice(&body) {
        Ok(f) => f,
        Err(e) => return sandbox_bad_request(format!("invalid fault: {e}")),
    };
    if let Some(s) = fault.status {
        if !(100..=599).contains(&s) {
            return sandbox_bad_request("status must be 100-599");
        }
    } else if fault.delay_ms.is_none() {
        return sandbox_bad_request("a fault needs a status, a delay_ms, or both");
    }
    if fault.count == 0 {
        return sandbox_bad_request("count must be at least 1");
    }
    let mut c = shared.control();
    c.faults.push_back(fault);
    json_response(StatusCode::CREATED, json!({"queued": c.faults.len()}))
}

pub(super) async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    let mut c = shared.control();
    let n = c.faults.len();
    c.faults.clear();
    json_response(StatusCode::OK, json!({"cleared": n}))
}

pub(super) async fn verify(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&body) else {
        return sandbox_bad_request("body must be {\"integration\", \"name\", \"secret\"}");
    };
    let field = |m: &mut Map<String, Value>, k: &str| match m.remove(k) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let (Some(integration), Some(name), Some(secret)) = (
        field(&mut m, "integration"),
        field(&mut m, "name"),
        field(&mut m, "secret"),
    ) else {
        return sandbox_bad_request("integration, name and secret are required strings");
    };
    let secret = SecretString::from(secret);
    let store = shared.store();
    match store.connection(&integration, &name) {
        Some(c) => {
            use secrecy::ExposeSecret as _;
            let matches = secret_eq(c.secret(), secret.expose_secret());
            json_response(
                StatusCode::OK,
                json!({"matches": matches, "kind": c.kind().as_str(), "field": c.kind().secret_field()}),
            )
        }
        None => json_response(
            StatusCode::NOT_FOUND,
            json!({"matches": false, "error": "no such connection"}),
        ),
    }
}

pub(super) async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, shared.control().stats.to_json())
}

pub(super) async fn reset_stats(State(shared): State<Arc<Shared>>) -> Response {
    shared.control().stats = Default::default();
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn get_switches(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, shared.control().switches_json())
}

/// `POST /_sandbox/switches` `{"latency_ms"?, "rate_limit"?, "rate_window_secs"?, "fail_rate"?}`:
/// changes the switches of a running sandbox (for tests that run it as a separate process).
pub(super) async fn set_switches(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Switches {
        latency_ms: Option<u64>,
        rate_limit: Option<u32>,
        rate_window_secs: Option<u64>,
        fail_rate: Option<f64>,
    }
    let s: Switches = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return sandbox_bad_request(format!("invalid switches: {e}")),
    };
    let mut c = shared.control();
    if let Some(ms) = s.latency_ms {
        c.latency_ms = ms;
    }
    if s.rate_limit.is_some() || s.rate_window_secs.is_some() {
        let limit = s.rate_limit.unwrap_or(c.rate_limit);
        let window = s.rate_window_secs.unwrap_or(c.rate_window.as_secs());
        c.set_rate_limit(limit, window);
    }
    if let Some(f) = s.fail_rate {
        c.set_fail_rate(f);
    }
    json_response(StatusCode::OK, c.switches_json())
}

/// `DELETE /_sandbox/tokens`: revokes every minted access token (to test re-minting on 401).
pub(super) async fn revoke_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let n = shared.store().tokens.clear();
    json_response(StatusCode::OK, json!({"revoked": n}))
}
