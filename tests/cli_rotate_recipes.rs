//! `zisctl rotate` through a profile's rotation recipes (issue 15), the real binary against a
//! real sandbox whose stand-in target system the recipes set and test: generate → set at the
//! target → test there → apply in ZIS → verify. A failed set or test applies nothing in ZIS
//! (exit 7); a hanging set is stopped; garbage on stderr is cleaned and cut; a test URL off the
//! connection's allowed domain is refused before anything is sent. `--all` / `--stale` skip
//! the connections without a recipe unless `--manual`; `--dry-run` runs nothing; the audit
//! shows RECIPE and LAST ROTATED. Passwords are compared, never printed.
#![cfg(unix)]

mod common;

use common::cli_support::{by_name, Env, Out};
use serde_json::Value;

const PORTAL: &str = "intranet_portal";

/// The sandbox's port (its base URL is http://127.0.0.1:PORT).
fn port(env: &Env) -> String {
    env.sb
        .base_url
        .rsplit(':')
        .next()
        .unwrap_or("0")
        .to_string()
}

/// The example set_command of assets/, against this sandbox's target.
fn example_script(env: &Env) -> String {
    format!(
        "python3 {}/assets/sandbox-target-set.py {}",
        env!("CARGO_MANIFEST_DIR"),
        env.sb.base_url
    )
}

/// The target's basic-auth check on localhost (the portal connections' allowed domain).
fn check_url(env: &Env) -> String {
    format!("http://localhost:{}/_sandbox/target/check", port(env))
}

/// One `[[profiles.default.rotation]]` table; `extra` are further `key = value` lines.
fn recipe(pattern: &str, set_command: &str, extra: &[String]) -> String {
    let mut s = format!(
        "[[profiles.default.rotation]]\nmatch = {pattern:?}\nset_command = {set_command:?}\n"
    );
    for e in extra {
        s.push_str(e);
        s.push('\n');
    }
    s
}

fn config(recipes: &[String]) -> String {
    format!("[profiles.default]\n{}", recipes.concat())
}

/// rotate's records merged per connection (password record + result record).
fn merged(v: &Value) -> Value {
    let mut out: Vec<Value> = Vec::new();
    for r in v.as_array().expect("an array") {
        let name = r["name"].clone();
        let int = r["integration"].clone();
        match out
            .iter_mut()
            .find(|o| o["name"] == name && o["integration"] == int)
        {
            Some(o) => {
                for (k, val) in r.as_object().expect("object") {
                    if k != "record" && !(k == "status" && r["record"] == "password") {
                        o[k] = val.clone();
                    }
                }
            }
            None => out.push(r.clone()),
        }
    }
    Value::Array(out)
}

