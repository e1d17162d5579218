//! The HTTP client: one method per endpoint, retries with Retry-After, token minting.
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;

use super::error::{ClientEvent, Error, ErrorKind, Result};
use super::journal::Journal;
use super::models::*;
use super::validate;

/// Admin credentials for the registry and token minting: `{email}/token:{api_token}`.
#[derive(Clone)]
pub struct AdminCredentials {
    pub email: String,
    pub api_token: SecretString,
}

impl fmt::Debug for AdminCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminCredentials")
            .field("email", &self.email)
            .field("api_token", &"[REDACTED]")
            .finish()
    }
}

/// Everything the client needs. Secrets stay in [`SecretString`].
#[derive(Clone)]
pub struct ClientOptions {
    pub base_url: String,
    pub admin: Option<AdminCredentials>,
    /// One ZIS OAuth token used for every integration (`ZIS_OAUTH_TOKEN`).
    pub oauth_token: Option<SecretString>,
    /// Per-integration ZIS OAuth tokens (from the config).
    pub integration_tokens: HashMap<String, SecretString>,
    pub connect_timeout: Duration,
    /// Total time for one request (connect, send, read the answer).
    pub timeout: Duration,
    /// The longest a single Retry-After is honoured; longer values are capped to this.
    pub max_retry_wait: Duration,
    /// Attempts per call for 429s (each waits Retry-After).
    pub max_rate_limit_attempts: u32,
    /// Attempts per idempotent call for 5xx and network failures.
    pub max_attempts: u32,
    /// First backoff after a transient failure; doubles each time.
    pub backoff: Duration,
    /// Answers larger than this are refused.
    pub max_body_bytes: usize,
    /// Page size for `connections/all` (max 100).
    pub page_size: u32,
    /// Told about every mutation (never a value): an audit log, for one.
    pub journal: Option<Arc<dyn Journal>>,
}

impl ClientOptions {
    pub fn new(base_url: impl Into<String>) -> ClientOptions {
        ClientOptions {
            base_url: base_url.into(),
            admin: None,
            oauth_token: None,
            integration_tokens: HashMap::new(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_retry_wait: Duration::from_secs(60),
            max_rate_limit_attempts: 6,
            max_attempts: 3,
            backoff: Duration::from_millis(500),
            max_body_bytes: 16 * 1024 * 1024,
            page_size: 100,
            journal: None,
        }
    }
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("base_url", &self.base_url)
            .field("admin", &self.admin)
            .field(
                "oauth_token",
                &self.oauth_token.as_ref().map(|_| "[REDACTED]"),
            )
            .field(
                "integration_tokens",
                &self.integration_tokens.keys().collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

type Observer = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

/// A cheap-to-clone handle to the ZIS API.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    observer: Option<Observer>,
    /// Requests this handle (and its clones) may have on the wire at once (None: no limit).
    slots: Option<Arc<tokio::sync::Semaphore>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .finish_non_exhaustive()
    }
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    opts: ClientOptions,
    /// Tokens minted for integrations, cached for the life of the client.
    minted: Mutex<HashMap<String, SecretString>>,
    /// Integration name -> OAuth client id, from the registry list.
    client_ids: tokio::sync::Mutex<Option<HashMap<String, u64>>>,
    /// Shared across every request: no request is sent before this instant (set by a 429).
    blocked_until: Mutex<Option<Instant>>,
    /// Requests the server's budget still allows, as estimated from the last
    /// `X-Rate-Limit-Remaining` less the requests sent since. `None`: unknown.
    budget: Mutex<Option<i64>>,
    /// Requests sent and not yet answered.
    in_flight: std::sync::atomic::AtomicI64,
    /// When the budget is spent, requests go one at a time until a 429 tells how long to wait.
    probe: tokio::sync::Mutex<()>,
}

/// How a request may be repeated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// GET, PATCH, DELETE: repeat on 5xx, timeouts and network failures.
    Idempotent,
    /// POST create: repeat only when the request surely was not processed.
    Create,
}

struct Answer {
    body: Vec<u8>,
}

/// Where an integration's bearer token came from (for the status line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Configured,
    Environment,
    Minted,
}

