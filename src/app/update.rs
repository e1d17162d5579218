//! `update(state, action) -> effects`: the only place the state changes. No I/O.
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use secrecy::{ExposeSecret, SecretString};
use tui_textarea::{CursorMove, TextArea};

use crate::secret::{self, Charset};
use crate::zis::{ClientEvent, Connection, ConnectionKind, Error};

use super::action::{Action, Effect, ReqId};
use super::filter::Filter;
use super::form::{FieldId, Form, Submission};
use super::state::*;

/// Length of generated passwords.
pub const PASSWORD_LENGTH: usize = 32;
/// A copied secret is cleared from the clipboard after this long.
pub const CLIPBOARD_CLEAR: Duration = Duration::from_secs(30);
/// Informational banners disappear after this many ticks.
const INFO_TTL: u32 = 5 * TICKS_PER_SEC;

/// The effects to run when the app starts on a configured account.
pub fn init(state: &mut State) -> Vec<Effect> {
    let mut fx = Vec::new();
    if state.screen == Screen::Main {
        load_integrations(state, &mut fx);
    }
    state.recompute();
    fx
}

/// Apply one action to the state; return what must be done outside.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    match action {
        Action::Key(key) => {
            if key.kind != KeyEventKind::Release {
                on_key(state, key, &mut fx);
            }
        }
        Action::Paste(mut text) => {
            on_paste(state, &text);
            // It may have been a password.
            zeroize::Zeroize::zeroize(&mut text);
        }
        Action::Resize(w, h) => {
            state.size = (w, h);
            state.clamp_scroll();
        }
        Action::Tick => {
            on_tick(state);
            return fx;
        }
        Action::Terminate(code) => quit(state, &mut fx, code),
        Action::IntegrationsLoaded { req, result, now } => {
            state.in_flight.remove(&req);
            if state.integrations_req == Some(req) {
                state.integrations_req = None;
                state.now = now;
                on_integrations(state, result, &mut fx);
            }
        }
        Action::ConnectionsLoaded {
            req,
            integration,
            result,
            token,
            now,
        } => {
            state.in_flight.remove(&req);
            on_connections(state, req, &integration, result, token, now);
        }
        Action::Created {
            req,
            integration,
            result,
        } => on_created(state, req, &integration, result, &mut fx),
        Action::Updated { req, key, result } => on_updated(state, req, &key, result, &mut fx),
        Action::Deleted { req, key, result } => on_deleted(state, req, &key, result, &mut fx),
        Action::Registered { req, name, result } => {
            on_registered(state, req, &name, result, &mut fx)
        }
        Action::PasswordApplied { req, key, result } => {
            on_password_applied(state, req, &key, result, &mut fx)
        }
        Action::Client(ev) => on_client_event(state, &ev),
        Action::DemoStarted(result) => match result {
            Ok(ctx) => {
                state.ctx = ctx;
                state.screen = Screen::Main;
                load_integrations(state, &mut fx);
            }
            Err(e) => {
                if let Screen::FirstRun(fr) = &mut state.screen {
                    fr.starting = false;
                    fr.error = Some(e);
                }
            }
        },
        Action::AuditLogLoaded(result) => {
            // Only if the window is still open; newest first.
            if let Some(Modal::AuditLog { entries, .. }) = &mut state.modal {
                *entries = Some(result.map(|mut e| {
                    e.reverse();
                    e
                }));
            }
        }
    }
    state.recompute_rows();
    fx
}

/// Apply worker answers in order, as one `update` each would, but work out the audit and the
/// table once at the end instead of after each: for a burst of answers (an account loading,
/// where each full recompute would cost as much as the whole account). For answers only: a
/// key may need the table as the previous key left it.
pub fn update_all(state: &mut State, actions: impl IntoIterator<Item = Action>) -> Vec<Effect> {
    let mut fx = Vec::new();
    state.deferred = Some(false);
    for action in actions {
        fx.extend(update(state, action));
    }
    if state.deferred.take() == Some(true) {
        state.recompute();
    } else {
        state.recompute_rows();
    }
    fx
}

// ----- helpers ------------------------------------------------------------------------------

fn quit(state: &mut State, fx: &mut Vec<Effect>, code: i32) {
    state.quit = Some(code);
    fx.push(Effect::Quit(code));
}

fn banner(state: &mut State, level: Level, text: impl Into<String>) {
    let ttl = match level {
        Level::Error => None,
        Level::Warn => Some(INFO_TTL * 2),
        Level::Info => Some(INFO_TTL),
    };
    state.banner = Some(Banner {
        level,
        text: crate::sanitize::clean(&text.into()),
        ttl,
    });
}

