//! Reading bundles and job specs: the listings (cursor pages) and one bundle with its
//! resources, bare or wrapped in `"bundle"`. Pure functions, no I/O.
//!
//! Lenient and bounded: an unknown resource type is kept as "other", a missing `definition`
//! or `flow_name` is recorded on the resource (a finding for the caller, never an error nor a
//! panic), a field of an unexpected type is read as absent, and every walk has a cap (resources
//! per bundle, states per flow, nesting, nodes of a request body, length of a kept string).
//! Literal credentials found in an action are recorded by where they are, and their values are
//! dropped with the JSON tree.
use serde_json::{Map, Value};

use super::bundle_models::*;
use super::error::{Error, Result};
use super::parse::parse_json;

/// Resources read from one bundle; the rest are counted in `Bundle::truncated`.
pub const MAX_RESOURCES: usize = 10_000;
/// Characters kept of a name, URL or description (the rest becomes `…`).
pub const MAX_TEXT: usize = 512;
/// States read from one flow, nested ones included.
const MAX_STATES: usize = 10_000;
/// Nesting of Parallel / Map states followed.
const MAX_STATE_DEPTH: usize = 16;
/// Nodes of a request body looked at for credentials, and how deep.
const MAX_BODY_NODES: usize = 20_000;
const MAX_BODY_DEPTH: usize = 32;
/// Literal credentials recorded per action (more are one more finding, not more memory).
const MAX_SPOTS: usize = 32;
/// Characters of a header or body key kept in a spot's field name.
const MAX_KEY: usize = 64;

/// One page of `GET registry/{integration}/bundles`: `{"bundles": [...], "meta": {...}}` (a
/// bare array is read as a last page).
pub fn parse_bundle_page(body: &[u8]) -> Result<BundlePage> {
    let v = parse_json(body)?;
    let (list, meta) = listing(&v, "bundles")?;
    let bundles = list
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|o| {
            let b = BundleSummary {
                name: text(o.get("name")),
                uuid: id_text(o.get("uuid")),
                description: text(o.get("description")),
                integration: text(o.get("integration")),
                zis_template_version: text(o.get("zis_template_version")),
            };
            (!b.name.is_empty() || !b.uuid.is_empty()).then_some(b)
        })
        .collect();
    let (has_more, after, before) = cursors(meta);
    Ok(BundlePage {
        bundles,
        has_more,
        after,
        before,
    })
}

/// One page of `GET registry/{integration}/job_specs`: `{"job_specs": [...], "meta": {...}}`.
pub fn parse_job_spec_page(body: &[u8]) -> Result<JobSpecPage> {
    let v = parse_json(body)?;
    let (list, meta) = listing(&v, "job_specs")?;
    let job_specs = list
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|o| {
            let j = JobSpec {
                name: text(o.get("name")),
                uuid: id_text(o.get("uuid")),
                event_source: text(o.get("event_source")),
                event_type: text(o.get("event_type")),
                flow_name: text(o.get("flow_name")),
                installed: lenient_bool(o.get("installed")),
            };
            (!j.name.is_empty()).then_some(j)
        })
        .collect();
    let (has_more, after, before) = cursors(meta);
    Ok(JobSpecPage {
        job_specs,
        has_more,
        after,
        before,
    })
}

/// One bundle: `{"bundle": {...}}` or the bundle object itself.
pub fn parse_bundle(body: &[u8]) -> Result<Bundle> {
    parse_bundle_value(&parse_json(body)?)
}

/// [`parse_bundle`] of a JSON value already read.
pub fn parse_bundle_value(v: &Value) -> Result<Bundle> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::invalid_response("the bundle answer is not a JSON object"))?;
    let b = match obj.get("bundle") {
        Some(Value::Object(inner)) if !obj.contains_key("resources") => inner,
        _ => obj,
    };
    let mut bundle = Bundle {
        name: text(b.get("name")),
        uuid: id_text(b.get("uuid")),
        description: text(b.get("description")),
        zis_template_version: text(b.get("zis_template_version")),
        ..Bundle::default()
    };
    match b.get("resources") {
        Some(Value::Object(map)) => {
            bundle.truncated = map.len().saturating_sub(MAX_RESOURCES);
            bundle.resources = map
                .iter()
                .take(MAX_RESOURCES)
                .map(|(k, r)| resource(&bounded(k), r))
                .collect();
        }
        Some(Value::Array(list)) => {
            bundle.truncated = list.len().saturating_sub(MAX_RESOURCES);
            bundle.resources = list
                .iter()
                .take(MAX_RESOURCES)
                .enumerate()
                .map(|(i, r)| {
                    let key = r
                        .get("properties")
                        .and_then(|p| p.get("name"))
                        .and_then(Value::as_str)
                        .map(bounded)
                        .unwrap_or_else(|| format!("#{i}"));
                    resource(&key, r)
                })
                .collect();
        }
        None => bundle.malformed = Some("no \"resources\" in the bundle".into()),
        Some(_) => bundle.malformed = Some("\"resources\" is not an object".into()),
    }
    Ok(bundle)
}

