//! The token store: zisctl's [`TokenStore`], for one profile of one account.
//!
//! Where the secrets go (decided at the first write, then written in the index):
//! - the OS keyring through the `keyring` crate: on Linux the Secret Service (the desktop
//!   keyring, over D-Bus: pure-Rust zbus on tokio, called off the async threads as zbus
//!   needs), else the kernel keyring (keyutils); the macOS Keychain; the Windows Credential
//!   Manager;
//! - where no keyring answers, a 0600 file in the data directory
//!   (`auth/{profile}@{account}.secrets.json`), said once at login;
//! - `ZISCTL_TOKEN_STORE=auto|keyring|file` forces it (`keyring`: a keyring or an error).
//!   A sign-in already stored stays where it is until logout.
//!
//! One keyring entry per secret (Windows limits one to 2560 bytes): service `zisctl`, user
//! `{profile}@{account}/{slot}` with slot `login/access`, `login/refresh`, `cc/access`,
//! `zis/{integration}`; the account is the base URL's host and port, so that sandboxes on
//! other ports (tests in parallel) never share an entry. Beside them a non-secret 0600 index
//! (`auth/{profile}@{account}.json`: the method, client id, user, expiries, which ZIS tokens
//! are cached and their ids) answers `auth status` without touching the keyring, and says
//! whether anything is stored at all: a keyring entry the index does not name is never read
//! (a stale one left by an earlier sandbox on the same port cannot sign anyone in).
//!
//! Kernel keyring: keys go into the session keyring only. The crate also links each key into
//! the user's persistent keyring, which is refused where the process does not possess it
//! (containers, CI: the crate then reports a missing entry for every write), so the
//! credential is built with no persistent keyring. For a process with no session keyring of
//! its own (cron, CI, a shell without pam_keyinit) the session keyring is the user-session
//! keyring, shared by every process of the user: the tokens outlive the run, not a reboot.
//! Each key gets a timeout a day past the end of what it holds (90 days when that is not
//! said), so the kernel drops what is dead even if nobody logs out.
//!
//! Writes take the lock: `flock` on `auth/{profile}@{account}.lock` (a lock file made with
//! `create_new` elsewhere). The index and the secrets file are replaced by rename; a refresh
//! writes the new refresh token first, then the access token, then the index, all under the
//! lock.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use super::lock::lock_file;
use super::os_keyring::{keyring_delete, keyring_get, keyring_put};
use crate::zis::parse::parse_timestamp;
use crate::zis::{format_time, AdminTokens, Error, Result, StoreLock, TokenStore, User, ZisToken};

/// Forces where tokens are stored: `auto` (default), `keyring`, `file`.
pub const ENV_TOKEN_STORE: &str = "ZISCTL_TOKEN_STORE";

pub(super) const SERVICE: &str = "zisctl";

/// What `ZISCTL_TOKEN_STORE` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Auto,
    Keyring,
    File,
}

impl Choice {
    /// From `ZISCTL_TOKEN_STORE` (unset or empty: auto).
    pub fn from_env() -> Result<Choice> {
        Choice::parse(&std::env::var(ENV_TOKEN_STORE).unwrap_or_default())
    }

    pub fn parse(s: &str) -> Result<Choice> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Choice::Auto),
            "keyring" => Ok(Choice::Keyring),
            "file" => Ok(Choice::File),
            _ => Err(Error::config(format!(
                "{ENV_TOKEN_STORE}: one of auto, keyring, file"
            ))),
        }
    }
}

/// Where a store's secrets are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Backend {
    SecretService,
    Keyutils,
    MacosKeychain,
    WindowsCredentialManager,
    File,
}

impl Backend {
    /// The keyrings to try, best first, on this platform.
    fn keyrings() -> &'static [Backend] {
        #[cfg(target_os = "linux")]
        {
            &[Backend::SecretService, Backend::Keyutils]
        }
        #[cfg(target_os = "macos")]
        {
            &[Backend::MacosKeychain]
        }
        #[cfg(target_os = "windows")]
        {
            &[Backend::WindowsCredentialManager]
        }
        #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
        {
            &[]
        }
    }

    /// Said by `auth status` ("stored in ...").
    pub fn describe(self) -> &'static str {
        match self {
            Backend::SecretService => "the Secret Service keyring",
            Backend::Keyutils => "the kernel keyring (keyutils)",
            Backend::MacosKeychain => "the macOS Keychain",
            Backend::WindowsCredentialManager => "the Windows Credential Manager",
            Backend::File => "a 0600 file",
        }
    }
}

