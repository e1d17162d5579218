//! Keys arrive here: looked up in the keymap for the scope they arrive in, refused when they
//! mutate in read-only mode, and dispatched on their command. The main screen's commands
//! (moving, selecting, marking, sorting, copying, opening the forms, the delete question and
//! a rotation) are done here, for keys and `:` commands alike; the first-run screen's too.
use crossterm::event::{KeyEvent, KeyModifiers};
use secrecy::SecretString;

use crate::app::action::Effect;
use crate::app::filter::{Filter, FilterMode};
use crate::app::form::Form;
use crate::app::keymap::{self, Command, Scope};
use crate::app::modal::{InputKind, Modal, RotItem, RotStatus, Rotation};
use crate::app::model::{ConnKey, LeftItem, LeftSel, Level, Pane, Screen};
use crate::app::state::State;
use crate::app::table::{Sort, SortKey};
use crate::rotation::Progress;
use crate::zis::ConnectionKind;

use super::command_line::{input_key, open_input, sync_filter};
use super::modals::{modal_key, open_audit_log, quit_from_form, quit_from_registered};
use super::rotation::quit_from_rotation;
use super::{
    banner, ensure_loaded, load_bundles, load_integrations, quit, refuse_readonly, EXIT_CTRL_C,
};

pub(super) fn on_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let scope = Scope::of(state);
    let binding = keymap::lookup(scope, &key);
    if let Some(b) = binding {
        if b.command == Command::Help {
            super::help::open(state, scope);
            return;
        }
        if b.mutates && refuse_readonly(state, b.command.refusal()) {
            return;
        }
        if b.command == Command::Quit {
            // Ctrl-C exits as Ctrl-C does (130); q is a plain quit (0).
            let code = if key.modifiers.contains(KeyModifiers::CONTROL) {
                EXIT_CTRL_C
            } else {
                0
            };
            // Under the help window: the screen it was opened on.
            if scope == Scope::Help {
                state.help = None;
            }
            let scope = Scope::of(state);
            // A window that would lose something asks first, as Esc does there.
            let asked = match scope {
                Scope::Rotation => quit_from_rotation(state, fx),
                Scope::Form | Scope::KindField => quit_from_form(state),
                Scope::Registered => quit_from_registered(state),
                _ => false,
            };
            if !asked {
                quit(state, fx, code);
            }
            return;
        }
    }
    let command = binding.map(|b| b.command);
    match scope {
        Scope::FirstRun => first_run(state, command, fx),
        Scope::Filter | Scope::CommandLine => input_key(state, command, key, fx),
        Scope::Help => super::help::help_key(state, command),
        Scope::Search => super::search::search_key(state, command, key),
        Scope::Global
        | Scope::Main
        | Scope::Integrations
        | Scope::Connections
        | Scope::OAuthClients => {
            if let Some(c) = command {
                run(state, c, &[], fx);
            }
        }
        _ => {
            if let Some(modal) = state.modal.take() {
                modal_key(state, modal, command, key, fx);
            }
        }
    }
}

fn first_run(state: &mut State, command: Option<Command>, fx: &mut Vec<Effect>) {
    let Screen::FirstRun(fr) = &mut state.screen else {
        return;
    };
    if command == Some(Command::StartDemo) && !fr.starting {
        fr.starting = true;
        fr.error = None;
        fx.push(Effect::StartDemo);
    }
}

pub(super) fn on_paste(state: &mut State, text: &str) {
    if let Some(input) = &mut state.input {
        let one: String = text.chars().filter(|c| !c.is_control()).collect();
        input.input.insert_str(&one);
        sync_filter(state);
        return;
    }
    if let Some(Modal::Form(form)) = &mut state.modal {
        if form.pending.is_none() {
            if let Some(f) = form.focused_mut() {
                f.paste(text);
                form.touched = true;
            }
        }
    }
}

