//! Property tests of every local validator in `zis::validate`: generated valid inputs pass,
//! inputs that break exactly one rule are refused with a message naming that rule, and no
//! message ever carries the value it refused (it may be a secret pasted into the wrong field).
//! Assertions compare and never print a secret-like value.
use proptest::prelude::*;
use zisctl::zis::validate::{self, CONNECTION_RULE, DOMAIN_RULE, INTEGRATION_RULE};
use zisctl::zis::{ErrorKind, Result};

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

/// The message of a refusal, or None when the input was accepted.
fn refusal(r: Result<()>) -> Option<String> {
    r.err().map(|e| {
        assert_eq!(e.kind, ErrorKind::Validation);
        assert!(e.status.is_none());
        e.message
    })
}

/// Insert `c` at a char boundary chosen by `at` (any usize, reduced modulo the length).
fn insert_at(s: &str, at: usize, c: char) -> String {
    let bounds: Vec<usize> = s
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .collect();
    let i = bounds[at % bounds.len()];
    let mut out = s.to_string();
    out.insert(i, c);
    out
}

/// Control characters: C0, DEL and C1 (every one `char::is_control` knows).
fn control_char() -> impl Strategy<Value = char> {
    prop_oneof![
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        Just('\u{7f}'),
        (0x80u32..0xa0).prop_map(|c| char::from_u32(c).unwrap()),
    ]
}

/// A token that no rule message can contain: it holds a digit (no message has one) and is at
/// least 8 characters long.
fn canary() -> impl Strategy<Value = String> {
    ("[A-Za-z]{3,12}", "[0-9]", "[A-Za-z0-9]{4,20}").prop_map(|(a, d, b)| format!("{a}{d}{b}"))
}

type Validator = fn(&str) -> Result<()>;

/// Every validator, by name, for the "never echoes its input" properties.
fn all_validators() -> Vec<(&'static str, Validator)> {
    vec![
        ("integration name", validate::integration_name),
        ("connection name", validate::connection_name),
        ("allowed domain", validate::allowed_domain),
        ("username", validate::username),
        ("header name", validate::header_name),
        ("password", |s| validate::secret("password", s)),
        ("api key", |s| validate::secret("api key", s)),
        ("token", |s| validate::secret("token", s)),
    ]
}

// ---- integration names ----------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn integration_name_valid_is_accepted(name in "[a-z0-9_-]{1,64}") {
        prop_assert!(validate::integration_name(&name).is_ok());
    }

    #[test]
    fn integration_name_too_long_is_refused(name in "[a-z0-9_-]{65,200}") {
        let m = refusal(validate::integration_name(&name));
        prop_assert!(m.is_some_and(|m| m.contains(INTEGRATION_RULE) && m.starts_with("integration name")));
    }

    #[test]
    fn integration_name_bad_char_is_refused(
        base in "[a-z0-9_-]{0,63}",
        at in any::<usize>(),
        bad in prop_oneof![
            "[A-Z]", Just(" ".to_string()), Just(".".to_string()), Just("/".to_string()),
            Just(":".to_string()), Just("é".to_string()), Just("*".to_string()),
            control_char().prop_map(String::from),
        ],
    ) {
        let c = bad.chars().next().unwrap();
        let name = insert_at(&base, at, c);
        let m = refusal(validate::integration_name(&name));
        prop_assert!(m.is_some_and(|m| m.contains(INTEGRATION_RULE)));
    }
}

#[test]
fn integration_name_empty_is_refused() {
    let m = refusal(validate::integration_name(""));
    assert!(m.is_some_and(|m| m.contains(INTEGRATION_RULE)));
}

