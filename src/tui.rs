//! The terminal runtime: set the terminal up, run the event loop, restore it on every way out
//! (quit, Ctrl-C, SIGTERM/SIGHUP/SIGINT/SIGQUIT, panic).
//!
//! The loop waits on terminal events, worker answers, signals, a tick (only while something
//! animates) and the clipboard-clear timer; each becomes an [`Action`] for [`app::update`],
//! whose effects go to the [`Worker`] (API calls) or are done here (clipboard, quit, demo).
//! The screen is drawn after each action, never in a busy loop.
use std::any::Any;
use std::io::{self, IsTerminal, Stdout, Write};
use std::sync::OnceLock;
use std::thread::ThreadId;
use std::time::Duration;

use base64::Engine;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, KeyEventKind, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use futures::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};
use zeroize::Zeroizing;

use crate::app::{self, Action, Context, Effect, State};
use crate::args::{DemoArgs, GlobalArgs};
use crate::config::{self, Loaded};
use crate::worker::{Worker, DEFAULT_CONCURRENCY};
use crate::zis::Client;

type Term = Terminal<CrosstermBackend<Stdout>>;

/// Open the TUI with the configured account; returns the process exit code.
pub async fn run(global: &GlobalArgs) -> i32 {
    let loaded = match config::load(global) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("zisctl: {e}");
            return crate::exit::code_of(&e);
        }
    };
    let now = OffsetDateTime::now_utc();
    match loaded {
        Loaded::Ready(settings) => {
            let opened = match profile::open(&settings) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("zisctl: {e}");
                    return crate::exit::code_of(&e);
                }
            };
            let a = opened.account;
            let mut state = State::new(a.ctx, now);
            state.recovery = a.recovery;
            state.kept_passwords = opened
                .keep
                .as_ref()
                .map_or(0, |k| crate::recovery::count(&k.path));
            state.audit_log_refused = a.audit_log_refused;
            state.recipes = a.recipes;
            state.password = a.password;
            state.signed_in = a.signed_in;
            state.session_ends = a.session_ends;
            state.profiles = profile::names(global);
            run_app(
                state,
                Some(opened.client),
                opened.audit_log,
                None,
                default_demo(),
                opened.keep,
                opened.session,
                Some(global.clone()),
            )
            .await
        }
        Loaded::NotConfigured(nc) => {
            let path = nc.config_path.map(|p| p.display().to_string());
            // No terminal to draw the first-run screen on (a pipe, cron, ssh without -t): the
            // same guidance as text, rather than "cannot use this terminal".
            if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
                eprint!("{}", first_run_text(path.as_deref()));
                return 2;
            }
            let mut state = State::first_run(path, now);
            // Said, not added to: the first-run screen only leads to the demo.
            state.kept_passwords =
                crate::recovery::path().map_or(0, |p| crate::recovery::count(&p));
            run_app(state, None, None, None, default_demo(), None, None, None).await
        }
    }
}

/// Start the sandbox in-process and open the TUI on it.
pub async fn run_demo(global: &GlobalArgs, args: DemoArgs) -> i32 {
    let demo = match start_demo(global.readonly, &args).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("zisctl: the demo could not start: {e}");
            return 1;
        }
    };
    let mut state = State::new(demo.ctx, OffsetDateTime::now_utc());
    state.recipes = demo.recipes;
    let audit_log = Some(demo.audit_log);
    // The demo keeps nothing: its passwords end with its sandbox.
    run_app(
        state,
        Some(demo.client),
        audit_log,
        Some(demo.handle),
        args,
        None,
        None,
        None,
    )
    .await
}

