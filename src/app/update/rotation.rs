//! The rotation window: its keys, and the answers to its steps. A connection with a recipe
//! runs generate → set at target → test at target → apply in ZIS → verify in ZIS, each step a
//! worker effect answered by an action, independently of the others; one without a recipe
//! keeps the two-step flow (the admin sets it by hand, then Enter applies it in ZIS).
//!
//! A recipe's password is in the recovery store (and on this screen) before its first set at
//! the target, and forgotten from the store once ZIS holds it (applied and verified).
use crate::app::action::{Effect, TargetJob};
use crate::app::keymap::Command;
use crate::app::modal::{KeptPassword, Modal, RotItem, RotPhase, RotStatus, Rotation, AT_TARGET};
use crate::app::model::{ConnKey, Level, ReqId};
use crate::app::state::State;
use crate::rotation::{Mark, Step, StepFailed};
use crate::zis::{Applied, Error};

use super::{banner, copied_text, error_text, load_connections, CLIPBOARD_CLEAR};

pub(super) fn rotation_key(
    state: &mut State,
    mut rot: Box<Rotation>,
    command: Option<Command>,
    fx: &mut Vec<Effect>,
) {
    let phase = rot.phase();
    let was_armed = std::mem::replace(&mut rot.confirm_discard, false);
    let was_asked = std::mem::replace(&mut rot.confirm_apply, false);
    rot.confirm_quit = false;
    // "apply anyway?": y applies; Esc, Enter or any other key only goes back (copy, reveal and
    // the selection still work).
    if was_asked
        && !matches!(
            command,
            Some(Command::Confirm | Command::Copy | Command::Reveal | Command::Up | Command::Down)
        )
    {
        state.modal = Some(Modal::Rotation(rot));
        return;
    }
    match command {
        Some(Command::Close) => {
            // Applied and verified is not enough: a password nobody revealed or copied is
            // then in force and nowhere else.
            if !rot.ask() || was_armed {
                let kept = rot
                    .items
                    .iter()
                    .filter(|i| i.held && i.pending_at_target())
                    .count();
                if phase == RotPhase::Ready {
                    banner(
                        state,
                        Level::Info,
                        "rotation cancelled: nothing was changed",
                    );
                } else if kept > 0 {
                    banner(
                        state,
                        Level::Warn,
                        format!(
                            "{kept} new password(s) set at the target but not in ZIS stay in the \
                             recovery store: `zisctl rotate --recover` prints them"
                        ),
                    );
                }
                return;
            }
            rot.confirm_discard = true;
        }
        Some(Command::Down) => {
            rot.selected = (rot.selected + 1).min(rot.items.len().saturating_sub(1));
        }
        Some(Command::Up) => rot.selected = rot.selected.saturating_sub(1),
        Some(Command::Reveal) => {
            rot.revealed = !rot.revealed;
            if rot.revealed {
                for item in &mut rot.items {
                    item.seen = true;
                }
            }
        }
        Some(Command::Copy) => {
            if let Some(item) = rot.items.get_mut(rot.selected) {
                item.seen = true;
                fx.push(Effect::Copy {
                    text: item.password.clone(),
                    clear_after: Some(CLIPBOARD_CLEAR),
                });
                rot.copied = true;
                let text = copied_text(state, &format!("the new password of {}", item.key));
                banner(state, Level::Info, text);
            }
        }
        Some(Command::Confirm) if was_asked => run(state, &mut rot, fx),
        Some(Command::Apply) => {
            if !rot.items.iter().any(|i| i.next_on_enter().is_some()) {
                // Running, or done: nothing to start.
            } else if rot.unseen_to_send() > 0 {
                // ZIS would then hold a password that exists nowhere else.
                rot.confirm_apply = true;
            } else {
                run(state, &mut rot, fx);
            }
        }
        _ => {}
    }
    state.modal = Some(Modal::Rotation(rot));
}

/// Enter: every item takes its next step. A recipe's item not started yet first goes to the
/// recovery store (one write for all of them); a failed step runs again; an item without a
/// recipe is applied in ZIS (the admin set it by hand).
fn run(state: &mut State, rot: &mut Rotation, fx: &mut Vec<Effect>) {
    let mut hold: Option<(ReqId, Vec<KeptPassword>)> = None;
    for item in &mut rot.items {
        match item.next_on_enter() {
            None => {}
            Some(Step::Set) if item.status == RotStatus::Ready && !item.held => {
                let (req, list) = hold.get_or_insert_with(|| (state.next_req(), Vec::new()));
                list.push(kept(item, AT_TARGET));
                item.status = RotStatus::Holding(*req);
                item.outcome = None;
            }
            Some(step @ (Step::Set | Step::Test)) => start_at_target(state, item, step, fx),
            Some(_) => start_apply(state, item, fx),
        }
    }
    if let Some((req, passwords)) = hold {
        fx.push(Effect::HoldPasswords { req, passwords });
    }
}

