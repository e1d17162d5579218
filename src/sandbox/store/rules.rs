//! Validation rules: integration and connection names, allowed domains, usernames, header
//! names and secret values. Each check returns the broken rule, worded for the user.

/// Integration name: 1-64 chars of `a-z 0-9 - _` (seed 001).
pub(crate) fn valid_integration_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Connection name: 3-64 chars of `A-Za-z0-9_-`, and not `zendesk` (reserved for OAuth).
/// Returns the broken rule.
pub(crate) fn check_connection_name(name: &str) -> Result<(), &'static str> {
    if !(3..=64).contains(&name.len())
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err("name must be 3-64 characters of A-Z, a-z, 0-9, underscore (_) or dash (-)");
    }
    // [guess] The reservation is taken as case-insensitive.
    if name.eq_ignore_ascii_case("zendesk") {
        return Err("name 'zendesk' is reserved for the Zendesk OAuth connection");
    }
    Ok(())
}

/// An OAuth client's name, or an OAuth connection's: the rule of connection names [guess],
/// without the reservation (`zendesk` is the usual name of both).
pub(crate) fn check_oauth_name(field: &str, name: &str) -> Result<(), String> {
    if !(3..=64).contains(&name.len())
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(format!(
            "{field} must be 3-64 characters of A-Z, a-z, 0-9, underscore (_) or dash (-)"
        ));
    }
    Ok(())
}

/// An OAuth client's `token_url` or `auth_url`, or a flow's `origin_oauth_redirect_url`.
/// [guess] An absolute `http` or `https` URL with a host, no user info and no whitespace, at
/// most 2048 characters (real ZIS documents no rule; a provider's URLs are https, but the
/// sandbox takes http for loopback tests).
pub(crate) fn check_url(field: &str, u: &str) -> Result<(), String> {
    if u.len() > 2048 {
        return Err(format!("{field} must be at most 2048 characters"));
    }
    if u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{field} must not contain whitespace"));
    }
    let Ok(parsed) = url::Url::parse(u) else {
        return Err(format!("{field} must be an absolute URL (https://...)"));
    };
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("{field} must be an http or https URL with a host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!("{field} must not contain user info (user:pass@)"));
    }
    Ok(())
}

/// Allowed domain: a bare hostname or IPv4 address.
///
/// [guess] No documented rule for schemes, ports or wildcards: a scheme (`://`), path (`/`),
/// port (`:`), whitespace, wildcard (`*`), query, `@`, empty labels and anything but
/// letters/digits/`-`/`.` are refused; at most 253 characters, labels of at most 63.
pub(crate) fn check_allowed_domain(d: &str) -> Result<(), &'static str> {
    if d.is_empty() {
        return Err("allowed_domain must not be empty");
    }
    if d.contains("://") {
        return Err("allowed_domain must be a bare hostname without a scheme (no https://)");
    }
    if d.chars().any(char::is_whitespace) {
        return Err("allowed_domain must not contain whitespace");
    }
    if d.contains('/') {
        return Err("allowed_domain must be a bare hostname without a path");
    }
    if d.contains(':') {
        return Err("allowed_domain must be a bare hostname without a port");
    }
    if d.contains('*') {
        return Err("allowed_domain must not contain wildcards");
    }
    if d.len() > 253 {
        return Err("allowed_domain must be at most 253 characters");
    }
    let labels_ok = d.split('.').all(|l| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    });
    if !labels_ok {
        return Err(
            "allowed_domain must be a hostname: dot-separated labels of letters, digits and dashes",
        );
    }
    Ok(())
}

/// basic_auth username: non-empty, no `:` (RFC 7617), no control characters.
pub(crate) fn check_username(u: &str) -> Result<(), &'static str> {
    if u.is_empty() {
        return Err("username must not be empty");
    }
    if u.contains(':') {
        return Err("username must not contain ':' (RFC 7617)");
    }
    if u.chars().any(char::is_control) {
        return Err("username must not contain control characters");
    }
    Ok(())
}

/// api_key header name: an HTTP header field name (RFC 9110 token).
/// [guess] The real rule is undocumented; a header name must be a token to be sendable at all.
pub(crate) fn check_header_name(h: &str) -> Result<(), &'static str> {
    const TCHAR: &[u8] = b"!#$%&'*+-.^_`|~";
    if h.is_empty() || h.len() > 128 {
        return Err("header_name must be 1-128 characters");
    }
    if !h
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || TCHAR.contains(&b))
    {
        return Err("header_name must be a valid HTTP header name (letters, digits, - and _)");
    }
    Ok(())
}

/// A secret value: non-empty. [guess] Max length 4096 characters.
pub(crate) fn check_secret(field: &'static str, v: &str) -> Result<(), String> {
    if v.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if v.chars().count() > 4096 {
        return Err(format!("{field} must be at most 4096 characters"));
    }
    Ok(())
}