// ---- connection names -----------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn connection_name_valid_is_accepted(
        name in "[A-Za-z0-9_-]{3,64}".prop_filter("reserved", |n| n != "zendesk"),
    ) {
        prop_assert!(validate::connection_name(&name).is_ok());
    }

    #[test]
    fn connection_name_bad_length_is_refused(
        name in prop_oneof!["[A-Za-z0-9_-]{0,2}", "[A-Za-z0-9_-]{65,200}"],
    ) {
        let m = refusal(validate::connection_name(&name));
        prop_assert!(m.is_some_and(|m| m.contains(CONNECTION_RULE) && m.starts_with("connection name")));
    }

    #[test]
    fn connection_name_bad_char_is_refused(
        base in "[A-Za-z0-9_-]{2,63}",
        at in any::<usize>(),
        c in prop_oneof![
            Just(' '), Just('.'), Just('/'), Just(':'), Just('@'), Just('é'), Just('\u{a0}'),
            control_char(),
        ],
    ) {
        let name = insert_at(&base, at, c);
        let m = refusal(validate::connection_name(&name));
        prop_assert!(m.is_some_and(|m| m.contains(CONNECTION_RULE)));
    }
}

#[test]
fn connection_name_zendesk_is_reserved() {
    let m = refusal(validate::connection_name("zendesk"));
    assert!(m.is_some_and(|m| m.contains("reserved")));
    // Only the exact name is reserved.
    assert!(validate::connection_name("Zendesk").is_ok());
    assert!(validate::connection_name("zendesk2").is_ok());
}

// ---- allowed domains ------------------------------------------------------------------------

/// One valid DNS label: letters/digits, inner hyphens, 1-63 characters.
fn label(max_inner: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9]",
        (
            "[A-Za-z0-9]",
            proptest::collection::vec(
                prop_oneof!["[A-Za-z0-9]", Just("-".to_string())],
                0..=max_inner
            ),
            "[A-Za-z0-9]",
        )
            .prop_map(|(a, mid, b)| format!("{a}{}{b}", mid.concat())),
    ]
}

/// A valid hostname of 1-5 labels, at most 5*(40+1) = 205 characters.
fn domain() -> impl Strategy<Value = String> {
    proptest::collection::vec(label(38), 1..=5).prop_map(|ls| ls.join("."))
}

fn domain_refusal(d: &str) -> Option<String> {
    refusal(validate::allowed_domain(d)).inspect(|m| {
        assert!(m.starts_with("allowed domain: "));
        assert!(m.contains(DOMAIN_RULE));
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn domain_valid_is_accepted(d in domain()) {
        prop_assert!(validate::allowed_domain(&d).is_ok());
    }

    #[test]
    fn domain_with_scheme_is_refused(
        d in domain(),
        scheme in prop_oneof![
            Just("https"), Just("http"), Just("ftp"), Just("HTTPS"), Just("wss"), Just("x"),
        ],
    ) {
        let m = domain_refusal(&format!("{scheme}://{d}"));
        prop_assert!(m.is_some_and(|m| m.contains("scheme")));
    }

    #[test]
    fn domain_with_path_is_refused(
        d in domain(),
        sep in prop_oneof![Just('/'), Just('?'), Just('#')],
        rest in "[a-z0-9]{0,10}",
    ) {
        let m = domain_refusal(&format!("{d}{sep}{rest}"));
        prop_assert!(m.is_some_and(|m| m.contains("path")));
    }

    #[test]
    fn domain_with_port_is_refused(d in domain(), port in any::<u16>()) {
        let m = domain_refusal(&format!("{d}:{port}"));
        prop_assert!(m.is_some_and(|m| m.contains("port")));
    }

    #[test]
    fn domain_with_user_info_is_refused(d in domain(), user in "[a-z0-9]{1,10}") {
        let m = domain_refusal(&format!("{user}@{d}"));
        prop_assert!(m.is_some_and(|m| m.contains("user info")));
    }

    #[test]
    fn domain_with_whitespace_is_refused(
        d in domain(),
        at in any::<usize>(),
        ws in prop_oneof![
            Just(' '), Just('\t'), Just('\n'), Just('\r'), Just('\u{a0}'), Just('\u{2003}'),
            Just('\u{3000}'), Just('\u{85}'),
        ],
    ) {
        let m = domain_refusal(&insert_at(&d, at, ws));
        prop_assert!(m.is_some_and(|m| m.contains("whitespace")));
    }

    #[test]
    fn domain_with_control_char_is_refused(d in domain(), at in any::<usize>(), c in control_char()) {
        let m = domain_refusal(&insert_at(&d, at, c));
        prop_assert!(m.is_some_and(|m| m.contains("control characters")));
    }

    #[test]
    fn domain_too_long_is_refused(n in 254usize..600) {
        // Valid labels of at most 63 characters, n characters in all.
        let mut d = String::new();
        while d.len() < n {
            if !d.is_empty() {
                d.push('.');
            }
            let room = (n - d.len()).clamp(1, 63);
            d.push_str(&"a".repeat(room));
        }
        prop_assert!(d.len() > 253);
        let m = domain_refusal(&d);
        prop_assert!(m.is_some_and(|m| m.contains("253")));
    }

    #[test]
    fn domain_with_bad_label_is_refused(
        labels in proptest::collection::vec(label(20), 1..=4),
        which in any::<usize>(),
        bad in prop_oneof![
            Just("-a".to_string()), Just("a-".to_string()), Just(String::new()),
            Just("a".repeat(64)), Just("*".to_string()), Just("a_b".to_string()),
            Just("é".to_string()), Just("a!b".to_string()), Just("a\\b".to_string()),
        ],
    ) {
        let mut labels = labels;
        let i = which % (labels.len() + 1);
        labels.insert(i, bad);
        let m = domain_refusal(&labels.join("."));
        prop_assert!(m.is_some_and(|m| m.contains("not a valid hostname")));
    }
}

#[test]
fn domain_at_the_length_limits_is_accepted() {
    // 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters, labels of 63.
    let d = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61),
    ]
    .join(".");
    assert_eq!(d.len(), 253);
    assert!(validate::allowed_domain(&d).is_ok());
    assert!(validate::allowed_domain(&format!("{d}e")).is_err());
}

