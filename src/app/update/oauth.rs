//! The OAuth side of `update`: the OAuth clients tab (switching to it, moving in it, its
//! forms and its delete), the delete questions that need more than `y` (an OAuth client and
//! the connections that go with it; the reserved `zendesk` connection, whose name is typed),
//! the re-authorise window of an OAuth connection, and the worker's answers for all of them.
//! Nothing is sent before the question that guards it is answered.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;

use crate::app::action::Effect;
use crate::app::form::{Form, Submission};
use crate::app::keymap::{self, Command, Scope};
use crate::app::modal::Modal;
use crate::app::model::{ConnKey, LeftSel, Level, Pane, ReqId, RightTab};
use crate::app::oauth::{AuthPhase, AuthorizeFlow, DeleteQuestion, DeleteTarget};
use crate::app::state::State;
use crate::zis::{
    oauth_validate, Connection, ConnectionKind, Error, GrantType, OAuthClientRef, OAuthStart,
    ZisOAuthClient,
};

use super::answers::{form_failed, pending_form};
use super::{banner, error_text, load_connections, CLIPBOARD_CLEAR};

// ----- loading ------------------------------------------------------------------------------

pub(super) fn load_clients(state: &mut State, integration: &str, fx: &mut Vec<Effect>) {
    let Some(i) = state.entry_index(integration) else {
        return;
    };
    let req = state.next_req();
    if let Some(old) = state.integrations[i].clients_loading.replace(req) {
        state.in_flight.remove(&old);
    }
    state
        .in_flight
        .insert(req, format!("loading the OAuth clients of {integration}"));
    fx.push(Effect::LoadOAuthClients {
        req,
        integration: integration.to_string(),
    });
}

/// Load the selected integration's OAuth clients if they were never asked for (they name
/// the clients of its OAuth connections, and fill the clients tab).
pub(super) fn ensure_clients(state: &mut State, fx: &mut Vec<Effect>) {
    if let LeftSel::Integration(n) = state.left_sel.clone() {
        if let Some(e) = state.entry(&n) {
            if e.oauth_clients.is_none() && e.clients_loading.is_none() && e.clients_error.is_none()
            {
                load_clients(state, &n, fx);
            }
        }
    }
}

/// After a key: an OAuth connection selected in the table names its client, so its
/// integration's OAuth clients are loaded if they were never asked for.
pub(super) fn clients_for_selection(state: &mut State, fx: &mut Vec<Effect>) {
    if state.modal.is_some() || state.focus != Pane::Connections {
        return;
    }
    let Some((i, c)) = state.selected_connection() else {
        return;
    };
    if c.kind != ConnectionKind::OAuth {
        return;
    }
    let i = i.to_string();
    if let Some(e) = state.entry(&i) {
        if e.oauth_clients.is_none() && e.clients_loading.is_none() && e.clients_error.is_none() {
            load_clients(state, &i, fx);
        }
    }
}

// ----- keys on the main screen ---------------------------------------------------------------

/// `o`: the selected integration's OAuth clients, and back to its connections.
pub(super) fn toggle_tab(state: &mut State, fx: &mut Vec<Effect>) {
    if state.clients_tab() {
        state.tab = RightTab::Connections;
        return;
    }
    if state.selected_entry().is_none() {
        banner(
            state,
            Level::Warn,
            "OAuth clients belong to one integration: select one first",
        );
        return;
    }
    state.tab = RightTab::OAuthClients;
    state.focus = Pane::Connections;
    ensure_clients(state, fx);
}

