//! Forms: one row per field (label, input), a row under it for its rule or a hint.
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::keymap::{self, Command, Scope};
use crate::app::{FieldId, Form, FormPurpose, State, MASK};
use crate::zis::ConnectionKind;

use super::popups::window;
use super::theme::Theme;
use super::widgets::{hints, hints_now, s, spinner};

const LABEL_W: u16 = 16;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, form: &Form, theme: &Theme) {
    let visible = form.visible();
    let intro = intro_lines(form, theme);
    let err_lines: Vec<Line> = match (&form.error, form.pending) {
        (_, Some(_)) => vec![Line::from(vec![
            Span::styled(format!("{} ", spinner(state)), theme.accent()),
            Span::styled("Saving… waiting for the server", theme.accent()),
        ])],
        (Some(e), None) => vec![Line::from(vec![
            Span::styled("✗ ", theme.error()),
            Span::styled(s(e), theme.error()),
        ])],
        (None, None) => Vec::new(),
    };
    let w = area.width.saturating_sub(4).min(80);
    let text_w = w.saturating_sub(4).max(1) as usize;
    let rows_of = |ls: &[Line]| -> u16 {
        ls.iter()
            .map(|l| l.width().max(1).div_ceil(text_w) as u16)
            .sum()
    };
    let intro_h = rows_of(&intro);
    let err_h = rows_of(&err_lines);
    let fields_h = visible.len() as u16 * 2;
    let h = (intro_h + 1 + fields_h + err_h + 1 + 3).min(area.height);

    let inner = window(
        frame,
        area,
        w,
        h,
        Line::from(Span::styled(
            format!(" {} ", s(&form.title())),
            theme.title(),
        )),
        theme,
    );
    let [intro_r, _, fields_r, err_r, foot_r] = Layout::vertical([
        Constraint::Length(intro_h),
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(err_h),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(intro).wrap(Wrap { trim: false }), intro_r);

    let mut y = fields_r.y;
    for id in &visible {
        if y >= fields_r.y + fields_r.height {
            break;
        }
        let Some(field) = form.field(*id) else {
            continue;
        };
        let focused = form.focus == *id;
        let row = Rect {
            x: fields_r.x,
            y,
            width: fields_r.width,
            height: 1,
        };
        let [label_r, _, input_r] = Layout::horizontal([
            Constraint::Length(LABEL_W),
            Constraint::Length(2),
            Constraint::Fill(1),
        ])
        .areas(row);
        let marker = if focused { "▸ " } else { "  " };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(marker, theme.key()),
                Span::styled(id.label(), theme.label(focused)),
            ])),
            label_r,
        );
        if *id == FieldId::GrantType {
            frame.render_widget(
                Paragraph::new(grant_selector(form, focused, theme)),
                input_r,
            );
        } else if *id == FieldId::Kind {
            frame.render_widget(Paragraph::new(kind_selector(form, focused, theme)), input_r);
        } else {
            frame.render_widget(Block::default().style(theme.field(focused)), input_r);
            if focused {
                frame.render_widget(&field.input, input_r);
            } else {
                let line = if field.is_empty() {
                    Line::from(Span::styled(field.hint, theme.dim()))
                } else if id.is_secret() && !form.revealed {
                    Line::raw(MASK.to_string().repeat(field.char_count()))
                } else if id.is_secret() {
                    Line::raw(field.text().to_string())
                } else {
                    Line::raw(field.plain())
                };
                frame.render_widget(Paragraph::new(line), input_r);
            }
        }
        // The row under the field: its rule when broken, else a hint while focused.
        let under = Rect {
            y: y + 1,
            ..input_r
        };
        if under.y < fields_r.y + fields_r.height {
            let line = match &field.error {
                Some(e) => Line::from(Span::styled(format!("↳ {e}"), theme.error())),
                None if focused && !field.hint.is_empty() && !field.is_empty() => {
                    Line::from(Span::styled(field.hint, theme.dim()))
                }
                None if focused && id.is_selector() => {
                    Line::from(Span::styled(field.hint, theme.dim()))
                }
                None => Line::raw(""),
            };
            frame.render_widget(Paragraph::new(line), under);
        }
        y += 2;
    }

    frame.render_widget(Paragraph::new(err_lines).wrap(Wrap { trim: false }), err_r);

    let has_password = form.visible().contains(&FieldId::Password)
        && form
            .field(FieldId::Password)
            .is_some_and(|f| !f.text().is_empty());
    let mut items = hints_now(
        keymap::hints(Scope::Form, state.ctx.readonly),
        |h| match h.command {
            Command::Generate => (form.focus == FieldId::Password).then_some(h.label),
            Command::Copy => has_password.then_some(h.label),
            Command::Reveal if !form.has_secret_fields() => None,
            Command::Reveal if form.revealed => Some("hide"),
            _ => Some(h.label),
        },
    );
    // Narrow: Shift-Tab goes first (Tab is named), so that copy and reveal stay in view.
    let wide = |items: &[keymap::Hint]| {
        items
            .iter()
            .map(|h| h.keys.chars().count() + 1 + h.label.chars().count() + 3)
            .sum::<usize>()
            .saturating_sub(2)
    };
    if wide(&items) > foot_r.width as usize {
        items.retain(|h| h.command != Command::PrevField);
    }
    frame.render_widget(Paragraph::new(hints(&items, foot_r.width, theme)), foot_r);
}

