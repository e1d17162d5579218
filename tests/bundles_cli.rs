//! `zisctl bundles list | show | check` and the audit's `used_by`, run as the real binary
//! against the sandbox's demo account (which holds one of each problem): each problem kind
//! found where it is, what uses each connection, `--fail-on-findings`, both shapes of a bundle
//! answer, and malformed bundles (an unknown resource type, a missing definition, a 5 MB
//! bundle, one past the 16 MiB cap, one that is not JSON) handled without a panic. A literal
//! credential written in a bundle is a secret: never printed, never logged.
mod common;

use std::collections::BTreeSet;

use common::cli_support::{csv_records, Env};
use serde_json::{json, Value};

/// `(integration, bundle, resource, problem)` of every row of `bundles check -o json`.
fn rows(v: &Value) -> BTreeSet<(String, String, String, String)> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|r| {
            let f = |k: &str| r[k].as_str().unwrap_or("").to_string();
            (f("integration"), f("bundle"), f("resource"), f("problem"))
        })
        .collect()
}

fn row(i: &str, b: &str, r: &str, p: &str) -> (String, String, String, String) {
    (i.into(), b.into(), r.into(), p.into())
}

async fn add_bundle(env: &Env, body: Value) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/bundles", env.sb.base_url))
        .json(&body)
        .send()
        .await
        .expect("POST /_sandbox/bundles");
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.expect("JSON")
}

async fn set_shapes(env: &Env, body: Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/shapes", env.sb.base_url))
        .json(&body)
        .send()
        .await
        .expect("POST /_sandbox/shapes");
    assert!(r.status().is_success());
}

