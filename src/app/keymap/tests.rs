//! The keymap against the key handling: every binding does something where it is bound, no
//! key means two things, read-only refuses exactly what is marked, and what the help page and
//! the footers name is bound.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;

use super::*;
use crate::app::testing::answer_loads;
use crate::app::testing::{ch, key, loaded, shift_tab, type_text};
use crate::app::{
    update, Action, AuthPhase, Banner, Effect, FieldId, FirstRun, Level, Modal, RegisteredView,
};

fn event(k: &Key) -> KeyEvent {
    KeyEvent::new(k.code, k.modifiers)
}

fn press(s: &mut State, k: &Key) -> Vec<Effect> {
    update(s, Action::Key(event(k)))
}

/// The bindings a key in `scope` can reach, in table order.
fn bound_in(scope: Scope) -> impl Iterator<Item = &'static Binding> {
    bindings().filter(move |b| scope.chain().contains(&b.scope))
}

/// Everything a key can change that the screen or the next key depends on.
fn look(s: &State) -> String {
    let mut out = format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        s.screen,
        s.tab,
        s.client_sel,
        s.focus,
        s.left_sel,
        s.table_sel,
        s.modal,
        s.help,
        s.search,
        s.banner,
        s.input.as_ref().map(|i| (i.kind, i.text())),
        s.left_filter,
        s.table_filter,
        s.sort_one,
        s.sort_all,
        s.only_findings,
        s.only_unused,
        s.marked,
        s.scroll,
        s.quit,
    );
    match &s.modal {
        Some(Modal::Form(f)) => {
            out += &format!(" {} {} {}", f.revealed, f.secret_shown, f.confirm_discard)
        }
        Some(Modal::Rotation(r)) => {
            out += &format!(
                " {} {} {} {}",
                r.selected, r.revealed, r.copied, r.confirm_discard
            )
        }
        Some(Modal::Registered(r)) => {
            out += &format!(" {} {} {}", r.revealed, r.copied, r.confirm_discard)
        }
        _ => {}
    }
    out
}

fn is_mutation(e: &Effect) -> bool {
    matches!(
        e,
        Effect::CreateConnection { .. }
            | Effect::UpdateConnection { .. }
            | Effect::DeleteConnection { .. }
            | Effect::RegisterIntegration { .. }
            | Effect::ApplyPassword { .. }
            | Effect::CreateOAuthClient { .. }
            | Effect::UpdateOAuthClient { .. }
            | Effect::DeleteOAuthClient { .. }
            | Effect::StartOAuth { .. }
    )
}

/// The acme_crm_sync OAuth clients tab focused, its clients loaded, the first selected.
fn on_clients() -> State {
    let mut s = on_table();
    let fx = update(&mut s, ch('o'));
    answer_loads(&mut s, fx);
    s
}

fn select(s: &mut State, name: &str) {
    update(s, ch('g'));
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.name.as_str()) == Some(name) {
            return;
        }
        update(s, ch('j'));
    }
    panic!("no row named {name}");
}

fn log_entry(connection: &str) -> crate::auditlog::Entry {
    crate::auditlog::Entry {
        time: "2026-11-22T10:00:00.000Z".into(),
        profile: "test".into(),
        account: None,
        integration: "acme_crm_sync".into(),
        connection: Some(connection.into()),
        action: "update".into(),
        kind: Some("basic_auth".into()),
        fields: vec!["password".into()],
        outcome: "ok".into(),
        id: None,
    }
}

/// The connections table focused, a basic_auth connection in the middle selected.
fn on_table() -> State {
    let mut s = loaded(120, 40);
    update(&mut s, key(KeyCode::Tab));
    select(&mut s, "salesforce_prod");
    s
}