fn kept(item: &RotItem, status: &'static str) -> KeptPassword {
    KeptPassword {
        key: item.key.clone(),
        password: item.password.clone(),
        status,
        verified: false,
    }
}

fn start_at_target(state: &mut State, item: &mut RotItem, step: Step, fx: &mut Vec<Effect>) {
    let Some(recipe) = item.recipe.clone() else {
        return;
    };
    let req = state.next_req();
    state
        .in_flight
        .insert(req, format!("{} {}", step.label(), item.key));
    item.status = RotStatus::AtTarget { step, req };
    item.progress.set(step, Mark::Running);
    if step == Step::Set {
        // From here on the target may hold it.
        item.touched = true;
    }
    fx.push(Effect::RunAtTarget {
        req,
        step,
        job: TargetJob {
            key: item.key.clone(),
            username: item.username.clone(),
            allowed_domain: item.allowed_domain.clone(),
            password: item.password.clone(),
            recipe,
        },
    });
}

fn start_apply(state: &mut State, item: &mut RotItem, fx: &mut Vec<Effect>) {
    let req = state.next_req();
    state
        .in_flight
        .insert(req, format!("rotating {}", item.key));
    item.status = RotStatus::Applying(req);
    item.progress.set(Step::Apply, Mark::Running);
    item.progress.set(Step::Verify, Mark::Waiting);
    fx.push(Effect::ApplyPassword {
        req,
        key: item.key.clone(),
        password: item.password.clone(),
        before: item.before,
    });
}

/// The open rotation window's item waiting for `req` (by its status).
fn waiting_item(state: &mut State, wants: impl Fn(&RotStatus) -> bool) -> Option<&mut RotItem> {
    match &mut state.modal {
        Some(Modal::Rotation(rot)) => rot.items.iter_mut().find(|i| wants(&i.status)),
        _ => None,
    }
}

/// The recovery store holds the recipe items' passwords (or there is none: the demo): their
/// sets start. If it could not take them, nothing is sent and Enter tries again.
pub(super) fn on_held(
    state: &mut State,
    req: ReqId,
    result: Result<bool, String>,
    fx: &mut Vec<Effect>,
) {
    let Some(Modal::Rotation(mut rot)) = state.modal.take() else {
        return;
    };
    let mut failed = None;
    for item in &mut rot.items {
        if item.status != RotStatus::Holding(req) {
            continue;
        }
        match &result {
            Ok(in_store) => {
                item.held = *in_store;
                start_at_target(state, item, Step::Set, fx);
            }
            Err(why) => {
                item.status = RotStatus::Ready;
                item.outcome = Some(format!(
                    "cannot keep it in the recovery store ({}): nothing was sent to the \
                     target; Enter tries again",
                    crate::sanitize::clean(why)
                ));
                failed = Some(why.clone());
            }
        }
    }
    state.modal = Some(Modal::Rotation(rot));
    if let Some(why) = failed {
        banner(
            state,
            Level::Error,
            format!("cannot keep the new passwords in the recovery store ({why}): nothing was set"),
        );
    }
}

/// A recipe's step at the target ended: on to the next step (test, or apply in ZIS), or stop
/// there with its outcome on screen (Enter runs it again).
pub(super) fn on_at_target(
    state: &mut State,
    req: ReqId,
    key: &ConnKey,
    step: Step,
    result: Result<String, StepFailed>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    let Some(Modal::Rotation(mut rot)) = state.modal.take() else {
        closed_window_note(state, key, step, &result);
        return;
    };
    let Some(item) = rot
        .items
        .iter_mut()
        .find(|i| i.status == RotStatus::AtTarget { step, req })
    else {
        state.modal = Some(Modal::Rotation(rot));
        closed_window_note(state, key, step, &result);
        return;
    };
    match result {
        Ok(line) => {
            item.progress.set(step, Mark::Ok);
            item.outcome = Some(format!("{}: {}", step.label(), line));
            let test = item.recipe.as_ref().is_some_and(|r| r.test.is_some());
            if step == Step::Set && test {
                start_at_target(state, item, Step::Test, fx);
            } else {
                start_apply(state, item, fx);
            }
        }
        Err(StepFailed(line)) => {
            item.progress.set(step, Mark::Failed);
            item.status = RotStatus::TargetFailed { step };
            item.outcome = Some(format!("{} failed: {line}", step.label()));
        }
    }
    state.modal = Some(Modal::Rotation(rot));
}

