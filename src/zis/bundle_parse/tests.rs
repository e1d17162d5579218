use serde_json::json;

use super::*;

fn action(def: Value) -> HttpAction {
    let b = parse_bundle_value(&json!({
        "resources": {"a": {"type": "ZIS::Action::Http", "properties": {"name": "a", "definition": def}}}
    }))
    .unwrap();
    match &b.resources[0].body {
        ResourceBody::Action(a) => a.clone(),
        other => panic!("not an action: {}", other.label()),
    }
}

fn fields(a: &HttpAction) -> Vec<&str> {
    a.credentials.iter().map(|c| c.field.as_str()).collect()
}

#[test]
fn listing_pages() {
    let p = parse_bundle_page(
        br#"{"bundles":[{"name":"b1","uuid":"u1","description":"d","integration":"acme","zis_template_version":"2019-10-14","extra":1},
            {"uuid": 7}, {"description": "no name nor uuid"}, 5],
            "meta":{"has_more":true,"after":42,"before":null}}"#,
    )
    .unwrap();
    assert_eq!(p.bundles.len(), 2);
    assert_eq!(p.bundles[0].zis_template_version, "2019-10-14");
    assert_eq!(p.bundles[1].uuid, "7");
    assert!(p.has_more);
    assert_eq!(p.after.as_deref(), Some("42"));
    assert_eq!(p.before, None);
    // A bare array, no meta: one last page.
    let p = parse_bundle_page(br#"[{"name":"b","uuid":"u"}]"#).unwrap();
    assert_eq!(p.bundles.len(), 1);
    assert!(!p.has_more);
    assert!(parse_bundle_page(br#"{"bundles": 3}"#).is_err());
    assert!(parse_bundle_page(br#"{"job_specs": []}"#).is_err());
    assert!(parse_bundle_page(b"<html>").is_err());
    assert!(parse_bundle_page(b"").is_err());

    let j = parse_job_spec_page(
        br#"{"job_specs":[{"name":"j1","uuid":"x","event_source":"support","event_type":"ticket.TicketCreated","flow_name":"zis:acme:flow:f","installed":true},
            {"name":"j2","installed":"false"},{"name":"j3"},{"installed":true}],"meta":{"has_more":false}}"#,
    )
    .unwrap();
    assert_eq!(j.job_specs.len(), 3);
    assert_eq!(j.job_specs[0].installed, Some(true));
    assert_eq!(j.job_specs[1].installed, Some(false));
    assert_eq!(j.job_specs[2].installed, None);
    assert_eq!(j.job_specs[0].flow_name, "zis:acme:flow:f");
}

#[test]
fn bundle_bare_or_wrapped() {
    let inner = json!({"name": "b", "uuid": "u", "zis_template_version": "2019-10-14", "resources": {
        "f": {"type": "ZIS::Flow", "properties": {"name": "my_flow", "definition": {"StartAt": "A", "States": {
            "A": {"Type": "Action", "ActionName": "zis:acme:action:post", "Next": "B"},
            "B": {"Type": "Pass", "End": true}}}}},
        "x": {"type": "ZIS::Config", "properties": {}},
    }});
    let wrapped = parse_bundle_value(&json!({"bundle": inner.clone()})).unwrap();
    let bare = parse_bundle_value(&inner).unwrap();
    assert_eq!(wrapped, bare);
    assert_eq!(bare.name, "b");
    assert_eq!(bare.resources.len(), 2);
    let ResourceBody::Flow(f) = &bare.resources[0].body else {
        panic!("a flow first")
    };
    assert_eq!(bare.resources[0].name, "my_flow");
    assert_eq!(bare.resources[0].key, "f");
    assert_eq!(f.actions.len(), 1);
    assert_eq!(f.actions[0].state, "A");
    assert_eq!(f.actions[0].action_name, "zis:acme:action:post");
    assert_eq!(
        bare.resources[1].body,
        ResourceBody::Other {
            type_name: "ZIS::Config".into()
        }
    );
    assert!(parse_bundle_value(&json!([1, 2])).is_err());
    let none = parse_bundle_value(&json!({"name": "b"})).unwrap();
    assert!(none.malformed.is_some());
    assert!(none.resources.is_empty());
}

#[test]
fn missing_definitions_are_findings() {
    let b = parse_bundle_value(&json!({"resources": {
        "a": {"type": "ZIS::Action::Http", "properties": {"name": "a"}},
        "f": {"type": "ZIS::Flow"},
        "j": {"type": "ZIS::JobSpec", "properties": {"event_type": "x"}},
        "n": {"properties": {}},
        "s": {"type": "ZIS::Flow", "properties": {"definition": "not an object"}},
        "weird": 7,
    }}))
    .unwrap();
    let m: Vec<Option<&str>> = b.resources.iter().map(|r| r.body.malformed()).collect();
    assert_eq!(m[0], Some("no properties.definition"));
    assert_eq!(m[1], Some("no \"properties\" object"));
    assert_eq!(m[2], Some("no properties.flow_name"));
    assert_eq!(b.resources[3].body.label(), "(no type)");
    assert_eq!(m[4], Some("properties.definition is not an object"));
    assert_eq!(b.resources[5].body.label(), "(no type)");
}

#[test]
fn states_are_read_in_the_order_they_run() {
    let b = parse_bundle_value(
        &json!({"resources": {"f": {"type": "ZIS::Flow", "properties": {"definition": {
        "StartAt": "Zeta", "States": {
            "Alpha": {"Type": "Action", "ActionName": "zis:a:action:third", "End": true},
            "Zeta": {"Type": "Action", "ActionName": "zis:a:action:first", "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Next": "Mid"}], "Default": "Alpha"},
            "Mid": {"Type": "Action", "ActionName": "zis:a:action:second", "Next": "Alpha"},
            "Orphan": {"Type": "Action", "ActionName": "zis:a:action:never", "Next": "Nowhere"}
        }}}}}}),
    )
    .unwrap();
    let ResourceBody::Flow(f) = &b.resources[0].body else {
        panic!("a flow")
    };
    let order: Vec<&str> = f.actions.iter().map(|a| a.action_name.as_str()).collect();
    assert_eq!(
        order,
        [
            "zis:a:action:first",
            "zis:a:action:second",
            "zis:a:action:third",
            "zis:a:action:never"
        ]
    );
}

