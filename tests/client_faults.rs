//! The client against a raw TCP server: what a broken network or server can send.
mod common;

use std::time::{Duration, Instant};

use common::rawhttp::{self, Behaviour};
use secrecy::SecretString;
use zisctl::zis::{Client, ClientOptions, ConnectionKind, ErrorKind};

fn client(base: &str) -> Client {
    let mut o = ClientOptions::new(base);
    o.oauth_token = Some(SecretString::from("tok-canary-7f3a9".to_string()));
    o.timeout = Duration::from_millis(800);
    o.connect_timeout = Duration::from_millis(800);
    o.backoff = Duration::from_millis(10);
    o.max_body_bytes = 1024 * 1024;
    Client::new(o).unwrap()
}

const OK_LIST: &str = r#"{"basic_auth":[],"api_key":[],"bearer_token":[],"oauth":[],"meta":{"has_more":false,"after":null,"before":null}}"#;

#[tokio::test]
async fn a_hang_past_the_timeout_is_a_timeout_after_bounded_retries() {
    let s = rawhttp::start(vec![Behaviour::Hang]).await;
    let started = Instant::now();
    let e = client(&s.base_url)
        .list_connections("acme")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Timeout, "{e}");
    assert!(e.to_string().contains("no answer within"), "{e}");
    assert_eq!(
        s.requests.lock().unwrap().len(),
        3,
        "three attempts, no more"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_reset_is_retried_then_reported() {
    let s = rawhttp::start(vec![
        Behaviour::Reset,
        rawhttp::response("200 OK", &[("Content-Type", "application/json")], OK_LIST),
    ])
    .await;
    let list = client(&s.base_url).list_connections("acme").await.unwrap();
    assert!(list.is_empty());
    assert_eq!(s.requests.lock().unwrap().len(), 2);

    let s = rawhttp::start(vec![Behaviour::Reset]).await;
    let e = client(&s.base_url)
        .list_connections("acme")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network, "{e}");
    assert_eq!(zisctl::exit::code_of(&e), 1);
}

#[tokio::test]
async fn a_truncated_body_is_a_clear_error() {
    let s = rawhttp::start(vec![Behaviour::Truncated {
        announced: 500,
        body: br#"{"basic_auth":[{"name":"bo"#.to_vec(),
    }])
    .await;
    let e = client(&s.base_url)
        .get_connection("acme", ConnectionKind::BasicAuth, "bob")
        .await
        .unwrap_err();
    assert!(
        matches!(e.kind, ErrorKind::InvalidResponse | ErrorKind::Network),
        "{e}"
    );
}

#[tokio::test]
async fn a_non_json_body_is_a_clear_error() {
    let s = rawhttp::start(vec![rawhttp::response(
        "200 OK",
        &[("Content-Type", "text/html")],
        "<html><body>Maintenance</body></html>",
    )])
    .await;
    let e = client(&s.base_url)
        .list_connections("acme")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidResponse);
    assert!(e.to_string().contains("not the JSON expected"), "{e}");
}

#[tokio::test]
async fn a_50_mb_body_is_refused_past_the_cap() {
    let s = rawhttp::start(vec![Behaviour::Huge {
        size: 50 * 1024 * 1024,
    }])
    .await;
    let e = client(&s.base_url)
        .list_connections("acme")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidResponse, "{e}");
    assert!(e.to_string().contains("larger than"), "{e}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_carries_no_credentials_away() {
    let other = rawhttp::start(vec![rawhttp::response("200 OK", &[], OK_LIST)]).await;
    let target = other.base_url.replace("127.0.0.1", "localhost") + "/steal";
    let s = rawhttp::start(vec![rawhttp::response(
        "302 Found",
        &[("Location", &target)],
        "",
    )])
    .await;
    let e = client(&s.base_url)
        .list_connections("acme")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("redirect"), "{e}");
    assert!(
        other.requests.lock().unwrap().is_empty(),
        "the redirect was followed"
    );
    // The original request did carry the token, and only to the configured host.
    let first = s.requests.lock().unwrap()[0].to_lowercase();
    assert!(first.contains("authorization: bearer"));
}

#[tokio::test]
async fn a_429_storm_is_bounded_and_announced() {
    let s = rawhttp::start(vec![rawhttp::response(
        "429 Too Many Requests",
        &[("retry-after", "0"), ("Content-Type", "text/plain")],
        "Too many requests",
    )])
    .await;
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let ev = events.clone();
    let c = client(&s.base_url).with_observer(move |e| ev.lock().unwrap().push(e.to_string()));
    let e = c.list_connections("acme").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.message, "Too many requests");
    let n = s.requests.lock().unwrap().len();
    assert_eq!(n, 6, "bounded attempts");
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 5);
    assert!(events[0].starts_with("rate limited, waiting"));
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    let when = std::time::SystemTime::now() + Duration::from_secs(2);
    let date = httpdate::fmt_http_date(when);
    let s = rawhttp::start(vec![
        rawhttp::response("429 Too Many Requests", &[("Retry-After", &date)], ""),
        rawhttp::response("200 OK", &[], OK_LIST),
    ])
    .await;
    let started = Instant::now();
    client(&s.base_url).list_connections("acme").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(s.requests.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_create_is_not_retried_on_a_lost_answer() {
    use zisctl::zis::{NewConnection, NewCredential};
    let s = rawhttp::start(vec![Behaviour::Reset]).await;
    let new = NewConnection {
        name: "bob_conn".into(),
        allowed_domain: "api.example.com".into(),
        credential: NewCredential::BasicAuth {
            username: "bob".into(),
            password: SecretString::from("pw-canary-1".to_string()),
        },
    };
    let e = client(&s.base_url)
        .create_connection("acme", &new)
        .await
        .unwrap_err();
    assert_eq!(
        s.requests.lock().unwrap().len(),
        1,
        "a create was blindly retried"
    );
    assert!(e.may_have_applied, "{e}");
    assert!(!e.to_string().contains("pw-canary-1"));
}

#[tokio::test]
async fn http_to_a_non_loopback_host_is_refused() {
    let e = Client::new(ClientOptions::new("http://acme.zendesk.com")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Config);
    assert!(e.message.contains("loopback"));
    assert!(Client::new(ClientOptions::new("https://acme.zendesk.com")).is_ok());
}