/// A state whose keys go to `scope`, set up so that `command` has something to do there
/// (a selection not at the end to move from, a banner for Esc to drop, …).
fn prepare(scope: Scope, command: Command) -> State {
    let mut s = match scope {
        Scope::Integrations => {
            // All, acme_crm_sync, billing_bridge, support_tools: a middle one.
            let mut s = loaded(120, 40);
            update(&mut s, ch('j'));
            s
        }
        Scope::Connections => on_table(),
        Scope::OAuthClients => {
            let mut s = on_clients();
            if command == Command::Up {
                update(&mut s, ch('j'));
            }
            s
        }
        Scope::ConfirmTyped => {
            let mut s = on_table();
            select(&mut s, "zendesk");
            update(&mut s, ch('d'));
            if command == Command::Confirm {
                type_text(&mut s, "zendesk");
            }
            s
        }
        Scope::Profiles => {
            let mut s = on_table();
            s.profiles = vec!["alpha".into(), "demo".into(), "zulu".into()];
            update(&mut s, ch(':'));
            type_text(&mut s, "ctx");
            update(&mut s, key(KeyCode::Enter));
            s
        }
        Scope::Authorize => {
            let mut s = on_table();
            select(&mut s, "zendesk");
            let fx = update(&mut s, ch('r'));
            answer_loads(&mut s, fx);
            // Its client, zendesk, is the last of two by name.
            if command == Command::Down {
                update(&mut s, ch('k'));
            }
            if command == Command::Copy {
                let fx = update(&mut s, key(KeyCode::Enter));
                let Some(Effect::StartOAuth { req, key: k, .. }) = fx.into_iter().next() else {
                    panic!("no start");
                };
                update(
                    &mut s,
                    Action::OAuthStarted {
                        req,
                        key: k,
                        result: Ok(Some("https://provider.example/authorize?state=x".into())),
                    },
                );
                assert!(
                    matches!(&s.modal, Some(Modal::Authorize(a)) if matches!(a.phase, AuthPhase::Waiting { .. }))
                );
            }
            s
        }
        Scope::Filter => {
            let mut s = on_table();
            update(&mut s, ch('/'));
            type_text(&mut s, "sales");
            s
        }
        Scope::CommandLine => {
            let mut s = on_table();
            s.command_history = vec!["sort age".into(), "sort name".into()];
            update(&mut s, ch(':'));
            type_text(&mut s, "all");
            if command == Command::Down {
                update(&mut s, key(KeyCode::Up));
            }
            s
        }
        Scope::Help => {
            // Small enough for the page to scroll.
            let mut s = loaded(80, 24);
            update(&mut s, key(KeyCode::Tab));
            update(&mut s, ch('?'));
            update(&mut s, ch('j'));
            if matches!(command, Command::NextMatch | Command::PrevMatch) {
                update(&mut s, ch('/'));
                type_text(&mut s, "the");
                update(&mut s, key(KeyCode::Enter));
            }
            s
        }
        Scope::Search => {
            let mut s = loaded(80, 24);
            update(&mut s, key(KeyCode::Tab));
            update(&mut s, ch('?'));
            update(&mut s, ch('/'));
            type_text(&mut s, "quit");
            s
        }
        Scope::Details => {
            let mut s = on_table();
            update(&mut s, key(KeyCode::Enter));
            s
        }
        Scope::ConfirmDelete => {
            let mut s = on_table();
            update(&mut s, ch('d'));
            s
        }
        Scope::Form => {
            let mut s = on_table();
            update(&mut s, ch('n'));
            if command == Command::ClearToStart {
                type_text(&mut s, "some_name");
            }
            if command == Command::Generate {
                while !matches!(&s.modal, Some(Modal::Form(f)) if f.focus == FieldId::Password) {
                    update(&mut s, key(KeyCode::Tab));
                }
            }
            s
        }
        Scope::KindField => {
            let mut s = on_table();
            update(&mut s, ch('n'));
            update(&mut s, shift_tab());
            s
        }
        Scope::Rotation => {
            // Two marked, so that there is somewhere to move.
            let mut s = on_table();
            update(&mut s, ch(' '));
            select(&mut s, "salesforce_sandbox");
            update(&mut s, ch(' '));
            update(&mut s, ch('r'));
            if command == Command::Up {
                update(&mut s, ch('j'));
            }
            // y answers the question Enter asks while nobody has seen the passwords.
            if command == Command::Confirm {
                update(&mut s, key(KeyCode::Enter));
            }
            s
        }
        Scope::Registered => {
            let mut s = on_table();
            s.modal = Some(Modal::Registered(Box::new(RegisteredView {
                name: "new_int".into(),
                client_id: Some(7),
                identifier: Some("zis_new_int".into()),
                secret: Some(SecretString::from("client-secret-canary".to_string())),
                revealed: false,
                copied: false,
                confirm_discard: false,
                confirm_quit: false,
            })));
            s
        }
        Scope::AuditLog => {
            let mut s = on_table();
            update(&mut s, ch('L'));
            update(
                &mut s,
                Action::AuditLogLoaded(Ok(vec![log_entry("a"), log_entry("b")])),
            );
            if command == Command::Up {
                update(&mut s, ch('j'));
            }
            if matches!(command, Command::NextMatch | Command::PrevMatch) {
                update(&mut s, ch('/'));
                type_text(&mut s, "update");
                update(&mut s, key(KeyCode::Enter));
            }
            s
        }
        Scope::Bundles => {
            let mut s = on_table();
            update(&mut s, ch('b'));
            if matches!(command, Command::Up | Command::PageUp) {
                update(&mut s, ch('j'));
            }
            s
        }
        Scope::FirstRun => {
            let mut s = loaded(120, 40);
            s.screen = Screen::FirstRun(FirstRun::default());
            s
        }
        Scope::PickIntegration => {
            let mut s = loaded(120, 40);
            update(&mut s, ch('a'));
            update(&mut s, ch('n'));
            if command == Command::Up {
                update(&mut s, key(KeyCode::End));
                update(&mut s, key(KeyCode::Down));
            }
            if command == Command::ClearToStart {
                type_text(&mut s, "e");
            }
            s
        }
        Scope::Global | Scope::Main => unreachable!("not a scope keys arrive in"),
    };
    if command == Command::Back {
        s.banner = Some(Banner {
            level: Level::Info,
            text: "something happened".into(),
            ttl: None,
        });
    }
    assert_eq!(Scope::of(&s), scope, "the fixture for {command:?}");
    s
}

