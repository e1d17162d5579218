//! Windows over the main screen: help, delete confirmation, new client secret, audit log (the
//! rotation window has its own file, `rotation.rs`).
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use secrecy::ExposeSecret;

use crate::app::keymap::{self, Command, Scope};
use crate::app::{ConnKey, HelpView, RegisteredView, State};

use super::theme::Theme;
use super::usage::{used_by_lines, wrap_parts};
use super::widgets::{centered, hints, hints_now, s, wrap_words};

/// Draw an empty framed window and return its inside.
pub(crate) fn window(
    frame: &mut Frame,
    area: Rect,
    w: u16,
    h: u16,
    title: Line<'_>,
    theme: &Theme,
) -> Rect {
    let r = centered(area, w, h);
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.border(true))
        .title(title);
    let inner = block.inner(r);
    frame.render_widget(block, r);
    Rect {
        x: inner.x + 1,
        width: inner.width.saturating_sub(2),
        ..inner
    }
}

pub(super) fn title<'a>(text: impl Into<String>, theme: &Theme) -> Line<'a> {
    Line::from(Span::styled(format!(" {} ", text.into()), theme.title()))
}

/// The help window: the keys of the screen it was opened on, in two columns when wide.
pub fn help(frame: &mut Frame, area: Rect, state: &State, view: HelpView, theme: &Theme) {
    let ro = state.ctx.readonly;
    let page = keymap::help_for(view.scope, ro);
    let left_sections = keymap::help_left_sections(&page);
    let query = state
        .search
        .as_ref()
        .map(|q| q.text.to_lowercase())
        .filter(|q| !q.is_empty());
    let mut blocks: Vec<Vec<Line>> = Vec::new();
    for section in &page.sections {
        let width = keymap::keys_width(section, &page) + 2;
        let mut lines = vec![Line::from(Span::styled(
            section.heading.to_string(),
            theme.header(),
        ))];
        for l in &section.lines {
            // What a `/` search found is marked.
            let found = query
                .as_ref()
                .is_some_and(|q| format!("{} {}", l.keys, l.text).to_lowercase().contains(q));
            let text = if found { theme.matched() } else { theme.base() };
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<width$} ", l.keys), theme.key()),
                Span::styled(l.text.clone(), text),
            ]));
        }
        lines.push(Line::raw(""));
        blocks.push(lines);
    }

    let wide = area.width >= keymap::HELP_WIDE;
    // The state keeps the scroll within the page; a resize may have made the page shorter.
    let max = keymap::help_max_scroll(view.scope, ro, (area.width, area.height));
    let scroll = view.scroll.min(max);
    let w = if wide {
        108
    } else {
        area.width.saturating_sub(2).min(78)
    };
    let h = area.height.saturating_sub(2);
    let mut t = format!("Help · {}", page.screen);
    if ro {
        t.push_str(" · read-only: changes are disabled");
    }
    let inner = window(frame, area, w, h, title(t, theme), theme);
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    if wide {
        let [l, r] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)])
            .spacing(2)
            .areas(body);
        let mut left: Vec<Line> = Vec::new();
        let mut right: Vec<Line> = Vec::new();
        for (i, b) in blocks.into_iter().enumerate() {
            if i < left_sections {
                left.extend(b);
            } else {
                right.extend(b);
            }
        }
        frame.render_widget(Paragraph::new(left).scroll((scroll, 0)), l);
        frame.render_widget(Paragraph::new(right).scroll((scroll, 0)), r);
    } else {
        let lines: Vec<Line> = blocks.into_iter().flatten().collect();
        frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), body);
    }
    search_footer(frame, foot, state, Scope::Help, theme);
}

