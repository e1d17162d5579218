//! Keys in the windows over the main screen (help, details, confirm delete, the forms and
//! their submit, a rotation, the registered secret, the audit log), as the keymap's commands
//! of each window's scope.
use crossterm::event::KeyEvent;
use secrecy::{ExposeSecret, SecretString};

use crate::app::action::Effect;
use crate::app::form::{FieldId, Form, Submission};
use crate::app::keymap::{self, Command, Scope};
use crate::app::modal::{Modal, RegisteredView};
use crate::app::model::Level;
use crate::app::state::State;

use super::keys::run;
use super::{banner, copied_text, CLIPBOARD_CLEAR};

pub(super) fn open_audit_log(state: &mut State, fx: &mut Vec<Effect>) {
    state.search = None;
    state.modal = Some(Modal::AuditLog {
        entries: None,
        scroll: 0,
    });
    fx.push(Effect::LoadAuditLog);
}

/// A key in a window: `command` is what the keymap found for it in the window's scope.
pub(super) fn modal_key(
    state: &mut State,
    modal: Modal,
    command: Option<Command>,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    match modal {
        Modal::AuditLog { entries, scroll } => match command {
            Some(Command::Close) => state.search = None,
            Some(c @ (Command::OpenFilter | Command::NextMatch | Command::PrevMatch)) => {
                state.modal = Some(Modal::AuditLog { entries, scroll });
                match c {
                    Command::OpenFilter => super::search::open(state),
                    c => super::search::step(state, c == Command::NextMatch),
                }
            }
            Some(Command::Down) => {
                let max = entries
                    .as_ref()
                    .and_then(|e| e.as_ref().ok())
                    .map_or(0, |e| e.len().saturating_sub(1)) as u16;
                state.modal = Some(Modal::AuditLog {
                    entries,
                    scroll: scroll.saturating_add(1).min(max),
                })
            }
            Some(Command::Up) => {
                state.modal = Some(Modal::AuditLog {
                    entries,
                    scroll: scroll.saturating_sub(1),
                })
            }
            _ => state.modal = Some(Modal::AuditLog { entries, scroll }),
        },
        Modal::Details => match command {
            Some(Command::Close) => {}
            // The window closes and the main screen does it to the same connection.
            Some(
                c @ (Command::Edit
                | Command::Rotate
                | Command::Delete
                | Command::Copy
                | Command::Bundles),
            ) => run(state, c, &[], fx),
            _ => state.modal = Some(Modal::Details),
        },
        Modal::ConfirmDelete { key: target } => match command {
            Some(Command::Confirm) => {
                let req = state.next_req();
                state.in_flight.insert(req, format!("deleting {target}"));
                fx.push(Effect::DeleteConnection { req, key: target });
            }
            Some(Command::Close) => {}
            _ => state.modal = Some(Modal::ConfirmDelete { key: target }),
        },
        Modal::Bundles {
            integration,
            scroll,
        } => {
            let max = state
                .bundles
                .get(&integration)
                .map_or(1, |b| b.view_lines())
                .saturating_sub(1)
                .min(u16::MAX as usize) as u16;
            let page = state.table_rows.max(1).min(u16::MAX as usize) as u16;
            let scroll = match command {
                Some(Command::Close) => return,
                Some(Command::Down) => scroll.saturating_add(1),
                Some(Command::Up) => scroll.saturating_sub(1),
                Some(Command::PageDown) => scroll.saturating_add(page),
                Some(Command::PageUp) => scroll.saturating_sub(page),
                _ => scroll,
            };
            state.modal = Some(Modal::Bundles {
                integration,
                scroll: scroll.min(max),
            });
        }
        Modal::Profiles { selected } => super::profile::picker_key(state, selected, command, fx),
        Modal::Form(form) => form_key(state, form, command, key, fx),
        Modal::Delete(q) => super::oauth::delete_key(state, q, command, key, fx),
        Modal::Authorize(a) => super::oauth::authorize_key(state, a, command, fx),
        Modal::Rotation(rot) => super::rotation::rotation_key(state, rot, command, fx),
        Modal::Registered(reg) => registered_key(state, reg, command, fx),
        Modal::PickIntegration(p) => super::picker::picker_key(state, p, command, key),
    }
}

