//! The help window: opened over the screen a `?` (or F1) was pressed in, showing that
//! screen's keys, and scrolled within its page.
use crate::app::keymap::{self, Command, Scope};
use crate::app::modal::HelpView;
use crate::app::model::Pane;
use crate::app::state::State;

/// Open the help of `scope`; in the help window itself, its own page.
pub(super) fn open(state: &mut State, scope: Scope) {
    state.help = Some(HelpView { scope, scroll: 0 });
    state.search = None;
}

/// The help of the main screen's focused pane (`:help`).
pub(super) fn open_main(state: &mut State) {
    let scope = if state.focus == Pane::Connections && state.clients_tab() {
        Scope::OAuthClients
    } else {
        Scope::pane(state.focus)
    };
    open(state, scope);
}

/// A key in the help window: `command` is what the keymap found for it there.
pub(super) fn help_key(state: &mut State, command: Option<Command>) {
    let Some(view) = state.help else {
        return;
    };
    let max = keymap::help_max_scroll(view.scope, state.ctx.readonly, state.size);
    let page = state.size.1.saturating_sub(6).max(1);
    let scroll = view.scroll.min(max);
    let to = match command {
        Some(Command::Close) => {
            state.help = None;
            state.search = None;
            return;
        }
        Some(Command::OpenFilter) => return super::search::open(state),
        Some(Command::NextMatch) => return super::search::step(state, true),
        Some(Command::PrevMatch) => return super::search::step(state, false),
        Some(Command::Down) => scroll.saturating_add(1),
        Some(Command::Up) => scroll.saturating_sub(1),
        Some(Command::PageDown) => scroll.saturating_add(page),
        Some(Command::PageUp) => scroll.saturating_sub(page),
        Some(Command::First) => 0,
        Some(Command::Last) => max,
        _ => scroll,
    };
    state.help = Some(HelpView {
        scroll: to.min(max),
        ..view
    });
}