fn intro_lines<'a>(form: &Form, theme: &Theme) -> Vec<Line<'a>> {
    match &form.purpose {
        FormPurpose::Create { integration } => vec![Line::from(vec![
            Span::styled("Integration ", theme.muted()),
            Span::styled(s(integration), theme.bold()),
            Span::styled(
                ". The name and allowed domain cannot be changed later.",
                theme.muted(),
            ),
        ])],
        FormPurpose::Edit {
            key,
            allowed_domain,
            ..
        } => {
            let what = match form.kind {
                ConnectionKind::BasicAuth => {
                    "Change the username and/or the password (empty keeps it)."
                }
                ConnectionKind::ApiKey => "Change the header name and/or the key (empty keeps it).",
                _ => "Set the new token.",
            };
            vec![
                Line::from(vec![
                    Span::styled(s(&key.integration), theme.muted()),
                    Span::styled(" / ", theme.dim()),
                    Span::styled(s(&key.name), theme.bold()),
                    Span::styled(format!("  on {}", s(allowed_domain)), theme.muted()),
                ]),
                Line::styled(what, theme.muted()),
            ]
        }
        FormPurpose::CreateClient { integration } => vec![Line::from(vec![
            Span::styled("Integration ", theme.muted()),
            Span::styled(s(integration), theme.bold()),
            Span::styled(
                ". The client id and secret are the OAuth provider's; the name cannot be \
                 changed later.",
                theme.muted(),
            ),
        ])],
        FormPurpose::EditClient {
            integration, name, ..
        } => vec![
            Line::from(vec![
                Span::styled(s(integration), theme.muted()),
                Span::styled(" / ", theme.dim()),
                Span::styled(s(name), theme.bold()),
            ]),
            Line::styled(
                "Changed in place (PATCH): its OAuth connections keep working. A new secret \
                 from the provider goes in the masked field; empty keeps the current one.",
                theme.muted(),
            ),
        ],
        FormPurpose::Register => vec![Line::styled(
            "Registers a ZIS integration and its OAuth client. The client secret is \
             shown once, after this.",
            theme.muted(),
        )],
    }
}

fn grant_selector<'a>(form: &Form, focused: bool, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for g in crate::zis::GrantType::ALL {
        if g == form.grant {
            let style = if focused {
                theme.selected(true)
            } else {
                theme.bold()
            };
            spans.push(Span::styled(format!("‹ {} ›", g.as_str()), style));
        } else {
            spans.push(Span::styled(format!("  {}  ", g.as_str()), theme.dim()));
        }
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

fn kind_selector<'a>(form: &Form, focused: bool, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    for k in ConnectionKind::CREATABLE {
        if k == form.kind {
            let style = if focused {
                theme.selected(true)
            } else {
                theme.bold()
            };
            spans.push(Span::styled(format!("‹ {} ›", k.as_str()), style));
        } else {
            spans.push(Span::styled(format!("  {}  ", k.as_str()), theme.dim()));
        }
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}
