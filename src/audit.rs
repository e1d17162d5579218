//! Audit findings over every connection and OAuth client of the account. Pure: no I/O.
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use time::OffsetDateTime;

use crate::zis::{Connection, ConnectionKind, ZisOAuthClient};

/// One connection with its integration and the audit's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub integration: String,
    pub connection: Connection,
    pub age_days: Option<i64>,
    pub stale: bool,
    pub findings: Vec<String>,
}

/// Audit `items` (integration, connection) as of `now`: stale when not updated for
/// `stale_days`; findings for staleness, a username shared across several allowed domains, an
/// allowed domain that is a bare IP address, a missing `updated_at`, and what the retirement of
/// Zendesk API tokens breaks ([`API_TOKEN_FINDING`], [`STATIC_TOKEN_FINDING`]).
///
/// An OAuth connection whose `token_expiry` is known is judged by it instead of its age (ZIS
/// renews its token; nobody rotates it): an expiry in the past means the refresh is failing,
/// so it is stale with [`expired_finding`].
pub fn audit(
    items: Vec<(String, Connection)>,
    now: OffsetDateTime,
    stale_days: u32,
) -> Vec<AuditRow> {
    // username -> set of domains across the whole account
    let mut domains_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (_, c) in &items {
        if let Some(u) = c.username.as_deref().filter(|u| !u.is_empty()) {
            domains_of
                .entry(u)
                .or_default()
                .insert(c.allowed_domain.as_str());
        }
    }
    let shared: HashMap<String, usize> = domains_of
        .into_iter()
        .filter(|(_, d)| d.len() > 1)
        .map(|(u, d)| (u.to_string(), d.len()))
        .collect();
    items
        .into_iter()
        .map(|(integration, connection)| {
            let age_days = connection.age_days(now);
            let expiry = connection
                .oauth
                .as_ref()
                .filter(|_| connection.kind == ConnectionKind::OAuth)
                .filter(|o| o.token_expiry.is_some());
            let mut findings = Vec::new();
            let stale = match expiry {
                Some(o) => match o.expired_days(now) {
                    Some(d) => {
                        findings.push(expired_finding(d));
                        true
                    }
                    None => false,
                },
                None => {
                    let stale = age_days.is_some_and(|a| a >= i64::from(stale_days));
                    match age_days {
                        Some(a) if stale => findings.push(format!("not rotated in {a} days")),
                        None => findings.push("no updated_at: age unknown".to_string()),
                        _ => {}
                    }
                    stale
                }
            };
            if let Some(n) = connection.username.as_deref().and_then(|u| shared.get(u)) {
                findings.push(format!("same username on {n} domains"));
            }
            if connection.allowed_domain.parse::<IpAddr>().is_ok() {
                findings.push("allowed domain is a bare IP address".to_string());
            }
            if let Some(f) = zendesk_token_finding(&connection) {
                findings.push(f.to_string());
            }
            AuditRow {
                integration,
                connection,
                age_days,
                stale,
                findings,
            }
        })
        .collect()
}

/// The finding on a basic_auth connection to Zendesk whose username ends in `/token`: its
/// password is a Zendesk API token, which Zendesk is retiring.
pub const API_TOKEN_FINDING: &str = "holds a Zendesk API token: stops working 2027-04-30, \
     and after 30 days unused; move to an OAuth connection";

/// The finding on a bearer_token connection to Zendesk: a token pasted once, which expires
/// (OAuth access tokens now last 30 minutes by default) and nobody renews.
pub const STATIC_TOKEN_FINDING: &str =
    "a static Zendesk token that expires: use an OAuth connection";

/// Is `domain` (an allowed domain, perhaps `*.zendesk.com`) zendesk.com or a subdomain of it?
pub fn is_zendesk_domain(domain: &str) -> bool {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let d = d.strip_prefix("*.").unwrap_or(&d);
    d == "zendesk.com" || d.ends_with(".zendesk.com")
}

/// What the retirement of Zendesk API tokens (off on 2027-04-30) breaks in this connection.
fn zendesk_token_finding(c: &Connection) -> Option<&'static str> {
    if !is_zendesk_domain(&c.allowed_domain) {
        return None;
    }
    match c.kind {
        ConnectionKind::BasicAuth
            if c.username
                .as_deref()
                .is_some_and(|u| u.trim_end().to_ascii_lowercase().ends_with("/token")) =>
        {
            Some(API_TOKEN_FINDING)
        }
        ConnectionKind::BearerToken => Some(STATIC_TOKEN_FINDING),
        _ => None,
    }
}

/// The finding of a connection that no action of any bundle names.
pub const NOT_USED: &str = "not used by any bundle";

/// Add [`NOT_USED`] to every row whose connection no bundle uses. `unused(integration, name)`
/// answers `Some(true)` for those, and `None` when it cannot say (the integration's bundles
/// were not all read): no finding then.
pub fn add_usage_findings(rows: &mut [AuditRow], unused: impl Fn(&str, &str) -> Option<bool>) {
    for r in rows {
        if unused(&r.integration, &r.connection.name) == Some(true) {
            r.findings.push(NOT_USED.to_string());
        }
    }
}

