//! `update` unit tests: an action in, the state and the effects out. No terminal, no server.
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::ExposeSecret;

use super::testing::*;
use super::*;
use crate::zis::Applied;
use crate::zis::{
    ClientEvent, ConnectionKind, ConnectionUpdate, Error, ErrorKind, NewCredential,
    RegisteredIntegration,
};

const PW: &str = "Canary-Password-42!";

fn names(s: &State) -> Vec<String> {
    s.rows
        .iter()
        .filter_map(|r| s.row_connection(*r).map(|(_, c)| c.name.clone()))
        .collect()
}

fn selected_name(s: &State) -> Option<String> {
    s.selected_connection().map(|(_, c)| c.name.clone())
}

fn focus_table(s: &mut State) {
    update(s, key(KeyCode::Tab));
    assert_eq!(s.focus, Pane::Connections);
}

fn rotation(s: &State) -> &Rotation {
    match &s.modal {
        Some(Modal::Rotation(r)) => r,
        other => panic!("expected the rotation screen, got {other:?}"),
    }
}

fn forbidden() -> Error {
    Error::from_response(
        403,
        br#"{"errors":[{"code":"Forbidden","title":"Cannot access this resource. Missing scope write"}]}"#,
    )
    .with_context("create basic_auth connection acme_crm_sync/my_conn")
}

#[test]
fn init_loads_integrations_then_every_integration_selected_first() {
    let mut s = State::new(ctx(), NOW);
    let fx = init(&mut s);
    let req = match fx.as_slice() {
        [Effect::LoadIntegrations { req }] => *req,
        other => panic!("{other:?}"),
    };
    assert!(s.busy());
    let fx = update(
        &mut s,
        Action::IntegrationsLoaded {
            req,
            result: Ok(integrations()),
            now: NOW,
        },
    );
    let loads: Vec<String> = fx
        .iter()
        .map(|e| match e {
            Effect::LoadConnections { integration, .. } => integration.clone(),
            Effect::LoadBundles { integration, .. } => format!("bundles of {integration}"),
            other => panic!("{other:?}"),
        })
        .collect();
    // Every connections listing first (the table), then the bundles, in the same order.
    assert_eq!(
        loads,
        [
            "acme_crm_sync",
            "billing_bridge",
            "support_tools",
            "bundles of acme_crm_sync",
            "bundles of billing_bridge",
            "bundles of support_tools"
        ]
    );
    assert_eq!(s.left_sel, LeftSel::Integration("acme_crm_sync".into()));
    answer_loads(&mut s, fx);
    assert!(!s.busy());
    assert_eq!(names(&s).len(), 5);
    assert!(!s.needs_tick());
}

#[test]
fn an_answer_for_a_left_selection_lands_on_its_own_integration() {
    let mut s = State::new(ctx(), NOW);
    let fx = init(&mut s);
    let Some(Effect::LoadIntegrations { req }) = fx.into_iter().next() else {
        panic!()
    };
    let fx = update(
        &mut s,
        Action::IntegrationsLoaded {
            req,
            result: Ok(integrations()),
            now: NOW,
        },
    );
    let req_of = |name: &str| {
        fx.iter()
            .find_map(|e| match e {
                Effect::LoadConnections { req, integration } if integration == name => Some(*req),
                _ => None,
            })
            .unwrap()
    };
    let (acme, billing) = (req_of("acme_crm_sync"), req_of("billing_bridge"));
    // The user moves on to billing_bridge before acme's answer arrives.
    update(&mut s, ch('j'));
    assert_eq!(s.left_sel, LeftSel::Integration("billing_bridge".into()));
    update(
        &mut s,
        Action::ConnectionsLoaded {
            req: acme,
            integration: "acme_crm_sync".into(),
            result: Ok(connections("acme_crm_sync")),
            token: None,
            now: NOW,
        },
    );
    assert!(
        names(&s).is_empty(),
        "acme's rows must not show under billing_bridge"
    );
    update(
        &mut s,
        Action::ConnectionsLoaded {
            req: billing,
            integration: "billing_bridge".into(),
            result: Ok(connections("billing_bridge")),
            token: None,
            now: NOW,
        },
    );
    assert_eq!(names(&s), ["chargebee_site", "stripe_live"]);
    update(&mut s, ch('k'));
    assert_eq!(names(&s).len(), 5);
}

#[test]
fn an_older_answer_for_the_same_integration_is_dropped() {
    let mut s = loaded(120, 40);
    let fx = update(&mut s, ch('R'));
    let Some(Effect::LoadIntegrations { req }) = fx.into_iter().next() else {
        panic!()
    };
    let fx = update(
        &mut s,
        Action::IntegrationsLoaded {
            req,
            result: Ok(integrations()),
            now: NOW,
        },
    );
    let new_req = fx
        .iter()
        .find_map(|e| match e {
            Effect::LoadConnections { req, integration } if integration == "acme_crm_sync" => {
                Some(*req)
            }
            _ => None,
        })
        .unwrap();
    // An answer to an earlier request (not the one now awaited) changes nothing.
    update(
        &mut s,
        Action::ConnectionsLoaded {
            req: new_req + 1000,
            integration: "acme_crm_sync".into(),
            result: Ok(Vec::new()),
            token: None,
            now: NOW,
        },
    );
    assert_eq!(
        names(&s).len(),
        5,
        "old data stays while the new answer is awaited"
    );
    update(
        &mut s,
        Action::ConnectionsLoaded {
            req: new_req,
            integration: "acme_crm_sync".into(),
            result: Ok(Vec::new()),
            token: None,
            now: NOW,
        },
    );
    assert!(names(&s).is_empty());
}

#[test]
fn navigation_tab_and_details() {
    let mut s = loaded(120, 40);
    assert_eq!(s.focus, Pane::Integrations);
    focus_table(&mut s);
    assert_eq!(selected_name(&s).as_deref(), Some("hubspot_legacy_key"));
    update(&mut s, ch('j'));
    assert_eq!(selected_name(&s).as_deref(), Some("hubspot_private_app"));
    update(&mut s, ch('G'));
    assert_eq!(selected_name(&s).as_deref(), Some("zendesk"));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(selected_name(&s).as_deref(), Some("zendesk"));
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.modal, Some(Modal::Details)));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
    update(&mut s, ch('?'));
    assert!(s.help.is_some());
    update(&mut s, key(KeyCode::Esc));
    assert!(s.help.is_none() && s.modal.is_none());
}

#[test]
fn selection_is_remembered_per_integration() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ch('j'));
    update(&mut s, ch('k'));
    assert_eq!(selected_name(&s).as_deref(), Some("salesforce_prod"));
}