/// Which admin tokens of the profile this store holds for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A sign-in (`auth login`) with this OAuth client.
    Login { client_id: String },
    /// The client-credentials grant of this client.
    ClientCredentials { client_id: String },
}

impl Slot {
    fn prefix(&self) -> &'static str {
        match self {
            Slot::Login { .. } => "login",
            Slot::ClientCredentials { .. } => "cc",
        }
    }
}

/// The index: everything about the stored tokens but their values.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Index {
    pub version: u32,
    pub profile: String,
    pub account: String,
    /// Where the secrets are (None: nothing stored yet).
    pub store: Option<Backend>,
    pub login: Option<LoginRecord>,
    pub client_credentials: Option<CcRecord>,
    #[serde(default)]
    pub zis_tokens: BTreeMap<String, ZisRecord>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: Option<u64>,
    pub name: String,
    pub email: String,
    pub role: String,
}

/// A stored sign-in. Times are RFC 3339.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoginRecord {
    pub client_id: String,
    pub scope: Option<String>,
    pub user: Option<UserRecord>,
    pub signed_in_at: String,
    pub issued_at: String,
    pub access_expires_at: Option<String>,
    pub refresh_expires_at: Option<String>,
}

/// A stored client-credentials token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CcRecord {
    pub client_id: String,
    pub issued_at: String,
    pub access_expires_at: Option<String>,
}

/// A cached ZIS token, without its value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ZisRecord {
    pub id: Option<u64>,
    pub minted_at: String,
    pub expires_at: Option<String>,
}

fn time_of(s: &Option<String>) -> Option<OffsetDateTime> {
    s.as_deref().and_then(parse_timestamp)
}

/// RFC 3339, to the nanosecond: a 2-second test token cut to the second would end up to a
/// second early (`auth status` shows seconds).
fn stamp(t: OffsetDateTime) -> String {
    format_time(Some(t))
}

fn text_of(t: Option<OffsetDateTime>) -> Option<String> {
    t.map(stamp)
}

fn now_text() -> String {
    stamp(OffsetDateTime::now_utc())
}

/// zisctl's token store for one profile of one account.
pub struct Store {
    profile: String,
    account: String,
    slot: Option<Slot>,
    choice: Choice,
    dir: PathBuf,
    /// The keyrings tried, best first ([`Backend::keyrings`]; tests give none).
    keyrings: &'static [Backend],
    /// Said once: the secrets went to the file because no keyring answered.
    note: Mutex<Option<String>>,
}

impl Store {
    /// The store of `profile` at `account` in `dir` (the data directory's `auth`), new
    /// secrets going where `choice` says.
    pub fn new(
        dir: PathBuf,
        profile: &str,
        account: &str,
        slot: Option<Slot>,
        choice: Choice,
    ) -> Store {
        Store {
            profile: profile.to_string(),
            account: account.to_string(),
            slot,
            choice,
            dir,
            keyrings: Backend::keyrings(),
            note: Mutex::new(None),
        }
    }

    /// The store in the platform data directory, as `ZISCTL_TOKEN_STORE` says (None: there is
    /// no data directory).
    pub fn open(profile: &str, account: &str, slot: Option<Slot>) -> Result<Option<Store>> {
        let choice = Choice::from_env()?;
        Ok(crate::files::auth_dir().map(|dir| Store::new(dir, profile, account, slot, choice)))
    }

    /// The same store, holding `slot`'s admin tokens.
    pub fn with_slot(&self, slot: Option<Slot>) -> Store {
        let mut s = Store::new(
            self.dir.clone(),
            &self.profile,
            &self.account,
            slot,
            self.choice,
        );
        s.keyrings = self.keyrings;
        s
    }

    pub fn profile(&self) -> &str {
        &self.profile
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    fn stem(&self) -> String {
        let raw = format!("{}@{}", self.profile, self.account);
        raw.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-@".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }

    pub fn index_path(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.stem()))
    }

    pub fn secrets_path(&self) -> PathBuf {
        self.dir.join(format!("{}.secrets.json", self.stem()))
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join(format!("{}.lock", self.stem()))
    }

    /// "the kernel keyring (keyutils)", or the file's path.
    pub fn describe(&self, backend: Backend) -> String {
        match backend {
            Backend::File => format!("{} (0600)", self.secrets_path().display()),
            b => b.describe().to_string(),
        }
    }

