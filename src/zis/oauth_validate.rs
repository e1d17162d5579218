//! Local rules for OAuth clients and flows, checked before anything is sent. As in
//! `validate`, each message names the field and the rule, never the value: a URL may carry a
//! password in its user info, and a secret may be pasted into the wrong field.
use reqwest::Url;
use secrecy::ExposeSecret;

use super::error::{Error, Result};
use super::oauth_models::{NewOAuthClient, OAuthClientUpdate};

pub const OAUTH_CLIENT_RULE: &str = "3-64 characters of A-Z, a-z, 0-9, - and _";
pub const SCOPES_RULE: &str =
    "space-delimited scope tokens of printable ASCII (no quote, backslash or control character)";

/// An OAuth client's name: the connection-name rule `[guess]` (the reserved `zendesk` is a
/// connection name only).
pub fn oauth_client_name(name: &str) -> Result<()> {
    let ok = (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::validation("OAuth client name", OAUTH_CLIENT_RULE))
    }
}

/// A name given to find an existing OAuth client (or connection): not empty, one line.
pub fn lookup_name(field: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 255 || name.chars().any(char::is_control) {
        return Err(Error::validation(
            field,
            "required: one line of at most 255 characters",
        ));
    }
    Ok(())
}

/// An OAuth provider URL (`token_url`, `auth_url`): absolute https, a host, no user info.
pub fn oauth_url(field: &str, s: &str) -> Result<()> {
    let fail = |why: &str| Err(Error::validation(field, why.to_string()));
    if s.is_empty() {
        return fail("required");
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail("whitespace and control characters are not allowed");
    }
    let Ok(url) = Url::parse(s) else {
        return fail("not an absolute URL (https://host/path)");
    };
    if url.scheme() != "https" {
        return fail("must use https");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return fail("user info (user:password@) is not allowed");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return fail("has no host");
    }
    Ok(())
}

/// Where the browser goes when a flow ends: https, or http on a loopback address.
pub fn redirect_url(s: &str) -> Result<()> {
    const FIELD: &str = "redirect URL";
    if let Ok(u) = Url::parse(s) {
        let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if u.scheme() == "http" && loopback && u.username().is_empty() && u.password().is_none() {
            return Ok(());
        }
    }
    oauth_url(FIELD, s)
}

/// Space-delimited OAuth scopes (RFC 6749 scope tokens).
pub fn scopes(field: &str, s: &str) -> Result<()> {
    let ok = s
        .chars()
        .all(|c| c == ' ' || (c.is_ascii_graphic() && c != '"' && c != '\\'))
        && s.len() <= 2048;
    if ok {
        Ok(())
    } else {
        Err(Error::validation(field, SCOPES_RULE))
    }
}

/// An OAuth client id: not empty, one line without control characters.
pub fn client_id(s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(Error::validation("client id", "required"));
    }
    if s.chars().any(char::is_control) || s.len() > 1024 {
        return Err(Error::validation(
            "client id",
            "one line of at most 1024 characters, no control characters",
        ));
    }
    Ok(())
}

/// Every field of an OAuth client to create.
pub fn new_oauth_client(c: &NewOAuthClient) -> Result<()> {
    oauth_client_name(&c.name)?;
    client_id(&c.client_id)?;
    super::validate::secret("client secret", c.client_secret.expose_secret())?;
    oauth_url("token URL", &c.token_url)?;
    if let Some(u) = &c.auth_url {
        oauth_url("auth URL", u)?;
    }
    if let Some(s) = &c.default_scopes {
        scopes("scopes", s)?;
    }
    Ok(())
}

/// Every field an update changes; an update that changes nothing is refused.
pub fn oauth_client_update(u: &OAuthClientUpdate) -> Result<()> {
    if u.is_empty() {
        return Err(Error::validation("update", "nothing to change"));
    }
    if let Some(v) = &u.client_id {
        client_id(v)?;
    }
    if let Some(v) = &u.client_secret {
        super::validate::secret("client secret", v.expose_secret())?;
    }
    if let Some(v) = &u.token_url {
        oauth_url("token URL", v)?;
    }
    if let Some(v) = &u.auth_url {
        oauth_url("auth URL", v)?;
    }
    if let Some(v) = &u.default_scopes {
        scopes("scopes", v)?;
    }
    Ok(())
}

/// The name of an OAuth connection a flow creates or replaces: the connection rule, where
/// the reserved `zendesk` (the integration's own OAuth connection) may be named.
pub fn oauth_connection_name(name: &str) -> Result<()> {
    if name == RESERVED_CONNECTION {
        return Ok(());
    }
    super::validate::connection_name(name)
}

/// The connection every bundle action that calls Zendesk uses; zisctl cannot recreate it.
pub const RESERVED_CONNECTION: &str = "zendesk";

/// Is this the reserved `zendesk` connection?
pub fn is_reserved(name: &str) -> bool {
    name == RESERVED_CONNECTION
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: Result<()>) -> String {
        r.err().map(|e| e.message).unwrap_or_default()
    }

    #[test]
    fn urls() {
        assert!(oauth_url(
            "token URL",
            "https://login.microsoftonline.com/t/oauth2/v2.0/token"
        )
        .is_ok());
        assert!(msg(oauth_url("token URL", "http://x.example/t")).contains("https"));
        let m = msg(oauth_url("token URL", "https://user:pw-canary@x.example/t"));
        assert!(m.contains("user info") && !m.contains("pw-canary"), "{m}");
        assert!(msg(oauth_url("auth URL", "https://bob@x.example/")).contains("user info"));
        assert!(msg(oauth_url("token URL", "x.example/t")).contains("absolute"));
        assert!(msg(oauth_url("token URL", "")).contains("required"));
        assert!(msg(oauth_url("token URL", "https://x.example/\u{1b}]52")).contains("control"));
        assert!(redirect_url("http://127.0.0.1:8080/done").is_ok());
        assert!(redirect_url("http://example.com/done").is_err());
        assert!(redirect_url("https://acme.zendesk.com/").is_ok());
    }

    #[test]
    fn names_scopes_ids() {
        assert!(oauth_client_name("entra_graph-1").is_ok());
        assert!(oauth_client_name("zendesk").is_ok());
        assert!(oauth_client_name("ab").is_err());
        assert!(oauth_client_name("has space").is_err());
        assert!(scopes(
            "scopes",
            "read write offline_access https://graph.microsoft.com/.default"
        )
        .is_ok());
        assert!(scopes("scopes", "").is_ok());
        assert!(scopes("scopes", "a\"b").is_err());
        assert!(scopes("scopes", "a\tb").is_err());
        assert!(client_id("").is_err());
        assert!(client_id("abc\n").is_err());
        assert!(oauth_connection_name("zendesk").is_ok());
        assert!(oauth_connection_name("x").is_err());
        assert!(is_reserved("zendesk") && !is_reserved("zendesk2"));
    }
}
