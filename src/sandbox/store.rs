//! The sandbox's in-memory account: integrations (the registry), their OAuth clients, minted
//! tokens and connections.
//!
//! Secrets (passwords, API keys, bearer tokens, OAuth client secrets, minted access tokens) are
//! held in [`SecretString`] or in [`TokenTable`], whose `Debug` prints no token. Nothing here
//! logs. Responses are built by [`Connection::to_json`], which always redacts to `"*****"`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use base64::Engine as _;
use rand::Rng as _;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

/// The redaction ZIS puts in place of every connection secret.
pub(crate) const REDACTED: &str = "*****";
/// The redaction ZIS puts in place of an OAuth client secret in the registry listing.
pub(crate) const REDACTED_CLIENT_SECRET: &str = "************";

/// First OAuth client id handed out (the contract's example id is 10066).
const FIRST_CLIENT_ID: u64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    BasicAuth,
    ApiKey,
    BearerToken,
    OAuth,
}

impl Kind {
    pub(crate) const ALL: [Kind; 4] = [
        Kind::ApiKey,
        Kind::BasicAuth,
        Kind::BearerToken,
        Kind::OAuth,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::BasicAuth => "basic_auth",
            Kind::ApiKey => "api_key",
            Kind::BearerToken => "bearer_token",
            Kind::OAuth => "oauth",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Kind> {
        match s {
            "basic_auth" => Some(Kind::BasicAuth),
            "api_key" => Some(Kind::ApiKey),
            "bearer_token" => Some(Kind::BearerToken),
            "oauth" => Some(Kind::OAuth),
            _ => None,
        }
    }

    /// The field that holds this kind's secret (the one `/_sandbox/verify` compares).
    pub(crate) fn secret_field(self) -> &'static str {
        match self {
            Kind::BasicAuth => "password",
            Kind::ApiKey => "api_key",
            Kind::BearerToken => "token",
            Kind::OAuth => "access_token",
        }
    }
}

/// The kind-specific part of a connection. Every secret is a [`SecretString`], so the derived
/// `Debug` prints `[REDACTED]` for it.
#[derive(Debug, Clone)]
pub(crate) enum Creds {
    BasicAuth {
        username: String,
        password: SecretString,
    },
    ApiKey {
        header_name: String,
        api_key: SecretString,
    },
    BearerToken {
        token: SecretString,
    },
    /// Made by an OAuth flow in real ZIS; here only seeded.
    OAuth {
        access_token: SecretString,
        permission_scope: String,
        uuid: String,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub(crate) name: String,
    /// Empty for OAuth connections (their documented shape has no allowed domain).
    pub(crate) allowed_domain: String,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) updated_at: OffsetDateTime,
    pub(crate) creds: Creds,
}

impl Connection {
    pub(crate) fn kind(&self) -> Kind {
        match self.creds {
            Creds::BasicAuth { .. } => Kind::BasicAuth,
            Creds::ApiKey { .. } => Kind::ApiKey,
            Creds::BearerToken { .. } => Kind::BearerToken,
            Creds::OAuth { .. } => Kind::OAuth,
        }
    }

    pub(crate) fn secret(&self) -> &SecretString {
        match &self.creds {
            Creds::BasicAuth { password, .. } => password,
            Creds::ApiKey { api_key, .. } => api_key,
            Creds::BearerToken { token } => token,
            Creds::OAuth { access_token, .. } => access_token,
        }
    }

    /// The connection as ZIS shows it: secrets replaced by `"*****"`.
    pub(crate) fn to_json(&self, integration: &str) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("created_at".into(), json!(format_ts(self.created_at)));
        m.insert("updated_at".into(), json!(format_ts(self.updated_at)));
        match &self.creds {
            Creds::BasicAuth { username, .. } => {
                m.insert("allowed_domain".into(), json!(self.allowed_domain));
                m.insert("username".into(), json!(username));
                m.insert("password".into(), json!(REDACTED));
            }
            Creds::ApiKey { header_name, .. } => {
                m.insert("allowed_domain".into(), json!(self.allowed_domain));
                m.insert("header_name".into(), json!(header_name));
                m.insert("api_key".into(), json!(REDACTED));
            }
            Creds::BearerToken { .. } => {
                m.insert("allowed_domain".into(), json!(self.allowed_domain));
                m.insert("token".into(), json!(REDACTED));
            }
            Creds::OAuth {
                permission_scope,
                uuid,
                ..
            } => {
                // [guess] The OAuth connection shape follows Zendesk's "OAuth Connections" page
                // (access_token, refresh_token, token_type, permission_scope, uuid, integration,
                // ...); it documents no allowed_domain, so none is sent. created_at/updated_at
                // are sent because ZIS_API.md says every kind has them.
                m.insert("integration".into(), json!(integration));
                m.insert("access_token".into(), json!(REDACTED));
                m.insert("refresh_token".into(), json!(REDACTED));
                m.insert("token_type".into(), json!("bearer"));
                m.insert("permission_scope".into(), json!(permission_scope));
                m.insert("uuid".into(), json!(uuid));
                m.insert("token_expiry".into(), Value::Null);
            }
        }
        Value::Object(m)
    }
}

