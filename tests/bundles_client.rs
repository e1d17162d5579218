//! The bundles and job specs endpoints of the zis client against the sandbox: cursor pages
//! past one page, wrapped and bare bundles, the integration's ZIS token (re-minted on 401),
//! errors, the caps of a listing (a repeated cursor, has_more without a cursor), and
//! `load_bundles` with a bundle that cannot be read.
mod common;

use common::sandbox::demo;
use common::support::Support;
use serde_json::json;
use zisctl::sandbox::SandboxHandle;
use zisctl::zis::*;

use common::sandbox::admin_client;

async fn add_bundle(h: &SandboxHandle, body: serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/bundles", h.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}

#[tokio::test]
async fn listings_follow_every_page() {
    let h = demo().await;
    let c = admin_client(&h);
    for i in 0..130 {
        add_bundle(
            &h,
            json!({"integration": "hr_onboarding", "metadata": {"name": format!("extra_{i:03}")},
                   "bundle": {"name": format!("extra_{i:03}"), "resources": {}}}),
        )
        .await;
    }
    let page = c
        .list_bundles_page("hr_onboarding", None, 100)
        .await
        .unwrap();
    assert_eq!(page.bundles.len(), 100);
    assert!(page.has_more);
    assert!(page.after.is_some());
    let all = c.list_bundles("hr_onboarding").await.unwrap();
    assert_eq!(all.len(), 131, "130 added and the seed's one");
    let mut names: Vec<&str> = all.iter().map(|b| b.name.as_str()).collect();
    names.dedup();
    assert_eq!(names.len(), 131, "no bundle twice");
    // The bundles were read with the integration's minted token.
    assert_eq!(c.token_source("hr_onboarding"), Some(TokenSource::Minted));

    let jobs = c.list_job_specs("slack_notify").await.unwrap();
    let installed: Vec<(&str, Option<bool>)> = jobs
        .iter()
        .map(|j| (j.name.as_str(), j.installed))
        .collect();
    assert!(
        installed.contains(&("on_vip_comment", Some(false))),
        "{installed:?}"
    );
    assert!(jobs
        .iter()
        .all(|j| j.flow_name.starts_with("zis:slack_notify:flow:")));
}

#[tokio::test]
async fn a_bundle_reads_the_same_wrapped_or_bare() {
    let h = demo().await;
    let c = admin_client(&h);
    let list = c.list_bundles("slack_notify").await.unwrap();
    let uuid = list[0].uuid.clone();
    let wrapped = c.get_bundle("slack_notify", &uuid).await.unwrap();
    assert_eq!(wrapped.name, "slack_alerts");
    assert!(wrapped.resources.len() >= 5);
    assert!(wrapped.malformed.is_none());
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/shapes", h.base_url))
        .json(&json!({"bundle": "bare"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let bare = c.get_bundle("slack_notify", &uuid).await.unwrap();
    assert_eq!(bare, wrapped);

    let e = c
        .get_bundle("slack_notify", "00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.to_string().contains("show bundle"), "{e}");
    let e = c.list_bundles("Not Valid").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Validation);
    let e = c.get_bundle("slack_notify", "").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidResponse);
}

#[tokio::test]
async fn a_revoked_token_is_reminted_once() {
    let h = demo().await;
    let c = admin_client(&h);
    let mints = || async {
        let v: serde_json::Value = reqwest::get(format!("{}/_sandbox/oauth", h.base_url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["mints"].as_u64().expect("mints counted")
    };
    c.list_bundles("slack_notify").await.unwrap();
    let before = mints().await;
    Support::new(&h).revoke_tokens().await;
    let set = c.load_bundles("slack_notify", 2).await.unwrap();
    // The two listings go out together and both meet the 401: each re-mints once (the client
    // does not share a mint between calls in flight), and no more.
    let after = mints().await;
    assert!(
        (before + 1..=before + 2).contains(&after),
        "{before} -> {after}"
    );
    assert_eq!(set.bundles.len(), 1);
    assert!(set.unreadable.is_empty());
    assert!(!set.job_specs.is_empty());
}

#[tokio::test]
async fn calls_that_need_a_token_at_once_share_one_mint() {
    let h = demo().await;
    let c = admin_client(&h);
    let mints = || async {
        let v: serde_json::Value = reqwest::get(format!("{}/_sandbox/oauth", h.base_url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["mints"].as_u64().expect("mints counted")
    };
    let before = mints().await;
    // As the audit does: connections, bundles and job specs of one integration at once.
    let (conns, set) = futures::join!(
        c.list_connections("slack_notify"),
        c.load_bundles("slack_notify", 4)
    );
    assert!(conns.is_ok() && set.is_ok());
    assert_eq!(mints().await, before + 1, "one token for the three calls");
}

#[tokio::test]
async fn a_listing_that_never_ends_is_stopped() {
    let h = demo().await;
    let c = admin_client(&h);
    let support = Support::new(&h);
    c.list_bundles("slack_notify").await.unwrap();
    // The same cursor again and again: a loop, said as such.
    support
        .fault(json!({"status": 200, "count": 3, "path_contains": "/bundles",
            "body": "{\"bundles\": [{\"name\": \"b\", \"uuid\": \"u\"}], \"meta\": {\"has_more\": true, \"after\": \"same\"}}"}))
        .await;
    let e = c.list_bundles("slack_notify").await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidResponse);
    assert!(e.message.contains("repeated a page cursor"), "{e}");
    // has_more without a cursor.
    support
        .fault(
            json!({"status": 200, "count": 1, "path_contains": "/job_specs",
            "body": "{\"job_specs\": [], \"meta\": {\"has_more\": true}}"}),
        )
        .await;
    let e = c.list_job_specs("slack_notify").await.unwrap_err();
    assert!(e.message.contains("no meta.after cursor"), "{e}");
    // A cursor too long to put in a URL.
    let long = "c".repeat(5000);
    support
        .fault(json!({"status": 200, "count": 1, "path_contains": "/job_specs",
            "body": format!("{{\"job_specs\": [], \"meta\": {{\"has_more\": true, \"after\": \"{long}\"}}}}")}))
        .await;
    let e = c.list_job_specs("slack_notify").await.unwrap_err();
    assert!(e.message.contains("longer than 4096 bytes"), "{e}");
    // Not JSON, and not the listing asked for.
    support
        .fault(json!({"status": 200, "count": 1, "path_contains": "/bundles", "body": "<html>"}))
        .await;
    assert_eq!(
        c.list_bundles("slack_notify").await.unwrap_err().kind,
        ErrorKind::InvalidResponse
    );
}

#[tokio::test]
async fn load_bundles_keeps_going_past_a_bundle_it_cannot_read() {
    let h = demo().await;
    let c = admin_client(&h);
    add_bundle(
        &h,
        json!({"integration": "legacy_erp", "raw": "not json at all", "metadata": {"name": "broken"}}),
    )
    .await;
    let set = c.load_bundles("legacy_erp", 4).await.unwrap();
    assert_eq!(set.bundles.len(), 1, "the seed's bundle is read");
    assert_eq!(set.unreadable.len(), 1);
    assert_eq!(set.unreadable[0].0.name, "broken");
    assert!(
        set.unreadable[0].1.contains("not the JSON expected"),
        "{}",
        set.unreadable[0].1
    );
}
