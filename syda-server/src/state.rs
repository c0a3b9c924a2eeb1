//! The handlers' shared state and everything it does: opening the
//! database, keys, authorization, running generations now or as jobs.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use syda::engine::llm::LlmConfig;

use crate::audit::{Audit, clean};
use crate::auth::{Caller, NewKey, new_key};
use crate::config::{Config, LlmSetup};
use crate::db::{Db, Project, Transaction, now};
use crate::dto::JobAccepted;
use crate::error::ApiError;
use crate::generation::Task;
use crate::jobs::Jobs;

/// Shared state of the handlers: the database, the settings, running jobs.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Settings.
    pub config: Arc<Config>,
    /// Jobs running in this process.
    pub(crate) jobs: Arc<Jobs>,
    /// The LLM provider settings, or why `engine: llm` is unavailable.
    pub(crate) llm: Arc<Result<LlmConfig, String>>,
}

/// The variables an LLM provider is configured with, for error messages.
const LLM_VARIABLES: &str =
    "SYDA_PROVIDER, SYDA_MODEL, OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENAI_BASE_URL";

fn resolve_llm(setup: &LlmSetup) -> Result<LlmConfig, String> {
    let unavailable = |why: String| {
        format!(
            "engine `llm` is not configured on this server ({why}); the server reads {LLM_VARIABLES} at start-up"
        )
    };
    match setup {
        LlmSetup::Environment => LlmConfig::from_env().map_err(|e| unavailable(e.to_string())),
        LlmSetup::Variables(vars) => {
            LlmConfig::from_lookup(|name| vars.0.get(name).filter(|v| !v.trim().is_empty()).cloned())
                .map_err(|e| unavailable(e.to_string()))
        }
        LlmSetup::Config(c) => c
            .check()
            .map(|()| c.as_ref().clone())
            .map_err(|e| unavailable(e.to_string())),
        LlmSetup::Disabled => Err(unavailable("disabled by the server's settings".to_owned())),
    }
}

/// Runs CPU-bound work (generation, parsing) off the async threads. A
/// panic in it becomes `on_panic`, not a crash.
pub(crate) async fn blocking<T: Send + 'static>(
    on_panic: ApiError,
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) if e.is_panic() => {
            tracing::error!("{on_panic}: a worker panicked");
            Err(on_panic)
        }
        Err(e) => Err(ApiError::internal("a worker thread", e)),
    }
}

/// What a generation that panicked answers: our fault, not the client's.
fn generation_panicked() -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "generation failed unexpectedly; see the server log",
    )
}

/// Response header with the LLM engine's usage as compact JSON.
pub const USAGE_HEADER: &str = "x-syda-usage";

impl AppState {
    /// Connects to the configured database and applies migrations.
    pub async fn open(config: Config) -> anyhow::Result<AppState> {
        let db = Db::connect(&config).await?;
        let llm = resolve_llm(&config.llm);
        match &llm {
            Ok(c) => tracing::info!("engine llm: {} model {}", c.provider.name(), c.model),
            Err(why) => tracing::info!("engine llm unavailable: {why}"),
        }
        Ok(AppState {
            db,
            config: Arc::new(config),
            jobs: Arc::default(),
            llm: Arc::new(llm),
        })
    }

    /// Creates a key scoped to `projects` (or an admin key) and returns it;
    /// the token is not stored and cannot be shown again.
    pub async fn create_key(&self, projects: &[String], admin: bool) -> anyhow::Result<NewKey> {
        let key = new_key().map_err(|e| anyhow::anyhow!("no randomness for a key: {e}"))?;
        let mut scope: Vec<String> = Vec::with_capacity(projects.len());
        for p in projects {
            if !scope.contains(p) {
                scope.push(p.clone());
            }
        }
        self.db.insert_key(&key.id, &key.hash, admin, &scope).await?;
        Ok(key)
    }

