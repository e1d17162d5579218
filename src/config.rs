//! Profiles, credential sources and file-permission checks.
//!
//! Precedence, highest first: command-line flags, environment (`ZISCTL_BASE_URL`,
//! `ZENDESK_EMAIL`, `ZENDESK_API_TOKEN`, `ZIS_OAUTH_TOKEN`, `ZENDESK_OAUTH_CLIENT_ID`,
//! `ZENDESK_OAUTH_CLIENT_SECRET`), the profile in the config file.
//! Secrets come from the environment, a `*_command` run by `sh -c` (stdout trimmed), or a
//! literal in a config file that only its owner can read.
//!
//! How the admin signs in, first match wins (see [`crate::auth`]): `ZIS_OAUTH_TOKEN` (for the
//! connections calls) > client credentials (env, then profile) > the profile's stored login
//! (`zisctl auth login`) > an API token (env, then profile).
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::args::GlobalArgs;
use crate::auth::store::{LoginRecord, Slot, Store};
use crate::auth::{AuthInfo, Method};
use crate::zis::{AdminCredentials, Client, ClientOptions, Error, Journal, Result, TokenStore};

pub const ENV_EMAIL: &str = "ZENDESK_EMAIL";
pub const ENV_API_TOKEN: &str = "ZENDESK_API_TOKEN";
pub const ENV_SUBDOMAIN: &str = "ZENDESK_SUBDOMAIN";
pub const ENV_OAUTH_TOKEN: &str = "ZIS_OAUTH_TOKEN";
pub const ENV_OAUTH_CLIENT_ID: &str = "ZENDESK_OAUTH_CLIENT_ID";
pub const ENV_OAUTH_CLIENT_SECRET: &str = "ZENDESK_OAUTH_CLIENT_SECRET";

/// Secret variables zisctl reads, taken out of a `*_command`'s environment (with every other
/// `ZENDESK_*` / `ZIS_*` / `ZISCTL_*` variable whose name says TOKEN, SECRET, PASSWORD or
/// KEY): the command gets what it needs (PATH, HOME, the agent sockets of a password manager)
/// and nothing another process of the user could read from its `/proc/PID/environ`.
pub const SECRET_ENV: &[&str] = &[ENV_API_TOKEN, ENV_OAUTH_TOKEN, ENV_OAUTH_CLIENT_SECRET];

/// The largest config file read (1 MiB): a config is a few hundred bytes.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The config file as written (see config.example.toml).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub subdomain: Option<String>,
    pub base_url: Option<String>,
    pub email: Option<String>,
    pub api_token: Option<SecretString>,
    pub api_token_command: Option<String>,
    pub oauth_token: Option<SecretString>,
    pub oauth_token_command: Option<String>,
    /// The OAuth client of `auth login` (public), or of the client-credentials grant
    /// (confidential, with `oauth_client_secret_command`).
    pub oauth_client_id: Option<String>,
    /// A confidential client's secret: with it, zisctl signs in with client credentials.
    pub oauth_client_secret_command: Option<String>,
    /// The loopback port of `auth login` (default 8765).
    pub oauth_redirect_port: Option<u16>,
    pub timeout_secs: Option<u64>,
    pub stale_days: Option<u32>,
    pub readonly: Option<bool>,
    /// Generated passwords (Ctrl-G in a form, rotation, `--generate`): their length
    /// (default 32), charset (`default` or `alnum`, as `--charset`) and the characters a
    /// target refuses (`password_exclude = "~^?#"`).
    pub password_length: Option<usize>,
    pub password_charset: Option<crate::secret::Charset>,
    pub password_exclude: Option<String>,
    #[serde(default)]
    pub integrations: BTreeMap<String, IntegrationConfig>,
    /// Rotation recipes (`[[profiles.NAME.rotation]]`), the first match wins.
    #[serde(default)]
    pub rotation: Vec<crate::rotation::RecipeConfig>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationConfig {
    pub oauth_token: Option<SecretString>,
    pub oauth_token_command: Option<String>,
}

