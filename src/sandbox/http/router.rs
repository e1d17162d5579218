//! The route table: every ZIS path, the token endpoint and `/_sandbox/...`, behind the gate.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use super::connections::{
    create_connection, delete_connection, list_connections, show_connection, update_connection,
};
use super::registry::{list_integrations, register, register_named_integrations};
use super::respond::fallback;
use super::support::{
    add_fault, clear_faults, get_switches, list_faults, reset_stats, revoke_tokens, set_switches,
    stats, verify,
};
use super::tokens::mint_token;
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
        .route("/_sandbox/tokens", axum::routing::delete(revoke_tokens))
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}
