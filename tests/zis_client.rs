//! The zis client against the sandbox on 127.0.0.1:0: every call, success and every
//! documented error.
mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::sandbox::{self as sb, demo};
use common::support::Support;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use zisctl::sandbox::{SandboxHandle, Seed};
use zisctl::zis::*;

use common::sandbox::admin_client;

fn token_client(h: &SandboxHandle, integration: &str, token: &str) -> Client {
    let mut o = ClientOptions::new(&h.base_url);
    o.integration_tokens.insert(
        integration.to_string(),
        SecretString::from(token.to_string()),
    );
    o.backoff = Duration::from_millis(10);
    Client::new(o).unwrap()
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn basic(name: &str, user: &str, pw: &str) -> NewConnection {
    NewConnection {
        name: name.into(),
        allowed_domain: "api.example.com".into(),
        credential: NewCredential::BasicAuth {
            username: user.into(),
            password: secret(pw),
        },
    }
}

#[tokio::test]
async fn integrations_list_and_register() {
    let h = demo().await;
    let c = admin_client(&h);
    let list = c.list_integrations().await.unwrap();
    assert!(list.len() >= 5);
    let acme = list.iter().find(|i| i.name == "acme_crm_sync").unwrap();
    assert!(acme.oauth_client.as_ref().is_some_and(|o| o.id > 0));

    let reg = c
        .register_integration("new_integration", "made by a test")
        .await
        .unwrap();
    assert_eq!(reg.integration.name, "new_integration");
    let oc = reg.integration.oauth_client.clone().unwrap();
    assert_eq!(oc.identifier, "zis_new_integration");
    assert!(reg
        .client_secret
        .as_ref()
        .is_some_and(|s| !s.expose_secret().is_empty()));
    assert!(!format!("{reg:?}").contains(reg.client_secret.as_ref().unwrap().expose_secret()));
    let list = c.list_integrations().await.unwrap();
    assert!(list.iter().any(|i| i.name == "new_integration"));

    // Taken by another account: the server's words.
    let e = c
        .register_integration("taken-by-others", "")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
    assert!(e.message.contains("not available for upsert"), "{e}");

    // Bad admin credentials.
    let mut o = ClientOptions::new(&h.base_url);
    o.admin = Some(AdminCredentials::ApiToken {
        email: h.admin_email.clone(),
        api_token: secret("wrong"),
    });
    let e = Client::new(o)
        .unwrap()
        .list_integrations()
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(zisctl::exit::code_of(&e), 3);
}

#[tokio::test]
async fn invalid_input_is_refused_before_any_request() {
    let h = demo().await;
    let c = admin_client(&h);
    let before = Support::new(&h).requests().await;
    for (integration, new) in [
        ("Bad Name", basic("conn_1", "bob", "pw-1")),
        ("acme_crm_sync", basic("x", "bob", "pw-1")),
        ("acme_crm_sync", basic("conn_1", "bob:x", "pw-1")),
        ("acme_crm_sync", basic("conn_1", "bob\u{7}", "pw-1")),
        ("acme_crm_sync", basic("conn_1", "bob", "")),
    ] {
        let e = c.create_connection(integration, &new).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation, "{e}");
        assert_eq!(zisctl::exit::code_of(&e), 2);
    }
    for domain in [
        "https://api.example.com",
        "api.example.com/x",
        "api.example.com:443",
        "a b.com",
    ] {
        let mut n = basic("conn_1", "bob", "pw-1");
        n.allowed_domain = domain.into();
        let e = c.create_connection("acme_crm_sync", &n).await.unwrap_err();
        assert_eq!(e.kind, ErrorKind::Validation);
        assert!(e.message.contains("allowed domain"));
    }
    let e = c.register_integration("UPPER", "").await.unwrap_err();
    assert!(e.message.contains("a-z"), "{e}");
    assert_eq!(
        Support::new(&h).requests().await,
        before,
        "a request was sent for invalid input"
    );
}