fn resource(key: &str, r: &Value) -> Resource {
    let props = r.get("properties").and_then(Value::as_object);
    let name = props
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(bounded)
        .unwrap_or_else(|| key.to_string());
    let type_name = r.get("type").and_then(Value::as_str).unwrap_or("");
    let body = match type_name.to_ascii_lowercase().as_str() {
        "zis::action::http" => ResourceBody::Action(http_action(props)),
        "zis::flow" => ResourceBody::Flow(flow(props)),
        "zis::jobspec" => ResourceBody::JobSpec(job_spec(props)),
        _ => ResourceBody::Other {
            type_name: if type_name.is_empty() {
                "(no type)".to_string()
            } else {
                bounded(type_name)
            },
        },
    };
    Resource {
        key: key.to_string(),
        name,
        body,
    }
}

/// `properties.definition`, or why there is none.
fn definition(
    props: Option<&Map<String, Value>>,
) -> std::result::Result<&Map<String, Value>, String> {
    let Some(p) = props else {
        return Err("no \"properties\" object".into());
    };
    match p.get("definition") {
        Some(Value::Object(d)) => Ok(d),
        None => Err("no properties.definition".into()),
        Some(_) => Err("properties.definition is not an object".into()),
    }
}

fn http_action(props: Option<&Map<String, Value>>) -> HttpAction {
    let mut a = HttpAction {
        connection: ConnectionRef::Missing,
        method: String::new(),
        target: ActionTarget::None,
        credentials: Vec::new(),
        malformed: None,
    };
    let d = match definition(props) {
        Ok(d) => d,
        Err(why) => {
            a.malformed = Some(why);
            return a;
        }
    };
    a.connection = match d.get("connectionName").and_then(Value::as_str) {
        Some(n) if !n.trim().is_empty() => ConnectionRef::Named(bounded(n)),
        _ if d.contains_key("connectionName.$") => ConnectionRef::Dynamic,
        _ => ConnectionRef::Missing,
    };
    a.method = text(d.get("method"));
    let mut spots = Spots::default();
    let url = d
        .get("url")
        .or_else(|| d.get("url.$"))
        .and_then(Value::as_str);
    let path = d
        .get("path")
        .or_else(|| d.get("path.$"))
        .and_then(Value::as_str);
    if let Some(u) = url {
        let parts = split_url(u);
        a.target = ActionTarget::Url(bounded(&parts.shown));
        // `user:password@` with a literal password, or a literal `token@`; a templated
        // password beside a literal user name is no secret written down.
        let what = match parts.userinfo.map(|i| i.split_once(':')) {
            Some(Some((_, pw))) if !literal_part(pw).is_empty() => {
                Some("user:password@ in the URL")
            }
            Some(None) if !literal_part(parts.userinfo.unwrap_or("")).is_empty() => {
                Some("user info (a token?) in the URL")
            }
            _ => None,
        };
        if let Some(what) = what {
            spots.push("url".into(), what);
        }
        if let Some(q) = parts.query {
            scan_pairs(q, "url (query {})", &mut spots);
        }
    } else if let Some(p) = path {
        let (before_query, query) = match p.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (p, None),
        };
        a.target = ActionTarget::Path(bounded(before_query));
        if let Some(q) = query {
            scan_pairs(q, "path (query {})", &mut spots);
        }
    } else {
        a.malformed = Some("neither url nor path in properties.definition".into());
    }
    if let Some(h) = d.get("headers") {
        key_values(
            h,
            "headers",
            is_credential_header,
            "a literal value in a credential header",
            &mut spots,
        );
    }
    if let Some(q) = d.get("queryParams") {
        key_values(
            q,
            "queryParams",
            is_credential_param,
            "a literal credential in a query parameter",
            &mut spots,
        );
    }
    if let Some(b) = d.get("requestBody").or_else(|| d.get("requestBody.$")) {
        let mut budget = MAX_BODY_NODES;
        scan_body(b, "requestBody", 0, &mut budget, &mut spots);
    }
    a.credentials = spots.finish();
    a
}

