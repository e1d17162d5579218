//! The CLI's OAuth commands against the sandbox (issue 11): `oauth-clients list | show |
//! create | update | delete`, `connections show | delete | authorize` on OAuth connections,
//! the reserved `zendesk` connection, the register refusal, and the audit's OAuth findings.
//! Every answer shape the sandbox's `/_sandbox/shapes` switch offers is tried (wrapped or
//! bare, 200 or 201).
//!
//! The sandbox sends client secrets and OAuth tokens in clear, as Zendesk's documented
//! examples do: the tests read them raw from the sandbox and check that zisctl prints none.
//! Secrets are compared, never displayed.
mod common;

use std::process::Stdio;
use std::time::Duration;

use common::cli_support::{by_name, csv_records, Env};
use common::sandbox::raw_token;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

const HR: &str = "hr_onboarding";
const CRM: &str = "acme_crm_sync";
const SLACK: &str = "slack_notify";

/// The secrets the sandbox holds in clear for `integration`: every OAuth client's
/// `client_secret` and every OAuth connection's tokens, read raw with a ZIS token.
async fn clear_secrets(env: &Env, integration: &str) -> Vec<String> {
    let token = raw_token(&env.sb, integration, &["read", "write"]).await;
    let http = reqwest::Client::new();
    let get = |path: String| {
        let req = http
            .get(format!("{}{path}", env.sb.base_url))
            .bearer_auth(&token);
        async move {
            req.send()
                .await
                .expect("GET")
                .json::<Value>()
                .await
                .expect("JSON")
        }
    };
    let mut out = Vec::new();
    let clients = get(format!(
        "/api/services/zis/connections/oauth/clients/{integration}"
    ))
    .await;
    let list = clients
        .get("clients")
        .or(Some(&clients))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for c in list {
        if let Some(s) = c["client_secret"].as_str() {
            out.push(s.to_string());
        }
    }
    let conns = get(format!(
        "/api/services/zis/integrations/{integration}/connections/all"
    ))
    .await;
    for c in conns["oauth"].as_array().cloned().unwrap_or_default() {
        for f in [
            "access_token",
            "refresh_token",
            "oauth_access_token_response_body",
        ] {
            if let Some(s) = c[f].as_str().filter(|s| s.len() >= 8) {
                out.push(s.to_string());
            }
        }
    }
    out
}

/// The raw client object the sandbox holds (with its secret in clear): for comparisons only.
async fn raw_client(env: &Env, integration: &str, name: &str) -> Value {
    let token = raw_token(&env.sb, integration, &["read", "write"]).await;
    let v: Value = reqwest::Client::new()
        .get(format!(
            "{}/api/services/zis/connections/oauth/clients/{integration}",
            env.sb.base_url
        ))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    let list = v.get("clients").cloned().unwrap_or(v);
    list.as_array()
        .and_then(|a| a.iter().find(|c| c["name"] == name).cloned())
        .unwrap_or(Value::Null)
}

async fn shapes(env: &Env, body: Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/shapes", env.sb.base_url))
        .json(&body)
        .send()
        .await
        .expect("POST /_sandbox/shapes");
    assert!(r.status().is_success(), "shapes: {}", r.status());
}

async fn auto_approve(env: &Env) {
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/oauth", env.sb.base_url))
        .json(&json!({"auto_approve": true}))
        .send()
        .await
        .expect("POST /_sandbox/oauth");
    assert!(r.status().is_success());
}