impl Client {
    pub fn new(opts: ClientOptions) -> Result<Client> {
        let base = parse_base_url(&opts.base_url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("zisctl/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                opts,
                minted: Mutex::new(HashMap::new()),
                client_ids: tokio::sync::Mutex::new(None),
                blocked_until: Mutex::new(None),
                budget: Mutex::new(None),
                in_flight: std::sync::atomic::AtomicI64::new(0),
                probe: tokio::sync::Mutex::new(()),
            }),
            observer: None,
            slots: None,
        })
    }

    /// A handle that reports [`ClientEvent`]s (rate limits, retries) to `f`.
    pub fn with_observer(&self, f: impl Fn(&ClientEvent) + Send + Sync + 'static) -> Client {
        Client {
            inner: self.inner.clone(),
            observer: Some(Arc::new(f)),
            slots: self.slots.clone(),
        }
    }

    /// A handle (shared by its clones) that has at most `n` requests on the wire at once,
    /// whatever calls they belong to: many calls can then be under way, each waiting for a
    /// slot only while it sends. A call that needs several requests in turn (mint a token,
    /// then list; page after page) then never leaves a slot idle between them.
    pub fn with_max_in_flight(&self, n: usize) -> Client {
        Client {
            inner: self.inner.clone(),
            observer: self.observer.clone(),
            slots: Some(Arc::new(tokio::sync::Semaphore::new(n.max(1)))),
        }
    }

    pub fn base_url(&self) -> &str {
        self.inner.base.as_str()
    }

    pub fn options(&self) -> &ClientOptions {
        &self.inner.opts
    }

    fn emit(&self, ev: ClientEvent) {
        tracing::info!(event = %ev, "client event");
        if let Some(o) = &self.observer {
            o(&ev);
        }
    }

    // ----- registry -------------------------------------------------------------------------

    /// `GET /api/services/zis/registry/integrations`.
    pub async fn list_integrations(&self) -> Result<Vec<Integration>> {
        let url = self.url(&["api", "services", "zis", "registry", "integrations"]);
        let ans = self
            .send(Method::GET, url, None, AuthFor::Admin, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context("list integrations"))?;
        let v = parse_json(&ans.body)?;
        let arr = v
            .get("integrations")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::invalid_response("no \"integrations\" array in the answer"))?;
        let list: Vec<Integration> = arr.iter().filter_map(parse_integration).collect();
        let ids = list
            .iter()
            .filter_map(|i| i.oauth_client.as_ref().map(|c| (i.name.clone(), c.id)))
            .collect();
        *self.inner.client_ids.lock().await = Some(ids);
        Ok(list)
    }

    /// `POST /api/services/zis/registry/{integration}`.
    pub async fn register_integration(
        &self,
        name: &str,
        description: &str,
    ) -> Result<RegisteredIntegration> {
        validate::integration_name(name)?;
        let url = self.url(&["api", "services", "zis", "registry", name]);
        let body = serde_json::json!({ "description": description });
        let ans = self
            .send(Method::POST, url, Some(body), AuthFor::Admin, Retry::Create)
            .await
            .map_err(|e| e.with_context(format!("register integration {name}")));
        self.record(name, None, "register", None, &[], &ans);
        let ans = ans?;
        let v = parse_json(&ans.body)?;
        let oauth = v.get("zendesk_oauth_client");
        let client_secret = oauth
            .and_then(|o| o.get("secret"))
            .and_then(Value::as_str)
            .filter(|s| !is_redacted(s))
            .map(|s| SecretString::from(s.to_string()));
        let mut obj = v.clone();
        if let Some(o) = obj.as_object_mut() {
            o.insert("name".into(), Value::String(name.to_string()));
        }
        let integration = parse_integration(&obj)
            .ok_or_else(|| Error::invalid_response("the registry answer has no integration"))?;
        if let Some(c) = &integration.oauth_client {
            if let Some(ids) = self.inner.client_ids.lock().await.as_mut() {
                ids.insert(name.to_string(), c.id);
            }
        }
        Ok(RegisteredIntegration {
            integration,
            client_secret,
        })
    }

    /// `POST /api/v2/oauth/tokens`: mint a ZIS OAuth token for an integration's client.
    pub async fn mint_token(&self, integration: &str) -> Result<SecretString> {
        let client_id = self.client_id(integration).await?;
        let url = self.url(&["api", "v2", "oauth", "tokens"]);
        let body =
            serde_json::json!({"token": {"client_id": client_id, "scopes": ["read", "write"]}});
        let ans = self
            .send(Method::POST, url, Some(body), AuthFor::Admin, Retry::Create)
            .await
            .map_err(|e| e.with_context(format!("mint a token for {integration}")))?;
        let v = parse_json(&ans.body)?;
        let tok = v
            .get("token")
            .and_then(|t| t.get("full_token"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::invalid_response("no token.full_token in the answer"))?;
        let tok = SecretString::from(tok.to_string());
        if let Ok(mut m) = self.inner.minted.lock() {
            m.insert(integration.to_string(), tok.clone());
        }
        Ok(tok)
    }

    async fn client_id(&self, integration: &str) -> Result<u64> {
        {
            let ids = self.inner.client_ids.lock().await;
            if let Some(id) = ids.as_ref().and_then(|m| m.get(integration)) {
                return Ok(*id);
            }
        }
        self.list_integrations().await?;
        let ids = self.inner.client_ids.lock().await;
        ids.as_ref()
            .and_then(|m| m.get(integration))
            .copied()
            .ok_or_else(|| {
                let mut e = Error::new(ErrorKind::BadRequest, "Specified integration is not valid");
                e.code = Some("InvalidIntegration".into());
                e.with_context(format!("integration {integration}"))
            })
    }

    /// Where the token for `integration` comes from, if one is available without minting.
    pub fn token_source(&self, integration: &str) -> Option<TokenSource> {
        if self.inner.opts.integration_tokens.contains_key(integration) {
            Some(TokenSource::Configured)
        } else if self.inner.opts.oauth_token.is_some() {
            Some(TokenSource::Environment)
        } else if self
            .inner
            .minted
            .lock()
            .map(|m| m.contains_key(integration))
            .unwrap_or(false)
        {
            Some(TokenSource::Minted)
        } else {
            None
        }
    }

    /// The bearer token for an integration's connections, and whether it was minted here.
    async fn token_for(&self, integration: &str) -> Result<(SecretString, bool)> {
        let o = &self.inner.opts;
        if let Some(t) = o.integration_tokens.get(integration) {
            return Ok((t.clone(), false));
        }
        if let Some(t) = &o.oauth_token {
            return Ok((t.clone(), false));
        }
        let cached = self
            .inner
            .minted
            .lock()
            .ok()
            .and_then(|m| m.get(integration).cloned());
        if let Some(t) = cached {
            return Ok((t, true));
        }
        if o.admin.is_none() {
            return Err(Error::config(format!(
                "no ZIS OAuth token for integration {integration}: set ZIS_OAUTH_TOKEN, add one \
                 to the config, or give admin credentials (ZENDESK_EMAIL and ZENDESK_API_TOKEN) \
                 so zisctl can mint one"
            )));
        }
        Ok((self.mint_token(integration).await?, true))
    }

    fn forget_minted(&self, integration: &str) {
        if let Ok(mut m) = self.inner.minted.lock() {
            m.remove(integration);
        }
    }

    // ----- connections ----------------------------------------------------------------------

    /// One page of `GET .../connections/all`.
    pub async fn list_connections_page(
        &self,
        integration: &str,
        after: Option<&str>,
        size: u32,
    ) -> Result<ConnectionPage> {
        validate::integration_name(integration)?;
        let mut url = self.url(&[
            "api",
            "services",
            "zis",
            "integrations",
            integration,
            "connections",
            "all",
        ]);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("page[size]", &size.clamp(1, 100).to_string());
            if let Some(a) = after {
                q.append_pair("page[after]", a);
            }
        }
        let ans = self
            .send_conn(Method::GET, url, None, integration, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context(format!("list connections of {integration}")))?;
        parse_page(&ans.body)
    }

    /// Every connection of an integration, following `meta.after` while `has_more`.
    pub async fn list_connections(&self, integration: &str) -> Result<Vec<Connection>> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        loop {
            let page = self
                .list_connections_page(integration, after.as_deref(), self.inner.opts.page_size)
                .await?;
            all.extend(page.connections);
            if !page.has_more {
                break;
            }
            let Some(next) = page.after else {
                return Err(Error::invalid_response(
                    "the server said has_more but gave no meta.after cursor",
                ));
            };
            if !seen.insert(next.clone()) {
                return Err(Error::invalid_response(
                    "the server repeated a page cursor (pagination loop)",
                ));
            }
            after = Some(next);
        }
        Ok(all)
    }

    /// `GET .../connections/{kind}/{name}`.
    pub async fn get_connection(
        &self,
        integration: &str,
        kind: ConnectionKind,
        name: &str,
    ) -> Result<Connection> {
        validate::integration_name(integration)?;
        let url = self.conn_url(integration, kind, Some(name));
        let ans = self
            .send_conn(Method::GET, url, None, integration, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context(format!("show {kind} connection {integration}/{name}")))?;
        parse_wrapped(&ans.body, kind)
    }

    /// Find a connection by name whatever its kind (tries each creatable kind, then `oauth`).
    pub async fn find_connection(&self, integration: &str, name: &str) -> Result<Connection> {
        let mut last = None;
        for kind in ConnectionKind::ALL {
            match self.get_connection(integration, kind, name).await {
                Ok(c) => return Ok(c),
                Err(e) if e.kind == ErrorKind::NotFound => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last
            .unwrap_or_else(|| Error::new(ErrorKind::NotFound, "Connection does not exist"))
            .with_context(format!("connection {integration}/{name}")))
    }

    /// `POST .../connections/{kind}`. Validates every field first; nothing is sent on a
    /// broken rule.
    pub async fn create_connection(
        &self,
        integration: &str,
        new: &NewConnection,
    ) -> Result<Connection> {
        validate::integration_name(integration)?;
        validate_new(new)?;
        let kind = new.credential.kind();
        let url = self.conn_url(integration, kind, None);
        let ans = self
            .send_conn(
                Method::POST,
                url,
                Some(new.to_body()),
                integration,
                Retry::Create,
            )
            .await
            .map_err(|e| {
                e.with_context(format!(
                    "create {kind} connection {integration}/{}",
                    new.name
                ))
            });
        let fields: &[&str] = match &new.credential {
            NewCredential::BasicAuth { .. } => &["username", "password"],
            NewCredential::ApiKey { .. } => &["header_name", "api_key"],
            NewCredential::BearerToken { .. } => &["token"],
        };
        self.record(
            integration,
            Some(&new.name),
            "create",
            Some(kind),
            fields,
            &ans,
        );
        parse_wrapped(&ans?.body, kind)
    }

    /// `PATCH .../connections/{kind}/{name}` (answers 204).
    pub async fn update_connection(
        &self,
        integration: &str,
        name: &str,
        update: &ConnectionUpdate,
    ) -> Result<()> {
        validate::integration_name(integration)?;
        validate_update(update)?;
        let kind = update.kind();
        let url = self.conn_url(integration, kind, Some(name));
        let res = self
            .send_conn(
                Method::PATCH,
                url,
                Some(update.to_body()),
                integration,
                Retry::Idempotent,
            )
            .await
            .map_err(|e| e.with_context(format!("update {kind} connection {integration}/{name}")));
        self.record(
            integration,
            Some(name),
            "update",
            Some(kind),
            &update.fields(),
            &res,
        );
        res.map(|_| ())
    }

    /// PATCH a basic_auth connection's password and GET it back to verify that `updated_at`
    /// moved. `before` is `updated_at` as known before the change.
    ///
    /// On a PATCH error the error is returned with `may_have_applied` set when the request may
    /// have reached the server: the caller must keep the password.
    pub async fn apply_password(
        &self,
        integration: &str,
        name: &str,
        password: &SecretString,
        before: Option<time::OffsetDateTime>,
    ) -> Result<Applied> {
        let update = ConnectionUpdate::BasicAuth {
            username: None,
            password: Some(SecretString::from(password.expose_secret().to_string())),
        };
        self.update_connection(integration, name, &update).await?;
        match self
            .get_connection(integration, ConnectionKind::BasicAuth, name)
            .await
        {
            Ok(c) => {
                let verified = match (before, c.updated_at) {
                    (Some(b), Some(a)) => a > b,
                    (None, Some(_)) => true,
                    _ => false,
                };
                Ok(Applied {
                    updated_at: c.updated_at,
                    verified,
                })
            }
            Err(e) => {
                tracing::warn!(integration, name, error = %e, "rotation applied but not verified");
                Ok(Applied {
                    updated_at: None,
                    verified: false,
                })
            }
        }
    }

    /// `DELETE .../connections/{kind}/{name}` (answers 204).
    pub async fn delete_connection(
        &self,
        integration: &str,
        kind: ConnectionKind,
        name: &str,
    ) -> Result<()> {
        validate::integration_name(integration)?;
        let url = self.conn_url(integration, kind, Some(name));
        let res = self
            .send_conn(Method::DELETE, url, None, integration, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context(format!("delete {kind} connection {integration}/{name}")));
        self.record(integration, Some(name), "delete", Some(kind), &[], &res);
        res.map(|_| ())
    }

    // ----- plumbing -------------------------------------------------------------------------

    fn record<T>(
        &self,
        integration: &str,
        connection: Option<&str>,
        action: &str,
        kind: Option<ConnectionKind>,
        fields: &[&str],
        res: &Result<T>,
    ) {
        if let Some(journal) = &self.inner.opts.journal {
            let outcome = match res {
                Ok(_) => Ok(()),
                Err(e) => Err(e.clone()),
            };
            journal.record(integration, connection, action, kind, fields, &outcome);
        }
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.inner.base.clone();
        if let Ok(mut p) = url.path_segments_mut() {
            p.pop_if_empty();
            p.extend(segments);
        }
        url
    }

    fn conn_url(&self, integration: &str, kind: ConnectionKind, name: Option<&str>) -> Url {
        let mut segs = vec![
            "api",
            "services",
            "zis",
            "integrations",
            integration,
            "connections",
            kind.as_str(),
        ];
        if let Some(n) = name {
            segs.push(n);
        }
        self.url(&segs)
    }

    /// A connections call: bearer token of the integration, re-minted once on 401.
    async fn send_conn(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        integration: &str,
        retry: Retry,
    ) -> Result<Answer> {
        let (token, minted) = self.token_for(integration).await?;
        let first = self
            .send(
                method.clone(),
                url.clone(),
                body.clone(),
                AuthFor::Bearer(&token),
                retry,
            )
            .await;
        match first {
            Err(e) if e.kind == ErrorKind::Unauthorized && minted => {
                tracing::info!(integration, "401 with a minted token: minting a new one");
                self.forget_minted(integration);
                let token = self.mint_token(integration).await?;
                self.send(method, url, body, AuthFor::Bearer(&token), retry)
                    .await
            }
            other => other,
        }
    }

    /// Send one logical request: waits out shared rate-limit blocks, honours Retry-After on
    /// 429, retries transient failures of idempotent calls with backoff.
    async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        auth: AuthFor<'_>,
        retry: Retry,
    ) -> Result<Answer> {
        let mut reached = false;
        let res = self
            .send_attempts(method.clone(), url, body, auth, retry, &mut reached)
            .await;
        // A mutation that may have reached the server in any attempt may have been applied,
        // whatever the last attempt met: the caller must not throw away what it sent.
        res.map_err(|mut e| {
            if reached && method != Method::GET {
                e.may_have_applied = true;
            }
            e
        })
    }

    async fn send_attempts(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        auth: AuthFor<'_>,
        retry: Retry,
        reached: &mut bool,
    ) -> Result<Answer> {
        let opts = &self.inner.opts;
        let mut rate_limited = 0u32;
        let mut failures = 0u32;
        let mut retried_create = false;
        loop {
            // A slot, if this handle has a limit: held until the answer is read (and while
            // a rate-limit block that began meanwhile runs out), never during a backoff.
            let slot = match &self.slots {
                Some(s) => s.clone().acquire_owned().await.ok(),
                None => None,
            };
            self.wait_for_gate().await;
            let auth_value = match auth {
                AuthFor::Admin => match &opts.admin {
                    Some(a) => basic_header(a)?,
                    None => {
                        return Err(Error::config(
                            "this call needs admin credentials: set ZENDESK_EMAIL and \
                             ZENDESK_API_TOKEN (or api_token_command in the config)",
                        ))
                    }
                },
                AuthFor::Bearer(t) => bearer_header(t)?,
            };
            let _probe = self.take_budget().await;
            let started = Instant::now();
            let mut req = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, auth_value);
            if let Some(b) = &body {
                req = req
                    .header(CONTENT_TYPE, "application/json")
                    .body(b.to_string());
            }
            let result = req.send().await;
            self.inner
                .in_flight
                .fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            let resp = match result {
                Ok(r) => r,
                Err(e) => {
                    drop(slot);
                    let not_sent = e.is_connect();
                    *reached |= !not_sent;
                    let err = if e.is_timeout() {
                        Error::new(
                            ErrorKind::Timeout,
                            format!("no answer within {} s", opts.timeout.as_secs()),
                        )
                    } else if e.is_connect() {
                        Error::new(
                            ErrorKind::Network,
                            format!("cannot connect to {}", host_of(&url)),
                        )
                    } else {
                        Error::new(ErrorKind::Network, "the connection failed before an answer")
                    };
                    tracing::warn!(%method, path = url.path(), kind = ?err.kind, "request failed");
                    let may_retry = match retry {
                        Retry::Idempotent => true,
                        Retry::Create => not_sent,
                    };
                    failures += 1;
                    if may_retry && failures < opts.max_attempts {
                        let wait = opts.backoff * 2u32.pow(failures - 1);
                        self.emit(ClientEvent::Retrying {
                            wait,
                            attempt: failures,
                            reason: err.message.clone(),
                        });
                        tokio::time::sleep(wait).await;
                        retried_create |= retry == Retry::Create;
                        continue;
                    }
                    let mut err = err;
                    if retry == Retry::Create && !not_sent {
                        err.may_have_applied = true;
                    }
                    if method == Method::PATCH && !not_sent {
                        err.may_have_applied = true;
                    }
                    return Err(err);
                }
            };
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            self.observe_budget(&headers);
            tracing::debug!(%method, path = url.path(), status, elapsed_ms = started.elapsed().as_millis() as u64, "answer");
            let body_bytes = read_body(resp, opts.max_body_bytes).await;
            drop(slot);

            if status == 429 {
                rate_limited += 1;
                let wait = retry_after(&headers, SystemTime::now())
                    .unwrap_or(Duration::from_secs(1))
                    .min(opts.max_retry_wait);
                self.block_for(wait);
                if rate_limited < opts.max_rate_limit_attempts {
                    self.emit(ClientEvent::RateLimited {
                        wait,
                        attempt: rate_limited,
                    });
                    continue;
                }
                let b = body_bytes.unwrap_or_default();
                return Err(Error::from_response(status, &b));
            }
            if (200..300).contains(&status) {
                // A 2xx was applied even if its body was then cut off.
                *reached = true;
                let body = body_bytes?;
                return Ok(Answer { body });
            }
            if (300..400).contains(&status) {
                return Err(Error::new(
                    ErrorKind::InvalidResponse,
                    format!("unexpected redirect ({status}); not followed"),
                ));
            }
            let b = body_bytes.unwrap_or_default();
            let mut err = Error::from_response(status, &b);
            if status >= 500 {
                *reached = true;
                let may_retry = match retry {
                    Retry::Idempotent => true,
                    Retry::Create => status == 503,
                };
                failures += 1;
                if may_retry && failures < opts.max_attempts {
                    let wait = retry_after(&headers, SystemTime::now())
                        .unwrap_or(opts.backoff * 2u32.pow(failures - 1))
                        .min(opts.max_retry_wait);
                    self.emit(ClientEvent::Retrying {
                        wait,
                        attempt: failures,
                        reason: format!("server error {status}"),
                    });
                    tokio::time::sleep(wait).await;
                    retried_create |= retry == Retry::Create;
                    continue;
                }
                if retry == Retry::Create && status != 503 {
                    err.may_have_applied = true;
                }
            }
            if status == 409 && retried_create {
                err.message = format!(
                    "{} (it may already exist: an earlier attempt's answer was lost)",
                    err.message
                );
                err.may_have_applied = true;
            }
            if status == 404 && method == Method::DELETE && failures > 0 {
                // An earlier DELETE whose answer was lost already removed it.
                return Ok(Answer { body: Vec::new() });
            }
            return Err(err);
        }
    }

    async fn wait_for_gate(&self) {
        loop {
            let until = *lock(&self.inner.blocked_until);
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t.into()).await,
                _ => return,
            }
        }
    }

    fn block_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut b = lock(&self.inner.blocked_until);
        if b.is_none_or(|t| t < until) {
            *b = Some(until);
        }
        // After the wait a new window starts: the budget is unknown until an answer tells.
        *lock(&self.inner.budget) = None;
    }

    /// Pace from the server's budget: while it is known to allow more requests, take one of
    /// them; when it is spent, send one request at a time (a probe) so that only one meets the
    /// 429 whose Retry-After then holds every other request back. Returns the probe guard.
    async fn take_budget(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        use std::sync::atomic::Ordering;
        let spent = {
            let mut b = lock(&self.inner.budget);
            match *b {
                Some(n) if n <= 0 => true,
                Some(n) => {
                    *b = Some(n - 1);
                    false
                }
                None => false,
            }
        };
        let guard = if spent {
            let g = self.inner.probe.lock().await;
            self.wait_for_gate().await;
            Some(g)
        } else {
            None
        };
        self.inner.in_flight.fetch_add(1, Ordering::SeqCst);
        guard
    }

    fn observe_budget(&self, headers: &HeaderMap) {
        let remaining = headers
            .get("x-rate-limit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        if let Some(r) = remaining {
            let others = self
                .inner
                .in_flight
                .load(std::sync::atomic::Ordering::SeqCst);
            let est = r - others;
            let mut b = lock(&self.inner.budget);
            // The latest answer wins: after a window resets, a larger value is the truth.
            *b = Some(est);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Clone, Copy)]
