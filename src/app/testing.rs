//! Fixtures for the TUI's tests (unit tests, view snapshots): a small account with a fixed
//! clock, loaded through `update` exactly as the worker's answers would load it.
#![doc(hidden)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::zis::bundle_parse::parse_bundle_value;
use crate::zis::{
    BundleSet, Connection, ConnectionKind, Integration, JobSpec, OAuthClient, OAuthDetails,
    ZisOAuthClient,
};

use super::{init, update, Action, Context, Effect, State};

/// The fixed "now" of every fixture.
pub const NOW: OffsetDateTime = datetime!(2025-11-22 12:00 UTC);

pub fn ctx() -> Context {
    Context {
        profile: "demo".into(),
        base_url: "http://127.0.0.1:40123".into(),
        credential_source: "env ZENDESK_API_TOKEN".into(),
        readonly: false,
        stale_days: 90,
    }
}

pub fn integration(name: &str, description: &str, id: u64) -> Integration {
    Integration {
        name: name.into(),
        description: description.into(),
        jwt_public_key: None,
        oauth_client: Some(OAuthClient {
            id,
            identifier: format!("zis_{name}"),
        }),
    }
}

pub fn conn(
    kind: ConnectionKind,
    name: &str,
    principal: &str,
    domain: &str,
    created_days: i64,
    updated_days: i64,
) -> Connection {
    Connection {
        kind,
        name: name.into(),
        allowed_domain: domain.into(),
        username: (kind == ConnectionKind::BasicAuth).then(|| principal.to_string()),
        header_name: (kind == ConnectionKind::ApiKey).then(|| principal.to_string()),
        created_at: Some(NOW - Duration::days(created_days)),
        updated_at: Some(NOW - Duration::days(updated_days)),
        oauth: (kind == ConnectionKind::OAuth).then(crate::zis::OAuthDetails::default),
    }
}

/// An OAuth client of the fixtures, updated `updated_days` ago.
pub fn oauth_client(uuid: &str, name: &str, grant: &str, updated_days: i64) -> ZisOAuthClient {
    ZisOAuthClient {
        uuid: uuid.into(),
        name: name.into(),
        client_id: format!("{name}-client-id"),
        token_url: format!("https://login.{name}.example/oauth/token"),
        auth_url: (grant == "authorization_code")
            .then(|| format!("https://login.{name}.example/oauth/authorize")),
        default_scopes: Some("read write".into()),
        grant_type: Some(grant.into()),
        integration: None,
        created_by: Some("admin".into()),
        created_at: Some(NOW - Duration::days(updated_days + 30)),
        updated_at: Some(NOW - Duration::days(updated_days)),
    }
}

/// The OAuth clients of a fixture integration.
pub fn oauth_clients(integration: &str) -> Vec<ZisOAuthClient> {
    match integration {
        "acme_crm_sync" => vec![
            oauth_client("c-zendesk", "zendesk", "authorization_code", 20),
            oauth_client("c-entra", "entra_graph", "client_credentials", 430),
        ],
        _ => Vec::new(),
    }
}

pub fn integrations() -> Vec<Integration> {
    vec![
        integration(
            "acme_crm_sync",
            "Two-way sync of users and organizations with Salesforce and HubSpot",
            10066,
        ),
        integration(
            "billing_bridge",
            "Subscription and invoice status from Stripe and Chargebee",
            10071,
        ),
        integration("support_tools", "", 10080),
    ]
}

pub fn connections(integration: &str) -> Vec<Connection> {
    use ConnectionKind::*;
    match integration {
        "acme_crm_sync" => vec![
            Connection {
                oauth: Some(OAuthDetails {
                    uuid: Some("conn-zendesk".into()),
                    oauth_client_uuid: Some("c-zendesk".into()),
                    permission_scope: Some("read write".into()),
                    token_type: Some("bearer".into()),
                    token_expiry: Some(NOW + Duration::hours(5)),
                    created_by: None,
                }),
                ..conn(OAuth, "zendesk", "", "acme.zendesk.com", 910, 3)
            },
            conn(
                BasicAuth,
                "salesforce_prod",
                "zendesk.integration@acme-corp.com",
                "login.salesforce.com",
                905,
                88,
            ),
            conn(
                BasicAuth,
                "salesforce_sandbox",
                "zendesk.integration@acme-corp.com",
                "test.salesforce.com",
                905,
                412,
            ),
            conn(
                BearerToken,
                "hubspot_private_app",
                "",
                "api.hubapi.com",
                240,
                61,
            ),
            conn(
                ApiKey,
                "hubspot_legacy_key",
                "X-API-Key",
                "api.hubapi.com",
                1020,
                1020,
            ),
        ],
        "billing_bridge" => vec![
            conn(BearerToken, "stripe_live", "", "api.stripe.com", 760, 45),
            conn(
                BasicAuth,
                "chargebee_site",
                "live_9FqkQ3LXcd",
                "acme.chargebee.com",
                540,
                300,
            ),
        ],
        _ => Vec::new(),
    }
}

