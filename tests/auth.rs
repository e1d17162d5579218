//! Signing in without API tokens (issue 10), end to end: the real binary against the real
//! sandbox, the test playing the browser (it GETs the authorization URL the binary prints,
//! and follows the redirect to the binary's loopback listener).
//!
//! Tokens go to the real kernel keyring (`ZISCTL_TOKEN_STORE=keyring`) or to the 0600 file
//! (`=file`); each test's sandbox has its own port, and the store keys entries by profile and
//! account (host:port), so tests in parallel never share one. Keyring tests sign out (or
//! wipe their keys) when they end.
#![cfg(target_os = "linux")]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::cli_support::{Env, Out};
use common::leak::{self, assert_absent, Canary};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use zisctl::sandbox::{OAuthConfig, SandboxConfig, Seed};

const CRM: &str = "acme_crm_sync";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum StoreKind {
    Keyring,
    File,
}

fn auto() -> OAuthConfig {
    OAuthConfig {
        auto_approve: true,
        ..OAuthConfig::default()
    }
}

/// A sandbox with these OAuth settings and a child environment that keeps its tokens in
/// `store`. The guard wipes what the test left in the kernel keyring.
async fn env_with(config: SandboxConfig, store: StoreKind) -> (Env, Wipe) {
    let mut env = Env::start(config).await;
    env.vars.push((
        "ZISCTL_TOKEN_STORE".into(),
        match store {
            StoreKind::Keyring => "keyring".into(),
            StoreKind::File => "file".into(),
        },
    ));
    let wipe = Wipe(auth_dir(&env));
    (env, wipe)
}

async fn oauth_env(oauth: OAuthConfig, store: StoreKind) -> (Env, Wipe) {
    env_with(
        SandboxConfig {
            oauth,
            ..SandboxConfig::default()
        },
        store,
    )
    .await
}

/// No API token in the child's environment (an empty value is no value).
fn without_api_token(env: &mut Env) {
    env.vars.push(("ZENDESK_API_TOKEN".into(), String::new()));
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn oauth_state(env: &Env) -> Value {
    browser()
        .get(format!("{}/_sandbox/oauth", env.sb.base_url))
        .send()
        .await
        .expect("GET /_sandbox/oauth")
        .json()
        .await
        .expect("JSON")
}

async fn set_oauth(env: &Env, body: Value) {
    let r = browser()
        .post(format!("{}/_sandbox/oauth", env.sb.base_url))
        .json(&body)
        .send()
        .await
        .expect("POST /_sandbox/oauth");
    assert!(r.status().is_success(), "switches refused: {}", r.status());
}

fn count(v: &Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_else(|| panic!("no counter {k}"))
}

/// Requests per route the sandbox has seen.
async fn route_count(env: &Env, route: &str) -> u64 {
    env.support.stats().await["by_route"][route]
        .as_u64()
        .unwrap_or(0)
}

// ----- the browser ------------------------------------------------------------------------------

/// `auth login` under way: its authorization URL read from stderr.
struct Login {
    child: tokio::process::Child,
    url: String,
    head: String,
    rest: tokio::task::JoinHandle<String>,
}

impl Login {
    async fn start(env: &Env, extra: &[&str]) -> Login {
        let mut args = vec![
            "auth",
            "login",
            "--no-browser",
            "--port",
            "0",
            "--client-id",
            &env.sb.public_client_id,
        ];
        args.extend_from_slice(extra);
        let mut c = env.command(&args);
        c.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn zisctl auth login");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let mut head = String::new();
        let url = loop {
            let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
                .await
                .expect("the URL within 30 s")
                .expect("stderr")
                .unwrap_or_else(|| panic!("auth login ended before the URL: {head}"));
            head.push_str(&line);
            head.push('\n');
            // The URL is on a line of its own, starting with the base URL.
            if line.starts_with(&env.sb.base_url) {
                break line;
            }
        };
        let rest = tokio::spawn(async move {
            let mut s = String::new();
            while let Ok(Some(l)) = lines.next_line().await {
                s.push_str(&l);
                s.push('\n');
            }
            s
        });
        Login {
            child,
            url,
            head,
            rest,
        }
    }

    fn param(&self, key: &str) -> String {
        let u = url::Url::parse(&self.url).expect("the URL parses");
        u.query_pairs()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no {key} in the authorization URL"))
    }

    /// GET the authorization URL (auto-approve on): the sandbox's 302 to the loopback.
    async fn approve(&self) -> String {
        let r = browser()
            .get(&self.url)
            .send()
            .await
            .expect("GET authorize");
        assert_eq!(r.status().as_u16(), 302, "the sandbox redirects");
        let loc = r.headers()["location"]
            .to_str()
            .expect("location")
            .to_string();
        assert!(
            loc.starts_with(&self.param("redirect_uri")),
            "redirected to the loopback redirect_uri"
        );
        loc
    }

    /// The browser comes back to the loopback listener with `location`.
    async fn come_back(&self, location: &str) -> reqwest::Response {
        browser()
            .get(location)
            .send()
            .await
            .expect("GET the loopback callback")
    }

    async fn finish(mut self) -> Out {
        let status = tokio::time::timeout(Duration::from_secs(40), self.child.wait())
            .await
            .expect("auth login ends within 40 s")
            .expect("wait");
        let mut stdout = String::new();
        if let Some(mut o) = self.child.stdout.take() {
            let _ = o.read_to_string(&mut stdout).await;
        }
        let rest = self.rest.await.unwrap_or_default();
        Out {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr: format!("{}{rest}", self.head),
        }
    }
}

/// `auth login` with the browser approving at once.
async fn login(env: &Env) -> Out {
    let l = Login::start(env, &[]).await;
    let loc = l.approve().await;
    let page = l.come_back(&loc).await;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap_or_default();
    assert!(
        html.contains("close this tab"),
        "the browser is told it is done"
    );
    let o = l.finish().await;
    assert_eq!(o.code, 0, "auth login: {}", o.stderr);
    o
}

// ----- what the store holds -------------------------------------------------------------------

fn auth_dir(env: &Env) -> PathBuf {
    env.dir.path().join("xdg-data").join("zisctl").join("auth")
}

fn index_of(env: &Env) -> Option<Value> {
    let dir = auth_dir(env);
    let e = std::fs::read_dir(&dir).ok()?.flatten().find(|e| {
        let n = e.file_name().to_string_lossy().into_owned();
        n.ends_with(".json") && !n.ends_with(".secrets.json")
    })?;
    serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok()
}

fn secrets_file(env: &Env) -> Option<PathBuf> {
    std::fs::read_dir(auth_dir(env))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".secrets.json"))
}