#[test]
fn filter_substring_and_fuzzy() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    update(&mut s, ch('/'));
    type_text(&mut s, "sales");
    assert_eq!(names(&s), ["salesforce_prod", "salesforce_sandbox"]);
    update(&mut s, key(KeyCode::Enter));
    assert!(s.input.is_none());
    assert_eq!(names(&s).len(), 2, "Enter keeps the filter");
    // Fuzzy: scattered letters match, best first.
    update(&mut s, ch('/'));
    update(&mut s, key(KeyCode::Backspace));
    for _ in 0..5 {
        update(&mut s, key(KeyCode::Backspace));
    }
    update(&mut s, ch('/'));
    update(&mut s, ctrl('f'));
    type_text(&mut s, "hblk");
    assert_eq!(s.table_filter.mode, FilterMode::Fuzzy);
    assert_eq!(names(&s), ["hubspot_legacy_key"]);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(names(&s).len(), 5, "Esc clears the filter");
}

#[test]
fn sort_cycles_and_reverses() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    update(&mut s, ch('s'));
    assert_eq!(s.sort().key, SortKey::Kind);
    update(&mut s, ch('s'));
    assert_eq!(s.sort().key, SortKey::Age);
    assert_eq!(names(&s)[0], "hubspot_legacy_key", "oldest first");
    update(&mut s, ch('S'));
    assert_eq!(names(&s)[0], "zendesk", "newest first");
}

#[test]
fn all_view_lists_every_connection_with_stale_marks() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('a'));
    assert!(s.is_all_view());
    assert_eq!(s.focus, Pane::Connections);
    assert_eq!(names(&s).len(), 7);
    assert_eq!(names(&s)[0], "hubspot_legacy_key", "oldest first");
    let stale: Vec<String> = s
        .rows
        .iter()
        .filter_map(|r| s.row_connection(*r))
        .filter(|(e, c)| s.audit_of(e.name(), &c.name).is_some_and(|a| a.stale))
        .map(|(_, c)| c.name.clone())
        .collect();
    assert_eq!(
        stale,
        ["hubspot_legacy_key", "salesforce_sandbox", "chargebee_site"]
    );
    let fx = update(&mut s, ch(':'));
    assert!(fx.is_empty());
    type_text(&mut s, "findings");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.only_findings);
    // The three stale ones, and salesforce_prod: its username is used on two domains.
    assert_eq!(names(&s).len(), 4);
    update(&mut s, ch('a'));
    assert!(!s.is_all_view());
}

fn fill_create_form(s: &mut State, name: &str, user: &str, pw: &str, domain: &str) {
    type_text(s, name);
    update(s, key(KeyCode::Tab));
    type_text(s, user);
    update(s, key(KeyCode::Tab));
    type_text(s, pw);
    update(s, key(KeyCode::Tab));
    type_text(s, domain);
}

