//! The sandbox's ZIS OAuth clients and OAuth connections over plain HTTP (reqwest), against
//! `zisctl::sandbox::spawn` on 127.0.0.1:0, checked against ZIS_API.md and CONTRACT-11-12.md:
//! the clients' routes and errors, wrapped and bare answers, the cascade, the `?name=` show,
//! the start flow for both grant types, and the demo's OAuth problems. Secrets the server sends
//! in clear are compared, never shown in an assertion message.

#[path = "sandbox_zis/support.rs"]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

const HR: &str = "hr_onboarding";
const SLACK: &str = "slack_notify";

fn clients_path(integration: &str) -> String {
    format!("{OAUTH}/clients/{integration}")
}

fn named(integration: &str, name: &str) -> String {
    format!("/api/services/zis/connections/{integration}?name={name}")
}

fn by_name<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|x| x["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

async fn clients(
    h: &zisctl::sandbox::SandboxHandle,
    c: &reqwest::Client,
    tok: &str,
    integration: &str,
) -> Vec<Value> {
    let (s, v) = json_call(h, c, Method::GET, &clients_path(integration), tok, None).await;
    assert_eq!(s, StatusCode::OK);
    v["clients"].as_array().unwrap().clone()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn oauth_clients_list_create_update_delete() {
    let (h, c) = demo().await;
    let tok = mint(&h, &c, HR, &["read", "write"]).await;

    // The demo's clients: the fields of the documentation, the secret in clear.
    let list = clients(&h, &c, &tok, HR).await;
    let names: Vec<&str> = list.iter().filter_map(|x| x["name"].as_str()).collect();
    assert_eq!(names, ["microsoft_entra", "zendesk"], "in name order");
    let entra = by_name(&list, "microsoft_entra");
    assert_eq!(
        keys(entra),
        [
            "auth_url",
            "client_id",
            "client_secret",
            "created_at",
            "created_by",
            "default_scopes",
            "grant_type",
            "integration",
            "name",
            "token_url",
            "updated_at",
            "uuid"
        ]
    );
    assert_eq!(entra["grant_type"], "client_credentials");
    assert_eq!(entra["integration"], HR);
    assert!(entra["auth_url"].is_null());
    let secret = entra["client_secret"].as_str().unwrap_or("");
    assert!(secret.len() >= 20 && !secret.contains('*'), "in clear");
    let updated = parse_ts(entra["updated_at"].as_str().unwrap());
    assert!(
        (time::OffsetDateTime::now_utc() - updated).whole_days() > 400,
        "a client not updated in over 400 days"
    );
    assert_eq!(
        by_name(&list, "zendesk")["grant_type"],
        "authorization_code"
    );

    // Create: 201, wrapped, the fields as sent.
    let body = json!({"name": "github_app", "client_id": "Iv1.8a61f9b3a7aba766",
        "client_secret": "gh-client-secret-canary-1", "token_url": "https://github.com/login/oauth/access_token",
        "auth_url": "https://github.com/login/oauth/authorize", "default_scopes": "repo read:org"});
    let (s, v) = json_call(&h, &c, Method::POST, &clients_path(HR), &tok, Some(body)).await;
    assert_eq!(s, StatusCode::CREATED);
    let made = &v["client"];
    assert_eq!(made["name"], "github_app");
    assert_eq!(made["grant_type"], "authorization_code", "the default");
    assert_eq!(made["default_scopes"], "repo read:org");
    assert!(made["client_secret"] == "gh-client-secret-canary-1");
    assert!(made["created_by"].is_string());
    let uuid = made["uuid"].as_str().unwrap().to_string();
    assert_eq!(uuid.len(), 36);
    assert_eq!(clients(&h, &c, &tok, HR).await.len(), 3);

    // A taken name is a conflict.
    let dup = json!({"name": "github_app", "client_id": "x", "client_secret": "y",
                     "token_url": "https://github.com/login/oauth/access_token"});
    let (s, v) = json_call(&h, &c, Method::POST, &clients_path(HR), &tok, Some(dup)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(first_code(&v), "Conflict");

    // PATCH rotates the secret in place: 200, wrapped; created_at kept, updated_at moves.
    let item = format!("{}/{uuid}", clients_path(HR));
    let patch = json!({"client_secret": "gh-client-secret-canary-2", "default_scopes": "repo"});
    let (s, v) = json_call(&h, &c, Method::PATCH, &item, &tok, Some(patch)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["client"]["client_secret"] == "gh-client-secret-canary-2");
    assert_eq!(v["client"]["default_scopes"], "repo");
    assert_eq!(v["client"]["created_at"], made["created_at"]);
    assert!(
        parse_ts(v["client"]["updated_at"].as_str().unwrap())
            >= parse_ts(made["updated_at"].as_str().unwrap())
    );
    let listed = clients(&h, &c, &tok, HR).await;
    assert!(by_name(&listed, "github_app")["client_secret"] == "gh-client-secret-canary-2");

    // PATCH errors: the name is fixed, an empty PATCH, an unknown field, an unknown uuid.
    for (body, field) in [
        (json!({"name": "other"}), "name"),
        (json!({"colour": "red"}), "colour"),
        (json!({"token_url": "ftp://github.com/x"}), "token_url"),
        (json!({}), ""),
    ] {
        let (s, v) = json_call(&h, &c, Method::PATCH, &item, &tok, Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{field}");
        if field.is_empty() {
            assert!(first_title(&v).starts_with("nothing to update"));
        } else {
            assert_eq!(pointers(&v), [field]);
        }
    }
    let missing = format!("{}/00000000-0000-4000-8000-000000000000", clients_path(HR));
    let (s, v) = json_call(
        &h,
        &c,
        Method::PATCH,
        &missing,
        &tok,
        Some(json!({"client_id": "x"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(first_title(&v), "OAuth client does not exist");

    // PUT is 405 (reported live), GET on one client too; in the documented error shape.
    for m in [Method::PUT, Method::GET] {
        let (s, v) = json_call(&h, &c, m.clone(), &item, &tok, Some(json!({}))).await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{m}");
        assert_eq!(first_code(&v), "MethodNotAllowed");
    }

    // DELETE: 204, then 404.
    let (s, v) = json_call(&h, &c, Method::DELETE, &item, &tok, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(v.is_null());
    let (s, _) = json_call(&h, &c, Method::DELETE, &item, &tok, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(clients(&h, &c, &tok, HR).await.len(), 2);
}

#[tokio::test]
async fn oauth_client_validation_and_auth() {
    let (h, c) = demo().await;
    let tok = mint(&h, &c, SLACK, &["read", "write"]).await;
    let good = json!({"name": "okta_oidc", "client_id": "0oa1b2c3", "client_secret": "s",
                      "token_url": "https://acme.okta.com/oauth2/v1/token"});
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = good.clone();
        b.as_object_mut().unwrap().remove(k);
        b
    };
    for (body, field) in [
        (without("name"), "name"),
        (without("client_id"), "client_id"),
        (without("client_secret"), "client_secret"),
        (without("token_url"), "token_url"),
        (with("name", json!("ab")), "name"),
        (with("name", json!("has space")), "name"),
        (with("token_url", json!("not a url")), "token_url"),
        (
            with("token_url", json!("https://user:pw@acme.okta.com/t")),
            "token_url",
        ),
        (with("auth_url", json!("javascript:alert(1)")), "auth_url"),
        (with("grant_type", json!("password")), "grant_type"),
        (with("client_secret", json!("")), "client_secret"),
        (with("client_id", json!(42)), "client_id"),
        (with("extra", json!(1)), "extra"),
    ] {
        let (s, v) = json_call(&h, &c, Method::POST, &clients_path(SLACK), &tok, Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(pointers(&v), [field], "{field}");
    }
    // `zendesk` is not reserved for clients, and client_credentials is a grant type.
    let ok = with("name", json!("zendesk_two"));
    let ok = {
        let mut b = ok;
        b["grant_type"] = json!("client_credentials");
        b
    };
    let (s, v) = json_call(&h, &c, Method::POST, &clients_path(SLACK), &tok, Some(ok)).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["client"]["grant_type"], "client_credentials");

    // Auth: no token, a read-only token writing, another integration's token, an unknown
    // integration.
    let r = reqwest::Client::new()
        .get(url(&h, &clients_path(SLACK)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let ro = mint(&h, &c, SLACK, &["read"]).await;
    let (s, v) = json_call(
        &h,
        &c,
        Method::POST,
        &clients_path(SLACK),
        &ro,
        Some(good.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(first_code(&v), "Forbidden");
    let other = mint(&h, &c, HR, &["read", "write"]).await;
    let r = call(&h, &c, Method::GET, &clients_path(SLACK), &other, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.text().await.unwrap(),
        "Authorization failed due to integration mismatch"
    );
    let (s, v) = json_call(
        &h,
        &c,
        Method::GET,
        &clients_path("no_such_one"),
        &tok,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(first_code(&v), "InvalidIntegration");
}

#[tokio::test]
async fn shape_switches_bare_and_200() {
    let (h, c) = demo().await;
    let tok = mint(&h, &c, HR, &["read", "write"]).await;
    let r = c.get(url(&h, "/_sandbox/shapes")).send().await.unwrap();
    assert_eq!(
        body_json(r).await,
        json!({"oauth_clients": "wrapped", "create_status": 201,
               "oauth_connection": "wrapped", "bundle": "wrapped"})
    );
    for bad in [
        json!({"oauth_clients": "naked"}),
        json!({"create_status": 204}),
        json!({"colour": "red"}),
    ] {
        let r = post_switch(&h, &c, "/_sandbox/shapes", bad).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }
    let r = post_switch(
        &h,
        &c,
        "/_sandbox/shapes",
        json!({"oauth_clients": "bare", "create_status": 200, "oauth_connection": "bare"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(body_json(r).await["create_status"], 200);

    let body = json!({"name": "bare_one", "client_id": "id", "client_secret": "bare-secret-1",
                      "token_url": "https://provider.example.com/token"});
    let (s, v) = json_call(&h, &c, Method::POST, &clients_path(HR), &tok, Some(body)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.get("client").is_none());
    assert_eq!(v["name"], "bare_one");
    let item = format!("{}/{}", clients_path(HR), v["uuid"].as_str().unwrap());
    let (s, v) = json_call(
        &h,
        &c,
        Method::PATCH,
        &item,
        &tok,
        Some(json!({"client_id": "id2"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["client_id"], "id2");

    let (s, v) = json_call(&h, &c, Method::GET, &named(HR, "zendesk"), &tok, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.get("oauth").is_none());
    assert_eq!(v["name"], "zendesk");
}

#[tokio::test]
async fn deleting_a_client_deletes_its_oauth_connections() {
    let (h, c) = demo().await;
    let tok = mint(&h, &c, HR, &["read", "write"]).await;
    let entra = by_name(&clients(&h, &c, &tok, HR).await, "microsoft_entra").clone();
    let before = all_listed(&h, &c, &tok, HR).await;
    let oauth = oauth_listed(&h, &c, &tok, HR).await;
    assert_eq!(
        by_name(&oauth, "microsoft_graph")["oauth_client_uuid"],
        entra["uuid"]
    );

    let item = format!("{}/{}", clients_path(HR), entra["uuid"].as_str().unwrap());
    let (s, _) = json_call(&h, &c, Method::DELETE, &item, &tok, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let after = all_listed(&h, &c, &tok, HR).await;
    assert_eq!(after.len(), before.len() - 1, "only microsoft_graph went");
    assert!(!after.iter().any(|(_, x)| x["name"] == "microsoft_graph"));
    let (s, v) = json_call(
        &h,
        &c,
        Method::GET,
        &named(HR, "microsoft_graph"),
        &tok,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(first_title(&v), "Connection does not exist");
    // The zendesk connection, made with another client, stays.
    let (s, _) = json_call(&h, &c, Method::GET, &named(HR, "zendesk"), &tok, None).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn oauth_connections_in_clear_shown_by_name_and_deleted() {
    let (h, c) = demo().await;
    let tok = mint(&h, &c, HR, &["read", "write"]).await;
    let listed = oauth_listed(&h, &c, &tok, HR).await;
    let names: Vec<&str> = listed.iter().filter_map(|x| x["name"].as_str()).collect();
    assert_eq!(names, ["microsoft_graph", "zendesk"]);
    let graph = by_name(&listed, "microsoft_graph");
    for f in [
        "name",
        "uuid",
        "oauth_client_uuid",
        "permission_scope",
        "token_type",
        "token_expiry",
        "created_by",
        "created_at",
        "updated_at",
        "access_token",
        "refresh_token",
        "oauth_access_token_response_body",
    ] {
        assert!(graph.get(f).is_some(), "{f}");
    }
    let at = graph["access_token"].as_str().unwrap_or("");
    assert!(at.len() >= 20 && at != "*****", "the access token in clear");
    let body = graph["oauth_access_token_response_body"]
        .as_str()
        .unwrap_or("");
    assert!(body.contains(at), "the provider's answer holds the token");
    assert!(graph["refresh_token"].is_null(), "client credentials: none");
    // The expired one: the refresh is failing.
    let expiry = graph["token_expiry"].as_str().unwrap();
    assert_expiry_format(expiry);
    assert!(parse_ts(expiry) < time::OffsetDateTime::now_utc());
    let zd = by_name(&listed, "zendesk");
    assert!(zd["refresh_token"].as_str().is_some_and(|r| r.len() >= 20));
    assert!(parse_ts(zd["token_expiry"].as_str().unwrap()) > time::OffsetDateTime::now_utc());

    // Shown by ?name=: wrapped in "oauth", the same object as listed.
    let (s, v) = json_call(
        &h,
        &c,
        Method::GET,
        &named(HR, "microsoft_graph"),
        &tok,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v["oauth"] == *graph);
    // Only OAuth connections; a missing name; no name.
    for n in ["workday_isu", "no_such_conn"] {
        let (s, v) = json_call(&h, &c, Method::GET, &named(HR, n), &tok, None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{n}");
        assert_eq!(first_title(&v), "Connection does not exist");
    }
    let (s, v) = json_call(
        &h,
        &c,
        Method::GET,
        &format!("/api/services/zis/connections/{HR}"),
        &tok,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(pointers(&v), ["name"]);

    // ZIS has no connections/oauth/{name} route.
    for m in [Method::GET, Method::PATCH, Method::DELETE] {
        let (s, v) = json_call(
            &h,
            &c,
            m.clone(),
            &format!("{CONN}/{HR}/connections/oauth/zendesk"),
            &tok,
            Some(json!({})),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{m}");
        assert_eq!(first_title(&v), "No route", "{m}");
    }
    let (s, v) = json_call(
        &h,
        &c,
        Method::POST,
        &format!("{CONN}/{HR}/connections/oauth"),
        &tok,
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(
        (s, first_title(&v).as_str()),
        (StatusCode::NOT_FOUND, "No route")
    );

    // Delete by ?name= (the reserved zendesk connection too: the client guards it).
    let (s, v) = json_call(&h, &c, Method::DELETE, &named(HR, "zendesk"), &tok, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(v.is_null());
    let (s, _) = json_call(&h, &c, Method::GET, &named(HR, "zendesk"), &tok, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = json_call(&h, &c, Method::DELETE, &named(HR, "zendesk"), &tok, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = json_call(
        &h,
        &c,
        Method::DELETE,
        &named(HR, "workday_isu"),
        &tok,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not an OAuth connection");
    assert_eq!(oauth_listed(&h, &c, &tok, HR).await.len(), 1);
}

/// The value of a hidden input of the provider's consent page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("the hidden field") + marker.len();
    let end = start + page[start..].find('"').expect("its end");
    page[start..end].to_string()
}

#[tokio::test]
async fn authorization_code_flow_end_to_end() {
    let (h, c) = demo().await;
    let tok = mint(&h, &c, SLACK, &["read", "write"]).await;
    let show = |name: &'static str| {
        let (h, c, tok) = (&h, &c, tok.clone());
        async move {
            let (s, v) = json_call(h, c, Method::GET, &named(SLACK, name), &tok, None).await;
            assert_eq!(s, StatusCode::OK);
            v["oauth"].clone()
        }
    };
    let old = show("slack_oauth").await;
    let origin = "https://admin.example.com/zis/done";
    let start = json!({"name": "slack_oauth", "oauth_client_name": "slack",
        "grant_type": "authorization_code", "permission_scopes": "chat:write",
        "allow_offline_access": true, "origin_oauth_redirect_url": origin});
    let (s, v) = json_call(
        &h,
        &c,
        Method::POST,
        &format!("{OAUTH}/start/{SLACK}"),
        &tok,
        Some(start.clone()),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let redirect = v["redirect_url"].as_str().unwrap().to_string();
    assert!(redirect.starts_with(&format!("{}/_sandbox/provider/authorize?", h.base_url)));
    assert!(redirect.contains("response_type=code") && redirect.contains("state="));

    // The consent page (the test is the browser), then Allow.
    let r = c.get(&redirect).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = r.text().await.unwrap();
    assert!(page.contains("Allow") && page.contains("Deny") && page.contains("slack_oauth"));
    let state = hidden(&page, "state");
    let decide = |decision: &'static str, state: String| {
        let c = c.clone();
        let to = url(&h, "/_sandbox/provider/decision");
        async move {
            form(
                c.post(to),
                &[("state", state.as_str()), ("decision", decision)],
            )
            .send()
            .await
            .unwrap()
        }
    };
    let r = decide("allow", state.clone()).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], origin);
    let new = show("slack_oauth").await;
    assert!(
        parse_ts(new["token_expiry"].as_str().unwrap())
            > parse_ts(old["token_expiry"].as_str().unwrap())
    );
    assert!(new["access_token"] != old["access_token"], "fresh tokens");
    assert!(new["refresh_token"].is_string());
    assert_eq!(new["permission_scope"], "chat:write");
    assert_eq!(new["uuid"], old["uuid"], "refreshed in place");
    // The form is good once.
    let r = decide("allow", state).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    // Deny: back to the origin with access_denied; the connection unchanged.
    let (_, v) = json_call(
        &h,
        &c,
        Method::POST,
        &format!("{OAUTH}/start/{SLACK}"),
        &tok,
        Some(start.clone()),
    )
    .await;
    let page = c
        .get(v["redirect_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = decide("deny", hidden(&page, "state")).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        loc.starts_with(origin) && loc.contains("error=access_denied"),
        "{loc}"
    );
    assert!(show("slack_oauth").await["access_token"] == new["access_token"]);

    // A new name makes a new OAuth connection; auto-approve answers the redirect at once.
    let r = post_switch(&h, &c, "/_sandbox/oauth", json!({"auto_approve": true})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let fresh = json!({"name": "slack_oauth_eu", "oauth_client_name": "slack",
                       "origin_oauth_redirect_url": origin});
    let (s, v) = json_call(
        &h,
        &c,
        Method::POST,
        &format!("{OAUTH}/start/{SLACK}"),
        &tok,
        Some(fresh),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let r = c
        .get(v["redirect_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], origin);
    let made = show("slack_oauth_eu").await;
    assert_eq!(
        made["permission_scope"], "chat:write channels:read",
        "the client's default"
    );
    assert!(made["refresh_token"].is_null(), "no offline access asked");
    let slack = by_name(&clients(&h, &c, &tok, SLACK).await, "slack").clone();
    assert_eq!(made["oauth_client_uuid"], slack["uuid"]);
    assert_expiry_format(made["token_expiry"].as_str().unwrap());

    // Counted per route.
    let stats = body_json(c.get(url(&h, "/_sandbox/stats")).send().await.unwrap()).await;
    assert_eq!(
        stats["by_route"]["POST /api/services/zis/connections/oauth/start/{integration}"],
        3
    );
    assert_eq!(
        stats["by_route"]["GET /api/services/zis/connections/{integration}"], 4,
        "four ?name= shows"
    );
}

#[tokio::test]
async fn client_credentials_flow_reauthorises_the_expired_connection() {
    let (h, c) = demo().await;
    let tok = mint(&h, &c, HR, &["read", "write"]).await;
    let (_, v) = json_call(
        &h,
        &c,
        Method::GET,
        &named(HR, "microsoft_graph"),
        &tok,
        None,
    )
    .await;
    let old = v["oauth"].clone();
    assert!(parse_ts(old["token_expiry"].as_str().unwrap()) < time::OffsetDateTime::now_utc());

    // The client's grant type is the default.
    let start = json!({"name": "microsoft_graph", "oauth_client_name": "microsoft_entra"});
    let (s, v) = json_call(
        &h,
        &c,
        Method::POST,
        &format!("{OAUTH}/start/{HR}"),
        &tok,
        Some(start),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let verify = v["redirect_url"].as_str().unwrap().to_string();
    let prefix = format!("{}{OAUTH}/verify/{HR}?verification_code=", h.base_url);
    assert!(verify.starts_with(&prefix));
    let path = verify.trim_start_matches(&h.base_url).to_string();

    // Another token of the integration, another integration's token, no token: refused.
    let other = mint(&h, &c, HR, &["read", "write"]).await;
    let (s, v) = json_call(&h, &c, Method::GET, &path, &other, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(first_code(&v), "Forbidden");
    let foreign = mint(&h, &c, SLACK, &["read"]).await;
    let r = call(&h, &c, Method::GET, &path, &foreign, None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = c.get(&verify).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // The same token finishes it: the token expiry moves into the future.
    let (s, v) = json_call(&h, &c, Method::GET, &path, &tok, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["status"], "connected");
    assert_eq!(v["name"], "microsoft_graph");
    assert_eq!(v["created"], false);
    assert!(v.get("access_token").is_none(), "no secret in the answer");
    let (_, now) = json_call(
        &h,
        &c,
        Method::GET,
        &named(HR, "microsoft_graph"),
        &tok,
        None,
    )
    .await;
    let expiry = now["oauth"]["token_expiry"].as_str().unwrap();
    assert_eq!(v["token_expiry"], expiry);
    assert!(parse_ts(expiry) > time::OffsetDateTime::now_utc());
    assert!(now["oauth"]["access_token"] != old["access_token"]);
    // Good once.
    let (s, v) = json_call(&h, &c, Method::GET, &path, &tok, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(first_title(&v).contains("Verification code"));
    let (s, v) = json_call(
        &h,
        &c,
        Method::GET,
        &format!("{OAUTH}/verify/{HR}"),
        &tok,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(pointers(&v), ["verification_code"]);
}

#[tokio::test]
async fn start_flow_errors() {
    let (h, c) = demo().await;
    let tok = mint(&h, &c, HR, &["read", "write"]).await;
    let path = format!("{OAUTH}/start/{HR}");
    let origin = "https://admin.example.com/done";
    for (body, field) in [
        (json!({"name": "abc"}), "oauth_client_name"),
        (
            json!({"oauth_client_name": "zendesk", "grant_type": "implicit"}),
            "grant_type",
        ),
        (
            json!({"oauth_client_name": "zendesk", "origin_oauth_redirect_url": "nope"}),
            "origin_oauth_redirect_url",
        ),
        (
            json!({"oauth_client_name": "zendesk", "allow_offline_access": "yes"}),
            "allow_offline_access",
        ),
        (
            json!({"oauth_client_name": "zendesk", "colour": 1}),
            "colour",
        ),
        // authorization_code needs an origin, and a client with an auth_url.
        (
            json!({"oauth_client_name": "zendesk"}),
            "origin_oauth_redirect_url",
        ),
        (
            json!({"oauth_client_name": "microsoft_entra", "grant_type": "authorization_code",
                "origin_oauth_redirect_url": origin}),
            "oauth_client_name",
        ),
        (
            json!({"name": "x", "oauth_client_name": "zendesk", "origin_oauth_redirect_url": origin}),
            "name",
        ),
    ] {
        let (s, v) = json_call(&h, &c, Method::POST, &path, &tok, Some(body)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(pointers(&v), [field], "{field}");
    }
    for body in [
        json!({"oauth_client_name": "nope", "origin_oauth_redirect_url": origin}),
        json!({"oauth_client_uuid": "00000000-0000-4000-8000-000000000000"}),
    ] {
        let (s, v) = json_call(&h, &c, Method::POST, &path, &tok, Some(body)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(first_title(&v), "OAuth client does not exist");
    }
    // The name of a connection of another kind.
    let (s, v) = json_call(
        &h,
        &c,
        Method::POST,
        &path,
        &tok,
        Some(json!({"name": "workday_isu",
        "oauth_client_name": "zendesk", "origin_oauth_redirect_url": origin})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(first_code(&v), "Conflict");
    // By uuid; and a read-only token may not start one.
    let zd = by_name(&clients(&h, &c, &tok, HR).await, "zendesk").clone();
    let by_uuid = json!({"oauth_client_uuid": zd["uuid"], "origin_oauth_redirect_url": origin});
    let (s, _) = json_call(&h, &c, Method::POST, &path, &tok, Some(by_uuid.clone())).await;
    assert_eq!(s, StatusCode::OK);
    let ro = mint(&h, &c, HR, &["read"]).await;
    let (s, _) = json_call(&h, &c, Method::POST, &path, &ro, Some(by_uuid)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // An expired or unknown consent page.
    let r = c
        .get(url(&h, "/_sandbox/provider/authorize?state=0000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn registry_upsert_issues_a_new_client_secret() {
    let (h, c) = demo().await;
    let reg = |d: &'static str| {
        let c = c.clone();
        let to = url(&h, "/api/services/zis/registry/legacy_erp");
        let auth = h.admin_authorization();
        async move {
            let r = c
                .post(to)
                .header("Authorization", auth)
                .json(&json!({"description": d}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            body_json(r).await
        }
    };
    let a = reg("first").await;
    let b = reg("second").await;
    assert_eq!(
        a["zendesk_oauth_client"]["id"],
        b["zendesk_oauth_client"]["id"]
    );
    assert_eq!(b["description"], "second");
    let (sa, sb) = (
        a["zendesk_oauth_client"]["secret"].as_str().unwrap_or(""),
        b["zendesk_oauth_client"]["secret"].as_str().unwrap_or(""),
    );
    assert!(
        sa.len() >= 20 && sb.len() >= 20 && sa != sb,
        "a new secret each time"
    );
}

/// The sandbox binary at `RUST_LOG=trace` through every new route that carries a secret: no
/// client secret, OAuth token, flow token or verification code reaches its log.
#[test]
fn the_binary_logs_no_oauth_secret_even_at_trace() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let bin = Binary::start(log.reopen().unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let secrets: Vec<String> = rt.block_on(async {
        let c = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let call = |m: Method, path: String, tok: String, body: Option<Value>| {
            let c = c.clone();
            let to = format!("{}{path}", bin.base);
            async move {
                let mut r = c.request(m, to).header("Authorization", format!("Bearer {tok}"));
                if let Some(b) = body {
                    r = r.json(&b);
                }
                let r = r.send().await.unwrap();
                let s = r.status();
                let t = r.text().await.unwrap();
                (s, serde_json::from_str::<Value>(&t).unwrap_or(Value::Null))
            }
        };
        let list = c
            .get(format!("{}/api/services/zis/registry/integrations", bin.base))
            .header("Authorization", &bin.admin_authorization)
            .send()
            .await
            .unwrap();
        let list: Value = list.json().await.unwrap();
        let id = list["integrations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == HR)
            .unwrap()["zendesk_oauth_client"]["id"]
            .clone();
        let minted: Value = c
            .post(format!("{}/api/v2/oauth/tokens", bin.base))
            .header("Authorization", &bin.admin_authorization)
            .json(&json!({"token": {"client_id": id, "scopes": ["read", "write"]}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tok = minted["token"]["full_token"].as_str().unwrap().to_string();
        let mut out = vec![tok.clone()];
        let sent = "log-canary-client-secret-7f3a9c";
        let (s, v) = call(Method::POST, clients_path(HR), tok.clone(), Some(json!({
            "name": "canary_client", "client_id": "canary-id", "client_secret": sent,
            "token_url": "https://provider.example.com/token", "auth_url": "https://provider.example.com/auth"}))).await;
        assert_eq!(s, StatusCode::CREATED);
        out.push(sent.to_string());
        let uuid = v["client"]["uuid"].as_str().unwrap().to_string();
        let (s, _) = call(Method::PATCH, format!("{}/{uuid}", clients_path(HR)), tok.clone(),
            Some(json!({"client_secret": "log-canary-client-secret-rotated"}))).await;
        assert_eq!(s, StatusCode::OK);
        out.push("log-canary-client-secret-rotated".into());
        let (_, v) = call(Method::GET, clients_path(HR), tok.clone(), None).await;
        for cl in v["clients"].as_array().unwrap() {
            out.push(cl["client_secret"].as_str().unwrap().to_string());
        }
        // Both flows; the consent page answers at once (--auto-approve).
        let (_, v) = call(Method::POST, format!("{OAUTH}/start/{HR}"), tok.clone(), Some(json!({
            "name": "canary_conn", "oauth_client_name": "canary_client", "allow_offline_access": true,
            "origin_oauth_redirect_url": "https://admin.example.com/done"}))).await;
        let redirect = v["redirect_url"].as_str().unwrap().to_string();
        let state = url::Url::parse(&redirect).unwrap().query_pairs()
            .find(|(k, _)| k == "state").unwrap().1.into_owned();
        out.push(state);
        let r = c.get(&redirect).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FOUND);
        let (_, v) = call(Method::POST, format!("{OAUTH}/start/{HR}"), tok.clone(),
            Some(json!({"oauth_client_name": "microsoft_entra", "name": "microsoft_graph"}))).await;
        let verify = v["redirect_url"].as_str().unwrap().to_string();
        out.push(url::Url::parse(&verify).unwrap().query_pairs().next().unwrap().1.into_owned());
        let (s, _) = call(Method::GET, verify.trim_start_matches(&bin.base).to_string(), tok.clone(), None).await;
        assert_eq!(s, StatusCode::OK);
        // Every token the server now holds in clear, through the listing and the show.
        for n in ["canary_conn", "microsoft_graph", "zendesk"] {
            let (s, v) = call(Method::GET, named(HR, n), tok.clone(), None).await;
            assert_eq!(s, StatusCode::OK);
            for f in ["access_token", "refresh_token"] {
                if let Some(t) = v["oauth"][f].as_str() {
                    out.push(t.to_string());
                }
            }
        }
        let (s, _) = call(Method::DELETE, format!("{}/{uuid}", clients_path(HR)), tok.clone(), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        out
    });
    drop(bin);
    let logged = std::fs::read_to_string(log.path()).unwrap();
    assert!(
        logged.contains("sandbox request") && logged.contains("oauth/start"),
        "the log is on and saw the requests"
    );
    for (i, s) in secrets.iter().enumerate() {
        assert!(s.len() >= 16, "value {i} is long enough to find");
        assert!(
            !logged.contains(s.as_str()),
            "value {i} of the list is in the log"
        );
    }
}
