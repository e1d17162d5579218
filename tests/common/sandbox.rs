//! Helpers to drive the sandbox's test-support endpoints (`/_sandbox/...`).
#![allow(dead_code)]
use serde_json::{json, Value};
use zisctl::sandbox::{spawn, SandboxConfig, SandboxHandle, Seed};

pub async fn start(seed: Seed) -> SandboxHandle {
    let cfg = SandboxConfig {
        seed,
        ..SandboxConfig::default()
    };
    spawn(cfg, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

pub async fn demo() -> SandboxHandle {
    start(Seed::Demo).await
}

/// Queue an injected answer for the next `count` requests matching `spec`'s filters.
pub async fn inject(h: &SandboxHandle, spec: Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/faults", h.base_url))
        .json(&spec)
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "fault injection refused: {}",
        r.status()
    );
}

pub async fn stats(h: &SandboxHandle) -> Value {
    reqwest::Client::new()
        .get(format!("{}/_sandbox/stats", h.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

pub async fn requests(h: &SandboxHandle) -> u64 {
    stats(h).await["requests"].as_u64().unwrap()
}

/// Does the sandbox hold `secret` for this connection? (compares, never displays)
pub async fn holds(h: &SandboxHandle, integration: &str, name: &str, secret: &str) -> bool {
    let v: Value = reqwest::Client::new()
        .post(format!("{}/_sandbox/verify", h.base_url))
        .json(&json!({"integration": integration, "name": name, "secret": secret}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["matches"].as_bool().unwrap_or(false)
}

/// Mint a token with the given scopes straight from the sandbox (not through the client).
pub async fn raw_token(h: &SandboxHandle, integration: &str, scopes: &[&str]) -> String {
    let c = reqwest::Client::new();
    let v: Value = c
        .get(format!(
            "{}/api/services/zis/registry/integrations",
            h.base_url
        ))
        .header("Authorization", h.admin_authorization())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == integration)
        .unwrap()["zendesk_oauth_client"]["id"]
        .as_u64()
        .unwrap();
    let v: Value = c
        .post(format!("{}/api/v2/oauth/tokens", h.base_url))
        .header("Authorization", h.admin_authorization())
        .json(&json!({"token": {"client_id": id, "scopes": scopes}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"]["full_token"].as_str().unwrap().to_string()
}
