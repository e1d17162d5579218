//! What is known of the selection: the details panel under the table and the details window.
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::app::keymap::{self, Scope};
use crate::app::{Pane, State};
use crate::zis::{ConnectionKind, TokenSource};

use super::popups::{title, window};
use super::theme::Theme;
use super::widgets::{
    age_style, age_text, datetime_text, hints, kind_badge, pane_block, s, wrap_words,
};
use super::SERVER_SECRET;

pub(super) fn details_panel(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let focused_left = state.focus == Pane::Integrations;
    if focused_left {
        if let Some(e) = state.selected_entry() {
            let block = pane_block(
                vec![Span::styled(format!(" {} ", s(e.name())), theme.title())],
                false,
                theme,
            );
            let lines = integration_lines(state, e, theme, area.width.saturating_sub(2) as usize);
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block)
                    .wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
    }
    let block = pane_block(vec![Span::styled(" Details ", theme.title())], false, theme);
    let lines = match state.selected_connection() {
        Some((integration, c)) => connection_lines(state, integration, c, theme, false),
        None => vec![Line::styled("Nothing selected.", theme.dim())],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// The details window (Enter on a connection): everything of the panel, and its integration.
pub fn popup(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some((integration, c)) = state.selected_connection() else {
        return;
    };
    let w = area.width.saturating_sub(4).min(90);
    let mut lines = connection_lines(state, integration, c, theme, true);
    if let Some(e) = state.entry(integration) {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled("Integration", theme.header())));
        lines.extend(integration_lines(
            state,
            e,
            theme,
            w.saturating_sub(4) as usize,
        ));
    }
    let h = (lines.len() as u16 + 4).min(area.height.saturating_sub(2));
    let inner = window(
        frame,
        area,
        w,
        h,
        title(format!("Connection {}", s(&c.name)), theme),
        theme,
    );
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    let oauth = c.kind == ConnectionKind::OAuth;
    let items =
        super::widgets::hints_now(
            keymap::hints(Scope::Details, state.ctx.readonly),
            |h| match h.command {
                keymap::Command::Edit if oauth => None,
                keymap::Command::Rotate if oauth => Some("re-authorise"),
                _ => Some(h.label),
            },
        );
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
}

const LABEL_W: usize = 16;

fn kv<'a>(k: &'a str, v: Vec<Span<'a>>, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("{k:<LABEL_W$}"), theme.muted())];
    spans.extend(v);
    Line::from(spans)
}

pub(crate) fn integration_lines<'a>(
    state: &State,
    e: &'a crate::app::IntegrationEntry,
    theme: &Theme,
    width: usize,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if e.integration.description.is_empty() {
        lines.push(kv(
            "Description",
            vec![Span::styled("—", theme.dim())],
            theme,
        ));
    } else {
        let text = s(&e.integration.description);
        for (i, part) in wrap_words(&text, width.saturating_sub(LABEL_W).max(10))
            .into_iter()
            .enumerate()
        {
            lines.push(kv(
                if i == 0 { "Description" } else { "" },
                vec![Span::raw(part)],
                theme,
            ));
        }
    }
    if let Some(c) = &e.integration.oauth_client {
        lines.push(kv(
            "OAuth client",
            vec![Span::raw(format!("{} ({})", s(&c.identifier), c.id))],
            theme,
        ));
    }
    let token = match e.token {
        Some(TokenSource::Configured) => "from the config",
        Some(TokenSource::Environment) => "ZIS_OAUTH_TOKEN",
        Some(TokenSource::Minted) => "minted with the admin credentials",
        None => "not yet needed",
    };
    lines.push(kv("Token", vec![Span::raw(token)], theme));
    let conns = match (&e.connections, &e.error) {
        (_, Some(err)) => Span::styled(format!("could not load: {}", s(err)), theme.error()),
        (Some(c), None) => {
            let stale = c
                .iter()
                .filter(|c| state.audit_of(e.name(), &c.name).is_some_and(|a| a.stale))
                .count();
            Span::raw(format!("{} ({stale} stale)", c.len()))
        }
        (None, None) => Span::styled("loading…", theme.dim()),
    };
    lines.push(kv("Connections", vec![conns], theme));
    lines
}

pub(crate) fn connection_lines<'a>(
    state: &State,
    integration: &str,
    c: &crate::zis::Connection,
    theme: &Theme,
    full: bool,
) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    lines.push(kv(
        "Name",
        vec![
            Span::styled(s(&c.name), theme.bold()),
            Span::raw("  "),
            kind_badge(c.kind, theme),
        ],
        theme,
    ));
    lines.push(kv("Integration", vec![Span::raw(s(integration))], theme));
    match c.kind {
        ConnectionKind::BasicAuth => {
            lines.push(kv(
                "Username",
                vec![Span::raw(s(c.username.as_deref().unwrap_or("")))],
                theme,
            ));
            lines.push(kv("Password", vec![Span::raw(SERVER_SECRET)], theme));
        }
        ConnectionKind::ApiKey => {
            lines.push(kv(
                "Header",
                vec![Span::raw(s(c.header_name.as_deref().unwrap_or("")))],
                theme,
            ));
            lines.push(kv("API key", vec![Span::raw(SERVER_SECRET)], theme));
        }
        ConnectionKind::BearerToken => {
            lines.push(kv("Token", vec![Span::raw(SERVER_SECRET)], theme));
        }
        ConnectionKind::OAuth => {
            lines.extend(super::oauth::oauth_lines(state, integration, c, theme));
        }
    }
    if c.kind != ConnectionKind::OAuth {
        lines.push(kv(
            "Allowed domain",
            vec![Span::raw(s(&c.allowed_domain))],
            theme,
        ));
    }
    let audit = state.audit_of(integration, &c.name);
    let age = audit.and_then(|a| a.age_days);
    lines.push(kv(
        "Updated",
        vec![
            Span::raw(datetime_text(c.updated_at)),
            Span::styled(
                format!("  ({} ago)", age_text(age)),
                age_style(
                    age,
                    audit.is_some_and(|a| a.stale),
                    state.ctx.stale_days,
                    theme,
                ),
            ),
        ],
        theme,
    ));
    if full {
        lines.push(kv(
            "Created",
            vec![Span::raw(datetime_text(c.created_at))],
            theme,
        ));
    }
    match audit {
        Some(a) if !a.findings.is_empty() => {
            for (i, f) in a.findings.iter().enumerate() {
                lines.push(kv(
                    if i == 0 { "Audit" } else { "" },
                    vec![Span::styled(format!("⚠ {}", s(f)), theme.stale())],
                    theme,
                ));
            }
        }
        _ => lines.push(kv(
            "Audit",
            vec![Span::styled("✓ fresh", theme.ok())],
            theme,
        )),
    }
    lines
}
