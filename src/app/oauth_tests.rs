//! `update` unit tests of the OAuth side: the OAuth clients tab, its forms and delete, the
//! delete questions that need more than `y`, and re-authorising an OAuth connection. An
//! action in, the state and the effects out; no terminal, no server.
use crossterm::event::KeyCode;
use secrecy::ExposeSecret;
use time::Duration;

use super::testing::*;
use super::*;
use crate::zis::{Connection, ConnectionKind, Error, OAuthClientRef, OAuthDetails};

const SECRET: &str = "Client-Secret-Canary-77";

fn on_table() -> State {
    let mut s = loaded(120, 40);
    update(&mut s, key(KeyCode::Tab));
    s
}

/// acme_crm_sync's OAuth clients tab, the clients loaded.
fn on_clients() -> State {
    let mut s = on_table();
    let fx = update(&mut s, ch('o'));
    assert!(matches!(
        fx.as_slice(),
        [Effect::LoadOAuthClients { integration, .. }] if integration == "acme_crm_sync"
    ));
    answer_loads(&mut s, fx);
    s
}

fn client_names(s: &State) -> Vec<String> {
    s.client_rows().iter().map(|c| c.name.clone()).collect()
}

fn question(s: &State) -> &DeleteQuestion {
    match &s.modal {
        Some(Modal::Delete(q)) => q,
        other => panic!("expected a delete question, got {other:?}"),
    }
}

fn flow(s: &State) -> &AuthorizeFlow {
    match &s.modal {
        Some(Modal::Authorize(a)) => a,
        other => panic!("expected the re-authorise window, got {other:?}"),
    }
}

/// An OAuth connection of acme_crm_sync built on `client`, its token expiring `hours` from
/// now (negative: expired).
fn add_oauth(s: &mut State, name: &str, client: &str, hours: i64) {
    let i = s.entry_index("acme_crm_sync").unwrap();
    let c = Connection {
        oauth: Some(OAuthDetails {
            oauth_client_uuid: Some(client.into()),
            permission_scope: Some("Mail.Send".into()),
            token_expiry: Some(NOW + Duration::hours(hours)),
            ..Default::default()
        }),
        ..conn(ConnectionKind::OAuth, name, "", "", 300, 5)
    };
    s.integrations[i].connections.as_mut().unwrap().push(c);
    s.recompute();
}

#[test]
fn o_shows_the_integrations_oauth_clients_and_back() {
    let mut s = on_clients();
    assert!(s.clients_tab());
    assert_eq!(keymap::Scope::of(&s), keymap::Scope::OAuthClients);
    assert_eq!(client_names(&s), ["entra_graph", "zendesk"]);
    assert_eq!(
        s.selected_client().map(|(_, c)| c.name.as_str()),
        Some("entra_graph")
    );
    update(&mut s, ch('j'));
    assert_eq!(s.client_sel.as_deref(), Some("c-zendesk"));
    update(&mut s, ch('j'));
    assert_eq!(
        s.client_sel.as_deref(),
        Some("c-zendesk"),
        "stays on the last"
    );
    // Sorting: by age (oldest first), by grant type.
    update(&mut s, ch('s'));
    update(&mut s, ch('s'));
    assert_eq!(s.sort_one.key, SortKey::Age);
    assert_eq!(client_names(&s), ["entra_graph", "zendesk"], "oldest first");
    update(&mut s, ch('S'));
    assert_eq!(client_names(&s), ["zendesk", "entra_graph"]);
    // The filter applies to the clients.
    update(&mut s, ch('/'));
    type_text(&mut s, "entra");
    assert_eq!(client_names(&s), ["entra_graph"]);
    update(&mut s, key(KeyCode::Enter));
    // Back: no reload.
    let fx = update(&mut s, ch('o'));
    assert!(fx.is_empty());
    assert!(!s.clients_tab());
    let fx = update(&mut s, ch('o'));
    assert!(fx.is_empty(), "loaded once: {fx:?}");
    // In the All view there is no integration to show the clients of.
    update(&mut s, ch('a'));
    assert!(!s.clients_tab());
    let fx = update(&mut s, ch('o'));
    assert!(fx.is_empty() && !s.clients_tab());
    assert!(s
        .banner
        .as_ref()
        .is_some_and(|b| b.text.contains("select one")));
}

#[test]
fn an_oauth_connection_selected_names_its_client() {
    let mut s = on_table();
    assert!(s.clients_of("acme_crm_sync").is_none());
    update(&mut s, ch('g'));
    let mut fx = Vec::new();
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.kind) == Some(ConnectionKind::OAuth) {
            break;
        }
        fx = update(&mut s, ch('j'));
    }
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::LoadOAuthClients { .. })),
        "{fx:?}"
    );
    answer_loads(&mut s, fx);
    assert_eq!(s.client_name("acme_crm_sync", "c-zendesk"), Some("zendesk"));
    let fx = update(&mut s, ch('k'));
    assert!(fx.is_empty(), "asked for once");
}

