//! `GET /healthz`: 200 when the database answers, 503 otherwise; the body says which
//! dependency failed, whether a cluster node reaches Redis, and the server's version.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::{StatusCode, header};
use penguin_domain::Core;
use penguin_protocol::health::HealthStatus;

pub async fn healthz(State(core): State<Core>) -> impl IntoResponse {
    let report = core.health().await;
    let status = match report.status {
        // An isolated node still serves its own users: keep it in rotation.
        HealthStatus::Ok | HealthStatus::Isolated => StatusCode::OK,
        HealthStatus::Degraded => StatusCode::SERVICE_UNAVAILABLE,
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(report))
}
