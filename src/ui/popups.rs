//! Windows over the main screen: help, delete confirmation, rotation, new client secret, audit log.
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use secrecy::ExposeSecret;

use crate::app::keymap::{self, Command, Scope};
use crate::app::{ConnKey, RegisteredView, RotPhase, RotStatus, Rotation, State};

use super::theme::Theme;
use super::usage::{fit, used_by_lines, used_by_summary, wrap_parts};
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

pub fn help(frame: &mut Frame, area: Rect, state: &State, scroll: u16, theme: &Theme) {
    let ro = state.ctx.readonly;
    let mut blocks: Vec<Vec<Line>> = Vec::new();
    for section in keymap::help_page(ro) {
        let mut lines = vec![Line::from(Span::styled(section.heading, theme.header()))];
        for l in section.lines {
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<11}", l.keys), theme.key()),
                Span::raw(l.text),
            ]));
        }
        lines.push(Line::raw(""));
        blocks.push(lines);
    }
    let mut cmds = vec![Line::from(Span::styled("Commands (:)", theme.header()))];
    for v in keymap::help_commands(ro) {
        cmds.push(Line::from(vec![
            Span::styled(format!("  :{:<22}", v.usage()), theme.key()),
            Span::raw(v.help),
        ]));
    }
    blocks.push(cmds);

    let wide = area.width >= keymap::HELP_WIDE;
    // The state keeps the scroll within the page; a resize may have made the page shorter.
    let scroll = scroll.min(keymap::help_max_scroll(ro, (area.width, area.height)));
    let w = if wide {
        108
    } else {
        area.width.saturating_sub(2).min(78)
    };
    let h = area.height.saturating_sub(2);
    let mut t = "Help".to_string();
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
            if i < keymap::HELP_LEFT_SECTIONS {
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
    let items = keymap::hints(Scope::Help, ro);
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
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

fn masked(len: usize) -> String {
    "•".repeat(len)
}

pub fn rotation(frame: &mut Frame, area: Rect, state: &State, rot: &Rotation, theme: &Theme) {
    let phase = rot.phase();
    let key = |c| keymap::key_label(Scope::Rotation, c);
    let n = rot.items.len();
    let plural = if n == 1 { "" } else { "s" };
    let heading = match phase {
        RotPhase::Ready => {
            format!("Rotate {n} password{plural} · step 1 of 2: set it on the target")
        }
        RotPhase::Applying => format!("Rotate {n} password{plural} · applying…"),
        RotPhase::Done => format!("Rotate {n} password{plural} · result"),
    };
    let mut lines: Vec<Line> = Vec::new();
    match phase {
        RotPhase::Ready => {
            lines.push(Line::raw(
                "A new password was generated for each connection below. Nothing has \
                 been changed in Zendesk yet.",
            ));
            lines.push(Line::from(vec![
                Span::styled("1. ", theme.key()),
                Span::raw("Copy it ("),
                Span::styled(key(Command::Copy), theme.key()),
                Span::raw(") or reveal it ("),
                Span::styled(key(Command::Reveal), theme.key()),
                Span::raw(") and set it on the target system."),
            ]));
            lines.push(Line::from(vec![
                Span::styled("2. ", theme.key()),
                Span::raw("Press "),
                Span::styled(key(Command::Apply), theme.key()),
                Span::raw(": zisctl sets it in ZIS and checks that it took."),
            ]));
        }
        RotPhase::Applying => lines.push(Line::raw("Setting the new passwords in ZIS…")),
        RotPhase::Done => {
            if rot.all_applied() && rot.at_risk() > 0 {
                lines.push(Line::styled(
                    format!(
                        "Applied, and nobody has this password yet: copy it ({}) or reveal it \
                         ({}) now. It is forgotten when this window closes.",
                        key(Command::Copy),
                        key(Command::Reveal)
                    ),
                    theme.warn(),
                ));
            } else if rot.all_applied() {
                lines.push(Line::styled(
                    "Done. The password stays here until you close this window; then it is \
                     forgotten.",
                    theme.ok(),
                ));
            } else {
                lines.push(Line::styled(
                    format!(
                        "Not everything was applied. Keep the password: {} tries again.",
                        key(Command::Apply)
                    ),
                    theme.warn(),
                ));
            }
        }
    }
    if rot.skipped > 0 {
        lines.push(Line::styled(
            format!(
                "{} marked connection(s) are not basic_auth and were left out.",
                rot.skipped
            ),
            theme.muted(),
        ));
    }
    lines.push(Line::raw(""));
    let w = area.width.saturating_sub(4).min(96);
    let text_w = w.saturating_sub(4).max(1) as usize;
    let mut blocks: Vec<Vec<Line>> = Vec::with_capacity(n);
    for (i, item) in rot.items.iter().enumerate() {
        let mut lines: Vec<Line> = Vec::new();
        let sel = i == rot.selected;
        let pointer = if sel && n > 1 { "▶ " } else { "  " };
        lines.push(Line::from(vec![
            Span::styled(pointer, theme.key()),
            Span::styled(s(&item.key.name), theme.bold()),
            Span::styled(format!("  in {}", s(&item.key.integration)), theme.muted()),
        ]));
        lines.push(Line::from(vec![
            Span::styled(format!("    {:<14}", "user"), theme.muted()),
            Span::raw(s(&item.username)),
            Span::styled(format!(" @ {}", s(&item.allowed_domain)), theme.dim()),
        ]));
        lines.push(Line::from(vec![
            Span::styled(format!("    {:<14}", "used by"), theme.muted()),
            fit(
                used_by_summary(state, &item.key.integration, &item.key.name, theme),
                text_w.saturating_sub(18).max(10),
            ),
        ]));
        let pw = if rot.revealed {
            Span::styled(item.password.expose_secret().to_string(), theme.secret())
        } else {
            Span::styled(
                masked(item.password.expose_secret().chars().count()),
                theme.secret(),
            )
        };
        lines.push(Line::from(vec![
            Span::styled(format!("    {:<14}", "new password"), theme.muted()),
            pw,
        ]));
        let (text, style) = match &item.status {
            RotStatus::Ready => ("not applied yet".to_string(), theme.dim()),
            RotStatus::Applying(_) => ("applying…".to_string(), theme.accent()),
            RotStatus::Applied { verified: true } => {
                ("✓ applied and verified".to_string(), theme.ok())
            }
            RotStatus::Applied { verified: false } => (
                "✓ applied (the check could not confirm it: look at its updated date)".to_string(),
                theme.warn(),
            ),
            RotStatus::Failed(e) => (format!("✗ not applied: {}", s(e)), theme.error()),
            RotStatus::Unknown(e) => (format!("? {}", s(e)), theme.warn()),
        };
        for (j, part) in wrap_words(&text, text_w.saturating_sub(18).max(10))
            .into_iter()
            .enumerate()
        {
            let label = if j == 0 { "status" } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("    {label:<14}"), theme.muted()),
                Span::styled(part, style),
            ]));
        }
        blocks.push(lines);
    }
    let mut tail: Vec<Line> = Vec::new();
    if rot.confirm_discard || rot.confirm_quit {
        tail.push(Line::raw(""));
        tail.push(Line::styled(leave_question(state, rot), theme.warn()));
    }
    if rot.confirm_apply {
        let u = rot.unseen_to_send();
        let what = if u == 1 {
            "1 new password is".to_string()
        } else {
            format!("{u} new passwords are")
        };
        tail.push(Line::raw(""));
        tail.push(Line::styled(
            format!(
                "{what} not copied or revealed yet: apply anyway? {} applies (ZIS then holds a \
                 password nobody has); any other key goes back ({} copies, {} reveals).",
                key(Command::Confirm),
                key(Command::Copy),
                key(Command::Reveal)
            ),
            theme.warn(),
        ));
    }

    // As many connections as fit, always with the selected one: the window scrolls with the
    // selection and says how many it shows.
    let rows =
        |ls: &[Line]| -> usize { ls.iter().map(|l| l.width().max(1).div_ceil(text_w)).sum() };
    let room = area.height.saturating_sub(2 + 4) as usize;
    let fixed = rows(&lines) + rows(&tail);
    let heights: Vec<usize> = blocks.iter().map(|b| rows(b)).collect();
    let (first, last) = shown_items(&heights, rot.selected, room.saturating_sub(fixed));
    let cut = first > 0 || last + 1 < n;
    let room = if cut { room.saturating_sub(1) } else { room };
    let (first, last) = if cut {
        shown_items(&heights, rot.selected, room.saturating_sub(fixed))
    } else {
        (first, last)
    };
    for b in blocks.drain(..).skip(first).take(last + 1 - first) {
        lines.extend(b);
    }
    if cut {
        let shown = last + 1 - first;
        let mut more = Vec::new();
        if first > 0 {
            more.push(format!("{first} above"));
        }
        if last + 1 < n {
            more.push(format!("{} below", n - 1 - last));
        }
        lines.push(Line::styled(
            format!(
                "{shown} of {n} shown ({}; {}/{} selects)",
                more.join(", "),
                key(Command::Down),
                key(Command::Up)
            ),
            theme.accent(),
        ));
    }
    lines.extend(tail);

    let body_h: u16 = rows(&lines).min(u16::MAX as usize) as u16;
    let h = (body_h + 4).min(area.height.saturating_sub(2));
    let inner = window(frame, area, w, h, title(heading, theme), theme);
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
    let done = rot.all_applied();
    let items = hints_now(
        keymap::hints(Scope::Rotation, state.ctx.readonly),
        |h| match (h.command, phase) {
            (Command::Confirm, _) if rot.confirm_apply => Some(h.label),
            (Command::Confirm, _) => None,
            (Command::Apply, _) if rot.confirm_apply => None,
            (Command::Close, _) if rot.confirm_apply => Some("go back"),
            (Command::Reveal, _) if rot.revealed => Some("hide"),
            (Command::Down, _) => (n > 1).then_some(h.label),
            (Command::Apply, RotPhase::Ready) => Some(h.label),
            (Command::Apply, RotPhase::Done) if !done => Some("try again"),
            (Command::Apply, _) => None,
            (Command::Close, RotPhase::Ready) => Some(h.label),
            (Command::Close, RotPhase::Applying) => Some("wait"),
            (Command::Close, RotPhase::Done) if done => Some("close and forget"),
            (Command::Close, RotPhase::Done) => Some("close"),
            _ => Some(h.label),
        },
    );
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
}

