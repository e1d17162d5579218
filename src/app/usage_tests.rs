//! What the TUI does with bundles: loading them after the connections, the usage graph per
//! integration, "not used by any bundle", the All view of unused connections, and the
//! bundles view.
use crossterm::event::KeyCode;

use super::testing::*;
use super::*;
use crate::usage::ProblemKind;
use crate::zis::{Error, ErrorKind};

fn findings(s: &State, integration: &str, name: &str) -> Vec<String> {
    s.audit_of(integration, name)
        .map(|a| a.findings.clone())
        .unwrap_or_default()
}

fn run(s: &mut State, line: &str) -> Vec<Effect> {
    let mut fx = update(s, ch(':'));
    fx.extend(type_text(s, line));
    fx.extend(update(s, key(KeyCode::Enter)));
    fx
}

fn row_names(s: &State) -> Vec<String> {
    s.rows
        .iter()
        .filter_map(|r| s.row_connection(*r).map(|(_, c)| c.name.clone()))
        .collect()
}

#[test]
fn the_graph_is_built_and_unused_connections_are_a_finding() {
    let s = loaded(120, 40);
    let UsageState::Known(u) = s.usage_of("acme_crm_sync") else {
        panic!("the bundles of acme_crm_sync are known")
    };
    assert_eq!(u.used_by("salesforce_prod").len(), 1);
    assert!(u
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::UnknownConnection && p.resource == "legacy_lookup"));
    assert!(findings(&s, "acme_crm_sync", "salesforce_sandbox")
        .iter()
        .any(|f| f == crate::audit::NOT_USED));
    assert!(!findings(&s, "acme_crm_sync", "salesforce_prod")
        .iter()
        .any(|f| f == crate::audit::NOT_USED));
    // zendesk is used by the path action.
    assert!(!findings(&s, "acme_crm_sync", "zendesk")
        .iter()
        .any(|f| f == crate::audit::NOT_USED));
    assert!(!s.busy());
}

#[test]
fn the_all_view_shows_only_unused_connections_on_u_and_unused() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('u'));
    assert!(s.is_all_view());
    assert!(s.only_unused);
    let mut names = row_names(&s);
    names.sort();
    assert_eq!(
        names,
        ["chargebee_site", "hubspot_legacy_key", "salesforce_sandbox"]
    );
    // Esc drops it; u again too.
    update(&mut s, key(KeyCode::Esc));
    assert!(!s.only_unused);
    run(&mut s, "unused");
    assert!(s.only_unused);
    update(&mut s, ch('u'));
    assert!(!s.only_unused);
    // Only findings and only unused exclude each other.
    run(&mut s, "findings");
    update(&mut s, ch('u'));
    assert!(s.only_unused && !s.only_findings);
}

#[test]
fn unknown_usage_is_no_finding() {
    let mut s = loaded(120, 40);
    // A reload whose bundles fail: what uses them is not known any more.
    let fx = update(&mut s, ch('R'));
    let fx = answer_except_bundles(&mut s, fx);
    for e in fx {
        if let Effect::LoadBundles { req, integration } = e {
            update(
                &mut s,
                Action::BundlesLoaded {
                    req,
                    integration,
                    result: Err(Error::new(ErrorKind::Forbidden, "Forbidden")),
                },
            );
        }
    }
    assert!(matches!(
        s.usage_of("acme_crm_sync"),
        UsageState::Failed(e) if e.contains("Forbidden")
    ));
    assert!(!findings(&s, "acme_crm_sync", "salesforce_sandbox")
        .iter()
        .any(|f| f == crate::audit::NOT_USED));
    // Opening the bundles view asks again.
    update(&mut s, key(KeyCode::Tab));
    let fx = update(&mut s, ch('b'));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadBundles { integration, .. } if integration == "acme_crm_sync")),
        "{fx:?}"
    );
}

/// Answer the integrations and connections loads in `fx`; return the bundle loads.
fn answer_except_bundles(s: &mut State, fx: Vec<Effect>) -> Vec<Effect> {
    let mut out = Vec::new();
    let mut queue: std::collections::VecDeque<Effect> = fx.into();
    while let Some(e) = queue.pop_front() {
        match e {
            Effect::LoadIntegrations { req } => queue.extend(update(
                s,
                Action::IntegrationsLoaded {
                    req,
                    result: Ok(integrations()),
                    now: NOW,
                },
            )),
            Effect::LoadConnections { req, integration } => queue.extend(update(
                s,
                Action::ConnectionsLoaded {
                    req,
                    result: Ok(connections(&integration)),
                    integration,
                    token: None,
                    now: NOW,
                },
            )),
            other => out.push(other),
        }
    }
    out
}

