//! A ZIS-compatible HTTP server on loopback, with in-memory state: the backend of `zisctl demo`
//! and of every test.
//!
//! It follows `ZIS_API.md` (the contract) and is written apart from [`crate::zis`] (which it
//! does not import), so that testing the client against it checks the client. Where the
//! contract has to guess, the code says `[guess]` beside the choice.
//!
//! # What it serves
//! - Registry (the admin's API token `base64("{email}/token:{api_token}")` or an admin's OAuth
//!   `Bearer`): `POST /api/services/zis/registry/{integration}`,
//!   `GET /api/services/zis/registry/integrations`.
//! - `POST /api/v2/oauth/tokens` (same auth): mints a ZIS OAuth access token for an
//!   integration's OAuth client; `expires_at` is set when a ZIS token lifetime is.
//! - Connections (bearer token of that integration's client), under
//!   `/api/services/zis/integrations/{integration}/connections/`: `POST {kind}`,
//!   `GET|PATCH|DELETE {kind}/{name}`, `GET all?page[size]=&page[after]=&page[before]=`.
//! - ZIS OAuth clients (ZIS token): `GET|POST /api/services/zis/connections/oauth/clients/
//!   {integration}` (the listing shows `client_secret` in clear, as documented), `PATCH|DELETE
//!   …/{uuid}` (PUT → 405; DELETE takes the client's OAuth connections with it).
//! - OAuth connections (ZIS token): listed by `connections/all` with their tokens in clear (as
//!   documented), shown and deleted by `GET|DELETE /api/services/zis/connections/{integration}
//!   ?name=` (`…/connections/oauth/{name}` is "No route", as in ZIS), made or re-authorised by
//!   `POST /api/services/zis/connections/oauth/start/{integration}`: its `redirect_url` is a
//!   stand-in provider's consent page (authorization_code) or
//!   `GET …/oauth/verify/{integration}?verification_code=` (client_credentials).
//! - Bundles and job specs (admin auth or a ZIS token): `GET /api/services/zis/registry/
//!   {integration}/bundles` and `…/job_specs` (cursor pages), `GET …/bundles/{uuid}`.
//! - Zendesk OAuth, for signing in without an API token (two clients: `zisctl_sandbox_public`,
//!   PKCE and no secret, and `zisctl_sandbox_confidential` with a random secret):
//!   `GET /oauth/authorizations/new` (a consent page whose Allow and Deny forms post to
//!   `POST /oauth/authorizations/decision`, or a code at once with auto-approve),
//!   `POST /oauth/tokens` (`authorization_code` with PKCE S256, `refresh_token` with rotation,
//!   `client_credentials`), `GET /api/v2/users/me`, `GET /api/v2/oauth/tokens/{current|id}.json`
//!   and `DELETE /api/v2/oauth/tokens/{id}.json` (`DELETE …/current.json` revokes nothing).
//!
//! Every ZIS request passes through the switches: added latency, a fixed-window rate limit
//! (`429` + `Retry-After`, and `X-Rate-Limit`/`X-Rate-Limit-Remaining` on normal answers when
//! a limit is set), random `500`/`502`/`503`, and queued injected faults.
//!
//! # Test support: `/_sandbox/...` (sandbox-only, NOT part of ZIS)
//! No auth; never delayed, limited, faulted or counted.
//! - `POST /_sandbox/faults` `{"status":403,"count":1,"method":"POST","path_contains":"basic_auth",
//!   "body":"...","content_type":"...","retry_after":1,"delay_ms":0}` queues an injected answer
//!   for the next `count` matching requests (only `status` or `delay_ms` is required; without
//!   `status` a matching request is only delayed). `GET` lists the queue, `DELETE` clears it.
//! - `POST /_sandbox/verify` `{"integration","name","secret"}` → `{"matches":bool,...}`
//!   (404 if there is no such connection): compares a stored secret without showing it.
//! - `GET /_sandbox/stats` → `{"requests","rate_limited","faults_injected","random_failures",
//!   "tokens_minted","by_method":{..},"by_status":{..},"by_route":{"POST /oauth/tokens":n,..}}`;
//!   `POST /_sandbox/stats/reset`.
//! - `GET|POST /_sandbox/switches` `{"latency_ms"?,"rate_limit"?,"rate_window_secs"?,"fail_rate"?}`
//!   reads or changes the switches of a running sandbox.
//! - `DELETE /_sandbox/tokens` revokes every minted access token (to test re-minting on 401).
//! - `GET|POST /_sandbox/oauth` `{"auto_approve"?, "access_token_ttl_secs"?,
//!   "refresh_token_ttl_secs"?, "zis_token_ttl_secs"? (null: never), "code_ttl_secs"?,
//!   "refuse_api_tokens"?, "user"?: "admin"|"agent"}` reads or changes the sign-in switches;
//!   `GET` adds the counters `exchanges`, `refreshes`, `refresh_reuse_refused`,
//!   `client_credentials`, `mints`, `revoked`, `live_admin_tokens`, `live_zis_tokens`. The
//!   `auto_approve` switch also skips the stand-in provider's consent page.
//! - `GET|POST /_sandbox/shapes` `{"oauth_clients": "wrapped"|"bare", "create_status": 200|201,
//!   "oauth_connection": "wrapped"|"bare", "bundle": "wrapped"|"bare"}`: the answers ZIS may
//!   send either way.
//! - `POST /_sandbox/bundles` `{"integration", "bundle": <any JSON> | "raw": "<text>",
//!   "metadata"?}`: a hostile bundle whose detail answer is exactly that (up to 64 MiB).
//! - `GET /_sandbox/provider/authorize`, `POST /_sandbox/provider/decision`: the stand-in OAuth
//!   provider's consent page (Allow / Deny) of the start flow.
//!
//! # Secrets
//! The sandbox never logs a body, a query string or an `Authorization` value (one debug event
//! per request: method, path, status, time; a refused OAuth request adds the rule it broke).
//! Stored secrets are [`secrecy::SecretString`]s; responses show `"*****"` for the three
//! creatable kinds, and in clear only what Zendesk's documented examples show in clear (an
//! OAuth client's `client_secret`, an OAuth connection's tokens). Sign-in codes and tokens, and
//! OAuth flow tokens, come from the OS CSPRNG and are stored only as SHA-256 digests.

