//! `view(&state, frame)`: draws the state, never changes it.
//!
//! Every string that came from a server goes through [`crate::sanitize::clean`] before it is
//! drawn ([`s`]); secrets the server sent are drawn as `•••••`; a secret zisctl holds (a new
//! password, a client secret) is drawn masked unless its screen says it is revealed.
mod first_run;
mod form;
mod main_screen;
mod popups;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::app::{Modal, Screen, State};
use theme::Theme;

/// How the server's `"*****"` is shown.
pub const SERVER_SECRET: &str = "•••••";

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Draw the whole screen.
pub fn view(state: &State, frame: &mut Frame) {
    let theme = Theme::new(state.color);
    let area = frame.area();
    if let Screen::FirstRun(fr) = &state.screen {
        first_run::draw(frame, area, state, fr, &theme);
        return;
    }
    main_screen::draw(frame, area, state, &theme);
    match &state.modal {
        None => {}
        Some(Modal::Help { scroll }) => popups::help(frame, area, state, *scroll, &theme),
        Some(Modal::Details) => popups::details(frame, area, state, &theme),
        Some(Modal::ConfirmDelete { key }) => popups::confirm_delete(frame, area, key, &theme),
        Some(Modal::Form(f)) => form::draw(frame, area, state, f, &theme),
        Some(Modal::Rotation(r)) => popups::rotation(frame, area, r, &theme),
        Some(Modal::Registered(r)) => popups::registered(frame, area, r, &theme),
        Some(Modal::AuditLog { entries, scroll }) => {
            popups::audit_log(frame, area, entries.as_ref(), *scroll, &theme)
        }
    }
}

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

/// A hint line: `key label · key label …`, cut to fit `width`.
pub(crate) fn hints<'a>(items: &[(&'a str, &'a str)], width: u16, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    let mut used = 1usize;
    spans.push(Span::raw(" "));
    for (i, (k, label)) in items.iter().enumerate() {
        let need = k.chars().count() + 1 + label.chars().count() + if i > 0 { 3 } else { 0 };
        if used + need > width as usize {
            break;
        }
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(*k, theme.key()));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(*label, theme.muted()));
        used += need;
    }
    Line::from(spans)
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
