//! The mouse in the real binary, in a pty: a click (an SGR mouse report, as xterm sends it)
//! selects the table's row under it, and the app turns mouse capture off when it ends.
#![cfg(unix)]

mod common;

use common::pty::{find, Options, Pty};
use common::sandbox::SyncSandbox;

/// Mouse capture on (the X10 / normal tracking crossterm enables first) and off.
const CAPTURE_ON: &[u8] = b"\x1b[?1000h";
const CAPTURE_OFF: &[u8] = b"\x1b[?1000l";

/// The screen cell (0-based column, row) where `text` starts, on the first line holding it.
fn cell_of(app: &Pty, text: &str) -> Option<(u16, u16)> {
    app.screen().lines().enumerate().find_map(|(y, l)| {
        let at = l.find(text)?;
        Some((l[..at].chars().count() as u16, y as u16))
    })
}

/// A left click at the 0-based cell (`x`, `y`): press and release, SGR encoded (1-based).
fn click(app: &mut Pty, x: u16, y: u16) {
    app.send(&format!("\x1b[<0;{};{}M", x + 1, y + 1));
    app.send(&format!("\x1b[<0;{};{}m", x + 1, y + 1));
}

#[test]
fn a_click_selects_the_row_under_it_and_capture_is_off_at_the_end() {
    let sb = SyncSandbox::demo();
    let mut app = Pty::spawn(Options::new(&[]).sandbox(&sb.handle));
    app.wait_for("salesforce_prod");
    assert!(
        find(&app.raw_output(), CAPTURE_ON).is_some(),
        "capture is on"
    );
    // The table's header, then its third row, two lines under the first.
    let (x, header) = cell_of(&app, "NAME").expect("the table's header");
    let rows: u16 = app.with_screen(|s| s.size().0).into();
    assert!(header + 3 < rows);
    app.wait_until("the first row selected", |s| s.contains(" 1/"));
    click(&mut app, x + 1, header + 3);
    app.wait_until("the third row selected", |s| s.contains(" 3/"));
    // The focus went to the table: its keys answer (j moves from the clicked row).
    app.send("j");
    app.wait_until("the fourth row selected", |s| s.contains(" 4/"));
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
    let out = app.raw_output();
    let on = out.windows(CAPTURE_ON.len()).rposition(|w| w == CAPTURE_ON);
    let off = out
        .windows(CAPTURE_OFF.len())
        .rposition(|w| w == CAPTURE_OFF);
    assert!(
        matches!((on, off), (Some(on), Some(off)) if off > on),
        "mouse capture is turned off after it was last turned on"
    );
    assert!(app.is_cooked());
}