/// A main-screen command while the OAuth clients tab has the focus. Returns false for the
/// commands it leaves to the connections' handling (moving between panes, the filter, …).
pub(super) fn clients_command(state: &mut State, command: Command, fx: &mut Vec<Effect>) -> bool {
    let page = (state.table_rows.max(2) - 1) as isize;
    match command {
        Command::Down => move_client(state, 1),
        Command::Up => move_client(state, -1),
        Command::PageDown => move_client(state, page),
        Command::PageUp => move_client(state, -page),
        Command::First => move_client(state, isize::MIN),
        Command::Last => move_client(state, isize::MAX),
        Command::Details => {
            if state.selected_client().is_some() {
                state.modal = Some(Modal::Details);
            }
        }
        Command::New => {
            if let Some(e) = state.selected_entry() {
                let f = Form::create_client(e.name());
                state.modal = Some(Modal::Form(Box::new(f)));
            }
        }
        Command::Edit | Command::Rotate => match state.selected_client() {
            Some((i, c)) => {
                let f = Form::edit_client(i, c, command == Command::Rotate);
                state.modal = Some(Modal::Form(Box::new(f)));
            }
            None => banner(state, Level::Warn, "select an OAuth client first"),
        },
        Command::Delete => ask_delete_client(state),
        Command::Copy => {
            if let Some((_, c)) = state.selected_client() {
                let name = c.name.clone();
                let shown = crate::sanitize::clean(&name);
                fx.push(Effect::Copy {
                    text: SecretString::from(name),
                    clear_after: None,
                });
                banner(state, Level::Info, format!("copied \"{shown}\" (OSC 52)"));
            }
        }
        Command::Refresh => {
            if let Some(n) = state.selected_entry().map(|e| e.name().to_string()) {
                load_clients(state, &n, fx);
            }
            return false;
        }
        Command::ToggleAll => {
            state.tab = RightTab::Connections;
            return false;
        }
        _ => return false,
    }
    true
}

fn move_client(state: &mut State, delta: isize) {
    let rows: Vec<String> = state.client_rows().iter().map(|c| c.uuid.clone()).collect();
    if rows.is_empty() {
        return;
    }
    let cur = state.selected_client_index().unwrap_or(0);
    let i = match delta {
        isize::MIN => 0,
        isize::MAX => rows.len() - 1,
        d => (cur as isize + d).clamp(0, rows.len() as isize - 1) as usize,
    };
    state.client_sel = rows.get(i).cloned();
}

/// A connections-table command that is different for an OAuth connection: `r` re-authorises
/// it, `d` on the reserved `zendesk` one asks for its name. Returns true when done here.
pub(super) fn connection_command(
    state: &mut State,
    command: Command,
    fx: &mut Vec<Effect>,
) -> bool {
    let Some((i, c)) = state.selected_connection() else {
        return false;
    };
    let key = ConnKey::of(i, c);
    match command {
        Command::Rotate if c.kind == ConnectionKind::OAuth && state.marked.is_empty() => {
            open_authorize(state, key, fx);
            true
        }
        Command::Delete if oauth_validate::is_reserved(&c.name) => {
            state.modal = Some(Modal::Delete(Box::new(DeleteQuestion {
                target: DeleteTarget::Connection(key),
                cascade: None,
                must_type: Some(c.name.clone()),
                typed: String::new(),
            })));
            true
        }
        _ => false,
    }
}

fn ask_delete_client(state: &mut State) {
    let Some((i, c)) = state.selected_client() else {
        banner(state, Level::Warn, "select an OAuth client to delete");
        return;
    };
    let cascade = state.connections_of_client(i, &c.uuid);
    let must_type = cascade
        .iter()
        .flatten()
        .find(|n| oauth_validate::is_reserved(n))
        .cloned();
    let q = DeleteQuestion {
        target: DeleteTarget::OAuthClient {
            integration: i.to_string(),
            uuid: c.uuid.clone(),
            name: c.name.clone(),
        },
        cascade,
        must_type,
        typed: String::new(),
    };
    state.modal = Some(Modal::Delete(Box::new(q)));
}

fn open_authorize(state: &mut State, key: ConnKey, fx: &mut Vec<Effect>) {
    let Some(conn) = state.find_connection(&key).cloned() else {
        return;
    };
    let oauth = conn.oauth.clone().unwrap_or_default();
    let client = oauth.oauth_client_uuid.clone().or_else(|| {
        sorted_clients(state, &key.integration)
            .first()
            .map(|c| c.uuid.clone())
    });
    state.modal = Some(Modal::Authorize(Box::new(AuthorizeFlow {
        key: key.clone(),
        client,
        scopes: oauth.permission_scope.filter(|s| !s.trim().is_empty()),
        before: Some(conn),
        phase: AuthPhase::Choose,
        copied: false,
    })));
    if state.clients_of(&key.integration).is_none() {
        load_clients(state, &key.integration, fx);
    }
}