/// One registered integration and its Zendesk OAuth client.
#[derive(Debug)]
pub(crate) struct Integration {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) jwt_public_key: String,
    pub(crate) client_id: u64,
    pub(crate) client_secret: SecretString,
    pub(crate) connections: BTreeMap<String, Connection>,
}

impl Integration {
    pub(crate) fn new(name: &str, description: &str, client_id: u64) -> Integration {
        Integration {
            name: name.to_string(),
            description: description.to_string(),
            jwt_public_key: fake_public_key(),
            client_id,
            client_secret: SecretString::from(random_token(48)),
            connections: BTreeMap::new(),
        }
    }

    pub(crate) fn identifier(&self) -> String {
        format!("zis_{}", self.name)
    }

    /// The registry listing entry (client secret redacted).
    pub(crate) fn listing_json(&self) -> Value {
        json!({
            "name": self.name,
            "description": self.description,
            "jwt_public_key": self.jwt_public_key,
            "zendesk_oauth_client": {
                "id": self.client_id,
                "identifier": self.identifier(),
                "secret": REDACTED_CLIENT_SECRET,
            }
        })
    }

    /// The answer to a registration: the only place the client secret is ever sent.
    pub(crate) fn registration_json(&self) -> Value {
        json!({
            "description": self.description,
            "jwt_public_key": self.jwt_public_key,
            "zendesk_oauth_client": {
                "id": self.client_id,
                "identifier": self.identifier(),
                "secret": self.client_secret.expose_secret(),
            }
        })
    }
}

/// What a minted access token may do.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) client_id: u64,
    pub(crate) scopes: Vec<String>,
}

impl Grant {
    pub(crate) fn can_write(&self) -> bool {
        self.scopes.iter().any(|s| s == "write")
    }
}

/// Minted access tokens. The map key is the token itself, so `Debug` is written by hand and
/// shows only how many there are.
#[derive(Default)]
pub(crate) struct TokenTable {
    by_token: HashMap<String, Grant>,
}

impl fmt::Debug for TokenTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenTable")
            .field("tokens", &self.by_token.len())
            .finish()
    }
}

impl TokenTable {
    pub(crate) fn insert(&mut self, token: String, grant: Grant) {
        self.by_token.insert(token, grant);
    }
    pub(crate) fn get(&self, token: &str) -> Option<&Grant> {
        self.by_token.get(token)
    }
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.by_token.len();
        self.by_token.clear();
        n
    }
}

/// Why a registration was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RegisterError {
    InvalidName,
    TakenByAnotherAccount,
}

/// Why a connection could not be written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ConnError {
    NotFound,
    Conflict,
}

/// The whole account.
#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) integrations: BTreeMap<String, Integration>,
    pub(crate) tokens: TokenTable,
    next_client_id: u64,
    next_token_id: u64,
}

impl Default for Store {
    fn default() -> Self {
        Store {
            integrations: BTreeMap::new(),
            tokens: TokenTable::default(),
            next_client_id: FIRST_CLIENT_ID,
            next_token_id: 1,
        }
    }
}

impl Store {
    /// Adds an integration while seeding. `client_id` of `None` takes the next free id.
    /// Returns `false` (and changes nothing) if the name is already present.
    pub(crate) fn seed_integration(
        &mut self,
        name: &str,
        description: &str,
        client_id: Option<u64>,
    ) -> bool {
        if self.integrations.contains_key(name) {
            return false;
        }
        let id = match client_id {
            Some(id) if !self.client_id_taken(id) => id,
            _ => self.next_client_id(),
        };
        self.next_client_id = self.next_client_id.max(id + 1);
        self.integrations
            .insert(name.to_string(), Integration::new(name, description, id));
        true
    }