/// Ctrl-Y: the password in the form's Password field (one zisctl generated or the user
/// typed here; a server's is never held) to the clipboard, overwritten after 30 s.
fn copy_password(state: &mut State, form: &mut Form, fx: &mut Vec<Effect>) {
    let shown = form.visible().contains(&FieldId::Password);
    let text = form
        .field(FieldId::Password)
        .filter(|_| shown)
        .map(|f| f.text().to_string())
        .unwrap_or_default();
    if text.is_empty() {
        form.error = Some(if shown {
            format!(
                "{} copies the password: type one or generate it with {} first",
                keymap::key_label(Scope::Form, Command::Copy),
                keymap::key_label(Scope::Form, Command::Generate)
            )
        } else {
            "only a password can be copied: this kind has none".to_string()
        });
        return;
    }
    fx.push(Effect::Copy {
        text: SecretString::from(text),
        clear_after: Some(CLIPBOARD_CLEAR),
    });
    // It may now be set at the target: Esc asks before throwing it away.
    form.secret_shown = true;
    form.error = None;
    banner(state, Level::Info, copied_text(state, "the password"));
}

fn form_key(
    state: &mut State,
    mut form: Box<Form>,
    command: Option<Command>,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    if command == Some(Command::Cancel) {
        // A password the user has seen (generated or revealed) may already be set on the
        // target system: ask once more before it is thrown away.
        if form.secret_shown && !form.confirm_discard && form.pending.is_none() {
            form.confirm_discard = true;
            form.error = Some(format!(
                "{} again discards this form and its password; {} saves it",
                keymap::key_label(Scope::Form, Command::Cancel),
                keymap::key_label(Scope::Form, Command::Submit),
            ));
            state.modal = Some(Modal::Form(form));
            return;
        }
        // Closing drops (and wipes) every field; an answer still on its way is reported as
        // a banner.
        return;
    }
    if form.confirm_discard || form.confirm_quit {
        form.confirm_discard = false;
        form.confirm_quit = false;
        form.error = None;
    }
    if form.pending.is_some() {
        state.modal = Some(Modal::Form(form));
        return;
    }
    match command {
        Some(Command::Submit) => submit(state, &mut form, fx),
        Some(Command::Generate) => {
            // From any field: the Password field takes it, the cursor stays where it is.
            if form.field(FieldId::Password).is_some() {
                match state.password.generate() {
                    Ok(p) => {
                        form.secret_shown = true;
                        form.touched = true;
                        let revealed = form.revealed;
                        if let Some(f) = form.field_mut(FieldId::Password) {
                            f.set_text(p.expose_secret());
                            f.set_revealed(revealed);
                            f.error = None;
                        }
                    }
                    Err(e) => form.error = Some(format!("cannot generate a password: {e}")),
                }
            } else {
                form.error = Some(format!(
                    "{} generates a password, and this form has no Password field",
                    keymap::key_label(Scope::Form, Command::Generate)
                ));
            }
        }
        Some(Command::Copy) => copy_password(state, &mut form, fx),
        Some(Command::Reveal) => {
            if form.has_secret_fields() {
                let r = !form.revealed;
                form.set_revealed(r);
                form.secret_shown |= r;
            }
        }
        Some(Command::NextOrSubmit) => {
            if form.focus_is_last() {
                submit(state, &mut form, fx);
            } else {
                form.move_focus(true);
            }
        }
        Some(Command::NextField) => form.move_focus(true),
        Some(Command::PrevField) => form.move_focus(false),
        Some(Command::KindPrev) => form.cycle_kind(false),
        Some(Command::KindNext) => form.cycle_kind(true),
        Some(Command::ClearToStart) => match form.focused_mut() {
            Some(f) if !f.id.is_selector() => f.clear_to_start(),
            _ => {
                form.error = Some(format!(
                    "{} clears a text field; {} and {} change the kind",
                    keymap::key_label(Scope::Form, Command::ClearToStart),
                    keymap::key_label(Scope::KindField, Command::KindPrev),
                    keymap::key_label(Scope::KindField, Command::KindNext),
                ))
            }
        },
        _ => {
            if let Some(f) = form.focused_mut() {
                f.input_key(key);
                form.touched = true;
            }
        }
    }
    state.modal = Some(Modal::Form(form));
}

