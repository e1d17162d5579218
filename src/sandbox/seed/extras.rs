//! The seed's OAuth clients, OAuth connection fields, bundles and job specs, and what a
//! synthetic account gets of each.

use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use time::{Duration, OffsetDateTime};

use super::{ages, hash, secret_or_random, SeedConnection, SeedSecret};
use crate::sandbox::store::{
    check_oauth_name, check_url, random_token, random_uuid, Bundle, Creds, GrantType, JobSpec,
    OAuthConn, Store, User, ZisOAuthClient,
};

/// Who made what the seed holds: the demo admin, by user id [guess: `created_by` is the id].
fn admin_id() -> String {
    User::Admin.id().to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SeedOAuthClient {
    name: String,
    client_id: String,
    token_url: String,
    #[serde(default)]
    auth_url: Option<String>,
    #[serde(default)]
    default_scopes: String,
    #[serde(default)]
    grant_type: Option<String>,
    #[serde(default)]
    client_secret: Option<SeedSecret>,
    #[serde(default)]
    created_days_ago: u32,
    #[serde(default)]
    updated_days_ago: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SeedBundle {
    name: String,
    #[serde(default)]
    description: String,
    resources: Value,
    /// Job specs of this bundle that are not installed.
    #[serde(default)]
    uninstalled: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SeedJobSpec {
    name: String,
    event_source: String,
    event_type: String,
    flow_name: String,
    #[serde(default = "yes")]
    installed: bool,
}

fn yes() -> bool {
    true
}

pub(super) fn seed_oauth_clients(
    store: &mut Store,
    integration: &str,
    clients: Vec<SeedOAuthClient>,
    base: OffsetDateTime,
) -> Result<(), String> {
    for c in clients {
        let ctx = |e: &str| format!("seed: {integration}: oauth client {}: {e}", c.name);
        check_oauth_name("name", &c.name).map_err(|e| ctx(&e))?;
        check_url("token_url", &c.token_url).map_err(|e| ctx(&e))?;
        if let Some(a) = &c.auth_url {
            check_url("auth_url", a).map_err(|e| ctx(&e))?;
        }
        let grant = match c.grant_type.as_deref() {
            None => GrantType::AuthorizationCode,
            Some(g) => GrantType::parse(g).ok_or_else(|| ctx("unknown grant_type"))?,
        };
        let (created_at, updated_at) = ages(
            base,
            c.created_days_ago,
            c.updated_days_ago.unwrap_or(c.created_days_ago),
            hash(&format!("{integration}/client/{}", c.name)),
        );
        let client = ZisOAuthClient {
            uuid: random_uuid(),
            name: c.name.clone(),
            client_id: c.client_id,
            client_secret: secret_or_random(c.client_secret),
            token_url: c.token_url,
            auth_url: c.auth_url,
            default_scopes: c.default_scopes,
            grant_type: grant,
            created_by: admin_id(),
            created_at,
            updated_at,
        };
        store
            .create_oauth_client(integration, client)
            .map_err(|_| ctx("appears twice"))?;
    }
    Ok(())
}

/// The uuid of the OAuth client an `oauth` connection names, if it names one.
pub(super) fn client_uuid(
    store: &Store,
    integration: &str,
    c: &SeedConnection,
) -> Result<Option<String>, String> {
    let Some(name) = &c.oauth_client else {
        return Ok(None);
    };
    if c.kind != "oauth" {
        return Err(format!(
            "seed: {integration}/{}: only oauth connections name an oauth_client",
            c.name
        ));
    }
    store
        .integrations
        .get(integration)
        .and_then(|i| i.oauth_clients.get(name))
        .map(|cl| Some(cl.uuid.clone()))
        .ok_or_else(|| {
            format!(
                "seed: {integration}/{}: no oauth client {name:?} in this integration",
                c.name
            )
        })
}

/// An OAuth connection's credentials from the seed: random tokens (a refresh token unless
/// `offline` is false), the expiry `token_expires_in_hours` from now.
pub(super) fn oauth_creds(
    c: &SeedConnection,
    client_uuid: Option<String>,
    base: OffsetDateTime,
) -> Creds {
    let scope = c
        .permission_scope
        .clone()
        .unwrap_or_else(|| "read write".into());
    let expiry = c.token_expires_in_hours.map(|h| base + Duration::hours(h));
    let (access, refresh, body) = OAuthConn::tokens(&scope, Some(3600), c.offline.unwrap_or(true));
    let access = match &c.token {
        Some(SeedSecret(t)) => t.clone(),
        None => access,
    };
    Creds::OAuth(OAuthConn {
        uuid: random_uuid(),
        oauth_client_uuid: client_uuid,
        permission_scope: scope,
        token_type: "bearer".into(),
        token_expiry: expiry,
        created_by: c.created_by.clone().unwrap_or_else(admin_id),
        access_token: access,
        refresh_token: refresh,
        response_body: body,
    })
}

pub(super) fn seed_bundles(
    store: &mut Store,
    integration: &str,
    bundles: Vec<SeedBundle>,
    job_specs: Vec<SeedJobSpec>,
) -> Result<(), String> {
    for b in bundles {
        let ctx = |e: &str| format!("seed: {integration}: bundle {}: {e}", b.name);
        if !b.resources.is_object() {
            return Err(ctx("resources must be an object"));
        }
        let bundle = Bundle::new(&b.name, &b.description, b.resources);
        let declared: Vec<String> = bundle
            .declared_job_specs()
            .into_iter()
            .map(|j| j.name)
            .collect();
        for u in &b.uninstalled {
            if !declared.contains(u) {
                return Err(ctx(&format!("uninstalled names no job spec of it: {u:?}")));
            }
        }
        store
            .put_bundle(integration, bundle)
            .map_err(|_| ctx("unknown integration"))?;
        if let Some(integ) = store.integrations.get_mut(integration) {
            for u in &b.uninstalled {
                if let Some(j) = integ.job_specs.get_mut(u) {
                    j.installed = false;
                }
            }
        }
    }
    if let Some(integ) = store.integrations.get_mut(integration) {
        for j in job_specs {
            integ.job_specs.insert(
                j.name.clone(),
                JobSpec {
                    uuid: random_uuid(),
                    name: j.name,
                    event_source: j.event_source,
                    event_type: j.event_type,
                    flow_name: j.flow_name,
                    installed: j.installed,
                },
            );
        }
    }
    Ok(())
}

/// A synthetic integration's OAuth client and bundle: one action per connection in `used`
/// (name, allowed domain), a flow through them and its job spec, installed.
pub(super) fn synthetic_extras(
    store: &mut Store,
    integration: &str,
    used: &[(String, &str)],
    base: OffsetDateTime,
) {
    let h = hash(integration);
    let updated = (h % 500) as u32;
    let (created_at, updated_at) = ages(base, updated + 30, updated, h);
    let _ = store.create_oauth_client(
        integration,
        ZisOAuthClient {
            uuid: random_uuid(),
            name: "okta_oidc".into(),
            client_id: format!("0oa{}", &random_token(17)),
            client_secret: SecretString::from(random_token(40)),
            token_url: "https://acme.okta.com/oauth2/v1/token".into(),
            auth_url: Some("https://acme.okta.com/oauth2/v1/authorize".into()),
            default_scopes: "openid profile".into(),
            grant_type: GrantType::AuthorizationCode,
            created_by: admin_id(),
            created_at,
            updated_at,
        },
    );
    let mut resources = Map::new();
    let mut states = Map::new();
    let names: Vec<String> = used.iter().map(|(n, _)| format!("call_{n}")).collect();
    for (i, ((conn, domain), action)) in used.iter().zip(&names).enumerate() {
        resources.insert(
            action.clone(),
            json!({"type": "ZIS::Action::Http", "properties": {"name": action, "definition": {
                "method": "POST", "url": format!("https://{domain}/api/events"),
                "connectionName": conn,
                "requestBody": {"ticket_id.$": "$.input.ticket_event.ticket.id"}}}}),
        );
        let mut state = json!({"Type": "Action",
            "ActionName": format!("zis:{integration}:action:{action}")});
        match names.get(i + 1) {
            Some(next) => state["Next"] = json!(next),
            None => state["End"] = json!(true),
        }
        states.insert(action.clone(), state);
    }
    if let Some(first) = names.first() {
        resources.insert(
            "main_flow".into(),
            json!({"type": "ZIS::Flow", "properties": {"name": "main_flow", "definition": {
                "StartAt": first, "States": states}}}),
        );
        resources.insert(
            "on_ticket_created".into(),
            json!({"type": "ZIS::JobSpec", "properties": {"name": "on_ticket_created",
                "event_source": "support", "event_type": "ticket.TicketCreated",
                "flow_name": format!("zis:{integration}:flow:main_flow")}}),
        );
    }
    let _ = store.put_bundle(
        integration,
        Bundle::new(
            "synthetic_bundle",
            "Synthetic bundle: one action per connection it uses",
            Value::Object(resources),
        ),
    );
}