/// What the first-run screen says, for a run without a terminal.
fn first_run_text(config: Option<&str>) -> String {
    let config = config.unwrap_or("(no config directory on this system: give --config PATH)");
    format!(
        "zisctl: no account is configured (config: {config}).
  Try it without an account:   zisctl demo
  Use it on an account:        zisctl config init --subdomain NAME [--oauth-client-id ID]
                               zisctl auth login
    (the OAuth client: Admin Center > Apps and integrations > APIs > OAuth clients, kind
    public, redirect URL http://127.0.0.1:{port}/callback)
  For cron and CI:             ZENDESK_SUBDOMAIN, ZENDESK_OAUTH_CLIENT_ID and
                               ZENDESK_OAUTH_CLIENT_SECRET (a confidential client)
  Every key of the config:     zisctl config example
",
        port = crate::auth::DEFAULT_REDIRECT_PORT
    )
}

/// Where the rotated passwords the app must let go of unseen are kept, and for which account.
struct Keep {
    path: std::path::PathBuf,
    profile: String,
    account: String,
}

impl Keep {
    /// The store's entries for `passwords`, kept now.
    fn entries(&self, passwords: Vec<app::KeptPassword>) -> Vec<crate::recovery::Kept> {
        let now = crate::zis::format_time(Some(OffsetDateTime::now_utc()));
        passwords
            .into_iter()
            .map(|p| crate::recovery::Kept {
                kept_at: now.clone(),
                profile: self.profile.clone(),
                account: self.account.clone(),
                integration: p.key.integration,
                name: p.key.name,
                password: p.password,
                status: p.status.to_string(),
                verified: p.verified,
            })
            .collect()
    }

    /// Before a recipe sets them at the target: write `passwords` to the recovery store.
    /// Ok(false): there is no store (the demo: its passwords end with its sandbox).
    fn hold(keep: Option<&Keep>, passwords: Vec<app::KeptPassword>) -> Result<bool, String> {
        let Some(k) = keep else {
            return Ok(false);
        };
        crate::recovery::keep_replacing(&k.path, &k.entries(passwords))
            .map(|()| true)
            .map_err(|e| {
                tracing::error!(error = %e, "cannot keep rotated passwords before the set");
                format!("{}: {e}", k.path.display())
            })
    }

    /// ZIS and the target hold them: forget them from the recovery store.
    fn forget(keep: Option<&Keep>, passwords: Vec<app::KeptPassword>) {
        if let Some(k) = keep {
            if let Err(e) = crate::recovery::forget_passwords(&k.path, &k.entries(passwords)) {
                tracing::warn!(error = %e, "cannot forget a rotated password ZIS now holds");
            }
        }
    }

    /// Write `passwords` to the recovery store (in place of a copy held before); what to say
    /// once the terminal is back.
    fn keep(keep: Option<&Keep>, passwords: Vec<app::KeptPassword>) -> String {
        let n = passwords.len();
        let s = if n == 1 { "" } else { "s" };
        let Some(k) = keep else {
            return format!(
                "{n} rotated password{s} not safe yet (never revealed or copied, or set at the \
                 target and not in ZIS) ended with the demo"
            );
        };
        let kept = k.entries(passwords);
        match crate::recovery::keep_replacing(&k.path, &kept) {
            Ok(()) => format!(
                "{n} rotated password{s} not safe yet (never revealed or copied, or set at the \
                 target and not in ZIS) {} kept in {}: run `zisctl \
                 rotate --recover`",
                if n == 1 { "is" } else { "are" },
                k.path.display()
            ),
            Err(e) => {
                tracing::error!(error = %e, "cannot keep rotated passwords");
                format!(
                    "cannot keep {n} rotated password{s} not safe yet ({e}): check \
                     those connections and rotate them again"
                )
            }
        }
    }
}

/// The demo the first-run screen offers: the seed account, no added latency.
fn default_demo() -> DemoArgs {
    DemoArgs {
        latency_ms: 0,
        synthetic: None,
    }
}

/// The base URL as shown in the status line (no trailing slash).
fn display_url(u: &str) -> String {
    u.trim_end_matches('/').to_string()
}

/// A running demo sandbox: `handle` keeps it alive.
struct Demo {
    ctx: Context,
    client: Client,
    /// The demo's own audit log (its client's journal).
    audit_log: std::path::PathBuf,
    /// The demo's rotation recipe: `intranet_portal/*` set and tested at the sandbox's
    /// stand-in target, with the example script.
    recipes: crate::rotation::Recipes,
    handle: Box<dyn Any + Send>,
}

/// Removes the demo's private directory (and its audit log) when the demo ends.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn start_demo(readonly: bool, args: &DemoArgs) -> Result<Demo, String> {
    use crate::sandbox::{spawn, SandboxConfig, Seed};
    let seed = match &args.synthetic {
        Some(spec) => {
            let (integrations, connections) = crate::sandbox::parse_synthetic(spec)?;
            Seed::Synthetic {
                integrations,
                connections,
            }
        }
        None => Seed::Demo,
    };
    let config = SandboxConfig {
        latency_ms: args.latency_ms,
        seed,
        ..SandboxConfig::default()
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let handle = spawn(config, addr)
        .await
        .map_err(|e| format!("cannot start the sandbox: {e}"))?;
    let mut options = crate::zis::ClientOptions::new(handle.base_url.clone());
    options.admin = Some(crate::zis::AdminCredentials::ApiToken {
        email: handle.admin_email.clone(),
        api_token: SecretString::from(handle.admin_token.clone()),
    });
    // The demo's changes go to an audit log of its own (L shows it), never the real one, in a
    // new directory of a random name that only this user can enter: nothing planted at a
    // predictable $TMPDIR path can be followed.
    let dir = crate::files::create_private_temp_dir("zisctl-demo")
        .map_err(|e| format!("cannot make a private directory for the demo's audit log: {e}"))?;
    let cleanup = RemoveOnDrop(dir.clone());
    let log_path = dir.join("audit.jsonl");
    options.journal = Some(std::sync::Arc::new(crate::auditlog::AuditLog {
        path: log_path.clone(),
        profile: "demo".into(),
        account: handle.base_url.clone(),
    }));
    let client = Client::new(options).map_err(|e| e.to_string())?;
    let recipes = demo_recipes(&dir, &handle.base_url)?;
    let ctx = Context {
        profile: "demo".into(),
        base_url: display_url(&handle.base_url),
        credential_source: "sandbox admin (built in)".into(),
        readonly,
        stale_days: 90,
    };
    Ok(Demo {
        ctx,
        client,
        audit_log: log_path.clone(),
        recipes,
        handle: Box::new((handle, cleanup)),
    })
}

/// The example `set_command` (assets/), written into the demo's private directory.
const DEMO_SET_SCRIPT: &str = include_str!("../assets/sandbox-target-set.py");

/// The demo's recipe, as the sandbox profile of config.example.toml writes it: connections of
/// `intranet_portal` are set at the sandbox's stand-in target by the example script
/// (`python3`) and tested there with Basic auth on `localhost`, their allowed domain.
fn demo_recipes(dir: &std::path::Path, base_url: &str) -> Result<crate::rotation::Recipes, String> {
    let script = dir.join("sandbox-target-set.py");
    crate::files::write_private(&script, DEMO_SET_SCRIPT.as_bytes())
        .map_err(|e| format!("cannot write the demo's set_command script: {e}"))?;
    let base = base_url.trim_end_matches('/');
    let check = url::Url::parse(base)
        .ok()
        .and_then(|u| u.port())
        .map(|port| format!("http://localhost:{port}/_sandbox/target/check"))
        .ok_or_else(|| format!("the sandbox's address {base} has no port"))?;
    let config = crate::rotation::RecipeConfig {
        pattern: "intranet_portal/*".into(),
        set_command: Some(format!(
            "python3 {} {}",
            shell_quote(&script.to_string_lossy()),
            shell_quote(base)
        )),
        test_url: Some(check),
        ..Default::default()
    };
    crate::rotation::Recipes::from_config(&[config])
}

/// `text` as one word for `sh -c`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

mod profile;

// ----- terminal setup and restore -----------------------------------------------------------

static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Restore the terminal before a panic of the UI thread is printed. A panic on a worker thread
/// is caught by the worker and reported as an error; it must not tear the screen down.
fn install_panic_hook() {
    let _ = UI_THREAD.set(std::thread::current().id());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let on_ui = UI_THREAD.get() == Some(&std::thread::current().id());
        if on_ui {
            restore_terminal();
            previous(info);
        } else {
            tracing::error!(panic = %info, "panic on a worker thread");
        }
    }));
}

