//! Issue 13, items 6-20, through the real binary against an in-process sandbox (or a listener
//! of the test's own): bounded work, local files and processes, output hygiene. The client
//! alone is in `tests/hardening.rs`.
//!
//! Secrets are compared, never printed: no assertion message shows stdout of a run that may
//! hold one.
#![cfg(unix)]

#[path = "common/cli_support.rs"]
mod cli_support;

use cli_support::Env;
use serde_json::json;

const CRM: &str = "acme_crm_sync";

/// The characters no output may carry: C0 (ESC, BEL), DEL, C1 (CSI), and every bidi control.
const UNSAFE: &[char] = &[
    '\u{1b}', '\u{07}', '\u{7f}', '\u{9b}', '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}',
    '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

/// The first unsafe character in `text`, if any (its code point only: never the text).
fn first_unsafe(text: &str) -> Option<String> {
    text.chars()
        .find(|c| UNSAFE.contains(c))
        .map(|c| format!("U+{:04X}", c as u32))
}

// ----- 14: every output is sanitised ------------------------------------------------------------

/// Bidi controls other than U+202D/U+202E (ALM, LRM, RLM, LRE, RLE, PDF, LRI, RLI, FSI, PDI) in
/// names, usernames and domains from the server: replaced in the table, JSON and CSV output.
#[tokio::test]
async fn bidi_controls_never_reach_table_json_or_csv() {
    let env = Env::demo().await;
    // JSON escapes in the body: the client decodes them into the real characters.
    let page = r#"{"basic_auth":[{"name":"a\u202bb\u202cc","username":"u\u2067v\u2069w\u200f","password":"*****","allowed_domain":"d\u061c\u200e\u202a\u2066\u2068.example.com","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"}],"api_key":[],"bearer_token":[],"oauth":[],"meta":{"has_more":false,"after":null,"before":null}}"#;
    for fmt in ["table", "json", "csv"] {
        let fault = json!({"status": 200, "method": "GET", "path_contains": "connections/all",
                           "body": page});
        env.fault(fault).await;
        let out = env.run(&["connections", "list", CRM, "-o", fmt]).await;
        assert_eq!(out.code, 0, "{fmt}: {}", out.stderr);
        assert_eq!(first_unsafe(&out.stdout), None, "{fmt} output");
        assert!(out.stdout.contains("a\u{FFFD}b\u{FFFD}c"), "{fmt} output");
        assert!(
            out.stdout.contains("u\u{FFFD}v\u{FFFD}w\u{FFFD}"),
            "{fmt} output"
        );
    }
}

/// `register --show-secret -o json` with a client secret holding DEL, a C1 CSI and RLO: the
/// JSON carries U+FFFD in their place, as the table does.
#[tokio::test]
async fn register_show_secret_json_is_sanitised() {
    let env = Env::demo().await;
    let body = r#"{"description":"d\u009b2J","jwt_public_key":null,"zendesk_oauth_client":{"id":4242,"identifier":"zis_evil_int","secret":"sec\u007fret\u009b31m\u202ex"}}"#;
    for fmt in ["json", "table", "csv"] {
        env.fault(
            json!({"status": 200, "method": "POST", "path_contains": "/registry/evil_int",
                         "body": body}),
        )
        .await;
        let out = env
            .run(&[
                "integrations",
                "register",
                "evil_int",
                "--show-secret",
                "-o",
                fmt,
            ])
            .await;
        assert_eq!(out.code, 0, "{fmt}: {}", out.stderr);
        assert_eq!(first_unsafe(&out.stdout), None, "{fmt} output");
        assert!(out.stdout.contains("sec\u{FFFD}ret\u{FFFD}31m\u{FFFD}x"));
    }
}

/// `zisctl log -o json` of a tampered audit log (C0, C1 and RLO in its fields): sanitised
/// like `zisctl log`'s table and CSV.
#[tokio::test]
async fn log_json_of_a_tampered_audit_log_is_sanitised() {
    let env = Env::demo().await;
    let line = r#"{"time":"2024-01-01T00:00:00Z","profile":"p\u009b2J","integration":"acme\u202e","connection":"bob\u001b]52;c;x\u0007","action":"update","fields":["password\u2067"],"outcome":"ok\u007f"}"#;
    std::fs::write(env.audit_log(), format!("{line}\n")).expect("write the audit log");
    for fmt in ["json", "table", "csv"] {
        let out = env.run(&["log", "-o", fmt]).await;
        assert_eq!(out.code, 0, "{fmt}: {}", out.stderr);
        assert_eq!(
            first_unsafe(&out.stdout),
            None,
            "{fmt} output: {}",
            out.stdout
        );
        assert!(out.stdout.contains("acme\u{FFFD}"), "{fmt}: {}", out.stdout);
    }
}

// ----- 10: loopback is never proxied ---------------------------------------------------------

/// A listener of the test's own that answers anything at once with a 502 and counts the
/// connections it accepted.
async fn counting_listener() -> (String, std::sync::Arc<std::sync::Mutex<usize>>) {
    use tokio::io::AsyncWriteExt;
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = l.local_addr().expect("addr");
    let accepted = std::sync::Arc::new(std::sync::Mutex::new(0usize));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = l.accept().await {
            *count.lock().expect("count") += 1;
            let _ = sock
                .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                .await;
            let _ = sock.shutdown().await;
        }
    });
    (format!("http://{addr}"), accepted)
}

