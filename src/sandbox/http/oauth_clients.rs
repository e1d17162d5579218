//! ZIS OAuth clients (a ZIS token of the integration): `GET|POST
//! /api/services/zis/connections/oauth/clients/{integration}`, `PATCH|DELETE …/{uuid}` (`PUT`
//! and `GET` there answer 405 [live: PUT]). A delete takes with it every OAuth connection made
//! with the client [live].
//!
//! The listing shows `client_secret` in clear, as Zendesk's documented example does; the
//! create and update answers do too (they are the same object). The secret moves from the body
//! straight into a [`SecretString`](secrecy::SecretString); nothing here logs one.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::auth::{authorize, Need};
use super::body::Body;
use super::respond::{bad_path, conflict, invalid_integration, json_response, zis_error};
use crate::sandbox::control::Shared;
use crate::sandbox::store::{
    check_oauth_name, check_url, now, random_uuid, ConnError, GrantType, ZisOAuthClient,
};

/// [guess] The title, in the documented error shape.
pub(super) fn client_not_found() -> Response {
    zis_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        "OAuth client does not exist",
    )
}

/// A client's answer, wrapped in `"client"` or bare (the shape switch).
fn answer(shared: &Shared, status: StatusCode, client: Value) -> Response {
    if shared.control().shapes.oauth_clients_bare {
        json_response(status, client)
    } else {
        json_response(status, json!({ "client": client }))
    }
}

fn integration_of(path: Result<Path<String>, PathRejection>) -> Result<String, Response> {
    match path {
        Ok(Path(p)) => Ok(p),
        Err(e) => Err(bad_path(e)),
    }
}

pub(super) async fn list_clients(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let integration = match integration_of(path) {
        Ok(i) => i,
        Err(r) => return r,
    };
    if let Err(r) = authorize(&shared, &headers, &integration, Need::Read) {
        return r;
    }
    let store = shared.store();
    let Some(integ) = store.integrations.get(&integration) else {
        return invalid_integration();
    };
    // [guess] In name order; no pagination is documented.
    let clients: Vec<Value> = integ
        .oauth_clients
        .values()
        .map(|c| c.to_json(&integration))
        .collect();
    json_response(StatusCode::OK, json!({ "clients": clients }))
}

/// The optional URL and scope fields, checked; shared by create and update.
struct Optional {
    auth_url: Option<String>,
    default_scopes: Option<String>,
    grant_type: Option<GrantType>,
}

fn optional_fields(b: &mut Body) -> Optional {
    let auth_url = b.string("auth_url", false);
    if let Some(u) = &auth_url {
        if let Err(rule) = check_url("auth_url", u) {
            b.problem("auth_url", rule);
        }
    }
    let default_scopes = b.string("default_scopes", false);
    if default_scopes.as_ref().is_some_and(|s| s.len() > 4096) {
        b.problem(
            "default_scopes",
            "default_scopes must be at most 4096 characters",
        );
    }
    let grant_type = match b.string("grant_type", false) {
        None => None,
        Some(g) => match GrantType::parse(&g) {
            Some(g) => Some(g),
            None => {
                b.problem(
                    "grant_type",
                    "grant_type must be authorization_code or client_credentials",
                );
                None
            }
        },
    };
    Optional {
        auth_url,
        default_scopes,
        grant_type,
    }
}

fn client_id_field(b: &mut Body, required: bool) -> Option<String> {
    let id = b.string("client_id", required)?;
    if id.is_empty() || id.len() > 4096 {
        b.problem("client_id", "client_id must be 1-4096 characters");
        return None;
    }
    Some(id)
}

fn token_url_field(b: &mut Body, required: bool) -> Option<String> {
    let u = b.string("token_url", required)?;
    if let Err(rule) = check_url("token_url", &u) {
        b.problem("token_url", rule);
        return None;
    }
    Some(u)
}

