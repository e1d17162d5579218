//! The account's side of Zendesk OAuth: the two sandbox OAuth clients, the users behind the
//! tokens, authorization codes, admin access and refresh tokens, the switches that shape them
//! and the counters tests read.
//!
//! Codes and tokens are random values from the OS CSPRNG; the tables hold only their SHA-256
//! digests, so nothing here (nor its `Debug`) can show one. A value leaves the sandbox once, in
//! the answer that issues it ([`Issued`]).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use rand::TryRngCore as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::helpers::{now, secret_eq};

mod grants;

pub(crate) use self::grants::CodeExchange;

/// The public client (no secret; PKCE required).
pub(crate) const PUBLIC_CLIENT_ID: &str = "zisctl_sandbox_public";
/// The confidential client (a random secret made at start).
pub(crate) const CONFIDENTIAL_CLIENT_ID: &str = "zisctl_sandbox_confidential";
/// [guess] How long a consent page's form stays good (Zendesk's session forms last longer).
const CONSENT_TTL: Duration = Duration::from_secs(600);

pub(crate) type Digest = [u8; 32];

pub(crate) fn digest(value: &str) -> Digest {
    Sha256::digest(value.as_bytes()).into()
}

/// `BASE64URL-NOPAD(SHA256(verifier))` (RFC 7636, S256).
pub(crate) fn s256_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// 32 bytes of the OS CSPRNG as 64 hex digits, or `None` if the OS refuses.
pub(crate) fn os_random_hex() -> Option<String> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `now + d`, saturating far in the future.
pub(crate) fn after(start: OffsetDateTime, d: Duration) -> OffsetDateTime {
    time::Duration::try_from(d)
        .ok()
        .and_then(|d| start.checked_add(d))
        .unwrap_or(OffsetDateTime::new_utc(
            time::Date::MAX,
            time::Time::MIDNIGHT,
        ))
}

/// The people behind tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum User {
    Admin,
    Agent,
}

impl User {
    pub(crate) fn id(self) -> u64 {
        match self {
            User::Admin => 372_000_001,
            User::Agent => 372_000_002,
        }
    }
    pub(crate) fn name(self) -> &'static str {
        match self {
            User::Admin => "Sandbox Admin",
            User::Agent => "Sandbox Agent",
        }
    }
    pub(crate) fn email(self) -> &'static str {
        match self {
            User::Admin => "admin@sandbox.example",
            User::Agent => "agent@sandbox.example",
        }
    }
    pub(crate) fn role(self) -> &'static str {
        match self {
            User::Admin => "admin",
            User::Agent => "agent",
        }
    }
    pub(crate) fn parse(s: &str) -> Option<User> {
        match s {
            "admin" => Some(User::Admin),
            "agent" => Some(User::Agent),
            _ => None,
        }
    }
}

/// One of the sandbox's two Zendesk OAuth clients.
pub(crate) struct OAuthClient {
    /// Numeric id, as Zendesk shows on tokens (`client_id` of a token object).
    pub(crate) id: u64,
    /// What `client_id` is in the OAuth requests.
    pub(crate) identifier: &'static str,
    pub(crate) name: &'static str,
    /// `None` for the public client.
    pub(crate) secret: Option<SecretString>,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("id", &self.id)
            .field("identifier", &self.identifier)
            .field("confidential", &self.secret.is_some())
            .finish()
    }
}

/// The OAuth switches (changed by `POST /_sandbox/oauth`).
#[derive(Debug, Clone)]
pub(crate) struct OAuthSettings {
    pub(crate) access_ttl: Duration,
    pub(crate) refresh_ttl: Duration,
    pub(crate) zis_token_ttl: Option<Duration>,
    pub(crate) code_ttl: Duration,
    pub(crate) auto_approve: bool,
    pub(crate) refuse_api_tokens: bool,
    /// Who is signed in to the sandbox's "browser session", and so who new tokens act as.
    pub(crate) user: User,
}

impl Default for OAuthSettings {
    /// The contract's defaults: access 30 min, refresh 30 days, ZIS tokens without expiry,
    /// codes 120 s, consent asked, API tokens accepted, the admin signed in.
    fn default() -> Self {
        OAuthSettings {
            access_ttl: Duration::from_secs(1800),
            refresh_ttl: Duration::from_secs(2_592_000),
            zis_token_ttl: None,
            code_ttl: Duration::from_secs(120),
            auto_approve: false,
            refuse_api_tokens: false,
            user: User::Admin,
        }
    }
}

/// What tests count (never reset: tests compare before and after).
#[derive(Debug, Clone, Default)]
pub(crate) struct OAuthCounters {
    pub(crate) exchanges: u64,
    pub(crate) refreshes: u64,
    pub(crate) refresh_reuse_refused: u64,
    pub(crate) client_credentials: u64,
    pub(crate) mints: u64,
    pub(crate) revoked: u64,
}

