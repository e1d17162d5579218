//! Local validation, done before any request is sent. Each rule's message names the rule, never
//! the offending value (it may be a secret pasted into the wrong field).
use std::net::IpAddr;

use reqwest::Url;
use secrecy::ExposeSecret;

use super::error::{Error, Result};
use super::models::{ConnectionUpdate, NewConnection, NewCredential};

pub const INTEGRATION_RULE: &str = "1-64 characters of lower-case a-z, 0-9, - and _";
pub const CONNECTION_RULE: &str = "3-64 characters of A-Z, a-z, 0-9, - and _";
pub const SUBDOMAIN_RULE: &str =
    "a DNS label: 1-63 characters of a-z, 0-9 and -, not starting or ending with -";
pub const DOMAIN_RULE: &str =
    "a bare hostname such as api.example.com (no scheme, path, port or whitespace)";

/// Integration name: 1-64 chars of `a-z 0-9 - _`.
pub fn integration_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::validation("integration name", INTEGRATION_RULE))
    }
}

/// Connection name: 3-64 chars of `A-Za-z0-9_-`; `zendesk` is reserved for OAuth.
pub fn connection_name(name: &str) -> Result<()> {
    let ok = (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(Error::validation("connection name", CONNECTION_RULE));
    }
    if name == "zendesk" {
        return Err(Error::validation(
            "connection name",
            "\"zendesk\" is reserved for the OAuth connection",
        ));
    }
    Ok(())
}

/// Allowed domain: a bare hostname; no scheme, path, port, whitespace or wildcard.
pub fn allowed_domain(domain: &str) -> Result<()> {
    let fail = |why: &str| {
        Err(Error::validation(
            "allowed domain",
            format!("{why}: {DOMAIN_RULE}"),
        ))
    };
    if domain.is_empty() {
        return fail("required");
    }
    if domain.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail("whitespace and control characters are not allowed");
    }
    if domain.contains("://") {
        return fail("a scheme is not allowed");
    }
    if domain.contains('/') || domain.contains('?') || domain.contains('#') {
        return fail("a path is not allowed");
    }
    if domain.contains(':') {
        return fail("a port is not allowed");
    }
    if domain.contains('@') {
        return fail("user info is not allowed");
    }
    if domain.len() > 253 {
        return fail("longer than 253 characters");
    }
    let labels_ok = domain.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if !labels_ok {
        return fail("not a valid hostname");
    }
    Ok(())
}

/// basic_auth username: non-empty, no `:` (RFC 7617), no control characters.
pub fn username(u: &str) -> Result<()> {
    if u.is_empty() {
        return Err(Error::validation("username", "required"));
    }
    if u.contains(':') {
        return Err(Error::validation(
            "username",
            "must not contain ':' (RFC 7617 basic auth)",
        ));
    }
    if u.chars().any(char::is_control) {
        return Err(Error::validation(
            "username",
            "must not contain control characters",
        ));
    }
    if u.len() > 255 {
        return Err(Error::validation("username", "at most 255 characters"));
    }
    Ok(())
}

/// api_key header name: an HTTP token (RFC 9110 tchar).
pub fn header_name(h: &str) -> Result<()> {
    let ok = !h.is_empty()
        && h.len() <= 128
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            "header name",
            "an HTTP header name: letters, digits and !#$%&'*+-.^_`|~, no spaces or ':'",
        ))
    }
}

/// A secret (password, API key, token): non-empty, no control characters or newlines.
pub fn secret(field: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(Error::validation(field, "required, and must not be empty"));
    }
    if s.chars().any(char::is_control) {
        return Err(Error::validation(
            field,
            "must not contain control characters or line breaks",
        ));
    }
    Ok(())
}

/// A Zendesk subdomain (`acme` of `acme.zendesk.com`): one DNS label, so that nothing in it
/// (`evil.example#`) can move the request, and its admin header, to another host. `from`
/// names where it came from; the value is never shown.
pub fn subdomain(from: &str, s: &str) -> Result<()> {
    let ok = (1..=63).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::config(format!("{from}: {SUBDOMAIN_RULE}")))
    }
}

