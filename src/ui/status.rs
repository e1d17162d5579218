//! The lines around the panes: the status bar, the banner under it, the footer hints or input.
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::keymap::{self, Command, Scope};
use crate::app::{InputKind, Pane, State};

use super::theme::Theme;
use super::widgets::{hints, hints_text, s, spinner};

pub(super) fn status_bar(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let bar = theme.status_bar();
    let mut right: Vec<Span> = Vec::new();
    if let Some((note, ticks)) = &state.rate_note {
        // The note says how long the client waits; count it down.
        let secs = ticks.div_ceil(crate::app::TICKS_PER_SEC);
        let text = if note.starts_with("rate limited") {
            format!(" rate limited, waiting {secs} s ")
        } else {
            format!(" {} ", s(note))
        };
        right.push(Span::styled(text, theme.banner(crate::app::Level::Warn)));
        right.push(Span::styled(" ", bar));
    }
    if state.busy() {
        // The one request under way, or while the account loads how far it got.
        let (loaded, total) = state.load_progress();
        let what = if state.in_flight.len() == 1 {
            state
                .in_flight
                .values()
                .next()
                .map(|v| s(v))
                .unwrap_or_default()
        } else if loaded < total {
            format!("{loaded} of {total} loaded")
        } else {
            format!("{} requests", state.in_flight.len())
        };
        right.push(Span::styled(
            format!("{} ", spinner(state)),
            bar.patch(theme.accent()),
        ));
        right.push(Span::styled(format!("{what} "), bar));
    }
    if state.signed_out {
        right.push(Span::styled(
            " signed out ",
            theme.banner(crate::app::Level::Error),
        ));
        right.push(Span::styled(" ", bar));
    } else if let Some(text) = session_end_text(state.session_ends, time::OffsetDateTime::now_utc())
    {
        right.push(Span::styled(
            format!(" {text} "),
            theme.banner(crate::app::Level::Warn),
        ));
        right.push(Span::styled(" ", bar));
    }
    if state.ctx.readonly {
        right.push(Span::styled(
            " READ-ONLY ",
            theme.banner(crate::app::Level::Warn),
        ));
    }
    let right_w: usize = right.iter().map(|s| s.content.chars().count()).sum();

    let sep = Span::styled(" │ ", bar.patch(theme.dim()));
    let mut left = vec![
        Span::styled(" zisctl ", theme.app_badge()),
        Span::styled(" ", bar),
        Span::styled(s(&state.ctx.profile), bar.patch(theme.bold())),
        sep.clone(),
        Span::styled(s(&state.ctx.base_url), bar),
    ];
    let width = |l: &[Span]| -> usize { l.iter().map(|s| s.content.chars().count()).sum() };
    // Who is signed in comes before where the credentials came from.
    if let Some(who) = state.signed_in.as_deref().map(s) {
        if width(&left) + 3 + who.chars().count() + right_w < area.width as usize {
            left.push(sep.clone());
            left.push(Span::styled(who, bar));
        }
    }
    let creds = s(&state.ctx.credential_source);
    if width(&left) + 3 + creds.chars().count() + right_w < area.width as usize {
        left.push(sep);
        left.push(Span::styled(creds, bar.patch(theme.muted())));
    }
    let [l, r] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_w as u16)]).areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)).style(bar), l);
    frame.render_widget(
        Paragraph::new(Line::from(right))
            .alignment(Alignment::Right)
            .style(bar),
        r,
    );
}

/// How close the end of a session must be for the status line to say it.
pub const SESSION_END_WARNING: time::Duration = time::Duration::minutes(5);

/// "session ends 14:05 UTC" when the session ends within [`SESSION_END_WARNING`] of `now`
/// ("session ended …" once past); nothing while it is further.
pub fn session_end_text(
    ends: Option<time::OffsetDateTime>,
    now: time::OffsetDateTime,
) -> Option<String> {
    let end = ends?.to_offset(time::UtcOffset::UTC);
    if end - now > SESSION_END_WARNING {
        return None;
    }
    let verb = if end <= now { "ended" } else { "ends" };
    Some(format!(
        "session {verb} {:02}:{:02} UTC",
        end.hour(),
        end.minute()
    ))
}

/// The banner (an error, warning or notice) across the screen, when there is one.
pub(super) fn banner(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let Some(b) = &state.banner {
        // No check mark for work still running ("refreshing…"): a spinner.
        let running = format!("{} ", super::widgets::spinner(state));
        let icon = match b.level {
            crate::app::Level::Error => "✗ ",
            crate::app::Level::Warn => "! ",
            crate::app::Level::Info if b.text.ends_with('…') => running.as_str(),
            crate::app::Level::Info => "✓ ",
        };
        let p = Paragraph::new(Line::from(vec![
            Span::raw(" "),
            Span::raw(icon),
            Span::raw(s(&b.text)),
        ]))
        .wrap(Wrap { trim: false })
        .style(theme.banner(b.level));
        frame.render_widget(p, area);
    }
}

pub(super) fn footer_line(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let ro = state.ctx.readonly;
    if let Some(input) = &state.input {
        let (prompt, extra) = match input.kind {
            InputKind::Filter => {
                let f = match input.pane {
                    Pane::Integrations => &state.left_filter,
                    Pane::Connections => &state.table_filter,
                };
                let keys = hints_text(&keymap::hints(Scope::Filter, ro));
                ("/", format!("  {} · {keys}", f.mode.label()))
            }
            InputKind::Command => {
                let keys = hints_text(&keymap::hints(Scope::CommandLine, ro));
                let help = keymap::COMMANDS
                    .iter()
                    .find(|v| v.command == Command::Help)
                    .map(|v| format!(" · :{}", v.usage()))
                    .unwrap_or_default();
                (":", format!("  {keys}{help} "))
            }
        };
        let extra_w = (extra.chars().count() as u16).min(area.width / 2);
        let [p, t, x] = Layout::horizontal([
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(extra_w),
        ])
        .areas(area);
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {prompt}"), theme.key())),
            p,
        );
        frame.render_widget(&input.input, t);
        frame.render_widget(Paragraph::new(Span::styled(extra, theme.dim())), x);
        return;
    }
    let clients = state.focus == Pane::Connections && state.clients_tab();
    let oauth_selected = state.marked.is_empty()
        && state
            .selected_connection()
            .is_some_and(|(_, c)| c.kind == crate::zis::ConnectionKind::OAuth);
    let scope = if clients {
        Scope::OAuthClients
    } else {
        Scope::pane(state.focus)
    };
    let items = super::widgets::hints_now(keymap::hints(scope, ro), |h| match h.command {
        Command::OAuthClients if clients => Some("connections"),
        Command::Rotate if clients => Some("new secret"),
        Command::Rotate if oauth_selected => Some("re-authorise"),
        _ => Some(h.label),
    });
    frame.render_widget(Paragraph::new(hints(&items, area.width, theme)), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_session_end_is_said_when_close() {
        let now = datetime!(2026-12-02 01:00:00 UTC);
        assert_eq!(session_end_text(None, now), None);
        assert_eq!(
            session_end_text(Some(now + time::Duration::minutes(6)), now),
            None
        );
        assert_eq!(
            session_end_text(Some(now + time::Duration::minutes(4)), now).as_deref(),
            Some("session ends 01:04 UTC")
        );
        assert_eq!(
            session_end_text(Some(now - time::Duration::minutes(1)), now).as_deref(),
            Some("session ended 00:59 UTC")
        );
    }
}
