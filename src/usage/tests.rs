use serde_json::{json, Value};

use super::*;
use crate::zis::bundle_parse::parse_bundle_value;
use crate::zis::{BundleSummary, JobSpec};

fn bundle(v: Value) -> crate::zis::Bundle {
    parse_bundle_value(&v).expect("a bundle")
}

fn job(name: &str, flow: &str, installed: Option<bool>) -> JobSpec {
    JobSpec {
        name: name.into(),
        uuid: format!("u-{name}"),
        event_source: "support".into(),
        event_type: "ticket.TicketCreated".into(),
        flow_name: flow.into(),
        installed,
    }
}

fn conns() -> Vec<KnownConnection<'static>> {
    vec![
        KnownConnection {
            name: "crm_basic",
            kind: ConnectionKind::BasicAuth,
            oauth_client: None,
        },
        KnownConnection {
            name: "zendesk",
            kind: ConnectionKind::OAuth,
            oauth_client: Some("zendesk_client"),
        },
        KnownConnection {
            name: "idle_key",
            kind: ConnectionKind::ApiKey,
            oauth_client: None,
        },
    ]
}

/// One bundle with one of each problem, and a clean chain job spec → flow → action → crm_basic.
fn account() -> BundleSet {
    let main = bundle(
        json!({"bundle": {"name": "crm_sync", "uuid": "b1", "resources": {
            "push_contact": {"type": "ZIS::Action::Http", "properties": {"name": "push_contact", "definition": {
                "connectionName": "crm_basic", "method": "POST", "url": "https://crm.example.com/api/contacts"}}},
            "lookup_user": {"type": "ZIS::Action::Http", "properties": {"name": "lookup_user", "definition": {
                "connectionName": "missing_conn", "method": "GET", "url": "https://crm.example.com/users"}}},
            "get_ticket": {"type": "ZIS::Action::Http", "properties": {"name": "get_ticket", "definition": {
                "method": "GET", "path": "/api/v2/tickets/{{$.id}}"}}},
            "add_comment": {"type": "ZIS::Action::Http", "properties": {"name": "add_comment", "definition": {
                "connectionName": "zendesk", "method": "PUT", "path": "/api/v2/tickets/{{$.id}}"}}},
            "leaky": {"type": "ZIS::Action::Http", "properties": {"name": "leaky", "definition": {
                "connectionName": "crm_basic", "method": "POST", "url": "https://svc:canary-pw@crm.example.com/x",
                "headers": [{"key": "Authorization", "value": "Basic Y2FuYXJ5"}],
                "requestBody": {"password": "canary-body"}}}},
            "sync_flow": {"type": "ZIS::Flow", "properties": {"name": "sync_flow", "definition": {"StartAt": "Get", "States": {
                "Get": {"Type": "Action", "ActionName": "zis:acme:action:get_ticket", "Next": "Push"},
                "Push": {"Type": "Action", "ActionName": "zis:acme:action:push_contact", "Next": "Config"},
                "Config": {"Type": "Action", "ActionName": "zis:common:action:LoadConfig", "Next": "Gone"},
                "Gone": {"Type": "Action", "ActionName": "zis:acme:action:deleted_action", "End": true}}}}},
            "on_ticket": {"type": "ZIS::JobSpec", "properties": {"name": "on_ticket", "event_source": "support",
                "event_type": "ticket.TicketCreated", "flow_name": "zis:acme:flow:sync_flow"}},
            "config": {"type": "ZIS::Config", "properties": {}},
            "broken": {"type": "ZIS::Action::Http", "properties": {"name": "broken"}}
        }}}),
    );
    let other = bundle(json!({"name": "nightly", "uuid": "b2", "resources": {
        "nightly_flow": {"type": "ZIS::Flow", "properties": {"name": "nightly_flow", "definition": {"States": {
            "Comment": {"Type": "Action", "ActionName": "zis:acme:action:add_comment", "End": true}}}}},
        "nightly_job": {"type": "ZIS::JobSpec", "properties": {"name": "nightly_job", "event_source": "schedule",
            "event_type": "daily", "flow_name": "zis:acme:flow:nightly_flow"}}
    }}));
    BundleSet {
        bundles: vec![other, main],
        unreadable: Vec::new(),
        job_specs: vec![
            job("on_ticket", "zis:acme:flow:sync_flow", Some(true)),
            job(
                "zis:acme:job_spec:nightly_job",
                "zis:acme:flow:nightly_flow",
                Some(false),
            ),
            job("old_job", "zis:acme:flow:removed_flow", Some(true)),
        ],
    }
}

