//! `GET /oauth/authorizations/new` and `POST /oauth/authorizations/decision`: the authorization
//! endpoint, with a small consent page (Allow / Deny) or, when the auto-approve switch is on,
//! a code at once.
//!
//! Errors follow RFC 6749 §4.1.2.1: a bad `client_id` or `redirect_uri` gets a 400 page (the
//! browser is never sent to an unchecked address); every other error is sent back to the
//! `redirect_uri` as `error=…&state=…`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::sandbox::control::Shared;
use crate::sandbox::store::{parse_scopes, AuthRequest, OAuthState, Store};

/// What a request failed on.
pub(super) enum AuthorizeError {
    /// Shown on a 400 page: the redirect is not safe to use.
    Page(&'static str),
    /// Sent back to the client.
    Redirect {
        uri: String,
        state: Option<String>,
        error: &'static str,
        description: &'static str,
    },
}

/// The query (or form) pairs; a parameter given twice is refused (RFC 6749 §3.1).
pub(super) fn pairs(raw: &[u8]) -> Result<Vec<(String, String)>, AuthorizeError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        if out.iter().any(|(o, _)| *o == k) {
            return Err(AuthorizeError::Page("a parameter is given twice"));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

pub(super) fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// [guess] Zendesk matches a client's registered redirect URLs exactly; the sandbox's two
/// clients stand registered for every loopback URL: `http(s)://127.0.0.1:PORT/…` or
/// `http(s)://localhost:PORT/…`, with no user info and no fragment.
fn loopback_redirect(uri: &str) -> bool {
    let Ok(u) = url::Url::parse(uri) else {
        return false;
    };
    let host_ok = match u.host() {
        Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        _ => false,
    };
    matches!(u.scheme(), "http" | "https")
        && host_ok
        && u.username().is_empty()
        && u.password().is_none()
        && u.fragment().is_none()
}

/// Base64url without padding, 43 characters: what S256 makes.
fn valid_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn validate(oauth: &OAuthState, p: &[(String, String)]) -> Result<AuthRequest, AuthorizeError> {
    let client_id = get(p, "client_id").ok_or(AuthorizeError::Page("client_id is missing"))?;
    let client = oauth.client(client_id).ok_or(AuthorizeError::Page(
        "there is no OAuth client with this client_id in this account",
    ))?;
    let uri = get(p, "redirect_uri").ok_or(AuthorizeError::Page("redirect_uri is missing"))?;
    if !loopback_redirect(uri) {
        return Err(AuthorizeError::Page(
            "redirect_uri is not a redirect URL of this client (the sandbox's clients take \
             http://127.0.0.1:PORT/... and http://localhost:PORT/...)",
        ));
    }
    let state = get(p, "state").map(str::to_string);
    let back = |error: &'static str, description: &'static str| AuthorizeError::Redirect {
        uri: uri.to_string(),
        state: state.clone(),
        error,
        description,
    };
    if get(p, "response_type") != Some("code") {
        return Err(back(
            "unsupported_response_type",
            "The authorization server does not support this response type.",
        ));
    }
    // [guess] Zendesk requires a scope.
    let scopes = get(p, "scope").and_then(parse_scopes).ok_or_else(|| {
        back(
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
        )
    })?;
    let challenge = get(p, "code_challenge");
    let method = get(p, "code_challenge_method");
    let challenge = match (challenge, method) {
        (None, None) if client.secret.is_some() => None,
        (None, _) => {
            return Err(back(
                "invalid_request",
                "Public clients must use PKCE: code_challenge is required.",
            ))
        }
        // [guess] Zendesk supports S256 only (no `plain`, and no default to it).
        (Some(_), m) if m != Some("S256") => {
            return Err(back(
                "invalid_request",
                "code_challenge_method must be S256.",
            ))
        }
        (Some(c), _) if !valid_challenge(c) => {
            return Err(back(
                "invalid_request",
                "code_challenge must be 43 characters of base64url (S256).",
            ))
        }
        (Some(c), _) => Some(c.to_string()),
    };
    Ok(AuthRequest {
        client: client.identifier,
        redirect_uri: uri.to_string(),
        scopes,
        state,
        challenge,
    })
}

/// `302 Location: redirect_uri?k=v&…&state=…` (state last, and only if the request had one).
pub(super) fn redirect(uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    let Ok(mut u) = url::Url::parse(uri) else {
        return page(
            StatusCode::BAD_REQUEST,
            error_body("redirect_uri is not a URL"),
        );
    };
    {
        let mut q = u.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(u.as_str()) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn fail(e: AuthorizeError) -> Response {
    match e {
        AuthorizeError::Page(why) => page(StatusCode::BAD_REQUEST, error_body(why)),
        AuthorizeError::Redirect {
            uri,
            state,
            error,
            description,
        } => redirect(
            &uri,
            &[("error", error), ("error_description", description)],
            state.as_deref(),
        ),
    }
}

fn approve(store: &mut Store, req: AuthRequest) -> Response {
    match store.oauth_issue_code(req.clone()) {
        Ok(code) => redirect(&req.redirect_uri, &[("code", &code)], req.state.as_deref()),
        Err(_) => redirect(
            &req.redirect_uri,
            &[("error", "server_error")],
            req.state.as_deref(),
        ),
    }
}

pub(super) async fn authorize(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    let p = match pairs(query.unwrap_or_default().as_bytes()) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let mut store = shared.store();
    let req = match validate(&store.oauth, &p) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if store.oauth.settings.auto_approve {
        return approve(&mut store, req);
    }
    let Some(form_token) = store.oauth_consent_form(req.clone()) else {
        return page(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body("the OS random source failed"),
        );
    };
    let user = store.oauth.settings.user;
    let client_name = store.oauth.client(req.client).map_or("", |c| c.name);
    let body = consent_body(&req, &p, client_name, user, &form_token);
    page(StatusCode::OK, body)
}

/// The consent form's answer: the request again (hidden fields), the form's one-time
/// `authenticity_token` [guess: Zendesk's forms carry one], and `decision=allow|deny`.
pub(super) async fn decision(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let p = match pairs(&body) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let mut store = shared.store();
    let req = match validate(&store.oauth, &p) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let token = get(&p, "authenticity_token").unwrap_or_default();
    if !store.oauth_take_consent(token, &req) {
        return page(
            StatusCode::BAD_REQUEST,
            error_body(
                "this consent form has expired or was already answered: start the sign-in again",
            ),
        );
    }
    match get(&p, "decision") {
        Some("allow") => approve(&mut store, req),
        Some("deny") => redirect(
            &req.redirect_uri,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "The resource owner or authorization server denied the request.",
                ),
            ],
            req.state.as_deref(),
        ),
        _ => page(
            StatusCode::BAD_REQUEST,
            error_body("decision must be allow or deny"),
        ),
    }
}

// ---- the pages ----

pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push_str(&format!("&#{};", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f5f5f4;color:#1c1917;margin:0}\
main{max-width:32rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;\
box-shadow:0 1px 3px #0002}h1{font-size:1.3rem;margin-top:0}code{background:#f0efed;padding:0 .25rem}\
.buttons{display:flex;gap:1rem;margin:1.5rem 0}button{font-size:1rem;padding:.5rem 1.5rem;\
border-radius:.3rem;border:1px solid #a8a29e;background:#fff;cursor:pointer}\
button.allow{background:#17494d;color:#fff;border-color:#17494d}.note{color:#57534e;font-size:.85rem}";

pub(super) fn html(title: &str, main: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main>\n{main}</main>\n</body>\n</html>\n",
        escape(title)
    )
}

fn error_body(why: &str) -> String {
    html(
        "Sign-in request refused · zisctl sandbox",
        &format!(
            "<h1>This sign-in request cannot go on</h1>\n<p>{}.</p>\n\
             <p class=\"note\">zisctl sandbox: a ZIS-compatible server for trying zisctl, not Zendesk.</p>\n",
            escape(why)
        ),
    )
}

/// The hidden fields: every request parameter the form must carry back.
fn hidden_fields(p: &[(String, String)], form_token: &str) -> String {
    const CARRIED: [&str; 7] = [
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ];
    let mut out = String::new();
    for key in CARRIED {
        if let Some(v) = get(p, key) {
            out.push_str(&format!(
                "<input type=\"hidden\" name=\"{key}\" value=\"{}\">\n",
                escape(v)
            ));
        }
    }
    out.push_str(&format!(
        "<input type=\"hidden\" name=\"authenticity_token\" value=\"{form_token}\">\n"
    ));
    out
}

fn consent_body(
    req: &AuthRequest,
    p: &[(String, String)],
    client_name: &str,
    user: crate::sandbox::store::User,
    form_token: &str,
) -> String {
    let fields = hidden_fields(p, form_token);
    let form = |value: &str, label: &str| {
        format!(
            "<form method=\"post\" action=\"/oauth/authorizations/decision\">\n{fields}\
             <button type=\"submit\" name=\"decision\" value=\"{value}\" class=\"{value}\">{label}</button>\n</form>\n"
        )
    };
    let scopes: Vec<String> = req
        .scopes
        .iter()
        .map(|s| format!("<code>{}</code>", escape(s)))
        .collect();
    html(
        "Allow access? · zisctl sandbox",
        &format!(
            "<h1>Allow {client} to use your account?</h1>\n\
             <p>Signed in as <strong>{name} &lt;{email}&gt;</strong> ({role}).</p>\n\
             <p>Scopes asked for: {scopes}</p>\n\
             <p>Afterwards your browser goes back to <code>{uri}</code>.</p>\n\
             <div class=\"buttons\">\n{allow}{deny}</div>\n\
             <p class=\"note\">zisctl sandbox: a ZIS-compatible server for trying zisctl, not Zendesk. \
             Tests skip this page with the auto-approve switch.</p>\n",
            client = escape(client_name),
            name = escape(user.name()),
            email = escape(user.email()),
            role = escape(user.role()),
            scopes = scopes.join(" "),
            uri = escape(&req.redirect_uri),
            allow = form("allow", "Allow"),
            deny = form("deny", "Deny"),
        ),
    )
}

pub(super) fn page(status: StatusCode, body: String) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_redirects() {
        for ok in [
            "http://127.0.0.1:8765/callback",
            "http://localhost:1/",
            "https://LOCALHOST/cb?x=1",
        ] {
            assert!(loopback_redirect(ok), "{ok}");
        }
        for bad in [
            "http://127.0.0.1.evil.example/cb",
            "http://localhost.evil.example/cb",
            "http://user@127.0.0.1/cb",
            "http://127.0.0.1/cb#frag",
            "http://[::1]:8765/cb",
            "http://127.0.0.2/cb",
            "ftp://127.0.0.1/cb",
            "/callback",
        ] {
            assert!(!loopback_redirect(bad), "{bad}");
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a\"<b>&'\n"), "a&quot;&lt;b&gt;&amp;&#39;&#10;");
        assert!(valid_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!valid_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="
        ));
    }
}