#[test]
fn no_two_bindings_in_a_scope_share_a_key() {
    for scope in Scope::LEAVES {
        let mut seen: Vec<(KeyCode, KeyModifiers, Command)> = Vec::new();
        for b in bound_in(scope) {
            for k in b.keys {
                let twice = seen
                    .iter()
                    .find(|(c, m, _)| *c == k.code && *m == k.modifiers);
                assert!(
                    twice.is_none(),
                    "in {scope:?}, {} means both {:?} and {:?}",
                    k.label(),
                    twice.map(|t| t.2),
                    b.command
                );
                seen.push((k.code, k.modifiers, b.command));
                // And the lookup finds this binding for it, not another one.
                let found = lookup(scope, &event(k)).map(|f| f.command);
                assert_eq!(found, Some(b.command), "{} in {scope:?}", k.label());
            }
        }
    }
}

#[test]
fn a_key_with_ctrl_wins_over_the_same_key_without() {
    let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
    let d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::NONE);
    let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
    let s = Scope::Connections;
    assert_eq!(
        lookup(s, &ctrl_d).map(|b| b.command),
        Some(Command::PageDown)
    );
    assert_eq!(lookup(s, &d).map(|b| b.command), Some(Command::Delete));
    assert_eq!(lookup(s, &shift_g).map(|b| b.command), Some(Command::Last));
    // Ctrl-C quits from a text field too; a plain letter there is text.
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(
        lookup(Scope::Form, &ctrl_c).map(|b| b.command),
        Some(Command::Quit)
    );
    assert!(lookup(Scope::Form, &KeyEvent::from(KeyCode::Char('q'))).is_none());
    assert!(lookup(Scope::Filter, &KeyEvent::from(KeyCode::Char('j'))).is_none());
}

/// Press every key of every binding reachable in every scope, from a state where its command
/// has something to do; `readonly` skips (and so does not expect) the mutating ones.
fn press_every_binding(readonly: bool) {
    for scope in Scope::LEAVES {
        for b in bound_in(scope) {
            if readonly && b.mutates {
                continue;
            }
            for k in b.keys {
                let mut s = prepare(scope, b.command);
                s.ctx.readonly = readonly;
                let before = look(&s);
                let fx = press(&mut s, k);
                assert!(
                    !fx.is_empty() || look(&s) != before,
                    "{} ({:?}) in {scope:?} did nothing (read-only: {readonly})",
                    k.label(),
                    b.command
                );
                if readonly {
                    assert!(!fx.iter().any(is_mutation), "{} in {scope:?}", k.label());
                    let refused = s
                        .banner
                        .as_ref()
                        .is_some_and(|b| b.text.contains("read-only"));
                    assert!(!refused, "{} in {scope:?} was refused", k.label());
                }
            }
        }
    }
}

