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
    /// Browsing the `:` history (Up/Down): the entry shown, and the line typed before.
    pub history: Option<(usize, String)>,
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
    /// Revealed (`v`) or copied (`c`): the admin has had it.
    pub seen: bool,
}

impl RotItem {
    /// ZIS may hold this password now: sent (applying), applied, or its answer lost.
    pub fn may_be_in_force(&self) -> bool {
        matches!(
            self.status,
            RotStatus::Applying(_) | RotStatus::Applied { .. } | RotStatus::Unknown(_)
        )
    }

    /// Closing the window would lose it: it may be in force and nobody has seen it.
    pub fn at_risk(&self) -> bool {
        self.may_be_in_force() && !self.seen
    }
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
    /// Ctrl-C was pressed once where quitting would lose a password (see `Rotation::ask`).
    pub confirm_quit: bool,
    /// Enter was pressed while a password to send was never revealed nor copied: `y` applies
    /// anyway, any other key goes back.
    pub confirm_apply: bool,
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

    /// How many passwords Enter would send that nobody has revealed or copied.
    pub fn unseen_to_send(&self) -> usize {
        self.items
            .iter()
            .filter(|i| {
                !i.seen
                    && matches!(
                        i.status,
                        RotStatus::Ready | RotStatus::Failed(_) | RotStatus::Unknown(_)
                    )
            })
            .count()
    }

    /// How many passwords closing the window would lose (in force, never revealed or copied).
    pub fn at_risk(&self) -> usize {
        self.items.iter().filter(|i| i.at_risk()).count()
    }

    /// Leaving the window (Esc, Ctrl-C) needs one more confirmation: something is applying,
    /// a password in force was never seen, not everything was applied, or a password was seen
    /// (so maybe set on the target) before anything was applied.
    pub fn ask(&self) -> bool {
        let seen = self.revealed || self.copied || self.items.iter().any(|i| i.seen);
        match self.phase() {
            RotPhase::Ready => seen,
            RotPhase::Applying => true,
            RotPhase::Done => !self.all_applied() || self.at_risk() > 0,
        }
    }

    /// The passwords to keep in the recovery store when the program must end now.
    pub fn to_keep(&self) -> Vec<KeptPassword> {
        self.items
            .iter()
            .filter(|i| i.at_risk())
            .map(|i| KeptPassword {
                key: i.key.clone(),
                password: i.password.clone(),
                status: match i.status {
                    RotStatus::Applied { .. } => "applied",
                    _ => "unknown",
                },
                verified: matches!(i.status, RotStatus::Applied { verified: true }),
            })
            .collect()
    }
}

/// A rotated password to keep in the recovery store (the runtime writes it).
pub struct KeptPassword {
    pub key: ConnKey,
    pub password: SecretString,
    /// `applied`, or `unknown` (sent, no answer yet, or the answer lost).
    pub status: &'static str,
    pub verified: bool,
}

impl fmt::Debug for KeptPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeptPassword")
            .field("key", &self.key)
            .field("password", &"[REDACTED]")
            .field("status", &self.status)
            .finish()
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
            .field("selected", &self.selected)
            .field("confirm_discard", &self.confirm_discard)
            .field("confirm_quit", &self.confirm_quit)
            .field("confirm_apply", &self.confirm_apply)
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
    /// Ctrl-C was pressed once before the secret was revealed or copied.
    pub confirm_quit: bool,
}

impl fmt::Debug for RegisteredView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredView")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "[REDACTED]"))
            .field("revealed", &self.revealed)
            .field("copied", &self.copied)
            .field("confirm_discard", &self.confirm_discard)
            .field("confirm_quit", &self.confirm_quit)
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
    /// The bundles of an integration, resource by resource, their problems marked (read
    /// only; drawn from `State::bundles`).
    Bundles {
        integration: String,
        scroll: u16,
    },
    /// A delete that names the OAuth connections going with it, or needs a name typed.
    Delete(Box<super::oauth::DeleteQuestion>),
    /// Re-authorising an OAuth connection.
    Authorize(Box<super::oauth::AuthorizeFlow>),
}