mod control;
mod http;
mod seed;
mod store;

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use self::control::{Control, Shared};

/// The demo admin's email (well known: the sandbox is a loopback-only toy).
pub const ADMIN_EMAIL: &str = "admin@sandbox.zisctl.test";
/// The demo admin's API token (well known).
pub const ADMIN_TOKEN: &str = "sandbox-admin-token";

/// The OAuth side of a sandbox: token lifetimes and the sign-in switches. All of them can be
/// changed on a running sandbox with `POST /_sandbox/oauth`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthConfig {
    /// Lifetime of an admin access token from `/oauth/tokens` (`expires_in`).
    pub access_ttl: Duration,
    /// Lifetime of a refresh token (`refresh_token_expires_in`).
    pub refresh_ttl: Duration,
    /// Lifetime of a minted ZIS token (`expires_at`); `None`: they never expire.
    pub zis_token_ttl: Option<Duration>,
    /// Lifetime of an authorization code.
    pub code_ttl: Duration,
    /// The authorization endpoint answers with a code at once, with no consent page.
    pub auto_approve: bool,
    /// API tokens (basic auth) are refused, as after 2027-04-30.
    pub refuse_api_tokens: bool,
}

impl Default for OAuthConfig {
    /// Access 30 min, refresh 30 days, ZIS tokens never expire, codes 120 s, consent asked,
    /// API tokens accepted.
    fn default() -> Self {
        OAuthConfig {
            access_ttl: Duration::from_secs(1800),
            refresh_ttl: Duration::from_secs(2_592_000),
            zis_token_ttl: None,
            code_ttl: Duration::from_secs(120),
            auto_approve: false,
            refuse_api_tokens: false,
        }
    }
}

/// How a sandbox starts.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Added latency per request, in milliseconds.
    pub latency_ms: u64,
    /// Requests allowed per window; 0 = unlimited.
    pub rate_limit: u32,
    /// Length of the fixed rate-limit window, in seconds (0 is taken as 1).
    pub rate_window_secs: u64,
    /// Fraction (0.0-1.0) of requests answered with a random 500/502/503.
    pub fail_rate: f64,
    /// The account to start with.
    pub seed: Seed,
    /// Sign-in: token lifetimes and switches.
    pub oauth: OAuthConfig,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            latency_ms: 0,
            rate_limit: 0,
            rate_window_secs: 60,
            fail_rate: 0.0,
            seed: Seed::Demo,
            oauth: OAuthConfig::default(),
        }
    }
}

/// Where the sandbox's account comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Seed {
    /// The built-in demo account (`assets/sandbox-seed.json`).
    Demo,
    /// A seed file of the same format.
    File(PathBuf),
    /// `integrations` integrations (`synthetic-0001`...) with `connections` connections each.
    Synthetic {
        integrations: usize,
        connections: usize,
    },
    /// No integrations at all.
    Empty,
}

