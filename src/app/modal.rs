//! The windows over the main screen (`Modal`: help, details, confirm, form, rotation, the
//! registered secret, the audit log, the OAuth delete question and re-authorise window) and
//! the input line at the bottom.
use std::fmt;

use secrecy::SecretString;
use time::OffsetDateTime;
use tui_textarea::TextArea;

use super::form::Form;
use super::model::{ConnKey, Pane, ReqId};
use crate::rotation::{Progress, Recipe, Step};

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
    /// Tab completing on the `:` line: what stays before the completed word, the words it
    /// offers and the one shown (the next Tab shows the next).
    pub completion: Option<(String, Vec<String>, usize)>,
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
    /// The profile's recipe for this connection: zisctl sets and tests the password at the
    /// target. None: the admin sets it by hand (the two-step flow).
    pub recipe: Option<Recipe>,
    /// Where each step stands.
    pub progress: Progress,
    /// What the latest step said (safe to show: a recipe's outcome line, or ZIS's answer).
    pub outcome: Option<String>,
    /// The set at the target was started: the target may hold this password from now on.
    pub touched: bool,
    /// The recovery store holds a copy (kept before the first set).
    pub held: bool,
}

impl RotItem {
    /// ZIS may hold this password now: sent (applying), applied, or its answer lost.
    pub fn may_be_in_force(&self) -> bool {
        matches!(
            self.status,
            RotStatus::Applying(_) | RotStatus::Applied { .. } | RotStatus::Unknown(_)
        )
    }

    /// Applied in ZIS and read back: ZIS holds it for sure.
    pub fn verified(&self) -> bool {
        self.status == RotStatus::Applied { verified: true }
    }

    /// A recipe's set was started at the target and ZIS has not been seen to hold the
    /// password: the target may hold a password that exists nowhere else.
    pub fn pending_at_target(&self) -> bool {
        self.recipe.is_some() && self.touched && !self.verified()
    }

    /// Closing the window would lose it: it may be in force (in ZIS, or at the target after
    /// a recipe's set) and nobody has seen it, or a recipe's set started and ZIS does not
    /// hold it yet.
    pub fn at_risk(&self) -> bool {
        if self.recipe.is_some() {
            // Seen or not: the admin may not have stored it, and ZIS does not hold it.
            return self.pending_at_target();
        }
        self.may_be_in_force() && !self.seen
    }

    /// A step is running for it (the recovery store's write, a recipe's step, the apply).
    pub fn running(&self) -> bool {
        matches!(
            self.status,
            RotStatus::Holding(_) | RotStatus::AtTarget { .. } | RotStatus::Applying(_)
        )
    }

