//! Large requests running in the background.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::audit::Audit;
use crate::auth::Caller;
use crate::db::JobRow;
use crate::dto::GenerateResponse;
use crate::error::{ApiError, ErrorBody};
use crate::input::JobPath;
use crate::jobs::JobStatus;

/// The job, once the caller may see it.
async fn authorized_job(
    state: &AppState,
    audit: &Audit,
    caller: &Caller,
    id: &str,
    with_result: bool,
) -> Result<JobRow, ApiError> {
    let job = state
        .db
        .job(id, with_result)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no job `{id}`")))?;
    audit.project(&job.project);
    state.authorize(caller, &job.project).await?;
    Ok(job)
}

/// A job's status and progress.
#[utoipa::path(get, path = "/jobs/{id}", operation_id = "get_job", tag = "jobs",
    params(("id" = String, Path, description = "Job id, as `POST /generate` answered it", pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", example = "3f2c1f9e-8a4b-4c8e-9a51-2f1d6c7e0b2a")),
    responses(
        (status = 200, description = "the job", body = JobStatus),
        (status = 400, description = "a path that is not UTF-8", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key has no access to the job's project", body = ErrorBody),
        (status = 404, description = "no such job", body = ErrorBody),
        (status = 422, description = "control characters in the id", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn status(
    State(state): State<AppState>,
    audit: Audit,
    caller: Caller,
    JobPath(id): JobPath,
) -> Result<Json<JobStatus>, ApiError> {
    let job = authorized_job(&state, &audit, &caller, &id, false).await?;
    Ok(Json(JobStatus::from_row(job, &state.jobs)))
}

/// Download a finished job's result (JSON or CSV, as requested).
#[utoipa::path(get, path = "/jobs/{id}/result", operation_id = "get_job_result", tag = "jobs",
    params(("id" = String, Path, description = "Job id, as `POST /generate` answered it", pattern = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", example = "3f2c1f9e-8a4b-4c8e-9a51-2f1d6c7e0b2a")),
    responses(
        (status = 200, description = "the rows", content((GenerateResponse = "application/json"), (String = "text/csv"))),
        (status = 400, description = "a path that is not UTF-8", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key has no access to the job's project", body = ErrorBody),
        (status = 404, description = "no such job", body = ErrorBody),
        (status = 409, description = "still running (`job_running`), or failed (`job_failed`)", body = ErrorBody),
        (status = 422, description = "control characters in the id", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn result(
    State(state): State<AppState>,
    audit: Audit,
    caller: Caller,
    JobPath(id): JobPath,
) -> Result<Response, ApiError> {
    let job = authorized_job(&state, &audit, &caller, &id, true).await?;
    match (job.status.as_str(), job.result) {
        ("succeeded", Some(body)) => {
            audit.rows_out(u64::try_from(job.progress).unwrap_or(0));
            let ct = job.content_type.unwrap_or_else(|| "application/json".to_owned());
            Ok(([(header::CONTENT_TYPE, ct)], body).into_response())
        }
        ("failed", _) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "job_failed",
            format!("job `{id}` failed: {}", job.error.unwrap_or_default()),
        )),
        _ => Err(ApiError::new(
            StatusCode::CONFLICT,
            "job_running",
            format!("job `{id}` is still running; poll /jobs/{id}"),
        )),
    }
}
