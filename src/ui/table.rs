//! The connections table: its title, the columns that fit and their widths, the visible rows.
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap,
};
use ratatui::Frame;

use crate::app::keymap::{self, Command, Scope};
use crate::app::{LeftSel, Pane, SortKey, State};

use super::marks::Marks;
use super::theme::Theme;
use super::widgets::{age_style, age_text, date_text, kind_badge, pane_block, s, truncate};

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

pub(super) fn connections_table(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let focused = state.focus == Pane::Connections;

    let mut block = pane_block(title(state, theme), focused, theme);
    // Where the selection is: `37/122` on the bottom border, as k9s and gitui show it.
    if let Some(sel) = state.selected_index() {
        block = block.title_bottom(
            Line::styled(format!(" {}/{} ", sel + 1, state.rows.len()), theme.dim())
                .right_aligned(),
        );
    }
    let inner = block.inner(area);

    // Columns, dropping the least useful ones while the table is narrow. One column goes
    // to the selection marker.
    let avail = inner.width.saturating_sub(1);
    let (shown, shown_wants) = fit_columns(state, columns(state), avail);
    let full: Vec<u16> = shown.iter().map(|c| full_width(state, c)).collect();

    let widths = column_widths(&shown, &shown_wants, &full, avail);
    let sorted = sorted_header(state);
    let header = Row::new(shown.iter().zip(&widths).map(|(c, w)| {
        let mut l = Line::from(truncate(&header_text(c, sorted), *w as usize));
        if c.right {
            l = l.alignment(Alignment::Right);
        }
        Cell::from(l)
    }))
    .style(theme.header());

    // Only the rows on screen are built: the window starts at `scroll`, moved just enough to
    // keep the selection in sight.
    let page = visible_rows(area);
    let selected = state.selected_index();
    let start = first_row(state, page);
    let end = (start + page).min(state.rows.len());
    // What the filter matched, to underline (its words, or a fuzzy query's letters).
    let words = Marks::of(&state.table_filter);
    let rows: Vec<Row> = state.rows[start..end]
        .iter()
        .filter_map(|r| row(state, *r, &shown, &widths, &words, theme))
        .collect();

    let empty = rows.is_empty();
    let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w)))
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

