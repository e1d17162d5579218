//! Security and reliability, end to end through the real binary:
//! - faults (429 storms, 5xx, a hang, a reset, truncated / non-JSON / 50 MB bodies, a
//!   redirect to another host) through the CLI, and through the TUI in a pty;
//! - local files: modes of the log, the audit log and the data dir; a readable config holding
//!   a secret is refused; the process is not dumpable;
//! - the audit log: one line per mutation, never a value;
//! - an OSC 52 sequence in a username from the server never reaches the terminal.
//!
//! Secrets are compared, never printed.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cli_support::{self, Env, Out};
use common::leak::{assert_absent, contains, Canary};
use common::pty::{mask_of, Options, Pty, CTRL_S, ENTER, ESC, TAB};
use common::rawhttp::{self, Behaviour};
use common::sandbox::SyncSandbox;
use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt;
use zisctl::sandbox::SandboxConfig;

const CRM: &str = "acme_crm_sync";

const OK_LIST: &str = r#"{"basic_auth":[],"api_key":[],"bearer_token":[],"oauth":[],"meta":{"has_more":false,"after":null,"before":null}}"#;

// ----- faults through the CLI ------------------------------------------------------------------

/// What a failed run must look like: exit 1, stderr made of `zisctl: ` lines only, the retries
/// announced (`announced` of them), exactly one error line holding `says`, no panic, no token.
fn assert_clean_failure(what: &str, o: &Out, says: &str, announced: usize, token: &Canary) {
    assert_eq!(o.code, 1, "{what}: exit code; stderr: {}", o.stderr);
    assert!(o.stdout.is_empty(), "{what}: nothing on stdout");
    assert!(!o.stderr.contains("panicked"), "{what}: {}", o.stderr);
    assert!(!o.stderr.contains("RUST_BACKTRACE"), "{what}: {}", o.stderr);
    let lines: Vec<&str> = o.messages();
    assert!(
        lines.iter().all(|l| l.starts_with("zisctl: ")),
        "{what}: {}",
        o.stderr
    );
    let is_notice = |l: &&&str| l.contains("retrying in") || l.contains("rate limited, waiting");
    let notices = lines.iter().filter(is_notice).count();
    let errors: Vec<&&str> = lines.iter().filter(|l| !is_notice(l)).collect();
    assert_eq!(
        notices, announced,
        "{what}: announced retries: {}",
        o.stderr
    );
    assert_eq!(errors.len(), 1, "{what}: one error line: {}", o.stderr);
    assert!(errors[0].contains(says), "{what}: {}", o.stderr);
    assert_absent(what, o.stderr.as_bytes(), std::slice::from_ref(token), None);
}

/// A line in which the client announces a wait, in its own words (`ClientEvent`'s Display):
/// `zisctl: rate limited, waiting N s` or `zisctl: REASON; retrying in N s`.
fn is_announced_wait(line: &str) -> bool {
    let secs = |n: &str| !n.is_empty() && n.parse::<f64>().is_ok();
    let Some(l) = line
        .strip_prefix("zisctl: ")
        .and_then(|l| l.strip_suffix(" s"))
    else {
        return false;
    };
    l.strip_prefix("rate limited, waiting ").is_some_and(secs)
        || l.rsplit_once("; retrying in ")
            .is_some_and(|(_, n)| secs(n))
}

/// An Env whose children talk to `base_url` with a canary ZIS token and a 1 s timeout.
async fn env_against(base_url: &str, token: &Canary) -> Env {
    let mut env = Env::with_seed(zisctl::sandbox::Seed::Empty).await;
    env.write_config("[profiles.default]\ntimeout_secs = 1\n");
    env.vars.push(("ZISCTL_BASE_URL".into(), base_url.into()));
    env.vars
        .push(("ZIS_OAUTH_TOKEN".into(), token.value.clone()));
    env.vars.push(("RUST_LOG".into(), "trace".into()));
    env
}

