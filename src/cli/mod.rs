//! The headless commands: `integrations`, `connections`, `oauth-clients`, `rotate`, `audit`,
//! `bundles`, `log`, `auth`.
//!
//! Each command validates its arguments before loading the config or sending anything, prints
//! its data on stdout (table, JSON or CSV) and every message on stderr, one line each:
//! `zisctl: <what happened>`. Exit codes: 0 success, 1 API or network failure, 2 usage or
//! validation (a name already taken too), 3 authentication or permission, 4 not found (an
//! unknown integration too), 5 findings (with `--fail-on-findings`, and only when nothing
//! failed), 6 cancelled (a confirmation answered no), 7 a rotation recipe's step at the
//! target failed (nothing of that connection applied in ZIS), 128 + the signal when interrupted
//! (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT).
use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use secrecy::SecretString;

use crate::args::{CharsetArg, Command, GlobalArgs, KindArg};
use crate::config::{self, Loaded, Settings};
use crate::sanitize;
use crate::secret::{self, Charset};
use crate::zis::{AdminCredentials, Client, ConnectionKind, Error, ErrorKind};

mod audit;
mod auth;
mod authorize;
pub mod bundle_views;
mod bundles;
pub mod config_cmd;
mod connections;
mod docs;
mod generated;
pub mod input;
mod integrations;
mod log;
mod oauth_clients;
pub mod oauth_views;
pub mod output;
mod records;
mod recover;
mod rotate;
pub mod sink;
pub mod views;

/// The exit code of `audit` and `bundles check` with `--fail-on-findings` when they found
/// something (and nothing failed: a failure's code wins, the run being incomplete).
pub const EXIT_FINDINGS: i32 = 5;

/// A command's failure: the exit code and the one line to print (None: already reported).
#[derive(Debug)]
pub struct CliError {
    pub code: i32,
    pub message: Option<String>,
}

impl CliError {
    /// A usage or validation error (exit 2).
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            code: 2,
            message: Some(message.into()),
        }
    }

    /// Interrupted by Ctrl-C (exit 130; callers that know the signal set its 128 + signo).
    pub fn interrupted() -> CliError {
        CliError {
            code: 130,
            message: Some("interrupted".into()),
        }
    }

    /// Exit with `code`; everything was already said.
    pub fn silent(code: i32) -> CliError {
        CliError {
            code,
            message: None,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message.as_deref().unwrap_or(""))
    }
}

/// Set once the run signs in with an API token: a 401 then says what may have happened.
static API_TOKEN_IN_USE: AtomicBool = AtomicBool::new(false);

/// Said once per run that signs in with an API token.
pub const API_TOKEN_NOTICE: &str = "signed in with an API token: Zendesk retires them (one \
    unused for 30 days is deactivated, and every API token stops working on 2027-04-30); run \
    `zisctl auth login` to sign in with OAuth";