#[test]
fn every_binding_in_every_scope_does_something() {
    press_every_binding(false);
}

#[test]
fn every_binding_that_does_not_mutate_works_in_read_only_mode() {
    press_every_binding(true);
}

#[test]
fn every_mutating_binding_is_refused_in_read_only_mode() {
    let mut refused = 0;
    for scope in Scope::LEAVES {
        for b in bound_in(scope).filter(|b| b.mutates) {
            for k in b.keys {
                // The windows a mutation opens cannot open in read-only mode: open them first.
                let mut s = prepare(scope, b.command);
                s.ctx.readonly = true;
                let before = look(&s);
                let fx = press(&mut s, k);
                let what = format!("{} ({:?}) in {scope:?}", k.label(), b.command);
                assert_ne!(
                    b.command.refusal(),
                    "this",
                    "{what} has no words of its own"
                );
                assert!(fx.is_empty(), "{what} asked for {fx:?}");
                let banner = s.banner.take().map(|b| b.text).unwrap_or_default();
                assert_eq!(
                    banner,
                    format!(
                        "read-only mode: {} is disabled (--readonly)",
                        b.command.refusal()
                    ),
                    "{what}"
                );
                s.banner = prepare(scope, b.command).banner;
                assert_eq!(look(&s), before, "{what} changed something");
                refused += 1;
            }
        }
    }
    assert!(refused >= 12, "only {refused} mutating keys were tried");

    // The same flag for the `:` commands, under each of their names.
    for v in COMMANDS.iter().filter(|v| v.mutates) {
        assert_ne!(v.command.refusal(), "this", ":{}", v.usage());
        for name in v.names {
            let mut s = on_table();
            s.ctx.readonly = true;
            update(&mut s, ch(':'));
            type_text(&mut s, &format!("{name} x"));
            let fx = update(&mut s, key(KeyCode::Enter));
            assert!(fx.is_empty(), ":{name}");
            assert!(s.modal.is_none(), ":{name}");
            let b = s.banner.map(|b| b.text).unwrap_or_default();
            assert!(b.starts_with("read-only mode: "), ":{name}: {b}");
        }
    }
}

#[test]
fn read_only_mode_never_sends_a_change_whatever_is_pressed() {
    for scope in Scope::LEAVES {
        let keys: Vec<&Key> = bindings().flat_map(|b| b.keys.iter()).collect();
        for command in bound_in(scope).map(|b| b.command) {
            let mut s = prepare(scope, command);
            s.ctx.readonly = true;
            for k in &keys {
                let fx = press(&mut s, k);
                assert!(!fx.iter().any(is_mutation), "{} in {scope:?}", k.label());
                if s.quit.is_some() {
                    break;
                }
            }
        }
    }
}

/// The binding of `scope`'s chain whose shown key is called `label`.
fn key_called(scope: Scope, label: &str) -> Option<&'static Binding> {
    bound_in(scope).find(|b| b.shown().any(|k| k.label() == label))
}

#[test]
fn every_footer_hint_names_keys_bound_where_it_shows() {
    for scope in Scope::LEAVES {
        for readonly in [false, true] {
            let hints = hints(scope, readonly);
            assert!(!hints.is_empty(), "{scope:?} has no footer");
            for h in &hints {
                // "Esc ? q" is three keys, "j/k" two, "/" one.
                let tokens: Vec<&str> = h
                    .keys
                    .split(' ')
                    .flat_map(|p| match key_called(scope, p) {
                        Some(_) => vec![p],
                        None => p.split('/').collect(),
                    })
                    .collect();
                assert!(!h.keys.is_empty(), "{h:?} in {scope:?} names no key");
                for t in &tokens {
                    let b = key_called(scope, t);
                    assert!(b.is_some(), "{h:?}: {t} is not a key of {scope:?}");
                    assert!(!(readonly && b.is_some_and(|b| b.mutates)), "{h:?}");
                }
                let first = key_called(scope, tokens[0]).map(|b| b.command);
                assert_eq!(first, Some(h.command), "{h:?} in {scope:?}");
            }
        }
    }
    // The main screen's two orders name every hinted key of the main screen.
    let main = [Scope::Main, Scope::Integrations, Scope::Connections];
    for b in bindings().filter(|b| main.contains(&b.scope)) {
        if let Text::Is(label) = b.hint {
            let shown = [Scope::Integrations, Scope::Connections]
                .iter()
                .any(|s| hints(*s, false).iter().any(|h| h.command == b.command));
            assert!(
                shown,
                "{label} ({:?}) is in neither pane's footer",
                b.command
            );
        }
    }
    assert_eq!(
        hints(Scope::Integrations, false).len(),
        FOOTER_INTEGRATIONS.len()
    );
    assert_eq!(
        hints(Scope::Connections, false).len(),
        FOOTER_CONNECTIONS.len()
    );
}

