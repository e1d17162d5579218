//! Property tests of reading bundles and building the usage graph: whatever JSON arrives
//! (bundle keys and resource types chosen so the parser's branches are reached), nothing
//! panics, and a credential planted under a credential key is found and never kept.
//! Assertions compare and never print a secret-like value.
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use zisctl::usage::{self, KnownConnection, ProblemKind};
use zisctl::zis::bundle_parse::{
    parse_bundle, parse_bundle_page, parse_bundle_value, parse_job_spec_page,
};
use zisctl::zis::{BundleSet, ConnectionKind, ErrorKind, JobSpec};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Keys a bundle uses, so that arbitrary trees reach the parser's branches.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("bundle".to_string()),
        Just("resources".to_string()),
        Just("type".to_string()),
        Just("properties".to_string()),
        Just("definition".to_string()),
        Just("name".to_string()),
        Just("connectionName".to_string()),
        Just("connectionName.$".to_string()),
        Just("url".to_string()),
        Just("path.$".to_string()),
        Just("headers".to_string()),
        Just("key".to_string()),
        Just("value".to_string()),
        Just("requestBody".to_string()),
        Just("queryParams".to_string()),
        Just("password".to_string()),
        Just("States".to_string()),
        Just("ActionName".to_string()),
        Just("Branches".to_string()),
        Just("Iterator".to_string()),
        Just("flow_name".to_string()),
        Just("installed".to_string()),
        Just("bundles".to_string()),
        Just("job_specs".to_string()),
        Just("meta".to_string()),
        Just("has_more".to_string()),
        Just("after".to_string()),
        "[a-zA-Z_.$-]{1,10}",
    ]
}

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ZIS::Action::Http".to_string()),
        Just("ZIS::Flow".to_string()),
        Just("ZIS::JobSpec".to_string()),
        Just("zis:acme:action:a".to_string()),
        Just("zis:acme:flow:f".to_string()),
        Just("https://u:p@h/x?token=t".to_string()),
        Just("{{$.x}}".to_string()),
        Just("Basic abc".to_string()),
        ".{0,12}",
        "[\\x00-\\x1f\\u{80}-\\u{9f}\\u{202e}a-z:@/?=&{}$.]{0,16}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn is_clean(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || c == '\u{202e}' || c == '\u{202d}')
}

fn graph_of(v: &Value) -> Option<usage::Usage> {
    let b = parse_bundle_value(v).ok()?;
    let set = BundleSet {
        bundles: vec![b.clone(), b],
        unreadable: Vec::new(),
        job_specs: vec![JobSpec {
            name: "zis:acme:job_spec:j".into(),
            flow_name: "zis:acme:flow:f".into(),
            installed: Some(true),
            ..JobSpec::default()
        }],
    };
    let conns = [KnownConnection {
        name: "zendesk",
        kind: ConnectionKind::OAuth,
        oauth_client: None,
    }];
    Some(usage::build("acme", &set, Some(&conns)))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let errors = [parse_bundle(&body).err(), parse_bundle_page(&body).err(), parse_job_spec_page(&body).err()];
        for e in errors.into_iter().flatten() {
            prop_assert_eq!(e.kind, ErrorKind::InvalidResponse);
            prop_assert!(is_clean(&e.message));
        }
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        let body = serde_json::to_vec(&v).unwrap();
        let _ = parse_bundle_page(&body);
        let _ = parse_job_spec_page(&body);
        if let Some(u) = graph_of(&v) {
            // Every problem has a place and words; bundles are listed once each.
            for p in &u.problems {
                prop_assert!(!p.bundle.is_empty() || p.kind != ProblemKind::Unreadable);
                prop_assert!(!p.detail.is_empty());
            }
            prop_assert_eq!(u.bundles.len(), 2);
        }
        // Wrapped or bare: the same bundle.
        if let Ok(bare) = parse_bundle_value(&v) {
            if v.get("resources").is_some() || v.get("bundle").is_none() {
                let wrapped = parse_bundle_value(&json!({ "bundle": v })).unwrap();
                if v.get("resources").is_some() {
                    prop_assert_eq!(bare, wrapped);
                }
            }
        }
    }

    /// A literal credential planted under a credential header, in a URL's user info or under
    /// a password key of the body (at any depth) is found, and its value is kept nowhere.
    #[test]
    fn planted_credentials_are_found_and_never_kept(
        where_ in 0usize..3,
        depth in 0usize..6,
        noise in json_value(),
        secret in "[A-Za-z0-9]{12,24}",
    ) {
        let canary = format!("Zq{secret}");
        let mut body = json!({ "password": canary });
        for i in 0..depth {
            body = json!({ format!("k{i}"): body, "noise": noise.clone() });
        }
        let def = match where_ {
            0 => json!({"connectionName": "zendesk", "path": "/api/v2/x", "headers": [{"key": "X-Api-Key", "value": canary}], "requestBody": noise}),
            1 => json!({"connectionName": "zendesk", "url": format!("https://svc:{canary}@h.example.com/x"), "requestBody": noise}),
            _ => json!({"connectionName": "zendesk", "path": "/api/v2/x", "requestBody": body}),
        };
        let v = json!({"name": "b", "uuid": "u", "resources": {
            "a": {"type": "ZIS::Action::Http", "properties": {"name": "a", "definition": def}}}});
        let u = graph_of(&v).unwrap();
        let found = u.problems.iter().filter(|p| p.kind == ProblemKind::LiteralCredential).count();
        prop_assert!(found >= 1, "the planted credential was not found");
        let kept = format!("{u:?}{:?}", parse_bundle_value(&v).unwrap());
        prop_assert!(!kept.contains(&canary), "a credential's value was kept");
    }
}