    /// What Enter does for it now: start, retry a failed step, or nothing.
    pub fn next_on_enter(&self) -> Option<Step> {
        match &self.status {
            RotStatus::Ready if self.recipe.is_some() => Some(Step::Set),
            RotStatus::Ready => Some(Step::Apply),
            RotStatus::TargetFailed { step } => Some(*step),
            RotStatus::Failed(_) | RotStatus::Unknown(_) => Some(Step::Apply),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotStatus {
    /// Generated and shown; not sent.
    Ready,
    /// A recipe's item: the password is being written to the recovery store before the first
    /// set at the target.
    Holding(ReqId),
    /// A recipe's step at the target (set or test) is running.
    AtTarget {
        step: Step,
        req: ReqId,
    },
    /// A recipe's step at the target failed (its outcome says why): nothing was applied in
    /// ZIS; Enter runs that step again.
    TargetFailed {
        step: Step,
    },
    Applying(ReqId),
    Applied {
        verified: bool,
    },
    /// The server refused it: the old password is still in force.
    Failed(String),
    /// The answer was lost: the new password may or may not be in force.
    Unknown(String),
}

/// The rotation window: the manual two-step flow, or a recipe's steps, per connection.
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
        if self.items.iter().any(RotItem::running) {
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

    /// Some connection has a recipe (zisctl sets it at the target).
    pub fn any_recipe(&self) -> bool {
        self.items.iter().any(|i| i.recipe.is_some())
    }

    /// How many passwords Enter would send to ZIS by hand's word (no recipe) that nobody has
    /// revealed or copied. A recipe's item needs no one to see it: the recovery store and
    /// the target hold it before ZIS does.
    pub fn unseen_to_send(&self) -> usize {
        self.items
            .iter()
            .filter(|i| {
                i.recipe.is_none()
                    && !i.seen
                    && matches!(
                        i.status,
                        RotStatus::Ready | RotStatus::Failed(_) | RotStatus::Unknown(_)
                    )
            })
            .count()
    }

    /// How many passwords closing the window would lose (see [`RotItem::at_risk`]).
    pub fn at_risk(&self) -> usize {
        self.items.iter().filter(|i| i.at_risk()).count()
    }

    /// Leaving the window (Esc, Ctrl-C) needs one more confirmation: something is running,
    /// a password in force was never seen, a recipe's set started and ZIS does not hold the
    /// password yet, not everything was applied, or a password was seen (so maybe set on the
    /// target) before anything was applied.
    pub fn ask(&self) -> bool {
        let seen = self.revealed || self.copied || self.items.iter().any(|i| i.seen);
        if self.items.iter().any(RotItem::pending_at_target) {
            return true;
        }
        match self.phase() {
            RotPhase::Ready => seen,
            RotPhase::Applying => true,
            RotPhase::Done => !self.all_applied() || self.at_risk() > 0,
        }
    }

    /// The passwords to keep in the recovery store when the program must end now: those at
    /// risk, with what is known of them.
    pub fn to_keep(&self) -> Vec<KeptPassword> {
        self.items
            .iter()
            .filter(|i| i.at_risk())
            .map(|i| KeptPassword {
                key: i.key.clone(),
                password: i.password.clone(),
                status: match i.status {
                    RotStatus::Applied { .. } => "applied",
                    RotStatus::Applying(_) | RotStatus::Unknown(_) => "unknown",
                    // A recipe's set started; ZIS does not hold it.
                    _ => AT_TARGET,
                },
                verified: matches!(i.status, RotStatus::Applied { verified: true }),
            })
            .collect()
    }
}

/// The recovery store's status of a password a recipe set (or began to set) at the target
/// and ZIS does not hold: `rotate --recover` says to apply it in ZIS.
pub const AT_TARGET: &str = "at_target";

/// A rotated password to keep in the recovery store (the runtime writes it).
pub struct KeptPassword {
    pub key: ConnKey,
    pub password: SecretString,
    /// `applied`, `unknown` (sent, no answer yet, or the answer lost), or [`AT_TARGET`] (a
    /// recipe's set started at the target; not applied in ZIS).
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
            .field("progress", &self.progress)
            .field("recipe", &self.recipe.as_ref().map(|r| &r.pattern))
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

/// `n` in the All view: which integration the new connection goes to. Typing filters the
/// names (a substring, any case), the arrows move, Enter opens the form for the one selected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IntegrationPicker {
    pub query: String,
    /// The name selected (kept while it still matches; else the first match).
    pub selected: String,
}

impl IntegrationPicker {
    /// The names of `all` that match the query, in their order.
    pub fn matches<'a>(&self, all: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let q = self.query.to_lowercase();
        all.into_iter()
            .filter(|n| n.to_lowercase().contains(&q))
            .collect()
    }

    /// The selected name's place among `matches` (the first when it is not there).
    pub fn position(&self, matches: &[&str]) -> usize {
        matches
            .iter()
            .position(|n| *n == self.selected)
            .unwrap_or(0)
    }
}

/// The help window, over whatever screen it was opened in (which stays as it was under it,
/// answers arriving included): the keys of that screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpView {
    /// The screen whose keys it shows.
    pub scope: super::keymap::Scope,
    pub scroll: u16,
}

/// `/` in the help window or the audit log: a search, typed then kept for `n` / `N`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    pub text: String,
    /// Still being typed (the keys go to it).
    pub typing: bool,
    /// The line (help) or entry (audit log) of the match shown.
    pub at: Option<usize>,
}

/// A window over the main screen.
#[derive(Debug)]
pub enum Modal {
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
    /// Which integration a new connection goes to (`n` in the All view).
    PickIntegration(Box<IntegrationPicker>),
    /// `:ctx` without a name: pick one of the config's profiles (`State::profiles`).
    Profiles {
        selected: usize,
    },
}