/// Every fault the raw server can play, through `zisctl connections list`: a clear error or a
/// bounded, announced retry; exit 1; no panic; bounded time.
#[tokio::test(flavor = "multi_thread")]
async fn cli_faults_from_a_raw_server() {
    let token = Canary::new("ZIS token");
    let html = |status: &str| {
        rawhttp::response(
            status,
            &[("Content-Type", "text/html")],
            "<html><body><h1>Service Unavailable</h1></body></html>",
        )
    };
    // (what, script, error text, retries announced, requests sent)
    let cases: Vec<(&str, Vec<Behaviour>, &str, usize, usize)> = vec![
        (
            "429 storm, Retry-After: 0",
            vec![rawhttp::response(
                "429 Too Many Requests",
                &[("Retry-After", "0"), ("Content-Type", "text/plain")],
                "Too many requests",
            )],
            "Too many requests (429)",
            5,
            6,
        ),
        (
            "503 HTML page",
            vec![html("503 Service Unavailable")],
            "(503)",
            2,
            3,
        ),
        (
            "500 then success",
            vec![
                html("500 Internal Server Error"),
                rawhttp::response("200 OK", &[("Content-Type", "application/json")], OK_LIST),
            ],
            "",
            1,
            2,
        ),
        (
            "connection reset",
            vec![Behaviour::Reset],
            "the connection failed before an answer",
            2,
            3,
        ),
        (
            "truncated body",
            vec![Behaviour::Truncated {
                announced: 4000,
                body: br#"{"basic_auth":[{"name":"bo"#.to_vec(),
            }],
            "cut off",
            0,
            1,
        ),
        (
            "non-JSON 200",
            vec![rawhttp::response(
                "200 OK",
                &[("Content-Type", "text/html")],
                "<html><body>Maintenance</body></html>",
            )],
            "not the JSON expected",
            0,
            1,
        ),
        (
            "50 MB body",
            vec![Behaviour::Huge {
                size: 50 * 1024 * 1024,
            }],
            "larger than 16 MiB",
            0,
            1,
        ),
    ];
    for (what, script, says, announced, requests) in cases {
        let raw = rawhttp::start(script).await;
        let env = env_against(&raw.base_url, &token).await;
        let started = Instant::now();
        let o = env.run(&["connections", "list", CRM, "-o", "json"]).await;
        let took = started.elapsed();
        if says.is_empty() {
            // Recovered: the retry is announced, the data printed.
            assert_eq!(o.code, 0, "{what}: {}", o.stderr);
            assert_eq!(o.stdout.trim(), "[]", "{what}");
            assert_eq!(o.messages().len(), announced, "{what}: {}", o.stderr);
            assert!(o.stderr.contains("server error 500; retrying in"), "{what}");
        } else {
            assert_clean_failure(what, &o, says, announced, &token);
        }
        assert_eq!(
            raw.requests.lock().expect("requests").len(),
            requests,
            "{what}"
        );
        assert!(took < Duration::from_secs(12), "{what} took {took:?}");
        let log = std::fs::read(env.log_file()).unwrap_or_default();
        assert_absent(what, &log, std::slice::from_ref(&token), None);
    }
}

