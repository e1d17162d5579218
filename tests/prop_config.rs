//! Property tests of `config::read_config_file`: any text never panics, a config holding a
//! literal secret is refused unless only its owner can read it, and no error ever carries a
//! secret the file holds. Assertions compare and never print a secret-like value.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use secrecy::ExposeSecret;
use toml::{Table, Value};
use zisctl::config::{read_config_file, ConfigFile};
use zisctl::zis::{Error, ErrorKind};

/// 256 cases per property (PROPTEST_CASES overrides, for a longer soak).
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

fn write_cfg(dir: &Path, text: &str, mode: u32) -> PathBuf {
    let p = dir.join("config.toml");
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    p
}

/// Every way an error is shown.
fn shown(e: &Error) -> [String; 3] {
    [e.message.clone(), e.to_string(), format!("{e:?}")]
}

/// True when `e`, however shown, carries `secret` (or a distinctive piece of it).
fn leaks(e: &Error, secret: &str, marker: &str) -> bool {
    let escaped = format!("{secret:?}");
    let escaped = escaped.trim_matches('"');
    shown(e)
        .iter()
        .any(|t| t.contains(secret) || t.contains(marker) || t.contains(escaped))
}

// ---- arbitrary TOML-ish text ----------------------------------------------------------------

/// A marker that only ever stands in a secret's place.
const MARK: &str = "Zq7MarkSecret";

fn toml_key() -> impl Strategy<Value = String> {
    let known = proptest::sample::select(vec![
        "default_profile",
        "subdomain",
        "base_url",
        "email",
        "api_token_command",
        "oauth_token_command",
        "timeout_secs",
        "stale_days",
        "readonly",
        "profiles",
        "integrations",
        "subdomian",
    ]);
    prop_oneof![
        3 => known.prop_map(str::to_string),
        1 => "[a-z_]{1,10}",
        1 => "\"[^\"\\\\]{0,6}\"",
    ]
}

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\"[^\"\\\\\n]{0,12}\"",
        "'[^'\n]{0,12}'",
        "-?[0-9]{1,22}",
        "-?[0-9]{1,5}\\.[0-9]{1,5}",
        Just("true".to_string()),
        Just("false".to_string()),
        Just("inf".to_string()),
        Just("nan".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("[1, \"a\", true]".to_string()),
        Just("{ a = 1, b = \"x\" }".to_string()),
        Just("{ oauth_token = \"Zq7MarkSecret-inline\" }".to_string()),
        Just("\"\"\"multi\nline\"\"\"".to_string()),
        Just("\"unterminated".to_string()),
        Just("\"bad \\q escape\"".to_string()),
        "[^\n]{0,10}",
    ]
}

/// One line of a config file, right or wrong.
fn toml_line() -> impl Strategy<Value = String> {
    let name = "[a-z][a-z0-9_-]{0,8}";
    prop_oneof![
        4 => (toml_key(), toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
        // Secrets, in the right places and the wrong ones.
        3 => (
            prop_oneof![Just("api_token"), Just("oauth_token"), Just("profiles"), Just("email"),
                Just("timeout_secs"), Just("integrations"), Just("default_profile")],
            "[A-Za-z0-9]{0,8}",
            prop_oneof![Just("\""), Just("'")],
        )
            .prop_map(|(k, s, q)| format!("{k} = {q}{MARK}{s}{q}")),
        2 => name.prop_map(|n| format!("[profiles.{n}]")),
        1 => (name, name).prop_map(|(n, i)| format!("[profiles.{n}.integrations.{i}]")),
        1 => Just("[profiles]".to_string()),
        1 => Just("[[profiles]]".to_string()),
        1 => name.prop_map(|n| format!("[{n}]")),
        1 => Just(String::new()),
        1 => Just("# a comment".to_string()),
        1 => any::<String>(),
    ]
}

fn toml_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(toml_line(), 0..12).prop_map(|ls| ls.join("\n")),
        1 => any::<String>(),
        1 => proptest::collection::vec(any::<u8>(), 0..256)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_text_never_panics(text in toml_text(), private in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let p = write_cfg(dir.path(), &text, if private { 0o600 } else { 0o644 });
        match read_config_file(&p) {
            Ok(file) => {
                // A file that parsed with a secret in it was private.
                if file.holds_secret() {
                    prop_assert!(private, "a readable config holding a secret was accepted");
                }
            }
            Err(e) => {
                prop_assert_eq!(e.kind, ErrorKind::Config);
                prop_assert!(!e.message.chars().any(char::is_control));
                prop_assert!(
                    !shown(&e).iter().any(|t| t.contains(MARK)),
                    "a config error carries a secret the file holds"
                );
            }
        }
    }
}