fn kinds(u: &Usage) -> Vec<(&str, &str, ProblemKind)> {
    u.problems
        .iter()
        .map(|p| (p.bundle.as_str(), p.resource.as_str(), p.kind))
        .collect()
}

#[test]
fn every_problem_kind_is_found_where_it_is() {
    let c = conns();
    let u = build("acme", &account(), Some(&c));
    use ProblemKind::*;
    assert_eq!(
        kinds(&u),
        [
            ("crm_sync", "broken", Malformed),
            ("crm_sync", "get_ticket", PathWithoutConnection),
            ("crm_sync", "leaky", LiteralCredential),
            ("crm_sync", "leaky", LiteralCredential),
            ("crm_sync", "leaky", LiteralCredential),
            ("crm_sync", "lookup_user", UnknownConnection),
            ("crm_sync", "sync_flow", UnknownAction),
            ("nightly", "nightly_job", NotInstalled),
            (NONE, "old_job", StaleJobSpec),
        ]
    );
    let detail = |r: &str, k: ProblemKind| {
        u.problems
            .iter()
            .find(|p| p.resource == r && p.kind == k)
            .map(|p| p.detail.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        detail("lookup_user", UnknownConnection),
        "names connection missing_conn, which acme does not have"
    );
    assert_eq!(
        detail("sync_flow", UnknownAction),
        "state Gone names action deleted_action, which no bundle defines"
    );
    assert_eq!(
        detail("old_job", StaleJobSpec),
        "its flow zis:acme:flow:removed_flow is defined by no bundle; installed, it still fires"
    );
    let leaks: Vec<&str> = u
        .problems
        .iter()
        .filter(|p| p.kind == LiteralCredential)
        .map(|p| p.detail.as_str())
        .collect();
    assert_eq!(
        leaks,
        [
            "headers[Authorization]: a literal value in a credential header",
            "requestBody.password: a literal value under a password or token key",
            "url: user:password@ in the URL",
        ]
    );
    let all = format!("{u:?}");
    for secret in ["canary-pw", "Y2FuYXJ5", "canary-body"] {
        assert!(
            !all.contains(secret),
            "a credential's value is in the graph"
        );
    }
    assert_eq!(u.orphan_job_specs.len(), 1);
    assert_eq!(u.orphan_job_specs[0].name, "old_job");
    assert!(u.complete);
}

#[test]
fn uses_follow_job_spec_flow_action_connection() {
    let c = conns();
    let u = build("acme", &account(), Some(&c));
    let crm = u.used_by("crm_basic");
    assert_eq!(crm.len(), 2);
    // leaky is called by no flow; push_contact by sync_flow, started by on_ticket (installed).
    assert_eq!(use_path(&crm[0]), "crm_sync › (no flow) › leaky");
    assert_eq!(use_path(&crm[1]), "crm_sync › sync_flow › push_contact");
    assert!(crm[1].live());
    assert_eq!(triggers_text(&crm[1].job_specs), "job spec installed");
    assert_eq!(triggers_text(&crm[0].job_specs), "no job spec");

    // zendesk: named by add_comment (nightly, not installed), implied by get_ticket's path.
    let zd = u.used_by("zendesk");
    let paths: Vec<(String, bool)> = zd.iter().map(|u| (use_path(u), u.implicit)).collect();
    assert_eq!(
        paths,
        [
            ("crm_sync › sync_flow › get_ticket".to_string(), true),
            ("nightly › nightly_flow › add_comment".to_string(), false),
        ]
    );
    assert_eq!(triggers_text(&zd[1].job_specs), "job spec not installed");
    assert_eq!(
        u.oauth_clients.get("zendesk").map(String::as_str),
        Some("zendesk_client")
    );

    assert_eq!(u.is_unused("idle_key"), Some(true));
    assert_eq!(u.is_unused("crm_basic"), Some(false));
    // A name no action uses and no connection has: unused too.
    assert_eq!(u.is_unused("nobody"), Some(true));
    assert_eq!(u.used_by("missing_conn").len(), 1);
}

#[test]
fn views_of_resources() {
    let c = conns();
    let u = build("acme", &account(), Some(&c));
    assert_eq!(
        u.bundles
            .iter()
            .map(|b| b.name.as_str())
            .collect::<Vec<_>>(),
        ["crm_sync", "nightly"]
    );
    let b = u.bundle("crm_sync").unwrap();
    assert!(u.bundle("b2").is_some(), "found by uuid too");
    let push = b
        .resources
        .iter()
        .find(|r| r.name == "push_contact")
        .unwrap();
    match &push.node {
        Node::Action {
            connection,
            method,
            target,
            flows,
            zendesk_path,
            ..
        } => {
            assert_eq!(connection.as_deref(), Some("crm_basic"));
            assert_eq!(method, "POST");
            assert_eq!(target, "https://crm.example.com/api/contacts");
            assert_eq!(flows, &["sync_flow"]);
            assert!(!zendesk_path);
        }
        other => panic!("not an action: {}", other.label()),
    }
    let job = b.resources.iter().find(|r| r.name == "on_ticket").unwrap();
    assert_eq!(
        job.node,
        Node::JobSpec {
            flow: "zis:acme:flow:sync_flow".into(),
            event: "support ticket.TicketCreated".into(),
            installed: Some(true)
        }
    );
    let flow = b.resources.iter().find(|r| r.name == "sync_flow").unwrap();
    let Node::Flow { actions, job_specs } = &flow.node else {
        panic!("a flow")
    };
    assert_eq!(actions.len(), 4);
    assert_eq!(job_specs.len(), 1);
    let cfg = b.resources.iter().find(|r| r.name == "config").unwrap();
    assert_eq!(cfg.node.label(), "ZIS::Config");
    assert!(cfg.problems.is_empty());
}

#[test]
fn unknown_connections_need_the_connections() {
    let u = build("acme", &account(), None);
    assert!(!u
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::UnknownConnection));
}