pub fn confirm_delete(frame: &mut Frame, area: Rect, state: &State, key: &ConnKey, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(76);
    let mut lines = vec![
        Line::from(vec![
            Span::raw("Delete the "),
            Span::styled(key.kind.as_str(), theme.bold()),
            Span::raw(" connection"),
        ]),
        Line::from(Span::styled(format!("  {}", s(&key.name)), theme.error())),
        Line::from(vec![
            Span::raw("of integration "),
            Span::styled(s(&key.integration), theme.bold()),
            Span::raw("?"),
        ]),
    ];
    // What breaks: the uses (they stop working), or that nothing uses it, or why not known.
    let uses = used_by_lines(state, &key.integration, &key.name, 5, theme);
    match state.usage_of(&key.integration) {
        crate::app::UsageState::Known(u) if !u.used_by(&key.name).is_empty() => {
            lines.push(Line::styled("Used by (these stop working):", theme.error()));
            let room = (w.saturating_sub(4) as usize).saturating_sub(4).max(10);
            for u in uses {
                for (i, part) in wrap_parts(&u.content, room).into_iter().enumerate() {
                    let indent = if i == 0 { "  " } else { "    " };
                    lines.push(Line::from(vec![
                        Span::raw(indent),
                        Span::styled(part, u.style),
                    ]));
                }
            }
        }
        crate::app::UsageState::Known(u) if u.complete => {
            lines.push(Line::styled("No bundle uses it.", theme.ok()));
        }
        _ => lines.push(Line::from(
            std::iter::once(Span::styled("Used by: ", theme.muted()))
                .chain(uses)
                .collect::<Vec<_>>(),
        )),
    }
    lines.push(Line::styled("This cannot be undone.", theme.muted()));
    lines.push(Line::raw(""));
    lines.push(answers(state, theme));
    let text_w = w.saturating_sub(4).max(1) as usize;
    let body_h: u16 = lines
        .iter()
        .map(|l| (l.width().max(1).div_ceil(text_w)) as u16)
        .sum();
    let h = (body_h + 2).max(10).min(area.height.saturating_sub(2));
    let inner = window(frame, area, w, h, title("Delete connection", theme), theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// ` y  delete      n / Esc keep it`: the delete question's answers, from the keymap.
fn answers<'a>(state: &State, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for h in keymap::hints(Scope::ConfirmDelete, state.ctx.readonly) {
        if h.command == Command::Confirm {
            spans.push(Span::styled(
                format!(" {} ", h.keys),
                theme.banner(crate::app::Level::Error),
            ));
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

pub(super) fn masked(len: usize) -> String {
    "•".repeat(len)
}

pub fn registered(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    reg: &RegisteredView,
    theme: &Theme,
) {
    let mut lines = vec![
        Line::from(vec![
            Span::raw("Integration "),
            Span::styled(s(&reg.name), theme.bold()),
            Span::raw(" is registered."),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::styled(format!("{:<16}", "OAuth client id"), theme.muted()),
            Span::raw(
                reg.client_id
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| "—".into()),
            ),
        ]),
        Line::from(vec![
            Span::styled(format!("{:<16}", "Identifier"), theme.muted()),
            Span::raw(s(reg.identifier.as_deref().unwrap_or("—"))),
        ]),
    ];
    match &reg.secret {
        Some(secret) => {
            let shown = if reg.revealed {
                secret.expose_secret().to_string()
            } else {
                masked(secret.expose_secret().chars().count().min(48))
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<16}", "Client secret"), theme.muted()),
                Span::styled(shown, theme.secret()),
            ]));
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Zendesk shows this secret once. Copy it now: it is forgotten when this \
                 window closes.",
                theme.warn(),
            ));
        }
        None => lines.push(Line::styled(
            "The answer held no client secret.",
            theme.muted(),
        )),
    }
    if reg.confirm_discard || reg.confirm_quit {
        let again = if reg.confirm_quit {
            format!(
                "{} again quits and forgets it for good; any other key goes back.",
                keymap::key_label(Scope::Global, Command::Quit)
            )
        } else {
            format!(
                "{} again forgets it for good.",
                keymap::key_label(Scope::Registered, Command::Close)
            )
        };
        lines.push(Line::styled(
            format!("You have not revealed or copied it. {again}"),
            theme.error(),
        ));
    }
    let w = area.width.saturating_sub(4).min(84);
    let h = (lines.len() as u16 + 6).min(area.height.saturating_sub(2));
    let inner = window(
        frame,
        area,
        w,
        h,
        title("Integration registered", theme),
        theme,
    );
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    let items = hints_now(
        keymap::hints(Scope::Registered, state.ctx.readonly),
        |h| match h.command {
            Command::Reveal if reg.revealed => Some("hide"),
            _ => Some(h.label),
        },
    );
    frame.render_widget(
        Paragraph::new(hints(&items, foot.width, theme)).alignment(Alignment::Left),
        foot,
    );
}

