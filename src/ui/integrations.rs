//! The left pane: "All connections" and one line per integration with its connection count.
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState};
use ratatui::Frame;

use crate::app::{LeftItem, Pane, State};

use super::theme::Theme;
use super::widgets::{pane_block, s, truncate};

pub(super) fn integrations_pane(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let focused = state.focus == Pane::Integrations;
    let mut title = vec![Span::styled(" Integrations ", theme.title())];
    if state.left_filter.is_active() {
        title.push(Span::styled(
            format!("/{} ", s(&state.left_filter.text)),
            theme.accent(),
        ));
    }
    let block = pane_block(title, focused, theme);
    let inner_w = area.width.saturating_sub(4) as usize;
    let mut items = Vec::new();
    for item in &state.left_rows {
        let (name, count, style) = match item {
            LeftItem::All => {
                let (loaded, total) = state.load_progress();
                let n = state.total_connections();
                let count = if loaded < total {
                    format!("{n}…")
                } else {
                    n.to_string()
                };
                let label = if inner_w >= 22 {
                    "★ All connections"
                } else {
                    "★ All"
                };
                (label.to_string(), count, theme.accent())
            }
            LeftItem::Integration(i) => {
                let Some(e) = state.integrations.get(*i) else {
                    continue;
                };
                let count = match (&e.connections, e.loading, &e.error) {
                    (_, _, Some(_)) => "!".to_string(),
                    (Some(c), None, _) => c.len().to_string(),
                    (Some(c), Some(_), _) => format!("{}…", c.len()),
                    (None, _, _) => "…".to_string(),
                };
                let style = if e.error.is_some() {
                    theme.error()
                } else {
                    theme.base()
                };
                (s(e.name()), count, style)
            }
        };
        let name_w = inner_w.saturating_sub(count.chars().count() + 1);
        let name = truncate(&name, name_w);
        let pad = inner_w.saturating_sub(name.chars().count() + count.chars().count());
        items.push(ListItem::new(Line::from(vec![
            Span::styled(name, style),
            Span::raw(" ".repeat(pad)),
            Span::styled(count, theme.dim()),
        ])));
    }
    if !state.integrations_loaded {
        let msg = match &state.integrations_error {
            Some(_) => "could not load (R retries)",
            None => "loading…",
        };
        items.push(ListItem::new(Line::styled(msg.to_string(), theme.dim())));
    } else if state.integrations.is_empty() {
        items.push(ListItem::new(Line::styled(
            "no integrations yet (I registers one)".to_string(),
            theme.dim(),
        )));
    }
    let list = List::new(items)
        .block(block)
        .highlight_style(theme.selected(focused))
        .highlight_spacing(HighlightSpacing::Always)
        .highlight_symbol(if focused { "▌" } else { " " });
    let mut ls = ListState::default().with_selected(state.left_index());
    frame.render_stateful_widget(list, area, &mut ls);
}
