//! The OAuth side of the screen: the OAuth clients tab of the right pane (its table and its
//! details panel and window), the OAuth details of a connection, the delete question that
//! lists what goes with an OAuth client (or asks for a reserved name), and the re-authorise
//! window. No client secret or OAuth token is ever drawn: the state holds none of those the
//! server sent, and a new secret typed into a form is masked there.
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

use crate::app::keymap::{self, Command, Scope};
use crate::app::{AuthPhase, AuthorizeFlow, DeleteQuestion, DeleteTarget, State};
use crate::zis::{Connection, ZisOAuthClient};

use super::popups::{title, window};
use super::theme::Theme;
use super::widgets::{
    age_style, age_text, datetime_text, hints, hints_now, pane_block, s, spinner, truncate,
};
use super::SERVER_SECRET;

const LABEL_W: usize = 16;

fn kv<'a>(k: &'a str, v: Vec<Span<'a>>, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled(format!("{k:<LABEL_W$}"), theme.muted())];
    spans.extend(v);
    Line::from(spans)
}

fn url_text(u: &str) -> String {
    s(u.strip_prefix("https://").unwrap_or(u))
}

/// "2025-11-23 14:00 UTC  (in 2h)" or "… (expired 4d ago)", styled by it.
pub(crate) fn expiry_spans<'a>(c: &Connection, state: &State, theme: &Theme) -> Vec<Span<'a>> {
    let Some(t) = c.oauth.as_ref().and_then(|o| o.token_expiry) else {
        return vec![Span::styled("— (the server did not say)", theme.dim())];
    };
    let secs = (t - state.now).whole_seconds();
    let rel = |n: i64| {
        let d = n / 86_400;
        if d >= 1 {
            format!("{d}d")
        } else if n >= 3600 {
            format!("{}h", n / 3600)
        } else {
            format!("{}m", (n / 60).max(1))
        }
    };
    let (text, style) = if secs > 0 {
        (format!("  (in {})", rel(secs)), theme.ok())
    } else {
        (format!("  (expired {} ago)", rel(-secs)), theme.error())
    };
    vec![Span::raw(datetime_text(Some(t))), Span::styled(text, style)]
}

/// The OAuth lines of a connection's details: its client, scopes and token expiry.
pub(crate) fn oauth_lines<'a>(
    state: &State,
    integration: &str,
    c: &Connection,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let o = c.oauth.clone().unwrap_or_default();
    let client = match o.oauth_client_uuid.as_deref() {
        Some(u) => match state.client_name(integration, u) {
            Some(n) => vec![Span::raw(s(n))],
            None => vec![Span::styled(s(u), theme.dim())],
        },
        None => vec![Span::styled("—", theme.dim())],
    };
    let scopes = match o.permission_scope.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Span::raw(s(p)),
        None => Span::styled("—", theme.dim()),
    };
    vec![
        kv("Tokens", vec![Span::raw(SERVER_SECRET)], theme),
        kv("OAuth client", client, theme),
        kv("Scopes", vec![scopes], theme),
        kv("Token expiry", expiry_spans(c, state, theme), theme),
    ]
}

// ----- the OAuth clients tab -----------------------------------------------------------------