#[test]
fn an_older_bundles_answer_is_dropped() {
    let mut s = loaded(120, 40);
    let fx = update(&mut s, ch('R'));
    let loads = answer_except_bundles(&mut s, fx);
    let Some(Effect::LoadBundles { req, .. }) = loads.iter().find(
        |e| matches!(e, Effect::LoadBundles { integration, .. } if integration == "billing_bridge"),
    ) else {
        panic!("billing_bridge's bundles asked again")
    };
    let old = req.saturating_sub(1);
    update(
        &mut s,
        Action::BundlesLoaded {
            req: old,
            integration: "billing_bridge".into(),
            result: Err(Error::new(ErrorKind::Server, "old answer")),
        },
    );
    // Still the set of the first load.
    assert!(matches!(s.usage_of("billing_bridge"), UsageState::Known(_)));
}

#[test]
fn connections_reloaded_rebuild_the_graph() {
    let mut s = loaded(120, 40);
    // salesforce_prod is gone: the action naming it names a connection that does not exist.
    let req = s.next_req();
    s.integrations[0].loading = Some(req);
    let list: Vec<_> = connections("acme_crm_sync")
        .into_iter()
        .filter(|c| c.name != "salesforce_prod")
        .collect();
    update(
        &mut s,
        Action::ConnectionsLoaded {
            req,
            integration: "acme_crm_sync".into(),
            result: Ok(list),
            token: None,
            now: NOW,
        },
    );
    let UsageState::Known(u) = s.usage_of("acme_crm_sync") else {
        panic!("known")
    };
    assert!(u
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::UnknownConnection && p.resource == "push_contact"));
}

#[test]
fn the_bundles_view_opens_scrolls_and_closes() {
    let mut s = loaded(120, 40);
    update(&mut s, ch('b'));
    assert!(matches!(
        &s.modal,
        Some(Modal::Bundles { integration, scroll: 0 }) if integration == "acme_crm_sync"
    ));
    update(&mut s, ch('j'));
    update(&mut s, ch('j'));
    assert!(matches!(&s.modal, Some(Modal::Bundles { scroll: 2, .. })));
    for _ in 0..100 {
        update(&mut s, ch('j'));
    }
    let max = s.bundles["acme_crm_sync"].view_lines() - 1;
    assert!(matches!(&s.modal, Some(Modal::Bundles { scroll, .. }) if *scroll as usize == max));
    update(&mut s, key(KeyCode::PageUp));
    update(&mut s, key(KeyCode::PageUp));
    assert!(matches!(&s.modal, Some(Modal::Bundles { scroll: 0, .. })));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.modal.is_none());
    // By name, from the command line; an unknown name is said.
    run(&mut s, "bundles billing_bridge");
    assert!(matches!(
        &s.modal,
        Some(Modal::Bundles { integration, .. }) if integration == "billing_bridge"
    ));
    update(&mut s, ch('q'));
    run(&mut s, "bundles nope");
    assert!(s.modal.is_none());
    assert!(s
        .banner
        .as_ref()
        .is_some_and(|b| b.text.contains("no integration named nope")));
    // In read-only mode too: it changes nothing.
    s.ctx.readonly = true;
    s.banner = None;
    update(&mut s, ch('b'));
    assert!(matches!(&s.modal, Some(Modal::Bundles { .. })));
}

#[test]
fn bundles_load_after_every_connections_listing_and_are_in_flight_meanwhile() {
    let mut s = State::new(ctx(), NOW);
    let fx = init(&mut s);
    let fx = answer_except_bundles(&mut s, fx);
    assert_eq!(fx.len(), 3);
    // The table is full while the bundles are read.
    assert!(!s.rows.is_empty());
    assert!(s.busy());
    assert!(matches!(s.usage_of("acme_crm_sync"), UsageState::Loading));
    answer_loads(&mut s, fx);
    assert!(!s.busy());
}