    /// What is to be said once about where the tokens went (a keyring did not answer).
    pub fn take_note(&self) -> Option<String> {
        self.note.lock().ok().and_then(|mut n| n.take())
    }

    /// The index as stored (an empty one when there is none).
    pub fn index(&self) -> Result<Index> {
        match std::fs::read(self.index_path()) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|_| {
                Error::config(format!(
                    "the token index {} is not valid JSON: run `zisctl auth logout` and sign in \
                     again",
                    self.index_path().display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Index {
                version: 1,
                profile: self.profile.clone(),
                account: self.account.clone(),
                ..Index::default()
            }),
            Err(e) => Err(Error::config(format!(
                "cannot read the token index {}: {e}",
                self.index_path().display()
            ))),
        }
    }

    fn write_index(&self, index: &Index) -> Result<()> {
        let path = self.index_path();
        if index.login.is_none()
            && index.client_credentials.is_none()
            && index.zis_tokens.is_empty()
        {
            // Nothing stored: no index, and the next sign-in chooses the store anew.
            return match std::fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::config(format!(
                    "cannot remove {}: {e}",
                    path.display()
                ))),
            };
        }
        let bytes = serde_json::to_vec_pretty(index)
            .map_err(|_| Error::config("cannot encode the token index"))?;
        crate::files::write_private(&path, &bytes)
            .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))
    }

    fn slot(&self) -> Result<&Slot> {
        self.slot
            .as_ref()
            .ok_or_else(|| Error::config("this token store holds no admin sign-in"))
    }

    fn entry_name(&self, slot: &str) -> String {
        format!("{}@{}/{slot}", self.profile, self.account)
    }

    // ----- secrets ------------------------------------------------------------------------

    /// Where new secrets go: the index's store, else the first that takes this one.
    fn put_first(&self, index: &mut Index, name: &str, value: &str, ttl: u64) -> Result<()> {
        if let Some(b) = index.store {
            return self.put(b, name, value, ttl);
        }
        let mut tried = Vec::new();
        if self.choice != Choice::File {
            for &b in self.keyrings {
                match self.put(b, name, value, ttl) {
                    Ok(()) => {
                        index.store = Some(b);
                        return Ok(());
                    }
                    Err(e) => {
                        tracing::info!(store = b.describe(), error = %e, "keyring did not answer");
                        tried.push(b.describe());
                    }
                }
            }
            if self.choice == Choice::Keyring {
                return Err(Error::config(format!(
                    "no OS keyring answered ({} tried) and {ENV_TOKEN_STORE}=keyring",
                    if tried.is_empty() {
                        "none on this platform".to_string()
                    } else {
                        tried.join(", ")
                    }
                )));
            }
        }
        self.put(Backend::File, name, value, ttl)?;
        index.store = Some(Backend::File);
        if self.choice == Choice::Auto {
            if let Ok(mut n) = self.note.lock() {
                *n = Some(format!(
                    "stored in {}: no OS keyring answered",
                    self.secrets_path().display()
                ));
            }
        }
        Ok(())
    }

    fn put(&self, backend: Backend, name: &str, value: &str, ttl: u64) -> Result<()> {
        match backend {
            Backend::File => self.file_update(|m| {
                m.insert(name.to_string(), value.to_string());
            }),
            b => keyring_put(b, name, value, ttl).map_err(|e| store_error(b, "write", &e)),
        }
    }

    fn get(&self, backend: Backend, name: &str) -> Result<Option<Zeroizing<String>>> {
        match backend {
            Backend::File => {
                let m = self.file_read()?;
                Ok(m.0.get(name).map(|v| Zeroizing::new(v.clone())))
            }
            b => keyring_get(b, name).map_err(|e| store_error(b, "read", &e)),
        }
    }

    fn delete(&self, backend: Backend, name: &str) -> Result<()> {
        match backend {
            Backend::File => self.file_update(|m| {
                m.remove(name);
            }),
            b => keyring_delete(b, name).map_err(|e| store_error(b, "delete", &e)),
        }
    }

    fn file_read(&self) -> Result<SecretsFile> {
        let path = self.secrets_path();
        match std::fs::read(&path) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                serde_json::from_slice::<SecretsFile>(&bytes).map_err(|_| {
                    Error::config(format!("the token file {} is not valid", path.display()))
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SecretsFile::default()),
            Err(e) => Err(Error::config(format!(
                "cannot read the token file {}: {e}",
                path.display()
            ))),
        }
    }

    fn file_update(&self, f: impl FnOnce(&mut BTreeMap<String, String>)) -> Result<()> {
        let path = self.secrets_path();
        let mut m = self.file_read()?;
        f(&mut m.0);
        if m.0.is_empty() {
            return match std::fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(Error::config(format!(
                    "cannot remove {}: {e}",
                    path.display()
                ))),
            };
        }
        let bytes = Zeroizing::new(
            serde_json::to_vec(&m).map_err(|_| Error::config("cannot encode the token file"))?,
        );
        crate::files::write_private(&path, &bytes)
            .map_err(|e| Error::config(format!("cannot write {}: {e}", path.display())))
    }

    // ----- what only zisctl asks ------------------------------------------------------------

    /// The stored sign-in, if any (from the index alone).
    pub fn login(&self) -> Result<Option<LoginRecord>> {
        Ok(self.index()?.login)
    }

    /// Record who signed in (after `users/me`).
    pub fn set_user(&self, _lock: &StoreLock, user: &User) -> Result<()> {
        let mut index = self.index()?;
        if let Some(l) = index.login.as_mut() {
            l.user = Some(UserRecord {
                id: user.id,
                name: user.name.clone(),
                email: user.email.clone(),
                role: user.role.clone(),
            });
        }
        self.write_index(&index)
    }

    /// Forget every stored token of this profile and account (whatever their slot), and the
    /// index. Returns how many entries were removed.
    pub fn forget_all(&self, _lock: &StoreLock) -> Result<usize> {
        let index = self.index()?;
        let mut n = 0;
        if let Some(b) = index.store {
            let mut names: Vec<String> = Vec::new();
            if index.login.is_some() {
                names.push(self.entry_name("login/access"));
                names.push(self.entry_name("login/refresh"));
            }
            if index.client_credentials.is_some() {
                names.push(self.entry_name("cc/access"));
            }
            for k in index.zis_tokens.keys() {
                names.push(self.entry_name(&format!("zis/{k}")));
            }
            for name in names {
                self.delete(b, &name)?;
                n += 1;
            }
        }
        self.write_index(&Index::default())?;
        Ok(n)
    }
}

