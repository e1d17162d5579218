//! The `:` line's Tab completion (command names, integration names, cycling) and the fuzzy
//! name `:int` takes.
use crossterm::event::KeyCode;

use super::testing::{ch, key, loaded, select, type_text};
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
    assert!(
        banner(&s).contains("3 integrations match"),
        "{}",
        banner(&s)
    );
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

/// `:ctx NAME` asks the runtime for that profile's account; its answer drops the old lists
/// and loads the new account; without a name, a picker; a password held refuses it.
#[test]
fn ctx_switches_profile_drops_the_lists_and_loads_the_new_account() {
    use super::testing::{answer_loads, ctx};
    use super::{Account, Effect, Modal};
    let mut s = loaded(120, 40);
    s.profiles = vec!["demo".into(), "other".into()];
    s.command_history.push("int acme_crm_sync".into());
    update(&mut s, ch(':'));
    type_text(&mut s, "ctx nope");
    update(&mut s, key(KeyCode::Enter));
    assert!(banner(&s).contains("no profile nope in the config (known: demo, other)"));
    // The picker: j, Enter asks for the selected one.
    update(&mut s, ch(':'));
    type_text(&mut s, "ctx");
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.modal, Some(Modal::Profiles { selected: 0 })));
    update(&mut s, ch('j'));
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::SwitchProfile(p)] if p == "other"),
        "{fx:?}"
    );
    assert!(s.modal.is_none());
    let before_req = s.next_req;
    let mut other = ctx();
    other.profile = "other".into();
    other.base_url = "http://127.0.0.1:40999".into();
    let fx = update(
        &mut s,
        super::Action::ProfileSwitched(Ok(Box::new(Account {
            ctx: other,
            recipes: Default::default(),
            password: crate::secret::Policy {
                length: 20,
                exclude: "~^?#".into(),
                ..Default::default()
            },
            signed_in: None,
            session_ends: None,
            recovery: false,
            audit_log_refused: None,
        }))),
    );
    assert_eq!(s.ctx.profile, "other");
    assert_eq!(
        s.password.length, 20,
        "Ctrl-G follows the new profile's password settings"
    );
    assert!(
        s.integrations.is_empty(),
        "the old account's lists are dropped"
    );
    assert_eq!(s.left_sel, LeftSel::All);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadIntegrations { .. })),
        "{fx:?}"
    );
    assert!(s.next_req >= before_req, "no request id is used twice");
    assert_eq!(
        s.command_history[0], "int acme_crm_sync",
        "the history stays"
    );
    assert_eq!(s.profiles.len(), 2);
    assert!(banner(&s).contains("profile other"), "{}", banner(&s));
    answer_loads(&mut s, fx);
    assert!(!s.integrations.is_empty());
    // A failure says why and leaves the account as it was.
    update(
        &mut s,
        super::Action::ProfileSwitched(Err("profile x names no account".into())),
    );
    assert_eq!(s.ctx.profile, "other");
    assert!(banner(&s).contains("cannot switch profile: profile x names no account"));
}

#[test]
fn ctx_is_refused_while_a_rotation_window_holds_a_password() {
    use super::Modal;
    let mut s = loaded(120, 40);
    s.profiles = vec!["demo".into(), "other".into()];
    update(&mut s, key(KeyCode::Tab));
    select(&mut s, "salesforce_prod");
    update(&mut s, ch('r'));
    assert!(matches!(s.modal, Some(Modal::Rotation(_))));
    // The `:` line is not open over a window; the command is refused where it is run.
    let mut fx = Vec::new();
    super::update::switch_profile_for_test(&mut s, Some("other"), &mut fx);
    assert!(fx.is_empty());
    assert!(
        banner(&s).contains("rotation window holds a password"),
        "{}",
        banner(&s)
    );
}

/// `/` in help and in the audit log: Enter goes to the first match, `n` / `N` to the next
/// and previous, round the end; closing drops the search.
#[test]
fn slash_searches_help_and_the_audit_log_and_n_goes_to_the_next_match() {
    use super::keymap::{help_match_lines, Scope};
    let mut s = loaded(80, 24);
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ch('?'));
    update(&mut s, ch('/'));
    type_text(&mut s, "Audit");
    assert_eq!(s.search.as_ref().map(|q| q.text.as_str()), Some("Audit"));
    assert!(s.help.is_some(), "typing n did not close or move the help");
    update(&mut s, key(KeyCode::Enter));
    let hits = help_match_lines(Scope::Connections, false, 80, "audit");
    assert!(hits.len() >= 2, "{hits:?}");
    assert_eq!(s.search.as_ref().and_then(|q| q.at), Some(hits[0]));
    update(&mut s, ch('n'));
    assert_eq!(s.search.as_ref().and_then(|q| q.at), Some(hits[1]));
    update(&mut s, ch('N'));
    update(&mut s, ch('N'));
    assert_eq!(
        s.search.as_ref().and_then(|q| q.at),
        hits.last().copied(),
        "round"
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(s.help.is_none() && s.search.is_none());
    // `n` on the table is still "new".
    update(&mut s, ch('n'));
    assert!(matches!(s.modal, Some(super::Modal::Form(_))));
    update(&mut s, key(KeyCode::Esc));
    // The audit log: entries that name "billing".
    let entry = |conn: &str, integration: &str| crate::auditlog::Entry {
        time: "2026-11-22T10:00:00.000Z".into(),
        profile: "demo".into(),
        account: None,
        integration: integration.into(),
        connection: Some(conn.into()),
        action: "update".into(),
        kind: Some("basic_auth".into()),
        fields: vec!["password".into()],
        outcome: "ok".into(),
        id: None,
    };
    update(&mut s, ch('L'));
    update(
        &mut s,
        super::Action::AuditLogLoaded(Ok(vec![
            entry("a", "acme_crm_sync"),
            entry("b", "billing_bridge"),
            entry("c", "acme_crm_sync"),
            entry("d", "billing_bridge"),
        ])),
    );
    let scroll = |s: &State| match &s.modal {
        Some(super::Modal::AuditLog { scroll, .. }) => *scroll,
        _ => panic!("the audit log"),
    };
    // Where the window lists them (newest first).
    let billing: Vec<u16> = match &s.modal {
        Some(super::Modal::AuditLog {
            entries: Some(Ok(list)),
            ..
        }) => (0..list.len() as u16)
            .filter(|i| list[*i as usize].integration == "billing_bridge")
            .collect(),
        _ => panic!("the entries"),
    };
    assert_eq!(billing.len(), 2);
    update(&mut s, ch('/'));
    type_text(&mut s, "billing");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(scroll(&s), billing[0]);
    update(&mut s, ch('n'));
    assert_eq!(scroll(&s), billing[1]);
    update(&mut s, ch('n'));
    assert_eq!(scroll(&s), billing[0], "round the end");
    update(&mut s, ch('/'));
    type_text(&mut s, "zzz");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(scroll(&s), billing[0]);
    assert!(banner(&s).contains("no match for zzz"));
}