    fn client_id_taken(&self, id: u64) -> bool {
        self.integrations.values().any(|i| i.client_id == id)
    }

    fn next_client_id(&mut self) -> u64 {
        while self.client_id_taken(self.next_client_id) {
            self.next_client_id += 1;
        }
        let id = self.next_client_id;
        self.next_client_id += 1;
        id
    }

    /// `POST /api/services/zis/registry/{integration}`.
    ///
    /// [guess] Re-registering a name this account already owns is an upsert: the description is
    /// updated, the OAuth client (id and secret) is kept, and the full answer (with the secret)
    /// is sent again. Names starting with `taken-` stand for integrations registered by another
    /// Zendesk account (names are global), and are refused.
    pub(crate) fn register(
        &mut self,
        name: &str,
        description: &str,
    ) -> Result<&Integration, RegisterError> {
        if !valid_integration_name(name) {
            return Err(RegisterError::InvalidName);
        }
        if name.starts_with("taken-") {
            return Err(RegisterError::TakenByAnotherAccount);
        }
        if !self.integrations.contains_key(name) {
            let id = self.next_client_id();
            self.integrations
                .insert(name.to_string(), Integration::new(name, description, id));
        }
        match self.integrations.get_mut(name) {
            Some(i) => {
                i.description = description.to_string();
                Ok(i)
            }
            None => Err(RegisterError::InvalidName),
        }
    }

    pub(crate) fn integration_by_client(&self, client_id: u64) -> Option<&Integration> {
        self.integrations
            .values()
            .find(|i| i.client_id == client_id)
    }

    /// `POST /api/v2/oauth/tokens`: returns the token id and the token, or `None` for an
    /// unknown client.
    pub(crate) fn mint_token(
        &mut self,
        client_id: u64,
        scopes: Vec<String>,
    ) -> Option<(u64, String)> {
        self.integration_by_client(client_id)?;
        let id = self.next_token_id;
        self.next_token_id += 1;
        let token = random_token(64);
        self.tokens
            .insert(token.clone(), Grant { client_id, scopes });
        Some((id, token))
    }

    pub(crate) fn connection(&self, integration: &str, name: &str) -> Option<&Connection> {
        self.integrations.get(integration)?.connections.get(name)
    }

    /// Inserts a new connection; `Conflict` if the name is used by any kind.
    pub(crate) fn create(
        &mut self,
        integration: &str,
        conn: Connection,
    ) -> Result<&Connection, ConnError> {
        let integ = self
            .integrations
            .get_mut(integration)
            .ok_or(ConnError::NotFound)?;
        if integ.connections.contains_key(&conn.name) {
            return Err(ConnError::Conflict);
        }
        let name = conn.name.clone();
        integ.connections.insert(name.clone(), conn);
        integ.connections.get(&name).ok_or(ConnError::NotFound)
    }

    /// The connection of that kind, for an update; `NotFound` if the name is unused or is a
    /// different kind.
    pub(crate) fn connection_mut(
        &mut self,
        integration: &str,
        kind: Kind,
        name: &str,
    ) -> Result<&mut Connection, ConnError> {
        match self
            .integrations
            .get_mut(integration)
            .and_then(|i| i.connections.get_mut(name))
        {
            Some(c) if c.kind() == kind => Ok(c),
            _ => Err(ConnError::NotFound),
        }
    }

    pub(crate) fn delete(
        &mut self,
        integration: &str,
        kind: Kind,
        name: &str,
    ) -> Result<(), ConnError> {
        let integ = self
            .integrations
            .get_mut(integration)
            .ok_or(ConnError::NotFound)?;
        match integ.connections.get(name) {
            Some(c) if c.kind() == kind => {
                integ.connections.remove(name);
                Ok(())
            }
            _ => Err(ConnError::NotFound),
        }
    }

    pub(crate) fn connection_count(&self) -> usize {
        self.integrations
            .values()
            .map(|i| i.connections.len())
            .sum()
    }
}

// ---------------------------------------------------------------------------------------------
// Pagination of `GET .../connections/all`
// ---------------------------------------------------------------------------------------------

/// Which way a page is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PageFrom {
    Start,
    /// Names strictly after this one.
    After(String),
    /// Names strictly before this one.
    Before(String),
}