fn error_text(e: &Error) -> String {
    crate::sanitize::clean(&e.to_string())
}

fn load_integrations(state: &mut State, fx: &mut Vec<Effect>) {
    let req = state.next_req();
    state.integrations_req = Some(req);
    state
        .in_flight
        .insert(req, "loading integrations".to_string());
    fx.push(Effect::LoadIntegrations { req });
}

fn load_connections(state: &mut State, integration: &str, fx: &mut Vec<Effect>) {
    let req = state.next_req();
    let Some(i) = state.entry_index(integration) else {
        return;
    };
    if let Some(old) = state.integrations[i].loading.replace(req) {
        state.in_flight.remove(&old);
    }
    state
        .in_flight
        .insert(req, format!("loading {integration}"));
    fx.push(Effect::LoadConnections {
        req,
        integration: integration.to_string(),
    });
}

/// Load the selected integration's connections if they were never asked for.
fn ensure_loaded(state: &mut State, fx: &mut Vec<Effect>) {
    if let LeftSel::Integration(n) = state.left_sel.clone() {
        if let Some(e) = state.entry(&n) {
            if e.connections.is_none() && e.loading.is_none() && e.error.is_none() {
                load_connections(state, &n, fx);
            }
        }
    }
}

fn refuse_readonly(state: &mut State, what: &str) -> bool {
    if state.ctx.readonly {
        banner(
            state,
            Level::Warn,
            format!("read-only mode: {what} is disabled (--readonly)"),
        );
        true
    } else {
        false
    }
}

fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

// ----- keys ---------------------------------------------------------------------------------

fn on_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    if is_ctrl(&key, 'c') {
        quit(state, fx, 0);
        return;
    }
    if let Screen::FirstRun(_) = state.screen {
        first_run_key(state, key, fx);
        return;
    }
    if state.input.is_some() {
        input_key(state, key, fx);
        return;
    }
    if let Some(modal) = state.modal.take() {
        modal_key(state, modal, key, fx);
        return;
    }
    main_key(state, key, fx);
}

fn first_run_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Screen::FirstRun(fr) = &mut state.screen else {
        return;
    };
    match key.code {
        KeyCode::Char('d') | KeyCode::Enter if !fr.starting => {
            fr.starting = true;
            fr.error = None;
            fx.push(Effect::StartDemo);
        }
        KeyCode::Char('q') | KeyCode::Esc => quit(state, fx, 0),
        _ => {}
    }
}

fn on_paste(state: &mut State, text: &str) {
    if let Some(input) = &mut state.input {
        let one: String = text.chars().filter(|c| !c.is_control()).collect();
        input.input.insert_str(&one);
        sync_filter(state);
        return;
    }
    if let Some(Modal::Form(form)) = &mut state.modal {
        if form.pending.is_none() {
            if let Some(f) = form.focused_mut() {
                f.paste(text);
            }
        }
    }
}

