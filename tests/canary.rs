//! The canary suite: a unique secret pushed through every path that carries one (create,
//! update, rotate, register, tokens; the CLI and the TUI), with the most verbose logging on
//! (`RUST_LOG=trace`). It must appear nowhere but where the user asked for it: not in the log
//! file, the audit log, stderr, `Debug` output, an error message, panic output, the screen
//! (unless revealed) or any process's argv.
//!
//! Every check names the canary by its label; no assertion message ever shows a value.
#![cfg(unix)]

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cli_support::{Env, Out};
use common::leak::{self, assert_absent, contains, Canary};
use common::pty::{
    field_after, Options, Pty, BACKTAB, CTRL_R, CTRL_S, ENTER, ESC, F12, RIGHT, TAB,
};
use common::sandbox::SyncSandbox;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zisctl::sandbox::SandboxConfig;

const CRM: &str = "acme_crm_sync";

/// A sandbox with every child at `RUST_LOG=trace`. Each sandbox request waits `latency_ms`,
/// so that a child lives long enough for its argv (and every other process's) to be read.
async fn trace_env(latency_ms: u64) -> Env {
    let mut env = Env::start(SandboxConfig {
        latency_ms,
        ..SandboxConfig::default()
    })
    .await;
    env.vars.push(("RUST_LOG".into(), "trace".into()));
    env
}

/// The well-known sandbox admin token is a secret like any other: every run carries it.
fn admin(env: &Env) -> Canary {
    Canary::known("sandbox admin token", &env.sb.admin_token)
}