#[test]
fn create_sends_what_was_typed_and_only_after_validation() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    update(&mut s, ch('n'));
    assert_eq!(form(&s).focus, FieldId::Name);
    fill_create_form(&mut s, "my_conn", "bob", PW, "api.example.com");
    let fx = update(&mut s, key(KeyCode::Enter));
    let [Effect::CreateConnection {
        req,
        integration,
        new,
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(integration, "acme_crm_sync");
    assert_eq!(new.name, "my_conn");
    assert_eq!(new.allowed_domain, "api.example.com");
    match &new.credential {
        NewCredential::BasicAuth { username, password } => {
            assert_eq!(username, "bob");
            assert!(password.expose_secret() == PW);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(form(&s).pending, Some(*req));
    // Keys are ignored while the form waits; the app is not blocked.
    update(&mut s, ch('x'));
    assert_eq!(
        form(&s).field(FieldId::Domain).unwrap().text().as_str(),
        "api.example.com"
    );

    let created = connections("acme_crm_sync")[1].clone();
    let created = crate::zis::Connection {
        name: "my_conn".into(),
        ..created
    };
    let fx = update(
        &mut s,
        Action::Created {
            req: *req,
            integration: "acme_crm_sync".into(),
            result: Ok(created),
        },
    );
    assert!(s.modal.is_none());
    assert_eq!(selected_name(&s).as_deref(), Some("my_conn"));
    assert!(matches!(
        s.banner,
        Some(Banner {
            level: Level::Info,
            ..
        })
    ));
    assert!(matches!(fx.as_slice(), [Effect::LoadConnections { .. }]));
}

#[test]
fn an_invalid_form_sends_nothing_and_says_why_beside_the_field() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    fill_create_form(&mut s, "x", "bo:b", PW, "https://api.example.com/x");
    let fx = update(&mut s, ctrl('s'));
    assert!(fx.is_empty());
    let f = form(&s);
    assert_eq!(
        f.focus,
        FieldId::Name,
        "focus goes to the first broken field"
    );
    assert!(f.field(FieldId::Name).unwrap().error.is_some());
    assert!(f.field(FieldId::Username).unwrap().error.is_some());
    assert!(f.field(FieldId::Domain).unwrap().error.is_some());
    assert!(f.field(FieldId::Password).unwrap().error.is_none());
    let shown = format!("{f:?}");
    assert!(!shown.contains(PW), "Debug of a form shows no secret");
}

#[test]
fn a_failed_create_keeps_the_form_and_shows_a_banner() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    fill_create_form(&mut s, "my_conn", "bob", PW, "api.example.com");
    let fx = update(&mut s, ctrl('s'));
    let Some(Effect::CreateConnection { req, .. }) = fx.first() else {
        panic!()
    };
    update(
        &mut s,
        Action::Created {
            req: *req,
            integration: "acme_crm_sync".into(),
            result: Err(forbidden()),
        },
    );
    let b = s.banner.clone().expect("a banner");
    assert_eq!(b.level, Level::Error);
    assert!(b.text.contains("Missing scope write"), "{}", b.text);
    let f = form(&s);
    assert!(f.pending.is_none());
    assert!(f.error.as_deref().unwrap_or("").contains("403"));
    assert_eq!(f.field(FieldId::Name).unwrap().text().as_str(), "my_conn");
    assert_eq!(f.field(FieldId::Username).unwrap().text().as_str(), "bob");
    assert!(f.field(FieldId::Password).unwrap().text().as_str() == PW);
    // It can be sent again as it is.
    let fx = update(&mut s, ctrl('s'));
    assert!(matches!(fx.as_slice(), [Effect::CreateConnection { .. }]));
}

#[test]
fn create_each_creatable_kind() {
    for (kind, presses) in [
        (ConnectionKind::ApiKey, 1),
        (ConnectionKind::BearerToken, 2),
    ] {
        let mut s = loaded(120, 40);
        update(&mut s, ch('n'));
        update(&mut s, shift_tab());
        assert_eq!(form(&s).focus, FieldId::Kind);
        for _ in 0..presses {
            update(&mut s, key(KeyCode::Right));
        }
        assert_eq!(form(&s).kind, kind);
        update(&mut s, key(KeyCode::Tab));
        type_text(&mut s, "k_conn");
        update(&mut s, key(KeyCode::Tab));
        if kind == ConnectionKind::ApiKey {
            type_text(&mut s, "X-Key");
            update(&mut s, key(KeyCode::Tab));
        }
        type_text(&mut s, PW);
        update(&mut s, key(KeyCode::Tab));
        type_text(&mut s, "api.example.com");
        let fx = update(&mut s, key(KeyCode::Enter));
        let [Effect::CreateConnection { new, .. }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        assert_eq!(new.credential.kind(), kind);
        match &new.credential {
            NewCredential::ApiKey {
                header_name,
                api_key,
            } => {
                assert_eq!(header_name, "X-Key");
                assert!(api_key.expose_secret() == PW);
            }
            NewCredential::BearerToken { token } => assert!(token.expose_secret() == PW),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn ctrl_g_generates_a_strong_password_into_the_password_field() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(form(&s).focus, FieldId::Password);
    update(&mut s, ctrl('g'));
    let pw = form(&s)
        .field(FieldId::Password)
        .unwrap()
        .text()
        .to_string();
    assert_eq!(pw.chars().count(), PASSWORD_LENGTH);
    assert!(crate::zis::validate::secret("password", &pw).is_ok());
    assert!(!form(&s).revealed);
    update(&mut s, ctrl('r'));
    assert!(form(&s).revealed);
}

#[test]
fn paste_into_a_field_drops_line_breaks() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    update(&mut s, Action::Paste("pasted\r\nname".into()));
    assert_eq!(
        form(&s).field(FieldId::Name).unwrap().text().as_str(),
        "pastedname"
    );
}

#[test]
fn edit_sends_only_what_changed() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    update(&mut s, ch('e'));
    let f = form(&s);
    assert_eq!(
        f.field(FieldId::Username).unwrap().text().as_str(),
        "zendesk.integration@acme-corp.com"
    );
    assert_eq!(f.focus, FieldId::Password);
    // Nothing changed: refused locally.
    let fx = update(&mut s, ctrl('s'));
    assert!(fx.is_empty());
    assert!(form(&s).error.is_some());
    type_text(&mut s, PW);
    let fx = update(&mut s, key(KeyCode::Enter));
    let [Effect::UpdateConnection {
        req,
        key: k,
        update: u,
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(k.name, "salesforce_prod");
    match u {
        ConnectionUpdate::BasicAuth { username, password } => {
            assert!(username.is_none());
            assert!(password.as_ref().is_some_and(|p| p.expose_secret() == PW));
        }
        other => panic!("{other:?}"),
    }
    let fx = update(
        &mut s,
        Action::Updated {
            req: *req,
            key: k.clone(),
            result: Ok(()),
        },
    );
    assert!(s.modal.is_none());
    assert!(matches!(fx.as_slice(), [Effect::LoadConnections { .. }]));
}

#[test]
fn edit_api_key_and_bearer_token() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "hubspot_legacy_key");
    update(&mut s, ch('e'));
    assert_eq!(form(&s).focus, FieldId::ApiKey);
    type_text(&mut s, PW);
    let fx = update(&mut s, ctrl('s'));
    assert!(matches!(
        fx.as_slice(),
        [Effect::UpdateConnection {
            update: ConnectionUpdate::ApiKey {
                header_name: None,
                api_key: Some(_)
            },
            ..
        }]
    ));
    update(&mut s, key(KeyCode::Esc));
    select(&mut s, "hubspot_private_app");
    update(&mut s, ch('e'));
    let fx = update(&mut s, ctrl('s'));
    assert!(fx.is_empty(), "an empty token is refused");
    type_text(&mut s, PW);
    let fx = update(&mut s, ctrl('s'));
    assert!(matches!(
        fx.as_slice(),
        [Effect::UpdateConnection {
            update: ConnectionUpdate::BearerToken { token: Some(_) },
            ..
        }]
    ));
    update(&mut s, key(KeyCode::Esc));
    select(&mut s, "zendesk");
    update(&mut s, ch('e'));
    assert!(s.modal.is_none(), "oauth connections are not edited here");
}

#[test]
fn delete_asks_first_naming_the_connection() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    let fx = update(&mut s, ch('d'));
    assert!(fx.is_empty());
    let Some(Modal::ConfirmDelete { key: k }) = &s.modal else {
        panic!()
    };
    assert_eq!(k.name, "salesforce_prod");
    update(&mut s, ch('n'));
    assert!(s.modal.is_none());
    update(&mut s, ch('d'));
    let fx = update(&mut s, ch('y'));
    let [Effect::DeleteConnection { req, key: k }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(k.name, "salesforce_prod");
    update(
        &mut s,
        Action::Deleted {
            req: *req,
            key: k.clone(),
            result: Ok(()),
        },
    );
    assert!(!names(&s).contains(&"salesforce_prod".to_string()));
}

/// Delete the selected connection, the server agreeing.
fn delete_selected(s: &mut State) {
    update(s, ch('d'));
    let fx = update(s, ch('y'));
    let [Effect::DeleteConnection { req, key: k }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let (req, k) = (*req, k.clone());
    update(
        s,
        Action::Deleted {
            req,
            key: k,
            result: Ok(()),
        },
    );
}

#[test]
fn after_a_delete_the_selection_goes_to_the_neighbouring_row() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    let before = names(&s);
    let at = before.iter().position(|n| n == "salesforce_prod").unwrap();
    assert!(at > 0 && at + 1 < before.len(), "{before:?}");
    select(&mut s, "salesforce_prod");
    delete_selected(&mut s);
    assert_eq!(
        selected_name(&s),
        Some(before[at + 1].clone()),
        "the next row"
    );
    // The last row's neighbour is the one before it.
    update(&mut s, ch('/'));
    type_text(&mut s, "hubspot");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(names(&s), ["hubspot_legacy_key", "hubspot_private_app"]);
    select(&mut s, "hubspot_private_app");
    delete_selected(&mut s);
    assert_eq!(
        selected_name(&s).as_deref(),
        Some("hubspot_legacy_key"),
        "the row before"
    );
}

#[test]
fn rotation_shows_the_password_before_anything_is_sent() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    let fx = update(&mut s, ch('r'));
    assert!(
        fx.is_empty(),
        "nothing is applied before the admin has the password"
    );
    let shown = rotation(&s).items[0].password.expose_secret().to_string();
    assert_eq!(shown.chars().count(), PASSWORD_LENGTH);
    assert!(!rotation(&s).revealed);
    update(&mut s, ch('v'));
    assert!(rotation(&s).revealed);
    let fx = update(&mut s, ch('c'));
    match fx.as_slice() {
        [Effect::Copy { text, clear_after }] => {
            assert!(text.expose_secret() == shown);
            assert_eq!(*clear_after, Some(Duration::from_secs(30)));
        }
        other => panic!("{other:?}"),
    }
    let fx = update(&mut s, key(KeyCode::Enter));
    let [Effect::ApplyPassword {
        req,
        key: k,
        password,
        before,
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert!(
        password.expose_secret() == shown,
        "the password applied is the one shown"
    );
    assert_eq!(k.name, "salesforce_prod");
    assert!(before.is_some());
    assert_eq!(rotation(&s).phase(), RotPhase::Applying);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_some(), "Esc while applying only warns");
    update(
        &mut s,
        Action::PasswordApplied {
            req: *req,
            key: k.clone(),
            result: Ok(Applied {
                updated_at: Some(NOW),
                verified: true,
            }),
        },
    );
    assert_eq!(
        rotation(&s).items[0].status,
        RotStatus::Applied { verified: true }
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none(), "dismissed, the password is forgotten");
}

#[test]
fn a_rotation_whose_answer_was_lost_keeps_the_password() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    update(&mut s, ch('r'));
    update(&mut s, key(KeyCode::Enter));
    let fx = update(&mut s, ch('y'));
    let Some(Effect::ApplyPassword { req, key: k, .. }) = fx.into_iter().next() else {
        panic!()
    };
    let mut lost = Error::new(ErrorKind::Network, "the connection failed before an answer");
    lost.may_have_applied = true;
    update(
        &mut s,
        Action::PasswordApplied {
            req,
            key: k,
            result: Err(lost),
        },
    );
    let RotStatus::Unknown(msg) = &rotation(&s).items[0].status else {
        panic!()
    };
    assert!(msg.contains("may"));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_some(), "one Esc does not forget it");
    assert!(rotation(&s).confirm_discard);
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "still unseen: asks"
    );
    assert!(rotation(&s).confirm_apply);
    let fx = update(&mut s, ch('y'));
    assert!(
        matches!(fx.as_slice(), [Effect::ApplyPassword { .. }]),
        "Enter, y retries"
    );
}

