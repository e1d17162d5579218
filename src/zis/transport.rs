//! The wire: one logical request with its auth header, body cap, retries with backoff and
//! Retry-After on 429, and the pacing every handle of one client shares (the rate-limit gate
//! and the server's budget).
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Url};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::client::Client;
use super::error::{ClientEvent, Error, ErrorKind, Result, Scrub};
use super::parse::retry_after;

/// How a request may be repeated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Retry {
    /// GET, PATCH, DELETE: repeat on 5xx, timeouts and network failures.
    Idempotent,
    /// A POST that creates nothing the user would lose (a token mint): repeated like a read,
    /// and its error never says "it may have been applied".
    Read,
    /// POST create: repeat only when the request surely was not processed.
    Create,
}

pub(super) struct Answer {
    pub(super) body: Vec<u8>,
}

/// The rate-limit state shared by every handle (and clone) of one client.
pub(super) struct Pacer {
    /// Shared across every request: no request is sent before this instant (set by a 429).
    blocked_until: Mutex<Option<Instant>>,
    /// Requests the server's budget still allows, as estimated from the last
    /// `X-Rate-Limit-Remaining` less the requests sent since. `None`: unknown.
    budget: Mutex<Option<i64>>,
    /// Requests sent and not yet answered.
    in_flight: AtomicI64,
    /// When the budget is spent, requests go one at a time until a 429 tells how long to wait.
    probe: tokio::sync::Mutex<()>,
}