/// The table's title: what is shown, how many, the sort, the filter, the marks.
fn title(state: &State, theme: &Theme) -> Vec<Span<'static>> {
    let sort = state.sort();
    let mut title = vec![Span::styled(" ", theme.title())];
    match &state.left_sel {
        LeftSel::All => {
            title.push(Span::styled("All connections", theme.title()));
            if state.only_findings {
                title.push(Span::styled(" (with findings)", theme.stale()));
            }
            if state.only_unused {
                title.push(Span::styled(" (used by no bundle)", theme.stale()));
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
    title
}

/// The header of the column the table is sorted by, and the arrow it shows (`↑` ascending).
fn sorted_header(state: &State) -> (&'static str, &'static str) {
    let sort = state.sort();
    let header = match sort.key {
        SortKey::Name => "NAME",
        SortKey::Kind => "KIND",
        SortKey::Age => "AGE",
        SortKey::Domain => "ALLOWED DOMAIN",
        SortKey::Integration => "INTEGRATION",
    };
    (header, if sort.descending { "↓" } else { "↑" })
}

/// A column's header as drawn: with the sort arrow when it is the sorted column.
fn header_text(c: &Col, (sorted, arrow): (&str, &str)) -> String {
    if c.header == sorted {
        format!("{} {arrow}", c.header)
    } else {
        c.header.to_string()
    }
}

/// Every column the view could show, in order.
fn columns(state: &State) -> Vec<Col> {
    let all = state.is_all_view();
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
            // The badge (a space, the longest kind shown) or the header with its arrow.
            min: (state.widest.kind as u16 + 1).max(7),
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
    cols
}

/// The columns that fit `avail` cells, with the width each would like.
fn fit_columns(state: &State, cols: Vec<Col>, avail: u16) -> (Vec<Col>, Vec<u16>) {
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
    cols.into_iter()
        .zip(wants)
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(cw, _)| cw)
        .unzip()
}

/// One connection's row, with a cell for each of the `shown` columns.
fn row(
    state: &State,
    r: crate::app::Row,
    shown: &[Col],
    widths: &[u16],
    words: &Marks,
    theme: &Theme,
) -> Option<Row<'static>> {
    let (e, c) = state.row_connection(r)?;
    let audit = state.audit_at(r.entry, r.conn);
    let key = crate::app::ConnKey::of(e.name(), c);
    let marked = state.marked.contains(&key);
    let cells: Vec<Cell> = shown
        .iter()
        .zip(widths)
        .map(|(col, w)| (col, *w as usize))
        .map(|(col, w)| match col.header {
            "" => {
                if marked {
                    Cell::from(Span::styled("●", theme.mark()))
                } else {
                    Cell::from(" ")
                }
            }
            // Text cut to its column ends in `…`, so a cut value is never taken for whole;
            // what the filter matched is underlined.
            "INTEGRATION" => text_cell(e.name(), w, theme.muted(), words, theme),
            "KIND" => Cell::from(kind_badge(c.kind, theme)),
            "NAME" => text_cell(&c.name, w, theme.bold(), words, theme),
            "USER / HEADER" => text_cell(c.principal(), w, theme.base(), words, theme),
            "ALLOWED DOMAIN" => text_cell(&c.allowed_domain, w, theme.base(), words, theme),
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
                Cell::from(Line::from(Span::styled(text, style)).alignment(Alignment::Right))
            }
            "FINDINGS" => {
                let f = audit.map(|a| a.findings.join("; ")).unwrap_or_default();
                Cell::from(Span::styled(truncate(&f, w), theme.stale()))
            }
            _ => Cell::from(""),
        })
        .collect();
    Some(Row::new(cells))
}

/// A server string cut to `w` cells in `style`, with what the filter matched (`words`)
/// drawn in the theme's `matched` style.
fn text_cell(
    text: &str,
    w: usize,
    style: ratatui::style::Style,
    words: &Marks,
    theme: &Theme,
) -> Cell<'static> {
    let text = truncate(&s(text), w);
    if words.is_none() {
        return Cell::from(Span::styled(text, style));
    }
    let chars: Vec<char> = text.chars().collect();
    let hit = words.hits(&text);
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let j = (i..chars.len())
            .find(|&j| hit[j] != hit[i])
            .unwrap_or(chars.len());
        let part: String = chars[i..j].iter().collect();
        let st = if hit[i] {
            style.patch(theme.matched())
        } else {
            style
        };
        spans.push(Span::styled(part, st));
        i = j;
    }
    Cell::from(Line::from(spans))
}

/// The first row the table shows with `page` rows: `scroll`, moved just enough to keep the
/// selection in sight.
pub(super) fn first_row(state: &State, page: usize) -> usize {
    let mut start = state.scroll.min(state.rows.len().saturating_sub(1));
    if let Some(sel) = state.selected_index() {
        if sel < start {
            start = sel;
        } else if sel >= start + page {
            start = sel + 1 - page;
        }
    }
    start
}

/// How many rows a table drawn in `area` shows: inside its border, under the header line.
pub(super) fn visible_rows(area: Rect) -> usize {
    let inner = Block::default().borders(Borders::ALL).inner(area);
    inner.height.saturating_sub(1).max(1) as usize
}

/// How wide a column would like to be: its widest cell (capped), at least its minimum.
fn want_width(state: &State, c: &Col) -> u16 {
    const CAP: u16 = 40;
    full_width(state, c).min(CAP.max(c.min))
}

/// How wide a column's widest cell is (and its header, with room for the sort arrow), at
/// least its minimum.
fn full_width(state: &State, c: &Col) -> u16 {
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
    .max(c.header.chars().count() + 2);
    (widest.min(usize::from(u16::MAX)) as u16).max(c.min)
}

