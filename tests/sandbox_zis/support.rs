//! Helpers of `sandbox_oauth_clients.rs` and `sandbox_bundles.rs`: a sandbox and a client that
//! reads redirects without following them, ZIS tokens minted the documented way, calls, the
//! test switches. Nothing here prints a secret.
#![allow(dead_code)]

use reqwest::{redirect, Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use zisctl::sandbox::{spawn, SandboxConfig, SandboxHandle, Seed};

pub const CONN: &str = "/api/services/zis/integrations";
pub const OAUTH: &str = "/api/services/zis/connections/oauth";

pub async fn start(config: SandboxConfig) -> (SandboxHandle, Client) {
    let h = spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let c = Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    (h, c)
}

pub async fn demo() -> (SandboxHandle, Client) {
    start(SandboxConfig::default()).await
}

pub async fn synthetic(integrations: usize, connections: usize) -> (SandboxHandle, Client) {
    start(SandboxConfig {
        seed: Seed::Synthetic {
            integrations,
            connections,
        },
        ..SandboxConfig::default()
    })
    .await
}

pub fn url(h: &SandboxHandle, path: &str) -> String {
    format!("{}{}", h.base_url, path)
}

pub async fn body_json(r: Response) -> Value {
    let text = r.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({} bytes)", text.len()))
}

pub fn first_code(v: &Value) -> String {
    v["errors"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn first_title(v: &Value) -> String {
    v["errors"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The field a validation error points at (`/name` → `name`).
pub fn pointers(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["source"]["pointer"].as_str())
                .map(|p| p.trim_start_matches('/').to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn client_id(h: &SandboxHandle, c: &Client, integration: &str) -> u64 {
    let r = c
        .get(url(h, "/api/services/zis/registry/integrations"))
        .header("Authorization", h.admin_authorization())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    body_json(r).await["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == integration)
        .unwrap_or_else(|| panic!("no integration {integration}"))["zendesk_oauth_client"]["id"]
        .as_u64()
        .unwrap()
}

/// A ZIS token for the integration's client, minted with the admin's API token [doc].
pub async fn mint(h: &SandboxHandle, c: &Client, integration: &str, scopes: &[&str]) -> String {
    let id = client_id(h, c, integration).await;
    let r = c
        .post(url(h, "/api/v2/oauth/tokens"))
        .header("Authorization", h.admin_authorization())
        .json(&json!({"token": {"client_id": id, "scopes": scopes}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    body_json(r).await["token"]["full_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An admin's OAuth token, by client credentials of the sandbox's confidential client.
pub async fn admin_bearer(h: &SandboxHandle, c: &Client) -> String {
    let r = c
        .post(url(h, "/oauth/tokens"))
        .json(&json!({"grant_type": "client_credentials",
                      "client_id": h.confidential_client_id,
                      "client_secret": h.confidential_client_secret,
                      "scope": "read"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    body_json(r).await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn call(
    h: &SandboxHandle,
    c: &Client,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let mut req = c
        .request(method, url(h, path))
        .header("Authorization", format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

/// A call and its answer: status and JSON (`Null` for an empty body).
pub async fn json_call(
    h: &SandboxHandle,
    c: &Client,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let r = call(h, c, method, path, token, body).await;
    let s = r.status();
    let text = r.text().await.unwrap();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: status {s}"))
    };
    (s, v)
}

pub async fn post_switch(h: &SandboxHandle, c: &Client, path: &str, body: Value) -> Response {
    c.post(url(h, path)).json(&body).send().await.unwrap()
}

/// Every OAuth connection of an integration, from `connections/all` (all pages).
pub async fn oauth_listed(
    h: &SandboxHandle,
    c: &Client,
    token: &str,
    integration: &str,
) -> Vec<Value> {
    all_listed(h, c, token, integration)
        .await
        .into_iter()
        .filter(|(k, _)| k == "oauth")
        .map(|(_, v)| v)
        .collect()
}

/// Every connection of an integration as `(kind, object)`, following `meta.after`.
pub async fn all_listed(
    h: &SandboxHandle,
    c: &Client,
    token: &str,
    integration: &str,
) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut query = String::new();
    loop {
        let (s, v) = json_call(
            h,
            c,
            Method::GET,
            &format!("{CONN}/{integration}/connections/all{query}"),
            token,
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        for kind in ["api_key", "basic_auth", "bearer_token", "oauth"] {
            for x in v[kind].as_array().unwrap() {
                out.push((kind.to_string(), x.clone()));
            }
        }
        match v["meta"]["after"].as_str() {
            Some(a) if v["meta"]["has_more"] == true => query = format!("?page[after]={a}"),
            _ => break,
        }
    }
    out
}

pub fn parse_ts(s: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| panic!("not RFC 3339: {s}"))
}

/// `YYYY-MM-DDThh:mm:ssZ`, the documented `token_expiry` format.
pub fn assert_expiry_format(s: &str) {
    assert!(
        s.len() == 20 && s.ends_with('Z') && &s[10..11] == "T",
        "{s}"
    );
    parse_ts(s);
}

/// A form-encoded body (the consent page's forms).
pub fn form(req: reqwest::RequestBuilder, pairs: &[(&str, &str)]) -> reqwest::RequestBuilder {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    req.header("content-type", "application/x-www-form-urlencoded")
        .body(ser.finish())
}

/// The `zisctl sandbox` binary at `RUST_LOG=trace`, its stderr (the log) in a file; stopped
/// on drop.
pub struct Binary {
    child: std::process::Child,
    pub base: String,
    pub admin_authorization: String,
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Binary {
    pub fn start(log: std::fs::File) -> Binary {
        use std::io::{BufRead as _, BufReader};
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_zisctl"))
            .args(["sandbox", "--addr", "127.0.0.1:0", "--auto-approve"])
            .env("RUST_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut base = String::new();
        let (mut email, mut token) = (String::new(), String::new());
        let stdout = child.stdout.take().unwrap();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let word = |p: &str| line.strip_prefix(p).map(|v| v.trim().to_string());
            if let Some(v) = word("zisctl sandbox listening on ") {
                base = v;
            } else if let Some(v) = word("admin email:") {
                email = v;
            } else if let Some(v) = word("admin API token:") {
                token = v.split_whitespace().next().unwrap_or_default().to_string();
            }
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        use base64::Engine as _;
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{email}/token:{token}"));
        Binary {
            child,
            base,
            admin_authorization: format!("Basic {basic}"),
        }
    }
}

// ---- OAuth clients and connections ----

pub const HR: &str = "hr_onboarding";
pub const SLACK: &str = "slack_notify";

pub fn clients_path(integration: &str) -> String {
    format!("{OAUTH}/clients/{integration}")
}

pub fn named(integration: &str, name: &str) -> String {
    format!("/api/services/zis/connections/{integration}?name={name}")
}

pub fn by_name<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|x| x["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

pub async fn clients(h: &SandboxHandle, c: &Client, tok: &str, integration: &str) -> Vec<Value> {
    let (s, v) = json_call(h, c, Method::GET, &clients_path(integration), tok, None).await;
    assert_eq!(s, StatusCode::OK);
    v["clients"].as_array().unwrap().clone()
}

pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// The value of a hidden input of the provider's consent page.
pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("the hidden field") + marker.len();
    let end = start + page[start..].find('"').expect("its end");
    page[start..end].to_string()
}
