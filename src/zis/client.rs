//! The client: a cheap-to-clone handle with one method per endpoint and the journal of
//! mutations. The wire is in `transport`, the reading of answers in `parse`, local rules in
//! `validate`, the admin session in `session`, minted ZIS tokens in `minted`, the OAuth
//! endpoints in `oauth`.
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use reqwest::header::HeaderValue;
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::error::{ClientEvent, Error, ErrorKind, Result};
use super::journal::{Mutation, Ticket};
use super::minted::Minted;
use super::models::*;
use super::options::ClientOptions;
use super::parse::{is_redacted, parse_integration, parse_json, parse_wrapped};
use super::session::Session;
use super::transport::{bearer_header, Answer, AuthFor, Pacer, Retry};
use super::validate;

// Kept at their old paths: fuzz/, benches/parse.rs and tests/prop_parse.rs import them here.
pub use super::parse::{parse_page, parse_retry_after};

type Observer = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

/// The longest page cursor followed (Zendesk's are some 100 characters): it goes into the
/// next request's URL.
const MAX_CURSOR_BYTES: usize = 4096;

/// A cheap-to-clone handle to the ZIS API.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
    observer: Option<Observer>,
    /// Requests this handle (and its clones) may have on the wire at once (None: no limit).
    pub(super) slots: Option<Arc<tokio::sync::Semaphore>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.as_str())
            .finish_non_exhaustive()
    }
}

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    base: Url,
    pub(super) opts: ClientOptions,
    /// Tokens minted for integrations (see `minted`).
    pub(super) minted: Minted,
    /// The admin's OAuth tokens in force (see `session`).
    pub(super) session: Session,
    /// Integration name -> OAuth client id, from the registry list.
    client_ids: tokio::sync::Mutex<Option<HashMap<String, u64>>>,
    /// The rate-limit gate and budget, shared by every handle.
    pub(super) pacer: Pacer,
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
        let base = validate::parse_base_url(&opts.base_url)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("zisctl/", env!("CARGO_PKG_VERSION")));
        if validate::is_loopback(&base) {
            // http_proxy, HTTP_PROXY, ALL_PROXY would otherwise carry the credentials of a
            // plain-http loopback server (the sandbox, a tunnel) to the proxy in clear.
            builder = builder.no_proxy();
            if base.scheme() == "http" {
                // Plain http to this one host: no TLS, so the system's trust store (some 150
                // files read and parsed, the most of the time before the first request) is
                // not loaded. Every request of this client goes to the base URL.
                builder = builder.tls_certs_only(std::iter::empty());
            }
        }
        let http = builder
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                opts,
                minted: Minted::default(),
                session: Session::default(),
                client_ids: tokio::sync::Mutex::new(None),
                pacer: Pacer::new(),
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

    pub(super) fn emit(&self, ev: ClientEvent) {
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
            .send_admin(Method::GET, url, None, Retry::Idempotent)
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
        let m = Mutation {
            integration: name,
            connection: None,
            action: "register",
            kind: None,
            fields: &[],
        };
        let ticket = self.journal_begin(&m);
        let ans = self
            .send_admin(Method::POST, url, Some(body), Retry::Create)
            .await
            .map_err(|e| e.with_context(format!("register integration {name}")));
        self.journal_finish(ticket, &m, &ans);
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

    pub(super) async fn client_id(&self, integration: &str) -> Result<u64> {
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
        } else if self.holds_minted(integration) {
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
        if o.admin.is_none() {
            return Err(Error::signed_out(format!(
                "not signed in: no ZIS OAuth token for integration {integration}, and no admin \
                 sign-in to mint one (sign in with OAuth, give client credentials or an API \
                 token, or set ZIS_OAUTH_TOKEN)"
            )));
        }
        Ok((self.minted_for(integration).await?, true))
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

    /// Every connection of an integration, following `meta.after` while `has_more`: at most
    /// `max_pages` pages and `max_connections` connections (an error naming the cap past
    /// them), and never a cursor seen before. Only a hash of each cursor is kept, so the
    /// memory of a listing is its connections and one page.
    pub async fn list_connections(&self, integration: &str) -> Result<Vec<Connection>> {
        let opts = &self.inner.opts;
        let cap = |what: String| {
            Error::invalid_response(what).with_context(format!("list connections of {integration}"))
        };
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        // Hashes of the cursors seen (SipHash with keys of this listing: 64 bits a cursor,
        // not the cursor; a collision among 10,000 is some one in 10^11, and a server cannot
        // aim for one).
        let keys = std::collections::hash_map::RandomState::new();
        let mut seen = std::collections::HashSet::new();
        let mut pages = 0u32;
        loop {
            let page = self
                .list_connections_page(integration, after.as_deref(), opts.page_size)
                .await?;
            pages += 1;
            if all.len() + page.connections.len() > opts.max_connections {
                return Err(cap(format!(
                    "the listing passed {} connections (the cap, max_connections); stopped",
                    opts.max_connections
                )));
            }
            all.extend(page.connections);
            if !page.has_more {
                break;
            }
            if pages >= opts.max_pages {
                return Err(cap(format!(
                    "the server still said has_more after {} pages (the cap, max_pages); stopped",
                    opts.max_pages
                )));
            }
            let Some(next) = page.after else {
                return Err(Error::invalid_response(
                    "the server said has_more but gave no meta.after cursor",
                ));
            };
            if next.len() > MAX_CURSOR_BYTES {
                return Err(cap(format!(
                    "the server's page cursor is longer than {MAX_CURSOR_BYTES} bytes; stopped"
                )));
            }
            if !seen.insert(std::hash::BuildHasher::hash_one(&keys, &next)) {
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

    /// Find a connection by name whatever its kind: each creatable kind on its own route,
    /// then an OAuth connection on its own (`GET /api/services/zis/connections/{integration}
    /// ?name=`; there is no `connections/oauth/{name}` route). Not found anywhere: "Connection
    /// does not exist" (404), naming no kind.
    pub async fn find_connection(&self, integration: &str, name: &str) -> Result<Connection> {
        // The user named no kind: an error names none either.
        let ctx = || format!("show connection {integration}/{name}");
        for kind in ConnectionKind::CREATABLE {
            match self.get_connection(integration, kind, name).await {
                Ok(c) => return Ok(c),
                Err(e) if e.kind == ErrorKind::NotFound => {}
                Err(e) => return Err(e.with_context(ctx())),
            }
        }
        match self.get_oauth_connection(integration, name).await {
            Ok(c) => Ok(c),
            Err(e) if e.kind == ErrorKind::NotFound => {
                let mut e = Error::new(ErrorKind::NotFound, "Connection does not exist");
                e.status = Some(404);
                e.code = Some("NotFound".into());
                Err(e.with_context(format!("connection {integration}/{name}")))
            }
            Err(e) => Err(e.with_context(ctx())),
        }
    }

    /// `POST .../connections/{kind}`. Validates every field first; nothing is sent on a
    /// broken rule.
    pub async fn create_connection(
        &self,
        integration: &str,
        new: &NewConnection,
    ) -> Result<Connection> {
        validate::integration_name(integration)?;
        validate::new_connection(new)?;
        let kind = new.credential.kind();
        let url = self.conn_url(integration, kind, None);
        let fields: &[&str] = match &new.credential {
            NewCredential::BasicAuth { .. } => &["username", "password"],
            NewCredential::ApiKey { .. } => &["header_name", "api_key"],
            NewCredential::BearerToken { .. } => &["token"],
        };
        let m = Mutation {
            integration,
            connection: Some(&new.name),
            action: "create",
            kind: Some(kind),
            fields,
        };
        let ans = self
            .send_journaled(
                &m,
                Method::POST,
                url,
                Some(new.to_body()),
                Retry::Create,
                || format!("create {kind} connection {integration}/{}", new.name),
            )
            .await;
        parse_wrapped(&ans?.body, kind)
    }

    /// `PATCH .../connections/{kind}/{name}` (answers 204).
    pub async fn update_connection(
        &self,
        integration: &str,
        name: &str,
        update: &ConnectionUpdate,
    ) -> Result<()> {
        self.update_connection_as(integration, name, update, "update")
            .await
    }

    /// [`Client::update_connection`], journaled as `action` (`rotate` for a rotation).
    async fn update_connection_as(
        &self,
        integration: &str,
        name: &str,
        update: &ConnectionUpdate,
        action: &'static str,
    ) -> Result<()> {
        validate::integration_name(integration)?;
        validate::connection_update(update)?;
        let kind = update.kind();
        let url = self.conn_url(integration, kind, Some(name));
        let fields = update.fields();
        let m = Mutation {
            integration,
            connection: Some(name),
            action,
            kind: Some(kind),
            fields: &fields,
        };
        let res = self
            .send_journaled(
                &m,
                Method::PATCH,
                url,
                Some(update.to_body()),
                Retry::Idempotent,
                || format!("update {kind} connection {integration}/{name}"),
            )
            .await;
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
        self.update_connection_as(integration, name, &update, "rotate")
            .await?;
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
        let m = Mutation {
            integration,
            connection: Some(name),
            action: "delete",
            kind: Some(kind),
            fields: &[],
        };
        let res = self
            .send_journaled(&m, Method::DELETE, url, None, Retry::Idempotent, || {
                format!("delete {kind} connection {integration}/{name}")
            })
            .await;
        res.map(|_| ())
    }

    // ----- plumbing -------------------------------------------------------------------------

    /// Send a mutation to an integration's connections on record: the journal hears of it
    /// before it goes and of how it ended; an error says what was being done (`context`).
    pub(super) async fn send_journaled(
        &self,
        m: &Mutation<'_>,
        method: Method,
        url: Url,
        body: Option<Value>,
        retry: Retry,
        context: impl FnOnce() -> String,
    ) -> Result<Answer> {
        let ticket = self.journal_begin(m);
        let res = self
            .send_conn(method, url, body, m.integration, retry)
            .await
            .map_err(|e| e.with_context(context()));
        self.journal_finish(ticket, m, &res);
        res
    }

    /// Tell the journal a mutation is about to be sent. If it cannot record it, say so to the
    /// observer: the mutation goes ahead.
    pub(super) fn journal_begin(&self, m: &Mutation<'_>) -> Option<Ticket> {
        let journal = self.inner.opts.journal.as_ref()?;
        match journal.begin(m) {
            Ok(t) => Some(t),
            Err(reason) => {
                self.emit(ClientEvent::JournalFailed { reason });
                None
            }
        }
    }

    /// Tell the journal how the mutation ended.
    pub(super) fn journal_finish<T>(
        &self,
        ticket: Option<Ticket>,
        m: &Mutation<'_>,
        res: &Result<T>,
    ) {
        let Some(journal) = &self.inner.opts.journal else {
            return;
        };
        let outcome = match res {
            Ok(_) => Ok(()),
            Err(e) => Err(e.clone()),
        };
        if let Err(reason) = journal.finish(ticket, m, &outcome) {
            self.emit(ClientEvent::JournalFailed { reason });
        }
    }

    pub(super) fn url(&self, segments: &[&str]) -> Url {
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
    pub(super) async fn send_conn(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        integration: &str,
        retry: Retry,
    ) -> Result<Answer> {
        let (token, minted) = self.token_for(integration).await?;
        let header: HeaderValue = bearer_header(&token)?;
        let first = self
            .send(
                method.clone(),
                url.clone(),
                body.clone(),
                AuthFor::Header(&header),
                retry,
            )
            .await;
        match first {
            Err(e) if e.kind == ErrorKind::Unauthorized && minted => {
                let token = self.minted_after_401(integration, &token).await?;
                let header = bearer_header(&token)?;
                self.send(method, url, body, AuthFor::Header(&header), retry)
                    .await
            }
            other => other,
        }
    }
}