/// The columns that fit `w` cells, with their widths: the name whole (up to 28), the token
/// URL the rest; the client id, the date and the scopes only where there is room.
fn columns(w: u16, rows: &[&ZisOAuthClient]) -> Vec<(&'static str, Constraint, bool)> {
    let widest = |f: &dyn Fn(&ZisOAuthClient) -> usize, min: usize, cap: usize| {
        rows.iter().map(|c| f(c)).max().unwrap_or(0).clamp(min, cap) as u16
    };
    let name = widest(&|c| s(&c.name).chars().count(), 4, 28);
    let id = widest(&|c| s(&c.client_id).chars().count(), 9, 24);
    let url = widest(&|c| url_text(&c.token_url).chars().count(), 9, 200);
    let fixed = name + 11 + 5 + 7 + 4;
    let room = w.saturating_sub(fixed);
    let mut cols = vec![("NAME", Constraint::Length(name), false)];
    let with_id = room >= id + 1 + 24;
    let with_date = room >= 11 + 20;
    let with_scopes = room >= 24 + 11 + id + 1 + url.min(60) + 12;
    if with_id {
        cols.push(("CLIENT ID", Constraint::Length(id), false));
    }
    cols.push(("GRANT", Constraint::Length(11), false));
    cols.push(("TOKEN URL", Constraint::Fill(3), false));
    if with_scopes {
        cols.push(("SCOPES", Constraint::Fill(1), false));
    }
    cols.push(("CONNS", Constraint::Length(5), true));
    if with_date {
        cols.push(("UPDATED", Constraint::Length(10), false));
    }
    cols.push(("AGE", Constraint::Length(7), true));
    cols
}

pub(super) fn clients_table(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some(entry) = state.selected_entry() else {
        return;
    };
    let rows_data = state.client_rows();
    let sort = state.sort_one;
    let arrow = if sort.descending { "↓" } else { "↑" };
    let sort_label = match sort.key {
        crate::app::SortKey::Kind => format!("grant{arrow}"),
        crate::app::SortKey::Domain => format!("token url{arrow}"),
        crate::app::SortKey::Age if sort.descending => "oldest first".into(),
        crate::app::SortKey::Age => "newest first".into(),
        _ => format!("name{arrow}"),
    };
    let mut t = vec![
        Span::styled(format!(" {} ", s(entry.name())), theme.title()),
        Span::styled("· OAuth clients", theme.title()),
        Span::styled(format!(" {} ", rows_data.len()), theme.dim()),
        Span::styled(format!("· {sort_label} "), theme.dim()),
    ];
    if state.table_filter.is_active() {
        t.push(Span::styled(
            format!("· /{} ", s(&state.table_filter.text)),
            theme.accent(),
        ));
    }
    let focused = state.focus == crate::app::Pane::Connections;
    let block = pane_block(t, focused, theme);
    let inner = block.inner(area);
    let cols = columns(inner.width.saturating_sub(1), &rows_data);
    let header = Row::new(cols.iter().map(|(h, _, right)| {
        let l = Line::from(*h);
        Cell::from(if *right {
            l.alignment(Alignment::Right)
        } else {
            l
        })
    }))
    .style(theme.header());
    let rows: Vec<Row> = rows_data
        .iter()
        .map(|c| client_row(state, entry.name(), c, &cols, theme))
        .collect();
    let table = Table::new(rows, cols.iter().map(|(_, c, _)| *c).collect::<Vec<_>>())
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme.selected(focused))
        .highlight_spacing(HighlightSpacing::Always)
        .highlight_symbol(if focused { "▌" } else { " " });
    let mut ts = TableState::default().with_selected(state.selected_client_index());
    frame.render_stateful_widget(table, area, &mut ts);
    if rows_data.is_empty() && inner.height > 2 {
        let key = |c| keymap::key_label(Scope::OAuthClients, c);
        let msg = if let Some(e) = &entry.clients_error {
            format!(
                "The OAuth clients could not be loaded: {}. {} tries again.",
                s(e),
                key(Command::Refresh)
            )
        } else if entry.oauth_clients.is_none() {
            "Loading OAuth clients…".to_string()
        } else if state.table_filter.is_active() {
            format!(
                "Nothing matches the filter. {} clears it.",
                key(Command::Back)
            )
        } else if state.ctx.readonly {
            "No OAuth clients in this integration.".to_string()
        } else {
            format!(
                "No OAuth clients in this integration. {} creates one.",
                key(Command::New)
            )
        };
        let r = Rect {
            y: inner.y + 2,
            height: inner.height.saturating_sub(2),
            ..inner
        };
        frame.render_widget(
            Paragraph::new(Line::styled(msg, theme.dim()))
                .alignment(Alignment::Center)
                .wrap(Wrap { trim: true }),
            r,
        );
    }
}

