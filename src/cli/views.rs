//! What the commands print: one view type per record, with its JSON shape (serde), its table
//! row and its CSV row. Every server string goes through `sanitize::clean`; no view holds a
//! secret except the ones that exist to print one the user needs (rotate, --generate,
//! register --show-secret), and those borrow it from a `SecretString`.
use secrecy::{ExposeSecret, SecretString};
use serde::{Serialize, Serializer};
use time::OffsetDateTime;

use super::bundle_views::{used_by_cell, used_by_count, UseView};
use super::output::{age_of, short_date, Table};
use crate::audit::{AuditRow, ClientAuditRow};
use crate::sanitize::clean;
use crate::zis::models::format_time;
use crate::zis::{Connection, ConnectionKind, Integration, OAuthDetails, RegisteredIntegration};

fn time_opt(t: Option<OffsetDateTime>) -> Option<String> {
    t.map(|t| format_time(Some(t)))
}

fn expose_opt<S: Serializer>(s: &Option<&SecretString>, ser: S) -> Result<S::Ok, S::Error> {
    match s {
        Some(s) => ser.serialize_str(s.expose_secret()),
        None => ser.serialize_none(),
    }
}

/// A connection, as `connections list` / `show` print it. Never a secret field. One schema
/// for every kind: a key that does not apply to the kind is `null`, never left out.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ConnectionView {
    pub integration: String,
    pub kind: &'static str,
    pub name: String,
    pub allowed_domain: String,
    pub username: Option<String>,
    pub header_name: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// oauth only (null for the other kinds, and when the server did not say): the client it
    /// was made with, its scopes, its token type and when its access token expires. Never a
    /// token.
    pub oauth_client_uuid: Option<Option<String>>,
    pub permission_scope: Option<Option<String>>,
    pub token_type: Option<Option<String>>,
    pub token_expiry: Option<Option<String>>,
}

impl ConnectionView {
    pub fn new(integration: &str, c: &Connection) -> ConnectionView {
        ConnectionView {
            integration: clean(integration),
            kind: c.kind.as_str(),
            name: clean(&c.name),
            allowed_domain: clean(&c.allowed_domain),
            username: (c.kind == ConnectionKind::BasicAuth)
                .then(|| clean(c.username.as_deref().unwrap_or_default())),
            header_name: (c.kind == ConnectionKind::ApiKey)
                .then(|| clean(c.header_name.as_deref().unwrap_or_default())),
            created_at: time_opt(c.created_at),
            updated_at: time_opt(c.updated_at),
            oauth_client_uuid: oauth_field(c, |o| o.oauth_client_uuid.as_deref().map(clean)),
            permission_scope: oauth_field(c, |o| o.permission_scope.as_deref().map(clean)),
            token_type: oauth_field(c, |o| o.token_type.as_deref().map(clean)),
            token_expiry: oauth_field(c, |o| time_opt(o.token_expiry)),
        }
    }
}

/// An oauth connection's field (`Some(None)`: unknown, printed as null); `None` for the
/// other kinds (the key is left out).
fn oauth_field(
    c: &Connection,
    f: impl Fn(&OAuthDetails) -> Option<String>,
) -> Option<Option<String>> {
    (c.kind == ConnectionKind::OAuth).then(|| c.oauth.as_ref().and_then(f))
}

/// When an OAuth token expires, for tables: "2025-11-23 14:00 (in 2h)", "2025-11-10 09:00
/// (expired 12d ago)", or "" when unknown or not an oauth connection.
pub fn expiry_text(c: &Connection, now: OffsetDateTime) -> String {
    let Some(t) = c.oauth.as_ref().and_then(|o| o.token_expiry) else {
        return String::new();
    };
    let u = t.to_offset(time::UtcOffset::UTC);
    let when = format!("{} {:02}:{:02}", short_date(Some(t)), u.hour(), u.minute());
    let secs = (t - now).whole_seconds();
    if secs > 0 {
        format!("{when} (in {})", super::output::human_age(secs))
    } else {
        format!("{when} (expired {} ago)", super::output::human_age(-secs))
    }
}