fn flow(props: Option<&Map<String, Value>>) -> Flow {
    let mut f = Flow::default();
    let d = match definition(props) {
        Ok(d) => d,
        Err(why) => {
            f.malformed = Some(why);
            return f;
        }
    };
    match d.get("States") {
        Some(Value::Object(states)) => {
            let mut budget = MAX_STATES;
            let start = d.get("StartAt").and_then(Value::as_str);
            walk_states(states, start, "", 0, &mut budget, &mut f.actions);
        }
        None => f.malformed = Some("no States in properties.definition".into()),
        Some(_) => f.malformed = Some("States is not an object".into()),
    }
    f
}

/// The states in the order they run: from `StartAt` along `Next`, the choices' `Next` and
/// `Default`, then those no path reaches, by name.
fn run_order<'a>(
    states: &'a Map<String, Value>,
    start: Option<&str>,
) -> Vec<(&'a String, &'a Value)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(states.len());
    let mut queue: std::collections::VecDeque<&str> = start.into_iter().collect();
    while let Some(n) = queue.pop_front() {
        let Some((k, st)) = states.get_key_value(n) else {
            continue;
        };
        if !seen.insert(k.as_str()) {
            continue;
        }
        out.push((k, st));
        let nexts = st
            .get("Next")
            .into_iter()
            .chain(
                st.get("Choices")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.get("Next")),
            )
            .chain(st.get("Default"));
        queue.extend(nexts.filter_map(Value::as_str));
    }
    out.extend(states.iter().filter(|(k, _)| !seen.contains(k.as_str())));
    out
}

/// Every state that names an action, nested Parallel branches and Map iterators included.
fn walk_states(
    states: &Map<String, Value>,
    start: Option<&str>,
    prefix: &str,
    depth: usize,
    budget: &mut usize,
    out: &mut Vec<ActionRef>,
) {
    for (name, st) in run_order(states, start) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        let state = bounded(&format!("{prefix}{name}"));
        if let Some(an) = st.get("ActionName").and_then(Value::as_str) {
            out.push(ActionRef {
                state: state.clone(),
                action_name: bounded(an),
            });
        }
        if depth >= MAX_STATE_DEPTH {
            continue;
        }
        let nested = format!("{state}/");
        let mut inner = |v: Option<&Value>| {
            if let Some(Value::Object(s)) = v.and_then(|v| v.get("States")) {
                let start = v.and_then(|v| v.get("StartAt")).and_then(Value::as_str);
                walk_states(s, start, &nested, depth + 1, budget, out);
            }
        };
        if let Some(Value::Array(branches)) = st.get("Branches") {
            for b in branches {
                inner(Some(b));
            }
        }
        inner(st.get("Iterator"));
        inner(st.get("ItemProcessor"));
    }
}

fn job_spec(props: Option<&Map<String, Value>>) -> JobSpecResource {
    let Some(p) = props else {
        return JobSpecResource {
            malformed: Some("no \"properties\" object".into()),
            ..JobSpecResource::default()
        };
    };
    let flow_name = text(p.get("flow_name"));
    JobSpecResource {
        event_source: text(p.get("event_source")),
        event_type: text(p.get("event_type")),
        malformed: flow_name
            .is_empty()
            .then(|| "no properties.flow_name".to_string()),
        flow_name,
    }
}

// ----- credentials --------------------------------------------------------------------------

#[derive(Default)]
struct Spots {
    list: Vec<CredentialSpot>,
    more: usize,
}

