//! The views drawn into ratatui's `TestBackend`, for the snapshot tests.
#![allow(dead_code)]

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use zisctl::app::State;

/// Every snapshot is taken at both sizes: the smallest supported terminal and a big one.
pub const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// `state` drawn by the real view at `w`×`h`.
pub fn render(state: &State, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| zisctl::ui::view(state, f)).expect("draw");
    t
}

/// The screen's text, a line per row, to look for what must not be drawn.
pub fn text_of(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