/// The items `first..=last` of a list whose items are `heights` lines tall that fit in `room`
/// lines and hold `selected`: from the top while the selection fits, else ending at it.
fn shown_items(heights: &[usize], selected: usize, room: usize) -> (usize, usize) {
    if heights.is_empty() {
        return (0, 0);
    }
    let selected = selected.min(heights.len() - 1);
    let mut first = 0;
    while first < selected && heights[first..=selected].iter().sum::<usize>() > room {
        first += 1;
    }
    let mut last = selected;
    let mut used: usize = heights[first..=selected].iter().sum();
    while last + 1 < heights.len() && used + heights[last + 1] <= room {
        last += 1;
        used += heights[last];
    }
    (first, last)
}

/// What one more Esc (or Ctrl-C) would do, and why it asks.
fn leave_question(state: &State, rot: &Rotation) -> String {
    let key = |c| keymap::key_label(Scope::Rotation, c);
    let esc = key(Command::Close);
    let quit = keymap::key_label(Scope::Global, Command::Quit);
    let n = rot.at_risk();
    let (them, end) = if n == 1 {
        ("it", "ends")
    } else {
        ("them", "end")
    };
    // Applied for sure, or perhaps (sent, or its answer lost).
    let sure = rot
        .items
        .iter()
        .filter(|i| i.at_risk())
        .all(|i| matches!(i.status, RotStatus::Applied { .. }));
    let where_ = if sure {
        "in force in ZIS"
    } else {
        "that may be in force in ZIS"
    };
    let unseen = match n {
        0 => String::new(),
        1 => format!("1 password {where_} was never revealed or copied: "),
        n => format!("{n} passwords {where_} were never revealed or copied: "),
    };
    let waiting = if rot.phase() == RotPhase::Applying {
        "Still waiting for the answer. "
    } else {
        ""
    };
    if rot.confirm_quit {
        return match (n, state.recovery) {
            (0, _) => format!("{waiting}{quit} again quits and forgets the password anyway."),
            (_, true) => format!(
                "{waiting}{unseen}{quit} again quits and keeps {them} for `zisctl rotate \
                 --recover` (a file only you can read); any other key stays."
            ),
            (_, false) => {
                let (who, _) = if n == 1 { ("it", ()) } else { ("they", ()) };
                format!(
                    "{waiting}{unseen}{quit} again quits, and {who} {end} with the demo's sandbox."
                )
            }
        };
    }
    if n > 0 {
        return format!(
            "{waiting}{unseen}{} copies, {} reveals; {esc} again forgets {them}, and the \
             connection keeps a password nobody has.",
            key(Command::Copy),
            key(Command::Reveal)
        );
    }
    match rot.phase() {
        RotPhase::Applying => {
            format!("{waiting}{esc} again abandons it and forgets the password.")
        }
        RotPhase::Ready => {
            format!("{esc} again discards the new password (nothing was changed in Zendesk).")
        }
        RotPhase::Done => {
            format!("Not everything was applied. {esc} again forgets the password anyway.")
        }
    }
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
    let items = keymap::hints(Scope::AuditLog, state.ctx.readonly);
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
}
