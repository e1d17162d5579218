//! `n` in the All view: the integration picker, then the new connection's form for it.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::form::Form;
use crate::app::keymap::Command;
use crate::app::modal::{IntegrationPicker, Modal};
use crate::app::state::State;

/// Open the picker on `current` (the selected connection's integration).
pub(super) fn open(state: &mut State, current: &str) {
    state.modal = Some(Modal::PickIntegration(Box::new(IntegrationPicker {
        query: String::new(),
        selected: current.to_string(),
    })));
}

pub(super) fn picker_key(
    state: &mut State,
    mut p: Box<IntegrationPicker>,
    command: Option<Command>,
    key: KeyEvent,
) {
    let names: Vec<String> = state
        .integrations
        .iter()
        .map(|e| e.name().to_string())
        .collect();
    let matches = p.matches(names.iter().map(String::as_str));
    let at = p.position(&matches);
    match command {
        Some(Command::Cancel) => return,
        Some(Command::Accept) => {
            if let Some(name) = matches.get(at) {
                state.modal = Some(Modal::Form(Box::new(Form::create(name))));
                return;
            }
        }
        Some(Command::Down) => {
            if let Some(n) = matches.get((at + 1).min(matches.len().saturating_sub(1))) {
                p.selected = n.to_string();
            }
        }
        Some(Command::Up) => {
            if let Some(n) = matches.get(at.saturating_sub(1)) {
                p.selected = n.to_string();
            }
        }
        Some(Command::ClearToStart) => p.query.clear(),
        _ => match key.code {
            KeyCode::Char(c)
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                p.query.push(c)
            }
            KeyCode::Backspace => {
                p.query.pop();
            }
            _ => {}
        },
    }
    // The selection stays on its name while that still matches, else the first match.
    let matches = p.matches(names.iter().map(String::as_str));
    if !matches.contains(&p.selected.as_str()) {
        p.selected = matches.first().map(|n| n.to_string()).unwrap_or_default();
    }
    state.modal = Some(Modal::PickIntegration(p));
}
