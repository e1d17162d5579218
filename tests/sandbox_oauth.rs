//! The sandbox's Zendesk OAuth over plain HTTP (reqwest), against `zisctl::sandbox::spawn` on
//! 127.0.0.1:0: the test plays both the browser and the client. Nothing here prints a token,
//! a code or a secret in an assertion message: values are compared, never shown.

#[path = "sandbox_oauth/support.rs"]
mod support;

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use zisctl::sandbox::OAuthConfig;

use support::*;

#[tokio::test]
async fn code_flow_with_pkce_then_refresh_rotates() {
    let (h, c) = auto().await;
    let code = code(&h, &c, "state-123").await;
    let (status, v) = exchange(&h, &c, &code, VERIFIER).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["scope"], "read write");
    assert_eq!(v["expires_in"], 1800);
    assert_eq!(v["refresh_token_expires_in"], 2_592_000);
    let access = v["access_token"].as_str().unwrap().to_string();
    let refresh = v["refresh_token"].as_str().unwrap().to_string();
    assert!(access.len() >= 32 && refresh.len() >= 32 && access != refresh);

    let me = body_json(get_bearer(&h, &c, "/api/v2/users/me", &access).await).await;
    assert_eq!(me["user"]["email"], "admin@sandbox.example");
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["user"]["name"], "Sandbox Admin");

    // Refresh, form-encoded this time: a new pair, and the old one is dead.
    let r = form(
        c.post(url(&h, "/oauth/tokens")),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.as_str()),
            ("client_id", h.public_client_id.as_str()),
        ],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v = body_json(r).await;
    let access2 = v["access_token"].as_str().unwrap().to_string();
    let refresh2 = v["refresh_token"].as_str().unwrap().to_string();
    assert!(access2 != access, "a new access token");
    assert!(refresh2 != refresh, "a new refresh token");
    assert_invalid_token(get_bearer(&h, &c, "/api/v2/users/me", &access).await).await;
    let r = get_bearer(&h, &c, "/api/v2/users/me", &access2).await;
    assert_eq!(r.status(), StatusCode::OK);

    // The rotated refresh token is refused, and counted.
    let again = json!({"grant_type": "refresh_token", "refresh_token": refresh,
                       "client_id": h.public_client_id});
    let (status, v) = token(&h, &c, again).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v), "invalid_grant");
    assert!(v["error_description"].is_string());
    // The new one still refreshes.
    let next = json!({"grant_type": "refresh_token", "refresh_token": refresh2,
                      "client_id": h.public_client_id});
    assert_eq!(token(&h, &c, next).await.0, StatusCode::OK);

    let n = counters(&h, &c).await;
    assert_eq!(n["exchanges"], 1);
    assert_eq!(n["refreshes"], 2);
    assert_eq!(n["refresh_reuse_refused"], 1);
    assert_eq!(n["live_admin_tokens"], 1);
    assert_eq!(n["counters"]["refreshes"], 2);
    let stats = body_json(c.get(url(&h, "/_sandbox/stats")).send().await.unwrap()).await;
    assert_eq!(stats["by_route"]["POST /oauth/tokens"], 4);
    assert_eq!(stats["by_route"]["GET /oauth/authorizations/new"], 1);
    assert_eq!(stats["by_route"]["GET /api/v2/users/me"], 3);
}