impl Client {
    /// Send one logical request: waits out shared rate-limit blocks, honours Retry-After on
    /// 429, retries transient failures of idempotent calls with backoff.
    pub(super) async fn send(
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
            if reached && method != Method::GET && retry != Retry::Read {
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
        // Time spent waiting for answers, bounded by `call_timeout` across every attempt.
        // Waits that are announced (backoff, Retry-After) or that are another request's (a
        // slot, a rate-limit block) are not counted: they are not a hang.
        let mut spent = Duration::ZERO;
        loop {
            // A slot, if this handle has a limit: held until the answer is read (and while
            // a rate-limit block that began meanwhile runs out), never during a backoff.
            let slot = match &self.slots {
                Some(s) => s.clone().acquire_owned().await.ok(),
                None => None,
            };
            self.inner.pacer.wait_for_gate().await;
            let _probe = self.inner.pacer.take_budget().await;
            let started = Instant::now();
            let attempt_timeout = opts
                .timeout
                .min(opts.call_timeout.saturating_sub(spent))
                .max(Duration::from_millis(1));
            let mut req = self
                .inner
                .http
                .request(method.clone(), url.clone())
                .timeout(attempt_timeout);
            if let AuthFor::Header(value) = auth {
                req = req.header(AUTHORIZATION, value.clone());
            }
            if let Some(b) = &body {
                req = req
                    .header(CONTENT_TYPE, "application/json")
                    .body(b.to_string());
            }
            let result = req.send().await;
            self.inner.pacer.answered();
            let resp = match result {
                Ok(r) => r,
                Err(e) => {
                    drop(slot);
                    spent += started.elapsed();
                    let not_sent = e.is_connect();
                    *reached |= !not_sent;
                    let tls = tls_failure(&e);
                    let err = if let Some(err) = tls.as_ref().map(|t| t.error(&url)) {
                        err
                    } else if e.is_timeout() {
                        let msg = if attempt_timeout < opts.timeout {
                            format!(
                                "no answer within {} s (the limit of one call, over {} attempts)",
                                secs(opts.call_timeout),
                                failures + 1
                            )
                        } else {
                            format!("no answer within {} s", secs(attempt_timeout))
                        };
                        Error::new(ErrorKind::Timeout, msg)
                    } else if e.is_connect() {
                        Error::new(
                            ErrorKind::Network,
                            format!("cannot connect to {}", host_of(&url)),
                        )
                    } else {
                        Error::new(ErrorKind::Network, "the connection failed before an answer")
                    };
                    tracing::warn!(%method, path = url.path(), kind = ?err.kind, "request failed");
                    // A TLS failure is the same on every attempt: said at once.
                    let may_retry = tls.is_none()
                        && match retry {
                            Retry::Idempotent | Retry::Read => true,
                            Retry::Create => not_sent,
                        };
                    failures += 1;
                    let wait = opts.backoff * 2u32.pow(failures - 1);
                    if may_retry && failures < opts.max_attempts && spent < opts.call_timeout {
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
            self.inner.pacer.observe_budget(&headers);
            tracing::debug!(%method, path = url.path(), status, elapsed_ms = started.elapsed().as_millis() as u64, "answer");
            let body_bytes = read_body(resp, opts.max_body_bytes).await;
            drop(slot);
            spent += started.elapsed();

            if status == 429 {
                rate_limited += 1;
                let wait = retry_after(&headers, SystemTime::now())
                    .unwrap_or(Duration::from_secs(1))
                    .min(opts.max_retry_wait);
                self.inner.pacer.block_for(wait);
                if rate_limited < opts.max_rate_limit_attempts {
                    self.emit(ClientEvent::RateLimited {
                        wait,
                        attempt: rate_limited,
                    });
                    continue;
                }
                let b = body_bytes.unwrap_or_default();
                return Err(Error::from_response_scrubbed(
                    status,
                    &b,
                    &self.sent_secrets(auth, body.as_ref()),
                ));
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
            let mut err =
                Error::from_response_scrubbed(status, &b, &self.sent_secrets(auth, body.as_ref()));
            if status >= 500 {
                *reached = true;
                let may_retry = match retry {
                    Retry::Idempotent | Retry::Read => true,
                    Retry::Create => status == 503,
                };
                failures += 1;
                let wait = retry_after(&headers, SystemTime::now())
                    .unwrap_or(opts.backoff * 2u32.pow(failures - 1))
                    .min(opts.max_retry_wait);
                if may_retry && failures < opts.max_attempts && spent < opts.call_timeout {
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
}

impl Client {
    /// Every secret a request sent, to be scrubbed from the server's answer: its auth header's
    /// (the API token, the `{email}/token:{api_token}` pair behind a Basic header, a bearer
    /// token) and its body's secret fields.
    fn sent_secrets(&self, auth: AuthFor<'_>, body: Option<&Value>) -> Scrub {
        let mut scrub = Scrub::default();
        if let AuthFor::Header(value) = auth {
            if let Ok(v) = value.to_str() {
                if let Some(token) = v.strip_prefix("Bearer ") {
                    scrub.add(token);
                } else if let Some(enc) = v.strip_prefix("Basic ") {
                    scrub.add(enc);
                    if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(enc) {
                        let raw = zeroize::Zeroizing::new(raw);
                        if let Ok(pair) = std::str::from_utf8(&raw) {
                            // `{email}/token:{api_token}`: the pair and the token alone.
                            scrub.add(pair);
                            if let Some((_, token)) = pair.split_once("/token:") {
                                scrub.add(token);
                            }
                        }
                    }
                } else {
                    scrub.add(v);
                }
            }
        }
        if let Some(b) = body {
            scrub.add_body(b);
        }
        scrub
    }
}

impl Pacer {
    pub(super) fn new() -> Pacer {
        Pacer {
            blocked_until: Mutex::new(None),
            budget: Mutex::new(None),
            in_flight: AtomicI64::new(0),
            probe: tokio::sync::Mutex::new(()),
        }
    }

    /// Wait until no rate-limit block (set by a 429) holds requests back.
    pub(super) async fn wait_for_gate(&self) {
        loop {
            let until = *lock(&self.blocked_until);
            match until {
                Some(t) if t > Instant::now() => tokio::time::sleep_until(t.into()).await,
                _ => return,
            }
        }
    }

    /// Hold every request of the client back for `wait` (a 429's Retry-After).
    pub(super) fn block_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut b = lock(&self.blocked_until);
        if b.is_none_or(|t| t < until) {
            *b = Some(until);
        }
        // After the wait a new window starts: the budget is unknown until an answer tells.
        *lock(&self.budget) = None;
    }

    /// Pace from the server's budget: while it is known to allow more requests, take one of
    /// them; when it is spent, send one request at a time (a probe) so that only one meets the
    /// 429 whose Retry-After then holds every other request back. Returns the probe guard.
    pub(super) async fn take_budget(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        let spent = {
            let mut b = lock(&self.budget);
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
            let g = self.probe.lock().await;
            self.wait_for_gate().await;
            Some(g)
        } else {
            None
        };
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        guard
    }

    /// Take the budget an answer reports (`X-Rate-Limit-Remaining`), less what is on the wire.
    pub(super) fn observe_budget(&self, headers: &HeaderMap) {
        let remaining = headers
            .get("x-rate-limit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        if let Some(r) = remaining {
            let others = self.in_flight.load(Ordering::SeqCst);
            let est = r - others;
            let mut b = lock(&self.budget);
            // The latest answer wins: after a window resets, a larger value is the truth.
            *b = Some(est);
        }
    }

    /// A request sent by [`Pacer::take_budget`] was answered (or failed).
    pub(super) fn answered(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The `Authorization` a request carries: none (the OAuth token endpoint), or a header made
/// (and marked sensitive) by [`basic_header`] or [`bearer_header`].
#[derive(Clone, Copy)]
pub(super) enum AuthFor<'a> {
    None,
    Header(&'a HeaderValue),
}

/// `Basic base64("{email}/token:{api_token}")`.
pub(super) fn basic_header(email: &str, api_token: &SecretString) -> Result<HeaderValue> {
    let raw = zeroize::Zeroizing::new(format!("{email}/token:{}", api_token.expose_secret()));
    let enc =
        zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(raw.as_bytes()));
    let mut v = HeaderValue::from_str(&format!("Basic {}", enc.as_str())).map_err(|_| {
        Error::config("the admin email or API token holds characters not allowed in a header")
    })?;
    v.set_sensitive(true);
    Ok(v)
}

/// `Bearer {token}`.
pub(super) fn bearer_header(t: &SecretString) -> Result<HeaderValue> {
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

/// A TLS handshake that failed, as rustls said why.
enum TlsFailure {
    /// The server's certificate was refused (unknown issuer, expired, another name, ...).
    Certificate(String),
    /// Another TLS failure (the server does not speak TLS, a protocol error).
    Handshake(String),
}

impl TlsFailure {
    fn error(&self, url: &Url) -> Error {
        let host = host_of(url);
        let msg = match self {
            TlsFailure::Certificate(why) => format!(
                "certificate problem with {host}: {why} (TLS refused the server's certificate;                  not retried)"
            ),
            TlsFailure::Handshake(why) => {
                format!("TLS handshake with {host} failed: {why} (not retried)")
            }
        };
        Error::new(ErrorKind::Tls, msg)
    }
}

/// The rustls error behind a failed request, if the failure was TLS's. reqwest wraps it in
/// hyper's error, then in `io::Error`s whose `source()` skips the error they hold: each
/// `io::Error` is opened with `get_ref()` too.
fn tls_failure(e: &reqwest::Error) -> Option<TlsFailure> {
    fn find<'a>(e: &'a (dyn std::error::Error + 'static), depth: u8) -> Option<&'a rustls::Error> {
        if depth > 16 {
            return None;
        }
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if let Some(t) = find(inner, depth + 1) {
                    return Some(t);
                }
            }
        }
        e.source().and_then(|s| find(s, depth + 1))
    }
    let t = find(e, 0)?;
    // rustls's own words ("invalid peer certificate: UnknownIssuer"), sanitised by Error::new.
    let why = t.to_string();
    Some(match t {
        rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented => {
            TlsFailure::Certificate(why)
        }
        _ => TlsFailure::Handshake(why),
    })
}

/// Seconds for a message: whole when whole ("30"), else to a tenth ("0.8").
fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        d.as_secs().to_string()
    } else {
        format!("{:.1}", d.as_secs_f64())
    }
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.as_str().to_string(),
    }
}