enum AuthFor<'a> {
    Admin,
    Bearer(&'a SecretString),
}

fn basic_header(a: &AdminCredentials) -> Result<HeaderValue> {
    let raw = zeroize::Zeroizing::new(format!("{}/token:{}", a.email, a.api_token.expose_secret()));
    let enc =
        zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(raw.as_bytes()));
    let mut v = HeaderValue::from_str(&format!("Basic {}", enc.as_str())).map_err(|_| {
        Error::config("the admin email or API token holds characters not allowed in a header")
    })?;
    v.set_sensitive(true);
    Ok(v)
}

fn bearer_header(t: &SecretString) -> Result<HeaderValue> {
    let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose_secret()))
        .map_err(|_| Error::config("the OAuth token holds characters not allowed in a header"))?;
    v.set_sensitive(true);
    Ok(v)
}

async fn read_body(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>> {
    if let Some(len) = resp.content_length() {
        if len as usize > cap {
            return Err(too_large(cap));
        }
    }
    let mut out = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if out.len() + c.len() > cap {
                    return Err(too_large(cap));
                }
                out.extend_from_slice(&c);
            }
            Ok(None) => return Ok(out),
            Err(e) if e.is_timeout() => {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    "the answer stopped arriving before the timeout",
                ))
            }
            Err(_) => {
                return Err(Error::new(
                    ErrorKind::InvalidResponse,
                    "the answer was cut off before its end",
                ))
            }
        }
    }
}