/// A running sandbox. Dropping it (or [`SandboxHandle::shutdown`]) stops the server: it stops
/// accepting at once and lets requests in flight finish.
pub struct SandboxHandle {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base_url: String,
    pub admin_email: String,
    pub admin_token: String,
    /// The public OAuth client (PKCE, no secret): `zisctl_sandbox_public`.
    pub public_client_id: String,
    /// The confidential OAuth client: `zisctl_sandbox_confidential`.
    pub confidential_client_id: String,
    /// The confidential client's secret, random per sandbox.
    pub confidential_client_secret: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
}

impl fmt::Debug for SandboxHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxHandle")
            .field("addr", &self.addr)
            .field("base_url", &self.base_url)
            .field("admin_email", &self.admin_email)
            .field("admin_token", &"<redacted>")
            .field("public_client_id", &self.public_client_id)
            .field("confidential_client_id", &self.confidential_client_id)
            .field("confidential_client_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl SandboxHandle {
    /// Stops the server (same as dropping the handle).
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }

    /// Added latency per request from now on.
    pub fn set_latency_ms(&self, ms: u64) {
        self.shared.control().latency_ms = ms;
    }

    /// `n` requests per `window_secs` from now on (0 = unlimited); starts a fresh window.
    pub fn set_rate_limit(&self, n: u32, window_secs: u64) {
        self.shared.control().set_rate_limit(n, window_secs);
    }

    /// Fraction of requests answered with a random 5xx from now on (clamped to 0.0-1.0).
    pub fn set_fail_rate(&self, f: f64) {
        self.shared.control().set_fail_rate(f);
    }

    /// `(integrations, connections)` in the account right now.
    pub fn counts(&self) -> (usize, usize) {
        let s = self.shared.store();
        (s.integrations.len(), s.connection_count())
    }

    /// The `Authorization` header value of the demo admin (basic auth with the API token).
    pub fn admin_authorization(&self) -> String {
        use base64::Engine as _;
        let raw = format!("{}/token:{}", self.admin_email, self.admin_token);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}

fn build_store(seed: &Seed) -> Result<store::Store, String> {
    match seed {
        Seed::Demo => {
            seed::load_json(seed::DEMO_SEED).map_err(|e| format!("built-in demo seed: {e}"))
        }
        Seed::File(path) => seed::load_file(path),
        Seed::Synthetic {
            integrations,
            connections,
        } => Ok(seed::synthetic(*integrations, *connections)),
        Seed::Empty => Ok(store::Store::default()),
    }
}

/// Starts a sandbox on `addr` (use `127.0.0.1:0` for a free port) and serves it on a tokio
/// task of the current runtime. Refuses a non-loopback address (`InvalidInput`) and a seed
/// that does not load (`InvalidData`).
pub async fn spawn(config: SandboxConfig, addr: SocketAddr) -> io::Result<SandboxHandle> {
    if !addr.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "refusing to listen on {addr}: the sandbox has well-known credentials and \
                 listens on loopback only (127.0.0.1 or [::1])"
            ),
        ));
    }
    let mut store =
        build_store(&config.seed).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    let o = &config.oauth;
    store.oauth.settings = store::OAuthSettings {
        access_ttl: o.access_ttl,
        refresh_ttl: o.refresh_ttl,
        zis_token_ttl: o.zis_token_ttl,
        code_ttl: o.code_ttl,
        auto_approve: o.auto_approve,
        refuse_api_tokens: o.refuse_api_tokens,
        user: store::User::Admin,
    };
    let confidential_client_secret = store.oauth.confidential_secret();
    let control = Control::new(
        config.latency_ms,
        config.rate_limit,
        config.rate_window_secs,
        config.fail_rate,
    );
    let shared = Shared::new(store, control);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let app = http::router(shared.clone());
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::warn!(error = %e, "sandbox server stopped with an error");
        }
    });
    tracing::debug!(addr = %local, "sandbox listening");
    Ok(SandboxHandle {
        addr: local,
        base_url: format!("http://{local}"),
        admin_email: ADMIN_EMAIL.to_string(),
        admin_token: ADMIN_TOKEN.to_string(),
        public_client_id: store::PUBLIC_CLIENT_ID.to_string(),
        confidential_client_id: store::CONFIDENTIAL_CLIENT_ID.to_string(),
        confidential_client_secret,
        shared,
        stop: Some(tx),
    })
}

