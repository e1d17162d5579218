//! The CLI on a terminal: the masked password prompt (no echo), delete's confirmation, and the
//! warning when secrets are printed to a terminal. The real binary in a pty (the harness of
//! `tests/common/pty.rs`) against an in-process sandbox; the test waits for text, never for a
//! fixed time.
#![cfg(unix)]

mod common;

use std::sync::Arc;

use common::cli_support::Env;
use common::pty::{Options, Pty};

const CRM: &str = "acme_crm_sync";

/// zisctl `args` in a 200x24 pty against `env`'s sandbox (debug log, as the CLI tests run).
fn term(env: &Env, args: &[&str]) -> Pty {
    Pty::spawn(
        Options::new(args)
            .sandbox(&env.sb)
            .env("RUST_LOG", "debug")
            .size(200, 24),
    )
}

/// Run `f` (blocking pty work) off the runtime that serves the sandbox.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.expect("blocking task")
}

#[tokio::test(flavor = "multi_thread")]
async fn password_prompt_is_masked_and_confirmed() {
    let env = Arc::new(Env::demo().await);
    let pw = "Pty-Canary-pw-4e7a19";
    let e = env.clone();
    let (code, screen) = blocking(move || {
        let mut t = term(
            &e,
            &[
                "connections",
                "create",
                CRM,
                "typed_conn",
                "--allowed-domain",
                "api.typed.example",
                "--username",
                "typist",
                "-o",
                "json",
            ],
        );
        t.wait_raw("password: ");
        // A typo, erased with backspace, then the real thing.
        t.send(&format!("{pw}X\x7f\r"));
        t.wait_raw("password (again): ");
        t.send(&format!("{pw}\r"));
        let code = t.wait_exit();
        (code, t.text())
    })
    .await;
    assert_eq!(code, 0, "screen: {}", screen.replace(pw, "<pw>"));
    assert!(
        !screen.contains(pw),
        "the typed password was echoed or printed"
    );
    assert!(screen.contains("\"name\": \"typed_conn\""));
    assert!(env.support.holds(CRM, "typed_conn", pw).await);

    // Two different entries: refused, nothing sent.
    let patches = env.support.requests_by("PATCH").await;
    let e = env.clone();
    let (code, screen) = blocking(move || {
        let mut t = term(&e, &["connections", "update", CRM, "typed_conn"]);
        t.wait_raw("new password: ");
        t.send("first-entry-123\r");
        t.wait_raw("new password (again): ");
        t.send("second-entry-456\r");
        (t.wait_exit(), t.text())
    })
    .await;
    assert_eq!(code, 2, "screen: {screen}");
    assert!(screen.contains("differ; nothing was sent"));
    assert!(!screen.contains("first-entry") && !screen.contains("second-entry"));
    assert_eq!(env.support.requests_by("PATCH").await, patches);

    // Ctrl-C at the prompt: exit 130, nothing sent.
    let e = env.clone();
    let code = blocking(move || {
        let mut t = term(&e, &["connections", "update", CRM, "typed_conn"]);
        t.wait_raw("new password: ");
        t.send("half\x03");
        t.wait_exit()
    })
    .await;
    assert_eq!(code, 130);
    assert_eq!(env.support.requests_by("PATCH").await, patches);
    assert!(env.support.holds(CRM, "typed_conn", pw).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_asks_on_a_terminal() {
    let env = Arc::new(Env::demo().await);
    let e = env.clone();
    let (code, screen) = blocking(move || {
        let mut t = term(&e, &["connections", "delete", CRM, "segment_write_key"]);
        t.wait_raw("[y/N] ");
        t.send("n\r");
        (t.wait_exit(), t.text())
    })
    .await;
    // A declined delete is a cancel (6), not an API failure (1).
    assert_eq!(code, 6, "screen: {screen}");
    assert!(screen.contains("Delete api_key connection acme_crm_sync/segment_write_key"));
    assert!(screen.contains("not deleted"));
    assert_eq!(
        env.run(&["connections", "show", CRM, "segment_write_key"])
            .await
            .code,
        0
    );

    let e = env.clone();
    let code = blocking(move || {
        let mut t = term(&e, &["connections", "delete", CRM, "segment_write_key"]);
        t.wait_raw("[y/N] ");
        t.send("yes\r");
        t.wait_exit()
    })
    .await;
    assert_eq!(code, 0);
    assert_eq!(
        env.run(&["connections", "show", CRM, "segment_write_key"])
            .await
            .code,
        4
    );
}

/// On a terminal, rotate asks first, naming every connection whose password changes; no is a
/// cancel (6) and sends nothing.
#[tokio::test(flavor = "multi_thread")]
async fn rotate_asks_on_a_terminal() {
    let env = Arc::new(Env::demo().await);
    let e = env.clone();
    let (code, screen) = blocking(move || {
        let mut t = term(&e, &["rotate", CRM, "salesforce_prod", "zoominfo_enrich"]);
        t.wait_raw("[y/N] ");
        t.send("n\r");
        (t.wait_exit(), t.text())
    })
    .await;
    assert_eq!(code, 6, "screen: {screen}");
    assert!(
        screen.contains(
            "Rotate the password of 2 basic_auth connection(s): \
             acme_crm_sync/salesforce_prod, acme_crm_sync/zoominfo_enrich? ZIS takes each new \
             password at once"
        ),
        "screen: {screen}"
    );
    assert!(screen.contains("not rotated: nothing was changed (cancelled)"));
    assert_eq!(env.support.requests_by("PATCH").await, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_printed_to_a_terminal_come_with_a_warning() {
    let env = Arc::new(Env::demo().await);
    let e = env.clone();
    let (code, screen) = blocking(move || {
        let mut t = term(&e, &["rotate", CRM, "salesforce_prod"]);
        t.wait_raw("[y/N] ");
        t.send("y\r");
        t.wait_raw("  yes  ");
        (t.wait_exit(), t.text())
    })
    .await;
    assert_eq!(code, 0);
    assert!(screen.contains("new passwords are printed below"));
    let row = screen
        .lines()
        .find(|l| l.starts_with(CRM))
        .unwrap_or_default()
        .to_string();
    let pw = row
        .split_whitespace()
        .nth(2)
        .unwrap_or_default()
        .to_string();
    assert!(env.support.holds(CRM, "salesforce_prod", &pw).await);
}
