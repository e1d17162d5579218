//! The one client of the sandbox's test-support endpoints (`/_sandbox/...`): inject faults,
//! read request statistics, revoke minted tokens, and ask whether a connection holds a secret
//! (the sandbox compares; the stored value is never shown). Every test reaches them through it
//! (`tests/sandbox_http.rs`, which checks the endpoints themselves, calls them raw).
#![allow(dead_code)]

use serde_json::{json, Value};
use zisctl::sandbox::SandboxHandle;

pub struct Support {
    base_url: String,
    http: reqwest::Client,
}

impl Support {
    pub fn new(h: &SandboxHandle) -> Support {
        Support {
            base_url: h.base_url.clone(),
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Queue an injected answer for the next requests matching `spec`'s filters
    /// (`POST /_sandbox/faults`); panics if the sandbox refuses it.
    pub async fn fault(&self, spec: Value) {
        let r = self
            .http
            .post(self.url("/_sandbox/faults"))
            .json(&spec)
            .send()
            .await
            .expect("POST /_sandbox/faults");
        assert!(
            r.status().is_success(),
            "the sandbox refused the fault: {}",
            r.status()
        );
    }

    /// `GET /_sandbox/stats`.
    pub async fn stats(&self) -> Value {
        self.http
            .get(self.url("/_sandbox/stats"))
            .send()
            .await
            .expect("GET /_sandbox/stats")
            .json()
            .await
            .expect("stats JSON")
    }

    /// ZIS requests the sandbox has seen.
    pub async fn requests(&self) -> u64 {
        self.stats().await["requests"]
            .as_u64()
            .expect("stats: requests")
    }

    /// Requests with `method` the sandbox has seen.
    pub async fn requests_by(&self, method: &str) -> u64 {
        self.stats().await["by_method"][method]
            .as_u64()
            .unwrap_or(0)
    }

    /// Requests the sandbox has seen on one route (`"POST /api/.../connections/{kind}"`, as
    /// its router names it).
    pub async fn requests_to(&self, route: &str) -> u64 {
        self.stats().await["by_route"][route].as_u64().unwrap_or(0)
    }

    /// Revoke every minted token (`DELETE /_sandbox/tokens`).
    pub async fn revoke_tokens(&self) {
        let r = self
            .http
            .delete(self.url("/_sandbox/tokens"))
            .send()
            .await
            .expect("DELETE /_sandbox/tokens");
        assert!(r.status().is_success(), "revoke tokens: {}", r.status());
    }

    /// Does the sandbox hold `secret` for this connection? (It compares; the stored secret is
    /// never shown.)
    pub async fn holds(&self, integration: &str, name: &str, secret: &str) -> bool {
        let v: Value = self
            .http
            .post(self.url("/_sandbox/verify"))
            .json(&json!({"integration": integration, "name": name, "secret": secret}))
            .send()
            .await
            .expect("POST /_sandbox/verify")
            .json()
            .await
            .expect("verify answer");
        v["matches"] == Value::Bool(true)
    }

    /// The stand-in target's accounts (`GET /_sandbox/target/users`): username → how many
    /// times its password was set.
    pub async fn target_changes(&self) -> std::collections::BTreeMap<String, u64> {
        let v: Value = self
            .http
            .get(self.url("/_sandbox/target/users"))
            .send()
            .await
            .expect("GET /_sandbox/target/users")
            .json()
            .await
            .expect("users answer");
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| Some((u["username"].as_str()?.to_string(), u["changes"].as_u64()?)))
            .collect()
    }

    /// Does the stand-in target take this pair (`/_sandbox/target/check`, Basic auth: 200)?
    pub async fn target_takes(&self, username: &str, password: &str) -> bool {
        let r = self
            .http
            .get(self.url("/_sandbox/target/check"))
            .basic_auth(username, Some(password))
            .send()
            .await
            .expect("GET /_sandbox/target/check");
        r.status().as_u16() == 200
    }
}