fn too_large(cap: usize) -> Error {
    Error::new(
        ErrorKind::InvalidResponse,
        format!(
            "the answer is larger than {} MiB; refused",
            cap / (1024 * 1024)
        ),
    )
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.as_str().to_string(),
    }
}

/// Accept `https://…`, or `http://…` for a loopback host alone.
pub fn parse_base_url(s: &str) -> Result<Url> {
    let url = Url::parse(s.trim())
        .map_err(|e| Error::config(format!("base URL is not a valid URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(Error::config(
                    "base URL: plain http is accepted only for loopback addresses \
                     (127.0.0.1, ::1, localhost); use https",
                ));
            }
        }
        other => {
            return Err(Error::config(format!(
                "base URL: scheme {other} is not supported; use https"
            )))
        }
    }
    if url.host().is_none() {
        return Err(Error::config("base URL has no host"));
    }
    Ok(url)
}

/// Parse `Retry-After` (delta seconds or an HTTP date) relative to `now`.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(v, now)
}

/// Parse the value of a `Retry-After` header: whole (or fractional) seconds, or an HTTP date.
pub fn parse_retry_after(v: &str, now: SystemTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        if (0.0..1e9).contains(&secs) {
            return Some(Duration::from_secs_f64(secs));
        }
        return None;
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

fn is_redacted(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c == '*')
}

