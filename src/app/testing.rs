//! Fixtures for the TUI's tests (unit tests, view snapshots): a small account with a fixed
//! clock, loaded through `update` exactly as the worker's answers would load it.
#![doc(hidden)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::zis::{
    Connection, ConnectionKind, Integration, OAuthClient, OAuthDetails, ZisOAuthClient,
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
