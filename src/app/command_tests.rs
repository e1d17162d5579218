//! The `:` line's Tab completion (command names, integration names, cycling) and the fuzzy
//! name `:int` takes.
use crossterm::event::KeyCode;

use super::testing::{ch, key, loaded, type_text};
use super::{update, LeftSel, State};

fn line(s: &State) -> String {
    s.input.as_ref().map(|i| i.text()).unwrap_or_default()
}

fn banner(s: &State) -> String {
    s.banner
        .as_ref()
        .map(|b| b.text.clone())
        .unwrap_or_default()
}

fn typed(text: &str) -> State {
    let mut s = loaded(120, 40);
    update(&mut s, ch(':'));
    type_text(&mut s, text);
    s
}

#[test]
fn tab_completes_a_command_name_and_then_its_integration_names_and_cycles() {
    let mut s = typed("bu");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "bundles ");
    // After `:int `, the account's integrations; Tab again shows the next, round.
    let mut s = typed("int ");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "int acme_crm_sync");
    assert!(banner(&s).contains("3 match"), "{}", banner(&s));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "int billing_bridge");
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "int acme_crm_sync");
    // Typing ends the cycle: Tab completes what is typed now.
    type_text(&mut s, "x");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "int acme_crm_syncx", "nothing completes it");
    // A prefix, then a fuzzy word.
    let mut s = typed("integration bi");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "integration billing_bridge");
    let mut s = typed("int sptl");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "int support_tools");
    // Several command names: the first, then the next.
    let mut s = typed("re");
    update(&mut s, key(KeyCode::Tab));
    let first = line(&s);
    update(&mut s, key(KeyCode::Tab));
    assert_ne!(line(&s), first);
    assert!(first.starts_with("re") && line(&s).starts_with("re"));
    // Read-only mode offers no mutating command.
    let mut s = loaded(120, 40);
    s.ctx.readonly = true;
    update(&mut s, ch(':'));
    type_text(&mut s, "reg");
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(line(&s), "reg");
}

#[test]
fn int_takes_a_fuzzy_name_when_one_matches_best_and_lists_them_when_not() {
    let mut s = typed("int bllbrdg");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.left_sel, LeftSel::Integration("billing_bridge".into()));
    let mut s = typed("int SUPPORT_TOOLS");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.left_sel, LeftSel::Integration("support_tools".into()));
    // "r" is in every name, none matching it best: they are listed, the selection stays.
    let mut s = typed("int r");
    let before = s.left_sel.clone();
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(
        banner(&s),
        "3 integrations match r: acme_crm_sync, billing_bridge, support_tools"
    );
    assert_eq!(s.left_sel, before);
    let mut s = typed("int zzzz");
    let before = s.left_sel.clone();
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.left_sel, before);
    assert!(banner(&s).contains("no integration in this account matches zzzz"));
}