#[test]
fn rotate_several_marked_connections_skipping_other_kinds() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "hubspot_legacy_key");
    update(&mut s, ch(' '));
    select(&mut s, "salesforce_prod");
    update(&mut s, ch(' '));
    update(&mut s, ch(' '));
    assert_eq!(s.marked.len(), 3);
    update(&mut s, ch('r'));
    let r = rotation(&s);
    assert_eq!(r.items.len(), 2);
    assert_eq!(r.skipped, 1);
    assert!(r.items[0].password.expose_secret() != r.items[1].password.expose_secret());
    update(&mut s, key(KeyCode::Enter));
    let fx = update(&mut s, ch('y'));
    assert_eq!(fx.len(), 2);
    for e in fx {
        if let Effect::ApplyPassword { req, key: k, .. } = e {
            update(
                &mut s,
                Action::PasswordApplied {
                    req,
                    key: k,
                    result: Ok(Applied {
                        updated_at: Some(NOW),
                        verified: true,
                    }),
                },
            );
        }
    }
    assert!(rotation(&s).all_applied());
    assert_eq!(s.marked.len(), 1, "the rotated ones are unmarked");
}

#[test]
fn rotating_a_non_basic_auth_connection_explains_why_not() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "hubspot_private_app");
    update(&mut s, ch('r'));
    assert!(s.modal.is_none());
    assert!(matches!(
        s.banner,
        Some(Banner {
            level: Level::Warn,
            ..
        })
    ));
}

#[test]
fn readonly_refuses_every_mutation() {
    let mut s = loaded(120, 40);
    s.ctx.readonly = true;
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    for c in ['n', 'e', 'r', 'd', 'I'] {
        let fx = update(&mut s, ch(c));
        assert!(fx.is_empty());
        assert!(s.modal.is_none(), "{c} opened something in read-only mode");
        assert!(s
            .banner
            .as_ref()
            .is_some_and(|b| b.text.contains("read-only")));
    }
    update(&mut s, ch(':'));
    type_text(&mut s, "register x");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.modal.is_none());
}

#[test]
fn register_shows_the_client_secret_masked_once() {
    let mut s = loaded(120, 40);
    update(&mut s, ch(':'));
    type_text(&mut s, "register new_int A new one");
    update(&mut s, key(KeyCode::Enter));
    let f = form(&s);
    assert_eq!(
        f.field(FieldId::IntegrationName).unwrap().text().as_str(),
        "new_int"
    );
    assert_eq!(
        f.field(FieldId::Description).unwrap().text().as_str(),
        "A new one"
    );
    let fx = update(&mut s, key(KeyCode::Enter));
    let [Effect::RegisterIntegration { req, name, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(name, "new_int");
    let mut i = integration("new_int", "A new one", 20001);
    i.jwt_public_key = None;
    update(
        &mut s,
        Action::Registered {
            req: *req,
            name: name.clone(),
            result: Ok(RegisteredIntegration {
                integration: i,
                client_secret: Some(PW.to_string().into()),
            }),
        },
    );
    let Some(Modal::Registered(r)) = &s.modal else {
        panic!()
    };
    assert!(!r.revealed);
    assert!(s.entry("new_int").is_some());
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_some(), "not seen yet: one Esc warns");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
}

#[test]
fn rate_limits_are_reported_and_count_down() {
    let mut s = loaded(120, 40);
    update(
        &mut s,
        Action::Client(ClientEvent::RateLimited {
            wait: Duration::from_secs(2),
            attempt: 1,
        }),
    );
    let (text, ticks) = s.rate_note.clone().unwrap();
    assert_eq!(text, "rate limited, waiting 2 s");
    assert_eq!(ticks, 2 * TICKS_PER_SEC);
    assert!(s.needs_tick());
    for _ in 0..ticks {
        update(&mut s, Action::Tick);
    }
    assert!(s.rate_note.is_none());
}

#[test]
fn quit_keys_and_signals() {
    let mut s = loaded(120, 40);
    assert!(matches!(
        update(&mut s, ch('q')).as_slice(),
        [Effect::Quit(0)]
    ));
    // Ctrl-C exits 130; from an untouched form at once.
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    assert!(matches!(
        update(&mut s, ctrl('c')).as_slice(),
        [Effect::Quit(130)]
    ));
    // A form with something typed asks first, as Esc does; any other key goes back.
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    update(&mut s, ch('x'));
    assert!(update(&mut s, ctrl('c')).is_empty(), "asked, not quit");
    let Some(Modal::Form(f)) = &s.modal else {
        panic!("the form stays")
    };
    assert!(f.error.as_deref().unwrap_or("").contains("again quits"));
    update(&mut s, ch('y'));
    assert!(
        update(&mut s, ctrl('c')).is_empty(),
        "asks again after going back"
    );
    assert!(matches!(
        update(&mut s, ctrl('c')).as_slice(),
        [Effect::Quit(130)]
    ));
    let mut s = loaded(120, 40);
    assert!(matches!(
        update(&mut s, Action::Terminate(143)).as_slice(),
        [Effect::Quit(143)]
    ));
    let mut s = loaded(120, 40);
    update(&mut s, ch(':'));
    type_text(&mut s, "q");
    assert!(matches!(
        update(&mut s, key(KeyCode::Enter)).as_slice(),
        [Effect::Quit(0)]
    ));
}

#[test]
fn unknown_commands_and_errors_are_banners() {
    let mut s = loaded(120, 40);
    update(&mut s, ch(':'));
    type_text(&mut s, "frobnicate");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.banner.as_ref().is_some_and(|b| b.level == Level::Error));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.banner.is_none(), "Esc dismisses the banner");
}