pub(super) async fn create_client(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let integration = match integration_of(path) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let grant = match authorize(&shared, &headers, &integration, Need::Write) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let mut b = match Body::parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let name = b.string("name", true);
    if let Some(n) = &name {
        if let Err(rule) = check_oauth_name("name", n) {
            b.problem("name", rule);
        }
    }
    let client_id = client_id_field(&mut b, true);
    let secret = b.secret("client_secret", true);
    let token_url = token_url_field(&mut b, true);
    let opt = optional_fields(&mut b);
    b.refuse_rest();
    if let Err(r) = b.finish() {
        return r;
    }
    let (Some(name), Some(client_id), Some(client_secret), Some(token_url)) =
        (name, client_id, secret, token_url)
    else {
        return zis_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "invalid OAuth client",
        );
    };
    let t = now();
    let client = ZisOAuthClient {
        uuid: random_uuid(),
        name,
        client_id,
        client_secret,
        token_url,
        auth_url: opt.auth_url,
        default_scopes: opt.default_scopes.unwrap_or_default(),
        // [doc] Defaults to authorization_code.
        grant_type: opt.grant_type.unwrap_or(GrantType::AuthorizationCode),
        created_by: grant.user_id.to_string(),
        created_at: t,
        updated_at: t,
    };
    let status = match shared.control().shapes.create_status {
        200 => StatusCode::OK,
        _ => StatusCode::CREATED,
    };
    let made = {
        let mut store = shared.store();
        match store.create_oauth_client(&integration, client) {
            Ok(c) => Ok(c.to_json(&integration)),
            Err(e) => Err(e),
        }
    };
    match made {
        Ok(v) => answer(&shared, status, v),
        // [guess] A taken name is 409, as for connections.
        Err(ConnError::Conflict) => conflict(),
        Err(ConnError::NotFound) => invalid_integration(),
    }
}

fn client_target(
    shared: &Shared,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: &HeaderMap,
) -> Result<(String, String), Response> {
    let (integration, uuid) = match path {
        Ok(Path(p)) => p,
        Err(e) => return Err(bad_path(e)),
    };
    authorize(shared, headers, &integration, Need::Write)?;
    if shared
        .store()
        .oauth_client_by_uuid(&integration, &uuid)
        .is_none()
    {
        return Err(client_not_found());
    }
    Ok((integration, uuid))
}

/// `PATCH …/clients/{integration}/{uuid}`: any of the create fields but `name`. The only
/// in-place rotation ZIS offers for OAuth-backed connections [live].
pub(super) async fn update_client(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (integration, uuid) = match client_target(&shared, path, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let mut b = match Body::parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    // [guess] The name cannot be changed: it is how flows name the client.
    if b.map.remove("name").is_some() {
        b.problem("name", "name cannot be changed after creation");
    }
    let client_id = client_id_field(&mut b, false);
    let secret = b.secret("client_secret", false);
    let token_url = token_url_field(&mut b, false);
    let opt = optional_fields(&mut b);
    b.refuse_rest();
    let empty = client_id.is_none()
        && secret.is_none()
        && token_url.is_none()
        && opt.auth_url.is_none()
        && opt.default_scopes.is_none()
        && opt.grant_type.is_none();
    // [guess] A PATCH that changes nothing is a 400, as for connections.
    if empty && b.problems.is_empty() {
        b.problem(
            "",
            "nothing to update: send client_id, client_secret, token_url, auth_url, \
             default_scopes or grant_type",
        );
    }
    if let Err(r) = b.finish() {
        return r;
    }
    let updated = {
        let mut store = shared.store();
        let Some(c) = store.oauth_client_by_uuid_mut(&integration, &uuid) else {
            return client_not_found();
        };
        if let Some(v) = client_id {
            c.client_id = v;
        }
        if let Some(v) = secret {
            c.client_secret = v;
        }
        if let Some(v) = token_url {
            c.token_url = v;
        }
        if let Some(v) = opt.auth_url {
            c.auth_url = Some(v);
        }
        if let Some(v) = opt.default_scopes {
            c.default_scopes = v;
        }
        if let Some(v) = opt.grant_type {
            c.grant_type = v;
        }
        c.updated_at = now().max(c.updated_at);
        c.to_json(&integration)
    };
    answer(&shared, StatusCode::OK, updated)
}

/// `DELETE …/clients/{integration}/{uuid}`: 204, and the OAuth connections made with the
/// client are gone too [live].
pub(super) async fn delete_client(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (integration, uuid) = match client_target(&shared, path, &headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let deleted = shared.store().delete_oauth_client(&integration, &uuid);
    match deleted {
        Ok(cascade) => {
            tracing::debug!(
                cascaded = cascade.len(),
                "oauth client deleted with its connections"
            );
            StatusCode::NO_CONTENT.into_response()
        }
        Err(_) => client_not_found(),
    }
}