/// Everything resolved from flags, environment and config.
pub struct Settings {
    pub profile: String,
    pub config_path: Option<PathBuf>,
    pub options: ClientOptions,
    /// The audit log the client's journal writes to (None: no data directory, or refused).
    pub audit_log: Option<PathBuf>,
    /// Why the audit log was refused (a link, a special file, another user's): changes are
    /// refused while it is.
    pub audit_log_refused: Option<String>,
    /// Where the credentials came from, for the status line ("env ZENDESK_API_TOKEN", ...).
    pub credential_source: String,
    pub readonly: bool,
    pub stale_days: u32,
    /// The profile's rotation recipes, checked.
    pub recipes: crate::rotation::Recipes,
    /// How generated passwords are made (the profile's `password_*`, checked).
    pub password: crate::secret::Policy,
    /// How the account is signed in to (method, stored login, OAuth client).
    pub auth: AuthInfo,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("profile", &self.profile)
            .field("config_path", &self.config_path)
            .field("options", &self.options)
            .field("audit_log", &self.audit_log)
            .field("credential_source", &self.credential_source)
            .field("readonly", &self.readonly)
            .field("auth", &self.auth)
            .finish()
    }
}

impl Settings {
    pub fn client(&self) -> Result<Client> {
        Client::new(self.options.clone())
    }
}

/// Why there is nothing to talk to yet: the first-run case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotConfigured {
    pub config_path: Option<PathBuf>,
}

