//! `/_sandbox/...`: test support (sandbox-only, not ZIS; no auth, no latency, limits or
//! faults): injected faults, secret comparison, stats, switches, token revocation, the OAuth
//! switches and counters, and the shapes of the answers ZIS may send wrapped or bare.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde::Deserialize as _;
use serde_json::{json, Map, Value};

use super::respond::json_response;
use crate::sandbox::control::{Fault, Shapes, Shared};
use crate::sandbox::store::{secret_eq, Store, User, CONFIDENTIAL_CLIENT_ID, PUBLIC_CLIENT_ID};

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

/// `GET /_sandbox/oauth`: the OAuth switches in force and the counters (at the top level, and
/// again under `"counters"`).
pub(super) async fn get_oauth(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, oauth_json(&shared.store()))
}

fn oauth_json(store: &Store) -> Value {
    let s = &store.oauth.settings;
    let c = &store.oauth.counters;
    let counters = json!({
        "exchanges": c.exchanges,
        "refreshes": c.refreshes,
        "refresh_reuse_refused": c.refresh_reuse_refused,
        "client_credentials": c.client_credentials,
        "mints": c.mints,
        "revoked": c.revoked,
        "live_admin_tokens": store.oauth.live_access_tokens(),
        "live_zis_tokens": store.tokens.live_count(),
    });
    let mut v = json!({
        "auto_approve": s.auto_approve,
        "access_token_ttl_secs": s.access_ttl.as_secs(),
        "refresh_token_ttl_secs": s.refresh_ttl.as_secs(),
        "zis_token_ttl_secs": s.zis_token_ttl.map(|d| d.as_secs()),
        "code_ttl_secs": s.code_ttl.as_secs(),
        "refuse_api_tokens": s.refuse_api_tokens,
        "user": s.user.role(),
        "public_client_id": PUBLIC_CLIENT_ID,
        "confidential_client_id": CONFIDENTIAL_CLIENT_ID,
    });
    if let (Value::Object(m), Value::Object(cs)) = (&mut v, &counters) {
        for (k, x) in cs {
            m.insert(k.clone(), x.clone());
        }
    }
    v["counters"] = counters;
    v
}

/// `null` in the body is kept apart from an absent field.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `POST /_sandbox/oauth` with any subset of `{"auto_approve", "access_token_ttl_secs",
/// "refresh_token_ttl_secs", "zis_token_ttl_secs" (a number or null), "code_ttl_secs",
/// "refuse_api_tokens", "user": "admin"|"agent"}`: new lifetimes apply to what is issued
/// from now on. Answers what `GET` does.
pub(super) async fn set_oauth(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Switches {
        auto_approve: Option<bool>,
        access_token_ttl_secs: Option<u64>,
        refresh_token_ttl_secs: Option<u64>,
        #[serde(default, deserialize_with = "present")]
        zis_token_ttl_secs: Option<Option<u64>>,
        code_ttl_secs: Option<u64>,
        refuse_api_tokens: Option<bool>,
        user: Option<String>,
    }
    let s: Switches = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return sandbox_bad_request(format!("invalid oauth switches: {e}")),
    };
    let user = match s.user.as_deref().map(User::parse) {
        Some(None) => return sandbox_bad_request("user must be \"admin\" or \"agent\""),
        Some(Some(u)) => Some(u),
        None => None,
    };
    let mut store = shared.store();
    let o = &mut store.oauth.settings;
    let secs = Duration::from_secs;
    if let Some(v) = s.auto_approve {
        o.auto_approve = v;
    }
    if let Some(v) = s.access_token_ttl_secs {
        o.access_ttl = secs(v);
    }
    if let Some(v) = s.refresh_token_ttl_secs {
        o.refresh_ttl = secs(v);
    }
    if let Some(v) = s.zis_token_ttl_secs {
        o.zis_token_ttl = v.map(secs);
    }
    if let Some(v) = s.code_ttl_secs {
        o.code_ttl = secs(v);
    }
    if let Some(v) = s.refuse_api_tokens {
        o.refuse_api_tokens = v;
    }
    if let Some(u) = user {
        o.user = u;
    }
    json_response(StatusCode::OK, oauth_json(&store))
}

pub(super) async fn get_shapes(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, shared.control().shapes.to_json())
}

/// `POST /_sandbox/shapes` with any subset of `{"oauth_clients": "wrapped"|"bare",
/// "create_status": 200|201, "oauth_connection": "wrapped"|"bare", "bundle": "wrapped"|"bare"}`
/// (defaults: wrapped, 201, wrapped, wrapped); answers the shapes in force.
pub(super) async fn set_shapes(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Asked {
        oauth_clients: Option<String>,
        create_status: Option<u16>,
        oauth_connection: Option<String>,
        bundle: Option<String>,
    }
    let a: Asked = match serde_json::from_slice(&body) {
        Ok(a) => a,
        Err(e) => return sandbox_bad_request(format!("invalid shapes: {e}")),
    };
    fn bare(field: &str, v: Option<&str>) -> Result<Option<bool>, Response> {
        match v {
            None => Ok(None),
            Some("bare") => Ok(Some(true)),
            Some("wrapped") => Ok(Some(false)),
            Some(_) => Err(sandbox_bad_request(format!(
                "{field} must be \"wrapped\" or \"bare\""
            ))),
        }
    }
    let parsed = (|| {
        let clients = bare("oauth_clients", a.oauth_clients.as_deref())?;
        let conn = bare("oauth_connection", a.oauth_connection.as_deref())?;
        let bundle = bare("bundle", a.bundle.as_deref())?;
        if a.create_status.is_some_and(|s| s != 200 && s != 201) {
            return Err(sandbox_bad_request("create_status must be 200 or 201"));
        }
        Ok((clients, conn, bundle))
    })();
    let (clients, conn, bundle) = match parsed {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut c = shared.control();
    let s: &mut Shapes = &mut c.shapes;
    if let Some(v) = clients {
        s.oauth_clients_bare = v;
    }
    if let Some(v) = conn {
        s.oauth_connection_bare = v;
    }
    if let Some(v) = bundle {
        s.bundle_bare = v;
    }
    if let Some(v) = a.create_status {
        s.create_status = v;
    }
    json_response(StatusCode::OK, s.to_json())
}
