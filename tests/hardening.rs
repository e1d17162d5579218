//! Issue 13, items 6-20, against the client alone: the sandbox (with its fault injection) or a
//! raw TCP server. The same items through the real binary are in `tests/hardening_cli.rs`.
//!
//! Secrets are compared, never printed.
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::rawhttp::{self, Behaviour};
use common::sandbox::demo;
use common::support::Support;
use secrecy::SecretString;
use serde_json::json;
use zisctl::sandbox::SandboxHandle;
use zisctl::zis::*;

const CRM: &str = "acme_crm_sync";

use common::sandbox::admin_options;

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
        Support::new(h)
            .fault(json!({
                "status": 200,
                "method": "GET",
                "path_contains": "connections/all",
                "body": page(&format!("p{i}"), per_page, true, Some(&format!("cursor-{i}"))),
            }))
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
    let before = Support::new(&h).requests().await;
    let e = c.list_connections(CRM).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidResponse, "{e}");
    let text = e.to_string();
    assert!(text.contains("after 5 pages"), "{text}");
    assert!(text.contains("max_pages"), "{text}");
    assert!(text.contains(CRM), "{text}");
    // Five pages, plus the registry and the mint: nothing after the cap.
    assert_eq!(Support::new(&h).requests().await - before, 5 + 2);
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
    Support::new(&h)
        .fault(
            json!({"status": 200, "method": "GET", "path_contains": "connections/all",
               "body": page("a", 10, true, Some("next"))}),
        )
        .await;
    Support::new(&h)
        .fault(
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
    Support::new(&h)
        .fault(json!({"status": 500, "method": "POST", "path_contains": "/api/v2/oauth/tokens"}))
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
    Support::new(&h).fault(json!({"status": 500, "count": 10, "method": "POST", "path_contains": "/api/v2/oauth/tokens"}),
    )
    .await;
    let e = c.list_connections(CRM).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server, "{e}");
    assert!(!e.may_have_applied, "{e}");
    assert!(!e.to_string().contains("may have been applied"), "{e}");
    // Three attempts, as for any read.
    assert_eq!(Support::new(&h).stats().await["by_status"]["500"], 3);
}

// ----- 18: TLS failures ---------------------------------------------------------------------

/// Collects the client's events (retries announced).
fn observed(c: &Client) -> (Client, Arc<Mutex<Vec<String>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let c = c.with_observer(move |e| seen.lock().unwrap().push(e.to_string()));
    (c, events)
}

fn token_options(base: &str) -> ClientOptions {
    let mut o = ClientOptions::new(base);
    o.oauth_token = Some(SecretString::from("tok-canary-31c9".to_string()));
    o.timeout = Duration::from_secs(5);
    o.backoff = Duration::from_millis(10);
    o
}

/// A listener that answers whatever it is sent, at once, with plain HTTP: its base URL and
/// the count of connections it accepted.
async fn plain_http_listener() -> (String, Arc<Mutex<usize>>) {
    use tokio::io::AsyncWriteExt;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let accepted = Arc::new(Mutex::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            *count.lock().unwrap() += 1;
            let _ = sock
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
            let _ = sock.shutdown().await;
        }
    });
    (format!("https://{addr}"), accepted)
}

/// A server that answers the ClientHello with plain HTTP: a TLS failure, said as such, tried
/// once. (Before: "cannot connect", three attempts.)
#[tokio::test]
async fn a_server_that_does_not_speak_tls_is_a_tls_failure_tried_once() {
    let (url, accepted) = plain_http_listener().await;
    let (c, events) = observed(&Client::new(token_options(&url)).unwrap());
    let e = c.list_connections(CRM).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Tls, "{e}");
    assert!(
        e.to_string().contains("TLS handshake with 127.0.0.1:"),
        "{e}"
    );
    assert!(e.to_string().contains("not retried"), "{e}");
    assert!(!e.may_have_applied);
    assert_eq!(*accepted.lock().unwrap(), 1, "tried once");
    assert!(events.lock().unwrap().is_empty(), "{:?}", events.lock());
}

/// A real TLS server (`openssl s_server`) with a self-signed certificate: "certificate
/// problem", with rustls' reason, and no retry.
#[tokio::test]
async fn a_self_signed_certificate_is_a_certificate_problem_not_retried() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("this test needs the openssl command (Debian's openssl package)");
    assert!(made.success(), "openssl req failed");
    // A free port: bound, then released for s_server.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = tokio::process::Command::new("openssl")
        .args(["s_server", "-www", "-accept", &format!("127.0.0.1:{port}")])
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("openssl s_server");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "s_server never listened"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let url = format!("https://localhost:{port}");
    let (c, events) = observed(&Client::new(token_options(&url)).unwrap());
    let e = c.list_connections(CRM).await.unwrap_err();
    let text = e.to_string();
    assert_eq!(e.kind, ErrorKind::Tls, "{text}");
    assert!(
        text.contains(&format!("certificate problem with localhost:{port}")),
        "{text}"
    );
    assert!(text.contains("invalid peer certificate"), "{text}");
    assert!(!text.contains("tok-canary-31c9"));
    assert!(events.lock().unwrap().is_empty(), "{:?}", events.lock());
}

// ----- 20: one deadline per call, across its retries -------------------------------------------

/// A hanging server: attempts stop when the call's time is spent, not after three full
/// timeouts. (Before: three attempts of `timeout` each whatever `call_timeout`.)
#[tokio::test]
async fn a_hang_ends_at_the_call_timeout_across_retries() {
    let s = rawhttp::start(vec![Behaviour::Hang]).await;
    let mut o = token_options(&s.base_url);
    o.timeout = Duration::from_millis(300);
    o.call_timeout = Duration::from_millis(450);
    let e = Client::new(o)
        .unwrap()
        .list_connections(CRM)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(
        e.to_string()
            .contains("the limit of one call, over 2 attempts"),
        "{e}"
    );
    // 300 ms, then (after 10 ms of announced backoff) the 150 ms left: two attempts, not
    // three.
    assert_eq!(s.requests.lock().unwrap().len(), 2);

    // The defaults: the call's limit is the timeout, so a hang ends at the timeout.
    let d = ClientOptions::new("https://x.zendesk.com");
    assert_eq!(d.call_timeout, d.timeout);
}
