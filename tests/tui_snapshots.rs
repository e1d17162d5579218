//! View snapshots (insta, TestBackend) at 80×24 and 120×40. Every screen is also checked for
//! the plaintext of the secrets typed or generated in it: they must not be in the buffer.
mod common;

use common::screen::{render, text_of, SIZES};
use std::time::Duration;

use crossterm::event::KeyCode;
use secrecy::ExposeSecret;
use zisctl::app::testing::{ch, ctrl, key, loaded, shift_tab, type_text, NOW};
use zisctl::app::{update, Action, Effect, Modal, State};
use zisctl::zis::Applied;
use zisctl::zis::{ClientEvent, Error, ErrorKind, RegisteredIntegration};

/// A password typed into forms; it must never be drawn in clear unless revealed.
const TYPED: &str = "Hunter2-Canary-Pw";

/// Compare without ever printing the secret.
fn assert_absent(screen: &str, secret: &str, what: &str) {
    assert!(!secret.is_empty());
    let found = screen.contains(secret);
    assert!(!found, "{what}: a secret's plaintext is on screen");
}

fn snap(name: &str, state_at: impl Fn(u16, u16) -> State) {
    for (w, h) in SIZES {
        let state = state_at(w, h);
        let t = render(&state, w, h);
        let screen = text_of(&t);
        assert_absent(&screen, TYPED, name);
        for s in secrets_in(&state) {
            assert_absent(&screen, &s, name);
        }
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

/// The plaintext of every secret the state holds (rotation passwords, client secrets).
fn secrets_in(state: &State) -> Vec<String> {
    match &state.modal {
        Some(Modal::Rotation(r)) => r
            .items
            .iter()
            .map(|i| i.password.expose_secret().to_string())
            .collect(),
        Some(Modal::Registered(r)) => r
            .secret
            .iter()
            .map(|s| s.expose_secret().to_string())
            .collect(),
        _ => Vec::new(),
    }
}

fn table(w: u16, h: u16) -> State {
    let mut s = loaded(w, h);
    update(&mut s, key(KeyCode::Tab));
    s
}

fn on(w: u16, h: u16, name: &str) -> State {
    let mut s = table(w, h);
    update(&mut s, ch('g'));
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.name.as_str()) == Some(name) {
            return s;
        }
        update(&mut s, ch('j'));
    }
    panic!("no row {name}");
}

fn tab(s: &mut State) {
    update(s, key(KeyCode::Tab));
}

fn filled_create(w: u16, h: u16) -> State {
    let mut s = table(w, h);
    update(&mut s, ch('n'));
    type_text(&mut s, "my_conn");
    tab(&mut s);
    type_text(&mut s, "bob@example.com");
    tab(&mut s);
    type_text(&mut s, TYPED);
    tab(&mut s);
    type_text(&mut s, "api.example.com");
    s
}

fn submitted(s: &mut State) -> u64 {
    let fx = update(s, ctrl('s'));
    match fx.as_slice() {
        [Effect::CreateConnection { req, .. }]
        | [Effect::UpdateConnection { req, .. }]
        | [Effect::RegisterIntegration { req, .. }] => *req,
        other => panic!("{other:?}"),
    }
}

fn rotation_ready(w: u16, h: u16) -> State {
    let mut s = on(w, h, "salesforce_prod");
    update(&mut s, ch('r'));
    s
}

fn rotation_applied(w: u16, h: u16, result: Result<Applied, Error>) -> State {
    let mut s = rotation_ready(w, h);
    // Nobody revealed or copied it: Enter asks, y applies anyway.
    update(&mut s, key(KeyCode::Enter));
    let fx = update(&mut s, ch('y'));
    let Some(Effect::ApplyPassword { req, key: k, .. }) = fx.into_iter().next() else {
        panic!("no apply")
    };
    update(
        &mut s,
        Action::PasswordApplied {
            req,
            key: k,
            result,
        },
    );
    s
}

#[test]
fn list() {
    snap("list", table);
}

#[test]
fn list_integrations_focused() {
    snap("list_integrations_focused", |w, h| {
        let mut s = loaded(w, h);
        update(&mut s, ch('j'));
        s
    });
}