/// Result of [`load`]: settings, or the first-run state (no base URL known at all).
pub enum Loaded {
    Ready(Box<Settings>),
    NotConfigured(NotConfigured),
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Resolve settings from flags, environment and the config file.
pub fn load(global: &GlobalArgs) -> Result<Loaded> {
    let explicit = global.config.clone();
    let path = explicit.clone().or_else(crate::files::default_config_path);
    let file = match &path {
        Some(p) if p.exists() => Some(read_config_file(p)?),
        Some(p) if explicit.is_some() => {
            return Err(Error::config(format!(
                "config file {} does not exist",
                p.display()
            )))
        }
        _ => None,
    };
    let file = file.unwrap_or_default();
    let profile_name = global
        .profile
        .clone()
        .or_else(|| file.default_profile.clone())
        .unwrap_or_else(|| "default".to_string());
    let empty = Profile::default();
    let profile = match file.profiles.get(&profile_name) {
        Some(p) => p,
        None if global.profile.is_some() && !file.profiles.is_empty() => {
            return Err(Error::config(format!(
                "profile {profile_name} is not in the config (known: {})",
                file.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
            )))
        }
        None => &empty,
    };

    let subdomain = env(ENV_SUBDOMAIN)
        .map(|s| (ENV_SUBDOMAIN, s))
        .or_else(|| profile.subdomain.clone().map(|s| ("subdomain", s)));
    let base_url = match global.base_url.clone().or_else(|| profile.base_url.clone()) {
        Some(u) => Some(u),
        None => match subdomain {
            Some((from, s)) => {
                let s = s.trim();
                crate::zis::validate::subdomain(from, s)?;
                Some(format!("https://{s}.zendesk.com"))
            }
            None => None,
        },
    };
    let Some(base_url) = base_url else {
        return Ok(Loaded::NotConfigured(NotConfigured { config_path: path }));
    };

    let mut sources = Vec::new();
    let account = crate::auth::account_of(&base_url)?;
    let client_id = env(ENV_OAUTH_CLIENT_ID).or_else(|| profile.oauth_client_id.clone());
    let client_secret = if let Some(s) = env(ENV_OAUTH_CLIENT_SECRET) {
        Some((
            SecretString::from(s),
            format!("env {ENV_OAUTH_CLIENT_SECRET}"),
        ))
    } else if let Some(cmd) = &profile.oauth_client_secret_command {
        Some((
            run_secret_command("oauth_client_secret_command", cmd)?,
            "oauth_client_secret_command".to_string(),
        ))
    } else {
        None
    };
    let client_credentials = match (&client_id, &client_secret) {
        (Some(id), Some((secret, source))) => Some((id.clone(), secret.clone(), source.clone())),
        (None, Some((_, source))) => {
            return Err(Error::config(format!(
                "{source} gives an OAuth client secret but no client id: set \
                 {ENV_OAUTH_CLIENT_ID} or `oauth_client_id` in the profile"
            )))
        }
        _ => None,
    };
    let store = Store::open(&profile_name, &account, None)?;
    let login = match &store {
        Some(s) => s.login()?,
        None => None,
    };
    let email = env(ENV_EMAIL).or_else(|| profile.email.clone());
    // Below client credentials and a stored login: its command runs only when it is used.
    let api_token = if client_credentials.is_some() || login.is_some() {
        None
    } else if let Some(t) = env(ENV_API_TOKEN) {
        Some((SecretString::from(t), format!("env {ENV_API_TOKEN}")))
    } else if let Some(t) = &profile.api_token {
        Some((t.clone(), "config api_token".to_string()))
    } else if let Some(cmd) = &profile.api_token_command {
        Some((
            run_secret_command("api_token_command", cmd)?,
            "api_token_command".to_string(),
        ))
    } else {
        None
    };
    let api_token = match (email, api_token) {
        (Some(email), Some((token, source))) => Some((email, token, source)),
        (None, Some(_)) => {
            return Err(Error::config(format!(
                "an API token is set but no admin email: set {ENV_EMAIL} or `email` in the profile"
            )))
        }
        _ => None,
    };
    let oauth_token = if let Some(t) = env(ENV_OAUTH_TOKEN) {
        sources.push(format!("env {ENV_OAUTH_TOKEN}"));
        Some(SecretString::from(t))
    } else if let Some(t) = &profile.oauth_token {
        sources.push("config oauth_token".to_string());
        Some(t.clone())
    } else if let Some(cmd) = &profile.oauth_token_command {
        sources.push("oauth_token_command".to_string());
        Some(run_secret_command("oauth_token_command", cmd)?)
    } else {
        None
    };
    let mut integration_tokens = HashMap::new();
    for (name, ic) in &profile.integrations {
        let tok = if let Some(t) = &ic.oauth_token {
            Some(t.clone())
        } else if let Some(cmd) = &ic.oauth_token_command {
            Some(run_secret_command(
                &format!("integrations.{name}.oauth_token_command"),
                cmd,
            )?)
        } else {
            None
        };
        if let Some(t) = tok {
            integration_tokens.insert(name.clone(), t);
        }
    }
    if !integration_tokens.is_empty() {
        sources.push(format!(
            "{} integration token(s) in config",
            integration_tokens.len()
        ));
    }

    let choice = choose_admin(
        oauth_token.is_some(),
        client_credentials,
        login.clone(),
        api_token,
    );
    sources.splice(0..0, choice.sources);
    let store = store.map(|s| Arc::new(s.with_slot(choice.slot.clone())));

    let mut options = ClientOptions::new(base_url);
    options.admin = choice.admin;
    if choice.slot.is_some() {
        options.store = store.clone().map(|s| s as Arc<dyn TokenStore>);
    }
    options.oauth_token = oauth_token;
    options.integration_tokens = integration_tokens;
    if let Some(t) = profile.timeout_secs {
        options.timeout = Duration::from_secs(t.max(1));
        options.call_timeout = options.timeout;
    }
    let mut audit_log = crate::files::audit_log_path();
    let mut audit_log_refused = None;
    if let Some(p) = &audit_log {
        // A link, a device or another user's file is never written to (nor chmod'ed): no
        // journal, and every change is refused until it is fixed (reads go on). Any other
        // problem (a missing directory, a full disk) is said when a line cannot be written.
        if let Err(e) = crate::files::check_private_path(p, "audit log") {
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                audit_log_refused = Some(e.to_string());
                audit_log = None;
            }
        }
    }
    options.journal = audit_log.clone().map(|path| {
        Arc::new(crate::auditlog::AuditLog {
            path,
            profile: profile_name.clone(),
            account: options.base_url.clone(),
        }) as Arc<dyn Journal>
    });
    // Fail early on a bad URL (and http to a non-loopback host).
    crate::zis::validate::parse_base_url(&options.base_url)?;
    let recipes = crate::rotation::Recipes::from_config(&profile.rotation)
        .map_err(|why| Error::config(format!("profile {profile_name}: {why}")))?;
    let password = profile
        .password_policy()
        .map_err(|why| Error::config(format!("profile {profile_name}: {why}")))?;
    Ok(Loaded::Ready(Box::new(Settings {
        profile: profile_name,
        config_path: path.filter(|p| p.exists()),
        options,
        audit_log,
        audit_log_refused,
        credential_source: if sources.is_empty() {
            "no credentials".to_string()
        } else {
            sources.join(", ")
        },
        readonly: global.readonly || profile.readonly.unwrap_or(false),
        stale_days: profile.stale_days.unwrap_or(90),
        recipes,
        password,
        auth: AuthInfo {
            method: choice.method,
            admin_method: choice.admin_method,
            account,
            store,
            login,
            client_id,
            client_secret: client_secret.map(|(s, _)| s),
            redirect_port: profile.oauth_redirect_port,
        },
    })))
}

