//! `update(state, action) -> effects`: the only place the state changes. No I/O.
//!
//! This file dispatches each action and holds the helpers every part shares; the keys, the
//! input line, the windows and the answers have a file each under `update/`.
use std::time::Duration;

use crossterm::event::KeyEventKind;

use crate::zis::Error;

use super::action::{Action, Effect};
use super::modal::Modal;
use super::model::{Banner, LeftSel, Level, Screen};
use super::state::{State, TICKS_PER_SEC};

mod answers;
mod command_line;
mod complete;
mod help;
mod keys;
mod modals;
mod mouse;
mod oauth;
mod picker;
mod profile;
mod rotation;
mod search;

use answers::{
    on_bundles, on_client_event, on_connections, on_created, on_deleted, on_integrations,
    on_registered, on_tick, on_updated,
};
use keys::{on_key, on_paste};
use rotation::{on_at_target, on_held, on_password_applied};

/// Length of generated passwords.
pub const PASSWORD_LENGTH: usize = 32;
/// A copied secret is cleared from the clipboard after this long.
pub const CLIPBOARD_CLEAR: Duration = Duration::from_secs(30);
/// The exit code of a quit by Ctrl-C (128 + SIGINT), as a shell expects.
const EXIT_CTRL_C: i32 = 130;
/// Informational banners disappear after this many ticks.
const INFO_TTL: u32 = 5 * TICKS_PER_SEC;
/// Error banners disappear after this many ticks (unless the audit log cannot be written).
const ERROR_TTL: u32 = 30 * TICKS_PER_SEC;

/// The effects to run when the app starts on a configured account.
pub fn init(state: &mut State) -> Vec<Effect> {
    let mut fx = Vec::new();
    if state.screen == Screen::Main {
        load_integrations(state, &mut fx);
    }
    if let Some(why) = &state.audit_log_refused {
        state.banner = Some(Banner {
            level: Level::Error,
            text: format!("read-only: {why}"),
            ttl: None,
        });
    }
    if state.kept_passwords > 0 {
        // Until dismissed: the admin must collect them.
        state.banner = Some(Banner {
            level: Level::Warn,
            text: kept_text(state.kept_passwords),
            ttl: None,
        });
    }
    state.recompute();
    fx
}

