//! The route table: every ZIS path, the OAuth endpoints, users/me, the token endpoints and
//! `/_sandbox/...`, behind the gate. A method a route does not take is a 405 in the documented
//! error shape.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::Router;

use super::bundles::{
    add_hostile_bundle, list_bundles, list_job_specs, show_bundle, HOSTILE_BODY_LIMIT,
};
use super::oauth_clients::{create_client, delete_client, list_clients, update_client};
use super::oauth_connections::{
    delete_oauth_connection, show_oauth_connection, start_flow, verify_flow,
};
use super::provider::{provider_authorize, provider_decision};

use super::connections::{
    create_connection, delete_connection, list_connections, show_connection, update_connection,
};
use super::consent::{authorize, decision};
use super::oauth::token_endpoint;
use super::registry::{list_integrations, register, register_named_integrations};
use super::respond::{fallback, method_not_allowed};
use super::support::{
    add_fault, clear_faults, get_oauth, get_shapes, get_switches, list_faults, reset_stats,
    revoke_tokens, set_oauth, set_shapes, set_switches, stats, verify,
};
use super::target::{
    check as target_check, redirect as target_redirect, set_password as target_set,
    users as target_users,
};
use super::tokens::{mint_token, revoke_token, show_token};
use super::users::me;
use crate::sandbox::control::{gate, Shared};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    const CONN: &str = "/api/services/zis/integrations/{integration}/connections";
    const OAUTH: &str = "/api/services/zis/connections/oauth";
    const REGISTRY: &str = "/api/services/zis/registry/{integration}";
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
            &format!("{OAUTH}/clients/{{integration}}"),
            get(list_clients).post(create_client),
        )
        // PUT (and GET) here are 405 [live: PUT]: the method-not-allowed fallback answers.
        .route(
            &format!("{OAUTH}/clients/{{integration}}/{{uuid}}"),
            axum::routing::patch(update_client).delete(delete_client),
        )
        .route(&format!("{OAUTH}/start/{{integration}}"), post(start_flow))
        .route(&format!("{OAUTH}/verify/{{integration}}"), get(verify_flow))
        .route(
            "/api/services/zis/connections/{integration}",
            get(show_oauth_connection).delete(delete_oauth_connection),
        )
        .route(&format!("{REGISTRY}/bundles"), get(list_bundles))
        .route(&format!("{REGISTRY}/bundles/{{uuid}}"), get(show_bundle))
        .route(&format!("{REGISTRY}/job_specs"), get(list_job_specs))
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
        .route("/_sandbox/shapes", get(get_shapes).post(set_shapes))
        .route(
            "/_sandbox/bundles",
            post(add_hostile_bundle).layer(DefaultBodyLimit::max(HOSTILE_BODY_LIMIT)),
        )
        .route("/_sandbox/provider/authorize", get(provider_authorize))
        .route("/_sandbox/provider/decision", post(provider_decision))
        .route("/_sandbox/target/passwords", post(target_set))
        .route(
            "/_sandbox/target/check",
            get(target_check).head(target_check).post(target_check),
        )
        .route("/_sandbox/target/redirect", get(target_redirect))
        .route("/_sandbox/target/users", get(target_users))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), gate))
        .with_state(shared)
}
