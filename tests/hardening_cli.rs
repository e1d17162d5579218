//! Issue 13, items 6-20, through the real binary against an in-process sandbox (or a listener
//! of the test's own): bounded work, local files and processes, output hygiene. The client
//! alone is in `tests/hardening.rs`.
//!
//! Secrets are compared, never printed: no assertion message shows stdout of a run that may
//! hold one.
#![cfg(unix)]

mod common;

use common::cli_support::{self, Env};
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
        env.support.fault(fault).await;
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
        env.support
            .fault(
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
    assert_eq!(env.support.requests().await, 0, "a request was sent");
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
    assert_eq!(env.support.requests().await, 0);
}

// ----- 13: secrets the server echoes are scrubbed -----------------------------------------------

/// A server that echoes the password of a create, and the admin token (as it is and as the
/// Basic header's base64) in its errors: neither reaches stderr, the log or the audit log.
#[tokio::test]
async fn secrets_echoed_in_an_error_are_scrubbed() {
    let env = Env::demo().await;
    let pw = "Echoed-Canary-pw-5b2c";
    let body = format!(r#"{{"errors":[{{"code":"Weak","title":"password {pw} is too weak"}}]}}"#);
    env.support
        .fault(
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
    env.support
        .fault(
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

// ----- local files: 8, 11, 12, 15, 19 ----------------------------------------------------------

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The mode of what `p` names (through a link).
fn mode_of(p: &Path) -> u32 {
    std::fs::metadata(p).expect("stat").permissions().mode() & 0o777
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn is_root() -> bool {
    // SAFETY: geteuid takes no arguments and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Give `p` to another user (nobody, 65534): only root can, so only then are those cases run.
fn chown_to_nobody(p: &Path) {
    std::os::unix::fs::lchown(p, Some(65534), Some(65534)).expect("chown");
}

fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

/// Run with `args` as they are (no `--log-file` of the harness's: a test may give its own),
/// the address space limited to `limit_mib` (so that a run that would read a device or a huge
/// file into memory fails instead of taking the machine's).
async fn run_limited(env: &Env, args: &[&str], limit_mib: u64) -> cli_support::Out {
    let mut c = tokio::process::Command::new(cli_support::BIN);
    c.env_clear()
        .envs(env.child_env())
        .args(args)
        .kill_on_drop(true);
    c.stdin(std::process::Stdio::null());
    let limit = limit_mib * 1024 * 1024;
    // SAFETY: setrlimit is async-signal-safe, and the closure touches nothing else.
    unsafe {
        c.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(40), c.output())
        .await
        .expect("zisctl finished within 40 s")
        .expect("zisctl output");
    cli_support::Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// 8: `--log-file` through a symbolic link, or at a device: refused, said on stderr, and the
/// target is neither written nor chmod'ed (before: the target became 0600 and got the log).
#[tokio::test]
async fn the_log_file_is_never_a_link_or_a_device() {
    let env = Env::demo().await;
    let target = env.dir.path().join("someone-elses.txt");
    std::fs::write(&target, "keep me\n").expect("write");
    chmod(&target, 0o644);
    let link = env.dir.path().join("log-link");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let link_s = link.display().to_string();
    let out = run_limited(&env, &["--log-file", &link_s, "integrations", "list"], 1024).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("refused: it is a symbolic link"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("nothing is logged"), "{}", out.stderr);
    assert_eq!(mode_of(&target), 0o644, "the link's target was chmod'ed");
    assert_eq!(
        env.read_file(&target),
        "keep me\n",
        "the target was written"
    );

    // A device node (a copy of /dev/null's, made here): never chmod'ed.
    if is_root() {
        let dev = env.dir.path().join("null");
        let c = std::ffi::CString::new(dev.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: a valid path; makes a character device 1:3 (null) in the test's directory.
        let made = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
        assert_eq!(made, 0, "mknod");
        chmod(&dev, 0o666);
        let dev_s = dev.display().to_string();
        let out = run_limited(&env, &["--log-file", &dev_s, "integrations", "list"], 1024).await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stderr.contains("a character device"), "{}", out.stderr);
        assert_eq!(mode_of(&dev), 0o666, "the device was chmod'ed");
    } else {
        eprintln!("not root: the device case is skipped");
    }
}

/// 8: `ZISCTL_AUDIT_LOG` through a link, or another user's file: refused before anything is
/// sent, the file untouched (before: the change went ahead and the target was chmod'ed and
/// appended to).
#[tokio::test]
async fn the_audit_log_is_never_a_link_or_another_users_file() {
    let mut env = Env::demo().await;
    let target = env.dir.path().join("target.jsonl");
    std::fs::write(&target, "").expect("write");
    chmod(&target, 0o644);
    let link = env.dir.path().join("audit-link.jsonl");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let mut cases = vec![(link.clone(), "a symbolic link")];
    if is_root() {
        let foreign = env.dir.path().join("foreign.jsonl");
        std::fs::write(&foreign, "").expect("write");
        chmod(&foreign, 0o644);
        chown_to_nobody(&foreign);
        cases.push((foreign, "owned by uid 65534"));
    }
    for (path, why) in cases {
        env.vars
            .push(("ZISCTL_AUDIT_LOG".into(), path.display().to_string()));
        let out = env
            .run(&["connections", "delete", CRM, "segment_write_key", "--yes"])
            .await;
        assert_eq!(out.code, 2, "{why}: {}", out.stderr);
        assert!(out.stderr.contains("audit log"), "{}", out.stderr);
        assert!(out.stderr.contains(why), "{}", out.stderr);
        assert_eq!(mode_of(&path), 0o644, "{why}: chmod'ed");
        assert_eq!(
            std::fs::metadata(&path).expect("stat").len(),
            0,
            "{why}: written"
        );
    }
    assert_eq!(mode_of(&target), 0o644);
    assert_eq!(
        env.support.requests_by("DELETE").await,
        0,
        "a change was sent"
    );
    // Reading changes nothing and needs no audit log: it goes on.
    env.vars
        .push(("ZISCTL_AUDIT_LOG".into(), link.display().to_string()));
    let out = env.run(&["connections", "list", CRM]).await;
    assert_eq!(out.code, 0, "a read is not refused: {}", out.stderr);
    assert_eq!(std::fs::metadata(&target).expect("stat").len(), 0);
}

/// 11: a config holding a `*_command` that others may change (0666, 0664), or that another
/// user owns: refused with the chmod / chown to run, and the command never runs (before: run
/// with `sh -c`).
#[tokio::test]
async fn a_config_others_could_change_is_refused_before_its_command_runs() {
    let env = Env::demo().await;
    let marker = env.dir.path().join("command-ran");
    let text = format!(
        "[profiles.default.integrations.{CRM}]\noauth_token_command = \"touch '{}'; printf tok\"\n",
        marker.display()
    );
    env.write_config(&text);
    for mode in [0o666, 0o664, 0o646] {
        chmod(&env.config, mode);
        let out = env.run(&["integrations", "list"]).await;
        assert_eq!(out.code, 2, "{mode:o}: {}", out.stderr);
        assert!(out.stderr.contains("holds a *_command"), "{}", out.stderr);
        assert!(
            out.stderr
                .contains(&format!("run `chmod go-w {}`", env.config.display())),
            "{}",
            out.stderr
        );
        assert!(!marker.exists(), "{mode:o}: the command ran");
    }
    // Its own user's, not writable by others: the command runs.
    chmod(&env.config, 0o644);
    let out = env.run(&["integrations", "list"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        marker.exists(),
        "the command of a private config did not run"
    );
    std::fs::remove_file(&marker).expect("rm");

    if is_root() {
        chown_to_nobody(&env.config);
        let out = env.run(&["integrations", "list"]).await;
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("owned by uid 65534"), "{}", out.stderr);
        assert!(out.stderr.contains("run `chown 0 "), "{}", out.stderr);
        assert!(!marker.exists(), "the command of another user's config ran");
        // The same for a literal secret in a 0600 file of another user.
        std::fs::remove_file(&env.config).expect("rm");
        env.write_config("[profiles.default]\napi_token = \"Cfg-Canary-3f1\"\n");
        chmod(&env.config, 0o600);
        chown_to_nobody(&env.config);
        let out = env.run(&["integrations", "list"]).await;
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("it holds a secret"), "{}", out.stderr);
        assert!(!out.all().contains("Cfg-Canary-3f1"));
    } else {
        eprintln!("not root: the other-owner cases are skipped");
    }
}

/// 12: a `*_command` does not see zisctl's secrets in its environment (so not in its
/// /proc/PID/environ either), and keeps what a password manager needs.
#[tokio::test]
async fn secret_commands_get_no_secret_variables() {
    let mut env = Env::demo().await;
    let names = env.dir.path().join("names");
    env.write_config(&format!(
        "[profiles.default.integrations.{CRM}]\noauth_token_command = \"env | cut -d= -f1 > '{}'; printf tok\"\n",
        names.display()
    ));
    chmod(&env.config, 0o600);
    for (k, v) in [
        ("ZIS_OAUTH_TOKEN", "Env-Canary-zis"),
        ("ZENDESK_OAUTH_REFRESH_TOKEN", "Env-Canary-refresh"),
        ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/run/user/0/bus"),
        ("GNUPGHOME", "/tmp/gnupg"),
        ("SSH_AUTH_SOCK", "/tmp/agent.sock"),
        ("PASSWORD_STORE_DIR", "/tmp/pass"),
    ] {
        env.vars.push((k.into(), v.into()));
    }
    // A client secret given alone is refused, so the sandbox's confidential client signs in.
    let (id, secret) = (
        env.sb.confidential_client_id.clone(),
        env.sb.confidential_client_secret.clone(),
    );
    env.vars.push(("ZENDESK_OAUTH_CLIENT_ID".into(), id));
    env.vars
        .push(("ZENDESK_OAUTH_CLIENT_SECRET".into(), secret));
    env.vars.push(("ZISCTL_TOKEN_STORE".into(), "file".into()));
    let out = env.run(&["integrations", "list"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let seen = env.read_file(&names);
    let seen: Vec<&str> = seen.lines().collect();
    for secret in [
        "ZENDESK_API_TOKEN",
        "ZIS_OAUTH_TOKEN",
        "ZENDESK_OAUTH_CLIENT_SECRET",
        "ZENDESK_OAUTH_REFRESH_TOKEN",
    ] {
        assert!(!seen.contains(&secret), "the command saw {secret}");
    }
    for kept in [
        "PATH",
        "HOME",
        "DBUS_SESSION_BUS_ADDRESS",
        "GNUPGHOME",
        "SSH_AUTH_SOCK",
        "PASSWORD_STORE_DIR",
        "ZENDESK_EMAIL",
    ] {
        assert!(
            seen.contains(&kept),
            "the command did not get {kept}: {seen:?}"
        );
    }
}

/// 15: a secret pasted on a line of its own, as a key: the error names the line, not the key.
#[tokio::test]
async fn a_secret_pasted_as_a_key_is_not_printed() {
    let env = Env::demo().await;
    env.write_config("[profiles.default]\nemail = \"a@b.example\"\nPasted-Canary-9d2e = 1\n");
    chmod(&env.config, 0o600);
    let out = env.run(&["integrations", "list"]).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!out.all().contains("Pasted-Canary"), "the key was printed");
    assert!(
        out.stderr.contains("line 3: an unknown key (not shown"),
        "{}",
        out.stderr
    );
    // A typo of a known key is still named, with the key meant.
    env.write_config("[profiles.default]\nsubdomian = \"acme\"\n");
    let out = env.run(&["integrations", "list"]).await;
    assert!(
        out.stderr
            .contains("`subdomian` (did you mean `subdomain`?)"),
        "{}",
        out.stderr
    );
}

/// 19: a FIFO or a device as the config, a config over 1 MiB, a FIFO as the log file: refused
/// at once (before: blocked forever, or read /dev/zero until memory ran out).
#[tokio::test]
async fn special_files_and_huge_configs_are_refused_at_once() {
    let env = Env::demo().await;
    let fifo = env.dir.path().join("config-fifo");
    mkfifo(&fifo);
    let big = env.dir.path().join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(2 * 1024 * 1024))).expect("write");
    chmod(&big, 0o600);
    for (path, says) in [
        (fifo.display().to_string(), "it is a FIFO"),
        ("/dev/zero".to_string(), "it is a character device"),
        (big.display().to_string(), "larger than 1024 KiB"),
    ] {
        let out = run_limited(&env, &["--config", &path, "integrations", "list"], 512).await;
        assert_eq!(out.code, 2, "{path}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{path}: {}", out.stderr);
    }
    let log_fifo = env.dir.path().join("log-fifo");
    mkfifo(&log_fifo);
    let log_s = log_fifo.display().to_string();
    let out = run_limited(&env, &["--log-file", &log_s, "integrations", "list"], 512).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("it is a FIFO"), "{}", out.stderr);
}

/// 19: `zisctl log -n 1` on a 1 GiB audit log (sparse: no disk is used) reads its end, within
/// a 512 MiB address space (before: the whole file was read into memory, and failed).
#[tokio::test]
async fn log_tail_reads_from_the_end_of_a_huge_log() {
    let env = Env::demo().await;
    let line = r#"{"time":"2024-01-01T00:00:00Z","profile":"p","integration":"acme","connection":"the_last_one","action":"update","outcome":"ok"}"#;
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::File::create(env.audit_log()).expect("create");
        f.seek(SeekFrom::Start(1 << 30)).expect("seek");
        f.write_all(format!("\n{line}\n").as_bytes())
            .expect("write");
    }
    chmod(&env.audit_log(), 0o600);
    let out = run_limited(&env, &["log", "-n", "1", "-o", "json"], 512).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v = out.json();
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(v[0]["connection"], "the_last_one");
}
