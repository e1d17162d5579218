//! The main screen: status bar, banner, integrations pane, connections table, details, hints.
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, Cell, HighlightSpacing, List, ListItem, ListState, Paragraph, Row,
    Table, TableState, Wrap,
};
use ratatui::Frame;

use crate::app::{InputKind, LeftItem, LeftSel, Pane, SortKey, State};
use crate::zis::{ConnectionKind, TokenSource};

use super::theme::Theme;
use super::{age_text, date_text, datetime_text, hints, s, spinner, wrap_words, SERVER_SECRET};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let banner_h = match &state.banner {
        Some(b) => {
            let w = area.width.saturating_sub(4).max(10) as usize;
            (b.text.chars().count() / w + 1).min(3) as u16
        }
        None => 0,
    };
    let [status, banner, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_h),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(area);
    status_bar(frame, status, state, theme);
    if let Some(b) = &state.banner {
        let icon = match b.level {
            crate::app::Level::Error => "✗ ",
            crate::app::Level::Warn => "! ",
            crate::app::Level::Info => "✓ ",
        };
        let p = Paragraph::new(Line::from(vec![
            Span::raw(" "),
            Span::raw(icon),
            Span::raw(s(&b.text)),
        ]))
        .wrap(Wrap { trim: false })
        .style(theme.banner(b.level));
        frame.render_widget(p, banner);
    }

    let left_w = (area.width / 4).clamp(20, 34);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(body);
    integrations_pane(frame, left, state, theme);

    let details_h = if body.height >= 26 { 10 } else { 0 };
    let [table, details] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(details_h)]).areas(right);
    connections_table(frame, table, state, theme);
    if details_h > 0 {
        details_panel(frame, details, state, theme);
    }
    footer_line(frame, footer, state, theme);
}