/// Do `command` on the main screen, for a key or a `:` command (`args` are the words after
/// it). Read-only mode was checked by the caller, from the keymap's `mutates`.
pub(super) fn run(state: &mut State, command: Command, args: &[&str], fx: &mut Vec<Effect>) {
    let page = (state.table_rows.max(2) - 1) as isize;
    // The right pane's OAuth clients tab, and the OAuth connections' own `r` and `d`.
    if state.focus == Pane::Connections {
        let done = if state.clients_tab() {
            super::oauth::clients_command(state, command, fx)
        } else {
            super::oauth::connection_command(state, command, fx)
        };
        if done {
            return;
        }
    }
    match command {
        Command::Quit => quit(state, fx, 0),
        Command::Help => super::help::open_main(state),
        Command::OpenFilter => open_input(state, InputKind::Filter),
        Command::OpenCommandLine => open_input(state, InputKind::Command),
        Command::SwitchPane => {
            state.focus = match state.focus {
                Pane::Integrations => Pane::Connections,
                Pane::Connections => Pane::Integrations,
            }
        }
        Command::FocusIntegrations => state.focus = Pane::Integrations,
        Command::FocusConnections => state.focus = Pane::Connections,
        Command::Down => move_sel(state, 1, fx),
        Command::Up => move_sel(state, -1, fx),
        Command::PageDown => move_sel(state, page, fx),
        Command::PageUp => move_sel(state, -page, fx),
        Command::First => move_sel(state, isize::MIN, fx),
        Command::Last => move_sel(state, isize::MAX, fx),
        Command::Open => state.focus = Pane::Connections,
        Command::Details => {
            if state.selected_connection().is_some() {
                state.modal = Some(Modal::Details);
            }
        }
        Command::ToggleAll => toggle_all(state, fx),
        Command::OAuthClients => super::oauth::toggle_tab(state, fx),
        Command::New => open_create(state),
        Command::Edit => open_edit(state),
        Command::Rotate => start_rotation(state),
        Command::Delete => ask_delete(state),
        Command::Register => {
            let name = args.first().copied().unwrap_or("");
            let desc = args.get(1..).map(|d| d.join(" ")).unwrap_or_default();
            open_register(state, name, &desc);
        }
        Command::AuditLog => open_audit_log(state, fx),
        Command::Bundles => open_bundles(state, args.first().copied(), fx),
        Command::Unused => {
            set_left(state, LeftSel::All, fx);
            state.only_unused = !state.only_unused;
            state.only_findings = false;
            state.focus = Pane::Connections;
        }
        Command::Refresh => refresh(state, fx),
        Command::Sort => cycle_sort(state),
        Command::ReverseSort => {
            let s = sort_mut(state);
            s.descending = !s.descending;
        }
        Command::Copy => copy_name(state, fx),
        Command::Mark => toggle_mark(state),
        Command::Back => back(state),
        Command::ShowAll => {
            state.only_findings = false;
            state.only_unused = false;
            set_left(state, LeftSel::All, fx);
            state.focus = Pane::Connections;
        }
        Command::Findings => {
            set_left(state, LeftSel::All, fx);
            state.only_findings = !state.only_findings;
            state.only_unused = false;
            state.focus = Pane::Connections;
        }
        Command::GoTo => go_to(state, args.first().copied(), fx),
        Command::SwitchProfile => super::profile::switch(state, args.first().copied(), fx),
        Command::SortBy => sort_by(state, args),
        Command::FilterBy => filter_by(state, args),
        // The input line's and the windows' own: not the main screen's.
        Command::ToggleMode
        | Command::Complete
        | Command::NextMatch
        | Command::PrevMatch
        | Command::Accept
        | Command::Cancel
        | Command::Close
        | Command::Confirm
        | Command::NextField
        | Command::PrevField
        | Command::NextOrSubmit
        | Command::Submit
        | Command::Generate
        | Command::Reveal
        | Command::KindPrev
        | Command::ClearToStart
        | Command::KindNext
        | Command::Apply
        | Command::Authorize
        | Command::StartDemo => {}
    }
}

/// Esc on the main screen: the banner, else the pane's filter, else the marks, else "only
/// findings" or "only unused".
fn back(state: &mut State) {
    if state.banner.is_some() {
        state.banner = None;
        state.audit_failure = None;
    } else if state.focus == Pane::Integrations && state.left_filter.is_active() {
        state.left_filter = Filter::default();
    } else if state.table_filter.is_active() {
        state.table_filter = Filter::default();
    } else if !state.marked.is_empty() {
        state.marked.clear();
    } else if state.only_findings {
        state.only_findings = false;
    } else if state.only_unused {
        state.only_unused = false;
    }
}

/// The bundles view of `name`, else of the selected integration (or the selected row's in
/// the All view). Read again if it was never read or could not be.
fn open_bundles(state: &mut State, name: Option<&str>, fx: &mut Vec<Effect>) {
    let target = match name {
        Some(n) if state.entry(n).is_some() => n.to_string(),
        Some(n) => {
            banner(
                state,
                Level::Error,
                format!("no integration named {n} in this account"),
            );
            return;
        }
        None => match state.selected_entry() {
            Some(e) => e.name().to_string(),
            None => match state
                .selected_connection()
                .map(|(i, _)| i.to_string())
                .or_else(|| state.integrations.first().map(|e| e.name().to_string()))
            {
                Some(n) => n,
                None => {
                    banner(state, Level::Warn, "no integration to show the bundles of");
                    return;
                }
            },
        },
    };
    let stale = state
        .bundles
        .get(&target)
        .is_none_or(|b| b.loading.is_none() && b.set.is_none());
    if stale {
        load_bundles(state, &target, fx);
    }
    state.modal = Some(Modal::Bundles {
        integration: target,
        scroll: 0,
    });
}

