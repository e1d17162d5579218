//! Profiles, credential sources and file-permission checks.
//!
//! Precedence, highest first: command-line flags, environment (`ZISCTL_BASE_URL`,
//! `ZENDESK_EMAIL`, `ZENDESK_API_TOKEN`, `ZIS_OAUTH_TOKEN`), the profile in the config file.
//! Secrets come from the environment, a `*_command` run by `sh -c` (stdout trimmed), or a
//! literal in a config file that only its owner can read.
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

use crate::args::GlobalArgs;
use crate::zis::{AdminCredentials, Client, ClientOptions, Error, Journal, Result};

pub const ENV_EMAIL: &str = "ZENDESK_EMAIL";
pub const ENV_API_TOKEN: &str = "ZENDESK_API_TOKEN";
pub const ENV_SUBDOMAIN: &str = "ZENDESK_SUBDOMAIN";
pub const ENV_OAUTH_TOKEN: &str = "ZIS_OAUTH_TOKEN";

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
    pub timeout_secs: Option<u64>,
    pub stale_days: Option<u32>,
    pub readonly: Option<bool>,
    #[serde(default)]
    pub integrations: BTreeMap<String, IntegrationConfig>,
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
    /// The audit log the client's journal writes to (None: no data directory).
    pub audit_log: Option<PathBuf>,
    /// Where the credentials came from, for the status line ("env ZENDESK_API_TOKEN", ...).
    pub credential_source: String,
    pub readonly: bool,
    pub stale_days: u32,
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

    let base_url = global
        .base_url
        .clone()
        .or_else(|| profile.base_url.clone())
        .or_else(|| {
            env(ENV_SUBDOMAIN)
                .or_else(|| profile.subdomain.clone())
                .map(|s| format!("https://{}.zendesk.com", s.trim()))
        });
    let Some(base_url) = base_url else {
        return Ok(Loaded::NotConfigured(NotConfigured { config_path: path }));
    };

    let mut sources = Vec::new();
    let email = env(ENV_EMAIL).or_else(|| profile.email.clone());
    let api_token = if let Some(t) = env(ENV_API_TOKEN) {
        sources.push(format!("env {ENV_API_TOKEN}"));
        Some(SecretString::from(t))
    } else if let Some(t) = &profile.api_token {
        sources.push("config api_token".to_string());
        Some(t.clone())
    } else if let Some(cmd) = &profile.api_token_command {
        sources.push("api_token_command".to_string());
        Some(run_secret_command("api_token_command", cmd)?)
    } else {
        None
    };
    let admin = match (email, api_token) {
        (Some(email), Some(api_token)) => Some(AdminCredentials::ApiToken { email, api_token }),
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

    let mut options = ClientOptions::new(base_url);
    options.admin = admin;
    options.oauth_token = oauth_token;
    options.integration_tokens = integration_tokens;
    if let Some(t) = profile.timeout_secs {
        options.timeout = Duration::from_secs(t.max(1));
    }
    let audit_log = crate::files::audit_log_path();
    options.journal = audit_log.clone().map(|path| {
        Arc::new(crate::auditlog::AuditLog {
            path,
            profile: profile_name.clone(),
        }) as Arc<dyn Journal>
    });
    // Fail early on a bad URL (and http to a non-loopback host).
    crate::zis::validate::parse_base_url(&options.base_url)?;
    Ok(Loaded::Ready(Box::new(Settings {
        profile: profile_name,
        config_path: path.filter(|p| p.exists()),
        options,
        audit_log,
        credential_source: if sources.is_empty() {
            "no credentials".to_string()
        } else {
            sources.join(", ")
        },
        readonly: global.readonly || profile.readonly.unwrap_or(false),
        stale_days: profile.stale_days.unwrap_or(90),
    })))
}

/// Read and parse a config file; refuse one that holds a literal secret and is readable by
/// group or others.
pub fn read_config_file(path: &Path) -> Result<ConfigFile> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::config(format!("cannot read config {}: {e}", path.display())))?;
    let file: ConfigFile = toml::from_str(&text).map_err(|e| {
        Error::config(format!(
            "config {} is not valid: {}",
            path.display(),
            parse_error_message(&text, &e)
        ))
    })?;
    if file.holds_secret() {
        check_private(path)?;
    }
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
    match e.span() {
        Some(span) => {
            let upto = &text.as_bytes()[..span.start.min(text.len())];
            let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
            format!("line {line}: {msg}")
        }
        None => msg,
    }
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
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::config(format!("cannot stat {}: {e}", path.display())))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::config(format!(
            "config {} holds a secret but its mode is {mode:04o} (group or others can read it): \
             run `chmod 600 {}` or replace the secret with an *_command",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<()> {
    Ok(())
}

/// Run a `*_command` with `sh -c` and take its trimmed stdout as the secret.
pub fn run_secret_command(key: &str, cmd: &str) -> Result<SecretString> {
    let out = Command::new("sh")
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
    }
}
