//! Every validator of `zis::validate` on the input string: never panics; a refusal is a
//! Validation error whose message starts with the field and has no control character; and
//! messages never depend on the value (they name the rule): across the whole run only a
//! handful of distinct messages may appear, where echoing the input would make millions.
#![no_main]

use std::collections::HashSet;
use std::sync::Mutex;

use libfuzzer_sys::fuzz_target;
use zisctl::zis::validate;
use zisctl::zis::{ErrorKind, Result};

type Validator = fn(&str) -> Result<()>;

const VALIDATORS: [(&str, Validator); 8] = [
    ("integration name", validate::integration_name),
    ("connection name", validate::connection_name),
    ("allowed domain", validate::allowed_domain),
    ("username", validate::username),
    ("header name", validate::header_name),
    ("password", |s| validate::secret("password", s)),
    ("api key", |s| validate::secret("api key", s)),
    ("token", |s| validate::secret("token", s)),
];

/// Every distinct message seen so far.
static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
/// More distinct messages than the rules can produce means a message carries the input.
const MAX_DISTINCT: usize = 48;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    for (field, check) in VALIDATORS {
        let Err(e) = check(&s) else { continue };
        assert_eq!(e.kind, ErrorKind::Validation);
        assert!(e.message.starts_with(field));
        assert!(!e.message.chars().any(char::is_control));
        assert!(e.message.len() <= 200, "a message longer than any rule");
        let mut seen = SEEN.lock().unwrap();
        let seen = seen.get_or_insert_with(HashSet::new);
        if !seen.contains(&e.message) {
            seen.insert(e.message);
        }
        assert!(
            seen.len() <= MAX_DISTINCT,
            "{} distinct validation messages: one depends on the input",
            seen.len()
        );
    }
});
