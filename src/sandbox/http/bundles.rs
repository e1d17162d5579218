//! Bundles and job specs (the registry, read side): `GET
//! /api/services/zis/registry/{integration}/bundles` and `…/job_specs` (cursor pages, metadata
//! only), `GET …/bundles/{uuid}` (with `resources`, wrapped in `"bundle"` or bare by the shape
//! switch). Basic auth, an API token, an admin's OAuth token or a ZIS token of the integration
//! [doc]. And the test switch `POST /_sandbox/bundles`, which adds a hostile bundle.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::auth::require_registry_reader;
use super::connections::page_params;
use super::respond::{bad_path, json_response, registry_error};
use crate::sandbox::control::Shared;
use crate::sandbox::store::{
    paginate, random_uuid, Bundle, Hostile, HostileAnswer, TEMPLATE_VERSION,
};

/// Default `page[size]` of the bundles listing [doc: "Defaults to 20 records per page"]; the
/// job specs listing is taken alike [guess].
pub(crate) const REGISTRY_PAGE_DEFAULT: usize = 20;

fn registry_unauthorized() -> Response {
    registry_error(
        StatusCode::UNAUTHORIZED,
        "1001",
        "Couldn't authenticate you",
        "Unauthorized",
    )
}

/// [guess] An unknown integration: 404 in the registry's error shape.
fn integration_not_found(name: &str) -> Response {
    registry_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("integration {name} not found"),
        "Not Found",
    )
}

/// [guess] An unknown bundle: 404 in the registry's error shape.
fn bundle_not_found() -> Response {
    registry_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        "bundle not found",
        "Not Found",
    )
}

fn reader(
    shared: &Shared,
    headers: &HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<String, Response> {
    let integration = match path {
        Ok(Path(p)) => p,
        Err(e) => return Err(bad_path(e)),
    };
    require_registry_reader(shared, headers, &integration, registry_unauthorized, || {
        integration_not_found(&integration)
    })?;
    Ok(integration)
}

fn meta(has_more: bool, after: Option<String>, before: Option<String>) -> Value {
    json!({"has_more": has_more, "after": after, "before": before})
}

/// `GET …/registry/{integration}/bundles`: `{"bundles": [metadata], "meta"}`, by name.
pub(super) async fn list_bundles(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let integration = match reader(&shared, &headers, path) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let (size, from) = match page_params(query, REGISTRY_PAGE_DEFAULT) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let store = shared.store();
    let Some(integ) = store.integrations.get(&integration) else {
        return integration_not_found(&integration);
    };
    let page = paginate(&integ.bundles, size, &from);
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|b| b.listing_json(&integration))
        .collect();
    json_response(
        StatusCode::OK,
        json!({"bundles": items, "meta": meta(page.has_more, page.after, page.before)}),
    )
}

/// `GET …/registry/{integration}/job_specs`: `{"job_specs": [...], "meta"}`, by name.
pub(super) async fn list_job_specs(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let integration = match reader(&shared, &headers, path) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let (size, from) = match page_params(query, REGISTRY_PAGE_DEFAULT) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let store = shared.store();
    let Some(integ) = store.integrations.get(&integration) else {
        return integration_not_found(&integration);
    };
    let page = paginate(&integ.job_specs, size, &from);
    let items: Vec<Value> = page.items.iter().map(|j| j.to_json()).collect();
    json_response(
        StatusCode::OK,
        json!({"job_specs": items, "meta": meta(page.has_more, page.after, page.before)}),
    )
}

/// `GET …/registry/{integration}/bundles/{uuid}`: the bundle with its resources; a hostile
/// bundle answers exactly what the switch was given.
pub(super) async fn show_bundle(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    let (integration, uuid) = match path {
        Ok(Path(p)) => p,
        Err(e) => return bad_path(e),
    };
    if let Err(r) = require_registry_reader(
        &shared,
        &headers,
        &integration,
        registry_unauthorized,
        || integration_not_found(&integration),
    ) {
        return r;
    }
    let bare = shared.control().shapes.bundle_bare;
    let store = shared.store();
    let Some(bundle) = store.bundle_by_uuid(&integration, &uuid) else {
        return bundle_not_found();
    };
    if let Some(h) = &bundle.hostile {
        return match &h.answer {
            HostileAnswer::Json(v) => json_response(StatusCode::OK, v.clone()),
            HostileAnswer::Raw(text) => {
                let mut resp = (StatusCode::OK, text.clone()).into_response();
                resp.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                resp
            }
        };
    }
    let Some(v) = bundle.detail_json(&integration) else {
        return bundle_not_found();
    };
    json_response(
        StatusCode::OK,
        if bare { v } else { json!({ "bundle": v }) },
    )
}

fn sandbox_bad_request(msg: impl Into<String>) -> Response {
    json_response(StatusCode::BAD_REQUEST, json!({"error": msg.into()}))
}

/// Largest body `POST /_sandbox/bundles` takes (a 5 MB bundle and then some).
pub(crate) const HOSTILE_BODY_LIMIT: usize = 64 << 20;

/// `POST /_sandbox/bundles {"integration", "bundle": <any JSON> | "raw": "<any text>",
/// "metadata"?: {...}}` → `201 {"uuid", "name"}`: adds a bundle whose `GET …/bundles/{uuid}`
/// answers exactly `bundle` (or the text `raw`, as `application/json`), and whose listing entry
/// is `metadata` as given, with `uuid`, `name`, `integration` and `zis_template_version` added
/// where it has none. A string `metadata.uuid` is the uuid to fetch it by; a string
/// `metadata.name` replaces the bundle of that name, as an upload does.
pub(super) async fn add_hostile_bundle(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&body) else {
        return sandbox_bad_request(
            "body must be {\"integration\", \"bundle\" | \"raw\", \"metadata\"?}",
        );
    };
    let Some(Value::String(integration)) = m.remove("integration") else {
        return sandbox_bad_request("integration is required (a string)");
    };
    let answer = match (m.remove("bundle"), m.remove("raw")) {
        (Some(v), None) => HostileAnswer::Json(v),
        (None, Some(Value::String(t))) => HostileAnswer::Raw(t),
        (None, Some(_)) => return sandbox_bad_request("raw must be a string"),
        _ => return sandbox_bad_request("give exactly one of bundle and raw"),
    };
    let mut listing = match m.remove("metadata") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o,
        Some(_) => return sandbox_bad_request("metadata must be an object"),
    };
    if let Some(k) = m.keys().next() {
        return sandbox_bad_request(format!("unknown field {k}"));
    }
    let uuid = match listing.get("uuid") {
        Some(Value::String(u)) if !u.is_empty() => u.clone(),
        _ => random_uuid(),
    };
    let name = match listing.get("name") {
        Some(Value::String(n)) if !n.is_empty() => n.clone(),
        _ => format!("hostile_{}", uuid.chars().take(8).collect::<String>()),
    };
    for (k, v) in [
        ("uuid", json!(uuid)),
        ("name", json!(name)),
        ("integration", json!(integration)),
        ("zis_template_version", json!(TEMPLATE_VERSION)),
    ] {
        listing.entry(k).or_insert(v);
    }
    let mut bundle = Bundle::new(&name, "", Value::Null);
    bundle.uuid = uuid.clone();
    bundle.hostile = Some(Hostile { listing, answer });
    match shared.store().put_bundle(&integration, bundle) {
        Ok(()) => json_response(StatusCode::CREATED, json!({"uuid": uuid, "name": name})),
        Err(_) => json_response(
            StatusCode::NOT_FOUND,
            json!({"error": "no such integration"}),
        ),
    }
}
