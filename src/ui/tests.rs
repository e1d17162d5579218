//! The layout seam: what `table_rows` says is what `view` draws.
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::app::testing::big;
use crate::app::{Banner, Level, State};

/// The lines of the screen `view` draws for `state` on a `w`×`h` terminal.
fn screen(state: &State, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| super::view(state, f)).expect("draw");
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// The connections drawn in the table: the lines right under its header naming one.
fn drawn_table_rows(lines: &[String]) -> usize {
    let header = lines
        .iter()
        .position(|l| l.contains("KIND") && l.contains("NAME"))
        .expect("the table header is drawn");
    lines[header + 1..]
        .iter()
        .take_while(|l| l.contains("conn_"))
        .count()
}

#[test]
fn table_rows_is_what_the_view_draws() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = big(w, h, 500);
        let rows = super::table_rows(&s, w, h);
        assert!(rows < s.rows.len(), "{w}x{h}: the table is full");
        assert_eq!(rows, drawn_table_rows(&screen(&s, w, h)), "{w}x{h}");

        // A banner takes lines from the table, up to three for a long one.
        for words in [3, 60] {
            s.banner = Some(Banner {
                level: Level::Warn,
                text: vec!["word"; words].join(" "),
                ttl: None,
            });
            let with_banner = super::table_rows(&s, w, h);
            assert!(with_banner < rows, "{w}x{h}, {words} words");
            assert_eq!(
                with_banner,
                drawn_table_rows(&screen(&s, w, h)),
                "{w}x{h}, {words} words"
            );
        }
    }
}

#[test]
fn a_new_state_assumes_the_table_rows_of_its_default_size() {
    let s = State::new(crate::app::testing::ctx(), crate::app::testing::NOW);
    let (w, h) = s.size;
    assert_eq!(s.table_rows, crate::app::DEFAULT_TABLE_ROWS);
    assert_eq!(s.table_rows, super::table_rows(&s, w, h));
}

/// Work still running has no check mark: "refreshing…" turns with a spinner.
#[test]
fn refreshing_has_no_check_mark() {
    let mut s = crate::app::testing::loaded(120, 40);
    crate::app::update(&mut s, crate::app::testing::ch('R'));
    let lines = screen(&s, 120, 40);
    let line = lines
        .iter()
        .find(|l| l.contains("refreshing…"))
        .expect("the banner is drawn");
    assert!(!line.contains('✓'), "{line}");
}
