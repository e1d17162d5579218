//! The sandbox's switches (latency, rate limit, random failures), the queue of injected faults,
//! the request counters, and the middleware that applies them to every ZIS request.
//!
//! `/_sandbox/...` requests bypass all of it: no latency, no limit, no faults, not counted.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng as _;
use serde::Deserialize;
use serde_json::json;
use tracing::Instrument as _;

use super::store::Store;

/// Everything the server shares between requests.
pub(crate) struct Shared {
    pub(crate) store: Mutex<Store>,
    pub(crate) control: Mutex<Control>,
}

impl Shared {
    pub(crate) fn new(store: Store, control: Control) -> Arc<Shared> {
        Arc::new(Shared {
            store: Mutex::new(store),
            control: Mutex::new(control),
        })
    }

    /// Locks the store. A handler that panicked cannot leave it half-written in a way that
    /// matters to a toy server, so a poisoned lock is simply taken over.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn control(&self) -> MutexGuard<'_, Control> {
        self.control.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One queued injected answer (or delay). Not a secret holder: bodies here are test data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fault {
    /// Status to answer with. Absent: the request is only delayed by `delay_ms`, then served.
    #[serde(default)]
    pub(crate) status: Option<u16>,
    /// How many matching requests this applies to (default 1).
    #[serde(default = "one")]
    pub(crate) count: u32,
    /// Only requests with this method (case-insensitive).
    #[serde(default)]
    pub(crate) method: Option<String>,
    /// Only requests whose path contains this.
    #[serde(default)]
    pub(crate) path_contains: Option<String>,
    /// Body to send (default: the documented ZIS error for the status).
    #[serde(default)]
    pub(crate) body: Option<String>,
    /// Content-Type (default: application/json if the body parses as JSON, else text/plain).
    #[serde(default)]
    pub(crate) content_type: Option<String>,
    /// Value of a `Retry-After` header, in seconds.
    #[serde(default)]
    pub(crate) retry_after: Option<u64>,
    /// Wait this long before answering (to provoke client timeouts).
    #[serde(default)]
    pub(crate) delay_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

impl Fault {
    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "status": self.status,
            "count": self.count,
            "method": self.method,
            "path_contains": self.path_contains,
            "body": self.body,
            "content_type": self.content_type,
            "retry_after": self.retry_after,
            "delay_ms": self.delay_ms,
        })
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Stats {
    pub(crate) requests: u64,
    pub(crate) rate_limited: u64,
    pub(crate) faults_injected: u64,
    pub(crate) random_failures: u64,
    pub(crate) tokens_minted: u64,
    pub(crate) by_method: BTreeMap<String, u64>,
    pub(crate) by_status: BTreeMap<u16, u64>,
    /// `"METHOD /route/{pattern}"` (the matched route, never the concrete path) → count;
    /// requests no route matched count under `"METHOD (unmatched)"`.
    pub(crate) by_route: BTreeMap<String, u64>,
}

impl Stats {
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let by_status: BTreeMap<String, u64> = self
            .by_status
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        json!({
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "faults_injected": self.faults_injected,
            "random_failures": self.random_failures,
            "tokens_minted": self.tokens_minted,
            "by_method": self.by_method,
            "by_status": by_status,
            "by_route": self.by_route,
        })
    }
}

/// How the answers that ZIS may send wrapped or bare, 200 or 201, are sent (`/_sandbox/shapes`),
/// so that tests prove a client takes each form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shapes {
    /// An OAuth client's create and update answers: `{"client": {...}}` or the object itself.
    pub(crate) oauth_clients_bare: bool,
    /// The status of a created OAuth client: 201 (default) or 200.
    pub(crate) create_status: u16,
    /// The `?name=` show of an OAuth connection: `{"oauth": {...}}` or the object itself.
    pub(crate) oauth_connection_bare: bool,
    /// A bundle's detail: `{"bundle": {...}}` or the object itself.
    pub(crate) bundle_bare: bool,
}

impl Default for Shapes {
    /// Wrapped, 201, wrapped, wrapped.
    fn default() -> Self {
        Shapes {
            oauth_clients_bare: false,
            create_status: 201,
            oauth_connection_bare: false,
            bundle_bare: false,
        }
    }
}

impl Shapes {
    pub(crate) fn to_json(self) -> serde_json::Value {
        let form = |bare: bool| if bare { "bare" } else { "wrapped" };
        json!({
            "oauth_clients": form(self.oauth_clients_bare),
            "create_status": self.create_status,
            "oauth_connection": form(self.oauth_connection_bare),
            "bundle": form(self.bundle_bare),
        })
    }
}

/// The switches and their bookkeeping.
#[derive(Debug)]
pub(crate) struct Control {
    pub(crate) latency_ms: u64,
    pub(crate) rate_limit: u32,
    pub(crate) rate_window: Duration,
    pub(crate) fail_rate: f64,
    window_start: Instant,
    window_used: u32,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) stats: Stats,
    pub(crate) shapes: Shapes,
}