/// Parses `NxM` (e.g. `100x100`): N integrations with M connections each.
pub fn parse_synthetic(s: &str) -> Result<(usize, usize), String> {
    const MAX_INTEGRATIONS: usize = 10_000;
    const MAX_TOTAL: usize = 2_000_000;
    let bad = || format!("invalid synthetic size {s:?}: expected NxM, e.g. 100x100");
    let (n, m) = s.trim().split_once(['x', 'X']).ok_or_else(bad)?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    let m: usize = m.trim().parse().map_err(|_| bad())?;
    if n > MAX_INTEGRATIONS {
        return Err(format!(
            "synthetic size {s:?}: at most {MAX_INTEGRATIONS} integrations"
        ));
    }
    if n.saturating_mul(m) > MAX_TOTAL {
        return Err(format!(
            "synthetic size {s:?}: at most {MAX_TOTAL} connections in all"
        ));
    }
    Ok((n, m))
}

/// `zisctl sandbox`: starts the sandbox, prints its base URL, the demo admin's credentials, the
/// OAuth clients and the lines to sign in or use it, then serves until Ctrl-C, SIGTERM, SIGHUP or SIGQUIT
/// (each stops it cleanly; the exit code stays 0).
pub async fn run(args: crate::args::SandboxArgs) -> Result<(), String> {
    // Logs go to stderr, filtered by RUST_LOG (nothing by default). Ignored if a subscriber
    // is already installed.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(io::stderr)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&io::stderr())
                && std::env::var_os("NO_COLOR").is_none(),
        )
        .try_init();

    let seed = match (&args.seed, &args.synthetic) {
        (Some(_), Some(_)) => return Err("--seed and --synthetic cannot be used together".into()),
        (Some(path), None) => Seed::File(path.clone()),
        (None, Some(spec)) => {
            let (integrations, connections) = parse_synthetic(spec)?;
            Seed::Synthetic {
                integrations,
                connections,
            }
        }
        (None, None) => Seed::Demo,
    };
    if !(0.0..=1.0).contains(&args.fail_rate) {
        return Err(format!(
            "--fail-rate must be between 0.0 and 1.0, not {}",
            args.fail_rate
        ));
    }
    if args.rate_limit > 0 && args.rate_window_secs == 0 {
        return Err("--rate-window-secs must be at least 1".into());
    }
    for (flag, secs) in [
        ("--access-token-ttl", Some(args.access_token_ttl)),
        ("--refresh-token-ttl", Some(args.refresh_token_ttl)),
        ("--zis-token-ttl", args.zis_token_ttl),
        ("--code-ttl", Some(args.code_ttl)),
    ] {
        if secs == Some(0) {
            return Err(format!("{flag} must be at least 1 second"));
        }
    }
    let seed_label = match &seed {
        Seed::Demo => "built-in demo account".to_string(),
        Seed::File(p) => format!("seed file {}", p.display()),
        Seed::Synthetic {
            integrations,
            connections,
        } => format!("synthetic {integrations}x{connections}"),
        Seed::Empty => "empty".to_string(),
    };
    let config = SandboxConfig {
        latency_ms: args.latency_ms,
        rate_limit: args.rate_limit,
        rate_window_secs: args.rate_window_secs,
        fail_rate: args.fail_rate,
        seed,
        oauth: OAuthConfig {
            access_ttl: Duration::from_secs(args.access_token_ttl),
            refresh_ttl: Duration::from_secs(args.refresh_token_ttl),
            zis_token_ttl: args.zis_token_ttl.map(Duration::from_secs),
            code_ttl: Duration::from_secs(args.code_ttl),
            auto_approve: args.auto_approve,
            refuse_api_tokens: args.refuse_api_tokens,
        },
    };
    let config_oauth = config.oauth.clone();
    // Caught from before the first request, so that none of them kills the server mid-answer.
    let mut signals = crate::signals::Signals::new();
    let handle = spawn(config, args.addr)
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let (integrations, connections) = handle.counts();

    let mut text = String::new();
    text.push_str(&format!(
        "zisctl sandbox listening on {}\n",
        handle.base_url
    ));
    text.push_str(&format!(
        "account: {seed_label} ({integrations} integrations, {connections} connections)\n"
    ));
    let mut switches = Vec::new();
    if args.latency_ms > 0 {
        switches.push(format!("latency {} ms", args.latency_ms));
    }
    if args.rate_limit > 0 {
        switches.push(format!(
            "rate limit {} per {} s",
            args.rate_limit, args.rate_window_secs
        ));
    }
    if args.fail_rate > 0.0 {
        switches.push(format!("fail rate {}", args.fail_rate));
    }
    if !switches.is_empty() {
        text.push_str(&format!("switches: {}\n", switches.join(", ")));
    }
    text.push_str(&sign_in_text(&handle, &config_oauth));
    text.push_str("\nPress Ctrl-C to stop.\n");
    {
        use std::io::Write as _;
        let mut out = io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    signals.recv().await;
    handle.shutdown();
    // Give requests in flight a moment to finish.
    tokio::time::sleep(Duration::from_millis(50)).await;
    eprintln!("zisctl sandbox stopped");
    Ok(())
}