#[tokio::test]
async fn basic_auth_crud_with_a_minted_token() {
    let h = demo().await;
    let c = admin_client(&h);
    let created = c
        .create_connection(
            "acme_crm_sync",
            &basic("new_basic", "bob@example.com", "pw-canary-31"),
        )
        .await
        .unwrap();
    assert_eq!(created.kind, ConnectionKind::BasicAuth);
    assert_eq!(created.username.as_deref(), Some("bob@example.com"));
    assert!(created.created_at.is_some());
    assert!(
        Support::new(&h)
            .holds("acme_crm_sync", "new_basic", "pw-canary-31")
            .await
    );

    let shown = c
        .get_connection("acme_crm_sync", ConnectionKind::BasicAuth, "new_basic")
        .await
        .unwrap();
    assert_eq!(shown, created);
    assert_eq!(
        c.find_connection("acme_crm_sync", "new_basic")
            .await
            .unwrap(),
        created
    );

    tokio::time::sleep(Duration::from_millis(20)).await;
    let applied = c
        .apply_password(
            "acme_crm_sync",
            "new_basic",
            &secret("pw-canary-32"),
            created.updated_at,
        )
        .await
        .unwrap();
    assert!(applied.verified);
    assert!(
        Support::new(&h)
            .holds("acme_crm_sync", "new_basic", "pw-canary-32")
            .await
    );

    c.update_connection(
        "acme_crm_sync",
        "new_basic",
        &ConnectionUpdate::BasicAuth {
            username: Some("alice".into()),
            password: None,
        },
    )
    .await
    .unwrap();
    let shown = c
        .find_connection("acme_crm_sync", "new_basic")
        .await
        .unwrap();
    assert_eq!(shown.username.as_deref(), Some("alice"));

    c.delete_connection("acme_crm_sync", ConnectionKind::BasicAuth, "new_basic")
        .await
        .unwrap();
    let e = c
        .get_connection("acme_crm_sync", ConnectionKind::BasicAuth, "new_basic")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(e.message, "Connection does not exist");
    assert_eq!(zisctl::exit::code_of(&e), 4);
    let e = c
        .delete_connection("acme_crm_sync", ConnectionKind::BasicAuth, "new_basic")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    // One token minted for all of that.
    assert_eq!(Support::new(&h).stats().await["tokens_minted"], 1);
}

