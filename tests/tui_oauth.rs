//! End to end, the OAuth side of the TUI: the real binary in a pty (the one harness,
//! `tests/common/pty.rs`) against a sandbox started here. The OAuth clients tab (create, a new
//! secret, delete with its cascade), re-authorising an OAuth connection (authorization code,
//! the test playing the browser; client credentials, finished by zisctl), and the reserved
//! `zendesk` connection whose delete needs its name typed. Every wait is for text on the
//! screen; no fixed sleeps. The sandbox sends client secrets and OAuth tokens in clear: they
//! are read raw here and must never reach the screen or the bytes written to the terminal.
#![cfg(unix)]

mod common;

use base64::Engine as _;
use common::pty::{Options, Pty, CTRL_S, ENTER, ESC, TAB};
use common::sandbox::{raw_token, SyncSandbox};
use serde_json::{json, Value};

const HR: &str = "hr_onboarding";

fn ready(sb: &SyncSandbox) -> Pty {
    let app = Pty::spawn(Options::new(&[]).sandbox(&sb.handle));
    app.wait_for("salesforce_prod");
    app
}

/// GET `path` of the sandbox with a ZIS token of `integration` (raw: secrets in clear).
fn raw_get(sb: &SyncSandbox, integration: &str, path: &str) -> (u16, Value) {
    sb.rt.block_on(async {
        let token = raw_token(&sb.handle, integration, &["read", "write"]).await;
        let r = reqwest::Client::new()
            .get(format!("{}{path}", sb.handle.base_url))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    })
}

/// Every secret the sandbox holds in clear for `integration` (client secrets, OAuth tokens).
fn clear_secrets(sb: &SyncSandbox, integration: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (_, v) = raw_get(
        sb,
        integration,
        &format!("/api/services/zis/connections/oauth/clients/{integration}"),
    );
    for c in v["clients"].as_array().cloned().unwrap_or_default() {
        out.extend(c["client_secret"].as_str().map(str::to_string));
    }
    let (_, v) = raw_get(
        sb,
        integration,
        &format!("/api/services/zis/integrations/{integration}/connections/all"),
    );
    for c in v["oauth"].as_array().cloned().unwrap_or_default() {
        for f in [
            "access_token",
            "refresh_token",
            "oauth_access_token_response_body",
        ] {
            out.extend(c[f].as_str().filter(|s| s.len() >= 8).map(str::to_string));
        }
    }
    out
}

