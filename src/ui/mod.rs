//! `view(&state, frame)`: draws the state, never changes it.
//!
//! Every string that came from a server goes through [`crate::sanitize::clean`] before it is
//! drawn ([`widgets::s`]); secrets the server sent are drawn as `•••••`; a secret zisctl holds
//! (a new password, a client secret) is drawn masked unless its screen says it is revealed.
//!
//! One file per part of the screen: `status` (status bar, banner, footer), `integrations`
//! (left pane), `table` (connections table), `details` (panel and window), `popups` (the other
//! windows), `form`, `first_run`; `widgets` holds the small helpers they share.
mod details;
mod first_run;
mod form;
mod integrations;
mod popups;
mod status;
mod table;
pub mod theme;
mod widgets;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::app::{Modal, Screen, State};
use theme::Theme;

/// How the server's `"*****"` is shown.
pub const SERVER_SECRET: &str = "•••••";

/// Draw the whole screen.
pub fn view(state: &State, frame: &mut Frame) {
    let theme = Theme::new(state.color);
    let area = frame.area();
    if let Screen::FirstRun(fr) = &state.screen {
        first_run::draw(frame, area, state, fr, &theme);
        return;
    }
    main_screen(frame, area, state, &theme);
    match &state.modal {
        None => {}
        Some(Modal::Help { scroll }) => popups::help(frame, area, state, *scroll, &theme),
        Some(Modal::Details) => details::popup(frame, area, state, &theme),
        Some(Modal::ConfirmDelete { key }) => popups::confirm_delete(frame, area, key, &theme),
        Some(Modal::Form(f)) => form::draw(frame, area, state, f, &theme),
        Some(Modal::Rotation(r)) => popups::rotation(frame, area, r, &theme),
        Some(Modal::Registered(r)) => popups::registered(frame, area, r, &theme),
        Some(Modal::AuditLog { entries, scroll }) => {
            popups::audit_log(frame, area, entries.as_ref(), *scroll, &theme)
        }
    }
}

/// The main screen: status bar, banner, integrations pane, connections table, details, hints.
fn main_screen(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
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
    status::status_bar(frame, status, state, theme);
    status::banner(frame, banner, state, theme);

    let left_w = (area.width / 4).clamp(20, 34);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Fill(1)]).areas(body);
    integrations::integrations_pane(frame, left, state, theme);

    let details_h = if body.height >= 26 { 10 } else { 0 };
    let [table, details] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(details_h)]).areas(right);
    table::connections_table(frame, table, state, theme);
    if details_h > 0 {
        details::details_panel(frame, details, state, theme);
    }
    status::footer_line(frame, footer, state, theme);
}