#[test]
fn domain_empty_is_required() {
    assert!(domain_refusal("").is_some_and(|m| m.contains("required")));
}

// ---- usernames ------------------------------------------------------------------------------

/// A valid username: 1-60 chars (at most 240 bytes), no ':' and no control character.
fn username() -> impl Strategy<Value = String> {
    "[^:\\p{Cc}]{1,60}"
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn username_valid_is_accepted(u in username()) {
        prop_assert!(validate::username(&u).is_ok());
    }

    #[test]
    fn username_with_colon_is_refused(u in username(), at in any::<usize>()) {
        let m = refusal(validate::username(&insert_at(&u, at, ':')));
        prop_assert!(m.is_some_and(|m| m.starts_with("username") && m.contains("':'")));
    }

    #[test]
    fn username_with_control_char_is_refused(u in username(), at in any::<usize>(), c in control_char()) {
        let m = refusal(validate::username(&insert_at(&u, at, c)));
        prop_assert!(m.is_some_and(|m| m.starts_with("username") && m.contains("control characters")));
    }

    #[test]
    fn username_too_long_is_refused(u in "[a-z@.]{256,400}") {
        let m = refusal(validate::username(&u));
        prop_assert!(m.is_some_and(|m| m.contains("255")));
    }
}

#[test]
fn username_empty_is_required() {
    assert!(refusal(validate::username("")).is_some_and(|m| m.contains("required")));
    let at_limit = "a".repeat(255);
    assert!(validate::username(&at_limit).is_ok());
}

// ---- header names ---------------------------------------------------------------------------

const HEADER_RULE: &str = "an HTTP header name";