/// Widths that fit `avail`: each flexible column wants its widest cell (capped); when they do
/// not all fit, the name comes first, then the others grow evenly from their minimum, so the
/// longest columns are the ones cut.
fn column_widths(shown: &[Col], want: &[u16], full: &[u16], avail: u16) -> Vec<u16> {
    let spacing = shown.len().saturating_sub(1) as u16;
    let room = avail.saturating_sub(spacing);
    let total: u16 = want.iter().sum();
    if total <= room {
        // Everything fits at its capped width: the spare room goes first to the columns the
        // cap cut (the narrowest first), what is left to the last flexible column.
        let mut w = want.to_vec();
        let mut spare = room - total;
        while spare > 0 {
            let Some(i) = (0..shown.len())
                .filter(|&i| w[i] < full[i])
                .min_by_key(|&i| w[i])
            else {
                break;
            };
            w[i] += 1;
            spare -= 1;
        }
        if let Some(i) = shown
            .iter()
            .rposition(|c| !c.fixed && c.header != "FINDINGS")
        {
            w[i] += spare;
        }
        return w;
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
    widths
}

fn empty_message(state: &State) -> String {
    let key = |c| keymap::key_label(Scope::Main, c);
    if !state.integrations_loaded {
        return match &state.integrations_error {
            // Refused credentials: trying again will not help (the banner says what will).
            Some(e) if e.contains(" refused") => {
                format!("The integrations could not be loaded: {}", s(e))
            }
            Some(_) => format!(
                "The integrations could not be loaded. {} tries again.",
                key(Command::Refresh)
            ),
            None => "Loading integrations…".into(),
        };
    }
    if state.table_filter.is_active() {
        return format!(
            "Nothing matches the filter. {} clears it.",
            key(Command::Back)
        );
    }
    match state.selected_entry() {
        Some(e) if e.error.as_deref().is_some_and(|t| t.contains(" refused")) => format!(
            "The connections could not be loaded: {}",
            s(e.error.as_deref().unwrap_or(""))
        ),
        Some(e) if e.error.is_some() => format!(
            "The connections could not be loaded (see the banner). {} tries again.",
            key(Command::Refresh)
        ),
        Some(e) if e.connections.is_none() => "Loading connections…".into(),
        Some(_) => {
            if state.ctx.readonly {
                "No connections in this integration.".into()
            } else {
                format!("No connections yet. {} creates one.", key(Command::New))
            }
        }
        None => {
            let (loaded, total) = state.load_progress();
            if loaded < total {
                format!("Loading connections… {loaded}/{total} integrations")
            } else if state.only_findings {
                "No findings: every connection is fresh.".into()
            } else if state.only_unused {
                if state.bundles.values().any(|b| b.loading.is_some()) {
                    "Reading bundles…".into()
                } else {
                    "Every connection is used by a bundle (or its bundles could not be read)."
                        .into()
                }
            } else {
                "No connections in this account.".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(header: &'static str, fixed: bool, min: u16) -> Col {
        Col {
            header,
            fixed,
            min,
            drop_order: 1,
            right: false,
        }
    }

    /// With room to spare, a column the cap cut gets it before the last flexible one.
    #[test]
    fn spare_width_goes_to_the_columns_that_were_cut() {
        let shown = [
            col("KIND", true, 8),
            col("NAME", false, 16),
            col("USER / HEADER", false, 10),
            col("ALLOWED DOMAIN", false, 12),
        ];
        // The principal wants 40 (the cap) but is 52 wide; the domain is whole at 20.
        let want = [8, 20, 40, 20];
        let full = [8, 20, 52, 20];
        let w = column_widths(&shown, &want, &full, 3 + 8 + 20 + 52 + 20 + 10);
        assert_eq!(
            w,
            vec![8, 20, 52, 30],
            "the principal whole, the rest to the domain"
        );
        let w = column_widths(&shown, &want, &full, 3 + 8 + 20 + 46 + 20);
        assert_eq!(w, vec![8, 20, 46, 20], "all the spare to the cut column");
    }
}
