//! What `oauth-clients` prints: an OAuth client as JSON (serde), a table row, a CSV row and a
//! record. No view has a `client_secret` field: the model never holds the one the server
//! sends; `show`'s record says `*****` where it is.
use serde::Serialize;
use time::OffsetDateTime;

use super::output::{age_of, short_date};
use crate::sanitize::clean;
use crate::zis::models::format_time;
use crate::zis::ZisOAuthClient;

/// One OAuth client, and the OAuth connections built on it (deleted with it).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OAuthClientView {
    pub integration: String,
    pub name: String,
    pub uuid: String,
    pub client_id: String,
    pub grant_type: Option<String>,
    pub token_url: String,
    pub auth_url: Option<String>,
    pub default_scopes: Option<String>,
    pub created_by: Option<String>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// None when the connections could not be read.
    pub oauth_connections: Option<Vec<String>>,
}

impl OAuthClientView {
    pub fn new(
        integration: &str,
        c: &ZisOAuthClient,
        connections: Option<&[String]>,
    ) -> OAuthClientView {
        let t = |x: Option<OffsetDateTime>| x.map(|t| format_time(Some(t)));
        OAuthClientView {
            integration: clean(integration),
            name: clean(&c.name),
            uuid: clean(&c.uuid),
            client_id: clean(&c.client_id),
            grant_type: c.grant_type.as_deref().map(clean),
            token_url: clean(&c.token_url),
            auth_url: c.auth_url.as_deref().map(clean),
            default_scopes: c.default_scopes.as_deref().map(clean),
            created_by: c.created_by.as_deref().map(clean),
            created_at: t(c.created_at),
            updated_at: t(c.updated_at),
            oauth_connections: connections.map(|l| l.iter().map(|n| clean(n)).collect()),
        }
    }
}

pub const CLIENT_TABLE: &[&str] = &[
    "NAME",
    "CLIENT ID",
    "GRANT TYPE",
    "TOKEN URL",
    "SCOPES",
    "CONNECTIONS",
    "UPDATED",
    "AGE",
];

pub const CLIENT_CSV: &[&str] = &[
    "integration",
    "name",
    "uuid",
    "client_id",
    "grant_type",
    "token_url",
    "auth_url",
    "default_scopes",
    "oauth_connections",
    "created_by",
    "created_at",
    "updated_at",
];

fn connections_cell(v: &OAuthClientView) -> String {
    match &v.oauth_connections {
        Some(l) => l.join(" "),
        None => "?".into(),
    }
}

pub fn client_table_row(
    v: &OAuthClientView,
    c: &ZisOAuthClient,
    now: OffsetDateTime,
) -> Vec<String> {
    vec![
        v.name.clone(),
        v.client_id.clone(),
        v.grant_type.clone().unwrap_or_default(),
        v.token_url.clone(),
        v.default_scopes.clone().unwrap_or_default(),
        match &v.oauth_connections {
            Some(l) => l.len().to_string(),
            None => "?".into(),
        },
        short_date(c.updated_at),
        age_of(c.updated_at.or(c.created_at), now),
    ]
}

pub fn client_csv_row(v: &OAuthClientView) -> Vec<String> {
    vec![
        v.integration.clone(),
        v.name.clone(),
        v.uuid.clone(),
        v.client_id.clone(),
        v.grant_type.clone().unwrap_or_default(),
        v.token_url.clone(),
        v.auth_url.clone().unwrap_or_default(),
        v.default_scopes.clone().unwrap_or_default(),
        connections_cell(v),
        v.created_by.clone().unwrap_or_default(),
        v.created_at.clone().unwrap_or_default(),
        v.updated_at.clone().unwrap_or_default(),
    ]
}

/// Key/value pairs of one client (the table form of `show`).
pub fn client_record(
    v: &OAuthClientView,
    c: &ZisOAuthClient,
    now: OffsetDateTime,
) -> Vec<(&'static str, String)> {
    let o = |x: &Option<String>| x.clone().unwrap_or_default();
    vec![
        ("integration", v.integration.clone()),
        ("name", v.name.clone()),
        ("uuid", v.uuid.clone()),
        ("client id", v.client_id.clone()),
        ("client secret", "*****".into()),
        ("grant type", o(&v.grant_type)),
        ("token url", v.token_url.clone()),
        ("auth url", o(&v.auth_url)),
        ("scopes", o(&v.default_scopes)),
        ("created by", o(&v.created_by)),
        ("created", o(&v.created_at)),
        ("updated", o(&v.updated_at)),
        ("age", age_of(c.updated_at.or(c.created_at), now)),
        (
            "oauth connections",
            match &v.oauth_connections {
                Some(l) if l.is_empty() => "none".into(),
                Some(l) => l.join(", "),
                None => "? (could not be read)".into(),
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_no_secret_field_and_is_sanitised() {
        let c = ZisOAuthClient {
            uuid: "u-1".into(),
            name: "entra\u{1b}]52;c;x\u{7}".into(),
            client_id: "cid".into(),
            token_url: "https://login.example/token".into(),
            auth_url: None,
            default_scopes: Some("a b".into()),
            grant_type: Some("client_credentials".into()),
            integration: None,
            created_by: None,
            created_at: None,
            updated_at: None,
        };
        let conns = vec!["c1".to_string()];
        let v = OAuthClientView::new("acme", &c, Some(&conns));
        let j = serde_json::to_value(&v).unwrap();
        assert!(j.get("client_secret").is_none());
        assert!(!j["name"].as_str().unwrap().contains('\u{1b}'));
        assert_eq!(j["oauth_connections"][0], "c1");
        assert_eq!(client_csv_row(&v).len(), CLIENT_CSV.len());
        let now = time::OffsetDateTime::now_utc();
        assert_eq!(client_table_row(&v, &c, now).len(), CLIENT_TABLE.len());
        let rec = client_record(&v, &c, now);
        assert!(rec
            .iter()
            .any(|(k, v)| *k == "client secret" && v == "*****"));
    }
}