#[tokio::test]
async fn api_key_and_bearer_token_crud() {
    let h = demo().await;
    let c = admin_client(&h);
    let k = c
        .create_connection(
            "slack_notify",
            &NewConnection {
                name: "new_key".into(),
                allowed_domain: "api.example.com".into(),
                credential: NewCredential::ApiKey {
                    header_name: "X-API-Key".into(),
                    api_key: secret("key-canary-1"),
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(k.kind, ConnectionKind::ApiKey);
    assert_eq!(k.header_name.as_deref(), Some("X-API-Key"));
    c.update_connection(
        "slack_notify",
        "new_key",
        &ConnectionUpdate::ApiKey {
            header_name: None,
            api_key: Some(secret("key-canary-2")),
        },
    )
    .await
    .unwrap();
    assert!(
        Support::new(&h)
            .holds("slack_notify", "new_key", "key-canary-2")
            .await
    );

    let t = c
        .create_connection(
            "slack_notify",
            &NewConnection {
                name: "new_bearer".into(),
                allowed_domain: "hooks.example.com".into(),
                credential: NewCredential::BearerToken {
                    token: secret("bearer-canary-1"),
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(t.kind, ConnectionKind::BearerToken);
    c.update_connection(
        "slack_notify",
        "new_bearer",
        &ConnectionUpdate::BearerToken {
            token: Some(secret("bearer-canary-2")),
        },
    )
    .await
    .unwrap();
    assert!(
        Support::new(&h)
            .holds("slack_notify", "new_bearer", "bearer-canary-2")
            .await
    );
    let found = c
        .find_connection("slack_notify", "new_bearer")
        .await
        .unwrap();
    assert_eq!(found.kind, ConnectionKind::BearerToken);
    for (kind, name) in [
        (ConnectionKind::ApiKey, "new_key"),
        (ConnectionKind::BearerToken, "new_bearer"),
    ] {
        c.delete_connection("slack_notify", kind, name)
            .await
            .unwrap();
        let e = c
            .get_connection("slack_notify", kind, name)
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::NotFound);
    }
}

#[tokio::test]
async fn conflict_across_kinds_and_invalid_integration() {
    let h = demo().await;
    let c = admin_client(&h);
    c.create_connection("legacy_erp", &basic("shared_name", "bob", "pw-1"))
        .await
        .unwrap();
    let e = c
        .create_connection(
            "legacy_erp",
            &NewConnection {
                name: "shared_name".into(),
                allowed_domain: "api.example.com".into(),
                credential: NewCredential::BearerToken {
                    token: secret("t-1"),
                },
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(e.message, "Resource conflict");
    assert!(!e.may_have_applied);

    // The server's InvalidIntegration, with a token that is valid elsewhere.
    let tok = sb::raw_token(&h, "legacy_erp", &["read", "write"]).await;
    let mut o = ClientOptions::new(&h.base_url);
    o.oauth_token = Some(secret(&tok));
    let e = Client::new(o)
        .unwrap()
        .list_connections("no_such_integration")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadRequest);
    assert_eq!(e.code.as_deref(), Some("InvalidIntegration"));
    assert_eq!(e.message, "Specified integration is not valid");
    // Through minting: the registry does not know it either.
    let e = c.list_connections("no_such_integration").await.unwrap_err();
    assert_eq!(e.message, "Specified integration is not valid");
}

#[tokio::test]
async fn token_errors_mismatch_garbage_and_read_only() {
    let h = demo().await;
    let other = sb::raw_token(&h, "billing_bridge", &["read", "write"]).await;
    let e = token_client(&h, "legacy_erp", &other)
        .list_connections("legacy_erp")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(
        e.message,
        "Authorization failed due to integration mismatch"
    );

    let e = token_client(&h, "legacy_erp", "garbage")
        .list_connections("legacy_erp")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(e.code.as_deref(), Some("InvalidCredentials"));

    let ro = sb::raw_token(&h, "legacy_erp", &["read"]).await;
    let c = token_client(&h, "legacy_erp", &ro);
    assert!(!c.list_connections("legacy_erp").await.unwrap().is_empty());
    let e = c
        .create_connection("legacy_erp", &basic("ro_conn", "bob", "pw-1"))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(
        e.message,
        "Cannot access this resource. Missing scope write"
    );
    assert_eq!(zisctl::exit::code_of(&e), 3);
}

#[tokio::test]
async fn a_minted_token_is_reminted_once_on_401() {
    let h = demo().await;
    let c = admin_client(&h);
    c.list_connections("hr_onboarding").await.unwrap();
    // Revoke every minted token: the next call meets 401, re-mints, and succeeds.
    Support::new(&h).revoke_tokens().await;
    c.list_connections("hr_onboarding").await.unwrap();
    assert_eq!(Support::new(&h).stats().await["tokens_minted"], 2);
    // A 401 that persists is reported after one re-mint, not looped on.
    Support::new(&h)
        .fault(json!({"status": 401, "count": 5, "path_contains": "connections"}))
        .await;
    let e = c.list_connections("hr_onboarding").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(Support::new(&h).stats().await["tokens_minted"], 3);
}

#[tokio::test]
async fn pagination_over_250_connections() {
    let h = sb::start(Seed::Synthetic {
        integrations: 1,
        connections: 250,
    })
    .await;
    let c = admin_client(&h);
    let name = c.list_integrations().await.unwrap()[0].name.clone();
    let before = Support::new(&h).requests().await;
    let all = c.list_connections(&name).await.unwrap();
    assert_eq!(all.len(), 250);
    let names: std::collections::HashSet<_> = all.iter().map(|c| c.name.clone()).collect();
    assert_eq!(names.len(), 250, "duplicates across pages");
    // token + 3 pages of 100
    assert_eq!(Support::new(&h).requests().await - before, 4);
    // The demo's >100 integration too.
    let h = demo().await;
    let all = admin_client(&h)
        .list_connections("shopify_orders")
        .await
        .unwrap();
    assert!(all.len() > 100);
}

#[tokio::test]
async fn two_429s_with_retry_after_then_success() {
    let h = demo().await;
    let c = admin_client(&h);
    c.list_connections("legacy_erp").await.unwrap(); // mint first
    let events = Arc::new(Mutex::new(Vec::new()));
    let ev = events.clone();
    let c = c.with_observer(move |e| ev.lock().unwrap().push(e.clone()));
    Support::new(&h)
        .fault(json!({"status": 429, "count": 2, "retry_after": 1, "path_contains": "connections"}))
        .await;
    let before = Support::new(&h).requests().await;
    let started = Instant::now();
    c.list_connections("legacy_erp").await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(2));
    assert_eq!(
        Support::new(&h).requests().await - before,
        3,
        "two 429s and one success"
    );
    assert_eq!(Support::new(&h).stats().await["by_status"]["429"], 2);
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(
        |e| matches!(e, ClientEvent::RateLimited { wait, .. } if *wait == Duration::from_secs(1))
    ));
    assert_eq!(events[0].to_string(), "rate limited, waiting 1 s");
}

#[tokio::test]
async fn plain_text_401_and_5xx_retries() {
    let h = demo().await;
    let c = admin_client(&h);
    c.list_connections("legacy_erp").await.unwrap();
    Support::new(&h).fault(json!({"status": 403, "count": 1, "body": "API token is not supported", "content_type": "text/plain"}),
    )
    .await;
    let e = c.list_connections("legacy_erp").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(e.message, "API token is not supported");

    Support::new(&h).fault(json!({"status": 401, "count": 1, "body": "Authentication failed", "content_type": "text/plain", "path_contains": "registry"})).await;
    let e = c.list_integrations().await.unwrap_err();
    assert_eq!(e.message, "Authentication failed");

    // GET: a 503 is retried.
    Support::new(&h)
        .fault(json!({"status": 503, "count": 1, "method": "GET"}))
        .await;
    c.list_connections("legacy_erp").await.unwrap();
    // POST: a 500 is not retried, and may have been applied.
    Support::new(&h)
        .fault(json!({"status": 500, "count": 1, "method": "POST", "path_contains": "basic_auth"}))
        .await;
    let e = c
        .create_connection("legacy_erp", &basic("after_500", "bob", "pw-1"))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Server);
    assert!(e.may_have_applied);
    assert!(e.to_string().contains("may have been applied"), "{e}");
}

#[tokio::test]
async fn debug_and_errors_never_show_a_secret() {
    let h = demo().await;
    let c = admin_client(&h);
    let canary = "canary-Zq81-secret";
    let new = basic("canary_conn", "bob", canary);
    assert!(!format!("{new:?}").contains(canary));
    let upd = ConnectionUpdate::BasicAuth {
        username: None,
        password: Some(secret(canary)),
    };
    assert!(!format!("{upd:?}").contains(canary));
    assert!(!format!("{:?}", c.options()).contains(&h.admin_token));
    Support::new(&h)
        .fault(json!({"status": 409, "count": 1, "method": "POST"}))
        .await;
    let e = c.create_connection("legacy_erp", &new).await.unwrap_err();
    assert!(!e.to_string().contains(canary) && !format!("{e:?}").contains(canary));
}

/// With a limit of 2 requests on the wire, 6 calls against a server that takes 60 ms a
/// request need at least 3 rounds (without it they take one); the limit is shared by
/// clones and survives `with_observer`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_in_flight_bounds_requests_across_calls() {
    use zisctl::sandbox::{spawn, SandboxConfig};
    let config = SandboxConfig {
        latency_ms: 60,
        ..SandboxConfig::default()
    };
    let sb = spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut opts = ClientOptions::new(sb.base_url.clone());
    opts.admin = Some(AdminCredentials::ApiToken {
        email: sb.admin_email.clone(),
        api_token: SecretString::from(sb.admin_token.clone()),
    });
    let limited = Client::new(opts)
        .unwrap()
        .with_max_in_flight(2)
        .with_observer(|_| {});
    let started = Instant::now();
    let calls = (0..6).map(|_| {
        let c = limited.clone();
        async move { c.list_integrations().await.map(|l| l.len()) }
    });
    for r in futures::future::join_all(calls).await {
        assert!(r.unwrap() > 0);
    }
    assert!(started.elapsed() >= Duration::from_millis(3 * 60));
}