#[test]
fn first_run_offers_the_demo() {
    let mut s = State::first_run(None, NOW);
    assert!(init(&mut s).is_empty());
    let fx = update(&mut s, ch('d'));
    assert!(matches!(fx.as_slice(), [Effect::StartDemo]));
    let fx = update(&mut s, Action::DemoStarted(Ok(ctx())));
    assert_eq!(s.screen, Screen::Main);
    assert!(matches!(fx.as_slice(), [Effect::LoadIntegrations { .. }]));
    let mut s = State::first_run(None, NOW);
    update(&mut s, ch('d'));
    update(&mut s, Action::DemoStarted(Err("port in use".into())));
    assert!(matches!(&s.screen, Screen::FirstRun(f) if f.error.is_some()));
}

#[test]
fn debug_output_never_holds_a_secret() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('n'));
    fill_create_form(&mut s, "my_conn", "bob", PW, "api.example.com");
    let fx = update(&mut s, ctrl('s'));
    assert!(!format!("{fx:?}").contains(PW));
    assert!(!format!("{s:?}").contains(PW));
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    update(&mut s, ch('r'));
    let pw = rotation(&s).items[0].password.expose_secret().to_string();
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(!format!("{fx:?}").contains(&pw));
    assert!(!format!("{s:?}").contains(&pw));
    let a = Action::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    assert!(format!("{a:?}").contains("Key"));
}

fn log_entry(action: &str, connection: &str, outcome: &str) -> crate::auditlog::Entry {
    crate::auditlog::Entry {
        time: "2026-11-22T10:00:00.000Z".into(),
        profile: "test".into(),
        account: None,
        integration: "acme_crm_sync".into(),
        connection: Some(connection.into()),
        action: action.into(),
        kind: Some("basic_auth".into()),
        fields: vec!["password".into()],
        outcome: outcome.into(),
        id: None,
    }
}

#[test]
fn audit_log_opens_reads_newest_first_and_closes() {
    let mut s = loaded(120, 40);
    let fx = update(&mut s, ch('L'));
    assert!(matches!(fx.as_slice(), [Effect::LoadAuditLog]));
    assert!(matches!(
        s.modal,
        Some(Modal::AuditLog { entries: None, .. })
    ));
    update(
        &mut s,
        Action::AuditLogLoaded(Ok(vec![
            log_entry("create", "first", "ok"),
            log_entry("update", "second", "ok"),
        ])),
    );
    match &s.modal {
        Some(Modal::AuditLog {
            entries: Some(Ok(e)),
            ..
        }) => assert_eq!(e[0].connection.as_deref(), Some("second")),
        other => panic!("expected the loaded audit log, got {other:?}"),
    }
    update(&mut s, ch('j'));
    assert!(matches!(s.modal, Some(Modal::AuditLog { scroll: 1, .. })));
    update(&mut s, ch('j'));
    assert!(
        matches!(s.modal, Some(Modal::AuditLog { scroll: 1, .. })),
        "stops at the end"
    );
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
    // An answer after the window closed changes nothing; :log opens it too.
    update(&mut s, Action::AuditLogLoaded(Ok(vec![])));
    assert!(s.modal.is_none());
    press(&mut s, ":log");
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(fx.as_slice(), [Effect::LoadAuditLog]));
}

