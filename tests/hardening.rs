//! Issue 13, items 6-20, against the client alone: the sandbox (with its fault injection) or a
//! raw TCP server. The same items through the real binary are in `tests/hardening_cli.rs`.
//!
//! Secrets are compared, never printed.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::rawhttp::{self, Behaviour};
use common::sandbox::{self as sb, demo};
use secrecy::SecretString;
use serde_json::json;
use zisctl::sandbox::SandboxHandle;
use zisctl::zis::*;

const CRM: &str = "acme_crm_sync";

fn admin_options(h: &SandboxHandle) -> ClientOptions {
    let mut o = ClientOptions::new(&h.base_url);
    o.admin = Some(AdminCredentials {
        email: h.admin_email.clone(),
        api_token: SecretString::from(h.admin_token.clone()),
    });
    o.backoff = Duration::from_millis(10);
    o
}

/// A `connections/all` page with `n` basic_auth connections named `{prefix}_{i}`.
fn page(prefix: &str, n: usize, has_more: bool, after: Option<&str>) -> String {
    let conns: Vec<_> = (0..n)
        .map(|i| {
            json!({
                "name": format!("{prefix}_{i}"),
                "username": "svc",
                "password": "*****",
                "allowed_domain": "api.example.com",
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z",
            })
        })
        .collect();
    json!({
        "basic_auth": conns, "api_key": [], "bearer_token": [], "oauth": [],
        "meta": {"has_more": has_more, "after": after, "before": null},
    })
    .to_string()
}

/// Queue `n` answers for `connections/all`, each saying `has_more` with a fresh cursor.
async fn endless_pages(h: &SandboxHandle, n: usize, per_page: usize) {
    for i in 0..n {
        sb::inject(
            h,
            json!({
                "status": 200,
                "method": "GET",
                "path_contains": "connections/all",
                "body": page(&format!("p{i}"), per_page, true, Some(&format!("cursor-{i}"))),
            }),
        )
        .await;
    }
}

// ----- 6: bounded listings -------------------------------------------------------------------

/// A server that keeps answering `has_more` with a fresh cursor is followed `max_pages` pages,
/// then the listing stops with an error naming the cap. (Before: followed for as long as the
/// server went on; here the 30 queued pages ran out and the sandbox's real last page ended the
/// listing "successfully".)
#[tokio::test]
async fn endless_pagination_stops_at_the_page_cap() {
    let h = demo().await;
    let mut o = admin_options(&h);
    o.max_pages = 5;
    let c = Client::new(o).unwrap();
    endless_pages(&h, 30, 0).await;
    let before = sb::requests(&h).await;
    let e = c.list_connections(CRM).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidResponse, "{e}");
    let text = e.to_string();
    assert!(text.contains("after 5 pages"), "{text}");
    assert!(text.contains("max_pages"), "{text}");
    assert!(text.contains(CRM), "{text}");
    // Five pages, plus the registry and the mint: nothing after the cap.
    assert_eq!(sb::requests(&h).await - before, 5 + 2);
    assert!(ClientOptions::new("https://x.zendesk.com").max_pages == 10_000);
}

/// The same with full pages: the connection cap stops it before memory grows further.
#[tokio::test]
async fn endless_pagination_stops_at_the_connection_cap() {
    let h = demo().await;
    let mut o = admin_options(&h);
    o.max_connections = 25;
    let c = Client::new(o).unwrap();
    endless_pages(&h, 30, 10).await;
    let e = c.list_connections(CRM).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("passed 25 connections"), "{text}");
    assert!(text.contains("max_connections"), "{text}");
    assert!(ClientOptions::new("https://x.zendesk.com").max_connections == 100_000);
    // Under the caps, a listing is whole.
    let h = demo().await;
    let c = Client::new(admin_options(&h)).unwrap();
    sb::inject(
        &h,
        json!({"status": 200, "method": "GET", "path_contains": "connections/all",
               "body": page("a", 10, true, Some("next"))}),
    )
    .await;
    sb::inject(
        &h,
        json!({"status": 200, "method": "GET", "path_contains": "connections/all",
               "body": page("b", 10, false, None)}),
    )
    .await;
    assert_eq!(c.list_connections(CRM).await.unwrap().len(), 20);
}

// ----- 7: a token mint is retried like a read --------------------------------------------------

/// One 500 on the mint: retried, and the listing succeeds. (Before: the mint was a create, so
/// one 500 failed the listing at once with "it may have been applied".)
#[tokio::test]
async fn a_failed_mint_is_retried_like_a_read() {
    let h = demo().await;
    let c = Client::new(admin_options(&h)).unwrap();
    sb::inject(
        &h,
        json!({"status": 500, "method": "POST", "path_contains": "/api/v2/oauth/tokens"}),
    )
    .await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let c = c.with_observer(move |e| seen.lock().unwrap().push(e.to_string()));
    let list = c.list_connections(CRM).await.unwrap();
    assert!(!list.is_empty());
    let events = events.lock().unwrap().clone();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].contains("server error 500"), "{events:?}");
}

/// A mint that fails every attempt: the listing fails with the server's error, and nothing
/// says "it may have been applied" (only a mutation's error may).
#[tokio::test]
async fn a_mint_that_keeps_failing_never_says_it_may_have_been_applied() {
    let h = demo().await;
    let c = Client::new(admin_options(&h)).unwrap();
    sb::inject(
        &h,
        json!({"status": 500, "count": 10, "method": "POST", "path_contains": "/api/v2/oauth/tokens"}),
    )
    .await;
    let e = c.list_connections(CRM).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server, "{e}");
    assert!(!e.may_have_applied, "{e}");
    assert!(!e.to_string().contains("may have been applied"), "{e}");
    // Three attempts, as for any read.
    assert_eq!(sb::stats(&h).await["by_status"]["500"], 3);
}

#[allow(dead_code)]
fn unused(_: Behaviour) -> Option<rawhttp::RawServer> {
    None
}