impl Spots {
    fn push(&mut self, field: String, what: &'static str) {
        if self.list.len() < MAX_SPOTS {
            self.list.push(CredentialSpot { field, what });
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self) -> Vec<CredentialSpot> {
        if self.more > 0 {
            self.list.push(CredentialSpot {
                field: format!("{} more field(s)", self.more),
                what: "more literal credentials",
            });
        }
        self.list
    }
}

/// A key made short enough to name a field.
fn key_name(k: &str) -> String {
    let k = k.strip_suffix(".$").unwrap_or(k);
    let mut s: String = k.chars().take(MAX_KEY).collect();
    if k.chars().count() > MAX_KEY {
        s.push('…');
    }
    s
}

/// `s` without its `{{…}}` templates, trimmed: what is written in it literally.
fn literal_part(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        match rest[i..].find("}}") {
            Some(j) => rest = &rest[i + j + 2..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// A JSONPath reference (`$.token`) or a placeholder (`*****`, empty): not a literal.
fn is_reference_or_blank(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t == "$" || t.starts_with("$.") || t.chars().all(|c| c == '*')
}

/// Does this header or body value hold a literal secret? Templates and references do not;
/// an auth scheme word alone (`Bearer {{$.connections.x.access_token}}`) does not.
fn is_literal_secret(value: &str) -> bool {
    if is_reference_or_blank(value) {
        return false;
    }
    let lit = literal_part(value);
    let mut words = lit.split_whitespace();
    let first = words.next().unwrap_or("");
    const SCHEMES: [&str; 9] = [
        "basic", "bearer", "token", "digest", "apikey", "api-key", "oauth", "jwt", "ssws",
    ];
    let rest: Vec<&str> = if SCHEMES.contains(&first.to_ascii_lowercase().as_str()) {
        words.collect()
    } else {
        std::iter::once(first).chain(words).collect()
    };
    let rest = rest.join(" ");
    !rest.is_empty()
        && !matches!(
            rest.to_ascii_lowercase().as_str(),
            "true" | "false" | "null"
        )
}

fn normalized(key: &str) -> String {
    key.strip_suffix(".$")
        .unwrap_or(key)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `Authorization`, `X-Api-Key`, `X-Auth-Token`, `Private-Token`, …
fn is_credential_header(key: &str) -> bool {
    let k = normalized(key);
    [
        "auth",
        "apikey",
        "token",
        "secret",
        "password",
        "passwd",
        "accesskey",
        "privatekey",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// `password`, `client_secret`, `access_token`, `api_key`, … but not `token_type`,
/// `token_url` or `password_length`, which name something about a credential.
fn is_credential_key(key: &str) -> bool {
    let k = normalized(key);
    const ABOUT: [&str; 12] = [
        "type",
        "name",
        "url",
        "uri",
        "endpoint",
        "id",
        "ttl",
        "expiry",
        "expiresin",
        "expiresat",
        "length",
        "format",
    ];
    if ABOUT.iter().any(|s| k.ends_with(s)) && !k.ends_with("secretid") {
        return false;
    }
    matches!(k.as_str(), "pwd" | "pass" | "passphrase" | "auth")
        || [
            "password",
            "passwd",
            "secret",
            "token",
            "apikey",
            "privatekey",
            "accesskey",
            "credential",
        ]
        .iter()
        .any(|w| k.contains(w))
}

/// A query parameter that carries a credential: a credential key, or `key` / `sig` (as
/// Google's and signed URLs use them).
fn is_credential_param(key: &str) -> bool {
    matches!(normalized(key).as_str(), "key" | "sig" | "signature") || is_credential_key(key)
}

/// `[{"key", "value"}]` (or an object of name → value): literal values under credential keys.
fn key_values(
    v: &Value,
    what_field: &str,
    is_credential: fn(&str) -> bool,
    what: &'static str,
    spots: &mut Spots,
) {
    let mut check = |k: &str, val: Option<&Value>| {
        if let Some(s) = val.and_then(Value::as_str) {
            if is_credential(k) && is_literal_secret(s) {
                spots.push(format!("{what_field}[{}]", key_name(k)), what);
            }
        }
    };
    match v {
        Value::Array(list) => {
            for item in list.iter().take(MAX_BODY_NODES) {
                let Some(k) = item.get("key").and_then(Value::as_str) else {
                    continue;
                };
                check(k, item.get("value").or_else(|| item.get("value.$")));
            }
        }
        Value::Object(map) => {
            for (k, val) in map.iter().take(MAX_BODY_NODES) {
                check(k, Some(val));
            }
        }
        _ => {}
    }
}

/// `a=1&password=x`: literal values under credential keys; `field` has a `{}` for the key.
fn scan_pairs(q: &str, field: &str, spots: &mut Spots) {
    for pair in q.split('&').take(MAX_BODY_NODES) {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        if is_credential_param(k) && is_literal_secret(v) {
            spots.push(
                field.replace("{}", &key_name(k)),
                "a literal credential in the query",
            );
        }
    }
}

/// A request body: every string under a credential key, at any depth (bounded). A body given
/// as a string is read as JSON, else as `key=value&…`.
fn scan_body(v: &Value, path: &str, depth: usize, budget: &mut usize, spots: &mut Spots) {
    if *budget == 0 || depth > MAX_BODY_DEPTH {
        return;
    }
    *budget -= 1;
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                let here = format!("{path}.{}", key_name(k));
                if let Value::String(s) = val {
                    if is_credential_key(k) && is_literal_secret(s) {
                        spots.push(here, "a literal value under a password or token key");
                        continue;
                    }
                }
                scan_body(val, &here, depth + 1, budget, spots);
            }
        }
        Value::Array(list) => {
            for (i, val) in list.iter().enumerate() {
                scan_body(val, &format!("{path}[{i}]"), depth + 1, budget, spots);
            }
        }
        Value::String(s) if depth == 0 => {
            let t = s.trim_start();
            if t.starts_with('{') || t.starts_with('[') {
                if let Ok(inner) = serde_json::from_str::<Value>(s) {
                    scan_body(&inner, path, depth + 1, budget, spots);
                    return;
                }
            }
            scan_pairs(s, &format!("{path} ({{}})"), spots);
        }
        _ => {}
    }
}

struct UrlParts<'a> {
    /// scheme://host/path, without user info, query or fragment.
    shown: String,
    userinfo: Option<&'a str>,
    query: Option<&'a str>,
}

fn split_url(u: &str) -> UrlParts<'_> {
    let (no_frag, _) = u.split_once('#').unwrap_or((u, ""));
    let (main, query) = match no_frag.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (no_frag, None),
    };
    let Some(i) = main.find("://") else {
        return UrlParts {
            shown: main.to_string(),
            userinfo: None,
            query,
        };
    };
    let (scheme, rest) = (&main[..i + 3], &main[i + 3..]);
    let end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let (userinfo, host) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    UrlParts {
        shown: format!("{scheme}{host}{path}"),
        userinfo,
        query,
    }
}

// ----- small readers ------------------------------------------------------------------------

/// At most [`MAX_TEXT`] characters of `s` (then `…`).
fn bounded(s: &str) -> String {
    match s.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// A string field (bounded), or "" for any other JSON value.
fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).map(bounded).unwrap_or_default()
}

