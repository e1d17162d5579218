//! Keys on the main screen and the first-run screen: moving, selecting, marking, sorting,
//! copying, and opening the forms, the delete question and a rotation.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;

use crate::app::action::Effect;
use crate::app::filter::Filter;
use crate::app::form::Form;
use crate::app::modal::{InputKind, Modal, RotItem, RotStatus, Rotation};
use crate::app::model::{ConnKey, LeftItem, LeftSel, Level, Pane, Screen};
use crate::app::state::State;
use crate::app::table::{Sort, SortKey};
use crate::secret::{self, Charset};
use crate::zis::ConnectionKind;

use super::command_line::{input_key, open_input, sync_filter};
use super::modals::{modal_key, open_audit_log};
use super::{
    banner, ensure_loaded, is_ctrl, load_integrations, quit, refuse_readonly, PASSWORD_LENGTH,
};

pub(super) fn on_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    if is_ctrl(&key, 'c') {
        quit(state, fx, 0);
        return;
    }
    if let Screen::FirstRun(_) = state.screen {
        first_run_key(state, key, fx);
        return;
    }
    if state.input.is_some() {
        input_key(state, key, fx);
        return;
    }
    if let Some(modal) = state.modal.take() {
        modal_key(state, modal, key, fx);
        return;
    }
    main_key(state, key, fx);
}

fn first_run_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Screen::FirstRun(fr) = &mut state.screen else {
        return;
    };
    match key.code {
        KeyCode::Char('d') | KeyCode::Enter if !fr.starting => {
            fr.starting = true;
            fr.error = None;
            fx.push(Effect::StartDemo);
        }
        KeyCode::Char('q') | KeyCode::Esc => quit(state, fx, 0),
        _ => {}
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
            }
        }
    }
}

pub(super) fn main_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let page = state.table_rows.max(2) - 1;
    match key.code {
        KeyCode::Char('q') => quit(state, fx, 0),
        KeyCode::Char('?') => state.modal = Some(Modal::Help { scroll: 0 }),
        KeyCode::Char('/') => open_input(state, InputKind::Filter),
        KeyCode::Char(':') => open_input(state, InputKind::Command),
        KeyCode::Tab | KeyCode::BackTab => {
            state.focus = match state.focus {
                Pane::Integrations => Pane::Connections,
                Pane::Connections => Pane::Integrations,
            }
        }
        KeyCode::Left | KeyCode::Char('h') => state.focus = Pane::Integrations,
        KeyCode::Right | KeyCode::Char('l') => state.focus = Pane::Connections,
        KeyCode::Down | KeyCode::Char('j') => move_sel(state, 1, fx),
        KeyCode::Up | KeyCode::Char('k') => move_sel(state, -1, fx),
        KeyCode::Char('d') if ctrl => move_sel(state, page as isize, fx),
        KeyCode::Char('u') if ctrl => move_sel(state, -(page as isize), fx),
        KeyCode::PageDown => move_sel(state, page as isize, fx),
        KeyCode::PageUp => move_sel(state, -(page as isize), fx),
        KeyCode::Char('g') | KeyCode::Home => move_sel(state, isize::MIN, fx),
        KeyCode::Char('G') | KeyCode::End => move_sel(state, isize::MAX, fx),
        KeyCode::Enter => match state.focus {
            Pane::Integrations => state.focus = Pane::Connections,
            Pane::Connections => {
                if state.selected_connection().is_some() {
                    state.modal = Some(Modal::Details);
                }
            }
        },
        KeyCode::Char('a') => toggle_all(state, fx),
        KeyCode::Char('n') => open_create(state),
        KeyCode::Char('e') => open_edit(state),
        KeyCode::Char('r') => start_rotation(state),
        KeyCode::Char('d') => ask_delete(state),
        KeyCode::Char('I') => open_register(state, "", ""),
        KeyCode::Char('L') => open_audit_log(state, fx),
        KeyCode::Char('R') => refresh(state, fx),
        KeyCode::Char('s') => cycle_sort(state),
        KeyCode::Char('S') => {
            let s = sort_mut(state);
            s.descending = !s.descending;
        }
        KeyCode::Char('c') => copy_name(state, fx),
        KeyCode::Char(' ') => toggle_mark(state),
        KeyCode::Esc => {
            if state.banner.is_some() {
                state.banner = None;
            } else if state.focus == Pane::Integrations && state.left_filter.is_active() {
                state.left_filter = Filter::default();
            } else if state.table_filter.is_active() {
                state.table_filter = Filter::default();
            } else if !state.marked.is_empty() {
                state.marked.clear();
            } else if state.only_findings {
                state.only_findings = false;
            }
        }
        _ => {}
    }
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

fn move_sel(state: &mut State, delta: isize, fx: &mut Vec<Effect>) {
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
    if refuse_readonly(state, "creating a connection") {
        return;
    }
    match target_integration(state) {
        Some(i) => state.modal = Some(Modal::Form(Box::new(Form::create(&i)))),
        None => banner(
            state,
            Level::Warn,
            "no integration to add a connection to: register one first (I)",
        ),
    }
}

fn open_edit(state: &mut State) {
    if refuse_readonly(state, "editing") {
        return;
    }
    let Some((integration, conn)) = state.selected_connection() else {
        banner(state, Level::Warn, "select a connection to edit");
        return;
    };
    match Form::edit(integration, conn) {
        Some(f) => state.modal = Some(Modal::Form(Box::new(f))),
        None => banner(
            state,
            Level::Warn,
            "oauth connections come from an OAuth flow and cannot be edited here",
        ),
    }
}

pub(super) fn open_register(state: &mut State, name: &str, description: &str) {
    if refuse_readonly(state, "registering an integration") {
        return;
    }
    state.modal = Some(Modal::Form(Box::new(Form::register(name, description))));
}

fn ask_delete(state: &mut State) {
    if refuse_readonly(state, "deleting") {
        return;
    }
    match state.selected_connection() {
        Some((i, c)) => {
            let key = ConnKey::of(i, c);
            state.modal = Some(Modal::ConfirmDelete { key });
        }
        None => banner(state, Level::Warn, "select a connection to delete"),
    }
}

/// Step one of a rotation: generate a password for each target and show it. Nothing is sent.
fn start_rotation(state: &mut State) {
    if refuse_readonly(state, "rotating") {
        return;
    }
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
        let password = match secret::generate(PASSWORD_LENGTH, Charset::Default) {
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
        items.push(RotItem {
            username: conn.username.clone().unwrap_or_default(),
            allowed_domain: conn.allowed_domain.clone(),
            before: conn.updated_at,
            key,
            password,
            status: RotStatus::Ready,
        });
    }
    if items.is_empty() {
        banner(
            state,
            Level::Warn,
            "rotation generates basic_auth passwords; for api_key and bearer_token \
             connections use e to set the new secret the target system issued",
        );
        return;
    }
    state.modal = Some(Modal::Rotation(Box::new(Rotation {
        items,
        selected: 0,
        revealed: false,
        copied: false,
        confirm_discard: false,
        skipped,
    })));
}
