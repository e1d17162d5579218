//! Seeding the in-memory account: the built-in demo (`assets/sandbox-seed.json`), a seed file
//! of the same format, a synthetic account, or nothing.
//!
//! Seed format (JSON):
//! ```json
//! { "integrations": [
//!     { "name": "acme_crm_sync", "description": "...", "oauth_client_id": 10066,
//!       "connections": [
//!         { "kind": "basic_auth", "name": "salesforce_prod", "username": "svc@acme.com",
//!           "allowed_domain": "login.salesforce.com",
//!           "created_days_ago": 800, "updated_days_ago": 400 },
//!         { "kind": "api_key", "name": "...", "header_name": "X-API-Key", "allowed_domain": "..." },
//!         { "kind": "bearer_token", "name": "...", "allowed_domain": "..." },
//!         { "kind": "oauth", "name": "zendesk", "permission_scope": "read write" } ],
//!       "generate": { "count": 120, "prefix": "store_", "kind": "api_key",
//!                     "header_name": "X-Shopify-Access-Token",
//!                     "allowed_domain": "acme-store-{n}.myshopify.com", "max_days_ago": 700 } } ] }
//! ```
//! Ages are relative to the moment the sandbox starts, so the demo never goes stale. Secrets
//! (`password`, `api_key`, `token`) may be given but are usually left out: random ones are
//! generated at load and nobody needs to know them. `generate` adds `count` connections named
//! `{prefix}{n:04}` (n from 1), deterministically; `{n}` in its strings is replaced by the
//! zero-padded number.
//!
//! An integration may also hold (see [`extras`]) `oauth_clients` (`{"name", "client_id",
//! "token_url", "auth_url"?, "default_scopes"?, "grant_type"?, "client_secret"?,
//! "created_days_ago", "updated_days_ago"}`), `bundles` (`{"name", "description", "resources",
//! "uninstalled": [job spec names]}`, resources verbatim) and `job_specs` (stale ones older
//! bundles left: `{"name", "event_source", "event_type", "flow_name", "installed"}`). An
//! `oauth` connection may name its `oauth_client`, say when its token ends
//! (`token_expires_in_hours`, negative: expired; absent: no expiry), whether it has a refresh
//! token (`offline`, default true) and who made it (`created_by`).

use std::path::Path;

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};
use time::{Duration, OffsetDateTime};

use super::store::{
    check_allowed_domain, check_connection_name, check_header_name, check_username, now,
    random_token, valid_integration_name, Connection, Creds, Kind, Store,
};

mod extras;

/// The built-in demo account.
pub(crate) const DEMO_SEED: &str = include_str!("../../assets/sandbox-seed.json");

/// A secret read from a seed file, kept out of `Debug`.
pub(crate) struct SeedSecret(SecretString);

