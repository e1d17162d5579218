//! Typed errors. An error carries field names and the server's words, never a secret value.
use std::fmt;
use std::time::Duration;

use crate::sanitize;

/// What went wrong, by category. Callers derive exit codes and banners from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Refused locally before any request (a rule was broken).
    Validation,
    /// 400 InvalidIntegration or another 400.
    BadRequest,
    /// 401.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 409.
    Conflict,
    /// 429 after the retries ran out.
    RateLimited,
    /// 5xx after the retries ran out.
    Server,
    /// Another HTTP status.
    OtherStatus,
    /// The request could not be made or its answer was lost.
    Network,
    /// The TLS handshake failed (a certificate the client does not trust, or no TLS at all):
    /// nothing was sent, and trying again would meet the same.
    Tls,
    /// No answer within the timeout.
    Timeout,
    /// The answer could not be understood (not JSON, truncated, wrong shape, too large).
    InvalidResponse,
    /// Missing or unusable configuration or credentials.
    Config,
    /// No admin sign-in that works: none was given, the refresh token was refused, the
    /// sign-in was forgotten, or the server refused an API token. Sign in again.
    SignedOut,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: ErrorKind,
    /// HTTP status, when the server answered.
    pub status: Option<u16>,
    /// The server's error code (`InvalidIntegration`, `1010`, ...).
    pub code: Option<String>,
    /// A one-line message in the server's words (sanitised of control characters).
    pub message: String,
    /// What was being done ("create basic_auth connection acme/bob").
    pub context: Option<String>,
    /// The operation may have taken effect even though no answer came back (a create that was
    /// retried and met 409, a PATCH whose answer was lost).
    pub may_have_applied: bool,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            status: None,
            code: None,
            message: sanitize::clean(&message.into()),
            context: None,
            may_have_applied: false,
        }
    }

    /// A local validation failure: `field` broke `rule`. Never carries the value.
    pub fn validation(field: &str, rule: impl Into<String>) -> Error {
        Error::new(ErrorKind::Validation, format!("{field}: {}", rule.into()))
    }

    pub fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, message)
    }

    /// The admin is not (or no longer) signed in; `message` says why.
    pub fn signed_out(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::SignedOut, message)
    }

    pub fn invalid_response(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidResponse, message)
    }

    pub fn with_context(mut self, ctx: impl Into<String>) -> Error {
        self.context = Some(sanitize::clean(&ctx.into()));
        self
    }

    /// Build an error from a non-success answer: parse the JSON shapes ZIS uses
    /// (`{"errors":[{"code","title"}]}`, `{"errors":[{"code","detail"}],"message"}`,
    /// `{"error","description"}`, OAuth's `{"error","error_description"}`) or take a
    /// plain-text body as it is.
    pub fn from_response(status: u16, body: &[u8]) -> Error {
        Error::from_response_scrubbed(status, body, &Scrub::default())
    }

    /// [`Error::from_response`], with every secret of `scrub` (those the request sent)
    /// replaced by `[REDACTED]` in the server's words before they are kept: a server that
    /// echoes a password or a token in its error never gets it shown, logged or recorded.
    pub fn from_response_scrubbed(status: u16, body: &[u8], scrub: &Scrub) -> Error {
        let kind = match status {
            400 | 422 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::OtherStatus,
        };
        let (code, message) = parse_error_body(body, scrub);
        let message = message.unwrap_or_else(|| default_message(status).to_string());
        Error {
            kind,
            status: Some(status),
            code: code.map(|c| sanitize::clean(&shorten(&c))),
            message: sanitize::clean(&message),
            context: None,
            may_have_applied: false,
        }
    }
}

fn default_message(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        401 => "Authentication failed",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Resource conflict",
        429 => "Too many requests",
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => "Unexpected answer",
    }
}

/// Longest message kept from a body, in characters.
const MAX_MESSAGE_CHARS: usize = 300;

/// What the server said: (code, message), each scrubbed before it is cut to length (a secret
/// cut in two would no longer be found).
fn parse_error_body(body: &[u8], scrub: &Scrub) -> (Option<String>, Option<String>) {
    let (code, msg) = parse_error_text(&scrub.apply(&String::from_utf8_lossy(body)), scrub);
    (
        code.map(|c| scrub.apply(&c)),
        msg.map(|m| shorten(&scrub.apply(&m))),
    )
}