/// A hang past the timeout: one attempt of 1 s (`timeout_secs` bounds the whole call, retries
/// included: issue 13 item 20), then one line; a bounded wait.
#[tokio::test(flavor = "multi_thread")]
async fn cli_a_hang_is_a_bounded_timeout() {
    let token = Canary::new("ZIS token");
    let raw = rawhttp::start(vec![Behaviour::Hang]).await;
    let env = env_against(&raw.base_url, &token).await;
    let started = Instant::now();
    let o = env.run(&["connections", "list", CRM]).await;
    let took = started.elapsed();
    assert_clean_failure("hang", &o, "no answer within 1 s", 0, &token);
    assert_eq!(raw.requests.lock().expect("requests").len(), 1);
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

/// A redirect to another host is not followed: the token never reaches it.
#[tokio::test(flavor = "multi_thread")]
async fn cli_a_redirect_does_not_carry_the_token_away() {
    let token = Canary::new("ZIS token");
    let other = rawhttp::start(vec![rawhttp::response("200 OK", &[], OK_LIST)]).await;
    let target = other.base_url.replace("127.0.0.1", "localhost") + "/steal";
    for status in [
        "301 Moved Permanently",
        "302 Found",
        "307 Temporary Redirect",
    ] {
        let raw = rawhttp::start(vec![rawhttp::response(
            status,
            &[("Location", &target)],
            "",
        )])
        .await;
        let env = env_against(&raw.base_url, &token).await;
        let o = env.run(&["connections", "list", CRM]).await;
        assert_clean_failure(status, &o, "redirect", 0, &token);
        let first = raw.requests.lock().expect("requests")[0].to_lowercase();
        assert!(
            first.contains("authorization: bearer"),
            "sent to the host configured"
        );
    }
    assert!(
        other.requests.lock().expect("requests").is_empty(),
        "a redirect was followed"
    );
}

/// The sandbox's own switches: every request a random 5xx (bounded retries, exit 1), and a
/// rate limit (announced waits, then success).
#[tokio::test(flavor = "multi_thread")]
async fn cli_sandbox_switches() {
    let env = Env::start(SandboxConfig {
        fail_rate: 1.0,
        ..SandboxConfig::default()
    })
    .await;
    let started = Instant::now();
    let o = env.run(&["integrations", "list"]).await;
    let admin = Canary::known("admin token", &env.sb.admin_token);
    assert_clean_failure("fail_rate 1.0", &o, "list integrations", 2, &admin);
    assert_eq!(env.support.requests().await, 3, "three attempts, no more");
    assert!(started.elapsed() < Duration::from_secs(10));

    let env = Env::start(SandboxConfig {
        rate_limit: 2,
        rate_window_secs: 1,
        ..SandboxConfig::default()
    })
    .await;
    let o = env.run(&["connections", "list", CRM, "-o", "json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The wait is announced in the client's words, and stderr holds nothing else (but the
    // one notice of a run signed in with an API token).
    let lines: Vec<&str> = o.messages();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("zisctl: rate limited, waiting ")),
        "the wait is announced: {}",
        o.stderr
    );
    assert!(
        lines.iter().all(|l| is_announced_wait(l)),
        "only the client's announcements of a wait: {}",
        o.stderr
    );
    assert_eq!(o.json().as_array().map(Vec::len), Some(11));
}

// ----- faults through the TUI ------------------------------------------------------------------

/// A hang, a 500 and a non-JSON answer on create: each a banner in the server's (or the
/// client's) words, the form keeps everything typed; a failed reload keeps the table; after
/// Esc the app goes on working.
#[test]
fn tui_faults_keep_the_form_and_the_app() {
    let sb = SyncSandbox::demo();
    let pw = Canary::new("typed password");
    let mut app = Pty::spawn(
        Options::new(&[])
            .sandbox(&sb.handle)
            .trace()
            .config("[profiles.default]\ntimeout_secs = 1\n"),
    );
    app.secrets.push(pw.value.clone());
    app.wait_for("salesforce_prod");
    app.send(TAB);
    app.send("n");
    app.wait_for("New connection in acme_crm_sync");
    for text in ["flt_conn", "flt_user"] {
        app.send(text);
        app.send(TAB);
    }
    app.send(&pw.value);
    app.send(TAB);
    app.send("api.flt.example");
    app.wait_for("api.flt.example");
    let mask = mask_of(&pw.value);
    let form_intact = |app: &Pty, what: &str| {
        let s = app.screen();
        assert!(
            s.contains("New connection in acme_crm_sync"),
            "{what}: the form stays"
        );
        assert!(
            s.contains("flt_conn") && s.contains("flt_user") && s.contains("api.flt.example"),
            "{what}: the form keeps its input"
        );
        assert!(s.contains(&mask), "{what}: the password is kept (masked)");
        assert_absent(what, s.as_bytes(), std::slice::from_ref(&pw), None);
    };

    // A hang: the sandbox answers after 2.5 s; the client gives up after 1 s.
    sb.inject(json!({"status": 503, "delay_ms": 2500, "count": 1, "method": "POST", "path_contains": "basic_auth"}));
    app.send(CTRL_S);
    app.wait_for("no answer within 1 s");
    form_intact(&app, "hang");

    // A 500 with an HTML page.
    sb.inject(
        json!({"status": 500, "count": 1, "method": "POST", "path_contains": "basic_auth",
        "body": "<html><body>Internal Server Error</body></html>", "content_type": "text/html"}),
    );
    app.send(CTRL_S);
    app.wait_for("(500)");
    form_intact(&app, "500");

    // A success status with a body that is not JSON.
    sb.inject(
        json!({"status": 201, "count": 1, "method": "POST", "path_contains": "basic_auth",
        "body": "<html>maintenance</html>", "content_type": "text/html"}),
    );
    app.send(CTRL_S);
    app.wait_for("not the JSON expected");
    form_intact(&app, "non-JSON");
    assert!(!sb.holds(CRM, "flt_conn", &pw.value), "nothing was created");

    // Esc: the form goes; the app keeps working.
    app.send(ESC);
    app.wait_gone("New connection in");
    app.wait_for("salesforce_prod");

    // A reload that fails (502 page, every attempt): a banner; the table stays.
    sb.inject(json!({"status": 502, "count": 3, "method": "GET", "path_contains": "acme_crm_sync/connections/all",
        "body": "<html>Bad Gateway</html>", "content_type": "text/html"}));
    app.send("R");
    app.wait_for("(502)");
    assert!(app.screen().contains("salesforce_prod"), "the table stays");

    // And a create goes through now.
    app.send(ESC);
    app.wait_gone("(502)");
    app.send("n");
    app.wait_for("New connection in acme_crm_sync");
    for text in ["flt_after", "flt_user"] {
        app.send(text);
        app.send(TAB);
    }
    app.send(&pw.value);
    app.send(TAB);
    app.send("api.flt.example");
    app.send(ENTER);
    app.wait_for("created basic_auth connection acme_crm_sync/flt_after");
    assert!(sb.holds(CRM, "flt_after", &pw.value));
    assert_absent("the logs", &app.logs(), std::slice::from_ref(&pw), None);
    let raw = app.raw_output();
    assert!(!contains(&raw, b"panicked"));
    app.send("q");
    assert_eq!(app.wait_exit(), 0);
}

// ----- escape sequences from the server ----------------------------------------------------

/// base64("pwned-clipboard"): what a hostile server would put on the clipboard.
const OSC52: &str = "\u{1b}]52;c;cHduZWQtY2xpcGJvYXJk\u{7}";

fn hostile_list() -> String {
    json!({
        "basic_auth": [{
            "name": "osc_conn",
            "username": format!("evil{OSC52}user"),
            "password": "*****",
            "allowed_domain": format!("x{OSC52}.example"),
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-02T00:00:00Z"
        }],
        "api_key": [], "bearer_token": [], "oauth": [],
        "meta": {"has_more": false, "after": null, "before": null}
    })
    .to_string()
}

/// An OSC 52 sequence in a username (and a domain) never reaches stdout, in any format.
#[tokio::test(flavor = "multi_thread")]
async fn cli_osc52_in_a_username_is_neutralised() {
    let env = Env::demo().await;
    let runs: Vec<Vec<&str>> = vec![
        vec!["connections", "list", CRM, "-o", "table"],
        vec!["connections", "list", CRM, "-o", "csv"],
        vec!["connections", "list", CRM, "-o", "json"],
        vec!["audit", "--integration", CRM, "-o", "table"],
        vec!["audit", "--integration", CRM, "-o", "csv"],
    ];
    for args in runs {
        env.support
            .fault(json!({"status": 200, "count": 1, "method": "GET",
            "path_contains": "acme_crm_sync/connections/all", "body": hostile_list(),
            "content_type": "application/json"}))
            .await;
        let o = env.run(&args).await;
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        assert!(o.stdout.contains("osc_conn"), "{args:?}: the row is there");
        for out in [&o.stdout, &o.stderr] {
            assert!(!out.contains("\u{1b}]52"), "{args:?}: OSC 52 printed");
            assert!(!out.contains('\u{7}'), "{args:?}: BEL printed");
        }
    }
}

/// The same username in the TUI: the raw bytes written to the terminal hold no OSC 52.
#[test]
fn tui_osc52_in_a_username_is_neutralised() {
    let sb = SyncSandbox::demo();
    sb.inject(json!({"status": 200, "count": 50, "method": "GET",
        "path_contains": "acme_crm_sync/connections/all", "body": hostile_list(),
        "content_type": "application/json"}));
    let mut app = Pty::spawn(Options::new(&[]).sandbox(&sb.handle).trace());
    app.wait_for("osc_conn");
    // The table row, the details panel, and the details popup.
    app.send(TAB);
    app.wait_for("Username");
    app.send(ENTER);
    app.wait_for("Allowed domain");
    app.wait_until("the username, cleaned", |s| {
        s.contains("evil") && s.contains("user")
    });
    // Everything drawn so far is in the raw output (the screen shows it).
    let raw = app.raw_output();
    assert!(contains(&raw, b"evil"), "the username was drawn");
    assert!(!contains(&raw, b"\x1b]52"), "OSC 52 reached the terminal");
    assert!(!contains(&raw, b"\x07"), "BEL reached the terminal");
}

// ----- local files -------------------------------------------------------------------------------

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

/// With no --log-file and no ZISCTL_AUDIT_LOG, and a umask of 0: the data dir is created 0700,
/// the log file and the audit log 0600.
#[tokio::test(flavor = "multi_thread")]
async fn default_log_and_audit_log_are_private_whatever_the_umask() {
    let env = Env::demo().await;
    let mut c = tokio::process::Command::new(cli_support::BIN);
    c.env_clear();
    for (k, v) in env.child_env() {
        if k != "ZISCTL_AUDIT_LOG" {
            c.env(k, v);
        }
    }
    c.args([
        "connections",
        "update",
        CRM,
        "salesforce_prod",
        "--generate",
        "-o",
        "json",
    ]);
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: umask only changes the child's file-creation mask; it allocates nothing.
    unsafe {
        c.pre_exec(|| {
            libc::umask(0);
            Ok(())
        });
    }
    let out = c.output().await.expect("run zisctl");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = env.dir.path().join("xdg-data").join("zisctl");
    assert_eq!(mode(&data), 0o700, "the data dir");
    assert_eq!(mode(&data.join("zisctl.log")), 0o600, "the log file");
    assert_eq!(mode(&data.join("audit.jsonl")), 0o600, "the audit log");
    let audit = std::fs::read_to_string(data.join("audit.jsonl")).unwrap_or_default();
    assert!(audit.contains("salesforce_prod"));
}

/// A log file and an audit log that already exist with group/other bits (made by hand, by an
/// older version, by a umask of 022 and `touch`) are tightened to 0600 when zisctl opens them.
#[tokio::test(flavor = "multi_thread")]
async fn existing_log_files_are_tightened_to_0600() {
    let env = Env::demo().await;
    for p in [env.log_file(), env.audit_log()] {
        std::fs::write(&p, "").expect("pre-create");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let o = env
        .run(&[
            "connections",
            "update",
            CRM,
            "salesforce_prod",
            "--generate",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(mode(&env.log_file()), 0o600, "the log file");
    assert_eq!(mode(&env.audit_log()), 0o600, "the audit log");
}

/// A config file that holds a literal secret and that group or others may read is refused
/// (exit 2, "chmod 600", never the secret), by the CLI and by the TUI; 0600 is accepted.
#[tokio::test(flavor = "multi_thread")]
async fn a_readable_config_with_a_secret_is_refused() {
    let mut env = Env::demo().await;
    let secret = Canary::new("api_token in a readable config");
    env.write_config(&format!(
        "[profiles.default]\nemail = \"{}\"\napi_token = \"{}\"\n",
        env.sb.admin_email, secret.value
    ));
    env.vars.push(("ZENDESK_API_TOKEN".into(), String::new()));
    for m in [0o644, 0o640, 0o604, 0o660] {
        std::fs::set_permissions(&env.config, std::fs::Permissions::from_mode(m)).expect("chmod");
        for args in [vec!["integrations", "list"], vec![]] {
            let before = env.support.requests().await;
            let o = env.run(&args).await;
            let what = format!("mode {m:o}, {args:?}");
            assert_eq!(o.code, 2, "{what}: {}", o.stderr);
            assert!(o.stderr.contains("chmod 600"), "{what}: {}", o.stderr);
            assert!(o.stdout.is_empty(), "{what}");
            assert_absent(
                &what,
                o.all().as_bytes(),
                std::slice::from_ref(&secret),
                None,
            );
            assert_eq!(
                env.support.requests().await,
                before,
                "{what}: nothing was sent"
            );
        }
    }
    std::fs::set_permissions(&env.config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let o = env.run(&["integrations", "list"]).await;
    assert_eq!(
        o.code, 3,
        "accepted, then refused by the server: {}",
        o.stderr
    );
    assert_absent(
        "0600",
        o.all().as_bytes(),
        std::slice::from_ref(&secret),
        None,
    );
    let log = std::fs::read(env.log_file()).unwrap_or_default();
    assert_absent("the log file", &log, &[secret], None);
}

/// The uid of `/proc/PID/status`'s owner: the kernel makes it root for a non-dumpable process.
fn proc_owner(pid: u32) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(format!("/proc/{pid}/status"))
        .expect("/proc/PID/status")
        .uid()
}

/// Start `program` as `uid` (when given) and wait for its first stdout line.
async fn start_as(
    program: &str,
    args: &[&str],
    uid: Option<u32>,
) -> std::io::Result<(tokio::process::Child, String)> {
    let mut c = tokio::process::Command::new(program);
    c.args(args)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if let Some(uid) = uid {
        c.uid(uid).gid(uid);
    }
    let mut child = c.spawn()?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("a first line within 10 s")
        .expect("read")
        .unwrap_or_default();
    Ok((child, first))
}

/// zisctl makes itself non-dumpable and sets RLIMIT_CORE to 0: another process of the same
/// user cannot read its memory, environ or core. Observed from outside: /proc/PID/ files
/// belong to root (a dumpable process of the same uid keeps its own), and /proc/PID/limits.
#[tokio::test(flavor = "multi_thread")]
async fn zisctl_is_not_dumpable() {
    // SAFETY: geteuid has no preconditions.
    let euid = unsafe { libc::geteuid() };
    // As root, run both processes as nobody, so that "owned by root" means something. Where
    // root may not change uid (a rootless container), only RLIMIT_CORE can be observed.
    let sh = ["-c", "echo up; exec sleep 30"];
    let mut uid = (euid == 0).then_some(65534u32);
    let mut control = start_as("/bin/sh", &sh, uid).await;
    if control.is_err() && uid.is_some() {
        uid = None;
        control = start_as("/bin/sh", &sh, None).await;
    }
    let (mut control, _) = control.expect("spawn sh");
    let runs_as = uid.unwrap_or(euid);
    let owner_observable = runs_as != 0;
    let cpid = control.id().expect("pid");
    assert_eq!(
        proc_owner(cpid),
        runs_as,
        "a dumpable process owns its /proc files"
    );
    let _ = control.kill().await;

    let (mut child, first) = start_as(cli_support::BIN, &["sandbox", "--addr", "127.0.0.1:0"], uid)
        .await
        .expect("spawn zisctl");
    assert!(first.contains("listening on"), "{first}");
    let pid = child.id().expect("pid");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("Uid:") && l.contains(&runs_as.to_string())),
        "runs as {runs_as}"
    );
    if owner_observable {
        assert_eq!(
            proc_owner(pid),
            0,
            "not dumpable: /proc/PID files belong to root"
        );
    }
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap_or_default();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or("");
    assert_eq!(
        core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(),
        ["0", "0"],
        "{core}"
    );
    let _ = child.kill().await;
}

// ----- the audit log -------------------------------------------------------------------------

/// One mutation of the audit-log test: argv, stdin, and the line it must append (action,
/// connection, fields).
struct Step<'a>(
    &'a [&'a str],
    Option<&'a [u8]>,
    &'a str,
    &'a str,
    &'a [&'a str],
);