fn submit(state: &mut State, form: &mut Form, fx: &mut Vec<Effect>) {
    let Some(sub) = form.submission() else {
        return;
    };
    if let Submission::Register { name, .. } = &sub {
        // Registering a name the account holds would replace its description and its client
        // secret (the current one stops working): not from a form.
        if state.entry(name).is_some() {
            form.error = Some(format!(
                "{name} is already registered in this account: registering it again replaces \
                 its description and issues a new client secret (the current one stops \
                 working). Nothing was sent; `zisctl integrations register {name} \
                 --update-existing` does it on purpose"
            ));
            return;
        }
    }
    if let Submission::Create { integration, new } = &sub {
        // The app holds the integration's connections: a name it already has would only be
        // refused by the server (409), after the password may have been set elsewhere.
        let existing = state
            .entry(integration)
            .and_then(|e| e.connections.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.name == new.name));
        if let Some(c) = existing {
            let text = format!(
                "a connection named {} already exists ({}); nothing was sent: choose another \
                 name, or edit that one",
                crate::sanitize::clean(&c.name),
                c.kind.as_str()
            );
            form.focus = FieldId::Name;
            let kind = c.kind.as_str();
            if let Some(f) = form.field_mut(FieldId::Name) {
                f.error = Some(format!("taken: a {kind} connection has this name"));
            }
            form.error = Some(text);
            return;
        }
    }
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
        sub @ (Submission::CreateClient { .. } | Submission::UpdateClient { .. }) => {
            super::oauth::submit_client(state, req, sub, fx)
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

/// Ctrl-C in a form: true when it only asked (what was typed, and any password shown, would
/// be lost; one more Ctrl-C quits).
pub(super) fn quit_from_form(state: &mut State) -> bool {
    let Some(Modal::Form(form)) = &mut state.modal else {
        return false;
    };
    if !(form.touched || form.secret_shown) || form.confirm_quit {
        return false;
    }
    form.confirm_quit = true;
    form.confirm_discard = false;
    let password = if form.secret_shown {
        " and its password"
    } else {
        ""
    };
    form.error = Some(format!(
        "{} again quits and discards this form{password}; {} saves it, any other key goes back",
        keymap::key_label(Scope::Global, Command::Quit),
        keymap::key_label(Scope::Form, Command::Submit),
    ));
    true
}

/// Ctrl-C in the new client secret's window: true when it only asked (nobody has revealed or
/// copied the secret; one more Ctrl-C quits and it is gone).
pub(super) fn quit_from_registered(state: &mut State) -> bool {
    let Some(Modal::Registered(reg)) = &mut state.modal else {
        return false;
    };
    let seen = reg.revealed || reg.copied || reg.secret.is_none();
    if seen || reg.confirm_quit {
        return false;
    }
    reg.confirm_quit = true;
    reg.confirm_discard = false;
    true
}

fn registered_key(
    state: &mut State,
    mut reg: Box<RegisteredView>,
    command: Option<Command>,
    fx: &mut Vec<Effect>,
) {
    let was_armed = std::mem::replace(&mut reg.confirm_discard, false);
    reg.confirm_quit = false;
    match command {
        Some(Command::Close) => {
            let seen = reg.revealed || reg.copied || reg.secret.is_none();
            if seen || was_armed {
                return;
            }
            reg.confirm_discard = true;
        }
        Some(Command::Reveal) => reg.revealed = !reg.revealed,
        Some(Command::Copy) => {
            if let Some(s) = &reg.secret {
                fx.push(Effect::Copy {
                    text: s.clone(),
                    clear_after: Some(CLIPBOARD_CLEAR),
                });
                reg.copied = true;
                banner(state, Level::Info, copied_text(state, "the client secret"));
            }
        }
        _ => {}
    }
    state.modal = Some(Modal::Registered(reg));
}
