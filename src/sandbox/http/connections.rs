//! Connections endpoints (bearer token of the integration's client): create, show, update,
//! delete, and the paginated `GET .../connections/all`. OAuth connections are listed here; they
//! are shown and deleted in `oauth_connections` (ZIS has no `…/connections/oauth/{name}`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::SecretString;
use serde_json::{json, Map, Value};

use super::auth::{authorize, Need};
use super::body::Body;
use super::respond::{
    bad_path, conflict, connection_not_found, invalid_integration, json_response, no_route,
    validation_error, zis_error,
};
use crate::sandbox::control::Shared;
use crate::sandbox::store::{
    check_allowed_domain, check_connection_name, check_header_name, check_username, decode_cursor,
    now, paginate, ConnError, Connection, Creds, Kind, PageFrom,
};

/// Default and maximum `page[size]` of `GET .../connections/all`.
/// [guess] The default is 100 (Zendesk's cursor-pagination default); above 100 is refused
/// with 400, as Zendesk's cursor pagination does, rather than clamped.
pub(crate) const PAGE_SIZE_DEFAULT: usize = 100;
pub(crate) const PAGE_SIZE_MAX: usize = 100;

fn wrap(conn: &Connection, integration: &str) -> Value {
    let mut m = Map::new();
    m.insert(conn.kind().as_str().to_string(), conn.to_json(integration));
    Value::Object(m)
}

/// An unknown kind in the path. [guess] 404 NotFound.
fn unknown_kind() -> Response {
    zis_error(StatusCode::NOT_FOUND, "NotFound", "Not found")
}

pub(super) async fn create_connection(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (integration, kind) = match path {
        Ok(Path(p)) => p,
        Err(e) => return bad_path(e),
    };
    let Some(kind) = Kind::parse(&kind) else {
        return unknown_kind();
    };
    // OAuth connections are made by the OAuth flow; ZIS has no route here [live].
    if kind == Kind::OAuth {
        return no_route();
    }
    if let Err(r) = authorize(&shared, &headers, &integration, Need::Write) {
        return r;
    }
    let mut b = match Body::parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let name = b.string("name", true);
    if let Some(n) = &name {
        if let Err(rule) = check_connection_name(n) {
            b.problem("name", rule);
        }
    }
    let domain = b.string("allowed_domain", true);
    if let Some(d) = &domain {
        if let Err(rule) = check_allowed_domain(d) {
            b.problem("allowed_domain", rule);
        }
    }
    let creds = match kind {
        Kind::BasicAuth => {
            let username = b.string("username", true);
            if let Some(u) = &username {
                if let Err(rule) = check_username(u) {
                    b.problem("username", rule);
                }
            }
            let password = b.secret("password", true);
            username
                .zip(password)
                .map(|(username, password)| Creds::BasicAuth { username, password })
        }
        Kind::ApiKey => {
            let header_name = b.string("header_name", true);
            if let Some(h) = &header_name {
                if let Err(rule) = check_header_name(h) {
                    b.problem("header_name", rule);
                }
            }
            let api_key = b.secret("api_key", true);
            header_name
                .zip(api_key)
                .map(|(header_name, api_key)| Creds::ApiKey {
                    header_name,
                    api_key,
                })
        }
        Kind::BearerToken => b
            .secret("token", true)
            .map(|token| Creds::BearerToken { token }),
        Kind::OAuth => None,
    };
    b.refuse_rest();
    if let Err(r) = b.finish() {
        return r;
    }
    let (Some(name), Some(allowed_domain), Some(creds)) = (name, domain, creds) else {
        // Unreachable: every missing field was reported above.
        return validation_error(vec![(String::new(), "invalid connection".into())]);
    };
    let t = now();
    let conn = Connection {
        name,
        allowed_domain,
        created_at: t,
        updated_at: t,
        creds,
    };
    let mut store = shared.store();
    match store.create(&integration, conn) {
        Ok(c) => json_response(StatusCode::CREATED, wrap(c, &integration)),
        Err(ConnError::Conflict) => conflict(),
        Err(ConnError::NotFound) => invalid_integration(),
    }
}