/// Every mutation appends one JSON line (time, profile, integration, connection, action,
/// outcome) to a 0600 file, and `zisctl log` shows it; no line holds a value.
#[tokio::test(flavor = "multi_thread")]
async fn every_mutation_appends_one_audit_line() {
    let mut env = Env::demo().await;
    env.vars.push(("RUST_LOG".into(), "trace".into()));
    let pw = Canary::new("created password");
    let pw2 = Canary::new("updated password");
    // Two lines a mutation, with one id: `pending` before it is sent, its outcome after. The
    // outcome lines, once each pending line is checked against its own.
    let lines = |env: &Env| -> Vec<Value> {
        let all: Vec<Value> = std::fs::read_to_string(env.audit_log())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        let (pending, done): (Vec<Value>, Vec<Value>) =
            all.into_iter().partition(|e| e["outcome"] == "pending");
        assert_eq!(
            pending.len(),
            done.len(),
            "a pending line for every outcome"
        );
        for (p, d) in pending.iter().zip(&done) {
            assert!(p["id"].is_string() && p["id"] == d["id"], "paired by id");
            assert_eq!(p["action"], d["action"]);
            assert_eq!(p["connection"], d["connection"]);
        }
        done
    };
    let input = format!("{}\n", pw.value);
    let input2 = format!("{}\n", pw2.value);
    // (argv, stdin, then the line expected: action, connection, fields)
    let create = [
        "connections",
        "create",
        CRM,
        "aud_conn",
        "--allowed-domain",
        "a.example",
        "--username",
        "aud-user",
        "--password-stdin",
    ];
    let steps: Vec<Step> = vec![
        Step(
            &create,
            Some(input.as_bytes()),
            "create",
            "aud_conn",
            &["username", "password"],
        ),
        Step(
            &["connections", "update", CRM, "aud_conn", "--password-stdin"],
            Some(input2.as_bytes()),
            "update",
            "aud_conn",
            &["password"],
        ),
        Step(
            &["rotate", CRM, "aud_conn", "--yes", "-o", "json"],
            None,
            "rotate",
            "aud_conn",
            &["password"],
        ),
        Step(
            &["connections", "delete", CRM, "aud_conn", "--yes"],
            None,
            "delete",
            "aud_conn",
            &[],
        ),
        Step(
            &["integrations", "register", "aud_integration"],
            None,
            "register",
            "",
            &[],
        ),
    ];
    let mut secrets = vec![pw.clone(), pw2.clone()];
    for (i, Step(args, stdin, action, conn, fields)) in steps.iter().enumerate() {
        let o = match stdin {
            Some(b) => env.run_stdin(args, b).await,
            None => env.run(args).await,
        };
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        if args[0] == "rotate" {
            let v: Value = o.json();
            let p = v[0]["password"].as_str().unwrap_or("");
            secrets.push(Canary::known("rotated password", p));
        }
        let l = lines(&env);
        assert_eq!(l.len(), i + 1, "{args:?}: one line per mutation");
        let e = &l[i];
        assert_eq!(e["action"], *action, "{args:?}");
        assert_eq!(e["outcome"], "ok", "{args:?}");
        assert_eq!(e["profile"], "default");
        assert_eq!(
            e["account"],
            env.sb.base_url.as_str(),
            "the account is recorded"
        );
        let integration = if *action == "register" {
            "aud_integration"
        } else {
            CRM
        };
        assert_eq!(e["integration"], integration);
        if conn.is_empty() {
            assert!(e.get("connection").is_none());
        } else {
            assert_eq!(e["connection"], *conn);
        }
        let f: Vec<&str> = e["fields"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(f, fields.to_vec(), "{args:?}");
        let t = cli_support::ts(&e["time"]);
        assert!((time::OffsetDateTime::now_utc() - t).whole_seconds().abs() < 120);
    }
    // Failures are recorded too: refused (403), and maybe applied (a 500 on every PATCH).
    env.support
        .fault(json!({"status": 403, "count": 1, "method": "DELETE"}))
        .await;
    let o = env
        .run(&["connections", "delete", CRM, "salesforce_prod", "--yes"])
        .await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    env.support
        .fault(json!({"status": 500, "count": 3, "method": "PATCH"}))
        .await;
    let o = env
        .run(&["rotate", CRM, "salesforce_sandbox", "--yes", "-o", "json"])
        .await;
    assert_eq!(o.code, 1, "{}", o.stderr);
    let lost = o.json()[0]["password"].as_str().unwrap_or("").to_string();
    secrets.push(Canary::known("rotated password, answer lost", &lost));
    let l = lines(&env);
    assert_eq!(l.len(), 7);
    assert_eq!(l[5]["action"], "delete");
    let outcome = l[5]["outcome"].as_str().unwrap_or("");
    assert!(
        outcome.starts_with("failed: ") && outcome.contains("403"),
        "{outcome}"
    );
    assert_eq!(l[6]["action"], "rotate", "a rotation is logged as rotate");
    let outcome = l[6]["outcome"].as_str().unwrap_or("");
    assert!(outcome.starts_with("unknown: "), "{outcome}");

    // Only the documented keys; 0600; no value; `zisctl log` shows every line.
    for e in &l {
        for k in e
            .as_object()
            .map(|o| o.keys().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            assert!(
                [
                    "time",
                    "profile",
                    "account",
                    "integration",
                    "connection",
                    "action",
                    "kind",
                    "fields",
                    "outcome",
                    "id"
                ]
                .contains(&k.as_str()),
                "unexpected key {k}"
            );
        }
    }
    assert_eq!(mode(&env.audit_log()), 0o600);
    let audit = std::fs::read(env.audit_log()).unwrap_or_default();
    assert_absent("the audit log", &audit, &secrets, None);
    let o = env.run(&["log", "-o", "json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The same entries, each with every key (`null` where the line has none).
    let shown = o.json();
    let shown = shown.as_array().expect("array");
    assert_eq!(shown.len(), l.len());
    for (file, out) in l.iter().zip(shown) {
        let keys = out.as_object().map(|o| o.len()).unwrap_or(0);
        assert_eq!(keys, 10, "one stable schema");
        for k in [
            "time",
            "profile",
            "account",
            "integration",
            "connection",
            "action",
            "kind",
            "outcome",
            "id",
        ] {
            assert_eq!(file.get(k).unwrap_or(&Value::Null), &out[k], "{k}");
        }
        assert_eq!(
            file.get("fields").cloned().unwrap_or_else(|| json!([])),
            out["fields"]
        );
    }
    let o = env.run(&["log"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout.lines().count(), 8, "a header and 7 entries");
    assert!(o.stdout.starts_with("TIME "));
    assert!(o
        .stdout
        .lines()
        .skip(1)
        .all(|line| line.contains("default")));
    let o = env.run(&["log", "-n", "2", "-o", "csv"]).await;
    assert_eq!(o.csv().len(), 3, "a header and two lines");
    assert_absent("zisctl log", o.stdout.as_bytes(), &secrets, None);
    let log = std::fs::read(env.log_file()).unwrap_or_default();
    assert_absent("the log file", &log, &secrets, None);
}