#[derive(Debug)]
pub(crate) struct Page<'a> {
    pub(crate) items: Vec<&'a Connection>,
    pub(crate) has_more: bool,
    pub(crate) after: Option<String>,
    pub(crate) before: Option<String>,
}

/// Cursor pagination over connections ordered by name (names are unique across kinds).
///
/// [guess] Semantics follow Zendesk's cursor pagination: `has_more` says whether more items
/// exist in the direction of travel; `meta.after` is the cursor of the page's last item when
/// items follow it (else null) and `meta.before` the cursor of its first item when items
/// precede it (else null). A client that follows `after` while `has_more` is true, or until
/// `after` is null, reads every connection exactly once.
pub(crate) fn paginate<'a>(
    conns: &'a BTreeMap<String, Connection>,
    size: usize,
    from: &PageFrom,
) -> Page<'a> {
    use std::ops::Bound::{Excluded, Unbounded};
    let (items, has_more): (Vec<&Connection>, bool) = match from {
        PageFrom::Start => {
            let mut it = conns.values();
            let items: Vec<_> = it.by_ref().take(size).collect();
            (items, it.next().is_some())
        }
        PageFrom::After(c) => {
            let mut it = conns
                .range::<str, _>((Excluded(c.as_str()), Unbounded))
                .map(|(_, v)| v);
            let items: Vec<_> = it.by_ref().take(size).collect();
            (items, it.next().is_some())
        }
        PageFrom::Before(c) => {
            let mut it = conns
                .range::<str, _>((Unbounded, Excluded(c.as_str())))
                .rev()
                .map(|(_, v)| v);
            let mut items: Vec<_> = it.by_ref().take(size).collect();
            let more = it.next().is_some();
            items.reverse();
            (items, more)
        }
    };
    let first = items.first().map(|c| c.name.as_str());
    let last = items.last().map(|c| c.name.as_str());
    let after = last.and_then(|l| {
        conns
            .range::<str, _>((Excluded(l), Unbounded))
            .next()
            .map(|_| encode_cursor(l))
    });
    let before = first.and_then(|f| {
        conns
            .range::<str, _>((Unbounded, Excluded(f)))
            .next_back()
            .map(|_| encode_cursor(f))
    });
    Page {
        items,
        has_more,
        after,
        before,
    }
}