fn setup_terminal() -> io::Result<Term> {
    enable_raw_mode()?;
    if let Err(e) = execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture
    ) {
        restore_terminal();
        return Err(e);
    }
    match Terminal::new(CrosstermBackend::new(io::stdout())) {
        Ok(t) => Ok(t),
        Err(e) => {
            restore_terminal();
            Err(e)
        }
    }
}

/// Debug builds only: F12 panics when `ZISCTL_TEST_PANIC` is set, so that a test can check
/// that a panic restores the terminal.
fn test_panic(key: &crossterm::event::KeyEvent) {
    if cfg!(debug_assertions)
        && key.code == crossterm::event::KeyCode::F(12)
        && std::env::var_os("ZISCTL_TEST_PANIC").is_some()
    {
        panic!("test panic requested with F12");
    }
}

/// Restores the terminal when dropped, whatever way the loop ended.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// `global`: the arguments the app started with, from which `:ctx` opens another profile
/// (`None` in the demo and on the first-run screen: no config to switch in).
#[allow(clippy::too_many_arguments)]
async fn run_app(
    mut state: State,
    client: Option<Client>,
    audit_log: Option<std::path::PathBuf>,
    handle: Option<Box<dyn Any + Send>>,
    demo: DemoArgs,
    keep: Option<Keep>,
    session: Option<Client>,
    global: Option<GlobalArgs>,
) -> i32 {
    install_panic_hook();
    let mut terminal = match setup_terminal() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("zisctl: cannot use this terminal: {e}");
            return 1;
        }
    };
    let restore = Restore;
    state.color = !no_color();
    state.tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    if let Ok(size) = terminal.size() {
        state.size = (size.width, size.height);
    }
    let mut notes = Vec::new();
    let code = event_loop(
        &mut terminal,
        state,
        client,
        audit_log,
        handle,
        demo,
        keep,
        &mut notes,
        session,
        global,
    )
    .await;
    let _ = terminal.show_cursor();
    drop(restore);
    // On the restored terminal (lost with it after a hang-up).
    for n in notes {
        eprintln!("zisctl: {}", crate::sanitize::clean(&n));
    }
    code
}

