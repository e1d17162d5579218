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
    /// No answer within the timeout.
    Timeout,
    /// The answer could not be understood (not JSON, truncated, wrong shape, too large).
    InvalidResponse,
    /// Missing or unusable configuration or credentials.
    Config,
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

    pub fn invalid_response(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidResponse, message)
    }

    pub fn with_context(mut self, ctx: impl Into<String>) -> Error {
        self.context = Some(sanitize::clean(&ctx.into()));
        self
    }

    /// Build an error from a non-success answer: parse the JSON shapes ZIS uses
    /// (`{"errors":[{"code","title"}]}`, `{"errors":[{"code","detail"}],"message"}`,
    /// `{"error","description"}`) or take a plain-text body as it is.
    pub fn from_response(status: u16, body: &[u8]) -> Error {
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
        let (code, message) = parse_error_body(body);
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

fn parse_error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(body);
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
            return (code, msg.map(|m| shorten(&m)));
        }
        if v.is_object() {
            let code = str_of(&v, "error").or_else(|| str_of(&v, "code"));
            let msg = str_of(&v, "description")
                .or_else(|| str_of(&v, "message"))
                .or_else(|| str_of(&v, "title"))
                .or_else(|| code.clone());
            return (code, msg.map(|m| shorten(&m)));
        }
    }
    // Plain text (or HTML): first non-empty line.
    let line = trimmed
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    (None, Some(shorten(line)))
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
