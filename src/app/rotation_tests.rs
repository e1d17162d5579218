//! `update` tests of the rotation window with recipes: the steps advance on their answers, a
//! failed step keeps the password and Enter retries it, closing or quitting with a password
//! set at the target but not in ZIS asks, and quitting keeps it.
use crossterm::event::KeyCode;
use secrecy::ExposeSecret;

use super::testing::*;
use super::*;
use crate::rotation::{Mark, Step, StepFailed};
use crate::zis::{Applied, Error, ErrorKind};

fn rotation(s: &State) -> &Rotation {
    match &s.modal {
        Some(Modal::Rotation(r)) => r,
        other => panic!("expected the rotation screen, got {other:?}"),
    }
}

/// The state with the fixture account, salesforce_* having a recipe with a test, and the
/// table focused on `name`.
fn with_recipe(name: &str) -> State {
    let mut s = loaded(120, 40);
    s.recipes = recipes(
        "acme_crm_sync/salesforce_prod",
        Some("https://login.salesforce.com/ping"),
    );
    s.recovery = true;
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, ch('g'));
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.name.as_str()) == Some(name) {
            return s;
        }
        update(&mut s, ch('j'));
    }
    panic!("no row {name}");
}

/// Mark the row `name` (space).
fn mark(s: &mut State, name: &str) {
    update(s, ch('g'));
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.name.as_str()) == Some(name) {
            update(s, ch(' '));
            return;
        }
        update(s, ch('j'));
    }
    panic!("no row {name}");
}

fn held_req(fx: &[Effect]) -> ReqId {
    match fx {
        [Effect::HoldPasswords { req, .. }] => *req,
        other => panic!("expected the recovery store first, got {other:?}"),
    }
}

/// The one `RunAtTarget` among `fx`: (req, step, whether it carries `pw`).
fn at_target(fx: &[Effect], pw: &str) -> (ReqId, Step) {
    let runs: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::RunAtTarget { req, step, job } => {
                assert!(job.password.expose_secret() == pw, "the password shown");
                Some((*req, *step))
            }
            _ => None,
        })
        .collect();
    assert_eq!(runs.len(), 1, "{fx:?}");
    runs[0]
}

fn done(s: &mut State, req: ReqId, step: Step, result: Result<&str, &str>) -> Vec<Effect> {
    update(
        s,
        Action::AtTargetDone {
            req,
            key: rotation(s).items[0].key.clone(),
            step,
            result: result
                .map(str::to_string)
                .map_err(|e| StepFailed(e.to_string())),
        },
    )
}

/// r, Enter, the store took it: the set is running. Returns the password and the set's req.
fn started(s: &mut State) -> (String, ReqId) {
    update(s, ch('r'));
    let pw = rotation(s).items[0].password.expose_secret().to_string();
    let fx = update(s, key(KeyCode::Enter));
    let req = held_req(&fx);
    let Effect::HoldPasswords { passwords, .. } = &fx[0] else {
        unreachable!()
    };
    assert_eq!(passwords.len(), 1);
    assert_eq!(passwords[0].status, AT_TARGET);
    assert!(passwords[0].password.expose_secret() == pw);
    assert!(
        rotation(s).items[0].progress.get(Step::Set) == Mark::Waiting,
        "nothing is set before the store holds it"
    );
    let fx = update(
        s,
        Action::PasswordsHeld {
            req,
            result: Ok(true),
        },
    );
    let (set, step) = at_target(&fx, &pw);
    assert_eq!(step, Step::Set);
    (pw, set)
}