#[test]
fn an_unreadable_bundle_makes_usage_incomplete() {
    let mut set = account();
    set.unreadable.push((
        BundleSummary {
            name: "huge".into(),
            uuid: "b3".into(),
            ..BundleSummary::default()
        },
        "show bundle b3 of acme: the answer is larger than 16 MiB; refused".into(),
    ));
    let c = conns();
    let u = build("acme", &set, Some(&c));
    assert!(!u.complete);
    assert_eq!(u.is_unused("idle_key"), None);
    let p = u
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Unreadable)
        .unwrap();
    assert_eq!((p.bundle.as_str(), p.resource.as_str()), ("huge", NONE));
    assert!(u.bundle("huge").unwrap().unreadable.is_some());

    let no_resources = bundle(json!({"name": "empty", "uuid": "b4"}));
    let set = BundleSet {
        bundles: vec![no_resources],
        ..BundleSet::default()
    };
    let u = build("acme", &set, Some(&c));
    assert!(!u.complete);
    assert_eq!(kinds(&u), [("empty", NONE, ProblemKind::Malformed)]);
}

#[test]
fn nothing_at_all() {
    let u = build("acme", &BundleSet::default(), Some(&[]));
    assert!(u.problems.is_empty());
    assert!(u.complete);
    assert_eq!(u.is_unused("x"), Some(true));
    assert_eq!(u.used_by("x"), &[]);
}

#[test]
fn bundle_job_specs_not_in_the_registry_are_checked_too() {
    let b = bundle(json!({"name": "b", "uuid": "u", "resources": {
        "j": {"type": "ZIS::JobSpec", "properties": {"name": "j", "flow_name": "zis:acme:flow:nope"}},
        "k": {"type": "ZIS::JobSpec", "properties": {"name": "k"}}
    }}));
    let set = BundleSet {
        bundles: vec![b],
        ..BundleSet::default()
    };
    let u = build("acme", &set, None);
    assert_eq!(
        kinds(&u),
        [
            ("b", "j", ProblemKind::StaleJobSpec),
            ("b", "k", ProblemKind::Malformed)
        ]
    );
}
