//! The sandbox's bundles and job specs over plain HTTP (reqwest), against
//! `zisctl::sandbox::spawn` on 127.0.0.1:0: cursor pages, details with resources (wrapped and
//! bare), auth, the hostile-bundle switch (a 5 MB body, unknown types, a body that is not
//! JSON), the synthetic account's bundles, and the demo's problems, each found once, by a small
//! checker written here from the contract alone.

#[path = "sandbox_zis/support.rs"]
mod support;

use std::collections::{BTreeSet, HashSet};

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use support::*;
use zisctl::sandbox::SandboxHandle;

const REG: &str = "/api/services/zis/registry";
const CRM: &str = "acme_crm_sync";

/// Every entry of a cursor-paged registry listing (`bundles` or `job_specs`), `size` a page.
async fn paged(
    h: &SandboxHandle,
    c: &Client,
    auth: &str,
    integration: &str,
    what: &str,
    size: usize,
) -> Vec<Value> {
    let mut out = Vec::new();
    let mut query = format!("?page[size]={size}");
    for _ in 0..1000 {
        let r = c
            .get(url(h, &format!("{REG}/{integration}/{what}{query}")))
            .header("Authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{integration} {what}");
        let v = body_json(r).await;
        let items = v[what].as_array().unwrap();
        assert!(items.len() <= size);
        out.extend(items.iter().cloned());
        match v["meta"]["after"].as_str() {
            Some(a) if v["meta"]["has_more"] == true => {
                query = format!("?page[size]={size}&page[after]={a}")
            }
            _ => return out,
        }
    }
    panic!("pages never end");
}

async fn detail(h: &SandboxHandle, c: &Client, auth: &str, integration: &str, uuid: &str) -> Value {
    let r = c
        .get(url(h, &format!("{REG}/{integration}/bundles/{uuid}")))
        .header("Authorization", auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    body_json(r).await
}

async fn integrations(h: &SandboxHandle, c: &Client) -> Vec<String> {
    let r = c
        .get(url(h, &format!("{REG}/integrations")))
        .header("Authorization", h.admin_authorization())
        .send()
        .await
        .unwrap();
    body_json(r).await["integrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect()
}

/// What an integration's bundles, job specs and connections are, as served.
struct Served {
    connections: HashSet<String>,
    /// `(bundle, resource name, resource)`.
    resources: Vec<(String, String, Value)>,
    job_specs: Vec<Value>,
}

async fn served(h: &SandboxHandle, c: &Client, integration: &str) -> Served {
    let tok = mint(h, c, integration, &["read"]).await;
    let bearer = format!("Bearer {tok}");
    let connections = all_listed(h, c, &tok, integration)
        .await
        .into_iter()
        .map(|(_, x)| x["name"].as_str().unwrap().to_string())
        .collect();
    let mut resources = Vec::new();
    for b in paged(h, c, &bearer, integration, "bundles", 1).await {
        let d = detail(h, c, &bearer, integration, b["uuid"].as_str().unwrap()).await;
        let bundle = &d["bundle"];
        assert_eq!(bundle["name"], b["name"]);
        for (k, r) in bundle["resources"].as_object().unwrap() {
            resources.push((
                b["name"].as_str().unwrap().to_string(),
                k.clone(),
                r.clone(),
            ));
        }
    }
    let job_specs = paged(h, c, &bearer, integration, "job_specs", 2).await;
    Served {
        connections,
        resources,
        job_specs,
    }
}

fn literal(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| !s.is_empty() && !s.contains("{{"))
}

/// A key of a request body that holds a credential, with a literal value.
fn body_credentials(v: &Value, out: &mut bool) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let k = k.to_ascii_lowercase();
                if ["password", "secret", "api_key", "token", "client_secret"].contains(&k.as_str())
                    && literal(x)
                {
                    *out = true;
                }
                body_credentials(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| body_credentials(x, out)),
        _ => {}
    }
}

