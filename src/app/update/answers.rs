//! What arrives without a key: the tick, the client's waits, and every worker answer.
use crate::app::action::Effect;
use crate::app::form::Form;
use crate::app::modal::{Modal, RegisteredView};
use crate::app::model::{ConnKey, IntegrationEntry, LeftSel, Level, Pane, ReqId};
use crate::app::state::{State, TICKS_PER_SEC};
use crate::zis::{ClientEvent, Connection, Error};

use super::{banner, error_text, load_bundles, load_connections, load_integrations, rebuild_usage};

pub(super) fn on_tick(state: &mut State) {
    state.tick = state.tick.wrapping_add(1);
    if let Some(b) = &mut state.banner {
        if let Some(t) = &mut b.ttl {
            *t = t.saturating_sub(1);
            if *t == 0 {
                state.banner = None;
            }
        }
    }
    if let Some((_, t)) = &mut state.rate_note {
        *t = t.saturating_sub(1);
        if *t == 0 {
            state.rate_note = None;
        }
    }
}

pub(super) fn on_client_event(state: &mut State, ev: &ClientEvent) {
    let wait = match ev {
        ClientEvent::RateLimited { wait, .. } | ClientEvent::Retrying { wait, .. } => *wait,
        ClientEvent::JournalFailed { .. } => {
            // Said until dismissed, and added to every banner until then: changes are going
            // unrecorded.
            let text = crate::sanitize::clean(&ev.to_string());
            state.banner = Some(crate::app::model::Banner {
                level: Level::Error,
                text: text.clone(),
                ttl: None,
            });
            state.audit_failure = Some(text);
            return;
        }
    };
    let ticks = ((wait.as_millis() as u64 * TICKS_PER_SEC as u64).div_ceil(1000)).max(1);
    state.rate_note = Some((ev.to_string(), ticks.min(u32::MAX as u64) as u32));
}

pub(super) fn on_integrations(
    state: &mut State,
    result: Result<Vec<crate::zis::Integration>, Error>,
    fx: &mut Vec<Effect>,
) {
    match result {
        Ok(mut list) => {
            list.sort_by(|a, b| a.name.cmp(&b.name));
            let mut old: Vec<IntegrationEntry> = std::mem::take(&mut state.integrations);
            for e in &old {
                if let Some(r) = e.loading {
                    state.in_flight.remove(&r);
                }
            }
            state.integrations = list
                .into_iter()
                .map(|i| match old.iter().position(|e| e.name() == i.name) {
                    Some(p) => {
                        let mut e = old.swap_remove(p);
                        e.integration = i;
                        e.loading = None;
                        e.error = None;
                        e
                    }
                    None => IntegrationEntry::new(i),
                })
                .collect();
            state.integrations_error = None;
            let first_load = !state.integrations_loaded;
            state.integrations_loaded = true;
            if first_load && state.left_sel == LeftSel::All {
                if let Some(e) = state.integrations.first() {
                    state.left_sel = LeftSel::Integration(e.name().to_string());
                }
            }
            if let LeftSel::Integration(n) = &state.left_sel {
                if state.entry(n).is_none() {
                    state.left_sel = state
                        .integrations
                        .first()
                        .map(|e| LeftSel::Integration(e.name().to_string()))
                        .unwrap_or(LeftSel::All);
                }
            }
            // A successful reload ends "refreshing…" and an error it may have answered.
            let stale = |b: &crate::app::Banner| {
                b.text == "refreshing…" || (b.level == Level::Error && b.ttl.is_some())
            };
            if state.banner.as_ref().is_some_and(stale) {
                state.banner = None;
            }
            // The selected integration first, then the others (the worker bounds concurrency).
            let mut names: Vec<String> = state
                .integrations
                .iter()
                .map(|e| e.name().to_string())
                .collect();
            if let LeftSel::Integration(sel) = &state.left_sel {
                if let Some(p) = names.iter().position(|n| n == sel) {
                    let s = names.remove(p);
                    names.insert(0, s);
                }
            }
            for n in &names {
                load_connections(state, n, fx);
            }
            // Then the bundles, in the same order: behind every connections listing in the
            // worker's queue, so they never hold up the table.
            state.bundles.retain(|k, b| {
                let keep = names.contains(k);
                if !keep {
                    if let Some(r) = b.loading {
                        state.in_flight.remove(&r);
                    }
                }
                keep
            });
            for n in &names {
                load_bundles(state, n, fx);
            }
            state.recompute();
        }
        Err(e) => {
            let text = error_text(&e) + &refused(state, &e, None);
            state.integrations_error = Some(text.clone());
            banner(state, Level::Error, text);
        }
    }
}