/// RFC 6749 error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OAuthErrorKind {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnsupportedGrantType,
    InvalidScope,
    ServerError,
}

impl OAuthErrorKind {
    pub(crate) fn code(self) -> &'static str {
        match self {
            OAuthErrorKind::InvalidRequest => "invalid_request",
            OAuthErrorKind::InvalidClient => "invalid_client",
            OAuthErrorKind::InvalidGrant => "invalid_grant",
            OAuthErrorKind::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorKind::InvalidScope => "invalid_scope",
            OAuthErrorKind::ServerError => "server_error",
        }
    }
}

/// A refused OAuth request. `reason` says which rule, for the sandbox's own tests and debug
/// log; it never holds a value from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub(crate) kind: OAuthErrorKind,
    pub(crate) reason: &'static str,
}

fn refuse<T>(kind: OAuthErrorKind, reason: &'static str) -> Result<T, OAuthError> {
    Err(OAuthError { kind, reason })
}

/// A validated authorization request (what the consent page carries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthRequest {
    pub(crate) client: &'static str,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) state: Option<String>,
    /// The S256 challenge (public, by design).
    pub(crate) challenge: Option<String>,
}

struct Code {
    request: AuthRequest,
    user: User,
    expires_at: OffsetDateTime,
}

struct Consent {
    request: AuthRequest,
    expires_at: OffsetDateTime,
}

/// An admin-side OAuth access token (made by `/oauth/tokens`).
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) id: u64,
    pub(crate) client_numeric_id: u64,
    pub(crate) user: User,
    pub(crate) scopes: Vec<String>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) expires_at: OffsetDateTime,
    refresh: Option<Digest>,
}

struct RefreshToken {
    client: &'static str,
    user: User,
    scopes: Vec<String>,
    access: Digest,
    expires_at: OffsetDateTime,
}

/// The answer of a successful grant: the only place a token value is ever held in clear.
pub(crate) struct Issued {
    pub(crate) access_token: SecretString,
    pub(crate) refresh_token: Option<SecretString>,
    pub(crate) expires_in: u64,
    pub(crate) refresh_expires_in: Option<u64>,
    pub(crate) scope: String,
}

/// Everything OAuth in the account.
pub(crate) struct OAuthState {
    pub(crate) settings: OAuthSettings,
    pub(crate) counters: OAuthCounters,
    clients: Vec<OAuthClient>,
    codes: HashMap<Digest, Code>,
    consents: HashMap<Digest, Consent>,
    access: HashMap<Digest, AccessToken>,
    refresh: HashMap<Digest, RefreshToken>,
    /// Refresh tokens rotated away (to count reuse).
    retired_refresh: HashSet<Digest>,
}

impl fmt::Debug for OAuthState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthState")
            .field("settings", &self.settings)
            .field("clients", &self.clients)
            .field("codes", &self.codes.len())
            .field("access_tokens", &self.access.len())
            .field("refresh_tokens", &self.refresh.len())
            .finish_non_exhaustive()
    }
}

impl OAuthState {
    /// The two clients, the confidential one with a fresh random secret.
    pub(crate) fn new(settings: OAuthSettings) -> OAuthState {
        let secret = os_random_hex().unwrap_or_else(|| super::random_token(64));
        OAuthState {
            settings,
            counters: OAuthCounters::default(),
            clients: vec![
                OAuthClient {
                    id: 9_001,
                    identifier: PUBLIC_CLIENT_ID,
                    name: "zisctl (sandbox, public client)",
                    secret: None,
                },
                OAuthClient {
                    id: 9_002,
                    identifier: CONFIDENTIAL_CLIENT_ID,
                    name: "zisctl (sandbox, confidential client)",
                    secret: Some(SecretString::from(secret)),
                },
            ],
            codes: HashMap::new(),
            consents: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            retired_refresh: HashSet::new(),
        }
    }

    pub(crate) fn client(&self, identifier: &str) -> Option<&OAuthClient> {
        self.clients.iter().find(|c| c.identifier == identifier)
    }

    /// The confidential client's secret (printed by `zisctl sandbox`, handed to tests).
    pub(crate) fn confidential_secret(&self) -> String {
        self.client(CONFIDENTIAL_CLIENT_ID)
            .and_then(|c| c.secret.as_ref())
            .map(|s| s.expose_secret().to_string())
            .unwrap_or_default()
    }

    /// A live admin access token, or `None` (unknown, revoked or expired).
    pub(crate) fn access_token(&mut self, token: &str) -> Option<AccessToken> {
        let key = digest(token);
        let t = self.access.get(&key)?;
        if t.expires_at <= now() {
            self.access.remove(&key);
            return None;
        }
        Some(t.clone())
    }

