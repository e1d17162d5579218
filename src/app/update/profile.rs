//! `:ctx [NAME]` (also `:profile`): another profile's account without restarting, as k9s's
//! `:ctx`. With no name, a picker of the config's profiles. The runtime opens the account
//! (`Effect::SwitchProfile`: a new client, so a new worker and an audit log recording that
//! profile and account) and answers `Action::ProfileSwitched`; then the lists of the old
//! account are dropped and the new one loads. `--readonly` stays (the runtime keeps it).
use crate::app::action::Effect;
use crate::app::keymap::Command;
use crate::app::modal::Modal;
use crate::app::model::{Account, Level, Screen};
use crate::app::state::State;

use super::banner;

/// `:ctx NAME`, or the picker without one.
pub(super) fn switch(state: &mut State, name: Option<&str>, fx: &mut Vec<Effect>) {
    if let Some(why) = refusal(state) {
        banner(state, Level::Warn, why);
        return;
    }
    if state.profiles.is_empty() {
        banner(
            state,
            Level::Error,
            "no profiles to switch to: the config file has none (zisctl config init writes one)",
        );
        return;
    }
    let Some(name) = name else {
        let selected = state
            .profiles
            .iter()
            .position(|p| *p == state.ctx.profile)
            .unwrap_or(0);
        state.modal = Some(Modal::Profiles { selected });
        return;
    };
    if !state.profiles.iter().any(|p| p == name) {
        let known = state.profiles.join(", ");
        banner(
            state,
            Level::Error,
            format!("no profile {name} in the config (known: {known})"),
        );
        return;
    }
    if name == state.ctx.profile {
        banner(state, Level::Info, format!("already on profile {name}"));
        return;
    }
    let req = state.next_req();
    state
        .in_flight
        .insert(req, format!("opening profile {name}"));
    fx.push(Effect::SwitchProfile(name.to_string()));
}

/// Why the account may not change now: a password zisctl holds would be lost with it.
fn refusal(state: &State) -> Option<String> {
    match &state.modal {
        Some(Modal::Rotation(_)) => Some(
            "not now: the rotation window holds a password not applied in ZIS or not seen; \
             apply it or close the window first"
                .into(),
        ),
        Some(Modal::Form(f)) if f.secret_shown => {
            Some("not now: the form holds a password you have seen; save or cancel it first".into())
        }
        Some(Modal::Registered(_)) => {
            Some("not now: a new client secret is on screen; close it first".into())
        }
        // A change on its way: its answer belongs to this account.
        _ => state
            .in_flight
            .values()
            .find(|what| !(what.starts_with("loading ") || what.starts_with("reading ")))
            .map(|what| format!("not now: {what} is under way; switch when it is done")),
    }
}

/// A key in the profile picker.
pub(super) fn picker_key(
    state: &mut State,
    selected: usize,
    command: Option<Command>,
    fx: &mut Vec<Effect>,
) {
    let last = state.profiles.len().saturating_sub(1);
    let selected = match command {
        Some(Command::Close) => return,
        Some(Command::SwitchProfile) => {
            let name = state.profiles.get(selected).cloned();
            switch(state, name.as_deref(), fx);
            return;
        }
        Some(Command::Down) => (selected + 1).min(last),
        Some(Command::Up) => selected.saturating_sub(1),
        _ => selected,
    };
    state.modal = Some(Modal::Profiles { selected });
}

/// The runtime opened the account (or could not): the old account's lists go, the new one
/// loads. What belongs to the session (the terminal, the `:` history, the profiles, the
/// request counter: a late answer of the old account matches nothing) stays.
pub(super) fn on_switched(
    state: &mut State,
    result: Result<Box<Account>, String>,
    fx: &mut Vec<Effect>,
) {
    state
        .in_flight
        .retain(|_, what| !what.starts_with("opening profile "));
    let account = match result {
        Ok(a) => a,
        Err(e) => {
            banner(state, Level::Error, format!("cannot switch profile: {e}"));
            return;
        }
    };
    let Account {
        ctx,
        recipes,
        password,
        signed_in,
        session_ends,
        recovery,
        audit_log_refused,
    } = *account;
    let mut next = State::new(ctx, state.now);
    next.size = state.size;
    next.color = state.color;
    next.tmux = state.tmux;
    next.table_rows = state.table_rows;
    next.next_req = state.next_req;
    next.command_history = std::mem::take(&mut state.command_history);
    next.profiles = std::mem::take(&mut state.profiles);
    next.recipes = recipes;
    next.password = password;
    next.signed_in = signed_in;
    next.session_ends = session_ends;
    next.recovery = recovery;
    next.audit_log_refused = audit_log_refused;
    next.screen = Screen::Main;
    *state = next;
    let text = format!(
        "profile {} · {}",
        state.ctx.profile,
        state.ctx.base_url.clone()
    );
    fx.extend(super::init(state));
    if state.banner.is_none() {
        banner(state, Level::Info, text);
    }
}