impl Control {
    pub(crate) fn new(
        latency_ms: u64,
        rate_limit: u32,
        rate_window_secs: u64,
        fail_rate: f64,
    ) -> Control {
        let mut c = Control {
            latency_ms,
            rate_limit: 0,
            rate_window: Duration::from_secs(60),
            fail_rate: 0.0,
            window_start: Instant::now(),
            window_used: 0,
            faults: VecDeque::new(),
            stats: Stats::default(),
            shapes: Shapes::default(),
        };
        c.set_rate_limit(rate_limit, rate_window_secs);
        c.set_fail_rate(fail_rate);
        c
    }

    /// Sets the budget per window and starts a fresh window. A window of 0 s is taken as 1 s.
    pub(crate) fn set_rate_limit(&mut self, limit: u32, window_secs: u64) {
        self.rate_limit = limit;
        self.rate_window = Duration::from_secs(window_secs.max(1));
        self.window_start = Instant::now();
        self.window_used = 0;
    }

    /// Clamped to 0.0-1.0; NaN counts as 0.
    pub(crate) fn set_fail_rate(&mut self, f: f64) {
        self.fail_rate = if f.is_nan() { 0.0 } else { f.clamp(0.0, 1.0) };
    }

    pub(crate) fn faults_json(&self) -> serde_json::Value {
        json!({ "faults": self.faults.iter().map(Fault::to_json).collect::<Vec<_>>() })
    }

    pub(crate) fn switches_json(&self) -> serde_json::Value {
        json!({
            "latency_ms": self.latency_ms,
            "rate_limit": self.rate_limit,
            "rate_window_secs": self.rate_window.as_secs(),
            "fail_rate": self.fail_rate,
        })
    }

    /// Takes one use of the first queued fault matching the request.
    fn take_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let idx = self.faults.iter().position(|f| f.matches(method, path))?;
        let f = self.faults.get_mut(idx)?;
        let out = f.clone();
        f.count = f.count.saturating_sub(1);
        if f.count == 0 {
            self.faults.remove(idx);
        }
        Some(out)
    }

    /// Spends one request of the window's budget. `Ok(Some((limit, remaining)))` when a limit is
    /// set, `Ok(None)` when unlimited, `Err(retry_after_secs)` when the budget is spent.
    fn spend(&mut self, now: Instant) -> Result<Option<(u32, u32)>, u64> {
        if self.rate_limit == 0 {
            return Ok(None);
        }
        if now.duration_since(self.window_start) >= self.rate_window {
            self.window_start = now;
            self.window_used = 0;
        }
        if self.window_used >= self.rate_limit {
            let reset = (self.window_start + self.rate_window).saturating_duration_since(now);
            let secs = reset.as_secs() + u64::from(reset.subsec_nanos() > 0);
            return Err(secs.max(1));
        }
        self.window_used += 1;
        Ok(Some((self.rate_limit, self.rate_limit - self.window_used)))
    }
}

/// What the gate decided for one request.
enum Verdict {
    Inject(Fault),
    Limited(u64),
    Fail(u16),
    Serve(Option<(u32, u32)>),
}

/// Middleware: latency, injected faults, rate limit, random failures, counters, and one debug
/// event per request (method, path, status, time; never bodies, queries or headers).
pub(crate) async fn gate(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "(unmatched)".to_string(), |m| m.as_str().to_string());
    let started = Instant::now();
    let span = tracing::debug_span!("sandbox_request", method = %method, path = %path);

    if path.starts_with("/_sandbox/") || path == "/_sandbox" {
        let resp = next.run(req).instrument(span.clone()).await;
        span.in_scope(|| {
            tracing::debug!(status = resp.status().as_u16(), "sandbox control request");
        });
        return resp;
    }

    let latency = {
        let mut c = shared.control();
        c.stats.requests += 1;
        *c.stats.by_method.entry(method.clone()).or_insert(0) += 1;
        *c.stats
            .by_route
            .entry(format!("{method} {route}"))
            .or_insert(0) += 1;
        c.latency_ms
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let verdict = {
        let mut c = shared.control();
        if let Some(f) = c.take_fault(&method, &path) {
            c.stats.faults_injected += 1;
            Verdict::Inject(f)
        } else {
            match c.spend(Instant::now()) {
                Err(secs) => {
                    c.stats.rate_limited += 1;
                    Verdict::Limited(secs)
                }
                Ok(limit) => {
                    if c.fail_rate > 0.0 && rand::rng().random::<f64>() < c.fail_rate {
                        c.stats.random_failures += 1;
                        let statuses = [500u16, 502, 503];
                        Verdict::Fail(statuses[rand::rng().random_range(0..statuses.len())])
                    } else {
                        Verdict::Serve(limit)
                    }
                }
            }
        }
    };

    let (resp, outcome) = match verdict {
        Verdict::Inject(f) => {
            if let Some(ms) = f.delay_ms {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            match f.status {
                Some(status) => (injected(&f, status), "injected"),
                None => (next.run(req).instrument(span.clone()).await, "delayed"),
            }
        }
        Verdict::Limited(secs) => (too_many_requests(secs), "rate_limited"),
        Verdict::Fail(status) => (random_failure(status), "random_failure"),
        Verdict::Serve(limit) => {
            let mut resp = next.run(req).instrument(span.clone()).await;
            if let Some((limit, remaining)) = limit {
                let h = resp.headers_mut();
                h.insert("x-rate-limit", HeaderValue::from(limit));
                h.insert("x-rate-limit-remaining", HeaderValue::from(remaining));
            }
            (resp, "served")
        }
    };

    let status = resp.status().as_u16();
    shared
        .control()
        .stats
        .by_status
        .entry(status)
        .and_modify(|n| *n += 1)
        .or_insert(1);
    span.in_scope(|| {
        tracing::debug!(
            status,
            outcome,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "sandbox request"
        );
    });
    resp
}

/// `429` with the documented body and `Retry-After`.
pub(crate) fn too_many_requests(secs: u64) -> Response {
    let mut resp = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(json!({"errors": [{"code": "TooManyRequests", "title": "Too many requests"}]})),
    )
        .into_response();
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    resp
}