#[test]
fn list_all_view() {
    snap("list_all", |w, h| {
        let mut s = loaded(w, h);
        update(&mut s, ch('a'));
        s
    });
}

#[test]
fn list_filtered_with_marks() {
    snap("list_filtered", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('/'));
        type_text(&mut s, "sales");
        update(&mut s, ch(' '));
        s
    });
}

#[test]
fn list_readonly() {
    snap("list_readonly", |w, h| {
        let mut s = table(w, h);
        s.ctx.readonly = true;
        s
    });
}

#[test]
fn loading_and_rate_limited() {
    snap("loading_rate_limited", |w, h| {
        let mut s = State::new(zisctl::app::testing::ctx(), NOW);
        s.size = (w, h);
        zisctl::app::init(&mut s);
        update(
            &mut s,
            Action::Client(ClientEvent::RateLimited {
                wait: Duration::from_secs(7),
                attempt: 1,
            }),
        );
        s
    });
}

#[test]
fn details() {
    snap("details", |w, h| {
        let mut s = on(w, h, "salesforce_sandbox");
        update(&mut s, key(KeyCode::Enter));
        s
    });
}

/// `n` in the All view: which integration, filtered by what is typed (`s` keeps two).
#[test]
fn pick_integration_in_the_all_view() {
    snap("pick_integration", |w, h| {
        let mut s = loaded(w, h);
        update(&mut s, ch('a'));
        update(&mut s, ch('n'));
        s
    });
    snap("pick_integration_filtered", |w, h| {
        let mut s = loaded(w, h);
        update(&mut s, ch('a'));
        update(&mut s, ch('n'));
        type_text(&mut s, "s");
        update(&mut s, key(KeyCode::Down));
        s
    });
}

#[test]
fn form_create_basic_auth() {
    snap("form_create_basic_auth", filled_create);
}

#[test]
fn form_create_api_key() {
    snap("form_create_api_key", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('n'));
        update(&mut s, shift_tab());
        update(&mut s, key(KeyCode::Right));
        tab(&mut s);
        type_text(&mut s, "crm_key");
        tab(&mut s);
        type_text(&mut s, "X-API-Key");
        tab(&mut s);
        type_text(&mut s, TYPED);
        s
    });
}

#[test]
fn form_create_bearer_token() {
    snap("form_create_bearer_token", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('n'));
        update(&mut s, shift_tab());
        update(&mut s, key(KeyCode::Left));
        tab(&mut s);
        type_text(&mut s, "crm_token");
        tab(&mut s);
        type_text(&mut s, TYPED);
        s
    });
}

#[test]
fn form_invalid() {
    snap("form_invalid", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('n'));
        type_text(&mut s, "x!");
        tab(&mut s);
        type_text(&mut s, "bob:smith");
        tab(&mut s);
        tab(&mut s);
        type_text(&mut s, "https://api.example.com/v2");
        update(&mut s, ctrl('s'));
        s
    });
}

#[test]
fn form_edit_basic_auth() {
    snap("form_edit_basic_auth", |w, h| {
        let mut s = on(w, h, "salesforce_prod");
        update(&mut s, ch('e'));
        type_text(&mut s, TYPED);
        s
    });
}

#[test]
fn form_edit_api_key() {
    snap("form_edit_api_key", |w, h| {
        let mut s = on(w, h, "hubspot_legacy_key");
        update(&mut s, ch('e'));
        type_text(&mut s, TYPED);
        s
    });
}

#[test]
fn form_edit_bearer_token() {
    snap("form_edit_bearer_token", |w, h| {
        let mut s = on(w, h, "hubspot_private_app");
        update(&mut s, ch('e'));
        type_text(&mut s, TYPED);
        s
    });
}

#[test]
fn form_register() {
    snap("form_register", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('I'));
        type_text(&mut s, "returns_portal");
        tab(&mut s);
        type_text(&mut s, "RMA tickets from the returns portal");
        s
    });
}

#[test]
fn form_failed_403_keeps_fields_and_shows_banner() {
    snap("form_failed_403", |w, h| {
        let mut s = filled_create(w, h);
        let req = submitted(&mut s);
        let err = Error::from_response(
            403,
            br#"{"errors":[{"code":"Forbidden","title":"Cannot access this resource. Missing scope write"}]}"#,
        )
        .with_context("create basic_auth connection acme_crm_sync/my_conn");
        update(
            &mut s,
            Action::Created {
                req,
                integration: "acme_crm_sync".into(),
                result: Err(err),
            },
        );
        s
    });
}

