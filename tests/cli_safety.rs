//! The CLI's safety on the paths that change a secret, and exit codes that mean what the README
//! says (issue 14): rotate asks or needs `--yes`, `--dry-run` sends nothing, an unknown
//! integration is "not found", a name already taken is refused before anything is sent, a
//! declined change is "cancelled", `--output` is global. The real binary against an in-process
//! sandbox.
mod common;

use common::cli_support::Env;
use serde_json::{json, Value};

const CRM: &str = "acme_crm_sync";
const CREATE_ROUTE: &str = "POST /api/services/zis/integrations/{integration}/connections/{kind}";

/// Names of the basic_auth connections of `integration`, sorted.
async fn basic_auth_names(env: &Env, integration: &str) -> Vec<String> {
    let o = env
        .run(&[
            "connections",
            "list",
            integration,
            "--kind",
            "basic_auth",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let mut n: Vec<String> = o
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect();
    n.sort();
    n
}

/// Without a terminal, `rotate` (even `--all`) refuses without `--yes`, before any request.
#[tokio::test(flavor = "multi_thread")]
async fn rotate_without_a_terminal_needs_yes() {
    let env = Env::demo().await;
    let before = env.support.requests().await;
    for args in [
        vec!["rotate", CRM, "--all"],
        vec!["rotate", CRM, "salesforce_prod", "-o", "json"],
    ] {
        let o = env.run(&args).await;
        assert_eq!(o.code, 2, "{args:?}: stderr: {}", o.stderr);
        assert!(
            o.stderr.contains("refusing to rotate without confirmation")
                && o.stderr.contains("add --yes"),
            "{args:?}: stderr: {}",
            o.stderr
        );
        assert!(o.stdout.is_empty(), "{args:?}: nothing is printed");
    }
    assert_eq!(
        env.support.requests().await,
        before,
        "nothing was sent, not even a read"
    );
}

/// `--dry-run` lists what would change (one stable record per connection) and sends no change.
#[tokio::test(flavor = "multi_thread")]
async fn rotate_dry_run_says_what_would_change_and_sends_nothing() {
    let env = Env::demo().await;
    let expected = basic_auth_names(&env, CRM).await;
    assert!(expected.len() >= 2, "the demo has basic_auth connections");
    let patches = env.support.requests_by("PATCH").await;
    let o = env
        .run(&[
            "rotate",
            CRM,
            "--all",
            "--manual",
            "--dry-run",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let arr = v.as_array().expect("array");
    let names: Vec<String> = arr
        .iter()
        .map(|r| r["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(names, expected);
    for r in arr {
        let mut keys: Vec<&str> = r
            .as_object()
            .expect("object")
            .keys()
            .map(|k| k.as_str())
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "action",
                "how",
                "integration",
                "kind",
                "name",
                "recipe",
                "steps",
                "updated_at"
            ]
        );
        assert_eq!(r["action"], "rotate");
        assert_eq!(r["how"], "manual", "no recipe in this profile");
        assert_eq!(r["kind"], "basic_auth");
        assert_eq!(r["integration"], CRM);
    }
    assert!(
        o.stderr.contains("nothing was sent"),
        "stderr: {}",
        o.stderr
    );
    assert_eq!(env.support.requests_by("PATCH").await, patches);

    // Named connections: each is read, none written; an unknown one is not found.
    let o = env
        .run(&["rotate", CRM, "salesforce_prod", "--dry-run"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(o.stdout.contains("salesforce_prod") && o.stdout.contains("rotate"));
    let o = env.run(&["rotate", CRM, "no_such_conn", "--dry-run"]).await;
    assert_eq!(o.code, 4, "stderr: {}", o.stderr);
    assert_eq!(env.support.requests_by("PATCH").await, patches);
}

/// An unknown integration is "not found" (4), not an API failure; a listing of it too.
#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_integration_exits_not_found() {
    let env = Env::demo().await;
    for args in [
        vec!["connections", "list", "no_such_integration"],
        vec![
            "connections",
            "show",
            "no_such_integration",
            "salesforce_prod",
        ],
        vec!["bundles", "list", "no_such_integration"],
    ] {
        let o = env.run(&args).await;
        assert_eq!(o.code, 4, "{args:?}: stderr: {}", o.stderr);
    }
}

/// `show` names no kind the user did not give, whatever fails.
#[tokio::test(flavor = "multi_thread")]
async fn show_names_no_kind_it_was_not_given() {
    let env = Env::demo().await;
    let o = env
        .run(&[
            "connections",
            "show",
            "no_such_integration",
            "salesforce_prod",
        ])
        .await;
    assert!(!o.stderr.contains("basic_auth"), "stderr: {}", o.stderr);
    assert!(
        o.stderr.contains("no_such_integration/salesforce_prod"),
        "stderr: {}",
        o.stderr
    );
    env.support
        .fault(json!({"status": 500, "count": 10, "method": "GET", "path_contains": "salesforce_prod"}))
        .await;
    let o = env
        .run(&["connections", "show", CRM, "salesforce_prod"])
        .await;
    assert_eq!(o.code, 1, "stderr: {}", o.stderr);
    assert!(!o.stderr.contains("basic_auth"), "stderr: {}", o.stderr);
    assert!(
        !o.stderr.contains("may have been applied"),
        "a read applies nothing: {}",
        o.stderr
    );
}

/// A name already taken is refused with one listing call, naming the existing connection and
/// its kind; no secret is read and nothing is created (exit 2).
#[tokio::test(flavor = "multi_thread")]
async fn create_refuses_a_name_already_taken() {
    let env = Env::demo().await;

    let o = env
        .run_stdin(
            &[
                "connections",
                "create",
                CRM,
                "segment_write_key",
                "--allowed-domain",
                "api.example.com",
                "--username",
                "u",
                "--password-stdin",
            ],
            b"Some-pass-12345",
        )
        .await;
    assert_eq!(o.code, 2, "stderr: {}", o.stderr);
    assert!(
        o.stderr
            .contains("a connection named segment_write_key already exists (api_key)"),
        "stderr: {}",
        o.stderr
    );
    assert_eq!(
        env.support.requests_to(CREATE_ROUTE).await,
        0,
        "nothing was created"
    );

    // A 409 (someone took the name meanwhile) gets the same sentence and exit 2.
    env.support
        .fault(json!({"status": 409, "count": 1, "method": "POST", "path_contains": "connections"}))
        .await;
    let o = env
        .run_stdin(
            &[
                "connections",
                "create",
                CRM,
                "fresh_conn",
                "--allowed-domain",
                "api.example.com",
                "--username",
                "u",
                "--password-stdin",
            ],
            b"Some-pass-12345",
        )
        .await;
    assert_eq!(o.code, 2, "stderr: {}", o.stderr);
    assert!(
        o.stderr
            .contains("a connection named fresh_conn already exists"),
        "stderr: {}",
        o.stderr
    );
}

/// `--output` is global: before the command as after it, long and short.
#[tokio::test(flavor = "multi_thread")]
async fn output_is_accepted_before_the_command() {
    let env = Env::demo().await;
    let after = env.run(&["integrations", "list", "--output", "json"]).await;
    assert_eq!(after.code, 0, "stderr: {}", after.stderr);
    for args in [
        vec!["--output", "json", "integrations", "list"],
        vec!["-o", "json", "integrations", "list"],
        vec!["--output=json", "integrations", "list"],
    ] {
        let o = env.run(&args).await;
        assert_eq!(o.code, 0, "{args:?}: stderr: {}", o.stderr);
        assert_eq!(o.json(), after.json(), "{args:?}");
    }
    let before = env.run(&["-o", "csv", "connections", "list", CRM]).await;
    let after = env.run(&["connections", "list", CRM, "-o", "csv"]).await;
    assert_eq!(before.code, 0, "stderr: {}", before.stderr);
    assert!(before.csv().len() > 2, "a CSV header and rows");
    assert_eq!(before.csv(), after.csv());
    let v: Value = env
        .run(&["--output", "json", "auth", "status"])
        .await
        .json();
    assert!(v.is_object());
}

/// A rotation is logged as `rotate` (not `update`), with the account it changed.
#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_is_logged_as_rotate_with_its_account() {
    let env = Env::demo().await;
    let o = env
        .run(&["rotate", CRM, "salesforce_prod", "--yes", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let o = env.run(&["log", "-o", "json"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let e = v.as_array().and_then(|a| a.last()).expect("an entry");
    assert_eq!(e["action"], "rotate");
    assert_eq!(e["connection"], "salesforce_prod");
    assert_eq!(e["outcome"], "ok");
    assert_eq!(e["account"], env.sb.base_url.as_str());
    let o = env.run(&["log"]).await;
    assert!(o.stdout.contains(env.sb.base_url.as_str()), "{}", o.stdout);
}

/// `zisctl log`: a header, times of one width (whatever fraction a line holds) so the columns
/// line up, and the filters --integration, --since (a date or a duration) and --action.
#[tokio::test(flavor = "multi_thread")]
async fn log_has_a_header_aligned_columns_and_filters() {
    let env = Env::demo().await;
    let recent = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format");
    let lines = [
        r#"{"time":"2024-01-01T00:00:00Z","profile":"p","integration":"acme","connection":"a","action":"update","fields":["password"],"outcome":"ok"}"#.to_string(),
        r#"{"time":"2024-03-01T00:00:00.123456789Z","profile":"p","integration":"beta","connection":"b","action":"delete","outcome":"ok"}"#.to_string(),
        format!(r#"{{"time":"{recent}","profile":"p","integration":"acme","connection":"c","action":"rotate","fields":["password"],"outcome":"ok"}}"#),
        r#"{"time":"2024-05-01T00:00:00Z","profile":"p","integration":"acme","action":"create oauth client","outcome":"ok"}"#.to_string(),
    ];
    std::fs::write(env.audit_log(), lines.join("\n") + "\n").expect("write the audit log");

    let o = env.run(&["log"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let rows: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(rows.len(), 5, "{}", o.stdout);
    assert!(rows[0].starts_with("TIME") && rows[0].contains("ACTION"));
    let col = rows[0].find("ACTION").expect("ACTION");
    for (row, action) in rows[1..]
        .iter()
        .zip(["update", "delete", "rotate", "create"])
    {
        assert_eq!(row.find(action), Some(col), "columns line up: {}", o.stdout);
    }
    assert!(rows[2].starts_with("2024-03-01 00:00:00Z "), "{}", rows[2]);

    let names = |o: &common::cli_support::Out| -> Vec<String> {
        o.json()
            .as_array()
            .expect("array")
            .iter()
            .map(|e| e["connection"].as_str().unwrap_or("-").to_string())
            .collect()
    };
    let o = env
        .run(&["log", "--integration", "acme", "-o", "json"])
        .await;
    assert_eq!(names(&o), ["a", "c", "-"]);
    let o = env.run(&["log", "--action", "rotate", "-o", "json"]).await;
    assert_eq!(names(&o), ["c"]);
    let o = env.run(&["log", "--action", "create", "-o", "json"]).await;
    assert_eq!(names(&o), ["-"], "create matches `create oauth client`");
    let o = env.run(&["log", "--since", "7d", "-o", "json"]).await;
    assert_eq!(names(&o), ["c"]);
    let o = env
        .run(&["log", "--since", "2024-02-01", "-o", "json"])
        .await;
    assert_eq!(names(&o), ["b", "c", "-"]);
    let o = env
        .run(&["log", "--since", "2024-02-01", "-n", "1", "-o", "json"])
        .await;
    assert_eq!(names(&o), ["-"]);
    // Every key in every entry, null where it does not apply.
    let v = env.run(&["log", "-o", "json"]).await.json();
    for e in v.as_array().expect("array") {
        assert_eq!(e.as_object().map(|o| o.len()), Some(10));
    }
    assert!(v[3]["connection"].is_null() && v[0]["account"].is_null());
    for bad in [
        vec!["log", "--since", "yesterday"],
        vec!["log", "--action", "frob"],
    ] {
        let o = env.run(&bad).await;
        assert_eq!(o.code, 2, "{bad:?}: {}", o.stderr);
    }
}

/// Two phases: `--prepare` prints the new passwords in rotate's records and applies nothing;
/// `--apply-prepared --yes` reads those records from stdin and applies exactly those.
#[tokio::test(flavor = "multi_thread")]
async fn rotate_in_two_phases_applies_what_was_prepared() {
    let env = Env::demo().await;
    let patches = env.support.requests_by("PATCH").await;
    let o = env
        .run(&[
            "rotate",
            CRM,
            "salesforce_prod",
            "zoominfo_enrich",
            "--prepare",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(o.stderr.contains("nothing was applied"), "{}", o.stderr);
    assert_eq!(
        env.support.requests_by("PATCH").await,
        patches,
        "nothing applied"
    );
    let prepared = o.stdout.clone();
    let v = o.json();
    let recs = v.as_array().expect("array");
    assert_eq!(recs.len(), 2);
    let mut pws = Vec::new();
    for r in recs {
        assert_eq!(r["record"], "password");
        assert_eq!(r["status"], "prepared");
        let pw = r["password"].as_str().unwrap_or("").to_string();
        assert_eq!(pw.len(), 32);
        let name = r["name"].as_str().unwrap_or("").to_string();
        assert!(
            !env.support.holds(CRM, &name, &pw).await,
            "a prepared password is not in force"
        );
        pws.push((name, pw));
    }

    // Phase two needs --yes (stdin holds the records, not an answer).
    let o = env
        .run_stdin(&["rotate", CRM, "--apply-prepared"], prepared.as_bytes())
        .await;
    assert_eq!(o.code, 2, "stderr: {}", o.stderr);
    assert_eq!(env.support.requests_by("PATCH").await, patches);
    // Records of another integration, or no JSON: refused, nothing sent, no value quoted.
    let o = env
        .run_stdin(
            &["rotate", "legacy_erp", "--apply-prepared", "--yes"],
            prepared.as_bytes(),
        )
        .await;
    assert_eq!(o.code, 2, "stderr: {}", o.stderr);
    let o = env
        .run_stdin(
            &["rotate", CRM, "--apply-prepared", "--yes"],
            b"not-json-secret-canary",
        )
        .await;
    assert_eq!(o.code, 2);
    assert!(!o.stderr.contains("not-json-secret-canary"));
    assert_eq!(env.support.requests_by("PATCH").await, patches);

    let o = env
        .run_stdin(
            &["rotate", CRM, "--apply-prepared", "--yes", "-o", "json"],
            prepared.as_bytes(),
        )
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let results: Vec<&Value> = v
        .as_array()
        .expect("array")
        .iter()
        .filter(|r| r["record"] == "result")
        .collect();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r["status"] == "applied"));
    for (name, pw) in &pws {
        assert!(
            env.support.holds(CRM, name, pw).await,
            "{name} holds the password prepared for it"
        );
    }
    assert_eq!(env.support.requests_by("PATCH").await, patches + 2);
}