#[test]
fn nested_states_are_followed() {
    let b = parse_bundle_value(
        &json!({"resources": {"f": {"type": "zis::flow", "properties": {"definition": {
        "States": {"P": {"Type": "Parallel", "Branches": [
            {"States": {"X": {"Type": "Action", "ActionName": "zis:acme:action:x"}}},
            {"States": {"M": {"Type": "Map", "Iterator": {"States": {
                "Y": {"Type": "Action", "ActionName": "zis:acme:action:y"}}}}}}
        ]}}}}}}}),
    )
    .unwrap();
    let ResourceBody::Flow(f) = &b.resources[0].body else {
        panic!("a flow")
    };
    let names: Vec<(&str, &str)> = f
        .actions
        .iter()
        .map(|a| (a.state.as_str(), a.action_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [("P/X", "zis:acme:action:x"), ("P/M/Y", "zis:acme:action:y")]
    );
}

#[test]
fn actions_connections_and_targets() {
    let a = action(
        json!({"connectionName": "crm", "method": "POST", "url": "https://api.example.com/v1/x?q=1"}),
    );
    assert_eq!(a.connection, ConnectionRef::Named("crm".into()));
    assert_eq!(a.method, "POST");
    assert_eq!(
        a.target,
        ActionTarget::Url("https://api.example.com/v1/x".into())
    );
    assert!(a.credentials.is_empty());
    assert!(!a.is_zendesk_path());

    let a = action(json!({"method": "GET", "path.$": "/api/v2/tickets/{{$.ticket_id}}"}));
    assert_eq!(a.connection, ConnectionRef::Missing);
    assert_eq!(
        a.target,
        ActionTarget::Path("/api/v2/tickets/{{$.ticket_id}}".into())
    );
    assert!(a.is_zendesk_path());

    let a = action(json!({"connectionName.$": "$.conn", "url.$": "$.target"}));
    assert_eq!(a.connection, ConnectionRef::Dynamic);

    let a = action(json!({"connectionName": "  ", "method": "GET"}));
    assert_eq!(a.connection, ConnectionRef::Missing);
    assert_eq!(a.target, ActionTarget::None);
    assert!(a.malformed.is_some());
}

#[test]
fn literal_credentials_are_found_by_where_they_are() {
    let a = action(json!({
        "connectionName": "crm", "method": "POST",
        "url": "https://svc:Pa55w0rd-canary@api.example.com/v1?api_key=abc123&page=2",
        "headers": [
            {"key": "Authorization", "value": "Basic dXNlcjpwYXNz"},
            {"key": "X-Api-Key", "value": "k-123456"},
            {"key": "Authorization", "value": "Bearer {{$.connections.crm.access_token}}"},
            {"key": "Content-Type", "value": "application/json"},
            {"key": "X-Token", "value.$": "$.token"},
            {"key": "Authorization", "value": "Bearer"}
        ],
        "queryParams": [{"key": "key", "value": "AIzaSy-canary"}, {"key": "foo", "value": "bar"}],
        "requestBody": {"user": "bob", "password": "hunter2", "token_type": "bearer",
            "nested": [{"client_secret": "s3cr3t"}], "password.$": "$.pw", "token": "{{$.t}}"}
    }));
    assert_eq!(
        fields(&a),
        [
            "url",
            "url (query api_key)",
            "headers[Authorization]",
            "headers[X-Api-Key]",
            "queryParams[key]",
            "requestBody.nested[0].client_secret",
            "requestBody.password",
        ]
    );
    assert_eq!(a.credentials[0].what, "user:password@ in the URL");
    // The kept URL has neither the user info nor the query.
    assert_eq!(
        a.target,
        ActionTarget::Url("https://api.example.com/v1".into())
    );
    let all = format!("{a:?}");
    for secret in [
        "Pa55w0rd-canary",
        "dXNlcjpwYXNz",
        "k-123456",
        "hunter2",
        "s3cr3t",
        "abc123",
        "AIzaSy-canary",
    ] {
        assert!(!all.contains(secret), "a credential's value was kept");
    }

    let a = action(json!({"url": "https://ghp_tokencanary@github.com/x"}));
    assert_eq!(fields(&a), ["url"]);
    assert_eq!(a.credentials[0].what, "user info (a token?) in the URL");
    let a = action(json!({"url.$": "https://{{$.user}}:{{$.pw}}@host/x"}));
    assert!(a.credentials.is_empty(), "templates are not literals");
    // An object of headers, a string body (JSON, then a form).
    let a = action(
        json!({"path": "/api/v2/x", "headers": {"Private-Token": "glpat-1"},
        "requestBody": "{\"api_key\": \"k9\"}"}),
    );
    assert_eq!(
        fields(&a),
        ["headers[Private-Token]", "requestBody.api_key"]
    );
    let a = action(json!({"path": "/api/v2/x", "requestBody": "grant_type=password&password=pw1"}));
    assert_eq!(fields(&a), ["requestBody (password)"]);
    // Placeholders and words about credentials are not credentials.
    let a = action(
        json!({"path": "/x", "requestBody": {"password": "*****", "token_url": "https://t",
        "password_length": "32", "secret_name": "prod", "password_reset": "true"}}),
    );
    assert!(a.credentials.is_empty(), "{:?}", fields(&a));
}

#[test]
fn caps_hold() {
    let mut resources = Map::new();
    for i in 0..(MAX_RESOURCES + 5) {
        resources.insert(format!("r{i:05}"), json!({"type": "ZIS::Config"}));
    }
    let b = parse_bundle_value(&json!({"resources": resources})).unwrap();
    assert_eq!(b.resources.len(), MAX_RESOURCES);
    assert_eq!(b.truncated, 5);

    let long = "n".repeat(MAX_TEXT * 3);
    let b = parse_bundle_value(&json!({"name": long, "resources": {}})).unwrap();
    assert_eq!(b.name.chars().count(), MAX_TEXT + 1);
    assert!(b.name.ends_with('…'));

    let headers: Vec<Value> = (0..100)
        .map(|i| json!({"key": format!("X-Token-{i}"), "value": "literal"}))
        .collect();
    let a = action(json!({"path": "/x", "headers": headers}));
    assert_eq!(a.credentials.len(), MAX_SPOTS + 1);
    assert_eq!(a.credentials[MAX_SPOTS].field, "68 more field(s)");

    // Deep nesting in a body and in states: bounded, no stack overflow.
    let mut body = json!({"password": "deep"});
    for _ in 0..100 {
        body = json!({ "a": body });
    }
    let a = action(json!({"path": "/x", "requestBody": body}));
    assert!(a.credentials.is_empty());
    let mut states = json!({"S": {"Type": "Action", "ActionName": "zis:a:action:x"}});
    for _ in 0..100 {
        states = json!({"P": {"Type": "Parallel", "Branches": [{"States": states}]}});
    }
    let b = parse_bundle_value(&json!({"resources": {"f": {"type": "ZIS::Flow",
        "properties": {"definition": {"States": states}}}}}))
    .unwrap();
    let ResourceBody::Flow(f) = &b.resources[0].body else {
        panic!("a flow")
    };
    assert!(f.actions.is_empty());
}

#[test]
fn urls_split() {
    let p = split_url("https://u:p@h.example.com:8443/a/b?x=1#frag");
    assert_eq!(p.shown, "https://h.example.com:8443/a/b");
    assert_eq!(p.userinfo, Some("u:p"));
    assert_eq!(p.query, Some("x=1"));
    let p = split_url("https://h.example.com");
    assert_eq!(
        (p.shown.as_str(), p.userinfo, p.query),
        ("https://h.example.com", None, None)
    );
    let p = split_url("$.url");
    assert_eq!(p.shown, "$.url");
    assert_eq!(literal_part("a{{b}}c{{d"), "ac");
    assert!(!is_literal_secret(
        "Bearer {{$.connections.x.access_token}}"
    ));
    assert!(is_literal_secret("Bearer abc"));
    assert!(!is_literal_secret("$.token"));
}
