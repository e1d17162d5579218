//! `/` in the help window and the audit log: type a word, Enter goes to its first match from
//! where the window is, `n` / `N` to the next / previous (round the end). The table has no
//! such search: there `/` narrows the rows to the matches, and `n` is "new".
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::keymap::{self, Command};
use crate::app::modal::{Modal, Search};
use crate::app::state::State;

/// `/`: start typing a search.
pub(super) fn open(state: &mut State) {
    state.search = Some(Search {
        typing: true,
        ..Search::default()
    });
}

/// A key while the search is typed.
pub(super) fn search_key(state: &mut State, command: Option<Command>, key: KeyEvent) {
    let Some(search) = &mut state.search else {
        return;
    };
    match command {
        Some(Command::Cancel) => state.search = None,
        Some(Command::Accept) => {
            search.typing = false;
            search.at = None;
            if search.text.is_empty() {
                state.search = None;
            } else {
                step(state, true);
            }
        }
        Some(Command::ClearToStart) => search.text.clear(),
        _ => match key.code {
            KeyCode::Backspace if search.text.is_empty() => state.search = None,
            KeyCode::Backspace => {
                search.text.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                search.text.push(c)
            }
            _ => {}
        },
    }
}

/// The lines (help) or entries (audit log) that match, and the window's scroll now.
fn matches(state: &State, text: &str) -> (Vec<usize>, usize) {
    if let Some(h) = state.help {
        let lines = keymap::help_match_lines(h.scope, state.ctx.readonly, state.size.0, text);
        return (lines, usize::from(h.scroll));
    }
    if let Some(Modal::AuditLog {
        entries: Some(Ok(list)),
        scroll,
    }) = &state.modal
    {
        let q = text.to_lowercase();
        let hits = list
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                let t = format!(
                    "{} {} {}{} {}",
                    e.time,
                    e.action,
                    e.target(),
                    e.fields_text(),
                    e.outcome
                );
                t.to_lowercase().contains(&q)
            })
            .map(|(i, _)| i)
            .collect();
        return (hits, usize::from(*scroll));
    }
    (Vec::new(), 0)
}

/// To the next match (`forward`) or the previous one, round the end; Enter's first goes
/// to the first match from the window's top.
pub(super) fn step(state: &mut State, forward: bool) {
    let Some(search) = &state.search else {
        return;
    };
    let (hits, scroll) = matches(state, &search.text);
    let Some(&first) = hits.first() else {
        let text = format!("no match for {}", search.text);
        super::banner(state, crate::app::model::Level::Info, text);
        return;
    };
    let last = *hits.last().unwrap_or(&first);
    let at = match (search.at, forward) {
        (None, _) => hits.iter().copied().find(|&i| i >= scroll).unwrap_or(first),
        (Some(a), true) => hits.iter().copied().find(|&i| i > a).unwrap_or(first),
        (Some(a), false) => hits.iter().rev().copied().find(|&i| i < a).unwrap_or(last),
    };
    if let Some(s) = &mut state.search {
        s.at = Some(at);
    }
    let to = at.min(usize::from(u16::MAX)) as u16;
    if let Some(h) = &mut state.help {
        let max = keymap::help_max_scroll(h.scope, state.ctx.readonly, state.size);
        h.scroll = to.min(max);
    } else if let Some(Modal::AuditLog { scroll, .. }) = &mut state.modal {
        *scroll = to;
    }
}
