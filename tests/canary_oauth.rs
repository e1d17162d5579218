//! The canary suite, OAuth side (issue 11): client secrets typed by the user (which the server
//! then sends back in clear, as Zendesk's documented listing does) and OAuth tokens a server
//! sends in clear (`access_token`, `refresh_token`, `oauth_access_token_response_body`), each
//! a unique canary, with the most verbose logging on (`RUST_LOG=trace`). None may appear in
//! stdout, stderr, an error, the log file, the audit log, the screen, the bytes written to the
//! terminal, `Debug` output, or the argv of zisctl and of every process it starts.
//!
//! Every check names the canary by its label; no assertion message ever shows a value.
#![cfg(unix)]

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cli_support::{Env, Out};
use common::leak::{self, assert_absent, contains, Canary};
use common::pty::{Options, Pty, CTRL_S, ENTER, TAB};
use common::sandbox::SyncSandbox;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zisctl::sandbox::SandboxConfig;

const CRM: &str = "acme_crm_sync";

async fn trace_env(latency_ms: u64) -> Env {
    let mut env = Env::start(SandboxConfig {
        latency_ms,
        ..SandboxConfig::default()
    })
    .await;
    env.vars.push(("RUST_LOG".into(), "trace".into()));
    env
}

fn admin(env: &Env) -> Canary {
    Canary::known("sandbox admin token", &env.sb.admin_token)
}

/// Run the binary, feeding `stdin`, reading the argv of it and of every process it starts
/// until it exits: no canary may be on any of them.
async fn run_watched(env: &Env, args: &[&str], stdin: Option<&[u8]>, watch: &[Canary]) -> Out {
    let mut c = env.command(args);
    c.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn zisctl");
    let pid = child.id().expect("pid");
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_task = tokio::spawn(async move {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v).await;
        v
    });
    let err_task = tokio::spawn(async move {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v).await;
        v
    });
    let mut seen = leak::scan_tree(watch, pid);
    assert!(seen.found.is_empty(), "{:?} on an argv", seen.found);
    if let Some(bytes) = stdin {
        if let Some(mut w) = child.stdin.take() {
            let _ = w.write_all(bytes).await;
        }
    }
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "{args:?} did not finish"
        );
        let s = tokio::task::block_in_place(|| leak::scan_tree(watch, pid));
        assert!(
            s.found.is_empty(),
            "{:?} on an argv during {args:?}",
            s.found
        );
        seen.saw_pid |= s.saw_pid;
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert!(seen.saw_pid, "{args:?}: the child's argv was never read");
    Out {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out_task.await.unwrap_or_default()).into_owned(),
        stderr: String::from_utf8_lossy(&err_task.await.unwrap_or_default()).into_owned(),
    }
}

/// Nothing of `canaries` in the run's stdout or stderr (nor as an admin Basic header).
fn check_streams(what: &str, env: &Env, o: &Out, canaries: &[Canary]) {
    let email = Some(env.sb.admin_email.as_str());
    assert_absent(
        &format!("stderr of {what}"),
        o.stderr.as_bytes(),
        canaries,
        email,
    );
    assert_absent(
        &format!("stdout of {what}"),
        o.stdout.as_bytes(),
        canaries,
        email,
    );
    assert!(!o.stderr.contains("panicked"), "{what} panicked");
}

fn check_logs(env: &Env, canaries: &[Canary]) {
    let log = std::fs::read(env.log_file()).unwrap_or_default();
    assert!(
        contains(&log, b"TRACE") || contains(&log, b"DEBUG"),
        "the log file holds verbose events (RUST_LOG=trace)"
    );
    let email = Some(env.sb.admin_email.as_str());
    assert_absent("the log file", &log, canaries, email);
    let audit = std::fs::read(env.audit_log()).unwrap_or_default();
    assert_absent("the audit log", &audit, canaries, email);
}

/// The OAuth connection JSON a server sends, its three secrets the canaries given.
fn oauth_conn(name: &str, client: &str, at: &Canary, rt: &Canary, body: &Canary) -> Value {
    json!({"name": name, "uuid": format!("u-{name}"), "oauth_client_uuid": client,
        "permission_scope": "read write", "token_type": "bearer",
        "token_expiry": "2020-01-01T00:00:00Z", "created_by": "1",
        "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z",
        "access_token": at.value, "refresh_token": rt.value,
        "oauth_access_token_response_body": format!("{{\"access_token\":\"{}\"}}", body.value)})
}

fn client_json(uuid: &str, name: &str, secret: &Canary) -> Value {
    json!({"uuid": uuid, "name": name, "client_id": format!("{name}-id"),
        "client_secret": secret.value, "token_url": "https://login.example.com/token",
        "auth_url": "https://login.example.com/authorize", "default_scopes": "read write",
        "grant_type": "authorization_code", "integration": CRM, "created_by": "1",
        "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z"})
}