fn job_spec(name: &str, flow: &str, installed: bool) -> JobSpec {
    JobSpec {
        name: name.into(),
        uuid: format!("js-{name}"),
        event_source: "support".into(),
        event_type: "ticket.TicketCreated".into(),
        flow_name: flow.into(),
        installed: Some(installed),
    }
}

/// The fixture bundles: acme_crm_sync uses salesforce_prod, hubspot_private_app and zendesk
/// (salesforce_sandbox and hubspot_legacy_key are used by nothing) and has an action naming a
/// connection it lacks, behind a job spec not installed; billing_bridge uses stripe_live, not
/// chargebee_site, and keeps a stale job spec; support_tools has none.
pub fn bundles(integration: &str) -> BundleSet {
    let action = |name: &str, conn: Option<&str>, method: &str, target: (&str, &str)| {
        let mut def = serde_json::json!({ "method": method, target.0: target.1 });
        if let Some(c) = conn {
            def["connectionName"] = c.into();
        }
        (
            name.to_string(),
            serde_json::json!({"type": "ZIS::Action::Http", "properties": {"name": name, "definition": def}}),
        )
    };
    let flow = |name: &str, steps: &[(&str, &str)]| {
        let states: serde_json::Map<String, serde_json::Value> = steps
            .iter()
            .enumerate()
            .map(|(i, (state, action))| {
                let mut st = serde_json::json!({"Type": "Action",
                    "ActionName": format!("zis:{integration}:action:{action}")});
                match steps.get(i + 1) {
                    Some((next, _)) => st["Next"] = (*next).into(),
                    None => st["End"] = true.into(),
                }
                (state.to_string(), st)
            })
            .collect();
        (
            name.to_string(),
            serde_json::json!({"type": "ZIS::Flow", "properties": {"name": name, "definition": {"StartAt": steps[0].0, "States": states}}}),
        )
    };
    let job = |name: &str, flow: &str| {
        (
            name.to_string(),
            serde_json::json!({"type": "ZIS::JobSpec", "properties": {"name": name, "event_source": "support",
                "event_type": "ticket.TicketCreated", "flow_name": format!("zis:{integration}:flow:{flow}")}}),
        )
    };
    let bundle = |name: &str, uuid: &str, resources: Vec<(String, serde_json::Value)>| {
        let resources: serde_json::Map<String, serde_json::Value> = resources.into_iter().collect();
        parse_bundle_value(&serde_json::json!({"bundle": {"name": name, "uuid": uuid,
            "zis_template_version": "2019-10-14", "resources": resources}}))
        .expect("a fixture bundle")
    };
    let flow_name = |f: &str| format!("zis:{integration}:flow:{f}");
    match integration {
        "acme_crm_sync" => BundleSet {
            bundles: vec![bundle(
                "crm_sync",
                "b-crm-1",
                vec![
                    action(
                        "get_ticket",
                        Some("zendesk"),
                        "GET",
                        ("path", "/api/v2/tickets/{{$.ticket_id}}"),
                    ),
                    action(
                        "push_contact",
                        Some("salesforce_prod"),
                        "POST",
                        (
                            "url",
                            "https://login.salesforce.com/services/data/v60.0/sobjects/Contact",
                        ),
                    ),
                    action(
                        "enrich",
                        Some("hubspot_private_app"),
                        "GET",
                        ("url", "https://api.hubapi.com/crm/v3/objects/companies"),
                    ),
                    action(
                        "legacy_lookup",
                        Some("hubspot_old_key"),
                        "GET",
                        ("url", "https://api.hubapi.com/contacts/v1/search"),
                    ),
                    flow(
                        "sync_contact",
                        &[
                            ("Get", "get_ticket"),
                            ("Push", "push_contact"),
                            ("Enrich", "enrich"),
                        ],
                    ),
                    flow("legacy_flow", &[("Lookup", "legacy_lookup")]),
                    job("on_ticket_created", "sync_contact"),
                    job("legacy_job", "legacy_flow"),
                ],
            )],
            unreadable: Vec::new(),
            job_specs: vec![
                job_spec("on_ticket_created", &flow_name("sync_contact"), true),
                job_spec("legacy_job", &flow_name("legacy_flow"), false),
            ],
        },
        "billing_bridge" => BundleSet {
            bundles: vec![bundle(
                "invoices",
                "b-inv-1",
                vec![
                    action(
                        "post_invoice",
                        Some("stripe_live"),
                        "POST",
                        ("url", "https://api.stripe.com/v1/invoices"),
                    ),
                    flow("invoice_flow", &[("Post", "post_invoice")]),
                    job("invoice_job", "invoice_flow"),
                ],
            )],
            unreadable: Vec::new(),
            job_specs: vec![
                job_spec("invoice_job", &flow_name("invoice_flow"), true),
                job_spec("old_invoice_job", &flow_name("chargebee_flow"), true),
            ],
        },
        _ => BundleSet::default(),
    }
}

