//! Keys in the windows over the main screen: help, details, confirm delete, the forms and
//! their submit, a rotation, the registered secret, the audit log.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::ExposeSecret;

use crate::app::action::Effect;
use crate::app::form::{FieldId, Form, Submission};
use crate::app::modal::{Modal, RegisteredView, RotPhase, RotStatus, Rotation};
use crate::app::model::Level;
use crate::app::state::State;
use crate::secret::{self, Charset};

use super::keys::main_key;
use super::{banner, CLIPBOARD_CLEAR, PASSWORD_LENGTH};

pub(super) fn open_audit_log(state: &mut State, fx: &mut Vec<Effect>) {
    state.modal = Some(Modal::AuditLog {
        entries: None,
        scroll: 0,
    });
    fx.push(Effect::LoadAuditLog);
}

pub(super) fn modal_key(state: &mut State, modal: Modal, key: KeyEvent, fx: &mut Vec<Effect>) {
    match modal {
        Modal::AuditLog { entries, scroll } => match key.code {
            KeyCode::Esc | KeyCode::Char('q' | 'L') | KeyCode::Enter => {}
            KeyCode::Down | KeyCode::Char('j') => {
                let max = entries
                    .as_ref()
                    .and_then(|e| e.as_ref().ok())
                    .map_or(0, |e| e.len().saturating_sub(1)) as u16;
                state.modal = Some(Modal::AuditLog {
                    entries,
                    scroll: scroll.saturating_add(1).min(max),
                })
            }
            KeyCode::Up | KeyCode::Char('k') => {
                state.modal = Some(Modal::AuditLog {
                    entries,
                    scroll: scroll.saturating_sub(1),
                })
            }
            _ => state.modal = Some(Modal::AuditLog { entries, scroll }),
        },
        Modal::Help { scroll } => match key.code {
            KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter => {}
            KeyCode::Down | KeyCode::Char('j') => {
                state.modal = Some(Modal::Help {
                    scroll: scroll.saturating_add(1).min(60),
                })
            }
            KeyCode::Up | KeyCode::Char('k') => {
                state.modal = Some(Modal::Help {
                    scroll: scroll.saturating_sub(1),
                })
            }
            _ => state.modal = Some(Modal::Help { scroll }),
        },
        Modal::Details => match key.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {}
            KeyCode::Char('e' | 'r' | 'd' | 'c') => main_key(state, key, fx),
            _ => state.modal = Some(Modal::Details),
        },
        Modal::ConfirmDelete { key: target } => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                let req = state.next_req();
                state.in_flight.insert(req, format!("deleting {target}"));
                fx.push(Effect::DeleteConnection { req, key: target });
            }
            KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('q') => {}
            _ => state.modal = Some(Modal::ConfirmDelete { key: target }),
        },
        Modal::Form(form) => form_key(state, form, key, fx),
        Modal::Rotation(rot) => rotation_key(state, rot, key, fx),
        Modal::Registered(reg) => registered_key(state, reg, key, fx),
    }
}

fn form_key(state: &mut State, mut form: Box<Form>, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.code == KeyCode::Esc {
        // A password the user has seen (generated or revealed) may already be set on the
        // target system: ask once more before it is thrown away.
        if form.secret_shown && !form.confirm_discard && form.pending.is_none() {
            form.confirm_discard = true;
            form.error =
                Some("Esc again discards this form and its password; Ctrl-S saves it".into());
            state.modal = Some(Modal::Form(form));
            return;
        }
        // Closing drops (and wipes) every field; an answer still on its way is reported as
        // a banner.
        return;
    }
    if form.confirm_discard {
        form.confirm_discard = false;
        form.error = None;
    }
    if form.pending.is_some() {
        state.modal = Some(Modal::Form(form));
        return;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char('s') if ctrl => submit(state, &mut form, fx),
        KeyCode::Char('g') if ctrl => {
            if form.focus == FieldId::Password {
                match secret::generate(PASSWORD_LENGTH, Charset::Default) {
                    Ok(p) => {
                        form.secret_shown = true;
                        let revealed = form.revealed;
                        if let Some(f) = form.focused_mut() {
                            f.set_text(p.expose_secret());
                            f.set_revealed(revealed);
                            f.error = None;
                        }
                    }
                    Err(e) => form.error = Some(format!("cannot generate a password: {e}")),
                }
            } else {
                form.error = Some("Ctrl-G generates a password: move to the Password field".into());
            }
        }
        KeyCode::Char('r') if ctrl => {
            if form.has_secret_fields() {
                let r = !form.revealed;
                form.set_revealed(r);
                form.secret_shown |= r;
            }
        }
        KeyCode::Enter => {
            if form.focus_is_last() {
                submit(state, &mut form, fx);
            } else {
                form.move_focus(true);
            }
        }
        KeyCode::Tab | KeyCode::Down => form.move_focus(true),
        KeyCode::BackTab | KeyCode::Up => form.move_focus(false),
        KeyCode::Left | KeyCode::Char('h') if form.focus == FieldId::Kind => form.cycle_kind(false),
        KeyCode::Right | KeyCode::Char('l' | ' ') if form.focus == FieldId::Kind => {
            form.cycle_kind(true)
        }
        _ => {
            if let Some(f) = form.focused_mut() {
                f.input_key(key);
            }
        }
    }
    state.modal = Some(Modal::Form(form));
}

