//! `Error::from_response(status, body)`, the status from the first 2 bytes (big-endian) and the
//! body from the rest: never panics; message, code and Display are free of control characters
//! and bounded; the message is never empty.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zisctl::zis::Error;

/// `MAX_MESSAGE_CHARS` in src/zis/error.rs, plus the ellipsis.
const MAX_CHARS: usize = 301;

fn clean(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || c == '\u{202e}' || c == '\u{202d}')
}

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
        _ => (0, data),
    };
    let e = Error::from_response(status, body);
    assert_eq!(e.status, Some(status));
    assert!(clean(&e.message), "control character in the message");
    assert!(!e.message.trim().is_empty(), "blank message");
    assert!(e.message.chars().count() <= MAX_CHARS);
    if let Some(code) = &e.code {
        assert!(clean(code), "control character in the code");
        assert!(code.chars().count() <= MAX_CHARS);
    }
    assert!(clean(&e.to_string()), "control character in the Display");
});
