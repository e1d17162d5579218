//! Routes and handlers: the ZIS endpoints of `ZIS_API.md`, the admin token endpoint, and the
//! sandbox-only `/_sandbox/...` test-support endpoints.
//!
//! Request bodies are parsed by hand from a JSON object so that every error names the field and
//! the rule, and so that secret values move straight from the parsed body into a
//! [`SecretString`]. Nothing here logs a body, a query or a header.

// Helpers return `Result<_, Response>`: the error is the finished answer, handed straight back
// to axum once per request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use secrecy::SecretString;
use serde_json::{json, Map, Value};

use super::control::{gate, Fault, Shared};
use super::store::{
    check_allowed_domain, check_connection_name, check_header_name, check_secret, check_username,
    decode_cursor, now, paginate, secret_eq, ConnError, Connection, Creds, Grant, Kind, PageFrom,
    RegisterError,
};
use super::{ADMIN_EMAIL, ADMIN_TOKEN};

/// Default and maximum `page[size]` of `GET .../connections/all`.
/// [guess] The default is 100 (Zendesk's cursor-pagination default); above 100 is refused
/// with 400, as Zendesk's cursor pagination does, rather than clamped.
pub(crate) const PAGE_SIZE_DEFAULT: usize = 100;
pub(crate) const PAGE_SIZE_MAX: usize = 100;

/// The admin's user id, shown on minted tokens.
const ADMIN_USER_ID: u64 = 372_000_001;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    const CONN: &str = "/api/services/zis/integrations/{integration}/connections";
    Router::new()
        .route(
            "/api/services/zis/registry/integrations",
            get(list_integrations).post(register_named_integrations),
        )
        .route("/api/services/zis/registry/{integration}", post(register))
        .route("/api/v2/oauth/tokens", post(mint_token))
        .route(&format!("{CONN}/all"), get(list_connections))
        .route(&format!("{CONN}/{{kind}}"), post(create_connection))
        .route(
            &format!("{CONN}/{{kind}}/{{name}}"),
            get(show_connection)
                .patch(update_connection)
                .delete(delete_connection),
        )
        .route(
            "/_sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sandbox/verify", post(verify))
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/stats/reset", post(reset_stats))
        .route("/_sandbox/switches", get(get_switches).post(set_switches))
        .route("/_sandbox/tokens", axum::routing::delete(revoke_tokens))
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}

// ---------------------------------------------------------------------------------------------
// Response helpers
// ---------------------------------------------------------------------------------------------

fn json_response(status: StatusCode, v: Value) -> Response {
    (status, Json(v)).into_response()
}

/// The connections API's documented error shape.
fn zis_error(status: StatusCode, code: &str, title: &str) -> Response {
    json_response(status, json!({"errors": [{"code": code, "title": title}]}))
}

/// A validation failure: one entry per broken rule, each naming its field.
/// [guess] Shape `{"errors": [{"code": "BadRequest", "title": rule, "source": {"pointer": "/field"}}]}`:
/// the documented `{code, title}` plus a JSON:API pointer to the field.
fn validation_error(problems: Vec<(String, String)>) -> Response {
    let errors: Vec<Value> = problems
        .into_iter()
        .map(|(field, rule)| {
            let mut e = json!({"code": "BadRequest", "title": rule});
            if !field.is_empty() {
                e["source"] = json!({"pointer": format!("/{field}")});
            }
            e
        })
        .collect();
    json_response(StatusCode::BAD_REQUEST, json!({ "errors": errors }))
}

/// The registry's error shape (seed 001).
fn registry_error(status: StatusCode, code: &str, detail: &str, message: &str) -> Response {
    json_response(
        status,
        json!({
            "errors": [{"code": code, "detail": detail, "status": status.as_u16().to_string()}],
            "message": message,
        }),
    )
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

fn invalid_credentials() -> Response {
    zis_error(
        StatusCode::UNAUTHORIZED,
        "InvalidCredentials",
        "Token length is invalid",
    )
}

fn invalid_integration() -> Response {
    zis_error(
        StatusCode::BAD_REQUEST,
        "InvalidIntegration",
        "Specified integration is not valid",
    )
}

fn connection_not_found() -> Response {
    zis_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        "Connection does not exist",
    )
}

fn conflict() -> Response {
    zis_error(StatusCode::CONFLICT, "Conflict", "Resource conflict")
}

async fn fallback() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({"error": "InvalidEndpoint", "description": "Not found"}),
    )
}

