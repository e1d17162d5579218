//! The integration picker of `n` in the All view: a filter line, the matching names (the
//! selected one marked), the keys.
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::keymap::{self, Scope};
use crate::app::{IntegrationPicker, State};

use super::popups::{title, window};
use super::theme::Theme;
use super::widgets::{hints, s};

pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    p: &IntegrationPicker,
    theme: &Theme,
) {
    let matches = p.matches(state.integrations.iter().map(|e| e.name()));
    let at = p.position(&matches);
    let w = area.width.saturating_sub(4).min(60);
    // Filter line, a blank, the names, a blank, the keys; at most the screen less 4.
    let room = area.height.saturating_sub(4).max(7);
    let list_h = (matches.len().max(1) as u16).min(room - 6);
    let h = list_h + 6;
    let inner = window(
        frame,
        area,
        w,
        h,
        title("New connection: which integration?", theme),
        theme,
    );
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Integration ", theme.muted()),
            Span::styled(s(&p.query), theme.bold()),
            Span::styled("▏", theme.key()),
            Span::styled(
                format!("  {} of {}", matches.len(), state.integrations.len()),
                theme.dim(),
            ),
        ]),
        Line::raw(""),
    ];
    if matches.is_empty() {
        lines.push(Line::styled(
            "no integration matches: Backspace",
            theme.muted(),
        ));
    }
    // Scroll so that the selected name is in view.
    let first = at.saturating_sub(list_h.saturating_sub(1) as usize);
    let width = inner.width.saturating_sub(2) as usize;
    for (i, name) in matches.iter().enumerate().skip(first).take(list_h as usize) {
        let sel = i == at;
        let name: String = s(name).chars().take(width).collect();
        lines.push(Line::from(vec![
            Span::styled(if sel { "▶ " } else { "  " }, theme.key()),
            Span::styled(
                name,
                if sel {
                    theme.selected(true)
                } else {
                    theme.bold()
                },
            ),
        ]));
    }
    let foot = Rect {
        y: inner.y + inner.height.saturating_sub(1),
        height: 1,
        ..inner
    };
    frame.render_widget(Paragraph::new(lines), inner);
    let items = keymap::hints(Scope::PickIntegration, state.ctx.readonly);
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
}
