//! Reading the answers about OAuth clients and OAuth connections. Pure functions, no I/O.
//!
//! Every shape the reference pages and the live reports allow is accepted: a list wrapped
//! (`{"clients": [...]}`) or bare (`[...]`); one object wrapped (`{"client": {...}}`,
//! `{"oauth": {...}}`) or bare; extra fields; missing optional fields. The secrets these
//! answers hold in clear (`client_secret`, `access_token`, `refresh_token`,
//! `oauth_access_token_response_body`) are never read into what they return.
use serde_json::{Map, Value};

use super::error::{Error, Result};
use super::models::{Connection, ConnectionKind};
use super::oauth_models::{OAuthDetails, ZisOAuthClient};
use super::parse::{parse_connection, parse_json, parse_timestamp};

fn text(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        // A uuid or an id sent as a number is still an id.
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn nonempty(v: &Value, k: &str) -> Option<String> {
    text(v, k).filter(|s| !s.trim().is_empty())
}

fn time_of(v: &Value, k: &str) -> Option<time::OffsetDateTime> {
    v.get(k)?.as_str().and_then(parse_timestamp)
}

/// The OAuth fields of one connection object (never its tokens).
pub(super) fn oauth_details(v: &Value) -> OAuthDetails {
    OAuthDetails {
        uuid: nonempty(v, "uuid"),
        oauth_client_uuid: nonempty(v, "oauth_client_uuid"),
        permission_scope: text(v, "permission_scope").or_else(|| text(v, "permission_scopes")),
        token_type: nonempty(v, "token_type"),
        token_expiry: time_of(v, "token_expiry"),
        created_by: nonempty(v, "created_by"),
    }
}

/// One OAuth client object. `uuid` is required; a missing name, client id or token URL is
/// read as empty (a create answer may hold the uuid alone: the caller fills in what it sent).
pub fn parse_oauth_client(v: &Value) -> Result<ZisOAuthClient> {
    if !v.is_object() {
        return Err(Error::invalid_response(
            "an OAuth client in the answer is not a JSON object",
        ));
    }
    let uuid = nonempty(v, "uuid")
        .ok_or_else(|| Error::invalid_response("an OAuth client without a uuid"))?;
    Ok(ZisOAuthClient {
        uuid,
        name: text(v, "name").unwrap_or_default(),
        client_id: text(v, "client_id").unwrap_or_default(),
        token_url: text(v, "token_url").unwrap_or_default(),
        auth_url: nonempty(v, "auth_url"),
        default_scopes: text(v, "default_scopes").filter(|s| !s.trim().is_empty()),
        grant_type: nonempty(v, "grant_type"),
        integration: nonempty(v, "integration"),
        created_by: nonempty(v, "created_by"),
        created_at: time_of(v, "created_at"),
        updated_at: time_of(v, "updated_at"),
    })
}

/// A page of OAuth clients: the clients, and the cursor of the next page when the server
/// says there is one (`meta.has_more` with `meta.after`).
pub struct ClientsPage {
    pub clients: Vec<ZisOAuthClient>,
    pub next: Option<String>,
}

/// `{"clients": [...]}` (or `{"oauth_clients": [...]}`, or the bare list).
pub fn parse_clients(body: &[u8]) -> Result<ClientsPage> {
    let v = parse_json(body)?;
    let list = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match ["clients", "oauth_clients", "data"]
            .iter()
            .find_map(|k| o.get(*k))
        {
            Some(Value::Array(a)) => a,
            Some(_) => {
                return Err(Error::invalid_response(
                    "the OAuth clients answer has a \"clients\" that is not a list",
                ))
            }
            None => {
                return Err(Error::invalid_response(
                    "no \"clients\" list in the OAuth clients answer",
                ))
            }
        },
        _ => {
            return Err(Error::invalid_response(
                "the OAuth clients answer is not a JSON object",
            ))
        }
    };
    let mut clients = Vec::with_capacity(list.len());
    for c in list {
        let c = parse_oauth_client(c)?;
        if c.name.is_empty() {
            return Err(Error::invalid_response("an OAuth client without a name"));
        }
        clients.push(c);
    }
    let meta = v.get("meta");
    let more = meta
        .and_then(|m| m.get("has_more"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let next = meta.and_then(|m| nonempty(m, "after")).filter(|_| more);
    Ok(ClientsPage { clients, next })
}

/// The one object of an answer that may wrap it under one of `keys` or send it bare.
fn one_object<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Map<String, Value>> {
    let o = v.as_object()?;
    for k in keys {
        if let Some(Value::Object(inner)) = o.get(*k) {
            return Some(inner);
        }
    }
    Some(o)
}

/// The answer to a create or an update: one OAuth client, wrapped (`{"client": {...}}`,
/// `{"oauth_client": {...}}`) or bare. `Ok(None)` for an empty answer (a 204) or one that
/// names no uuid.
pub fn parse_client_answer(body: &[u8]) -> Result<Option<ZisOAuthClient>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let v = parse_json(body)?;
    let Some(o) = one_object(&v, &["client", "oauth_client", "data"]) else {
        return Err(Error::invalid_response(
            "the OAuth client answer is not a JSON object",
        ));
    };
    let obj = Value::Object(o.clone());
    match parse_oauth_client(&obj) {
        Ok(c) => Ok(Some(c)),
        Err(_) if nonempty(&obj, "uuid").is_none() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The answer of `GET /api/services/zis/connections/{integration}?name={name}`: the OAuth
/// connection wrapped (`{"oauth": {...}}`, `{"connection": {...}}`) or bare, or a list of
/// them (the one named `name` is taken).
pub fn parse_oauth_connection(body: &[u8], name: &str) -> Result<Connection> {
    let v = parse_json(body)?;
    let pick = |list: &[Value]| -> Result<Connection> {
        list.iter()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
            .ok_or_else(|| {
                let mut e = Error::new(
                    super::error::ErrorKind::NotFound,
                    "Connection does not exist",
                );
                e.status = Some(404);
                e
            })
            .and_then(|c| parse_connection(ConnectionKind::OAuth, c))
    };
    match &v {
        Value::Array(a) => pick(a),
        Value::Object(o) => {
            for k in ["oauth", "connection", "oauth_connection", "data"] {
                match o.get(k) {
                    Some(Value::Object(_)) => {
                        return parse_connection(ConnectionKind::OAuth, &o[k]);
                    }
                    Some(Value::Array(a)) => return pick(a),
                    _ => {}
                }
            }
            if o.contains_key("name") {
                parse_connection(ConnectionKind::OAuth, &v)
            } else {
                Err(Error::invalid_response(
                    "no \"oauth\" connection in the answer",
                ))
            }
        }
        _ => Err(Error::invalid_response(
            "the OAuth connection answer is not a JSON object",
        )),
    }
}

/// The `redirect_url` of a start-flow answer (top level, or in the one object it wraps).
pub fn parse_redirect_url(body: &[u8]) -> Result<String> {
    let v = parse_json(body)?;
    let direct = v.get("redirect_url").and_then(Value::as_str);
    let nested = || {
        v.as_object()?
            .values()
            .find_map(|inner| inner.get("redirect_url").and_then(Value::as_str))
    };
    direct
        .or_else(nested)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
        .ok_or_else(|| Error::invalid_response("no \"redirect_url\" in the answer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = r#"{"uuid":"9c81f444-4beb","name":"slack","client_id":"my_client_id",
        "client_secret":"cs-in-clear-canary","token_url":"https://slack.com/api/oauth.v2.access",
        "auth_url":"https://slack.com/oauth/v2/authorize","default_scopes":"read write",
        "grant_type":"authorization_code","integration":"acme","created_by":"test_user",
        "created_at":"2024-01-01T00:00:00Z","updated_at":"2024-02-01T00:00:00Z","extra":{"x":1}}"#;

    #[test]
    fn clients_wrapped_or_bare_and_never_the_secret() {
        for body in [
            format!(r#"{{"clients":[{CLIENT}]}}"#),
            format!("[{CLIENT}]"),
            format!(r#"{{"oauth_clients":[{CLIENT}],"meta":{{"has_more":false}}}}"#),
        ] {
            let p = parse_clients(body.as_bytes()).unwrap();
            assert_eq!(p.clients.len(), 1);
            let c = &p.clients[0];
            assert_eq!(c.name, "slack");
            assert_eq!(c.uuid, "9c81f444-4beb");
            assert_eq!(c.default_scopes.as_deref(), Some("read write"));
            assert!(c.updated_at.is_some());
            assert!(p.next.is_none());
            assert!(!format!("{c:?}").contains("cs-in-clear-canary"));
        }
        let p = parse_clients(br#"{"clients":[],"meta":{"has_more":true,"after":"c2"}}"#).unwrap();
        assert_eq!(p.next.as_deref(), Some("c2"));
        assert!(parse_clients(br#"{"clients":{}}"#).is_err());
        assert!(parse_clients(br#"{"nope":[]}"#).is_err());
        assert!(parse_clients(br#"{"clients":[{"name":"x"}]}"#).is_err());
        assert!(parse_clients(b"<html>").is_err());
    }

    #[test]
    fn minimal_client_fields_are_enough() {
        let p = parse_clients(br#"{"clients":[{"uuid":"u","name":"n"}]}"#).unwrap();
        let c = &p.clients[0];
        assert_eq!((c.client_id.as_str(), c.token_url.as_str()), ("", ""));
        assert_eq!(c.grant(), super::super::GrantType::AuthorizationCode);
    }

    #[test]
    fn one_client_wrapped_bare_uuid_only_or_empty() {
        let wrapped = format!(r#"{{"client":{CLIENT}}}"#);
        assert_eq!(
            parse_client_answer(wrapped.as_bytes())
                .unwrap()
                .map(|c| c.name),
            Some("slack".into())
        );
        assert_eq!(
            parse_client_answer(CLIENT.as_bytes())
                .unwrap()
                .map(|c| c.name),
            Some("slack".into())
        );
        let only = parse_client_answer(br#"{"uuid":"01cc6165"}"#)
            .unwrap()
            .unwrap();
        assert_eq!((only.uuid.as_str(), only.name.as_str()), ("01cc6165", ""));
        assert!(parse_client_answer(b"").unwrap().is_none());
        assert!(parse_client_answer(b"{}").unwrap().is_none());
        assert!(parse_client_answer(b"[1]").is_err());
    }

    const CONN: &str = r#"{"name":"slack_conn","uuid":"c-1","oauth_client_uuid":"9c81f444-4beb",
        "permission_scope":"read","token_type":"bearer","token_expiry":"2025-11-20T10:00:00Z",
        "created_by":"u","access_token":"at-canary","refresh_token":"rt-canary",
        "oauth_access_token_response_body":"{\"access_token\":\"at-canary\"}",
        "created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-02T00:00:00Z"}"#;

    #[test]
    fn oauth_connection_in_every_shape_without_its_tokens() {
        for body in [
            format!(r#"{{"oauth":{CONN}}}"#),
            CONN.to_string(),
            format!(r#"{{"oauth":[{CONN}]}}"#),
            format!("[{CONN}]"),
            format!(r#"{{"connection":{CONN}}}"#),
        ] {
            let c = parse_oauth_connection(body.as_bytes(), "slack_conn").unwrap();
            assert_eq!(c.kind, ConnectionKind::OAuth);
            let o = c.oauth.as_ref().unwrap();
            assert_eq!(o.oauth_client_uuid.as_deref(), Some("9c81f444-4beb"));
            assert_eq!(o.permission_scope.as_deref(), Some("read"));
            assert!(o.token_expiry.is_some());
            let dbg = format!("{c:?}");
            assert!(!dbg.contains("at-canary") && !dbg.contains("rt-canary"));
        }
        let e = parse_oauth_connection(format!("[{CONN}]").as_bytes(), "other").unwrap_err();
        assert_eq!(e.kind, super::super::ErrorKind::NotFound);
        assert!(parse_oauth_connection(br#"{"x":1}"#, "a").is_err());
    }

    #[test]
    fn listing_page_reads_oauth_fields() {
        let body = format!(r#"{{"oauth":[{CONN}],"meta":{{"has_more":false}}}}"#);
        let p = super::super::parse::parse_page(body.as_bytes()).unwrap();
        let o = p.connections[0].oauth.as_ref().unwrap();
        assert_eq!(o.token_type.as_deref(), Some("bearer"));
        assert!(o.token_expiry.is_some());
        assert!(!format!("{p:?}").contains("canary"));
    }

    #[test]
    fn redirect_urls() {
        assert_eq!(
            parse_redirect_url(br#"{"redirect_url":"https://p.example/a?x=1"}"#).unwrap(),
            "https://p.example/a?x=1"
        );
        assert_eq!(
            parse_redirect_url(br#"{"oauth":{"redirect_url":"https://p.example/b"}}"#).unwrap(),
            "https://p.example/b"
        );
        assert!(parse_redirect_url(br#"{"redirect_url":""}"#).is_err());
        assert!(parse_redirect_url(b"{}").is_err());
    }
}