#[test]
fn a_new_client_is_checked_then_sent_and_its_secret_is_never_shown() {
    let mut s = on_clients();
    update(&mut s, ch('n'));
    assert_eq!(form(&s).title(), "New OAuth client in acme_crm_sync");
    type_text(&mut s, "graph_mail");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "client-1");
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, SECRET);
    update(&mut s, key(KeyCode::Tab));
    type_text(&mut s, "http://login.example.com/token");
    let fx = update(&mut s, ctrl('s'));
    assert!(fx.is_empty(), "refused before anything is sent");
    let f = form(&s);
    assert_eq!(f.focus, FieldId::TokenUrl);
    assert!(f
        .field(FieldId::TokenUrl)
        .and_then(|x| x.error.clone())
        .is_some_and(|e| e.contains("https")));
    assert_eq!(
        f.field(FieldId::ClientSecret).map(|x| x.char_count()),
        Some(SECRET.len())
    );
    // Fix the URL (select all and retype), choose client credentials, submit.
    for _ in 0.."http://login.example.com/token".len() {
        update(&mut s, key(KeyCode::Backspace));
    }
    type_text(&mut s, "https://login.example.com/token");
    while form(&s).focus != FieldId::GrantType {
        update(&mut s, key(KeyCode::Tab));
    }
    update(&mut s, key(KeyCode::Right));
    assert_eq!(form(&s).grant, crate::zis::GrantType::ClientCredentials);
    let fx = update(&mut s, ctrl('s'));
    let [Effect::CreateOAuthClient {
        req,
        integration,
        new,
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(integration, "acme_crm_sync");
    assert_eq!(new.name, "graph_mail");
    assert_eq!(new.client_secret.expose_secret(), SECRET);
    assert_eq!(
        new.grant_type,
        Some(crate::zis::GrantType::ClientCredentials)
    );
    assert_eq!(new.auth_url, None, "empty is not sent");
    assert!(!format!("{:?} {:?}", fx, s).contains(SECRET));
    let req = *req;
    let saved = oauth_client("c-new", "graph_mail", "client_credentials", 0);
    let fx = update(
        &mut s,
        Action::OAuthClientSaved {
            req,
            integration: "acme_crm_sync".into(),
            result: Ok(Some(saved)),
        },
    );
    assert!(s.modal.is_none());
    assert!(s
        .banner
        .as_ref()
        .is_some_and(|b| b.text == "created OAuth client acme_crm_sync/graph_mail"));
    assert_eq!(s.client_sel.as_deref(), Some("c-new"));
    assert!(matches!(fx.as_slice(), [Effect::LoadOAuthClients { .. }]));
}

#[test]
fn an_edit_sends_only_what_changed_and_a_failure_keeps_the_form() {
    let mut s = on_clients();
    // r: the same form, the focus on the new secret.
    update(&mut s, ch('r'));
    assert_eq!(form(&s).focus, FieldId::ClientSecret);
    let fx = update(&mut s, ctrl('s'));
    assert!(fx.is_empty());
    assert!(form(&s)
        .error
        .as_deref()
        .is_some_and(|e| e.contains("nothing to change")));
    type_text(&mut s, SECRET);
    let fx = update(&mut s, ctrl('s'));
    let [Effect::UpdateOAuthClient {
        req,
        uuid,
        name,
        update: u,
        ..
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!((uuid.as_str(), name.as_str()), ("c-entra", "entra_graph"));
    assert_eq!(u.fields(), ["client_secret"]);
    let req = *req;
    update(
        &mut s,
        Action::OAuthClientSaved {
            req,
            integration: "acme_crm_sync".into(),
            result: Err(Error::from_response(
                400,
                br#"{"errors":[{"code":"InvalidRequest","title":"token_url is invalid"}]}"#,
            )),
        },
    );
    let f = form(&s);
    assert!(f.pending.is_none());
    assert_eq!(
        f.error.as_deref(),
        Some("token_url is invalid (400 InvalidRequest)")
    );
    assert_eq!(
        f.field(FieldId::ClientSecret).map(|x| x.char_count()),
        Some(SECRET.len())
    );
    // The edit form's other fields: a changed scope only.
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, ch('e'));
    while form(&s).focus != FieldId::Scopes {
        update(&mut s, key(KeyCode::Tab));
    }
    type_text(&mut s, " offline_access");
    let fx = update(&mut s, ctrl('s'));
    let [Effect::UpdateOAuthClient { update: u, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(u.fields(), ["default_scopes"]);
    assert_eq!(
        u.default_scopes.as_deref(),
        Some("read write offline_access")
    );
}

#[test]
fn deleting_a_client_names_what_goes_with_it_and_waits_for_y() {
    let mut s = on_clients();
    add_oauth(&mut s, "graph_mail", "c-entra", -30);
    add_oauth(&mut s, "graph_files", "c-entra", 2);
    let fx = update(&mut s, ch('d'));
    assert!(fx.is_empty(), "nothing is sent before the answer");
    let q = question(&s);
    assert_eq!(
        q.cascade.as_deref(),
        Some(&["graph_files".to_string(), "graph_mail".to_string()][..])
    );
    assert!(q.must_type.is_none());
    assert_eq!(keymap::Scope::of(&s), keymap::Scope::ConfirmDelete);
    let fx = update(&mut s, ch('n'));
    assert!(fx.is_empty() && s.modal.is_none());
    update(&mut s, ch('d'));
    let fx = update(&mut s, ch('y'));
    let [Effect::DeleteOAuthClient {
        req, uuid, name, ..
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!((uuid.as_str(), name.as_str()), ("c-entra", "entra_graph"));
    let req = *req;
    let fx = update(
        &mut s,
        Action::OAuthClientDeleted {
            req,
            integration: "acme_crm_sync".into(),
            uuid: "c-entra".into(),
            result: Ok(()),
        },
    );
    assert_eq!(client_names(&s), ["zendesk"]);
    let names: Vec<String> = s
        .entry("acme_crm_sync")
        .unwrap()
        .connections
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with("graph_")),
        "the cascade: {names:?}"
    );
    assert!(s
        .banner
        .as_ref()
        .is_some_and(|b| b.text.contains("2 OAuth connection(s)")));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::LoadConnections { .. })));
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::LoadOAuthClients { .. })));
}