/// The finding on an OAuth connection whose token expired `days` whole days ago.
pub fn expired_finding(days: i64) -> String {
    format!("token expired {days} days ago: refresh failing, re-authorise")
}

/// One OAuth client with its integration, the OAuth connections built on it, and the audit's
/// verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAuditRow {
    pub integration: String,
    pub client: ZisOAuthClient,
    /// Names of the integration's OAuth connections whose `oauth_client_uuid` is this client.
    pub connections: Vec<String>,
    pub age_days: Option<i64>,
    pub stale: bool,
    pub findings: Vec<String>,
}

/// Audit OAuth clients as of `now`: stale when not updated for `stale_days` (its secret may
/// have expired upstream, silently: an Entra secret lasts at most 24 months). `connections`
/// are the integrations' connections, to name those built on each client.
pub fn audit_clients(
    items: Vec<(String, ZisOAuthClient)>,
    connections: &[(String, Connection)],
    now: OffsetDateTime,
    stale_days: u32,
) -> Vec<ClientAuditRow> {
    items
        .into_iter()
        .map(|(integration, client)| {
            let age_days = client.age_days(now);
            let stale = age_days.is_some_and(|a| a >= i64::from(stale_days));
            let mut findings = Vec::new();
            match age_days {
                Some(a) if stale => findings.push(format!(
                    "OAuth client not updated in {a} days: its secret may have expired upstream"
                )),
                None => findings.push("no updated_at: age unknown".to_string()),
                _ => {}
            }
            let mut used_by = connections_of(&integration, &client.uuid, connections);
            used_by.sort();
            ClientAuditRow {
                connections: used_by,
                integration,
                client,
                age_days,
                stale,
                findings,
            }
        })
        .collect()
}

