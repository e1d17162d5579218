//! `GET /api/v2/users/me`: who the credentials belong to.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::auth::{authenticate, AuthFailure, Caller};
use super::respond::json_response;
use crate::sandbox::control::Shared;
use crate::sandbox::store::User;
use crate::sandbox::ADMIN_EMAIL;

fn user_json(id: Option<u64>, name: &str, email: &str, role: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "email": email,
        "role": role,
        "active": true,
        "verified": id.is_some(),
    })
}

fn of(user: User) -> Value {
    user_json(Some(user.id()), user.name(), user.email(), user.role())
}

pub(super) async fn me(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let caller = authenticate(&mut shared.store(), &headers);
    let user = match caller {
        // [guess] The API token is the demo admin's, whose sign-in email is the sandbox's
        // well-known ADMIN_EMAIL; it is the same user as the OAuth admin.
        Ok(Caller::ApiToken) => user_json(
            Some(User::Admin.id()),
            User::Admin.name(),
            ADMIN_EMAIL,
            User::Admin.role(),
        ),
        Ok(Caller::OAuth { user, .. }) => of(user),
        Ok(Caller::Zis { user_id, .. }) => {
            if user_id == User::Agent.id() {
                of(User::Agent)
            } else {
                of(User::Admin)
            }
        }
        // [guess] Zendesk answers `users/me` without credentials with the anonymous user (wrong
        // credentials get the 401).
        Err(AuthFailure::Missing) if !headers.contains_key(header::AUTHORIZATION) => {
            user_json(None, "Anonymous user", "invalid@example.com", "end-user")
        }
        Err(f) => return f.respond(super::auth::support_unauthorized),
    };
    json_response(StatusCode::OK, json!({ "user": user }))
}