/// Nothing of `secrets` in anything the run printed (compared, never shown).
fn assert_none_printed(what: &str, out: &common::cli_support::Out, secrets: &[String]) {
    assert!(!secrets.is_empty(), "{what}: there are secrets to look for");
    let all = out.all();
    let found = secrets.iter().filter(|s| all.contains(s.as_str())).count();
    assert_eq!(
        found, 0,
        "{what}: {found} secret(s) the server sent in clear were printed"
    );
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

// ----- oauth-clients list / show ---------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn oauth_clients_list_and_show_wrapped_and_bare_never_the_secret() {
    let env = Env::demo().await;
    let secrets = clear_secrets(&env, HR).await;
    for shape in ["wrapped", "bare"] {
        shapes(&env, json!({"oauth_clients": shape})).await;
        let o = env.run(&["oauth-clients", "list", HR, "-o", "json"]).await;
        assert_eq!(o.code, 0, "{shape}: {}", o.stderr);
        assert_none_printed("oauth-clients list -o json", &o, &secrets);
        let v = o.json();
        let arr = v.as_array().expect("array");
        assert_eq!(arr.len(), 2, "{shape}");
        let entra = by_name(&v, "microsoft_entra");
        assert!(entra.get("client_secret").is_none());
        assert_eq!(
            keys(entra),
            [
                "auth_url",
                "client_id",
                "created_at",
                "created_by",
                "default_scopes",
                "grant_type",
                "integration",
                "name",
                "oauth_connections",
                "token_url",
                "updated_at",
                "uuid"
            ]
        );
        assert_eq!(entra["grant_type"], "client_credentials");
        assert_eq!(entra["oauth_connections"], json!(["microsoft_graph"]));
        assert!(entra["token_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://login.microsoftonline.com/")));

        let o = env.run(&["oauth-clients", "list", HR, "-o", "csv"]).await;
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_none_printed("oauth-clients list -o csv", &o, &secrets);
        let rows = o.csv();
        assert!(!rows[0].iter().any(|h| h.contains("secret")));
        let recs = csv_records(&rows);
        assert_eq!(recs.len(), 2);
        let z = recs.iter().find(|r| r["name"] == "zendesk").expect("row");
        assert_eq!(z["oauth_connections"], "zendesk");

        let o = env.run(&["oauth-clients", "list", HR]).await;
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_none_printed("oauth-clients list", &o, &secrets);
        let head = o.stdout.lines().next().unwrap_or("");
        for h in [
            "NAME",
            "CLIENT ID",
            "GRANT TYPE",
            "TOKEN URL",
            "CONNECTIONS",
            "AGE",
        ] {
            assert!(head.contains(h), "{h} in {head}");
        }
        assert_eq!(o.stdout.lines().count(), 3);

        for fmt in ["table", "json", "csv"] {
            let o = env
                .run(&["oauth-clients", "show", HR, "microsoft_entra", "-o", fmt])
                .await;
            assert_eq!(o.code, 0, "{fmt}: {}", o.stderr);
            assert_none_printed("oauth-clients show", &o, &secrets);
            assert!(
                o.stdout.contains("microsoft_graph"),
                "its connection is named"
            );
        }
        let o = env
            .run(&["oauth-clients", "show", HR, "microsoft_entra"])
            .await;
        assert!(o
            .stdout
            .lines()
            .any(|l| l.starts_with("client secret") && l.ends_with("*****")));
    }
    let o = env.run(&["oauth-clients", "show", HR, "nope_nope"]).await;
    assert_eq!(o.code, 4, "{}", o.stderr);
    assert!(
        o.stderr.contains("OAuth client does not exist"),
        "{}",
        o.stderr
    );
}