/// The keys a help page names: every token of its lines' keys (not the `:` commands).
fn keys_on(page: &HelpPage) -> Vec<String> {
    page.sections
        .iter()
        .filter(|s| s.heading != "Commands (:)")
        .flat_map(|s| s.lines.iter())
        .flat_map(|l| l.keys.split(' ').map(str::to_string))
        .collect()
}

#[test]
fn every_key_bound_in_a_screen_is_on_its_help_page_and_nothing_else() {
    for scope in Scope::LEAVES {
        for readonly in [false, true] {
            let page = help_for(scope, readonly);
            let on_page = keys_on(&page);
            for b in bound_in(scope) {
                for k in b.keys {
                    let shown = on_page.contains(&k.label().into_owned());
                    if readonly && b.mutates {
                        // Unless another binding of the page has the same key.
                        let other = bound_in(scope)
                            .any(|o| !o.mutates && o.keys.iter().any(|x| x.label() == k.label()));
                        assert!(
                            !shown || other,
                            "{scope:?}: read-only help names {} ({:?})",
                            k.label(),
                            b.command
                        );
                    } else {
                        assert!(
                            shown,
                            "{scope:?}: {} ({:?}) not on its help",
                            k.label(),
                            b.command
                        );
                    }
                }
            }
            // What the page names is bound there (the main screen's pages also name the
            // filter's and the command line's keys).
            let mut reach: Vec<Scope> = scope.chain().to_vec();
            if matches!(
                scope,
                Scope::Integrations | Scope::Connections | Scope::OAuthClients
            ) {
                reach.extend([Scope::Filter, Scope::CommandLine]);
            }
            if scope == Scope::Form {
                reach.push(Scope::KindField);
            }
            for t in &on_page {
                let bound = bindings()
                    .filter(|b| reach.contains(&b.scope))
                    .any(|b| b.keys.iter().any(|k| k.label() == t.as_str()));
                assert!(bound, "{scope:?}: help names {t}, not bound there");
            }
            for l in page.sections.iter().flat_map(|s| s.lines.iter()) {
                assert!(!l.text.is_empty(), "{scope:?}: {l:?} says nothing");
                assert!(!l.text.contains('{'), "a placeholder left in {l:?}");
            }
            // F1 opens help everywhere, and every page says so.
            assert!(on_page.iter().any(|k| k == "F1"), "{scope:?}");
        }
    }
    // No `Above` without a line above it to join.
    for section in KEYMAP {
        for pair in section.bindings.windows(2) {
            if pair[1].help == Text::Above {
                assert_ne!(pair[0].help, Text::None, "{:?}", pair[1].command);
            }
            if pair[1].hint == Text::Above {
                assert_ne!(pair[0].hint, Text::None, "{:?}", pair[1].command);
            }
        }
    }
    // Read-only mode leaves out the mutating lines and commands.
    let ro_text = format!("{:?}", help_for(Scope::Connections, true));
    for gone in [
        "new connection",
        "rotate password",
        "delete (y confirms)",
        "register",
    ] {
        assert!(!ro_text.contains(gone), "{gone}");
    }
    let rw_text = format!("{:?}", help_for(Scope::Connections, false));
    assert!(rw_text.contains("new connection"));
}