/// The `{integration}/connections/{kind}/{name}` of a request, once the path parses, the kind
/// is known and the token may do `need` there; otherwise the answer to send.
fn connection_target(
    shared: &Shared,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: &HeaderMap,
    need: Need,
) -> Result<(String, Kind, String), Response> {
    let (integration, kind, name) = match path {
        Ok(Path(p)) => p,
        Err(e) => return Err(bad_path(e)),
    };
    let Some(kind) = Kind::parse(&kind) else {
        return Err(unknown_kind());
    };
    // ZIS has no `…/connections/oauth/{name}` [live]: an OAuth connection is shown and deleted
    // at `GET|DELETE /api/services/zis/connections/{integration}?name=`.
    if kind == Kind::OAuth {
        return Err(no_route());
    }
    authorize(shared, headers, &integration, need)?;
    Ok((integration, kind, name))
}

pub(super) async fn show_connection(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (integration, kind, name) = match connection_target(&shared, path, &headers, Need::Read) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let store = shared.store();
    // [guess] A name that exists under another kind is 404 at this kind's path.
    match store.connection(&integration, &name) {
        Some(c) if c.kind() == kind => json_response(StatusCode::OK, wrap(c, &integration)),
        _ => connection_not_found(),
    }
}

pub(super) async fn update_connection(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (integration, kind, name) = match connection_target(&shared, path, &headers, Need::Write) {
        Ok(t) => t,
        Err(r) => return r,
    };
    // [guess] A missing connection is reported before body problems.
    if shared
        .store()
        .connection(&integration, &name)
        .is_none_or(|c| c.kind() != kind)
    {
        return connection_not_found();
    }
    let mut b = match Body::parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    // [guess] Name and allowed domain cannot be changed [doc]; sending them is a 400 even when
    // the value is unchanged.
    for fixed in ["name", "allowed_domain"] {
        if b.map.remove(fixed).is_some() {
            b.problem(fixed, format!("{fixed} cannot be changed after creation"));
        }
    }
    enum Patch {
        Basic(Option<String>, Option<SecretString>),
        ApiKey(Option<String>, Option<SecretString>),
        Bearer(Option<SecretString>),
    }
    let patch = match kind {
        Kind::BasicAuth => {
            let username = b.string("username", false);
            if let Some(u) = &username {
                if let Err(rule) = check_username(u) {
                    b.problem("username", rule);
                }
            }
            let password = b.secret("password", false);
            Patch::Basic(username, password)
        }
        Kind::ApiKey => {
            let header_name = b.string("header_name", false);
            if let Some(h) = &header_name {
                if let Err(rule) = check_header_name(h) {
                    b.problem("header_name", rule);
                }
            }
            let api_key = b.secret("api_key", false);
            Patch::ApiKey(header_name, api_key)
        }
        _ => Patch::Bearer(b.secret("token", false)),
    };
    b.refuse_rest();
    let empty = match &patch {
        Patch::Basic(u, p) | Patch::ApiKey(u, p) => u.is_none() && p.is_none(),
        Patch::Bearer(t) => t.is_none(),
    };
    // [guess] A PATCH that changes nothing is a 400 rather than a silent 204.
    if empty && b.problems.is_empty() {
        let fields = match kind {
            Kind::BasicAuth => "username and/or password",
            Kind::ApiKey => "header_name and/or api_key",
            _ => "token",
        };
        b.problem("", format!("nothing to update: send {fields}"));
    }
    if let Err(r) = b.finish() {
        return r;
    }
    let mut store = shared.store();
    let conn = match store.connection_mut(&integration, kind, &name) {
        Ok(c) => c,
        Err(_) => return connection_not_found(),
    };
    match (&mut conn.creds, patch) {
        (Creds::BasicAuth { username, password }, Patch::Basic(u, p)) => {
            if let Some(u) = u {
                *username = u;
            }
            if let Some(p) = p {
                *password = p;
            }
        }
        (
            Creds::ApiKey {
                header_name,
                api_key,
            },
            Patch::ApiKey(h, k),
        ) => {
            if let Some(h) = h {
                *header_name = h;
            }
            if let Some(k) = k {
                *api_key = k;
            }
        }
        (Creds::BearerToken { token }, Patch::Bearer(Some(t))) => *token = t,
        _ => return connection_not_found(),
    }
    conn.updated_at = now().max(conn.updated_at);
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn delete_connection(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (integration, kind, name) = match connection_target(&shared, path, &headers, Need::Write) {
        Ok(t) => t,
        Err(r) => return r,
    };
    match shared.store().delete(&integration, kind, &name) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(_) => connection_not_found(),
    }
}

