//! Reading what the server sends: JSON bodies, pages of connections (typed, borrowing and
//! lenient), integrations, timestamps and `Retry-After`. Pure functions, no I/O.
use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Deserialize;
use serde_json::Value;

use super::error::{Error, Result};
use super::models::*;
use super::oauth_models::OAuthDetails;

/// Parse `Retry-After` (delta seconds or an HTTP date) relative to `now`.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(v, now)
}

/// Parse the value of a `Retry-After` header: whole (or fractional) seconds, or an HTTP date.
pub fn parse_retry_after(v: &str, now: SystemTime) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        if (0.0..1e9).contains(&secs) {
            return Some(Duration::from_secs_f64(secs));
        }
        return None;
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

pub(super) fn is_redacted(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c == '*')
}

/// serde's message without the values it quotes (`invalid type: string "…", expected …`): a
/// value the server sent in the wrong place may be a secret it echoed.
fn without_values(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut quoted = false;
    for c in msg.chars() {
        match (c, quoted) {
            ('"', false) => {
                out.push_str("\"…");
                quoted = true;
            }
            ('"', true) => {
                out.push('"');
                quoted = false;
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    if quoted {
        out.push('"');
    }
    out
}

pub(super) fn parse_json(body: &[u8]) -> Result<Value> {
    if body.is_empty() {
        return Err(Error::invalid_response(
            "the answer was empty, JSON expected",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            Error::invalid_response("the answer was cut off (incomplete JSON)")
        } else {
            Error::invalid_response(format!(
                "the answer is not the JSON expected (line {}, column {})",
                e.line(),
                e.column()
            ))
        }
    })
}

pub(super) fn parse_integration(v: &Value) -> Option<Integration> {
    let name = v.get("name")?.as_str()?.to_string();
    let oauth_client = v.get("zendesk_oauth_client").and_then(|o| {
        let id = match o.get("id")? {
            Value::Number(n) => n.as_u64()?,
            Value::String(s) => s.parse().ok()?,
            _ => return None,
        };
        Some(OAuthClient {
            id,
            identifier: o
                .get("identifier")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        })
    });
    Some(Integration {
        name,
        description: v
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        jwt_public_key: v
            .get("jwt_public_key")
            .and_then(Value::as_str)
            .map(str::to_string),
        oauth_client,
    })
}

fn parse_time(v: Option<&Value>) -> Option<time::OffsetDateTime> {
    parse_timestamp(v?.as_str()?)
}

/// Parse one connection object of a known kind.
pub fn parse_connection(kind: ConnectionKind, v: &Value) -> Result<Connection> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let name = s("name")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Error::invalid_response(format!("a {kind} connection without a name")))?;
    Ok(Connection {
        kind,
        name,
        allowed_domain: s("allowed_domain").unwrap_or_default(),
        username: if kind == ConnectionKind::BasicAuth {
            s("username")
        } else {
            None
        },
        header_name: if kind == ConnectionKind::ApiKey {
            s("header_name")
        } else {
            None
        },
        created_at: parse_time(v.get("created_at")),
        updated_at: parse_time(v.get("updated_at")),
        oauth: (kind == ConnectionKind::OAuth).then(|| super::oauth_parse::oauth_details(v)),
    })
}

pub(super) fn parse_wrapped(body: &[u8], kind: ConnectionKind) -> Result<Connection> {
    let v = parse_json(body)?;
    let inner = v.get(kind.as_str()).ok_or_else(|| {
        Error::invalid_response(format!("no \"{}\" object in the answer", kind.as_str()))
    })?;
    parse_connection(kind, inner)
}

/// Parse one page of `connections/all`. Typed and borrowing (no intermediate JSON tree): the
/// hot path of an audit. Lenient about what it does not need: a field of an unexpected type is
/// read as absent; a list that is not a list is an error.
pub fn parse_page(body: &[u8]) -> Result<ConnectionPage> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => {
            return Err(Error::invalid_response(
                "the answer was empty, JSON expected",
            ))
        }
        // A derived struct would also accept a JSON array as a sequence of fields.
        Some(b'[') => {
            return Err(Error::invalid_response(
                "the connections answer is not a JSON object",
            ))
        }
        Some(_) => {}
    }
    let raw: RawPage<'_> = serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            Error::invalid_response("the answer was cut off (incomplete JSON)")
        } else if e.is_data() {
            Error::invalid_response(format!(
                "the connections answer has an unexpected shape ({})",
                without_values(&e.to_string())
            ))
        } else {
            Error::invalid_response(format!(
                "the answer is not the JSON expected (line {}, column {})",
                e.line(),
                e.column()
            ))
        }
    })?;
    let n = [&raw.basic_auth, &raw.api_key, &raw.bearer_token, &raw.oauth]
        .iter()
        .map(|l| l.as_ref().map_or(0, Vec::len))
        .sum();
    let mut connections = Vec::with_capacity(n);
    for (kind, list) in [
        (ConnectionKind::BasicAuth, raw.basic_auth),
        (ConnectionKind::ApiKey, raw.api_key),
        (ConnectionKind::BearerToken, raw.bearer_token),
        (ConnectionKind::OAuth, raw.oauth),
    ] {
        for c in list.into_iter().flatten() {
            let name = c.name.0.filter(|n| !n.is_empty()).ok_or_else(|| {
                Error::invalid_response(format!("a {kind} connection without a name"))
            })?;
            connections.push(Connection {
                kind,
                name: name.into_owned(),
                allowed_domain: c.allowed_domain.0.map(Cow::into_owned).unwrap_or_default(),
                username: if kind == ConnectionKind::BasicAuth {
                    c.username.0.map(Cow::into_owned)
                } else {
                    None
                },
                header_name: if kind == ConnectionKind::ApiKey {
                    c.header_name.0.map(Cow::into_owned)
                } else {
                    None
                },
                created_at: c.created_at.0.as_deref().and_then(parse_timestamp),
                updated_at: c.updated_at.0.as_deref().and_then(parse_timestamp),
                oauth: (kind == ConnectionKind::OAuth).then(|| {
                    let own = |f: LenientStr<'_>| f.0.map(Cow::into_owned);
                    OAuthDetails {
                        uuid: own(c.uuid),
                        oauth_client_uuid: own(c.oauth_client_uuid),
                        permission_scope: own(c.permission_scope),
                        token_type: own(c.token_type),
                        token_expiry: c.token_expiry.0.as_deref().and_then(parse_timestamp),
                        created_by: own(c.created_by),
                    }
                }),
            });
        }
    }
    let meta = raw.meta.unwrap_or_default();
    let cursor = |c: LenientStr<'_>| c.0.filter(|s| !s.is_empty()).map(Cow::into_owned);
    Ok(ConnectionPage {
        connections,
        has_more: meta.has_more.unwrap_or(false),
        after: cursor(meta.after),
        before: cursor(meta.before),
    })
}