fn main_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let page = state.page_rows().max(2) - 1;
    match key.code {
        KeyCode::Char('q') => quit(state, fx, 0),
        KeyCode::Char('?') => state.modal = Some(Modal::Help { scroll: 0 }),
        KeyCode::Char('/') => open_input(state, InputKind::Filter),
        KeyCode::Char(':') => open_input(state, InputKind::Command),
        KeyCode::Tab | KeyCode::BackTab => {
            state.focus = match state.focus {
                Pane::Integrations => Pane::Connections,
                Pane::Connections => Pane::Integrations,
            }
        }
        KeyCode::Left | KeyCode::Char('h') => state.focus = Pane::Integrations,
        KeyCode::Right | KeyCode::Char('l') => state.focus = Pane::Connections,
        KeyCode::Down | KeyCode::Char('j') => move_sel(state, 1, fx),
        KeyCode::Up | KeyCode::Char('k') => move_sel(state, -1, fx),
        KeyCode::Char('d') if ctrl => move_sel(state, page as isize, fx),
        KeyCode::Char('u') if ctrl => move_sel(state, -(page as isize), fx),
        KeyCode::PageDown => move_sel(state, page as isize, fx),
        KeyCode::PageUp => move_sel(state, -(page as isize), fx),
        KeyCode::Char('g') | KeyCode::Home => move_sel(state, isize::MIN, fx),
        KeyCode::Char('G') | KeyCode::End => move_sel(state, isize::MAX, fx),
        KeyCode::Enter => match state.focus {
            Pane::Integrations => state.focus = Pane::Connections,
            Pane::Connections => {
                if state.selected_connection().is_some() {
                    state.modal = Some(Modal::Details);
                }
            }
        },
        KeyCode::Char('a') => toggle_all(state, fx),
        KeyCode::Char('n') => open_create(state),
        KeyCode::Char('e') => open_edit(state),
        KeyCode::Char('r') => start_rotation(state),
        KeyCode::Char('d') => ask_delete(state),
        KeyCode::Char('I') => open_register(state, "", ""),
        KeyCode::Char('L') => open_audit_log(state, fx),
        KeyCode::Char('R') => refresh(state, fx),
        KeyCode::Char('s') => cycle_sort(state),
        KeyCode::Char('S') => {
            let s = sort_mut(state);
            s.descending = !s.descending;
        }
        KeyCode::Char('c') => copy_name(state, fx),
        KeyCode::Char(' ') => toggle_mark(state),
        KeyCode::Esc => {
            if state.banner.is_some() {
                state.banner = None;
            } else if state.focus == Pane::Integrations && state.left_filter.is_active() {
                state.left_filter = Filter::default();
            } else if state.table_filter.is_active() {
                state.table_filter = Filter::default();
            } else if !state.marked.is_empty() {
                state.marked.clear();
            } else if state.only_findings {
                state.only_findings = false;
            }
        }
        _ => {}
    }
}

fn sort_mut(state: &mut State) -> &mut Sort {
    if state.is_all_view() {
        &mut state.sort_all
    } else {
        &mut state.sort_one
    }
}

fn cycle_sort(state: &mut State) {
    let all = state.is_all_view();
    let s = sort_mut(state);
    s.key = match s.key {
        SortKey::Name => SortKey::Kind,
        SortKey::Kind => SortKey::Age,
        SortKey::Age => SortKey::Domain,
        SortKey::Domain if all => SortKey::Integration,
        SortKey::Domain | SortKey::Integration => SortKey::Name,
    };
    // Oldest first is what an audit wants; names read best A to Z.
    s.descending = s.key == SortKey::Age;
}

fn set_left(state: &mut State, sel: LeftSel, fx: &mut Vec<Effect>) {
    if state.left_sel == sel {
        return;
    }
    if let Some(k) = state.table_sel.take() {
        state.remembered.insert(state.left_sel.clone(), k);
    }
    state.left_sel = sel;
    state.scroll = 0;
    state.recompute_rows();
    ensure_loaded(state, fx);
}

fn move_sel(state: &mut State, delta: isize, fx: &mut Vec<Effect>) {
    let step = |cur: usize, len: usize| -> usize {
        if len == 0 {
            return 0;
        }
        match delta {
            isize::MIN => 0,
            isize::MAX => len - 1,
            d => (cur as isize + d).clamp(0, len as isize - 1) as usize,
        }
    };
    match state.focus {
        Pane::Integrations => {
            let cur = state.left_index().unwrap_or(0);
            let i = step(cur, state.left_rows.len());
            let sel = match state.left_rows.get(i) {
                Some(LeftItem::Integration(ei)) => match state.integrations.get(*ei) {
                    Some(e) => LeftSel::Integration(e.name().to_string()),
                    None => LeftSel::All,
                },
                _ => LeftSel::All,
            };
            set_left(state, sel, fx);
        }
        Pane::Connections => {
            let cur = state.selected_index().unwrap_or(0);
            let i = step(cur, state.rows.len());
            state.table_sel = state.rows.get(i).and_then(|r| state.row_key(*r));
            state.clamp_scroll();
        }
    }
}

fn toggle_all(state: &mut State, fx: &mut Vec<Effect>) {
    if state.is_all_view() {
        let back = state
            .remembered
            .keys()
            .find_map(|k| match k {
                LeftSel::Integration(n) if state.entry(n).is_some() => Some(k.clone()),
                _ => None,
            })
            .or_else(|| {
                state
                    .integrations
                    .first()
                    .map(|e| LeftSel::Integration(e.name().to_string()))
            });
        if let Some(b) = back {
            set_left(state, b, fx);
        }
    } else {
        set_left(state, LeftSel::All, fx);
        state.focus = Pane::Connections;
    }
}

fn refresh(state: &mut State, fx: &mut Vec<Effect>) {
    load_integrations(state, fx);
    banner(state, Level::Info, "refreshing…");
}