/// Every proxy variable set to a listener of the test's own: the plain-http loopback base URL
/// is reached directly, and the proxy sees no request (before: the admin credentials went to
/// the proxy in clear).
#[tokio::test]
async fn loopback_is_never_proxied() {
    let (proxy, seen) = counting_listener().await;
    let mut env = Env::demo().await;
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        env.vars.push((var.into(), proxy.clone()));
    }
    let out = env.run(&["connections", "list", CRM, "-o", "json"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.json().as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(*seen.lock().expect("count"), 0, "the proxy was used");
}

// ----- 17: no user info in the base URL; the subdomain is a DNS label ---------------------------

/// `--base-url http://user:PASS@host`: refused before any request, and the password is not
/// shown (before: sent as a second Authorization header, and shown in the status line).
#[tokio::test]
async fn user_info_in_the_base_url_is_refused_unshown() {
    let env = Env::demo().await;
    let pass = "Userinfo-Canary-77e1";
    let with_user = env
        .sb
        .base_url
        .replace("http://", &format!("http://admin:{pass}@"));
    let out = env
        .run(&["--base-url", &with_user, "integrations", "list"])
        .await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("user info"), "{}", out.stderr);
    assert!(!out.all().contains(pass), "the password was shown");
    assert!(!env.read_file(&env.log_file()).contains(pass));
    assert_eq!(env.requests().await, 0, "a request was sent");
}

/// `ZENDESK_SUBDOMAIN=evil.example#` would make `https://evil.example#.zendesk.com`, whose
/// host is evil.example: refused with the rule, the value not shown. The same for the
/// config's `subdomain`.
#[tokio::test]
async fn a_subdomain_that_is_not_a_dns_label_is_refused() {
    let mut env = Env::demo().await;
    let run = |env: &Env| {
        let mut c = env.command(&["integrations", "list"]);
        // No base URL: the subdomain decides the host.
        c.env_remove("ZISCTL_BASE_URL");
        c.stdin(std::process::Stdio::null());
        c.output()
    };
    for bad in ["evil.example#", "evil.example/x?", "a@evil.example", "-x"] {
        env.vars.retain(|(k, _)| k != "ZENDESK_SUBDOMAIN");
        env.vars.push(("ZENDESK_SUBDOMAIN".into(), bad.into()));
        let out = run(&env).await.expect("run zisctl");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(
            stderr.contains("ZENDESK_SUBDOMAIN: a DNS label"),
            "{bad}: {stderr}"
        );
        assert!(!stderr.contains(bad), "{bad}: the value was shown");
    }
    env.vars.retain(|(k, _)| k != "ZENDESK_SUBDOMAIN");
    env.write_config("[profiles.default]\nsubdomain = \"evil.example#\"\n");
    let out = run(&env).await.expect("run zisctl");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("subdomain: a DNS label"), "{stderr}");
    assert_eq!(env.requests().await, 0);
}

// ----- 13: secrets the server echoes are scrubbed -----------------------------------------------

/// A server that echoes the password of a create, and the admin token (as it is and as the
/// Basic header's base64) in its errors: neither reaches stderr, the log or the audit log.
#[tokio::test]
async fn secrets_echoed_in_an_error_are_scrubbed() {
    let env = Env::demo().await;
    let pw = "Echoed-Canary-pw-5b2c";
    let body = format!(r#"{{"errors":[{{"code":"Weak","title":"password {pw} is too weak"}}]}}"#);
    env.fault(
        json!({"status": 422, "method": "POST", "path_contains": "/connections/basic_auth",
                     "body": body}),
    )
    .await;
    let out = env
        .run_stdin(
            &[
                "connections",
                "create",
                CRM,
                "echo_conn",
                "--allowed-domain",
                "api.example.com",
                "--username",
                "svc",
                "--password-stdin",
            ],
            format!("{pw}\n").as_bytes(),
        )
        .await;
    assert_eq!(out.code, 1, "exit code");
    assert!(!out.all().contains(pw), "the password was printed");
    assert!(out.stderr.contains("password [REDACTED] is too weak"));
    let audit = env.read_file(&env.audit_log());
    assert!(audit.contains("[REDACTED]"), "no audit line of the failure");
    assert!(!audit.contains(pw), "the password is in the audit log");
    assert!(!env.read_file(&env.log_file()).contains(pw));

    let token = env.sb.admin_token.clone();
    let basic = env
        .sb
        .admin_authorization()
        .trim_start_matches("Basic ")
        .to_string();
    let body = format!("Invalid credentials {token} (header Basic {basic})");
    env.fault(
        json!({"status": 401, "count": 1, "path_contains": "/registry/integrations",
                     "body": body}),
    )
    .await;
    let out = env.run(&["integrations", "list"]).await;
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(!out.stderr.contains(&token), "the admin token was printed");
    assert!(!out.stderr.contains(&basic), "the Basic header was printed");
    assert!(out
        .stderr
        .contains("Invalid credentials [REDACTED] (header Basic [REDACTED])"));
}