/// Every entry name the index says is stored.
fn entry_names(index: &Value) -> Vec<String> {
    let prefix = format!(
        "{}@{}",
        index["profile"].as_str().unwrap_or_default(),
        index["account"].as_str().unwrap_or_default()
    );
    let mut names = Vec::new();
    if !index["login"].is_null() {
        names.push(format!("{prefix}/login/access"));
        names.push(format!("{prefix}/login/refresh"));
    }
    if !index["client_credentials"].is_null() {
        names.push(format!("{prefix}/cc/access"));
    }
    if let Some(m) = index["zis_tokens"].as_object() {
        for k in m.keys() {
            names.push(format!("{prefix}/zis/{k}"));
        }
    }
    names
}

fn keyutils_read(name: &str) -> Option<String> {
    use linux_keyutils::{KeyRing, KeyRingIdentifier};
    let ring = KeyRing::from_special_id(KeyRingIdentifier::Session, false).ok()?;
    let key = ring.search(&format!("zisctl:{name}")).ok()?;
    String::from_utf8(key.read_to_vec().ok()?).ok()
}

/// The secrets stored now, by entry name (from the file, or the kernel keyring).
fn stored_secrets(env: &Env) -> Vec<(String, String)> {
    let Some(index) = index_of(env) else {
        return Vec::new();
    };
    match index["store"].as_str() {
        Some("file") => {
            let path = secrets_file(env).expect("the token file");
            let m: serde_json::Map<String, Value> =
                serde_json::from_slice(&std::fs::read(path).expect("read")).expect("JSON");
            m.into_iter()
                .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
                .collect()
        }
        Some("keyutils") => entry_names(&index)
            .into_iter()
            .filter_map(|n| keyutils_read(&n).map(|v| (n, v)))
            .collect(),
        other => panic!("tokens stored in {other:?}"),
    }
}

fn secret_of(env: &Env, suffix: &str) -> String {
    stored_secrets(env)
        .into_iter()
        .find(|(n, _)| n.ends_with(suffix))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no stored {suffix}"))
}

/// Wipes the kernel-keyring keys a test left (a test that failed before its logout).
struct Wipe(PathBuf);

impl Drop for Wipe {
    fn drop(&mut self) {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        let Ok(dir) = std::fs::read_dir(&self.0) else {
            return;
        };
        let Ok(ring) = KeyRing::from_special_id(KeyRingIdentifier::Session, false) else {
            return;
        };
        for e in dir.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if !n.ends_with(".json") || n.ends_with(".secrets.json") {
                continue;
            }
            let Ok(index) =
                serde_json::from_slice::<Value>(&std::fs::read(e.path()).unwrap_or_default())
            else {
                continue;
            };
            if index["store"] != "keyutils" {
                continue;
            }
            for name in entry_names(&index) {
                if let Ok(k) = ring.search(&format!("zisctl:{name}")) {
                    let _ = k.invalidate();
                }
            }
        }
    }
}

// ----- login, then work with API tokens refused ------------------------------------------------