#[test]
fn a_recipe_runs_set_test_apply_verify_on_its_answers_and_forgets_the_kept_copy() {
    let mut s = with_recipe("salesforce_prod");
    update(&mut s, ch('r'));
    let item = &rotation(&s).items[0];
    assert_eq!(
        item.recipe.as_ref().map(|r| r.pattern.as_str()),
        Some("acme_crm_sync/salesforce_prod")
    );
    assert_eq!(
        item.progress.line(),
        "generate ✓ → set · → test · → apply · → verify ·"
    );
    update(&mut s, key(KeyCode::Esc));
    let (pw, set) = started(&mut s);
    assert!(
        !rotation(&s).confirm_apply,
        "a recipe's password need not be seen"
    );
    assert_eq!(rotation(&s).items[0].progress.get(Step::Set), Mark::Running);
    let fx = done(&mut s, set, Step::Set, Ok("set it"));
    let (test, step) = at_target(&fx, &pw);
    assert_eq!(step, Step::Test);
    assert!(!fx.iter().any(|e| matches!(e, Effect::ApplyPassword { .. })));
    let fx = done(
        &mut s,
        test,
        Step::Test,
        Ok("GET https://login.salesforce.com/ping answered 200"),
    );
    let [Effect::ApplyPassword {
        req,
        key: k,
        password,
        ..
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert!(password.expose_secret() == pw);
    assert_eq!(
        rotation(&s).items[0].progress.line(),
        "generate ✓ → set ✓ → test ✓ → apply … → verify ·"
    );
    let fx = update(
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
    match fx.as_slice() {
        [Effect::ForgetPasswords(k), Effect::LoadConnections { .. }] => {
            assert_eq!(k.len(), 1);
            assert!(k[0].password.expose_secret() == pw);
        }
        other => panic!("{other:?}"),
    }
    let r = rotation(&s);
    assert_eq!(
        r.items[0].progress.line(),
        "generate ✓ → set ✓ → test ✓ → apply ✓ → verify ✓"
    );
    assert_eq!(r.at_risk(), 0, "the target and ZIS both hold it");
    assert!(!r.items[0].held);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none(), "done: one Esc closes");
}

#[test]
fn a_failed_set_applies_nothing_keeps_the_password_and_enter_retries_the_set() {
    let mut s = with_recipe("salesforce_prod");
    let (pw, set) = started(&mut s);
    let fx = done(&mut s, set, Step::Set, Err("exited with status 3: nope"));
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::ApplyPassword { .. } | Effect::RunAtTarget { .. })),
        "nothing applied in ZIS: {fx:?}"
    );
    let item = &rotation(&s).items[0];
    assert_eq!(item.status, RotStatus::TargetFailed { step: Step::Set });
    assert_eq!(item.progress.get(Step::Set), Mark::Failed);
    assert!(item.outcome.as_deref().unwrap_or("").contains("nope"));
    assert!(item.password.expose_secret() == pw, "still held");
    assert!(item.at_risk(), "the target may hold it already");
    // Revealing still works.
    update(&mut s, ch('v'));
    assert!(rotation(&s).revealed);
    // Enter runs the set again, with the same password, without a second store write.
    let fx = update(&mut s, key(KeyCode::Enter));
    let (_, step) = at_target(&fx, &pw);
    assert_eq!(step, Step::Set);
    assert!(!fx.iter().any(|e| matches!(e, Effect::HoldPasswords { .. })));
}

#[test]
fn a_failed_test_retries_the_test_and_a_failed_apply_retries_the_apply() {
    let mut s = with_recipe("salesforce_prod");
    let (pw, set) = started(&mut s);
    let fx = done(&mut s, set, Step::Set, Ok("set"));
    let (test, _) = at_target(&fx, &pw);
    let fx = done(&mut s, test, Step::Test, Err("answered 401, expected 200"));
    assert!(fx.is_empty(), "{fx:?}");
    let fx = update(&mut s, key(KeyCode::Enter));
    let (test, step) = at_target(&fx, &pw);
    assert_eq!(step, Step::Test, "the failed step, not the set");
    let fx = done(&mut s, test, Step::Test, Ok("answered 200"));
    let Some(Effect::ApplyPassword { req, key: k, .. }) = fx.into_iter().next() else {
        panic!()
    };
    update(
        &mut s,
        Action::PasswordApplied {
            req,
            key: k,
            result: Err(Error::new(ErrorKind::Server, "boom")),
        },
    );
    let item = &rotation(&s).items[0];
    assert!(matches!(item.status, RotStatus::Failed(_)));
    assert_eq!(item.progress.get(Step::Apply), Mark::Failed);
    assert!(rotation(&s).ask());
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(
        matches!(fx.as_slice(), [Effect::ApplyPassword { password, .. }] if password.expose_secret() == pw),
        "Enter applies it again: {fx:?}"
    );
}

#[test]
fn closing_with_a_password_set_at_the_target_but_not_in_zis_asks() {
    let mut s = with_recipe("salesforce_prod");
    let (_, set) = started(&mut s);
    done(&mut s, set, Step::Set, Err("exited with status 3: nope"));
    update(&mut s, ch('v'));
    update(&mut s, key(KeyCode::Esc));
    assert!(
        s.modal.is_some(),
        "seen, but the target may hold it and ZIS does not"
    );
    assert!(rotation(&s).confirm_discard);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
    let text = s
        .banner
        .as_ref()
        .map(|b| b.text.clone())
        .unwrap_or_default();
    assert!(text.contains("recovery store"), "{text}");
}