    pub(crate) fn access_by_id(&self, id: u64) -> Option<&AccessToken> {
        let t = self.access.values().find(|t| t.id == id)?;
        (t.expires_at > now()).then_some(t)
    }

    /// Revokes an access token by id, with its refresh token. `true` if there was one.
    pub(crate) fn revoke_access(&mut self, id: u64) -> bool {
        let Some(key) = self
            .access
            .iter()
            .find(|(_, t)| t.id == id)
            .map(|(k, _)| *k)
        else {
            return false;
        };
        if let Some(t) = self.access.remove(&key) {
            if let Some(r) = t.refresh {
                self.refresh.remove(&r);
            }
        }
        true
    }

    pub(crate) fn live_access_tokens(&self) -> usize {
        let t = now();
        self.access.values().filter(|a| a.expires_at > t).count()
    }

    /// Drops expired codes, consent forms and tokens.
    fn purge(&mut self) {
        let t = now();
        self.codes.retain(|_, c| c.expires_at > t);
        self.consents.retain(|_, c| c.expires_at > t);
        self.access.retain(|_, a| a.expires_at > t);
        self.refresh.retain(|_, r| r.expires_at > t);
    }

    /// Checks the client of a token request: `zis_…` clients and unknown ids are refused with
    /// `invalid_client`, as is a confidential client without its secret.
    fn authenticate_client(
        &self,
        client_id: Option<&str>,
        secret: Option<&SecretString>,
    ) -> Result<&OAuthClient, OAuthError> {
        let Some(id) = client_id else {
            return refuse(OAuthErrorKind::InvalidRequest, "client_id is required");
        };
        let Some(client) = self.client(id) else {
            // [live] The `zis_…` clients made by registration are refused; so is any other id.
            return refuse(OAuthErrorKind::InvalidClient, "unknown client");
        };
        if let Some(stored) = &client.secret {
            match secret {
                Some(given) if secret_eq(stored, given.expose_secret()) => {}
                Some(_) => return refuse(OAuthErrorKind::InvalidClient, "wrong client_secret"),
                None => return refuse(OAuthErrorKind::InvalidClient, "client_secret is required"),
            }
        }
        // [guess] A public client that sends a secret anyway is not refused for it.
        Ok(client)
    }

    /// Issues an access token (and a refresh token unless `with_refresh` is false).
    fn issue(
        &mut self,
        token_id: u64,
        client: &'static str,
        user: User,
        scopes: Vec<String>,
        with_refresh: bool,
    ) -> Result<Issued, OAuthError> {
        let numeric = self.client(client).map(|c| c.id).unwrap_or_default();
        let Some(access) = os_random_hex() else {
            return refuse(OAuthErrorKind::ServerError, "the OS random source failed");
        };
        let refresh = if with_refresh {
            match os_random_hex() {
                Some(r) => Some(r),
                None => return refuse(OAuthErrorKind::ServerError, "the OS random source failed"),
            }
        } else {
            None
        };
        let created = now();
        let access_key = digest(&access);
        let refresh_key = refresh.as_deref().map(digest);
        self.access.insert(
            access_key,
            AccessToken {
                id: token_id,
                client_numeric_id: numeric,
                user,
                scopes: scopes.clone(),
                created_at: created,
                expires_at: after(created, self.settings.access_ttl),
                refresh: refresh_key,
            },
        );
        if let Some(key) = refresh_key {
            self.refresh.insert(
                key,
                RefreshToken {
                    client,
                    user,
                    scopes: scopes.clone(),
                    access: access_key,
                    // [guess] A rotated refresh token gets a fresh full lifetime.
                    expires_at: after(created, self.settings.refresh_ttl),
                },
            );
        }
        Ok(Issued {
            access_token: SecretString::from(access),
            refresh_expires_in: refresh
                .as_ref()
                .map(|_| self.settings.refresh_ttl.as_secs()),
            refresh_token: refresh.map(SecretString::from),
            expires_in: self.settings.access_ttl.as_secs(),
            scope: scopes.join(" "),
        })
    }
}

/// Parses an OAuth `scope` (space-separated). [guess] Zendesk's scopes are `read`, `write`,
/// `impersonate` and `{resource}:{read|write}`; anything else is refused.
pub(crate) fn parse_scopes(scope: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split_whitespace() {
        let ok = match s.split_once(':') {
            None => matches!(s, "read" | "write" | "impersonate"),
            Some((resource, access)) => {
                !resource.is_empty()
                    && resource
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_')
                    && matches!(access, "read" | "write")
            }
        };
        if !ok {
            return None;
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    (!out.is_empty()).then_some(out)
}

/// RFC 7636: 43-128 characters of `A-Z a-z 0-9 - . _ ~`.
fn valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}