/// What a 401 adds: which credential was refused and what to do (trying again will not help).
/// `of`: the integration whose ZIS token was used, and where that token came from; `None`
/// for the admin's own Zendesk credentials.
pub(super) fn refused(
    state: &State,
    e: &Error,
    of: Option<(&str, Option<crate::zis::TokenSource>)>,
) -> String {
    use crate::zis::{ErrorKind, TokenSource};
    if e.kind != ErrorKind::Unauthorized {
        return String::new();
    }
    let refresh = crate::app::keymap::key_label(
        crate::app::keymap::Scope::Main,
        crate::app::keymap::Command::Refresh,
    );
    let src = crate::sanitize::clean(&state.ctx.credential_source);
    let admin =
        format!("sign in again (`zisctl auth login`) or set a working API token, then {refresh}");
    match of {
        None => format!(
            ". The Zendesk credentials ({src}) were refused; trying again will not help: {admin}"
        ),
        Some((name, Some(TokenSource::Configured))) => format!(
            ". The ZIS token the config sets for {name} was refused: put a new one in the \
             config (or remove it so that zisctl mints one), then {refresh}"
        ),
        Some((name, Some(TokenSource::Environment))) => format!(
            ". The ZIS token in ZIS_OAUTH_TOKEN was refused for {name}: set a new one (or \
             unset it so that zisctl mints one), then {refresh}"
        ),
        Some((name, _)) => format!(
            ". The ZIS token minted for {name} with your Zendesk credentials ({src}) was \
             refused: {admin}"
        ),
    }
}

pub(super) fn on_connections(
    state: &mut State,
    req: ReqId,
    integration: &str,
    result: Result<Vec<Connection>, Error>,
    token: Option<crate::zis::TokenSource>,
    now: time::OffsetDateTime,
) {
    let Some(i) = state.entry_index(integration) else {
        return;
    };
    let entry = &mut state.integrations[i];
    if entry.loading != Some(req) {
        // An older request for this integration: a newer answer is on its way.
        return;
    }
    entry.loading = None;
    if token.is_some() {
        entry.token = token;
    }
    match result {
        Ok(list) => {
            entry.connections = Some(list);
            entry.error = None;
            if state.rate_note.is_some() && state.in_flight.is_empty() {
                state.rate_note = None;
            }
            rebuild_usage(state, integration);
        }
        Err(e) => {
            let token = entry.token;
            let text = error_text(&e) + &refused(state, &e, Some((integration, token)));
            state.integrations[i].error = Some(text.clone());
            let shown = state.left_sel == LeftSel::Integration(integration.to_string())
                || state.is_all_view();
            if shown {
                banner(state, Level::Error, text);
            }
        }
    }
    state.now = now;
    // Marks on connections that are gone are dropped.
    if state.marked.is_empty() {
        state.recompute();
        return;
    }
    let existing: std::collections::BTreeSet<ConnKey> = state
        .integrations
        .iter()
        .flat_map(|e| {
            e.connections
                .iter()
                .flatten()
                .map(move |c| ConnKey::of(e.name(), c))
        })
        .collect();
    state.marked.retain(|k| existing.contains(k));
    state.recompute();
}

/// Every bundle and job spec of one integration: keep them and build its usage graph again.
/// A failure is said where usage is shown (details, delete, the bundles view), not in a
/// banner: the connections table does not depend on it.
pub(super) fn on_bundles(
    state: &mut State,
    req: ReqId,
    integration: &str,
    result: Result<crate::zis::BundleSet, Error>,
) {
    state.in_flight.remove(&req);
    let Some(entry) = state.bundles.get_mut(integration) else {
        return;
    };
    if entry.loading != Some(req) {
        return;
    }
    entry.loading = None;
    match result {
        Ok(set) => {
            entry.set = Some(set);
            entry.error = None;
            rebuild_usage(state, integration);
        }
        Err(e) => {
            entry.error = Some(error_text(&e));
            entry.set = None;
            entry.usage = None;
        }
    }
    if state.rate_note.is_some() && state.in_flight.is_empty() {
        state.rate_note = None;
    }
    state.recompute();
}