pub const CONNECTION_TABLE: &[&str] = &[
    "KIND",
    "NAME",
    "USER/HEADER",
    "ALLOWED DOMAIN",
    "UPDATED",
    "AGE",
    "TOKEN EXPIRY",
];
/// The connection columns of every CSV (`connections list`, `show`, `audit`); the list and
/// show add [`TOKEN_EXPIRY_CSV`] last, the audit after its verdict.
pub const CONNECTION_CSV: &[&str] = &[
    "integration",
    "kind",
    "name",
    "allowed_domain",
    "username",
    "header_name",
    "created_at",
    "updated_at",
];
pub const TOKEN_EXPIRY_CSV: &str = "token_expiry";

/// The CSV header of `connections list` and `show`.
pub fn connection_csv_headers() -> Vec<&'static str> {
    let mut h = CONNECTION_CSV.to_vec();
    h.push(TOKEN_EXPIRY_CSV);
    h
}

/// A `connections list` / `show` CSV row: [`connection_csv_row`] and the token expiry.
pub fn connection_list_csv_row(v: &ConnectionView) -> Vec<String> {
    let mut row = connection_csv_row(v);
    row.push(v.token_expiry.clone().flatten().unwrap_or_default());
    row
}

pub fn connection_table_row(c: &Connection, now: OffsetDateTime) -> Vec<String> {
    vec![
        c.kind.as_str().to_string(),
        c.name.clone(),
        c.principal().to_string(),
        c.allowed_domain.clone(),
        short_date(c.updated_at),
        age_of(c.updated_at.or(c.created_at), now),
        expiry_text(c, now),
    ]
}

pub fn connection_csv_row(v: &ConnectionView) -> Vec<String> {
    vec![
        v.integration.clone(),
        v.kind.to_string(),
        v.name.clone(),
        v.allowed_domain.clone(),
        v.username.clone().unwrap_or_default(),
        v.header_name.clone().unwrap_or_default(),
        v.created_at.clone().unwrap_or_default(),
        v.updated_at.clone().unwrap_or_default(),
    ]
}

/// Key/value pairs of one connection (the table form of `show`).
pub fn connection_record(
    v: &ConnectionView,
    now: OffsetDateTime,
    c: &Connection,
) -> Vec<(&'static str, String)> {
    let mut pairs = vec![
        ("integration", v.integration.clone()),
        ("kind", v.kind.to_string()),
        ("name", v.name.clone()),
    ];
    if c.kind != ConnectionKind::OAuth {
        pairs.push(("allowed domain", v.allowed_domain.clone()));
    }
    if let Some(u) = &v.username {
        pairs.push(("username", u.clone()));
    }
    if let Some(h) = &v.header_name {
        pairs.push(("header name", h.clone()));
    }
    if c.kind == ConnectionKind::OAuth {
        let o = |f: &Option<Option<String>>| f.clone().flatten().unwrap_or_default();
        pairs.push(("tokens", "*****".into()));
        pairs.push(("oauth client uuid", o(&v.oauth_client_uuid)));
        pairs.push(("scopes", o(&v.permission_scope)));
        pairs.push(("token type", o(&v.token_type)));
        pairs.push(("token expiry", expiry_text(c, now)));
    }
    pairs.push(("created", v.created_at.clone().unwrap_or_default()));
    pairs.push(("updated", v.updated_at.clone().unwrap_or_default()));
    pairs.push(("age", age_of(c.updated_at.or(c.created_at), now)));
    pairs
}

/// An integration of the registry.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IntegrationView {
    pub name: String,
    pub description: String,
    pub oauth_client_id: Option<u64>,
    pub oauth_client_identifier: Option<String>,
}

impl IntegrationView {
    pub fn new(i: &Integration) -> IntegrationView {
        IntegrationView {
            name: clean(&i.name),
            description: clean(&i.description),
            oauth_client_id: i.oauth_client.as_ref().map(|c| c.id),
            oauth_client_identifier: i.oauth_client.as_ref().map(|c| clean(&c.identifier)),
        }
    }

    pub fn row(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.description.clone(),
            self.oauth_client_id
                .map(|i| i.to_string())
                .unwrap_or_default(),
            self.oauth_client_identifier.clone().unwrap_or_default(),
        ]
    }
}

pub const INTEGRATION_TABLE: &[&str] = &[
    "NAME",
    "DESCRIPTION",
    "OAUTH CLIENT ID",
    "OAUTH CLIENT IDENTIFIER",
];
pub const INTEGRATION_CSV: &[&str] = &[
    "name",
    "description",
    "oauth_client_id",
    "oauth_client_identifier",
];