fn go_to(state: &mut State, name: Option<&str>, fx: &mut Vec<Effect>) {
    match name.map(|n| super::complete::integration_named(state, n)) {
        Some(Ok(n)) => set_left(state, LeftSel::Integration(n), fx),
        Some(Err(why)) => banner(state, Level::Error, why),
        None => banner(state, Level::Error, ":int needs a name"),
    }
}

fn sort_by(state: &mut State, args: &[&str]) {
    let key = args.first().and_then(|k| SortKey::parse(k));
    match key {
        Some(k) if k != SortKey::Integration || state.is_all_view() => {
            let desc = match args.get(1).copied() {
                Some("desc") => true,
                Some("asc") => false,
                _ => k == SortKey::Age,
            };
            let s = sort_mut(state);
            s.key = k;
            s.descending = desc;
        }
        _ => banner(
            state,
            Level::Error,
            "sort by name, kind, age, domain (or integration in the All view)",
        ),
    }
}

fn filter_by(state: &mut State, args: &[&str]) {
    let (mode, words) = match args.first() {
        Some(&"fuzzy") => (FilterMode::Fuzzy, &args[1..]),
        _ => (FilterMode::Substring, args),
    };
    state.table_filter = Filter {
        text: words.join(" "),
        mode,
    };
    state.focus = Pane::Connections;
}

pub(super) fn sort_mut(state: &mut State) -> &mut Sort {
    if state.is_all_view() {
        &mut state.sort_all
    } else {
        &mut state.sort_one
    }
}

fn cycle_sort(state: &mut State) {
    let all = state.is_all_view();
    let s = sort_mut(state);
    s.key = match s.key {
        SortKey::Name => SortKey::Kind,
        SortKey::Kind => SortKey::Age,
        SortKey::Age => SortKey::Domain,
        SortKey::Domain if all => SortKey::Integration,
        SortKey::Domain | SortKey::Integration => SortKey::Name,
    };
    // Oldest first is what an audit wants; names read best A to Z.
    s.descending = s.key == SortKey::Age;
}

pub(super) fn set_left(state: &mut State, sel: LeftSel, fx: &mut Vec<Effect>) {
    if state.left_sel == sel {
        return;
    }
    if let Some(k) = state.table_sel.take() {
        state.remembered.insert(state.left_sel.clone(), k);
    }
    state.left_sel = sel;
    state.scroll = 0;
    state.recompute_rows();
    ensure_loaded(state, fx);
}

pub(super) fn move_sel(state: &mut State, delta: isize, fx: &mut Vec<Effect>) {
    let step = |cur: usize, len: usize| -> usize {
        if len == 0 {
            return 0;
        }
        match delta {
            isize::MIN => 0,
            isize::MAX => len - 1,
            d => (cur as isize + d).clamp(0, len as isize - 1) as usize,
        }
    };
    match state.focus {
        Pane::Integrations => {
            let cur = state.left_index().unwrap_or(0);
            let i = step(cur, state.left_rows.len());
            let sel = match state.left_rows.get(i) {
                Some(LeftItem::Integration(ei)) => match state.integrations.get(*ei) {
                    Some(e) => LeftSel::Integration(e.name().to_string()),
                    None => LeftSel::All,
                },
                _ => LeftSel::All,
            };
            set_left(state, sel, fx);
        }
        Pane::Connections => {
            let cur = state.selected_index().unwrap_or(0);
            let i = step(cur, state.rows.len());
            state.table_sel = state.rows.get(i).and_then(|r| state.row_key(*r));
            state.clamp_scroll();
        }
    }
}

fn toggle_all(state: &mut State, fx: &mut Vec<Effect>) {
    if state.is_all_view() {
        let back = state
            .remembered
            .keys()
            .find_map(|k| match k {
                LeftSel::Integration(n) if state.entry(n).is_some() => Some(k.clone()),
                _ => None,
            })
            .or_else(|| {
                state
                    .integrations
                    .first()
                    .map(|e| LeftSel::Integration(e.name().to_string()))
            });
        if let Some(b) = back {
            set_left(state, b, fx);
        }
    } else {
        set_left(state, LeftSel::All, fx);
        state.focus = Pane::Connections;
    }
}

pub(super) fn refresh(state: &mut State, fx: &mut Vec<Effect>) {
    load_integrations(state, fx);
    banner(state, Level::Info, "refreshing…");
}

fn copy_name(state: &mut State, fx: &mut Vec<Effect>) {
    let text = match state.focus {
        Pane::Connections => state.selected_connection().map(|(_, c)| c.name.clone()),
        Pane::Integrations => state.selected_entry().map(|e| e.name().to_string()),
    };
    if let Some(t) = text {
        let shown = crate::sanitize::clean(&t);
        fx.push(Effect::Copy {
            text: SecretString::from(t),
            clear_after: None,
        });
        banner(state, Level::Info, format!("copied \"{shown}\" (OSC 52)"));
    }
}

