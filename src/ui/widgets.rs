//! Small drawing helpers every part of the screen shares: sanitising, dates, hints, framing.
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders};

use crate::app::keymap::Hint;
use crate::app::State;
use crate::zis::ConnectionKind;

use super::theme::Theme;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// A server string made safe to draw.
pub(crate) fn s(text: &str) -> String {
    crate::sanitize::clean(text)
}

pub(crate) fn spinner(state: &State) -> &'static str {
    SPINNER[(state.tick as usize) % SPINNER.len()]
}

/// "412d", or "—" when unknown.
pub(crate) fn age_text(days: Option<i64>) -> String {
    match days {
        Some(d) => format!("{d}d"),
        None => "—".to_string(),
    }
}

pub(crate) fn date_text(t: Option<time::OffsetDateTime>) -> String {
    match t {
        Some(t) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
        }
        None => "—".to_string(),
    }
}

pub(crate) fn datetime_text(t: Option<time::OffsetDateTime>) -> String {
    match t {
        Some(t) => {
            let t = t.to_offset(time::UtcOffset::UTC);
            format!(
                "{} {:02}:{:02} UTC",
                date_text(Some(t)),
                t.hour(),
                t.minute()
            )
        }
        None => "—".to_string(),
    }
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let [_, mid, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(w),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, out, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(h),
        Constraint::Fill(1),
    ])
    .areas(mid);
    out
}

/// A hint line: `key label · key label …` (from `keymap::hints`), cut to fit `width`.
pub(crate) fn hints<'a>(items: &'a [Hint], width: u16, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    let mut used = 1usize;
    spans.push(Span::raw(" "));
    for (i, Hint { keys: k, label, .. }) in items.iter().enumerate() {
        let need = k.chars().count() + 1 + label.chars().count() + if i > 0 { 3 } else { 0 };
        if used + need > width as usize {
            break;
        }
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(k.as_str(), theme.key()));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(*label, theme.muted()));
        used += need;
    }
    Line::from(spans)
}

/// The footer `hints` as the window's state has them now: `label` says, for each, the label
/// to show (the table's, or another), or `None` to leave it out.
pub(crate) fn hints_now(
    hints: Vec<Hint>,
    label: impl Fn(&Hint) -> Option<&'static str>,
) -> Vec<Hint> {
    hints
        .into_iter()
        .filter_map(|mut h| {
            h.label = label(&h)?;
            Some(h)
        })
        .collect()
}

/// `key label · key label` as plain text, for the input line.
pub(crate) fn hints_text(hints: &[Hint]) -> String {
    hints
        .iter()
        .map(|h| format!("{} {}", h.keys, h.label))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Split `text` into lines of at most `width` characters, at spaces where possible.
pub(crate) fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let wl = word.chars().count();
        let cl = cur.chars().count();
        if cl > 0 && cl + 1 + wl > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
        while cur.chars().count() > width {
            let head: String = cur.chars().take(width).collect();
            let tail: String = cur.chars().skip(width).collect();
            out.push(head);
            cur = tail;
        }
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

pub(super) fn pane_block<'a>(title: Vec<Span<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(theme.border(focused))
        .title(Line::from(title))
}

/// The kind as the API and the CLI spell it (`basic_auth`, `api_key`, `bearer_token`,
/// `oauth`), padded to the longest so that badges line up.
pub(crate) fn kind_badge(kind: ConnectionKind, theme: &Theme) -> Span<'static> {
    Span::styled(format!(" {:<12}", kind.as_str()), theme.kind_badge(kind))
}

pub(super) fn age_style(days: Option<i64>, stale: bool, stale_days: u32, theme: &Theme) -> Style {
    match days {
        Some(d) if d >= 2 * i64::from(stale_days) => theme.very_stale(),
        _ if stale => theme.stale(),
        None => theme.dim(),
        _ => theme.ok(),
    }
}

/// Cut `text` to `width` characters, ending with … when cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}
