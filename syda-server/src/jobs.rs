//! Background jobs: generations over the row threshold run on a blocking
//! thread while the client polls `GET /jobs/{id}`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Notify;
use utoipa::ToSchema;

use crate::AppState;
use crate::db::{JobRow, Transaction, now};
use crate::generation::Task;

/// Jobs running in this process: live progress counters and a count for shutdown.
#[derive(Debug, Default)]
pub struct Jobs {
    progress: Mutex<HashMap<String, Arc<AtomicU64>>>,
    active: AtomicUsize,
    idle: Notify,
}

/// A job's state as the API reports it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobStatus {
    /// Job id.
    pub id: String,
    /// Project.
    pub project: String,
    /// Operation that started it.
    pub operation: String,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// Rows generated so far.
    pub progress: i64,
    /// Rows to generate.
    pub total: i64,
    /// Why it failed.
    pub error: Option<String>,
    /// RFC 3339 start time.
    pub created_at: String,
    /// RFC 3339 end time.
    pub finished_at: Option<String>,
    /// Where to download the result once succeeded.
    pub result_url: String,
}

impl Jobs {
    /// Live progress of a running job in this process.
    pub fn progress(&self, id: &str) -> Option<u64> {
        let map = self
            .progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(id).map(|p| p.load(Ordering::Relaxed))
    }

    /// Waits until no job runs, or `timeout` passes; returns whether idle.
    pub async fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.idle.notified();
            if self.active.load(Ordering::SeqCst) == 0 {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, notified).await.is_err() {
                return self.active.load(Ordering::SeqCst) == 0;
            }
        }
    }
}

impl JobStatus {
    /// The API view of a stored job, with live progress if it runs here.
    pub fn from_row(row: JobRow, jobs: &Jobs) -> JobStatus {
        let progress = match (row.status.as_str(), jobs.progress(&row.id)) {
            ("running", Some(p)) => i64::try_from(p).unwrap_or(i64::MAX),
            _ => row.progress,
        };
        JobStatus {
            result_url: format!("/jobs/{}/result", row.id),
            id: row.id,
            project: row.project,
            operation: row.operation,
            status: row.status,
            progress,
            total: row.total,
            error: row.error,
            created_at: row.created_at,
            finished_at: row.finished_at,
        }
    }
}

impl AppState {
    /// Starts `task` as a job and returns its id once it is stored. When it
    /// ends, its result and an audit row (`<operation>_job`) are written.
    pub async fn start_job(
        &self,
        operation: &'static str,
        task: Task,
        caller: &str,
    ) -> Result<String, sqlx::Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let total = i64::try_from(task.total_rows()).unwrap_or(i64::MAX);
        self.db
            .insert_job(&id, &task.project, operation, total, caller)
            .await?;
        let progress = Arc::new(AtomicU64::new(0));
        self.jobs
            .progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id.clone(), progress.clone());
        self.jobs.active.fetch_add(1, Ordering::SeqCst);
        let state = self.clone();
        let job_id = id.clone();
        let caller = caller.to_owned();
        tokio::spawn(async move {
            let started = Instant::now();
            let project = task.project.clone();
            let outcome = tokio::task::spawn_blocking(move || task.run(&progress)).await;
            let outcome = match outcome {
                Ok(Ok(out)) => Ok(out),
                Ok(Err(e)) => Err(e.message),
                Err(e) => Err(format!("the job stopped unexpectedly: {e}")),
            };
            let rows = outcome
                .as_ref()
                .ok()
                .map(|o| i64::try_from(o.rows).unwrap_or(i64::MAX));
            let error = outcome.as_ref().err().cloned();
            let usage = outcome.as_ref().ok().and_then(|o| o.usage.clone());
            let stored = outcome.map(|o| {
                (
                    o.content_type.to_owned(),
                    o.body,
                    i64::try_from(o.rows).unwrap_or(i64::MAX),
                )
            });
            if let Err(e) = state.db.finish_job(&job_id, stored).await {
                tracing::error!("storing the result of job {job_id}: {e}");
            }
            let row = Transaction {
                id: 0,
                project: Some(project),
                operation: format!("{operation}_job"),
                parameters: match usage {
                    Some(usage) => serde_json::json!({ "job_id": job_id, "usage": usage }),
                    None => serde_json::json!({ "job_id": job_id }),
                },
                rows_in: None,
                rows_out: rows,
                status: if error.is_some() { "error" } else { "ok" }.to_owned(),
                http_status: if error.is_some() { 422 } else { 200 },
                error,
                duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
                caller: Some(caller),
                job_id: Some(job_id.clone()),
                created_at: now(),
            };
            if let Err(e) = state.db.insert_transaction(&row).await {
                tracing::error!("writing the audit row of job {job_id}: {e}");
            }
            state
                .jobs
                .progress
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(&job_id);
            state.jobs.active.fetch_sub(1, Ordering::SeqCst);
            state.jobs.idle.notify_waiters();
        });
        Ok(id)
    }
}
