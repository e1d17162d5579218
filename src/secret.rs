//! Password generation from the OS CSPRNG: pure, no I/O but the random source. Applying a
//! password to a connection is the client's (`zis::Client::apply_password`).
use secrecy::SecretString;

use crate::zis::{Error, ErrorKind, Result};

/// Character sets for generated passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Charset {
    /// Letters, digits and symbols that survive shells, URLs and config files.
    #[default]
    Default,
    /// Letters and digits only.
    Alnum,
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SYMBOLS: &[u8] = b"!#%+-.=?@^_~";

pub const MIN_LENGTH: usize = 12;

/// True for an environment variable a child program (a `*_command`, a rotation recipe's
/// command) must not inherit: a `ZENDESK_`, `ZIS_` or `ZISCTL_` name with TOKEN, SECRET,
/// PASSWORD or KEY in it. The child keeps the rest (PATH, HOME, the agent sockets of a
/// password manager), and nothing another process of the user could read from its
/// `/proc/PID/environ` holds one of zisctl's secrets.
pub fn is_secret_env(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["ZENDESK_", "ZIS_", "ZISCTL_"]
        .iter()
        .any(|p| upper.starts_with(p))
        && ["TOKEN", "SECRET", "PASSWORD", "KEY"]
            .iter()
            .any(|w| upper.contains(w))
}
pub const MAX_LENGTH: usize = 256;

/// A fresh password of `length` characters from the OS CSPRNG, with at least one upper-case
/// letter, one lower-case letter, one digit (and one symbol for [`Charset::Default`]).
pub fn generate(length: usize, charset: Charset) -> Result<SecretString> {
    Policy {
        length,
        charset,
        exclude: String::new(),
    }
    .generate()
}

/// The fewest characters a generator's alphabet may keep after `password_exclude`.
pub const MIN_ALPHABET: usize = 32;

/// How passwords are generated: a length, a named charset, characters a target refuses. A
/// profile's `password_length`, `password_charset` and `password_exclude`; the default is 32
/// characters of [`Charset::Default`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub length: usize,
    pub charset: Charset,
    /// Characters never used (`"~^?#"` for a target that refuses them).
    pub exclude: String,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            length: 32,
            charset: Charset::Default,
            exclude: String::new(),
        }
    }
}