fn pagination_error(rule: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({"errors": [{"code": "InvalidPaginationParameter", "title": rule}]}),
    )
}

/// `page[size]` (1-100, `default` when absent), `page[after]` or `page[before]` (opaque
/// cursors): Zendesk's cursor pagination.
pub(super) fn page_params(
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    default: usize,
) -> Result<(usize, PageFrom), Response> {
    let Ok(Query(q)) = query else {
        return Err(pagination_error("query string is malformed"));
    };
    let size = match q.get("page[size]") {
        None => default,
        Some(s) => match s.trim().parse::<usize>() {
            Ok(n) if (1..=PAGE_SIZE_MAX).contains(&n) => n,
            Ok(n) if n > PAGE_SIZE_MAX => {
                return Err(pagination_error("page[size] must be at most 100"));
            }
            _ => {
                return Err(pagination_error(
                    "page[size] must be a whole number from 1 to 100",
                ))
            }
        },
    };
    let after = q.get("page[after]").filter(|s| !s.is_empty());
    let before = q.get("page[before]").filter(|s| !s.is_empty());
    let from = match (after, before) {
        (Some(_), Some(_)) => {
            return Err(pagination_error(
                "page[after] and page[before] cannot be used together",
            ));
        }
        (Some(c), None) => match decode_cursor(c) {
            Some(n) => PageFrom::After(n),
            None => return Err(pagination_error("page[after] is not a valid cursor")),
        },
        (None, Some(c)) => match decode_cursor(c) {
            Some(n) => PageFrom::Before(n),
            None => return Err(pagination_error("page[before] is not a valid cursor")),
        },
        (None, None) => PageFrom::Start,
    };
    Ok((size, from))
}

pub(super) async fn list_connections(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let integration = match path {
        Ok(Path(p)) => p,
        Err(e) => return bad_path(e),
    };
    if let Err(r) = authorize(&shared, &headers, &integration, Need::Read) {
        return r;
    }
    let (size, from) = match page_params(query, PAGE_SIZE_DEFAULT) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let store = shared.store();
    let Some(integ) = store.integrations.get(&integration) else {
        return invalid_integration();
    };
    let page = paginate(&integ.connections, size, &from);
    let mut by_kind: HashMap<Kind, Vec<Value>> =
        Kind::ALL.iter().map(|k| (*k, Vec::new())).collect();
    for c in &page.items {
        by_kind
            .entry(c.kind())
            .or_default()
            .push(c.to_json(&integration));
    }
    let mut out = Map::new();
    for k in Kind::ALL {
        out.insert(
            k.as_str().to_string(),
            Value::Array(by_kind.remove(&k).unwrap_or_default()),
        );
    }
    out.insert(
        "meta".into(),
        json!({"has_more": page.has_more, "after": page.after, "before": page.before}),
    );
    json_response(StatusCode::OK, Value::Object(out))
}