fn status_bar(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
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
        let what = if state.in_flight.len() == 1 {
            state
                .in_flight
                .values()
                .next()
                .map(|v| s(v))
                .unwrap_or_default()
        } else {
            let (loaded, total) = state.load_progress();
            if loaded < total {
                format!(
                    "{} requests · {loaded}/{total} loaded",
                    state.in_flight.len()
                )
            } else {
                format!("{} requests", state.in_flight.len())
            }
        };
        right.push(Span::styled(
            format!("{} ", spinner(state)),
            bar.patch(theme.accent()),
        ));
        right.push(Span::styled(format!("{what} "), bar));
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
    let creds = s(&state.ctx.credential_source);
    let left_w: usize = left.iter().map(|s| s.content.chars().count()).sum();
    if left_w + 3 + creds.chars().count() + right_w < area.width as usize {
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

fn pane_block<'a>(title: Vec<Span<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(theme.border(focused))
        .title(Line::from(title))
}

fn integrations_pane(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let focused = state.focus == Pane::Integrations;
    let mut title = vec![Span::styled(" Integrations ", theme.title())];
    if state.left_filter.is_active() {
        title.push(Span::styled(
            format!("/{} ", s(&state.left_filter.text)),
            theme.accent(),
        ));
    }
    let block = pane_block(title, focused, theme);
    let inner_w = area.width.saturating_sub(4) as usize;
    let mut items = Vec::new();
    for item in &state.left_rows {
        let (name, count, style) = match item {
            LeftItem::All => {
                let (loaded, total) = state.load_progress();
                let n = state.total_connections();
                let count = if loaded < total {
                    format!("{n}…")
                } else {
                    n.to_string()
                };
                let label = if inner_w >= 22 {
                    "★ All connections"
                } else {
                    "★ All"
                };
                (label.to_string(), count, theme.accent())
            }
            LeftItem::Integration(i) => {
                let Some(e) = state.integrations.get(*i) else {
                    continue;
                };
                let count = match (&e.connections, e.loading, &e.error) {
                    (_, _, Some(_)) => "!".to_string(),
                    (Some(c), None, _) => c.len().to_string(),
                    (Some(c), Some(_), _) => format!("{}…", c.len()),
                    (None, _, _) => "…".to_string(),
                };
                let style = if e.error.is_some() {
                    theme.error()
                } else {
                    theme.base()
                };
                (s(e.name()), count, style)
            }
        };
        let name_w = inner_w.saturating_sub(count.chars().count() + 1);
        let name = truncate(&name, name_w);
        let pad = inner_w.saturating_sub(name.chars().count() + count.chars().count());
        items.push(ListItem::new(Line::from(vec![
            Span::styled(name, style),
            Span::raw(" ".repeat(pad)),
            Span::styled(count, theme.dim()),
        ])));
    }
    if !state.integrations_loaded {
        let msg = match &state.integrations_error {
            Some(_) => "could not load (R retries)",
            None => "loading…",
        };
        items.push(ListItem::new(Line::styled(msg.to_string(), theme.dim())));
    } else if state.integrations.is_empty() {
        items.push(ListItem::new(Line::styled(
            "no integrations yet (I registers one)".to_string(),
            theme.dim(),
        )));
    }
    let list = List::new(items)
        .block(block)
        .highlight_style(theme.selected(focused))
        .highlight_spacing(HighlightSpacing::Always)
        .highlight_symbol(if focused { "▌" } else { " " });
    let mut ls = ListState::default().with_selected(state.left_index());
    frame.render_stateful_widget(list, area, &mut ls);
}

/// A table column: header, size rules, and which ones go first when space is short.
struct Col {
    header: &'static str,
    /// Fixed columns are always `min` wide; the others grow to their content.
    fixed: bool,
    min: u16,
    /// Lowest is dropped first; 250 and above are never dropped.
    drop_order: u8,
    right: bool,
}

fn connections_table(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let focused = state.focus == Pane::Connections;
    let all = state.is_all_view();
    let sort = state.sort();

    // Title: what is shown, how many, sort, filter.
    let mut title = vec![Span::styled(" ", theme.title())];
    match &state.left_sel {
        LeftSel::All => {
            title.push(Span::styled("All connections", theme.title()));
            if state.only_findings {
                title.push(Span::styled(" (with findings)", theme.stale()));
            }
        }
        LeftSel::Integration(n) => title.push(Span::styled(s(n), theme.title())),
    }
    title.push(Span::styled(format!(" {} ", state.rows.len()), theme.dim()));
    let arrow = if sort.descending { "↓" } else { "↑" };
    let sort_label = match (sort.key, sort.descending) {
        (SortKey::Age, true) => "oldest first".to_string(),
        (SortKey::Age, false) => "newest first".to_string(),
        (k, _) => format!("{}{arrow}", k.label()),
    };
    title.push(Span::styled(format!("· {sort_label} "), theme.dim()));
    if state.table_filter.is_active() {
        title.push(Span::styled(
            format!(
                "· /{} ({}) ",
                s(&state.table_filter.text),
                state.table_filter.mode.label()
            ),
            theme.accent(),
        ));
    }
    if !state.marked.is_empty() {
        title.push(Span::styled(
            format!("· {} marked ", state.marked.len()),
            theme.mark(),
        ));
    }
    let block = pane_block(title, focused, theme);
    let inner = block.inner(area);

    // Columns, dropping the least useful ones while the table is narrow.
    let mut cols = Vec::new();
    if !state.marked.is_empty() {
        cols.push(Col {
            header: "",
            fixed: true,
            min: 1,
            drop_order: 255,
            right: false,
        });
    }
    if all {
        cols.push(Col {
            header: "INTEGRATION",
            fixed: false,
            min: 10,
            drop_order: 5,
            right: false,
        });
    }
    cols.extend([
        Col {
            header: "KIND",
            fixed: true,
            min: 8,
            drop_order: 250,
            right: false,
        },
        Col {
            header: "NAME",
            fixed: false,
            min: 16,
            drop_order: 255,
            right: false,
        },
        Col {
            header: "USER / HEADER",
            fixed: false,
            min: 10,
            drop_order: 2,
            right: false,
        },
        Col {
            header: "ALLOWED DOMAIN",
            fixed: false,
            min: 12,
            drop_order: if all { 3 } else { 4 },
            right: false,
        },
        Col {
            header: "UPDATED",
            fixed: true,
            min: 10,
            drop_order: 1,
            right: false,
        },
        Col {
            header: "AGE",
            fixed: true,
            min: 7,
            drop_order: 254,
            right: true,
        },
    ]);
    if all {
        cols.push(Col {
            header: "FINDINGS",
            fixed: false,
            min: 14,
            drop_order: 4,
            right: false,
        });
    }
    // One column goes to the selection marker.
    let avail = inner.width.saturating_sub(1);
    // Drop columns (least useful first) while even their minimum widths do not fit, or
    // while their contents would have to be cut by more than a little.
    const SLACK: u16 = 16;
    let wants: Vec<u16> = cols.iter().map(|c| want_width(state, c)).collect();
    let mut keep: Vec<bool> = vec![true; cols.len()];
    loop {
        let sum = |f: &dyn Fn(usize) -> u16| -> u16 {
            (0..cols.len()).filter(|i| keep[*i]).map(|i| f(i) + 1).sum()
        };
        let need_min = sum(&|i| cols[i].min);
        let need_want = sum(&|i| wants[i]);
        if need_min <= avail && need_want <= avail + SLACK {
            break;
        }
        let victim = cols
            .iter()
            .enumerate()
            .filter(|(i, c)| keep[*i] && c.drop_order < 250)
            .min_by_key(|(_, c)| c.drop_order)
            .map(|(i, _)| i);
        match victim {
            Some(i) => keep[i] = false,
            None => break,
        }
    }
    let shown: Vec<&Col> = cols
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(c, _)| c)
        .collect();
    let shown_wants: Vec<u16> = wants
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(w, _)| *w)
        .collect();

    let header = Row::new(shown.iter().map(|c| {
        let mut l = Line::from(c.header);
        if c.right {
            l = l.alignment(Alignment::Right);
        }
        Cell::from(l)
    }))
    .style(theme.header());

    // Only the rows on screen are built: the window starts at `scroll`, moved just enough to
    // keep the selection in sight.
    let page = inner.height.saturating_sub(1).max(1) as usize;
    let selected = state.selected_index();
    let mut start = state.scroll.min(state.rows.len().saturating_sub(1));
    if let Some(sel) = selected {
        if sel < start {
            start = sel;
        } else if sel >= start + page {
            start = sel + 1 - page;
        }
    }
    let end = (start + page).min(state.rows.len());
    let rows: Vec<Row> = state.rows[start..end]
        .iter()
        .filter_map(|r| state.row_connection(*r).map(|(e, c)| (*r, e, c)))
        .map(|(r, e, c)| {
            let audit = state.audit_at(r.entry, r.conn);
            let key = crate::app::ConnKey::of(e.name(), c);
            let marked = state.marked.contains(&key);
            let cells: Vec<Cell> = shown
                .iter()
                .map(|col| match col.header {
                    "" => {
                        if marked {
                            Cell::from(Span::styled("●", theme.mark()))
                        } else {
                            Cell::from(" ")
                        }
                    }
                    "INTEGRATION" => Cell::from(Span::styled(s(e.name()), theme.muted())),
                    "KIND" => Cell::from(kind_badge(c.kind, theme)),
                    "NAME" => Cell::from(Span::styled(s(&c.name), theme.bold())),
                    "USER / HEADER" => Cell::from(s(c.principal())),
                    "ALLOWED DOMAIN" => Cell::from(s(&c.allowed_domain)),
                    "UPDATED" => Cell::from(Span::styled(date_text(c.updated_at), theme.muted())),
                    "AGE" => {
                        let days = audit.and_then(|a| a.age_days);
                        let stale = audit.is_some_and(|a| a.stale);
                        let text = if stale {
                            format!("⚠ {}", age_text(days))
                        } else {
                            age_text(days)
                        };
                        let style = age_style(days, stale, state.ctx.stale_days, theme);
                        Cell::from(
                            Line::from(Span::styled(text, style)).alignment(Alignment::Right),
                        )
                    }
                    "FINDINGS" => {
                        let f = audit.map(|a| a.findings.join("; ")).unwrap_or_default();
                        Cell::from(Span::styled(f, theme.stale()))
                    }
                    _ => Cell::from(""),
                })
                .collect();
            Row::new(cells)
        })
        .collect();

    let empty = rows.is_empty();
    let widths = column_widths(&shown, &shown_wants, avail);
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(1)
        .row_highlight_style(theme.selected(focused))
        .highlight_spacing(HighlightSpacing::Always)
        .highlight_symbol(if focused { "▌" } else { " " });
    let mut ts = TableState::default().with_selected(selected.map(|i| i - start));
    frame.render_stateful_widget(table, area, &mut ts);

    if empty && inner.height > 2 {
        let msg = empty_message(state);
        let p = Paragraph::new(Line::styled(msg, theme.dim()))
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        let r = Rect {
            y: inner.y + 2,
            height: inner.height.saturating_sub(2),
            ..inner
        };
        frame.render_widget(p, r);
    }
}