/// The problems of the contract's list found in an integration: `(resource, problem)`.
fn problems(integration: &str, s: &Served) -> BTreeSet<(String, &'static str)> {
    let mut out = BTreeSet::new();
    let of = |t: &'static str| -> Vec<(String, Value)> {
        s.resources
            .iter()
            .filter(|(_, _, r)| r["type"] == t)
            .map(|(_, k, r)| (k.clone(), r["properties"].clone()))
            .collect()
    };
    let actions: HashSet<String> = of("ZIS::Action::Http")
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let flows: HashSet<String> = of("ZIS::Flow").into_iter().map(|(k, _)| k).collect();
    for (name, p) in of("ZIS::Action::Http") {
        let d = &p["definition"];
        match d["connectionName"].as_str() {
            Some(conn) if !s.connections.contains(conn) => {
                out.insert((name.clone(), "missing_connection"));
            }
            None if d.get("path").is_some() => {
                out.insert((name.clone(), "path_without_connection"));
            }
            _ => {}
        }
        for hd in d["headers"].as_array().into_iter().flatten() {
            let key = hd["key"].as_str().unwrap_or("").to_ascii_lowercase();
            if ["authorization", "x-api-key", "api-key"].contains(&key.as_str())
                && literal(&hd["value"])
            {
                out.insert((name.clone(), "literal_header"));
            }
        }
        if let Some(u) = d["url"].as_str() {
            let authority = u
                .split("://")
                .nth(1)
                .unwrap_or("")
                .split('/')
                .next()
                .unwrap_or("");
            if authority.contains('@') {
                out.insert((name.clone(), "url_userinfo"));
            }
        }
        let mut cred = false;
        body_credentials(&d["requestBody"], &mut cred);
        if cred {
            out.insert((name.clone(), "literal_body_credential"));
        }
    }
    let prefix = format!("zis:{integration}:action:");
    for (name, p) in of("ZIS::Flow") {
        for st in p["definition"]["States"].as_object().unwrap().values() {
            if let Some(a) = st["ActionName"].as_str() {
                let a = a.strip_prefix(&prefix).unwrap_or(a);
                if !actions.contains(a) {
                    out.insert((name.clone(), "undefined_action"));
                }
            }
        }
    }
    let flow_prefix = format!("zis:{integration}:flow:");
    for j in &s.job_specs {
        let name = j["name"].as_str().unwrap().to_string();
        let flow = j["flow_name"].as_str().unwrap_or("");
        if !flows.contains(flow.strip_prefix(&flow_prefix).unwrap_or(flow)) {
            assert_eq!(j["installed"], true, "a stale job spec still installed");
            out.insert((name.clone(), "stale_job_spec"));
        }
        if j["installed"] == false {
            out.insert((name, "not_installed"));
        }
    }
    out
}