proptest! {
    #![proptest_config(config())]

    #[test]
    fn header_name_valid_is_accepted(h in "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}") {
        prop_assert!(validate::header_name(&h).is_ok());
    }

    #[test]
    fn header_name_too_long_is_refused(h in "[A-Za-z0-9-]{129,300}") {
        let m = refusal(validate::header_name(&h));
        prop_assert!(m.is_some_and(|m| m.starts_with("header name") && m.contains(HEADER_RULE)));
    }

    #[test]
    fn header_name_bad_char_is_refused(
        h in "[A-Za-z0-9-]{0,127}",
        at in any::<usize>(),
        c in prop_oneof![
            Just(' '), Just(':'), Just('('), Just(')'), Just(','), Just('/'), Just(';'),
            Just('<'), Just('='), Just('>'), Just('?'), Just('@'), Just('['), Just('\\'),
            Just(']'), Just('{'), Just('}'), Just('"'), Just('é'), control_char(),
        ],
    ) {
        let m = refusal(validate::header_name(&insert_at(&h, at, c)));
        prop_assert!(m.is_some_and(|m| m.contains(HEADER_RULE)));
    }
}

#[test]
fn header_name_empty_is_refused() {
    assert!(refusal(validate::header_name("")).is_some_and(|m| m.contains(HEADER_RULE)));
}

// ---- secrets --------------------------------------------------------------------------------

fn secret_field() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("password"), Just("api key"), Just("token")]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn secret_valid_is_accepted(field in secret_field(), s in "[^\\p{Cc}]{1,200}") {
        prop_assert!(validate::secret(field, &s).is_ok());
    }

    #[test]
    fn secret_with_control_char_is_refused_without_echo(
        field in secret_field(),
        s in canary(),
        at in any::<usize>(),
        c in control_char(),
    ) {
        let bad = insert_at(&s, at, c);
        let e = validate::secret(field, &bad).err();
        prop_assert!(e.is_some(), "a secret with a control character was accepted");
        let e = e.unwrap();
        prop_assert_eq!(e.kind, ErrorKind::Validation);
        prop_assert!(e.message.starts_with(field));
        prop_assert!(e.message.contains("control characters"));
        // Neither the value, nor its printable part, nor its sanitised form anywhere.
        let shown = [e.message.clone(), e.to_string(), format!("{e:?}")];
        let cleaned = zisctl::sanitize::clean(&bad);
        for text in &shown {
            prop_assert!(!text.contains(&bad), "the error carries the secret");
            prop_assert!(!text.contains(&s), "the error carries the secret");
            prop_assert!(!text.contains(&cleaned), "the error carries the secret");
        }
    }
}

#[test]
fn secret_empty_is_required() {
    for field in ["password", "api key", "token"] {
        let m = refusal(validate::secret(field, ""));
        assert!(m.is_some_and(|m| m.starts_with(field) && m.contains("required")));
    }
}

// ---- no validator echoes what it refused ----------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// A secret pasted into the wrong field, with something that makes every validator refuse
    /// it (a control char, a ':' or a space), never comes back in the message.
    #[test]
    fn no_validator_echoes_its_input(
        s in canary(),
        at in any::<usize>(),
        c in prop_oneof![control_char(), Just(':'), Just(' ')],
    ) {
        let bad = insert_at(&s, at, c);
        for (what, check) in all_validators() {
            let outcome = check(&bad);
            if let Err(e) = outcome {
                let shown = [e.message.clone(), e.to_string(), format!("{e:?}")];
                for text in &shown {
                    prop_assert!(!text.contains(&s), "{} echoed its input", what);
                    prop_assert!(!text.contains(&bad), "{} echoed its input", what);
                }
            }
        }
    }

    /// Whatever the input, no validator panics and every message is one clean line that
    /// names its field.
    #[test]
    fn validators_never_panic(s in any::<String>()) {
        for (what, check) in all_validators() {
            if let Err(e) = check(&s) {
                prop_assert!(e.message.starts_with(what));
                prop_assert!(!e.message.chars().any(char::is_control));
            }
        }
    }
}

/// Inputs the properties above found (fixed in src/zis/validate.rs).
#[test]
fn regressions_found_by_properties() {
    // A control character in a domain was refused as "whitespace".
    let m = domain_refusal("0\0");
    assert!(m.is_some_and(|m| m.contains("control characters")));
}
