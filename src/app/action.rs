//! What goes into `update` (actions) and what comes out of it (effects).
use std::fmt;
use std::time::Duration;

use crossterm::event::KeyEvent;
use secrecy::SecretString;
use time::OffsetDateTime;

use crate::zis::Applied;
use crate::zis::{
    BundleSet, ClientEvent, Connection, ConnectionUpdate, Error, Integration, NewConnection,
    NewOAuthClient, OAuthClientUpdate, OAuthStart, RegisteredIntegration, TokenSource,
    ZisOAuthClient,
};

use super::modal::KeptPassword;
use super::model::{ConnKey, Context, ReqId};
use crate::rotation::{Recipe, Step, StepFailed};

/// Everything `update` reacts to: terminal input, worker answers, runtime events.
pub enum Action {
    /// A key press. The runtime drops release events (and `update` ignores any that get
    /// through); repeat events are not filtered and count as presses.
    Key(KeyEvent),
    /// A mouse event (click, wheel) at a cell of the terminal.
    Mouse(crossterm::event::MouseEvent),
    /// Bracketed paste.
    Paste(String),
    /// The terminal was resized to (columns, rows).
    Resize(u16, u16),
    /// The view reports how many connections the table shows (after a frame or a resize):
    /// what paging moves by and scrolling keeps in sight.
    Viewport { table_rows: usize },
    /// A spinner / timer tick (sent only while something needs it).
    Tick,
    /// A signal asked us to quit (SIGTERM, SIGHUP, SIGINT) with this exit code.
    Terminate(i32),
    /// `GET registry/integrations` answered.
    IntegrationsLoaded {
        req: ReqId,
        result: Result<Vec<Integration>, Error>,
        now: OffsetDateTime,
    },
    /// `GET .../connections/all` (every page) answered for one integration.
    ConnectionsLoaded {
        req: ReqId,
        integration: String,
        result: Result<Vec<Connection>, Error>,
        token: Option<TokenSource>,
        now: OffsetDateTime,
    },
    /// Every bundle (with its resources) and job spec of one integration was read.
    BundlesLoaded {
        req: ReqId,
        integration: String,
        result: Result<BundleSet, Error>,
    },
    Created {
        req: ReqId,
        integration: String,
        result: Result<Connection, Error>,
    },
    Updated {
        req: ReqId,
        key: ConnKey,
        result: Result<(), Error>,
    },
    Deleted {
        req: ReqId,
        key: ConnKey,
        result: Result<(), Error>,
    },
    Registered {
        req: ReqId,
        name: String,
        result: Result<RegisteredIntegration, Error>,
    },
    PasswordApplied {
        req: ReqId,
        key: ConnKey,
        result: Result<Applied, Error>,
    },
    /// A recipe's step at the target (set or test) ended: its outcome line (safe to show).
    AtTargetDone {
        req: ReqId,
        key: ConnKey,
        step: Step,
        result: Result<String, StepFailed>,
    },
    /// The runtime wrote the passwords of [`Effect::HoldPasswords`] to the recovery store
    /// (`Ok(true)`), has no store to write them to (`Ok(false)`: the demo), or could not.
    PasswordsHeld {
        req: ReqId,
        result: Result<bool, String>,
    },
    /// The client reports what it waits for (rate limits, retries).
    Client(ClientEvent),
    /// The demo sandbox the first-run screen asked for is up (or failed to start).
    DemoStarted(Result<Context, String>),
    /// The runtime opened another profile's account (`Effect::SwitchProfile`), or why not.
    ProfileSwitched(Result<Box<super::model::Account>, String>),
    /// The local audit log was read (newest last), or why it could not be.
    AuditLogLoaded(Result<Vec<crate::auditlog::Entry>, String>),
    /// An integration's OAuth clients were listed.
    OAuthClientsLoaded {
        req: ReqId,
        integration: String,
        result: Result<Vec<ZisOAuthClient>, Error>,
    },
    /// An OAuth client was created or updated (the client, when the answer said it).
    OAuthClientSaved {
        req: ReqId,
        integration: String,
        result: Result<Option<ZisOAuthClient>, Error>,
    },
    OAuthClientDeleted {
        req: ReqId,
        integration: String,
        uuid: String,
        result: Result<(), Error>,
    },
    /// The OAuth flow started: the URL to open (None: a client-credentials flow, finished).
    OAuthStarted {
        req: ReqId,
        key: ConnKey,
        result: Result<Option<String>, Error>,
    },
    /// The connection's token moved (or the wait ended without it).
    OAuthWatched {
        req: ReqId,
        key: ConnKey,
        result: Result<Connection, Error>,
    },
}