/// Write `text` to the clipboard through OSC 52 (works over SSH; the terminal decides).
fn osc52(out: &mut impl Write, text: &SecretString) {
    let b64 = Zeroizing::new(
        base64::engine::general_purpose::STANDARD.encode(text.expose_secret().as_bytes()),
    );
    let seq = Zeroizing::new(format!("\x1b]52;c;{}\x07", b64.as_str()));
    let _ = out.write_all(seq.as_bytes());
    let _ = out.flush();
}

/// What the clipboard is overwritten with: one space. An empty OSC 52 payload is a request
/// to clear that tmux (and others) ignore; a non-empty one replaces the secret everywhere
/// OSC 52 reaches.
pub const CLIPBOARD_FILLER: &str = " ";

fn osc52_clear(out: &mut impl Write) {
    osc52(out, &SecretString::from(CLIPBOARD_FILLER.to_string()));
}

#[allow(clippy::too_many_arguments)]
async fn event_loop(
    terminal: &mut Term,
    mut state: State,
    client: Option<Client>,
    audit_log: Option<std::path::PathBuf>,
    mut handle: Option<Box<dyn Any + Send>>,
    demo: DemoArgs,
    mut keep: Option<Keep>,
    notes: &mut Vec<String>,
    mut session: Option<Client>,
    global: Option<GlobalArgs>,
) -> i32 {
    let (tx, mut rx) = mpsc::unbounded_channel::<Action>();
    let mut worker =
        client.map(|c| Worker::new(&c, tx.clone(), DEFAULT_CONCURRENCY).with_audit_log(audit_log));
    let mut events = EventStream::new();
    let mut signals = crate::signals::Signals::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut clear_at: Option<tokio::time::Instant> = None;
    let mut demo_rx: Option<oneshot::Receiver<Result<Demo, String>>> = None;

    let mut pending: Vec<Effect> = app::init(&mut state);
    loop {
        // Perform what the last update asked for.
        for effect in pending.drain(..) {
            match effect {
                Effect::Quit(code) => {
                    if clear_at.is_some() {
                        osc52_clear(terminal.backend_mut());
                    }
                    drop(handle.take());
                    return code;
                }
                Effect::KeepPasswords(passwords) => {
                    notes.push(Keep::keep(keep.as_ref(), passwords))
                }
                Effect::HoldPasswords { req, passwords } => {
                    let result = Keep::hold(keep.as_ref(), passwords);
                    let _ = tx.send(Action::PasswordsHeld { req, result });
                }
                Effect::ForgetPasswords(passwords) => Keep::forget(keep.as_ref(), passwords),
                Effect::SwitchProfile(name) => {
                    // Opening it may run a credential command, as start-up does: the
                    // screen waits for it.
                    let result = match &global {
                        Some(g) => profile::switch(g, &name),
                        None => Err("no config to switch in (the demo)".to_string()),
                    };
                    let result = result.map(|o| {
                        let w = Worker::new(&o.client, tx.clone(), DEFAULT_CONCURRENCY);
                        worker = Some(w.with_audit_log(o.audit_log));
                        keep = o.keep;
                        session = o.session;
                        // `--readonly` stays: the profile is loaded with the same arguments.
                        Box::new(o.account)
                    });
                    let _ = tx.send(Action::ProfileSwitched(result));
                }
                Effect::Copy { text, clear_after } => {
                    osc52(terminal.backend_mut(), &text);
                    clear_at = clear_after.map(|d| tokio::time::Instant::now() + d);
                }
                Effect::StartDemo => {
                    let (dtx, drx) = oneshot::channel();
                    let args = demo.clone();
                    let readonly = state.ctx.readonly;
                    tokio::spawn(async move {
                        let _ = dtx.send(start_demo(readonly, &args).await);
                    });
                    demo_rx = Some(drx);
                }
                api => match &worker {
                    Some(w) => w.perform(api),
                    None => tracing::warn!(?api, "no account: effect dropped"),
                },
            }
        }
        if let Some(c) = &session {
            note_session(&mut state, c);
        }
        let drawn = match terminal.draw(|f| crate::ui::view(&state, f)) {
            Ok(frame) => frame.area,
            Err(e) => {
                tracing::error!(error = %e, "cannot draw");
                // The terminal is gone: keep what would be lost, then end (next turn).
                pending.extend(app::update(&mut state, Action::Terminate(1)));
                continue;
            }
        };
        let last_draw = std::time::Instant::now();
        // Where the panes are, for the mouse's next click.
        state.hitmap = crate::ui::hitmap(&state, drawn.width, drawn.height);
        // Tell the state how many table rows the frame showed: paging moves by them.
        pending.extend(report_viewport(&mut state, drawn.width, drawn.height));

        let action = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                    test_panic(&k);
                    Action::Key(k)
                }
                Some(Ok(Event::Paste(p))) => Action::Paste(p),
                Some(Ok(Event::Mouse(m))) => match m.kind {
                    // Only what the app answers: no frame for every pointer move.
                    MouseEventKind::Down(_) | MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                        Action::Mouse(m)
                    }
                    _ => continue,
                },
                Some(Ok(Event::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(_)) => continue,
                // The terminal is gone (or failing): keep what would be lost, then end.
                Some(Err(e)) => {
                    tracing::error!(error = %e, "terminal input failed");
                    Action::Terminate(1)
                }
                None => Action::Terminate(crate::signals::EXIT_HUP),
            },
            Some(a) = rx.recv() => a,
            _ = tick.tick(), if state.needs_tick() => Action::Tick,
            _ = async {
                match clear_at {
                    Some(t) => tokio::time::sleep_until(t).await,
                    None => std::future::pending::<()>().await,
                }
            }, if clear_at.is_some() => {
                osc52_clear(terminal.backend_mut());
                clear_at = None;
                continue;
            }
            code = signals.recv() => Action::Terminate(code),
            result = async {
                match demo_rx.as_mut() {
                    Some(r) => r.await.unwrap_or_else(|_| Err("the demo task stopped".into())),
                    None => std::future::pending().await,
                }
            }, if demo_rx.is_some() => {
                demo_rx = None;
                match result {
                    Ok(d) => {
                        // The demo's recipe comes with its account (as a profile's would).
                        state.recipes = d.recipes;
                        let w = Worker::new(&d.client, tx.clone(), DEFAULT_CONCURRENCY);
                        worker = Some(w.with_audit_log(Some(d.audit_log)));
                        handle = Some(d.handle);
                        Action::DemoStarted(Ok(d.ctx))
                    }
                    Err(e) => Action::DemoStarted(Err(e)),
                }
            }
        };
        // A resize changes the table's height before the next frame: report it first, so
        // that the resize keeps the selection inside the new page.
        if let Action::Resize(w, h) = action {
            pending.extend(report_viewport(&mut state, w, h));
        }
        pending.extend(app::update(&mut state, action));
        // A burst of answers (an account loading) is drawn at most once per FRAME: the
        // answers already queued go in together (one recompute), then those that came
        // meanwhile, until nothing is queued or FRAME has passed since the last frame.
        while last_draw.elapsed() < FRAME {
            let burst: Vec<Action> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
            if burst.is_empty() {
                break;
            }
            pending.extend(app::update_all(&mut state, burst));
        }
    }
}