/// The answer of `integrations register`; the client secret only when asked for.
#[derive(Serialize)]
pub struct RegisteredView<'a> {
    #[serde(flatten)]
    pub integration: IntegrationView,
    #[serde(serialize_with = "expose_opt")]
    pub oauth_client_secret: Option<&'a SecretString>,
}

impl<'a> RegisteredView<'a> {
    pub fn new(r: &'a RegisteredIntegration, show_secret: bool) -> RegisteredView<'a> {
        RegisteredView {
            integration: IntegrationView::new(&r.integration),
            oauth_client_secret: if show_secret {
                r.client_secret.as_ref()
            } else {
                None
            },
        }
    }
}

/// One audited connection, or OAuth client (`kind` "oauth_client": its uuid, client id,
/// token URL and the OAuth connections built on it; never its secret).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AuditView {
    #[serde(flatten)]
    pub connection: ConnectionView,
    pub client_id: Option<String>,
    pub token_url: Option<String>,
    pub oauth_connections: Option<Vec<String>>,
    pub age_days: Option<i64>,
    pub stale: bool,
    pub findings: Vec<String>,
    /// What uses the connection (bundle › flow › action); null when the integration's
    /// bundles could not be read.
    pub used_by: Option<Vec<UseView>>,
    /// The `match` pattern of the profile's rotation recipe for it (null: none).
    pub recipe: Option<String>,
    /// When zisctl last rotated it successfully, from the local audit log (null: never).
    pub last_rotated: Option<String>,
}

/// The `kind` of an OAuth client's audit row.
pub const OAUTH_CLIENT_KIND: &str = "oauth_client";

impl AuditView {
    pub fn new(r: &AuditRow) -> AuditView {
        AuditView {
            connection: ConnectionView::new(&r.integration, &r.connection),
            client_id: None,
            token_url: None,
            oauth_connections: None,
            age_days: r.age_days,
            stale: r.stale,
            findings: r.findings.iter().map(|f| clean(f)).collect(),
            used_by: None,
            recipe: None,
            last_rotated: None,
        }
    }

    pub fn client(r: &ClientAuditRow) -> AuditView {
        let c = &r.client;
        AuditView {
            connection: ConnectionView {
                integration: clean(&r.integration),
                kind: OAUTH_CLIENT_KIND,
                name: clean(&c.name),
                allowed_domain: String::new(),
                username: None,
                header_name: None,
                created_at: time_opt(c.created_at),
                updated_at: time_opt(c.updated_at),
                oauth_client_uuid: Some(Some(clean(&c.uuid))),
                permission_scope: None,
                token_type: None,
                token_expiry: None,
            },
            client_id: Some(clean(&c.client_id)),
            token_url: Some(clean(&c.token_url)),
            oauth_connections: Some(r.connections.iter().map(|n| clean(n)).collect()),
            age_days: r.age_days,
            stale: r.stale,
            findings: r.findings.iter().map(|f| clean(f)).collect(),
            used_by: None,
            recipe: None,
            last_rotated: None,
        }
    }

    /// The same view with what uses the connection.
    pub fn with_used_by(mut self, used_by: Option<Vec<UseView>>) -> AuditView {
        self.used_by = used_by;
        self
    }

    /// The same view with its rotation recipe and last rotation by zisctl.
    pub fn with_rotation(mut self, r: RotationCells) -> AuditView {
        self.recipe = r.recipe.map(|p| clean(&p));
        self.last_rotated = r.last_rotated.map(|t| clean(&t));
        self
    }
}

/// A connection's RECIPE and LAST ROTATED in the audit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotationCells {
    pub recipe: Option<String>,
    pub last_rotated: Option<String>,
}

pub const AUDIT_TABLE: &[&str] = &[
    "INTEGRATION",
    "KIND",
    "NAME",
    "USER/HEADER",
    "ALLOWED DOMAIN",
    "AGE",
    "STALE",
    "TOKEN EXPIRY",
    "USED BY",
    "RECIPE",
    "LAST ROTATED",
    "FINDINGS",
];

fn age_cell(days: Option<i64>) -> String {
    days.map(|d| super::output::human_age(d * 86_400))
        .unwrap_or_default()
}