#[test]
fn quitting_while_a_recipe_runs_asks_then_keeps_the_password_at_target() {
    let mut s = with_recipe("salesforce_prod");
    let (pw, set) = started(&mut s);
    done(&mut s, set, Step::Set, Ok("set"));
    assert!(update(&mut s, ctrl('c')).is_empty(), "asked, not quit");
    match update(&mut s, ctrl('c')).as_slice() {
        [Effect::KeepPasswords(k), Effect::Quit(130)] => {
            assert_eq!(k.len(), 1);
            assert!(k[0].password.expose_secret() == pw);
            assert_eq!(k[0].status, AT_TARGET);
        }
        other => panic!("{other:?}"),
    }
    // A signal keeps it too.
    let mut s = with_recipe("salesforce_prod");
    let (_, set) = started(&mut s);
    done(&mut s, set, Step::Set, Err("nope"));
    assert!(matches!(
        update(&mut s, Action::Terminate(143)).as_slice(),
        [Effect::KeepPasswords(k), Effect::Quit(143)] if k[0].status == AT_TARGET
    ));
}

#[test]
fn a_store_that_refuses_the_password_sets_nothing_and_enter_tries_again() {
    let mut s = with_recipe("salesforce_prod");
    update(&mut s, ch('r'));
    let req = held_req(&update(&mut s, key(KeyCode::Enter)));
    let fx = update(
        &mut s,
        Action::PasswordsHeld {
            req,
            result: Err("disk full".into()),
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    let item = &rotation(&s).items[0];
    assert_eq!(item.status, RotStatus::Ready);
    assert!(!item.touched);
    assert!(item.outcome.as_deref().unwrap_or("").contains("disk full"));
    held_req(&update(&mut s, key(KeyCode::Enter)));
}

#[test]
fn marked_rows_run_independently_and_manual_ones_keep_the_question() {
    let mut s = with_recipe("salesforce_prod");
    s.recipes = recipes("acme_crm_sync/*_prod", None);
    mark(&mut s, "salesforce_prod");
    mark(&mut s, "salesforce_sandbox");
    update(&mut s, ch('r'));
    let r = rotation(&s);
    assert_eq!(r.items.len(), 2);
    let manual = r.items.iter().position(|i| i.recipe.is_none()).unwrap();
    assert_eq!(r.items[manual].key.name, "salesforce_sandbox");
    assert_eq!(r.items[manual].progress.get(Step::Set), Mark::Manual);
    // The manual one was never seen: asked first; y starts both.
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
    assert!(rotation(&s).confirm_apply);
    let fx = update(&mut s, ch('y'));
    assert_eq!(fx.len(), 2, "{fx:?}");
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::HoldPasswords { passwords, .. } if passwords.len() == 1)));
    assert!(fx.iter().any(
        |e| matches!(e, Effect::ApplyPassword { key, .. } if key.name == "salesforce_sandbox")
    ));
}

#[test]
fn one_failing_recipe_does_not_stop_the_others() {
    let mut s = loaded(120, 40);
    s.recipes = recipes("*/*", None);
    update(&mut s, key(KeyCode::Tab));
    mark(&mut s, "salesforce_prod");
    mark(&mut s, "salesforce_sandbox");
    update(&mut s, ch('r'));
    let n = rotation(&s).items.len();
    assert_eq!(n, 2);
    let req = held_req(&update(&mut s, key(KeyCode::Enter)));
    let fx = update(
        &mut s,
        Action::PasswordsHeld {
            req,
            result: Ok(false),
        },
    );
    let sets: Vec<(ReqId, ConnKey)> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::RunAtTarget { req, job, .. } => Some((*req, job.key.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        sets.len(),
        n,
        "every set starts at once (the worker bounds them)"
    );
    let (bad, rest) = sets.split_first().unwrap();
    update(
        &mut s,
        Action::AtTargetDone {
            req: bad.0,
            key: bad.1.clone(),
            step: Step::Set,
            result: Err(StepFailed("nope".into())),
        },
    );
    for (req, key) in rest {
        let fx = update(
            &mut s,
            Action::AtTargetDone {
                req: *req,
                key: key.clone(),
                step: Step::Set,
                result: Ok("set".into()),
            },
        );
        assert!(
            matches!(fx.as_slice(), [Effect::ApplyPassword { key: k, .. }] if k == key),
            "no test: straight to ZIS: {fx:?}"
        );
    }
    let r = rotation(&s);
    assert_eq!(
        r.items
            .iter()
            .filter(|i| matches!(i.status, RotStatus::TargetFailed { .. }))
            .count(),
        1
    );
    assert!(
        !r.items.iter().any(|i| i.held),
        "no store (Ok(false)): nothing held"
    );
}
