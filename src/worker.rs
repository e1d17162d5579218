//! Runs effects (API calls) on tokio tasks and sends each result back as an [`Action`].
//!
//! Nothing here touches the state: the answer carries the request id it answers, and `update`
//! decides whether it still matters. Listing connections, reading bundles, applying passwords
//! and a rotation recipe's steps at the target go through one first-in, first-out queue served
//! by a few runner tasks, so an account with hundreds of integrations is loaded a few at a
//! time, in the order `update` asked (the selected one first, every connections listing before
//! the first bundle), and twenty rotations run a few at a time.
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use futures::FutureExt;
use time::OffsetDateTime;
use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::sync::Mutex;

use crate::app::{Action, Effect, ReqId};
use crate::zis::{Client, Error, ErrorKind};

/// How often a re-authorised connection is read while waiting for its new token, and for
/// how long at most.
const WATCH_POLL: std::time::Duration = std::time::Duration::from_secs(2);
const WATCH_LIMIT: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Requests in flight at once for bulk work (listing every integration, rotating many): the
/// default of `zisctl audit --concurrency`, which loads the same listings.
pub const DEFAULT_CONCURRENCY: usize = 8;

type Job = futures::future::BoxFuture<'static, ()>;

/// The bulk jobs waiting, first in first out; a listing of connections is named by its
/// integration so that [`Effect::LoadFirst`] can move it to the front.
#[derive(Default)]
struct Waiting {
    jobs: std::sync::Mutex<std::collections::VecDeque<(Option<String>, Job)>>,
}

