//! View snapshots (insta, TestBackend, 80×24 and 120×40) of the rotation window with recipes:
//! ready, a step running, a failed set, done, and marked connections with and without a
//! recipe. The generated passwords are never in the buffer (never revealed here).
mod common;

use common::screen::{render, text_of, SIZES};

use crossterm::event::KeyCode;
use secrecy::ExposeSecret;
use zisctl::app::testing::{ch, key, loaded, recipes, NOW};
use zisctl::app::{update, Action, Effect, Modal, State};
use zisctl::rotation::{Step, StepFailed};
use zisctl::zis::Applied;

fn snap(name: &str, state_at: impl Fn(u16, u16) -> State) {
    for (w, h) in SIZES {
        let state = state_at(w, h);
        let t = render(&state, w, h);
        let screen = text_of(&t);
        if let Some(Modal::Rotation(r)) = &state.modal {
            for i in &r.items {
                let on_screen = screen.contains(i.password.expose_secret());
                assert!(!on_screen, "{name}: a password's plaintext is on screen");
            }
        }
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

/// The fixture account with a recipe for salesforce_prod (with a test), the table focused.
fn with_recipe(w: u16, h: u16) -> State {
    let mut s = loaded(w, h);
    s.recipes = recipes(
        "acme_crm_sync/salesforce_prod",
        Some("https://login.salesforce.com/services/ping"),
    );
    s.recovery = true;
    update(&mut s, key(KeyCode::Tab));
    s
}

fn on(s: &mut State, name: &str) {
    update(s, ch('g'));
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.name.as_str()) == Some(name) {
            return;
        }
        update(s, ch('j'));
    }
    panic!("no row {name}");
}

fn ready(w: u16, h: u16) -> State {
    let mut s = with_recipe(w, h);
    on(&mut s, "salesforce_prod");
    update(&mut s, ch('r'));
    s
}

/// Enter, the store holds it: the set is running. Its req.
fn set_running(s: &mut State) -> u64 {
    let fx = update(s, key(KeyCode::Enter));
    let Some(Effect::HoldPasswords { req, .. }) = fx.into_iter().next() else {
        panic!("the store first")
    };
    let fx = update(
        s,
        Action::PasswordsHeld {
            req,
            result: Ok(true),
        },
    );
    match fx.into_iter().next() {
        Some(Effect::RunAtTarget { req, .. }) => req,
        other => panic!("{other:?}"),
    }
}

fn answer(s: &mut State, req: u64, step: Step, result: Result<&str, &str>) -> Vec<Effect> {
    let Some(Modal::Rotation(r)) = &s.modal else {
        panic!()
    };
    let key = r.items[0].key.clone();
    update(
        s,
        Action::AtTargetDone {
            req,
            key,
            step,
            result: result
                .map(str::to_string)
                .map_err(|e| StepFailed(e.to_string())),
        },
    )
}

/// The set answered: the test is running.
fn test_running(w: u16, h: u16) -> (State, u64) {
    let mut s = ready(w, h);
    let req = set_running(&mut s);
    let fx = answer(
        &mut s,
        req,
        Step::Set,
        Ok("set the password of zendesk.integration@acme-corp.com"),
    );
    match fx.into_iter().next() {
        Some(Effect::RunAtTarget { req, .. }) => (s, req),
        other => panic!("{other:?}"),
    }
}

#[test]
fn rotation_with_a_recipe_ready() {
    snap("rotation_recipe_ready", ready);
}

#[test]
fn rotation_with_a_recipe_testing() {
    snap("rotation_recipe_testing", |w, h| test_running(w, h).0);
}

#[test]
fn rotation_with_a_recipe_whose_set_failed() {
    snap("rotation_recipe_set_failed", |w, h| {
        let mut s = ready(w, h);
        let req = set_running(&mut s);
        answer(&mut s, req, Step::Set, Err("exited with status 3: nope"));
        s
    });
}

#[test]
fn rotation_with_a_recipe_done() {
    snap("rotation_recipe_done", |w, h| {
        let (mut s, req) = test_running(w, h);
        let fx = answer(
            &mut s,
            req,
            Step::Test,
            Ok("GET https://login.salesforce.com/services/ping answered 200"),
        );
        let Some(Effect::ApplyPassword { req, key: k, .. }) = fx.into_iter().next() else {
            panic!("no apply")
        };
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
        s
    });
}

#[test]
fn rotation_with_a_recipe_closing_asks() {
    snap("rotation_recipe_close_asks", |w, h| {
        let (mut s, _) = test_running(w, h);
        update(&mut s, key(KeyCode::Esc));
        s
    });
}

#[test]
fn rotation_of_marked_connections_with_and_without_a_recipe() {
    snap("rotation_recipe_mixed", |w, h| {
        let mut s = with_recipe(w, h);
        on(&mut s, "salesforce_prod");
        update(&mut s, ch(' '));
        on(&mut s, "salesforce_sandbox");
        update(&mut s, ch(' '));
        update(&mut s, ch('r'));
        s
    });
}
