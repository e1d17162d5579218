//! The input line at the bottom: typing a filter, and the `:` commands.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::{CursorMove, TextArea};

use crate::app::action::Effect;
use crate::app::filter::{Filter, FilterMode};
use crate::app::modal::{InputKind, InputLine, Modal};
use crate::app::model::{LeftSel, Level, Pane};
use crate::app::state::State;
use crate::app::table::SortKey;

use super::keys::{open_create, open_register, refresh, set_left, sort_mut};
use super::modals::open_audit_log;
use super::{banner, quit};

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

pub(super) fn input_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(input) = &mut state.input else {
        return;
    };
    let kind = input.kind;
    let pane = input.pane;
    match key.code {
        KeyCode::Esc => {
            state.input = None;
            if kind == InputKind::Filter {
                *filter_mut(state, pane) = Filter::default();
            }
        }
        KeyCode::Enter => {
            let text = input.text();
            state.input = None;
            if kind == InputKind::Command {
                run_command(state, text.trim(), fx);
            }
        }
        KeyCode::Char('f') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            if kind == InputKind::Filter {
                let f = filter_mut(state, pane);
                f.mode = f.mode.toggled();
            }
        }
        KeyCode::Backspace if input.input.is_empty() => {
            state.input = None;
        }
        KeyCode::Tab | KeyCode::BackTab => {}
        KeyCode::Char('m' | 'j') if key.modifiers.contains(KeyModifiers::CONTROL) => {}
        _ => {
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

/// Commands typed after `:`.
pub const COMMANDS: &[(&str, &str)] = &[
    ("q", "quit"),
    ("all", "All connections"),
    ("findings", "only the ones with findings"),
    ("int NAME", "go to an integration"),
    ("register NAME [DESC]", "register an integration"),
    ("new", "new connection"),
    ("sort KEY [asc|desc]", "name kind age domain …"),
    ("filter [fuzzy] TEXT", "filter the table"),
    ("refresh", "reload everything"),
    ("log", "the audit log of changes"),
    ("help", "this help"),
];

fn run_command(state: &mut State, line: &str, fx: &mut Vec<Effect>) {
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else {
        return;
    };
    let rest: Vec<&str> = words.collect();
    match cmd {
        "q" | "q!" | "quit" | "exit" => quit(state, fx, 0),
        "help" | "h" | "?" => state.modal = Some(Modal::Help { scroll: 0 }),
        "all" | "audit" => {
            state.only_findings = false;
            set_left(state, LeftSel::All, fx);
            state.focus = Pane::Connections;
        }
        "findings" | "stale" => {
            set_left(state, LeftSel::All, fx);
            state.only_findings = !state.only_findings;
            state.focus = Pane::Connections;
        }
        "int" | "i" | "integration" => match rest.first() {
            Some(n) if state.entry(n).is_some() => {
                set_left(state, LeftSel::Integration((*n).to_string()), fx);
            }
            Some(n) => banner(
                state,
                Level::Error,
                format!("no integration named {n} in this account"),
            ),
            None => banner(state, Level::Error, ":int needs a name"),
        },
        "register" | "reg" => {
            let name = rest.first().copied().unwrap_or("");
            let desc = rest.get(1..).map(|d| d.join(" ")).unwrap_or_default();
            open_register(state, name, &desc);
        }
        "new" => open_create(state),
        "log" | "audit-log" => open_audit_log(state, fx),
        "refresh" | "reload" | "r" => refresh(state, fx),
        "sort" => {
            let key = rest.first().and_then(|k| SortKey::parse(k));
            match key {
                Some(k) if k != SortKey::Integration || state.is_all_view() => {
                    let desc = match rest.get(1).copied() {
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
        "filter" | "f" => {
            let (mode, words) = match rest.first() {
                Some(&"fuzzy") => (FilterMode::Fuzzy, &rest[1..]),
                _ => (FilterMode::Substring, &rest[..]),
            };
            state.table_filter = Filter {
                text: words.join(" "),
                mode,
            };
            state.focus = Pane::Connections;
        }
        other => banner(
            state,
            Level::Error,
            format!("unknown command: {other} (:help lists the commands)"),
        ),
    }
}