#[derive(Clone)]
pub struct Worker {
    client: Client,
    tx: UnboundedSender<Action>,
    /// Bulk jobs (listing, applying passwords) wait here and are served first in, first out
    /// by `concurrency` runner tasks: the integration the user is looking at, asked for first,
    /// is fetched first.
    /// One `()` per job pushed on `waiting`: a runner takes one, then the front job.
    queue: UnboundedSender<()>,
    waiting: Arc<Waiting>,
    /// The audit log `LoadAuditLog` reads (None: this session records none).
    audit_log: Option<PathBuf>,
    /// The waits for a new OAuth token under way, to stop one whose window was closed.
    watches: Arc<std::sync::Mutex<std::collections::HashMap<ReqId, tokio::task::AbortHandle>>>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker that sends results (and the client's rate-limit reports) to `tx`.
    pub fn new(client: &Client, tx: UnboundedSender<Action>, concurrency: usize) -> Worker {
        let events = tx.clone();
        let client = client.with_observer(move |ev| {
            let _ = events.send(Action::Client(ev.clone()));
        });
        let (queue, rx) = mpsc::unbounded_channel::<()>();
        let rx = Arc::new(Mutex::new(rx));
        let waiting = Arc::new(Waiting::default());
        for _ in 0..concurrency.max(1) {
            let rx = rx.clone();
            let waiting = waiting.clone();
            tokio::spawn(async move {
                loop {
                    // The lock is held only while waiting for the next job, not while it runs.
                    let next = rx.lock().await.recv().await;
                    if next.is_none() {
                        return;
                    }
                    let job = lock(&waiting.jobs).pop_front();
                    if let Some((_, job)) = job {
                        job.await;
                    }
                }
            });
        }
        Worker {
            client,
            tx,
            queue,
            waiting,
            audit_log: None,
            watches: Arc::default(),
        }
    }

    /// The same worker, reading the audit log at `path` for `LoadAuditLog` (the file the
    /// client's journal writes to).
    pub fn with_audit_log(mut self, path: Option<PathBuf>) -> Worker {
        self.audit_log = path;
        self
    }

    /// Start `effect` on its own task. Effects that are not API calls are ignored here (the
    /// runtime handles them).
    pub fn perform(&self, effect: Effect) {
        let queued = matches!(
            effect,
            Effect::LoadConnections { .. }
                | Effect::LoadBundles { .. }
                | Effect::ApplyPassword { .. }
                | Effect::RunAtTarget { .. }
        );
        let listing = match &effect {
            Effect::LoadConnections { integration, .. } => Some(integration.clone()),
            _ => None,
        };
        let watch = match &effect {
            Effect::LoadFirst { integration } => {
                let mut jobs = lock(&self.waiting.jobs);
                let at = jobs
                    .iter()
                    .position(|(name, _)| name.as_deref() == Some(integration.as_str()));
                if let Some(job) = at.and_then(|at| jobs.remove(at)) {
                    jobs.push_front(job);
                }
                return;
            }
            Effect::CancelWatch { req } => {
                if let Some(h) = lock(&self.watches).remove(req) {
                    h.abort();
                }
                return;
            }
            Effect::WatchOAuth { req, .. } => Some(*req),
            _ => None,
        };
        let Some((fallback, job)) = self.job(effect) else {
            return;
        };
        let tx = self.tx.clone();
        let task = async move {
            let action = match AssertUnwindSafe(job).catch_unwind().await {
                Ok(a) => a,
                Err(_) => {
                    tracing::error!("a worker task panicked");
                    fallback(Error::new(
                        ErrorKind::InvalidResponse,
                        "internal error while handling the answer (see the log)",
                    ))
                }
            };
            let _ = tx.send(action);
        };
        if queued {
            // Queued in the order the effects came: served in that order.
            lock(&self.waiting.jobs).push_back((listing, task.boxed()));
            if self.queue.send(()).is_err() {
                if let Some((_, job)) = lock(&self.waiting.jobs).pop_back() {
                    tokio::spawn(job);
                }
            }
        } else if let Some(req) = watch {
            let watches = self.watches.clone();
            let handle = tokio::spawn(async move {
                task.await;
                lock(&watches).remove(&req);
            });
            lock(&self.watches).insert(req, handle.abort_handle());
        } else {
            tokio::spawn(task);
        }
    }

    #[allow(clippy::type_complexity)]
    fn job(
        &self,
        effect: Effect,
    ) -> Option<(
        Box<dyn FnOnce(Error) -> Action + Send>,
        futures::future::BoxFuture<'static, Action>,
    )> {
        let client = self.client.clone();
        Some(match effect {
            Effect::LoadIntegrations { req } => (
                Box::new(move |e| Action::IntegrationsLoaded {
                    req,
                    result: Err(e),
                    now: OffsetDateTime::now_utc(),
                }),
                async move {
                    let result = client.list_integrations().await;
                    Action::IntegrationsLoaded {
                        req,
                        result,
                        now: OffsetDateTime::now_utc(),
                    }
                }
                .boxed(),
            ),
            Effect::LoadConnections { req, integration } => {
                let name = integration.clone();
                (
                    Box::new(move |e| Action::ConnectionsLoaded {
                        req,
                        integration: name,
                        result: Err(e),
                        token: None,
                        now: OffsetDateTime::now_utc(),
                    }),
                    async move {
                        let result = client.list_connections(&integration).await;
                        let token = client.token_source(&integration);
                        Action::ConnectionsLoaded {
                            req,
                            integration,
                            result,
                            token,
                            now: OffsetDateTime::now_utc(),
                        }
                    }
                    .boxed(),
                )
            }
            Effect::LoadBundles { req, integration } => {
                let name = integration.clone();
                (
                    Box::new(move |e| Action::BundlesLoaded {
                        req,
                        integration: name,
                        result: Err(e),
                    }),
                    async move {
                        // One bundle at a time: the runners already bound what is in flight.
                        let result = client.load_bundles(&integration, 1).await;
                        Action::BundlesLoaded {
                            req,
                            integration,
                            result,
                        }
                    }
                    .boxed(),
                )
            }
            Effect::CreateConnection {
                req,
                integration,
                new,
            } => {
                let name = integration.clone();
                (
                    Box::new(move |e| Action::Created {
                        req,
                        integration: name,
                        result: Err(e),
                    }),
                    async move {
                        let result = client.create_connection(&integration, &new).await;
                        drop(new);
                        Action::Created {
                            req,
                            integration,
                            result,
                        }
                    }
                    .boxed(),
                )
            }
            Effect::UpdateConnection { req, key, update } => {
                let k = key.clone();
                (
                    Box::new(move |e| Action::Updated {
                        req,
                        key: k,
                        result: Err(e),
                    }),
                    async move {
                        let result = client
                            .update_connection(&key.integration, &key.name, &update)
                            .await;
                        drop(update);
                        Action::Updated { req, key, result }
                    }
                    .boxed(),
                )
            }
            Effect::DeleteConnection { req, key } => {
                let k = key.clone();
                (
                    Box::new(move |e| Action::Deleted {
                        req,
                        key: k,
                        result: Err(e),
                    }),
                    async move {
                        let result = client
                            .delete_any_connection(&key.integration, key.kind, &key.name)
                            .await;
                        Action::Deleted { req, key, result }
                    }
                    .boxed(),
                )
            }
            Effect::RegisterIntegration {
                req,
                name,
                description,
            } => {
                let n = name.clone();
                (
                    Box::new(move |e| Action::Registered {
                        req,
                        name: n,
                        result: Err(e),
                    }),
                    async move {
                        let result = client.register_integration(&name, &description).await;
                        Action::Registered { req, name, result }
                    }
                    .boxed(),
                )
            }
            Effect::ApplyPassword {
                req,
                key,
                password,
                before,
            } => {
                let k = key.clone();
                (
                    Box::new(move |mut e: Error| {
                        // It may have failed after the PATCH went out: keep the password.
                        e.may_have_applied = true;
                        Action::PasswordApplied {
                            req,
                            key: k,
                            result: Err(e),
                        }
                    }),
                    async move {
                        let result = client
                            .apply_password(&key.integration, &key.name, &password, before)
                            .await;
                        drop(password);
                        Action::PasswordApplied { req, key, result }
                    }
                    .boxed(),
                )
            }
            Effect::RunAtTarget { req, step, job } => {
                let key = job.key.clone();
                let k = key.clone();
                (
                    Box::new(move |e: Error| Action::AtTargetDone {
                        req,
                        key: k,
                        step,
                        result: Err(crate::rotation::StepFailed(crate::sanitize::clean(
                            &e.message,
                        ))),
                    }),
                    async move {
                        let result = at_target(step, &job).await;
                        drop(job);
                        Action::AtTargetDone {
                            req,
                            key,
                            step,
                            result,
                        }
                    }
                    .boxed(),
                )
            }
            Effect::LoadAuditLog => {
                let path = self.audit_log.clone();
                (
                    Box::new(|e: Error| Action::AuditLogLoaded(Err(e.to_string()))),
                    async move {
                        let Some(path) = path else {
                            return Action::AuditLogLoaded(Err(
                                "no audit log for this session (no data directory)".into(),
                            ));
                        };
                        let read = tokio::task::spawn_blocking(move || {
                            crate::auditlog::read(&path)
                                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                        })
                        .await;
                        Action::AuditLogLoaded(match read {
                            Ok(r) => r,
                            Err(e) => Err(format!("cannot read the audit log: {e}")),
                        })
                    }
                    .boxed(),
                )
            }
            Effect::LoadOAuthClients { req, integration } => {
                let name = integration.clone();
                (
                    Box::new(move |e| Action::OAuthClientsLoaded {
                        req,
                        integration: name,
                        result: Err(e),
                    }),
                    async move {
                        let result = client.list_oauth_clients(&integration).await;
                        Action::OAuthClientsLoaded {
                            req,
                            integration,
                            result,
                        }
                    }
                    .boxed(),
                )
            }
            Effect::CreateOAuthClient {
                req,
                integration,
                new,
            } => {
                let name = integration.clone();
                (
                    Box::new(move |e| Action::OAuthClientSaved {
                        req,
                        integration: name,
                        result: Err(e),
                    }),
                    async move {
                        let result = client
                            .create_oauth_client(&integration, &new)
                            .await
                            .map(Some);
                        drop(new);
                        Action::OAuthClientSaved {
                            req,
                            integration,
                            result,
                        }
                    }
                    .boxed(),
                )
            }
            Effect::UpdateOAuthClient {
                req,
                integration,
                uuid,
                name,
                update,
            } => {
                let i = integration.clone();
                (
                    Box::new(move |e| Action::OAuthClientSaved {
                        req,
                        integration: i,
                        result: Err(e),
                    }),
                    async move {
                        let result = client
                            .update_oauth_client(&integration, &uuid, &name, &update)
                            .await;
                        drop(update);
                        Action::OAuthClientSaved {
                            req,
                            integration,
                            result,
                        }
                    }
                    .boxed(),
                )
            }
            Effect::DeleteOAuthClient {
                req,
                integration,
                uuid,
                name,
            } => {
                let (i, u) = (integration.clone(), uuid.clone());
                (
                    Box::new(move |e| Action::OAuthClientDeleted {
                        req,
                        integration: i,
                        uuid: u,
                        result: Err(e),
                    }),
                    async move {
                        let result = client.delete_oauth_client(&integration, &uuid, &name).await;
                        Action::OAuthClientDeleted {
                            req,
                            integration,
                            uuid,
                            result,
                        }
                    }
                    .boxed(),
                )
            }
            Effect::StartOAuth {
                req,
                key,
                start,
                client_credentials,
            } => {
                let k = key.clone();
                (
                    Box::new(move |e| Action::OAuthStarted {
                        req,
                        key: k,
                        result: Err(e),
                    }),
                    async move {
                        let result = match client.start_oauth(&key.integration, &start).await {
                            // A client-credentials flow is finished here: its URL carries a
                            // verification code, fetched with the same ZIS token, never shown.
                            Ok(url) if client_credentials => client
                                .finish_client_credentials(&key.integration, &url)
                                .await
                                .map(|()| None),
                            Ok(url) => Ok(Some(url)),
                            Err(e) => Err(e),
                        };
                        Action::OAuthStarted { req, key, result }
                    }
                    .boxed(),
                )
            }
            Effect::WatchOAuth { req, key, before } => {
                let k = key.clone();
                (
                    Box::new(move |e| Action::OAuthWatched {
                        req,
                        key: k,
                        result: Err(e),
                    }),
                    async move {
                        let result = client
                            .wait_for_new_token(
                                &key.integration,
                                &key.name,
                                before.as_ref(),
                                WATCH_POLL,
                                WATCH_LIMIT,
                            )
                            .await;
                        Action::OAuthWatched { req, key, result }
                    }
                    .boxed(),
                )
            }
            Effect::Copy { .. }
            | Effect::StartDemo
            | Effect::SwitchProfile(_)
            | Effect::KeepPasswords(_)
            | Effect::HoldPasswords { .. }
            | Effect::ForgetPasswords(_)
            | Effect::Quit(_)
            | Effect::CancelWatch { .. }
            | Effect::LoadFirst { .. } => return None,
        })
    }
}

/// Run a recipe's step at the target: its `set_command`, or its test (the built-in request or
/// its `test_command`), with the connection as the JSON subject on the child's stdin.
async fn at_target(
    step: crate::rotation::Step,
    job: &crate::app::TargetJob,
) -> Result<String, crate::rotation::StepFailed> {
    use crate::rotation::{run_command, run_test, Step, StepFailed, Subject};
    let subject = Subject {
        integration: &job.key.integration,
        name: &job.key.name,
        kind: "basic_auth",
        username: &job.username,
        allowed_domain: &job.allowed_domain,
        new_password: &job.password,
        old_password: None,
    };
    match (step, &job.recipe.test) {
        (Step::Set, _) => run_command(&job.recipe.set, &subject).await,
        (Step::Test, Some(test)) => run_test(test, &subject).await,
        (Step::Test, None) => Ok("the recipe has no test".into()),
        (other, _) => Err(StepFailed(format!(
            "{} is not a step at the target",
            other.as_str()
        ))),
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
