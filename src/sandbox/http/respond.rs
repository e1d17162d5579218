//! Answer shapes: the JSON errors of the connections API, the registry and validation, and the
//! fallback for unknown paths.

use axum::extract::rejection::PathRejection;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

pub(super) fn json_response(status: StatusCode, v: Value) -> Response {
    (status, Json(v)).into_response()
}

/// The connections API's documented error shape.
pub(super) fn zis_error(status: StatusCode, code: &str, title: &str) -> Response {
    json_response(status, json!({"errors": [{"code": code, "title": title}]}))
}

/// A validation failure: one entry per broken rule, each naming its field.
/// [guess] Shape `{"errors": [{"code": "BadRequest", "title": rule, "source": {"pointer": "/field"}}]}`:
/// the documented `{code, title}` plus a JSON:API pointer to the field.
pub(super) fn validation_error(problems: Vec<(String, String)>) -> Response {
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
pub(super) fn registry_error(
    status: StatusCode,
    code: &str,
    detail: &str,
    message: &str,
) -> Response {
    json_response(
        status,
        json!({
            "errors": [{"code": code, "detail": detail, "status": status.as_u16().to_string()}],
            "message": message,
        }),
    )
}

pub(super) fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

pub(super) fn invalid_credentials() -> Response {
    zis_error(
        StatusCode::UNAUTHORIZED,
        "InvalidCredentials",
        "Token length is invalid",
    )
}

pub(super) fn invalid_integration() -> Response {
    zis_error(
        StatusCode::BAD_REQUEST,
        "InvalidIntegration",
        "Specified integration is not valid",
    )
}

pub(super) fn connection_not_found() -> Response {
    zis_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        "Connection does not exist",
    )
}

pub(super) fn conflict() -> Response {
    zis_error(StatusCode::CONFLICT, "Conflict", "Resource conflict")
}

/// What ZIS answers under `…/connections/oauth/{name}`, a route it does not have [live: the
/// text "No route"]. [guess] The documented error shape around it.
pub(super) fn no_route() -> Response {
    zis_error(StatusCode::NOT_FOUND, "NotFound", "No route")
}

/// A method the route does not take (`PUT` on an OAuth client [live]). [guess] The documented
/// error shape.
pub(super) async fn method_not_allowed() -> Response {
    zis_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "Method not allowed",
    )
}

pub(super) async fn fallback() -> Response {
    json_response(
        StatusCode::NOT_FOUND,
        json!({"error": "InvalidEndpoint", "description": "Not found"}),
    )
}

pub(super) fn bad_path(_: PathRejection) -> Response {
    validation_error(vec![(
        String::new(),
        "path is not valid UTF-8 after percent-decoding".into(),
    )])
}