/// The open form waiting for `req`, if it is still open.
pub(super) fn pending_form(state: &mut State, req: ReqId) -> Option<&mut Form> {
    match &mut state.modal {
        Some(Modal::Form(f)) if f.pending == Some(req) => Some(f),
        _ => None,
    }
}

/// A failed submit: the form keeps everything typed and shows the server's words.
pub(super) fn form_failed(state: &mut State, req: ReqId, e: &Error) {
    let text = error_text(e);
    if let Some(f) = pending_form(state, req) {
        f.pending = None;
        f.error = Some(text.clone());
    }
    banner(state, Level::Error, text);
}

pub(super) fn on_created(
    state: &mut State,
    req: ReqId,
    integration: &str,
    result: Result<Connection, Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    match result {
        Ok(conn) => {
            if pending_form(state, req).is_some() {
                state.modal = None;
            }
            let key = ConnKey::of(integration, &conn);
            banner(
                state,
                Level::Info,
                format!("created {} connection {key}", conn.kind.as_str()),
            );
            if let Some(i) = state.entry_index(integration) {
                let list = state.integrations[i]
                    .connections
                    .get_or_insert_with(Vec::new);
                list.retain(|c| c.name != conn.name);
                list.push(conn);
            }
            state.recompute();
            state.table_sel = Some(key);
            state.focus = Pane::Connections;
            load_connections(state, integration, fx);
        }
        Err(e) => {
            form_failed(state, req, &e);
            if e.may_have_applied {
                load_connections(state, integration, fx);
            }
        }
    }
}

pub(super) fn on_updated(
    state: &mut State,
    req: ReqId,
    key: &ConnKey,
    result: Result<(), Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    match result {
        Ok(()) => {
            if pending_form(state, req).is_some() {
                state.modal = None;
            }
            banner(state, Level::Info, format!("updated {key}"));
            load_connections(state, &key.integration, fx);
        }
        Err(e) => {
            form_failed(state, req, &e);
            if e.may_have_applied {
                load_connections(state, &key.integration, fx);
            }
        }
    }
}

pub(super) fn on_deleted(
    state: &mut State,
    req: ReqId,
    key: &ConnKey,
    result: Result<(), Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    match result {
        Ok(()) => {
            // The selection goes to the row after the deleted one (else the one before), not
            // back to the top: the next row is the one a cleanup goes on with.
            if state.table_sel.as_ref() == Some(key) {
                if let Some(at) = state
                    .rows
                    .iter()
                    .position(|r| state.row_key(*r).as_ref() == Some(key))
                {
                    let next = state
                        .rows
                        .get(at + 1)
                        .or(at.checked_sub(1).and_then(|p| state.rows.get(p)));
                    state.table_sel = next.and_then(|r| state.row_key(*r));
                }
            }
            if let Some(i) = state.entry_index(&key.integration) {
                if let Some(list) = &mut state.integrations[i].connections {
                    list.retain(|c| !(c.name == key.name && c.kind == key.kind));
                }
            }
            state.marked.remove(key);
            banner(state, Level::Info, format!("deleted {key}"));
            state.recompute();
            load_connections(state, &key.integration, fx);
        }
        Err(e) => banner(state, Level::Error, error_text(&e)),
    }
}

pub(super) fn on_registered(
    state: &mut State,
    req: ReqId,
    name: &str,
    result: Result<crate::zis::RegisteredIntegration, Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    match result {
        Ok(reg) => {
            let client = reg.integration.oauth_client.clone();
            if state.entry(name).is_none() {
                state
                    .integrations
                    .push(IntegrationEntry::new(reg.integration));
                state.integrations.sort_by(|a, b| a.name().cmp(b.name()));
            }
            state.modal = Some(Modal::Registered(Box::new(RegisteredView {
                name: name.to_string(),
                client_id: client.as_ref().map(|c| c.id),
                identifier: client.map(|c| c.identifier),
                secret: reg.client_secret,
                revealed: false,
                copied: false,
                confirm_discard: false,
                confirm_quit: false,
            })));
            banner(state, Level::Info, format!("registered integration {name}"));
            state.recompute();
            load_integrations(state, fx);
        }
        Err(e) => form_failed(state, req, &e),
    }
}