/// A string or a number, as text (ids and cursors may be either).
fn id_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => bounded(s),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn lenient_bool(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Value::Number(n) => n.as_u64().and_then(|n| match n {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }),
        _ => None,
    }
}

/// The list under `key` and the `meta` beside it.
fn listing<'a>(v: &'a Value, key: &str) -> Result<(&'a [Value], Option<&'a Value>)> {
    match v {
        Value::Array(list) => Ok((list, None)),
        Value::Object(o) => match o.get(key) {
            Some(Value::Array(list)) => Ok((list, o.get("meta"))),
            Some(Value::Null) => Ok((&[], o.get("meta"))),
            Some(_) => Err(Error::invalid_response(format!(
                "\"{key}\" in the answer is not a list"
            ))),
            None => Err(Error::invalid_response(format!(
                "no \"{key}\" list in the answer"
            ))),
        },
        _ => Err(Error::invalid_response(format!(
            "the {key} answer is not a JSON object"
        ))),
    }
}

/// `meta.has_more`, `meta.after`, `meta.before` (strings or numbers; `after_cursor` too).
fn cursors(meta: Option<&Value>) -> (bool, Option<String>, Option<String>) {
    let Some(m) = meta else {
        return (false, None, None);
    };
    // Not bounded like other text: a cursor cut short would name another page (the client
    // refuses one that is too long).
    let cursor = |k: &str, alt: &str| match m.get(k).or_else(|| m.get(alt)) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    (
        lenient_bool(m.get("has_more")).unwrap_or(false),
        cursor("after", "after_cursor"),
        cursor("before", "before_cursor"),
    )
}

#[cfg(test)]
mod tests;