// ----- oauth-clients create / update / delete ------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn oauth_clients_create_update_delete_in_every_shape() {
    let env = Env::demo().await;
    let mut n = 0;
    for (shape, status) in [
        ("wrapped", 201),
        ("bare", 200),
        ("bare", 201),
        ("wrapped", 200),
    ] {
        n += 1;
        shapes(
            &env,
            json!({"oauth_clients": shape, "create_status": status}),
        )
        .await;
        let name = format!("graph_{n}");
        let secret = format!("Cs-{n}-{:016x}", rand::random::<u64>());
        let o = env
            .run_stdin(
                &[
                    "oauth-clients",
                    "create",
                    SLACK,
                    &name,
                    "--client-id",
                    "cid-1",
                    "--token-url",
                    "https://login.example.com/oauth2/token",
                    "--auth-url",
                    "https://login.example.com/oauth2/authorize",
                    "--scopes",
                    "read write",
                    "--client-secret-stdin",
                    "-o",
                    "json",
                ],
                format!("{secret}\n").as_bytes(),
            )
            .await;
        assert_eq!(o.code, 0, "{shape} {status}: {}", o.stderr);
        assert!(!o.all().contains(&secret), "the secret is printed nowhere");
        let v = o.json();
        assert_eq!(v["name"], name.as_str());
        assert_eq!(v["client_id"], "cid-1");
        assert_eq!(v["default_scopes"], "read write");
        assert!(v["uuid"].as_str().is_some_and(|u| !u.is_empty()));
        let raw = raw_client(&env, SLACK, &name).await;
        assert!(
            raw["client_secret"] == secret.as_str(),
            "the sandbox holds the secret sent"
        );

        // PATCH a new secret, and a new token URL.
        let new_secret = format!("Cs2-{n}-{:016x}", rand::random::<u64>());
        let patches = env.support.requests_by("PATCH").await;
        let o = env
            .run_stdin(
                &[
                    "oauth-clients",
                    "update",
                    SLACK,
                    &name,
                    "--client-secret-stdin",
                    "--token-url",
                    "https://login.example.com/v2/token",
                    "-o",
                    "json",
                ],
                format!("{new_secret}\n").as_bytes(),
            )
            .await;
        assert_eq!(o.code, 0, "{shape}: {}", o.stderr);
        assert!(!o.all().contains(&new_secret) && !o.all().contains(&secret));
        assert_eq!(o.json()["token_url"], "https://login.example.com/v2/token");
        assert!(
            o.stderr.contains("client_secret, token_url"),
            "{}",
            o.stderr
        );
        let raw = raw_client(&env, SLACK, &name).await;
        assert!(
            raw["client_secret"] == new_secret.as_str(),
            "rotated in place"
        );
        assert_eq!(env.support.requests_by("PATCH").await, patches + 1);
        assert_eq!(env.support.requests_by("PUT").await, 0, "PUT is never used");
    }
    // A taken name: the server's 409, in its words; exit 2 (a name already taken).
    let o = env
        .run_stdin(
            &[
                "oauth-clients",
                "create",
                SLACK,
                "slack",
                "--client-id",
                "x",
                "--token-url",
                "https://slack.com/api/oauth.v2.access",
                "--client-secret-stdin",
            ],
            b"whatever-secret\n",
        )
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("409"), "{}", o.stderr);
    // Nothing to change, no terminal: refused before anything is sent.
    let before = env.support.requests().await;
    let o = env.run(&["oauth-clients", "update", SLACK, "slack"]).await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("nothing to change"), "{}", o.stderr);
    // No secret and no terminal: refused, never taken from argv.
    let o = env
        .run(&[
            "oauth-clients",
            "create",
            SLACK,
            "nosecret",
            "--client-id",
            "x",
            "--token-url",
            "https://x.example/t",
        ])
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("--client-secret-stdin"), "{}", o.stderr);
    assert_eq!(env.support.requests().await, before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_says_what_goes_with_it_and_the_cascade_happens() {
    let env = Env::demo().await;
    // Without a terminal and without --yes: the cascade is named, then refused (exit 2).
    let deletes = env.support.requests_by("DELETE").await;
    let o = env.run(&["oauth-clients", "delete", SLACK, "slack"]).await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("deleting it also deletes its 1 OAuth connection(s): slack_oauth"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("--yes"), "{}", o.stderr);
    assert_eq!(
        env.support.requests_by("DELETE").await,
        deletes,
        "nothing deleted"
    );
    let o = env
        .run(&["connections", "show", SLACK, "slack_oauth"])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);

    let o = env
        .run(&["oauth-clients", "delete", SLACK, "slack", "--yes"])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("slack_oauth"), "{}", o.stderr);
    let o = env
        .run(&["connections", "show", SLACK, "slack_oauth"])
        .await;
    assert_eq!(o.code, 4, "the cascade took it: {}", o.stderr);
    assert!(
        o.stderr.contains("Connection does not exist"),
        "{}",
        o.stderr
    );
    let o = env
        .run(&["oauth-clients", "list", SLACK, "-o", "json"])
        .await;
    assert_eq!(o.json().as_array().map(Vec::len), Some(0));

    // A client whose connections include the reserved `zendesk` one: --yes is not enough.
    let o = env
        .run(&["oauth-clients", "delete", CRM, "zendesk", "--yes"])
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("reserved") && o.stderr.contains("--delete-reserved"));
    let o = env.run(&["connections", "show", CRM, "zendesk"]).await;
    assert_eq!(o.code, 0, "still there: {}", o.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn urls_and_names_are_checked_before_anything_is_sent() {
    let env = Env::demo().await;
    let before = env.support.requests().await;
    let pw = "pw-in-url-canary";
    for (args, rule) in [
        (
            vec!["--token-url", "http://login.example.com/token"],
            "https",
        ),
        (
            vec![
                "--token-url",
                &format!("https://svc:{pw}@login.example.com/t"),
            ],
            "user info",
        ),
        (
            vec![
                "--token-url",
                "https://x.example/t",
                "--auth-url",
                "ftp://x.example/a",
            ],
            "https",
        ),
        (
            vec!["--token-url", "login.example.com/token"],
            "absolute URL",
        ),
        (
            vec!["--token-url", "https://x.example/t", "--scopes", "a\"b"],
            "scope",
        ),
    ] {
        let mut a = vec![
            "oauth-clients",
            "create",
            SLACK,
            "new_client",
            "--client-id",
            "x",
        ];
        a.extend(args.iter().map(|s| &**s));
        a.push("--client-secret-stdin");
        let o = env.run_stdin(&a, b"secret-value\n").await;
        assert_eq!(o.code, 2, "{a:?}: {}", o.stderr);
        assert!(o.stderr.contains(rule), "{a:?}: {}", o.stderr);
        assert!(!o.all().contains(pw), "a password in a URL is never echoed");
    }
    let o = env
        .run(&[
            "oauth-clients",
            "update",
            SLACK,
            "slack",
            "--auth-url",
            "https://u@x.example/",
        ])
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = env
        .run_stdin(
            &[
                "oauth-clients",
                "create",
                SLACK,
                "x y",
                "--client-id",
                "x",
                "--token-url",
                "https://x.example/t",
                "--client-secret-stdin",
            ],
            b"s\n",
        )
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("OAuth client name"), "{}", o.stderr);
    assert_eq!(env.support.requests().await, before, "no request was sent");
}