#[derive(serde::Deserialize)]
struct RawPage<'a> {
    #[serde(default, borrow)]
    basic_auth: Option<Vec<RawConnection<'a>>>,
    #[serde(default, borrow)]
    api_key: Option<Vec<RawConnection<'a>>>,
    #[serde(default, borrow)]
    bearer_token: Option<Vec<RawConnection<'a>>>,
    #[serde(default, borrow)]
    oauth: Option<Vec<RawConnection<'a>>>,
    #[serde(default, borrow)]
    meta: Option<RawMeta<'a>>,
}

#[derive(serde::Deserialize, Default)]
struct RawMeta<'a> {
    #[serde(default, deserialize_with = "lenient_bool")]
    has_more: Option<bool>,
    #[serde(default, borrow)]
    after: LenientStr<'a>,
    #[serde(default, borrow)]
    before: LenientStr<'a>,
}

#[derive(serde::Deserialize)]
struct RawConnection<'a> {
    #[serde(default, borrow)]
    name: LenientStr<'a>,
    #[serde(default, borrow)]
    allowed_domain: LenientStr<'a>,
    #[serde(default, borrow)]
    username: LenientStr<'a>,
    #[serde(default, borrow)]
    header_name: LenientStr<'a>,
    #[serde(default, borrow)]
    created_at: LenientStr<'a>,
    #[serde(default, borrow)]
    updated_at: LenientStr<'a>,
    // oauth only. Its tokens (`access_token`, `refresh_token`,
    // `oauth_access_token_response_body`) are not fields here: never read, never kept.
    #[serde(default, borrow)]
    uuid: LenientStr<'a>,
    #[serde(default, borrow)]
    oauth_client_uuid: LenientStr<'a>,
    #[serde(default, borrow)]
    permission_scope: LenientStr<'a>,
    #[serde(default, borrow)]
    token_type: LenientStr<'a>,
    #[serde(default, borrow)]
    token_expiry: LenientStr<'a>,
    #[serde(default, borrow)]
    created_by: LenientStr<'a>,
}

