//! The input line at the bottom: typing a filter, and the `:` commands (looked up in
//! `keymap::COMMANDS`, done by `keys::run` as the keys are).
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::{CursorMove, TextArea};

use crate::app::action::Effect;
use crate::app::filter::Filter;
use crate::app::keymap::{self, Command};
use crate::app::modal::{InputKind, InputLine};
use crate::app::model::{Level, Pane};
use crate::app::state::State;

use super::keys::run;
use super::{banner, refuse_readonly};

pub(super) fn open_input(state: &mut State, kind: InputKind) {
    let mut ta = TextArea::default();
    ta.set_cursor_line_style(ratatui::style::Style::default());
    if kind == InputKind::Filter {
        let current = match state.focus {
            Pane::Integrations => &state.left_filter,
            Pane::Connections => &state.table_filter,
        };
        ta.insert_str(&current.text);
    }
    ta.move_cursor(CursorMove::End);
    state.input = Some(InputLine {
        kind,
        input: ta,
        pane: state.focus,
        history: None,
        completion: None,
    });
}

fn filter_mut(state: &mut State, pane: Pane) -> &mut Filter {
    match pane {
        Pane::Integrations => &mut state.left_filter,
        Pane::Connections => &mut state.table_filter,
    }
}

pub(super) fn sync_filter(state: &mut State) {
    let Some(input) = &state.input else {
        return;
    };
    if input.kind != InputKind::Filter {
        return;
    }
    let text = input.text();
    let pane = input.pane;
    filter_mut(state, pane).text = text;
}

/// A key on the input line: its bindings (Enter, Esc, Ctrl-F), else the text.
pub(super) fn input_key(
    state: &mut State,
    command: Option<Command>,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    let Some(input) = &mut state.input else {
        return;
    };
    let kind = input.kind;
    let pane = input.pane;
    match command {
        Some(Command::Cancel) => {
            state.input = None;
            if kind == InputKind::Filter {
                *filter_mut(state, pane) = Filter::default();
            }
        }
        Some(Command::Accept) => {
            let text = input.text();
            state.input = None;
            if kind == InputKind::Command {
                remember_command(state, text.trim());
                run_command(state, text.trim(), fx);
            }
        }
        Some(c @ (Command::Up | Command::Down)) if kind == InputKind::Command => {
            browse_history(state, c == Command::Up);
        }
        Some(Command::Complete) if kind == InputKind::Command => {
            super::complete::complete(state);
        }
        Some(Command::ToggleMode) => {
            let f = filter_mut(state, pane);
            f.mode = f.mode.toggled();
        }
        _ => edit_text(state, key),
    }
}

/// How many `:` lines the history keeps.
const HISTORY: usize = 100;

fn remember_command(state: &mut State, line: &str) {
    if line.is_empty() || state.command_history.last().is_some_and(|l| l == line) {
        return;
    }
    if state.command_history.len() == HISTORY {
        state.command_history.remove(0);
    }
    state.command_history.push(line.to_string());
}

/// Up (`back`) shows the line run before the one shown, Down the one after; past the newest
/// comes back what was typed.
fn browse_history(state: &mut State, back: bool) {
    let Some(input) = &mut state.input else {
        return;
    };
    let n = state.command_history.len();
    let next = match (input.history.as_ref().map(|h| h.0), back) {
        (None, true) if n > 0 => Some(n - 1),
        (None, _) => return,
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < n => Some(i + 1),
        (Some(_), false) => None,
    };
    let draft = match input.history.take() {
        Some((_, d)) => d,
        None => input.text(),
    };
    let text = match next {
        Some(i) => {
            input.history = Some((i, draft));
            state.command_history[i].clone()
        }
        None => draft,
    };
    set_line(input, text);
}

/// Put `text` on the input line, the cursor at its end.
pub(super) fn set_line(input: &mut InputLine, text: String) {
    let mut ta = TextArea::new(vec![text]);
    ta.set_cursor_line_style(ratatui::style::Style::default());
    ta.move_cursor(CursorMove::End);
    input.input = ta;
}

/// A key that is not a binding, on the input line: it edits the text.
fn edit_text(state: &mut State, key: KeyEvent) {
    let Some(input) = &mut state.input else {
        return;
    };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        // Backspace on an empty line closes it, as in vim.
        KeyCode::Backspace if input.input.is_empty() => state.input = None,
        // Not text: the line is one line, and Ctrl-F is the filter's (in the command line
        // it does nothing rather than move the cursor).
        KeyCode::Tab | KeyCode::BackTab => {}
        KeyCode::Char('m' | 'j' | 'f') if ctrl => {}
        // Ctrl-U clears to the start, as in a shell (the text area's own undoes).
        KeyCode::Char('u') if ctrl => {
            input.input.delete_line_by_head();
            input.completion = None;
            sync_filter(state);
        }
        _ => {
            // An edited line is a new draft: Up starts again from the newest, Tab completes
            // what is typed now.
            input.history = None;
            input.completion = None;
            input.input.input(key);
            if input.input.lines().len() > 1 {
                let t = input.text();
                input.input = TextArea::new(vec![t]);
                input.input.move_cursor(CursorMove::End);
            }
            sync_filter(state);
        }
    }
}

/// Run a line typed after `:`: its first word names a command of [`keymap::COMMANDS`].
fn run_command(state: &mut State, line: &str, fx: &mut Vec<Effect>) {
    let mut words = line.split_whitespace();
    let Some(name) = words.next() else {
        return;
    };
    let args: Vec<&str> = words.collect();
    let Some(verb) = keymap::verb_named(name) else {
        banner(
            state,
            Level::Error,
            format!("unknown command: {name} (:help lists the commands)"),
        );
        return;
    };
    if verb.mutates && refuse_readonly(state, verb.command.refusal()) {
        return;
    }
    run(state, verb.command, &args, fx);
}