fn client_row(
    state: &State,
    integration: &str,
    c: &ZisOAuthClient,
    cols: &[(&'static str, Constraint, bool)],
    theme: &Theme,
) -> Row<'static> {
    let (age, stale) = state.client_age(c);
    let conns = state.connections_of_client(integration, &c.uuid);
    Row::new(cols.iter().map(|(h, _, _)| {
        match *h {
            "NAME" => Cell::from(Span::styled(s(&c.name), theme.bold())),
            "CLIENT ID" => Cell::from(Span::styled(s(&c.client_id), theme.muted())),
            "GRANT" => Cell::from(c.grant().label()),
            "TOKEN URL" => Cell::from(url_text(&c.token_url)),
            "SCOPES" => Cell::from(Span::styled(
                s(c.default_scopes.as_deref().unwrap_or("")),
                theme.muted(),
            )),
            "CONNS" => Cell::from(
                Line::from(
                    conns
                        .as_ref()
                        .map_or("?".to_string(), |l| l.len().to_string()),
                )
                .alignment(Alignment::Right),
            ),
            "UPDATED" => Cell::from(Span::styled(
                super::widgets::date_text(c.updated_at),
                theme.muted(),
            )),
            "AGE" => {
                let text = if stale {
                    format!("⚠ {}", age_text(age))
                } else {
                    age_text(age)
                };
                Cell::from(
                    Line::from(Span::styled(
                        text,
                        age_style(age, stale, state.ctx.stale_days, theme),
                    ))
                    .alignment(Alignment::Right),
                )
            }
            _ => Cell::from(""),
        }
    }))
}

/// The details of the selected OAuth client (the panel under the table, and the window).
fn client_lines<'a>(
    state: &State,
    integration: &str,
    c: &ZisOAuthClient,
    theme: &Theme,
    full: bool,
) -> Vec<Line<'a>> {
    let (age, stale) = state.client_age(c);
    let dash = || Span::styled("—", theme.dim());
    let opt = |v: Option<&str>| {
        v.filter(|x| !x.is_empty())
            .map_or(dash(), |x| Span::raw(s(x)))
    };
    let mut lines = vec![
        kv(
            "Name",
            vec![
                Span::styled(s(&c.name), theme.bold()),
                Span::styled(format!("  {}", c.grant().as_str()), theme.muted()),
            ],
            theme,
        ),
        kv("Client id", vec![Span::raw(s(&c.client_id))], theme),
        kv("Client secret", vec![Span::raw(SERVER_SECRET)], theme),
        kv("Token URL", vec![Span::raw(s(&c.token_url))], theme),
        kv("Auth URL", vec![opt(c.auth_url.as_deref())], theme),
        kv("Scopes", vec![opt(c.default_scopes.as_deref())], theme),
    ];
    let mut updated = vec![
        Span::raw(datetime_text(c.updated_at)),
        Span::styled(
            format!("  ({} ago)", age_text(age)),
            age_style(age, stale, state.ctx.stale_days, theme),
        ),
    ];
    if stale && !full {
        updated.push(Span::styled(
            "  ⚠ its secret may have expired upstream",
            theme.stale(),
        ));
    }
    lines.push(kv("Updated", updated, theme));
    if full {
        let audit = match age {
            Some(a) if stale => Span::styled(
                format!("⚠ not updated in {a} days: its secret may have expired upstream"),
                theme.stale(),
            ),
            _ => Span::styled("✓ fresh", theme.ok()),
        };
        lines.push(kv("Audit", vec![audit], theme));
    }
    let used = match state.connections_of_client(integration, &c.uuid) {
        None => Span::styled("loading…", theme.dim()),
        Some(l) if l.is_empty() => Span::styled("no OAuth connection", theme.dim()),
        Some(l) => Span::raw(s(&l.join(", "))),
    };
    lines.push(kv("Connections", vec![used], theme));
    if full {
        lines.push(kv(
            "Created",
            vec![Span::raw(datetime_text(c.created_at))],
            theme,
        ));
        lines.push(kv("Created by", vec![opt(c.created_by.as_deref())], theme));
        lines.push(kv(
            "UUID",
            vec![Span::styled(s(&c.uuid), theme.muted())],
            theme,
        ));
    }
    lines
}

