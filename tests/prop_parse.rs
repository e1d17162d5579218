//! Property tests of the code that reads what a server sends: `parse_retry_after`,
//! `Error::from_response`, `parse_page` and `sanitize::clean`. Whatever arrives, nothing panics,
//! nothing unsanitised reaches a message, and well-formed answers come through exactly.
//! Assertions compare and never print a secret-like value.
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use zisctl::sanitize;
use zisctl::zis::client::{parse_page, parse_retry_after};
use zisctl::zis::{Connection, ConnectionKind, Error, ErrorKind};

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

/// No C0, DEL, C1 (ESC, BEL, CSI ...), bidi control or line/paragraph separator in `s`
/// (what `sanitize::is_unsafe` names, written out again here).
fn is_clean(s: &str) -> bool {
    !s.chars().any(|c| {
        c.is_control()
            || matches!(
                c,
                '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
            )
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

/// Text `sanitize::clean` keeps as it is: no control, no bidi control, no separator.
macro_rules! clean_text {
    () => {
        "[^\\p{Cc}\u{061c}\u{200e}\u{200f}\u{2028}\u{2029}\u{202a}-\u{202e}\u{2066}-\u{2069}]"
    };
}

// ---- Retry-After ----------------------------------------------------------------------------

/// 9999-12-31T23:59:59Z, the last instant an HTTP date can name.
const LAST_HTTP_DATE: u64 = 253_402_300_799;
const TEN_YEARS: u64 = 10 * 366 * 86_400;

/// A `now` anywhere from 1970 to ten years before the end of the HTTP-date range.
fn now_strategy() -> impl Strategy<Value = SystemTime> {
    (0..LAST_HTTP_DATE - TEN_YEARS, 0u32..1_000_000_000)
        .prop_map(|(s, n)| UNIX_EPOCH + Duration::new(s, n))
}

/// The asctime form of an HTTP date (`Sun Nov  6 08:49:37 1994`), one of the three forms a
/// recipient must accept.
fn asctime(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let d = OffsetDateTime::from_unix_timestamp(secs).unwrap();
    let wd = &d.weekday().to_string()[..3];
    let mon = &d.month().to_string()[..3];
    format!(
        "{wd} {mon} {:>2} {:02}:{:02}:{:02} {}",
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
        d.year()
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn retry_after_seconds_round_trip(secs in any::<u32>(), now in now_strategy(), pad in "[ \t]{0,2}") {
        let v = format!("{pad}{secs}{pad}");
        prop_assert_eq!(parse_retry_after(&v, now), Some(Duration::from_secs(u64::from(secs))));
    }

    #[test]
    fn retry_after_future_date_is_the_difference(
        now in now_strategy(),
        delta in (0..TEN_YEARS, 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        form in 0u8..2,
    ) {
        let when = now + delta;
        let v = if form == 0 { httpdate::fmt_http_date(when) } else { asctime(when) };
        let got = parse_retry_after(&v, now);
        prop_assert!(got.is_some(), "an HTTP date was not understood: {}", v);
        let got = got.unwrap();
        // The date has whole seconds: it names a moment at most 1 s before `now + delta`.
        prop_assert!(got <= delta, "{:?} > {:?} for {}", got, delta, v);
        prop_assert!(delta - got < Duration::from_secs(1), "{:?} vs {:?} for {}", got, delta, v);
    }

    #[test]
    fn retry_after_past_date_is_zero(
        now in now_strategy(),
        ago in 1u64..TEN_YEARS,
        form in 0u8..2,
    ) {
        // (httpdate cannot write a date before 1970.)
        let when = now
            .checked_sub(Duration::from_secs(ago))
            .filter(|t| *t >= UNIX_EPOCH)
            .unwrap_or(UNIX_EPOCH);
        let v = if form == 0 { httpdate::fmt_http_date(when) } else { asctime(when) };
        prop_assert_eq!(parse_retry_after(&v, now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_arbitrary_strings_never_panic(
        v in prop_oneof![
            any::<String>(),
            "[-+ ]?[0-9]{0,25}(\\.[0-9]{0,25})?([eE][-+]?[0-9]{1,4})?",
            "(NaN|nan|inf|-inf|infinity|-0|-0\\.0|\\+0|1e9|1e999|0x10)",
            "(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Xyz), [0-9]{1,3} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Foo) [0-9]{1,6} [0-9]{1,3}:[0-9]{1,3}:[0-9]{1,3} (GMT|UTC|)",
            "(Monday|Sunday|Funday), [0-9]{1,2}-(Jan|Feb|Nov)-[0-9]{1,4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
            "(Sun|Mon) (Nov|Feb) [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{1,5}",
        ],
        now in now_strategy(),
    ) {
        let got = parse_retry_after(&v, now);
        let t = v.trim();
        if let Ok(secs) = t.parse::<u64>() {
            prop_assert_eq!(got, Some(Duration::from_secs(secs)));
        } else if t.parse::<f64>().is_ok_and(|f| f < 0.0 || f.is_nan()) {
            prop_assert_eq!(got, None, "a negative or NaN wait was accepted");
        } else if let (Some(d), Ok(f)) = (got, t.parse::<f64>()) {
            prop_assert!(f >= 0.0 && (d.as_secs_f64() - f).abs() < 1e-6 * f.max(1.0));
        }
    }
}

// ---- Error::from_response -------------------------------------------------------------------

const MAX_MESSAGE_CHARS: usize = 300;

fn check_error(e: &Error, status: u16) -> std::result::Result<(), TestCaseError> {
    prop_assert_eq!(e.status, Some(status));
    prop_assert!(is_clean(&e.message), "control character in the message");
    prop_assert!(!e.message.is_empty(), "empty message");
    prop_assert!(e.message.chars().count() <= MAX_MESSAGE_CHARS + 1);
    if let Some(code) = &e.code {
        prop_assert!(is_clean(code), "control character in the code");
        prop_assert!(code.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }
    // What a banner or stderr shows: the whole Display.
    let shown = e.to_string();
    prop_assert!(is_clean(&shown), "control character in the Display");
    prop_assert!(shown.chars().count() <= 2 * (MAX_MESSAGE_CHARS + 1) + 32);
    let expected_kind = match status {
        400 | 422 => ErrorKind::BadRequest,
        401 => ErrorKind::Unauthorized,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::OtherStatus,
    };
    prop_assert_eq!(e.kind, expected_kind);
    Ok(())
}

/// Any string, weighted towards the hostile: escape sequences, C1, bidi, blanks, long runs.
fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ \t\r\n]{0,5}",
        "(\u{1b}\\]52;c;[A-Za-z0-9=]{0,12}\u{07}|\u{1b}\\[[0-9;]{0,6}[A-Za-z]|\u{9b}|\u{202e}|\u{85}|\u{2067}|\u{200f}|\u{061c}|[a-z ]{0,20}){0,6}",
        "[a-zA-Z0-9 ]{280,400}",
    ]
}

/// An arbitrary JSON value, small and shallow, with the keys error bodies use.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        hostile_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![
            Just("errors".to_string()),
            Just("code".to_string()),
            Just("title".to_string()),
            Just("detail".to_string()),
            Just("message".to_string()),
            Just("error".to_string()),
            Just("description".to_string()),
            "[a-z_]{1,8}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key, inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn from_response_arbitrary_bytes(status in any::<u16>(), body in proptest::collection::vec(any::<u8>(), 0..1024)) {
        check_error(&Error::from_response(status, &body), status)?;
    }

    #[test]
    fn from_response_arbitrary_text(status in any::<u16>(), body in hostile_string()) {
        check_error(&Error::from_response(status, body.as_bytes()), status)?;
    }

    #[test]
    fn from_response_arbitrary_json(status in any::<u16>(), v in json_value()) {
        let body = serde_json::to_vec(&v).unwrap();
        check_error(&Error::from_response(status, &body), status)?;
    }

    #[test]
    fn from_response_hostile_error_fields(
        status in any::<u16>(),
        code in hostile_string(),
        title in hostile_string(),
        detail in hostile_string(),
        shape in 0u8..3,
    ) {
        let v = match shape {
            0 => json!({"errors": [{"code": code, "title": title}]}),
            1 => json!({"errors": [{"code": code, "detail": detail}], "message": title}),
            _ => json!({"error": code, "description": detail}),
        };
        let body = serde_json::to_vec(&v).unwrap();
        check_error(&Error::from_response(status, &body), status)?;
    }

    /// The title of a JSON errors body is the message, trimmed and cut at 300 characters.
    #[test]
    fn from_response_json_title_comes_through(
        status in 400u16..600,
        code in "[A-Za-z0-9]{1,20}",
        title in concat!(clean_text!(), "{1,400}").prop_filter("blank", |t| !t.trim().is_empty()),
    ) {
        let body = serde_json::to_vec(&json!({"errors": [{"code": code, "title": title}]})).unwrap();
        let e = Error::from_response(status, &body);
        check_error(&e, status)?;
        let t = title.trim();
        if t.chars().count() <= MAX_MESSAGE_CHARS {
            prop_assert_eq!(&e.message, t);
        } else {
            let head: String = t.chars().take(MAX_MESSAGE_CHARS).collect();
            prop_assert_eq!(e.message.strip_suffix('…'), Some(head.as_str()));
        }
        prop_assert_eq!(e.code.as_deref(), Some(code.as_str()));
    }

    /// `{"error","description"}` (the OAuth shape) and plain text come through too.
    #[test]
    fn from_response_other_shapes_come_through(
        status in 400u16..600,
        code in "[a-z_]{1,20}",
        text in "[A-Za-z0-9][A-Za-z0-9 .,!]{0,100}",
    ) {
        let body = serde_json::to_vec(&json!({"error": code, "description": text})).unwrap();
        let e = Error::from_response(status, &body);
        prop_assert_eq!(e.message.as_str(), text.trim());
        prop_assert_eq!(e.code.as_deref(), Some(code.as_str()));
        let plain = format!("\n  {text}\nsecond line\n");
        let e = Error::from_response(status, plain.as_bytes());
        prop_assert_eq!(e.message.as_str(), text.trim());
    }
}

// ---- parse_page -----------------------------------------------------------------------------

fn kind() -> impl Strategy<Value = ConnectionKind> {
    prop_oneof![
        Just(ConnectionKind::BasicAuth),
        Just(ConnectionKind::ApiKey),
        Just(ConnectionKind::BearerToken),
        Just(ConnectionKind::OAuth),
    ]
}

/// A moment between the years 1000 and 9000, with nanoseconds and an offset of whole minutes.
fn datetime() -> impl Strategy<Value = OffsetDateTime> {
    (
        -30_610_224_000i64..221_845_392_000,
        0u32..1_000_000_000,
        -1439i32..=1439,
    )
        .prop_map(|(s, n, off)| {
            let off = UtcOffset::from_whole_seconds(off * 60).unwrap();
            OffsetDateTime::from_unix_timestamp(s)
                .unwrap()
                .replace_nanosecond(n)
                .unwrap()
                .to_offset(off)
        })
}

/// Text a server may send in a name, username or domain: anything but '*' (so that the
/// placeholder check below cannot be fooled by a value that merely looks like one).
fn text(min: usize) -> impl Strategy<Value = String> {
    let re = |r: String| proptest::string::string_regex(&r).unwrap();
    prop_oneof![
        re(format!("[A-Za-z0-9_.@-]{{{min},30}}")),
        re(format!("[^*]{{{min},20}}")),
    ]
}

fn connection() -> impl Strategy<Value = Connection> {
    (
        kind(),
        text(1),
        text(0),
        proptest::option::of(text(0)),
        proptest::option::of(datetime()),
        proptest::option::of(datetime()),
    )
        .prop_map(
            |(kind, name, allowed_domain, principal, created_at, updated_at)| Connection {
                kind,
                name,
                allowed_domain,
                username: principal
                    .clone()
                    .filter(|_| kind == ConnectionKind::BasicAuth),
                header_name: principal.filter(|_| kind == ConnectionKind::ApiKey),
                created_at,
                updated_at,
                oauth: (kind == ConnectionKind::OAuth).then(Default::default),
            },
        )
}

/// A canary secret a misbehaving server might send instead of the placeholder.
const CANARY: &str = "canary-S3cr3t-8d1f";

/// The JSON a server sends for `c`, secrets as the placeholder (or, misbehaving, the canary).
fn to_json(c: &Connection, leak: bool) -> Value {
    let secret = if leak { CANARY } else { "*****" };
    let mut m = Map::new();
    m.insert("name".into(), json!(c.name));
    m.insert("allowed_domain".into(), json!(c.allowed_domain));
    let ts = |t: Option<OffsetDateTime>| match t {
        Some(t) => json!(t.format(&Rfc3339).unwrap()),
        None => Value::Null,
    };
    m.insert("created_at".into(), ts(c.created_at));
    m.insert("updated_at".into(), ts(c.updated_at));
    match c.kind {
        ConnectionKind::BasicAuth => {
            if let Some(u) = &c.username {
                m.insert("username".into(), json!(u));
            }
            m.insert("password".into(), json!(secret));
        }
        ConnectionKind::ApiKey => {
            if let Some(h) = &c.header_name {
                m.insert("header_name".into(), json!(h));
            }
            m.insert("api_key".into(), json!(secret));
        }
        ConnectionKind::BearerToken => {
            m.insert("token".into(), json!(secret));
        }
        ConnectionKind::OAuth => {
            m.insert("access_token".into(), json!(secret));
            m.insert("refresh_token".into(), json!(secret));
            m.insert("oauth_url_subdomain".into(), json!("acme"));
        }
    }
    Value::Object(m)
}

/// Keys a connections answer uses, for the arbitrary-JSON property.
fn page_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("basic_auth".to_string()),
        Just("api_key".to_string()),
        Just("bearer_token".to_string()),
        Just("oauth".to_string()),
        Just("meta".to_string()),
        Just("name".to_string()),
        Just("username".to_string()),
        Just("created_at".to_string()),
        Just("has_more".to_string()),
        Just("after".to_string()),
        "[a-z_]{1,8}",
    ]
}

fn page_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "(2024-01-01T00:00:00Z|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})|\\*\\*\\*\\*\\*|[a-z]{0,6})"
            .prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            proptest::collection::vec((page_key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parse_page_arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Err(e) = parse_page(&body) {
            prop_assert_eq!(e.kind, ErrorKind::InvalidResponse);
            prop_assert!(is_clean(&e.message));
        }
    }

    #[test]
    fn parse_page_arbitrary_json_never_panics(v in page_json()) {
        let body = serde_json::to_vec(&v).unwrap();
        match parse_page(&body) {
            Ok(page) => {
                for c in &page.connections {
                    prop_assert!(!c.name.is_empty());
                }
            }
            Err(e) => {
                prop_assert_eq!(e.kind, ErrorKind::InvalidResponse);
                prop_assert!(is_clean(&e.message));
            }
        }
        // And the same bytes cut anywhere.
        for cut in [1, body.len() / 2, body.len().saturating_sub(1)] {
            let _ = parse_page(&body[..cut.min(body.len())]);
        }
    }

    #[test]
    fn parse_page_valid_page_round_trips(
        conns in proptest::collection::vec(connection(), 0..12),
        absent in proptest::collection::vec(0u8..3, 4),
        has_more in any::<bool>(),
        after in proptest::option::of("[A-Za-z0-9=_-]{0,24}"),
        before in proptest::option::of("[A-Za-z0-9=_-]{0,24}"),
        leak in any::<bool>(),
        pretty in any::<bool>(),
    ) {
        let mut page = Map::new();
        for (i, k) in ConnectionKind::ALL.into_iter().enumerate() {
            let items: Vec<Value> =
                conns.iter().filter(|c| c.kind == k).map(|c| to_json(c, leak)).collect();
            if items.is_empty() {
                // An empty kind: absent, null or [] are all the same.
                match absent[i] {
                    0 => {}
                    1 => { page.insert(k.as_str().into(), Value::Null); }
                    _ => { page.insert(k.as_str().into(), json!([])); }
                }
            } else {
                page.insert(k.as_str().into(), Value::Array(items));
            }
        }
        page.insert(
            "meta".into(),
            json!({"has_more": has_more, "after": after, "before": before}),
        );
        let v = Value::Object(page);
        let body = if pretty {
            serde_json::to_vec_pretty(&v).unwrap()
        } else {
            serde_json::to_vec(&v).unwrap()
        };
        let parsed = parse_page(&body);
        prop_assert!(parsed.is_ok(), "a valid page was refused");
        let parsed = parsed.unwrap();
        let mut expected = conns.clone();
        expected.sort_by_key(|c| c.kind);
        prop_assert_eq!(&parsed.connections, &expected);
        prop_assert_eq!(parsed.has_more, has_more);
        prop_assert_eq!(parsed.after, after.filter(|s| !s.is_empty()));
        prop_assert_eq!(parsed.before, before.filter(|s| !s.is_empty()));
        // Neither the placeholder nor a secret the server should not have sent is kept.
        let kept = format!("{:?}", parsed.connections);
        prop_assert!(!kept.contains("*****"), "the secret placeholder was kept as a value");
        prop_assert!(!kept.contains(CANARY), "a secret the server sent was kept");
    }
}

// ---- sanitize::clean ------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn clean_output_has_no_control_char(s in hostile_string()) {
        let out = sanitize::clean(&s);
        prop_assert!(is_clean(&out));
        prop_assert_eq!(out.chars().count(), s.chars().count());
        // Idempotent.
        prop_assert_eq!(sanitize::clean(&out), out.clone());
        let multi = sanitize::clean_multiline(&s);
        prop_assert!(multi.split('\n').all(is_clean));
    }

    #[test]
    fn clean_keeps_clean_text(s in concat!(clean_text!(), "{0,200}")) {
        prop_assert_eq!(sanitize::clean(&s), s);
    }
}