fn copy_name(state: &mut State, fx: &mut Vec<Effect>) {
    let text = match state.focus {
        Pane::Connections => state.selected_connection().map(|(_, c)| c.name.clone()),
        Pane::Integrations => state.selected_entry().map(|e| e.name().to_string()),
    };
    if let Some(t) = text {
        let shown = crate::sanitize::clean(&t);
        fx.push(Effect::Copy {
            text: SecretString::from(t),
            clear_after: None,
        });
        banner(state, Level::Info, format!("copied \"{shown}\" (OSC 52)"));
    }
}

fn toggle_mark(state: &mut State) {
    if state.focus != Pane::Connections {
        return;
    }
    let Some(i) = state.selected_index() else {
        return;
    };
    if let Some(k) = state.row_key(state.rows[i]) {
        if !state.marked.remove(&k) {
            state.marked.insert(k);
        }
    }
    if let Some(r) = state.rows.get(i + 1) {
        state.table_sel = state.row_key(*r);
        state.clamp_scroll();
    }
}

/// The integration a new connection goes to: the selected one, or the selected row's.
fn target_integration(state: &State) -> Option<String> {
    match &state.left_sel {
        LeftSel::Integration(n) => Some(n.clone()),
        LeftSel::All => state
            .selected_connection()
            .map(|(i, _)| i.to_string())
            .or_else(|| state.integrations.first().map(|e| e.name().to_string())),
    }
}

fn open_create(state: &mut State) {
    if refuse_readonly(state, "creating a connection") {
        return;
    }
    match target_integration(state) {
        Some(i) => state.modal = Some(Modal::Form(Box::new(Form::create(&i)))),
        None => banner(
            state,
            Level::Warn,
            "no integration to add a connection to: register one first (I)",
        ),
    }
}

fn open_edit(state: &mut State) {
    if refuse_readonly(state, "editing") {
        return;
    }
    let Some((integration, conn)) = state.selected_connection() else {
        banner(state, Level::Warn, "select a connection to edit");
        return;
    };
    match Form::edit(integration, conn) {
        Some(f) => state.modal = Some(Modal::Form(Box::new(f))),
        None => banner(
            state,
            Level::Warn,
            "oauth connections come from an OAuth flow and cannot be edited here",
        ),
    }
}

fn open_register(state: &mut State, name: &str, description: &str) {
    if refuse_readonly(state, "registering an integration") {
        return;
    }
    state.modal = Some(Modal::Form(Box::new(Form::register(name, description))));
}

fn ask_delete(state: &mut State) {
    if refuse_readonly(state, "deleting") {
        return;
    }
    match state.selected_connection() {
        Some((i, c)) => {
            let key = ConnKey::of(i, c);
            state.modal = Some(Modal::ConfirmDelete { key });
        }
        None => banner(state, Level::Warn, "select a connection to delete"),
    }
}

/// Step one of a rotation: generate a password for each target and show it. Nothing is sent.
fn start_rotation(state: &mut State) {
    if refuse_readonly(state, "rotating") {
        return;
    }
    let targets: Vec<ConnKey> = if state.marked.is_empty() {
        state
            .selected_connection()
            .map(|(i, c)| ConnKey::of(i, c))
            .into_iter()
            .collect()
    } else {
        state.marked.iter().cloned().collect()
    };
    if targets.is_empty() {
        banner(
            state,
            Level::Warn,
            "select a basic_auth connection to rotate",
        );
        return;
    }
    let mut items = Vec::new();
    let mut skipped = 0;
    for key in targets {
        let Some(conn) = state.find_connection(&key) else {
            continue;
        };
        if conn.kind != ConnectionKind::BasicAuth {
            skipped += 1;
            continue;
        }
        let password = match secret::generate(PASSWORD_LENGTH, Charset::Default) {
            Ok(p) => p,
            Err(e) => {
                banner(
                    state,
                    Level::Error,
                    format!("cannot generate a password: {e}"),
                );
                return;
            }
        };
        items.push(RotItem {
            username: conn.username.clone().unwrap_or_default(),
            allowed_domain: conn.allowed_domain.clone(),
            before: conn.updated_at,
            key,
            password,
            status: RotStatus::Ready,
        });
    }
    if items.is_empty() {
        banner(
            state,
            Level::Warn,
            "rotation generates basic_auth passwords; for api_key and bearer_token \
             connections use e to set the new secret the target system issued",
        );
        return;
    }
    state.modal = Some(Modal::Rotation(Box::new(Rotation {
        items,
        selected: 0,
        revealed: false,
        copied: false,
        confirm_discard: false,
        skipped,
    })));
}