fn parse_error_text(text: &str, scrub: &Scrub) -> (Option<String>, Option<String>) {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return (None, None);
    }
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(trimmed) {
        let str_of = |v: &serde_json::Value, k: &str| -> Option<String> {
            match v.get(k)? {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        if let Some(first) = v
            .get("errors")
            .and_then(|e| e.as_array())
            .and_then(|a| a.first())
        {
            let code = str_of(first, "code");
            let msg = str_of(first, "title")
                .or_else(|| str_of(first, "detail"))
                .or_else(|| str_of(&v, "message"));
            return (code, msg.map(|m| scrub.apply(&m)));
        }
        if v.is_object() {
            let code = str_of(&v, "error").or_else(|| str_of(&v, "code"));
            let msg = str_of(&v, "error_description")
                .or_else(|| str_of(&v, "description"))
                .or_else(|| str_of(&v, "message"))
                .or_else(|| str_of(&v, "title"))
                .or_else(|| code.clone());
            return (code, msg.map(|m| scrub.apply(&m)));
        }
    }
    // Plain text (or HTML): first non-empty line.
    let line = trimmed
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    (None, Some(line.to_string()))
}

/// The secrets one request sent (its Authorization header's, its body's secret fields), and
/// their common encodings, to be taken out of whatever the server answers. Held zeroised; its
/// `Debug` shows only how many.
#[derive(Default)]
pub struct Scrub {
    /// Longest first, so that a secret holding another is replaced whole.
    needles: Vec<zeroize::Zeroizing<String>>,
}

impl fmt::Debug for Scrub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrub({} needles)", self.needles.len())
    }
}

/// What a secret is replaced with.
pub const REDACTED: &str = "[REDACTED]";

impl Scrub {
    /// Add a secret, with its JSON-escaped, percent-encoded and base64 forms.
    pub fn add(&mut self, secret: &str) {
        use base64::Engine;
        if secret.is_empty() {
            return;
        }
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or("");
        let forms = [
            secret.to_string(),
            json.to_string(),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
            base64::engine::general_purpose::STANDARD.encode(secret.as_bytes()),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret.as_bytes()),
        ];
        for f in forms {
            let f = zeroize::Zeroizing::new(f);
            if !f.is_empty() && !self.needles.iter().any(|n| n.as_str() == f.as_str()) {
                self.needles.push(f);
            }
        }
        self.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    }

    /// Add every string under a secret-named key (`password`, `api_key`, `token`,
    /// `client_secret`, ...) anywhere in a request body.
    pub fn add_body(&mut self, body: &serde_json::Value) {
        const SECRET_KEYS: &[&str] = &[
            "password",
            "api_key",
            "token",
            "secret",
            "client_secret",
            "access_token",
            "refresh_token",
            "full_token",
            "code",
            "code_verifier",
        ];
        match body {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    match v {
                        serde_json::Value::String(s) if SECRET_KEYS.contains(&k.as_str()) => {
                            self.add(s)
                        }
                        other => self.add_body(other),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| self.add_body(v)),
            _ => {}
        }
    }

    /// `text` with every needle replaced by [`REDACTED`].
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for n in &self.needles {
            if out.contains(n.as_str()) {
                out = out.replace(n.as_str(), REDACTED);
            }
        }
        out
    }
}

fn shorten(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() <= MAX_MESSAGE_CHARS {
        return s.to_string();
    }
    let mut out: String = s.chars().take(MAX_MESSAGE_CHARS).collect();
    out.push('…');
    out
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ctx) = &self.context {
            write!(f, "{ctx}: ")?;
        }
        match self.status {
            Some(s) => write!(f, "{} ({s}", self.message)?,
            None => write!(f, "{}", self.message)?,
        }
        if self.status.is_some() {
            if let Some(code) = &self.code {
                write!(f, " {code}")?;
            }
            write!(f, ")")?;
        }
        if self.may_have_applied {
            write!(f, "; it may have been applied")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Something the client reports while it works, so a UI can say what it is waiting for.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// A 429 arrived; the client waits this long before trying again.
    RateLimited { wait: Duration, attempt: u32 },
    /// A transient failure; the client tries again after this long.
    Retrying {
        wait: Duration,
        attempt: u32,
        reason: String,
    },
    /// The journal (the local audit log) could not record a mutation; it is sent anyway.
    JournalFailed { reason: String },
}

impl fmt::Display for ClientEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientEvent::RateLimited { wait, .. } => {
                write!(f, "rate limited, waiting {} s", wait_secs(*wait))
            }
            ClientEvent::Retrying { wait, reason, .. } => {
                write!(f, "{reason}; retrying in {} s", wait_secs(*wait))
            }
            ClientEvent::JournalFailed { reason } => write!(
                f,
                "cannot write the audit log ({reason}); the change goes ahead unrecorded"
            ),
        }
    }
}