fn answer(method: &str, path: &str, count: u32, body: Value) -> Value {
    json!({"status": 200, "count": count, "method": method, "path_contains": path,
        "content_type": "application/json", "body": body.to_string()})
}

// ----- the CLI --------------------------------------------------------------------------------

/// A client secret from `--client-secret-stdin` (create, then update), which the sandbox then
/// sends back in clear in every listing; and one a server echoes in its error words.
#[tokio::test(flavor = "multi_thread")]
async fn cli_client_secrets_typed_and_sent_back_in_clear_stay_secret() {
    let env = trace_env(40).await;
    let cs1 = Canary::new("client secret (oauth-clients create)");
    let cs2 = Canary::new("client secret (oauth-clients update)");
    let echoed = Canary::new("client secret echoed in a server's error");
    let all = [cs1.clone(), cs2.clone(), echoed.clone(), admin(&env)];
    let create = |name: &'static str| {
        vec![
            "oauth-clients",
            "create",
            CRM,
            name,
            "--client-id",
            "cnry-id",
            "--token-url",
            "https://login.canary.example/token",
            "--client-secret-stdin",
            "-o",
            "json",
        ]
    };
    let o = run_watched(
        &env,
        &create("cnry_client"),
        Some(format!("{}\n", cs1.value).as_bytes()),
        &all,
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    check_streams("oauth-clients create", &env, &o, &all);
    let o = run_watched(
        &env,
        &[
            "oauth-clients",
            "update",
            CRM,
            "cnry_client",
            "--client-secret-stdin",
        ],
        Some(format!("{}\n", cs2.value).as_bytes()),
        &all,
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    check_streams("oauth-clients update", &env, &o, &all);
    // The sandbox sends cs2 in clear from now on: every listing reads it, none prints it.
    for fmt in ["table", "json", "csv"] {
        for args in [
            vec!["oauth-clients", "list", CRM, "-o", fmt],
            vec!["oauth-clients", "show", CRM, "cnry_client", "-o", fmt],
            vec!["audit", "--integration", CRM, "-o", fmt],
        ] {
            let o = run_watched(&env, &args, None, &all).await;
            assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
            assert!(
                o.stdout.contains("cnry_client"),
                "{args:?} shows the client"
            );
            check_streams(&format!("{args:?}"), &env, &o, &all);
        }
    }
    // A server whose refusal repeats the secret sent: zisctl cuts it out of the words.
    env.support
        .fault(json!({"status": 400, "count": 1, "method": "POST", "path_contains": "oauth/clients",
            "content_type": "application/json",
            "body": json!({"errors": [{"code": "InvalidSecret",
                "title": format!("client_secret {} is not accepted", echoed.value)}]}).to_string()}))
        .await;
    let o = run_watched(
        &env,
        &create("cnry_echo"),
        Some(format!("{}\n", echoed.value).as_bytes()),
        &all,
    )
    .await;
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("[REDACTED]"),
        "the server's words are kept, less the secret"
    );
    check_streams("a refusal echoing the secret", &env, &o, &all);
    check_logs(&env, &all);
}

/// OAuth tokens and a client secret a server sends in clear, in the listing, in the `?name=`
/// show, in the OAuth clients list: read by list, show, audit and authorize; printed by none.
#[tokio::test(flavor = "multi_thread")]
async fn cli_oauth_tokens_sent_in_clear_are_never_printed() {
    let env = trace_env(20).await;
    let at = Canary::new("access_token in clear");
    let rt = Canary::new("refresh_token in clear");
    let body = Canary::new("oauth_access_token_response_body in clear");
    let cs = Canary::new("client_secret in clear (listing)");
    let all = [
        at.clone(),
        rt.clone(),
        body.clone(),
        cs.clone(),
        admin(&env),
    ];
    let conn = oauth_conn("cnry_oauth", "c-cnry", &at, &rt, &body);
    env.support
        .fault(answer(
            "GET",
            "integrations/acme_crm_sync/connections/all",
            100,
            json!({"oauth": [conn], "meta": {"has_more": false}}),
        ))
        .await;
    env.support
        .fault(answer(
            "GET",
            "zis/connections/acme_crm_sync",
            100,
            json!({"oauth": conn}),
        ))
        .await;
    env.support
        .fault(answer(
            "GET",
            "oauth/clients/acme_crm_sync",
            100,
            json!({"clients": [client_json("c-cnry", "cnry_client", &cs)]}),
        ))
        .await;
    for fmt in ["table", "json", "csv"] {
        for args in [
            vec!["connections", "list", CRM, "-o", fmt],
            vec!["connections", "show", CRM, "cnry_oauth", "-o", fmt],
            vec!["audit", "--integration", CRM, "-o", fmt],
            vec!["oauth-clients", "list", CRM, "-o", fmt],
            vec!["oauth-clients", "show", CRM, "cnry_client", "-o", fmt],
        ] {
            let o = run_watched(&env, &args, None, &all).await;
            assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
            assert!(o.stdout.contains("cnry_"), "{args:?} shows what it read");
            check_streams(&format!("{args:?}"), &env, &o, &all);
        }
    }
    // authorize reads the connection before and while it waits (it never moves here).
    let o = run_watched(
        &env,
        &[
            "connections",
            "authorize",
            CRM,
            "cnry_oauth",
            "--oauth-client",
            "cnry_client",
            "--no-browser",
            "--timeout",
            "1",
        ],
        None,
        &all,
    )
    .await;
    assert_ne!(o.code, 0, "{}", o.stderr);
    check_streams("connections authorize", &env, &o, &all);
    check_logs(&env, &all);
}