/// How wide a column would like to be: its widest cell (capped), at least its minimum.
fn want_width(state: &State, c: &Col) -> u16 {
    const CAP: usize = 40;
    if c.fixed {
        return c.min;
    }
    let w = &state.widest;
    let widest = match c.header {
        "INTEGRATION" => w.integration,
        "NAME" => w.name,
        "USER / HEADER" => w.principal,
        "ALLOWED DOMAIN" => w.domain,
        "FINDINGS" => w.findings,
        _ => 0,
    }
    .max(c.header.len())
    .min(CAP);
    (widest as u16).max(c.min)
}

/// Widths that fit `avail`: each flexible column wants its widest cell (capped); when they do
/// not all fit, the name comes first, then the others grow evenly from their minimum, so the
/// longest columns are the ones cut.
fn column_widths(shown: &[&Col], want: &[u16], avail: u16) -> Vec<Constraint> {
    let spacing = shown.len().saturating_sub(1) as u16;
    let room = avail.saturating_sub(spacing);
    let total: u16 = want.iter().sum();
    if total <= room {
        // Everything fits: the spare room goes to the last flexible column.
        let mut w = want.to_vec();
        if let Some(i) = shown
            .iter()
            .rposition(|c| !c.fixed && c.header != "FINDINGS")
        {
            w[i] += room - total;
        }
        return w.into_iter().map(Constraint::Length).collect();
    }
    let mins: u16 = shown.iter().map(|c| c.min).sum();
    // One cell stays free so that the right-aligned age does not touch the border.
    let mut spare = room.saturating_sub(mins + 1);
    let mut widths: Vec<u16> = shown.iter().map(|c| c.min).collect();
    // The name (and the integration in the All view) is what people look for: full width
    // first.
    for first in ["NAME", "INTEGRATION"] {
        if let Some(i) = shown.iter().position(|c| c.header == first) {
            let more = (want[i] - widths[i]).min(spare);
            widths[i] += more;
            spare -= more;
        }
    }
    // Then fill from the bottom: the narrowest column that still wants more gets the next
    // cell, so short columns (a domain, a header name) show whole and only the longest are cut.
    while spare > 0 {
        let Some(i) = (0..shown.len())
            .filter(|&i| widths[i] < want[i])
            .min_by_key(|&i| widths[i])
        else {
            break;
        };
        widths[i] += 1;
        spare -= 1;
    }
    widths.into_iter().map(Constraint::Length).collect()
}

