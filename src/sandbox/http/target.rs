//! `/_sandbox/target/...`: the stand-in target system (sandbox-only, not ZIS; no ZIS auth, no
//! latency, limits or faults), so the demo and the tests can rotate a password end to end:
//! set it at the target, prove it there, then apply it in ZIS.
//!
//! - `POST /_sandbox/target/passwords` `{"username", "new_password", "old_password"?}`: sets
//!   the password (the account is created when new; with `old_password` it must be the
//!   current one, else 403). 204.
//! - `GET|HEAD|POST /_sandbox/target/check` with `Authorization: Basic`: 200 when the pair is
//!   right, else 401 with `WWW-Authenticate`.
//! - `GET /_sandbox/target/redirect?to=URL`: 302 to `URL` (for tests: a redirect a test
//!   request must not follow).
//! - `GET /_sandbox/target/users`: `[{"username", "changes"}]`, never a password.
//!
//! `assets/sandbox-target-set.py` is an example `set_command` that talks to it.
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::auth::basic_pair;
use super::respond::json_response;
use crate::sandbox::control::Shared;
use crate::sandbox::store::TargetRefusal;

fn refuse(status: StatusCode, why: &str) -> Response {
    json_response(status, json!({ "error": why }))
}

/// The body of a password change. Not `Debug`: it holds passwords.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    username: String,
    new_password: SecretString,
    old_password: Option<SecretString>,
}

pub(super) async fn set_password(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let change: Change = match serde_json::from_slice(&body) {
        Ok(c) => c,
        // serde's message may quote the body: name the rule only.
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "the body must be {\"username\": string, \"new_password\": string, \
                 \"old_password\"?: string}",
            )
        }
    };
    if change.username.trim().is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "username is required");
    }
    if change.new_password.expose_secret().is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "new_password is required");
    }
    let old = change.old_password.as_ref().map(|p| p.expose_secret());
    match shared
        .store()
        .target
        .set_password(&change.username, change.new_password.clone(), old)
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(TargetRefusal::WrongOldPassword) => refuse(
            StatusCode::FORBIDDEN,
            "old_password is not the current password",
        ),
    }
}

pub(super) async fn check(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let ok = basic_pair(&headers)
        .is_some_and(|(user, pw)| shared.store().target.check(&user, pw.expose_secret()));
    if ok {
        return json_response(StatusCode::OK, json!({ "ok": true }));
    }
    let mut resp = refuse(StatusCode::UNAUTHORIZED, "wrong username or password");
    resp.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"zisctl sandbox target\""),
    );
    resp
}

pub(super) async fn redirect(RawQuery(q): RawQuery) -> Response {
    let to = url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "to")
        .map(|(_, v)| v.into_owned());
    let Some(to) = to else {
        return refuse(StatusCode::BAD_REQUEST, "to=URL is required");
    };
    let Ok(v) = HeaderValue::from_str(&to) else {
        return refuse(StatusCode::BAD_REQUEST, "to is not a sendable URL");
    };
    let mut resp = StatusCode::FOUND.into_response();
    resp.headers_mut().insert(header::LOCATION, v);
    resp
}

pub(super) async fn users(State(shared): State<Arc<Shared>>) -> Response {
    let store = shared.store();
    let list: Vec<_> = store
        .target
        .users()
        .map(|(name, u)| json!({ "username": name, "changes": u.changes }))
        .collect();
    json_response(StatusCode::OK, json!(list))
}