/// The table rows as the plain algorithm orders them (filter every row, one owned key per
/// row, stable sort): what the derived ranks and haystacks must reproduce exactly.
fn reference_rows(s: &State) -> Vec<Row> {
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Primary {
        None,
        Num(i64),
        Str(String),
    }
    let all = s.is_all_view();
    let entries: Vec<usize> = match &s.left_sel {
        LeftSel::All => (0..s.integrations.len()).collect(),
        LeftSel::Integration(n) => s.entry_index(n).into_iter().collect(),
    };
    let mut matcher = s.table_filter.matcher();
    let mut rows = Vec::new();
    for ei in entries {
        let e = &s.integrations[ei];
        for (ci, c) in e.connections.iter().flatten().enumerate() {
            let audit = s.audit_at(ei, ci);
            if all && s.only_findings && audit.is_none_or(|a| a.findings.is_empty()) {
                continue;
            }
            let score = match &mut matcher {
                None => 0,
                Some(m) => {
                    let hay = format!(
                        "{} {} {} {} {} ",
                        c.name,
                        c.kind.as_str(),
                        c.principal(),
                        c.allowed_domain,
                        if all { e.name() } else { "" }
                    );
                    match m.score(&hay) {
                        Some(sc) => sc,
                        None => continue,
                    }
                }
            };
            rows.push((
                score,
                Row {
                    entry: ei,
                    conn: ci,
                },
            ));
        }
    }
    let sort = s.sort();
    let ranked = matcher.as_ref().is_some_and(|m| m.ranks());
    let mut keyed: Vec<_> = rows
        .into_iter()
        .map(|(score, r)| {
            let (e, c) = s.row_connection(r).unwrap();
            let primary = match sort.key {
                SortKey::Name => Primary::None,
                SortKey::Kind => Primary::Num(c.kind as i64),
                SortKey::Age => Primary::Num(
                    s.audit_at(r.entry, r.conn)
                        .and_then(|a| a.age_days)
                        .unwrap_or(i64::MAX),
                ),
                SortKey::Domain => Primary::Str(c.allowed_domain.to_lowercase()),
                SortKey::Integration => Primary::Str(e.name().to_string()),
            };
            let rank = std::cmp::Reverse(if ranked { score } else { 0 });
            let key = (rank, primary, c.name.to_lowercase(), e.name().to_string());
            (key, r)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    if sort.descending {
        if ranked {
            keyed.sort_by(|a, b| a.0 .0.cmp(&b.0 .0).then(b.0.cmp(&a.0)));
        } else {
            keyed.reverse();
        }
    }
    keyed.into_iter().map(|(_, r)| r).collect()
}

#[test]
fn table_rows_match_the_plain_algorithm_for_every_sort_and_filter() {
    use ConnectionKind::*;
    let mut s = State::new(ctx(), NOW);
    s.size = (160, 50);
    let fx = init(&mut s);
    // Names that tie, differ only in case, are not ASCII; shared and mixed-case domains.
    let list = |i: usize| -> Vec<crate::zis::Connection> {
        let mut v = Vec::new();
        for j in 0..40usize {
            let kind = [BasicAuth, ApiKey, BearerToken, OAuth][j % 4];
            let name = match j % 5 {
                0 => format!("Svc_{}", j / 3),
                1 => format!("svc_{}", j / 3),
                2 => format!("Ωmega_{j}"),
                3 => format!("beta-{}", (j * 7) % 11),
                _ => format!("ALPHA{j}"),
            };
            let domain = ["api.Example.com", "api.example.com", "10.0.0.1", "Zeta.io"][(i + j) % 4];
            let principal = if j % 2 == 0 {
                "X-Key"
            } else {
                "svc@acme.example"
            };
            v.push(conn(
                kind,
                &name,
                principal,
                domain,
                900,
                ((i * 31 + j * 17) % 300) as i64,
            ));
        }
        // Names are unique per integration and kind.
        v.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        v.dedup_by(|a, b| a.kind == b.kind && a.name == b.name);
        v
    };
    for e in fx {
        if let Effect::LoadIntegrations { req } = e {
            let ints = vec![
                integration("zeta_int", "", 1),
                integration("Alpha_int", "", 2),
                integration("mid_int", "", 3),
            ];
            let fx = update(
                &mut s,
                Action::IntegrationsLoaded {
                    req,
                    result: Ok(ints),
                    now: NOW,
                },
            );
            for (i, e) in fx.into_iter().enumerate() {
                if let Effect::LoadConnections { req, integration } = e {
                    update(
                        &mut s,
                        Action::ConnectionsLoaded {
                            req,
                            integration,
                            result: Ok(list(i)),
                            token: None,
                            now: NOW,
                        },
                    );
                }
            }
        }
    }
    assert!(s.total_connections() > 90);
    let filters = [
        ("", FilterMode::Substring),
        ("svc", FilterMode::Substring),
        ("SVC example", FilterMode::Substring),
        ("ωmega", FilterMode::Substring),
        ("alpha_int", FilterMode::Substring),
        ("api key", FilterMode::Substring),
        ("svc", FilterMode::Fuzzy),
        ("aex", FilterMode::Fuzzy),
        ("mid", FilterMode::Fuzzy),
    ];
    let views = [
        LeftSel::All,
        LeftSel::Integration("mid_int".into()),
        LeftSel::Integration("Alpha_int".into()),
    ];
    let keys = [
        SortKey::Name,
        SortKey::Kind,
        SortKey::Age,
        SortKey::Domain,
        SortKey::Integration,
    ];
    for view in &views {
        for only_findings in [false, true] {
            for (text, mode) in &filters {
                for key in keys {
                    for descending in [false, true] {
                        s.left_sel = view.clone();
                        s.only_findings = only_findings;
                        s.table_filter = Filter {
                            text: text.to_string(),
                            mode: *mode,
                        };
                        let sort = Sort { key, descending };
                        if s.is_all_view() {
                            s.sort_all = sort;
                        } else {
                            s.sort_one = sort;
                        }
                        s.recompute_rows();
                        assert_eq!(
                            s.rows,
                            reference_rows(&s),
                            "{view:?} findings={only_findings} /{text} {mode:?} {key:?} desc={descending}"
                        );
                    }
                }
            }
        }
    }
}

/// The answers of a first load, in the order the effects asked for them.
fn load_answers(fx: Vec<Effect>) -> Vec<Action> {
    fx.into_iter()
        .map(|e| match e {
            Effect::LoadConnections { req, integration } => Action::ConnectionsLoaded {
                req,
                result: Ok(connections(&integration)),
                integration,
                token: Some(crate::zis::TokenSource::Minted),
                now: NOW,
            },
            Effect::LoadBundles { req, integration } => Action::BundlesLoaded {
                req,
                result: Ok(crate::app::testing::bundles(&integration)),
                integration,
            },
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn a_burst_of_answers_ends_where_one_update_per_answer_ends() {
    let start = |all: bool| {
        let mut s = State::new(ctx(), NOW);
        let req = match init(&mut s).as_slice() {
            [Effect::LoadIntegrations { req }] => *req,
            other => panic!("{other:?}"),
        };
        let fx = update(
            &mut s,
            Action::IntegrationsLoaded {
                req,
                result: Ok(integrations()),
                now: NOW,
            },
        );
        if all {
            update(&mut s, ch('a'));
        }
        (s, load_answers(fx))
    };
    for all in [false, true] {
        let (mut one_by_one, answers) = start(all);
        for a in answers {
            update(&mut one_by_one, a);
        }
        let (mut burst, answers) = start(all);
        let fx = update_all(&mut burst, answers);
        assert!(fx.is_empty(), "{fx:?}");
        assert_eq!(burst.deferred, None);
        assert_eq!(names(&burst), names(&one_by_one));
        assert_eq!(burst.audit, one_by_one.audit);
        assert_eq!(burst.widest, one_by_one.widest);
        assert_eq!(burst.table_sel, one_by_one.table_sel);
        assert_eq!(burst.left_sel, one_by_one.left_sel);
        assert_eq!(burst.scroll, one_by_one.scroll);
        assert!(!burst.busy());
    }
    // A burst with nothing to recompute still leaves the table as it was.
    let mut s = loaded(120, 40);
    let before = names(&s);
    update_all(&mut s, [Action::Tick]);
    assert_eq!(names(&s), before);
}

#[test]
fn esc_asks_again_before_discarding_a_generated_password() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    update(&mut s, ch('n'));
    // Name, Username, then the password field.
    type_text(&mut s, "new_conn");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "bob");
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ctrl('g'));
    update(&mut s, key(KeyCode::Esc));
    let f = form(&s);
    assert!(f.confirm_discard);
    assert!(f.error.as_deref().is_some_and(|e| e.contains("Esc again")));
    // Any other key goes back to editing; the next Esc asks again.
    update(&mut s, key(KeyCode::Tab));
    assert!(!form(&s).confirm_discard);
    update(&mut s, key(KeyCode::Esc));
    assert!(form(&s).confirm_discard);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none(), "the second Esc discards");

    // A form whose password was only typed closes on the first Esc.
    update(&mut s, ch('n'));
    type_text(&mut s, "other");
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
}

#[test]
fn paging_moves_by_the_rows_the_view_reports() {
    let mut s = big(120, 40, 500);
    focus_table(&mut s);
    let at = |s: &State| s.selected_index().expect("a selection");
    assert_eq!(at(&s), 0);

    // Until a frame reports otherwise, a page is what the default terminal shows.
    let mut fresh = big(120, 40, 500);
    fresh.table_rows = DEFAULT_TABLE_ROWS;
    focus_table(&mut fresh);
    update(&mut fresh, key(KeyCode::PageDown));
    assert_eq!(at(&fresh), DEFAULT_TABLE_ROWS - 1);

    // A page keeps one row of the last one in sight.
    assert!(update(&mut s, Action::Viewport { table_rows: 7 }).is_empty());
    assert_eq!(s.table_rows, 7);
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(at(&s), 6);
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(at(&s), 12);
    update(&mut s, ctrl('d'));
    assert_eq!(at(&s), 18);

    update(&mut s, Action::Viewport { table_rows: 30 });
    update(&mut s, key(KeyCode::PageDown));
    assert_eq!(at(&s), 47);
    update(&mut s, key(KeyCode::PageUp));
    assert_eq!(at(&s), 18);
    update(&mut s, ctrl('u'));
    assert_eq!(at(&s), 0);
    // No report is smaller than one row.
    update(&mut s, Action::Viewport { table_rows: 0 });
    assert_eq!(s.table_rows, 1);
}

#[test]
fn scrolling_keeps_the_selection_in_the_reported_rows() {
    let mut s = big(120, 40, 500);
    focus_table(&mut s);
    update(&mut s, Action::Viewport { table_rows: 10 });
    update(&mut s, ch('G'));
    assert_eq!(s.selected_index(), Some(499));
    assert_eq!(s.scroll, 490);
    // Moving up inside the page does not scroll; past its top it does.
    for _ in 0..9 {
        update(&mut s, ch('k'));
    }
    assert_eq!(s.scroll, 490);
    update(&mut s, ch('k'));
    assert_eq!(s.scroll, 489);

    // A smaller view (a banner, a resize) scrolls so that the selection stays in it.
    update(&mut s, ch('g'));
    for _ in 0..20 {
        update(&mut s, ch('j'));
    }
    assert_eq!(s.scroll, 11);
    update(&mut s, Action::Viewport { table_rows: 5 });
    assert_eq!(s.scroll, 16);
    // A larger one does not move what is at the top.
    update(&mut s, Action::Viewport { table_rows: 40 });
    assert_eq!(s.scroll, 16);
}

// ----- rotated passwords are never let go of unseen (issue 13, item 2) ---------------------

/// Enter while nobody has revealed or copied the password asks; anything but y goes back and
/// sends nothing; copied, Enter applies at once (issue 14).
#[test]
fn enter_asks_before_applying_an_unseen_password() {
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    update(&mut s, ch('r'));
    assert!(
        update(&mut s, key(KeyCode::Enter)).is_empty(),
        "asked, not sent"
    );
    assert!(rotation(&s).confirm_apply);
    assert!(update(&mut s, key(KeyCode::Esc)).is_empty());
    assert!(s.modal.is_some(), "Esc answers no; the window stays");
    assert!(!rotation(&s).confirm_apply);
    assert!(update(&mut s, ch('y')).is_empty(), "y alone does nothing");
    update(&mut s, ch('c'));
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(fx.iter().any(|e| matches!(e, Effect::ApplyPassword { .. })));
}

/// Rotate salesforce_prod and apply it: the window, with its one item applied (verified).
fn applied_rotation(s: &mut State) {
    focus_table(s);
    select(s, "salesforce_prod");
    update(s, ch('r'));
    update(s, key(KeyCode::Enter));
    let fx = update(s, ch('y'));
    let Some(Effect::ApplyPassword { req, key: k, .. }) = fx.into_iter().next() else {
        panic!("no PATCH")
    };
    update(
        s,
        Action::PasswordApplied {
            req,
            key: k,
            result: Ok(Applied {
                updated_at: Some(NOW),
                verified: true,
            }),
        },
    );
    assert!(rotation(s).all_applied());
}

#[test]
fn an_applied_password_nobody_saw_takes_two_esc() {
    let mut s = loaded(120, 40);
    applied_rotation(&mut s);
    assert_eq!(rotation(&s).at_risk(), 1);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_some(), "applied and verified, but nobody has it");
    assert!(rotation(&s).confirm_discard);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none(), "the second Esc forgets it");
    // Copied: one Esc closes.
    let mut s = loaded(120, 40);
    applied_rotation(&mut s);
    update(&mut s, ch('c'));
    assert_eq!(rotation(&s).at_risk(), 0);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
}

