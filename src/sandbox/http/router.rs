//! The route table: every ZIS path, the OAuth endpoints, users/me, the token endpoints and
//! `/_sandbox/...`, behind the gate.

use std::sync::Arc;

use axum::routing::{delete, get, post};
use axum::Router;

use super::connections::{
    create_connection, delete_connection, list_connections, show_connection, update_connection,
};
use super::consent::{authorize, decision};
use super::oauth::token_endpoint;
use super::registry::{list_integrations, register, register_named_integrations};
use super::respond::fallback;
use super::support::{
    add_fault, clear_faults, get_oauth, get_switches, list_faults, reset_stats, revoke_tokens,
    set_oauth, set_switches, stats, verify,
};
use super::tokens::{mint_token, revoke_token, show_token};
use super::users::me;
use crate::sandbox::control::{gate, Shared};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    const CONN: &str = "/api/services/zis/integrations/{integration}/connections";
    Router::new()
        .route(
            "/api/services/zis/registry/integrations",
            get(list_integrations).post(register_named_integrations),
        )
        .route("/api/services/zis/registry/{integration}", post(register))
        .route("/api/v2/oauth/tokens", post(mint_token))
        .route(
            "/api/v2/oauth/tokens/{file}",
            get(show_token).delete(revoke_token),
        )
        .route("/api/v2/users/me", get(me))
        .route("/api/v2/users/me.json", get(me))
        .route("/oauth/authorizations/new", get(authorize))
        .route("/oauth/authorizations/decision", post(decision))
        .route("/oauth/tokens", post(token_endpoint))
        .route(&format!("{CONN}/all"), get(list_connections))
        .route(&format!("{CONN}/{{kind}}"), post(create_connection))
        .route(
            &format!("{CONN}/{{kind}}/{{name}}"),
            get(show_connection)
                .patch(update_connection)
                .delete(delete_connection),
        )
        .route(
            "/_sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/_sandbox/verify", post(verify))
        .route("/_sandbox/stats", get(stats))
        .route("/_sandbox/stats/reset", post(reset_stats))
        .route("/_sandbox/switches", get(get_switches).post(set_switches))
        .route("/_sandbox/tokens", delete(revoke_tokens))
        .route("/_sandbox/oauth", get(get_oauth).post(set_oauth))
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}