async fn login_then_work(store: StoreKind) {
    let (env, _wipe) = oauth_env(auto(), store).await;
    let o = login(&env).await;
    let account = env.sb.base_url.trim_start_matches("http://").to_string();
    assert!(
        o.stderr.contains(&format!(
            "signed in to {account} as Sandbox Admin <admin@sandbox.example> (admin)"
        )),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("ZIS needs an admin"));
    assert!(
        !o.stderr.contains("no OS keyring answered"),
        "forced: nothing to say"
    );
    let st = oauth_state(&env).await;
    assert_eq!(count(&st, "exchanges"), 1);

    // From now on the sandbox refuses API tokens, as after 2027-04-30; the environment still
    // holds one, below the stored login.
    set_oauth(&env, json!({"refuse_api_tokens": true})).await;
    let o = env.run(&["integrations", "list", "-o", "json"]).await;
    assert_eq!(o.code, 0, "integrations list: {}", o.stderr);
    assert_eq!(o.json().as_array().map(Vec::len), Some(9));
    assert!(
        !o.stderr.contains("API token"),
        "signed in with OAuth: {}",
        o.stderr
    );
    let o = env.run(&["connections", "list", CRM, "-o", "json"]).await;
    assert_eq!(o.code, 0, "connections list: {}", o.stderr);
    assert_eq!(o.json().as_array().map(Vec::len), Some(11));

    // Who, until when, where: never a token.
    let o = env.run(&["auth", "status", "-o", "json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v = o.json();
    assert_eq!(v["method"], "oauth");
    assert_eq!(v["account"], account.as_str());
    assert_eq!(v["user"]["email"], "admin@sandbox.example");
    assert_eq!(v["user"]["role"], "admin");
    assert_eq!(v["client_id"], env.sb.public_client_id.as_str());
    assert!(v["access_expires_at"].is_string() && v["refresh_expires_at"].is_string());
    let stored_in = v["stored_in"].as_str().unwrap_or_default().to_string();
    match store {
        StoreKind::Keyring => assert_eq!(stored_in, "the kernel keyring (keyutils)"),
        StoreKind::File => {
            assert!(stored_in.ends_with(".secrets.json (0600)"), "{stored_in}");
            let path = secrets_file(&env).expect("the token file");
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }
    let zis = v["zis_tokens"].as_array().cloned().unwrap_or_default();
    assert_eq!(zis.len(), 1, "the token minted for {CRM} is cached");
    assert_eq!(zis[0]["integration"], CRM);
    let table = env.run(&["auth", "status"]).await;
    assert_eq!(table.code, 0);
    assert!(table.stdout.contains("method") && table.stdout.contains("oauth"));
    assert!(table
        .stdout
        .contains("Sandbox Admin <admin@sandbox.example> (admin)"));
    for (name, value) in stored_secrets(&env) {
        assert!(
            !o.stdout.contains(&value) && !table.stdout.contains(&value),
            "status shows the value of {name}"
        );
    }

    // Logout revokes at the server and forgets here; then a command needing the account
    // exits 3 and says how to sign in.
    let before = oauth_state(&env).await;
    let o = env.run(&["auth", "logout"]).await;
    assert_eq!(o.code, 0, "logout: {}", o.stderr);
    assert!(o.stderr.contains("signed out of"), "{}", o.stderr);
    let after = oauth_state(&env).await;
    assert!(
        count(&after, "revoked") >= count(&before, "revoked") + 2,
        "the admin token and the ZIS token are revoked"
    );
    assert_eq!(count(&after, "live_zis_tokens"), 0);
    assert!(stored_secrets(&env).is_empty(), "nothing left in the store");
    assert!(index_of(&env).is_none(), "no index left");

    let o = env.run(&["integrations", "list"]).await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("run `zisctl auth login`"), "{}", o.stderr);
    let mut env = env;
    without_api_token(&mut env);
    for args in [
        vec!["integrations", "list"],
        vec!["connections", "list", CRM],
    ] {
        let o = env.run(&args).await;
        assert_eq!(o.code, 3, "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains("not signed in"), "{}", o.stderr);
        assert!(o.stderr.contains("run `zisctl auth login`"), "{}", o.stderr);
    }
    let o = env.run(&["auth", "status"]).await;
    assert_eq!(o.code, 3);
    assert!(o.stdout.contains("none"));
}

#[tokio::test(flavor = "multi_thread")]
async fn login_then_work_with_the_kernel_keyring() {
    login_then_work(StoreKind::Keyring).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_then_work_with_the_token_file() {
    login_then_work(StoreKind::File).await;
}

// ----- refresh -----------------------------------------------------------------------------------

/// Waits until a token issued `secs`-second tokens ago is due for renewal (half its life).
async fn age_past_half(secs: u64) {
    tokio::time::sleep(Duration::from_millis(secs * 500 + 200)).await;
}

/// Two runs in a row each refresh: the rotated refresh token was stored (the second run
/// would otherwise send a dead one, and be refused).
#[tokio::test(flavor = "multi_thread")]
async fn each_run_refreshes_with_the_rotated_refresh_token() {
    let (mut env, _wipe) = oauth_env(
        OAuthConfig {
            access_ttl: Duration::from_secs(2),
            ..auto()
        },
        StoreKind::Keyring,
    )
    .await;
    login(&env).await;
    without_api_token(&mut env);
    let first_refresh = secret_of(&env, "/login/refresh");
    // (A slow login may have refreshed already, for its users/me.)
    let base = count(&oauth_state(&env).await, "refreshes");
    for run in 1..=2u64 {
        age_past_half(2).await;
        let o = env.run(&["integrations", "list", "-o", "json"]).await;
        assert_eq!(o.code, 0, "run {run}: {}", o.stderr);
        let st = oauth_state(&env).await;
        assert_eq!(
            count(&st, "refreshes"),
            base + run,
            "run {run} refreshed once"
        );
        assert_eq!(count(&st, "refresh_reuse_refused"), 0);
    }
    assert!(
        secret_of(&env, "/login/refresh") != first_refresh,
        "the stored refresh token was replaced"
    );
    assert_eq!(env.run(&["auth", "logout"]).await.code, 0);
}

/// A refresh token the server refuses (it expired) means signed out: exit 3, say how to sign
/// in, and forget the dead tokens.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_refresh_is_signed_out() {
    let (mut env, _wipe) = oauth_env(
        OAuthConfig {
            access_ttl: Duration::from_secs(2),
            refresh_ttl: Duration::from_secs(1),
            ..auto()
        },
        StoreKind::Keyring,
    )
    .await;
    login(&env).await;
    without_api_token(&mut env);
    age_past_half(2).await;
    let o = env.run(&["integrations", "list"]).await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("signed out"), "{}", o.stderr);
    assert!(o.stderr.contains("invalid_grant"), "{}", o.stderr);
    assert!(o.stderr.contains("run `zisctl auth login`"), "{}", o.stderr);
    assert!(
        stored_secrets(&env).is_empty(),
        "the dead tokens are forgotten"
    );
    let o = env.run(&["auth", "status", "-o", "json"]).await;
    assert_eq!((o.code, o.json()["method"].clone()), (3, json!("none")));
}

/// Two processes at once with a token due for renewal: one refresh, both succeed (the second
/// takes, under the lock, the token the first stored).
#[tokio::test(flavor = "multi_thread")]
async fn two_processes_at_once_refresh_once() {
    let (mut env, _wipe) = oauth_env(
        OAuthConfig {
            access_ttl: Duration::from_secs(6),
            ..auto()
        },
        StoreKind::Keyring,
    )
    .await;
    login(&env).await;
    without_api_token(&mut env);
    let base = count(&oauth_state(&env).await, "refreshes");
    age_past_half(6).await;
    let (a, b) = tokio::join!(
        env.run(&["integrations", "list", "-o", "json"]),
        env.run(&["integrations", "list", "-o", "json"])
    );
    assert_eq!(a.code, 0, "first: {}", a.stderr);
    assert_eq!(b.code, 0, "second: {}", b.stderr);
    let st = oauth_state(&env).await;
    assert_eq!(count(&st, "refreshes"), base + 1, "one refresh for both");
    assert_eq!(count(&st, "refresh_reuse_refused"), 0);
    assert_eq!(env.run(&["auth", "logout"]).await.code, 0);
}

/// An audit that lasts longer than the ZIS token and the admin token: each is renewed on the
/// way (the replaced ZIS token revoked), and the audit finishes.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_audit_crosses_token_expiry() {
    let (mut env, _wipe) = oauth_env(
        OAuthConfig {
            access_ttl: Duration::from_secs(2),
            zis_token_ttl: Some(Duration::from_secs(2)),
            ..auto()
        },
        StoreKind::File,
    )
    .await;
    login(&env).await;
    without_api_token(&mut env);
    // Every request now takes 800 ms: shopify_orders' second page comes after its first
    // token is due for renewal (past half its life), and after the admin token's too.
    env.sb.set_latency_ms(800);
    let o = env
        .run(&[
            "audit",
            "--integration",
            "shopify_orders",
            "--concurrency",
            "1",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "audit: {}", o.stderr);
    assert_eq!(o.json().as_array().map(Vec::len), Some(122));
    let st = oauth_state(&env).await;
    assert!(count(&st, "mints") >= 2, "re-minted on the way");
    assert!(
        count(&st, "refreshes") >= 1,
        "the admin token was refreshed"
    );
    assert!(
        count(&st, "live_zis_tokens") <= 1,
        "at most one live minted token for the integration"
    );
}

/// A token minted in place of a live one revokes it: one live minted token per integration.
#[tokio::test(flavor = "multi_thread")]
async fn a_replaced_zis_token_is_revoked() {
    use zisctl::zis::{AdminCredentials, Client, ClientOptions};
    let (env, _wipe) = oauth_env(OAuthConfig::default(), StoreKind::File).await;
    let mut o = ClientOptions::new(env.sb.base_url.clone());
    o.admin = Some(AdminCredentials::ApiToken {
        email: env.sb.admin_email.clone(),
        api_token: secrecy::SecretString::from(env.sb.admin_token.clone()),
    });
    let c = Client::new(o).expect("client");
    c.list_connections(CRM).await.expect("list");
    c.mint_token(CRM).await.expect("mint again");
    let st = oauth_state(&env).await;
    assert_eq!((count(&st, "mints"), count(&st, "revoked")), (2, 1));
    assert_eq!(count(&st, "live_zis_tokens"), 1);
    // The same client lists with the new one.
    assert_eq!(c.list_connections(CRM).await.expect("list").len(), 11);
    assert_eq!(count(&oauth_state(&env).await, "mints"), 2);
}

// ----- refused sign-ins --------------------------------------------------------------------------

/// A browser return with another state is refused and ends the login: nothing exchanged.
#[tokio::test(flavor = "multi_thread")]
async fn a_forged_state_is_refused() {
    let (env, _wipe) = oauth_env(auto(), StoreKind::File).await;
    let l = Login::start(&env, &[]).await;
    let loc = l.approve().await;
    let mut forged = url::Url::parse(&loc).expect("location");
    let code = forged
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    forged
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", "forged-state-0123456789");
    let page = l.come_back(forged.as_str()).await;
    assert_eq!(page.status().as_u16(), 400);
    let o = l.finish().await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("state"), "{}", o.stderr);
    assert!(o.stderr.contains("nothing was exchanged"), "{}", o.stderr);
    assert_eq!(count(&oauth_state(&env).await, "exchanges"), 0);
    assert!(index_of(&env).is_none(), "nothing stored");
}

/// The Deny button of the consent page: exit 3, denied, nothing exchanged.
#[tokio::test(flavor = "multi_thread")]
async fn denied_consent_exits_3() {
    let (env, _wipe) = oauth_env(OAuthConfig::default(), StoreKind::File).await;
    let l = Login::start(&env, &[]).await;
    let r = browser().get(&l.url).send().await.expect("GET authorize");
    assert_eq!(r.status().as_u16(), 200, "the consent page");
    let html = r.text().await.expect("page");
    let fields = deny_form(&html);
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &fields {
        ser.append_pair(k, v);
    }
    ser.append_pair("decision", "deny");
    let r = browser()
        .post(format!("{}/oauth/authorizations/decision", env.sb.base_url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(ser.finish())
        .send()
        .await
        .expect("POST decision");
    assert_eq!(r.status().as_u16(), 302);
    let loc = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(loc.contains("error=access_denied"));
    l.come_back(&loc).await;
    let o = l.finish().await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("denied"), "{}", o.stderr);
    assert_eq!(count(&oauth_state(&env).await, "exchanges"), 0);
}

/// The hidden fields of the consent page's Deny form.
fn deny_form(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
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
    for form in html.split("<form").skip(1) {
        let form = &form[..form.find("</form>").expect("a closed form")];
        if !form.contains("value=\"deny\"") {
            continue;
        }
        return form
            .split("<input")
            .skip(1)
            .filter_map(|i| {
                let tag = &i[..i.find('>')?];
                Some((attr(tag, "name")?, attr(tag, "value")?))
            })
            .collect();
    }
    panic!("no Deny form on the consent page");
}

/// A code that expired before the browser came back: refused at the exchange, exit 3.
#[tokio::test(flavor = "multi_thread")]
async fn an_expired_code_is_refused() {
    let (env, _wipe) = oauth_env(
        OAuthConfig {
            code_ttl: Duration::from_secs(1),
            ..auto()
        },
        StoreKind::File,
    )
    .await;
    let l = Login::start(&env, &[]).await;
    let loc = l.approve().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    l.come_back(&loc).await;
    let o = l.finish().await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("invalid_grant"), "{}", o.stderr);
    assert!(index_of(&env).is_none(), "nothing stored");
}

// ----- client credentials, API tokens ------------------------------------------------------------

/// The confidential client, from the environment: no login; the access token is kept, so a
/// second run asks for none.
#[tokio::test(flavor = "multi_thread")]
async fn client_credentials_from_the_environment() {
    let (mut env, _wipe) = oauth_env(
        OAuthConfig {
            refuse_api_tokens: true,
            ..OAuthConfig::default()
        },
        StoreKind::Keyring,
    )
    .await;
    env.vars.push((
        "ZENDESK_OAUTH_CLIENT_ID".into(),
        env.sb.confidential_client_id.clone(),
    ));
    env.vars.push((
        "ZENDESK_OAUTH_CLIENT_SECRET".into(),
        env.sb.confidential_client_secret.clone(),
    ));
    for run in 0..2 {
        let o = env.run(&["connections", "list", CRM, "-o", "json"]).await;
        assert_eq!(o.code, 0, "run {run}: {}", o.stderr);
        assert_eq!(o.json().as_array().map(Vec::len), Some(11));
        assert!(!o.stderr.contains("API token"), "{}", o.stderr);
    }
    let st = oauth_state(&env).await;
    assert_eq!(count(&st, "client_credentials"), 1, "the token was kept");
    assert_eq!(count(&st, "mints"), 1, "and so was the ZIS token");
    let o = env.run(&["auth", "status", "-o", "json"]).await;
    assert_eq!(o.json()["method"], "client_credentials");
    assert_eq!(env.run(&["auth", "logout"]).await.code, 0);
    assert!(stored_secrets(&env).is_empty());

    // The public client has no secret to give: refused, exit 3, the secret nowhere.
    env.vars.push((
        "ZENDESK_OAUTH_CLIENT_ID".into(),
        env.sb.public_client_id.clone(),
    ));
    let o = env.run(&["integrations", "list"]).await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("invalid_client"), "{}", o.stderr);
    assert!(!o.all().contains(&env.sb.confidential_client_secret));
}