fn bad_path(_: PathRejection) -> Response {
    validation_error(vec![(
        String::new(),
        "path is not valid UTF-8 after percent-decoding".into(),
    )])
}

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

/// `Authorization: Basic base64("{email}/token:{api_token}")` with the demo admin's credentials.
fn is_admin(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, b64)) = value.trim().split_once(' ') else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return false;
    };
    let Some((user, token)) = decoded.split_once(':') else {
        return false;
    };
    let Some(email) = user.strip_suffix("/token") else {
        return false;
    };
    email.eq_ignore_ascii_case(ADMIN_EMAIL) && secret_eq(&SecretString::from(ADMIN_TOKEN), token)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Need {
    Read,
    Write,
}

/// Checks a connections request, in this order [guess]: a known bearer token (else 401
/// InvalidCredentials), a known integration (else 400 InvalidIntegration), the token's client
/// belongs to that integration (else 401 plain text "Authorization failed due to integration
/// mismatch"), the write scope for POST/PATCH/DELETE (else 403 Forbidden).
fn authorize(
    shared: &Shared,
    headers: &HeaderMap,
    integration: &str,
    need: Need,
) -> Result<Grant, Response> {
    let store = shared.store();
    let grant = bearer(headers)
        .and_then(|t| store.tokens.get(t))
        .cloned()
        .ok_or_else(invalid_credentials)?;
    let integ = store
        .integrations
        .get(integration)
        .ok_or_else(invalid_integration)?;
    if grant.client_id != integ.client_id {
        return Err(plain(
            StatusCode::UNAUTHORIZED,
            "Authorization failed due to integration mismatch",
        ));
    }
    // [guess] A token with "write" may also read; one with neither "read" nor "write" may not.
    let allowed = match need {
        Need::Write => grant.can_write(),
        Need::Read => grant.can_write() || grant.scopes.iter().any(|s| s == "read"),
    };
    if !allowed {
        let title = if need == Need::Write {
            "Cannot access this resource. Missing scope write"
        } else {
            "Cannot access this resource. Missing scope read"
        };
        return Err(zis_error(StatusCode::FORBIDDEN, "Forbidden", title));
    }
    Ok(grant)
}

// ---------------------------------------------------------------------------------------------
// Body parsing
// ---------------------------------------------------------------------------------------------

/// A JSON object body taken apart field by field, collecting every problem.
struct Body {
    map: Map<String, Value>,
    problems: Vec<(String, String)>,
}

impl Body {
    /// Empty, non-JSON or non-object bodies are a 400 naming the problem.
    fn parse(bytes: &Bytes) -> Result<Body, Response> {
        let one = |rule: &str| validation_error(vec![(String::new(), rule.to_string())]);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(one("request body must be a JSON object"));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Body {
                map,
                problems: Vec::new(),
            }),
            Ok(_) => Err(one("request body must be a JSON object")),
            Err(_) => Err(one("request body is not valid JSON")),
        }
    }

    fn problem(&mut self, field: &str, rule: impl Into<String>) {
        self.problems.push((field.to_string(), rule.into()));
    }

    /// A string field; `null` counts as absent.
    fn string(&mut self, field: &str, required: bool) -> Option<String> {
        match self.map.remove(field) {
            Some(Value::String(s)) => Some(s),
            None | Some(Value::Null) => {
                if required {
                    self.problem(field, format!("{field} is required"));
                }
                None
            }
            Some(_) => {
                self.problem(field, format!("{field} must be a string"));
                None
            }
        }
    }

    /// A secret field: moved from the parsed body into a [`SecretString`].
    fn secret(&mut self, field: &'static str, required: bool) -> Option<SecretString> {
        let s = self.string(field, required)?;
        if let Err(rule) = check_secret(field, &s) {
            self.problem(field, rule);
            return None;
        }
        Some(SecretString::from(s))
    }

    /// Any field left over is refused by name. [guess] Real ZIS may ignore unknown fields;
    /// refusing them catches client bugs (a field of the wrong kind, a typo).
    fn refuse_rest(&mut self) {
        let rest: Vec<String> = self.map.keys().cloned().collect();
        for k in rest {
            self.problem(&k, format!("unknown field {k}"));
        }
    }

    fn finish(self) -> Result<(), Response> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(validation_error(self.problems))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------

fn registry_unauthorized() -> Response {
    registry_error(
        StatusCode::UNAUTHORIZED,
        "1001",
        "Couldn't authenticate you",
        "Unauthorized",
    )
}

