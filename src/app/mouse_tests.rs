//! `update` with synthetic mouse events, on the layout the view draws (`ui::hitmap`, as the
//! runtime stores it after each frame).
use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::testing::{ch, key, loaded};
use super::{update, Action, Effect, LeftSel, Modal, Pane, State};

fn draw(s: &mut State) {
    s.hitmap = crate::ui::hitmap(s, s.size.0, s.size.1);
}

fn mouse(s: &mut State, kind: MouseEventKind, column: u16, row: u16) -> Vec<Effect> {
    draw(s);
    let fx = update(
        s,
        Action::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }),
    );
    draw(s);
    fx
}

fn click(s: &mut State, column: u16, row: u16) -> Vec<Effect> {
    mouse(s, MouseEventKind::Down(MouseButton::Left), column, row)
}

fn selected(s: &State) -> Option<String> {
    s.selected_connection().map(|(_, c)| c.name.clone())
}

/// The screen row of the table's row `i` (as drawn now).
fn row_y(s: &State, i: usize) -> u16 {
    s.hitmap.rows.y + (i - s.hitmap.first_row) as u16
}

#[test]
fn a_click_on_a_row_focuses_the_table_and_selects_it_and_a_second_opens_it() {
    let mut s = loaded(120, 40);
    assert_eq!(s.focus, Pane::Integrations);
    update(&mut s, key(KeyCode::Right));
    update(&mut s, key(KeyCode::Left));
    draw(&mut s);
    let x = s.hitmap.rows.x + 5;
    let third = s.rows.get(2).and_then(|r| s.row_key(*r)).expect("3 rows");
    let y = row_y(&s, 2);
    click(&mut s, x, y);
    assert_eq!(s.focus, Pane::Connections);
    assert_eq!(s.table_sel.as_ref(), Some(&third));
    assert!(s.modal.is_none(), "the first click selects only");
    click(&mut s, x, y);
    assert!(
        matches!(s.modal, Some(Modal::Details)),
        "the second opens it"
    );
    // Over a window, a click does nothing; Esc closes it.
    let before = selected(&s);
    let top = row_y(&s, 0);
    click(&mut s, x, top);
    assert!(matches!(s.modal, Some(Modal::Details)));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(selected(&s), before);
    // Under the last row, on the header or the border: the focus, no selection change.
    let header = s.hitmap.rows.y - 1;
    click(&mut s, x, header);
    assert_eq!(selected(&s), before);
}

#[test]
fn a_click_on_an_integration_selects_it_and_the_wheel_moves_the_pane_under_the_pointer() {
    let mut s = loaded(120, 40);
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(s.focus, Pane::Connections);
    draw(&mut s);
    let items = s.hitmap.left_items;
    // left_rows: All, then the integrations.
    let fx = click(&mut s, items.x + 2, items.y + 2);
    assert_eq!(s.focus, Pane::Integrations);
    let second = match &s.left_rows[2] {
        super::LeftItem::Integration(i) => s.integrations[*i].name().to_string(),
        other => panic!("{other:?}"),
    };
    assert_eq!(s.left_sel, LeftSel::Integration(second));
    let _ = fx;
    // Clicked again, it opens (the table gets the focus), as Enter.
    click(&mut s, items.x + 2, items.y + 2);
    assert_eq!(s.focus, Pane::Connections);
    // The wheel over the table moves its selection; over the integrations, theirs, and the
    // focus stays where it was.
    let first = selected(&s);
    let (tx, ty) = (s.hitmap.rows.x + 3, s.hitmap.rows.y);
    mouse(&mut s, MouseEventKind::ScrollDown, tx, ty);
    assert_ne!(selected(&s), first);
    mouse(&mut s, MouseEventKind::ScrollUp, tx, ty);
    assert_eq!(selected(&s), first);
    let left = s.left_sel.clone();
    mouse(&mut s, MouseEventKind::ScrollUp, items.x + 2, items.y);
    assert_ne!(s.left_sel, left);
    assert_eq!(s.focus, Pane::Connections);
    // Outside every pane (the status line): nothing.
    let before = (s.focus, s.left_sel.clone(), selected(&s));
    click(&mut s, 3, 0);
    assert_eq!((s.focus, s.left_sel.clone(), selected(&s)), before);
}

#[test]
fn the_wheel_scrolls_the_help_and_does_nothing_in_a_form() {
    let mut s = loaded(80, 24);
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ch('?'));
    mouse(&mut s, MouseEventKind::ScrollDown, 10, 10);
    assert_eq!(s.help.map(|h| h.scroll), Some(1));
    mouse(&mut s, MouseEventKind::ScrollUp, 10, 10);
    assert_eq!(s.help.map(|h| h.scroll), Some(0));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch('n'));
    let Some(Modal::Form(f)) = &s.modal else {
        panic!("a form")
    };
    let focus = f.focus;
    mouse(&mut s, MouseEventKind::ScrollDown, 10, 10);
    click(&mut s, 10, 10);
    let Some(Modal::Form(f)) = &s.modal else {
        panic!("the form stays")
    };
    assert_eq!(f.focus, focus, "the wheel is not Tab in a form");
}
