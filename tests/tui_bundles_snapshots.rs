//! View snapshots (insta, TestBackend) of what the bundles add to the TUI, at 80×24 and
//! 120×40: the bundles view, "Used by" in the details window, the delete question of a
//! connection nothing uses, the All view of unused connections, and a hostile bundle whose
//! literal credential must never be drawn (nor its control characters).
mod common;

use common::screen::{render, text_of, SIZES};
use crossterm::event::KeyCode;
use serde_json::json;
use zisctl::app::testing::{bundles, ch, connections, integrations, key, loaded, type_text, NOW};
use zisctl::app::{update, Action, Effect, State};
use zisctl::zis::bundle_parse::parse_bundle_value;
use zisctl::zis::{Error, ErrorKind};

/// A literal credential written in a bundle: a secret too, never drawn.
const LEAKED: &str = "Bundle-Leaked-Canary-9f3";

fn snap(name: &str, state_at: impl Fn(u16, u16) -> State) {
    for (w, h) in SIZES {
        let state = state_at(w, h);
        let t = render(&state, w, h);
        let screen = text_of(&t);
        assert!(
            !screen.contains(LEAKED),
            "{name}: a bundle's credential is on screen"
        );
        assert!(
            !screen.contains('\u{1b}'),
            "{name}: an escape reached the screen"
        );
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

fn table(w: u16, h: u16) -> State {
    let mut s = loaded(w, h);
    update(&mut s, key(KeyCode::Tab));
    s
}

fn on(w: u16, h: u16, name: &str) -> State {
    let mut s = table(w, h);
    update(&mut s, ch('g'));
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.name.as_str()) == Some(name) {
            return s;
        }
        update(&mut s, ch('j'));
    }
    panic!("no row {name}");
}

/// Refresh, answering every load with the fixture but `integration`'s bundles with `result`.
fn answer_bundles(s: &mut State, integration: &str, result: Result<zisctl::zis::BundleSet, Error>) {
    let mut queue: std::collections::VecDeque<Effect> = update(s, ch('R')).into();
    let mut result = Some(result);
    while let Some(e) = queue.pop_front() {
        let action = match e {
            Effect::LoadIntegrations { req } => Action::IntegrationsLoaded {
                req,
                result: Ok(integrations()),
                now: NOW,
            },
            Effect::LoadConnections { req, integration } => Action::ConnectionsLoaded {
                req,
                result: Ok(connections(&integration)),
                integration,
                token: None,
                now: NOW,
            },
            Effect::LoadBundles {
                req,
                integration: i,
            } => Action::BundlesLoaded {
                req,
                result: if i == integration {
                    result.take().unwrap_or_else(|| Ok(bundles(&i)))
                } else {
                    Ok(bundles(&i))
                },
                integration: i,
            },
            _ => continue,
        };
        queue.extend(update(s, action));
    }
    update(s, key(KeyCode::Esc));
}

#[test]
fn bundles_view() {
    snap("bundles_view", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('b'));
        s
    });
    snap("bundles_view_scrolled", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('b'));
        update(&mut s, ch('j'));
        update(&mut s, ch('j'));
        s
    });
    snap("bundles_view_stale_job_spec", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch(':'));
        type_text(&mut s, "bundles billing_bridge");
        update(&mut s, key(KeyCode::Enter));
        s
    });
    snap("bundles_view_none", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch(':'));
        type_text(&mut s, "bundles support_tools");
        update(&mut s, key(KeyCode::Enter));
        s
    });
}

#[test]
fn bundles_view_unreadable() {
    snap("bundles_view_failed", |w, h| {
        let mut s = table(w, h);
        answer_bundles(
            &mut s,
            "acme_crm_sync",
            Err(Error::from_response(403, b"Forbidden")
                .with_context("list bundles of acme_crm_sync")),
        );
        // The view asks again; the answer has not come.
        let _ = update(&mut s, ch('b'));
        s
    });
    snap("details_bundles_failed", |w, h| {
        let mut s = on(w, h, "salesforce_prod");
        answer_bundles(
            &mut s,
            "acme_crm_sync",
            Err(Error::new(ErrorKind::Timeout, "no answer within 30 s")),
        );
        update(&mut s, key(KeyCode::Enter));
        s
    });
}

#[test]
fn hostile_bundle_is_drawn_safely() {
    snap("bundles_view_hostile", |w, h| {
        let mut s = table(w, h);
        let mut set = bundles("acme_crm_sync");
        let hostile = parse_bundle_value(&json!({"bundle": {"name": "evil\u{1b}]52;c;eA==\u{7}", "uuid": "b-evil",
            "resources": {
                "leaky": {"type": "ZIS::Action::Http", "properties": {"name": "leaky\u{1b}[31m", "definition": {
                    "connectionName": "salesforce_prod", "method": "POST",
                    "url": format!("https://svc:{LEAKED}@api.example.com/x?token={LEAKED}"),
                    "headers": [{"key": "Authorization", "value": format!("Basic {LEAKED}")}],
                    "requestBody": {"password": LEAKED}}}},
                "weird": {"type": "ZIS::Unknown\u{9b}31m", "properties": {}},
                "nodef": {"type": "ZIS::Flow", "properties": {"name": "nodef"}}
            }}}))
        .expect("a bundle");
        set.bundles.push(hostile);
        answer_bundles(&mut s, "acme_crm_sync", Ok(set));
        update(&mut s, ch('b'));
        s
    });
}

#[test]
fn used_by_in_the_details_window_and_the_delete_question() {
    snap("details_used_by", |w, h| {
        let mut s = on(w, h, "zendesk");
        update(&mut s, key(KeyCode::Enter));
        s
    });
    snap("confirm_delete_unused", |w, h| {
        let mut s = on(w, h, "hubspot_legacy_key");
        update(&mut s, ch('d'));
        s
    });
}

#[test]
fn the_all_view_of_unused_connections() {
    snap("list_unused", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('u'));
        s
    });
}
