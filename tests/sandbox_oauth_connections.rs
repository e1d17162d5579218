//! The sandbox's OAuth connections over plain HTTP (reqwest), against `zisctl::sandbox::spawn`
//! on 127.0.0.1:0, checked against ZIS_API.md and CONTRACT-11-12.md: tokens in clear in the
//! listing, the `?name=` show and delete (and no `connections/oauth/{name}` route), the start
//! flow end to end for authorization_code (the stand-in provider's consent page) and
//! client_credentials (the verification URL), its errors, and the binary's log at trace. Tokens
//! are compared, never shown in an assertion message.

#[path = "sandbox_zis/support.rs"]
mod support;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

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
