//! Black-box tests of the headless CLI: the real binary against an in-process sandbox, every
//! command in every output format, JSON checked field by field, secrets never leaked, every
//! exit code.
//!
//! Secrets are compared, never displayed: no assertion message here prints stdout of a command
//! that may hold one.
mod common;

use common::cli_support::{by_name, csv_records, kind, ts, Env};
use serde_json::{json, Value};
use zisctl::sandbox::{SandboxConfig, Seed};

const CRM: &str = "acme_crm_sync";

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

fn sorted(list: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// rotate's records merged per connection, in order (as `jq 'group_by([.integration, .name])
/// | map(add)'`): its password record, then its result, as one object.
fn merged(v: &Value) -> Value {
    let mut out: Vec<serde_json::Map<String, Value>> = Vec::new();
    for r in v.as_array().expect("a JSON array of records") {
        let key = (&r["integration"], &r["name"]);
        let obj = r.as_object().cloned().unwrap_or_default();
        match out
            .iter_mut()
            .find(|o| (&o["integration"], &o["name"]) == key)
        {
            Some(o) => o.extend(obj),
            None => out.push(obj),
        }
    }
    Value::Array(out.into_iter().map(Value::Object).collect())
}

/// Nothing that could be a secret field is in a connection object.
fn assert_no_secret_fields(v: &Value) {
    for f in [
        "password",
        "api_key",
        "token",
        "access_token",
        "refresh_token",
        "secret",
        "client_secret",
        "oauth_access_token_response_body",
    ] {
        assert!(v.get(f).is_none(), "a connection object has a {f} field");
    }
}

// ----- integrations ----------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn integrations_list_in_every_format() {
    let env = Env::demo().await;

    let o = env.run(&["integrations", "list", "--output", "json"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let arr = v.as_array().expect("an array");
    assert_eq!(arr.len(), 9);
    let names: Vec<&str> = arr.iter().filter_map(|i| i["name"].as_str()).collect();
    let mut expect = names.clone();
    expect.sort();
    assert_eq!(names, expect, "sorted by name");
    let crm = by_name(&v, CRM);
    assert_eq!(
        keys(crm),
        sorted(&[
            "name",
            "description",
            "oauth_client_id",
            "oauth_client_identifier"
        ])
    );
    assert_eq!(crm["oauth_client_id"], 10066);
    assert_eq!(crm["oauth_client_identifier"], "zis_acme_crm_sync");
    assert!(crm["description"]
        .as_str()
        .is_some_and(|d| d.starts_with("Two-way sync")));

    let o = env.run(&["integrations", "list", "-o", "csv"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let rows = o.csv();
    assert_eq!(
        rows[0],
        [
            "name",
            "description",
            "oauth_client_id",
            "oauth_client_identifier"
        ]
    );
    let recs = csv_records(&rows);
    assert_eq!(recs.len(), 9);
    let crm = recs.iter().find(|r| r["name"] == CRM).expect("crm row");
    assert_eq!(crm["oauth_client_id"], "10066");
    assert_eq!(crm["oauth_client_identifier"], "zis_acme_crm_sync");

    let o = env.run(&["integrations", "list"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].starts_with("NAME") && lines[0].contains("OAUTH CLIENT ID"));
    assert_eq!(lines.len(), 10);
    assert!(lines
        .iter()
        .any(|l| l.starts_with(CRM) && l.contains("10066")));
}

#[tokio::test(flavor = "multi_thread")]
async fn integrations_register_shows_the_secret_only_when_asked() {
    let env = Env::with_seed(Seed::Empty).await;

    let o = env
        .run(&[
            "integrations",
            "register",
            "new_one",
            "--description",
            "A test",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    assert_eq!(
        keys(&v),
        sorted(&[
            "name",
            "description",
            "oauth_client_id",
            "oauth_client_identifier",
            "oauth_client_secret"
        ])
    );
    assert!(v["oauth_client_secret"].is_null(), "not asked for: null");
    assert_eq!(v["name"], "new_one");
    assert_eq!(v["description"], "A test");
    assert!(v["oauth_client_id"].as_u64().is_some());
    assert_eq!(v["oauth_client_identifier"], "zis_new_one");
    assert!(o.stderr.contains("--show-secret"), "stderr: {}", o.stderr);

    let o = env
        .run(&[
            "integrations",
            "register",
            "second",
            "--show-secret",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let secret = v["oauth_client_secret"].as_str().unwrap_or("");
    assert!(secret.len() >= 16, "a real client secret is printed");
    assert!(
        !secret.chars().all(|c| c == '*'),
        "not the redacted placeholder"
    );
    assert!(!o.stderr.contains(secret), "the secret leaked into stderr");

    let o = env
        .run(&["integrations", "register", "third", "--show-secret"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(o.stdout.contains("oauth client identifier  zis_third"));
    assert!(o.stdout.contains("oauth client secret"));
    let o = env
        .run(&["integrations", "register", "fourth", "-o", "csv"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let rows = o.csv();
    assert_eq!(rows[0].len(), 4, "no secret column without --show-secret");
    assert_eq!(rows[1][0], "fourth");

    // The list now shows them, never a secret.
    let o = env.run(&["integrations", "list", "-o", "json"]).await;
    assert_eq!(o.json().as_array().map(Vec::len), Some(4));
    assert!(!o.stdout.contains(secret));

    // Invalid name: refused before any request.
    let before = env.support.requests().await;
    let o = env.run(&["integrations", "register", "Bad Name"]).await;
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with("zisctl: integration name"),
        "{}",
        o.stderr
    );
    assert_eq!(env.support.requests().await, before, "no request was sent");
}

// ----- connections: list / show --------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn connections_list_in_every_format() {
    let env = Env::demo().await;

    let o = env.run(&["connections", "list", CRM, "-o", "json"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let arr = v.as_array().expect("array");
    assert_eq!(arr.len(), 11);
    for c in arr {
        assert_eq!(c["integration"], CRM);
        assert_no_secret_fields(c);
        assert!(!o.stdout.contains("*****"));
        ts(&c["created_at"]);
        ts(&c["updated_at"]);
    }
    let sp = by_name(&v, "salesforce_prod");
    assert_eq!(
        keys(sp),
        sorted(&[
            "integration",
            "kind",
            "name",
            "allowed_domain",
            "created_at",
            "updated_at",
            "username",
            "header_name",
            "oauth_client_uuid",
            "permission_scope",
            "token_type",
            "token_expiry"
        ])
    );
    assert!(sp["header_name"].is_null() && sp["token_type"].is_null());
    assert_eq!(sp["kind"], "basic_auth");
    assert_eq!(sp["username"], "zendesk.integration@acme-corp.com");
    assert_eq!(sp["allowed_domain"], "login.salesforce.com");
    let age = time::OffsetDateTime::now_utc() - ts(&sp["updated_at"]);
    assert_eq!(age.whole_days(), 88);

    let key = by_name(&v, "hubspot_legacy_key");
    assert_eq!(key["kind"], "api_key");
    assert_eq!(key["header_name"], "X-API-Key");
    // A key that does not apply to the kind is null, never left out: one schema.
    assert!(key["username"].is_null() && key.get("username").is_some());
    let bearer = by_name(&v, "hubspot_private_app");
    assert_eq!(bearer["kind"], "bearer_token");
    assert!(bearer["username"].is_null() && bearer["header_name"].is_null());
    for c in arr {
        assert_eq!(keys(c), keys(sp), "every row has the same keys");
    }
    assert_eq!(by_name(&v, "zendesk")["kind"], "oauth");

    // --kind filters.
    let o = env
        .run(&[
            "connections",
            "list",
            CRM,
            "--kind",
            &kind("basic_auth"),
            "-o",
            "json",
        ])
        .await;
    let v = o.json();
    let names: Vec<&str> = v
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        [
            "dynamics_crm",
            "salesforce_prod",
            "salesforce_sandbox",
            "zoominfo_enrich"
        ]
    );

    // CSV: RFC 4180, every field, one row per connection.
    let o = env.run(&["connections", "list", CRM, "-o", "csv"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(o.stdout.contains("\r\n"));
    let rows = o.csv();
    assert_eq!(
        rows[0],
        [
            "integration",
            "kind",
            "name",
            "allowed_domain",
            "username",
            "header_name",
            "created_at",
            "updated_at",
            "token_expiry"
        ]
    );
    let recs = csv_records(&rows);
    assert_eq!(recs.len(), 11);
    let sp = recs
        .iter()
        .find(|r| r["name"] == "salesforce_prod")
        .expect("row");
    assert_eq!(sp["kind"], "basic_auth");
    assert_eq!(sp["username"], "zendesk.integration@acme-corp.com");
    assert_eq!(sp["header_name"], "");
    ts(&Value::String(sp["updated_at"].clone()));

    // Table: header, aligned columns, human ages.
    let o = env.run(&["connections", "list", CRM]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 12);
    let head = lines[0];
    for h in [
        "KIND",
        "NAME",
        "USER/HEADER",
        "ALLOWED DOMAIN",
        "UPDATED",
        "AGE",
    ] {
        assert!(head.contains(h), "header has {h}");
    }
    let col = head.find("ALLOWED DOMAIN").unwrap_or(0);
    let sp = lines
        .iter()
        .find(|l| l.contains("salesforce_prod"))
        .expect("row");
    assert_eq!(
        sp.find("login.salesforce.com"),
        Some(col),
        "columns are aligned"
    );
    assert!(sp.ends_with("88d"));
    let sb = lines
        .iter()
        .find(|l| l.contains("salesforce_sandbox"))
        .expect("row");
    assert!(sb.ends_with("412d"), "ages in days, as in the TUI");
    let hl = lines
        .iter()
        .find(|l| l.contains("hubspot_legacy_key"))
        .expect("row");
    assert!(hl.ends_with("1020d"), "ages in days, as in the TUI");
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_list_follows_pagination() {
    let env = Env::demo().await;
    let o = env
        .run(&["connections", "list", "shopify_orders", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    // 2 seeded + 120 generated: more than one page of 100.
    assert_eq!(v.as_array().map(Vec::len), Some(122));
    assert!(env.support.requests_by("GET").await >= 2);

    let o = env
        .run(&["connections", "list", "nps_survey_pilot", "-o", "json"])
        .await;
    assert_eq!(o.code, 0);
    assert_eq!(o.json(), json!([]));
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_show_in_every_format() {
    let env = Env::demo().await;
    let o = env
        .run(&["connections", "show", CRM, "pipedrive_api", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    assert!(v.is_object());
    assert_eq!(
        keys(&v),
        sorted(&[
            "integration",
            "kind",
            "name",
            "allowed_domain",
            "created_at",
            "updated_at",
            "username",
            "header_name",
            "oauth_client_uuid",
            "permission_scope",
            "token_type",
            "token_expiry"
        ])
    );
    assert!(v["username"].is_null(), "null for an api_key, not left out");
    assert_eq!(v["integration"], CRM);
    assert_eq!(v["kind"], "api_key");
    assert_eq!(v["name"], "pipedrive_api");
    assert_eq!(v["header_name"], "x-api-token");
    assert_eq!(v["allowed_domain"], "api.pipedrive.com");
    assert!(ts(&v["created_at"]) < ts(&v["updated_at"]));

    let o = env
        .run(&["connections", "show", CRM, "salesforce_prod", "-o", "csv"])
        .await;
    let recs = csv_records(&o.csv());
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["username"], "zendesk.integration@acme-corp.com");

    let o = env
        .run(&["connections", "show", CRM, "salesforce_prod"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(o.stdout.contains("kind            basic_auth"));
    assert!(o
        .stdout
        .contains("username        zendesk.integration@acme-corp.com"));
    assert!(o
        .stdout
        .lines()
        .any(|l| l.starts_with("age") && l.ends_with("88d")));

    // The OAuth connection is named `zendesk`, a name reserved for it. ZIS (and the sandbox)
    // has no `connections/oauth/{name}` route: it is shown by `GET connections/{integration}
    // ?name=`, which sends its tokens in clear: none is printed.
    let o = env
        .run(&["connections", "show", CRM, "zendesk", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert_eq!(o.json()["kind"], "oauth");
    assert!(
        o.json().get("token_expiry").is_some(),
        "its expiry is shown"
    );
    assert_no_secret_fields(&o.json());
}

// ----- create / update / delete ----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn a_known_password_never_leaks() {
    let env = Env::demo().await;
    let pw = "Canary-Pw-7d1f9c02e4b8aa31";
    let o = env
        .run_stdin(
            &[
                "connections",
                "create",
                CRM,
                "canary_conn",
                "--allowed-domain",
                "api.canary.example",
                "--username",
                "canary-user",
                "--password-stdin",
                "-o",
                "json",
            ],
            format!("{pw}\n").as_bytes(),
        )
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(!o.all().contains(pw), "password leaked by create");
    let v = o.json();
    assert_eq!(v["name"], "canary_conn");
    assert_eq!(v["username"], "canary-user");
    assert_eq!(v["kind"], "basic_auth");
    assert_no_secret_fields(&v);
    assert!(
        env.support.holds(CRM, "canary_conn", pw).await,
        "the sandbox holds it (newline trimmed)"
    );

    let mut runs: Vec<Vec<&str>> = Vec::new();
    for fmt in ["table", "json", "csv"] {
        runs.push(vec!["connections", "list", CRM, "-o", fmt]);
        runs.push(vec!["connections", "show", CRM, "canary_conn", "-o", fmt]);
        runs.push(vec!["audit", "--integration", CRM, "-o", fmt]);
    }
    runs.push(vec!["audit", "-o", "json"]);
    for args in &runs {
        let o = env.run(args).await;
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        assert!(o.stdout.contains("canary_conn"), "{args:?} lists it");
        assert!(!o.all().contains(pw), "password leaked by {args:?}");
    }
    // Nor the log file, nor the audit log of mutations.
    assert!(
        !env.read_file(&env.log_file()).contains(pw),
        "password in the log"
    );
    let audit = env.read_file(&env.audit_log());
    assert!(!audit.contains(pw), "password in the audit log");
}

#[tokio::test(flavor = "multi_thread")]
async fn create_every_kind() {
    let env = Env::demo().await;
    let api_key = kind("api_key");
    // --generate: printed once, and it is what the sandbox holds.
    let o = env
        .run(&[
            "connections",
            "create",
            CRM,
            "gen_conn",
            "--allowed-domain",
            "api.gen.example",
            "--username",
            "gen-user",
            "--generate",
            "--length",
            "40",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let pw = v["password"].as_str().unwrap_or("").to_string();
    assert_eq!(pw.chars().count(), 40);
    assert!(!o.stderr.contains(&pw), "password leaked into stderr");
    assert!(
        env.support.holds(CRM, "gen_conn", &pw).await,
        "the printed password is in effect"
    );
    assert_eq!(v["username"], "gen-user");
    ts(&v["updated_at"]);

    // --generate --charset alnum in table form.
    let o = env
        .run(&[
            "connections",
            "create",
            CRM,
            "gen_alnum",
            "--allowed-domain",
            "api.gen.example",
            "--username",
            "u",
            "--generate",
            "--charset",
            "alnum",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let line = o
        .stdout
        .lines()
        .find(|l| l.starts_with("password"))
        .unwrap_or("");
    let pw = line.split_whitespace().nth(1).unwrap_or("");
    assert_eq!(pw.len(), 32);
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(env.support.holds(CRM, "gen_alnum", pw).await);

    // api_key from stdin, CSV output.
    let key = "key-canary-5f0c1e77";
    let o = env
        .run_stdin(
            &[
                "connections",
                "create",
                CRM,
                "new_key",
                "--kind",
                &api_key,
                "--allowed-domain",
                "api.key.example",
                "--header-name",
                "X-Key",
                "--api-key-stdin",
                "-o",
                "csv",
            ],
            key.as_bytes(),
        )
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(!o.all().contains(key));
    let recs = csv_records(&o.csv());
    assert_eq!(recs[0]["kind"], "api_key");
    assert_eq!(recs[0]["header_name"], "X-Key");
    assert!(env.support.holds(CRM, "new_key", key).await);

    // bearer_token from stdin (CRLF trimmed).
    let tok = "tok-canary-99aa0b";
    let o = env
        .run_stdin(
            &[
                "connections",
                "create",
                CRM,
                "new_tok",
                "--kind",
                &kind("bearer_token"),
                "--allowed-domain",
                "api.tok.example",
                "--token-stdin",
                "-o",
                "json",
            ],
            format!("{tok}\r\n").as_bytes(),
        )
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(!o.all().contains(tok));
    assert_eq!(o.json()["kind"], "bearer_token");
    assert!(env.support.holds(CRM, "new_tok", tok).await);

    // The name is taken now: refused before anything is sent, naming it; exit 2.
    let o = env
        .run_stdin(
            &[
                "connections",
                "create",
                CRM,
                "new_tok",
                "--allowed-domain",
                "a.example",
                "--username",
                "u",
                "--password-stdin",
            ],
            b"whatever-pw-123",
        )
        .await;
    assert_eq!(o.code, 2, "stderr: {}", o.stderr);
    assert_eq!(o.messages().len(), 1, "one line: {}", o.stderr);
    assert!(
        o.stderr
            .contains("a connection named new_tok already exists (bearer_token)"),
        "{}",
        o.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_any_request() {
    let env = Env::demo().await;
    let api_key = kind("api_key");
    let before = env.support.requests().await;
    let create = |name: &'static str, domain: &'static str| {
        vec![
            "connections",
            "create",
            CRM,
            name,
            "--allowed-domain",
            domain,
            "--username",
            "u",
            "--password-stdin",
        ]
    };
    let cases: Vec<(Vec<&str>, &[u8], &str)> = vec![
        (
            create("ok_name", "https://api.example.com"),
            b"pw-123456",
            "scheme",
        ),
        (
            create("ok_name", "api.example.com/v2"),
            b"pw-123456",
            "path",
        ),
        (
            create("ok_name", "api.example.com:8443"),
            b"pw-123456",
            "port",
        ),
        (
            create("no", "api.example.com"),
            b"pw-123456",
            "connection name",
        ),
        (
            create("bad.name", "api.example.com"),
            b"pw-123456",
            "connection name",
        ),
        (create("ok_name", "api.example.com"), b"", "empty"),
        (create("ok_name", "api.example.com"), b"\n", "empty"),
        (
            create("ok_name", "api.example.com"),
            b"two\nlines\n",
            "control",
        ),
        (
            vec!["connections", "list", "Not-Valid"],
            b"",
            "integration name",
        ),
        (
            vec!["connections", "show", CRM, "x"],
            b"",
            "connection name",
        ),
        (
            vec![
                "connections",
                "create",
                CRM,
                "ok_name",
                "--allowed-domain",
                "a.example",
                "--username",
                "bad:user",
                "--password-stdin",
            ],
            b"pw-123456",
            "username",
        ),
        (
            vec![
                "connections",
                "create",
                CRM,
                "ok_name",
                "--allowed-domain",
                "a.example",
                "--kind",
                "oauth",
            ],
            b"",
            "OAuth flow",
        ),
        (
            vec![
                "connections",
                "create",
                CRM,
                "ok_name",
                "--allowed-domain",
                "a.example",
                "--kind",
                &api_key,
                "--api-key-stdin",
            ],
            b"k",
            "--header-name",
        ),
        (
            vec!["rotate", CRM, "salesforce_prod", "--yes", "--length", "4"],
            b"",
            "--length",
        ),
        (vec!["audit", "--concurrency", "0"], b"", "--concurrency"),
        (
            vec!["connections", "update", CRM, "salesforce_prod"],
            b"",
            "nothing to change",
        ),
    ];
    for (args, stdin, why) in &cases {
        let o = env.run_stdin(args, stdin).await;
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(why), "{args:?}: stderr {}", o.stderr);
        assert_eq!(o.messages().len(), 1, "one line: {}", o.stderr);
        assert!(o.stdout.is_empty());
    }
    // No secret source and stdin is not a terminal: refused, never read from argv.
    let o = env
        .run(&[
            "connections",
            "create",
            CRM,
            "ok_name",
            "--allowed-domain",
            "a.example",
            "--username",
            "u",
        ])
        .await;
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("--password-stdin or --generate"),
        "{}",
        o.stderr
    );
    // clap usage errors are exit 2 too.
    let o = env.run(&["connections", "frobnicate"]).await;
    assert_eq!(o.code, 2);
    assert_eq!(env.support.requests().await, before, "no request was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn update_username_password_and_generate() {
    let env = Env::demo().await;
    let o = env
        .run(&[
            "connections",
            "update",
            CRM,
            "dynamics_crm",
            "--username",
            "new-user@acme.example",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    assert_eq!(v["username"], "new-user@acme.example");
    assert!(v.get("password").is_none());
    let age = time::OffsetDateTime::now_utc() - ts(&v["updated_at"]);
    assert!(age.whole_seconds() < 60, "updated_at moved to now");

    let pw = "Upd-Canary-0b5e3d";
    let o = env
        .run_stdin(
            &[
                "connections",
                "update",
                CRM,
                "dynamics_crm",
                "--password-stdin",
                "-o",
                "csv",
            ],
            format!("{pw}\n").as_bytes(),
        )
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(!o.all().contains(pw));
    assert!(env.support.holds(CRM, "dynamics_crm", pw).await);
    assert_eq!(
        csv_records(&o.csv())[0]["username"],
        "new-user@acme.example"
    );

    let o = env
        .run(&[
            "connections",
            "update",
            CRM,
            "dynamics_crm",
            "--generate",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let gen = v["password"].as_str().unwrap_or("").to_string();
    assert_eq!(gen.len(), 32);
    assert_eq!(v["verified"], true);
    assert!(env.support.holds(CRM, "dynamics_crm", &gen).await);
    assert!(!env.support.holds(CRM, "dynamics_crm", pw).await);

    // Table form.
    let o = env
        .run(&[
            "connections",
            "update",
            CRM,
            "dynamics_crm",
            "--username",
            "tbl-user",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(o.stdout.contains("username        tbl-user"));
    assert!(o
        .stdout
        .lines()
        .any(|l| l.starts_with("age") && l.ends_with("now")));

    // api_key: new header name and key.
    let key = "new-key-canary-31";
    let o = env
        .run_stdin(
            &[
                "connections",
                "update",
                CRM,
                "pipedrive_api",
                "--header-name",
                "X-New",
                "--api-key-stdin",
                "-o",
                "json",
            ],
            key.as_bytes(),
        )
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert_eq!(o.json()["header_name"], "X-New");
    assert!(env.support.holds(CRM, "pipedrive_api", key).await);

    // Flags of another kind: refused, nothing changed.
    let o = env
        .run_stdin(
            &[
                "connections",
                "update",
                CRM,
                "pipedrive_api",
                "--password-stdin",
            ],
            b"pw-123456",
        )
        .await;
    assert_eq!(o.code, 2, "stderr: {}", o.stderr);
    assert!(o.stderr.contains("is a api_key connection"), "{}", o.stderr);
    assert!(env.support.holds(CRM, "pipedrive_api", key).await);

    // Empty stdin: refused, nothing sent.
    let patches = env.support.requests_by("PATCH").await;
    let o = env
        .run_stdin(
            &[
                "connections",
                "update",
                CRM,
                "dynamics_crm",
                "--password-stdin",
            ],
            b"",
        )
        .await;
    assert_eq!(o.code, 2);
    assert_eq!(env.support.requests_by("PATCH").await, patches);
    assert!(env.support.holds(CRM, "dynamics_crm", &gen).await);

    // Not found: exit 4.
    let o = env
        .run(&["connections", "update", CRM, "no_such_conn", "--generate"])
        .await;
    assert_eq!(o.code, 4, "stderr: {}", o.stderr);
    assert!(
        o.stdout.is_empty(),
        "no password printed for a refused change"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_asks_or_refuses_without_yes() {
    let env = Env::demo().await;
    let before = env.support.requests().await;
    let o = env
        .run(&["connections", "delete", CRM, "hubspot_legacy_key"])
        .await;
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--yes"), "{}", o.stderr);
    assert_eq!(
        env.support.requests().await,
        before,
        "no request without --yes"
    );

    let o = env
        .run(&["connections", "delete", CRM, "hubspot_legacy_key", "--yes"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(o.stderr.contains("deleted api_key connection"));
    let o = env
        .run(&["connections", "show", CRM, "hubspot_legacy_key"])
        .await;
    assert_eq!(o.code, 4, "stderr: {}", o.stderr);
    assert!(
        o.stderr.contains("Connection does not exist") && !o.stderr.contains("No route"),
        "{}",
        o.stderr
    );

    let o = env
        .run(&["connections", "delete", CRM, "hubspot_legacy_key", "-y"])
        .await;
    assert_eq!(o.code, 4);
}

// ----- rotate ------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn rotate_names_prints_what_the_sandbox_holds() {
    let env = Env::demo().await;
    let o = env
        .run(&[
            "rotate",
            CRM,
            "--yes",
            "salesforce_prod",
            "zoominfo_enrich",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = merged(&o.json());
    let arr = v.as_array().expect("array");
    assert_eq!(arr.len(), 2);
    for r in arr {
        assert_eq!(
            keys(r),
            sorted(&[
                "error",
                "failed_step",
                "integration",
                "name",
                "password",
                "record",
                "status",
                "steps",
                "updated_at",
                "verified"
            ])
        );
        assert_eq!(r["status"], "applied");
        assert!(r["failed_step"].is_null());
        let marks: Vec<&str> = r["steps"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s["mark"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            marks,
            ["done", "manual", "manual", "done", "done"],
            "no recipe: set by hand"
        );
        assert_eq!(r["integration"], CRM);
        assert_eq!(r["verified"], true);
        let age = time::OffsetDateTime::now_utc() - ts(&r["updated_at"]);
        assert!(age.whole_seconds() < 60);
        let pw = r["password"].as_str().unwrap_or("");
        assert_eq!(pw.len(), 32);
        assert!(!o.stderr.contains(pw), "password leaked into stderr");
        let name = r["name"].as_str().unwrap_or("");
        assert!(
            env.support.holds(CRM, name, pw).await,
            "sandbox holds the printed password"
        );
        assert!(
            !env.read_file(&env.log_file()).contains(pw),
            "a new password reached the log file"
        );
        assert!(
            !env.read_file(&env.audit_log()).contains(pw),
            "a new password reached the audit log"
        );
    }

    // CSV and table forms, alnum charset and a custom length.
    let o = env
        .run(&[
            "rotate",
            CRM,
            "--yes",
            "salesforce_prod",
            "--charset",
            "alnum",
            "--length",
            "20",
            "-o",
            "csv",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let rows = o.csv();
    assert_eq!(
        rows[0],
        [
            "record",
            "integration",
            "name",
            "password",
            "status",
            "verified",
            "updated_at",
            "error",
            "steps",
            "failed_step"
        ]
    );
    let recs = csv_records(&rows);
    assert_eq!(recs.len(), 2, "a password row, then a result row");
    assert_eq!(
        recs[1]["steps"],
        "generate=done;set=manual;test=manual;apply=done;verify=done"
    );
    assert_eq!(recs[0]["record"], "password");
    let pw = &recs[0]["password"];
    assert!(pw.len() == 20 && pw.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(recs[1]["record"], "result");
    assert_eq!(recs[1]["password"], "", "the result row never repeats it");
    assert_eq!(recs[1]["verified"], "true");
    assert!(env.support.holds(CRM, "salesforce_prod", pw).await);

    let o = env.run(&["rotate", CRM, "dynamics_crm", "--yes"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].starts_with("INTEGRATION") && lines[0].contains("PASSWORD"));
    let cells: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(cells[0], CRM);
    assert_eq!(cells[1], "dynamics_crm");
    assert_eq!(cells[3], "sending");
    assert!(env.support.holds(CRM, "dynamics_crm", cells[2]).await);
    let result: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(result[..5], [CRM, "dynamics_crm", "-", "applied", "yes"]);

    // Not found: 4; another kind: 2; neither prints a password.
    let o = env
        .run(&["rotate", CRM, "no_such_conn", "--yes", "-o", "json"])
        .await;
    assert_eq!(o.code, 4, "stderr: {}", o.stderr);
    assert_eq!(o.json(), json!([]));
    let o = env.run(&["rotate", CRM, "pipedrive_api", "--yes"]).await;
    assert_eq!(o.code, 2, "stderr: {}", o.stderr);
    assert!(
        o.stderr.contains("basic_auth passwords only"),
        "{}",
        o.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_all_goes_on_when_one_fails() {
    let env = Env::demo().await;
    env.support.fault(json!({
        "status": 403,
        "count": 1,
        "method": "PATCH",
        "path_contains": "basic_auth/salesforce_sandbox",
        "body": "{\"errors\":[{\"code\":\"Forbidden\",\"title\":\"Cannot access this resource. Missing scope write\"}]}"
    }))
    .await;
    let o = env
        .run(&["rotate", CRM, "--all", "--manual", "--yes", "-o", "json"])
        .await;
    assert_eq!(o.code, 1, "a partial failure: stderr {}", o.stderr);
    assert!(o.stderr.contains("salesforce_sandbox"), "{}", o.stderr);
    assert!(
        o.stderr.contains("Missing scope write"),
        "in the server's words: {}",
        o.stderr
    );
    assert!(
        o.stderr.contains("1 of 4 rotation(s) failed"),
        "{}",
        o.stderr
    );
    let v = merged(&o.json());
    let arr = v.as_array().expect("array");
    // The refused one's password was printed before it was sent; its result says so.
    let refused = by_name(&v, "salesforce_sandbox");
    assert_eq!(refused["status"], "not_applied");
    assert_eq!(refused["verified"], false);
    let pw = refused["password"].as_str().unwrap_or("");
    assert!(!env.support.holds(CRM, "salesforce_sandbox", pw).await);
    let mut names: Vec<&str> = arr
        .iter()
        .filter(|r| r["status"] == "applied")
        .filter_map(|r| r["name"].as_str())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["dynamics_crm", "salesforce_prod", "zoominfo_enrich"]
    );
    for r in arr.iter().filter(|r| r["status"] == "applied") {
        let pw = r["password"].as_str().unwrap_or("");
        let name = r["name"].as_str().unwrap_or("");
        assert_eq!(r["verified"], true);
        assert!(
            env.support.holds(CRM, name, pw).await,
            "{name}: sandbox holds the printed password"
        );
        assert!(!env.support.holds(CRM, "salesforce_sandbox", pw).await);
    }

    // Every one failing with the same refusal: that error's code.
    env.support
        .fault(json!({"status": 403, "count": 10, "method": "PATCH"}))
        .await;
    let o = env
        .run(&[
            "rotate",
            "legacy_erp",
            "--all",
            "--manual",
            "--yes",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 3, "stderr: {}", o.stderr);
    let v = merged(&o.json());
    let arr = v.as_array().expect("array");
    assert!(!arr.is_empty());
    for r in arr {
        assert_eq!(
            r["status"], "not_applied",
            "a refused change is never in force"
        );
        let (name, pw) = (
            r["name"].as_str().unwrap_or(""),
            r["password"].as_str().unwrap_or(""),
        );
        assert!(!env.support.holds("legacy_erp", name, pw).await);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_keeps_a_password_whose_answer_was_lost() {
    let env = Env::demo().await;
    // One-second client timeout; the PATCH answers after 1.5 s, on every try.
    env.write_config("[profiles.default]\ntimeout_secs = 1\n");
    env.support.fault(json!({"delay_ms": 1500, "count": 3, "method": "PATCH", "path_contains": "salesforce_prod"}))
        .await;
    let o = env
        .run(&[
            "rotate",
            CRM,
            "--yes",
            "salesforce_prod",
            "zoominfo_enrich",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 1, "stderr: {}", o.stderr);
    let v = merged(&o.json());
    let sp = by_name(&v, "salesforce_prod");
    assert_eq!(sp["verified"], false);
    assert_eq!(sp["status"], "unknown");
    let pw = sp["password"].as_str().unwrap_or("");
    assert_eq!(pw.len(), 32, "the password is printed anyway");
    assert!(!o.stderr.contains(pw));
    assert!(o.stderr.contains("verified: false"), "{}", o.stderr);
    assert!(o.stderr.contains("salesforce_prod"), "{}", o.stderr);
    let zi = by_name(&v, "zoominfo_enrich");
    assert_eq!(zi["verified"], true);
    assert!(
        env.support
            .holds(
                CRM,
                "zoominfo_enrich",
                zi["password"].as_str().unwrap_or("")
            )
            .await
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn rotate_interrupted_prints_every_password_sent() {
    for (sig, label, code) in [
        (libc::SIGINT, "SIGINT", 130),
        (libc::SIGTERM, "SIGTERM", 143),
    ] {
        rotate_stopped_by(sig, label, code).await;
    }
}

/// A terminal that closes (SIGHUP) must not lose a password in flight either.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn rotate_hung_up_prints_every_password_sent() {
    rotate_stopped_by(libc::SIGHUP, "SIGHUP", 129).await;
}

/// Sends `sig` to a rotation whose PATCH is in flight: the password sent is printed in complete
/// JSON with `verified: false`, never on stderr, and the exit code is `code` (128 + signo).
#[cfg(unix)]
async fn rotate_stopped_by(sig: libc::c_int, label: &str, code: i32) {
    let env = Env::demo().await;
    // The PATCH hangs for 10 s: the signal arrives while it is in flight.
    env.support
        .fault(json!({"delay_ms": 10_000, "count": 1, "method": "PATCH"}))
        .await;
    let mut c = env.command(&["rotate", CRM, "salesforce_prod", "--yes", "-o", "json"]);
    c.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    // Read stdout as it comes, as a shell pipe would: the password is sent only once the
    // pipe's reader has taken it.
    let mut pipe = child.stdout.take().expect("stdout");
    let stdout = tokio::spawn(async move {
        let mut buf = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut pipe, &mut buf).await;
        buf
    });
    let pid = child.id().expect("pid") as libc::pid_t;
    let started = std::time::Instant::now();
    while env.support.requests_by("PATCH").await == 0 {
        assert!(
            started.elapsed().as_secs() < 10,
            "{label}: the PATCH never came"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // SAFETY: sends a signal to the child this test spawned.
    unsafe {
        libc::kill(pid, sig);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(5), child.wait_with_output())
        .await
        .expect("exits soon after the signal")
        .expect("output");
    assert_eq!(out.status.code(), Some(code), "{label}");
    let stdout = String::from_utf8_lossy(&stdout.await.expect("stdout")).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let v: Value = serde_json::from_str(&stdout).expect("complete JSON even when interrupted");
    let v = merged(&v);
    let r = by_name(&v, "salesforce_prod");
    assert_eq!(r["verified"], false, "{label}");
    assert_eq!(r["status"], "unknown", "{label}");
    let pw = r["password"].as_str().unwrap_or("");
    assert_eq!(pw.len(), 32, "{label}: the in-flight password is printed");
    assert!(!stderr.contains(pw));
    assert!(stderr.contains("interrupted"), "{label}: {stderr}");
}

// ----- audit -------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn audit_every_format() {
    let env = Env::demo().await;
    let o = env.run(&["audit", "-o", "json"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let arr = v.as_array().expect("array");
    // acme, billing, hr (+ microsoft_graph, OAuth), intranet_portal, jira, legacy, shopify,
    // slack (+ slack_oauth), and the OAuth clients: acme 1, hr 2, jira 2, slack 1.
    let is_client = |r: &&Value| r["kind"] == "oauth_client";
    assert_eq!(
        arr.iter().filter(|r| !is_client(r)).count(),
        11 + 11 + 10 + 3 + 9 + 6 + 122 + 11
    );
    assert_eq!(arr.iter().filter(is_client).count(), 6);
    // Sorted by integration, then name.
    let pairs: Vec<(String, String)> = arr
        .iter()
        .map(|r| {
            (
                r["integration"].as_str().unwrap_or("").to_string(),
                r["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut expect = pairs.clone();
    expect.sort();
    assert_eq!(pairs, expect);
    for r in arr {
        assert_no_secret_fields(r);
        assert!(r["stale"].is_boolean() && r["findings"].is_array());
    }
    let find = |i: &str, n: &str| {
        arr.iter()
            .find(|r| r["integration"] == i && r["name"] == n)
            .unwrap_or_else(|| panic!("{i}/{n} audited"))
            .clone()
    };
    let sb = find(CRM, "salesforce_sandbox");
    assert_eq!(
        keys(&sb),
        sorted(&[
            "integration",
            "kind",
            "name",
            "allowed_domain",
            "created_at",
            "updated_at",
            "username",
            "header_name",
            "oauth_client_uuid",
            "permission_scope",
            "token_type",
            "token_expiry",
            "client_id",
            "token_url",
            "oauth_connections",
            "age_days",
            "stale",
            "findings",
            "used_by",
            "recipe",
            "last_rotated"
        ])
    );
    assert!(sb["recipe"].is_null() && sb["last_rotated"].is_null());
    assert_eq!(sb["age_days"], 412);
    assert_eq!(sb["stale"], true);
    assert!(sb["findings"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "not rotated in 412 days")));
    let sp = find(CRM, "salesforce_prod");
    assert_eq!(sp["age_days"], 88);
    assert_eq!(sp["stale"], false);
    let ip = find("jira_escalations", "jira_server_legacy");
    assert!(ip["findings"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "allowed domain is a bare IP address")));
    let shared = find("jira_escalations", "jira_cloud_prod");
    assert!(shared["findings"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x
            .as_str()
            .is_some_and(|s| s.starts_with("same username on")))));

    // --stale-days and --integration (repeatable).
    let o = env
        .run(&[
            "audit",
            "--integration",
            CRM,
            "--integration",
            "legacy_erp",
            "--stale-days",
            "80",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    // 11 + 6 connections, and acme_crm_sync's OAuth client.
    assert_eq!(v.as_array().map(Vec::len), Some(17 + 1));
    assert_eq!(by_name(&v, "salesforce_prod")["stale"], true);

    let o = env.run(&["audit", "--integration", CRM, "-o", "csv"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let rows = o.csv();
    assert_eq!(
        &rows[0][8..],
        [
            "age_days",
            "stale",
            "findings",
            "token_expiry",
            "used_by",
            "recipe",
            "last_rotated"
        ],
        "audit CSV: the connection fields, then the verdict, the token expiry, what uses it, \
         its recipe and last rotation"
    );
    let recs = csv_records(&rows);
    assert_eq!(
        recs.iter().filter(|r| r["kind"] != "oauth_client").count(),
        11
    );
    assert_eq!(
        recs.iter().filter(|r| r["kind"] == "oauth_client").count(),
        1
    );
    let sb = recs
        .iter()
        .find(|r| r["name"] == "salesforce_sandbox")
        .expect("row");
    assert_eq!(sb["age_days"], "412");
    assert_eq!(sb["stale"], "true");
    assert!(sb["findings"].contains("not rotated in 412 days"));

    let o = env.run(&["audit", "--integration", "legacy_erp"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let head = o.stdout.lines().next().unwrap_or("");
    for h in ["INTEGRATION", "KIND", "NAME", "AGE", "STALE", "FINDINGS"] {
        assert!(head.contains(h));
    }
    assert!(o.stdout.contains("6 connection(s) in 1 integration(s)"));
    assert!(o.stdout.contains("bare IP"));
    // stderr is not a terminal here: no progress line.
    assert!(!o.stderr.contains("\r"));
}

/// The profile's password_length and password_exclude make `--generate`'s and rotate's
/// passwords; `--length` wins over the profile; a bad value is refused naming the key.
#[tokio::test(flavor = "multi_thread")]
async fn generated_passwords_follow_the_profile() {
    let env = Env::demo().await;
    env.write_config("[profiles.default]\npassword_length = 20\npassword_exclude = \"~^?#\"\n");
    let refused = |pw: &str| pw.contains(['~', '^', '?', '#']);
    let o = env
        .run(&[
            "connections",
            "create",
            CRM,
            "gen_profile",
            "--allowed-domain",
            "api.gen.example",
            "--username",
            "u",
            "--generate",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let pw = o.json()["password"].as_str().unwrap_or("").to_string();
    assert_eq!(pw.chars().count(), 20);
    assert!(!refused(&pw), "a character the profile excludes");
    let o = env
        .run(&[
            "rotate",
            CRM,
            "salesforce_prod",
            "--yes",
            "--length",
            "24",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = merged(&o.json());
    let pw = by_name(&v, "salesforce_prod")["password"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_eq!(pw.chars().count(), 24, "--length wins");
    assert!(!refused(&pw), "a character the profile excludes");

    env.write_config("[profiles.default]\npassword_length = 8\n");
    let o = env.run(&["rotate", CRM, "salesforce_prod", "--yes"]).await;
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains("password_length: between 12 and 256"),
        "{}",
        o.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_takes_stale_days_from_the_profile_unless_given() {
    let env = Env::demo().await;
    env.write_config("[profiles.default]\nstale_days = 30\n");
    let o = env
        .run(&["audit", "--integration", CRM, "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert_eq!(
        by_name(&o.json(), "salesforce_prod")["stale"],
        true,
        "88 days > 30"
    );
    let o = env
        .run(&[
            "audit",
            "--integration",
            CRM,
            "--stale-days",
            "90",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(
        by_name(&o.json(), "salesforce_prod")["stale"],
        false,
        "the flag wins"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_honours_rate_limits_and_says_so() {
    let env = Env::start(SandboxConfig {
        seed: Seed::Synthetic {
            integrations: 12,
            connections: 5,
        },
        rate_limit: 10,
        rate_window_secs: 1,
        ..SandboxConfig::default()
    })
    .await;
    let o = env
        .run(&["audit", "--concurrency", "4", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let arr = v.as_array().expect("array");
    // Every connection, and each integration's OAuth client beside them.
    let clients = arr.iter().filter(|r| r["kind"] == "oauth_client").count();
    assert_eq!((arr.len() - clients, clients), (60, 12));
    let stats = env.support.stats().await;
    assert!(
        stats["rate_limited"].as_u64().unwrap_or(0) >= 1,
        "the limit was met"
    );
    assert!(
        o.stderr.contains("zisctl: rate limited, waiting 1 s"),
        "{}",
        o.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_waits_and_says_so() {
    let env = Env::demo().await;
    env.support.fault(
        json!({"status": 429, "count": 1, "retry_after": 1, "path_contains": "connections/all"}),
    )
    .await;
    let o = env.run(&["connections", "list", CRM, "-o", "json"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert_eq!(o.messages(), vec!["zisctl: rate limited, waiting 1 s"]);
    assert_eq!(o.json().as_array().map(Vec::len), Some(11));
}

// ----- exit codes and configuration ------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes() {
    let mut env = Env::demo().await;

    // 4: unknown integration (not found), in the server's words.
    let o = env
        .run(&["connections", "list", "no_such_integration"])
        .await;
    assert_eq!(o.code, 4, "stderr: {}", o.stderr);
    assert!(
        o.stderr.contains("Specified integration is not valid"),
        "{}",
        o.stderr
    );
    assert_eq!(o.messages().len(), 1);
    assert!(o.stderr.starts_with("zisctl: "));

    // 1: a server failure after the retries.
    env.support
        .fault(json!({"status": 500, "count": 5, "path_contains": "registry/integrations"}))
        .await;
    let o = env.run(&["integrations", "list"]).await;
    assert_eq!(o.code, 1, "stderr: {}", o.stderr);

    // 4: not found, naming no kind (none was given).
    let o = env.run(&["connections", "show", CRM, "nope_nope"]).await;
    assert_eq!(o.code, 4);
    assert!(
        o.stderr.contains("Connection does not exist"),
        "{}",
        o.stderr
    );
    for kind in ["basic_auth", "api_key", "bearer_token", "oauth", "No route"] {
        assert!(!o.stderr.contains(kind), "{kind} in {}", o.stderr);
    }

    // 3: permission (403) on a connection call.
    env.support
        .fault(json!({"status": 403, "count": 1, "path_contains": "connections/all"}))
        .await;
    let o = env.run(&["connections", "list", CRM]).await;
    assert_eq!(o.code, 3, "stderr: {}", o.stderr);

    // 2: read-only refuses every change, before any request.
    let before = env.support.requests().await;
    for args in [
        vec!["--readonly", "rotate", CRM, "--all", "--yes"],
        vec![
            "--readonly",
            "connections",
            "delete",
            CRM,
            "salesforce_prod",
            "--yes",
        ],
        vec!["--readonly", "integrations", "register", "ro_test"],
        vec![
            "--readonly",
            "connections",
            "update",
            CRM,
            "salesforce_prod",
            "--generate",
        ],
    ] {
        let o = env.run(&args).await;
        assert_eq!(o.code, 2, "{args:?}");
        assert!(o.stderr.contains("read-only"), "{}", o.stderr);
        assert!(o.stdout.is_empty());
    }
    assert_eq!(env.support.requests().await, before);
    // Reading is allowed.
    assert_eq!(
        env.run(&["--readonly", "integrations", "list"]).await.code,
        0
    );

    // 3: bad admin credentials.
    env.vars
        .push(("ZENDESK_API_TOKEN".into(), "wrong-token".into()));
    let o = env.run(&["integrations", "list"]).await;
    assert_eq!(o.code, 3, "stderr: {}", o.stderr);
    assert_eq!(o.messages().len(), 1);
    assert!(!o.stderr.contains("wrong-token"));
    env.vars.clear();

    // 1: network failure (nothing listens there).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9);
    env.vars.push((
        "ZISCTL_BASE_URL".into(),
        format!("http://127.0.0.1:{closed}"),
    ));
    let o = env.run(&["integrations", "list"]).await;
    assert_eq!(o.code, 1, "stderr: {}", o.stderr);
    assert!(o.stderr.contains("cannot connect"), "{}", o.stderr);
    // 2: plain http to a host that is not loopback.
    env.vars.clear();
    let o = env
        .run(&[
            "--base-url",
            "http://acme.zendesk.com",
            "integrations",
            "list",
        ])
        .await;
    assert_eq!(o.code, 2, "stderr: {}", o.stderr);
    assert!(o.stderr.contains("loopback"), "{}", o.stderr);
    env.vars.clear();

    // 2: nothing configured at all.
    let o = {
        let mut c = env.command(&["integrations", "list"]);
        c.env_remove("ZISCTL_BASE_URL")
            .stdin(std::process::Stdio::null());
        c.output().await.expect("run")
    };
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no Zendesk account is configured"), "{err}");
    assert!(err.contains("ZENDESK_SUBDOMAIN"));
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_neutralises_formulas_from_the_server() {
    let env = Env::demo().await;
    let o = env
        .run_stdin(
            &[
                "connections",
                "create",
                CRM,
                "formula_user",
                "--allowed-domain",
                "a.example",
                "--username",
                "=SUM(A1)+cmd|calc",
                "--password-stdin",
            ],
            b"pw-formula-1234",
        )
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let o = env
        .run(&["connections", "show", CRM, "formula_user", "-o", "csv"])
        .await;
    let recs = csv_records(&o.csv());
    assert_eq!(recs[0]["username"], "'=SUM(A1)+cmd|calc");
    // JSON keeps the value as it is.
    let o = env
        .run(&["connections", "show", CRM, "formula_user", "-o", "json"])
        .await;
    assert_eq!(o.json()["username"], "=SUM(A1)+cmd|calc");
}

/// The issue's contract spells kinds `basic_auth|api_key|bearer_token|oauth`.
#[tokio::test(flavor = "multi_thread")]
async fn kind_values_follow_the_contract() {
    let env = Env::demo().await;
    for k in ["basic_auth", "api_key", "bearer_token", "oauth"] {
        let o = env
            .run(&["connections", "list", CRM, "--kind", k, "-o", "json"])
            .await;
        assert_eq!(o.code, 0, "--kind {k}: {}", o.stderr);
        let v = o.json();
        let arr = v.as_array().expect("array");
        assert!(
            !arr.is_empty() && arr.iter().all(|c| c["kind"] == k),
            "--kind {k}"
        );
    }
}

/// Whatever a server sends, no control character reaches the terminal: not in a table, a CSV,
/// JSON, nor an error line.
#[tokio::test(flavor = "multi_thread")]
async fn hostile_server_strings_are_sanitised() {
    let env = Env::demo().await;
    let body = json!({
        "basic_auth": [{
            "name": "evil\u{1b}]52;c;aGk=\u{7}",
            "username": "bob\u{1b}[2J\u{9b}31m\u{202e}",
            "password": "*****",
            "allowed_domain": "x.example\r\ninjected,row",
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-02T00:00:00Z"
        }],
        "api_key": [], "bearer_token": [], "oauth": [],
        "meta": {"has_more": false, "after": null, "before": null}
    })
    .to_string();
    for fmt in ["table", "csv", "json"] {
        env.support
            .fault(json!({"status": 200, "count": 1, "method": "GET",
            "path_contains": "connections/all", "body": body, "content_type": "application/json"}))
            .await;
        let o = env.run(&["connections", "list", CRM, "-o", fmt]).await;
        assert_eq!(o.code, 0, "{fmt}: {}", o.stderr);
        for bad in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(
                !o.stdout.contains(bad),
                "{fmt}: control character {bad:?} printed"
            );
        }
        if fmt == "csv" {
            assert_eq!(
                o.csv().len(),
                2,
                "a line break from the server is not a new record"
            );
        }
        if fmt == "table" {
            assert_eq!(o.stdout.lines().count(), 2);
        }
    }
    env.support
        .fault(
            json!({"status": 500, "count": 3, "body": "boom\u{1b}]52;c;aGk=\u{7} and\nmore",
        "path_contains": "connections/all"}),
        )
        .await;
    let o = env.run(&["connections", "list", CRM]).await;
    assert_eq!(o.code, 1);
    assert!(!o.stderr.contains('\u{1b}') && !o.stderr.contains('\u{7}'));
    assert!(
        o.stderr.contains("boom"),
        "{}",
        o.stderr.replace('\u{1b}', "<ESC>")
    );
    assert!(o
        .stderr
        .lines()
        .last()
        .is_some_and(|l| l.starts_with("zisctl: list connections")));
}

/// Host names are case-insensitive: the allowed domain is sent in lower case, whatever was typed.
#[tokio::test(flavor = "multi_thread")]
async fn the_allowed_domain_is_sent_in_lower_case() {
    let env = Env::demo().await;
    let o = env
        .run(&[
            "connections",
            "create",
            CRM,
            "mixed_case",
            "--allowed-domain",
            "API.Example.COM",
            "--username",
            "u",
            "--generate",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let o = env
        .run(&["connections", "show", CRM, "mixed_case", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert_eq!(o.json()["allowed_domain"], "api.example.com", "as stored");
}
