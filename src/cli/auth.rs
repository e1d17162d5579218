//! `zisctl auth login|status|logout`: signing in with OAuth (see `crate::auth`).
//!
//! Messages go to stderr (`zisctl: ...`), the authorization URL on a line of its own; `status`
//! prints its data on stdout. Exit codes: 0 done; 2 usage (no client id, no account); 3 not
//! signed in (status), denied, a forged or missing `state`, an expired code, the browser not
//! back within 5 minutes; 1 a network failure or a token that could not be revoked (logout,
//! which forgets everything here all the same); 128 + the signal when interrupted.
use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

use crate::args::{GlobalArgs, LoginArgs, StatusFormat};
use crate::auth::login::{self, PendingLogin};
use crate::auth::store::{Index, Slot, Store};
use crate::auth::{Method, DEFAULT_REDIRECT_PORT};
use crate::config::{self, Loaded, Settings};
use crate::signals::Signals;
use crate::zis::parse::parse_timestamp;
use crate::zis::{AdminCredentials, Client, OAuthApp, SignOut, TokenStore};

use super::output::{self, render_record};
use super::{warn, CliError, CliResult};

fn settings(global: &GlobalArgs) -> CliResult<Settings> {
    match config::load(global)? {
        Loaded::Ready(s) => Ok(*s),
        Loaded::NotConfigured(_) => Err(CliError::usage(
            "no Zendesk account is configured: set ZENDESK_SUBDOMAIN (or ZISCTL_BASE_URL / \
             --base-url), or add a profile to the config (see config.example.toml)",
        )),
    }
}

fn no_store() -> CliError {
    CliError::usage("there is no data directory on this system to keep a sign-in in")
}

// ----- login ----------------------------------------------------------------------------------

pub async fn login(global: &GlobalArgs, args: LoginArgs) -> CliResult<i32> {
    let scopes = args.scopes.split_whitespace().collect::<Vec<_>>().join(" ");
    if scopes.is_empty() {
        return Err(CliError::usage(
            "--scopes: at least one scope (\"read write\")",
        ));
    }
    if let Some(id) = &args.client_id {
        if id.trim().is_empty() || id.chars().any(char::is_control) {
            return Err(CliError::usage("--client-id: a client id, without spaces"));
        }
    }
    let settings = settings(global)?;
    let Some(client_id) = args
        .client_id
        .clone()
        .or_else(|| settings.auth.client_id.clone())
    else {
        return Err(CliError::usage(format!(
            "no OAuth client: pass --client-id, set {} or oauth_client_id in the profile (create \
             one in Admin Center > Apps and integrations > APIs > OAuth clients: kind public, \
             redirect URL http://127.0.0.1:{DEFAULT_REDIRECT_PORT}/callback)",
            config::ENV_OAUTH_CLIENT_ID
        )));
    };
    let store = settings.auth.store.clone().ok_or_else(no_store)?;
    let port = args
        .port
        .or(settings.auth.redirect_port)
        .unwrap_or(DEFAULT_REDIRECT_PORT);
    let base = settings.options.base_url.trim_end_matches('/').to_string();

    // Before the listener: no signal may kill the process while a code is on its way.
    let mut signals = Signals::new();
    let pending = PendingLogin::start(&base, &client_id, &scopes, port).await?;
    warn(&format!(
        "to sign in to {}, open this URL in a browser (zisctl waits {} minutes; Ctrl-C cancels):",
        settings.auth.account,
        login::WAIT.as_secs() / 60
    ));
    // The URL on a line of its own, nothing before it: a terminal makes it a link.
    eprintln!("{}", pending.url);
    if !args.no_browser && login::can_open_browser() {
        if let Err(e) = login::open_browser(&pending.url) {
            warn(&format!("no browser was opened ({e}): open the URL above"));
        }
    }
    let authorized = tokio::select! {
        r = pending.wait(login::WAIT) => r?,
        code = signals.recv() => return Err(interrupted(code)),
    };
    let app = OAuthApp {
        client_id,
        client_secret: settings.auth.client_secret.clone(),
    };
    let done = tokio::select! {
        r = login::complete(&base, &store, &app, &pending, authorized) => r?,
        code = signals.recv() => return Err(interrupted(code)),
    };
    if let Some(note) = &done.note {
        warn(note);
    }
    let u = &done.user;
    warn(&format!(
        "signed in to {} as {} <{}> ({})",
        done.account, u.name, u.email, u.role
    ));
    if !u.is_admin() {
        warn(&format!(
            "ZIS needs an admin: {} is {}, so the registry, token and connections calls will be \
             refused; sign in as an admin",
            u.name,
            if u.role.is_empty() {
                "not an admin"
            } else {
                &u.role
            }
        ));
    }
    if settings.auth.admin_method == Method::ClientCredentials {
        warn(
            "client credentials are configured for this profile: they win over this sign-in \
             until they are removed",
        );
    }
    Ok(0)
}