fn parse_json(body: &[u8]) -> Result<Value> {
    if body.is_empty() {
        return Err(Error::invalid_response(
            "the answer was empty, JSON expected",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            Error::invalid_response("the answer was cut off (incomplete JSON)")
        } else {
            Error::invalid_response(format!(
                "the answer is not the JSON expected (line {}, column {})",
                e.line(),
                e.column()
            ))
        }
    })
}

fn parse_integration(v: &Value) -> Option<Integration> {
    let name = v.get("name")?.as_str()?.to_string();
    let oauth_client = v.get("zendesk_oauth_client").and_then(|o| {
        let id = match o.get("id")? {
            Value::Number(n) => n.as_u64()?,
            Value::String(s) => s.parse().ok()?,
            _ => return None,
        };
        Some(OAuthClient {
            id,
            identifier: o
                .get("identifier")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        })
    });
    Some(Integration {
        name,
        description: v
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        jwt_public_key: v
            .get("jwt_public_key")
            .and_then(Value::as_str)
            .map(str::to_string),
        oauth_client,
    })
}

fn parse_time(v: Option<&Value>) -> Option<time::OffsetDateTime> {
    parse_timestamp(v?.as_str()?)
}

/// Parse one connection object of a known kind.
pub fn parse_connection(kind: ConnectionKind, v: &Value) -> Result<Connection> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let name = s("name")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Error::invalid_response(format!("a {kind} connection without a name")))?;
    Ok(Connection {
        kind,
        name,
        allowed_domain: s("allowed_domain").unwrap_or_default(),
        username: if kind == ConnectionKind::BasicAuth {
            s("username")
        } else {
            None
        },
        header_name: if kind == ConnectionKind::ApiKey {
            s("header_name")
        } else {
            None
        },
        created_at: parse_time(v.get("created_at")),
        updated_at: parse_time(v.get("updated_at")),
    })
}

