//! The sandbox's ZIS OAuth clients over plain HTTP (reqwest), against `zisctl::sandbox::spawn`
//! on 127.0.0.1:0, checked against ZIS_API.md and CONTRACT-11-12.md: every route and error,
//! wrapped and bare answers, 200 or 201, PUT 405, the cascade onto OAuth connections, and the
//! registry upsert's new secret. Secrets the server sends in clear are compared, never shown in
//! an assertion message.

#[path = "sandbox_zis/support.rs"]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

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
