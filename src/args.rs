//! Command-line arguments (clap). Names and flags here are a public contract: scripts and
//! checks outside this repository rely on them.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "zisctl",
    version,
    about = "Browse, edit, rotate and audit Zendesk Integration Services (ZIS) connections",
    long_about = "zisctl with no command opens the terminal UI. `zisctl demo` opens it on a \
                  built-in sandbox account, no Zendesk account needed."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
// Under a heading of their own in every subcommand's --help, after the command's options.
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Base URL of the Zendesk account (overrides https://{subdomain}.zendesk.com).
    /// Plain http is accepted for loopback addresses only.
    #[arg(long, global = true, env = "ZISCTL_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Profile of the config file to use.
    #[arg(long, global = true, env = "ZISCTL_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Config file (default: config.toml in the platform config directory).
    #[arg(long, global = true, env = "ZISCTL_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Log file (default: zisctl.log in the platform data directory). Level from RUST_LOG.
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Hide and refuse every mutating action.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Output format of the commands that print data (table, json, csv); accepted before or
    /// after the command, as in gh and kubectl (`zisctl -o json integrations list`).
    #[arg(long, short = 'o', global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// ZIS integrations (the registry).
    #[command(subcommand, visible_alias = "int")]
    Integrations(IntegrationsCmd),
    /// Connections of an integration.
    #[command(subcommand, visible_alias = "conn")]
    Connections(ConnectionsCmd),
    /// ZIS OAuth clients of an integration (what its OAuth connections are made with).
    #[command(name = "oauth-clients", subcommand)]
    OauthClients(OAuthClientsCmd),
    /// Rotate basic_auth passwords: generate, print, set and test at the target (with a
    /// profile's rotation recipe), apply and verify in ZIS.
    Rotate(RotateArgs),
    /// Audit every connection of the account: age, staleness, findings, what uses it.
    Audit(AuditArgs),
    /// Bundles and job specs: what they contain, what uses which connection, what is wrong.
    #[command(subcommand)]
    Bundles(BundlesCmd),
    /// Run the ZIS-compatible sandbox server until Ctrl-C.
    Sandbox(SandboxArgs),
    /// Open the terminal UI on a built-in sandbox account.
    Demo(DemoArgs),
    /// Show the local audit log of mutations.
    Log(LogArgs),
    /// Sign in to the account with OAuth (login), show the sign-in (status), end it (logout).
    #[command(subcommand)]
    Auth(AuthCmd),
    /// Write a first config for the account, print the commented example, or say where the
    /// config is read.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Print a shell completion script (bash: `source <(zisctl completion bash)`).
    #[command(visible_alias = "completion")]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    Man {
        /// Write zisctl.1 and a page per subcommand (zisctl-rotate.1, …) into DIR.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Write a commented config (0600) for one account; never overwrites a config.
    Init {
        /// The profile to write (it becomes default_profile).
        #[arg(long, default_value = "default", value_name = "NAME")]
        profile: String,
        /// The account's subdomain: NAME of NAME.zendesk.com (or give the global --base-url).
        #[arg(long, value_name = "NAME")]
        subdomain: Option<String>,
        /// The unique identifier of the public OAuth client `auth login` signs in with.
        #[arg(long, value_name = "ID")]
        oauth_client_id: Option<String>,
    },
    /// Print the example config, every key explained.
    Example,
    /// Print the path of the config file zisctl reads (--config, ZISCTL_CONFIG, else the
    /// platform config directory).
    Path,
}

#[derive(Debug, Subcommand)]
pub enum AuthCmd {
    /// Sign in in the browser (OAuth authorization code with PKCE, for a public OAuth client
    /// whose redirect URL is http://127.0.0.1:PORT/callback). The tokens go to the OS keyring
    /// (else a 0600 file in the data directory) and are refreshed as they expire.
    Login(LoginArgs),
    /// How the account is signed in to: method, user, expiries, where the tokens are, the
    /// cached ZIS tokens. Never a token.
    Status {
        /// Set from the global `--output` (table or json).
        #[arg(skip)]
        output: StatusFormat,
    },
    /// Revoke the sign-in and every cached ZIS token at the server, and forget them here.
    Logout,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The OAuth client's id (default: ZENDESK_OAUTH_CLIENT_ID, else the profile's
    /// oauth_client_id).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The loopback port for the browser's return (default: the profile's
    /// oauth_redirect_port, else 8765; 0 picks a free one, if the client accepts any port).
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Do not open a browser: only print the URL (on stderr).
    #[arg(long)]
    pub no_browser: bool,
    /// Scopes to ask for, space-separated.
    #[arg(long, default_value = "read write")]
    pub scopes: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum StatusFormat {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Csv,
}

/// A command's output format. It is set from the global `--output` (see
/// [`Command::set_output`]): the flag itself lives in [`GlobalArgs`], so that it is accepted
/// before the command as well as after it.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct OutputArgs {
    #[arg(skip)]
    pub output: OutputFormat,
}

