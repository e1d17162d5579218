//! Password generation from the OS CSPRNG: pure, no I/O but the random source. Applying a
//! password to a connection is the client's (`zis::Client::apply_password`).
use secrecy::SecretString;

use crate::zis::{Error, ErrorKind, Result};

/// Character sets for generated passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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
    use rand::rngs::OsRng;
    use rand::TryRngCore;
    if !(MIN_LENGTH..=MAX_LENGTH).contains(&length) {
        return Err(Error::validation(
            "length",
            format!("between {MIN_LENGTH} and {MAX_LENGTH} characters"),
        ));
    }
    let alphabet: Vec<u8> = match charset {
        Charset::Alnum => ALNUM.to_vec(),
        Charset::Default => [ALNUM, SYMBOLS].concat(),
    };
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
            && (charset == Charset::Alnum || out.bytes().any(|b| SYMBOLS.contains(&b)));
        if ok {
            return Ok(SecretString::from(out.to_string()));
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
}