/// A row of the audit table; `used_by` is what uses the connection (None: not known), `rot`
/// its recipe and last rotation.
pub fn audit_table_row(
    r: &AuditRow,
    now: OffsetDateTime,
    used_by: Option<&[UseView]>,
    rot: &RotationCells,
) -> Vec<String> {
    vec![
        r.integration.clone(),
        r.connection.kind.as_str().to_string(),
        r.connection.name.clone(),
        r.connection.principal().to_string(),
        r.connection.allowed_domain.clone(),
        age_cell(r.age_days),
        if r.stale { "yes".into() } else { "".into() },
        expiry_text(&r.connection, now),
        used_by_count(used_by),
        rot.recipe.as_deref().map(clean).unwrap_or_default(),
        rot.last_rotated
            .as_deref()
            .map(|t| clean(t.get(..16).unwrap_or(t)).replace('T', " "))
            .unwrap_or_default(),
        r.findings.join("; "),
    ]
}

/// An OAuth client's audit row: its client id under USER/HEADER, its token URL's host under
/// ALLOWED DOMAIN (where its secret is used).
pub fn audit_client_table_row(r: &ClientAuditRow) -> Vec<String> {
    let host = url::Url::parse(&r.client.token_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    vec![
        r.integration.clone(),
        OAUTH_CLIENT_KIND.to_string(),
        r.client.name.clone(),
        r.client.client_id.clone(),
        host,
        age_cell(r.age_days),
        if r.stale { "yes".into() } else { "".into() },
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        r.findings.join("; "),
    ]
}

pub fn audit_csv_headers() -> Vec<&'static str> {
    let mut h = CONNECTION_CSV.to_vec();
    h.extend([
        "age_days",
        "stale",
        "findings",
        TOKEN_EXPIRY_CSV,
        "used_by",
        "recipe",
        "last_rotated",
    ]);
    h
}

pub fn audit_csv_row(v: &AuditView) -> Vec<String> {
    let mut row = connection_csv_row(&v.connection);
    row.push(v.age_days.map(|d| d.to_string()).unwrap_or_default());
    row.push(v.stale.to_string());
    row.push(v.findings.join("; "));
    row.push(
        v.connection
            .token_expiry
            .clone()
            .flatten()
            .unwrap_or_default(),
    );
    row.push(used_by_cell(v.used_by.as_deref()));
    row.push(v.recipe.clone().unwrap_or_default());
    row.push(v.last_rotated.clone().unwrap_or_default());
    row
}

/// How a rotation ended for one connection.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The server took the new password (`verified` says whether reading it back showed
    /// `updated_at` move).
    Applied,
    /// Refused, or never sent: the old password is still in force.
    NotApplied,
    /// The answer was lost or the run was interrupted: the new password may be in force.
    Unknown,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::NotApplied => "not_applied",
            Outcome::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "applied" => Some(Outcome::Applied),
            "not_applied" => Some(Outcome::NotApplied),
            "unknown" => Some(Outcome::Unknown),
            _ => None,
        }
    }
}