fn parse_wrapped(body: &[u8], kind: ConnectionKind) -> Result<Connection> {
    let v = parse_json(body)?;
    let inner = v.get(kind.as_str()).ok_or_else(|| {
        Error::invalid_response(format!("no \"{}\" object in the answer", kind.as_str()))
    })?;
    parse_connection(kind, inner)
}

/// Parse one page of `connections/all`. Typed and borrowing (no intermediate JSON tree): the
/// hot path of an audit. Lenient about what it does not need: a field of an unexpected type is
/// read as absent; a list that is not a list is an error.
pub fn parse_page(body: &[u8]) -> Result<ConnectionPage> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => {
            return Err(Error::invalid_response(
                "the answer was empty, JSON expected",
            ))
        }
        // A derived struct would also accept a JSON array as a sequence of fields.
        Some(b'[') => {
            return Err(Error::invalid_response(
                "the connections answer is not a JSON object",
            ))
        }
        Some(_) => {}
    }
    let raw: RawPage<'_> = serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            Error::invalid_response("the answer was cut off (incomplete JSON)")
        } else if e.is_data() {
            Error::invalid_response(format!(
                "the connections answer has an unexpected shape ({e})"
            ))
        } else {
            Error::invalid_response(format!(
                "the answer is not the JSON expected (line {}, column {})",
                e.line(),
                e.column()
            ))
        }
    })?;
    let n = [&raw.basic_auth, &raw.api_key, &raw.bearer_token, &raw.oauth]
        .iter()
        .map(|l| l.as_ref().map_or(0, Vec::len))
        .sum();
    let mut connections = Vec::with_capacity(n);
    for (kind, list) in [
        (ConnectionKind::BasicAuth, raw.basic_auth),
        (ConnectionKind::ApiKey, raw.api_key),
        (ConnectionKind::BearerToken, raw.bearer_token),
        (ConnectionKind::OAuth, raw.oauth),
    ] {
        for c in list.into_iter().flatten() {
            let name = c.name.0.filter(|n| !n.is_empty()).ok_or_else(|| {
                Error::invalid_response(format!("a {kind} connection without a name"))
            })?;
            connections.push(Connection {
                kind,
                name: name.into_owned(),
                allowed_domain: c.allowed_domain.0.map(Cow::into_owned).unwrap_or_default(),
                username: if kind == ConnectionKind::BasicAuth {
                    c.username.0.map(Cow::into_owned)
                } else {
                    None
                },
                header_name: if kind == ConnectionKind::ApiKey {
                    c.header_name.0.map(Cow::into_owned)
                } else {
                    None
                },
                created_at: c.created_at.0.as_deref().and_then(parse_timestamp),
                updated_at: c.updated_at.0.as_deref().and_then(parse_timestamp),
            });
        }
    }
    let meta = raw.meta.unwrap_or_default();
    let cursor = |c: LenientStr<'_>| c.0.filter(|s| !s.is_empty()).map(Cow::into_owned);
    Ok(ConnectionPage {
        connections,
        has_more: meta.has_more.unwrap_or(false),
        after: cursor(meta.after),
        before: cursor(meta.before),
    })
}