/// Connections named by an action.
fn used(s: &Served) -> HashSet<String> {
    s.resources
        .iter()
        .filter_map(|(_, _, r)| r["properties"]["definition"]["connectionName"].as_str())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_demo_holds_one_of_each_problem() {
    let (h, c) = demo().await;
    let mut found = BTreeSet::new();
    let mut bundles = 0;
    for integ in integrations(&h, &c).await {
        let s = served(&h, &c, &integ).await;
        bundles += s
            .resources
            .iter()
            .map(|(b, _, _)| b)
            .collect::<HashSet<_>>()
            .len();
        for (resource, problem) in problems(&integ, &s) {
            found.insert((integ.clone(), resource, problem));
        }
        let used = used(&s);
        if !s.resources.is_empty() {
            assert!(
                s.connections.iter().any(|c| !used.contains(c)),
                "{integ}: some connection no action names"
            );
        }
        if ["acme_crm_sync", "jira_escalations", "hr_onboarding"].contains(&integ.as_str()) {
            // The reserved connection is used by path (Zendesk) actions.
            assert!(s.resources.iter().any(|(_, _, r)| {
                let d = &r["properties"]["definition"];
                d["connectionName"] == "zendesk" && d["path"].is_string()
            }));
        }
        if integ == "nps_survey_pilot" {
            assert!(s.resources.is_empty() && s.job_specs.is_empty());
        }
    }
    let expect: BTreeSet<(String, String, &str)> = [
        (CRM, "on_org_created", "stale_job_spec"),
        (
            "billing_bridge",
            "netsuite.get_invoices",
            "missing_connection",
        ),
        (
            "billing_bridge",
            "zendesk.update_ticket",
            "path_without_connection",
        ),
        (
            "jira_escalations",
            "servicenow.create_incident",
            "literal_body_credential",
        ),
        ("legacy_erp", "sap.get_order", "url_userinfo"),
        ("slack_notify", "on_vip_comment", "not_installed"),
        ("slack_notify", "opsgenie.create_alert", "literal_header"),
        ("slack_notify", "urgent_ticket_flow", "undefined_action"),
    ]
    .into_iter()
    .map(|(i, r, p)| (i.to_string(), r.to_string(), p))
    .collect();
    assert_eq!(found, expect, "each problem once, and nowhere else");
    assert!(bundles >= 7, "most integrations have a bundle");
}

#[tokio::test]
async fn bundle_pages_details_and_shapes() {
    let (h, c) = demo().await;
    let tok = mint(&h, &c, CRM, &["read"]).await;
    let bearer = format!("Bearer {tok}");

    // Pages of one: has_more, after and before; metadata only.
    let page = |q: &'static str| {
        let (h, c, bearer) = (&h, &c, bearer.clone());
        async move {
            let r = c
                .get(url(h, &format!("{REG}/{CRM}/bundles{q}")))
                .header("Authorization", bearer)
                .send()
                .await
                .unwrap();
            (r.status(), body_json(r).await)
        }
    };
    let (s, first) = page("?page[size]=1").await;
    assert_eq!(s, StatusCode::OK);
    let b = &first["bundles"][0];
    assert_eq!(b["name"], "crm_enrichment", "name order");
    let mut k: Vec<&String> = b.as_object().unwrap().keys().collect();
    k.sort();
    assert_eq!(
        k,
        [
            "description",
            "integration",
            "name",
            "uuid",
            "zis_template_version"
        ]
    );
    assert_eq!(b["zis_template_version"], "2019-10-14");
    assert_eq!(first["meta"]["has_more"], true);
    assert!(first["meta"]["before"].is_null());
    let all = paged(&h, &c, &bearer, CRM, "bundles", 1).await;
    let names: Vec<&str> = all.iter().filter_map(|b| b["name"].as_str()).collect();
    assert_eq!(names, ["crm_enrichment", "crm_sync"]);
    let (_, whole) = page("").await;
    assert_eq!(whole["bundles"].as_array().unwrap().len(), 2);
    assert_eq!(whole["meta"]["has_more"], false);
    for q in ["?page[size]=101", "?page[size]=0", "?page[after]=%21%21"] {
        let (s, v) = page(q).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(first_code(&v), "InvalidPaginationParameter");
    }

    // Detail, wrapped: resources of the three kinds, in the documented shapes.
    let uuid = all[1]["uuid"].as_str().unwrap().to_string();
    let d = detail(&h, &c, &bearer, CRM, &uuid).await;
    let bundle = &d["bundle"];
    assert_eq!(bundle["uuid"], uuid.as_str());
    assert_eq!(bundle["name"], "crm_sync");
    let res = bundle["resources"].as_object().unwrap();
    let get_user = &res["zendesk.get_user"];
    assert_eq!(get_user["type"], "ZIS::Action::Http");
    assert_eq!(
        get_user["properties"]["definition"]["connectionName"],
        "zendesk"
    );
    assert!(get_user["properties"]["definition"]["path"].is_string());
    let flow = &res["sync_user_flow"]["properties"]["definition"];
    let start = flow["StartAt"].as_str().unwrap();
    assert_eq!(
        flow["States"][start]["ActionName"],
        "zis:acme_crm_sync:action:zendesk.get_user"
    );
    assert_eq!(
        res["on_user_created"]["properties"]["flow_name"],
        "zis:acme_crm_sync:flow:sync_user_flow"
    );

    // Bare, by the shape switch.
    let r = post_switch(&h, &c, "/_sandbox/shapes", json!({"bundle": "bare"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let d = detail(&h, &c, &bearer, CRM, &uuid).await;
    assert!(d.get("bundle").is_none());
    assert_eq!(d["name"], "crm_sync");
    assert!(d["resources"].is_object());

    // Unknown uuid and integration: 404 in the registry's shape.
    for p in [
        format!("{REG}/{CRM}/bundles/00000000-0000-4000-8000-000000000000"),
        format!("{REG}/no_such_integration/bundles"),
    ] {
        let r = c
            .get(url(&h, &p))
            .header("Authorization", h.admin_authorization())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{p}");
        let v = body_json(r).await;
        assert_eq!(v["errors"][0]["status"], "404");
        assert!(v["message"].is_string());
    }
    let stats = body_json(c.get(url(&h, "/_sandbox/stats")).send().await.unwrap()).await;
    assert_eq!(
        stats["by_route"]["GET /api/services/zis/registry/{integration}/bundles/{uuid}"],
        3
    );
}

#[tokio::test]
async fn registry_reads_take_admin_and_zis_auth() {
    let (h, c) = demo().await;
    let path = format!("{REG}/{CRM}/job_specs");
    let zis = format!("Bearer {}", mint(&h, &c, CRM, &["read"]).await);
    let admin = format!("Bearer {}", admin_bearer(&h, &c).await);
    for auth in [h.admin_authorization(), admin, zis] {
        let r = c
            .get(url(&h, &path))
            .header("Authorization", auth)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = c.get(url(&h, &path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(body_json(r).await["errors"][0]["code"], "1001");
    let other = format!("Bearer {}", mint(&h, &c, "legacy_erp", &["read"]).await);
    let r = c
        .get(url(&h, &path))
        .header("Authorization", other)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.text().await.unwrap(),
        "Authorization failed due to integration mismatch"
    );
    let r = c
        .get(url(&h, &path))
        .header("Authorization", "Bearer not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn job_specs_installed_stale_and_paged() {
    let (h, c) = demo().await;
    let auth = h.admin_authorization();
    let slack = paged(&h, &c, &auth, "slack_notify", "job_specs", 1).await;
    let pairs: Vec<(&str, bool)> = slack
        .iter()
        .map(|j| {
            (
                j["name"].as_str().unwrap(),
                j["installed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [("on_urgent_ticket", true), ("on_vip_comment", false)]
    );
    let j = &slack[0];
    let mut k: Vec<&String> = j.as_object().unwrap().keys().collect();
    k.sort();
    assert_eq!(
        k,
        [
            "event_source",
            "event_type",
            "flow_name",
            "installed",
            "name",
            "uuid"
        ]
    );
    assert_eq!(j["event_source"], "support");
    assert_eq!(j["flow_name"], "zis:slack_notify:flow:urgent_ticket_flow");

    let crm = paged(&h, &c, &auth, CRM, "job_specs", 100).await;
    let stale = crm
        .iter()
        .find(|j| j["name"] == "on_org_created")
        .expect("stale");
    assert_eq!(stale["installed"], true);
    assert_eq!(stale["flow_name"], "zis:acme_crm_sync:flow:org_sync_flow");
    assert_eq!(crm.len(), 3);
}

#[tokio::test]
async fn hostile_bundles_are_served_exactly() {
    let (h, c) = demo().await;
    let auth = h.admin_authorization();
    let add = |body: Value| {
        let c = c.clone();
        let to = url(&h, "/_sandbox/bundles");
        async move { c.post(to).json(&body).send().await.unwrap() }
    };

    // A 5 MB bundle.
    let big = json!({"name": "huge", "uuid": "0f0f0f0f-0000-4000-8000-000000000001",
        "resources": {"blob": {"type": "ZIS::Action::Http", "properties": {"name": "blob",
            "definition": {"method": "POST", "url": "https://big.example.com/",
                           "requestBody": {"data": "a".repeat(5 * 1024 * 1024)}}}}}});
    let r = add(json!({"integration": "legacy_erp", "bundle": big,
                       "metadata": {"name": "huge", "uuid": "0f0f0f0f-0000-4000-8000-000000000001"}}))
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let made = body_json(r).await;
    assert_eq!(made["uuid"], "0f0f0f0f-0000-4000-8000-000000000001");
    let r = c
        .get(url(
            &h,
            "/api/services/zis/registry/legacy_erp/bundles/0f0f0f0f-0000-4000-8000-000000000001",
        ))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(text.len() > 5_000_000);
    assert!(
        serde_json::from_str::<Value>(&text).unwrap() == big,
        "exactly the value given"
    );

    // Unknown types, a missing definition, a resource that is not an object; not wrapped,
    // even with the wrapped shape in force.
    let odd = json!({"name": "odd", "resources": {
        "a": {"type": "ZIS::Unknown::Thing", "properties": {}},
        "b": {"type": "ZIS::Action::Http", "properties": {"name": "b"}},
        "c": 42, "d": {"type": "ZIS::Flow"}, "e": {"type": "ZIS::JobSpec", "properties": null}}});
    let r = add(json!({"integration": "legacy_erp", "bundle": odd,
        "metadata": {"name": "odd\u{1b}[31m", "description": 7}}))
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let uuid = body_json(r).await["uuid"].as_str().unwrap().to_string();
    let d = detail(&h, &c, &auth, "legacy_erp", &uuid).await;
    assert!(d == odd);
    // Its listing entry is the metadata as given, completed.
    let list = paged(&h, &c, &auth, "legacy_erp", "bundles", 100).await;
    let entry = list
        .iter()
        .find(|b| b["uuid"] == uuid.as_str())
        .expect("listed");
    assert_eq!(entry["name"], "odd\u{1b}[31m");
    assert_eq!(entry["description"], 7);
    assert_eq!(entry["integration"], "legacy_erp");
    assert_eq!(list.len(), 3, "erp_lookup, huge, odd");

    // A body that is not JSON at all.
    let r =
        add(json!({"integration": "legacy_erp", "raw": "{\"bundle\": {\"name\": \"trunc"})).await;
    let uuid = body_json(r).await["uuid"].as_str().unwrap().to_string();
    let r = c
        .get(url(&h, &format!("{REG}/legacy_erp/bundles/{uuid}")))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.text().await.unwrap(), "{\"bundle\": {\"name\": \"trunc");

    // The switch's own errors.
    for (body, status) in [
        (json!({"bundle": {}}), StatusCode::BAD_REQUEST),
        (
            json!({"integration": "legacy_erp"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"integration": "legacy_erp", "bundle": {}, "raw": "x"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"integration": "legacy_erp", "bundle": {}, "metadata": []}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"integration": "legacy_erp", "bundle": {}, "extra": 1}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"integration": "no_such_one", "bundle": {}}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        assert_eq!(add(body.clone()).await.status(), status, "{body}");
    }
}

#[tokio::test]
async fn synthetic_accounts_get_a_bundle_and_a_client_each() {
    let (h, c) = synthetic(3, 5).await;
    assert_eq!(
        h.counts(),
        (3, 15),
        "the connections listing keeps its size"
    );
    for integ in integrations(&h, &c).await {
        let s = served(&h, &c, &integ).await;
        assert_eq!(s.connections.len(), 5);
        let actions: Vec<&Value> = s
            .resources
            .iter()
            .filter(|(_, _, r)| r["type"] == "ZIS::Action::Http")
            .map(|(_, _, r)| r)
            .collect();
        assert_eq!(actions.len(), 3);
        assert_eq!(used(&s).len(), 3);
        assert!(problems(&integ, &s).is_empty(), "{integ}: a healthy bundle");
        assert_eq!(s.job_specs.len(), 1);
        assert_eq!(s.job_specs[0]["installed"], true);
        let tok = mint(&h, &c, &integ, &["read"]).await;
        let (st, v) = json_call(
            &h,
            &c,
            Method::GET,
            &format!("{OAUTH}/clients/{integ}"),
            &tok,
            None,
        )
        .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(v["clients"].as_array().unwrap().len(), 1);
    }
    // No connections: a bundle with nothing in it, and no job spec.
    let (h, c) = synthetic(1, 0).await;
    let s = served(&h, &c, "synthetic-0001").await;
    assert!(s.resources.is_empty() && s.job_specs.is_empty());
}