// ---- generated configs with a literal secret ------------------------------------------------

/// A distinctive secret: a marker prefix, then anything (quotes, backslashes, newlines, ...).
fn secret() -> impl Strategy<Value = (String, String)> {
    ("[A-Za-z0-9]{6,10}", any::<String>()).prop_map(|(a, b)| {
        let marker = format!("S3cr3t{a}");
        (format!("{marker}{b}"), marker)
    })
}

fn opt_str(re: &'static str) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(re)
}

#[derive(Debug, Clone)]
struct GenProfile {
    name: String,
    subdomain: Option<String>,
    email: Option<String>,
    command: Option<String>,
    timeout_secs: Option<u32>,
    readonly: Option<bool>,
    integrations: Vec<String>,
}

fn profile() -> impl Strategy<Value = GenProfile> {
    (
        "[a-z][a-z0-9_-]{0,10}",
        opt_str("[a-z0-9-]{1,20}"),
        opt_str("[a-z]{1,8}@[a-z]{1,8}\\.com"),
        opt_str("pass show [a-z/]{1,12}"),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<bool>()),
        proptest::collection::vec("[a-z][a-z0-9_-]{0,10}", 0..3),
    )
        .prop_map(
            |(name, subdomain, email, command, timeout_secs, readonly, integrations)| GenProfile {
                name,
                subdomain,
                email,
                command,
                timeout_secs,
                readonly,
                integrations,
            },
        )
}

/// Where the literal secret goes: a profile's `api_token`, its `oauth_token`, or an
/// integration's `oauth_token`.
#[derive(Debug, Clone, Copy)]
enum Place {
    ApiToken,
    OAuthToken,
    Integration,
}

fn build(profiles: &[GenProfile], secret: Option<(usize, Place, &str)>) -> String {
    let mut root = Table::new();
    root.insert(
        "default_profile".into(),
        Value::String(profiles[0].name.clone()),
    );
    let mut ps = Table::new();
    for (i, p) in profiles.iter().enumerate() {
        let mut t = Table::new();
        if let Some(s) = &p.subdomain {
            t.insert("subdomain".into(), Value::String(s.clone()));
        }
        if let Some(s) = &p.email {
            t.insert("email".into(), Value::String(s.clone()));
        }
        if let Some(s) = &p.command {
            t.insert("oauth_token_command".into(), Value::String(s.clone()));
        }
        if let Some(n) = p.timeout_secs {
            t.insert("timeout_secs".into(), Value::Integer(i64::from(n)));
        }
        if let Some(b) = p.readonly {
            t.insert("readonly".into(), Value::Boolean(b));
        }
        let mut ints = Table::new();
        for name in &p.integrations {
            let mut it = Table::new();
            it.insert("oauth_token_command".into(), Value::String("echo x".into()));
            ints.insert(name.clone(), Value::Table(it));
        }
        if let Some((_, place, secret)) = secret.filter(|(w, _, _)| i == w % profiles.len()) {
            let s = Value::String(secret.to_string());
            match place {
                Place::ApiToken => {
                    t.insert("api_token".into(), s);
                }
                Place::OAuthToken => {
                    t.remove("oauth_token_command");
                    t.insert("oauth_token".into(), s);
                }
                Place::Integration => {
                    let mut it = Table::new();
                    it.insert("oauth_token".into(), s);
                    ints.insert("holder".into(), Value::Table(it));
                }
            }
        }
        if !ints.is_empty() {
            t.insert("integrations".into(), Value::Table(ints));
        }
        ps.insert(p.name.clone(), Value::Table(t));
    }
    root.insert("profiles".into(), Value::Table(ps));
    toml::to_string(&root).unwrap()
}