#[test]
fn ctrl_c_in_a_rotation_asks_then_keeps_what_would_be_lost() {
    // Applying, never seen: ask; the second Ctrl-C keeps it (status unknown) and exits 130.
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    update(&mut s, ch('r'));
    let pw = rotation(&s).items[0].password.expose_secret().to_string();
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, ch('y'));
    assert!(update(&mut s, ctrl('c')).is_empty(), "asked, not quit");
    assert!(rotation(&s).confirm_quit);
    match update(&mut s, ctrl('c')).as_slice() {
        [Effect::KeepPasswords(k), Effect::Quit(130)] => {
            assert_eq!(k.len(), 1);
            assert!(k[0].password.expose_secret() == pw);
            assert_eq!(k[0].status, "unknown");
            assert_eq!(k[0].key.name, "salesforce_prod");
        }
        other => panic!("{other:?}"),
    }
    // Any other key in between disarms it.
    let mut s = loaded(120, 40);
    applied_rotation(&mut s);
    update(&mut s, ctrl('c'));
    update(&mut s, ch('j'));
    assert!(!rotation(&s).confirm_quit);
    assert!(update(&mut s, ctrl('c')).is_empty());
    // Nothing sent, nothing seen: Ctrl-C quits at once, with 130.
    let mut s = loaded(120, 40);
    focus_table(&mut s);
    select(&mut s, "salesforce_prod");
    update(&mut s, ch('r'));
    assert!(matches!(
        update(&mut s, ctrl('c')).as_slice(),
        [Effect::Quit(130)]
    ));
}

#[test]
fn a_signal_keeps_the_applied_passwords_nobody_saw() {
    let mut s = loaded(120, 40);
    applied_rotation(&mut s);
    match update(&mut s, Action::Terminate(129)).as_slice() {
        [Effect::KeepPasswords(k), Effect::Quit(129)] => {
            assert_eq!(k.len(), 1);
            assert_eq!((k[0].status, k[0].verified), ("applied", true));
        }
        other => panic!("{other:?}"),
    }
    // Revealed: the admin has it; nothing to keep.
    let mut s = loaded(120, 40);
    applied_rotation(&mut s);
    update(&mut s, ch('v'));
    assert!(matches!(
        update(&mut s, Action::Terminate(143)).as_slice(),
        [Effect::Quit(143)]
    ));
    let fx = format!("{:?}", {
        let mut s = loaded(120, 40);
        applied_rotation(&mut s);
        update(&mut s, Action::Terminate(143))
    });
    assert!(fx.contains("[REDACTED]"), "{fx}");
}

#[test]
fn kept_passwords_are_announced_at_start() {
    let mut s = State::new(ctx(), NOW);
    s.kept_passwords = 2;
    init(&mut s);
    let b = s.banner.as_ref().expect("a banner");
    assert_eq!(
        b.text,
        "2 rotated passwords were kept: run `zisctl rotate --recover`"
    );
    assert_eq!(b.ttl, None, "until dismissed");
}