fn toggle_mark(state: &mut State) {
    if state.focus != Pane::Connections {
        return;
    }
    let Some(i) = state.selected_index() else {
        return;
    };
    if let Some(k) = state.row_key(state.rows[i]) {
        if !state.marked.remove(&k) {
            state.marked.insert(k);
        }
    }
    if let Some(r) = state.rows.get(i + 1) {
        state.table_sel = state.row_key(*r);
        state.clamp_scroll();
    }
}

/// The integration a new connection goes to: the selected one, or the selected row's.
fn target_integration(state: &State) -> Option<String> {
    match &state.left_sel {
        LeftSel::Integration(n) => Some(n.clone()),
        LeftSel::All => state
            .selected_connection()
            .map(|(i, _)| i.to_string())
            .or_else(|| state.integrations.first().map(|e| e.name().to_string())),
    }
}

pub(super) fn open_create(state: &mut State) {
    match target_integration(state) {
        // All of them on screen: ask which one (the selected row's preselected).
        Some(i) if state.is_all_view() => super::picker::open(state, &i),
        Some(i) => state.modal = Some(Modal::Form(Box::new(Form::create(&i)))),
        None => {
            let key = keymap::key_label(Scope::Main, Command::Register);
            banner(
                state,
                Level::Warn,
                format!("no integration to add a connection to: register one first ({key})"),
            )
        }
    }
}

fn open_edit(state: &mut State) {
    let Some((integration, conn)) = state.selected_connection() else {
        banner(state, Level::Warn, "select a connection to edit");
        return;
    };
    match Form::edit(integration, conn) {
        Some(f) => state.modal = Some(Modal::Form(Box::new(f))),
        None => {
            let r = keymap::key_label(Scope::Main, Command::Rotate);
            banner(
                state,
                Level::Warn,
                format!(
                    "oauth connections come from an OAuth flow and cannot be edited here: {r} \
                     re-authorises one"
                ),
            )
        }
    }
}

pub(super) fn open_register(state: &mut State, name: &str, description: &str) {
    state.modal = Some(Modal::Form(Box::new(Form::register(name, description))));
}

fn ask_delete(state: &mut State) {
    match state.selected_connection() {
        Some((i, c)) => {
            let key = ConnKey::of(i, c);
            state.modal = Some(Modal::ConfirmDelete { key });
        }
        None => banner(state, Level::Warn, "select a connection to delete"),
    }
}

/// Step one of a rotation: generate a password for each target and show it, with the
/// profile's recipe for it (if any). Nothing is sent.
fn start_rotation(state: &mut State) {
    let targets: Vec<ConnKey> = if state.marked.is_empty() {
        state
            .selected_connection()
            .map(|(i, c)| ConnKey::of(i, c))
            .into_iter()
            .collect()
    } else {
        state.marked.iter().cloned().collect()
    };
    if targets.is_empty() {
        banner(
            state,
            Level::Warn,
            "select a basic_auth connection to rotate",
        );
        return;
    }
    let mut items = Vec::new();
    let mut skipped = 0;
    for key in targets {
        let Some(conn) = state.find_connection(&key) else {
            continue;
        };
        if conn.kind != ConnectionKind::BasicAuth {
            skipped += 1;
            continue;
        }
        let password = match state.password.generate() {
            Ok(p) => p,
            Err(e) => {
                banner(
                    state,
                    Level::Error,
                    format!("cannot generate a password: {e}"),
                );
                return;
            }
        };
        let recipe = state.recipes.find(&key.integration, &key.name).cloned();
        let progress = Progress::new(
            recipe.is_some(),
            recipe.as_ref().is_some_and(|r| r.test.is_some()),
        );
        items.push(RotItem {
            username: conn.username.clone().unwrap_or_default(),
            allowed_domain: conn.allowed_domain.clone(),
            before: conn.updated_at,
            key,
            password,
            status: RotStatus::Ready,
            seen: false,
            recipe,
            progress,
            outcome: None,
            touched: false,
            held: false,
        });
    }
    if items.is_empty() {
        let edit = keymap::key_label(Scope::Main, Command::Edit);
        banner(
            state,
            Level::Warn,
            format!(
                "rotation generates basic_auth passwords; for api_key and bearer_token \
                 connections use {edit} to set the new secret the target system issued"
            ),
        );
        return;
    }
    state.modal = Some(Modal::Rotation(Box::new(Rotation {
        items,
        selected: 0,
        revealed: false,
        copied: false,
        confirm_discard: false,
        confirm_quit: false,
        confirm_apply: false,
        skipped,
    })));
}