/// Answer every load effect in `fx` with the fixture data; returns the other effects.
pub fn answer_loads(state: &mut State, fx: Vec<Effect>) -> Vec<Effect> {
    let mut rest = Vec::new();
    let mut queue = fx;
    while let Some(e) = queue.pop() {
        match e {
            Effect::LoadIntegrations { req } => {
                queue.extend(update(
                    state,
                    Action::IntegrationsLoaded {
                        req,
                        result: Ok(integrations()),
                        now: NOW,
                    },
                ));
            }
            Effect::LoadConnections { req, integration } => {
                let result = Ok(connections(&integration));
                queue.extend(update(
                    state,
                    Action::ConnectionsLoaded {
                        req,
                        integration,
                        result,
                        token: Some(crate::zis::TokenSource::Minted),
                        now: NOW,
                    },
                ));
            }
            Effect::LoadBundles { req, integration } => {
                let result = Ok(bundles(&integration));
                queue.extend(update(
                    state,
                    Action::BundlesLoaded {
                        req,
                        integration,
                        result,
                    },
                ));
            }
            Effect::LoadOAuthClients { req, integration } => {
                let result = Ok(oauth_clients(&integration));
                queue.extend(update(
                    state,
                    Action::OAuthClientsLoaded {
                        req,
                        integration,
                        result,
                    },
                ));
            }
            other => rest.push(other),
        }
    }
    rest
}

/// A state with every fixture integration and connection loaded, at `w`×`h`.
pub fn loaded(w: u16, h: u16) -> State {
    let mut s = State::new(ctx(), NOW);
    s.size = (w, h);
    let fx = init(&mut s);
    answer_loads(&mut s, fx);
    report_viewport(&mut s, w, h);
    s
}

/// What the runtime does after it draws a frame: tell the state how many table rows a
/// `w`×`h` terminal shows.
pub fn report_viewport(state: &mut State, w: u16, h: u16) {
    let table_rows = crate::ui::table_rows(state, w, h);
    update(state, Action::Viewport { table_rows });
}

pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Action {
    key(KeyCode::Char(c))
}

pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn shift_tab() -> Action {
    Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
}

/// Press each key of `keys` (one char each) and collect the effects.
pub fn press(state: &mut State, keys: &str) -> Vec<Effect> {
    keys.chars().flat_map(|c| update(state, ch(c))).collect()
}

/// Type text into whatever has the focus.
pub fn type_text(state: &mut State, text: &str) -> Vec<Effect> {
    press(state, text)
}

/// A state with one integration holding `n` basic_auth connections (`conn_0000`…).
pub fn big(w: u16, h: u16, n: usize) -> State {
    let mut s = State::new(ctx(), NOW);
    s.size = (w, h);
    let fx = init(&mut s);
    for e in fx {
        if let Effect::LoadIntegrations { req } = e {
            let fx = update(
                &mut s,
                Action::IntegrationsLoaded {
                    req,
                    result: Ok(vec![integration("big", "", 1)]),
                    now: NOW,
                },
            );
            for e in fx {
                if let Effect::LoadBundles { req, integration } = &e {
                    // No bundles read: what uses these is not known (no "unused" findings).
                    update(
                        &mut s,
                        Action::BundlesLoaded {
                            req: *req,
                            integration: integration.clone(),
                            result: Err(crate::zis::Error::new(
                                crate::zis::ErrorKind::NotFound,
                                "no bundles in this fixture",
                            )),
                        },
                    );
                }
                if let Effect::LoadConnections { req, integration } = e {
                    let list = (0..n)
                        .map(|i| {
                            conn(
                                ConnectionKind::BasicAuth,
                                &format!("conn_{i:04}"),
                                "svc",
                                "api.example.com",
                                400,
                                (i % 400) as i64,
                            )
                        })
                        .collect();
                    update(
                        &mut s,
                        Action::ConnectionsLoaded {
                            req,
                            integration,
                            result: Ok(list),
                            token: None,
                            now: NOW,
                        },
                    );
                }
            }
        }
    }
    report_viewport(&mut s, w, h);
    s
}

/// A rotation recipe for `pattern` (`INTEGRATION/NAME` glob), as a profile would give it: a
/// `set_command` and the built-in test on `test_url` (None: no test).
pub fn recipes(pattern: &str, test_url: Option<&str>) -> crate::rotation::Recipes {
    crate::rotation::Recipes::from_config(&[crate::rotation::RecipeConfig {
        pattern: pattern.into(),
        set_command: Some("/usr/local/bin/set-password".into()),
        test_url: test_url.map(str::to_string),
        ..Default::default()
    }])
    .expect("a good recipe")
}

/// Select the connection called `name` in the table (the table has the focus).
pub fn select(s: &mut State, name: &str) {
    update(s, ch('g'));
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.name.as_str()) == Some(name) {
            return;
        }
        update(s, ch('j'));
    }
    panic!("no row named {name}");
}

/// The form on screen.
pub fn form(s: &State) -> &super::Form {
    match &s.modal {
        Some(super::Modal::Form(f)) => f,
        other => panic!("expected a form, got {other:?}"),
    }
}