fn empty_message(state: &State) -> String {
    if !state.integrations_loaded {
        return match &state.integrations_error {
            Some(_) => "The integrations could not be loaded. R tries again.".into(),
            None => "Loading integrations…".into(),
        };
    }
    if state.table_filter.is_active() {
        return "Nothing matches the filter. Esc clears it.".into();
    }
    match state.selected_entry() {
        Some(e) if e.error.is_some() => {
            "The connections could not be loaded (see the banner). R tries again.".into()
        }
        Some(e) if e.connections.is_none() => "Loading connections…".into(),
        Some(_) => {
            if state.ctx.readonly {
                "No connections in this integration.".into()
            } else {
                "No connections yet. n creates one.".into()
            }
        }
        None => {
            let (loaded, total) = state.load_progress();
            if loaded < total {
                format!("Loading connections… {loaded}/{total} integrations")
            } else if state.only_findings {
                "No findings: every connection is fresh.".into()
            } else {
                "No connections in this account.".into()
            }
        }
    }
}

pub(crate) fn kind_badge(kind: ConnectionKind, theme: &Theme) -> Span<'static> {
    Span::styled(format!(" {:<7}", kind.label()), theme.kind_badge(kind))
}

fn age_style(days: Option<i64>, stale: bool, stale_days: u32, theme: &Theme) -> Style {
    match days {
        Some(d) if d >= 2 * i64::from(stale_days) => theme.very_stale(),
        _ if stale => theme.stale(),
        None => theme.dim(),
        _ => theme.ok(),
    }
}

fn details_panel(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
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
            lines.push(kv("Tokens", vec![Span::raw(SERVER_SECRET)], theme));
        }
    }
    lines.push(kv(
        "Allowed domain",
        vec![Span::raw(s(&c.allowed_domain))],
        theme,
    ));
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

fn footer_line(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if let Some(input) = &state.input {
        let (prompt, extra) = match input.kind {
            InputKind::Filter => {
                let f = match input.pane {
                    Pane::Integrations => &state.left_filter,
                    Pane::Connections => &state.table_filter,
                };
                (
                    "/",
                    format!(
                        "  {} · Ctrl-F switch · Enter keep · Esc clear",
                        f.mode.label()
                    ),
                )
            }
            InputKind::Command => (":", "  Enter run · Esc cancel · :help ".to_string()),
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
    let ro = state.ctx.readonly;
    let mut items: Vec<(&str, &str)> = Vec::new();
    items.push(("?", "help"));
    match state.focus {
        Pane::Integrations => {
            items.push(("j/k", "move"));
            items.push(("Enter", "open"));
            items.push(("a", "all"));
            items.push(("/", "filter"));
            if !ro {
                items.push(("n", "new"));
                items.push(("I", "register"));
            }
        }
        Pane::Connections => {
            items.push(("Enter", "details"));
            if !ro {
                items.push(("n", "new"));
                items.push(("e", "edit"));
                items.push(("r", "rotate"));
                items.push(("d", "delete"));
                items.push(("Space", "mark"));
            }
            items.push(("/", "filter"));
            items.push(("s", "sort"));
            items.push(("a", "all"));
        }
    }
    items.push(("Tab", "pane"));
    items.push((":", "command"));
    items.push(("R", "refresh"));
    items.push(("q", "quit"));
    frame.render_widget(Paragraph::new(hints(&items, area.width, theme)), area);
}

/// Cut `text` to `width` characters, ending with … when cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}
