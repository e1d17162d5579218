//! `parse_page` on arbitrary bytes: never panics; a page it accepts has named connections;
//! a refusal is an InvalidResponse with a clean message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zisctl::zis::client::parse_page;
use zisctl::zis::ErrorKind;

fuzz_target!(|data: &[u8]| {
    match parse_page(data) {
        Ok(page) => {
            for c in &page.connections {
                assert!(!c.name.is_empty());
            }
            assert!(page.after.as_ref().is_none_or(|s| !s.is_empty()));
            assert!(page.before.as_ref().is_none_or(|s| !s.is_empty()));
        }
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::InvalidResponse);
            assert!(!e.message.chars().any(char::is_control));
        }
    }
});