fn marks(r: &Value) -> Vec<String> {
    r["steps"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    format!(
                        "{}={}",
                        s["step"].as_str().unwrap_or(""),
                        s["mark"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn password(r: &Value) -> String {
    r["password"].as_str().unwrap_or("").to_string()
}

async fn rotate(env: &Env, args: &[&str]) -> Out {
    let mut a = vec!["rotate"];
    a.extend_from_slice(args);
    a.extend_from_slice(&["--yes", "-o", "json"]);
    env.run(&a).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recipe_sets_tests_applies_and_verifies() {
    let env = Env::demo().await;
    env.write_config(&config(&[recipe(
        "intranet_portal/*",
        &example_script(&env),
        &[format!("test_url = {:?}", check_url(&env))],
    )]));
    let before = env.support.target_changes().await;
    let o = rotate(&env, &[PORTAL, "portal_admin"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = merged(&o.json());
    let r = by_name(&v, "portal_admin");
    assert_eq!(r["status"], "applied");
    assert_eq!(r["verified"], true);
    assert!(r["failed_step"].is_null() && r["error"].is_null());
    assert_eq!(
        marks(r),
        [
            "generate=done",
            "set=done",
            "test=done",
            "apply=done",
            "verify=done"
        ]
    );
    assert!(r["steps"][1]["line"]
        .as_str()
        .unwrap_or("")
        .contains("set the password of svc_portal"));
    assert!(r["steps"][2]["line"]
        .as_str()
        .unwrap_or("")
        .ends_with("answered 200"));
    let pw = password(r);
    assert_eq!(pw.chars().count(), 32);
    // The target takes it (its basic-auth check answers 200), it was set there once, and ZIS
    // holds it.
    assert!(env.support.target_takes("svc_portal", &pw).await);
    let after = env.support.target_changes().await;
    assert_eq!(
        after.get("svc_portal").copied().unwrap_or(0),
        before.get("svc_portal").copied().unwrap_or(0) + 1
    );
    assert!(env.support.holds(PORTAL, "portal_admin", &pw).await);
    // One stderr line per step, as each ended; never the password.
    let lines = o.messages();
    for step in ["generate ✓", "set ✓", "test ✓", "apply ✓", "verify ✓"] {
        assert!(
            lines.iter().any(
                |l| l.starts_with("zisctl: intranet_portal/portal_admin  ") && l.contains(step)
            ),
            "{step} on stderr: {}",
            o.stderr
        );
    }
    assert!(!o.stderr.contains(&pw), "the password is not on stderr");
    let log = std::fs::read_to_string(env.log_file()).unwrap_or_default();
    assert!(!log.contains(&pw), "the password is not in the log file");

    // The old password, from stdin, goes to the set_command: the target checks it.
    let o = env
        .run_stdin(
            &[
                "rotate",
                PORTAL,
                "portal_admin",
                "--old-password-stdin",
                "--yes",
                "-o",
                "json",
            ],
            format!("{pw}\n").as_bytes(),
        )
        .await;
    assert_eq!(o.code, 0, "the right old password: stderr {}", o.stderr);
    let pw2 = password(by_name(&merged(&o.json()), "portal_admin"));
    assert!(env.support.target_takes("svc_portal", &pw2).await);
    assert!(env.support.holds(PORTAL, "portal_admin", &pw2).await);
    let o = env
        .run_stdin(
            &[
                "rotate",
                PORTAL,
                "portal_admin",
                "--old-password-stdin",
                "--yes",
                "-o",
                "json",
            ],
            b"not-the-old-one\n",
        )
        .await;
    assert_eq!(
        o.code, 7,
        "a wrong old password: the target refuses; {}",
        o.stderr
    );
    let r = by_name(&merged(&o.json()), "portal_admin").clone();
    assert_eq!(r["failed_step"], "set");
    assert!(
        r["error"].as_str().unwrap_or("").contains("403"),
        "{}",
        r["error"]
    );
    assert!(
        env.support.holds(PORTAL, "portal_admin", &pw2).await,
        "ZIS unchanged"
    );
    assert!(
        env.support.target_takes("svc_portal", &pw2).await,
        "the target unchanged"
    );
    // --old-password-stdin names one connection.
    let o = env
        .run_stdin(
            &[
                "rotate",
                PORTAL,
                "portal_admin",
                "wiki_sync",
                "--old-password-stdin",
                "--yes",
            ],
            b"x\n",
        )
        .await;
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("name exactly one"), "{}", o.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_set_command_applies_nothing_in_zis() {
    let env = Env::demo().await;
    env.write_config(&config(&[recipe(
        "intranet_portal/portal_admin",
        "cat > /dev/null; echo 'the target said no' >&2; exit 3",
        &[],
    )]));
    let patches = env.support.requests_by("PATCH").await;
    let o = rotate(&env, &[PORTAL, "portal_admin"]).await;
    assert_eq!(o.code, 7, "a target step failed: stderr {}", o.stderr);
    let v = merged(&o.json());
    let r = by_name(&v, "portal_admin");
    assert_eq!(r["status"], "not_applied");
    assert_eq!(r["failed_step"], "set");
    assert_eq!(
        r["steps"][1]["line"],
        "exited with status 3: the target said no"
    );
    assert_eq!(
        marks(r),
        [
            "generate=done",
            "set=failed",
            "test=skipped",
            "apply=skipped",
            "verify=skipped"
        ]
    );
    // The password was printed (the target may hold it); ZIS was not asked.
    let pw = password(r);
    assert_eq!(pw.chars().count(), 32);
    assert!(!env.support.holds(PORTAL, "portal_admin", &pw).await);
    assert_eq!(env.support.requests_by("PATCH").await, patches);
    assert!(
        o.stderr
            .contains("set ✗ (exited with status 3: the target said no)"),
        "{}",
        o.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_set_command_is_stopped_and_reported() {
    let env = Env::demo().await;
    env.write_config(&config(&[recipe(
        "intranet_portal/portal_admin",
        "sleep 30",
        &["set_timeout_secs = 1".into()],
    )]));
    let patches = env.support.requests_by("PATCH").await;
    let o = rotate(&env, &[PORTAL, "portal_admin"]).await;
    assert_eq!(o.code, 7, "stderr: {}", o.stderr);
    let r = by_name(&merged(&o.json()), "portal_admin").clone();
    assert_eq!(r["failed_step"], "set");
    assert!(
        r["steps"][1]["line"]
            .as_str()
            .unwrap_or("")
            .starts_with("timed out after 1 s"),
        "{}",
        r["steps"][1]
    );
    assert_eq!(env.support.requests_by("PATCH").await, patches);
}

#[tokio::test(flavor = "multi_thread")]
async fn garbage_on_stderr_is_cleaned_cut_and_never_shows_the_password() {
    let env = Env::demo().await;
    // Echoes its stdin (the password in it) after escape sequences, then 400 more bytes, all
    // on one line.
    env.write_config(&config(&[recipe(
        "intranet_portal/portal_admin",
        "printf '\\033[2J\\033]52;c;eA==\\007' >&2; tr -d '\\n' >&2; head -c 400 /dev/zero | tr '\\0' x >&2; exit 1",
        &[],
    )]));
    let o = rotate(&env, &[PORTAL, "portal_admin"]).await;
    assert_eq!(o.code, 7, "stderr: {}", o.stderr);
    let r = by_name(&merged(&o.json()), "portal_admin").clone();
    let pw = password(&r);
    let line = r["steps"][1]["line"].as_str().unwrap_or("").to_string();
    assert!(line.starts_with("exited with status 1: "), "{line}");
    assert!(
        line.contains("[password]"),
        "the echoed password is replaced"
    );
    assert!(!line.contains(&pw) && !o.stderr.contains(&pw));
    assert!(
        !line.contains('\x1b') && !o.stderr.contains('\x1b'),
        "no escape sequence"
    );
    assert!(
        line.chars().count() <= 230,
        "cut: {} characters",
        line.chars().count()
    );
    assert!(line.ends_with('…'));
    assert!(!env.support.holds(PORTAL, "portal_admin", &pw).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_test_that_answers_401_stops_before_zis() {
    let env = Env::demo().await;
    // The set "succeeds" without setting anything: the target's check refuses the password.
    env.write_config(&config(&[recipe(
        "intranet_portal/portal_admin",
        "cat > /dev/null",
        &[format!("test_url = {:?}", check_url(&env))],
    )]));
    let patches = env.support.requests_by("PATCH").await;
    let o = rotate(&env, &[PORTAL, "portal_admin"]).await;
    assert_eq!(o.code, 7, "stderr: {}", o.stderr);
    let r = by_name(&merged(&o.json()), "portal_admin").clone();
    assert_eq!(r["failed_step"], "test");
    assert_eq!(
        marks(&r),
        [
            "generate=done",
            "set=done",
            "test=failed",
            "apply=skipped",
            "verify=skipped"
        ]
    );
    let line = r["steps"][2]["line"].as_str().unwrap_or("");
    assert!(line.contains("answered 401, expected 200"), "{line}");
    assert!(
        !env.support
            .holds(PORTAL, "portal_admin", &password(&r))
            .await
    );
    assert_eq!(env.support.requests_by("PATCH").await, patches);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_test_url_on_another_host_is_refused_before_anything_is_sent() {
    let env = Env::demo().await;
    // A listener on 127.0.0.1, which is not the connection's allowed domain (localhost).
    let other = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    other.set_nonblocking(true).expect("nonblocking");
    let url = format!(
        "http://127.0.0.1:{}/check",
        other.local_addr().unwrap().port()
    );
    env.write_config(&config(&[recipe(
        "intranet_portal/portal_admin",
        &example_script(&env),
        &[format!("test_url = {url:?}")],
    )]));
    let o = rotate(&env, &[PORTAL, "portal_admin"]).await;
    assert_eq!(o.code, 7, "stderr: {}", o.stderr);
    let r = by_name(&merged(&o.json()), "portal_admin").clone();
    assert_eq!(r["failed_step"], "test");
    let line = r["steps"][2]["line"].as_str().unwrap_or("");
    assert!(
        line.starts_with("refused:") && line.contains("nothing was sent"),
        "{line}"
    );
    match other.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok(_) => panic!("the credential's request reached the other host"),
        Err(e) => panic!("accept: {e}"),
    }
    assert!(
        !env.support
            .holds(PORTAL, "portal_admin", &password(&r))
            .await
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_runs_the_recipes_and_skips_the_rest_unless_manual() {
    let env = Env::demo().await;
    let script = example_script(&env);
    let test = vec![format!("test_url = {:?}", check_url(&env))];
    env.write_config(&config(&[
        recipe("intranet_portal/portal_admin", &script, &test),
        recipe("intranet_portal/wiki_sync", &script, &test),
    ]));
    let o = rotate(&env, &[PORTAL, "--all"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = merged(&o.json());
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "only the ones with a recipe: {names:?}");
    for (name, user) in [("portal_admin", "svc_portal"), ("wiki_sync", "svc_wiki")] {
        let r = by_name(&v, name);
        assert_eq!(r["status"], "applied");
        let pw = password(r);
        assert!(
            env.support.target_takes(user, &pw).await,
            "{name} at the target"
        );
        assert!(env.support.holds(PORTAL, name, &pw).await, "{name} in ZIS");
    }
    assert!(
        o.stderr
            .contains("no rotation recipe for 1 connection(s), skipped")
            && o.stderr.contains("intranet_portal/reports_reader"),
        "the skipped one is listed: {}",
        o.stderr
    );

    // With --manual, the one without a recipe goes through the manual flow too.
    let o = rotate(&env, &[PORTAL, "--all", "--manual"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = merged(&o.json());
    assert_eq!(v.as_array().unwrap().len(), 3);
    let r = by_name(&v, "reports_reader");
    assert_eq!(r["status"], "applied");
    assert_eq!(
        marks(r),
        [
            "generate=done",
            "set=manual",
            "test=manual",
            "apply=done",
            "verify=done"
        ]
    );
    assert!(
        env.support
            .holds(PORTAL, "reports_reader", &password(r))
            .await
    );
    assert!(
        !env.support.target_takes("svc_reports", &password(r)).await,
        "no recipe: zisctl did not touch its target"
    );
    assert_eq!(marks(by_name(&v, "wiki_sync"))[1], "set=done");
}

#[tokio::test(flavor = "multi_thread")]
async fn one_failing_recipe_does_not_stop_the_others() {
    let env = Env::demo().await;
    env.write_config(&config(&[
        recipe("intranet_portal/wiki_sync", "cat > /dev/null; exit 9", &[]),
        recipe("intranet_portal/*", &example_script(&env), &[]),
    ]));
    let o = rotate(&env, &[PORTAL, "--all"]).await;
    assert_eq!(o.code, 7, "stderr: {}", o.stderr);
    let v = merged(&o.json());
    assert_eq!(by_name(&v, "wiki_sync")["failed_step"], "set");
    for name in ["portal_admin", "reports_reader"] {
        let r = by_name(&v, name);
        assert_eq!(r["status"], "applied", "{name}");
        assert_eq!(marks(r)[2], "test=skipped", "no test in the recipe");
        assert!(env.support.holds(PORTAL, name, &password(r)).await);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_picks_what_the_audit_flags_and_dry_run_runs_nothing() {
    let env = Env::demo().await;
    env.write_config(&config(&[recipe(
        "intranet_portal/*",
        &example_script(&env),
        &[format!("test_url = {:?}", check_url(&env))],
    )]));
    let changes = env.support.target_changes().await;
    let patches = env.support.requests_by("PATCH").await;

    // The whole account, planned: the portal's stale ones through the recipe, the account's
    // other stale basic_auth connections skipped (no recipe); wiki_sync (45 days) is fresh.
    let o = env
        .run(&["rotate", "--stale", "--dry-run", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let arr = v.as_array().expect("array");
    let portal: Vec<&Value> = arr.iter().filter(|r| r["integration"] == PORTAL).collect();
    let names: Vec<&str> = portal.iter().filter_map(|r| r["name"].as_str()).collect();
    assert_eq!(names, ["portal_admin", "reports_reader"]);
    for r in &portal {
        assert_eq!(r["action"], "rotate");
        assert_eq!(r["recipe"], "intranet_portal/*");
        assert!(r["how"]
            .as_str()
            .unwrap_or("")
            .starts_with("set (command), test (GET http://localhost:"));
        assert_eq!(
            r["steps"],
            serde_json::json!(["generate", "set", "test", "apply", "verify"])
        );
    }
    let others: Vec<&Value> = arr.iter().filter(|r| r["integration"] != PORTAL).collect();
    assert!(
        !others.is_empty(),
        "the demo has other stale basic_auth connections"
    );
    for r in &others {
        assert_eq!(r["action"], "skip");
        assert!(r["recipe"].is_null());
        assert_eq!(r["how"], "manual");
        assert_eq!(
            r["steps"],
            serde_json::json!(["generate", "apply", "verify"])
        );
    }
    assert!(
        o.stderr.contains("skipped (--manual rotates them by hand)"),
        "{}",
        o.stderr
    );
    assert_eq!(
        env.support.target_changes().await,
        changes,
        "nothing run at the target"
    );
    assert_eq!(env.support.requests_by("PATCH").await, patches);

    // --older-than moves the line: wiki_sync (45 days) is stale at 30.
    let o = env
        .run(&[
            "rotate",
            PORTAL,
            "--stale",
            "--older-than",
            "30",
            "--dry-run",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert_eq!(o.json().as_array().map(Vec::len), Some(3));

    // The flags that go with --stale or bulk say so, before anything is sent.
    for (args, rule) in [
        (
            vec!["rotate", PORTAL, "--all", "--older-than", "3", "--dry-run"],
            "--older-than goes with --stale",
        ),
        (
            vec!["rotate", PORTAL, "portal_admin", "--manual", "--dry-run"],
            "--manual goes with --all or --stale",
        ),
    ] {
        let o = env.run(&args).await;
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(rule), "{args:?}: {}", o.stderr);
    }

    // Rotated for real: the two stale ones, then the audit shows their recipe and when.
    let o = rotate(&env, &[PORTAL, "--stale"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = merged(&o.json());
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    for name in ["portal_admin", "reports_reader"] {
        assert_eq!(by_name(&v, name)["status"], "applied");
    }
    let o = env
        .run(&[
            "audit",
            "--integration",
            PORTAL,
            "--integration",
            "acme_crm_sync",
            "--no-bundles",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    for name in ["portal_admin", "reports_reader"] {
        let r = by_name(&v, name);
        assert_eq!(r["recipe"], "intranet_portal/*");
        let t = common::cli_support::ts(&r["last_rotated"]);
        assert!(t <= time::OffsetDateTime::now_utc());
    }
    let fresh = by_name(&v, "wiki_sync");
    assert_eq!(fresh["recipe"], "intranet_portal/*");
    assert!(fresh["last_rotated"].is_null(), "never rotated by zisctl");
    let crm = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["integration"] == "acme_crm_sync")
        .expect("an acme_crm_sync row");
    assert!(crm["recipe"].is_null() && crm["last_rotated"].is_null());
    // CSV: the two columns are appended at the end.
    let o = env
        .run(&[
            "audit",
            "--integration",
            PORTAL,
            "--no-bundles",
            "-o",
            "csv",
        ])
        .await;
    let rows = o.csv();
    let head = &rows[0];
    assert_eq!(head[head.len() - 2..], ["recipe", "last_rotated"]);
}