async fn list_integrations(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !is_admin(&headers) {
        return registry_unauthorized();
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
async fn register_named_integrations(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    do_register(&shared, &headers, "integrations", &body)
}

async fn register(
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
    if !is_admin(headers) {
        return registry_unauthorized();
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

// ---------------------------------------------------------------------------------------------
// OAuth tokens
// ---------------------------------------------------------------------------------------------

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

async fn mint_token(
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
                "created_at": super::store::format_ts(now()),
                "expires_at": null,
                "refresh_token": null,
                "used_at": null,
            }
        }),
    )
}

// ---------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------

fn wrap(conn: &Connection, integration: &str) -> Value {
    let mut m = Map::new();
    m.insert(conn.kind().as_str().to_string(), conn.to_json(integration));
    Value::Object(m)
}

/// An unknown kind in the path. [guess] 404 NotFound.
fn unknown_kind() -> Response {
    zis_error(StatusCode::NOT_FOUND, "NotFound", "Not found")
}

/// OAuth connections are made by an OAuth flow, not by POST/PATCH here. [guess] 405.
fn oauth_not_writable() -> Response {
    zis_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "OAuth connections are created and refreshed through the OAuth flow",
    )
}

async fn create_connection(
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
    if let Err(r) = authorize(&shared, &headers, &integration, Need::Write) {
        return r;
    }
    if kind == Kind::OAuth {
        return oauth_not_writable();
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
    authorize(shared, headers, &integration, need)?;
    Ok((integration, kind, name))
}

async fn show_connection(
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

async fn update_connection(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (integration, kind, name) = match connection_target(&shared, path, &headers, Need::Write) {
        Ok(t) => t,
        Err(r) => return r,
    };
    if kind == Kind::OAuth {
        return oauth_not_writable();
    }
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

async fn delete_connection(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (integration, kind, name) = match connection_target(&shared, path, &headers, Need::Write) {
        Ok(t) => t,
        Err(r) => return r,
    };
    // [guess] OAuth connections can be deleted at .../connections/oauth/{name} too.
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

async fn list_connections(
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
    let Ok(Query(q)) = query else {
        return pagination_error("query string is malformed");
    };
    let size = match q.get("page[size]") {
        None => PAGE_SIZE_DEFAULT,
        Some(s) => match s.trim().parse::<usize>() {
            Ok(n) if (1..=PAGE_SIZE_MAX).contains(&n) => n,
            Ok(n) if n > PAGE_SIZE_MAX => {
                return pagination_error("page[size] must be at most 100");
            }
            _ => return pagination_error("page[size] must be a whole number from 1 to 100"),
        },
    };
    let after = q.get("page[after]").filter(|s| !s.is_empty());
    let before = q.get("page[before]").filter(|s| !s.is_empty());
    let from = match (after, before) {
        (Some(_), Some(_)) => {
            return pagination_error("page[after] and page[before] cannot be used together");
        }
        (Some(c), None) => match decode_cursor(c) {
            Some(n) => PageFrom::After(n),
            None => return pagination_error("page[after] is not a valid cursor"),
        },
        (None, Some(c)) => match decode_cursor(c) {
            Some(n) => PageFrom::Before(n),
            None => return pagination_error("page[before] is not a valid cursor"),
        },
        (None, None) => PageFrom::Start,
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

// ---------------------------------------------------------------------------------------------
// /_sandbox: test support (sandbox-only, not ZIS; no auth, no latency, limits or faults)
// ---------------------------------------------------------------------------------------------

fn sandbox_bad_request(msg: impl Into<String>) -> Response {
    json_response(StatusCode::BAD_REQUEST, json!({"error": msg.into()}))
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, shared.control().faults_json())
}

async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
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

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    let mut c = shared.control();
    let n = c.faults.len();
    c.faults.clear();
    json_response(StatusCode::OK, json!({"cleared": n}))
}

async fn verify(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
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

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, shared.control().stats.to_json())
}

async fn reset_stats(State(shared): State<Arc<Shared>>) -> Response {
    shared.control().stats = Default::default();
    StatusCode::NO_CONTENT.into_response()
}

async fn get_switches(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, shared.control().switches_json())
}

/// `POST /_sandbox/switches` `{"latency_ms"?, "rate_limit"?, "rate_window_secs"?, "fail_rate"?}`:
/// changes the switches of a running sandbox (for tests that run it as a separate process).
async fn set_switches(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
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
async fn revoke_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let n = shared.store().tokens.clear();
    json_response(StatusCode::OK, json!({"revoked": n}))
}
