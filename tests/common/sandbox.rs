//! Sandboxes for tests: started on the test's runtime (async tests), or on a runtime of their
//! own ([`SyncSandbox`], for the synchronous pty tests). Their test-support endpoints are
//! reached through [`Support`].
#![allow(dead_code)]
use serde_json::{json, Value};
use zisctl::sandbox::{spawn, SandboxConfig, SandboxHandle, Seed};

use super::support::Support;

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

/// Client options signed in as the sandbox's admin (API token), with short retry backoffs.
pub fn admin_options(h: &SandboxHandle) -> zisctl::zis::ClientOptions {
    let mut o = zisctl::zis::ClientOptions::new(&h.base_url);
    o.admin = Some(zisctl::zis::AdminCredentials::ApiToken {
        email: h.admin_email.clone(),
        api_token: secrecy::SecretString::from(h.admin_token.clone()),
    });
    o.backoff = std::time::Duration::from_millis(10);
    o
}

/// A client signed in as the sandbox's admin.
pub fn admin_client(h: &SandboxHandle) -> zisctl::zis::Client {
    zisctl::zis::Client::new(admin_options(h)).expect("client")
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

/// A sandbox on a runtime of its own, for tests that are not async (the pty tests).
pub struct SyncSandbox {
    pub rt: tokio::runtime::Runtime,
    pub handle: SandboxHandle,
    support: Support,
}

impl SyncSandbox {
    pub fn start(config: SandboxConfig) -> SyncSandbox {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let addr = "127.0.0.1:0".parse().expect("addr");
        let handle = rt.block_on(spawn(config, addr)).expect("sandbox");
        let support = Support::new(&handle);
        SyncSandbox {
            rt,
            handle,
            support,
        }
    }

    pub fn demo() -> SyncSandbox {
        SyncSandbox::start(SandboxConfig::default())
    }

    /// [`Support::fault`].
    pub fn inject(&self, spec: Value) {
        self.rt.block_on(self.support.fault(spec))
    }

    /// [`Support::holds`] (compares; never displays the secret).
    pub fn holds(&self, integration: &str, name: &str, secret: &str) -> bool {
        self.rt
            .block_on(self.support.holds(integration, name, secret))
    }

    /// [`Support::target_changes`].
    pub fn target_changes(&self) -> std::collections::BTreeMap<String, u64> {
        self.rt.block_on(self.support.target_changes())
    }

    /// [`Support::target_takes`] (compares; never displays the password).
    pub fn target_takes(&self, username: &str, password: &str) -> bool {
        self.rt
            .block_on(self.support.target_takes(username, password))
    }

    /// [`Support::requests_by`].
    pub fn requests_by(&self, method: &str) -> u64 {
        self.rt.block_on(self.support.requests_by(method))
    }
}
