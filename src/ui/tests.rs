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

/// The lines of the table drawn for `s`, and the connections of the integration it shows.
fn table_of(s: &State, w: u16, h: u16) -> Vec<String> {
    let top = super::layout(s, ratatui::layout::Rect::new(0, 0, w, h)).table;
    screen(s, w, h)
        .into_iter()
        .skip(top.y as usize)
        .take(top.height as usize)
        .map(|l| l.chars().skip(top.x as usize).collect())
        .collect()
}

/// Every text cell is whole, or a prefix of its value that ends in `…`.
#[test]
fn cut_cells_end_in_an_ellipsis() {
    for (w, h) in [(80, 24), (100, 30), (120, 40)] {
        let mut s = crate::app::testing::loaded(w, h);
        crate::app::update(
            &mut s,
            crate::app::testing::key(crossterm::event::KeyCode::Tab),
        );
        let lines = table_of(&s, w, h);
        let mut cut = 0;
        let conns = s.selected_entry().and_then(|e| e.connections.clone());
        for c in conns.expect("the integration is loaded") {
            let line = lines
                .iter()
                .find(|l| l.contains(&format!(" {} ", c.name)))
                .unwrap_or_else(|| panic!("{w}x{h}: {} is drawn", c.name));
            for value in [c.principal(), c.allowed_domain.as_str()] {
                if value.is_empty() || line.contains(&format!(" {value} ")) {
                    continue;
                }
                let chars: Vec<char> = value.chars().collect();
                let prefix_cut = (1..chars.len()).any(|k| {
                    let p: String = chars[..k].iter().collect();
                    line.contains(&format!(" {p}… "))
                });
                assert!(
                    prefix_cut || !line.contains(&chars[0].to_string()),
                    "{w}x{h}: {value} in {line}"
                );
                cut += usize::from(prefix_cut);
            }
        }
        if w == 120 {
            assert!(
                cut > 0,
                "{w}x{h}: the fixture has values too long for the table"
            );
        }
    }
}

/// The sorted column's header carries the sort's arrow; the bottom border says where the
/// selection is.
#[test]
fn the_table_shows_its_sort_and_the_position() {
    use crate::app::testing::{ch, key};
    let mut s = crate::app::testing::loaded(120, 40);
    crate::app::update(&mut s, key(crossterm::event::KeyCode::Tab));
    let n = s.rows.len();
    let lines = table_of(&s, 120, 40);
    assert!(lines[1].contains("NAME ↑"), "{}", lines[1]);
    assert!(
        lines.iter().any(|l| l.contains(&format!(" 1/{n} "))),
        "{lines:#?}"
    );
    crate::app::update(&mut s, ch('j'));
    crate::app::update(&mut s, ch('j'));
    let lines = table_of(&s, 120, 40);
    assert!(
        lines.last().unwrap().contains(&format!(" 3/{n} ")),
        "{lines:#?}"
    );
    // `s` sorts by the next key.
    crate::app::update(&mut s, ch('s'));
    let sort = s.sort();
    assert_ne!(sort.key, crate::app::SortKey::Name);
    let lines = table_of(&s, 120, 40);
    assert!(!lines[1].contains("NAME ↑"), "{}", lines[1]);
    assert!(
        lines[1].contains('↑') || lines[1].contains('↓'),
        "{}",
        lines[1]
    );
}

/// In help, `j` stops at the last line (no blank box), `G` goes there and `g` back.
#[test]
fn help_scrolls_to_its_end_and_no_further() {
    use crate::app::testing::{ch, loaded};
    use crate::app::update;
    let last = crate::app::keymap::help_commands(false)
        .last()
        .expect("there are commands");
    let last = format!(":{}", last.usage());
    for (w, h) in [(80, 24), (120, 40), (120, 30)] {
        let mut s = loaded(w, h);
        update(&mut s, ch('?'));
        let top = screen(&s, w, h);
        assert!(top.iter().any(|l| l.contains("Move around")), "{w}x{h}");
        let scope = s.help.expect("help is open").scope;
        let scrolls = crate::app::keymap::help_max_scroll(scope, false, (w, h)) > 0;
        assert!(
            scrolls || (w, h) != (80, 24),
            "80x24 holds less than the page"
        );
        assert_eq!(
            top.iter().any(|l| l.contains(&last)),
            !scrolls,
            "{w}x{h}: the page is longer than the window, or it is all there"
        );
        update(&mut s, ch('G'));
        let end = screen(&s, w, h);
        assert!(
            end.iter().any(|l| l.contains(&last)),
            "{w}x{h}: G shows the end {end:#?}"
        );
        for _ in 0..200 {
            update(&mut s, ch('j'));
        }
        assert_eq!(screen(&s, w, h), end, "{w}x{h}: j stops at the end");
        update(&mut s, ch('k'));
        assert!(
            !scrolls || screen(&s, w, h) != end,
            "{w}x{h}: k scrolls back at once"
        );
        update(&mut s, ch('g'));
        assert_eq!(screen(&s, w, h), top, "{w}x{h}: g goes to the start");
    }
}

/// Help says that Space marks and moves down.
#[test]
fn help_says_space_marks_and_moves_down() {
    let mut s = crate::app::testing::loaded(120, 40);
    crate::app::update(
        &mut s,
        crate::app::testing::key(crossterm::event::KeyCode::Tab),
    );
    crate::app::update(&mut s, crate::app::testing::ch('?'));
    let lines = screen(&s, 120, 40);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Space") && l.contains("mark and move down")),
        "{lines:#?}"
    );
}