#[derive(Debug, Subcommand)]
pub enum IntegrationsCmd {
    /// List the account's integrations.
    #[command(visible_alias = "ls")]
    List {
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Register (create) an integration. Prints its OAuth client id and identifier.
    Register {
        /// Integration name: 1-64 chars of a-z 0-9 - _
        name: String,
        /// Description (default: empty; with --update-existing, the current one is kept).
        #[arg(long)]
        description: Option<String>,
        /// Also print the OAuth client secret (shown by Zendesk once, never again).
        #[arg(long)]
        show_secret: bool,
        /// NAME is already registered in this account: register it again anyway, which
        /// issues a new OAuth client secret (printed; the old one stops working).
        #[arg(long)]
        update_existing: bool,
        #[command(flatten)]
        out: OutputArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum KindArg {
    BasicAuth,
    ApiKey,
    BearerToken,
    Oauth,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionsCmd {
    /// List the connections of an integration (every page).
    #[command(visible_alias = "ls")]
    List {
        /// The integration (its name, as `integrations list` shows it).
        integration: String,
        /// Only connections of this kind.
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Show one connection.
    Show {
        /// The integration (its name, as `integrations list` shows it).
        integration: String,
        /// The connection's name.
        name: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Create a connection. Secrets come from stdin, a masked prompt, or --generate; never argv.
    Create(CreateArgs),
    /// Update a connection's username and/or secret.
    Update(UpdateArgs),
    /// Delete a connection (asks on a terminal unless --yes).
    Delete {
        /// The integration (its name, as `integrations list` shows it).
        integration: String,
        /// The connection's name.
        name: String,
        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        /// Also needed to delete the reserved `zendesk` connection, which every bundle action
        /// that calls Zendesk uses and zisctl cannot recreate.
        #[arg(long)]
        delete_reserved: bool,
    },
    /// Start an OAuth flow for an OAuth connection (create it, or re-authorise a broken one):
    /// prints (and opens) the URL to visit, then waits until the connection's token changes.
    Authorize(AuthorizeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum GrantTypeArg {
    AuthorizationCode,
    ClientCredentials,
}

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// The integration (its name, as `integrations list` shows it).
    pub integration: String,
    /// The OAuth connection's name (ZIS stores the new token under it).
    pub name: String,
    /// The ZIS OAuth client to use (its name, or its uuid).
    #[arg(long, value_name = "CLIENT")]
    pub oauth_client: String,
    /// Space-delimited scopes to ask for (default: the connection's, else the client's).
    #[arg(long, value_name = "S")]
    pub scopes: Option<String>,
    /// Print the URL only; do not open a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Where the browser goes once the provider answered (https; default: the account's
    /// Zendesk URL).
    #[arg(long, value_name = "URL")]
    pub redirect_url: Option<String>,
    /// Give up waiting for the new token after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub timeout: u64,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum OAuthClientsCmd {
    /// List the integration's OAuth clients (never their secrets).
    #[command(visible_alias = "ls")]
    List {
        /// The integration (its name, as `integrations list` shows it).
        integration: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Show one OAuth client, and the OAuth connections built on it.
    Show {
        /// The integration (its name, as `integrations list` shows it).
        integration: String,
        /// The client's name (or its uuid).
        name: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Create an OAuth client. Its secret comes from stdin or a masked prompt; never argv.
    Create(OAuthClientCreateArgs),
    /// Update an OAuth client in place (PATCH): a new secret, client id, URLs or scopes.
    Update(OAuthClientUpdateArgs),
    /// Delete an OAuth client and, with it, every OAuth connection built on it.
    Delete {
        /// The integration (its name, as `integrations list` shows it).
        integration: String,
        /// The client's name (or its uuid).
        name: String,
        /// Do not ask for confirmation (required when stdin is not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        /// Also needed when the reserved `zendesk` connection is one of those deleted with it.
        #[arg(long)]
        delete_reserved: bool,
    },
}

#[derive(Debug, Args)]
pub struct OAuthClientCreateArgs {
    /// The integration (its name, as `integrations list` shows it).
    pub integration: String,
    /// The client's name: 3-64 chars of A-Z a-z 0-9 - _
    pub name: String,
    /// The client id the OAuth provider issued.
    #[arg(long, value_name = "ID")]
    pub client_id: String,
    /// The provider's token URL (https).
    #[arg(long, value_name = "URL")]
    pub token_url: String,
    /// The provider's authorization URL (https).
    #[arg(long, value_name = "URL")]
    pub auth_url: Option<String>,
    /// Default scopes, space-delimited.
    #[arg(long, value_name = "S")]
    pub scopes: Option<String>,
    /// The grant the client's OAuth connections use.
    #[arg(long, value_enum)]
    pub grant_type: Option<GrantTypeArg>,
    /// Read the client secret from stdin.
    #[arg(long)]
    pub client_secret_stdin: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct OAuthClientUpdateArgs {
    /// The integration (its name, as `integrations list` shows it).
    pub integration: String,
    /// The client's name (or its uuid).
    pub name: String,
    /// Read the new client secret from stdin.
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// A new client id (the OAuth provider's).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// A new token URL (https).
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// A new authorization URL (https).
    #[arg(long, value_name = "URL")]
    pub auth_url: Option<String>,
    /// Default scopes, space-delimited.
    #[arg(long, value_name = "S")]
    pub scopes: Option<String>,
    /// The grant the client's OAuth connections use.
    #[arg(long, value_enum)]
    pub grant_type: Option<GrantTypeArg>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The integration (its name, as `integrations list` shows it).
    pub integration: String,
    /// The connection's name.
    pub name: String,
    /// Hostname the connection may be used on (no scheme, path, port or whitespace).
    #[arg(long, value_name = "HOST")]
    pub allowed_domain: String,
    /// The kind of connection (its credential).
    #[arg(long, value_enum, default_value_t = KindArg::BasicAuth)]
    pub kind: KindArg,
    /// basic_auth username.
    #[arg(long)]
    pub username: Option<String>,
    /// Read the basic_auth password from stdin.
    #[arg(long, conflicts_with = "generate")]
    pub password_stdin: bool,
    /// Generate a strong password (printed once on stdout).
    #[arg(long)]
    pub generate: bool,
    /// api_key header name.
    #[arg(long)]
    pub header_name: Option<String>,
    /// Read the API key from stdin.
    #[arg(long)]
    pub api_key_stdin: bool,
    /// Read the bearer token from stdin.
    #[arg(long)]
    pub token_stdin: bool,
    /// Length of a generated password [default: the profile's password_length, else 32].
    #[arg(long)]
    pub length: Option<usize>,
    /// Characters of a generated password [default: the profile's password_charset, else
    /// default]; the profile's password_exclude applies too.
    #[arg(long, value_enum)]
    pub charset: Option<CharsetArg>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The integration (its name, as `integrations list` shows it).
    pub integration: String,
    /// The connection's name.
    pub name: String,
    /// New basic_auth username.
    #[arg(long)]
    pub username: Option<String>,
    /// Read the new password from stdin.
    #[arg(long, conflicts_with = "generate")]
    pub password_stdin: bool,
    /// Generate a new password (printed once on stdout).
    #[arg(long)]
    pub generate: bool,
    /// api_key: new header name.
    #[arg(long)]
    pub header_name: Option<String>,
    /// api_key: read the new key from stdin.
    #[arg(long)]
    pub api_key_stdin: bool,
    /// bearer_token: read the new token from stdin.
    #[arg(long)]
    pub token_stdin: bool,
    /// Length of a generated password [default: the profile's password_length, else 32].
    #[arg(long)]
    pub length: Option<usize>,
    /// Characters of a generated password [default: the profile's password_charset, else
    /// default]; the profile's password_exclude applies too.
    #[arg(long, value_enum)]
    pub charset: Option<CharsetArg>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum CharsetArg {
    /// Letters, digits and symbols.
    #[default]
    Default,
    /// Letters and digits only, for targets that refuse symbols.
    Alnum,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The integration (with --recover: only its kept passwords; with --stale: only its
    /// connections, else the whole account's).
    #[arg(required_unless_present_any = ["recover", "stale"])]
    pub integration: Option<String>,
    /// Connection names (basic_auth).
    #[arg(
        required_unless_present_any = ["all", "recover", "apply_prepared", "stale"],
        conflicts_with_all = ["all", "recover", "stale"]
    )]
    pub names: Vec<String>,
    /// Rotate every basic_auth connection of the integration that has a rotation recipe
    /// (the others are listed and skipped unless --manual).
    #[arg(long, conflicts_with_all = ["recover", "stale"])]
    pub all: bool,
    /// Rotate the basic_auth connections the audit flags as stale (not updated in the
    /// profile's stale_days, else 90, or --older-than), of INTEGRATION or of the account;
    /// those without a recipe are listed and skipped unless --manual.
    #[arg(long, conflicts_with_all = ["recover", "prepare", "apply_prepared"])]
    pub stale: bool,
    /// With --stale: stale when not updated for this many days.
    #[arg(long, value_name = "DAYS")]
    pub older_than: Option<u32>,
    /// With --all or --stale: rotate the connections without a recipe too, in the manual
    /// flow (set the printed password at the target by hand).
    #[arg(long, conflicts_with = "recover")]
    pub manual: bool,
    /// Read the connection's current password from stdin and give it to the recipe's
    /// set_command (as `old_password` on its stdin). One connection only.
    #[arg(long, conflicts_with_all = ["recover", "prepare", "apply_prepared", "dry_run"])]
    pub old_password_stdin: bool,
    /// Do not ask before changing the passwords (required when stdin is not a terminal).
    #[arg(long, short = 'y', conflicts_with = "recover")]
    pub yes: bool,
    /// Say which passwords would change and how (recipe or manual, and the steps), and send
    /// nothing (no password is made, nothing is run at a target).
    #[arg(long, conflicts_with_all = ["recover", "yes"])]
    pub dry_run: bool,
    /// Phase one of two: print the new passwords (in rotate's records, status `prepared`)
    /// and apply nothing. Give each target its new password, then --apply-prepared.
    #[arg(long, conflicts_with_all = ["recover", "dry_run", "apply_prepared"])]
    pub prepare: bool,
    /// Phase two: read the records --prepare printed from stdin and apply those passwords
    /// (nothing is stored on disk; no recipe is run: the targets have them). Needs --yes:
    /// stdin holds the records, not an answer.
    #[arg(long, conflicts_with_all = ["recover", "dry_run", "all", "names"])]
    pub apply_prepared: bool,
    /// Print the rotated passwords the TUI kept when it had to end before they were revealed
    /// or copied (SIGHUP, SIGTERM, a confirmed Ctrl-C), then forget them.
    #[arg(long)]
    pub recover: bool,
    /// Length of a generated password [default: the profile's password_length, else 32].
    #[arg(long)]
    pub length: Option<usize>,
    /// Characters of a generated password [default: the profile's password_charset, else
    /// default]; the profile's password_exclude applies too.
    #[arg(long, value_enum)]
    pub charset: Option<CharsetArg>,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only these integrations (repeatable). Default: every integration of the account.
    #[arg(long = "integration", value_name = "NAME")]
    pub integrations: Vec<String>,
    /// A connection not updated for this many days is stale (default: the profile's
    /// stale_days, else 90).
    #[arg(long)]
    pub stale_days: Option<u32>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Exit with code 5 when a connection has a finding.
    #[arg(long)]
    pub fail_on_findings: bool,
    /// Do not read the bundles: no `used_by`, no "not used by any bundle" (fewer requests).
    #[arg(long)]
    pub no_bundles: bool,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum BundlesCmd {
    /// List the bundles of an integration (metadata).
    #[command(visible_alias = "ls")]
    List {
        /// The integration (its name, as `integrations list` shows it).
        integration: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Show one bundle (by name or uuid): its flows, actions with their connection, job specs
    /// installed or not, and its problems.
    Show {
        /// The integration (its name, as `integrations list` shows it).
        integration: String,
        /// The bundle's name (or its uuid).
        name: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Check every bundle and job spec: one row per problem.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only these integrations (repeatable). Default: every integration of the account.
    #[arg(long = "integration", value_name = "NAME")]
    pub integrations: Vec<String>,
    /// Exit with code 5 when a problem is found.
    #[arg(long)]
    pub fail_on_findings: bool,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct SandboxArgs {
    /// Address to listen on (loopback).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Seed file (default: the built-in demo account).
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Generate a synthetic account instead: INTEGRATIONSxCONNECTIONS, e.g. 100x100.
    #[arg(long, value_name = "NxM")]
    pub synthetic: Option<String>,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Requests allowed per rate-limit window (0 = unlimited); past it, 429 with Retry-After.
    #[arg(long, default_value_t = 0)]
    pub rate_limit: u32,
    /// Length of the rate-limit window in seconds.
    #[arg(long, default_value_t = 60)]
    pub rate_window_secs: u64,
    /// Fraction of requests (0.0-1.0) answered with a random 5xx.
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Lifetime of an OAuth access token from /oauth/tokens, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 1800)]
    pub access_token_ttl: u64,
    /// Lifetime of an OAuth refresh token, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 2_592_000)]
    pub refresh_token_ttl: u64,
    /// Lifetime of a minted ZIS token, in seconds (default: they never expire).
    #[arg(long, value_name = "SECS")]
    pub zis_token_ttl: Option<u64>,
    /// Lifetime of an OAuth authorization code, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub code_ttl: u64,
    /// Approve every sign-in at once, with no consent page.
    #[arg(long)]
    pub auto_approve: bool,
    /// Refuse API tokens (basic auth), as Zendesk does after 2027-04-30.
    #[arg(long)]
    pub refuse_api_tokens: bool,
}

#[derive(Debug, Args, Clone)]
pub struct DemoArgs {
    /// Added latency per sandbox request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Generate a synthetic account instead of the demo seed: NxM.
    #[arg(long, value_name = "NxM")]
    pub synthetic: Option<String>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Show only the last N entries (of those the filters keep).
    #[arg(long, short = 'n')]
    pub tail: Option<usize>,
    /// Only the mutations of this integration.
    #[arg(long, value_name = "NAME")]
    pub integration: Option<String>,
    /// Only the mutations since a date (2026-11-30, or an RFC 3339 time) or for a duration
    /// back from now (90m, 12h, 7d, 2w).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only this action: create, update, rotate, delete, register, authorize (`create` also
    /// matches `create oauth client`, and so on).
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    #[command(flatten)]
    pub out: OutputArgs,
}

impl Command {
    /// Give the command the global `--output` format. `auth status` offers table and json
    /// only: Err names the rule for csv.
    pub fn set_output(&mut self, f: OutputFormat) -> Result<(), String> {
        use OutputFormat as F;
        let out = match self {
            Command::Integrations(
                IntegrationsCmd::List { out } | IntegrationsCmd::Register { out, .. },
            ) => out,
            Command::Connections(c) => match c {
                ConnectionsCmd::List { out, .. } | ConnectionsCmd::Show { out, .. } => out,
                ConnectionsCmd::Create(a) => &mut a.out,
                ConnectionsCmd::Update(a) => &mut a.out,
                ConnectionsCmd::Authorize(a) => &mut a.out,
                ConnectionsCmd::Delete { .. } => return Ok(()),
            },
            Command::OauthClients(c) => match c {
                OAuthClientsCmd::List { out, .. } | OAuthClientsCmd::Show { out, .. } => out,
                OAuthClientsCmd::Create(a) => &mut a.out,
                OAuthClientsCmd::Update(a) => &mut a.out,
                OAuthClientsCmd::Delete { .. } => return Ok(()),
            },
            Command::Rotate(a) => &mut a.out,
            Command::Audit(a) => &mut a.out,
            Command::Bundles(b) => match b {
                BundlesCmd::List { out, .. } | BundlesCmd::Show { out, .. } => out,
                BundlesCmd::Check(a) => &mut a.out,
            },
            Command::Log(a) => &mut a.out,
            Command::Auth(AuthCmd::Status { output }) => {
                *output = match f {
                    F::Table => StatusFormat::Table,
                    F::Json => StatusFormat::Json,
                    F::Csv => return Err("auth status: --output is table or json (no csv)".into()),
                };
                return Ok(());
            }
            Command::Auth(_)
            | Command::Sandbox(_)
            | Command::Demo(_)
            | Command::Config(_)
            | Command::Completions { .. }
            | Command::Man { .. } => return Ok(()),
        };
        out.output = f;
        Ok(())
    }
}