/// The literal secret `place` names in the parsed file.
fn held(file: &ConfigFile, place: Place) -> Vec<&str> {
    file.profiles
        .values()
        .flat_map(|p| {
            let mut v = Vec::new();
            match place {
                Place::ApiToken => v.extend(p.api_token.as_ref().map(|s| s.expose_secret())),
                Place::OAuthToken => v.extend(p.oauth_token.as_ref().map(|s| s.expose_secret())),
                Place::Integration => v.extend(
                    p.integrations
                        .values()
                        .filter_map(|i| i.oauth_token.as_ref().map(|s| s.expose_secret())),
                ),
            }
            v
        })
        .collect()
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        Just(Place::ApiToken),
        Just(Place::OAuthToken),
        Just(Place::Integration)
    ]
}

fn unique_names(ps: &[GenProfile]) -> bool {
    let mut names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.len() == ps.len()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn secret_in_a_readable_config_is_refused(
        profiles in proptest::collection::vec(profile(), 1..4).prop_filter("unique", |ps| unique_names(ps)),
        which in any::<usize>(),
        place in place(),
        (secret, marker) in secret(),
        extra in 0u32..0o100,
    ) {
        let text = build(&profiles, Some((which, place, &secret)));
        let dir = tempfile::tempdir().unwrap();

        // Readable by group or others (0644, or any other group/other bit): refused.
        let mode = if extra == 0 { 0o644 } else { 0o600 | (extra & 0o077) | 0o004 };
        let p = write_cfg(dir.path(), &text, mode);
        let e = read_config_file(&p).err();
        prop_assert!(e.is_some(), "a config holding a secret with mode {:o} was accepted", mode);
        let e = e.unwrap();
        prop_assert_eq!(e.kind, ErrorKind::Config);
        prop_assert!(e.message.contains("chmod 600"));
        prop_assert!(!leaks(&e, &secret, &marker), "the error carries the secret");

        // Only the owner can read it: accepted, and the secret is the one written.
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let file = read_config_file(&p);
        prop_assert!(file.is_ok(), "a private config was refused");
        let file = file.unwrap();
        prop_assert!(file.holds_secret());
        let got = held(&file, place);
        prop_assert_eq!(got.len(), 1);
        prop_assert!(got[0] == secret, "the secret read differs from the one written");
    }

    #[test]
    fn config_without_a_secret_may_be_readable(
        profiles in proptest::collection::vec(profile(), 1..4).prop_filter("unique", |ps| unique_names(ps)),
    ) {
        // No secret anywhere: a *_command is not a secret.
        let text = build(&profiles, None);
        let dir = tempfile::tempdir().unwrap();
        let p = write_cfg(dir.path(), &text, 0o644);
        let file = read_config_file(&p);
        prop_assert!(file.is_ok());
        prop_assert!(!file.unwrap().holds_secret());
    }
}

// ---- inputs found by fuzzing and property tests ---------------------------------------------

/// Inputs the properties above found (fixed in src/config.rs): a value of the wrong type was
/// echoed in the parse error.
#[test]
fn regressions_found_by_properties() {
    let dir = tempfile::tempdir().unwrap();
    for text in [
        "[profiles.a]\ntimeout_secs = \"Zq7MarkSecret\"",
        "[profiles]\napi_token = \"Zq7MarkSecret\"",
        "profiles = \"Zq7MarkSecret\"",
        "[profiles.a]\nintegrations = { x = \"Zq7MarkSecret\" }",
    ] {
        let p = write_cfg(dir.path(), text, 0o600);
        let e = read_config_file(&p).err();
        assert!(e.is_some_and(|e| !leaks(&e, MARK, MARK) && e.message.contains("line ")));
    }
}