/// Tell the state when the signed-in session ends, as the client now holds it: the refresh
/// token's end, or the access token's when there is no refresh token.
fn note_session(state: &mut State, client: &Client) {
    if state.signed_out {
        state.session_ends = None;
    } else if let Some(i) = client.session_info() {
        state.session_ends = if i.refreshable {
            i.refresh_expires_at
        } else {
            i.access_expires_at
        };
    }
}

/// The shortest time between two frames while answers arrive in a burst.
const FRAME: Duration = Duration::from_millis(16);

/// Report to the state, when it changed, how many connections the table shows on a `w`×`h`
/// terminal (the view's layout decides; the state only stores the number).
fn report_viewport(state: &mut State, w: u16, h: u16) -> Vec<Effect> {
    let table_rows = crate::ui::table_rows(state, w, h);
    if table_rows == state.table_rows {
        return Vec::new();
    }
    app::update(state, Action::Viewport { table_rows })
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    /// The clear is a real payload (tmux ignores an empty one): one space, base64.
    #[test]
    fn the_clipboard_clear_overwrites_with_a_space() {
        let mut out = Vec::new();
        super::osc52_clear(&mut out);
        let seq = String::from_utf8(out).expect("ASCII");
        let payload = seq
            .strip_prefix("\x1b]52;c;")
            .and_then(|s| s.strip_suffix('\x07'))
            .expect("an OSC 52 set");
        assert!(!payload.is_empty(), "an empty payload is ignored by tmux");
        let text = base64::engine::general_purpose::STANDARD
            .decode(payload)
            .expect("base64");
        assert_eq!(text, super::CLIPBOARD_FILLER.as_bytes());
        assert!(!super::CLIPBOARD_FILLER.is_empty());
    }
}