/// A step answered after its window was closed: say how it ended (nothing follows it).
fn closed_window_note(
    state: &mut State,
    key: &ConnKey,
    step: Step,
    result: &Result<String, StepFailed>,
) {
    let how = match result {
        Ok(line) => format!("done ({line})"),
        Err(e) => format!("failed ({e})"),
    };
    let kept = if state.recovery {
        "; its new password is in the recovery store: `zisctl rotate --recover`"
    } else {
        ""
    };
    banner(
        state,
        Level::Warn,
        format!(
            "{} of {key} {how} after its window was closed; not applied in ZIS{kept}",
            step.label()
        ),
    );
}

pub(super) fn on_password_applied(
    state: &mut State,
    req: ReqId,
    key: &ConnKey,
    result: Result<Applied, Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    let mut forget = None;
    let item = waiting_item(state, |s| *s == RotStatus::Applying(req));
    match (item, result) {
        (Some(item), Ok(applied)) => {
            item.status = RotStatus::Applied {
                verified: applied.verified,
            };
            item.progress.set(Step::Apply, Mark::Ok);
            if applied.verified {
                item.progress.set(Step::Verify, Mark::Ok);
                item.outcome = Some("verify in ZIS: applied, and its updated date moved".into());
                // Both sides hold it now: the recovery store's copy goes.
                if item.held {
                    item.held = false;
                    forget = Some(kept(item, AT_TARGET));
                }
            } else {
                item.progress.set(Step::Verify, Mark::Unknown);
                item.outcome = Some(
                    "verify in ZIS: applied, but the check could not confirm it (look at its \
                     updated date)"
                        .into(),
                );
            }
            // Rotated: no longer marked for rotation.
            state.marked.remove(key);
        }
        (Some(item), Err(e)) => {
            if e.may_have_applied {
                let text = format!(
                    "the answer was lost ({}): the new password may or may not be in force. \
                     Keep it; Enter applies it again",
                    crate::sanitize::clean(&e.message)
                );
                item.progress.set(Step::Apply, Mark::Unknown);
                item.outcome = Some(format!("apply in ZIS: {text}"));
                item.status = RotStatus::Unknown(text);
            } else {
                let text = error_text(&e);
                item.progress.set(Step::Apply, Mark::Failed);
                item.outcome = Some(format!("apply in ZIS failed: {text}"));
                item.status = RotStatus::Failed(text);
            }
        }
        (None, Ok(_)) => banner(
            state,
            Level::Info,
            format!("rotated {key} (its screen was closed)"),
        ),
        (None, Err(e)) => banner(
            state,
            Level::Error,
            format!("rotation of {key}: {}", error_text(&e)),
        ),
    }
    if let Some(k) = forget {
        fx.push(Effect::ForgetPasswords(vec![k]));
    }
    load_connections(state, &key.integration, fx);
}

/// Ctrl-C while a rotation window is open. Returns true when it only asked (one more Ctrl-C
/// quits); false: quit now, after keeping (`keep_rotated`) what would be lost.
pub(super) fn quit_from_rotation(state: &mut State, fx: &mut Vec<Effect>) -> bool {
    let Some(Modal::Rotation(rot)) = &mut state.modal else {
        return false;
    };
    if rot.ask() && !rot.confirm_quit {
        rot.confirm_quit = true;
        rot.confirm_discard = false;
        return true;
    }
    keep_rotated(state, fx);
    false
}

/// The program ends now (a confirmed Ctrl-C, SIGHUP, SIGTERM, the terminal gone): every
/// rotated password that would be lost (in force in ZIS and never revealed or copied, or set
/// at the target by a recipe and not verified in ZIS) goes to the recovery store (the runtime
/// writes it, in place of a copy held before; `zisctl rotate --recover` prints it).
pub(super) fn keep_rotated(state: &State, fx: &mut Vec<Effect>) {
    if let Some(Modal::Rotation(rot)) = &state.modal {
        let kept = rot.to_keep();
        if !kept.is_empty() {
            fx.push(Effect::KeepPasswords(kept));
        }
    }
}
