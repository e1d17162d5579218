//! Helpers of `sandbox_oauth.rs`: a sandbox with a client that reads redirects, PKCE, the
//! authorization URL, the token endpoint, the consent page's forms, switches and counters.

use base64::Engine as _;
use reqwest::{redirect, Client, Response, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use zisctl::sandbox::{spawn, OAuthConfig, SandboxConfig, SandboxHandle};

pub const REDIRECT: &str = "http://127.0.0.1:8765/callback";
pub const VERIFIER: &str = "a-verifier-of-forty-three-or-more-characters-0123456789";
pub const CONN: &str = "/api/services/zis/integrations";

pub async fn start(oauth: OAuthConfig) -> (SandboxHandle, Client) {
    let config = SandboxConfig {
        oauth,
        ..SandboxConfig::default()
    };
    let h = spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    // The browser and the client both: redirects are read, never followed.
    let c = Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    (h, c)
}

pub async fn auto() -> (SandboxHandle, Client) {
    start(OAuthConfig {
        auto_approve: true,
        ..OAuthConfig::default()
    })
    .await
}

pub fn url(h: &SandboxHandle, path: &str) -> String {
    format!("{}{}", h.base_url, path)
}

pub async fn body_json(r: Response) -> Value {
    let text = r.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("the answer is not JSON"))
}

pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn authorize_url(h: &SandboxHandle, client_id: &str, state: &str, verifier: &str) -> String {
    let mut u = url::Url::parse(&url(h, "/oauth/authorizations/new")).unwrap();
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "read write")
        .append_pair("state", state)
        .append_pair("code_challenge", &challenge(verifier))
        .append_pair("code_challenge_method", "S256");
    u.to_string()
}

/// The query of a 302 to the loopback redirect, as pairs.
pub fn redirected(r: &Response) -> Vec<(String, String)> {
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = r.headers()["location"].to_str().unwrap();
    assert!(loc.starts_with(REDIRECT), "redirected elsewhere");
    let u = url::Url::parse(loc).unwrap();
    u.query_pairs().map(|(k, v)| (k.into(), v.into())).collect()
}

/// A form-encoded body (reqwest's `form` feature is off).
pub fn form<K: AsRef<str>, V: AsRef<str>>(
    req: reqwest::RequestBuilder,
    pairs: &[(K, V)],
) -> reqwest::RequestBuilder {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k.as_ref(), v.as_ref());
    }
    req.header("content-type", "application/x-www-form-urlencoded")
        .body(ser.finish())
}

pub fn param<'a>(q: &'a [(String, String)], key: &str) -> Option<&'a str> {
    q.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// GET the authorization URL with auto-approve on: the code, checked against `state`.
pub async fn code(h: &SandboxHandle, c: &Client, state: &str) -> String {
    let r = c
        .get(authorize_url(h, &h.public_client_id, state, VERIFIER))
        .send()
        .await
        .unwrap();
    let q = redirected(&r);
    assert_eq!(param(&q, "state"), Some(state));
    param(&q, "code").expect("a code").to_string()
}

