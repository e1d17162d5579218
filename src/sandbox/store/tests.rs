//! Unit tests of the store: names, domains, cursors, pages, redaction, registration.

use std::collections::BTreeMap;

use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use super::pages::encode_cursor;
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
        "canary-token",
        Grant {
            id: 1,
            client_id: 1,
            user_id: 1,
            scopes: vec!["read".into()],
            created_at: now(),
            expires_at: None,
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