// ----- Debug output ---------------------------------------------------------------------------

/// Every OAuth value that holds or read a secret, through `{:?}`.
#[test]
fn debug_of_oauth_values_never_shows_a_secret() {
    use secrecy::SecretString;
    use zisctl::zis::client::parse_page;
    use zisctl::zis::oauth_parse::{parse_client_answer, parse_clients, parse_oauth_connection};
    use zisctl::zis::{NewOAuthClient, OAuthClientUpdate};
    let (cs, cs2, at, rt, body) = (
        Canary::new("typed client secret"),
        Canary::new("typed new client secret"),
        Canary::new("access token"),
        Canary::new("refresh token"),
        Canary::new("token response body"),
    );
    let all = [
        cs.clone(),
        cs2.clone(),
        at.clone(),
        rt.clone(),
        body.clone(),
    ];
    let new = NewOAuthClient {
        name: "n".into(),
        client_id: "id".into(),
        client_secret: SecretString::from(cs.value.clone()),
        token_url: "https://t.example/token".into(),
        auth_url: None,
        default_scopes: None,
        grant_type: None,
    };
    let upd = OAuthClientUpdate {
        client_secret: Some(SecretString::from(cs2.value.clone())),
        ..Default::default()
    };
    let mut text = format!("{new:?}\n{upd:?}\n");
    let effects = [
        zisctl::app::Effect::CreateOAuthClient {
            req: 1,
            integration: CRM.into(),
            new,
        },
        zisctl::app::Effect::UpdateOAuthClient {
            req: 2,
            integration: CRM.into(),
            uuid: "u".into(),
            name: "n".into(),
            update: upd,
        },
    ];
    for e in &effects {
        text.push_str(&format!("{e:?}\n"));
    }
    let conn = oauth_conn("c1", "u1", &at, &rt, &body);
    let conn_body = json!({"oauth": conn}).to_string();
    let page = json!({"oauth": [conn], "meta": {}}).to_string();
    let clients = json!({"clients": [client_json("u1", "cl", &cs)]}).to_string();
    let one = json!({"client": client_json("u1", "cl", &cs2)}).to_string();
    text.push_str(&format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n",
        parse_oauth_connection(conn_body.as_bytes(), "c1").ok(),
        parse_page(page.as_bytes()).ok(),
        parse_clients(clients.as_bytes()).ok().map(|p| p.clients),
        parse_client_answer(one.as_bytes()).ok(),
    ));
    assert!(
        text.contains("c1") && text.contains("cl"),
        "the parsing ran"
    );
    assert_absent("Debug output", text.as_bytes(), &all, None);
}

// ----- the TUI --------------------------------------------------------------------------------