/// Opaque cursor: URL-safe base64 (no padding) of `"n:" + name`.
pub(crate) fn encode_cursor(name: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("n:{name}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .ok()?;
    let s = String::from_utf8(bytes).ok()?;
    s.strip_prefix("n:").map(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// Validation rules
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// RFC 3339 UTC with milliseconds, e.g. `2025-04-12T23:20:50.520Z`.
pub(crate) fn format_ts(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Now, truncated to whole milliseconds (so that what is shown is what is stored).
pub(crate) fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.millisecond() as u32 * 1_000_000)
        .unwrap_or(t)
}

/// A random alphanumeric string (secrets, tokens).
pub(crate) fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A random UUID-shaped string (v4 layout).
pub(crate) fn random_uuid() -> String {
    let b: [u8; 16] = rand::rng().random();
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-4{:01x}{:02x}-{:01x}{:01x}{:02x}-{}",
        b[0],
        b[1],
        b[2],
        b[3],
        b[4],
        b[5],
        b[6] & 0x0f,
        b[7],
        8 | (b[8] & 0x03),
        b[8] >> 4,
        b[9],
        b[10..16]
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    )
}

/// A PEM-looking RSA public key (random bytes; nothing verifies it).
fn fake_public_key() -> String {
    let mut bytes = vec![0u8; 270];
    rand::rng().fill(&mut bytes[..]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----");
    pem
}

/// Compares two secrets without an early exit on the first differing byte.
pub(crate) fn secret_eq(stored: &SecretString, given: &str) -> bool {
    let a = stored.expose_secret().as_bytes();
    let b = given.as_bytes();
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(name: &str) -> Connection {
        let t = now();
        Connection {
            name: name.into(),
            allowed_domain: "api.example.com".into(),
            created_at: t,
            updated_at: t,
            creds: Creds::BearerToken {
                token: SecretString::from("canary-secret-value"),
            },
        }
    }

    #[test]
    fn names() {
        assert!(valid_integration_name("a"));
        assert!(valid_integration_name("acme_crm-sync9"));
        assert!(!valid_integration_name(""));
        assert!(!valid_integration_name("Acme"));
        assert!(!valid_integration_name(&"a".repeat(65)));
        assert!(check_connection_name("abc").is_ok());
        assert!(check_connection_name("ab").is_err());
        assert!(check_connection_name("a b c").is_err());
        assert!(check_connection_name("Zendesk").is_err());
        assert!(check_connection_name(&"x".repeat(64)).is_ok());
        assert!(check_connection_name(&"x".repeat(65)).is_err());
    }

    #[test]
    fn domains() {
        for ok in [
            "api.example.com",
            "localhost",
            "10.20.30.40",
            "a-b.example.io",
        ] {
            assert!(check_allowed_domain(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "https://api.example.com",
            "api.example.com/x",
            "api.example.com:443",
            "api .example.com",
            "*.example.com",
            "api..example.com",
            "-api.example.com",
        ] {
            assert!(check_allowed_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn usernames_and_headers() {
        assert!(check_username("john@example.com").is_ok());
        assert!(check_username("a:b").is_err());
        assert!(check_username("").is_err());
        assert!(check_header_name("X-API-Key").is_ok());
        assert!(check_header_name("X API").is_err());
    }

    #[test]
    fn timestamps_have_millis() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(482_196_050_520_000_000).unwrap_or(now());
        assert_eq!(format_ts(t), "1985-04-12T23:20:50.520Z");
    }

    #[test]
    fn cursors_round_trip() {
        for n in ["abc", "store_0001", "Z-z_9"] {
            assert_eq!(decode_cursor(&encode_cursor(n)).as_deref(), Some(n));
        }
        assert_eq!(decode_cursor("!!!"), None);
    }

    #[test]
    fn pages_cover_everything_once() {
        let mut m = BTreeMap::new();
        for i in 0..25 {
            let c = conn(&format!("c{i:03}"));
            m.insert(c.name.clone(), c);
        }
        let mut seen = Vec::new();
        let mut from = PageFrom::Start;
        loop {
            let p = paginate(&m, 10, &from);
            seen.extend(p.items.iter().map(|c| c.name.clone()));
            if !p.has_more {
                assert!(p.after.is_none());
                break;
            }
            let a = p.after.as_deref().and_then(decode_cursor);
            from = PageFrom::After(a.unwrap_or_default());
        }
        assert_eq!(seen.len(), 25);
        assert_eq!(seen, m.keys().cloned().collect::<Vec<_>>());

        // Backwards from the end.
        let p = paginate(&m, 10, &PageFrom::Before("c020".into()));
        assert_eq!(p.items.len(), 10);
        assert_eq!(p.items[0].name, "c010");
        assert!(p.has_more);
        assert!(p.before.is_some() && p.after.is_some());
        let first = paginate(&m, 10, &PageFrom::Start);
        assert!(first.before.is_none());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = conn("abc");
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("canary-secret-value"));
        let mut t = TokenTable::default();
        t.insert(
            "canary-token".into(),
            Grant {
                client_id: 1,
                scopes: vec!["read".into()],
            },
        );
        assert!(!format!("{t:?}").contains("canary-token"));
        let i = Integration::new("x", "d", 1);
        assert!(!format!("{i:?}").contains(i.client_secret.expose_secret()));
        assert!(!c.to_json("x").to_string().contains("canary-secret-value"));
    }

    #[test]
    fn secret_compare() {
        let s = SecretString::from("hunter2");
        assert!(secret_eq(&s, "hunter2"));
        assert!(!secret_eq(&s, "hunter"));
        assert!(!secret_eq(&s, "hunter22"));
        assert!(!secret_eq(&s, ""));
    }

    #[test]
    fn register_upsert_and_taken() {
        let mut s = Store::default();
        let id = s
            .register("my_int", "one")
            .map(|i| i.client_id)
            .unwrap_or(0);
        let id2 = s
            .register("my_int", "two")
            .map(|i| i.client_id)
            .unwrap_or(1);
        assert_eq!(id, id2);
        assert_eq!(s.integrations["my_int"].description, "two");
        assert_eq!(
            s.register("taken-x", "").err(),
            Some(RegisterError::TakenByAnotherAccount)
        );
        assert_eq!(
            s.register("Bad", "").err(),
            Some(RegisterError::InvalidName)
        );
    }
}