fn wait_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 10.0 || (s.fract() == 0.0) {
        format!("{}", s.ceil() as u64)
    } else {
        format!("{s:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_error_body_is_parsed() {
        let e = Error::from_response(
            400,
            br#"{"errors":[{"code":"InvalidIntegration","title":"Specified integration is not valid"}]}"#,
        );
        assert_eq!(e.kind, ErrorKind::BadRequest);
        assert_eq!(e.code.as_deref(), Some("InvalidIntegration"));
        assert_eq!(e.message, "Specified integration is not valid");
    }

    #[test]
    fn registry_error_body_is_parsed() {
        let e = Error::from_response(
            400,
            br#"{"errors":[{"code":"1010","detail":"bad name","status":"400"}],"message":"Invalid"}"#,
        );
        assert_eq!(e.code.as_deref(), Some("1010"));
        assert_eq!(e.message, "bad name");
    }

    #[test]
    fn oauth_error_body_is_parsed() {
        let e = Error::from_response(
            400,
            br#"{"error":"invalid_grant","error_description":"The refresh token is invalid."}"#,
        );
        assert_eq!(e.kind, ErrorKind::BadRequest);
        assert_eq!(e.code.as_deref(), Some("invalid_grant"));
        assert_eq!(e.message, "The refresh token is invalid.");
    }

    #[test]
    fn plain_text_body_is_kept() {
        let e = Error::from_response(401, b"Authorization failed due to integration mismatch");
        assert_eq!(e.kind, ErrorKind::Unauthorized);
        assert_eq!(
            e.message,
            "Authorization failed due to integration mismatch"
        );
    }

    #[test]
    fn empty_and_hostile_bodies() {
        let e = Error::from_response(503, b"");
        assert_eq!(e.message, "Service unavailable");
        let e = Error::from_response(500, b"\x1b]52;c;AAAA\x07boom");
        assert!(!e.message.contains('\x1b'));
        let long = "x".repeat(10_000);
        let e = Error::from_response(500, long.as_bytes());
        assert!(e.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    /// Found by tests/prop_parse.rs: a blank field gave an empty message.
    #[test]
    fn blank_fields_fall_back() {
        let e = Error::from_response(0, br#"{"message":"\t"}"#);
        assert_eq!(e.message, "Unexpected answer");
        let e = Error::from_response(
            404,
            br#"{"errors":[{"code":" ","title":"  ","detail":"gone"}]}"#,
        );
        assert_eq!(e.message, "gone");
        assert_eq!(e.code, None);
    }

    /// Found by tests/prop_parse.rs: the code was neither sanitised nor shortened, and
    /// Display prints it, so a server could reach the terminal through it.
    #[test]
    fn hostile_code_is_sanitised_and_shortened() {
        let e = Error::from_response(
            400,
            br#"{"errors":[{"code":"\u001b]52;c;aGk=\u0007","title":"t"}]}"#,
        );
        let code = e.code.clone().unwrap_or_default();
        assert!(!code.contains('\x1b') && !code.contains('\x07'));
        assert!(!e.to_string().chars().any(char::is_control));
        let body = format!(r#"{{"error":"{}","description":"d"}}"#, "c".repeat(10_000));
        let e = Error::from_response(401, body.as_bytes());
        assert!(e.code.unwrap_or_default().chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    /// Issue 13 item 13: a secret the request sent, echoed back in any field of the error
    /// body, as it is or encoded, never survives; other words do.
    #[test]
    fn echoed_secrets_are_scrubbed() {
        let mut scrub = Scrub::default();
        scrub.add("Pw-canary/+=\"x");
        scrub.add_body(&serde_json::json!({"name": "bob", "api_key": "Key-canary-91"}));
        let bodies = [
            r#"{"errors":[{"code":"Key-canary-91","title":"password Pw-canary/+=\"x is weak"}]}"#
                .to_string(),
            r#"{"error":"bad","description":"got Pw-canary%2F%2B%3D%22x"}"#.to_string(),
            "plain: UHctY2FuYXJ5Lys9Ing= and Key-canary-91 for bob".to_string(),
            // Past the 300-character cut: scrubbed before the cut, so no half of it is left.
            format!("{}Key-canary-91", "x".repeat(295)),
        ];
        for b in &bodies {
            let e = Error::from_response_scrubbed(400, b.as_bytes(), &scrub);
            let all = format!("{} {:?}", e, e.code);
            for needle in ["Pw-canary", "Key-canary", "UHctY2FuYXJ5", "Key-c"] {
                assert!(!all.contains(needle), "{needle} in {all}");
            }
            assert!(all.contains(REDACTED) || b.starts_with('x'), "{all}");
        }
        let e = Error::from_response_scrubbed(400, bodies[2].as_bytes(), &scrub);
        assert!(e.message.ends_with("for bob"), "{}", e.message);
        assert!(!format!("{scrub:?}").contains("canary"));
    }

    #[test]
    fn display_names_context_and_status() {
        let e = Error::from_response(
            404,
            br#"{"errors":[{"code":"NotFound","title":"Connection does not exist"}]}"#,
        )
        .with_context("show acme/bob");
        assert_eq!(
            e.to_string(),
            "show acme/bob: Connection does not exist (404 NotFound)"
        );
    }
}
