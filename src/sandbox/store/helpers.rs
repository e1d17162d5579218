//! Helpers: timestamps, random tokens and ids, and a secret comparison without early exit.

use base64::Engine as _;
use rand::Rng as _;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

/// RFC 3339 UTC with milliseconds, e.g. `2025-04-12T23:20:50.520Z`.
pub(crate) fn format_ts(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// RFC 3339 UTC to the second, e.g. `2025-04-12T23:20:50Z` (an OAuth connection's
/// `token_expiry`: "Format of YYYY-MM-DDThh:mm:ssZ" [doc]).
pub(crate) fn format_ts_secs(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
}

/// Now, truncated to whole milliseconds (so that what is shown is what is stored).
pub(crate) fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(t.millisecond() as u32 * 1_000_000)
        .unwrap_or(t)
}

/// A random alphanumeric string (secrets, tokens).
pub(crate) fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(&rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A random UUID-shaped string (v4 layout).
pub(crate) fn random_uuid() -> String {
    let b: [u8; 16] = rand::rng().random();
    format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-4{:01x}{:02x}-{:01x}{:01x}{:02x}-{}",
        b[0],
        b[1],
        b[2],
        b[3],
        b[4],
        b[5],
        b[6] & 0x0f,
        b[7],
        8 | (b[8] & 0x03),
        b[8] >> 4,
        b[9],
        b[10..16]
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    )
}

/// A PEM-looking RSA public key (random bytes; nothing verifies it).
pub(super) fn fake_public_key() -> String {
    let mut bytes = vec![0u8; 270];
    rand::rng().fill(&mut bytes[..]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----");
    pem
}

/// Compares two secrets without an early exit on the first differing byte.
pub(crate) fn secret_eq(stored: &SecretString, given: &str) -> bool {
    let a = stored.expose_secret().as_bytes();
    let b = given.as_bytes();
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}