/// The OAuth clients of `integration`, by name.
fn sorted_clients<'a>(state: &'a State, integration: &str) -> Vec<&'a ZisOAuthClient> {
    let mut l: Vec<&ZisOAuthClient> = state
        .clients_of(integration)
        .into_iter()
        .flatten()
        .collect();
    l.sort_by(|a, b| a.name.cmp(&b.name));
    l
}

// ----- keys in the windows ---------------------------------------------------------------------

/// A key in a delete question (`y` / Enter once the name is typed; Esc keeps it).
pub(super) fn delete_key(
    state: &mut State,
    mut q: Box<DeleteQuestion>,
    command: Option<Command>,
    key: KeyEvent,
    fx: &mut Vec<Effect>,
) {
    match command {
        Some(Command::Close) => return,
        Some(Command::Confirm) if q.ready() => {
            let req = state.next_req();
            match q.target {
                DeleteTarget::Connection(key) => {
                    state.in_flight.insert(req, format!("deleting {key}"));
                    fx.push(Effect::DeleteConnection { req, key });
                }
                DeleteTarget::OAuthClient {
                    integration,
                    uuid,
                    name,
                } => {
                    state
                        .in_flight
                        .insert(req, format!("deleting OAuth client {integration}/{name}"));
                    fx.push(Effect::DeleteOAuthClient {
                        req,
                        integration,
                        uuid,
                        name,
                    });
                }
            }
            return;
        }
        Some(_) => {}
        None if q.must_type.is_some() => {
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            match key.code {
                KeyCode::Char(c) if !ctrl && !c.is_control() && q.typed.chars().count() < 64 => {
                    q.typed.push(c)
                }
                KeyCode::Backspace => {
                    q.typed.pop();
                }
                _ => {}
            }
        }
        None => {}
    }
    state.modal = Some(Modal::Delete(q));
}

/// A key in the re-authorise window.
pub(super) fn authorize_key(
    state: &mut State,
    mut a: Box<AuthorizeFlow>,
    command: Option<Command>,
    fx: &mut Vec<Effect>,
) {
    match command {
        Some(Command::Close) => {
            match &a.phase {
                AuthPhase::Waiting { req, .. } => {
                    state.in_flight.remove(req);
                    fx.push(Effect::CancelWatch { req: *req });
                    banner(
                        state,
                        Level::Warn,
                        format!(
                            "stopped waiting for {}'s new token: it is re-authorised anyway if \
                             the browser finishes the flow",
                            a.key
                        ),
                    );
                }
                AuthPhase::Starting(req) => {
                    state.in_flight.remove(req);
                }
                _ => {}
            }
            return;
        }
        Some(Command::Down | Command::Up) if a.phase == AuthPhase::Choose => {
            let list = sorted_clients(state, &a.key.integration);
            if !list.is_empty() {
                let cur = a
                    .client
                    .as_ref()
                    .and_then(|u| list.iter().position(|c| c.uuid == *u))
                    .unwrap_or(0);
                let next = if command == Some(Command::Down) {
                    (cur + 1).min(list.len() - 1)
                } else {
                    cur.saturating_sub(1)
                };
                a.client = Some(list[next].uuid.clone());
            }
        }
        Some(Command::Authorize) => match &a.phase {
            AuthPhase::Choose | AuthPhase::Failed(_) => start_flow(state, &mut a, fx),
            AuthPhase::Done { .. } => return,
            _ => {}
        },
        Some(Command::Copy) => {
            if let AuthPhase::Waiting { url: Some(url), .. } = &a.phase {
                fx.push(Effect::Copy {
                    text: SecretString::from(url.clone()),
                    clear_after: Some(CLIPBOARD_CLEAR),
                });
                a.copied = true;
                banner(
                    state,
                    Level::Info,
                    super::copied_text(state, "the authorisation URL"),
                );
            }
        }
        _ => {}
    }
    state.modal = Some(Modal::Authorize(a));
}

