//! Liveness and readiness (not audited).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;
use crate::dto::Health;
use crate::error::{ApiError, ErrorBody};

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", operation_id = "healthz", tag = "health", responses((status = 200, description = "alive", body = Health)))]
pub(crate) async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", operation_id = "readyz", tag = "health",
    responses((status = 200, description = "ready", body = Health), (status = 503, description = "the database does not answer", body = ErrorBody)))]
pub(crate) async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    match state.db.ping().await {
        Ok(()) => Ok(Json(Health {
            status: "ready".to_owned(),
        })),
        Err(e) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "db_unavailable",
            format!("database unreachable: {e}"),
        )),
    }
}
