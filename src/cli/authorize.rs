//! `zisctl connections authorize INTEGRATION NAME --oauth-client CLIENT [--scopes S]`: start
//! an OAuth flow so that ZIS stores a fresh token under NAME (a new OAuth connection, or a
//! broken one re-authorised from the terminal).
//!
//! For an authorization-code client the `redirect_url` ZIS answers is printed (and opened in
//! a browser when there is a display, unless `--no-browser`); for a client-credentials one it
//! is fetched with the same ZIS token, which finishes the flow (it carries a verification
//! code: it is not printed). Then the connection is read every few seconds until its
//! `token_expiry` moves: bounded by `--timeout`, and Ctrl-C stops waiting.
use std::time::Duration;

use crate::args::{AuthorizeArgs, GlobalArgs, OutputFormat};
use crate::signals::Signals;
use crate::zis::{oauth_validate, validate, ErrorKind, GrantType, OAuthClientRef, OAuthStart};

use super::connections::print_connection_named;
use super::{warn, CliError, CliResult, Ctx};

/// How often the connection is read while waiting for its new token.
const POLL: Duration = Duration::from_secs(2);
/// The longest `--timeout` (a day).
const MAX_TIMEOUT_SECS: u64 = 86_400;

pub async fn run(global: &GlobalArgs, a: AuthorizeArgs) -> CliResult {
    validate::integration_name(&a.integration)?;
    oauth_validate::oauth_connection_name(&a.name)?;
    oauth_validate::lookup_name("--oauth-client", &a.oauth_client)?;
    if let Some(s) = &a.scopes {
        oauth_validate::scopes("--scopes", s)?;
    }
    if let Some(u) = &a.redirect_url {
        oauth_validate::redirect_url(u)?;
    }
    if !(1..=MAX_TIMEOUT_SECS).contains(&a.timeout) {
        return Err(CliError::usage(format!(
            "--timeout: between 1 and {MAX_TIMEOUT_SECS} seconds"
        )));
    }
    // Before the first request: a Ctrl-C while one is in flight is ours to handle.
    let mut signals = Signals::new();
    let ctx = Ctx::load(global)?;
    ctx.check_writable("connections authorize")?;
    let (i, n) = (a.integration.as_str(), a.name.as_str());
    let client = ctx.client.find_oauth_client(i, &a.oauth_client).await?;
    let before = match ctx.client.get_oauth_connection(i, n).await {
        Ok(c) => Some(c),
        Err(e) if e.kind == ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let grant = client.grant();
    let scopes = a
        .scopes
        .clone()
        .or_else(|| {
            before
                .as_ref()
                .and_then(|c| c.oauth.as_ref())
                .and_then(|o| o.permission_scope.clone())
        })
        .or_else(|| client.default_scopes.clone())
        .filter(|s| !s.trim().is_empty());
    let redirect = a
        .redirect_url
        .clone()
        .unwrap_or_else(|| ctx.client.base_url().to_string());
    let start = OAuthStart {
        name: a.name.clone(),
        client: OAuthClientRef::Uuid(client.uuid.clone()),
        grant_type: Some(grant),
        permission_scopes: scopes,
        allow_offline_access: (grant == GrantType::AuthorizationCode).then_some(true),
        origin_oauth_redirect_url: redirect,
    };
    let url = ctx.client.start_oauth(i, &start).await?;
    let shown_client = crate::sanitize::clean(&client.name);
    match grant {
        GrantType::AuthorizationCode => {
            let url = crate::sanitize::clean(&url);
            warn(&format!(
                "open this URL in a browser to authorise {i}/{n} with OAuth client \
                 {shown_client}; waiting up to {} s for its new token (Ctrl-C stops waiting)",
                a.timeout
            ));
            if a.out.output == OutputFormat::Table {
                super::output::print(&format!("{url}\n"))?;
            } else {
                warn(&url);
            }
            if !a.no_browser && can_open_browser() {
                if let Err(e) = open_browser(&url) {
                    warn(&format!(
                        "could not open a browser ({e}): open the URL yourself"
                    ));
                }
            }
        }
        GrantType::ClientCredentials => {
            ctx.client.finish_client_credentials(i, &url).await?;
            warn(&format!(
                "client-credentials flow of {i}/{n} finished with OAuth client {shown_client}; \
                 checking its new token"
            ));
        }
    }
    let wait =
        ctx.client
            .wait_for_new_token(i, n, before.as_ref(), POLL, Duration::from_secs(a.timeout));
    tokio::select! {
        r = wait => match r {
            Ok(c) => {
                warn(&format!("authorised {i}/{n}: it holds a new token"));
                print_connection_named(&ctx, a.out.output, i, &c, Some(&client.name))
            }
            Err(e) if e.kind == ErrorKind::Timeout => Err(CliError {
                code: 1,
                message: Some(format!(
                    "gave up after {} s: the token of {i}/{n} did not change (the flow was not \
                     finished?); nothing else was changed",
                    a.timeout
                )),
            }),
            Err(e) => Err(e.into()),
        },
        code = signals.recv() => Err(CliError {
            code,
            message: Some(format!(
                "stopped waiting: {i}/{n} has no new token yet (the URL may still be used)"
            )),
        }),
    }
}

/// Can a browser be opened here? (Linux and the BSDs: only with a display.)
fn can_open_browser() -> bool {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// Open `url` in the browser (xdg-open, open, or the Windows URL handler), without waiting.
fn open_browser(url: &str) -> std::io::Result<()> {
    let mut c = if cfg!(target_os = "macos") {
        tokio::process::Command::new("open")
    } else if cfg!(target_os = "windows") {
        let mut c = tokio::process::Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        tokio::process::Command::new("xdg-open")
    };
    c.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn()?;
    tokio::spawn(async move {
        let _ = child.wait().await;
    });
    Ok(())
}