/// The 0600 token file: entry name -> secret. Its values are wiped when it is dropped.
#[derive(Default, Serialize, Deserialize)]
#[serde(transparent)]
struct SecretsFile(BTreeMap<String, String>);

impl Drop for SecretsFile {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for v in self.0.values_mut() {
            v.zeroize();
        }
    }
}

fn store_error(b: Backend, what: &str, e: &str) -> Error {
    Error::config(format!("{}: cannot {what} a token ({e})", b.describe()))
}

/// Seconds a key holding something that ends at `end` is kept: a day past it, or 90 days.
fn ttl_for(end: Option<OffsetDateTime>) -> u64 {
    let now = OffsetDateTime::now_utc();
    match end {
        Some(e) => ((e - now).whole_seconds().max(0) as u64) + 86_400,
        None => 90 * 86_400,
    }
}

impl TokenStore for Store {
    fn lock(&self) -> Result<StoreLock> {
        crate::files::create_private_dir(&self.dir)
            .map_err(|e| Error::config(format!("cannot create {}: {e}", self.dir.display())))?;
        lock_file(&self.lock_path()).map(StoreLock::new)
    }

    fn admin_tokens(&self) -> Result<Option<AdminTokens>> {
        let slot = self.slot()?;
        let index = self.index()?;
        let (issued, access_end, refresh_end) = match slot {
            Slot::Login { .. } => match &index.login {
                Some(l) => (
                    l.issued_at.clone(),
                    time_of(&l.access_expires_at),
                    time_of(&l.refresh_expires_at),
                ),
                None => return Ok(None),
            },
            Slot::ClientCredentials { client_id } => match &index.client_credentials {
                // Another client's token is not ours.
                Some(c) if &c.client_id == client_id => {
                    (c.issued_at.clone(), time_of(&c.access_expires_at), None)
                }
                _ => return Ok(None),
            },
        };
        let Some(backend) = index.store else {
            return Ok(None);
        };
        let p = slot.prefix();
        let access = self.get(backend, &self.entry_name(&format!("{p}/access")))?;
        let refresh = match slot {
            Slot::Login { .. } => self.get(backend, &self.entry_name("login/refresh"))?,
            Slot::ClientCredentials { .. } => None,
        };
        let gone = || {
            Error::signed_out(format!(
                "the stored sign-in of profile {} is gone from {} (a kernel keyring does not \
                 outlive a reboot)",
                self.profile,
                backend.describe()
            ))
        };
        let access = match (access, slot) {
            (Some(a), _) => a,
            (None, Slot::ClientCredentials { .. }) => return Ok(None),
            (None, Slot::Login { .. }) => return Err(gone()),
        };
        if matches!(slot, Slot::Login { .. }) && refresh.is_none() {
            return Err(gone());
        }
        Ok(Some(AdminTokens {
            access_token: SecretString::from(access.to_string()),
            refresh_token: refresh.map(|r| SecretString::from(r.to_string())),
            access_expires_at: access_end,
            refresh_expires_at: refresh_end,
            issued_at: parse_timestamp(&issued).unwrap_or(OffsetDateTime::UNIX_EPOCH),
            scope: index.login.and_then(|l| l.scope),
        }))
    }