/// The documented ZIS error body for a status, used when a fault gives no body.
fn default_body(status: u16) -> String {
    let (code, title) = match status {
        400 => ("InvalidIntegration", "Specified integration is not valid"),
        401 => ("InvalidCredentials", "Token length is invalid"),
        403 => (
            "Forbidden",
            "Cannot access this resource. Missing scope write",
        ),
        404 => ("NotFound", "Connection does not exist"),
        409 => ("Conflict", "Resource conflict"),
        429 => ("TooManyRequests", "Too many requests"),
        500..=599 => ("InternalServerError", "Internal server error"),
        _ => ("InjectedFault", "Injected fault"),
    };
    json!({"errors": [{"code": code, "title": title}]}).to_string()
}

fn injected(f: &Fault, status: u16) -> Response {
    let status_code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = f.body.clone().unwrap_or_else(|| default_body(status));
    let content_type = f.content_type.clone().unwrap_or_else(|| {
        if serde_json::from_str::<serde_json::Value>(&body).is_ok() {
            "application/json".into()
        } else {
            "text/plain; charset=utf-8".into()
        }
    });
    let mut resp = (status_code, body).into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(secs) = f.retry_after {
        h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// A random 5xx, sometimes JSON and sometimes plain text (as gateways answer).
fn random_failure(status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if rand::rng().random_bool(0.5) {
        (
            code,
            axum::Json(json!({"errors": [{"code": "InternalServerError", "title": "Internal server error"}]})),
        )
            .into_response()
    } else {
        let text = match status {
            502 => "502 Bad Gateway",
            503 => "503 Service Unavailable: back-end server is at capacity",
            _ => "500 Internal Server Error",
        };
        (
            code,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_budget_and_retry_after() {
        let mut c = Control::new(0, 2, 10, 0.0);
        let t0 = Instant::now();
        assert_eq!(c.spend(t0), Ok(Some((2, 1))));
        assert_eq!(c.spend(t0), Ok(Some((2, 0))));
        let r = c.spend(t0 + Duration::from_millis(1500));
        assert_eq!(r, Err(9));
        assert!(c.spend(t0 + Duration::from_secs(11)).is_ok());
        let mut u = Control::new(0, 0, 10, 0.0);
        assert_eq!(u.spend(t0), Ok(None));
    }

    #[test]
    fn faults_match_and_count_down() {
        let mut c = Control::new(0, 0, 60, 0.0);
        c.faults.push_back(Fault {
            status: Some(403),
            count: 2,
            method: Some("post".into()),
            path_contains: Some("basic_auth".into()),
            body: None,
            content_type: None,
            retry_after: None,
            delay_ms: None,
        });
        assert!(c.take_fault("GET", "/x/basic_auth").is_none());
        assert!(c.take_fault("POST", "/x/api_key").is_none());
        assert!(c.take_fault("POST", "/x/basic_auth").is_some());
        assert!(c.take_fault("POST", "/x/basic_auth").is_some());
        assert!(c.take_fault("POST", "/x/basic_auth").is_none());
        assert!(c.faults.is_empty());
    }

    #[test]
    fn fail_rate_is_clamped() {
        let mut c = Control::new(0, 0, 60, 3.0);
        assert_eq!(c.fail_rate, 1.0);
        c.set_fail_rate(f64::NAN);
        assert_eq!(c.fail_rate, 0.0);
    }
}
