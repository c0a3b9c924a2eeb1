//! Projects and their audit trail.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::audit::Audit;
use crate::auth::Caller;
use crate::db::{AuditFilter, CreateProjectError, Project};
use crate::dto::{CreateProject, PageQuery, TransactionPage};
use crate::error::{ApiError, ErrorBody};
use crate::input::{ApiJson, ApiQuery, ProjectPath, check_name, check_text};

/// Create a project. The key that creates it may use it.
#[utoipa::path(post, path = "/projects", operation_id = "create_project", tag = "projects", request_body = CreateProject,
    responses(
        (status = 201, description = "created", body = Project),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 409, description = "the name is taken (`project_exists`)", body = ErrorBody),
        (status = 413, description = "body over the size limit", body = ErrorBody),
        (status = 415, description = "not `application/json`", body = ErrorBody),
        (status = 422, description = "invalid name or body, control characters", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn create(
    State(state): State<AppState>,
    audit: Audit,
    caller: Caller,
    ApiJson(req): ApiJson<CreateProject>,
) -> Result<Response, ApiError> {
    audit.project(&req.name);
    audit.parameters(json!({ "name": req.name, "description": req.description }));
    check_name("project name", &req.name)?;
    check_text("`description`", &req.description)?;
    let project = match state.db.create_project(&req.name, &req.description).await {
        Ok(p) => p,
        Err(CreateProjectError::Exists) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "project_exists",
                format!("a project named `{}` already exists", req.name),
            ));
        }
        Err(CreateProjectError::Db(e)) => return Err(e.into()),
    };
    if !caller.admin {
        state.db.grant(&caller.key_id, &project.name).await?;
    }
    Ok((StatusCode::CREATED, Json(project)).into_response())
}

/// List the projects this key may use (every project for an admin key).
#[utoipa::path(get, path = "/projects", operation_id = "list_projects", tag = "projects",
    responses(
        (status = 200, description = "the projects, by name", body = Vec<Project>),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Project>>, ApiError> {
    let scope = (!caller.admin).then_some(caller.key_id.as_str());
    Ok(Json(state.db.projects(scope).await?))
}

/// One project.
#[utoipa::path(get, path = "/projects/{name}", operation_id = "get_project", tag = "projects",
    params(("name" = String, Path, description = "Project name", pattern = r"^[A-Za-z0-9._-]{1,100}$", example = "demo")),
    responses(
        (status = 200, description = "the project", body = Project),
        (status = 400, description = "a path that is not UTF-8", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key has no access to the project", body = ErrorBody),
        (status = 404, description = "no such project", body = ErrorBody),
        (status = 422, description = "not a project name", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    ProjectPath(name): ProjectPath,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(state.authorize(&caller, &name).await?))
}

/// Checks a page: `limit` 1 to the server's cap, `offset` 0 or more.
pub(crate) fn page(
    state: &AppState,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(i64, i64), ApiError> {
    let max = i64::from(state.config.max_page_size);
    let (limit, offset) = (limit.unwrap_or(50), offset.unwrap_or(0));
    if !(1..=max).contains(&limit) || offset < 0 {
        return Err(ApiError::unprocessable(
            "bad_page",
            format!("limit must be 1 to {max} and offset 0 or more"),
        ));
    }
    Ok((limit, offset))
}

/// A project's audit trail, newest first, a page at a time.
#[utoipa::path(get, path = "/projects/{name}/transactions", operation_id = "list_transactions", tag = "projects",
    params(("name" = String, Path, description = "Project name", pattern = r"^[A-Za-z0-9._-]{1,100}$", example = "demo"), PageQuery),
    responses(
        (status = 200, description = "a page of audit rows", body = TransactionPage),
        (status = 400, description = "a query that does not parse", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key has no access to the project", body = ErrorBody),
        (status = 404, description = "no such project", body = ErrorBody),
        (status = 422, description = "not a project name, or a page out of range (`bad_page`)", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn transactions(
    State(state): State<AppState>,
    audit: Audit,
    caller: Caller,
    ProjectPath(name): ProjectPath,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<TransactionPage>, ApiError> {
    audit.parameters(json!(query));
    state.authorize(&caller, &name).await?;
    let (limit, offset) = page(&state, query.limit, query.offset)?;
    let filter = AuditFilter {
        project: Some(name),
        ..AuditFilter::default()
    };
    let (items, total) = state.db.transactions(&filter, limit, offset).await?;
    Ok(Json(TransactionPage {
        items,
        total,
        limit,
        offset,
    }))
}