    fn save_admin_tokens(&self, _lock: &StoreLock, t: &AdminTokens) -> Result<()> {
        let slot = self.slot()?.clone();
        let mut index = self.index()?;
        let p = slot.prefix();
        let keep_until = ttl_for(t.refresh_expires_at.or(t.access_expires_at));
        // The refresh token first: the server has already killed the old one.
        if let Some(r) = &t.refresh_token {
            let name = self.entry_name(&format!("{p}/refresh"));
            self.put_first(&mut index, &name, r.expose_secret(), keep_until)?;
        }
        let name = self.entry_name(&format!("{p}/access"));
        self.put_first(
            &mut index,
            &name,
            t.access_token.expose_secret(),
            keep_until,
        )?;
        match slot {
            Slot::Login { client_id } => {
                let old = index.login.take().unwrap_or_default();
                index.login = Some(LoginRecord {
                    client_id,
                    scope: t.scope.clone().or(old.scope),
                    user: old.user,
                    signed_in_at: if old.signed_in_at.is_empty() {
                        now_text()
                    } else {
                        old.signed_in_at
                    },
                    issued_at: stamp(t.issued_at),
                    access_expires_at: text_of(t.access_expires_at),
                    refresh_expires_at: text_of(t.refresh_expires_at),
                });
            }
            Slot::ClientCredentials { client_id } => {
                index.client_credentials = Some(CcRecord {
                    client_id,
                    issued_at: stamp(t.issued_at),
                    access_expires_at: text_of(t.access_expires_at),
                });
            }
        }
        self.write_index(&index)
    }

    fn forget_admin_tokens(&self, _lock: &StoreLock) -> Result<()> {
        let slot = self.slot()?.clone();
        let mut index = self.index()?;
        if let Some(b) = index.store {
            let p = slot.prefix();
            self.delete(b, &self.entry_name(&format!("{p}/access")))?;
            if matches!(slot, Slot::Login { .. }) {
                self.delete(b, &self.entry_name("login/refresh"))?;
            }
        }
        match slot {
            Slot::Login { .. } => index.login = None,
            Slot::ClientCredentials { .. } => index.client_credentials = None,
        }
        self.write_index(&index)
    }

    fn zis_token(&self, integration: &str) -> Result<Option<ZisToken>> {
        let index = self.index()?;
        let (Some(rec), Some(b)) = (index.zis_tokens.get(integration), index.store) else {
            return Ok(None);
        };
        let Some(v) = self.get(b, &self.entry_name(&format!("zis/{integration}")))? else {
            return Ok(None);
        };
        Ok(Some(ZisToken {
            token: SecretString::from(v.to_string()),
            id: rec.id,
            expires_at: time_of(&rec.expires_at),
            minted_at: parse_timestamp(&rec.minted_at).unwrap_or(OffsetDateTime::UNIX_EPOCH),
        }))
    }

    fn save_zis_token(&self, _lock: &StoreLock, integration: &str, t: &ZisToken) -> Result<()> {
        let mut index = self.index()?;
        let name = self.entry_name(&format!("zis/{integration}"));
        self.put_first(
            &mut index,
            &name,
            t.token.expose_secret(),
            ttl_for(t.expires_at),
        )?;
        index.zis_tokens.insert(
            integration.to_string(),
            ZisRecord {
                id: t.id,
                minted_at: stamp(t.minted_at),
                expires_at: text_of(t.expires_at),
            },
        );
        self.write_index(&index)
    }

    fn forget_zis_token(&self, _lock: &StoreLock, integration: &str) -> Result<()> {
        let mut index = self.index()?;
        if index.zis_tokens.remove(integration).is_some() {
            if let Some(b) = index.store {
                self.delete(b, &self.entry_name(&format!("zis/{integration}")))?;
            }
        }
        self.write_index(&index)
    }

