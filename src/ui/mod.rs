//! `view(&state, frame)`: draws the state, never changes it.
//!
//! Every string that came from a server goes through [`crate::sanitize::clean`] before it is
//! drawn ([`widgets::s`]); secrets the server sent are drawn as `•••••`; a secret zisctl holds
//! (a new password, a client secret) is drawn masked unless its screen says it is revealed.
//!
//! One file per part of the screen: `status` (status bar, banner, footer), `integrations`
//! (left pane), `table` (connections table), `details` (panel and window), `oauth` (the OAuth
//! clients tab, OAuth details, the OAuth delete question and re-authorise window), `usage`
//! (what uses a connection; the bundles view), `popups` (the other windows), `form`, `picker`
//! (which integration a new connection goes to, from the All view),
//! `first_run`; `widgets` holds the small helpers they share.
mod details;
mod first_run;
mod form;
mod integrations;
mod marks;
mod oauth;
mod picker;
mod popups;
mod rotation;
mod status;
mod table;
pub mod theme;
mod usage;
mod widgets;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::app::{Modal, Screen, State};
use theme::Theme;

/// Terminals narrower than this fold the integrations pane while the table has the focus.
pub const NARROW: u16 = 80;

/// How the server's `"*****"` is shown.
pub const SERVER_SECRET: &str = "•••••";

/// Draw the whole screen.
pub fn view(state: &State, frame: &mut Frame) {
    let theme = Theme::new(state.color);
    let area = frame.area();
    if let Screen::FirstRun(fr) = &state.screen {
        first_run::draw(frame, area, state, fr, &theme);
        if let Some(h) = state.help {
            popups::help(frame, area, state, h, &theme);
        }
        return;
    }
    main_screen(frame, area, state, &theme);
    match &state.modal {
        None => {}
        Some(Modal::Details) if state.clients_tab() => {
            oauth::client_popup(frame, area, state, &theme)
        }
        Some(Modal::Details) => details::popup(frame, area, state, &theme),
        Some(Modal::Delete(q)) => oauth::delete_question(frame, area, state, q, &theme),
        Some(Modal::Authorize(a)) => oauth::authorize(frame, area, state, a, &theme),
        Some(Modal::ConfirmDelete { key }) => {
            popups::confirm_delete(frame, area, state, key, &theme)
        }
        Some(Modal::Form(f)) => form::draw(frame, area, state, f, &theme),
        Some(Modal::Rotation(r)) => {
            rotation::rotation(frame, below_banner(state, area), state, r, &theme)
        }
        Some(Modal::Registered(r)) => {
            popups::registered(frame, below_banner(state, area), state, r, &theme)
        }
        Some(Modal::AuditLog { entries, scroll }) => {
            popups::audit_log(frame, area, state, entries.as_ref(), *scroll, &theme)
        }
        Some(Modal::Bundles {
            integration,
            scroll,
        }) => usage::bundles(frame, area, state, integration, *scroll, &theme),
        Some(Modal::PickIntegration(p)) => picker::draw(frame, area, state, p, &theme),
        Some(Modal::Profiles { selected }) => {
            popups::profiles(frame, area, state, *selected, &theme)
        }
    }
    if let Some(h) = state.help {
        popups::help(frame, area, state, h, &theme);
    }
}

/// Where each part of the main screen goes in `area`. The one place the layout is written:
/// [`view`] draws into these rectangles and [`table_rows`] reads the table's height from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub status: Rect,
    /// No height when there is no banner; up to three lines for a long one.
    pub banner: Rect,
    pub integrations: Rect,
    pub table: Rect,
    /// No height on short terminals: the panel only shows when the body has 26 lines.
    pub details: Rect,
    pub footer: Rect,
}

/// The main screen's layout for `state` in `area` (pure: nothing is drawn).
pub fn layout(state: &State, area: Rect) -> Areas {
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

    // Below 80 columns the integrations pane folds away while the table has the focus (its
    // title names the integration), so that connection names stay readable; Tab brings it
    // back.
    let left_w = if area.width < NARROW && state.focus != crate::app::Pane::Integrations {
        0
    } else {
        (area.width / 4).clamp(20, 34)
    };
    let [integrations, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(body);

    // Eleven lines: a connection's fields, its audit and what uses it.
    let details_h = if body.height >= 26 { 11 } else { 0 };
    let [table, details] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(details_h)]).areas(right);
    Areas {
        status,
        banner,
        integrations,
        table,
        details,
        footer,
    }
}

/// How many connections the table shows on a `width`×`height` terminal (at least one). The
/// runtime reports it to the state after each frame (`Action::Viewport`), so that paging and
/// scrolling move by what is on screen.
pub fn table_rows(state: &State, width: u16, height: u16) -> usize {
    table::visible_rows(layout(state, Rect::new(0, 0, width, height)).table)
}

/// Where a `width`×`height` frame of `state` puts the panes, their items and rows, for the
/// mouse (the same layout [`view`] draws; the runtime stores it in the state after a frame).
pub fn hitmap(state: &State, width: u16, height: u16) -> crate::app::Hitmap {
    use ratatui::widgets::{Block, Borders};
    let a = layout(state, Rect::new(0, 0, width, height));
    let inner = |r: Rect| Block::default().borders(Borders::ALL).inner(r);
    let left_items = inner(a.integrations);
    // A list with no offset kept shows the selection on its last line once it is past it.
    let left_page = usize::from(left_items.height.max(1));
    let left_first = state
        .left_index()
        .map_or(0, |i| i.saturating_sub(left_page - 1));
    let t = inner(a.table);
    let rows = Rect {
        y: t.y.saturating_add(1),
        height: t.height.saturating_sub(1),
        ..t
    };
    let page = usize::from(rows.height.max(1));
    let first_row = if state.clients_tab() {
        state
            .selected_client_index()
            .map_or(0, |i| i.saturating_sub(page - 1))
    } else {
        table::first_row(state, page)
    };
    crate::app::Hitmap {
        integrations: a.integrations,
        left_items,
        left_first,
        table: a.table,
        rows,
        first_row,
    }
}

/// `area` under the status bar and the banner: the windows whose keys answer with a banner
/// ("copied …") stay clear of it, so that the answer is seen.
fn below_banner(state: &State, area: Rect) -> Rect {
    let a = layout(state, area);
    let top = a.banner.y + a.banner.height;
    Rect {
        y: top,
        height: area.height.saturating_sub(top - area.y),
        ..area
    }
}

/// The main screen: status bar, banner, integrations pane, connections table, details, hints.
fn main_screen(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let a = layout(state, area);
    status::status_bar(frame, a.status, state, theme);
    status::banner(frame, a.banner, state, theme);
    if a.integrations.width > 0 {
        integrations::integrations_pane(frame, a.integrations, state, theme);
    }
    if state.clients_tab() {
        oauth::clients_table(frame, a.table, state, theme);
    } else {
        table::connections_table(frame, a.table, state, theme);
    }
    if a.details.height > 0 {
        if state.clients_tab() && state.focus == crate::app::Pane::Connections {
            oauth::client_panel(frame, a.details, state, theme);
        } else {
            details::details_panel(frame, a.details, state, theme);
        }
    }
    status::footer_line(frame, a.footer, state, theme);
}

#[cfg(test)]
mod tests;