// ----- the input line (filter and command) --------------------------------------------------

fn open_input(state: &mut State, kind: InputKind) {
    let mut ta = TextArea::default();
    ta.set_cursor_line_style(ratatui::style::Style::default());
    if kind == InputKind::Filter {
        let current = match state.focus {
            Pane::Integrations => &state.left_filter,
            Pane::Connections => &state.table_filter,
        };
        ta.insert_str(&current.text);
    }
    ta.move_cursor(CursorMove::End);
    state.input = Some(InputLine {
        kind,
        input: ta,
        pane: state.focus,
    });
}

fn filter_mut(state: &mut State, pane: Pane) -> &mut Filter {
    match pane {
        Pane::Integrations => &mut state.left_filter,
        Pane::Connections => &mut state.table_filter,
    }
}

fn sync_filter(state: &mut State) {
    let Some(input) = &state.input else {
        return;
    };
    if input.kind != InputKind::Filter {
        return;
    }
    let text = input.text();
    let pane = input.pane;
    filter_mut(state, pane).text = text;
}

fn input_key(state: &mut State, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(input) = &mut state.input else {
        return;
    };
    let kind = input.kind;
    let pane = input.pane;
    match key.code {
        KeyCode::Esc => {
            state.input = None;
            if kind == InputKind::Filter {
                *filter_mut(state, pane) = Filter::default();
            }
        }
        KeyCode::Enter => {
            let text = input.text();
            state.input = None;
            if kind == InputKind::Command {
                run_command(state, text.trim(), fx);
            }
        }
        KeyCode::Char('f') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            if kind == InputKind::Filter {
                let f = filter_mut(state, pane);
                f.mode = f.mode.toggled();
            }
        }
        KeyCode::Backspace if input.input.is_empty() => {
            state.input = None;
        }
        KeyCode::Tab | KeyCode::BackTab => {}
        KeyCode::Char('m' | 'j') if key.modifiers.contains(KeyModifiers::CONTROL) => {}
        _ => {
            input.input.input(key);
            if input.input.lines().len() > 1 {
                let t = input.text();
                input.input = TextArea::new(vec![t]);
                input.input.move_cursor(CursorMove::End);
            }
            sync_filter(state);
        }
    }
}

/// Commands typed after `:`.
pub const COMMANDS: &[(&str, &str)] = &[
    ("q", "quit"),
    ("all", "All connections"),
    ("findings", "only the ones with findings"),
    ("int NAME", "go to an integration"),
    ("register NAME [DESC]", "register an integration"),
    ("new", "new connection"),
    ("sort KEY [asc|desc]", "name kind age domain …"),
    ("filter [fuzzy] TEXT", "filter the table"),
    ("refresh", "reload everything"),
    ("log", "the audit log of changes"),
    ("help", "this help"),
];

fn run_command(state: &mut State, line: &str, fx: &mut Vec<Effect>) {
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else {
        return;
    };
    let rest: Vec<&str> = words.collect();
    match cmd {
        "q" | "q!" | "quit" | "exit" => quit(state, fx, 0),
        "help" | "h" | "?" => state.modal = Some(Modal::Help { scroll: 0 }),
        "all" | "audit" => {
            state.only_findings = false;
            set_left(state, LeftSel::All, fx);
            state.focus = Pane::Connections;
        }
        "findings" | "stale" => {
            set_left(state, LeftSel::All, fx);
            state.only_findings = !state.only_findings;
            state.focus = Pane::Connections;
        }
        "int" | "i" | "integration" => match rest.first() {
            Some(n) if state.entry(n).is_some() => {
                set_left(state, LeftSel::Integration((*n).to_string()), fx);
            }
            Some(n) => banner(
                state,
                Level::Error,
                format!("no integration named {n} in this account"),
            ),
            None => banner(state, Level::Error, ":int needs a name"),
        },
        "register" | "reg" => {
            let name = rest.first().copied().unwrap_or("");
            let desc = rest.get(1..).map(|d| d.join(" ")).unwrap_or_default();
            open_register(state, name, &desc);
        }
        "new" => open_create(state),
        "log" | "audit-log" => open_audit_log(state, fx),
        "refresh" | "reload" | "r" => refresh(state, fx),
        "sort" => {
            let key = rest.first().and_then(|k| SortKey::parse(k));
            match key {
                Some(k) if k != SortKey::Integration || state.is_all_view() => {
                    let desc = match rest.get(1).copied() {
                        Some("desc") => true,
                        Some("asc") => false,
                        _ => k == SortKey::Age,
                    };
                    let s = sort_mut(state);
                    s.key = k;
                    s.descending = desc;
                }
                _ => banner(
                    state,
                    Level::Error,
                    "sort by name, kind, age, domain (or integration in the All view)",
                ),
            }
        }
        "filter" | "f" => {
            let (mode, words) = match rest.first() {
                Some(&"fuzzy") => (super::filter::FilterMode::Fuzzy, &rest[1..]),
                _ => (super::filter::FilterMode::Substring, &rest[..]),
            };
            state.table_filter = Filter {
                text: words.join(" "),
                mode,
            };
            state.focus = Pane::Connections;
        }
        other => banner(
            state,
            Level::Error,
            format!("unknown command: {other} (:help lists the commands)"),
        ),
    }
}