#[test]
fn the_reserved_connection_needs_its_name_typed() {
    let mut s = on_table();
    select(&mut s, "zendesk");
    update(&mut s, ch('d'));
    assert_eq!(keymap::Scope::of(&s), keymap::Scope::ConfirmTyped);
    assert_eq!(question(&s).must_type.as_deref(), Some("zendesk"));
    // `y` is a letter here, and Enter does nothing until the name is right.
    let fx = update(&mut s, ch('y'));
    assert!(fx.is_empty());
    assert_eq!(question(&s).typed, "y");
    update(&mut s, key(KeyCode::Backspace));
    type_text(&mut s, "zendes");
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(fx.is_empty() && !question(&s).ready());
    type_text(&mut s, "k");
    let fx = update(&mut s, key(KeyCode::Enter));
    let [Effect::DeleteConnection { key, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        (key.name.as_str(), key.kind),
        ("zendesk", ConnectionKind::OAuth)
    );
    // Esc keeps it.
    update(&mut s, ch('d'));
    type_text(&mut s, "zendesk");
    let fx = update(&mut s, key_esc());
    assert!(fx.is_empty() && s.modal.is_none());

    // The zendesk OAuth client takes the zendesk connection with it: typed too.
    let mut s = on_clients();
    update(&mut s, ch('j'));
    update(&mut s, ch('d'));
    let q = question(&s);
    assert_eq!(q.cascade.as_deref(), Some(&["zendesk".to_string()][..]));
    assert_eq!(q.must_type.as_deref(), Some("zendesk"));
}

fn key_esc() -> Action {
    key(KeyCode::Esc)
}

#[test]
fn r_re_authorises_an_oauth_connection_without_blocking() {
    let mut s = on_table();
    select(&mut s, "zendesk");
    let fx = update(&mut s, ch('r'));
    answer_loads(&mut s, fx);
    let a = flow(&s);
    assert_eq!(
        a.client.as_deref(),
        Some("c-zendesk"),
        "the client it was made with"
    );
    assert_eq!(a.phase, AuthPhase::Choose);
    let fx = update(&mut s, key(KeyCode::Enter));
    let [Effect::StartOAuth {
        req,
        start,
        client_credentials,
        ..
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert!(!client_credentials);
    assert_eq!(start.name, "zendesk");
    assert_eq!(start.client, OAuthClientRef::Uuid("c-zendesk".into()));
    assert_eq!(start.permission_scopes.as_deref(), Some("read write"));
    assert_eq!(start.allow_offline_access, Some(true));
    assert_eq!(start.origin_oauth_redirect_url, s.ctx.base_url);
    let req = *req;
    let key = ConnKey {
        integration: "acme_crm_sync".into(),
        kind: ConnectionKind::OAuth,
        name: "zendesk".into(),
    };
    let url = "https://login.zendesk.example/oauth/authorize?state=abc";
    let fx = update(
        &mut s,
        Action::OAuthStarted {
            req,
            key: key.clone(),
            result: Ok(Some(url.into())),
        },
    );
    let [Effect::WatchOAuth {
        req: watch, before, ..
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    let watch = *watch;
    assert!(before.is_some());
    assert!(matches!(&flow(&s).phase, AuthPhase::Waiting { url: Some(u), .. } if u == url));
    assert!(s.busy(), "the status line says what it waits for");
    // The UI goes on: c copies the URL.
    let fx = update(&mut s, ch('c'));
    assert!(
        matches!(fx.as_slice(), [Effect::Copy { text, clear_after: Some(_) }] if text.expose_secret() == url)
    );
    // The token moved.
    let mut fresh = s.find_connection(&key).unwrap().clone();
    let new_expiry = NOW + Duration::hours(1);
    fresh.oauth.as_mut().unwrap().token_expiry = Some(new_expiry);
    let fx = update(
        &mut s,
        Action::OAuthWatched {
            req: watch,
            key: key.clone(),
            result: Ok(fresh),
        },
    );
    assert_eq!(
        flow(&s).phase,
        AuthPhase::Done {
            expiry: Some(new_expiry)
        }
    );
    assert_eq!(
        s.find_connection(&key)
            .and_then(|c| c.oauth.as_ref())
            .and_then(|o| o.token_expiry),
        Some(new_expiry)
    );
    assert!(fx
        .iter()
        .any(|e| matches!(e, Effect::LoadConnections { .. })));
    assert!(!s.in_flight.contains_key(&watch), "no longer waited for");
    update(&mut s, key_esc());
    assert!(s.modal.is_none());
}

#[test]
fn closing_the_window_stops_the_wait_and_late_answers_are_dropped() {
    let mut s = on_table();
    add_oauth(&mut s, "graph_mail", "c-entra", -30);
    select(&mut s, "graph_mail");
    let fx = update(&mut s, ch('r'));
    answer_loads(&mut s, fx);
    assert_eq!(flow(&s).scopes.as_deref(), Some("Mail.Send"));
    let fx = update(&mut s, key(KeyCode::Enter));
    let [Effect::StartOAuth {
        req,
        client_credentials,
        key: k,
        ..
    }] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert!(
        client_credentials,
        "entra_graph is a client-credentials client"
    );
    let (req, k) = (*req, k.clone());
    let fx = update(
        &mut s,
        Action::OAuthStarted {
            req,
            key: k.clone(),
            result: Ok(None),
        },
    );
    let [Effect::WatchOAuth { req: watch, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let watch = *watch;
    assert!(matches!(
        flow(&s).phase,
        AuthPhase::Waiting { url: None, .. }
    ));
    let fx = update(&mut s, key_esc());
    assert!(matches!(fx.as_slice(), [Effect::CancelWatch { req }] if *req == watch));
    assert!(s.modal.is_none() && !s.busy());
    // An answer after the window closed changes no window.
    let fx = update(
        &mut s,
        Action::OAuthWatched {
            req: watch,
            key: k,
            result: Err(Error::new(crate::zis::ErrorKind::Timeout, "late")),
        },
    );
    assert!(fx.is_empty() && s.modal.is_none());
}

#[test]
fn a_failed_start_says_why_and_enter_tries_again() {
    let mut s = on_table();
    select(&mut s, "zendesk");
    let fx = update(&mut s, ch('r'));
    answer_loads(&mut s, fx);
    let fx = update(&mut s, key(KeyCode::Enter));
    let [Effect::StartOAuth { req, key: k, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let (req, k) = (*req, k.clone());
    update(
        &mut s,
        Action::OAuthStarted {
            req,
            key: k,
            result: Err(Error::from_response(
                404,
                br#"{"errors":[{"code":"NotFound","title":"OAuth client does not exist"}]}"#,
            )),
        },
    );
    assert!(
        matches!(&flow(&s).phase, AuthPhase::Failed(e) if e.contains("OAuth client does not exist"))
    );
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(fx.as_slice(), [Effect::StartOAuth { .. }]));
}

#[test]
fn registering_a_name_the_account_holds_is_refused_in_the_form() {
    let mut s = on_table();
    update(&mut s, ch('I'));
    type_text(&mut s, "acme_crm_sync");
    let fx = update(&mut s, ctrl('s'));
    assert!(fx.is_empty(), "nothing is sent");
    assert!(form(&s)
        .error
        .as_deref()
        .is_some_and(|e| e.contains("already registered") && e.contains("--update-existing")));
}