/// An API token still works, with one stderr line naming the date and the way out; once the
/// server refuses it, the error says it may have been deactivated.
#[tokio::test(flavor = "multi_thread")]
async fn api_tokens_warn_and_point_at_login() {
    let (env, _wipe) = oauth_env(OAuthConfig::default(), StoreKind::File).await;
    let o = env.run(&["integrations", "list", "-o", "json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.json().as_array().map(Vec::len), Some(9));
    let notices: Vec<&str> = o.stderr.lines().collect();
    assert_eq!(notices.len(), 1, "{}", o.stderr);
    assert!(notices[0].starts_with("zisctl: "));
    assert!(notices[0].contains("2027-04-30") && notices[0].contains("`zisctl auth login`"));
    let o = env.run(&["auth", "status", "-o", "json"]).await;
    assert_eq!(o.json()["method"], "api_token");
    assert!(!o.stdout.contains(&env.sb.admin_token));

    set_oauth(&env, json!({"refuse_api_tokens": true})).await;
    let o = env.run(&["integrations", "list"]).await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    assert!(o.stderr.contains("deactivated"), "{}", o.stderr);
    assert!(o.stderr.contains("30 days"), "{}", o.stderr);
    assert!(o.stderr.contains("run `zisctl auth login`"), "{}", o.stderr);
    assert!(!o.stderr.contains(&env.sb.admin_token));
}

/// An agent may sign in, and is told that ZIS needs an admin.
#[tokio::test(flavor = "multi_thread")]
async fn a_non_admin_is_told() {
    let (env, _wipe) = oauth_env(auto(), StoreKind::File).await;
    set_oauth(&env, json!({"user": "agent"})).await;
    let o = login(&env).await;
    assert!(o
        .stderr
        .contains("as Sandbox Agent <agent@sandbox.example> (agent)"));
    assert!(o.stderr.contains("ZIS needs an admin"), "{}", o.stderr);
}

// ----- a second audit mints nothing --------------------------------------------------------------

/// On a 100 x 100 account, a second audit within the ZIS tokens' lifetime sends only the
/// reads: the first's requests less its 100 mints (whatever else the audit reads per
/// integration: connections, OAuth clients, bundles).
#[tokio::test(flavor = "multi_thread")]
async fn a_second_audit_mints_nothing() {
    let (mut env, _wipe) = env_with(
        SandboxConfig {
            seed: Seed::Synthetic {
                integrations: 100,
                connections: 100,
            },
            oauth: auto(),
            ..SandboxConfig::default()
        },
        StoreKind::Keyring,
    )
    .await;
    login(&env).await;
    without_api_token(&mut env);
    let mut sent = Vec::new();
    for run in 0..2 {
        let before = env.support.requests().await;
        let mints_before = count(&oauth_state(&env).await, "mints");
        let o = env.run(&["audit", "-o", "json"]).await;
        assert_eq!(o.code, 0, "audit {run}: {}", o.stderr);
        let conns = o
            .json()
            .as_array()
            .map(|rows| rows.iter().filter(|r| r["kind"] != "oauth_client").count());
        assert_eq!(conns, Some(10_000));
        sent.push((
            env.support.requests().await - before,
            count(&oauth_state(&env).await, "mints") - mints_before,
        ));
    }
    assert_eq!(sent[0].1, 100, "first audit: one mint per integration");
    assert_eq!(
        sent[1],
        (sent[0].0 - 100, 0),
        "second audit: the same reads, no mint"
    );
    assert_eq!(
        route_count(&env, "POST /api/v2/oauth/tokens").await,
        100,
        "one mint per integration in all"
    );
    assert_eq!(env.run(&["auth", "logout"]).await.code, 0);
    assert_eq!(count(&oauth_state(&env).await, "live_zis_tokens"), 0);
}

// ----- canary -------------------------------------------------------------------------------------

/// Every argv seen while `child` ran (distinct, as bytes).
struct Argvs(BTreeSet<Vec<u8>>);

impl Argvs {
    fn scan(&mut self) {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return;
        };
        for e in dir.flatten() {
            if let Ok(argv) = std::fs::read(e.path().join("cmdline")) {
                if !argv.is_empty() {
                    self.0.insert(argv);
                }
            }
        }
    }
}

/// Run the binary while reading every process's argv (a run that talks to the sandbox lives
/// long enough for its own to be read: the sandbox is slowed down).
async fn run_watched(env: &Env, args: &[&str], argvs: &mut Argvs) -> Out {
    let local = args.first() == Some(&"auth") && args.get(1) == Some(&"status");
    let mut c = env.command(args);
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = c.spawn().expect("spawn");
    let pid = child.id().expect("pid");
    let waiting = tokio::spawn(child.wait_with_output());
    let mut seen = false;
    while !waiting.is_finished() {
        argvs.scan();
        seen |= std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|a| !a.is_empty());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(seen || local, "{args:?}: the child's argv was never read");
    let out = waiting.await.expect("join").expect("output");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every file under `dir` but `except`.
fn files_under(dir: &Path, except: Option<&Path>, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, except, out);
        } else if Some(p.as_path()) != except {
            out.push(p);
        }
    }
}