// ----- modals -------------------------------------------------------------------------------

fn open_audit_log(state: &mut State, fx: &mut Vec<Effect>) {
    state.modal = Some(Modal::AuditLog {
        entries: None,
        scroll: 0,
    });
    fx.push(Effect::LoadAuditLog);
}

fn modal_key(state: &mut State, modal: Modal, key: KeyEvent, fx: &mut Vec<Effect>) {
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

// ----- answers ------------------------------------------------------------------------------

fn on_tick(state: &mut State) {
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

fn on_client_event(state: &mut State, ev: &ClientEvent) {
    let wait = match ev {
        ClientEvent::RateLimited { wait, .. } | ClientEvent::Retrying { wait, .. } => *wait,
    };
    let ticks = ((wait.as_millis() as u64 * TICKS_PER_SEC as u64).div_ceil(1000)).max(1);
    state.rate_note = Some((ev.to_string(), ticks.min(u32::MAX as u64) as u32));
}

fn on_integrations(
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
            if matches!(&state.banner, Some(b) if b.text == "refreshing…") {
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
            for n in names {
                load_connections(state, &n, fx);
            }
            state.recompute();
        }
        Err(e) => {
            let text = error_text(&e);
            state.integrations_error = Some(text.clone());
            banner(state, Level::Error, text);
        }
    }
}

fn on_connections(
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
        }
        Err(e) => {
            let text = error_text(&e);
            entry.error = Some(text.clone());
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

/// The open form waiting for `req`, if it is still open.
fn pending_form(state: &mut State, req: ReqId) -> Option<&mut Form> {
    match &mut state.modal {
        Some(Modal::Form(f)) if f.pending == Some(req) => Some(f),
        _ => None,
    }
}

/// A failed submit: the form keeps everything typed and shows the server's words.
fn form_failed(state: &mut State, req: ReqId, e: &Error) {
    let text = error_text(e);
    if let Some(f) = pending_form(state, req) {
        f.pending = None;
        f.error = Some(text.clone());
    }
    banner(state, Level::Error, text);
}

fn on_created(
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

fn on_updated(
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

fn on_deleted(
    state: &mut State,
    req: ReqId,
    key: &ConnKey,
    result: Result<(), Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    match result {
        Ok(()) => {
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

fn on_registered(
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
            })));
            banner(state, Level::Info, format!("registered integration {name}"));
            state.recompute();
            load_integrations(state, fx);
        }
        Err(e) => form_failed(state, req, &e),
    }
}

fn on_password_applied(
    state: &mut State,
    req: ReqId,
    key: &ConnKey,
    result: Result<crate::zis::Applied, Error>,
    fx: &mut Vec<Effect>,
) {
    state.in_flight.remove(&req);
    let item = match &mut state.modal {
        Some(Modal::Rotation(rot)) => rot
            .items
            .iter_mut()
            .find(|i| i.status == RotStatus::Applying(req)),
        _ => None,
    };
    match (item, result) {
        (Some(item), Ok(applied)) => {
            item.status = RotStatus::Applied {
                verified: applied.verified,
            };
            // Rotated: no longer marked for rotation.
            state.marked.remove(key);
        }
        (Some(item), Err(e)) => {
            item.status = if e.may_have_applied {
                RotStatus::Unknown(format!(
                    "the answer was lost ({}): the new password may or may not be in force. \
                     Keep it; Enter applies it again",
                    crate::sanitize::clean(&e.message)
                ))
            } else {
                RotStatus::Failed(error_text(&e))
            };
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
    load_connections(state, &key.integration, fx);
}