/// What `zisctl sandbox` prints about signing in: the admin's API token, the two OAuth
/// clients, the lifetimes and switches, and the commands to use them from another shell.
fn sign_in_text(handle: &SandboxHandle, oauth: &OAuthConfig) -> String {
    let url = &handle.base_url;
    let mut t = String::new();
    t.push_str(&format!("admin email:     {}\n", handle.admin_email));
    t.push_str(&format!("admin API token: {}", handle.admin_token));
    if oauth.refuse_api_tokens {
        t.push_str("  (refused: --refuse-api-tokens, as after 2027-04-30)");
    }
    t.push('\n');
    t.push_str(&format!(
        "OAuth public client:       {}  (PKCE, any http://127.0.0.1:PORT/ redirect)\n",
        handle.public_client_id
    ));
    t.push_str(&format!(
        "OAuth confidential client: {}\n",
        handle.confidential_client_id
    ));
    t.push_str(&format!(
        "confidential secret:       {}\n",
        handle.confidential_client_secret
    ));
    let zis = match oauth.zis_token_ttl {
        Some(d) => format!("{} s", d.as_secs()),
        None => "never expire".to_string(),
    };
    t.push_str(&format!(
        "token lifetimes: access {} s, refresh {} s, ZIS tokens {zis}\n",
        oauth.access_ttl.as_secs(),
        oauth.refresh_ttl.as_secs(),
    ));
    t.push_str(if oauth.auto_approve {
        "sign-in: approved at once (--auto-approve)\n"
    } else {
        "sign-in: the browser shows a consent page (Allow / Deny)\n"
    });
    t.push_str("\nSign in from another shell:\n");
    t.push_str(&format!(
        "zisctl auth login --client-id {} --base-url {url}\n",
        handle.public_client_id
    ));
    t.push_str("\nOr use client credentials (cron, CI):\n");
    t.push_str(&format!("export ZISCTL_BASE_URL={url}\n"));
    t.push_str(&format!(
        "export ZENDESK_OAUTH_CLIENT_ID={}\n",
        handle.confidential_client_id
    ));
    t.push_str(&format!(
        "export ZENDESK_OAUTH_CLIENT_SECRET={}\n",
        handle.confidential_client_secret
    ));
    t.push_str("\nOr the API token (until 2027-04-30):\n");
    t.push_str(&format!("export ZISCTL_BASE_URL={url}\n"));
    t.push_str(&format!("export ZENDESK_EMAIL={}\n", handle.admin_email));
    t.push_str(&format!(
        "export ZENDESK_API_TOKEN={}\n",
        handle.admin_token
    ));
    t.push_str(
        "\nIt plays a rotation target too (/_sandbox/target/...). A recipe for the connections\n\
         whose allowed_domain is localhost (config.example.toml; the script is in the\n\
         source tree's assets/):\n",
    );
    t.push_str(&format!(
        "set_command = \"python3 assets/sandbox-target-set.py {url}\"\n"
    ));
    t.push_str(&format!(
        "test_url = \"{}/_sandbox/target/check\"\n",
        url.replacen("127.0.0.1", "localhost", 1)
    ));
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_sizes() {
        assert_eq!(parse_synthetic("100x100"), Ok((100, 100)));
        assert_eq!(parse_synthetic(" 3X7 "), Ok((3, 7)));
        assert_eq!(parse_synthetic("0x0"), Ok((0, 0)));
        assert!(parse_synthetic("100").is_err());
        assert!(parse_synthetic("ax1").is_err());
        assert!(parse_synthetic("1x-1").is_err());
        assert!(parse_synthetic("100000x1").is_err());
        assert!(parse_synthetic("10000x1000").is_err());
    }

    #[tokio::test]
    async fn refuses_non_loopback() {
        let addr: SocketAddr = "0.0.0.0:0".parse().unwrap();
        let err = spawn(SandboxConfig::default(), addr).await.err();
        assert_eq!(err.map(|e| e.kind()), Some(io::ErrorKind::InvalidInput));
    }

    #[tokio::test]
    async fn handle_debug_hides_token() {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let h = spawn(
            SandboxConfig {
                seed: Seed::Empty,
                ..Default::default()
            },
            addr,
        )
        .await
        .unwrap();
        assert!(!format!("{h:?}").contains(ADMIN_TOKEN));
        assert_eq!(h.counts(), (0, 0));
        h.shutdown();
    }
}