/// The secret the sandbox holds for `integration`'s OAuth client `name` (compared only).
fn client_secret(sb: &SyncSandbox, integration: &str, name: &str) -> String {
    let (_, v) = raw_get(
        sb,
        integration,
        &format!("/api/services/zis/connections/oauth/clients/{integration}"),
    );
    v["clients"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == name))
        .and_then(|c| c["client_secret"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// None of `secrets` on the screen, nor in anything written to the terminal.
fn assert_never_drawn(app: &Pty, secrets: &[String], what: &str) {
    assert!(!secrets.is_empty());
    let screen = app.screen();
    let raw = app.raw_output();
    let found = secrets
        .iter()
        .filter(|s| screen.contains(s.as_str()) || common::pty::find(&raw, s.as_bytes()).is_some())
        .count();
    assert_eq!(found, 0, "{what}: {found} secret(s) reached the terminal");
}

fn go_to(app: &mut Pty, integration: &str) {
    app.send(":");
    app.send(&format!("int {integration}"));
    app.send(ENTER);
    let title = |s: &str| {
        s.contains(&format!("╭ {integration} ")) || s.contains(&format!("┏ {integration} "))
    };
    app.wait_until("the integration selected", title);
}

#[test]
fn the_oauth_clients_tab_creates_rotates_and_deletes_with_its_cascade() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    let mut secrets = clear_secrets(&sb, HR);
    app.secrets.extend(secrets.iter().cloned());
    let first = format!("Pty-Secret-{:012x}", rand::random::<u64>() >> 16);
    let second = format!("Pty-Rotated-{:012x}", rand::random::<u64>() >> 16);
    app.secrets.extend([first.clone(), second.clone()]);
    secrets.extend([first.clone(), second.clone()]);

    go_to(&mut app, HR);
    app.send(TAB);
    app.send("o");
    app.wait_for("OAuth clients 2");
    app.wait_for("microsoft_entra");
    app.wait_for("⚠ its secret may have expired upstream");
    assert_never_drawn(&app, &secrets, "the clients tab");

    // Create.
    app.send("n");
    app.wait_for("New OAuth client in hr_onboarding");
    for (text, then) in [
        ("pty_client", TAB),
        ("pty-client-id", TAB),
        (first.as_str(), TAB),
        ("https://login.example.com/oauth2/token", CTRL_S),
    ] {
        app.send(text);
        app.send(then);
    }
    app.wait_for("created OAuth client hr_onboarding/pty_client");
    app.wait_gone("New OAuth client in");
    assert!(
        client_secret(&sb, HR, "pty_client") == first,
        "the sandbox holds what was typed"
    );
    app.wait_for("Client id       pty-client-id");

    // A new secret, in place (r opens the form on it).
    app.send("r");
    app.wait_for("Edit OAuth client pty_client");
    app.send(&second);
    app.wait_for(&common::pty::mask_of(&second));
    app.send(CTRL_S);
    app.wait_for("updated OAuth client hr_onboarding/pty_client");
    assert!(
        client_secret(&sb, HR, "pty_client") == second,
        "rotated in place"
    );
    assert_never_drawn(&app, &secrets, "after the rotation");

    // Delete microsoft_entra: the question names microsoft_graph, which goes with it.
    app.send("g");
    app.wait_for("Client id       5f2d1c8e");
    app.send("d");
    app.wait_for("ZIS also deletes the 1 OAuth connection(s) built on it:");
    app.wait_for("• microsoft_graph");
    let (status, _) = raw_get(
        &sb,
        HR,
        "/api/services/zis/connections/hr_onboarding?name=microsoft_graph",
    );
    assert_eq!(status, 200, "nothing deleted before the answer");
    app.send("y");
    app.wait_for("deleted OAuth client hr_onboarding/microsoft_entra and 1 OAuth connection(s)");
    let (status, _) = raw_get(
        &sb,
        HR,
        "/api/services/zis/connections/hr_onboarding?name=microsoft_graph",
    );
    assert_eq!(status, 404, "the cascade took it");
    app.send("o");
    app.wait_until("the connections tab without it", |s| {
        s.contains("hr_onboarding 9 ") && !s.contains("microsoft_graph")
    });
    assert_never_drawn(&app, &secrets, "the whole run");
    let logs = app.logs();
    for s in &secrets {
        assert!(
            common::pty::find(&logs, s.as_bytes()).is_none(),
            "a secret in the logs"
        );
    }
}

#[test]
fn r_re_authorises_an_oauth_connection_while_the_ui_goes_on() {
    let sb = SyncSandbox::demo();
    sb.rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/_sandbox/oauth", sb.handle.base_url))
            .json(&json!({"auto_approve": true}))
            .send()
            .await
            .expect("auto approve");
    });
    let mut app = ready(&sb);
    let secrets = clear_secrets(&sb, "slack_notify");
    app.secrets.extend(secrets.iter().cloned());

    // Authorization code: the URL is shown and copied; the test opens it as a browser would.
    go_to(&mut app, "slack_notify");
    app.select("slack_oauth");
    app.wait_for("r re-authorise");
    app.send("r");
    app.wait_for("Re-authorise slack_notify/slack_oauth");
    app.wait_for("▶ slack");
    app.send(ENTER);
    app.wait_for("Open this URL in a browser and approve:");
    app.send("c");
    app.wait_for("copied the authorisation URL");
    let raw = app.raw_output();
    let start = common::pty::find(&raw, b"\x1b]52;c;").expect("an OSC 52 copy") + 7;
    let end = start
        + raw[start..]
            .iter()
            .position(|b| *b == 0x07)
            .expect("its end");
    let url = base64::engine::general_purpose::STANDARD
        .decode(&raw[start..end])
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    assert!(
        url.starts_with(&sb.handle.base_url),
        "the redirect URL was copied"
    );
    // The wait runs on a worker task: the screen keeps being drawn (the spinner) and keys
    // keep being answered (the copy above came while it waited).
    let line = |s: &str| s.lines().next().unwrap_or("").to_string();
    let status = line(&app.screen());
    assert!(status.contains("waiting for slack_notify/slack_oauth's new token"));
    app.wait_until("the spinner turning while it waits", |s| {
        let l = line(s);
        l != status && l.contains("waiting for slack_notify/slack_oauth's new token")
    });
    let status = sb.rt.block_on(async {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http")
            .get(&url)
            .send()
            .await
            .expect("GET the consent page")
            .status()
    });
    assert!(status.is_redirection(), "{status}");
    app.wait_for("Re-authorised: the connection holds a new token.");
    app.send(ESC);
    app.wait_gone("Re-authorise slack_notify");
    assert_never_drawn(
        &app,
        &clear_secrets(&sb, "slack_notify"),
        "after the new token",
    );

    // Client credentials: zisctl finishes the flow itself. (Esc drops the banner, then the
    // filter; the table keeps the focus.)
    app.send(ESC);
    app.wait_gone("re-authorised slack_notify/slack_oauth");
    app.send(ESC);
    app.wait_gone("/slack_oauth (substring)");
    go_to(&mut app, HR);
    app.send("/");
    app.send("microsoft_graph");
    app.send(ENTER);
    app.wait_for("/microsoft_graph (substring)");
    app.wait_for("expired");
    app.send("r");
    app.wait_for("Re-authorise hr_onboarding/microsoft_graph");
    app.wait_for("▶ microsoft_entra");
    app.send(ENTER);
    app.wait_for("Re-authorised: the connection holds a new token.");
    app.wait_gone("expired");
    assert_never_drawn(&app, &clear_secrets(&sb, HR), "after client credentials");
}

#[test]
fn deleting_the_reserved_zendesk_connection_needs_its_name() {
    let sb = SyncSandbox::demo();
    let mut app = ready(&sb);
    // dynamics_crm, salesforce_prod, salesforce_sandbox, zendesk: the last.
    app.select("zendesk");
    app.send("G");
    app.wait_for("zendesk   oauth");
    app.send("d");
    app.wait_for("Type zendesk to delete it:");
    // `y` is only a letter here; Enter does nothing until the name is typed.
    app.send("y");
    app.send(ENTER);
    app.wait_for("Type zendesk to delete it: y");
    let (status, _) = raw_get(
        &sb,
        "acme_crm_sync",
        "/api/services/zis/connections/acme_crm_sync?name=zendesk",
    );
    assert_eq!(status, 200);
    app.send("\x7f");
    app.send("zendesk");
    app.wait_for("Type zendesk to delete it: zendesk");
    app.send(ENTER);
    app.wait_for("deleted acme_crm_sync/zendesk");
    let (status, _) = raw_get(
        &sb,
        "acme_crm_sync",
        "/api/services/zis/connections/acme_crm_sync?name=zendesk",
    );
    assert_eq!(status, 404);
}