// ----- OAuth connections: show, delete, the reserved name ------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn connections_show_an_oauth_connection_wrapped_or_bare() {
    let env = Env::demo().await;
    let secrets = clear_secrets(&env, HR).await;
    for shape in ["wrapped", "bare"] {
        shapes(&env, json!({"oauth_connection": shape})).await;
        for fmt in ["json", "csv", "table"] {
            let o = env
                .run(&["connections", "show", HR, "microsoft_graph", "-o", fmt])
                .await;
            assert_eq!(o.code, 0, "{shape} {fmt}: {}", o.stderr);
            assert_none_printed("connections show (oauth)", &o, &secrets);
        }
        let o = env
            .run(&["connections", "show", HR, "microsoft_graph", "-o", "json"])
            .await;
        let v = o.json();
        assert_eq!(v["kind"], "oauth");
        for f in [
            "access_token",
            "refresh_token",
            "oauth_access_token_response_body",
        ] {
            assert!(v.get(f).is_none(), "{f}");
        }
        assert_eq!(
            v["permission_scope"],
            "https://graph.microsoft.com/.default"
        );
        let expiry = common::cli_support::ts(&v["token_expiry"]);
        assert!(
            expiry < time::OffsetDateTime::now_utc(),
            "the seeded expired token"
        );
        let o = env
            .run(&["connections", "show", HR, "microsoft_graph"])
            .await;
        assert!(o
            .stdout
            .lines()
            .any(|l| l.starts_with("oauth client ") && l.ends_with("microsoft_entra")));
        assert!(o
            .stdout
            .lines()
            .any(|l| l.starts_with("token expiry") && l.contains("expired")));
    }
    // The list shows the expiry too, in every format.
    let o = env.run(&["connections", "list", HR, "-o", "csv"]).await;
    assert_none_printed("connections list -o csv", &o, &secrets);
    let recs = csv_records(&o.csv());
    let g = recs
        .iter()
        .find(|r| r["name"] == "microsoft_graph")
        .expect("row");
    assert!(!g["token_expiry"].is_empty());
    let o = env.run(&["connections", "list", HR]).await;
    assert_none_printed("connections list", &o, &secrets);
    assert!(o
        .stdout
        .lines()
        .next()
        .unwrap_or("")
        .contains("TOKEN EXPIRY"));
    assert!(o
        .stdout
        .lines()
        .any(|l| l.contains("microsoft_graph") && l.contains("expired")));
    // A missing connection, whatever kinds were tried: no kind named.
    let o = env.run(&["connections", "show", HR, "nope_nope"]).await;
    assert_eq!(o.code, 4);
    assert!(
        o.stderr.contains("Connection does not exist"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("oauth") && !o.stderr.contains("No route"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reserved_zendesk_connection_needs_more_than_yes() {
    let env = Env::demo().await;
    let deletes = env.support.requests_by("DELETE").await;
    let before = env.support.requests().await;
    let o = env
        .run(&["connections", "delete", CRM, "zendesk", "--yes"])
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("reserved") && o.stderr.contains("--delete-reserved"),
        "{}",
        o.stderr
    );
    assert_eq!(
        env.support.requests().await,
        before,
        "refused before any request"
    );
    let o = env.run(&["connections", "show", CRM, "zendesk"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);

    // Another OAuth connection is deleted on its own route.
    let o = env
        .run(&["connections", "delete", HR, "microsoft_graph", "--yes"])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = env
        .run(&["connections", "show", HR, "microsoft_graph"])
        .await;
    assert_eq!(o.code, 4, "{}", o.stderr);

    let o = env
        .run(&[
            "connections",
            "delete",
            CRM,
            "zendesk",
            "--yes",
            "--delete-reserved",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(env.support.requests_by("DELETE").await, deletes + 2);
    let o = env.run(&["connections", "show", CRM, "zendesk"]).await;
    assert_eq!(o.code, 4, "{}", o.stderr);
    let log = std::fs::read_to_string(env.audit_log()).unwrap_or_default();
    assert!(log
        .lines()
        .any(|l| l.contains("\"zendesk\"") && l.contains("\"delete\"")));
}

// ----- integrations register: an existing name -----------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn registering_an_existing_name_is_refused_unless_asked() {
    let env = Env::demo().await;
    let posts = env.support.requests_by("POST").await;
    let o = env
        .run(&["integrations", "register", CRM, "--description", "x"])
        .await;
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("already registered") && o.stderr.contains("--update-existing"),
        "{}",
        o.stderr
    );
    assert_eq!(
        env.support.requests_by("POST").await,
        posts,
        "nothing was sent"
    );

    let o = env.run(&["integrations", "list", "-o", "json"]).await;
    let desc = by_name(&o.json(), CRM)["description"].clone();
    assert!(desc.as_str().is_some_and(|d| !d.is_empty()));
    // --update-existing: the description is kept, the new secret is printed.
    let o = env
        .run(&[
            "integrations",
            "register",
            CRM,
            "--update-existing",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v = o.json();
    assert_eq!(v["description"], desc, "kept");
    let secret = v["oauth_client_secret"].as_str().unwrap_or("");
    assert!(
        secret.len() >= 16 && !secret.chars().all(|c| c == '*'),
        "never dropped"
    );
    assert!(!o.stderr.contains(secret));
    // A new description when one is given.
    let o = env
        .run(&[
            "integrations",
            "register",
            CRM,
            "--update-existing",
            "--description",
            "New words",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("oauth client secret"),
        "shown in the table too"
    );
    let o = env.run(&["integrations", "list", "-o", "json"]).await;
    assert_eq!(by_name(&o.json(), CRM)["description"], "New words");
}

// ----- connections authorize -----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn authorize_a_client_credentials_connection_until_its_token_moves() {
    let env = Env::demo().await;
    let o = env.run(&["audit", "--integration", HR, "-o", "json"]).await;
    let v = o.json();
    let g = by_name(&v, "microsoft_graph");
    assert_eq!(g["stale"], true);
    assert!(g["findings"][0]
        .as_str()
        .is_some_and(|f| f.starts_with("token expired ")
            && f.ends_with("days ago: refresh failing, re-authorise")));
    let secrets = clear_secrets(&env, HR).await;
    let o = env
        .run(&[
            "connections",
            "authorize",
            HR,
            "microsoft_graph",
            "--oauth-client",
            "microsoft_entra",
            "--timeout",
            "30",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_none_printed("authorize", &o, &secrets);
    let v = o.json();
    let expiry = common::cli_support::ts(&v["token_expiry"]);
    assert!(expiry > time::OffsetDateTime::now_utc(), "a fresh token");
    assert!(
        !o.stdout.contains("verification"),
        "the verification URL is not printed"
    );
    let after = clear_secrets(&env, HR).await;
    assert_none_printed("authorize (new tokens)", &o, &after);
    let o = env.run(&["audit", "--integration", HR, "-o", "json"]).await;
    assert_eq!(by_name(&o.json(), "microsoft_graph")["stale"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn authorize_prints_the_url_and_waits_for_the_browser() {
    let env = Env::demo().await;
    auto_approve(&env).await;
    let mut c = env.command(&[
        "connections",
        "authorize",
        SLACK,
        "slack_oauth",
        "--oauth-client",
        "slack",
        "--no-browser",
        "--timeout",
        "60",
    ]);
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the URL within 30 s")
        .expect("read")
        .unwrap_or_default();
    assert!(
        url.starts_with(&env.sb.base_url),
        "the redirect URL is printed first"
    );
    // The test plays the browser: the consent page approves at once and redirects.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http")
        .get(&url)
        .send()
        .await
        .expect("GET the redirect URL");
    assert!(r.status().is_redirection(), "{}", r.status());
    let mut rest = Vec::new();
    while let Ok(Some(l)) = lines.next_line().await {
        rest.push(l);
    }
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("zisctl ends once the token moved")
        .expect("wait");
    assert_eq!(status.code(), Some(0));
    assert!(
        rest.iter().any(|l| l.starts_with("token expiry")),
        "the connection is printed"
    );
    assert!(rest
        .iter()
        .any(|l| l.starts_with("oauth client ") && l.ends_with("slack")));
}

#[tokio::test(flavor = "multi_thread")]
async fn authorize_gives_up_or_stops_on_ctrl_c() {
    let env = Env::demo().await;
    // Nobody opens the URL: it gives up after --timeout, exit 1.
    let o = env
        .run(&[
            "connections",
            "authorize",
            SLACK,
            "slack_oauth",
            "--oauth-client",
            "slack",
            "--no-browser",
            "--timeout",
            "1",
        ])
        .await;
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("gave up after 1 s"), "{}", o.stderr);

    // Ctrl-C while waiting: 130, and it says nothing was re-authorised yet.
    let mut c = env.command(&[
        "connections",
        "authorize",
        SLACK,
        "slack_oauth",
        "--oauth-client",
        "slack",
        "--no-browser",
    ]);
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let _ = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the URL within 30 s");
    let pid = child.id().expect("pid") as libc::pid_t;
    // SAFETY: signals the child this test started.
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("ends on Ctrl-C")
        .expect("output");
    assert_eq!(out.status.code(), Some(130));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopped waiting"));

    // Bad input is refused before anything is sent.
    let before = env.support.requests().await;
    for (args, rule) in [
        (vec!["--oauth-client", "slack", "--scopes", "a\tb"], "scope"),
        (
            vec![
                "--oauth-client",
                "slack",
                "--redirect-url",
                "http://example.com/",
            ],
            "https",
        ),
        (
            vec!["--oauth-client", "slack", "--timeout", "0"],
            "--timeout",
        ),
    ] {
        let mut a = vec!["connections", "authorize", SLACK, "slack_oauth"];
        a.extend(args);
        let o = env.run(&a).await;
        assert_eq!(o.code, 2, "{a:?}: {}", o.stderr);
        assert!(o.stderr.contains(rule), "{a:?}: {}", o.stderr);
    }
    assert_eq!(env.support.requests().await, before);
}

// ----- the audit ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn audit_flags_expired_tokens_and_stale_oauth_clients() {
    let env = Env::demo().await;
    let secrets = clear_secrets(&env, HR).await;
    let o = env.run(&["audit", "--integration", HR, "-o", "json"]).await;
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_none_printed("audit -o json", &o, &secrets);
    let v = o.json();
    let entra = v
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|r| r["kind"] == "oauth_client" && r["name"] == "microsoft_entra")
        })
        .expect("the OAuth client is audited")
        .clone();
    assert_eq!(entra["stale"], true);
    assert!(entra["findings"][0]
        .as_str()
        .is_some_and(|f| f.starts_with("OAuth client not updated in ")));
    assert_eq!(entra["oauth_connections"], json!(["microsoft_graph"]));
    assert!(entra.get("client_secret").is_none());
    for fmt in ["table", "csv"] {
        let o = env.run(&["audit", "--integration", HR, "-o", fmt]).await;
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert_none_printed("audit", &o, &secrets);
        assert!(o.stdout.contains("token expired"), "{fmt}");
        assert!(o.stdout.contains("OAuth client not updated in"), "{fmt}");
    }
    // The stale threshold is the one for connections: --stale-days moves it.
    let o = env
        .run(&[
            "audit",
            "--integration",
            HR,
            "--stale-days",
            "1000",
            "-o",
            "json",
        ])
        .await;
    let v = o.json();
    let entra = v
        .as_array()
        .and_then(|a| a.iter().find(|r| r["name"] == "microsoft_entra"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(entra["stale"], false);
}