/// Run the binary, feeding `stdin`, and read the argv of it and of every process it starts
/// until it exits: no canary may be on any of them. The child must have been seen alive at
/// least once.
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
    let stdout = out_task.await.unwrap_or_default();
    let stderr = err_task.await.unwrap_or_default();
    Out {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Nothing of `canaries` in the run's stderr (nor, unless `stdout_ok`, its stdout), nor as an
/// admin `Authorization` header value.
fn check_streams(what: &str, env: &Env, o: &Out, canaries: &[Canary], stdout_ok: bool) {
    let email = Some(env.sb.admin_email.as_str());
    assert_absent(
        &format!("stderr of {what}"),
        o.stderr.as_bytes(),
        canaries,
        email,
    );
    if !stdout_ok {
        assert_absent(
            &format!("stdout of {what}"),
            o.stdout.as_bytes(),
            canaries,
            email,
        );
    }
    assert!(
        !o.stderr.contains("panicked"),
        "{what} panicked: {}",
        o.stderr.lines().next().unwrap_or("")
    );
}

/// Nothing of `canaries` in the log file or the audit log; the log did record at trace level.
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

// ----- the CLI --------------------------------------------------------------------------------

/// Passwords, API keys and bearer tokens from `--*-stdin`, through create and update.
#[tokio::test(flavor = "multi_thread")]
async fn cli_secrets_from_stdin_stay_secret() {
    let env = trace_env(60).await;
    let pw1 = Canary::new("basic_auth password (create)");
    let key1 = Canary::new("api_key (create)");
    let tok1 = Canary::new("bearer token (create)");
    let pw2 = Canary::new("basic_auth password (update)");
    let key2 = Canary::new("api_key (update)");
    let tok2 = Canary::new("bearer token (update)");
    let all = [
        pw1.clone(),
        key1.clone(),
        tok1.clone(),
        pw2.clone(),
        key2.clone(),
        tok2.clone(),
        admin(&env),
    ];
    let runs: Vec<(Vec<&str>, &Canary, &str)> = vec![
        (
            vec![
                "connections",
                "create",
                CRM,
                "cnry_basic",
                "--allowed-domain",
                "api.canary.example",
                "--username",
                "cnry-user",
                "--password-stdin",
            ],
            &pw1,
            "cnry_basic",
        ),
        (
            vec![
                "connections",
                "create",
                CRM,
                "cnry_key",
                "--kind",
                "api_key",
                "--header-name",
                "X-Canary",
                "--allowed-domain",
                "api.canary.example",
                "--api-key-stdin",
                "-o",
                "json",
            ],
            &key1,
            "cnry_key",
        ),
        (
            vec![
                "connections",
                "create",
                CRM,
                "cnry_tok",
                "--kind",
                "bearer_token",
                "--allowed-domain",
                "api.canary.example",
                "--token-stdin",
                "-o",
                "csv",
            ],
            &tok1,
            "cnry_tok",
        ),
        (
            vec![
                "connections",
                "update",
                CRM,
                "cnry_basic",
                "--password-stdin",
                "-o",
                "json",
            ],
            &pw2,
            "cnry_basic",
        ),
        (
            vec!["connections", "update", CRM, "cnry_key", "--api-key-stdin"],
            &key2,
            "cnry_key",
        ),
        (
            vec![
                "connections",
                "update",
                CRM,
                "cnry_tok",
                "--token-stdin",
                "-o",
                "csv",
            ],
            &tok2,
            "cnry_tok",
        ),
    ];
    for (args, secret, name) in &runs {
        let input = format!("{}\n", secret.value);
        let o = run_watched(&env, args, Some(input.as_bytes()), &all).await;
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        check_streams(&format!("{args:?}"), &env, &o, &all, false);
        assert!(
            env.support.holds(CRM, name, &secret.value).await,
            "{args:?}: the sandbox holds the {}",
            secret.label
        );
    }
    // Reading them back shows none either.
    for fmt in ["table", "json", "csv"] {
        let o = env.run(&["connections", "list", CRM, "-o", fmt]).await;
        assert_eq!(o.code, 0, "{}", o.stderr);
        check_streams("connections list", &env, &o, &all, false);
    }
    check_logs(&env, &all);
}

/// A secret refused before sending (a control character, too long, the wrong kind's flag):
/// the message names the field, never the value.
#[tokio::test(flavor = "multi_thread")]
async fn cli_refused_secrets_are_not_echoed() {
    let env = trace_env(0).await;
    let bad = Canary::new("password with a control character");
    let long = Canary::new("password past the size cap");
    let wrong = Canary::new("api key given to a basic_auth connection");
    let all = [bad.clone(), long.clone(), wrong.clone(), admin(&env)];

    let input = format!("{}\u{1}tail\n", bad.value);
    let o = env
        .run_stdin(
            &[
                "connections",
                "update",
                CRM,
                "salesforce_prod",
                "--password-stdin",
            ],
            input.as_bytes(),
        )
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("password"), "{}", o.stderr);

    let input = long.value.repeat(70 * 1024 / long.value.len());
    let o = env
        .run_stdin(
            &[
                "connections",
                "update",
                CRM,
                "salesforce_prod",
                "--password-stdin",
            ],
            input.as_bytes(),
        )
        .await;
    assert_eq!(o.code, 2);
    check_streams("a too long password", &env, &o, &all, false);

    let o = env
        .run_stdin(
            &[
                "connections",
                "update",
                CRM,
                "salesforce_prod",
                "--api-key-stdin",
            ],
            wrong.value.as_bytes(),
        )
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    check_streams("the wrong kind's flag", &env, &o, &all, false);
    for c in [&bad, &long, &wrong] {
        assert!(!env.support.holds(CRM, "salesforce_prod", &c.value).await);
    }
    // Whatever was logged before the refusal holds none of them.
    let log = std::fs::read(env.log_file()).unwrap_or_default();
    assert_absent("the log file", &log, &all, Some(&env.sb.admin_email));
}