impl Action {
    /// The error an answer carries, if it is one.
    pub fn error(&self) -> Option<&Error> {
        match self {
            Action::IntegrationsLoaded { result, .. } => result.as_ref().err(),
            Action::ConnectionsLoaded { result, .. } => result.as_ref().err(),
            Action::BundlesLoaded { result, .. } => result.as_ref().err(),
            Action::Created { result, .. } => result.as_ref().err(),
            Action::Updated { result, .. } => result.as_ref().err(),
            Action::Deleted { result, .. } => result.as_ref().err(),
            Action::Registered { result, .. } => result.as_ref().err(),
            Action::PasswordApplied { result, .. } => result.as_ref().err(),
            Action::OAuthClientsLoaded { result, .. } => result.as_ref().err(),
            Action::OAuthClientSaved { result, .. } => result.as_ref().err(),
            Action::OAuthClientDeleted { result, .. } => result.as_ref().err(),
            Action::OAuthStarted { result, .. } => result.as_ref().err(),
            Action::OAuthWatched { result, .. } => result.as_ref().err(),
            _ => None,
        }
    }
}

impl fmt::Debug for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Key(k) => write!(f, "Key({:?} {:?})", k.code, k.modifiers),
            Action::Mouse(m) => write!(f, "Mouse({:?} {},{})", m.kind, m.column, m.row),
            Action::Paste(p) => write!(f, "Paste({} chars)", p.chars().count()),
            Action::Resize(w, h) => write!(f, "Resize({w}x{h})"),
            Action::Viewport { table_rows } => write!(f, "Viewport({table_rows} rows)"),
            Action::Tick => f.write_str("Tick"),
            Action::Terminate(code) => write!(f, "Terminate({code})"),
            Action::IntegrationsLoaded { req, result, .. } => {
                write!(f, "IntegrationsLoaded(#{req}, ok={})", result.is_ok())
            }
            Action::ConnectionsLoaded {
                req,
                integration,
                result,
                ..
            } => write!(
                f,
                "ConnectionsLoaded(#{req}, {integration}, ok={})",
                result.is_ok()
            ),
            Action::BundlesLoaded {
                req,
                integration,
                result,
            } => write!(
                f,
                "BundlesLoaded(#{req}, {integration}, ok={})",
                result.is_ok()
            ),
            Action::Created {
                req, integration, ..
            } => write!(f, "Created(#{req}, {integration})"),
            Action::Updated { req, key, .. } => write!(f, "Updated(#{req}, {key})"),
            Action::Deleted { req, key, .. } => write!(f, "Deleted(#{req}, {key})"),
            Action::Registered { req, name, .. } => write!(f, "Registered(#{req}, {name})"),
            Action::PasswordApplied { req, key, .. } => {
                write!(f, "PasswordApplied(#{req}, {key})")
            }
            Action::AtTargetDone {
                req,
                key,
                step,
                result,
            } => write!(
                f,
                "AtTargetDone(#{req}, {key}, {}, ok={})",
                step.as_str(),
                result.is_ok()
            ),
            Action::PasswordsHeld { req, result } => {
                write!(f, "PasswordsHeld(#{req}, {result:?})")
            }
            Action::Client(ev) => write!(f, "Client({ev})"),
            Action::DemoStarted(r) => write!(f, "DemoStarted(ok={})", r.is_ok()),
            Action::ProfileSwitched(r) => write!(f, "ProfileSwitched(ok={})", r.is_ok()),
            Action::AuditLogLoaded(r) => {
                write!(f, "AuditLogLoaded({})", r.as_ref().map_or(0, |e| e.len()))
            }
            Action::OAuthClientsLoaded {
                req,
                integration,
                result,
            } => write!(
                f,
                "OAuthClientsLoaded(#{req}, {integration}, ok={})",
                result.is_ok()
            ),
            Action::OAuthClientSaved {
                req, integration, ..
            } => write!(f, "OAuthClientSaved(#{req}, {integration})"),
            Action::OAuthClientDeleted {
                req,
                integration,
                uuid,
                ..
            } => write!(f, "OAuthClientDeleted(#{req}, {integration}, {uuid})"),
            Action::OAuthStarted { req, key, result } => {
                write!(f, "OAuthStarted(#{req}, {key}, ok={})", result.is_ok())
            }
            Action::OAuthWatched { req, key, result } => {
                write!(f, "OAuthWatched(#{req}, {key}, ok={})", result.is_ok())
            }
        }
    }
}

