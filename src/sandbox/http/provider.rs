//! The stand-in OAuth provider (sandbox-only, not ZIS): the consent page an authorization_code
//! flow's `redirect_url` opens, in place of the provider's `auth_url`.
//!
//! `GET /_sandbox/provider/authorize?response_type=code&client_id=…&redirect_uri=…&scope=…&state=…`
//! shows Allow and Deny forms posting to `POST /_sandbox/provider/decision`; with the sign-in's
//! auto-approve switch (`/_sandbox/oauth {"auto_approve": true}`) it approves at once. Allow
//! stores fresh tokens under the flow's connection name and sends the browser to the flow's
//! `origin_oauth_redirect_url`; Deny sends it there with `error=access_denied` and changes
//! nothing [guess: ZIS's own callback step is folded into the decision]. `state` is the flow's
//! one-time token: an answered or expired flow gets a 400 page.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::consent::{escape, get, html, page, pairs, redirect};
use crate::sandbox::control::Shared;
use crate::sandbox::store::{FlowError, GrantType, PendingFlow, Store};

fn problem_page(status: StatusCode, why: &str) -> Response {
    page(
        status,
        html(
            "OAuth request refused · zisctl sandbox",
            &format!(
                "<h1>This authorization request cannot go on</h1>\n<p>{}.</p>\n\
                 <p class=\"note\">zisctl sandbox: a stand-in for an OAuth provider, not a real one.</p>\n",
                escape(why)
            ),
        ),
    )
}

fn expired() -> Response {
    problem_page(
        StatusCode::BAD_REQUEST,
        "this authorization request has expired or was already answered: start the OAuth flow again",
    )
}

/// `302 Location: {origin}`, exactly as the flow gave it (checked as a URL at the start).
fn back_to(origin: &str) -> Response {
    let mut resp = StatusCode::FOUND.into_response();
    match HeaderValue::from_str(origin) {
        Ok(v) => {
            resp.headers_mut().insert(header::LOCATION, v);
        }
        Err(_) => return problem_page(StatusCode::BAD_REQUEST, "the origin URL is not sendable"),
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Writes the connection and sends the browser back to the flow's origin.
fn approve(store: &mut Store, flow: &PendingFlow) -> Response {
    let origin = flow.origin.clone().unwrap_or_default();
    match store.finish_flow(flow) {
        Ok(done) => {
            tracing::debug!(created = done.created, "oauth connection authorised");
            back_to(&origin)
        }
        Err(FlowError::ClientGone) => problem_page(
            StatusCode::NOT_FOUND,
            "the OAuth client of this flow was deleted meanwhile",
        ),
        Err(FlowError::Conflict) => problem_page(
            StatusCode::CONFLICT,
            "a connection of another kind now holds this name",
        ),
        Err(FlowError::NoIntegration) => {
            problem_page(StatusCode::BAD_REQUEST, "the integration does not exist")
        }
    }
}

/// The waiting authorization_code flow a `state` stands for.
fn waiting(store: &mut Store, state: Option<&str>) -> Option<PendingFlow> {
    let f = store.peek_flow(state?)?;
    (f.grant == GrantType::AuthorizationCode).then(|| f.clone())
}

pub(super) async fn provider_authorize(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(p) = pairs(query.unwrap_or_default().as_bytes()) else {
        return problem_page(StatusCode::BAD_REQUEST, "a parameter is given twice");
    };
    let state = get(&p, "state");
    let mut store = shared.store();
    let Some(flow) = waiting(&mut store, state) else {
        return expired();
    };
    if store.oauth.settings.auto_approve {
        if let Some(token) = state {
            store.take_flow(token);
        }
        return approve(&mut store, &flow);
    }
    let client = store.integrations.get(&flow.integration).and_then(|i| {
        i.oauth_clients
            .values()
            .find(|c| c.uuid == flow.client_uuid)
    });
    let (client_name, auth_url) = client.map_or((String::new(), String::new()), |c| {
        (c.name.clone(), c.auth_url.clone().unwrap_or_default())
    });
    let form = |value: &str, label: &str| {
        format!(
            "<form method=\"post\" action=\"/_sandbox/provider/decision\">\n\
             <input type=\"hidden\" name=\"state\" value=\"{}\">\n\
             <button type=\"submit\" name=\"decision\" value=\"{value}\" class=\"{value}\">{label}</button>\n</form>\n",
            escape(state.unwrap_or_default())
        )
    };
    let scopes: Vec<String> = flow
        .scopes
        .split_whitespace()
        .map(|s| format!("<code>{}</code>", escape(s)))
        .collect();
    let body = html(
        "Authorize? · zisctl sandbox provider",
        &format!(
            "<h1>Allow the ZIS integration {integ} to use your {client} account?</h1>\n\
             <p>Connection: <code>{name}</code></p>\n\
             <p>Scopes asked for: {scopes}</p>\n\
             <p>Afterwards your browser goes back to <code>{origin}</code>.</p>\n\
             <div class=\"buttons\">\n{allow}{deny}</div>\n\
             <p class=\"note\">zisctl sandbox: a stand-in for the provider's page at <code>{auth}</code>. \
             Tests skip it with the auto-approve switch.</p>\n",
            integ = escape(&flow.integration),
            client = escape(&client_name),
            name = escape(&flow.name),
            scopes = if scopes.is_empty() {
                "(none)".to_string()
            } else {
                scopes.join(" ")
            },
            origin = escape(flow.origin.as_deref().unwrap_or_default()),
            auth = escape(&auth_url),
            allow = form("allow", "Allow"),
            deny = form("deny", "Deny"),
        ),
    );
    page(StatusCode::OK, body)
}

/// The consent form's answer: `state` and `decision=allow|deny`.
pub(super) async fn provider_decision(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(p) = pairs(&body) else {
        return problem_page(StatusCode::BAD_REQUEST, "a parameter is given twice");
    };
    let decision = get(&p, "decision");
    if !matches!(decision, Some("allow" | "deny")) {
        return problem_page(StatusCode::BAD_REQUEST, "decision must be allow or deny");
    }
    let state = get(&p, "state");
    let mut store = shared.store();
    let Some(flow) = waiting(&mut store, state) else {
        return expired();
    };
    if let Some(token) = state {
        store.take_flow(token);
    }
    if decision == Some("allow") {
        return approve(&mut store, &flow);
    }
    redirect(
        flow.origin.as_deref().unwrap_or_default(),
        &[
            ("error", "access_denied"),
            (
                "error_description",
                "The resource owner denied the request.",
            ),
        ],
        None,
    )
}