#[derive(serde::Deserialize)]
struct RawPage<'a> {
    #[serde(default, borrow)]
    basic_auth: Option<Vec<RawConnection<'a>>>,
    #[serde(default, borrow)]
    api_key: Option<Vec<RawConnection<'a>>>,
    #[serde(default, borrow)]
    bearer_token: Option<Vec<RawConnection<'a>>>,
    #[serde(default, borrow)]
    oauth: Option<Vec<RawConnection<'a>>>,
    #[serde(default, borrow)]
    meta: Option<RawMeta<'a>>,
}

#[derive(serde::Deserialize, Default)]
struct RawMeta<'a> {
    #[serde(default, deserialize_with = "lenient_bool")]
    has_more: Option<bool>,
    #[serde(default, borrow)]
    after: LenientStr<'a>,
    #[serde(default, borrow)]
    before: LenientStr<'a>,
}

#[derive(serde::Deserialize)]
struct RawConnection<'a> {
    #[serde(default, borrow)]
    name: LenientStr<'a>,
    #[serde(default, borrow)]
    allowed_domain: LenientStr<'a>,
    #[serde(default, borrow)]
    username: LenientStr<'a>,
    #[serde(default, borrow)]
    header_name: LenientStr<'a>,
    #[serde(default, borrow)]
    created_at: LenientStr<'a>,
    #[serde(default, borrow)]
    updated_at: LenientStr<'a>,
}

