//! `POST /oauth/tokens`: the Zendesk OAuth token endpoint (authorization_code with PKCE,
//! refresh_token with rotation, client_credentials), taking a JSON or a form-encoded body.
//!
//! Codes, verifiers, tokens and the client secret go from the body straight into
//! [`SecretString`]s; nothing here logs one (a refusal logs its rule at debug level).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use super::auth::basic_pair;
use crate::sandbox::control::Shared;
use crate::sandbox::store::{CodeExchange, Issued, OAuthError, OAuthErrorKind};

/// The token request's parameters. No `Debug`: four of them are secrets.
#[derive(Default)]
struct TokenParams {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    code: Option<SecretString>,
    redirect_uri: Option<String>,
    code_verifier: Option<SecretString>,
    refresh_token: Option<SecretString>,
    scope: Option<String>,
}

fn bad_request(reason: &'static str) -> OAuthError {
    OAuthError {
        kind: OAuthErrorKind::InvalidRequest,
        reason,
    }
}

fn put<T>(slot: &mut Option<T>, value: T) -> Result<(), OAuthError> {
    if slot.is_some() {
        // RFC 6749 §3.2: a parameter must not be sent twice.
        return Err(bad_request("a parameter is given twice"));
    }
    *slot = Some(value);
    Ok(())
}

impl TokenParams {
    fn set(&mut self, key: &str, value: String) -> Result<(), OAuthError> {
        match key {
            "grant_type" => put(&mut self.grant_type, value),
            "client_id" => put(&mut self.client_id, value),
            "client_secret" => put(&mut self.client_secret, SecretString::from(value)),
            "code" => put(&mut self.code, SecretString::from(value)),
            "redirect_uri" => put(&mut self.redirect_uri, value),
            "code_verifier" => put(&mut self.code_verifier, SecretString::from(value)),
            "refresh_token" => put(&mut self.refresh_token, SecretString::from(value)),
            "scope" => put(&mut self.scope, value),
            // RFC 6749 §3.2: unknown parameters are ignored.
            _ => Ok(()),
        }
    }

    /// A JSON object (Zendesk's documented form) or `application/x-www-form-urlencoded`.
    fn parse(headers: &HeaderMap, body: &Bytes) -> Result<TokenParams, OAuthError> {
        let mut p = TokenParams::default();
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                ct.trim()
                    .to_ascii_lowercase()
                    .starts_with("application/x-www-form-urlencoded")
            });
        if form {
            for (k, v) in url::form_urlencoded::parse(body) {
                p.set(&k, v.into_owned())?;
            }
        } else {
            let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
                return Err(bad_request("body must be a JSON object or form-encoded"));
            };
            for (k, v) in map {
                let value = match v {
                    Value::Null => continue,
                    Value::String(s) => s,
                    // [guess] A numeric client_id and a scope list are taken too.
                    Value::Number(n) if k == "client_id" => n.to_string(),
                    Value::Array(a) if k == "scope" => {
                        let parts: Option<Vec<&str>> = a.iter().map(Value::as_str).collect();
                        parts
                            .ok_or_else(|| bad_request("a parameter has the wrong type"))?
                            .join(" ")
                    }
                    _ => return Err(bad_request("a parameter has the wrong type")),
                };
                p.set(&k, value)?;
            }
        }
        p.client_from_header(headers)?;
        Ok(p)
    }

    /// RFC 6749 §2.3.1: client credentials in a `Basic` header (form-encoded, then base64).
    /// [guess] Zendesk documents them in the body; the header is accepted as well.
    fn client_from_header(&mut self, headers: &HeaderMap) -> Result<(), OAuthError> {
        let Some((id, secret)) = basic_pair(headers) else {
            return Ok(());
        };
        let id = form_decode(&id);
        let secret = SecretString::from(form_decode(secret.expose_secret()));
        if self.client_secret.is_some() {
            return Err(bad_request(
                "client credentials given both in the header and the body",
            ));
        }
        match &self.client_id {
            Some(body_id) if *body_id != id => {
                return Err(bad_request(
                    "client_id differs from the Authorization header",
                ))
            }
            Some(_) => {}
            None => self.client_id = Some(id),
        }
        self.client_secret = Some(secret);
        Ok(())
    }
}

fn form_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The description Zendesk (Doorkeeper) sends with each error [guess: the texts].
fn description(e: &OAuthError) -> String {
    match e.kind {
        OAuthErrorKind::InvalidRequest => match e.reason.strip_suffix(" is required") {
            Some(param) => format!("Missing required parameter: {param}."),
            None => "The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.".into(),
        },
        OAuthErrorKind::InvalidClient => "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.".into(),
        OAuthErrorKind::InvalidGrant => "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.".into(),
        OAuthErrorKind::UnsupportedGrantType => "The authorization grant type is not supported by the authorization server.".into(),
        OAuthErrorKind::InvalidScope => "The requested scope is invalid, unknown, or malformed.".into(),
        OAuthErrorKind::ServerError => "The authorization server encountered an unexpected condition which prevented it from fulfilling the request.".into(),
    }
}

fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// `{"error", "error_description"}`: 401 for invalid_client, 500 for server_error, else 400.
pub(super) fn oauth_error(e: &OAuthError) -> Response {
    tracing::debug!(
        error = e.kind.code(),
        rule = e.reason,
        "oauth token request refused"
    );
    let status = match e.kind {
        OAuthErrorKind::InvalidClient => StatusCode::UNAUTHORIZED,
        OAuthErrorKind::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = json!({"error": e.kind.code(), "error_description": description(e)});
    let mut resp = no_store((status, axum::Json(body)).into_response());
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Zendesk\""),
        );
    }
    resp
}

fn issued_json(issued: &Issued) -> Value {
    let mut v = json!({
        "access_token": issued.access_token.expose_secret(),
        "token_type": "bearer",
        "scope": issued.scope,
        "expires_in": issued.expires_in,
    });
    if let (Some(rt), Some(rexp)) = (&issued.refresh_token, issued.refresh_expires_in) {
        v["refresh_token"] = json!(rt.expose_secret());
        v["refresh_token_expires_in"] = json!(rexp);
    }
    v
}

pub(super) async fn token_endpoint(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = match TokenParams::parse(&headers, &body) {
        Ok(p) => p,
        Err(e) => return oauth_error(&e),
    };
    let result = {
        let mut store = shared.store();
        let client_id = p.client_id.as_deref();
        let secret = p.client_secret.as_ref();
        match p.grant_type.as_deref() {
            None => Err(bad_request("grant_type is required")),
            Some("authorization_code") => store.oauth_exchange_code(CodeExchange {
                client_id,
                client_secret: secret,
                code: p.code.as_ref(),
                redirect_uri: p.redirect_uri.as_deref(),
                code_verifier: p.code_verifier.as_ref(),
            }),
            Some("refresh_token") => store.oauth_refresh(
                client_id,
                secret,
                p.refresh_token.as_ref(),
                p.scope.as_deref(),
            ),
            Some("client_credentials") => {
                store.oauth_client_credentials(client_id, secret, p.scope.as_deref())
            }
            Some(_) => Err(OAuthError {
                kind: OAuthErrorKind::UnsupportedGrantType,
                reason: "unsupported grant_type",
            }),
        }
    };
    match result {
        Ok(issued) => no_store((StatusCode::OK, axum::Json(issued_json(&issued))).into_response()),
        Err(e) => oauth_error(&e),
    }
}
