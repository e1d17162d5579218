//! What uses a connection, as the details, the delete question and the rotation window say
//! it, and the bundles view of an integration (resources with their problems marked).
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::app::keymap::{self, Scope};
use crate::app::{State, UsageState};
use crate::usage::{self, Node, Trigger, Usage, Use};

use super::popups::{title, window};
use super::theme::Theme;
use super::widgets::{hints, s, wrap_words};

/// One use as a line: `bundle › flow › action · job spec installed`.
pub(crate) fn use_text(u: &Use) -> String {
    let via = if u.implicit { " (path)" } else { "" };
    format!(
        "{}{via} · {}",
        s(&usage::use_path(u)),
        s(&usage::triggers_text(&u.job_specs))
    )
}

/// `a · b · c` in lines of at most `width`, broken between its parts where it can.
pub(crate) fn wrap_parts(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for part in text.split(" · ") {
        let joined = if cur.is_empty() {
            part.to_string()
        } else {
            format!("{cur} · {part}")
        };
        if joined.chars().count() <= width {
            cur = joined;
            continue;
        }
        if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        let mut pieces = wrap_words(part, width);
        cur = pieces.pop().unwrap_or_default();
        out.extend(pieces);
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// The style of a use: live (an installed job spec starts it) stands out.
fn use_style(u: &Use, theme: &Theme) -> Style {
    if u.live() {
        theme.bold()
    } else {
        theme.base()
    }
}

/// What uses `name` of `integration`, as at most `max` lines (the last says how many more):
/// the uses, or one line saying that nothing does, that it is being read, or why not known.
pub(crate) fn used_by_lines(
    state: &State,
    integration: &str,
    name: &str,
    max: usize,
    theme: &Theme,
) -> Vec<Span<'static>> {
    match state.usage_of(integration) {
        UsageState::Loading => vec![Span::styled("reading bundles…", theme.dim())],
        UsageState::Failed(e) => vec![Span::styled(
            format!("not known: the bundles could not be read ({})", s(e)),
            theme.error(),
        )],
        UsageState::Known(u) => {
            let list = u.used_by(name);
            if list.is_empty() {
                return vec![nothing(u, theme)];
            }
            let mut out: Vec<Span> = list
                .iter()
                .take(if list.len() > max {
                    max.saturating_sub(1)
                } else {
                    max
                })
                .map(|x| Span::styled(use_text(x), use_style(x, theme)))
                .collect();
            if list.len() > out.len() {
                out.push(Span::styled(
                    format!("… and {} more", list.len() - out.len()),
                    theme.muted(),
                ));
            }
            out
        }
    }
}

/// "nothing": said as a warning when every bundle was read, as a doubt when not.
fn nothing(u: &Usage, theme: &Theme) -> Span<'static> {
    if u.complete {
        Span::styled("nothing: no bundle names it", theme.warn())
    } else {
        Span::styled(
            "nothing found, but not every bundle could be read",
            theme.warn(),
        )
    }
}

/// One line: the first use and how many more, or what else is known.
pub(crate) fn used_by_summary(
    state: &State,
    integration: &str,
    name: &str,
    theme: &Theme,
) -> Span<'static> {
    match state.usage_of(integration) {
        UsageState::Known(u) => {
            let list = u.used_by(name);
            match list {
                [] => nothing(u, theme),
                [one] => Span::styled(use_text(one), use_style(one, theme)),
                [first, rest @ ..] => Span::styled(
                    format!("{} (+{} more)", use_text(first), rest.len()),
                    use_style(first, theme),
                ),
            }
        }
        _ => used_by_lines(state, integration, name, 1, theme)
            .into_iter()
            .next()
            .unwrap_or_default(),
    }
}

/// `span` cut to `max` characters (the last one an ellipsis when cut).
pub(crate) fn fit(span: Span<'static>, max: usize) -> Span<'static> {
    if span.content.chars().count() <= max {
        return span;
    }
    let cut: String = span
        .content
        .chars()
        .take(max.saturating_sub(1))
        .chain(std::iter::once('…'))
        .collect();
    Span::styled(cut, span.style)
}

fn installed_text(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "installed",
        Some(false) => "not installed",
        None => "installed?",
    }
}

fn triggers(list: &[Trigger]) -> String {
    usage::triggers_text(list)
}