/// The problems of the demo account, each kind where the seed put it.
fn demo_problems() -> BTreeSet<(String, String, String, String)> {
    [
        row("acme_crm_sync", "", "on_org_created", "stale_job_spec"),
        row(
            "billing_bridge",
            "billing_lookup",
            "netsuite.get_invoices",
            "unknown_connection",
        ),
        row(
            "billing_bridge",
            "billing_lookup",
            "zendesk.update_ticket",
            "path_without_connection",
        ),
        row(
            "jira_escalations",
            "jira_escalation",
            "servicenow.create_incident",
            "literal_credential",
        ),
        row(
            "legacy_erp",
            "erp_lookup",
            "sap.get_order",
            "literal_credential",
        ),
        row(
            "slack_notify",
            "slack_alerts",
            "on_vip_comment",
            "job_spec_not_installed",
        ),
        row(
            "slack_notify",
            "slack_alerts",
            "opsgenie.create_alert",
            "literal_credential",
        ),
        row(
            "slack_notify",
            "slack_alerts",
            "urgent_ticket_flow",
            "unknown_action",
        ),
    ]
    .into_iter()
    .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_finds_each_problem_kind_where_it_is() {
    let env = Env::demo().await;
    let o = env.run(&["bundles", "check", "-o", "json"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(
        o.messages().is_empty(),
        "nothing to warn about: {:?}",
        o.messages()
    );
    let v = o.json();
    assert_eq!(rows(&v), demo_problems());
    // Where the credentials are, never what.
    let details: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["problem"] == "literal_credential")
        .filter_map(|r| r["detail"].as_str())
        .collect();
    assert!(details
        .iter()
        .any(|d| d.starts_with("headers[Authorization]:")));
    assert!(details.iter().any(|d| d.starts_with("url: user:password@")));
    assert!(details.iter().any(|d| d.starts_with("requestBody.")));
    for r in v.as_array().unwrap() {
        let mut k: Vec<&String> = r.as_object().unwrap().keys().collect();
        k.sort();
        assert_eq!(
            k,
            ["bundle", "detail", "integration", "problem", "resource"]
        );
    }
    // A job spec no bundle defines: its bundle is null (the table says —).
    let stale = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["problem"] == "stale_job_spec")
        .unwrap();
    assert!(stale["bundle"].is_null());

    // --fail-on-findings: 5 when something is found, 0 when nothing is.
    let o = env.run(&["bundles", "check", "--fail-on-findings"]).await;
    assert_eq!(o.code, 5, "stderr: {}", o.stderr);
    assert!(o.stdout.contains("8 problem(s) in"), "{}", o.stdout);
    let o = env
        .run(&[
            "bundles",
            "check",
            "--integration",
            "hr_onboarding",
            "--fail-on-findings",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(o.stdout.starts_with("0 problem(s) in"), "{}", o.stdout);

    // Table and CSV: the same rows.
    let o = env
        .run(&[
            "bundles",
            "check",
            "--integration",
            "slack_notify",
            "-o",
            "csv",
        ])
        .await;
    assert_eq!(o.code, 0);
    let csv = o.csv();
    assert_eq!(
        csv[0],
        ["integration", "bundle", "resource", "problem", "detail"]
    );
    let recs = csv_records(&csv);
    assert_eq!(recs.len(), 3);
    let o = env
        .run(&["bundles", "check", "--integration", "slack_notify"])
        .await;
    let head = o.stdout.lines().next().unwrap_or("");
    for h in ["INTEGRATION", "BUNDLE", "RESOURCE", "PROBLEM", "DETAIL"] {
        assert!(head.contains(h));
    }
    assert!(o.stdout.contains("unknown action"));
    assert!(o
        .stdout
        .contains("3 problem(s) in 1 bundle(s) of 1 integration(s)"));

    // Usage errors before anything is sent.
    for (args, what) in [
        (
            vec!["bundles", "check", "--concurrency", "0"],
            "--concurrency",
        ),
        (
            vec!["bundles", "check", "--integration", "Bad Name"],
            "integration",
        ),
        (vec!["bundles", "show", "acme_crm_sync", " "], "bundle"),
    ] {
        let o = env.run(&args).await;
        assert_eq!(o.code, 2, "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(what), "{args:?}: {}", o.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_says_what_uses_each_connection() {
    let env = Env::demo().await;
    let o = env.run(&["audit", "-o", "json"]).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(o.messages().is_empty(), "{:?}", o.messages());
    let v = o.json();
    let find = |i: &str, n: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["integration"] == i && r["name"] == n)
            .unwrap_or_else(|| panic!("{i}/{n} audited"))
            .clone()
    };
    let unused = |r: &Value| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "not used by any bundle")
    };
    // bundle › flow › action, with the job spec that starts the flow.
    let pd = find("slack_notify", "pagerduty_events");
    assert_eq!(
        pd["used_by"],
        json!([{"bundle": "slack_alerts", "flow": "urgent_ticket_flow", "action": "pagerduty.trigger",
                "job_specs": [{"name": "on_urgent_ticket", "installed": true}], "implicit": false}])
    );
    assert!(!unused(&pd));
    // An action calling with a literal header names no connection: opsgenie_alerts is idle.
    let og = find("slack_notify", "opsgenie_alerts");
    assert_eq!(og["used_by"], json!([]));
    assert!(unused(&og));
    let zd = find("hr_onboarding", "zendesk");
    assert_eq!(zd["used_by"][0]["action"], "zendesk.create_ticket");
    assert!(zd["used_by"][0]["implicit"] == false, "named, not implied");
    // Every connection: known, and "unused" exactly when nothing uses it (an OAuth client's
    // row says what it carries in `oauth_connections`, and `used_by` null).
    for r in v.as_array().unwrap() {
        if r["kind"] == "oauth_client" {
            assert!(r["used_by"].is_null() && r["oauth_connections"].is_array());
            continue;
        }
        let list = r["used_by"]
            .as_array()
            .expect("every integration's bundles were read");
        assert_eq!(
            unused(r),
            list.is_empty(),
            "{}/{}",
            r["integration"],
            r["name"]
        );
    }

    // zendesk: used by every path action, one without connectionName too (it fails with 401,
    // and says so in `bundles check`, but deleting zendesk breaks it all the same).
    let path_only = json!({"bundle": {"name": "path_only", "resources": {
        "zendesk.close_ticket": {"type": "ZIS::Action::Http", "properties": {"name": "zendesk.close_ticket",
            "definition": {"method": "PUT", "path": "/api/v2/tickets/{{$.id}}"}}}}}});
    add_bundle(
        &env,
        json!({"integration": "jira_escalations", "bundle": path_only,
        "metadata": {"name": "path_only"}}),
    )
    .await;
    let o = env
        .run(&["audit", "--integration", "jira_escalations", "-o", "json"])
        .await;
    let v = o.json();
    let zd = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "zendesk")
        .expect("jira_escalations/zendesk");
    let implied: Vec<&Value> = zd["used_by"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["implicit"] == true)
        .collect();
    assert_eq!(implied.len(), 1, "{}", zd["used_by"]);
    assert_eq!(implied[0]["bundle"], "path_only");
    assert_eq!(implied[0]["action"], "zendesk.close_ticket");
    assert!(implied[0]["flow"].is_null(), "no flow calls it");

    let o = env
        .run(&["audit", "--integration", "slack_notify", "-o", "csv"])
        .await;
    let recs = csv_records(&o.csv());
    let pd = recs
        .iter()
        .find(|r| r["name"] == "pagerduty_events")
        .unwrap();
    assert_eq!(
        pd["used_by"],
        "slack_alerts › urgent_ticket_flow › pagerduty.trigger"
    );
    let og = recs
        .iter()
        .find(|r| r["name"] == "opsgenie_alerts")
        .unwrap();
    assert_eq!(og["used_by"], "");
    assert!(og["findings"].contains("not used by any bundle"));
    let o = env.run(&["audit", "--integration", "slack_notify"]).await;
    assert!(o.stdout.lines().next().unwrap_or("").contains("USED BY"));

    // --no-bundles: no bundle read, so nothing said of what uses what.
    let before = env.support.requests().await;
    let o = env
        .run(&[
            "audit",
            "--integration",
            "slack_notify",
            "--no-bundles",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let read = env.support.requests().await - before;
    assert_eq!(
        read, 4,
        "the registry, a token, one page of connections and one of OAuth clients"
    );
    for r in o.json().as_array().unwrap() {
        assert!(r["used_by"].is_null());
        assert!(!unused(r));
    }

    // --fail-on-findings on audit: 5 with findings, 0 without.
    let o = env
        .run(&["audit", "--fail-on-findings", "-o", "json"])
        .await;
    assert_eq!(o.code, 5, "stderr: {}", o.stderr);
    assert!(o.json().is_array(), "the output is printed all the same");
    let o = env
        .run(&[
            "audit",
            "--integration",
            "nps_survey_pilot",
            "--fail-on-findings",
        ])
        .await;
    assert_eq!(o.code, 0, "no connections, no findings: {}", o.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_and_show_in_every_format_and_both_shapes() {
    let env = Env::demo().await;
    let o = env
        .run(&["bundles", "list", "slack_notify", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let v = o.json();
    let b = &v[0];
    assert_eq!(b["name"], "slack_alerts");
    assert_eq!(b["integration"], "slack_notify");
    assert_eq!(b["zis_template_version"], "2019-10-14");
    let uuid = b["uuid"].as_str().unwrap().to_string();
    let o = env
        .run(&["bundles", "list", "slack_notify", "-o", "csv"])
        .await;
    assert_eq!(
        o.csv()[0],
        [
            "integration",
            "name",
            "uuid",
            "description",
            "zis_template_version"
        ]
    );
    let o = env.run(&["bundles", "list", "nps_survey_pilot"]).await;
    assert_eq!(o.code, 0);
    assert!(
        o.stderr.contains("no bundles in nps_survey_pilot"),
        "{}",
        o.stderr
    );

    let show = |fmt: &'static str, name: String| {
        let env = &env;
        async move {
            env.run(&["bundles", "show", "slack_notify", &name, "-o", fmt])
                .await
        }
    };
    let o = show("json", "slack_alerts".into()).await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let wrapped = o.json();
    assert_eq!(wrapped["uuid"], uuid.as_str());
    let flows: Vec<&str> = wrapped["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(flows, ["urgent_ticket_flow", "vip_comment_flow"]);
    let pd = wrapped["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "pagerduty.trigger")
        .expect("the action");
    assert_eq!(pd["connection"], "pagerduty_events");
    assert_eq!(pd["flows"], json!(["urgent_ticket_flow"]));
    let jobs: Vec<(String, Value)> = wrapped["job_specs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            (
                j["name"].as_str().unwrap().to_string(),
                j["installed"].clone(),
            )
        })
        .collect();
    assert_eq!(
        jobs,
        [
            ("on_urgent_ticket".to_string(), json!(true)),
            ("on_vip_comment".to_string(), json!(false))
        ]
    );
    // By uuid too; and bare: the same.
    let by_uuid = show("json", uuid.clone()).await.json();
    assert_eq!(by_uuid, wrapped);
    set_shapes(&env, json!({"bundle": "bare"})).await;
    let bare = show("json", "slack_alerts".into()).await.json();
    assert_eq!(bare, wrapped, "a bare bundle reads as a wrapped one");

    let o = show("csv", "slack_alerts".into()).await;
    let recs = csv_records(&o.csv());
    let pd = recs
        .iter()
        .find(|r| r["resource"] == "pagerduty.trigger")
        .unwrap();
    assert_eq!(pd["type"], "action");
    assert_eq!(pd["connection"], "pagerduty_events");
    let o = show("table", "slack_alerts".into()).await;
    for section in ["FLOW", "ACTION", "JOB SPEC", "RESOURCE  "] {
        assert!(o.stdout.contains(section), "{section}");
    }
    assert!(o
        .stdout
        .contains("on_vip_comment    support ticket.CommentAdded"));

    let o = show("table", "no_such_bundle".into()).await;
    assert_eq!(o.code, 4, "stderr: {}", o.stderr);
    assert!(o.stderr.contains("no bundle named no_such_bundle"));
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_bundles_are_findings_not_panics() {
    let env = Env::demo().await;
    let odd = json!({"bundle": {"name": "odd", "resources": {
        "mystery": {"type": "ZIS::Something::New", "properties": {"x": 1}},
        "no_def_action": {"type": "ZIS::Action::Http", "properties": {"name": "no_def_action"}},
        "no_def_flow": {"type": "ZIS::Flow", "properties": {"name": "no_def_flow"}},
        "weird": 42
    }}});
    add_bundle(
        &env,
        json!({"integration": "legacy_erp", "bundle": odd, "metadata": {"name": "odd"}}),
    )
    .await;
    // 5 MB: read in full (under the 16 MiB cap).
    let big = json!({"name": "big", "resources": {
        "bulk_post": {"type": "ZIS::Action::Http", "properties": {"name": "bulk_post", "definition": {
            "connectionName": "sap_gateway", "method": "POST", "url": "https://erp.example.com/bulk",
            "requestBody": {"data": "a".repeat(5 * 1024 * 1024)}}}}}});
    add_bundle(
        &env,
        json!({"integration": "legacy_erp", "bundle": big, "metadata": {"name": "big"}}),
    )
    .await;
    // 17 MiB: refused by the body cap, said as a problem of that bundle.
    let huge = json!({"name": "huge", "resources": {"x": {"type": "ZIS::Flow",
        "properties": {"definition": {"States": {}, "pad": "b".repeat(17 * 1024 * 1024)}}}}});
    add_bundle(
        &env,
        json!({"integration": "legacy_erp", "bundle": huge, "metadata": {"name": "huge"}}),
    )
    .await;
    add_bundle(
        &env,
        json!({"integration": "legacy_erp", "raw": "{\"bundle\": {\"name\": \"trunc",
        "metadata": {"name": "truncated"}}),
    )
    .await;

    let o = env
        .run(&[
            "bundles",
            "check",
            "--integration",
            "legacy_erp",
            "-o",
            "json",
        ])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(!o.stderr.contains("panicked"));
    let v = o.json();
    let got = rows(&v);
    for want in [
        row("legacy_erp", "odd", "no_def_action", "malformed_resource"),
        row("legacy_erp", "odd", "no_def_flow", "malformed_resource"),
        row("legacy_erp", "huge", "", "unreadable_bundle"),
        row("legacy_erp", "truncated", "", "unreadable_bundle"),
        row(
            "legacy_erp",
            "erp_lookup",
            "sap.get_order",
            "literal_credential",
        ),
    ] {
        assert!(got.contains(&want), "{want:?} in {got:?}");
    }
    assert!(
        !got.iter().any(|r| r.1 == "big"),
        "the 5 MB bundle has no problem"
    );
    let detail = |b: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|r| r["bundle"] == b)
            .and_then(|r| r["detail"].as_str())
            .unwrap_or("")
            .to_string()
    };
    assert!(detail("huge").contains("16 MiB"), "{}", detail("huge"));
    assert!(
        detail("truncated").contains("cut off"),
        "{}",
        detail("truncated")
    );

    // The unknown type is kept, as "other"; the 5 MB bundle's action is read.
    let o = env
        .run(&["bundles", "show", "legacy_erp", "odd", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    let odd = o.json();
    let types: Vec<&str> = odd["other_resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    assert!(types.contains(&"ZIS::Something::New"), "{types:?}");
    let o = env
        .run(&["bundles", "show", "legacy_erp", "big", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert_eq!(o.json()["actions"][0]["connection"], "sap_gateway");
    assert!(o.stdout.len() < 10_000, "the body's 5 MB are not printed");

    // The audit: what uses legacy_erp's connections is now incomplete, so "unused" is not
    // said; what is known is still listed, and the gap is said on stderr.
    let o = env
        .run(&["audit", "--integration", "legacy_erp", "-o", "json"])
        .await;
    assert_eq!(o.code, 0, "stderr: {}", o.stderr);
    assert!(
        o.stderr
            .contains("not every bundle of legacy_erp could be read"),
        "{}",
        o.stderr
    );
    for r in o.json().as_array().unwrap() {
        assert!(!r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "not used by any bundle"));
        let known = r["used_by"].as_array().is_some_and(|l| !l.is_empty());
        assert!(known || r["used_by"].is_null(), "{}", r["name"]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_literal_credential_in_a_bundle_is_never_printed_nor_logged() {
    let mut env = Env::demo().await;
    env.vars.push(("RUST_LOG".into(), "trace".into()));
    let canary = "Bndl-Canary-7c1e-Secret";
    let leaky = json!({"bundle": {"name": "leaky", "resources": {
        "leak": {"type": "ZIS::Action::Http", "properties": {"name": "leak", "definition": {
            "connectionName": "sap_gateway", "method": "POST",
            "url": format!("https://svc:{canary}@erp.example.com/x?api_key={canary}"),
            "headers": [{"key": "Authorization", "value": format!("Basic {canary}")},
                        {"key": "X-Api-Key", "value": canary}],
            "queryParams": [{"key": "token", "value": canary}],
            "requestBody": {"auth": {"password": canary}, "raw": format!("password={canary}")}}}},
        "leak_flow": {"type": "ZIS::Flow", "properties": {"name": "leak_flow", "definition": {
            "States": {"Go": {"Type": "Action", "ActionName": "zis:legacy_erp:action:leak"}}}}}
    }}});
    add_bundle(
        &env,
        json!({"integration": "legacy_erp", "bundle": leaky, "metadata": {"name": "leaky"}}),
    )
    .await;
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for fmt in ["table", "json", "csv"] {
        runs.push(vec![
            "bundles",
            "check",
            "--integration",
            "legacy_erp",
            "-o",
            fmt,
        ]);
        runs.push(vec!["bundles", "show", "legacy_erp", "leaky", "-o", fmt]);
        runs.push(vec!["audit", "--integration", "legacy_erp", "-o", fmt]);
    }
    runs.push(vec!["bundles", "list", "legacy_erp", "-o", "json"]);
    let mut spots = 0;
    for args in &runs {
        let o = env.run(args).await;
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
        assert!(
            !o.stdout.contains(canary),
            "{args:?}: a bundle's credential on stdout"
        );
        assert!(
            !o.stderr.contains(canary),
            "{args:?}: a bundle's credential on stderr"
        );
        spots += o.stdout.matches("literal").count();
    }
    assert!(spots > 0, "the credentials were found (by where they are)");
    let log = env.read_file(&env.log_file());
    assert!(
        log.contains("bundles"),
        "the log recorded the run at trace level"
    );
    assert!(
        !log.contains(canary),
        "a bundle's credential in the log file"
    );
}