/// Apply one action to the state; return what must be done outside.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    let signed_out = action
        .error()
        .is_some_and(|e| e.kind == crate::zis::ErrorKind::SignedOut);
    if signed_out {
        state.signed_out = true;
    } else if matches!(&action, Action::IntegrationsLoaded { result: Ok(_), .. }) {
        // Signed in again (from a shell) and refreshed.
        state.signed_out = false;
    }
    match action {
        Action::Key(key) => {
            if key.kind != KeyEventKind::Release {
                on_key(state, key, &mut fx);
                oauth::clients_for_selection(state, &mut fx);
            }
        }
        Action::Mouse(m) => {
            mouse::on_mouse(state, m, &mut fx);
            oauth::clients_for_selection(state, &mut fx);
        }
        Action::Paste(mut text) => {
            on_paste(state, &text);
            // It may have been a password.
            zeroize::Zeroize::zeroize(&mut text);
        }
        Action::Resize(w, h) => {
            state.size = (w, h);
            state.clamp_scroll();
        }
        Action::Viewport { table_rows } => {
            state.table_rows = table_rows.max(1);
            state.clamp_scroll();
        }
        Action::Tick => {
            on_tick(state);
            return fx;
        }
        Action::Terminate(code) => {
            // No one to ask: keep what would be lost, then go.
            rotation::keep_rotated(state, &mut fx);
            quit(state, &mut fx, code)
        }
        Action::IntegrationsLoaded { req, result, now } => {
            state.in_flight.remove(&req);
            if state.integrations_req == Some(req) {
                state.integrations_req = None;
                state.now = now;
                on_integrations(state, result, &mut fx);
            }
        }
        Action::ConnectionsLoaded {
            req,
            integration,
            result,
            token,
            now,
        } => {
            state.in_flight.remove(&req);
            on_connections(state, req, &integration, result, token, now);
        }
        Action::BundlesLoaded {
            req,
            integration,
            result,
        } => on_bundles(state, req, &integration, result),
        Action::Created {
            req,
            integration,
            result,
        } => on_created(state, req, &integration, result, &mut fx),
        Action::Updated { req, key, result } => on_updated(state, req, &key, result, &mut fx),
        Action::Deleted { req, key, result } => on_deleted(state, req, &key, result, &mut fx),
        Action::Registered { req, name, result } => {
            on_registered(state, req, &name, result, &mut fx)
        }
        Action::PasswordApplied { req, key, result } => {
            on_password_applied(state, req, &key, result, &mut fx)
        }
        Action::AtTargetDone {
            req,
            key,
            step,
            result,
        } => on_at_target(state, req, &key, step, result, &mut fx),
        Action::PasswordsHeld { req, result } => on_held(state, req, result, &mut fx),
        Action::Client(ev) => on_client_event(state, &ev),
        Action::ProfileSwitched(result) => profile::on_switched(state, result, &mut fx),
        Action::DemoStarted(result) => match result {
            Ok(ctx) => {
                state.ctx = ctx;
                state.screen = Screen::Main;
                load_integrations(state, &mut fx);
            }
            Err(e) => {
                if let Screen::FirstRun(fr) = &mut state.screen {
                    fr.starting = false;
                    fr.error = Some(e);
                }
            }
        },
        Action::OAuthClientsLoaded {
            req,
            integration,
            result,
        } => oauth::on_clients_loaded(state, req, &integration, result),
        Action::OAuthClientSaved {
            req,
            integration,
            result,
        } => oauth::on_client_saved(state, req, &integration, result, &mut fx),
        Action::OAuthClientDeleted {
            req,
            integration,
            uuid,
            result,
        } => oauth::on_client_deleted(state, req, &integration, &uuid, result, &mut fx),
        Action::OAuthStarted { req, key, result } => {
            oauth::on_oauth_started(state, req, &key, result, &mut fx)
        }
        Action::OAuthWatched { req, key, result } => {
            oauth::on_oauth_watched(state, req, &key, result, &mut fx)
        }
        Action::AuditLogLoaded(result) => {
            // Only if the window is still open; newest first.
            if let Some(Modal::AuditLog { entries, .. }) = &mut state.modal {
                *entries = Some(result.map(|mut e| {
                    e.reverse();
                    e
                }));
            }
        }
    }
    state.recompute_rows();
    fx
}

/// Apply worker answers in order, as one `update` each would, but work out the audit and the
/// table once at the end instead of after each: for a burst of answers (an account loading,
/// where each full recompute would cost as much as the whole account). For answers only: a
/// key may need the table as the previous key left it.
pub fn update_all(state: &mut State, actions: impl IntoIterator<Item = Action>) -> Vec<Effect> {
    let mut fx = Vec::new();
    state.deferred = Some(false);
    for action in actions {
        fx.extend(update(state, action));
    }
    if state.deferred.take() == Some(true) {
        state.recompute();
    } else {
        state.recompute_rows();
    }
    fx
}

// ----- helpers ------------------------------------------------------------------------------

/// What the main screen and the first-run screen say while the recovery store holds passwords.
pub fn kept_text(n: usize) -> String {
    let s = if n == 1 { "" } else { "s" };
    let was = if n == 1 { "was" } else { "were" };
    format!("{n} rotated password{s} {was} kept: run `zisctl rotate --recover`")
}

fn quit(state: &mut State, fx: &mut Vec<Effect>, code: i32) {
    state.quit = Some(code);
    fx.push(Effect::Quit(code));
}

/// The banner after copying `what` with OSC 52: only what is true (the terminal may refuse
/// OSC 52; tmux keeps a buffer of its own that zisctl cannot clear).
fn copied_text(state: &State, what: &str) -> String {
    let mut t = format!(
        "copied {what} (OSC 52); in {} s zisctl overwrites the clipboard with a space",
        CLIPBOARD_CLEAR.as_secs()
    );
    if state.tmux {
        t.push_str("; tmux keeps its own copy: `tmux delete-buffer` drops it");
    }
    t
}

/// Set the banner. While the audit log cannot be written, that is said in every banner (as
/// an error, until Esc dismisses it).
fn banner(state: &mut State, level: Level, text: impl Into<String>) {
    let mut text = text.into();
    let mut level = level;
    if let Some(f) = &state.audit_failure {
        text = format!("{text} · {f}");
        level = Level::Error;
    }
    let ttl = match level {
        // What the audit log cannot record stays until dismissed; other errors until the
        // next answer replaces them, a successful reload, or a while.
        Level::Error if state.audit_failure.is_some() => None,
        Level::Error => Some(ERROR_TTL),
        Level::Warn => Some(INFO_TTL * 2),
        Level::Info => Some(INFO_TTL),
    };
    state.banner = Some(Banner {
        level,
        text: crate::sanitize::clean(&text),
        ttl,
    });
}