#[tokio::test]
async fn consent_page_allow_and_deny() {
    let (h, c) = start(OAuthConfig::default()).await;
    let state = "st\"><script>alert(1)</script>";
    let f = consent_forms(&h, &c, state).await;
    let decisions: Vec<&str> = f.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(decisions, ["allow", "deny"]);
    let fields = &f[0].1;
    assert_eq!(param(fields, "state"), Some(state));
    assert_eq!(param(fields, "redirect_uri"), Some(REDIRECT));
    assert!(param(fields, "authenticity_token").is_some());

    let r = decide(&h, &c, fields, "allow").await;
    let q = redirected(&r);
    assert_eq!(param(&q, "state"), Some(state));
    let code = param(&q, "code").expect("a code").to_string();
    assert_eq!(exchange(&h, &c, &code, VERIFIER).await.0, StatusCode::OK);
    // A form answers once.
    let r = decide(&h, &c, fields, "allow").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let f = consent_forms(&h, &c, "second").await;
    let r = decide(&h, &c, &f[1].1, "deny").await;
    let q = redirected(&r);
    assert_eq!(param(&q, "error"), Some("access_denied"));
    assert_eq!(param(&q, "state"), Some("second"));
    assert_eq!(param(&q, "code"), None);

    // A form whose request was changed on the way is refused.
    let f = consent_forms(&h, &c, "third").await;
    let mut changed = f[0].1.clone();
    for (k, v) in changed.iter_mut() {
        if k == "scope" {
            *v = "read write impersonate".into();
        }
    }
    assert_eq!(
        decide(&h, &c, &changed, "allow").await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(counters(&h, &c).await["exchanges"], 1);
}

#[tokio::test]
async fn code_exchange_refusals() {
    let (h, c) = auto().await;
    let refused = |v: &Value, status: StatusCode, want: StatusCode, error: &str| {
        assert_eq!(status, want);
        assert_eq!(error_of(v), error);
    };
    // A wrong verifier, then the right one: the code was burnt by the first attempt.
    let code1 = code(&h, &c, "a").await;
    let other = "another-verifier-of-forty-three-or-more-characters-xyz";
    let (s, v) = exchange(&h, &c, &code1, other).await;
    refused(&v, s, StatusCode::BAD_REQUEST, "invalid_grant");
    let (s, v) = exchange(&h, &c, &code1, VERIFIER).await;
    refused(&v, s, StatusCode::BAD_REQUEST, "invalid_grant");

    // A redirect_uri that is not exactly the one authorized.
    let code2 = code(&h, &c, "b").await;
    let body = json!({"grant_type": "authorization_code", "code": code2,
        "client_id": h.public_client_id, "redirect_uri": "http://127.0.0.1:8765/callback/",
        "code_verifier": VERIFIER});
    let (s, v) = token(&h, &c, body).await;
    refused(&v, s, StatusCode::BAD_REQUEST, "invalid_grant");

    // A code used twice.
    let code3 = code(&h, &c, "c").await;
    assert_eq!(exchange(&h, &c, &code3, VERIFIER).await.0, StatusCode::OK);
    let (s, v) = exchange(&h, &c, &code3, VERIFIER).await;
    refused(&v, s, StatusCode::BAD_REQUEST, "invalid_grant");

    // An expired code (a lifetime of 0 s: expired as soon as it is made).
    oauth_switch(&h, &c, json!({"code_ttl_secs": 0})).await;
    let code4 = code(&h, &c, "d").await;
    let (s, v) = exchange(&h, &c, &code4, VERIFIER).await;
    refused(&v, s, StatusCode::BAD_REQUEST, "invalid_grant");
    oauth_switch(&h, &c, json!({"code_ttl_secs": 120})).await;

    // No verifier for a PKCE code.
    let code5 = code(&h, &c, "e").await;
    let body = json!({"grant_type": "authorization_code", "code": code5,
        "client_id": h.public_client_id, "redirect_uri": REDIRECT});
    let (s, v) = token(&h, &c, body).await;
    refused(&v, s, StatusCode::BAD_REQUEST, "invalid_request");
    // No grant type; an unknown one.
    let (s, v) = token(&h, &c, json!({"client_id": h.public_client_id})).await;
    refused(&v, s, StatusCode::BAD_REQUEST, "invalid_request");
    let (s, v) = token(
        &h,
        &c,
        json!({"grant_type": "password", "client_id": h.public_client_id}),
    )
    .await;
    refused(&v, s, StatusCode::BAD_REQUEST, "unsupported_grant_type");
    assert_eq!(counters(&h, &c).await["exchanges"], 1);
}

#[tokio::test]
async fn authorization_request_refusals() {
    let (h, c) = auto().await;
    let base = authorize_url(&h, &h.public_client_id, "s", VERIFIER);
    let with = |from: &str, to: &str| base.replace(from, to);
    // Unknown client, foreign redirect: a 400 page, never a redirect.
    for bad in [
        with(
            "client_id=zisctl_sandbox_public",
            "client_id=zis_acme_crm_sync",
        ),
        with("127.0.0.1%3A8765", "evil.example%3A8765"),
        with("redirect_uri=http", "redirect_uri=ftp"),
    ] {
        let r = c.get(bad).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(r.headers().get("location").is_none());
    }
    // The public client without PKCE, with `plain`, with a bad scope: sent back with an error.
    let no_pkce = base.split("&code_challenge=").next().unwrap().to_string();
    for (bad, error) in [
        (no_pkce, "invalid_request"),
        (with("S256", "plain"), "invalid_request"),
        (
            with("scope=read+write", "scope=everything"),
            "invalid_scope",
        ),
        (
            with("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
    ] {
        let r = c.get(bad).send().await.unwrap();
        let q = redirected(&r);
        assert_eq!(param(&q, "error"), Some(error));
        assert_eq!(param(&q, "state"), Some("s"));
    }
    // localhost is a loopback redirect too.
    let r = c
        .get(with("127.0.0.1%3A8765", "localhost%3A9999"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
}

#[tokio::test]
async fn client_credentials_confidential_only() {
    let (h, c) = auto().await;
    let cc = |id: &str, secret: &str| {
        json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret,
               "scope": "read write"})
    };
    let (s, v) = token(
        &h,
        &c,
        cc(&h.confidential_client_id, &h.confidential_client_secret),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(v.get("refresh_token").is_none());
    assert_eq!(v["scope"], "read write");
    let access = v["access_token"].as_str().unwrap().to_string();
    let me = body_json(get_bearer(&h, &c, "/api/v2/users/me", &access).await).await;
    assert_eq!(me["user"]["role"], "admin");

    // The same secret in a Basic header (RFC 6749 §2.3.1).
    let r = form(
        c.post(url(&h, "/oauth/tokens")).basic_auth(
            &h.confidential_client_id,
            Some(&h.confidential_client_secret),
        ),
        &[("grant_type", "client_credentials"), ("scope", "read")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // Refused: the public client, a wrong secret, a ZIS integration's client with its secret.
    let reg = c
        .post(url(&h, "/api/services/zis/registry/cc_probe"))
        .header("Authorization", h.admin_authorization())
        .json(&json!({"description": "x"}))
        .send()
        .await
        .unwrap();
    let reg = body_json(reg).await;
    let zis_id = reg["zendesk_oauth_client"]["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let zis_secret = reg["zendesk_oauth_client"]["secret"]
        .as_str()
        .unwrap()
        .to_string();
    for body in [
        cc(&h.public_client_id, ""),
        cc(&h.confidential_client_id, "wrong"),
        cc(&zis_id, &zis_secret),
    ] {
        let (s, v) = token(&h, &c, body).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(error_of(&v), "invalid_client");
    }
    let n = counters(&h, &c).await;
    assert_eq!(n["client_credentials"], 2);
    assert_eq!(n["exchanges"], 0);
}

#[tokio::test]
async fn confidential_client_code_flow_needs_its_secret() {
    let (h, c) = auto().await;
    // A confidential client may leave PKCE out.
    let mut u = url::Url::parse(&url(&h, "/oauth/authorizations/new")).unwrap();
    u.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &h.confidential_client_id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "read write")
        .append_pair("state", "conf");
    let q = redirected(&c.get(u.as_str()).send().await.unwrap());
    let code = param(&q, "code").expect("a code").to_string();
    let exchange = |secret: Option<&str>| {
        let mut b = json!({"grant_type": "authorization_code", "code": code,
                           "client_id": h.confidential_client_id, "redirect_uri": REDIRECT});
        if let Some(s) = secret {
            b["client_secret"] = json!(s);
        }
        b
    };
    // Without its secret the client is refused before the code is looked at.
    let (s, v) = token(&h, &c, exchange(None)).await;
    assert_eq!(
        (s, error_of(&v)),
        (StatusCode::UNAUTHORIZED, "invalid_client")
    );
    let (s, v) = token(&h, &c, exchange(Some(&h.confidential_client_secret))).await;
    assert_eq!(s, StatusCode::OK);
    let refresh = v["refresh_token"].as_str().unwrap().to_string();
    let refresh_body = |secret: Option<&str>| {
        let mut b = json!({"grant_type": "refresh_token", "refresh_token": refresh,
                           "client_id": h.confidential_client_id});
        if let Some(s) = secret {
            b["client_secret"] = json!(s);
        }
        b
    };
    let (s, _) = token(&h, &c, refresh_body(None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // Another client cannot spend this refresh token.
    let other = json!({"grant_type": "refresh_token", "refresh_token": refresh,
                       "client_id": h.public_client_id});
    let (s, v) = token(&h, &c, other).await;
    assert_eq!(
        (s, error_of(&v)),
        (StatusCode::BAD_REQUEST, "invalid_grant")
    );
    let (s, _) = token(&h, &c, refresh_body(Some(&h.confidential_client_secret))).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn users_me_as_admin_and_agent() {
    let (h, c) = auto().await;
    let r = c
        .get(url(&h, "/api/v2/users/me"))
        .header("Authorization", h.admin_authorization())
        .send()
        .await
        .unwrap();
    let me = body_json(r).await;
    assert_eq!(me["user"]["role"], "admin");
    assert_eq!(me["user"]["email"], h.admin_email);

    assert_eq!(
        oauth_switch(&h, &c, json!({"user": "agent"})).await["user"],
        "agent"
    );
    let (agent, _) = sign_in(&h, &c).await;
    let me = body_json(get_bearer(&h, &c, "/api/v2/users/me", &agent).await).await;
    assert_eq!(me["user"]["role"], "agent");
    assert_eq!(me["user"]["email"], "agent@sandbox.example");
    assert_eq!(me["user"]["name"], "Sandbox Agent");
    // ZIS needs an admin: the registry and minting refuse an agent.
    let r = get_bearer(&h, &c, "/api/services/zis/registry/integrations", &agent).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .post(url(&h, "/api/v2/oauth/tokens"))
        .bearer_auth(&agent)
        .json(&json!({"token": {"client_id": 10_000, "scopes": ["read"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // An unknown bearer is refused; a bad switch is refused by name.
    assert_invalid_token(get_bearer(&h, &c, "/api/v2/users/me", "not-a-token").await).await;
    let r = c
        .post(url(&h, "/_sandbox/oauth"))
        .json(&json!({"user": "owner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn token_show_and_revoke() {
    let (h, c) = auto().await;
    let (access, refresh) = sign_in(&h, &c).await;
    let r = get_bearer(&h, &c, "/api/v2/oauth/tokens/current.json", &access).await;
    assert_eq!(r.status(), StatusCode::OK);
    let t = body_json(r).await;
    let id = t["token"]["id"].as_u64().unwrap();
    assert!(t["token"]["client_id"].is_u64());
    assert_eq!(t["token"]["scopes"], json!(["read", "write"]));
    assert!(t["token"]["expires_at"].is_string() && t["token"]["created_at"].is_string());
    assert!(t["token"].get("full_token").is_none());

    // DELETE current answers 204 and revokes nothing.
    let r = c
        .delete(url(&h, "/api/v2/oauth/tokens/current.json"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get_bearer(&h, &c, "/api/v2/users/me", &access)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(counters(&h, &c).await["revoked"], 0);

    // DELETE by id revokes it, and its refresh token with it.
    let r = c
        .delete(url(&h, &format!("/api/v2/oauth/tokens/{id}.json")))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_invalid_token(get_bearer(&h, &c, "/api/v2/users/me", &access).await).await;
    let body = json!({"grant_type": "refresh_token", "refresh_token": refresh,
                      "client_id": h.public_client_id});
    let (s, v) = token(&h, &c, body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&v), "invalid_grant");
    let n = counters(&h, &c).await;
    assert_eq!(n["revoked"], 1);
    assert_eq!(n["live_admin_tokens"], 0);

    // Another user's token is out of an agent's reach.
    let (admin, _) = sign_in(&h, &c).await;
    let admin_id = body_json(get_bearer(&h, &c, "/api/v2/oauth/tokens/current.json", &admin).await)
        .await["token"]["id"]
        .as_u64()
        .unwrap();
    oauth_switch(&h, &c, json!({"user": "agent"})).await;
    let (agent, _) = sign_in(&h, &c).await;
    let r = c
        .delete(url(&h, &format!("/api/v2/oauth/tokens/{admin_id}.json")))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get_bearer(&h, &c, "/api/v2/users/me", &admin)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn admin_bearer_on_registry_and_minting() {
    let (h, c) = auto().await;
    let (access, _) = sign_in(&h, &c).await;
    let r = get_bearer(&h, &c, "/api/services/zis/registry/integrations", &access).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(body_json(r).await["integrations"].as_array().unwrap().len() >= 5);
    let r = c
        .post(url(&h, "/api/services/zis/registry/bearer_made"))
        .bearer_auth(&access)
        .json(&json!({"description": "by OAuth"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let minted = mint_with(&h, &c, &access, "acme_crm_sync").await;
    assert!(minted["token"]["expires_at"].is_null());
    assert_eq!(minted["token"]["user_id"], 372_000_001u64);
    let zis = minted["token"]["full_token"].as_str().unwrap().to_string();
    let zis_id = minted["token"]["id"].as_u64().unwrap();
    let r = get_bearer(&h, &c, &connections_all("acme_crm_sync"), &zis).await;
    assert_eq!(r.status(), StatusCode::OK);
    // A ZIS token shows itself, and is no admin token for the registry.
    let t = body_json(get_bearer(&h, &c, "/api/v2/oauth/tokens/current.json", &zis).await).await;
    assert_eq!(t["token"]["id"].as_u64(), Some(zis_id));
    let r = get_bearer(&h, &c, "/api/services/zis/registry/integrations", &zis).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The admin revokes the minted token: it is refused from then on.
    let r = c
        .delete(url(&h, &format!("/api/v2/oauth/tokens/{zis_id}.json")))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = get_bearer(&h, &c, &connections_all("acme_crm_sync"), &zis).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let n = counters(&h, &c).await;
    assert_eq!(n["mints"], 1);
    assert_eq!(n["live_zis_tokens"], 0);
    assert_eq!(n["revoked"], 1);

    // A read-only admin token lists the registry but neither registers nor mints.
    let body = json!({"grant_type": "client_credentials", "client_id": h.confidential_client_id,
                      "client_secret": h.confidential_client_secret, "scope": "read"});
    let (_, v) = token(&h, &c, body).await;
    let read_only = v["access_token"].as_str().unwrap().to_string();
    let r = get_bearer(
        &h,
        &c,
        "/api/services/zis/registry/integrations",
        &read_only,
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .post(url(&h, "/api/v2/oauth/tokens"))
        .bearer_auth(&read_only)
        .json(&json!({"token": {"client_id": 10_000, "scopes": ["read"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(counters(&h, &c).await["mints"], 1);
    // The API token may DELETE current too: 204, nothing revoked.
    let r = c
        .delete(url(&h, "/api/v2/oauth/tokens/current.json"))
        .header("Authorization", h.admin_authorization())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(counters(&h, &c).await["revoked"], 1);
}

#[tokio::test]
async fn zis_token_lifetime_then_refused() {
    let (h, c) = auto().await;
    let (access, _) = sign_in(&h, &c).await;
    let v = oauth_switch(&h, &c, json!({"zis_token_ttl_secs": 2})).await;
    assert_eq!(v["zis_token_ttl_secs"], 2);
    let minted = mint_with(&h, &c, &access, "acme_crm_sync").await;
    let expires_at = minted["token"]["expires_at"]
        .as_str()
        .expect("expires_at")
        .to_string();
    let expires =
        time::OffsetDateTime::parse(&expires_at, &time::format_description::well_known::Rfc3339)
            .unwrap();
    let zis = minted["token"]["full_token"].as_str().unwrap().to_string();
    assert_eq!(counters(&h, &c).await["live_zis_tokens"], 1);
    // Poll until it is refused (bounded, so a sandbox that never expires it fails).
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut served_before = 0;
    loop {
        let r = get_bearer(&h, &c, &connections_all("acme_crm_sync"), &zis).await;
        if r.status() == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(r.status(), StatusCode::OK);
        served_before += 1;
        assert!(Instant::now() < deadline, "the ZIS token never expired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        time::OffsetDateTime::now_utc() >= expires,
        "refused only after expires_at"
    );
    assert!(served_before >= 1, "it worked before it expired");
    assert_eq!(counters(&h, &c).await["live_zis_tokens"], 0);
    // Back to tokens that never expire.
    assert!(
        oauth_switch(&h, &c, json!({"zis_token_ttl_secs": null})).await["zis_token_ttl_secs"]
            .is_null()
    );
    assert!(mint_with(&h, &c, &access, "acme_crm_sync").await["token"]["expires_at"].is_null());
}

#[tokio::test]
async fn access_token_lifetime_then_refresh() {
    let (h, c) = auto().await;
    oauth_switch(&h, &c, json!({"access_token_ttl_secs": 1})).await;
    let code = code(&h, &c, "s").await;
    let (_, v) = exchange(&h, &c, &code, VERIFIER).await;
    assert_eq!(v["expires_in"], 1);
    let access = v["access_token"].as_str().unwrap().to_string();
    let refresh = v["refresh_token"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(15);
    while get_bearer(&h, &c, "/api/v2/users/me", &access)
        .await
        .status()
        == StatusCode::OK
    {
        assert!(Instant::now() < deadline, "the access token never expired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_invalid_token(get_bearer(&h, &c, "/api/v2/users/me", &access).await).await;
    let body = json!({"grant_type": "refresh_token", "refresh_token": refresh,
                      "client_id": h.public_client_id});
    assert_eq!(token(&h, &c, body).await.0, StatusCode::OK);
}

#[tokio::test]
async fn refuse_api_tokens_switch() {
    let (h, c) = start(OAuthConfig {
        auto_approve: true,
        refuse_api_tokens: true,
        ..OAuthConfig::default()
    })
    .await;
    for path in [
        "/api/services/zis/registry/integrations",
        "/api/v2/users/me",
    ] {
        let r = c
            .get(url(&h, path))
            .header("Authorization", h.admin_authorization())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(r.text().await.unwrap(), "Couldn't authenticate you");
    }
    let r = c
        .post(url(&h, "/api/v2/oauth/tokens"))
        .header("Authorization", h.admin_authorization())
        .json(&json!({"token": {"client_id": 10_000, "scopes": ["read"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // OAuth still works; switching it off lets API tokens back in.
    let (access, _) = sign_in(&h, &c).await;
    mint_with(&h, &c, &access, "acme_crm_sync").await;
    oauth_switch(&h, &c, json!({"refuse_api_tokens": false})).await;
    let r = c
        .get(url(&h, "/api/services/zis/registry/integrations"))
        .header("Authorization", h.admin_authorization())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[test]
fn the_binary_prints_clients_and_sign_in() {
    let (child, text) = run_sandbox(&["--auto-approve", "--zis-token-ttl", "60"], None);
    let value = |prefix: &str| printed(&text, prefix);
    let base = value("zisctl sandbox listening on ").expect("the base URL");
    assert!(base.starts_with("http://127.0.0.1:") && !base.ends_with(":0"));
    assert_eq!(
        value("OAuth public client:").as_deref(),
        Some("zisctl_sandbox_public")
    );
    assert_eq!(
        value("OAuth confidential client:").as_deref(),
        Some("zisctl_sandbox_confidential")
    );
    assert!(text.contains(&format!(
        "zisctl auth login --client-id zisctl_sandbox_public --base-url {base}\n"
    )));
    assert!(text.contains("ZIS tokens 60 s") && text.contains("approved at once"));
    let secret = value("export ZENDESK_OAUTH_CLIENT_SECRET=").expect("the secret line");
    assert_eq!(value("confidential secret:").as_ref(), Some(&secret));
    // The lines work when pasted into a shell: a program started after them sees them.
    let exports: String = text
        .lines()
        .filter(|l| l.starts_with("export "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(exports.lines().count(), 6, "two blocks of export lines");
    let seen = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{exports}sh -c 'echo \"$ZISCTL_BASE_URL $ZENDESK_OAUTH_CLIENT_ID $ZENDESK_EMAIL\"'"
        ))
        .output()
        .expect("sh runs");
    assert_eq!(
        String::from_utf8_lossy(&seen.stdout).trim(),
        format!("{base} zisctl_sandbox_confidential admin@sandbox.zisctl.test")
    );

    // The printed secret works against the printed address.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        Client::new()
            .post(format!("{base}/oauth/tokens"))
            .json(&json!({"grant_type": "client_credentials", "client_id": "zisctl_sandbox_confidential",
                          "client_secret": secret, "scope": "read write"}))
            .send()
            .await
            .unwrap()
            .status()
    });
    drop(child);
    assert_eq!(status, StatusCode::OK);
}

#[test]
fn the_binary_logs_no_secret_even_at_trace() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let (child, text) = run_sandbox(&[], Some(log.reopen().unwrap()));
    let base = printed(&text, "zisctl sandbox listening on ").expect("the base URL");
    let client_secret = printed(&text, "export ZENDESK_OAUTH_CLIENT_SECRET=").expect("the secret");
    let c = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let secrets = rt.block_on(every_secret_once(&c, &base, &client_secret));
    drop(child);
    let logged = std::fs::read_to_string(log.path()).unwrap();
    // The log is on and saw the requests, so its silence about secrets means something.
    assert!(logged.contains("sandbox request") && logged.contains("/oauth/tokens"));
    for (i, s) in secrets.iter().enumerate() {
        assert!(s.len() >= 16, "value {i} is long enough to find");
        assert!(
            !logged.contains(s.as_str()),
            "value {i} of the list is in the log"
        );
    }
}
