//! Admin keys only: new keys, and the whole audit trail.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::AppState;
use crate::audit::Audit;
use crate::auth::AdminCaller;
use crate::db::AuditFilter;
use crate::dto::{AuditQuery, CreateKey, KeyCreated, TransactionPage};
use crate::error::{ApiError, ErrorBody};
use crate::input::{ApiJson, ApiQuery, check_name};
use crate::routes::projects::page;

/// Create an API key (admin keys only). The key is in the answer and nowhere else.
#[utoipa::path(post, path = "/admin/keys", operation_id = "create_key", tag = "admin", request_body = CreateKey,
    responses(
        (status = 201, description = "the new key, shown once", body = KeyCreated),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "not an admin key", body = ErrorBody),
        (status = 413, description = "body over the size limit", body = ErrorBody),
        (status = 415, description = "not `application/json`", body = ErrorBody),
        (status = 422, description = "invalid body or project name", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn create_key(
    State(state): State<AppState>,
    audit: Audit,
    _admin: AdminCaller,
    ApiJson(req): ApiJson<CreateKey>,
) -> Result<(StatusCode, Json<KeyCreated>), ApiError> {
    audit.parameters(json!({ "projects": req.projects, "admin": req.admin }));
    for p in &req.projects {
        check_name("project name", p)?;
    }
    let mut projects: Vec<String> = Vec::new();
    for p in req.projects {
        if !projects.contains(&p) {
            projects.push(p);
        }
    }
    let key = state
        .create_key(&projects, req.admin)
        .await
        .map_err(|e| ApiError::internal("creating a key", e))?;
    audit.parameter("id", key.id.clone().into());
    let created = KeyCreated {
        key: key.token,
        id: key.id,
        projects,
        admin: req.admin,
    };
    Ok((StatusCode::CREATED, Json(created)))
}

/// The whole audit trail, newest first (admin keys only): every project's
/// rows, and those of requests that name no project or an unknown one —
/// failed authentication, malformed bodies, unknown endpoints.
#[utoipa::path(get, path = "/audit", operation_id = "list_audit", tag = "admin", params(AuditQuery),
    responses(
        (status = 200, description = "a page of audit rows", body = TransactionPage),
        (status = 400, description = "a query that does not parse", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "not an admin key", body = ErrorBody),
        (status = 422, description = "a page or status out of range (`bad_page`, `bad_status`), control characters", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn audit(
    State(state): State<AppState>,
    audit: Audit,
    _admin: AdminCaller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<TransactionPage>, ApiError> {
    audit.parameters(json!(query));
    let (limit, offset) = page(&state, query.limit, query.offset)?;
    if let Some(status) = query.http_status
        && !(100..=599).contains(&status)
    {
        return Err(ApiError::unprocessable(
            "bad_status",
            format!("http_status must be 100 to 599, found {status}"),
        ));
    }
    let filter = AuditFilter {
        project: query.project,
        unscoped: query.unscoped.unwrap_or(false),
        operation: query.operation,
        http_status: query.http_status,
        caller: query.caller,
    };
    let (items, total) = state.db.transactions(&filter, limit, offset).await?;
    Ok(Json(TransactionPage {
        items,
        total,
        limit,
        offset,
    }))
}