fn submit(state: &mut State, form: &mut Form, fx: &mut Vec<Effect>) {
    if state.ctx.readonly {
        form.error = Some("read-only mode: nothing can be changed".into());
        return;
    }
    let Some(sub) = form.submission() else {
        return;
    };
    let req = state.next_req();
    form.pending = Some(req);
    match sub {
        Submission::Create { integration, new } => {
            state
                .in_flight
                .insert(req, format!("creating {integration}/{}", new.name));
            fx.push(Effect::CreateConnection {
                req,
                integration,
                new,
            });
        }
        Submission::Update { key, update } => {
            state.in_flight.insert(req, format!("updating {key}"));
            fx.push(Effect::UpdateConnection { req, key, update });
        }
        Submission::Register { name, description } => {
            state.in_flight.insert(req, format!("registering {name}"));
            fx.push(Effect::RegisterIntegration {
                req,
                name,
                description,
            });
        }
    }
}

fn rotation_key(state: &mut State, mut rot: Box<Rotation>, key: KeyEvent, fx: &mut Vec<Effect>) {
    let phase = rot.phase();
    let was_armed = std::mem::replace(&mut rot.confirm_discard, false);
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => {
            let seen = rot.revealed || rot.copied;
            let safe = match phase {
                RotPhase::Ready => !seen,
                RotPhase::Applying => false,
                RotPhase::Done => rot.all_applied(),
            };
            if safe || was_armed {
                if phase == RotPhase::Ready {
                    banner(
                        state,
                        Level::Info,
                        "rotation cancelled: nothing was changed",
                    );
                }
                return;
            }
            rot.confirm_discard = true;
        }
        KeyCode::Down | KeyCode::Char('j') => {
            rot.selected = (rot.selected + 1).min(rot.items.len().saturating_sub(1));
        }
        KeyCode::Up | KeyCode::Char('k') => rot.selected = rot.selected.saturating_sub(1),
        KeyCode::Char('v') => rot.revealed = !rot.revealed,
        KeyCode::Char('c') => {
            if let Some(item) = rot.items.get(rot.selected) {
                fx.push(Effect::Copy {
                    text: item.password.clone(),
                    clear_after: Some(CLIPBOARD_CLEAR),
                });
                rot.copied = true;
                banner(
                    state,
                    Level::Info,
                    format!(
                        "copied the new password of {} (OSC 52); the clipboard is cleared in {} s",
                        item.key,
                        CLIPBOARD_CLEAR.as_secs()
                    ),
                );
            }
        }
        KeyCode::Enter => match phase {
            RotPhase::Applying => {}
            RotPhase::Done if rot.all_applied() => return,
            _ => {
                if state.ctx.readonly {
                    return;
                }
                for item in &mut rot.items {
                    let again = matches!(
                        item.status,
                        RotStatus::Ready | RotStatus::Failed(_) | RotStatus::Unknown(_)
                    );
                    if !again {
                        continue;
                    }
                    let req = state.next_req;
                    state.next_req += 1;
                    state
                        .in_flight
                        .insert(req, format!("rotating {}", item.key));
                    item.status = RotStatus::Applying(req);
                    fx.push(Effect::ApplyPassword {
                        req,
                        key: item.key.clone(),
                        password: item.password.clone(),
                        before: item.before,
                    });
                }
            }
        },
        _ => {}
    }
    state.modal = Some(Modal::Rotation(rot));
}

fn registered_key(
    state: &mut State,
    mut reg: Box<RegisteredView>,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    let was_armed = std::mem::replace(&mut reg.confirm_discard, false);
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {
            let seen = reg.revealed || reg.copied || reg.secret.is_none();
            if seen || was_armed {
                return;
            }
            reg.confirm_discard = true;
        }
        KeyCode::Char('v') => reg.revealed = !reg.revealed,
        KeyCode::Char('c') => {
            if let Some(s) = &reg.secret {
                fx.push(Effect::Copy {
                    text: s.clone(),
                    clear_after: Some(CLIPBOARD_CLEAR),
                });
                reg.copied = true;
                banner(
                    state,
                    Level::Info,
                    format!(
                        "copied the client secret (OSC 52); the clipboard is cleared in {} s",
                        CLIPBOARD_CLEAR.as_secs()
                    ),
                );
            }
        }
        _ => {}
    }
    state.modal = Some(Modal::Registered(reg));
}