    /// Checks that `caller` may use `project` and that it exists: 403 when
    /// the key is not scoped to it, 404 when it does not exist.
    pub async fn authorize(&self, caller: &Caller, project: &str) -> Result<Project, ApiError> {
        if !caller.admin && !self.db.key_has_project(&caller.key_id, project).await? {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("this API key has no access to project `{project}`"),
            ));
        }
        self.db.project(project).await?.ok_or_else(|| {
            ApiError::not_found(format!(
                "no project named `{project}`; create it with POST /projects"
            ))
        })
    }

    /// Runs a generation now, or as a job when it is over the row threshold;
    /// refuses it over the row cap.
    pub(crate) async fn dispatch(
        &self,
        audit: &Audit,
        op: &'static str,
        task: Task,
        caller: &Caller,
    ) -> Result<Response, ApiError> {
        let total = task.total_rows();
        if total > self.config.max_rows {
            return Err(ApiError::unprocessable(
                "too_many_rows",
                format!(
                    "the request asks for {total} rows; this server generates at most {} per request",
                    self.config.max_rows
                ),
            ));
        }
        task.check_request()?;
        if total > self.config.job_threshold_rows {
            let id = self.start_job(op, task, &caller.key_id).await?;
            audit.job(&id);
            let accepted = JobAccepted {
                status_url: format!("/jobs/{id}"),
                result_url: format!("/jobs/{id}/result"),
                job_id: id,
                status: "running".to_owned(),
                total,
            };
            return Ok((StatusCode::ACCEPTED, axum::Json(accepted)).into_response());
        }
        let out = blocking(generation_panicked(), move || {
            task.run(&Arc::new(AtomicU64::new(0)))
        })
        .await?;
        audit.rows_out(out.rows);
        let mut response = ([(header::CONTENT_TYPE, out.content_type)], out.body).into_response();
        if let Some(usage) = out.usage {
            // A CSV body has no room for it: the header carries it there too.
            if let Ok(v) = header::HeaderValue::from_str(&usage.to_string()) {
                response.headers_mut().insert(USAGE_HEADER, v);
            }
            audit.parameter("usage", usage);
        }
        Ok(response)
    }

    /// Writes a job's lifecycle row (`<operation>_job`); a failure is logged,
    /// since the job has no client waiting on it.
    async fn job_row(&self, row: Transaction) {
        let job = row.job_id.clone().unwrap_or_default();
        if let Err(e) = self.db.insert_transaction(&clean(row)).await {
            tracing::error!("writing the audit row of job {job}: {e}");
        }
    }

    /// Starts `task` as a job and returns its id once it is stored. Its
    /// audit rows: `started` now, `succeeded` or `failed` when it ends
    /// (`interrupted` is written at the next start if the process dies).
    pub(crate) async fn start_job(
        &self,
        operation: &'static str,
        task: Task,
        caller: &str,
    ) -> Result<String, ApiError> {
        let id = uuid::Uuid::new_v4().to_string();
        let total = i64::try_from(task.total_rows()).unwrap_or(i64::MAX);
        self.db
            .insert_job(&id, &task.project, operation, total, caller)
            .await?;
        let row = |status: &str, http_status: i64| Transaction {
            id: 0,
            project: Some(task.project.clone()),
            operation: format!("{operation}_job"),
            parameters: json!({ "job_id": id, "total": total }),
            rows_in: None,
            rows_out: None,
            status: status.to_owned(),
            http_status,
            error: None,
            duration_ms: 0,
            caller: Some(caller.to_owned()),
            job_id: Some(id.clone()),
            created_at: now(),
        };
        self.job_row(row("started", 202)).await;
        let mut end = row("failed", 500);
        let progress = self.jobs.register(&id);
        let state = self.clone();
        let job_id = id.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let outcome = blocking(generation_panicked(), move || task.run(&progress)).await;
            match &outcome {
                Ok(out) => {
                    end.status = "succeeded".to_owned();
                    end.http_status = 200;
                    end.rows_out = Some(i64::try_from(out.rows).unwrap_or(i64::MAX));
                    if let Some(usage) = &out.usage {
                        end.parameters["usage"] = usage.clone();
                    }
                }
                Err(e) => {
                    end.http_status = i64::from(e.status.as_u16());
                    end.error = Some(e.message.clone());
                }
            }
            let stored = outcome
                .map(|o| {
                    let rows = i64::try_from(o.rows).unwrap_or(i64::MAX);
                    (o.content_type.to_owned(), o.body, rows)
                })
                .map_err(|e| crate::input::printable(&e.message));
            end.duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
            end.created_at = now();
            if let Err(e) = state.db.finish_job(&job_id, stored, &clean(end.clone())).await {
                // E.g. a CSV result PostgreSQL cannot store: the job fails instead.
                tracing::error!("storing the result of job {job_id}: {e}");
                end.status = "failed".to_owned();
                end.http_status = 500;
                end.rows_out = None;
                end.error = Some("storing the job's result failed; see the server log".to_owned());
                let why = Err(end.error.clone().unwrap_or_default());
                if let Err(e) = state.db.finish_job(&job_id, why, &clean(end)).await {
                    tracing::error!("marking job {job_id} failed: {e}");
                }
            }
            state.jobs.finish(&job_id);
        });
        Ok(id)
    }
}