fn start_flow(state: &mut State, a: &mut AuthorizeFlow, fx: &mut Vec<Effect>) {
    let client = a
        .client
        .as_ref()
        .and_then(|u| {
            state
                .clients_of(&a.key.integration)?
                .iter()
                .find(|c| c.uuid == *u)
        })
        .cloned();
    let Some(client) = client else {
        a.phase = AuthPhase::Failed(format!(
            "no OAuth client to use: create one in the OAuth clients tab ({})",
            keymap::key_label(Scope::Main, Command::OAuthClients)
        ));
        return;
    };
    let grant = client.grant();
    let start = OAuthStart {
        name: a.key.name.clone(),
        client: OAuthClientRef::Uuid(client.uuid.clone()),
        grant_type: Some(grant),
        permission_scopes: a.scopes.clone().or(client.default_scopes.clone()),
        allow_offline_access: (grant == GrantType::AuthorizationCode).then_some(true),
        origin_oauth_redirect_url: state.ctx.base_url.clone(),
    };
    let req = state.next_req();
    state
        .in_flight
        .insert(req, format!("starting the OAuth flow of {}", a.key));
    a.phase = AuthPhase::Starting(req);
    fx.push(Effect::StartOAuth {
        req,
        key: a.key.clone(),
        start,
        client_credentials: grant == GrantType::ClientCredentials,
    });
}

/// The OAuth client forms' submit.
pub(super) fn submit_client(state: &mut State, req: ReqId, sub: Submission, fx: &mut Vec<Effect>) {
    match sub {
        Submission::CreateClient { integration, new } => {
            state.in_flight.insert(
                req,
                format!("creating OAuth client {integration}/{}", new.name),
            );
            fx.push(Effect::CreateOAuthClient {
                req,
                integration,
                new,
            });
        }
        Submission::UpdateClient {
            integration,
            uuid,
            name,
            update,
        } => {
            state
                .in_flight
                .insert(req, format!("updating OAuth client {integration}/{name}"));
            fx.push(Effect::UpdateOAuthClient {
                req,
                integration,
                uuid,
                name,
                update,
            });
        }
        _ => {}
    }
}

// ----- answers ---------------------------------------------------------------------------------

pub(super) fn on_clients_loaded(
    state: &mut State,
    req: ReqId,
    integration: &str,
    result: Result<Vec<ZisOAuthClient>, Error>,
) {
    state.in_flight.remove(&req);
    let Some(i) = state.entry_index(integration) else {
        return;
    };
    let e = &mut state.integrations[i];
    if e.clients_loading != Some(req) {
        return;
    }
    e.clients_loading = None;
    match result {
        Ok(list) => {
            e.oauth_clients = Some(list);
            e.clients_error = None;
        }
        Err(err) => {
            let text = error_text(&err);
            e.clients_error = Some(text.clone());
            if state.clients_tab() && state.left_sel == LeftSel::Integration(integration.into()) {
                banner(state, Level::Error, text);
            }
        }
    }
}

pub(super) fn on_client_saved(
    state: &mut State,
    req: ReqId,
    integration: &str,
    result: Result<Option<ZisOAuthClient>, Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    match result {
        Ok(saved) => {
            let created = matches!(
                pending_form(state, req).map(|f| &f.purpose),
                Some(crate::app::FormPurpose::CreateClient { .. })
            );
            if pending_form(state, req).is_some() {
                state.modal = None;
            }
            let name = saved.as_ref().map(|c| c.name.clone()).unwrap_or_default();
            if let Some(c) = saved {
                if let Some(i) = state.entry_index(integration) {
                    let list = state.integrations[i]
                        .oauth_clients
                        .get_or_insert_with(Vec::new);
                    list.retain(|x| x.uuid != c.uuid);
                    state.client_sel = Some(c.uuid.clone());
                    list.push(c);
                }
            }
            let what = if created { "created" } else { "updated" };
            banner(
                state,
                Level::Info,
                format!("{what} OAuth client {integration}/{name}"),
            );
            load_clients(state, integration, fx);
        }
        Err(e) => {
            form_failed(state, req, &e);
            if e.may_have_applied {
                load_clients(state, integration, fx);
            }
        }
    }
}