pub(super) fn client_panel(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let block = pane_block(vec![Span::styled(" Details ", theme.title())], false, theme);
    let lines = match state.selected_client() {
        Some((i, c)) => client_lines(state, i, c, theme, false),
        None => vec![Line::styled("Nothing selected.", theme.dim())],
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

pub(super) fn client_popup(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let Some((i, c)) = state.selected_client() else {
        return;
    };
    let lines = client_lines(state, i, c, theme, true);
    let w = area.width.saturating_sub(4).min(90);
    let h = (lines.len() as u16 + 4).min(area.height.saturating_sub(2));
    let inner = window(
        frame,
        area,
        w,
        h,
        title(format!("OAuth client {}", s(&c.name)), theme),
        theme,
    );
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    let items = hints_now(
        keymap::hints(Scope::Details, state.ctx.readonly),
        |h| match h.command {
            Command::Rotate => Some("new secret"),
            _ => Some(h.label),
        },
    );
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
}

// ----- the delete question ---------------------------------------------------------------------

pub(super) fn delete_question(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    q: &DeleteQuestion,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(4).min(72);
    let text_w = w.saturating_sub(4).max(10) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let heading = match &q.target {
        DeleteTarget::OAuthClient {
            integration, name, ..
        } => {
            lines.push(Line::raw("Delete the OAuth client"));
            lines.push(Line::from(Span::styled(
                format!("  {}", s(name)),
                theme.error(),
            )));
            lines.push(Line::from(vec![
                Span::raw("of integration "),
                Span::styled(s(integration), theme.bold()),
                Span::raw("?"),
            ]));
            match &q.cascade {
                None => lines.push(Line::styled(
                    "Its OAuth connections are not loaded yet: ZIS deletes every one built on \
                     it with it.",
                    theme.warn(),
                )),
                Some(l) if l.is_empty() => lines.push(Line::styled(
                    "No OAuth connection is built on it.",
                    theme.muted(),
                )),
                Some(l) => {
                    lines.push(Line::styled(
                        format!(
                            "ZIS also deletes the {} OAuth connection(s) built on it:",
                            l.len()
                        ),
                        theme.warn(),
                    ));
                    for n in l.iter().take(8) {
                        lines.push(Line::from(vec![
                            Span::styled("  • ", theme.warn()),
                            Span::styled(s(n), theme.bold()),
                        ]));
                    }
                    if l.len() > 8 {
                        lines.push(Line::styled(
                            format!("  … and {} more", l.len() - 8),
                            theme.warn(),
                        ));
                    }
                }
            }
            "Delete OAuth client"
        }
        DeleteTarget::Connection(key) => {
            lines.push(Line::from(vec![
                Span::raw("Delete the "),
                Span::styled("reserved", theme.error()),
                Span::raw(" OAuth connection"),
            ]));
            lines.push(Line::from(Span::styled(
                format!("  {}", s(&key.name)),
                theme.error(),
            )));
            lines.push(Line::from(vec![
                Span::raw("of integration "),
                Span::styled(s(&key.integration), theme.bold()),
                Span::raw("?"),
            ]));
            "Delete the reserved connection"
        }
    };
    if let Some(word) = &q.must_type {
        for part in wrap(
            &format!(
                "{} is the integration's own OAuth connection to Zendesk: every bundle action \
                 that calls Zendesk uses it, and zisctl cannot recreate it.",
                s(word)
            ),
            text_w,
        ) {
            lines.push(Line::styled(part, theme.muted()));
        }
        let mut typed = vec![
            Span::raw(format!("Type {} to delete it: ", s(word))),
            Span::styled(s(&q.typed), theme.bold()),
            Span::styled("▏", theme.key()),
        ];
        if !q.typed.is_empty() && !q.ready() && !word.starts_with(q.typed.as_str()) {
            typed.push(Span::styled("  not the name", theme.error()));
        }
        lines.push(Line::from(typed));
    } else {
        lines.push(Line::styled("This cannot be undone.", theme.muted()));
    }
    lines.push(Line::raw(""));
    lines.push(answers(state, q, theme));
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let inner = window(frame, area, w, h, title(heading, theme), theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn wrap(text: &str, w: usize) -> Vec<String> {
    super::widgets::wrap_words(text, w)
}

/// The question's answers, from the keymap (the delete key shown only once it would run).
fn answers<'a>(state: &State, q: &DeleteQuestion, theme: &Theme) -> Line<'a> {
    let scope = if q.must_type.is_some() {
        Scope::ConfirmTyped
    } else {
        Scope::ConfirmDelete
    };
    let mut spans = Vec::new();
    for h in keymap::hints(scope, state.ctx.readonly) {
        if h.command == Command::Confirm {
            let style = if q.ready() {
                theme.banner(crate::app::Level::Error)
            } else {
                theme.dim()
            };
            spans.push(Span::styled(format!(" {} ", h.keys), style));
            spans.push(Span::raw(format!(" {}      ", h.label)));
            continue;
        }
        for (i, k) in h.keys.split(' ').enumerate() {
            if i > 0 {
                spans.push(Span::raw(" / "));
            }
            spans.push(Span::styled(k.to_string(), theme.key()));
        }
        spans.push(Span::raw(format!(" {}", h.label)));
    }
    Line::from(spans)
}

// ----- the re-authorise window ------------------------------------------------------------------

pub(super) fn authorize(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    a: &AuthorizeFlow,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(4).min(96);
    let text_w = w.saturating_sub(4).max(10) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let key = |c| keymap::key_label(Scope::Authorize, c);
    let conn = state.find_connection(&a.key).or(a.before.as_ref());
    for part in wrap(
        "ZIS renews this connection's token through an OAuth flow with one of the \
         integration's OAuth clients; the new token replaces the old one under the same name.",
        text_w,
    ) {
        lines.push(Line::styled(part, theme.muted()));
    }
    lines.push(Line::raw(""));
    if let Some(c) = conn {
        lines.push(kv("Token expiry", expiry_spans(c, state, theme), theme));
    }
    let clients: Vec<&ZisOAuthClient> = {
        let mut l: Vec<&ZisOAuthClient> = state
            .clients_of(&a.key.integration)
            .into_iter()
            .flatten()
            .collect();
        l.sort_by(|x, y| x.name.cmp(&y.name));
        l
    };
    let chosen = a
        .client
        .as_ref()
        .and_then(|u| clients.iter().find(|c| c.uuid == *u));
    if state.clients_of(&a.key.integration).is_none() {
        lines.push(kv(
            "OAuth client",
            vec![Span::styled("loading…", theme.dim())],
            theme,
        ));
    } else if clients.is_empty() {
        lines.push(kv(
            "OAuth client",
            vec![Span::styled(
                "none in this integration: create one in its OAuth clients tab",
                theme.warn(),
            )],
            theme,
        ));
    } else if a.phase == AuthPhase::Choose {
        for (i, c) in clients.iter().take(6).enumerate() {
            let sel = chosen.is_some_and(|x| x.uuid == c.uuid);
            let label = if i == 0 { "OAuth client" } else { "" };
            lines.push(kv(
                label,
                vec![
                    Span::styled(if sel { "▶ " } else { "  " }, theme.key()),
                    Span::styled(s(&c.name), if sel { theme.bold() } else { theme.muted() }),
                    Span::styled(format!("  {}", c.grant().label()), theme.dim()),
                ],
                theme,
            ));
        }
    } else if let Some(c) = chosen {
        lines.push(kv(
            "OAuth client",
            vec![
                Span::styled(s(&c.name), theme.bold()),
                Span::styled(format!("  {}", c.grant().label()), theme.dim()),
            ],
            theme,
        ));
    }
    let scopes = a
        .scopes
        .clone()
        .or_else(|| chosen.and_then(|c| c.default_scopes.clone()))
        .unwrap_or_default();
    lines.push(kv(
        "Scopes",
        vec![if scopes.is_empty() {
            Span::styled("—", theme.dim())
        } else {
            Span::raw(s(&scopes))
        }],
        theme,
    ));
    lines.push(Line::raw(""));
    match &a.phase {
        AuthPhase::Choose => lines.push(Line::from(vec![
            Span::styled(key(Command::Authorize), theme.key()),
            Span::raw(
                " starts the flow: for an authorization-code client, a URL to open in a \
                       browser.",
            ),
        ])),
        AuthPhase::Starting(_) => lines.push(Line::from(vec![
            Span::styled(format!("{} ", spinner(state)), theme.accent()),
            Span::styled("Starting the OAuth flow…", theme.accent()),
        ])),
        AuthPhase::Waiting { url: Some(url), .. } => {
            lines.push(Line::raw("Open this URL in a browser and approve:"));
            let url = s(url);
            let chars: Vec<char> = url.chars().collect();
            for chunk in chars.chunks(text_w.max(1)) {
                lines.push(Line::styled(
                    chunk.iter().collect::<String>(),
                    theme.accent(),
                ));
            }
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", spinner(state)), theme.accent()),
                Span::raw("waiting for the connection's new token… "),
                Span::styled(
                    if a.copied {
                        "(copied)".to_string()
                    } else {
                        format!("({} copies the URL)", key(Command::Copy))
                    },
                    theme.dim(),
                ),
            ]));
        }
        AuthPhase::Waiting { url: None, .. } => lines.push(Line::from(vec![
            Span::styled(format!("{} ", spinner(state)), theme.accent()),
            Span::raw("client-credentials flow finished; checking the new token…"),
        ])),
        AuthPhase::Done { .. } => {
            lines.push(Line::styled(
                "✓ Re-authorised: the connection holds a new token.",
                theme.ok(),
            ));
        }
        AuthPhase::Failed(e) => {
            for (i, part) in wrap(&format!("✗ {}", s(e)), text_w).into_iter().enumerate() {
                let _ = i;
                lines.push(Line::styled(part, theme.error()));
            }
            lines.push(Line::from(vec![
                Span::styled(key(Command::Authorize), theme.key()),
                Span::raw(" tries again."),
            ]));
        }
    }
    let h = (lines.len() as u16 + 4).min(area.height.saturating_sub(2));
    let heading = truncate(
        &format!("Re-authorise {}/{}", s(&a.key.integration), s(&a.key.name)),
        w.saturating_sub(4) as usize,
    );
    let inner = window(frame, area, w, h, title(heading, theme), theme);
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    let waiting_url = matches!(a.phase, AuthPhase::Waiting { url: Some(_), .. });
    let items = hints_now(
        keymap::hints(Scope::Authorize, state.ctx.readonly),
        |h| match (h.command, &a.phase) {
            (Command::Authorize, AuthPhase::Choose) => Some(h.label),
            (Command::Authorize, AuthPhase::Failed(_)) => Some("try again"),
            (Command::Authorize, _) => None,
            (Command::Down, AuthPhase::Choose) => (clients.len() > 1).then_some(h.label),
            (Command::Down, _) => None,
            (Command::Copy, _) => waiting_url.then_some(h.label),
            (Command::Close, AuthPhase::Waiting { .. }) => Some("stop waiting"),
            _ => Some(h.label),
        },
    );
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
}