/// Names of the OAuth connections of `integration` built on the client `uuid`: what a
/// delete of that client takes with it.
pub fn connections_of(
    integration: &str,
    uuid: &str,
    connections: &[(String, Connection)],
) -> Vec<String> {
    connections
        .iter()
        .filter(|(i, c)| {
            i == integration
                && c.kind == ConnectionKind::OAuth
                && c.oauth
                    .as_ref()
                    .and_then(|o| o.oauth_client_uuid.as_deref())
                    == Some(uuid)
        })
        .map(|(_, c)| c.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zis::ConnectionKind;
    use time::Duration;

    fn conn(
        name: &str,
        user: Option<&str>,
        domain: &str,
        age: i64,
        now: OffsetDateTime,
    ) -> Connection {
        Connection {
            kind: ConnectionKind::BasicAuth,
            name: name.into(),
            allowed_domain: domain.into(),
            username: user.map(str::to_string),
            header_name: None,
            created_at: Some(now - Duration::days(age + 10)),
            updated_at: Some(now - Duration::days(age)),
            oauth: None,
        }
    }

    #[test]
    fn findings() {
        let now = OffsetDateTime::now_utc();
        let rows = audit(
            vec![
                ("a".into(), conn("c1", Some("svc"), "x.com", 200, now)),
                ("b".into(), conn("c2", Some("svc"), "y.com", 5, now)),
                ("b".into(), conn("c3", Some("solo"), "10.0.0.1", 5, now)),
            ],
            now,
            90,
        );
        assert!(rows[0].stale);
        assert_eq!(rows[0].age_days, Some(200));
        assert!(rows[0]
            .findings
            .iter()
            .any(|f| f == "not rotated in 200 days"));
        assert!(rows[0]
            .findings
            .iter()
            .any(|f| f == "same username on 2 domains"));
        assert!(!rows[1].stale);
        assert!(rows[1].findings.iter().any(|f| f.contains("same username")));
        assert_eq!(
            rows[2].findings,
            vec!["allowed domain is a bare IP address".to_string()]
        );
    }

    #[test]
    fn unused_connections() {
        let now = OffsetDateTime::now_utc();
        let mut rows = audit(
            vec![
                ("a".into(), conn("used", None, "x.com", 5, now)),
                ("a".into(), conn("idle", None, "x.com", 5, now)),
                ("b".into(), conn("idle", None, "x.com", 5, now)),
            ],
            now,
            90,
        );
        add_usage_findings(&mut rows, |i, n| match i {
            "a" => Some(n != "used"),
            _ => None,
        });
        assert!(rows[0].findings.is_empty());
        assert_eq!(rows[1].findings, [NOT_USED]);
        assert!(rows[2].findings.is_empty(), "unknown usage is no finding");
    }

    #[test]
    fn zendesk_domains() {
        for d in [
            "*.zendesk.com",
            "zendesk.com",
            "acme.zendesk.com",
            "ACME.Zendesk.com.",
        ] {
            assert!(is_zendesk_domain(d), "{d}");
        }
        for d in [
            "zendesk.com.evil.io",
            "notzendesk.com",
            "zendesk.co",
            "",
            "*.example.com",
        ] {
            assert!(!is_zendesk_domain(d), "{d}");
        }
    }

    #[test]
    fn zendesk_tokens_the_retirement_breaks() {
        let now = OffsetDateTime::now_utc();
        let mut bearer = conn("bearer", None, "acme.zendesk.com", 5, now);
        bearer.kind = ConnectionKind::BearerToken;
        let mut bearer_elsewhere = conn("bearer_elsewhere", None, "api.slack.com", 5, now);
        bearer_elsewhere.kind = ConnectionKind::BearerToken;
        let mut key = conn("key", None, "acme.zendesk.com", 5, now);
        key.kind = ConnectionKind::ApiKey;
        let rows = audit(
            vec![
                (
                    "a".into(),
                    conn("tok", Some("ops@acme.com/token"), "*.zendesk.com", 5, now),
                ),
                (
                    "a".into(),
                    conn("pw", Some("ops@acme.com"), "acme.zendesk.com", 5, now),
                ),
                (
                    "a".into(),
                    conn("elsewhere", Some("svc/token"), "x.com", 5, now),
                ),
                ("a".into(), bearer),
                ("a".into(), bearer_elsewhere),
                ("a".into(), key),
            ],
            now,
            90,
        );
        assert_eq!(rows[0].findings, [API_TOKEN_FINDING]);
        assert!(API_TOKEN_FINDING.contains("2027-04-30") && API_TOKEN_FINDING.contains("30 days"));
        assert!(
            rows[1].findings.is_empty(),
            "a password is not an API token"
        );
        assert!(rows[2].findings.is_empty(), "not a Zendesk host");
        assert_eq!(rows[3].findings, [STATIC_TOKEN_FINDING]);
        assert!(rows[4].findings.is_empty(), "not a Zendesk host");
        assert!(rows[5].findings.is_empty(), "an api_key is neither");
        assert!(rows.iter().all(|r| !r.stale), "a finding, not staleness");
    }

    fn oauth(
        name: &str,
        client: &str,
        expiry: Option<OffsetDateTime>,
        age: i64,
        now: OffsetDateTime,
    ) -> Connection {
        let mut c = conn(name, None, "", age, now);
        c.kind = ConnectionKind::OAuth;
        c.oauth = Some(crate::zis::OAuthDetails {
            oauth_client_uuid: Some(client.into()),
            token_expiry: expiry,
            ..Default::default()
        });
        c
    }

    #[test]
    fn oauth_tokens_are_judged_by_their_expiry() {
        let now = OffsetDateTime::now_utc();
        let rows = audit(
            vec![
                (
                    "a".into(),
                    oauth("expired", "u1", Some(now - Duration::days(12)), 3, now),
                ),
                (
                    "a".into(),
                    oauth("fresh", "u1", Some(now + Duration::hours(1)), 500, now),
                ),
                ("a".into(), oauth("unknown", "u2", None, 500, now)),
            ],
            now,
            90,
        );
        assert!(rows[0].stale);
        assert_eq!(
            rows[0].findings,
            vec!["token expired 12 days ago: refresh failing, re-authorise".to_string()]
        );
        assert!(
            !rows[1].stale && rows[1].findings.is_empty(),
            "renewed, however old"
        );
        assert!(rows[2].stale, "no expiry known: judged by its age");
    }

    #[test]
    fn stale_oauth_clients_and_what_they_carry() {
        let now = OffsetDateTime::now_utc();
        let client = |uuid: &str, name: &str, age: i64| ZisOAuthClient {
            uuid: uuid.into(),
            name: name.into(),
            client_id: "id".into(),
            token_url: "https://t.example/token".into(),
            auth_url: None,
            default_scopes: None,
            grant_type: None,
            integration: None,
            created_by: None,
            created_at: None,
            updated_at: Some(now - Duration::days(age)),
        };
        let conns = vec![
            ("a".into(), oauth("c2", "u1", None, 1, now)),
            ("a".into(), oauth("c1", "u1", None, 1, now)),
            ("b".into(), oauth("elsewhere", "u1", None, 1, now)),
            ("a".into(), oauth("other", "u2", None, 1, now)),
        ];
        let rows = audit_clients(
            vec![
                ("a".into(), client("u1", "entra", 430)),
                ("a".into(), client("u2", "slack", 10)),
            ],
            &conns,
            now,
            90,
        );
        assert!(rows[0].stale);
        assert_eq!(
            rows[0].findings,
            vec![
                "OAuth client not updated in 430 days: its secret may have expired upstream"
                    .to_string()
            ]
        );
        assert_eq!(
            rows[0].connections,
            vec!["c1".to_string(), "c2".to_string()]
        );
        assert!(!rows[1].stale && rows[1].connections == vec!["other".to_string()]);
    }
}