/// A table of connections (`connections list`).
pub fn connections_table(items: &[(String, Connection)], now: OffsetDateTime) -> Table {
    let mut t = Table::new(CONNECTION_TABLE);
    for (_, c) in items {
        t.push(connection_table_row(c, now));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn basic() -> Connection {
        Connection {
            kind: ConnectionKind::BasicAuth,
            name: "bob".into(),
            allowed_domain: "api.example.com".into(),
            username: Some("svc\x1b]52;c;x\x07".into()),
            header_name: None,
            created_at: Some(datetime!(2024-01-01 00:00 UTC)),
            updated_at: Some(datetime!(2024-02-01 12:00 UTC)),
            oauth: None,
        }
    }

    #[test]
    fn connection_json_shape() {
        let v = serde_json::to_value(ConnectionView::new("acme", &basic())).unwrap();
        let o = v.as_object().unwrap();
        let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "allowed_domain",
                "created_at",
                "header_name",
                "integration",
                "kind",
                "name",
                "oauth_client_uuid",
                "permission_scope",
                "token_expiry",
                "token_type",
                "updated_at",
                "username"
            ],
            "one schema for every kind"
        );
        assert!(o["header_name"].is_null() && o["token_type"].is_null());
        assert_eq!(o["kind"], "basic_auth");
        assert_eq!(o["updated_at"], "2024-02-01T12:00:00Z");
        assert!(!o["username"].as_str().unwrap().contains('\x1b'));

        let mut k = basic();
        k.kind = ConnectionKind::ApiKey;
        k.username = None;
        k.header_name = Some("X-Key".into());
        let v = serde_json::to_value(ConnectionView::new("acme", &k)).unwrap();
        assert_eq!(v["header_name"], "X-Key");
        assert!(v["username"].is_null(), "null, not left out");
        assert_eq!(v.as_object().map(|o| o.len()), Some(12));

        let mut b = basic();
        b.kind = ConnectionKind::BearerToken;
        b.username = None;
        b.updated_at = None;
        let v = serde_json::to_value(ConnectionView::new("acme", &b)).unwrap();
        assert!(v["username"].is_null() && v["header_name"].is_null());
        assert_eq!(v.as_object().map(|o| o.len()), Some(12));
        assert!(v["updated_at"].is_null());
    }

    #[test]
    fn audit_json_flattens_the_connection() {
        let row = AuditRow {
            integration: "acme".into(),
            connection: basic(),
            age_days: Some(120),
            stale: true,
            findings: vec!["not rotated in 120 days".into()],
        };
        let v = serde_json::to_value(AuditView::new(&row)).unwrap();
        assert_eq!(v["name"], "bob");
        assert_eq!(v["age_days"], 120);
        assert_eq!(v["stale"], true);
        assert_eq!(v["findings"][0], "not rotated in 120 days");
        assert!(v["used_by"].is_null(), "not known: null");
        let cells = audit_csv_row(&AuditView::new(&row));
        assert_eq!(cells.len(), audit_csv_headers().len());
        // used_by, then recipe and last_rotated (appended: the older columns keep their places).
        assert_eq!(cells[cells.len() - 3], "unknown");
        let used = UseView {
            bundle: "crm".into(),
            flow: Some("sync".into()),
            action: "push".into(),
            job_specs: vec![],
            implicit: false,
        };
        let view = AuditView::new(&row).with_used_by(Some(vec![used]));
        let v = serde_json::to_value(&view).unwrap();
        assert_eq!(v["used_by"][0]["bundle"], "crm");
        assert_eq!(v["used_by"][0]["flow"], "sync");
        assert_eq!(v["used_by"][0]["action"], "push");
        assert_eq!(
            audit_csv_row(&view).iter().rev().nth(2).map(String::as_str),
            Some("crm › sync › push")
        );
        assert_eq!(
            audit_table_row(
                &row,
                OffsetDateTime::now_utc(),
                view.used_by.as_deref(),
                &RotationCells::default()
            )
            .len(),
            AUDIT_TABLE.len()
        );
        let rot = RotationCells {
            recipe: Some("acme/*".into()),
            last_rotated: Some("2026-12-01T10:20:30Z".into()),
        };
        let v = serde_json::to_value(AuditView::new(&row).with_rotation(rot.clone())).unwrap();
        assert_eq!(v["recipe"], "acme/*");
        assert_eq!(v["last_rotated"], "2026-12-01T10:20:30Z");
        let plain = serde_json::to_value(AuditView::new(&row)).unwrap();
        assert!(plain["recipe"].is_null() && plain["last_rotated"].is_null());
        let cells = audit_csv_row(&AuditView::new(&row).with_rotation(rot.clone()));
        assert_eq!(cells[cells.len() - 2..], ["acme/*", "2026-12-01T10:20:30Z"]);
        let table = audit_table_row(&row, OffsetDateTime::now_utc(), None, &rot);
        assert!(table.contains(&"2026-12-01 10:20".to_string()));
    }

    #[test]
    fn register_hides_the_secret_unless_asked() {
        let r = RegisteredIntegration {
            integration: Integration {
                name: "acme".into(),
                description: "d".into(),
                jwt_public_key: None,
                oauth_client: Some(crate::zis::OAuthClient {
                    id: 7,
                    identifier: "zis_acme".into(),
                }),
            },
            client_secret: Some(SecretString::from("client-secret-canary".to_string())),
        };
        let hidden = serde_json::to_string(&RegisteredView::new(&r, false)).unwrap();
        assert!(!hidden.contains("client-secret-canary"));
        assert!(hidden.contains("\"oauth_client_secret\":null"), "{hidden}");
        let shown = serde_json::to_value(RegisteredView::new(&r, true)).unwrap();
        assert!(shown["oauth_client_secret"] == "client-secret-canary");
        assert_eq!(shown["oauth_client_id"], 7);
        assert_eq!(shown["oauth_client_identifier"], "zis_acme");
    }
}