impl Policy {
    /// A checked policy; the error names the key and the rule it breaks.
    pub fn new(
        length: usize,
        charset: Charset,
        exclude: &str,
    ) -> std::result::Result<Policy, String> {
        if !(MIN_LENGTH..=MAX_LENGTH).contains(&length) {
            return Err(format!(
                "password_length: between {MIN_LENGTH} and {MAX_LENGTH} characters (got {length})"
            ));
        }
        let p = Policy {
            length,
            charset,
            exclude: exclude.to_string(),
        };
        let alphabet = p.alphabet();
        let has = |f: fn(&u8) -> bool| alphabet.iter().any(f);
        if !(has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit))
        {
            return Err(
                "password_exclude: a password needs an upper-case letter, a lower-case letter \
                 and a digit; keep at least one of each"
                    .to_string(),
            );
        }
        if alphabet.len() < MIN_ALPHABET {
            return Err(format!(
                "password_exclude leaves {} characters to choose from; keep at least \
                 {MIN_ALPHABET}",
                alphabet.len()
            ));
        }
        Ok(p)
    }

    /// The characters a password is drawn from.
    pub fn alphabet(&self) -> Vec<u8> {
        let base: Vec<u8> = match self.charset {
            Charset::Alnum => ALNUM.to_vec(),
            Charset::Default => [ALNUM, SYMBOLS].concat(),
        };
        base.into_iter()
            .filter(|b| !self.exclude.as_bytes().contains(b))
            .collect()
    }

    /// A fresh password from the OS CSPRNG, with at least one upper-case letter, one
    /// lower-case letter, one digit, and one symbol when the alphabet keeps any.
    pub fn generate(&self) -> Result<SecretString> {
        use rand::rngs::OsRng;
        use rand::TryRngCore;
        let length = self.length;
        if !(MIN_LENGTH..=MAX_LENGTH).contains(&length) {
            return Err(Error::validation(
                "length",
                format!("between {MIN_LENGTH} and {MAX_LENGTH} characters"),
            ));
        }
        let alphabet = self.alphabet();
        let has_class = |f: fn(&u8) -> bool| alphabet.iter().any(f);
        if !(has_class(u8::is_ascii_uppercase)
            && has_class(u8::is_ascii_lowercase)
            && has_class(u8::is_ascii_digit))
        {
            return Err(Error::validation(
                "password_exclude",
                "keep an upper-case letter, a lower-case letter and a digit",
            ));
        }
        let symbols = alphabet.iter().any(|b| SYMBOLS.contains(b));
        let mut rng = OsRng;
        let mut pick = |n: usize| -> Result<usize> {
            // Rejection sampling: no modulo bias.
            let zone = u32::MAX - (u32::MAX % n as u32);
            loop {
                let v = rng
                    .try_next_u32()
                    .map_err(|_| Error::new(ErrorKind::Config, "the OS random source failed"))?;
                if v < zone {
                    return Ok((v % n as u32) as usize);
                }
            }
        };
        loop {
            let mut out = zeroize::Zeroizing::new(String::with_capacity(length));
            for _ in 0..length {
                out.push(alphabet[pick(alphabet.len())?] as char);
            }
            let has = |f: fn(&u8) -> bool| out.bytes().any(|b| f(&b));
            let ok = has(u8::is_ascii_uppercase)
                && has(u8::is_ascii_lowercase)
                && has(u8::is_ascii_digit)
                && (!symbols || out.bytes().any(|b| SYMBOLS.contains(&b)));
            if ok {
                return Ok(SecretString::from(out.to_string()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn generated_passwords_follow_the_charset() {
        for _ in 0..50 {
            let p = generate(32, Charset::Default).unwrap();
            let s = p.expose_secret();
            assert_eq!(s.len(), 32);
            assert!(s
                .bytes()
                .all(|b| ALNUM.contains(&b) || SYMBOLS.contains(&b)));
            assert!(s.bytes().any(|b| SYMBOLS.contains(&b)));
            let a = generate(20, Charset::Alnum).unwrap();
            assert!(a.expose_secret().bytes().all(|b| b.is_ascii_alphanumeric()));
        }
        assert!(generate(4, Charset::Default).is_err());
        assert!(generate(10_000, Charset::Default).is_err());
    }

    #[test]
    fn generated_passwords_differ() {
        let a = generate(32, Charset::Default).unwrap();
        let b = generate(32, Charset::Default).unwrap();
        assert!(a.expose_secret() != b.expose_secret());
    }

    #[test]
    fn a_policy_leaves_out_what_the_target_refuses() {
        let p = Policy::new(20, Charset::Default, "~^?#").unwrap();
        for _ in 0..50 {
            let pw = p.generate().unwrap();
            let s = pw.expose_secret();
            assert_eq!(s.len(), 20);
            assert!(!s.contains(['~', '^', '?', '#']));
            assert!(s.bytes().any(|b| SYMBOLS.contains(&b)));
        }
        // Every symbol left out: letters and digits, no endless search for a symbol.
        let p = Policy::new(16, Charset::Default, std::str::from_utf8(SYMBOLS).unwrap()).unwrap();
        assert!(p
            .generate()
            .unwrap()
            .expose_secret()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric()));
        let p = Policy::new(16, Charset::Alnum, "0Oo1lI").unwrap();
        assert!(!p
            .generate()
            .unwrap()
            .expose_secret()
            .contains(['0', 'O', 'o', '1', 'l', 'I']));
    }

    #[test]
    fn a_policy_that_breaks_a_rule_is_refused_naming_it() {
        let e = Policy::new(8, Charset::Default, "").unwrap_err();
        assert!(e.starts_with("password_length: between 12 and 256"), "{e}");
        assert!(Policy::new(257, Charset::Default, "").is_err());
        assert!(Policy::new(12, Charset::Default, "").is_ok());
        assert!(Policy::new(256, Charset::Alnum, "").is_ok());
        let e = Policy::new(16, Charset::Alnum, "0123456789").unwrap_err();
        assert!(e.contains("a digit"), "{e}");
        let e = Policy::new(16, Charset::Alnum, "ABCDEFGHIJKLMNOPQRSTUVWXYabcdef").unwrap_err();
        assert!(
            e.contains("leaves 31 characters") && e.contains("at least 32"),
            "{e}"
        );
    }
}