impl Profile {
    /// The profile's generated-password settings, checked: the error names the key and rule.
    pub fn password_policy(&self) -> std::result::Result<crate::secret::Policy, String> {
        let default = crate::secret::Policy::default();
        crate::secret::Policy::new(
            self.password_length.unwrap_or(default.length),
            self.password_charset.unwrap_or(default.charset),
            self.password_exclude.as_deref().unwrap_or(""),
        )
    }
}

/// The admin sign-in chosen by [`choose_admin`].
pub struct AdminChoice {
    /// The method in force (`zis_token` when a ZIS token is given).
    pub method: Method,
    /// The admin's own method (the registry's).
    pub admin_method: Method,
    pub admin: Option<AdminCredentials>,
    /// The store slot of the admin's tokens (OAuth methods only).
    pub slot: Option<Slot>,
    /// Where the credentials came from, for the status line.
    pub sources: Vec<String>,
}

/// The documented precedence: a ZIS token (`zis_token`, for the connections calls) > client
/// credentials (`client_id`, secret, its source) > the stored login > an API token (email,
/// token, its source). The admin below a ZIS token still serves the registry.
pub fn choose_admin(
    zis_token: bool,
    client_credentials: Option<(String, SecretString, String)>,
    login: Option<LoginRecord>,
    api_token: Option<(String, SecretString, String)>,
) -> AdminChoice {
    let (admin_method, admin, slot, sources) =
        if let Some((id, secret, source)) = client_credentials {
            (
                Method::ClientCredentials,
                Some(AdminCredentials::ClientCredentials {
                    client_id: id.clone(),
                    client_secret: secret,
                    scope: crate::auth::DEFAULT_SCOPES.to_string(),
                }),
                Some(Slot::ClientCredentials { client_id: id }),
                vec![format!("client credentials ({source})")],
            )
        } else if let Some(l) = login {
            let who = l
                .user
                .as_ref()
                .map(|u| format!(" as {}", u.email))
                .unwrap_or_default();
            (
                Method::OAuth,
                Some(AdminCredentials::OAuth {
                    client_id: l.client_id.clone(),
                    client_secret: None,
                }),
                Some(Slot::Login {
                    client_id: l.client_id,
                }),
                vec![format!("OAuth sign-in{who}")],
            )
        } else if let Some((email, api_token, source)) = api_token {
            (
                Method::ApiToken,
                Some(AdminCredentials::ApiToken { email, api_token }),
                None,
                vec![source],
            )
        } else {
            (Method::None, None, None, Vec::new())
        };
    AdminChoice {
        method: if zis_token {
            Method::ZisToken
        } else {
            admin_method
        },
        admin_method,
        admin,
        slot,
        sources,
    }
}

