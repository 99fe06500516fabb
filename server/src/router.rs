//! The HTTP surface: health check, server functions, pages, static files.

use crate::body_limit::{MAX_REQUEST_BODY_BYTES, limit_body};
use crate::client_addr::{ClientAddrPolicy, record_client_addr};
use crate::health::healthz;
use crate::same_origin::{OriginPolicy, refuse_cross_site};
use axum::Router;
use axum::extract::FromRef;
use axum::routing::get;
use http::{HeaderValue, header};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use penguin_app::api::request::CookiePolicy;
use penguin_app::{App, shell};
use penguin_domain::Core;
use std::sync::{Arc, OnceLock};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub core: Core,
}

/// The request policies set by configuration.
#[derive(Debug, Clone)]
pub struct Policies {
    pub origins: OriginPolicy,
    pub cookies: CookiePolicy,
    pub client_addr: ClientAddrPolicy,
    /// WebSocket connections, for graceful shutdown.
    pub connections: crate::lifecycle::Connections,
    /// `/metrics` on this router with this bearer token (`--metrics-token`).
    pub metrics_token: Option<Arc<str>>,
}

/// The app's routes, generated once per process.
///
/// Generating them runs the app with resource loading suppressed through a
/// process-global flag (leptos_server's `SuppressResourceLoad`): a resource first polled
/// by a page render on another thread meanwhile waits forever, and that response never
/// ends (leptos-rs/leptos#4773). One server per process never renders before its routes
/// exist, but the integration tests start many servers in one process, and a test saw a
/// page request hang until CI's time ran out. Generating once, before any router can
/// serve, closes that window.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(state: AppState, policies: Policies) -> Router {
    let routes = routes();
    let core = state.core.clone();
    let options = state.leptos_options.clone();
    let cookies = policies.cookies;
    // The 404 page renders the app too (top bar included), so it gets the same context.
    let fallback_core = state.core.clone();

    let ws_state = crate::ws::WsState {
        core: state.core.clone(),
        origins: Arc::new(policies.origins.clone()),
        connections: policies.connections.clone(),
    };
    let mut router = Router::new();
    if let Some(token) = policies.metrics_token.clone() {
        let metrics = crate::metrics::MetricsState {
            core: state.core.clone(),
            token: Some(token),
        };
        router = router.route("/metrics", get(crate::metrics::metrics).with_state(metrics));
    }
    router
        .route("/healthz", get(healthz))
        .route("/ws", get(crate::ws::upgrade).with_state(ws_state))
        // Pages and server functions (GET and POST under /api/), with the domain handle in
        // their context.
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(core.clone());
                provide_context(cookies);
            },
            move || shell(options.clone()),
        )
        // Everything else: a file of the built site, else the app's 404 page.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            move || {
                provide_context(fallback_core.clone());
                provide_context(cookies);
            },
            shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(policies.origins),
            refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn_with_state(
            policies.client_addr,
            record_client_addr,
        ))
        .layer(axum::middleware::from_fn_with_state(
            MAX_REQUEST_BODY_BYTES,
            limit_body,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