/// An error banner does not stay for good: a successful reload ends it, and so does a while
/// (issue 14). What the audit log cannot record is not touched here.
#[test]
fn an_error_banner_ends_with_a_successful_reload_or_after_a_while() {
    let mut s = loaded(120, 40);
    update(&mut s, ch(':'));
    type_text(&mut s, "nonsense");
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&s.banner, Some(b) if b.level == Level::Error));
    for _ in 0..(30 * crate::app::state::TICKS_PER_SEC) {
        update(&mut s, Action::Tick);
    }
    assert!(s.banner.is_none(), "gone after a while");

    // R: "refreshing…" (not a ✓), then the answer ends the banner.
    update(&mut s, ch(':'));
    type_text(&mut s, "nonsense");
    update(&mut s, key(KeyCode::Enter));
    let fx = update(&mut s, ch('R'));
    assert!(matches!(&s.banner, Some(b) if b.text == "refreshing…"));
    let Some(Effect::LoadIntegrations { req }) = fx.into_iter().next() else {
        panic!("no reload")
    };
    let list = s
        .integrations
        .iter()
        .map(|e| e.integration.clone())
        .collect();
    update(
        &mut s,
        Action::IntegrationsLoaded {
            req,
            result: Ok(list),
            now: NOW,
        },
    );
    assert!(
        s.banner.is_none(),
        "{:?}",
        s.banner.as_ref().map(|b| &b.text)
    );
}

/// Moving to an integration whose connections still wait in the worker's queue asks for them
/// next; one already loaded asks nothing.
#[test]
fn the_integration_on_screen_is_loaded_first() {
    let mut s = State::new(ctx(), NOW);
    s.size = (120, 40);
    let fx = init(&mut s);
    let Some(Effect::LoadIntegrations { req }) = fx
        .into_iter()
        .find(|e| matches!(e, Effect::LoadIntegrations { .. }))
    else {
        panic!("the integrations are asked for")
    };
    let fx = update(
        &mut s,
        Action::IntegrationsLoaded {
            req,
            result: Ok(integrations()),
            now: NOW,
        },
    );
    let queued: Vec<String> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::LoadConnections { integration, .. } => Some(integration.clone()),
            _ => None,
        })
        .collect();
    assert!(queued.len() > 2, "{queued:?}");
    assert_eq!(s.focus, Pane::Integrations);
    let fx = update(&mut s, ch('j'));
    let LeftSel::Integration(now) = s.left_sel.clone() else {
        panic!("an integration is selected")
    };
    assert_ne!(Some(&now), queued.first(), "the selection moved");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadFirst { integration } if *integration == now)),
        "{fx:?}"
    );
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::LoadConnections { .. })),
        "not asked twice: {fx:?}"
    );
    // Once loaded, coming back asks nothing.
    answer_loads(&mut s, fx);
    let mut rest = Vec::new();
    for name in &queued {
        let req = s.entry(name).and_then(|e| e.loading);
        if let Some(req) = req {
            rest.extend(update(
                &mut s,
                Action::ConnectionsLoaded {
                    req,
                    integration: name.clone(),
                    result: Ok(connections(name)),
                    token: None,
                    now: NOW,
                },
            ));
        }
    }
    let fx = update(&mut s, ch('k'));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::LoadFirst { .. })),
        "{fx:?}"
    );
}

/// `:` keeps the lines run: Up goes back through them, Down forward and back to the draft.
#[test]
fn the_command_line_has_a_history() {
    let mut s = loaded(120, 40);
    let line = |s: &State| s.input.as_ref().map(|i| i.text());
    for cmd in ["sort age", "all", "all", "sort name"] {
        update(&mut s, ch(':'));
        type_text(&mut s, cmd);
        update(&mut s, key(KeyCode::Enter));
    }
    assert_eq!(
        s.command_history,
        ["sort age", "all", "sort name"],
        "no repeats"
    );
    update(&mut s, ch(':'));
    type_text(&mut s, "fi");
    update(&mut s, key(KeyCode::Up));
    assert_eq!(line(&s).as_deref(), Some("sort name"));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Up));
    assert_eq!(line(&s).as_deref(), Some("sort age"), "stops at the oldest");
    update(&mut s, key(KeyCode::Down));
    assert_eq!(line(&s).as_deref(), Some("all"));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(line(&s).as_deref(), Some("fi"), "back to what was typed");
    // A line from the history runs as typed.
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Up));
    assert_eq!(line(&s).as_deref(), Some("sort age"));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(s.sort().key, SortKey::Age);
    // The filter line has no history: Up does nothing there.
    update(&mut s, ch('/'));
    type_text(&mut s, "x");
    update(&mut s, key(KeyCode::Up));
    assert_eq!(line(&s).as_deref(), Some("x"));
}

/// The All view opened while the account still loads: the selection stays on the first row
/// as older connections arrive and sort in above, rather than keep a row further down.
#[test]
fn the_all_view_keeps_its_first_row_selected_while_the_account_loads() {
    let mut s = State::new(ctx(), NOW);
    s.size = (120, 40);
    let fx = init(&mut s);
    // The registry and billing_bridge's connections first; acme_crm_sync's, which hold the
    // oldest one, later.
    let mut later = Vec::new();
    let mut now_fx = Vec::new();
    for e in answer_loads_only_registry(&mut s, fx) {
        match e {
            Effect::LoadConnections {
                ref integration, ..
            } if integration == "billing_bridge" => now_fx.push(e),
            other => later.push(other),
        }
    }
    later.extend(answer_loads(&mut s, now_fx));
    report_viewport(&mut s, 120, 40);
    update(&mut s, ch('a'));
    assert_eq!(s.selected_index(), Some(0));
    let top = s.selected_connection().map(|(_, c)| c.name.clone());
    answer_loads(&mut s, later);
    let now_top = s.selected_connection().map(|(_, c)| c.name.clone());
    assert_ne!(top, now_top, "an older connection sorted in above");
    let all: usize = s
        .integrations
        .iter()
        .filter_map(|e| e.connections.as_ref().map(Vec::len))
        .sum();
    assert_eq!(s.rows.len(), all, "everything loaded");
    assert_eq!(s.selected_index(), Some(0), "the selection stays on top");
}

/// Answer the registry listing in `fx`; the other effects are returned unanswered.
fn answer_loads_only_registry(state: &mut State, fx: Vec<Effect>) -> Vec<Effect> {
    let mut rest = Vec::new();
    for e in fx {
        match e {
            Effect::LoadIntegrations { req } => rest.extend(update(
                state,
                Action::IntegrationsLoaded {
                    req,
                    result: Ok(integrations()),
                    now: NOW,
                },
            )),
            other => rest.push(other),
        }
    }
    rest
}