/// The local audit log of mutations, newest first: when, what, on which connection, outcome.
pub fn audit_log(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    entries: Option<&Result<Vec<crate::auditlog::Entry>, String>>,
    scroll: u16,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(4).min(110);
    let h = area.height.saturating_sub(4);
    let inner = window(
        frame,
        area,
        w,
        h,
        title("Audit log · newest first", theme),
        theme,
    );
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let lines: Vec<Line> = match entries {
        None => vec![Line::styled("reading…", theme.dim())],
        Some(Err(e)) => vec![Line::styled(s(e), theme.error())],
        Some(Ok(list)) if list.is_empty() => vec![Line::styled(
            "No changes recorded yet: creates, edits, rotations, deletes and registrations \
             are listed here.",
            theme.dim(),
        )],
        Some(Ok(list)) => list
            .iter()
            .skip(scroll as usize)
            .flat_map(|e| {
                // "2026-11-22T19:17:03.123Z" -> "2026-11-22 19:17:03"
                let when: String = e
                    .time
                    .chars()
                    .take(19)
                    .collect::<String>()
                    .replace('T', " ");
                let (target, fields) = (e.target(), e.fields_text());
                let outcome_style = if e.outcome == "ok" {
                    theme.ok()
                } else if e.outcome.starts_with("unknown") {
                    theme.warn()
                } else {
                    theme.error()
                };
                let head = vec![
                    Span::styled(format!("{} ", s(&when)), theme.muted()),
                    Span::styled(format!("{:<9}", s(&e.action)), theme.key()),
                    Span::raw(format!("{}{} ", s(&target), s(&fields))),
                ];
                let outcome = s(&e.outcome);
                let used: usize = head.iter().map(|sp| sp.width()).sum();
                let room = body.width as usize;
                if used + outcome.chars().count() <= room {
                    let mut spans = head;
                    spans.push(Span::styled(outcome, outcome_style));
                    return vec![Line::from(spans)];
                }
                // A failure longer than the line: whole, wrapped under the entry.
                let indent = 20usize.min(room / 3);
                let mut lines = vec![Line::from(head)];
                for part in wrap_words(&outcome, room.saturating_sub(indent).max(10)) {
                    lines.push(Line::from(vec![
                        Span::raw(" ".repeat(indent)),
                        Span::styled(part, outcome_style),
                    ]));
                }
                lines
            })
            .collect(),
    };
    // Nothing cut: a line longer than the window wraps.
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    search_footer(frame, foot, state, Scope::AuditLog, theme);
}

/// A window's footer: the `/` search being typed, else its keys (after the search kept).
fn search_footer(frame: &mut Frame, foot: Rect, state: &State, scope: Scope, theme: &Theme) {
    let ro = state.ctx.readonly;
    let typing = state.search.as_ref().is_some_and(|q| q.typing);
    let items = keymap::hints(if typing { Scope::Search } else { scope }, ro);
    let mut spans = match &state.search {
        Some(q) if q.typing => vec![
            Span::styled(format!("/{}", s(&q.text)), theme.accent()),
            Span::styled("▏ ", theme.accent()),
        ],
        Some(q) => vec![Span::styled(format!("/{} ", s(&q.text)), theme.accent())],
        None => Vec::new(),
    };
    spans.extend(hints(&items, foot.width, theme).spans);
    frame.render_widget(Paragraph::new(Line::from(spans)), foot);
}

/// `:ctx`'s picker: the config's profiles, the current one named, the selected one marked.
pub fn profiles(frame: &mut Frame, area: Rect, state: &State, selected: usize, theme: &Theme) {
    let w = area.width.saturating_sub(4).min(60);
    let h = (state.profiles.len() as u16 + 5).min(area.height.saturating_sub(2));
    let inner = window(frame, area, w, h, title("Switch profile", theme), theme);
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    let mut lines = Vec::new();
    for (i, p) in state.profiles.iter().enumerate() {
        let mark = if i == selected { "▌" } else { " " };
        let current = if *p == state.ctx.profile {
            " (current)"
        } else {
            ""
        };
        let style = if i == selected {
            theme.selected(true)
        } else {
            theme.base()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}{}", s(p)), style),
            Span::styled(current, theme.dim()),
        ]));
    }
    let first = (selected + 1).saturating_sub(usize::from(body.height.max(1)));
    frame.render_widget(Paragraph::new(lines).scroll((first as u16, 0)), body);
    let items = keymap::hints(Scope::Profiles, state.ctx.readonly);
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
}