/// A string field that reads any other JSON value as absent.
#[derive(Default)]
struct LenientStr<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> serde::Deserialize<'de> for LenientStr<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = LenientStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(Some(Cow::Owned(v))))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
                Ok(LenientStr(None))
            }
            fn visit_some<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> std::result::Result<Self::Value, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(LenientStr(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(LenientStr(None))
            }
        }
        d.deserialize_any(V)
    }
}

fn lenient_bool<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<bool>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(v.as_bool())
}

/// RFC 3339 timestamp. The shape ZIS sends (`2025-04-12T23:20:50.52Z`) is read by a fast
/// path; anything else goes through the full parser.
pub fn parse_timestamp(s: &str) -> Option<time::OffsetDateTime> {
    fast_utc_timestamp(s).or_else(|| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
    })
}

fn fast_utc_timestamp(s: &str) -> Option<time::OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() < 20
        || *b.last()? != b'Z'
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let rest = &b[19..b.len() - 1];
    let nanos = match rest {
        [] => 0,
        [b'.', digits @ ..] if !digits.is_empty() && digits.len() <= 9 => {
            let mut n = 0u32;
            for &c in digits {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + u32::from(c - b'0');
            }
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?)
            .ok()?;
    let t = time::Time::from_hms_nano(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, t).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value in the wrong place of a page (an echoed token, say) is not quoted back.
    #[test]
    fn shape_errors_do_not_quote_values() {
        let body = br#"{"basic_auth":[{"name":"n","allowed_domain":"d","username":{"x":1}}],"meta":"Echoed-Tok-canary"}"#;
        let e = parse_page(body)
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.contains("unexpected shape"), "{e}");
        assert!(!e.contains("Echoed-Tok-canary"), "{e}");
        assert_eq!(without_values(r#"a "b" c "d"#), r#"a "…" c "…""#);
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        let later = now + Duration::from_secs(120);
        let d = parse_retry_after(&httpdate::fmt_http_date(later), now);
        assert!(d.is_some_and(|d| d.as_secs() >= 119 && d.as_secs() <= 120));
        let past = now - Duration::from_secs(120);
        assert_eq!(
            parse_retry_after(&httpdate::fmt_http_date(past), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn fast_timestamps_agree_with_the_full_parser() {
        use time::format_description::well_known::Rfc3339;
        for t in [
            "1985-04-12T23:20:50.52Z",
            "2025-01-01T00:00:00Z",
            "2024-02-29T12:34:56.123456789Z",
            "2023-12-31T23:59:59.000Z",
        ] {
            assert_eq!(
                fast_utc_timestamp(t),
                time::OffsetDateTime::parse(t, &Rfc3339).ok(),
                "{t}"
            );
        }
        for bad in [
            "2023-02-30T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-01-01T25:00:00Z",
            "2023-01-01T00:00:00.Z",
            "x",
        ] {
            assert_eq!(fast_utc_timestamp(bad), None, "{bad}");
        }
        assert!(parse_timestamp("2025-01-01T02:00:00+02:00").is_some());
    }

    #[test]
    fn page_parsing_is_lenient_about_field_types() {
        let body = br#"{"basic_auth":[{"name":"bob","username":5,"allowed_domain":null,"extra":{"a":[1,2]}}],"meta":{"has_more":"yes"}}"#;
        let p = parse_page(body).unwrap();
        assert_eq!(p.connections[0].username, None);
        assert!(!p.has_more);
        assert!(parse_page(br#"{"basic_auth":[{"username":"x"}]}"#).is_err());
        assert!(parse_page(b"[]").is_err());
        assert!(parse_page(b"   ").is_err());
    }

    #[test]
    fn page_parsing() {
        let body = br#"{"basic_auth":[{"name":"bob","username":"b","password":"*****","allowed_domain":"a.com","created_at":"2024-01-01T00:00:00.52Z","updated_at":"2024-01-02T00:00:00Z"}],
            "api_key":[{"name":"k1","header_name":"X-Key","api_key":"*****","allowed_domain":"b.com"}],
            "bearer_token":[],"oauth":[],"meta":{"has_more":true,"after":"abc","before":null}}"#;
        let p = parse_page(body).unwrap();
        assert_eq!(p.connections.len(), 2);
        assert!(p.has_more);
        assert_eq!(p.after.as_deref(), Some("abc"));
        let bob = &p.connections[0];
        assert_eq!(bob.username.as_deref(), Some("b"));
        assert!(bob.updated_at.is_some());
        assert!(parse_page(b"{\"basic_auth\": [").is_err());
        assert!(parse_page(b"<html>").is_err());
        assert!(parse_page(b"{\"basic_auth\": 3}").is_err());
    }
}