pub(super) fn on_client_deleted(
    state: &mut State,
    req: ReqId,
    integration: &str,
    uuid: &str,
    result: Result<(), Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    match result {
        Ok(()) => {
            let gone = state
                .connections_of_client(integration, uuid)
                .unwrap_or_default();
            let name = state
                .client_name(integration, uuid)
                .unwrap_or_default()
                .to_string();
            if let Some(i) = state.entry_index(integration) {
                let e = &mut state.integrations[i];
                if let Some(l) = &mut e.oauth_clients {
                    l.retain(|c| c.uuid != uuid);
                }
                // ZIS deleted its OAuth connections with it.
                if let Some(l) = &mut e.connections {
                    l.retain(|c| !(c.kind == ConnectionKind::OAuth && gone.contains(&c.name)));
                }
            }
            banner(
                state,
                Level::Info,
                format!(
                    "deleted OAuth client {integration}/{name} and {} OAuth connection(s) with it",
                    gone.len()
                ),
            );
            state.recompute();
            load_clients(state, integration, fx);
            load_connections(state, integration, fx);
        }
        Err(e) => banner(state, Level::Error, error_text(&e)),
    }
}

/// The re-authorise window waiting for `req`, if it is still open.
fn waiting_window(
    state: &mut State,
    starting: Option<ReqId>,
    watching: Option<ReqId>,
) -> Option<&mut AuthorizeFlow> {
    match &mut state.modal {
        Some(Modal::Authorize(a)) => {
            let ok = match &a.phase {
                AuthPhase::Starting(r) => Some(*r) == starting,
                AuthPhase::Waiting { req, .. } => Some(*req) == watching,
                _ => false,
            };
            ok.then_some(a.as_mut())
        }
        _ => None,
    }
}

pub(super) fn on_oauth_started(
    state: &mut State,
    req: ReqId,
    key: &ConnKey,
    result: Result<Option<String>, Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    let before = match waiting_window(state, Some(req), None) {
        Some(a) => a.before.clone(),
        None => return,
    };
    match result {
        Ok(url) => {
            let watch = state.next_req();
            if let Some(a) = waiting_window(state, Some(req), None) {
                a.phase = AuthPhase::Waiting { req: watch, url };
            }
            state
                .in_flight
                .insert(watch, format!("waiting for {key}'s new token"));
            fx.push(Effect::WatchOAuth {
                req: watch,
                key: key.clone(),
                before,
            });
        }
        Err(e) => {
            let text = error_text(&e);
            if let Some(a) = waiting_window(state, Some(req), None) {
                a.phase = AuthPhase::Failed(text);
            }
        }
    }
}

pub(super) fn on_oauth_watched(
    state: &mut State,
    req: ReqId,
    key: &ConnKey,
    result: Result<Connection, Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    let open = waiting_window(state, None, Some(req)).is_some();
    match result {
        Ok(conn) => {
            let expiry = conn.oauth.as_ref().and_then(|o| o.token_expiry);
            if let Some(a) = waiting_window(state, None, Some(req)) {
                a.phase = AuthPhase::Done { expiry };
            }
            if let Some(i) = state.entry_index(&key.integration) {
                let list = state.integrations[i]
                    .connections
                    .get_or_insert_with(Vec::new);
                list.retain(|c| !(c.name == conn.name && c.kind == conn.kind));
                list.push(conn);
            }
            banner(
                state,
                Level::Info,
                format!("re-authorised {key}: a new token"),
            );
            state.recompute();
            load_connections(state, &key.integration, fx);
        }
        Err(e) if open => {
            if let Some(a) = waiting_window(state, None, Some(req)) {
                a.phase = AuthPhase::Failed(error_text(&e));
            }
        }
        Err(_) => {}
    }
}