fn error_text(e: &Error) -> String {
    let mut text = e.to_string();
    if e.kind == crate::zis::ErrorKind::SignedOut {
        text.push_str(SIGNED_OUT_HINT);
    }
    crate::sanitize::clean(&text)
}

/// What a signed-out error adds: what to do (the screen stays; sign in from a shell, then
/// reload).
pub const SIGNED_OUT_HINT: &str = ": run `zisctl auth login`, then press R to refresh";

fn load_integrations(state: &mut State, fx: &mut Vec<Effect>) {
    let req = state.next_req();
    state.integrations_req = Some(req);
    state
        .in_flight
        .insert(req, "loading integrations".to_string());
    fx.push(Effect::LoadIntegrations { req });
}

fn load_connections(state: &mut State, integration: &str, fx: &mut Vec<Effect>) {
    let req = state.next_req();
    let Some(i) = state.entry_index(integration) else {
        return;
    };
    if let Some(old) = state.integrations[i].loading.replace(req) {
        state.in_flight.remove(&old);
    }
    state
        .in_flight
        .insert(req, format!("loading {integration}"));
    fx.push(Effect::LoadConnections {
        req,
        integration: integration.to_string(),
    });
}

/// Ask for every bundle and job spec of `integration`. Queued behind the connections asked
/// before it, so the table fills first.
fn load_bundles(state: &mut State, integration: &str, fx: &mut Vec<Effect>) {
    let req = state.next_req();
    let entry = state.bundles.entry(integration.to_string()).or_default();
    if let Some(old) = entry.loading.replace(req) {
        state.in_flight.remove(&old);
    }
    state
        .in_flight
        .insert(req, format!("reading bundles of {integration}"));
    fx.push(Effect::LoadBundles {
        req,
        integration: integration.to_string(),
    });
}

/// Build the usage graph of `integration` again from its bundles and its connections (the
/// connections say which names exist).
fn rebuild_usage(state: &mut State, integration: &str) {
    let conns = state
        .entry(integration)
        .and_then(|e| e.connections.as_deref());
    let Some(set) = state.bundles.get(integration).and_then(|b| b.set.as_ref()) else {
        return;
    };
    let known: Option<Vec<crate::usage::KnownConnection<'_>>> = conns.map(|list| {
        list.iter()
            .map(|c| crate::usage::KnownConnection {
                name: &c.name,
                kind: c.kind,
                oauth_client: None,
            })
            .collect()
    });
    let usage = crate::usage::build(integration, set, known.as_deref());
    if let Some(b) = state.bundles.get_mut(integration) {
        b.usage = Some(usage);
    }
}

/// Load the selected integration's connections if they were never asked for, or ask for them
/// next if they are still queued.
fn ensure_loaded(state: &mut State, fx: &mut Vec<Effect>) {
    if let LeftSel::Integration(n) = state.left_sel.clone() {
        if let Some(e) = state.entry(&n) {
            if e.connections.is_none() && e.loading.is_none() && e.error.is_none() {
                load_connections(state, &n, fx);
            } else if e.connections.is_none() && e.loading.is_some() {
                // Asked for, still waiting behind others: it is the one on screen now.
                fx.push(Effect::LoadFirst { integration: n });
            }
        }
    }
}

/// In read-only mode, say that `what` is disabled and return `true`. Called for what the
/// keymap marks `mutates`, before it is done.
fn refuse_readonly(state: &mut State, what: &str) -> bool {
    if state.ctx.readonly {
        banner(
            state,
            Level::Warn,
            format!("read-only mode: {what} is disabled (--readonly)"),
        );
        true
    } else {
        false
    }
}

/// `:ctx NAME` as run from any state (the `:` line only opens on the main screen, so a test
/// reaches the refusals of the other screens here).
#[cfg(test)]
pub(crate) fn switch_profile_for_test(state: &mut State, name: Option<&str>, fx: &mut Vec<Effect>) {
    profile::switch(state, name, fx)
}