/// One entry of the bundles view: a prefix that stays in its column and a text that wraps
/// under it.
struct Entry {
    prefix: Vec<Span<'static>>,
    text: String,
    style: Style,
}

impl Entry {
    fn new(prefix: Vec<Span<'static>>, text: String, style: Style) -> Entry {
        Entry {
            prefix,
            text,
            style,
        }
    }

    /// The screen lines of this entry in `width` columns.
    fn lines(self, width: usize) -> Vec<Line<'static>> {
        let pw: usize = self.prefix.iter().map(|p| p.content.chars().count()).sum();
        let room = width.saturating_sub(pw).max(12);
        let mut out = Vec::new();
        for (i, part) in wrap_words(&self.text, room).into_iter().enumerate() {
            let mut spans = if i == 0 {
                self.prefix.clone()
            } else {
                vec![Span::raw(" ".repeat(pw))]
            };
            spans.push(Span::styled(part, self.style));
            out.push(Line::from(spans));
        }
        out
    }
}

fn problem_entry(kind: usage::ProblemKind, detail: &str, indent: usize, theme: &Theme) -> Entry {
    Entry::new(
        vec![
            Span::raw(" ".repeat(indent)),
            Span::styled(format!("⚠ {}: ", kind.label()), theme.stale()),
        ],
        s(detail),
        theme.warn(),
    )
}

/// The entries of the bundles view of `u`, exactly `BundlesEntry::view_lines` of them (the
/// view scrolls by entry; an entry wraps under its own indent).
fn view_entries(u: &Usage, theme: &Theme) -> Vec<Entry> {
    let integration = u.integration.as_str();
    let mut out = Vec::new();
    for b in &u.bundles {
        let mut text = s(&b.uuid);
        if !b.description.is_empty() {
            text.push_str(&format!("  {}", s(&b.description)));
        }
        if b.unreadable.is_some() {
            text.push_str("  ✗ not read");
        }
        out.push(Entry::new(
            vec![
                Span::styled("▸ ", theme.key()),
                Span::styled(format!("{}  ", s(&b.name)), theme.bold()),
            ],
            text,
            theme.dim(),
        ));
        for (k, d) in &b.problems {
            out.push(problem_entry(*k, d, 4, theme));
        }
        let name_w = b
            .resources
            .iter()
            .map(|r| r.name.chars().count())
            .max()
            .unwrap_or(0)
            .min(24);
        for r in &b.resources {
            let mark = if r.problems.is_empty() {
                Span::raw("    ")
            } else {
                Span::styled("  ⚠ ", theme.stale())
            };
            let detail = match &r.node {
                Node::Action {
                    connection,
                    dynamic,
                    method,
                    target,
                    zendesk_path,
                    ..
                } => {
                    let conn = match (connection, dynamic, zendesk_path) {
                        (Some(c), _, _) => s(c),
                        (None, true, _) => "(chosen at run time)".into(),
                        (None, false, true) => "(no connectionName)".into(),
                        (None, false, false) => "(no connection)".into(),
                    };
                    format!("→ {conn} · {} {}", s(method), s(target))
                }
                Node::Flow { actions, job_specs } => {
                    let names: Vec<String> = actions
                        .iter()
                        .map(|a| {
                            s(
                                crate::zis::local_name(a, crate::zis::RefKind::Action, integration)
                                    .unwrap_or(a),
                            )
                        })
                        .collect();
                    let t = s(&triggers(job_specs));
                    if names.is_empty() {
                        t
                    } else {
                        format!("{t} · {}", names.join(", "))
                    }
                }
                Node::JobSpec {
                    flow,
                    event,
                    installed,
                } => {
                    let f = crate::zis::local_name(flow, crate::zis::RefKind::Flow, integration)
                        .unwrap_or(flow);
                    format!("{} · → {} · {}", installed_text(*installed), s(f), s(event))
                }
                Node::Other { .. } => String::new(),
            };
            let mut name: String = s(&r.name).chars().take(name_w).collect();
            if r.name.chars().count() > name_w {
                name.pop();
                name.push('…');
            }
            out.push(Entry::new(
                vec![
                    mark,
                    Span::styled(format!("{:<9} ", fit_label(r.node.label())), theme.muted()),
                    Span::styled(format!("{name:<name_w$}  "), theme.bold()),
                ],
                detail,
                theme.base(),
            ));
            for (k, d) in &r.problems {
                out.push(problem_entry(*k, d, 6, theme));
            }
        }
    }
    if !u.orphan_job_specs.is_empty() {
        out.push(Entry::new(
            vec![Span::styled("Job specs no bundle defines", theme.header())],
            String::new(),
            theme.base(),
        ));
        for j in &u.orphan_job_specs {
            let own: Vec<&usage::Problem> = u
                .problems
                .iter()
                .filter(|p| p.bundle == usage::NONE && p.resource == j.name)
                .collect();
            let mark = if own.is_empty() {
                Span::raw("    ")
            } else {
                Span::styled("  ⚠ ", theme.stale())
            };
            out.push(Entry::new(
                vec![
                    mark,
                    Span::styled(format!("{:<9} ", "job spec"), theme.muted()),
                    Span::styled(format!("{}  ", s(&j.name)), theme.bold()),
                ],
                format!("{} · → {}", installed_text(j.installed), s(&j.flow)),
                theme.base(),
            ));
            for p in own {
                out.push(problem_entry(p.kind, &p.detail, 6, theme));
            }
        }
    }
    out
}