/// Accept `https://…`, or `http://…` for a loopback host alone. User info (`user:pass@`) is
/// refused, without showing it: it would go out as a second Authorization header.
pub fn parse_base_url(s: &str) -> Result<Url> {
    let url = Url::parse(s.trim())
        .map_err(|e| Error::config(format!("base URL is not a valid URL ({e})")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "base URL: user info (user:password@) is not allowed; give the credentials with \
             ZENDESK_EMAIL and ZENDESK_API_TOKEN (or api_token_command in the config)",
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            if !is_loopback(&url) {
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

/// True when the URL's host is a loopback address (127.0.0.0/8, ::1) or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Every field of a connection to create, by the rules above.
pub fn new_connection(new: &NewConnection) -> Result<()> {
    self::connection_name(&new.name)?;
    self::allowed_domain(&new.allowed_domain)?;
    match &new.credential {
        NewCredential::BasicAuth { username, password } => {
            self::username(username)?;
            self::secret("password", password.expose_secret())
        }
        NewCredential::ApiKey {
            header_name,
            api_key,
        } => {
            self::header_name(header_name)?;
            self::secret("api key", api_key.expose_secret())
        }
        NewCredential::BearerToken { token } => self::secret("token", token.expose_secret()),
    }
}

/// Every field an update changes, by the rules above; an update that changes nothing is
/// refused.
pub fn connection_update(u: &ConnectionUpdate) -> Result<()> {
    if u.is_empty() {
        return Err(Error::validation("update", "nothing to change"));
    }
    match u {
        ConnectionUpdate::BasicAuth { username, password } => {
            if let Some(n) = username {
                self::username(n)?;
            }
            if let Some(p) = password {
                self::secret("password", p.expose_secret())?;
            }
        }
        ConnectionUpdate::ApiKey {
            header_name,
            api_key,
        } => {
            if let Some(h) = header_name {
                self::header_name(h)?;
            }
            if let Some(k) = api_key {
                self::secret("api key", k.expose_secret())?;
            }
        }
        ConnectionUpdate::BearerToken { token } => {
            if let Some(t) = token {
                self::secret("token", t.expose_secret())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integration_names() {
        assert!(integration_name("acme_crm-sync2").is_ok());
        assert!(integration_name(&"a".repeat(64)).is_ok());
        for bad in ["", "Acme", "acme crm", "acme.crm", &"a".repeat(65)] {
            assert!(
                integration_name(bad).is_err(),
                "accepted a bad integration name"
            );
        }
    }

    #[test]
    fn connection_names() {
        assert!(connection_name("My_conn-1").is_ok());
        for bad in ["ab", "has space", "dot.ted", "zendesk", &"a".repeat(65)] {
            assert!(connection_name(bad).is_err());
        }
    }

    #[test]
    fn domains() {
        for good in [
            "api.example.com",
            "localhost",
            "10.20.30.40",
            "a-b.example.co.uk",
        ] {
            assert!(allowed_domain(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("https://api.example.com", "scheme"),
            ("api.example.com/v2", "path"),
            ("api.example.com:8443", "port"),
            ("api example.com", "whitespace"),
            ("", "required"),
            ("*.example.com", "hostname"),
            // Found by tests/prop_validate.rs: a control char was called whitespace.
            ("0\0", "control characters"),
            ("api.example.com\u{1b}", "control characters"),
        ] {
            let e = allowed_domain(bad)
                .err()
                .map(|e| e.message)
                .unwrap_or_default();
            assert!(e.contains(why), "{bad:?} -> {e}");
        }
    }

    #[test]
    fn usernames_and_secrets() {
        assert!(username("bob@example.com").is_ok());
        assert!(username("bob:x").is_err());
        assert!(username("bob\u{1b}").is_err());
        assert!(secret("password", "").is_err());
        assert!(secret("password", "a\nb").is_err());
        let e = secret("password", "hunter2\n")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(!e.contains("hunter2"));
        assert!(header_name("X-API-Key").is_ok());
        assert!(header_name("X API").is_err());
    }

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
        for with_user in [
            "https://user:PASS-canary@acme.zendesk.com",
            "https://PASS-canary@acme.zendesk.com",
            "http://u:PASS-canary@127.0.0.1:8080",
            "https://:PASS-canary@acme.zendesk.com",
        ] {
            let e = parse_base_url(with_user).err().map(|e| e.message);
            let e = e.unwrap_or_default();
            assert!(e.contains("user info"), "{e}");
            assert!(!e.contains("PASS-canary"));
        }
    }

    #[test]
    fn subdomains() {
        for good in ["acme", "acme-corp", "a", "ACME2", &"a".repeat(63)] {
            assert!(subdomain("ZENDESK_SUBDOMAIN", good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "evil.example#",
            "evil.example",
            "a/b",
            "a@b",
            "-acme",
            "acme-",
            "ac me",
            &"a".repeat(64),
        ] {
            let e = subdomain("ZENDESK_SUBDOMAIN", bad).err().map(|e| e.message);
            let e = e.unwrap_or_default();
            assert!(
                e.starts_with("ZENDESK_SUBDOMAIN: a DNS label"),
                "{bad:?}: {e}"
            );
        }
    }
}