#[test]
fn form_submitting() {
    snap("form_submitting", |w, h| {
        let mut s = filled_create(w, h);
        submitted(&mut s);
        s
    });
}

#[test]
fn error_banner() {
    snap("error_banner", |w, h| {
        let mut s = table(w, h);
        let fx = update(&mut s, ch('R'));
        let Some(Effect::LoadIntegrations { req }) = fx.into_iter().next() else {
            panic!()
        };
        let mut e = Error::from_response(401, b"Authorization failed due to integration mismatch");
        e = e.with_context("list integrations");
        let _ = ErrorKind::Unauthorized;
        update(
            &mut s,
            Action::IntegrationsLoaded {
                req,
                result: Err(e),
                now: NOW,
            },
        );
        s
    });
}

#[test]
fn hostile_server_strings_are_neutralised() {
    for (w, h) in SIZES {
        let mut s = table(w, h);
        let fx = update(&mut s, ch('R'));
        let Some(Effect::LoadIntegrations { req }) = fx.into_iter().next() else {
            panic!()
        };
        let e = Error::new(ErrorKind::Server, "boom \u{1b}]52;c;aGk=\u{7} \u{1b}[2J");
        update(
            &mut s,
            Action::IntegrationsLoaded {
                req,
                result: Err(e),
                now: NOW,
            },
        );
        let t = render(&s, w, h);
        let screen = text_of(&t);
        assert!(!screen.contains('\u{1b}'));
        assert!(!screen.contains('\u{7}'));
    }
}

#[test]
fn help() {
    snap("help", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('?'));
        s
    });
}

/// F1 in a form (where `?` is typed): the form's keys, over the form, which stays as typed.
#[test]
fn help_form() {
    snap("help_form", |w, h| {
        let mut s = filled_create(w, h);
        update(&mut s, key(KeyCode::F(1)));
        s
    });
}

/// `?` in the rotation window: its keys, over the window.
#[test]
fn help_rotation() {
    snap("help_rotation", |w, h| {
        let mut s = rotation_ready(w, h);
        update(&mut s, ch('?'));
        s
    });
}

#[test]
fn audit_log() {
    snap("audit_log", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('L'));
        let entry =
            |action: &str, conn: &str, fields: &[&str], outcome: &str| zisctl::auditlog::Entry {
                time: "2026-11-22T10:00:00.000Z".into(),
                profile: "prod".into(),
                account: None,
                integration: "acme_crm_sync".into(),
                connection: Some(conn.into()),
                action: action.into(),
                kind: Some("basic_auth".into()),
                fields: fields.iter().map(|f| f.to_string()).collect(),
                outcome: outcome.into(),
                id: None,
            };
        update(
            &mut s,
            Action::AuditLogLoaded(Ok(vec![
                entry("create", "salesforce_prod", &["username", "password"], "ok"),
                entry("update", "salesforce_prod", &["password"], "ok"),
                entry("delete", "old_conn", &[], "failed: Forbidden (403)"),
                // Longer than any line: wrapped whole under the entry, its end still drawn.
                entry(
                    "update",
                    "netsuite_suitetalk",
                    &["password"],
                    "failed: update basic_auth connection acme_crm_sync/netsuite_suitetalk: \
                     The allowed domain does not match the one of the connection, and the \
                     server refused the change (422 InvalidConnection); END-OF-FAILURE",
                ),
            ])),
        );
        s
    });
}

#[test]
fn confirm_delete() {
    snap("confirm_delete", |w, h| {
        let mut s = on(w, h, "salesforce_prod");
        update(&mut s, ch('d'));
        s
    });
}

#[test]
fn rotation_step_one() {
    snap("rotation_ready", rotation_ready);
}

#[test]
fn rotation_asks_before_applying_a_password_nobody_has() {
    snap("rotation_apply_anyway", |w, h| {
        let mut s = rotation_ready(w, h);
        update(&mut s, key(KeyCode::Enter));
        s
    });
}