/// A string field that reads any other JSON value as absent.
#[derive(Default)]
struct LenientStr<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for LenientStr<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = LenientStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Owned(v))))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> std::result::Result<Self::Value, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(LenientStr(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(LenientStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

fn lenient_bool<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<bool>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(v.as_bool())
}

/// RFC 3339 timestamp. The shape ZIS sends (`2025-04-12T23:20:50.52Z`) is read by a fast
/// path; anything else goes through the full parser.
pub fn parse_timestamp(s: &str) -> Option<time::OffsetDateTime> {
    fast_utc_timestamp(s).or_else(|| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
    })
}

fn fast_utc_timestamp(s: &str) -> Option<time::OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() < 20
        || *b.last()? != b'Z'
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = &b[19..b.len() - 1];
    let nanos = match rest {
        [] => 0,
        [b'.', digits @ ..] if !digits.is_empty() && digits.len() <= 9 => {
            let mut n = 0u32;
            for &c in digits {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + u32::from(c - b'0');
            }
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?)
            .ok()?;
    let t = time::Time::from_hms_nano(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_utc())
}

fn validate_new(new: &NewConnection) -> Result<()> {
    validate::connection_name(&new.name)?;
    validate::allowed_domain(&new.allowed_domain)?;
    match &new.credential {
        NewCredential::BasicAuth { username, password } => {
            validate::username(username)?;
            validate::secret("password", password.expose_secret())
        }
        NewCredential::ApiKey {
            header_name,
            api_key,
        } => {
            validate::header_name(header_name)?;
            validate::secret("api key", api_key.expose_secret())
        }
        NewCredential::BearerToken { token } => validate::secret("token", token.expose_secret()),
    }
}

fn validate_update(u: &ConnectionUpdate) -> Result<()> {
    if u.is_empty() {
        return Err(Error::validation("update", "nothing to change"));
    }
    match u {
        ConnectionUpdate::BasicAuth { username, password } => {
            if let Some(n) = username {
                validate::username(n)?;
            }
            if let Some(p) = password {
                validate::secret("password", p.expose_secret())?;
            }
        }
        ConnectionUpdate::ApiKey {
            header_name,
            api_key,
        } => {
            if let Some(h) = header_name {
                validate::header_name(h)?;
            }
            if let Some(k) = api_key {
                validate::secret("api key", k.expose_secret())?;
            }
        }
        ConnectionUpdate::BearerToken { token } => {
            if let Some(t) = token {
                validate::secret("token", t.expose_secret())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert!(parse_base_url("https://acme.zendesk.com").is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("http://[::1]:8080").is_ok());
        assert!(parse_base_url("http://localhost:1").is_ok());
        let e = parse_base_url("http://acme.zendesk.com")
            .err()
            .map(|e| e.message);
        assert!(e.unwrap_or_default().contains("loopback"));
        assert!(parse_base_url("ftp://x").is_err());
        assert!(parse_base_url("not a url").is_err());
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        let later = now + Duration::from_secs(120);
        let d = parse_retry_after(&httpdate::fmt_http_date(later), now);
        assert!(d.is_some_and(|d| d.as_secs() >= 119 && d.as_secs() <= 120));
        let past = now - Duration::from_secs(120);
        assert_eq!(
            parse_retry_after(&httpdate::fmt_http_date(past), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn fast_timestamps_agree_with_the_full_parser() {
        use time::format_description::well_known::Rfc3339;
        for t in [
            "1985-04-12T23:20:50.52Z",
            "2025-01-01T00:00:00Z",
            "2024-02-29T12:34:56.123456789Z",
            "2023-12-31T23:59:59.000Z",
        ] {
            assert_eq!(
                fast_utc_timestamp(t),
                time::OffsetDateTime::parse(t, &Rfc3339).ok(),
                "{t}"
            );
        }
        for bad in [
            "2023-02-30T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-01-01T25:00:00Z",
            "2023-01-01T00:00:00.Z",
            "x",
        ] {
            assert_eq!(fast_utc_timestamp(bad), None, "{bad}");
        }
        assert!(parse_timestamp("2025-01-01T02:00:00+02:00").is_some());
    }

    #[test]
    fn page_parsing_is_lenient_about_field_types() {
        let body = br#"{"basic_auth":[{"name":"bob","username":5,"allowed_domain":null,"extra":{"a":[1,2]}}],"meta":{"has_more":"yes"}}"#;
        let p = parse_page(body).unwrap();
        assert_eq!(p.connections[0].username, None);
        assert!(!p.has_more);
        assert!(parse_page(br#"{"basic_auth":[{"username":"x"}]}"#).is_err());
        assert!(parse_page(b"[]").is_err());
        assert!(parse_page(b"   ").is_err());
    }

    #[test]
    fn page_parsing() {
        let body = br#"{"basic_auth":[{"name":"bob","username":"b","password":"*****","allowed_domain":"a.com","created_at":"2024-01-01T00:00:00.52Z","updated_at":"2024-01-02T00:00:00Z"}],
            "api_key":[{"name":"k1","header_name":"X-Key","api_key":"*****","allowed_domain":"b.com"}],
            "bearer_token":[],"oauth":[],"meta":{"has_more":true,"after":"abc","before":null}}"#;
        let p = parse_page(body).unwrap();
        assert_eq!(p.connections.len(), 2);
        assert!(p.has_more);
        assert_eq!(p.after.as_deref(), Some("abc"));
        let bob = &p.connections[0];
        assert_eq!(bob.username.as_deref(), Some("b"));
        assert!(bob.updated_at.is_some());
        assert!(parse_page(b"{\"basic_auth\": [").is_err());
        assert!(parse_page(b"<html>").is_err());
        assert!(parse_page(b"{\"basic_auth\": 3}").is_err());
    }
}
