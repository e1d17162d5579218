//! The stand-in target system (sandbox-only, not ZIS): the service a basic_auth connection's
//! credential is for, so a rotation can be carried out end to end. It knows usernames and
//! their passwords, takes a password change, and answers a Basic-auth check.
use std::collections::BTreeMap;

use secrecy::SecretString;

use super::helpers::secret_eq;

/// One account at the target. Not `Debug`: it holds a password.
pub(crate) struct TargetUser {
    password: SecretString,
    /// How many times its password was changed.
    pub(crate) changes: u32,
}

/// Why a password change was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TargetRefusal {
    /// `old_password` was given and is not the current one.
    WrongOldPassword,
}

#[derive(Default)]
pub(crate) struct Target {
    users: BTreeMap<String, TargetUser>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("users", &self.users.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Target {
    /// Set `username`'s password (the account is created when new). With `old`, the current
    /// password must be it.
    pub(crate) fn set_password(
        &mut self,
        username: &str,
        new: SecretString,
        old: Option<&str>,
    ) -> Result<(), TargetRefusal> {
        match self.users.get_mut(username) {
            Some(u) => {
                if let Some(old) = old {
                    if !secret_eq(&u.password, old) {
                        return Err(TargetRefusal::WrongOldPassword);
                    }
                }
                u.password = new;
                u.changes += 1;
            }
            None => {
                self.users.insert(
                    username.to_string(),
                    TargetUser {
                        password: new,
                        changes: 1,
                    },
                );
            }
        }
        Ok(())
    }

    /// True when `username` exists and `password` is its password.
    pub(crate) fn check(&self, username: &str, password: &str) -> bool {
        self.users
            .get(username)
            .is_some_and(|u| secret_eq(&u.password, password))
    }

    /// Every account with its change count (never a password).
    pub(crate) fn users(&self) -> impl Iterator<Item = (&str, &TargetUser)> {
        self.users.iter().map(|(n, u)| (n.as_str(), u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_replaces_the_password_and_checks_the_old_one_when_given() {
        let mut t = Target::default();
        t.set_password("svc", SecretString::from("one".to_string()), None)
            .unwrap();
        assert!(t.check("svc", "one"));
        assert_eq!(
            t.set_password("svc", SecretString::from("two".to_string()), Some("wrong")),
            Err(TargetRefusal::WrongOldPassword)
        );
        assert!(t.check("svc", "one"));
        t.set_password("svc", SecretString::from("two".to_string()), Some("one"))
            .unwrap();
        assert!(t.check("svc", "two") && !t.check("svc", "one"));
        assert!(!t.check("nobody", "two"));
        assert_eq!(t.users().next().unwrap().1.changes, 2);
    }
}
