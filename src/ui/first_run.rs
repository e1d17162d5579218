//! The first-run screen: nothing is configured; say how to sign in (OAuth first: `zisctl auth
//! login`), and offer the demo.
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::keymap::{self, Command, Scope};
use crate::app::{FirstRun, State};

use super::theme::Theme;
use super::widgets::{centered, hints, s, spinner};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, fr: &FirstRun, theme: &Theme) {
    let w = area.width.saturating_sub(2).min(86);
    let h = area.height.min(30);
    let r = centered(area, w, h);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(Line::from(vec![
            Span::styled(" zisctl ", theme.app_badge()),
            Span::styled(" no Zendesk account configured ", theme.title()),
        ]));
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let inner = Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    };
    let path = fr
        .config_path
        .as_deref()
        .map(s)
        .unwrap_or_else(|| "~/.config/zisctl/config.toml".to_string());
    let code = theme.accent();
    let port = crate::auth::DEFAULT_REDIRECT_PORT;
    let mut lines = vec![
        Line::raw("zisctl manages the connections of Zendesk Integration Services (ZIS)."),
        Line::from(vec![
            Span::raw("Sign in to your Zendesk account with "),
            Span::styled("OAuth", theme.bold()),
            Span::raw(":"),
        ]),
        Line::raw(""),
        Line::raw(" 1. Once, in Admin Center > Apps and integrations > APIs > OAuth clients,"),
        Line::from(vec![
            Span::raw("    create a public client, redirect URL "),
            Span::styled(format!("http://127.0.0.1:{port}/callback"), code),
        ]),
        Line::styled(" 2. export ZENDESK_SUBDOMAIN=acme", code),
        Line::styled("    zisctl auth login --client-id ID", code),
        Line::raw(" 3. Start zisctl again."),
        Line::raw(""),
        Line::from(vec![
            Span::raw("or a profile in "),
            Span::styled(path, theme.bold()),
            Span::raw(":"),
        ]),
        Line::styled("  [profiles.default]", code),
        Line::styled("  subdomain = \"acme\"", code),
        Line::styled("  oauth_client_id = \"ID\"", code),
        Line::from(vec![
            Span::raw("  (written by "),
            Span::styled(
                "zisctl config init --subdomain acme --oauth-client-id ID",
                code,
            ),
            Span::raw(")"),
        ]),
        Line::raw(""),
        Line::raw("Cron and CI: ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET."),
        // Still read, until Zendesk turns them off.
        Line::styled(
            "API tokens (ZENDESK_EMAIL, ZENDESK_API_TOKEN) stop working on 2027-04-30.",
            theme.muted(),
        ),
        Line::raw(""),
        Line::from(vec![
            Span::raw("Not ready yet? Press "),
            Span::styled(
                keymap::key_label(Scope::FirstRun, Command::StartDemo),
                theme.key(),
            ),
            Span::raw(" to open the "),
            Span::styled("demo", theme.bold()),
            Span::raw(": a sandbox account running on this machine."),
        ]),
    ];
    if state.kept_passwords > 0 {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            crate::app::kept_text(state.kept_passwords),
            theme.warn(),
        ));
    }
    if fr.starting {
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", spinner(state)), theme.accent()),
            Span::raw("starting the demo sandbox…"),
        ]));
    }
    if let Some(e) = &fr.error {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("The demo could not start: {}", s(e)),
            theme.error(),
        ));
    }
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .alignment(Alignment::Left),
        body,
    );
    let items = keymap::hints(Scope::FirstRun, state.ctx.readonly);
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
}