impl<'de> Deserialize<'de> for SeedSecret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| SeedSecret(SecretString::from(s)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    integrations: Vec<SeedIntegration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedIntegration {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    oauth_client_id: Option<u64>,
    #[serde(default)]
    connections: Vec<SeedConnection>,
    #[serde(default)]
    generate: Option<SeedGenerate>,
    #[serde(default)]
    oauth_clients: Vec<extras::SeedOAuthClient>,
    #[serde(default)]
    bundles: Vec<extras::SeedBundle>,
    #[serde(default)]
    job_specs: Vec<extras::SeedJobSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedConnection {
    kind: String,
    name: String,
    #[serde(default)]
    allowed_domain: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    header_name: Option<String>,
    #[serde(default)]
    permission_scope: Option<String>,
    #[serde(default)]
    password: Option<SeedSecret>,
    #[serde(default)]
    api_key: Option<SeedSecret>,
    #[serde(default)]
    token: Option<SeedSecret>,
    #[serde(default)]
    created_days_ago: u32,
    #[serde(default)]
    updated_days_ago: Option<u32>,
    #[serde(default)]
    oauth_client: Option<String>,
    #[serde(default)]
    token_expires_in_hours: Option<i64>,
    #[serde(default)]
    offline: Option<bool>,
    #[serde(default)]
    created_by: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedGenerate {
    count: usize,
    prefix: String,
    #[serde(default = "default_gen_kind")]
    kind: String,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    header_name: Option<String>,
    allowed_domain: String,
    #[serde(default = "default_max_days")]
    max_days_ago: u32,
}

fn default_gen_kind() -> String {
    "api_key".into()
}
fn default_max_days() -> u32 {
    800
}

/// Parses a seed document and fills a fresh store. Errors name the offending entry.
pub(crate) fn load_json(text: &str) -> Result<Store, String> {
    let file: SeedFile =
        serde_json::from_str(text).map_err(|e| format!("invalid seed JSON: {e}"))?;
    let base = now();
    let mut store = Store::default();
    for integ in file.integrations {
        if !valid_integration_name(&integ.name) {
            return Err(format!(
                "seed: integration name {:?} is not 1-64 chars of a-z 0-9 - _",
                integ.name
            ));
        }
        if !store.seed_integration(&integ.name, &integ.description, integ.oauth_client_id) {
            return Err(format!("seed: integration {:?} appears twice", integ.name));
        }
        extras::seed_oauth_clients(&mut store, &integ.name, integ.oauth_clients, base)?;
        let mut conns = Vec::new();
        for c in integ.connections {
            let client_uuid = extras::client_uuid(&store, &integ.name, &c)?;
            conns.push(seed_connection(&integ.name, c, client_uuid, base)?);
        }
        if let Some(g) = integ.generate {
            conns.extend(generate(&integ.name, &g, base)?);
        }
        for c in conns {
            let name = c.name.clone();
            if store.create(&integ.name, c).is_err() {
                return Err(format!(
                    "seed: connection {name:?} appears twice in integration {:?}",
                    integ.name
                ));
            }
        }
        extras::seed_bundles(&mut store, &integ.name, integ.bundles, integ.job_specs)?;
    }
    Ok(store)
}

pub(crate) fn load_file(path: &Path) -> Result<Store, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read seed file {}: {e}", path.display()))?;
    load_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn secret_or_random(s: Option<SeedSecret>) -> SecretString {
    match s {
        Some(SeedSecret(s)) => s,
        None => SecretString::from(random_token(40)),
    }
}

fn seed_connection(
    integration: &str,
    c: SeedConnection,
    client_uuid: Option<String>,
    base: OffsetDateTime,
) -> Result<Connection, String> {
    let ctx = |e: &str| format!("seed: {integration}/{}: {e}", c.name);
    let kind = Kind::parse(&c.kind).ok_or_else(|| ctx(&format!("unknown kind {:?}", c.kind)))?;
    if kind == Kind::OAuth {
        // OAuth connections are made by an OAuth flow; `zendesk` is their usual name.
        if !(3..=64).contains(&c.name.len()) {
            return Err(ctx("name must be 3-64 characters"));
        }
    } else {
        check_connection_name(&c.name).map_err(ctx)?;
        check_allowed_domain(&c.allowed_domain).map_err(ctx)?;
    }
    let creds = match kind {
        Kind::BasicAuth => {
            let username = c
                .username
                .ok_or_else(|| ctx("basic_auth needs a username"))?;
            check_username(&username).map_err(ctx)?;
            Creds::BasicAuth {
                username,
                password: secret_or_random(c.password),
            }
        }
        Kind::ApiKey => {
            let header_name = c
                .header_name
                .ok_or_else(|| ctx("api_key needs a header_name"))?;
            check_header_name(&header_name).map_err(ctx)?;
            Creds::ApiKey {
                header_name,
                api_key: secret_or_random(c.api_key),
            }
        }
        Kind::BearerToken => Creds::BearerToken {
            token: secret_or_random(c.token),
        },
        Kind::OAuth => extras::oauth_creds(&c, client_uuid, base),
    };
    let updated_days = c.updated_days_ago.unwrap_or(c.created_days_ago);
    let (created_at, updated_at) = ages(
        base,
        c.created_days_ago,
        updated_days,
        hash(&format!("{integration}/{}", c.name)),
    );
    Ok(Connection {
        name: c.name,
        allowed_domain: if kind == Kind::OAuth {
            String::new()
        } else {
            c.allowed_domain
        },
        created_at,
        updated_at,
        creds,
    })
}

fn generate(
    integration: &str,
    g: &SeedGenerate,
    base: OffsetDateTime,
) -> Result<Vec<Connection>, String> {
    let kind = Kind::parse(&g.kind)
        .filter(|k| *k != Kind::OAuth)
        .ok_or_else(|| {
            format!(
                "seed: {integration}: generate: unsupported kind {:?}",
                g.kind
            )
        })?;
    let width = g.count.to_string().len().max(4);
    let mut rng = SplitMix(hash(integration));
    let mut out = Vec::with_capacity(g.count);
    for n in 1..=g.count {
        let num = format!("{n:0width$}");
        let name = format!("{}{num}", g.prefix);
        let ctx = |e: &str| format!("seed: {integration}/{name}: {e}");
        check_connection_name(&name).map_err(ctx)?;
        let domain = g.allowed_domain.replace("{n}", &num);
        check_allowed_domain(&domain).map_err(ctx)?;
        let creds = match kind {
            Kind::BasicAuth => {
                let username = g
                    .username
                    .as_deref()
                    .unwrap_or("svc-{n}")
                    .replace("{n}", &num);
                check_username(&username).map_err(ctx)?;
                Creds::BasicAuth {
                    username,
                    password: SecretString::from(random_token(40)),
                }
            }
            Kind::ApiKey => {
                let header_name = g.header_name.clone().unwrap_or_else(|| "X-API-Key".into());
                check_header_name(&header_name).map_err(ctx)?;
                Creds::ApiKey {
                    header_name,
                    api_key: SecretString::from(random_token(40)),
                }
            }
            _ => Creds::BearerToken {
                token: SecretString::from(random_token(40)),
            },
        };
        let max = u64::from(g.max_days_ago);
        let updated = rng.below(max + 1) as u32;
        let created = updated + rng.below(max / 2 + 1) as u32;
        let (created_at, updated_at) = ages(base, created, updated, rng.next());
        out.push(Connection {
            name,
            allowed_domain: domain,
            created_at,
            updated_at,
            creds,
        });
    }
    Ok(out)
}

/// A synthetic account: `integrations` integrations named `synthetic-0001`..., each with
/// `connections` connections of the three creatable kinds, deterministic, updated 0-800 days
/// ago; and, beside them (the connections listing keeps its size), one OAuth client and one
/// bundle whose actions use the first three connections, with its installed job spec.
pub(crate) fn synthetic(integrations: usize, connections: usize) -> Store {
    const SERVICES: &[(&str, &str, &str)] = &[
        ("salesforce", "login.salesforce.com", "Authorization"),
        ("stripe", "api.stripe.com", "Authorization"),
        ("slack", "slack.com", "Authorization"),
        ("jira", "acme.atlassian.net", "Authorization"),
        ("github", "api.github.com", "Authorization"),
        ("workday", "wd2-impl-services1.workday.com", "X-Workday-Key"),
        ("okta", "acme.okta.com", "Authorization"),
        ("shopify", "acme.myshopify.com", "X-Shopify-Access-Token"),
        ("hubspot", "api.hubapi.com", "X-API-Key"),
        ("pagerduty", "events.pagerduty.com", "X-Routing-Key"),
        ("twilio", "api.twilio.com", "X-API-Key"),
        ("sendgrid", "api.sendgrid.com", "X-API-Key"),
    ];
    let base = now();
    let mut store = Store::default();
    let iw = integrations.to_string().len().max(4);
    let cw = connections.to_string().len().max(4);
    for i in 1..=integrations {
        let iname = format!("synthetic-{i:0iw$}");
        store.seed_integration(
            &iname,
            &format!("Synthetic integration {i} of {integrations}"),
            None,
        );
        let mut rng = SplitMix(hash(&iname));
        let mut used: Vec<(String, &str)> = Vec::with_capacity(3);
        for j in 1..=connections {
            let (svc, domain, header) = SERVICES[(rng.next() % SERVICES.len() as u64) as usize];
            let name = format!("{svc}_{j:0cw$}");
            if used.len() < 3 {
                used.push((name.clone(), domain));
            }
            let creds = match j % 3 {
                1 => Creds::BasicAuth {
                    username: format!("svc-{svc}@acme.example"),
                    password: SecretString::from(random_token(32)),
                },
                2 => Creds::ApiKey {
                    header_name: header.to_string(),
                    api_key: SecretString::from(random_token(32)),
                },
                _ => Creds::BearerToken {
                    token: SecretString::from(random_token(32)),
                },
            };
            let updated = rng.below(801) as u32;
            let created = updated + rng.below(401) as u32;
            let (created_at, updated_at) = ages(base, created, updated, rng.next());
            // Names are unique by construction; a failure here cannot happen.
            let _ = store.create(
                &iname,
                Connection {
                    name,
                    allowed_domain: domain.to_string(),
                    created_at,
                    updated_at,
                    creds,
                },
            );
        }
        extras::synthetic_extras(&mut store, &iname, &used, base);
    }
    store
}

/// Timestamps `created_days`/`updated_days` before `base`, each moved back a further
/// deterministic 0-10 hours so that the demo's times are not all equal. `updated_at` is never
/// before `created_at`.
fn ages(
    base: OffsetDateTime,
    created_days: u32,
    updated_days: u32,
    h: u64,
) -> (OffsetDateTime, OffsetDateTime) {
    let jitter_c =
        Duration::seconds((h % 36_000) as i64) + Duration::milliseconds((h >> 20) as i64 % 1000);
    let jitter_u = Duration::seconds(((h >> 32) % 36_000) as i64);
    let created = base - Duration::days(i64::from(created_days)) - jitter_c;
    let mut updated = base - Duration::days(i64::from(updated_days)) - jitter_u;
    if updated < created {
        updated = created;
    }
    (created, updated)
}

/// FNV-1a, for deterministic per-name variation.
fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// splitmix64: tiny, deterministic across versions and platforms.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_seed_loads_and_is_rich() {
        let store = load_json(DEMO_SEED).unwrap();
        assert!(store.integrations.len() >= 5);
        let creatable: usize = store
            .integrations
            .values()
            .flat_map(|i| i.connections.values())
            .filter(|c| c.kind() != Kind::OAuth)
            .count();
        assert!(creatable >= 40 + 100, "{creatable}");
        assert!(store
            .integrations
            .values()
            .any(|i| i.connections.len() > 100));
        // Audit-worthy cases.
        let all: Vec<_> = store
            .integrations
            .values()
            .flat_map(|i| i.connections.values())
            .collect();
        assert!(all.iter().any(|c| c.allowed_domain == "10.20.30.40"));
        let stale = base_days(&all);
        assert!(stale >= 500, "{stale}");
        for c in &all {
            assert!(c.updated_at >= c.created_at, "{}", c.name);
        }
        // Every integration has its own client id.
        let mut ids: Vec<_> = store.integrations.values().map(|i| i.client_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), store.integrations.len());
    }

    fn base_days(all: &[&Connection]) -> i64 {
        let n = now();
        all.iter()
            .map(|c| (n - c.updated_at).whole_days())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn generation_is_deterministic_in_shape() {
        let a = synthetic(3, 10);
        let b = synthetic(3, 10);
        assert_eq!(a.integrations.len(), 3);
        assert_eq!(a.connection_count(), 30);
        let names = |s: &Store| {
            s.integrations
                .values()
                .flat_map(|i| i.connections.keys().cloned())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert!(a.integrations.contains_key("synthetic-0001"));
        assert!(a.integrations.contains_key("synthetic-0003"));
    }

    #[test]
    fn demo_seed_has_oauth_clients_connections_and_bundles() {
        use crate::sandbox::store::Creds;
        let store = load_json(DEMO_SEED).unwrap();
        let t = now();
        let with_clients = store
            .integrations
            .values()
            .filter(|i| !i.oauth_clients.is_empty())
            .count();
        assert!(with_clients >= 3, "{with_clients}");
        assert!(store
            .integrations
            .values()
            .flat_map(|i| i.oauth_clients.values())
            .any(|c| (t - c.updated_at).whole_days() > 400));
        let mut expired = 0;
        let mut zendesk_on_a_client = 0;
        for i in store.integrations.values() {
            for c in i.connections.values() {
                let Creds::OAuth(o) = &c.creds else { continue };
                if o.token_expiry.is_some_and(|e| e < t) {
                    expired += 1;
                }
                if let Some(u) = &o.oauth_client_uuid {
                    assert!(i.oauth_clients.values().any(|cl| &cl.uuid == u));
                    if c.name == "zendesk" {
                        zendesk_on_a_client += 1;
                    }
                }
            }
        }
        assert_eq!(expired, 1, "one OAuth connection whose refresh is failing");
        assert_eq!(zendesk_on_a_client, 3);
        let with_bundles = store
            .integrations
            .values()
            .filter(|i| !i.bundles.is_empty())
            .count();
        assert!(with_bundles >= 7, "{with_bundles}");
        let slack = &store.integrations["slack_notify"];
        assert!(!slack.job_specs["on_vip_comment"].installed);
        assert!(slack.job_specs["on_urgent_ticket"].installed);
    }

    #[test]
    fn bad_oauth_and_bundle_seeds_are_refused_with_a_reason() {
        let one = |extra: &str| {
            load_json(&format!(r#"{{"integrations":[{{"name":"x",{extra}}}]}}"#))
                .err()
                .unwrap_or_default()
        };
        let e = one(r#""connections":[{"kind":"oauth","name":"abc","oauth_client":"nope"}]"#);
        assert!(e.contains("no oauth client \"nope\""), "{e}");
        let e = one(
            r#""oauth_clients":[{"name":"cli","client_id":"i","token_url":"https://a.example.com"}],
               "connections":[{"kind":"api_key","name":"abc","header_name":"X","allowed_domain":"a.example.com","oauth_client":"cli"}]"#,
        );
        assert!(e.contains("only oauth connections"), "{e}");
        let e = one(r#""oauth_clients":[{"name":"cli","client_id":"i","token_url":"ftp://a"}]"#);
        assert!(e.contains("token_url"), "{e}");
        let e = one(
            r#""oauth_clients":[{"name":"cli","client_id":"i","token_url":"https://a.example.com","grant_type":"implicit"}]"#,
        );
        assert!(e.contains("grant_type"), "{e}");
        let e = one(r#""bundles":[{"name":"b","resources":[]}]"#);
        assert!(e.contains("resources must be an object"), "{e}");
        let e = one(r#""bundles":[{"name":"b","resources":{},"uninstalled":["nope"]}]"#);
        assert!(e.contains("nope"), "{e}");
        // A valid one loads, with the job spec its bundle declares and a stale one.
        let s = load_json(
            r#"{"integrations":[{"name":"x","bundles":[{"name":"b","resources":{
                 "j":{"type":"ZIS::JobSpec","properties":{"name":"j","event_source":"support",
                      "event_type":"ticket.TicketCreated","flow_name":"zis:x:flow:f"}}}}],
               "job_specs":[{"name":"old","event_source":"support","event_type":"t",
                             "flow_name":"zis:x:flow:gone"}]}]}"#,
        )
        .unwrap();
        let js = &s.integrations["x"].job_specs;
        assert_eq!(js.len(), 2);
        assert!(js["j"].installed && js["old"].installed);
        assert_eq!(js["j"].flow_name, "zis:x:flow:f");
    }

    #[test]
    fn bad_seeds_are_refused_with_a_reason() {
        let e = load_json(r#"{"integrations":[{"name":"Bad Name"}]}"#)
            .err()
            .unwrap_or_default();
        assert!(e.contains("Bad Name"), "{e}");
        let e = load_json(
            r#"{"integrations":[{"name":"x","connections":[{"kind":"basic_auth","name":"abc","allowed_domain":"https://x"}]}]}"#,
        )
        .err()
        .unwrap_or_default();
        assert!(e.contains("scheme"), "{e}");
        let e = load_json(r#"{"integrations":[], "extra": 1}"#)
            .err()
            .unwrap_or_default();
        assert!(e.contains("extra"), "{e}");
    }
}