#[test]
fn rotation_result() {
    snap("rotation_result", |w, h| {
        rotation_applied(
            w,
            h,
            Ok(Applied {
                updated_at: Some(NOW),
                verified: true,
            }),
        )
    });
}

#[test]
fn rotation_answer_lost() {
    snap("rotation_lost", |w, h| {
        let mut e = Error::new(ErrorKind::Network, "the connection failed before an answer");
        e.may_have_applied = true;
        rotation_applied(w, h, Err(e))
    });
}

#[test]
fn rotation_revealed_shows_the_password_only_then() {
    for (w, h) in SIZES {
        let mut s = rotation_ready(w, h);
        let Some(Modal::Rotation(r)) = &s.modal else {
            panic!()
        };
        let pw = r.items[0].password.expose_secret().to_string();
        assert!(!text_of(&render(&s, w, h)).contains(&pw));
        update(&mut s, ch('v'));
        let shown = text_of(&render(&s, w, h)).contains(&pw);
        assert!(shown, "v reveals the new password");
        update(&mut s, ch('v'));
        assert!(!text_of(&render(&s, w, h)).contains(&pw));
    }
}

#[test]
fn form_reveal_shows_the_typed_password_only_then() {
    for (w, h) in SIZES {
        let mut s = filled_create(w, h);
        update(&mut s, ctrl('r'));
        assert!(text_of(&render(&s, w, h)).contains(TYPED));
        update(&mut s, ctrl('r'));
        assert!(!text_of(&render(&s, w, h)).contains(TYPED));
    }
}

#[test]
fn registered_secret() {
    snap("registered", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('I'));
        type_text(&mut s, "returns_portal");
        let req = submitted(&mut s);
        update(
            &mut s,
            Action::Registered {
                req,
                name: "returns_portal".into(),
                result: Ok(RegisteredIntegration {
                    integration: zisctl::app::testing::integration("returns_portal", "", 20001),
                    client_secret: Some("client-secret-canary-0123456789abcdef".to_string().into()),
                }),
            },
        );
        s
    });
}

#[test]
fn first_run() {
    snap("first_run", |w, h| {
        let mut s = State::first_run(Some("/home/ada/.config/zisctl/config.toml".into()), NOW);
        s.size = (w, h);
        s
    });
}

#[test]
fn no_color_still_shows_focus_and_selection() {
    let mut s = table(80, 24);
    s.color = false;
    let t = render(&s, 80, 24);
    let buf = t.backend().buffer();
    let any_reversed = buf
        .content()
        .iter()
        .any(|c| c.modifier.contains(ratatui::style::Modifier::REVERSED));
    assert!(any_reversed, "the selection is reversed without colours");
    let any_color = buf
        .content()
        .iter()
        .any(|c| c.fg != ratatui::style::Color::Reset || c.bg != ratatui::style::Color::Reset);
    assert!(!any_color, "NO_COLOR: no colour at all");
}

#[test]
fn the_selection_stays_in_sight_while_scrolling() {
    for (w, h) in SIZES {
        let mut s = zisctl::app::testing::big(w, h, 500);
        update(&mut s, key(KeyCode::Tab));
        let visible = |s: &State| {
            let name = s
                .selected_connection()
                .map(|(_, c)| c.name.clone())
                .unwrap_or_default();
            text_of(&render(s, w, h)).contains(&name)
        };
        update(&mut s, ch('G'));
        assert!(visible(&s));
        assert!(text_of(&render(&s, w, h)).contains("conn_0499"));
        let first_line_before = text_of(&render(&s, w, h));
        for _ in 0..3 {
            update(&mut s, ch('k'));
            assert!(visible(&s));
        }
        // Moving up inside the page does not scroll.
        assert_eq!(
            text_of(&render(&s, w, h)).lines().nth(3),
            first_line_before.lines().nth(3)
        );
        for _ in 0..100 {
            update(&mut s, ch('k'));
            assert!(visible(&s));
        }
        update(&mut s, key(KeyCode::PageDown));
        assert!(visible(&s));
        update(&mut s, ch('g'));
        assert!(text_of(&render(&s, w, h)).contains("conn_0000"));
    }
}