/// Read and parse a config file. Refused: anything but a regular file (a FIFO, `/dev/zero`),
/// more than [`MAX_CONFIG_BYTES`], and, when it holds a literal secret or a `*_command`, a file
/// another user owns or may change (and, for a secret, read): see [`check_private`].
/// The profiles of the config file `global` names (else the default one), sorted; none
/// when there is no such file or it cannot be read.
pub fn profile_names(global: &GlobalArgs) -> Vec<String> {
    let path = global
        .config
        .clone()
        .or_else(crate::files::default_config_path);
    path.filter(|p| p.exists())
        .and_then(|p| read_config_file(&p).ok())
        .map(|f| f.profiles.keys().cloned().collect())
        .unwrap_or_default()
}

pub fn read_config_file(path: &Path) -> Result<ConfigFile> {
    use std::io::Read;
    let f = crate::files::open_regular_read(path, "config")
        .map_err(|e| Error::config(e.to_string()))?;
    let meta = f
        .metadata()
        .map_err(|e| Error::config(format!("cannot stat {}: {e}", path.display())))?;
    let too_big = || {
        Error::config(format!(
            "config {} is larger than {} KiB; refused (a config is a few hundred bytes)",
            path.display(),
            MAX_CONFIG_BYTES / 1024
        ))
    };
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(too_big());
    }
    let mut text = zeroize::Zeroizing::new(String::new());
    f.take(MAX_CONFIG_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| Error::config(format!("cannot read config {}: {e}", path.display())))?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(too_big());
    }
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        Error::config(format!(
            "config {} is not valid: {}",
            path.display(),
            parse_error_message(&text, &e)
        ))
    })?;
    check_private(path, &meta, &file)?;
    Ok(file)
}

/// A config parse error without any value from the file: serde's `invalid type: string
/// "…", expected …` would echo a secret written where a table or a number was expected
/// (`[profiles]` then `api_token = "…"`). Only the kind of the value is kept, and the line
/// is named instead.
fn parse_error_message(text: &str, e: &toml::de::Error) -> String {
    let mut msg = e.message().to_string();
    for lead in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = msg.strip_prefix(lead) {
            if let Some(end) = rest.rfind(", expected ") {
                let what = rest[..end].split(['`', '"']).next().unwrap_or("").trim();
                msg = format!("{lead}{what}{}", &rest[end..]);
            }
            break;
        }
    }
    msg = hide_unknown_key(&msg);
    match e.span() {
        Some(span) => {
            let upto = &text.as_bytes()[..span.start.min(text.len())];
            let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
            format!("line {line}: {msg}")
        }
        None => msg,
    }
}

/// serde's `unknown field `X`, expected one of `a`, `b`` names the key as written: a secret
/// pasted on a line of its own (`s3cr3t = 1`) would be printed. The key is kept only when it
/// looks like a known key (a typo, at most two edits away: it is then named with the key
/// meant); otherwise the message says "an unknown key" and the line names where.
fn hide_unknown_key(msg: &str) -> String {
    let Some(rest) = msg.strip_prefix("unknown field `") else {
        return msg.to_string();
    };
    let Some(end) = rest.find('`') else {
        return msg.to_string();
    };
    let (key, tail) = (&rest[..end], &rest[end + 1..]);
    // The keys serde expected, in its order: every other backquoted word of the tail.
    let known: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    let list = if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    };
    let meant = known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min();
    match meant {
        Some((_, k)) if key.len() >= 3 => {
            format!("unknown key `{key}` (did you mean `{k}`?); the keys here: {list}")
        }
        _ => format!(
            "an unknown key (not shown: it looks like no known key, and may be a value pasted \
             in the wrong place); the keys here: {list}"
        ),
    }
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl ConfigFile {
    /// True when some profile holds a literal secret (not a `*_command`).
    pub fn holds_secret(&self) -> bool {
        self.profiles.values().any(|p| {
            p.api_token.is_some()
                || p.oauth_token.is_some()
                || p.integrations.values().any(|i| i.oauth_token.is_some())
        })
    }

    /// True when some profile holds a `*_command` (zisctl runs it with `sh -c`).
    pub fn holds_command(&self) -> bool {
        self.profiles.values().any(|p| {
            p.api_token_command.is_some()
                || p.oauth_token_command.is_some()
                || p.integrations
                    .values()
                    .any(|i| i.oauth_token_command.is_some())
        })
    }
}