/// A client secret typed in the TUI's forms (create, then a new one), which the sandbox then
/// sends back in clear in the list the tab reloads; with the argv read throughout.
#[test]
fn tui_typed_client_secrets_stay_hidden() {
    let sb = SyncSandbox::demo();
    let cs1 = Canary::new("client secret typed (TUI create)");
    let cs2 = Canary::new("client secret typed (TUI new secret)");
    let admin = Canary::known("sandbox admin token", &sb.handle.admin_token);
    let all = [cs1.clone(), cs2.clone(), admin];
    let mut app = Pty::spawn(Options::new(&[]).sandbox(&sb.handle).trace());
    app.secrets.extend(all.iter().map(|c| c.value.clone()));
    let pid = app.pid();
    app.wait_for("salesforce_prod");
    let check = |app: &Pty| {
        let s = leak::scan_tree(&all, pid);
        assert!(s.saw_pid, "zisctl's argv was read");
        assert!(s.found.is_empty(), "{:?} on an argv", s.found);
        assert_absent("the screen", app.screen().as_bytes(), &all, None);
        assert_absent("the terminal output", &app.raw_output(), &all, None);
    };
    app.send(TAB);
    app.send("o");
    app.wait_for("OAuth clients 1");
    app.send("n");
    app.wait_for("New OAuth client in acme_crm_sync");
    for (text, then) in [
        ("cnry_tui_client", TAB),
        ("cnry-id", TAB),
        (cs1.value.as_str(), TAB),
    ] {
        app.send(text);
        app.send(then);
    }
    app.wait_for(&common::pty::mask_of(&cs1.value));
    check(&app);
    app.send("https://login.canary.example/token");
    app.send(CTRL_S);
    app.wait_for("created OAuth client acme_crm_sync/cnry_tui_client");
    app.wait_for("OAuth clients 2");
    check(&app);
    // The reloaded list holds cs1 in clear; a new secret for the same client.
    app.send("g");
    app.wait_for("Client id       cnry-id");
    app.send("r");
    app.wait_for("Edit OAuth client cnry_tui_client");
    app.send(&cs2.value);
    app.wait_for(&common::pty::mask_of(&cs2.value));
    check(&app);
    app.send(CTRL_S);
    app.wait_for("updated OAuth client acme_crm_sync/cnry_tui_client");
    app.send(ENTER);
    app.wait_for("OAuth client cnry_tui_client");
    check(&app);
    let logs = app.logs();
    assert!(contains(&logs, b"TRACE"), "RUST_LOG=trace reached the log");
    assert_absent(
        "the log file or the audit log",
        &logs,
        &all,
        Some(&sb.handle.admin_email),
    );
}

/// OAuth tokens and a client secret the server sends in clear, shown by the table, the
/// details, the clients tab and the re-authorise window: never drawn.
#[test]
fn tui_oauth_tokens_sent_in_clear_are_never_drawn() {
    let sb = SyncSandbox::demo();
    let at = Canary::new("access_token in clear (TUI)");
    let rt = Canary::new("refresh_token in clear (TUI)");
    let body = Canary::new("token response body in clear (TUI)");
    let cs = Canary::new("client_secret in clear (TUI)");
    let admin = Canary::known("sandbox admin token", &sb.handle.admin_token);
    let all = [at.clone(), rt.clone(), body.clone(), cs.clone(), admin];
    let conn = oauth_conn("cnry_oauth", "c-cnry", &at, &rt, &body);
    sb.inject(answer(
        "GET",
        "integrations/acme_crm_sync/connections/all",
        100,
        json!({"oauth": [conn], "meta": {"has_more": false}}),
    ));
    sb.inject(answer(
        "GET",
        "zis/connections/acme_crm_sync",
        100,
        json!({"oauth": conn}),
    ));
    sb.inject(answer(
        "GET",
        "oauth/clients/acme_crm_sync",
        100,
        json!({"clients": [client_json("c-cnry", "cnry_client", &cs)]}),
    ));
    let mut app = Pty::spawn(Options::new(&[]).sandbox(&sb.handle).trace());
    app.secrets.extend(all.iter().map(|c| c.value.clone()));
    let pid = app.pid();
    app.wait_for("cnry_oauth");
    app.send(TAB);
    app.wait_for("OAuth client    cnry_client");
    app.wait_for("expired");
    let check = |app: &Pty, what: &str| {
        let s = leak::scan_tree(&all, pid);
        assert!(
            s.saw_pid && s.found.is_empty(),
            "{what}: {:?} on an argv",
            s.found
        );
        assert_absent(what, app.screen().as_bytes(), &all, None);
        assert_absent(what, &app.raw_output(), &all, None);
    };
    check(&app, "the table and the details");
    app.send(ENTER);
    app.wait_for("Connection cnry_oauth");
    check(&app, "the details window");
    app.send("\x1b");
    app.wait_gone("Connection cnry_oauth");
    app.send("r");
    app.wait_for("Re-authorise acme_crm_sync/cnry_oauth");
    check(&app, "the re-authorise window");
    app.send("\x1b");
    app.wait_gone("Re-authorise acme_crm_sync");
    app.send("o");
    app.wait_for("cnry_client");
    app.send(ENTER);
    app.wait_for("OAuth client cnry_client");
    check(&app, "the clients tab and a client's details");
    let logs = app.logs();
    assert!(contains(&logs, b"TRACE"), "RUST_LOG=trace reached the log");
    assert_absent(
        "the log file or the audit log",
        &logs,
        &all,
        Some(&sb.handle.admin_email),
    );
}