/// A resource type in its 9 columns (`ZIS::Config` and the like are cut).
fn fit_label(label: &str) -> String {
    let l = s(label);
    if l.chars().count() <= 9 {
        l
    } else {
        l.chars().take(8).chain(std::iter::once('…')).collect()
    }
}

/// The bundles view of `integration`, scrolled by `scroll` lines.
pub fn bundles(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    integration: &str,
    scroll: u16,
    theme: &Theme,
) {
    let w = area.width.saturating_sub(2);
    let h = area.height.saturating_sub(2);
    let text_w = w.saturating_sub(4) as usize;
    let again = state
        .bundles
        .get(integration)
        .is_some_and(|b| b.loading.is_some());
    let (heading, lines) = match state.usage_of(integration) {
        UsageState::Loading => (
            format!("Bundles of {}", s(integration)),
            vec![Line::styled(
                format!("Reading the bundles of {}…", s(integration)),
                theme.dim(),
            )],
        ),
        UsageState::Failed(e) => (
            format!("Bundles of {}", s(integration)),
            Entry::new(
                Vec::new(),
                format!(
                    "The bundles could not be read: {}{}",
                    s(e),
                    if again {
                        " (reading them again…)"
                    } else {
                        ""
                    }
                ),
                theme.error(),
            )
            .lines(text_w),
        ),
        UsageState::Known(u) => {
            let entries = view_entries(u, theme);
            let mut lines: Vec<Line> = entries
                .into_iter()
                .skip(scroll as usize)
                .flat_map(|e| e.lines(text_w))
                .collect();
            if lines.is_empty() {
                lines.push(Line::styled(
                    format!("No bundles in {}.", s(integration)),
                    theme.dim(),
                ));
            }
            let n = u.bundles.len();
            let p = u.problems.len();
            (
                format!(
                    "Bundles of {} · {n} bundle{} · {p} problem{}",
                    s(integration),
                    if n == 1 { "" } else { "s" },
                    if p == 1 { "" } else { "s" }
                ),
                lines,
            )
        }
    };
    let inner = window(frame, area, w, h, title(heading, theme), theme);
    let [body, foot] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), body);
    let items = keymap::hints(Scope::Bundles, state.ctx.readonly);
    frame.render_widget(Paragraph::new(hints(&items, foot.width, theme)), foot);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::testing::loaded;

    #[test]
    fn parts_wrap_between_themselves() {
        assert_eq!(
            wrap_parts("a › b › c · job spec installed", 40),
            ["a › b › c · job spec installed"]
        );
        assert_eq!(
            wrap_parts("bundle › flow › action · job spec installed", 30),
            ["bundle › flow › action", "job spec installed"]
        );
        assert_eq!(wrap_parts("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap_parts("", 4), [""]);
    }

    #[test]
    fn the_view_draws_the_lines_scrolling_counts() {
        let s = loaded(120, 40);
        let theme = Theme::new(false);
        let mut seen = 0;
        for (name, b) in &s.bundles {
            if let Some(u) = &b.usage {
                seen += 1;
                let drawn = view_entries(u, &theme).len().max(1);
                assert_eq!(drawn, b.view_lines(), "{name}");
            }
        }
        assert!(seen >= 2, "the fixture has bundles");
    }
}
