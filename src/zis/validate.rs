//! Local validation, done before any request is sent. Each rule's message names the rule, never
//! the offending value (it may be a secret pasted into the wrong field).
use super::error::{Error, Result};

pub const INTEGRATION_RULE: &str = "1-64 characters of lower-case a-z, 0-9, - and _";
pub const CONNECTION_RULE: &str = "3-64 characters of A-Z, a-z, 0-9, - and _";
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
}