/// `rotate` and `--generate` print the new password on stdout (asked for); the log, the audit
/// log and stderr never see it.
#[tokio::test(flavor = "multi_thread")]
async fn cli_rotated_and_generated_passwords_only_on_stdout() {
    let env = trace_env(0).await;
    let o = env
        .run(&["rotate", CRM, "salesforce_prod", "--yes", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Value = o.json();
    let rotated = v[0]["password"].as_str().unwrap_or("").to_string();
    assert_eq!(rotated.len(), 32, "the new password is printed");
    assert!(env.support.holds(CRM, "salesforce_prod", &rotated).await);
    let rotated = Canary::known("rotated password", &rotated);
    let rotate_out = o;

    let o = env
        .run(&[
            "connections",
            "update",
            CRM,
            "salesforce_sandbox",
            "--generate",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let generated = o.json()["password"].as_str().unwrap_or("").to_string();
    assert!(generated.len() >= 16, "the generated password is printed");
    assert!(
        env.support
            .holds(CRM, "salesforce_sandbox", &generated)
            .await
    );
    let generated = Canary::known("generated password", &generated);

    let all = [rotated, generated, admin(&env)];
    check_streams("rotate", &env, &rotate_out, &all, true);
    check_streams("update --generate", &env, &o, &all, true);
    assert_absent(
        "stdout of update --generate",
        o.stdout.as_bytes(),
        &all[..1],
        None,
    );
    check_logs(&env, &all);
    let audit = std::fs::read_to_string(env.audit_log()).unwrap_or_default();
    assert!(audit.contains("salesforce_prod") && audit.contains("salesforce_sandbox"));
}

/// A rotation recipe's `set_command` gets the new password (and the old one, with
/// `--old-password-stdin`) on its stdin only: the child records its argv and environment, and
/// neither holds them; nor does any argv of the process tree while it runs, the log file, the
/// audit log or stderr.
#[tokio::test(flavor = "multi_thread")]
async fn cli_recipe_children_get_the_passwords_on_stdin_only() {
    let env = trace_env(60).await;
    let dir = env.dir.path().join("child");
    std::fs::create_dir_all(&dir).expect("child dir");
    let d = dir.display();
    // Records its stdin, its argv (/proc/$$/cmdline: sh -c COMMAND) and its environment.
    let set = format!(
        "cat > '{d}/stdin'; tr '\\0' '\\n' < /proc/$$/cmdline > '{d}/argv'; env > '{d}/env'; \
         echo set >&2"
    );
    env.write_config(&format!(
        "[profiles.default]\n[[profiles.default.rotation]]\nmatch = \"intranet_portal/*\"\n\
         set_command = {set:?}\n"
    ));
    let old = Canary::new("old password (--old-password-stdin)");
    let o = run_watched(
        &env,
        &[
            "rotate",
            "intranet_portal",
            "portal_admin",
            "--old-password-stdin",
            "--yes",
            "-o",
            "json",
        ],
        Some(format!("{}\n", old.value).as_bytes()),
        &[old.clone(), admin(&env)],
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let rotated = o.json()[0]["password"].as_str().unwrap_or("").to_string();
    assert_eq!(rotated.len(), 32, "the new password is printed");
    assert!(
        env.support
            .holds("intranet_portal", "portal_admin", &rotated)
            .await
    );
    let new = Canary::known("rotated password (recipe)", &rotated);
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap_or_default();
    let stdin = read("stdin");
    assert!(
        contains(&stdin, new.value.as_bytes()) && contains(&stdin, old.value.as_bytes()),
        "the child read both passwords on its stdin"
    );
    let argv = read("argv");
    assert!(contains(&argv, b"-c"), "the child's argv was recorded");
    let envf = read("env");
    assert!(
        contains(&envf, b"PATH="),
        "the child's environment was recorded"
    );
    let all = [new, old, admin(&env)];
    assert_absent("the set_command's argv", &argv, &all, None);
    assert_absent("the set_command's environment", &envf, &all, None);
    check_streams("rotate through a recipe", &env, &o, &all, true);
    assert_absent(
        "stdout of the recipe run",
        o.stdout.as_bytes(),
        &all[1..],
        None,
    );
    check_logs(&env, &all);
}

/// The OAuth client secret of a registered integration: printed with `--show-secret` only.
#[tokio::test(flavor = "multi_thread")]
async fn cli_client_secret_only_with_show_secret() {
    let env = trace_env(0).await;
    let hidden = Canary::new("client secret (no --show-secret)");
    let shown = Canary::new("client secret (--show-secret)");
    let all = [hidden.clone(), shown.clone(), admin(&env)];
    let answer = |name: &str, secret: &Canary| {
        json!({"status": 201, "count": 1, "method": "POST", "path_contains": format!("registry/{name}"),
            "content_type": "application/json",
            "body": json!({"description": "canary", "jwt_public_key": null,
                "zendesk_oauth_client": {"id": 99001, "identifier": format!("zis_{name}"), "secret": secret.value}}).to_string()})
    };
    for fmt in ["table", "json", "csv"] {
        env.support.fault(answer("cnry_reg", &hidden)).await;
        let o = env
            .run(&["integrations", "register", "cnry_reg", "-o", fmt])
            .await;
        assert_eq!(o.code, 0, "{fmt}: {}", o.stderr);
        assert!(
            o.stdout.contains("zis_cnry_reg"),
            "{fmt}: the answer is shown"
        );
        check_streams(&format!("register -o {fmt}"), &env, &o, &all, false);
    }
    env.support.fault(answer("cnry_shown", &shown)).await;
    let o = env
        .run(&[
            "integrations",
            "register",
            "cnry_shown",
            "--show-secret",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains(&shown.value),
        "--show-secret prints the secret (the check can see one)"
    );
    check_streams(
        "register --show-secret",
        &env,
        &o,
        std::slice::from_ref(&hidden),
        false,
    );
    check_streams("register --show-secret", &env, &o, &all, true);
    check_logs(&env, &all);
}

/// Tokens: a minted token (rejected, then minted again), `ZIS_OAUTH_TOKEN`, a per-integration
/// token and the admin token from the environment, a 0600 config, or an `*_command`.
#[tokio::test(flavor = "multi_thread")]
async fn cli_tokens_stay_secret() {
    let mut env = trace_env(40).await;
    let minted = Canary::new("minted ZIS token");
    let zis_env = Canary::new("ZIS_OAUTH_TOKEN");
    let per_int = Canary::new("per-integration oauth_token in the config");
    let adm_env = Canary::new("ZENDESK_API_TOKEN");
    let adm_cfg = Canary::new("api_token in the config");
    let all = [
        minted.clone(),
        zis_env.clone(),
        per_int.clone(),
        adm_env.clone(),
        adm_cfg.clone(),
        admin(&env),
    ];

    // The first mint answers with the canary; the sandbox refuses it (401), the client mints
    // again and goes on.
    env.support.fault(json!({"status": 201, "count": 1, "method": "POST", "path_contains": "oauth/tokens",
        "content_type": "application/json",
        "body": json!({"token": {"id": 1, "full_token": minted.value, "scopes": ["read", "write"]}}).to_string()}))
        .await;
    let o = run_watched(
        &env,
        &["connections", "list", CRM, "-o", "json"],
        None,
        &all,
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let stats = env.support.stats().await;
    assert!(
        stats["by_status"]["401"].as_u64().unwrap_or(0) >= 1,
        "the canary token was sent (and refused)"
    );
    check_streams("a refused minted token", &env, &o, &all, false);

    // ZIS_OAUTH_TOKEN: refused by the sandbox (401, exit 3) in the server's words.
    env.vars
        .push(("ZIS_OAUTH_TOKEN".into(), zis_env.value.clone()));
    let o = run_watched(&env, &["connections", "list", CRM], None, &all).await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    check_streams("ZIS_OAUTH_TOKEN", &env, &o, &all, false);
    env.vars.retain(|(k, _)| k != "ZIS_OAUTH_TOKEN");

    // The admin token from the environment.
    env.vars
        .push(("ZENDESK_API_TOKEN".into(), adm_env.value.clone()));
    let o = run_watched(&env, &["integrations", "list"], None, &all).await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    check_streams("ZENDESK_API_TOKEN", &env, &o, &all, false);
    env.vars.retain(|(k, _)| k != "ZENDESK_API_TOKEN");

    // From a 0600 config file: the admin token, and one integration's token.
    use std::os::unix::fs::PermissionsExt;
    env.write_config(&format!(
        "[profiles.default]\napi_token = \"{}\"\n[profiles.default.integrations.{CRM}]\noauth_token = \"{}\"\n",
        adm_cfg.value, per_int.value
    ));
    std::fs::set_permissions(&env.config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    env.vars.push(("ZENDESK_API_TOKEN".into(), String::new()));
    let o = run_watched(&env, &["integrations", "list"], None, &all).await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    check_streams("config api_token", &env, &o, &all, false);
    let o = run_watched(&env, &["connections", "list", CRM], None, &all).await;
    assert_eq!(o.code, 3, "{}", o.stderr);
    check_streams("config oauth_token", &env, &o, &all, false);

    // api_token_command: the secret comes from a command's stdout, never its argv.
    let file = env.dir.path().join("token.txt");
    std::fs::write(&file, format!("{}\n", env.sb.admin_token)).expect("token file");
    env.write_config(&format!(
        "[profiles.default]\napi_token_command = \"cat '{}'\"\n",
        file.display()
    ));
    let o = run_watched(
        &env,
        &["connections", "list", CRM, "-o", "json"],
        None,
        &all,
    )
    .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    check_streams("api_token_command", &env, &o, &all, false);

    check_logs(&env, &all);
}

// ----- the argv scan itself --------------------------------------------------------------------

/// Scan `root`'s process tree until `found` holds for what is found (processes start
/// asynchronously), for 30 s at most.
fn scan_until(canaries: &[Canary], root: u32, found: impl Fn(&[String]) -> bool) -> leak::Scan {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = leak::scan_tree(canaries, root);
        if found(&s.found) || Instant::now() > deadline {
            return s;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Kill `root` and everything it started.
fn kill_tree(root: &mut std::process::Child) {
    for p in leak::process_tree(root.id()) {
        // SAFETY: sends a signal to a process this test started (or one of its children).
        unsafe {
            libc::kill(p as libc::pid_t, libc::SIGKILL);
        }
    }
    let _ = root.wait();
}

/// The argv scan reads the child and everything it starts, and nothing else: a canary on a
/// grandchild's argv is found; one on the argv of a process that is not the child's (a
/// developer's own shell running `zisctl sandbox` with the demo's admin token) is not.
#[test]
fn the_argv_scan_covers_the_child_tree_and_nothing_else() {
    let deep = Canary::new("on a grandchild's argv");
    let other = Canary::new("on an unrelated process's argv");
    let both = [deep.clone(), other.clone()];
    // sh, then `sh -c "sleep 30; : VALUE"` in the background, then sleep: the value is on the
    // grandchild's argv only (the outer script names the variable, not its value).
    let mut child = std::process::Command::new("/bin/sh")
        .args(["-c", "sh -c \"sleep 30; : $CNRY\" & wait"])
        .env("CNRY", &deep.value)
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn sh");
    let mut unrelated = std::process::Command::new("/bin/sh")
        .args(["-c", &format!("sleep 30; : {}", other.value)])
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn sh");
    let s = scan_until(&both, child.id(), |f| !f.is_empty());
    let mine = leak::process_tree(child.id()).len();
    let o = scan_until(&both, unrelated.id(), |f| !f.is_empty());
    // Once the unrelated process is seen to carry its canary, the child's tree still does not.
    let again = leak::scan_tree(&both, child.id());
    kill_tree(&mut child);
    kill_tree(&mut unrelated);
    assert!(s.saw_pid, "the child's own argv was read");
    assert!(mine >= 2, "the child's descendants are part of its tree");
    assert_eq!(
        s.found,
        std::slice::from_ref(&deep.label),
        "the grandchild's canary"
    );
    assert_eq!(
        o.found,
        std::slice::from_ref(&other.label),
        "the unrelated canary is on its argv"
    );
    assert_eq!(
        again.found,
        std::slice::from_ref(&deep.label),
        "another process's argv is not the child's"
    );
}

// ----- Debug output ---------------------------------------------------------------------------

/// Every value that holds a secret, formatted with `{:?}` (as a log line or a panic would).
#[test]
fn debug_output_never_shows_a_secret() {
    use secrecy::SecretString;
    use zisctl::zis::{
        AdminCredentials, Client, ClientOptions, ConnectionUpdate, NewConnection, NewCredential,
    };
    let c = |l: &str| Canary::new(l);
    let (adm, zis, per, pw, key, tok) = (
        c("admin"),
        c("zis"),
        c("per-integration"),
        c("password"),
        c("key"),
        c("token"),
    );
    let all = [
        adm.clone(),
        zis.clone(),
        per.clone(),
        pw.clone(),
        key.clone(),
        tok.clone(),
    ];
    let s = |c: &Canary| SecretString::from(c.value.clone());

    // Settings, as loaded from a 0600 config holding literal secrets.
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[profiles.default]\nbase_url = \"http://127.0.0.1:9\"\nemail = \"a@b.c\"\n\
             api_token = \"{}\"\noauth_token = \"{}\"\n[profiles.default.integrations.acme]\n\
             oauth_token = \"{}\"\n",
            adm.value, zis.value, per.value
        ),
    )
    .expect("config");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let global = zisctl::args::GlobalArgs {
        config: Some(cfg),
        ..Default::default()
    };
    let Ok(zisctl::config::Loaded::Ready(settings)) = zisctl::config::load(&global) else {
        panic!("the config loads");
    };
    let mut text = format!("{settings:?}\n{:?}\n", settings.options);
    let client = settings.client().expect("client");
    text.push_str(&format!("{client:?}\n{:?}\n", client.options()));

    let mut o = ClientOptions::new("http://127.0.0.1:9");
    o.admin = Some(AdminCredentials::ApiToken {
        email: "a@b.c".into(),
        api_token: s(&adm),
    });
    o.oauth_token = Some(s(&zis));
    o.integration_tokens.insert("acme".into(), s(&per));
    text.push_str(&format!("{o:?}\n{:?}\n", o.admin));
    for cred in [
        NewCredential::BasicAuth {
            username: "u".into(),
            password: s(&pw),
        },
        NewCredential::ApiKey {
            header_name: "X-K".into(),
            api_key: s(&key),
        },
        NewCredential::BearerToken { token: s(&tok) },
    ] {
        let new = NewConnection {
            name: "n".into(),
            allowed_domain: "a.example".into(),
            credential: cred,
        };
        text.push_str(&format!("{new:?}\n"));
    }
    for upd in [
        ConnectionUpdate::BasicAuth {
            username: None,
            password: Some(s(&pw)),
        },
        ConnectionUpdate::ApiKey {
            header_name: None,
            api_key: Some(s(&key)),
        },
        ConnectionUpdate::BearerToken {
            token: Some(s(&tok)),
        },
    ] {
        text.push_str(&format!("{upd:?}\n"));
    }
    assert!(text.contains("a@b.c"), "the formatting ran");
    assert_absent("Debug output", text.as_bytes(), &all, None);
    let _ = Client::new(o).expect("client");
}

// ----- the TUI --------------------------------------------------------------------------------

/// Type `text` into the focused field and `TAB` on.
fn field(app: &mut Pty, text: &str) {
    app.send(text);
    app.send(TAB);
}

/// The canaries on the screen right now (labels only).
fn on_screen(app: &Pty, canaries: &[Canary]) -> Vec<String> {
    leak::found_in(app.screen().as_bytes(), canaries, None)
}

/// Secrets typed into masked fields (create: password, API key, token; edit: password), a
/// client secret from register, with argv read throughout; then a panic with a secret typed.
#[test]
fn tui_typed_and_received_secrets_stay_hidden() {
    let sb = SyncSandbox::demo();
    let pw = Canary::new("typed password (create)");
    let key = Canary::new("typed API key");
    let tok = Canary::new("typed bearer token");
    let pw2 = Canary::new("typed password (edit)");
    let client_secret = Canary::new("client secret (register)");
    let unsent = Canary::new("password typed, then a panic");
    let admin = Canary::known("sandbox admin token", &sb.handle.admin_token);
    let all = [
        pw.clone(),
        key.clone(),
        tok.clone(),
        pw2.clone(),
        client_secret.clone(),
        unsent.clone(),
        admin,
    ];
    let mut app = Pty::spawn(
        Options::new(&[])
            .sandbox(&sb.handle)
            .trace()
            .env("ZISCTL_TEST_PANIC", "1")
            .env("RUST_BACKTRACE", "1"),
    );
    app.secrets.extend(all.iter().map(|c| c.value.clone()));
    let pid = app.pid();
    app.wait_for("salesforce_prod");
    let argv = |app: &Pty| {
        let s = leak::scan_tree(&all, pid);
        assert!(s.saw_pid, "zisctl's argv was read");
        assert!(s.found.is_empty(), "{:?} on an argv", s.found);
        assert_absent("the screen", app.screen().as_bytes(), &all, None);
    };

    // create basic_auth: masked, revealed on Ctrl-R only, hidden again, then sent.
    app.send(TAB);
    app.send("n");
    app.wait_for("New connection in acme_crm_sync");
    field(&mut app, "cnry_tui_basic");
    field(&mut app, "cnry-user");
    app.send(&pw.value);
    app.wait_for("••••••••••••••••••••");
    argv(&app);
    app.send(CTRL_R);
    app.wait_until("the password revealed", |s| s.contains(&pw.value));
    app.send(CTRL_R);
    app.wait_until("the password hidden again", |s| !s.contains(&pw.value));
    app.send(TAB);
    app.send("api.canary.example");
    app.send(ENTER);
    app.wait_for("created basic_auth connection acme_crm_sync/cnry_tui_basic");
    argv(&app);
    assert!(sb.holds(CRM, "cnry_tui_basic", &pw.value));

    // create api_key, then bearer_token: the kind is the first row of the form.
    for (kind, name, secret) in [
        ("api_key", "cnry_tui_key", &key),
        ("bearer_token", "cnry_tui_tok", &tok),
    ] {
        app.send("n");
        app.wait_for("New connection in acme_crm_sync");
        app.send(BACKTAB);
        app.send(RIGHT);
        if kind == "bearer_token" {
            app.send(RIGHT);
        }
        app.wait_for(if kind == "api_key" {
            "Header name"
        } else {
            "Token"
        });
        app.send(TAB);
        field(&mut app, name);
        if kind == "api_key" {
            field(&mut app, "X-Canary");
        }
        app.send(&secret.value);
        app.wait_for("••••••••••••••••••••");
        argv(&app);
        app.send(TAB);
        app.send("api.canary.example");
        app.send(CTRL_S);
        app.wait_for(&format!("created {kind} connection acme_crm_sync/{name}"));
        assert!(sb.holds(CRM, name, &secret.value), "{kind}");
        argv(&app);
    }

    // edit: a new password.
    // (the table has the focus since the first create)
    app.send("/cnry_tui_basic");
    app.send(ENTER);
    app.wait_for("/cnry_tui_basic (substring)");
    app.send("e");
    app.wait_for("Edit basic_auth connection cnry_tui_basic");
    // Pasted this time (bracketed paste), not typed.
    app.send(&format!("\x1b[200~{}\x1b[201~", pw2.value));
    app.wait_for("••••••••••••••••••••");
    argv(&app);
    app.send(CTRL_S);
    app.wait_for("updated acme_crm_sync/cnry_tui_basic");
    assert!(sb.holds(CRM, "cnry_tui_basic", &pw2.value));
    argv(&app);

    // rotate: the new password is shown on `v` only, applied, and gone once dismissed.
    app.send("r");
    app.wait_for("step 1 of 2");
    assert_absent("the screen", app.screen().as_bytes(), &all, None);
    app.send("v");
    app.wait_for("hide");
    let rotated = field_after(&app.screen(), "new password  ").unwrap_or_default();
    assert_eq!(
        rotated.chars().count(),
        32,
        "the revealed password is on screen"
    );
    app.secrets.push(rotated.clone());
    let rotated = Canary::known("rotated password (TUI)", &rotated);
    app.send(ENTER);
    app.wait_for("applied and verified");
    assert!(sb.holds(CRM, "cnry_tui_basic", &rotated.value));
    let s = leak::scan_tree(std::slice::from_ref(&rotated), pid);
    assert!(s.found.is_empty(), "the rotated password on an argv");
    app.send(ESC);
    app.wait_gone("Rotate 1 password");
    assert!(
        on_screen(&app, std::slice::from_ref(&rotated)).is_empty(),
        "forgotten once dismissed"
    );

    // register: the client secret is masked until `v`, forgotten once closed.
    sb.inject(json!({"status": 201, "count": 1, "method": "POST", "path_contains": "registry/cnry_tui_reg",
        "content_type": "application/json",
        "body": json!({"description": "", "jwt_public_key": null,
            "zendesk_oauth_client": {"id": 99002, "identifier": "zis_cnry_tui_reg", "secret": client_secret.value}}).to_string()}));
    app.send("I");
    app.wait_for("Register an integration");
    app.send("cnry_tui_reg");
    app.send(CTRL_S);
    app.wait_for("Client secret");
    app.wait_for("zis_cnry_tui_reg");
    argv(&app);
    app.send("v");
    app.wait_until("the client secret revealed", |s| {
        s.contains(&client_secret.value)
    });
    app.send("v");
    app.wait_until("the client secret hidden", |s| {
        !s.contains(&client_secret.value)
    });
    app.send("v");
    app.wait_until("revealed", |s| s.contains(&client_secret.value));
    app.send(ESC);
    app.wait_gone("Client secret");
    assert!(on_screen(&app, &all).is_empty(), "forgotten once closed");

    // The logs so far: nothing, although they did record at trace level.
    let logs = app.logs();
    assert!(contains(&logs, b"TRACE"), "RUST_LOG=trace reached the log");
    assert_absent(
        "the log file or the audit log",
        &logs,
        std::slice::from_ref(&rotated),
        None,
    );
    assert_absent(
        "the log file or the audit log",
        &logs,
        &all,
        Some(&sb.handle.admin_email),
    );

    // A panic while a secret is in a form: the panic output does not hold it. (F12 panics in
    // debug builds only.)
    if !cfg!(debug_assertions) {
        return;
    }
    app.send("n");
    app.wait_for("New connection in acme_crm_sync");
    field(&mut app, "cnry_tui_panic");
    field(&mut app, "cnry-user");
    app.send(&unsent.value);
    app.wait_for("••••••••••••••••••••");
    app.send(F12);
    assert_eq!(app.wait_exit(), 101);
    app.wait_raw("test panic requested");
    let raw = app.raw_output();
    let revealed_on_purpose = [pw.clone(), client_secret.clone(), rotated.clone()];
    let never_drawn: Vec<Canary> = all
        .iter()
        .filter(|c| !revealed_on_purpose.iter().any(|r| r.value == c.value))
        .cloned()
        .collect();
    assert_absent("the terminal output", &raw, &never_drawn, None);
    assert_absent(
        "the log file or the audit log",
        &app.logs(),
        &all,
        Some(&sb.handle.admin_email),
    );
    assert!(!sb.holds(CRM, "cnry_tui_panic", &unsent.value));
}

/// `zisctl demo`: the sandbox runs inside the app and logs to the same file, at trace level.
/// A password typed into a form reaches neither the client's nor the server's log lines.
#[test]
fn tui_demo_mode_logs_no_typed_secret() {
    let sb = SyncSandbox::start(SandboxConfig {
        seed: zisctl::sandbox::Seed::Empty,
        ..SandboxConfig::default()
    });
    let pw = Canary::new("password typed in the demo");
    let mut app = Pty::spawn(Options::new(&["demo"]).sandbox(&sb.handle).trace());
    app.secrets.push(pw.value.clone());
    app.wait_for("salesforce_prod");
    app.send(TAB);
    app.send("n");
    app.wait_for("New connection in acme_crm_sync");
    field(&mut app, "cnry_demo");
    field(&mut app, "cnry-user");
    app.send(&pw.value);
    app.send(TAB);
    app.send("api.canary.example");
    app.send(ENTER);
    app.wait_for("created basic_auth connection acme_crm_sync/cnry_demo");
    assert_absent(
        "the screen",
        app.screen().as_bytes(),
        std::slice::from_ref(&pw),
        None,
    );
    let logs = app.logs();
    assert!(contains(&logs, b"sandbox"), "the demo's server logged too");
    assert_absent("the demo's log", &logs, &[pw], None);
}

/// The CLI's masked prompt (stdin a terminal): the typed password is not echoed, not on any
/// argv while the prompt waits, and not in the trace-level log.
#[test]
fn cli_masked_prompt_keeps_the_password() {
    let sb = SyncSandbox::demo();
    let pw = Canary::new("password typed at the prompt");
    let admin = Canary::known("sandbox admin token", &sb.handle.admin_token);
    let all = [pw.clone(), admin];
    let mut term = Pty::spawn(
        Options::new(&[
            "connections",
            "create",
            CRM,
            "cnry_prompt",
            "--allowed-domain",
            "api.canary.example",
            "--username",
            "typist",
        ])
        .sandbox(&sb.handle)
        .trace(),
    );
    term.secrets.push(pw.value.clone());
    let pid = term.pid();
    term.wait_for("password: ");
    term.send(&pw.value);
    let s = leak::scan_tree(&all, pid);
    assert!(s.saw_pid && s.found.is_empty(), "{:?} on an argv", s.found);
    term.send("\r");
    term.wait_for("password (again): ");
    term.send(&format!("{}\r", pw.value));
    assert_eq!(term.wait_exit(), 0, "{}", term.redacted());
    term.wait_for("cnry_prompt");
    assert!(sb.holds(CRM, "cnry_prompt", &pw.value));
    assert_absent("the terminal", &term.raw_output(), &all, None);
    let logs = term.logs();
    assert!(contains(&logs, b"TRACE"), "RUST_LOG=trace reached the log");
    assert_absent("the logs", &logs, &all, Some(&sb.handle.admin_email));
}