fn interrupted(code: i32) -> CliError {
    CliError {
        code,
        message: Some("interrupted: not signed in".into()),
    }
}

// ----- status ---------------------------------------------------------------------------------

#[derive(Serialize)]
struct StatusView {
    method: &'static str,
    /// The registry's sign-in when `method` is `zis_token`.
    admin_method: &'static str,
    profile: String,
    account: String,
    base_url: String,
    user: Option<UserView>,
    client_id: Option<String>,
    access_expires_at: Option<String>,
    refresh_expires_at: Option<String>,
    /// Where the tokens are ("the kernel keyring (keyutils)", a file), if any are stored.
    stored_in: Option<String>,
    index: Option<String>,
    zis_tokens: Vec<ZisView>,
}

#[derive(Serialize)]
struct UserView {
    name: String,
    email: String,
    role: String,
}

#[derive(Serialize)]
struct ZisView {
    integration: String,
    expires_at: Option<String>,
    minted_at: String,
}

fn status_view(s: &Settings, index: Option<&Index>, store: Option<&Store>) -> StatusView {
    let a = &s.auth;
    let login = index.and_then(|i| i.login.clone());
    let cc = index.and_then(|i| i.client_credentials.clone());
    let (user, client_id, access, refresh) = match a.admin_method {
        Method::OAuth => {
            let l = login.unwrap_or_default();
            (
                l.user.map(|u| UserView {
                    name: u.name,
                    email: u.email,
                    role: u.role,
                }),
                Some(l.client_id),
                l.access_expires_at,
                l.refresh_expires_at,
            )
        }
        Method::ClientCredentials => (
            None,
            a.client_id.clone(),
            cc.and_then(|c| c.access_expires_at),
            None,
        ),
        Method::ApiToken => (
            match &s.options.admin {
                Some(AdminCredentials::ApiToken { email, .. }) => Some(UserView {
                    name: String::new(),
                    email: email.clone(),
                    role: String::new(),
                }),
                _ => None,
            },
            None,
            None,
            None,
        ),
        _ => (None, None, None, None),
    };
    StatusView {
        method: a.method.as_str(),
        admin_method: a.admin_method.as_str(),
        profile: s.profile.clone(),
        account: a.account.clone(),
        base_url: s.options.base_url.clone(),
        user,
        client_id,
        access_expires_at: access,
        refresh_expires_at: refresh,
        stored_in: match (index.and_then(|i| i.store), store) {
            (Some(b), Some(st)) => Some(st.describe(b)),
            _ => None,
        },
        index: match (index, store) {
            (Some(i), Some(st)) if i.store.is_some() => Some(st.index_path().display().to_string()),
            _ => None,
        },
        zis_tokens: index
            .map(|i| {
                i.zis_tokens
                    .iter()
                    .map(|(k, v)| ZisView {
                        integration: k.clone(),
                        expires_at: v.expires_at.clone(),
                        minted_at: v.minted_at.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// "2026-11-01 10:30:00 UTC (in 29m)", "… (ended 3d ago)", or "not said".
fn when(t: &Option<String>, now: OffsetDateTime) -> String {
    let Some(text) = t.as_deref() else {
        return "not said".into();
    };
    let Some(at) = parse_timestamp(text) else {
        return text.to_string();
    };
    let u = at.to_offset(time::UtcOffset::UTC);
    let shown = format!(
        "{} {:02}:{:02}:{:02} UTC",
        output::short_date(Some(u)),
        u.hour(),
        u.minute(),
        u.second()
    );
    if at > now {
        let left = output::human_age((at - now).whole_seconds());
        format!("{shown} (in {left})")
    } else {
        let ago = output::human_age((now - at).whole_seconds());
        format!("{shown} (ended {ago} ago)")
    }
}

pub fn status(global: &GlobalArgs, format: StatusFormat) -> CliResult<i32> {
    let s = settings(global)?;
    let store = s.auth.store.clone();
    let index = match &store {
        Some(st) => Some(st.index()?),
        None => None,
    };
    let v = status_view(&s, index.as_ref(), store.as_deref());
    let text = match format {
        StatusFormat::Json => output::json(&v)?,
        StatusFormat::Table => {
            let now = OffsetDateTime::now_utc();
            let mut pairs: Vec<(&str, String)> = vec![
                ("method", v.method.to_string()),
                ("account", v.account.clone()),
                ("profile", v.profile.clone()),
            ];
            if v.method == Method::ZisToken.as_str() {
                pairs.push(("admin method", v.admin_method.to_string()));
            }
            if let Some(u) = &v.user {
                let mut who = if u.name.is_empty() {
                    u.email.clone()
                } else {
                    format!("{} <{}>", u.name, u.email)
                };
                if !u.role.is_empty() {
                    who.push_str(&format!(" ({})", u.role));
                }
                pairs.push(("user", who));
            }
            if let Some(c) = &v.client_id {
                pairs.push(("OAuth client", c.clone()));
            }
            if matches!(v.admin_method, "oauth" | "client_credentials") {
                pairs.push(("access expires", when(&v.access_expires_at, now)));
            }
            if v.admin_method == "oauth" {
                pairs.push(("sign-in ends", when(&v.refresh_expires_at, now)));
            }
            pairs.push((
                "stored in",
                v.stored_in
                    .clone()
                    .unwrap_or_else(|| "nothing stored".into()),
            ));
            pairs.push(("ZIS tokens", format!("{} cached", v.zis_tokens.len())));
            for z in &v.zis_tokens {
                let ends = match &z.expires_at {
                    None => "never expires".to_string(),
                    e => format!("expires {}", when(e, now)),
                };
                pairs.push(("", format!("{}  {ends}", z.integration)));
            }
            render_record(&pairs)
        }
    };
    output::print(&text)?;
    if s.auth.method == Method::None {
        return Err(CliError {
            code: 3,
            message: Some(format!(
                "not signed in to {} (profile {}): run `zisctl auth login`",
                s.auth.account, s.profile
            )),
        });
    }
    Ok(0)
}

// ----- logout ---------------------------------------------------------------------------------

/// A client of these settings with another admin sign-in (and its store slot).
fn client_with(
    s: &Settings,
    store: &Arc<Store>,
    admin: AdminCredentials,
    slot: Slot,
) -> CliResult<Client> {
    let mut o = s.options.clone();
    o.admin = Some(admin);
    o.store = Some(Arc::new(store.with_slot(Some(slot))) as Arc<dyn TokenStore>);
    Ok(Client::new(o)?.with_observer(|ev| warn(&ev.to_string())))
}

pub async fn logout(global: &GlobalArgs) -> CliResult<i32> {
    let s = settings(global)?;
    let store = s.auth.store.clone().ok_or_else(no_store)?;
    let index = store.index()?;
    let nothing =
        index.login.is_none() && index.client_credentials.is_none() && index.zis_tokens.is_empty();
    if nothing {
        warn(&format!(
            "nothing stored for {} (profile {}): not signed in with OAuth",
            s.auth.account, s.profile
        ));
        if s.auth.admin_method == Method::ApiToken {
            warn(&format!(
                "the API token comes from {}: zisctl does not keep it; remove it there",
                s.credential_source
            ));
        }
        return Ok(0);
    }
    let mut report = SignOut::default();
    let mut merge = |r: SignOut| {
        report.admin_revoked |= r.admin_revoked;
        report.zis_revoked += r.zis_revoked;
        report.failures.extend(r.failures);
    };
    if let Some(l) = &index.login {
        let c = client_with(
            &s,
            &store,
            AdminCredentials::OAuth {
                client_id: l.client_id.clone(),
                client_secret: None,
            },
            Slot::Login {
                client_id: l.client_id.clone(),
            },
        )?;
        merge(c.sign_out().await?);
    }
    // Client credentials (or an API token) revoke what is left: their own cached token and
    // the ZIS tokens, when no login did.
    if index.login.is_none() || s.auth.admin_method == Method::ClientCredentials {
        if let Some(admin) = s.options.admin.clone() {
            let slot = match &admin {
                AdminCredentials::ClientCredentials { client_id, .. } => {
                    Some(Slot::ClientCredentials {
                        client_id: client_id.clone(),
                    })
                }
                _ => None,
            };
            let mut o = s.options.clone();
            o.store = Some(Arc::new(store.with_slot(slot)) as Arc<dyn TokenStore>);
            let c = Client::new(o)?.with_observer(|ev| warn(&ev.to_string()));
            if matches!(admin, AdminCredentials::ClientCredentials { .. })
                || !index.zis_tokens.is_empty()
            {
                merge(c.sign_out().await?);
            }
        }
    }
    let st = store.clone();
    crate::auth::blocking(move || {
        let lock = st.lock()?;
        st.forget_all(&lock)
    })
    .await?;
    for f in &report.failures {
        warn(f);
    }
    let what = match (report.admin_revoked, report.zis_revoked) {
        (true, 0) => "the admin token revoked".to_string(),
        (true, n) => format!("the admin token and {n} ZIS token(s) revoked"),
        (false, n) => format!("{n} ZIS token(s) revoked"),
    };
    warn(&format!(
        "signed out of {} (profile {}): {what}, and every token forgotten here",
        s.auth.account, s.profile
    ));
    if report.failures.is_empty() {
        Ok(0)
    } else {
        Err(CliError {
            code: 1,
            message: Some(
                "some tokens could not be revoked at the server (they may still be live): revoke \
                 them in Admin Center > Apps and integrations > APIs > OAuth clients"
                    .into(),
            ),
        })
    }
}
