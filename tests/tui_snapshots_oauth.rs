//! View snapshots of the OAuth side of the TUI (insta, TestBackend) at 80×24 and 120×40: the
//! OAuth clients tab and its details, the client forms with a secret typed, the delete
//! questions, an OAuth connection's details and the re-authorise window in each phase. Every
//! screen is checked for the plaintext of the secrets typed into it and of the secrets a
//! server sends in clear (they never reach the state, so they must never reach the buffer).
mod common;

use common::screen::{render, text_of, SIZES};
use crossterm::event::KeyCode;
use time::Duration;
use zisctl::app::testing::{answer_loads, ch, conn, ctrl, key, loaded, type_text, NOW};
use zisctl::app::{update, Action, ConnKey, Effect, State};
use zisctl::zis::{Connection, ConnectionKind, OAuthDetails};

/// A client secret typed into the forms: never drawn in clear.
const TYPED: &str = "Typed-Client-Secret-Canary";
/// What a server sends in clear for the OAuth clients and connections of these screens: the
/// state never holds them. They are checked anyway.
const SERVER_SENT: [&str; 2] = ["my_client_secret", "at-in-clear"];

fn snap(name: &str, state_at: impl Fn(u16, u16) -> State) {
    for (w, h) in SIZES {
        let state = state_at(w, h);
        let t = render(&state, w, h);
        let screen = text_of(&t);
        for secret in std::iter::once(TYPED).chain(SERVER_SENT) {
            // Compared, never printed.
            assert!(
                !screen.contains(secret),
                "{name}: a secret's plaintext is on screen"
            );
        }
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

fn table(w: u16, h: u16) -> State {
    let mut s = loaded(w, h);
    update(&mut s, key(KeyCode::Tab));
    s
}

/// hr-like trouble in acme_crm_sync: an OAuth connection on the client-credentials client
/// whose token expired 12 days ago.
fn with_expired(w: u16, h: u16) -> State {
    let mut s = table(w, h);
    let i = s.entry_index("acme_crm_sync").expect("acme");
    let c = Connection {
        oauth: Some(OAuthDetails {
            oauth_client_uuid: Some("c-entra".into()),
            permission_scope: Some("https://graph.microsoft.com/.default".into()),
            token_type: Some("bearer".into()),
            token_expiry: Some(NOW - Duration::days(12)),
            ..Default::default()
        }),
        ..conn(ConnectionKind::OAuth, "graph_mail", "", "", 400, 13)
    };
    s.integrations[i]
        .connections
        .as_mut()
        .expect("loaded")
        .push(c);
    s.recompute();
    s
}

/// Select `name` in the table, answering the loads a key asks for (an OAuth connection
/// selected loads its integration's OAuth clients, to name its own).
fn select(s: &mut State, name: &str) {
    let fx = update(s, ch('g'));
    answer_loads(s, fx);
    for _ in 0..s.rows.len() {
        if s.selected_connection().map(|(_, c)| c.name.as_str()) == Some(name) {
            return;
        }
        let fx = update(s, ch('j'));
        answer_loads(s, fx);
    }
    panic!("no row {name}");
}

fn clients(w: u16, h: u16) -> State {
    let mut s = with_expired(w, h);
    let fx = update(&mut s, ch('o'));
    answer_loads(&mut s, fx);
    s
}

#[test]
fn oauth_clients_tab() {
    snap("oauth_clients_tab", clients);
}

#[test]
fn oauth_clients_tab_empty() {
    snap("oauth_clients_tab_empty", |w, h| {
        let mut s = table(w, h);
        update(&mut s, ch('j'));
        update(&mut s, key(KeyCode::Tab));
        update(&mut s, ch('j'));
        update(&mut s, key(KeyCode::Tab));
        let fx = update(&mut s, ch('o'));
        answer_loads(&mut s, fx);
        s
    });
}

#[test]
fn oauth_client_details() {
    snap("oauth_client_details", |w, h| {
        let mut s = clients(w, h);
        update(&mut s, key(KeyCode::Enter));
        s
    });
}

#[test]
fn oauth_client_form_create() {
    snap("oauth_client_form_create", |w, h| {
        let mut s = clients(w, h);
        update(&mut s, ch('n'));
        type_text(&mut s, "graph_files");
        update(&mut s, key(KeyCode::Tab));
        type_text(&mut s, "5f2d1c8e-3a4b");
        update(&mut s, key(KeyCode::Tab));
        type_text(&mut s, TYPED);
        update(&mut s, key(KeyCode::Tab));
        type_text(&mut s, "https://user:pw@login.example.com/token");
        update(&mut s, ctrl('s'));
        s
    });
}

#[test]
fn oauth_client_form_new_secret() {
    snap("oauth_client_form_new_secret", |w, h| {
        let mut s = clients(w, h);
        update(&mut s, ch('r'));
        type_text(&mut s, TYPED);
        s
    });
}

#[test]
fn oauth_client_delete_names_its_connections() {
    snap("oauth_client_delete", |w, h| {
        let mut s = clients(w, h);
        update(&mut s, ch('d'));
        s
    });
}

#[test]
fn reserved_connection_delete_asks_for_its_name() {
    snap("reserved_delete", |w, h| {
        let mut s = table(w, h);
        select(&mut s, "zendesk");
        update(&mut s, ch('d'));
        type_text(&mut s, "zend");
        s
    });
}

#[test]
fn oauth_connection_details_panel() {
    snap("oauth_connection_details", |w, h| {
        let mut s = with_expired(w, h);
        select(&mut s, "graph_mail");
        s
    });
}

fn authorize(w: u16, h: u16) -> State {
    let mut s = with_expired(w, h);
    select(&mut s, "graph_mail");
    let fx = update(&mut s, ch('r'));
    answer_loads(&mut s, fx);
    s
}

fn started(w: u16, h: u16, url: Option<&str>) -> State {
    let mut s = authorize(w, h);
    let fx = update(&mut s, key(KeyCode::Enter));
    let Some(Effect::StartOAuth { req, key: k, .. }) = fx.into_iter().next() else {
        panic!("no start")
    };
    update(
        &mut s,
        Action::OAuthStarted {
            req,
            key: k,
            result: Ok(url.map(str::to_string)),
        },
    );
    s
}

#[test]
fn authorize_choose() {
    snap("authorize_choose", authorize);
}

#[test]
fn authorize_waiting_for_the_browser() {
    snap("authorize_waiting", |w, h| {
        started(
            w,
            h,
            Some("https://login.entra_graph.example/oauth/authorize?response_type=code&client_id=entra_graph-client-id&state=5f1e0c9a7b3d"),
        )
    });
}

#[test]
fn authorize_done() {
    snap("authorize_done", |w, h| {
        let mut s = started(w, h, None);
        let watch = s
            .in_flight
            .keys()
            .copied()
            .max()
            .expect("the watch is in flight");
        let key = ConnKey {
            integration: "acme_crm_sync".into(),
            kind: ConnectionKind::OAuth,
            name: "graph_mail".into(),
        };
        let mut fresh = s.find_connection(&key).expect("conn").clone();
        fresh.oauth.as_mut().expect("oauth").token_expiry = Some(NOW + Duration::hours(1));
        update(
            &mut s,
            Action::OAuthWatched {
                req: watch,
                key,
                result: Ok(fresh),
            },
        );
        s
    });
}