impl From<Error> for CliError {
    fn from(e: Error) -> CliError {
        let mut message = e.to_string();
        if e.kind == ErrorKind::SignedOut {
            message.push_str(": run `zisctl auth login`");
        } else if e.status == Some(401) && API_TOKEN_IN_USE.load(Ordering::SeqCst) {
            message.push_str(
                "; the API token may have been deactivated (an API token unused for 30 days \
                 is): run `zisctl auth login`",
            );
        }
        CliError {
            code: crate::exit::code_of(&e),
            message: Some(message),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> CliError {
        if e.kind() == io::ErrorKind::BrokenPipe {
            // `zisctl ... | head`: the reader left; nothing to say.
            CliError::silent(1)
        } else {
            CliError {
                code: 1,
                message: Some(format!("cannot write the output: {e}")),
            }
        }
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;

/// True while a progress line is on stderr: other stderr lines clear it first.
static PROGRESS_SHOWN: AtomicBool = AtomicBool::new(false);

/// Print one message line on stderr: `zisctl: <msg>`, sanitised.
pub fn warn(msg: &str) {
    let mut err = io::stderr().lock();
    if PROGRESS_SHOWN.swap(false, Ordering::SeqCst) {
        let _ = write!(err, "\r\x1b[K");
    }
    let _ = writeln!(err, "zisctl: {}", sanitize::clean(msg));
}

/// Run one headless command; returns the process exit code.
pub async fn run(global: &GlobalArgs, mut cmd: Command) -> i32 {
    if let Err(m) = cmd.set_output(global.output.unwrap_or_default()) {
        warn(&m);
        return 2;
    }
    match dispatch(global, cmd).await {
        Ok(code) => code,
        Err(e) => {
            if let Some(m) = &e.message {
                warn(m);
            }
            e.code
        }
    }
}

async fn dispatch(global: &GlobalArgs, cmd: Command) -> CliResult<i32> {
    use crate::args::{AuthCmd, BundlesCmd, ConnectionsCmd, IntegrationsCmd};
    match cmd {
        Command::Integrations(IntegrationsCmd::List { out }) => {
            integrations::list(global, out.output).await.map(|_| 0)
        }
        Command::Integrations(IntegrationsCmd::Register {
            name,
            description,
            show_secret,
            update_existing,
            out,
        }) => integrations::register(
            global,
            &name,
            description.as_deref(),
            show_secret,
            update_existing,
            out.output,
        )
        .await
        .map(|_| 0),
        Command::Connections(ConnectionsCmd::List {
            integration,
            kind,
            out,
        }) => connections::list(global, &integration, kind, out.output)
            .await
            .map(|_| 0),
        Command::Connections(ConnectionsCmd::Show {
            integration,
            name,
            out,
        }) => connections::show(global, &integration, &name, out.output)
            .await
            .map(|_| 0),
        Command::Connections(ConnectionsCmd::Create(args)) => {
            connections::create(global, args).await.map(|_| 0)
        }
        Command::Connections(ConnectionsCmd::Update(args)) => {
            connections::update(global, args).await.map(|_| 0)
        }
        Command::Connections(ConnectionsCmd::Delete {
            integration,
            name,
            yes,
            delete_reserved,
        }) => connections::delete(global, &integration, &name, yes, delete_reserved)
            .await
            .map(|_| 0),
        Command::Connections(ConnectionsCmd::Authorize(args)) => {
            authorize::run(global, args).await.map(|_| 0)
        }
        Command::OauthClients(cmd) => oauth_clients::run(global, cmd).await.map(|_| 0),
        Command::Rotate(args) => rotate::run(global, args).await,
        Command::Audit(args) => audit::run(global, args).await,
        Command::Bundles(BundlesCmd::List { integration, out }) => {
            bundles::list(global, &integration, out.output)
                .await
                .map(|_| 0)
        }
        Command::Bundles(BundlesCmd::Show {
            integration,
            name,
            out,
        }) => bundles::show(global, &integration, &name, out.output)
            .await
            .map(|_| 0),
        Command::Bundles(BundlesCmd::Check(args)) => bundles::check(global, args).await,
        Command::Log(args) => log::run(&args).map(|_| 0),
        Command::Auth(AuthCmd::Login(args)) => auth::login(global, args).await,
        Command::Auth(AuthCmd::Status { output }) => auth::status(global, output),
        Command::Auth(AuthCmd::Logout) => auth::logout(global).await,
        Command::Config(cmd) => config_cmd::run(global, cmd).map(|_| 0),
        Command::Completions { shell } => docs::completions(shell).map(|_| 0),
        Command::Man { dir } => docs::man(dir.as_deref()).map(|_| 0),
        Command::Sandbox(_) | Command::Demo(_) => Err(CliError::usage(
            "this command is not a headless command (it is run by main)",
        )),
    }
}

/// What every command needs once its arguments are valid: settings and a client that reports
/// rate-limit waits and retries on stderr.
pub struct Ctx {
    pub settings: Settings,
    pub client: Client,
    pub now: time::OffsetDateTime,
}

impl Ctx {
    /// How this command generates passwords: `--length` and `--charset` where given, else the
    /// profile's `password_length` and `password_charset`; the profile's `password_exclude`
    /// always (a target refuses those characters whatever the length).
    pub fn password(
        &self,
        length: Option<usize>,
        charset: Option<CharsetArg>,
    ) -> CliResult<secret::Policy> {
        let p = &self.settings.password;
        let length = length.unwrap_or(p.length);
        check_length(length)?;
        let charset = charset.map(charset_of).unwrap_or(p.charset);
        secret::Policy::new(length, charset, &p.exclude).map_err(|why| {
            CliError::usage(format!(
                "--charset with the profile {}: {why}",
                self.settings.profile
            ))
        })
    }

    pub fn load(global: &GlobalArgs) -> CliResult<Ctx> {
        let settings = match config::load(global)? {
            Loaded::Ready(s) => *s,
            Loaded::NotConfigured(nc) => {
                let path = nc
                    .config_path
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "config.toml in the zisctl config directory".into());
                return Err(CliError::usage(format!(
                    "no Zendesk account is configured: set ZENDESK_SUBDOMAIN (or ZISCTL_BASE_URL / \
                     --base-url) and run `zisctl auth login`, or add a profile to {path} (see \
                     config.example.toml)"
                )));
            }
        };
        if matches!(
            settings.options.admin,
            Some(AdminCredentials::ApiToken { .. })
        ) {
            API_TOKEN_IN_USE.store(true, Ordering::SeqCst);
            warn(API_TOKEN_NOTICE);
        }
        let client = settings.client()?.with_observer(|ev| warn(&ev.to_string()));
        Ok(Ctx {
            settings,
            client,
            now: time::OffsetDateTime::now_utc(),
        })
    }

    /// Refuse a mutating command in read-only mode (exit 2).
    pub fn check_writable(&self, what: &str) -> CliResult {
        if self.settings.readonly {
            return Err(CliError::usage(format!(
                "refused: {what} changes the account, and zisctl is in read-only mode \
                 (--readonly, or readonly = true in profile {})",
                self.settings.profile
            )));
        }
        if let Some(why) = &self.settings.audit_log_refused {
            return Err(CliError::usage(format!(
                "refused: {what} changes the account and {why}; no change is made until it \
                 is fixed (or ZISCTL_AUDIT_LOG names another file)"
            )));
        }
        Ok(())
    }
}

pub(crate) fn kind_of(k: KindArg) -> ConnectionKind {
    match k {
        KindArg::BasicAuth => ConnectionKind::BasicAuth,
        KindArg::ApiKey => ConnectionKind::ApiKey,
        KindArg::BearerToken => ConnectionKind::BearerToken,
        KindArg::Oauth => ConnectionKind::OAuth,
    }
}

pub(crate) fn charset_of(c: CharsetArg) -> Charset {
    match c {
        CharsetArg::Default => Charset::Default,
        CharsetArg::Alnum => Charset::Alnum,
    }
}

/// Check `--length` before anything is sent (generation itself checks it again).
pub(crate) fn check_length(length: usize) -> CliResult {
    if !(secret::MIN_LENGTH..=secret::MAX_LENGTH).contains(&length) {
        return Err(CliError::usage(format!(
            "--length: between {} and {} characters",
            secret::MIN_LENGTH,
            secret::MAX_LENGTH
        )));
    }
    Ok(())
}

/// A fresh password from the OS CSPRNG that starts with a letter or digit, so that it is never
/// taken for an option (`-x...`) when pasted into a command, nor for a formula in a CSV.
pub(crate) fn new_password(policy: &secret::Policy) -> CliResult<SecretString> {
    use secrecy::ExposeSecret;
    loop {
        let pw = policy.generate()?;
        if pw
            .expose_secret()
            .starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            return Ok(pw);
        }
    }
}

/// A connection name given on the command line for an existing connection: the creation rule,
/// except that `zendesk` (the OAuth connection) may be named.
pub(crate) fn existing_connection_name(name: &str) -> CliResult {
    if name == "zendesk" {
        return Ok(());
    }
    crate::zis::validate::connection_name(name)?;
    Ok(())
}

/// After a change failed, may it still have taken effect? Only a clean refusal (validation,
/// 400, 401, 403, 404, 409, another 4xx) says surely not. Everything else may hide an earlier
/// attempt that reached the server: the client retries a PATCH after a timeout, and the error
/// it finally returns (a connect failure, a 429, a 5xx) describes the last attempt only. The
/// caller then keeps (prints) the secret it sent, marked unverified.
pub(crate) fn may_have_applied(e: &Error) -> bool {
    e.may_have_applied
        || matches!(
            e.kind,
            ErrorKind::Timeout
                | ErrorKind::Server
                | ErrorKind::InvalidResponse
                | ErrorKind::Network
                | ErrorKind::RateLimited
        )
}

/// The exit code of a run where some items failed: the worst failure's code when nothing
/// succeeded (3 auth > 4 not found > 2 usage > 1 API), 1 for a partial failure.
pub(crate) fn combined_exit(succeeded: usize, failures: &[i32]) -> i32 {
    if failures.is_empty() {
        return 0;
    }
    if succeeded > 0 {
        return 1;
    }
    let rank = |c: &i32| match c {
        3 => 0,
        4 => 1,
        2 => 2,
        _ => 3,
    };
    failures
        .iter()
        .min_by_key(|c| rank(c))
        .copied()
        .unwrap_or(1)
}

/// True when stdout is a terminal (secrets printed there deserve a warning).
pub(crate) fn stdout_is_terminal() -> bool {
    io::stdout().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_combine() {
        assert_eq!(combined_exit(3, &[]), 0);
        assert_eq!(combined_exit(2, &[4]), 1);
        assert_eq!(combined_exit(0, &[4]), 4);
        assert_eq!(combined_exit(0, &[1, 3, 4]), 3);
        assert_eq!(combined_exit(0, &[1, 4]), 4);
        assert_eq!(combined_exit(0, &[1, 1]), 1);
    }

    #[test]
    fn uncertain_errors() {
        let mut e = Error::from_response(400, b"");
        assert!(!may_have_applied(&e));
        e.may_have_applied = true;
        assert!(may_have_applied(&e));
        assert!(may_have_applied(&Error::new(
            ErrorKind::Network,
            "cannot connect"
        )));
        assert!(may_have_applied(&Error::from_response(429, b"")));
        assert!(may_have_applied(&Error::new(ErrorKind::Timeout, "t")));
        assert!(may_have_applied(&Error::from_response(504, b"")));
        assert!(!may_have_applied(&Error::from_response(403, b"")));
        assert!(!may_have_applied(&Error::from_response(404, b"")));
        assert!(!may_have_applied(&Error::validation(
            "password", "required"
        )));
    }

    #[test]
    fn generated_passwords_start_with_alnum() {
        for _ in 0..200 {
            let pw = new_password(&secret::Policy::new(16, Charset::Default, "").unwrap()).unwrap();
            use secrecy::ExposeSecret;
            assert!(pw
                .expose_secret()
                .starts_with(|c: char| c.is_ascii_alphanumeric()));
        }
        assert_eq!(check_length(4).err().map(|e| e.code), Some(2));
        assert!(check_length(32).is_ok());
    }

    #[test]
    fn existing_names() {
        assert!(existing_connection_name("zendesk").is_ok());
        assert!(existing_connection_name("bob_1").is_ok());
        assert_eq!(
            existing_connection_name("a/b").err().map(|e| e.code),
            Some(2)
        );
    }
}