/// The access and refresh tokens (every one of their rotations), the confidential client's
/// secret and every minted ZIS token appear in no output, no log, no argv, and no file but
/// the 0600 token file (or the kernel keyring), at trace level.
async fn canary(store: StoreKind) {
    let (mut env, _wipe) = oauth_env(
        OAuthConfig {
            access_ttl: Duration::from_secs(2),
            ..auto()
        },
        store,
    )
    .await;
    env.vars.push(("RUST_LOG".into(), "trace".into()));
    // Slow enough for every child's argv to be read while it runs.
    env.sb.set_latency_ms(30);
    let mut secrets: BTreeSet<String> = BTreeSet::new();
    let mut outputs: Vec<(String, Out)> = Vec::new();
    let mut argvs = Argvs(BTreeSet::new());

    let l = Login::start(&env, &[]).await;
    argvs.scan();
    let loc = l.approve().await;
    argvs.scan();
    l.come_back(&loc).await;
    let o = l.finish().await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    outputs.push(("auth login".into(), o));
    secrets.extend(stored_secrets(&env).into_iter().map(|(_, v)| v));
    without_api_token(&mut env);

    let runs: Vec<Vec<&str>> = vec![
        vec!["integrations", "list"],
        vec!["audit", "-o", "json"],
        vec!["connections", "list", CRM, "-o", "csv"],
        vec!["auth", "status"],
        vec!["auth", "status", "-o", "json"],
    ];
    for (i, args) in runs.iter().enumerate() {
        if i == 1 {
            age_past_half(2).await; // the audit's registry call refreshes first
        }
        let o = run_watched(&env, args, &mut argvs).await;
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        secrets.extend(stored_secrets(&env).into_iter().map(|(_, v)| v));
        outputs.push((args.join(" "), o));
    }
    let st = oauth_state(&env).await;
    assert!(count(&st, "refreshes") >= 1, "a rotation happened");
    assert!(count(&st, "mints") >= 8, "ZIS tokens were minted");
    let token_file = secrets_file(&env);
    assert_eq!(token_file.is_some(), store == StoreKind::File);
    // Now, signed in: no file but the token file holds any of them.
    let now_known: Vec<Canary> = secrets
        .iter()
        .map(|v| Canary::known("a stored token", v))
        .collect();
    let mut files = Vec::new();
    files_under(env.dir.path(), token_file.as_deref(), &mut files);
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_default();
        assert_absent(&f.display().to_string(), &bytes, &now_known, None);
    }
    if let Some(f) = &token_file {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(f)
            .expect("token file")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "the token file is its owner's alone");
    }

    // Client credentials too (the secret from the environment), then sign out of everything.
    env.vars.push((
        "ZENDESK_OAUTH_CLIENT_ID".into(),
        env.sb.confidential_client_id.clone(),
    ));
    env.vars.push((
        "ZENDESK_OAUTH_CLIENT_SECRET".into(),
        env.sb.confidential_client_secret.clone(),
    ));
    let o = run_watched(&env, &["integrations", "list"], &mut argvs).await;
    assert_eq!(o.code, 0, "client credentials: {}", o.stderr);
    secrets.extend(stored_secrets(&env).into_iter().map(|(_, v)| v));
    outputs.push(("client credentials".into(), o));
    let o = run_watched(&env, &["auth", "logout"], &mut argvs).await;
    assert_eq!(o.code, 0, "logout: {}", o.stderr);
    outputs.push(("logout".into(), o));

    // What the test knows was a secret: every token it saw stored, and the client secret
    // (which reached the child through its environment only).
    assert!(secrets.len() >= 12, "tokens collected: {}", secrets.len());
    let mut canaries: Vec<Canary> = secrets
        .iter()
        .enumerate()
        .map(|(i, v)| Canary::known(&format!("stored token #{i}"), v))
        .collect();
    canaries.push(Canary::known(
        "confidential client secret",
        &env.sb.confidential_client_secret,
    ));

    for (what, o) in &outputs {
        assert_absent(
            &format!("stdout of {what}"),
            o.stdout.as_bytes(),
            &canaries,
            None,
        );
        assert_absent(
            &format!("stderr of {what}"),
            o.stderr.as_bytes(),
            &canaries,
            None,
        );
        assert!(!o.stderr.contains("panicked"), "{what} panicked");
    }
    let log = std::fs::read(env.log_file()).unwrap_or_default();
    assert!(leak::contains(&log, b"TRACE"), "the log is at trace level");
    let mut files = Vec::new();
    files_under(env.dir.path(), None, &mut files);
    assert!(files.iter().any(|p| p == &env.log_file()));
    for f in files {
        // The token file is gone after logout: whatever is left holds nothing.
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert_absent(&f.display().to_string(), &bytes, &canaries, None);
    }
    if let Some(f) = token_file {
        assert!(!f.exists(), "logout removed the token file");
    }
    assert!(argvs.0.len() > 1, "argvs were read");
    for argv in &argvs.0 {
        assert_absent("a process's argv", argv, &canaries, None);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn canary_with_the_token_file() {
    canary(StoreKind::File).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn canary_with_the_kernel_keyring() {
    canary(StoreKind::Keyring).await;
}

/// The audit names what the retirement of API tokens breaks inside the account: a basic_auth
/// connection to Zendesk whose username ends in `/token`, and a bearer token pasted for
/// Zendesk; a Zendesk password or another host's bearer token is no such finding.
#[tokio::test(flavor = "multi_thread")]
async fn the_audit_finds_zendesk_api_tokens_held_in_connections() {
    let env = Env::demo().await;
    let create = |name: &'static str,
                  kind: &'static str,
                  domain: &'static str,
                  user: Option<&'static str>| {
        let mut args = vec![
            "connections",
            "create",
            CRM,
            name,
            "--kind",
            kind,
            "--allowed-domain",
            domain,
        ];
        if let Some(u) = user {
            args.extend(["--username", u, "--password-stdin"]);
        } else {
            args.push("--token-stdin");
        }
        args
    };
    for args in [
        create(
            "zd_api_token",
            "basic_auth",
            "acme.zendesk.com",
            Some("ops@acme.com/token"),
        ),
        create(
            "zd_password",
            "basic_auth",
            "acme.zendesk.com",
            Some("ops@acme.com"),
        ),
        create("zd_bearer", "bearer_token", "acme.zendesk.com", None),
        create(
            "other_token",
            "basic_auth",
            "api.example.com",
            Some("svc/token"),
        ),
    ] {
        let o = env.run_stdin(&args, b"Some-Secret-Value-1234\n").await;
        assert_eq!(o.code, 0, "create {:?}: {}", args[3], o.stderr);
    }
    let o = env
        .run(&["audit", "--integration", CRM, "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let rows = o.json();
    let findings = |name: &str| -> Vec<String> {
        let row = rows
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|r| r["name"] == name && r["kind"] != "oauth_client")
            })
            .unwrap_or_else(|| panic!("no audit row for {name}"));
        row["findings"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let api = findings("zd_api_token");
    assert!(
        api.iter().any(|f| f
            == "holds a Zendesk API token: stops working 2027-04-30, and after 30 days unused; move to an OAuth connection"),
        "{api:?}"
    );
    let bearer = findings("zd_bearer");
    assert!(
        bearer
            .iter()
            .any(|f| f == "a static Zendesk token that expires: use an OAuth connection"),
        "{bearer:?}"
    );
    for name in ["zd_password", "other_token"] {
        let f = findings(name);
        assert!(
            !f.iter().any(|f| f.contains("Zendesk")),
            "{name} is no Zendesk token: {f:?}"
        );
    }
    // The table says it too.
    let o = env.run(&["audit", "--integration", CRM]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let line = o
        .stdout
        .lines()
        .find(|l| l.contains("zd_api_token"))
        .unwrap_or_default();
    assert!(line.contains("holds a Zendesk API token"), "{line}");
}