/// Below 80 columns the integrations pane folds while the table has the focus, and every
/// connection name shows whole; Tab back to the pane shows it again.
#[test]
fn a_narrow_terminal_folds_the_integrations_pane() {
    use crate::app::testing::{key, loaded};
    use crossterm::event::KeyCode;
    let (w, h) = (60, 20);
    let mut s = loaded(w, h);
    assert!(screen(&s, w, h).iter().any(|l| l.contains("Integrations")));
    crate::app::update(&mut s, key(KeyCode::Tab));
    let lines = screen(&s, w, h);
    assert!(
        !lines.iter().any(|l| l.contains("Integrations")),
        "{lines:#?}"
    );
    let conns = s.selected_entry().and_then(|e| e.connections.clone());
    for c in conns.expect("loaded") {
        assert!(
            lines.iter().any(|l| l.contains(&format!(" {} ", c.name))),
            "{} whole: {lines:#?}",
            c.name
        );
    }
    crate::app::update(&mut s, key(KeyCode::Tab));
    assert!(screen(&s, w, h).iter().any(|l| l.contains("Integrations")));
    // 80 columns and more keep the pane.
    let mut s = loaded(80, 24);
    crate::app::update(&mut s, key(KeyCode::Tab));
    assert!(screen(&s, 80, 24)
        .iter()
        .any(|l| l.contains("Integrations")));
}

/// Typing a filter keeps the columns and their widths: the header line does not move.
#[test]
fn the_columns_stay_put_while_filtering() {
    use crate::app::testing::{ch, key, loaded};
    use crossterm::event::KeyCode;
    for (w, h) in [(80, 24), (120, 40)] {
        for all in [false, true] {
            let mut s = loaded(w, h);
            crate::app::update(&mut s, key(KeyCode::Tab));
            if all {
                crate::app::update(&mut s, ch('a'));
            }
            let header = table_of(&s, w, h)[1].clone();
            crate::app::update(&mut s, ch('/'));
            for c in "hubspot".chars() {
                crate::app::update(&mut s, ch(c));
                assert!(!s.rows.is_empty());
                assert_eq!(
                    table_of(&s, w, h)[1],
                    header,
                    "{w}x{h} all={all}, after {c}"
                );
            }
        }
    }
}

/// With a substring filter, the matched letters of each cell are underlined, the others not.
#[test]
fn the_filter_underlines_what_it_matched() {
    use crate::app::testing::{ch, key, loaded, type_text};
    use crossterm::event::KeyCode;
    use ratatui::style::Modifier;
    let (w, h) = (120, 40);
    let mut s = loaded(w, h);
    crate::app::update(&mut s, key(KeyCode::Tab));
    crate::app::update(&mut s, ch('/'));
    type_text(&mut s, "FORCE");
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| super::view(&s, f)).expect("draw");
    let buf = t.backend().buffer();
    let lines = screen(&s, w, h);
    let table = super::layout(&s, ratatui::layout::Rect::new(0, 0, w, h)).table;
    let mut checked = 0;
    for (y, line) in lines.iter().enumerate() {
        if !(table.y..table.y + table.height).contains(&(y as u16)) {
            continue;
        }
        let Some(at) = line.find(" salesforce_") else {
            continue;
        };
        let x0 = line[..at].chars().count() as u16 + 1;
        let under = |x: u16| buf[(x, y as u16)].modifier.contains(Modifier::UNDERLINED);
        // "salesforce_…": "sales" plain, "force" underlined, "_" plain.
        assert!((0..5).all(|i| !under(x0 + i)), "{line}");
        assert!((5..10).all(|i| under(x0 + i)), "{line}");
        assert!(!under(x0 + 10), "{line}");
        checked += 1;
    }
    assert_eq!(checked, 2, "both salesforce rows: {lines:#?}");
}

/// With a fuzzy filter (Ctrl-F), the letters the query matched are underlined in a cell that
/// matches it.
#[test]
fn the_fuzzy_filter_underlines_its_letters() {
    use crate::app::testing::{ch, ctrl, key, loaded, type_text};
    use crossterm::event::KeyCode;
    use ratatui::style::Modifier;
    let (w, h) = (120, 40);
    let mut s = loaded(w, h);
    crate::app::update(&mut s, key(KeyCode::Tab));
    crate::app::update(&mut s, ch('/'));
    crate::app::update(&mut s, ctrl('f'));
    type_text(&mut s, "sfprd");
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| super::view(&s, f)).expect("draw");
    let buf = t.backend().buffer();
    let lines = screen(&s, w, h);
    let (y, line) = lines
        .iter()
        .enumerate()
        .find(|(_, l)| l.contains(" salesforce_prod "))
        .expect("the row");
    let at = line.find(" salesforce_prod ").expect("the cell");
    let x0 = line[..at].chars().count() as u16 + 1;
    let under: Vec<bool> = (0..15)
        .map(|i| {
            buf[(x0 + i, y as u16)]
                .modifier
                .contains(Modifier::UNDERLINED)
        })
        .collect();
    assert_eq!(under.iter().filter(|u| **u).count(), 5, "{line}");
    assert!(under[0] && under[14], "s… and …d: {under:?}");
}