// ---- inputs found by fuzzing (fuzz/regressions/) --------------------------------------------

/// Inputs the properties above found (each fixed in its own commit).
#[test]
fn regressions_found_by_properties() {
    // A blank field gave an empty message.
    for body in [
        &br#"{"message":"\t"}"#[..],
        br#"{"errors":[{"code":" ","title":"  "}]}"#,
    ] {
        let e = Error::from_response(0, body);
        assert!(!e.message.trim().is_empty());
        assert_eq!(e.code, None);
    }
    // The code came through raw (and Display prints it) and uncut.
    let e = Error::from_response(
        400,
        br#"{"errors":[{"code":"\u001b]52;c;aGk=\u0007\u009b31m","title":"t"}]}"#,
    );
    assert!(e.code.as_deref().is_some_and(is_clean));
    assert!(is_clean(&e.to_string()));
    let body = format!(r#"{{"error":"{}"}}"#, "c".repeat(5000));
    let e = Error::from_response(401, body.as_bytes());
    assert!(e.code.unwrap_or_default().chars().count() <= MAX_MESSAGE_CHARS + 1);
}

/// `cargo fuzz run error_body` (fuzz/), against the code before the fix: a 401 whose
/// `{"error": ...}` code held a DEL (0x7f) among invalid UTF-8; the code came through
/// unsanitised. Also kept as fuzz/regressions/error_body/crash-944538f6….
#[test]
fn fuzz_error_body_del_in_code() {
    let data: &[u8] = b"\x01\x91{\"error\":\"i\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f\xffnvali is invalid\"}";
    let status = u16::from_be_bytes([data[0], data[1]]);
    let e = Error::from_response(status, &data[2..]);
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert!(e.code.as_deref().is_some_and(is_clean));
    assert!(is_clean(&e.to_string()));
    assert!(!e.message.contains('\x7f'));
}

/// Every input under fuzz/regressions/<target>/ replayed through what that target checks, so a
/// crash kept there stays fixed without running the fuzzer.
#[test]
fn fuzz_regressions_replay() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for target in ["parse_page", "error_body", "retry_after", "validators"] {
        let Ok(dir) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in dir {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            replay(target, &data).unwrap();
            replayed += 1;
        }
    }
    assert!(
        replayed >= 1,
        "no fuzz regression found under {}",
        root.display()
    );
}

fn replay(target: &str, data: &[u8]) -> std::result::Result<(), TestCaseError> {
    match target {
        "parse_page" => {
            if let Err(e) = parse_page(data) {
                prop_assert!(is_clean(&e.message));
            }
        }
        "error_body" => {
            let (status, body) = match data {
                [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
                _ => (0, data),
            };
            check_error(&Error::from_response(status, body), status)?;
        }
        "retry_after" => {
            if let Ok(v) = std::str::from_utf8(data) {
                let _ = parse_retry_after(v, SystemTime::now());
            }
        }
        _ => {
            let s = String::from_utf8_lossy(data);
            let _ = zisctl::zis::validate::allowed_domain(&s);
            let _ = zisctl::zis::validate::username(&s);
            let _ = zisctl::zis::validate::secret("password", &s);
        }
    }
    Ok(())
}