    fn zis_tokens(&self) -> Result<Vec<(String, ZisToken)>> {
        let names: Vec<String> = self.index()?.zis_tokens.keys().cloned().collect();
        let mut out = Vec::new();
        for n in names {
            if let Some(t) = self.zis_token(&n)? {
                out.push((n, t));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(access: &str, refresh: Option<&str>, ttl: i64) -> AdminTokens {
        let now = OffsetDateTime::now_utc();
        AdminTokens {
            access_token: SecretString::from(access.to_string()),
            refresh_token: refresh.map(|r| SecretString::from(r.to_string())),
            access_expires_at: Some(now + time::Duration::seconds(ttl)),
            refresh_expires_at: refresh.map(|_| now + time::Duration::days(30)),
            issued_at: now,
            scope: Some("read write".into()),
        }
    }

    fn zis(token: &str, id: u64) -> ZisToken {
        ZisToken {
            token: SecretString::from(token.to_string()),
            id: Some(id),
            expires_at: None,
            minted_at: OffsetDateTime::now_utc(),
        }
    }

    /// A profile no other test (nor an earlier run) uses: the kernel keyring is shared.
    fn unique_profile() -> String {
        format!("test{:016x}", rand::random::<u64>())
    }

    fn login_slot() -> Option<Slot> {
        Some(Slot::Login {
            client_id: "zisctl_test_public".into(),
        })
    }

    /// Save, read back, rotate, cache ZIS tokens, forget: the same on every backend. Returns
    /// the index as written after the rotation (for the caller's own checks).
    fn round_trip(store: &Store) -> Index {
        let lock = store.lock().unwrap();
        assert!(store.admin_tokens().unwrap().is_none());
        store
            .save_admin_tokens(&lock, &tokens("acc-1-Zq", Some("ref-1-Zq"), 1800))
            .unwrap();
        let t = store.admin_tokens().unwrap().unwrap();
        assert_eq!(t.access_token.expose_secret(), "acc-1-Zq");
        assert_eq!(
            t.refresh_token.as_ref().map(|r| r.expose_secret()),
            Some("ref-1-Zq")
        );
        assert!(t.access_expires_at.is_some() && t.refresh_expires_at.is_some());
        // A refresh replaces the pair at once.
        store
            .save_admin_tokens(&lock, &tokens("acc-2-Zq", Some("ref-2-Zq"), 1800))
            .unwrap();
        let t = store.admin_tokens().unwrap().unwrap();
        assert_eq!(t.access_token.expose_secret(), "acc-2-Zq");
        assert_eq!(
            t.refresh_token.as_ref().map(|r| r.expose_secret()),
            Some("ref-2-Zq")
        );
        store
            .set_user(
                &lock,
                &User {
                    id: Some(1),
                    name: "Ann".into(),
                    email: "ann@x".into(),
                    role: "admin".into(),
                },
            )
            .unwrap();
        store
            .save_zis_token(&lock, "crm", &zis("zis-crm-Zq", 41))
            .unwrap();
        store
            .save_zis_token(&lock, "erp", &zis("zis-erp-Zq", 42))
            .unwrap();
        let z = store.zis_token("crm").unwrap().unwrap();
        assert_eq!((z.token.expose_secret(), z.id), ("zis-crm-Zq", Some(41)));
        assert_eq!(store.zis_tokens().unwrap().len(), 2);
        let index = store.index().unwrap();
        assert_eq!(
            index
                .login
                .as_ref()
                .and_then(|l| l.user.as_ref())
                .map(|u| u.name.as_str()),
            Some("Ann")
        );
        assert_eq!(index.zis_tokens["erp"].id, Some(42));
        // The index holds no value.
        let text = std::fs::read_to_string(store.index_path()).unwrap();
        for v in [
            "acc-2-Zq",
            "ref-2-Zq",
            "zis-crm-Zq",
            "zis-erp-Zq",
            "acc-1-Zq",
        ] {
            assert!(!text.contains(v), "a token in the index");
        }
        store.forget_zis_token(&lock, "crm").unwrap();
        assert!(store.zis_token("crm").unwrap().is_none());
        store.forget_admin_tokens(&lock).unwrap();
        assert!(store.admin_tokens().unwrap().is_none());
        assert!(store.login().unwrap().is_none());
        assert_eq!(store.forget_all(&lock).unwrap(), 1);
        assert!(!store.index_path().exists(), "nothing stored: no index");
        index
    }

    #[test]
    #[cfg(unix)]
    fn file_round_trip_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let store = Store::new(
            d.path().join("auth"),
            "default",
            "127.0.0.1:1",
            login_slot(),
            Choice::File,
        );
        {
            let lock = store.lock().unwrap();
            store
                .save_admin_tokens(&lock, &tokens("acc-f", Some("ref-f"), 60))
                .unwrap();
        }
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&store.secrets_path()), 0o600);
        assert_eq!(mode(&store.index_path()), 0o600);
        assert_eq!(mode(&d.path().join("auth")), 0o700);
        assert_eq!(store.index().unwrap().store, Some(Backend::File));
        // No keyring was asked to hold it.
        assert!(
            store.take_note().is_none(),
            "forced, not a fallback: nothing to say"
        );
        {
            let lock = store.lock().unwrap();
            store.forget_all(&lock).unwrap();
        }
        assert!(!store.secrets_path().exists());
        let index = round_trip(&store);
        assert_eq!(index.store, Some(Backend::File));
        assert!(
            !store.secrets_path().exists(),
            "an empty token file is removed"
        );
    }

