//! The mouse, from where the last frame put the panes (`State::hitmap`): a click focuses the
//! pane under it and selects the row or item there, a click on the row already selected in
//! the focused pane opens it as Enter does, the wheel moves the selection of the pane under
//! the pointer. In the windows that scroll (help, the audit log, bundles) the wheel scrolls
//! them; elsewhere over a window, a form or the input line the mouse does nothing (a click
//! must not move what a window is about).
use crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::app::action::Effect;
use crate::app::keymap::{Command, Scope};
use crate::app::model::{Pane, Screen};
use crate::app::state::State;

use super::keys::{move_sel, on_key, run};

/// Rows the wheel moves per notch.
const WHEEL: isize = 1;

pub(super) fn on_mouse(state: &mut State, ev: MouseEvent, fx: &mut Vec<Effect>) {
    if matches!(state.screen, Screen::FirstRun(_)) {
        return;
    }
    let at = Position::new(ev.column, ev.row);
    let wheel = match ev.kind {
        MouseEventKind::ScrollDown => Some(WHEEL),
        MouseEventKind::ScrollUp => Some(-WHEEL),
        _ => None,
    };
    if state.help.is_some() || state.modal.is_some() || state.input.is_some() {
        if let Some(d) = wheel {
            if matches!(
                Scope::of(state),
                Scope::Help | Scope::AuditLog | Scope::Bundles
            ) {
                let code = if d > 0 { KeyCode::Down } else { KeyCode::Up };
                on_key(state, KeyEvent::from(code), fx);
            }
        }
        return;
    }
    let map = state.hitmap;
    let pane = if inside(map.integrations, at) {
        Pane::Integrations
    } else if inside(map.table, at) {
        Pane::Connections
    } else {
        return;
    };
    match (ev.kind, wheel) {
        (_, Some(d)) => {
            // The pane under the pointer, focused or not.
            let focus = state.focus;
            state.focus = pane;
            step(state, d, fx);
            if state.focus == pane {
                state.focus = focus;
            }
        }
        (MouseEventKind::Down(MouseButton::Left), None) => click(state, pane, at, fx),
        _ => {}
    }
}

fn inside(r: Rect, at: Position) -> bool {
    r.width > 0 && r.contains(at)
}

/// A left click on `pane` at `at`.
fn click(state: &mut State, pane: Pane, at: Position, fx: &mut Vec<Effect>) {
    let map = state.hitmap;
    let (area, first) = match pane {
        Pane::Integrations => (map.left_items, map.left_first),
        Pane::Connections => (map.rows, map.first_row),
    };
    let was_focused = state.focus == pane;
    state.focus = pane;
    if !inside(area, at) {
        return;
    }
    let index = first + usize::from(at.y - area.y);
    let (current, len) = match pane {
        Pane::Integrations => (state.left_index(), state.left_rows.len()),
        Pane::Connections if state.clients_tab() => {
            (state.selected_client_index(), state.client_rows().len())
        }
        Pane::Connections => (state.selected_index(), state.rows.len()),
    };
    if index >= len {
        return;
    }
    if was_focused && current == Some(index) {
        let open = match pane {
            Pane::Integrations => Command::Open,
            Pane::Connections => Command::Details,
        };
        run(state, open, &[], fx);
        return;
    }
    let delta = index as isize - current.unwrap_or(0) as isize;
    step(state, delta, fx);
}

/// Move the focused pane's selection by `delta` rows.
fn step(state: &mut State, delta: isize, fx: &mut Vec<Effect>) {
    if state.focus == Pane::Connections && state.clients_tab() {
        let command = if delta > 0 {
            Command::Down
        } else {
            Command::Up
        };
        for _ in 0..delta.unsigned_abs() {
            run(state, command, &[], fx);
        }
    } else {
        move_sel(state, delta, fx);
    }
}
