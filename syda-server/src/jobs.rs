//! Background jobs: generations over the row threshold run on a blocking
//! thread while the client polls `GET /jobs/{id}`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Notify;
use utoipa::ToSchema;

use crate::db::JobRow;

/// Jobs running in this process: live progress counters and a count for shutdown.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    progress: Mutex<HashMap<String, Arc<AtomicU64>>>,
    active: AtomicUsize,
    idle: Notify,
}

/// A job's state as the API reports it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct JobStatus {
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
    /// Registers a starting job; its rows are counted on the returned counter.
    pub(crate) fn register(&self, id: &str) -> Arc<AtomicU64> {
        let progress = Arc::new(AtomicU64::new(0));
        self.progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id.to_owned(), progress.clone());
        self.active.fetch_add(1, Ordering::SeqCst);
        progress
    }

    /// Marks a job as ended, waking a shutdown waiting for idle.
    pub(crate) fn finish(&self, id: &str) {
        self.progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(id);
        self.active.fetch_sub(1, Ordering::SeqCst);
        self.idle.notify_waiters();
    }

    /// Live progress of a running job in this process.
    pub(crate) fn progress(&self, id: &str) -> Option<u64> {
        let map = self
            .progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(id).map(|p| p.load(Ordering::Relaxed))
    }

    /// Waits until no job runs, or `timeout` passes; returns whether idle.
    pub(crate) async fn wait_idle(&self, timeout: Duration) -> bool {
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
    pub(crate) fn from_row(row: JobRow, jobs: &Jobs) -> JobStatus {
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