#[test]
fn question_mark_opens_the_help_of_the_screen_and_f1_where_it_is_typed() {
    let f1 = || Action::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE));
    // The table, then the rotation window: `?` shows their page; the window stays under it.
    let mut s = on_table();
    update(&mut s, ch('?'));
    assert_eq!(s.help.map(|h| h.scope), Some(Scope::Connections));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.help.is_none());
    update(&mut s, ch('r'));
    assert!(matches!(s.modal, Some(Modal::Rotation(_))));
    update(&mut s, ch('?'));
    assert_eq!(s.help.map(|h| h.scope), Some(Scope::Rotation));
    assert!(matches!(s.modal, Some(Modal::Rotation(_))));
    update(&mut s, f1());
    assert_eq!(
        s.help.map(|h| h.scope),
        Some(Scope::Help),
        "help's own page"
    );
    update(&mut s, ch('q'));
    assert!(s.help.is_none());
    assert!(
        matches!(s.modal, Some(Modal::Rotation(_))),
        "q closed the help only"
    );
    // In a form `?` is text; F1 is the form's help, and closing it keeps what was typed.
    let mut s = on_table();
    update(&mut s, ch('n'));
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "a?b");
    let Some(Modal::Form(f)) = &s.modal else {
        panic!("a form")
    };
    let typed = f.field(f.focus).map(|x| x.plain()).unwrap_or_default();
    assert!(typed.contains("a?b"), "{typed}");
    assert!(s.help.is_none());
    update(&mut s, f1());
    assert_eq!(s.help.map(|h| h.scope), Some(Scope::Form));
    update(&mut s, key(KeyCode::Esc));
    let Some(Modal::Form(f)) = &s.modal else {
        panic!("the form stays")
    };
    assert_eq!(f.field(f.focus).map(|x| x.plain()), Some(typed));
    // The filter: `?` is text, F1 its help.
    let mut s = on_table();
    update(&mut s, ch('/'));
    type_text(&mut s, "x?");
    assert_eq!(s.input.as_ref().map(|i| i.text()).as_deref(), Some("x?"));
    update(&mut s, f1());
    assert_eq!(s.help.map(|h| h.scope), Some(Scope::Filter));
}

#[test]
fn help_lists_what_the_command_line_accepts() {
    let mut names: Vec<&str> = Vec::new();
    for v in COMMANDS {
        for n in v.names {
            assert!(!names.contains(n), ":{n} twice");
            names.push(n);
            assert!(std::ptr::eq(verb_named(n).unwrap(), v));
            // Every name runs (no "unknown command"), with an argument where one is needed.
            let mut s = on_table();
            let before = look(&s);
            update(&mut s, ch(':'));
            let arg = match v.command {
                Command::GoTo => " billing_bridge",
                Command::SortBy => " age",
                Command::FilterBy | Command::Register => " x",
                _ => "",
            };
            type_text(&mut s, &format!("{n}{arg}"));
            let fx = update(&mut s, key(KeyCode::Enter));
            let b = s
                .banner
                .as_ref()
                .map(|b| b.text.clone())
                .unwrap_or_default();
            assert!(!b.contains("unknown command"), ":{n}: {b}");
            assert!(!fx.is_empty() || look(&s) != before, ":{n} did nothing");
        }
    }
    let listed: Vec<String> = help_commands(false).map(|v| v.usage()).collect();
    assert_eq!(listed.len(), COMMANDS.len());
    assert!(listed.contains(&"int NAME".to_string()));
    let ro: Vec<String> = help_commands(true).map(|v| v.usage()).collect();
    assert!(!ro.iter().any(|u| u == "new" || u.starts_with("register")));
}

#[test]
fn key_labels() {
    assert_eq!(ctrl('d').label(), "Ctrl-D");
    assert_eq!(super::ch(' ').label(), "Space");
    assert_eq!(code(KeyCode::BackTab).label(), "S-Tab");
    assert_eq!(code(KeyCode::PageDown).label(), "PgDn");
    assert_eq!(key_label(Scope::Form, Command::Generate), "Ctrl-G");
    assert_eq!(key_label(Scope::Connections, Command::Register), "I");
    let move_hint = &hints(Scope::Integrations, false)[1];
    assert_eq!((move_hint.keys.as_str(), move_hint.label), ("j/k", "move"));
    let help = hints(Scope::Help, false);
    let close = help
        .iter()
        .find(|h| h.label == "close")
        .expect("help closes");
    assert_eq!(close.keys, "Esc ? q");
    let ends = help
        .iter()
        .find(|h| h.label == "start / end")
        .expect("help has g/G");
    assert_eq!(ends.keys, "g/G");
}
