//! The windows over the main screen (`Modal`: help, details, confirm, form, rotation, the
//! registered secret, the audit log, the OAuth delete question and re-authorise window) and
//! the input line at the bottom.
use std::fmt;

use secrecy::SecretString;
use time::OffsetDateTime;
use tui_textarea::TextArea;

use super::form::Form;
use super::model::{ConnKey, Pane, ReqId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Command,
}

/// The line at the bottom while typing a filter or a command.
pub struct InputLine {
    pub kind: InputKind,
    pub input: TextArea<'static>,
    /// The pane a filter applies to.
    pub pane: Pane,
}

impl InputLine {
    pub fn text(&self) -> String {
        self.input.lines().concat()
    }
}

/// One connection of a rotation.
pub struct RotItem {
    pub key: ConnKey,
    pub username: String,
    pub allowed_domain: String,
    /// `updated_at` before the change, to verify that it moved.
    pub before: Option<OffsetDateTime>,
    pub password: SecretString,
    pub status: RotStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotStatus {
    /// Generated and shown; not sent.
    Ready,
    Applying(ReqId),
    Applied {
        verified: bool,
    },
    /// The server refused it: the old password is still in force.
    Failed(String),
    /// The answer was lost: the new password may or may not be in force.
    Unknown(String),
}

/// The two-step rotation screen.
pub struct Rotation {
    pub items: Vec<RotItem>,
    pub selected: usize,
    pub revealed: bool,
    /// Something was copied to the clipboard.
    pub copied: bool,
    /// Esc was pressed once where dismissing forgets a password still needed.
    pub confirm_discard: bool,
    /// Marked connections that were not basic_auth and so were left out.
    pub skipped: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotPhase {
    Ready,
    Applying,
    Done,
}

impl Rotation {
    pub fn phase(&self) -> RotPhase {
        if self
            .items
            .iter()
            .any(|i| matches!(i.status, RotStatus::Applying(_)))
        {
            RotPhase::Applying
        } else if self.items.iter().all(|i| i.status == RotStatus::Ready) {
            RotPhase::Ready
        } else {
            RotPhase::Done
        }
    }

    /// Every item applied and verified: nothing left that needs the password on screen.
    pub fn all_applied(&self) -> bool {
        self.items
            .iter()
            .all(|i| matches!(i.status, RotStatus::Applied { .. }))
    }
}

impl fmt::Debug for RotItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotItem")
            .field("key", &self.key)
            .field("password", &"[REDACTED]")
            .field("status", &self.status)
            .finish()
    }
}

impl fmt::Debug for Rotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rotation")
            .field("items", &self.items)
            .field("revealed", &self.revealed)
            .finish()
    }
}

/// The answer to registering an integration: its client secret, shown here once.
pub struct RegisteredView {
    pub name: String,
    pub client_id: Option<u64>,
    pub identifier: Option<String>,
    pub secret: Option<SecretString>,
    pub revealed: bool,
    pub copied: bool,
    pub confirm_discard: bool,
}

impl fmt::Debug for RegisteredView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredView")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

/// A window over the main screen.
#[derive(Debug)]
pub enum Modal {
    Help {
        scroll: u16,
    },
    Details,
    ConfirmDelete {
        key: ConnKey,
    },
    Form(Box<Form>),
    Rotation(Box<Rotation>),
    Registered(Box<RegisteredView>),
    /// The local audit log of mutations: `None` while it is being read.
    AuditLog {
        entries: Option<Result<Vec<crate::auditlog::Entry>, String>>,
        scroll: u16,
    },
    /// A delete that names the OAuth connections going with it, or needs a name typed.
    Delete(Box<super::oauth::DeleteQuestion>),
    /// Re-authorising an OAuth connection.
    Authorize(Box<super::oauth::AuthorizeFlow>),
}