/// What `update` asks the outside world to do.
pub enum Effect {
    LoadIntegrations {
        req: ReqId,
    },
    LoadConnections {
        req: ReqId,
        integration: String,
    },
    /// Read every bundle and job spec of one integration (after its connections: queued).
    LoadBundles {
        req: ReqId,
        integration: String,
    },
    CreateConnection {
        req: ReqId,
        integration: String,
        new: NewConnection,
    },
    UpdateConnection {
        req: ReqId,
        key: ConnKey,
        update: ConnectionUpdate,
    },
    DeleteConnection {
        req: ReqId,
        key: ConnKey,
    },
    RegisterIntegration {
        req: ReqId,
        name: String,
        description: String,
    },
    /// PATCH the password, then GET to verify (`zis::Client::apply_password`).
    ApplyPassword {
        req: ReqId,
        key: ConnKey,
        password: SecretString,
        before: Option<OffsetDateTime>,
    },
    /// Run a recipe's step at the target (set or test) with the connection's new password:
    /// queued with the bulk work (a bounded number at a time), answered by
    /// [`Action::AtTargetDone`].
    RunAtTarget {
        req: ReqId,
        step: Step,
        job: TargetJob,
    },
    /// Keep these passwords in the recovery store before a recipe sets them at the target
    /// (done by the runtime, answered by [`Action::PasswordsHeld`]).
    HoldPasswords {
        req: ReqId,
        passwords: Vec<KeptPassword>,
    },
    /// Forget these passwords from the recovery store: the target and ZIS both hold them.
    ForgetPasswords(Vec<KeptPassword>),
    /// Put text on the clipboard (OSC 52); clear it after `clear_after` when set.
    Copy {
        text: SecretString,
        clear_after: Option<Duration>,
    },
    /// Start the in-process sandbox and switch to it (first-run screen).
    StartDemo,
    /// Open the account of this profile of the config (`:ctx NAME`): a new client and worker.
    SwitchProfile(String),
    /// Read the local audit log of mutations.
    LoadAuditLog,
    LoadOAuthClients {
        req: ReqId,
        integration: String,
    },
    CreateOAuthClient {
        req: ReqId,
        integration: String,
        new: NewOAuthClient,
    },
    /// PATCH an OAuth client; `name` is for the journal.
    UpdateOAuthClient {
        req: ReqId,
        integration: String,
        uuid: String,
        name: String,
        update: OAuthClientUpdate,
    },
    /// DELETE an OAuth client (ZIS deletes its OAuth connections with it).
    DeleteOAuthClient {
        req: ReqId,
        integration: String,
        uuid: String,
        name: String,
    },
    /// Start an OAuth flow; for a client-credentials one, also fetch its verification URL.
    StartOAuth {
        req: ReqId,
        key: ConnKey,
        start: OAuthStart,
        client_credentials: bool,
    },
    /// Read the OAuth connection until its token moved from `before`.
    WatchOAuth {
        req: ReqId,
        key: ConnKey,
        before: Option<Connection>,
    },
    /// Stop the wait `req` (its window was closed).
    CancelWatch {
        req: ReqId,
    },
    /// The user is looking at `integration` while its connections still wait in the worker's
    /// queue: serve that listing next.
    LoadFirst {
        integration: String,
    },
    /// Keep these rotated passwords in the recovery store (before a `Quit`).
    KeepPasswords(Vec<KeptPassword>),
    /// Leave the app with this exit code.
    Quit(i32),
}

/// What a recipe's step at the target needs: the connection, its new password and the recipe.
/// Not `Debug` by derive: it holds the password.
pub struct TargetJob {
    pub key: ConnKey,
    pub username: String,
    pub allowed_domain: String,
    pub password: SecretString,
    pub recipe: Recipe,
}

impl fmt::Debug for TargetJob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TargetJob")
            .field("key", &self.key)
            .field("password", &"[REDACTED]")
            .field("recipe", &self.recipe.pattern)
            .finish()
    }
}