/// A config that holds a secret or a `*_command` must be its user's alone: owned by the user
/// and writable by nobody else (another user could otherwise make zisctl run a command of
/// theirs, or read the admin token); one that holds a literal secret must also be unreadable
/// by group and others. Each refusal says the `chmod` / `chown` to run.
#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata, file: &ConfigFile) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let (secret, command) = (file.holds_secret(), file.holds_command());
    if !secret && !command {
        return Ok(());
    }
    let what = if secret { "a secret" } else { "a *_command" };
    crate::files::check_owner(path, "config", meta, &format!("it holds {what}"))
        .map_err(|e| Error::config(e.to_string()))?;
    let mode = meta.permissions().mode() & 0o777;
    if secret && mode & 0o077 != 0 {
        return Err(Error::config(format!(
            "config {} holds a secret but its mode is {mode:04o} (group or others can read it): \
             run `chmod 600 {}` or replace the secret with an *_command",
            path.display(),
            path.display()
        )));
    }
    if mode & 0o022 != 0 {
        return Err(Error::config(format!(
            "config {} holds a *_command but its mode is {mode:04o} (group or others can change \
             the command zisctl runs): run `chmod go-w {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata, _file: &ConfigFile) -> Result<()> {
    Ok(())
}

/// True for a variable a `*_command` must not see: see [`SECRET_ENV`].
fn is_secret_env(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_ENV.iter().any(|s| upper == *s) || crate::secret::is_secret_env(name)
}

/// Run a `*_command` with `sh -c` and take its trimmed stdout as the secret.
pub fn run_secret_command(key: &str, cmd: &str) -> Result<SecretString> {
    let mut command = Command::new("sh");
    for (name, _) in std::env::vars_os() {
        if is_secret_env(&name.to_string_lossy()) {
            command.env_remove(&name);
        }
    }
    let out = command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| Error::config(format!("{key}: cannot run sh: {e}")))?;
    if !out.status.success() {
        return Err(Error::config(format!(
            "{key} failed ({}); run it by hand to see why",
            out.status
        )));
    }
    let text = zeroize::Zeroizing::new(out.stdout);
    let s = String::from_utf8_lossy(&text);
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err(Error::config(format!("{key} printed nothing")));
    }
    Ok(SecretString::from(trimmed.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::io::Write;

    fn write_cfg(dir: &Path, text: &str, mode: u32) -> PathBuf {
        let p = dir.join("config.toml");
        let mut f = std::fs::File::create(&p).unwrap();
        f.write_all(text.as_bytes()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        p
    }

    #[test]
    fn secret_in_a_readable_file_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = write_cfg(
            d.path(),
            "[profiles.default]\nsubdomain = \"acme\"\napi_token = \"s3cr3t-canary\"\n",
            0o644,
        );
        let e = read_config_file(&p).err().unwrap();
        assert!(e.message.contains("chmod 600"));
        assert!(!e.message.contains("s3cr3t-canary"));
        let p = write_cfg(
            d.path(),
            "[profiles.default]\nsubdomain = \"acme\"\napi_token = \"s3cr3t-canary\"\n",
            0o600,
        );
        assert!(read_config_file(&p).is_ok());
    }

    /// Found by tests/prop_config.rs: a value of the wrong type was echoed in the error, so a
    /// secret under a bare `[profiles]` table (or in a number's place) reached the screen.
    #[test]
    fn misplaced_secret_is_not_echoed() {
        let d = tempfile::tempdir().unwrap();
        for text in [
            "[profiles]\napi_token = \"s3cr3t-canary\"\n",
            "[profiles.a]\ntimeout_secs = \"s3cr3t-canary\"\n",
            "[profiles.a]\napi_token = 31415926535\n",
        ] {
            let p = write_cfg(d.path(), text, 0o600);
            let e = read_config_file(&p).err().unwrap();
            assert!(!e.message.contains("s3cr3t-canary") && !e.message.contains("31415926535"));
            assert!(e.message.contains("line 2: invalid type: "));
            assert!(e.message.contains(", expected "));
        }
    }

    /// The example config is a config zisctl reads, recipes included.
    #[test]
    fn the_example_config_reads_and_its_recipes_check() {
        let d = tempfile::tempdir().unwrap();
        let p = write_cfg(d.path(), crate::cli::config_cmd::EXAMPLE, 0o644);
        let file = read_config_file(&p).unwrap();
        for (name, profile) in &file.profiles {
            let r = crate::rotation::Recipes::from_config(&profile.rotation)
                .unwrap_or_else(|e| panic!("profile {name}: {e}"));
            assert!(!r.is_empty(), "profile {name} shows a recipe");
        }
        let sandbox = &file.profiles["sandbox"];
        let r = crate::rotation::Recipes::from_config(&sandbox.rotation).unwrap();
        assert!(r.find("intranet_portal", "portal_admin").is_some());
        assert!(r.find("acme_crm_sync", "salesforce_prod").is_none());
    }

    #[test]
    fn commands_are_allowed_in_a_readable_file() {
        let d = tempfile::tempdir().unwrap();
        let p = write_cfg(
            d.path(),
            "[profiles.default]\nsubdomain = \"acme\"\napi_token_command = \"echo x\"\n",
            0o644,
        );
        assert!(read_config_file(&p).is_ok());
    }

    /// The password keys read as a policy; a bad one is refused naming its rule.
    #[test]
    fn password_settings_are_checked() {
        let read = |extra: &str| {
            let text = format!("[profiles.default]\nsubdomain = \"acme\"\n{extra}");
            let file: ConfigFile = toml::from_str(&text).unwrap();
            file.profiles["default"].password_policy()
        };
        assert_eq!(read("").unwrap(), crate::secret::Policy::default());
        let p = read("password_length = 20\npassword_charset = \"alnum\"\n").unwrap();
        assert_eq!((p.length, p.charset), (20, crate::secret::Charset::Alnum));
        assert_eq!(
            read("password_exclude = \"~^?#\"\n").unwrap().exclude,
            "~^?#"
        );
        let e = read("password_length = 6\n").unwrap_err();
        assert!(e.contains("password_length: between 12 and 256"), "{e}");
        let e = read(
            "password_charset = \"alnum\"\npassword_exclude = \"abcdefghijklmnopqrstuvwxyz\"\n",
        )
        .unwrap_err();
        assert!(
            e.contains("password_exclude") && e.contains("lower-case"),
            "{e}"
        );
        let bad: std::result::Result<ConfigFile, _> =
            toml::from_str("[profiles.default]\npassword_charset = \"emoji\"\n");
        assert!(bad.is_err());
    }

    #[test]
    fn unknown_keys_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = write_cfg(
            d.path(),
            "[profiles.default]\nsubdomian = \"acme\"\n",
            0o600,
        );
        let e = read_config_file(&p).err().unwrap();
        assert!(e.message.contains("subdomian"), "{}", e.message);
        assert!(
            e.message
                .contains("line 2: unknown key `subdomian` (did you mean `subdomain`?)"),
            "{}",
            e.message
        );
    }

    /// Issue 13 item 15: a secret pasted as a key is not printed; the line is named.
    #[test]
    fn an_unknown_key_that_looks_like_no_key_is_not_shown() {
        let d = tempfile::tempdir().unwrap();
        for (text, line) in [
            (
                "[profiles.default]\nemail = \"a@b.c\"\nS3cr3t-Pasted-canary = 1\n",
                3,
            ),
            ("S3cr3t-Pasted-canary = \"x\"\n", 1),
            ("[profiles.a.integrations.b]\nS3cr3t-Pasted-canary = 1\n", 2),
            ("[profiles.a]\nab = 1\n", 2),
        ] {
            let p = write_cfg(d.path(), text, 0o600);
            let e = read_config_file(&p).err().unwrap().message;
            assert!(!e.contains("S3cr3t"), "{e}");
            assert!(
                e.contains(&format!("line {line}: an unknown key (not shown")),
                "{e}"
            );
            assert!(e.contains("the keys here: "), "{e}");
        }
        assert_eq!(edit_distance("subdomian", "subdomain"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("email", "email"), 0);
    }

    #[test]
    fn secret_variables_are_named() {
        for secret in [
            "ZENDESK_API_TOKEN",
            "ZIS_OAUTH_TOKEN",
            "ZENDESK_OAUTH_CLIENT_SECRET",
            "ZENDESK_OAUTH_REFRESH_TOKEN",
            "ZISCTL_SOME_PASSWORD",
            "zis_oauth_token",
        ] {
            assert!(is_secret_env(secret), "{secret}");
        }
        for kept in [
            "PATH",
            "HOME",
            "DBUS_SESSION_BUS_ADDRESS",
            "GNUPGHOME",
            "SSH_AUTH_SOCK",
            "PASSWORD_STORE_DIR",
            "ZENDESK_SUBDOMAIN",
            "ZENDESK_EMAIL",
            "ZISCTL_CONFIG",
        ] {
            assert!(!is_secret_env(kept), "{kept}");
        }
    }

    /// ZIS_OAUTH_TOKEN > client credentials > the stored login > an API token.
    #[test]
    fn sign_in_precedence() {
        use crate::auth::store::{LoginRecord, Slot};
        let sec = |s: &str| SecretString::from(s.to_string());
        let cc = || Some(("conf".to_string(), sec("cs"), "env X".to_string()));
        let login = || {
            Some(LoginRecord {
                client_id: "pub".into(),
                ..LoginRecord::default()
            })
        };
        let api = || {
            Some((
                "a@x".to_string(),
                sec("tok"),
                "env ZENDESK_API_TOKEN".to_string(),
            ))
        };

        let c = choose_admin(false, cc(), login(), api());
        assert_eq!(c.method, Method::ClientCredentials);
        assert!(matches!(
            c.admin,
            Some(AdminCredentials::ClientCredentials { ref client_id, ref scope, .. })
                if client_id == "conf" && scope == "read write"
        ));
        assert_eq!(
            c.slot,
            Some(Slot::ClientCredentials {
                client_id: "conf".into()
            })
        );

        let c = choose_admin(false, None, login(), api());
        assert_eq!(c.method, Method::OAuth);
        assert!(
            matches!(c.admin, Some(AdminCredentials::OAuth { ref client_id, .. }) if client_id == "pub")
        );

        let c = choose_admin(false, None, None, api());
        assert_eq!(c.method, Method::ApiToken);
        assert!(c.slot.is_none(), "API tokens keep minted tokens in memory");
        assert_eq!(c.sources, vec!["env ZENDESK_API_TOKEN".to_string()]);

        let c = choose_admin(false, None, None, None);
        assert_eq!((c.method, c.admin.is_none()), (Method::None, true));

        // A ZIS token wins for the connections; the admin below it stays for the registry.
        let c = choose_admin(true, None, login(), api());
        assert_eq!(
            (c.method, c.admin_method),
            (Method::ZisToken, Method::OAuth)
        );
    }

    #[test]
    fn secret_command_output_is_trimmed() {
        let s = run_secret_command("api_token_command", "printf '  tok-123\\n'").unwrap();
        assert_eq!(s.expose_secret(), "tok-123");
        assert!(run_secret_command("x", "exit 3").is_err());
        assert!(run_secret_command("x", "true").is_err());
    }
}

#[cfg(test)]
mod example_tests {
    /// config.example.toml documents every key: it must parse with deny_unknown_fields.
    #[test]
    fn example_config_parses() {
        let text = include_str!("../config.example.toml");
        let file: super::ConfigFile = toml::from_str(text).unwrap();
        assert!(file.profiles.contains_key("prod"));
        assert!(!file.holds_secret());
        let prod = &file.profiles["prod"];
        assert_eq!(prod.oauth_client_id.as_deref(), Some("zisctl_cli"));
        let policy = prod.password_policy().unwrap();
        assert_eq!(policy.length, 24);
        assert_eq!(policy.exclude, "~^?#");
        assert_eq!(prod.oauth_redirect_port, Some(8765));
    }
}
