//! Audit findings over every connection of the account. Pure: no I/O.
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use time::OffsetDateTime;

use crate::zis::Connection;

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
/// allowed domain that is a bare IP address, a missing `updated_at`.
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
            let stale = age_days.is_some_and(|a| a >= i64::from(stale_days));
            let mut findings = Vec::new();
            match age_days {
                Some(a) if stale => findings.push(format!("not rotated in {a} days")),
                None => findings.push("no updated_at: age unknown".to_string()),
                _ => {}
            }
            if let Some(n) = connection.username.as_deref().and_then(|u| shared.get(u)) {
                findings.push(format!("same username on {n} domains"));
            }
            if connection.allowed_domain.parse::<IpAddr>().is_ok() {
                findings.push("allowed domain is a bare IP address".to_string());
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
}
