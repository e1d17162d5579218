//! Opening a profile's account: the client, the app's context, the recovery store, the
//! signed-in session. `run` opens the first one; `:ctx` (`Effect::SwitchProfile`) the next.
use crate::app::{Account, Context};
use crate::args::GlobalArgs;
use crate::config::{self, Loaded, Settings};
use crate::zis::Client;

use super::{display_url, Keep};

/// An account opened from a profile: what the app is told, and what the runtime keeps.
pub(super) struct Opened {
    pub account: Account,
    pub client: Client,
    pub audit_log: Option<std::path::PathBuf>,
    pub keep: Option<Keep>,
    /// The client again when it holds a stored `auth login` (the status line's session).
    pub session: Option<Client>,
}

/// Open `settings`' account.
pub(super) fn open(settings: &Settings) -> Result<Opened, crate::zis::Error> {
    let client = settings.client()?;
    let ctx = Context {
        profile: settings.profile.clone(),
        base_url: display_url(client.base_url()),
        credential_source: settings.credential_source.clone(),
        // A refused audit log: nothing can be recorded, so nothing may change.
        readonly: settings.readonly || settings.audit_log_refused.is_some(),
        stale_days: settings.stale_days,
    };
    let keep = crate::recovery::path().map(|path| Keep {
        path,
        profile: settings.profile.clone(),
        account: display_url(client.base_url()),
    });
    // A stored `auth login`: the status line names who, and when the session ends.
    let login = settings.auth.method == crate::auth::Method::OAuth
        || settings.auth.admin_method == crate::auth::Method::OAuth;
    let (signed_in, session_ends) = if login {
        let ends = settings.auth.login.as_ref().and_then(|l| {
            l.refresh_expires_at
                .as_deref()
                .or(l.access_expires_at.as_deref())
                .and_then(crate::zis::parse::parse_timestamp)
        });
        (settings.auth.who(), ends)
    } else {
        (None, None)
    };
    Ok(Opened {
        account: Account {
            ctx,
            recipes: settings.recipes.clone(),
            password: settings.password.clone(),
            signed_in,
            session_ends,
            recovery: keep.is_some(),
            audit_log_refused: settings.audit_log_refused.clone(),
        },
        session: login.then(|| client.clone()),
        client,
        audit_log: settings.audit_log.clone(),
        keep,
    })
}

/// Open profile `name` of the config the app started with (`--readonly` stays; a
/// `--base-url` given for the first profile does not follow to another one).
pub(super) fn switch(global: &GlobalArgs, name: &str) -> Result<Opened, String> {
    let mut args = global.clone();
    args.profile = Some(name.to_string());
    args.base_url = None;
    match config::load(&args).map_err(|e| e.to_string())? {
        Loaded::Ready(settings) => open(&settings).map_err(|e| e.to_string()),
        Loaded::NotConfigured(_) => Err(format!("profile {name} names no account")),
    }
}

/// The profiles of the config file, sorted (none without one).
pub(super) fn names(global: &GlobalArgs) -> Vec<String> {
    config::profile_names(global)
}