    /// The real kernel keyring (or the Secret Service, where one answers): nothing in a file.
    #[test]
    #[cfg(target_os = "linux")]
    fn keyring_round_trip() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::new(
            d.path().join("auth"),
            &unique_profile(),
            "127.0.0.1:1",
            login_slot(),
            Choice::Keyring,
        );
        let index = round_trip(&store);
        assert!(
            matches!(
                index.store,
                Some(Backend::Keyutils | Backend::SecretService)
            ),
            "{:?}",
            index.store
        );
        assert!(!store.secrets_path().exists(), "no token file");
    }

    /// In the kernel keyring the key is there, under the profile and account, while stored;
    /// it has a timeout; and it is gone after forget.
    #[test]
    #[cfg(target_os = "linux")]
    fn keyutils_keys_are_named_by_profile_and_account() {
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        let d = tempfile::tempdir().unwrap();
        let profile = unique_profile();
        let store = Store::new(
            d.path().join("auth"),
            &profile,
            "127.0.0.1:2",
            login_slot(),
            Choice::Keyring,
        );
        let lock = store.lock().unwrap();
        store
            .save_admin_tokens(&lock, &tokens("acc-k", Some("ref-k"), 60))
            .unwrap();
        if store.index().unwrap().store != Some(Backend::Keyutils) {
            // A Secret Service answered first: the keyutils naming does not apply.
            store.forget_all(&lock).unwrap();
            return;
        }
        let ring = KeyRing::from_special_id(KeyRingIdentifier::Session, false).unwrap();
        let desc = format!("zisctl:{profile}@127.0.0.1:2/login/refresh");
        let key = ring.search(&desc).expect("the refresh token's key");
        assert_eq!(key.read_to_vec().unwrap(), b"ref-k");
        // Another account (port) of the same profile is another key.
        let other = Store::new(
            d.path().join("auth"),
            &profile,
            "127.0.0.1:3",
            login_slot(),
            Choice::Keyring,
        );
        assert!(other.admin_tokens().unwrap().is_none());
        store.forget_all(&lock).unwrap();
        assert!(ring.search(&desc).is_err(), "forgotten in the kernel too");
    }

    /// A keyring entry the index does not name (left by an earlier sandbox on the same port)
    /// is never read.
    #[test]
    #[cfg(target_os = "linux")]
    fn entries_without_an_index_are_ignored() {
        let d = tempfile::tempdir().unwrap();
        let profile = unique_profile();
        let name = format!("{profile}@127.0.0.1:4/login/access");
        keyring_put(Backend::Keyutils, &name, "stale", 60).unwrap();
        keyring_put(
            Backend::Keyutils,
            &format!("{profile}@127.0.0.1:4/login/refresh"),
            "stale",
            60,
        )
        .unwrap();
        let store = Store::new(
            d.path().join("auth"),
            &profile,
            "127.0.0.1:4",
            login_slot(),
            Choice::Keyring,
        );
        assert!(store.admin_tokens().unwrap().is_none());
        keyring_delete(Backend::Keyutils, &name).unwrap();
        keyring_delete(
            Backend::Keyutils,
            &format!("{profile}@127.0.0.1:4/login/refresh"),
        )
        .unwrap();
    }

    /// A sign-in whose secrets left the keyring (a reboot) says so: signed out.
    #[test]
    fn a_vanished_secret_is_signed_out() {
        let d = tempfile::tempdir().unwrap();
        let store = Store::new(
            d.path().join("auth"),
            "default",
            "127.0.0.1:5",
            login_slot(),
            Choice::File,
        );
        let lock = store.lock().unwrap();
        store
            .save_admin_tokens(&lock, &tokens("a", Some("r"), 60))
            .unwrap();
        std::fs::remove_file(store.secrets_path()).unwrap();
        let e = store.admin_tokens().err().unwrap();
        assert_eq!(e.kind, crate::zis::ErrorKind::SignedOut);
        // A client-credentials token that left is only a token to get again.
        let cc = store.with_slot(Some(Slot::ClientCredentials {
            client_id: "conf".into(),
        }));
        cc.save_admin_tokens(&lock, &tokens("c", None, 60)).unwrap();
        std::fs::remove_file(store.secrets_path()).unwrap();
        assert!(cc.admin_tokens().unwrap().is_none());
        // Another client's cached token is not handed out.
        cc.save_admin_tokens(&lock, &tokens("c", None, 60)).unwrap();
        let other = store.with_slot(Some(Slot::ClientCredentials {
            client_id: "another".into(),
        }));
        assert!(other.admin_tokens().unwrap().is_none());
    }

    /// The lock excludes another holder (another open of the file: another process does the
    /// same), and is free again once dropped.
    #[test]
    #[cfg(unix)]
    fn the_lock_excludes() {
        use std::os::unix::io::AsRawFd;
        let d = tempfile::tempdir().unwrap();
        let store = Store::new(
            d.path().join("auth"),
            "default",
            "127.0.0.1:6",
            login_slot(),
            Choice::File,
        );
        let try_lock = || {
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(store.lock_path())
                .unwrap();
            // SAFETY: a non-blocking flock on a descriptor owned by `f`.
            let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            rc == 0
        };
        let held = store.lock().unwrap();
        assert!(!try_lock(), "held: nobody else gets it");
        drop(held);
        assert!(try_lock(), "released");
        // A second lock() waits for the first: a thread takes it once the first is dropped.
        let held = store.lock().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                let _second = store.lock().unwrap();
                tx.send(()).unwrap();
            });
            assert!(rx.try_recv().is_err());
            drop(held);
            rx.recv().unwrap();
        });
    }

    /// Where no keyring answers: the 0600 file, said once (auto); an error (keyring).
    #[test]
    fn no_keyring_falls_back_to_the_file() {
        let d = tempfile::tempdir().unwrap();
        let mut store = Store::new(
            d.path().join("auth"),
            "default",
            "127.0.0.1:7",
            login_slot(),
            Choice::Auto,
        );
        store.keyrings = &[];
        let lock = store.lock().unwrap();
        store
            .save_admin_tokens(&lock, &tokens("a", Some("r"), 60))
            .unwrap();
        assert_eq!(store.index().unwrap().store, Some(Backend::File));
        let note = store.take_note().expect("said once");
        assert_eq!(
            note,
            format!(
                "stored in {}: no OS keyring answered",
                store.secrets_path().display()
            )
        );
        assert!(store.take_note().is_none(), "once");
        let mut forced = store.with_slot(login_slot());
        forced.choice = Choice::Keyring;
        forced.forget_all(&lock).unwrap();
        let e = forced
            .save_admin_tokens(&lock, &tokens("a", Some("r"), 60))
            .expect_err("no keyring: refused");
        assert!(
            e.message.contains("ZISCTL_TOKEN_STORE=keyring"),
            "{}",
            e.message
        );
        assert!(!forced.secrets_path().exists(), "nothing written to a file");
    }

    #[test]
    fn choices_parse() {
        assert_eq!(Choice::parse("").unwrap(), Choice::Auto);
        assert_eq!(Choice::parse(" File ").unwrap(), Choice::File);
        assert_eq!(Choice::parse("keyring").unwrap(), Choice::Keyring);
        let e = Choice::parse("vault").err().unwrap();
        assert!(e.message.contains("auto, keyring, file"));
    }

    #[test]
    fn ttls_outlast_what_they_hold() {
        let now = OffsetDateTime::now_utc();
        assert!(ttl_for(Some(now + time::Duration::seconds(10))) >= 86_400);
        assert_eq!(ttl_for(None), 90 * 86_400);
        assert_eq!(ttl_for(Some(now - time::Duration::days(3))), 86_400);
    }
}
