//! `zisctl config init | example | path`: a first config written for the admin (commented,
//! 0600, never overwriting one), the full commented example, and where the config is read.
use std::io::Write;
use std::path::PathBuf;

use crate::args::{ConfigCmd, GlobalArgs};
use crate::zis::validate;

use super::{CliError, CliResult};

/// The example shipped with the source, every key commented.
pub const EXAMPLE: &str = include_str!("../../config.example.toml");

const PORT: u16 = crate::auth::DEFAULT_REDIRECT_PORT;

pub fn run(global: &GlobalArgs, cmd: ConfigCmd) -> CliResult {
    match cmd {
        ConfigCmd::Example => print(EXAMPLE),
        ConfigCmd::Path => {
            let path = config_path(global)?;
            print(&format!("{}\n", path.display()))
        }
        ConfigCmd::Init {
            profile,
            subdomain,
            oauth_client_id,
        } => init(
            global,
            &profile,
            subdomain,
            global.base_url.clone(),
            oauth_client_id,
        ),
    }
}

fn print(text: &str) -> CliResult {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| CliError {
            code: 1,
            message: Some(format!("cannot write to stdout: {e}")),
        })
}

fn config_path(global: &GlobalArgs) -> CliResult<PathBuf> {
    global
        .config
        .clone()
        .or_else(crate::files::default_config_path)
        .ok_or_else(|| CliError::usage("no config directory on this system: give --config PATH"))
}

fn init(
    global: &GlobalArgs,
    profile: &str,
    subdomain: Option<String>,
    base_url: Option<String>,
    oauth_client_id: Option<String>,
) -> CliResult {
    let profile_ok = !profile.is_empty()
        && profile.len() <= 64
        && profile
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !profile_ok {
        return Err(CliError::usage(
            "--profile: 1 to 64 characters, letters, digits, - and _",
        ));
    }
    let account = match (&subdomain, &base_url) {
        (Some(s), None) => {
            let s = s.trim().to_ascii_lowercase();
            validate::subdomain("--subdomain", &s)?;
            format!("subdomain = \"{s}\"")
        }
        (None, Some(u)) => {
            let url = validate::parse_base_url(u)?;
            format!("base_url = \"{}\"", url.as_str().trim_end_matches('/'))
        }
        (None, None) => {
            return Err(CliError::usage(
                "give the account: --subdomain NAME (NAME.zendesk.com), or --base-url URL",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(CliError::usage(
                "--subdomain and --base-url (or ZISCTL_BASE_URL) name the same thing: give one",
            ))
        }
    };
    let client = match &oauth_client_id {
        Some(id) => {
            let id = id.trim();
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
            {
                return Err(CliError::usage(
                    "--oauth-client-id: the client's unique identifier, printable, no quotes",
                ));
            }
            format!("oauth_client_id = \"{id}\"")
        }
        None => "# oauth_client_id = \"zisctl_cli\"".to_string(),
    };
    let path = config_path(global)?;
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(CliError::usage(format!(
            "{} already exists: zisctl config init never overwrites a config (edit it, or \
             give --config PATH for a new one)",
            path.display()
        )));
    }
    let text = init_text(profile, &account, &client);
    crate::files::write_private(&path, text.as_bytes()).map_err(|e| CliError {
        code: 1,
        message: Some(format!("cannot write {}: {e}", path.display())),
    })?;
    eprintln!(
        "zisctl: wrote {} (0600), profile {profile}. Next: {}",
        path.display(),
        if oauth_client_id.is_some() {
            "zisctl auth login"
        } else {
            "create the public OAuth client (see the file), put its identifier in \
             oauth_client_id, then zisctl auth login"
        }
    );
    Ok(())
}

fn init_text(profile: &str, account: &str, client: &str) -> String {
    format!(
        "# zisctl configuration, written by `zisctl config init`. Every key, commented:
# `zisctl config example`.

default_profile = \"{profile}\"

[profiles.{profile}]
{account}

# Sign in with OAuth: create the client once in Admin Center > Apps and integrations > APIs >
# OAuth clients (kind public, redirect URL http://127.0.0.1:{PORT}/callback), put its unique
# identifier here, then run `zisctl auth login`. The tokens go to the OS keyring (else a 0600
# file in the data directory), never into this file.
{client}
# oauth_redirect_port = {PORT}

# For cron and CI, a confidential client's secret (never a literal here):
# oauth_client_secret_command = \"pass show zendesk/oauth-client-secret\"

# A connection not updated for this many days is stale (audit, All view).
# stale_days = 90
# Hide and refuse every mutating action, as --readonly does.
# readonly = false
# Generated passwords: length (12-256), charset (default or alnum), characters a target refuses.
# password_length = 32
# password_charset = \"default\"
# password_exclude = \"~^?#\"
"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_config_is_one_zisctl_reads() {
        let text = init_text("prod", "subdomain = \"acme\"", "oauth_client_id = \"cli\"");
        let parsed: toml::Value = toml::from_str(&text).expect("valid TOML");
        assert_eq!(parsed["default_profile"].as_str(), Some("prod"));
        let p = &parsed["profiles"]["prod"];
        assert_eq!(p["subdomain"].as_str(), Some("acme"));
        assert_eq!(p["oauth_client_id"].as_str(), Some("cli"));
        assert!(
            EXAMPLE.contains("[profiles."),
            "the example is the real one"
        );
    }
}