impl fmt::Debug for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::LoadIntegrations { req } => write!(f, "LoadIntegrations(#{req})"),
            Effect::LoadConnections { req, integration } => {
                write!(f, "LoadConnections(#{req}, {integration})")
            }
            Effect::LoadBundles { req, integration } => {
                write!(f, "LoadBundles(#{req}, {integration})")
            }
            Effect::CreateConnection {
                req,
                integration,
                new,
            } => write!(f, "CreateConnection(#{req}, {integration}, {new:?})"),
            Effect::UpdateConnection { req, key, update } => {
                write!(f, "UpdateConnection(#{req}, {key}, {update:?})")
            }
            Effect::DeleteConnection { req, key } => write!(f, "DeleteConnection(#{req}, {key})"),
            Effect::RegisterIntegration { req, name, .. } => {
                write!(f, "RegisterIntegration(#{req}, {name})")
            }
            Effect::ApplyPassword { req, key, .. } => {
                write!(f, "ApplyPassword(#{req}, {key}, [REDACTED])")
            }
            Effect::RunAtTarget { req, step, job } => write!(
                f,
                "RunAtTarget(#{req}, {}, {}, [REDACTED])",
                step.as_str(),
                job.key
            ),
            Effect::HoldPasswords { req, passwords } => {
                write!(f, "HoldPasswords(#{req}, {passwords:?})")
            }
            Effect::ForgetPasswords(k) => write!(f, "ForgetPasswords({k:?})"),
            Effect::Copy { clear_after, .. } => {
                write!(f, "Copy([REDACTED], clear_after={clear_after:?})")
            }
            Effect::StartDemo => f.write_str("StartDemo"),
            Effect::SwitchProfile(p) => write!(f, "SwitchProfile({p})"),
            Effect::LoadAuditLog => f.write_str("LoadAuditLog"),
            Effect::LoadOAuthClients { req, integration } => {
                write!(f, "LoadOAuthClients(#{req}, {integration})")
            }
            Effect::CreateOAuthClient {
                req,
                integration,
                new,
            } => write!(f, "CreateOAuthClient(#{req}, {integration}, {new:?})"),
            Effect::UpdateOAuthClient {
                req,
                integration,
                name,
                update,
                ..
            } => write!(
                f,
                "UpdateOAuthClient(#{req}, {integration}/{name}, {update:?})"
            ),
            Effect::DeleteOAuthClient {
                req,
                integration,
                name,
                ..
            } => write!(f, "DeleteOAuthClient(#{req}, {integration}/{name})"),
            Effect::StartOAuth { req, key, .. } => write!(f, "StartOAuth(#{req}, {key})"),
            Effect::WatchOAuth { req, key, .. } => write!(f, "WatchOAuth(#{req}, {key})"),
            Effect::CancelWatch { req } => write!(f, "CancelWatch(#{req})"),
            Effect::LoadFirst { integration } => write!(f, "LoadFirst({integration})"),
            Effect::KeepPasswords(k) => write!(f, "KeepPasswords({k:?})"),
            Effect::Quit(code) => write!(f, "Quit({code})"),
        }
    }
}

#[cfg(test)]
mod signed_out_tests {
    use super::*;
    use crate::app::testing::{ctx, NOW};
    use crate::app::{init, update, State};
    use crate::zis::ErrorKind;

    #[test]
    fn a_signed_out_answer_marks_the_state_and_says_what_to_do() {
        let mut s = State::new(ctx(), NOW);
        init(&mut s);
        let req = s.integrations_req.expect("the integrations were asked for");
        update(
            &mut s,
            Action::IntegrationsLoaded {
                req,
                result: Err(Error::signed_out(
                    "signed out: the server refused the refresh token",
                )),
                now: NOW,
            },
        );
        assert!(s.signed_out);
        let text = s
            .banner
            .as_ref()
            .map(|b| b.text.clone())
            .unwrap_or_default();
        assert!(
            text.ends_with(crate::app::update::SIGNED_OUT_HINT),
            "{text}"
        );
        assert!(s.quit.is_none(), "the screen stays");

        // Another error is no sign-out; a later listing clears the mark.
        update(
            &mut s,
            Action::IntegrationsLoaded {
                req,
                result: Err(Error::new(ErrorKind::Server, "boom")),
                now: NOW,
            },
        );
        assert!(s.signed_out, "a server error does not sign in again");
        update(
            &mut s,
            Action::IntegrationsLoaded {
                req,
                result: Ok(Vec::new()),
                now: NOW,
            },
        );
        assert!(!s.signed_out);
    }
}
