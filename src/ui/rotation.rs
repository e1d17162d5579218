//! The rotation window: per connection its user, what uses it, the new password (masked
//! until revealed), the recipe that matched (or "set it by hand"), the steps (generate → set
//! → test → apply → verify) and what the latest step said.
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;
use secrecy::ExposeSecret;

use crate::app::keymap::{self, Command, Scope};
use crate::app::{RotPhase, RotStatus, Rotation, State};
use crate::rotation::{Mark, Progress, Step};

use super::popups::{masked, title, window};
use super::theme::Theme;
use super::usage::{fit, used_by_summary};
use super::widgets::{hints, hints_now, s, wrap_words};

pub fn rotation(frame: &mut Frame, area: Rect, state: &State, rot: &Rotation, theme: &Theme) {
    let phase = rot.phase();
    let key = |c| keymap::key_label(Scope::Rotation, c);
    let n = rot.items.len();
    let plural = if n == 1 { "" } else { "s" };
    let recipes = rot.items.iter().filter(|i| i.recipe.is_some()).count();
    let heading = match phase {
        RotPhase::Ready if recipes == 0 => {
            format!("Rotate {n} password{plural} · step 1 of 2: set it on the target")
        }
        RotPhase::Ready => format!("Rotate {n} password{plural} · with a recipe"),
        RotPhase::Applying if recipes == 0 => format!("Rotate {n} password{plural} · applying…"),
        RotPhase::Applying => format!("Rotate {n} password{plural} · running the steps…"),
        RotPhase::Done => format!("Rotate {n} password{plural} · result"),
    };
    let mut lines: Vec<Line> = Vec::new();
    match phase {
        RotPhase::Ready if recipes == 0 => {
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
        RotPhase::Ready => {
            let kept = if state.recovery {
                "the recovery store keeps it until ZIS holds it"
            } else {
                "it stays here until ZIS holds it"
            };
            let mut spans = vec![
                Span::raw("New passwords, nothing changed yet. "),
                Span::styled(key(Command::Apply), theme.key()),
                Span::raw(format!(
                    " sets each at its target, tests it there, then applies it in ZIS and \
                     verifies it; you need not see it ({kept})."
                )),
            ];
            if recipes < n {
                spans.push(Span::raw(" Without a recipe: copy ("));
                spans.push(Span::styled(key(Command::Copy), theme.key()));
                spans.push(Span::raw(") or reveal ("));
                spans.push(Span::styled(key(Command::Reveal), theme.key()));
                spans.push(Span::raw(
                    ") it and set it at the target by hand first: Enter applies it in ZIS.",
                ));
            }
            lines.push(Line::from(spans));
        }
        RotPhase::Applying if recipes == 0 => {
            lines.push(Line::raw("Setting the new passwords in ZIS…"))
        }
        RotPhase::Applying => lines.push(Line::raw(
            "Each connection runs its steps on its own: set at the target, test there, apply \
             in ZIS, verify.",
        )),
        RotPhase::Done => {
            if rot.all_applied() && rot.at_risk() == 0 && recipes == n {
                lines.push(Line::styled(
                    format!(
                        "Done: the target and ZIS hold the new password{plural}. {} here \
                         until you close this window; then {} forgotten.",
                        if n == 1 { "It stays" } else { "They stay" },
                        if n == 1 { "it is" } else { "they are" }
                    ),
                    theme.ok(),
                ));
            } else if rot.all_applied() && rot.at_risk() > 0 {
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
    let col = text_w.saturating_sub(18).max(10);
    let row = |label: &str, parts: Vec<Span<'static>>| -> Line<'static> {
        let mut spans = vec![Span::styled(format!("    {label:<14}"), theme.muted())];
        spans.extend(parts);
        Line::from(spans)
    };
    // A long text under a label, wrapped to the column.
    let wrapped = |lines: &mut Vec<Line<'static>>, label: &str, text: &str, style| {
        for (j, part) in wrap_words(text, col).into_iter().enumerate() {
            let label = if j == 0 { label } else { "" };
            lines.push(row(label, vec![Span::styled(part, style)]));
        }
    };
    let mut blocks: Vec<Vec<Line>> = Vec::with_capacity(n);
    let mut compact: Vec<Vec<Line>> = Vec::with_capacity(n);
    for (i, item) in rot.items.iter().enumerate() {
        let mut lines: Vec<Line> = Vec::new();
        let sel = i == rot.selected;
        let pointer = if sel && n > 1 { "▶ " } else { "  " };
        lines.push(Line::from(vec![
            Span::styled(pointer, theme.key()),
            Span::styled(s(&item.key.name), theme.bold()),
            Span::styled(format!("  in {}", s(&item.key.integration)), theme.muted()),
        ]));
        lines.push(row(
            "user",
            vec![
                Span::raw(s(&item.username)),
                Span::styled(format!(" @ {}", s(&item.allowed_domain)), theme.dim()),
            ],
        ));
        lines.push(row(
            "used by",
            vec![fit(
                used_by_summary(state, &item.key.integration, &item.key.name, theme),
                col,
            )],
        ));
        let pw = if rot.revealed {
            Span::styled(item.password.expose_secret().to_string(), theme.secret())
        } else {
            Span::styled(
                masked(item.password.expose_secret().chars().count()),
                theme.secret(),
            )
        };
        lines.push(row("new password", vec![pw]));
        match &item.recipe {
            Some(r) => wrapped(
                &mut lines,
                "recipe",
                &format!("{}: {}", s(&r.pattern), s(&r.describe())),
                theme.base(),
            ),
            None => wrapped(
                &mut lines,
                "recipe",
                &format!(
                    "no recipe: set it at the target by hand, then {} applies it in ZIS",
                    key(Command::Apply)
                ),
                theme.dim(),
            ),
        }
        lines.push(row("steps", steps(&item.progress, theme)));
        let enter = key(Command::Apply);
        let said = item.outcome.as_deref().map(s).unwrap_or_default();
        let recipe = item.recipe.is_some();
        let (text, style) = match &item.status {
            RotStatus::Ready if item.outcome.is_some() => (format!("✗ {said}"), theme.error()),
            RotStatus::Ready if recipe => ("nothing sent yet".to_string(), theme.dim()),
            RotStatus::Ready => ("not applied yet".to_string(), theme.dim()),
            RotStatus::Holding(_) => (
                "keeping it in the recovery store…".to_string(),
                theme.accent(),
            ),
            RotStatus::AtTarget { step, .. } => (format!("{}…", step.label()), theme.accent()),
            RotStatus::TargetFailed { step } => (
                format!(
                    "✗ {said}. Nothing was applied in ZIS; the target may already hold this \
                     password: keep it. {enter} runs the {} again.",
                    step.as_str()
                ),
                theme.error(),
            ),
            RotStatus::Applying(_) if recipe => ("apply in ZIS…".to_string(), theme.accent()),
            RotStatus::Applying(_) => ("applying…".to_string(), theme.accent()),
            RotStatus::Applied { verified: true } if recipe => (
                "✓ set at the target, applied and verified in ZIS".to_string(),
                theme.ok(),
            ),
            RotStatus::Applied { verified: true } => {
                ("✓ applied and verified".to_string(), theme.ok())
            }
            RotStatus::Applied { verified: false } => (
                "✓ applied (the check could not confirm it: look at its updated date)".to_string(),
                theme.warn(),
            ),
            RotStatus::Failed(e) if recipe => (
                format!(
                    "✗ not applied in ZIS: {}. The target already holds the new password: \
                     keep it; {enter} applies it again.",
                    s(e)
                ),
                theme.error(),
            ),
            RotStatus::Failed(e) => (format!("✗ not applied: {}", s(e)), theme.error()),
            RotStatus::Unknown(e) => (format!("? {}", s(e)), theme.warn()),
        };
        wrapped(&mut lines, "status", &text, style);
        // What the target said last, while it is not in the status already.
        let asking = rot.confirm_discard || rot.confirm_quit || rot.confirm_apply;
        let show_said = recipe
            && !asking
            && matches!(
                item.status,
                RotStatus::AtTarget { .. } | RotStatus::Applying(_)
            )
            && item.outcome.is_some();
        if show_said {
            wrapped(&mut lines, "last step", &said, theme.dim());
        }
        blocks.push(lines);
        // The short form, for the others when not every connection fits: its name and steps.
        let mut short = vec![
            Span::styled(if sel && n > 1 { "▶ " } else { "  " }, theme.key()),
            Span::styled(format!("{:<20}", cut(&s(&item.key.name), 19)), theme.bold()),
        ];
        short.extend(steps(&item.progress, theme));
        compact.push(vec![Line::from(short)]);
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
    let mut heights: Vec<usize> = blocks.iter().map(|b| rows(b)).collect();
    if heights.iter().sum::<usize>() + fixed > room && n > 1 {
        // Not all in full: the selected one in full, the others one line each.
        for (i, c) in compact.into_iter().enumerate() {
            if i != rot.selected {
                heights[i] = rows(&c);
                blocks[i] = c;
            }
        }
    }
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
    let retry = rot.items.iter().any(|i| {
        matches!(
            i.status,
            RotStatus::TargetFailed { .. } | RotStatus::Failed(_) | RotStatus::Unknown(_)
        )
    });
    let items = hints_now(
        keymap::hints(Scope::Rotation, state.ctx.readonly),
        |h| match (h.command, phase) {
            (Command::Confirm, _) if rot.confirm_apply => Some(h.label),
            (Command::Confirm, _) => None,
            (Command::Apply, _) if rot.confirm_apply => None,
            (Command::Close, _) if rot.confirm_apply => Some("go back"),
            (Command::Reveal, _) if rot.revealed => Some("hide"),
            (Command::Down, _) => (n > 1).then_some(h.label),
            (Command::Apply, RotPhase::Ready) if recipes == n => Some("set, test, apply"),
            (Command::Apply, RotPhase::Ready) if recipes > 0 => Some("run / apply"),
            (Command::Apply, RotPhase::Ready) => Some(h.label),
            // Another item's step may be running: Enter retries the failed ones meanwhile.
            (Command::Apply, RotPhase::Applying) if retry => Some("try again"),
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

/// `text` cut to `max` characters (ending in `…`).
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut t: String = text.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// "generate ✓ → set … → test · → apply · → verify ·", each step in its mark's colour.
fn steps(p: &Progress, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (i, step) in Step::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" → ", theme.muted()));
        }
        let mark = p.get(*step);
        let style = match mark {
            Mark::Ok => theme.ok(),
            Mark::Failed => theme.error(),
            Mark::Running => theme.accent(),
            Mark::Unknown => theme.warn(),
            Mark::Waiting | Mark::Manual | Mark::Skipped => theme.dim(),
        };
        spans.push(Span::styled(
            format!("{} {}", step.as_str(), mark.symbol()),
            style,
        ));
    }
    spans
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
    let risky = || rot.items.iter().filter(|i| i.at_risk());
    // In ZIS and never seen (no recipe); set at the target by a recipe and not in ZIS.
    let manual = risky().filter(|i| i.recipe.is_none()).count();
    let target = risky().filter(|i| i.recipe.is_some()).count();
    let held = risky().filter(|i| i.recipe.is_some() && i.held).count();
    // Applied for sure, or perhaps (sent, or its answer lost).
    let sure = risky()
        .filter(|i| i.recipe.is_none())
        .all(|i| matches!(i.status, RotStatus::Applied { .. }));
    let where_ = if sure {
        "in force in ZIS"
    } else {
        "that may be in force in ZIS"
    };
    let mut unseen = match manual {
        0 => String::new(),
        1 => format!("1 password {where_} was never revealed or copied: "),
        m => format!("{m} passwords {where_} were never revealed or copied: "),
    };
    match target {
        0 => {}
        1 => unseen.push_str("1 password set (or being set) at the target is not in ZIS yet: "),
        t => unseen.push_str(&format!(
            "{t} passwords set (or being set) at the target are not in ZIS yet: "
        )),
    }
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
    if n > 0 && manual == 0 && held == target {
        return format!(
            "{waiting}{unseen}{esc} again closes; the recovery store keeps {them} (`zisctl \
             rotate --recover` prints {them})."
        );
    }
    if n > 0 && manual == 0 {
        return format!(
            "{waiting}{unseen}{} copies, {} reveals; {esc} again forgets {them}, and the \
             target may keep a password nobody has.",
            key(Command::Copy),
            key(Command::Reveal)
        );
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