pub async fn token(h: &SandboxHandle, c: &Client, body: Value) -> (StatusCode, Value) {
    let r = c
        .post(url(h, "/oauth/tokens"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, body_json(r).await)
}

pub async fn exchange(
    h: &SandboxHandle,
    c: &Client,
    code: &str,
    verifier: &str,
) -> (StatusCode, Value) {
    token(
        h,
        c,
        json!({"grant_type": "authorization_code", "code": code, "client_id": h.public_client_id,
               "redirect_uri": REDIRECT, "code_verifier": verifier}),
    )
    .await
}

/// A full sign-in: the access and refresh tokens.
pub async fn sign_in(h: &SandboxHandle, c: &Client) -> (String, String) {
    let code = code(h, c, "s1").await;
    let (status, v) = exchange(h, c, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
    let s = |k: &str| v[k].as_str().expect(k).to_string();
    (s("access_token"), s("refresh_token"))
}

pub async fn oauth_switch(h: &SandboxHandle, c: &Client, body: Value) -> Value {
    let r = c
        .post(url(h, "/_sandbox/oauth"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    body_json(r).await
}

pub async fn counters(h: &SandboxHandle, c: &Client) -> Value {
    body_json(c.get(url(h, "/_sandbox/oauth")).send().await.unwrap()).await
}

pub async fn get_bearer(h: &SandboxHandle, c: &Client, path: &str, tok: &str) -> Response {
    c.get(url(h, path)).bearer_auth(tok).send().await.unwrap()
}

pub async fn assert_invalid_token(r: Response) {
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_json(r).await["error"], "invalid_token");
}

pub fn error_of(v: &Value) -> &str {
    v["error"].as_str().unwrap_or_default()
}

/// The consent page's forms: (decision, [(name, value)]) each.
pub fn forms(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let attr = |tag: &str, name: &str| {
        let key = format!("{name}=\"");
        let from = tag.find(&key)? + key.len();
        let len = tag[from..].find('"')?;
        Some(
            tag[from..from + len]
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        )
    };
    let mut out = Vec::new();
    for form in html.split("<form").skip(1) {
        let form = &form[..form.find("</form>").expect("a closed form")];
        assert!(form.contains("action=\"/oauth/authorizations/decision\""));
        let mut fields = Vec::new();
        for input in form.split("<input").skip(1) {
            let tag = &input[..input.find('>').unwrap()];
            fields.push((attr(tag, "name").unwrap(), attr(tag, "value").unwrap()));
        }
        let button = &form[form.find("<button").expect("a button")..];
        out.push((attr(button, "value").unwrap(), fields));
    }
    out
}

pub async fn consent_forms(
    h: &SandboxHandle,
    c: &Client,
    state: &str,
) -> Vec<(String, Vec<(String, String)>)> {
    let r = c
        .get(authorize_url(h, &h.public_client_id, state, VERIFIER))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("Sandbox Admin") && html.contains("<code>write</code>"));
    assert!(!html.contains("<script"), "the state is escaped");
    forms(&html)
}

/// POSTs a consent form to the sandbox at `base` with `decision`.
pub async fn decide_at(
    c: &Client,
    base: &str,
    fields: &[(String, String)],
    decision: &str,
) -> Response {
    let mut all = fields.to_vec();
    all.push(("decision".into(), decision.into()));
    form(
        c.post(format!("{base}/oauth/authorizations/decision")),
        &all,
    )
    .send()
    .await
    .unwrap()
}

pub async fn decide(
    h: &SandboxHandle,
    c: &Client,
    fields: &[(String, String)],
    decision: &str,
) -> Response {
    decide_at(c, &h.base_url, fields, decision).await
}

pub async fn mint_with(h: &SandboxHandle, c: &Client, bearer: &str, integration: &str) -> Value {
    let list =
        body_json(get_bearer(h, c, "/api/services/zis/registry/integrations", bearer).await).await;
    let id = list["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == integration)
        .unwrap()["zendesk_oauth_client"]["id"]
        .clone();
    let r = c
        .post(url(h, "/api/v2/oauth/tokens"))
        .bearer_auth(bearer)
        .json(&json!({"token": {"client_id": id, "scopes": ["read", "write"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    body_json(r).await
}

pub fn connections_all(integration: &str) -> String {
    format!("{CONN}/{integration}/connections/all")
}

/// The sandbox process this test started, stopped (by its own handle) however the test ends.
pub struct Stop(pub std::process::Child);

impl Drop for Stop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `zisctl sandbox --addr 127.0.0.1:0 ARGS…` and reads what it prints up to "Press
/// Ctrl-C"; `RUST_LOG=trace` with stderr in `log` when one is given.
pub fn run_sandbox(args: &[&str], log: Option<std::fs::File>) -> (Stop, String) {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zisctl"));
    cmd.args(["sandbox", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped());
    match log {
        Some(f) => cmd.env("RUST_LOG", "trace").stderr(f),
        None => cmd.stderr(Stdio::null()),
    };
    let mut child = Stop(cmd.spawn().unwrap());
    let mut text = String::new();
    for line in BufReader::new(child.0.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        text.push_str(&line);
        text.push('\n');
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    (child, text)
}

/// The first word after `prefix` on the line that starts with it.
pub fn printed(text: &str, prefix: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|v| v.split_whitespace().next().unwrap_or_default().to_string())
}

/// Against the sandbox at `base`: consent, exchange, refresh, a refused reuse, client
/// credentials, minting and a connections call. Returns every secret value that went by.
pub async fn every_secret_once(c: &Client, base: &str, client_secret: &str) -> Vec<String> {
    let post = |path: &str, body: Value| c.post(format!("{base}{path}")).json(&body).send();
    let state = "state-canary-0123456789";
    let mut u = url::Url::parse(&format!("{base}/oauth/authorizations/new")).unwrap();
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", "zisctl_sandbox_public")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "read write")
        .append_pair("state", state)
        .append_pair("code_challenge", &challenge(VERIFIER))
        .append_pair("code_challenge_method", "S256");
    // Through the consent page, as a browser.
    let html = c
        .get(u.as_str())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let fields = forms(&html).remove(0).1;
    let form_token = param(&fields, "authenticity_token").unwrap().to_string();
    let r = decide_at(c, base, &fields, "allow").await;
    let code = param(&redirected(&r), "code").unwrap().to_string();
    let v = body_json(
        post(
            "/oauth/tokens",
            json!({"grant_type": "authorization_code", "code": code,
                   "client_id": "zisctl_sandbox_public", "redirect_uri": REDIRECT,
                   "code_verifier": VERIFIER}),
        )
        .await
        .unwrap(),
    )
    .await;
    let refresh = v["refresh_token"].as_str().unwrap().to_string();
    let v2 = body_json(
        post(
            "/oauth/tokens",
            json!({"grant_type": "refresh_token", "refresh_token": refresh,
                   "client_id": "zisctl_sandbox_public"}),
        )
        .await
        .unwrap(),
    )
    .await;
    let access = v2["access_token"].as_str().unwrap().to_string();
    // A refused reuse, a client-credentials token, a minted ZIS token used once.
    post(
        "/oauth/tokens",
        json!({"grant_type": "refresh_token", "refresh_token": refresh,
               "client_id": "zisctl_sandbox_public"}),
    )
    .await
    .unwrap();
    let cc = body_json(
        post(
            "/oauth/tokens",
            json!({"grant_type": "client_credentials", "client_id": "zisctl_sandbox_confidential",
                   "client_secret": client_secret, "scope": "read write"}),
        )
        .await
        .unwrap(),
    )
    .await;
    let list = c
        .get(format!("{base}/api/services/zis/registry/integrations"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let integration = "acme_crm_sync";
    let list = body_json(list).await;
    let id = list["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == integration)
        .unwrap()["zendesk_oauth_client"]["id"]
        .clone();
    let minted = c
        .post(format!("{base}/api/v2/oauth/tokens"))
        .bearer_auth(&access)
        .json(&json!({"token": {"client_id": id, "scopes": ["read"]}}))
        .send()
        .await
        .unwrap();
    let zis = body_json(minted).await["token"]["full_token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c
        .get(format!("{base}{CONN}/{integration}/connections/all"))
        .bearer_auth(&zis)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    vec![
        code,
        form_token,
        VERIFIER.to_string(),
        v["access_token"].as_str().unwrap().to_string(),
        refresh,
        access,
        v2["refresh_token"].as_str().unwrap().to_string(),
        cc["access_token"].as_str().unwrap().to_string(),
        zis,
        client_secret.to_string(),
        state.to_string(),
    ]
}
