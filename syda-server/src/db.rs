//! Storage: projects, API keys, the audit trail and jobs, in PostgreSQL or
//! SQLite through sqlx's `Any` driver. Every value is bound (`$1`, `$2`, …),
//! never spliced into SQL. The two backends share the queries; only the
//! migrations differ (column types).

use serde::Serialize;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Row};
use utoipa::ToSchema;

use crate::config::Config;

static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// A connection pool to the server's database, migrated.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    postgres: bool,
}

/// A project: a name that API keys are scoped to and audit rows belong to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Project {
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// RFC 3339 creation time.
    pub created_at: String,
}

/// One audit row: an operation, who asked, with what, and how it ended.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Transaction {
    /// Increasing id.
    pub id: i64,
    /// The project, when the request named one.
    pub project: Option<String>,
    /// The operation, e.g. `generate`, `upload_generate`, `create_project`.
    pub operation: String,
    /// The request's parameters, secrets removed.
    #[schema(value_type = Object)]
    pub parameters: serde_json::Value,
    /// Rows read from an upload.
    pub rows_in: Option<i64>,
    /// Rows generated.
    pub rows_out: Option<i64>,
    /// Requests: `ok`, `accepted` (a job was started) or `error`. Job
    /// rows (operation `<operation>_job`): `started`, `succeeded`,
    /// `failed`, or `interrupted` (the server stopped during the job).
    pub status: String,
    /// The HTTP status answered; for job rows, the status the work ended
    /// with (202 started, 200 succeeded, the error's status when failed,
    /// 500 interrupted).
    pub http_status: i64,
    /// The error message, for failures.
    pub error: Option<String>,
    /// Time spent answering, in milliseconds.
    pub duration_ms: i64,
    /// The id of the API key that asked (never the key itself).
    pub caller: Option<String>,
    /// The background job, for requests that started one.
    pub job_id: Option<String>,
    /// RFC 3339 time of the request.
    pub created_at: String,
}

/// Which audit rows to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Rows of this project.
    pub project: Option<String>,
    /// Rows that name no project or one that does not exist.
    pub unscoped: bool,
    /// Rows of this operation.
    pub operation: Option<String>,
    /// Rows answered with this HTTP status.
    pub http_status: Option<i64>,
    /// Rows of this key id.
    pub caller: Option<String>,
}

/// A background job's stored state.
#[derive(Debug, Clone)]
pub struct JobRow {
    /// Job id (a UUID).
    pub id: String,
    /// Project the job generates for.
    pub project: String,
    /// The operation that started it.
    pub operation: String,
    /// `running`, `succeeded` or `failed`.
    pub status: String,
    /// Rows generated so far (as of the last stored update).
    pub progress: i64,
    /// Rows to generate.
    pub total: i64,
    /// Media type of the result.
    pub content_type: Option<String>,
    /// The result body, once succeeded.
    pub result: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// RFC 3339 start time.
    pub created_at: String,
    /// RFC 3339 end time.
    pub finished_at: Option<String>,
}

/// What `create_project` may run into besides a database fault.
#[derive(Debug)]
pub enum CreateProjectError {
    /// The name is taken.
    Exists,
    /// A database fault.
    Db(sqlx::Error),
}

/// The current time as RFC 3339 text, UTC, milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Db {
    /// Connects to the configured database (creating the SQLite file if
    /// needed), applies pending migrations and marks jobs left running by
    /// an earlier process as failed.
    pub async fn connect(config: &Config) -> anyhow::Result<Db> {
        install_default_drivers();
        let url = config.connection_url();
        let postgres = url.starts_with("postgres:") || url.starts_with("postgresql:");
        if !postgres && !url.starts_with("sqlite:") {
            anyhow::bail!(
                "database URL must start with postgres:// or sqlite:, found `{}`",
                redact_url(&url)
            );
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if postgres { 16 } else { 4 })
            .connect(&url)
            .await
            .map_err(|e| anyhow::anyhow!("connecting to {}: {e}", redact_url(&url)))?;
        if postgres {
            POSTGRES.run(&pool).await?;
        } else {
            // WAL lets readers proceed while a writer holds the file.
            sqlx::query("PRAGMA journal_mode=WAL").execute(&pool).await?;
            SQLITE.run(&pool).await?;
        }
        let db = Db { pool, postgres };
        db.interrupt_jobs().await?;
        Ok(db)
    }

    /// Marks jobs left running by an earlier process as failed, each with
    /// an `interrupted` audit row.
    async fn interrupt_jobs(&self) -> Result<(), sqlx::Error> {
        const WHY: &str = "the server stopped before the job finished";
        let running = sqlx::query("SELECT id, project, operation, caller FROM jobs WHERE status = 'running'")
            .fetch_all(&self.pool)
            .await?;
        for job in running {
            let id: String = job.try_get("id")?;
            let operation: String = job.try_get("operation")?;
            let mut tx = self.pool.begin().await?;
            sqlx::query("UPDATE jobs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1 AND status = 'running'")
                .bind(&id)
                .bind(WHY)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            let row = Transaction {
                id: 0,
                project: job.try_get("project")?,
                operation: format!("{operation}_job"),
                parameters: serde_json::json!({ "job_id": id }),
                rows_in: None,
                rows_out: None,
                status: "interrupted".to_owned(),
                http_status: 500,
                error: Some(WHY.to_owned()),
                duration_ms: 0,
                caller: job.try_get("caller")?,
                job_id: Some(id.clone()),
                created_at: now(),
            };
            insert_transaction(&mut *tx, &row).await?;
            tx.commit().await?;
            tracing::warn!("job {id} was interrupted by a restart; marked failed");
        }
        Ok(())
    }

    /// Whether this is PostgreSQL (else SQLite).
    pub fn is_postgres(&self) -> bool {
        self.postgres
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    /// Creates a project; a taken name is [`CreateProjectError::Exists`].
    pub async fn create_project(&self, name: &str, description: &str) -> Result<Project, CreateProjectError> {
        let created_at = now();
        let res = sqlx::query("INSERT INTO projects (name, description, created_at) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(description)
            .bind(&created_at)
            .execute(&self.pool)
            .await;
        match res {
            Ok(_) => Ok(Project {
                name: name.to_owned(),
                description: description.to_owned(),
                created_at,
            }),
            Err(e) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                Err(CreateProjectError::Exists)
            }
            Err(e) => Err(CreateProjectError::Db(e)),
        }
    }

    /// The project called `name`.
    pub async fn project(&self, name: &str) -> Result<Option<Project>, sqlx::Error> {
        let row = sqlx::query("SELECT name, description, created_at FROM projects WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| project_from(&r)).transpose()
    }

    /// Every project (`scope = None`) or those a key is scoped to, by name.
    pub async fn projects(&self, scope_key: Option<&str>) -> Result<Vec<Project>, sqlx::Error> {
        let rows = match scope_key {
            None => {
                sqlx::query("SELECT name, description, created_at FROM projects ORDER BY name")
                    .fetch_all(&self.pool)
                    .await?
            }
            Some(key) => {
                sqlx::query(
                    "SELECT p.name, p.description, p.created_at FROM projects p \
                     JOIN api_key_projects k ON k.project = p.name WHERE k.key_id = $1 ORDER BY p.name",
                )
                .bind(key)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(project_from).collect()
    }

    /// Stores a new API key's hash and its project scope.
    pub async fn insert_key(
        &self,
        id: &str,
        hash: &str,
        admin: bool,
        projects: &[String],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO api_keys (id, hash, admin, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(hash)
            .bind(i64::from(admin))
            .bind(now())
            .execute(&mut *tx)
            .await?;
        for project in projects {
            sqlx::query("INSERT INTO api_key_projects (key_id, project) VALUES ($1, $2)")
                .bind(id)
                .bind(project)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// The key whose token hashes to `hash`: its id and whether it is an admin key.
    pub async fn key_by_hash(&self, hash: &str) -> Result<Option<(String, bool)>, sqlx::Error> {
        let row = sqlx::query("SELECT id, admin FROM api_keys WHERE hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get("id")?, r.try_get::<i64, _>("admin")? != 0)))
            .transpose()
    }

    /// Whether key `key_id` is scoped to `project`.
    pub async fn key_has_project(&self, key_id: &str, project: &str) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT 1 AS one FROM api_key_projects WHERE key_id = $1 AND project = $2")
            .bind(key_id)
            .bind(project)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    /// Adds `project` to a key's scope (no-op if present).
    pub async fn grant(&self, key_id: &str, project: &str) -> Result<(), sqlx::Error> {
        if !self.key_has_project(key_id, project).await? {
            sqlx::query("INSERT INTO api_key_projects (key_id, project) VALUES ($1, $2)")
                .bind(key_id)
                .bind(project)
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Appends an audit row (its `id` is ignored).
    pub async fn insert_transaction(&self, t: &Transaction) -> Result<(), sqlx::Error> {
        insert_transaction(&self.pool, t).await
    }

    /// A page of audit rows matching `filter`, newest first, and how many match.
    pub async fn transactions(
        &self,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Transaction>, i64), sqlx::Error> {
        // Conditions with numbered placeholders; the values are bound in the same order.
        let mut conditions = Vec::new();
        let mut texts: Vec<&str> = Vec::new();
        for (column, value) in [
            ("project", &filter.project),
            ("operation", &filter.operation),
            ("caller", &filter.caller),
        ] {
            if let Some(v) = value {
                texts.push(v);
                conditions.push(format!("{column} = ${}", texts.len()));
            }
        }
        let mut next = texts.len() + 1;
        if filter.http_status.is_some() {
            conditions.push(format!("http_status = ${next}"));
            next += 1;
        }
        if filter.unscoped {
            conditions.push("(project IS NULL OR project NOT IN (SELECT name FROM projects))".to_owned());
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM transactions{filter_sql}");
        let page_sql = format!(
            "SELECT id, project, operation, parameters, rows_in, rows_out, status, http_status, error, \
             duration_ms, caller, job_id, created_at FROM transactions{filter_sql} \
             ORDER BY id DESC LIMIT ${next} OFFSET ${}",
            next + 1
        );
        // Safe to run as built: the SQL is assembled from fixed text and
        // numbered placeholders only; every value is bound.
        let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        let mut page = sqlx::query(sqlx::AssertSqlSafe(page_sql));
        for v in &texts {
            count = count.bind(*v);
            page = page.bind(*v);
        }
        if let Some(status) = filter.http_status {
            count = count.bind(status);
            page = page.bind(status);
        }
        let total: i64 = count.fetch_one(&self.pool).await?.try_get("n")?;
        let rows = page.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        let items = rows
            .iter()
            .map(|r| {
                let parameters: String = r.try_get("parameters")?;
                Ok(Transaction {
                    id: r.try_get("id")?,
                    project: r.try_get("project")?,
                    operation: r.try_get("operation")?,
                    parameters: serde_json::from_str(&parameters).unwrap_or(serde_json::Value::Null),
                    rows_in: r.try_get("rows_in")?,
                    rows_out: r.try_get("rows_out")?,
                    status: r.try_get("status")?,
                    http_status: r.try_get("http_status")?,
                    error: r.try_get("error")?,
                    duration_ms: r.try_get("duration_ms")?,
                    caller: r.try_get("caller")?,
                    job_id: r.try_get("job_id")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((items, total))
    }

    /// Counts every audit row (all projects); for checks and tests.
    pub async fn transaction_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query("SELECT COUNT(*) AS n FROM transactions")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")
    }

    /// Records a newly started job.
    pub async fn insert_job(
        &self,
        id: &str,
        project: &str,
        operation: &str,
        total: i64,
        caller: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO jobs (id, project, operation, status, progress, total, caller, created_at) \
             VALUES ($1, $2, $3, 'running', 0, $4, $5, $6)",
        )
        .bind(id)
        .bind(project)
        .bind(operation)
        .bind(total)
        .bind(caller)
        .bind(now())
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Stores a job's end — its result or its error — and its audit row,
    /// together: whoever sees the job ended finds its row.
    pub async fn finish_job(
        &self,
        id: &str,
        outcome: Result<(String, String, i64), String>,
        row: &Transaction,
    ) -> Result<(), sqlx::Error> {
        let query = match outcome {
            Ok((content_type, body, rows)) => sqlx::query(
                "UPDATE jobs SET status = 'succeeded', progress = $2, content_type = $3, result = $4, finished_at = $5 WHERE id = $1",
            )
            .bind(id)
            .bind(rows)
            .bind(content_type)
            .bind(body),
            Err(error) => sqlx::query("UPDATE jobs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1")
                .bind(id)
                .bind(error),
        };
        let mut tx = self.pool.begin().await?;
        query.bind(now()).execute(&mut *tx).await?;
        insert_transaction(&mut *tx, row).await?;
        tx.commit().await
    }

    /// A job, without its result body when `with_result` is false.
    pub async fn job(&self, id: &str, with_result: bool) -> Result<Option<JobRow>, sqlx::Error> {
        let sql = if with_result {
            "SELECT id, project, operation, status, progress, total, content_type, result, error, created_at, finished_at FROM jobs WHERE id = $1"
        } else {
            "SELECT id, project, operation, status, progress, total, content_type, NULL AS result, error, created_at, finished_at FROM jobs WHERE id = $1"
        };
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| {
            Ok(JobRow {
                id: r.try_get("id")?,
                project: r.try_get("project")?,
                operation: r.try_get("operation")?,
                status: r.try_get("status")?,
                progress: r.try_get("progress")?,
                total: r.try_get("total")?,
                content_type: r.try_get("content_type")?,
                result: if with_result { r.try_get("result")? } else { None },
                error: r.try_get("error")?,
                created_at: r.try_get("created_at")?,
                finished_at: r.try_get("finished_at")?,
            })
        })
        .transpose()
    }
}

async fn insert_transaction<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    t: &Transaction,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO transactions (project, operation, parameters, rows_in, rows_out, status, http_status, \
         error, duration_ms, caller, job_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&t.project)
    .bind(&t.operation)
    .bind(t.parameters.to_string())
    .bind(t.rows_in)
    .bind(t.rows_out)
    .bind(&t.status)
    .bind(t.http_status)
    .bind(&t.error)
    .bind(t.duration_ms)
    .bind(&t.caller)
    .bind(&t.job_id)
    .bind(&t.created_at)
    .execute(executor)
    .await
    .map(|_| ())
}

fn project_from(r: &sqlx::any::AnyRow) -> Result<Project, sqlx::Error> {
    Ok(Project {
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The URL without its password, for messages: syda's one redactor
/// ([`syda::seed::redact_url`]).
pub fn redact_url(url: &str) -> String {
    syda::seed::redact_url(url)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_hidden_in_urls_shown_to_people() {
        assert_eq!(
            redact_url("postgres://u:s3cret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("sqlite://x.db?mode=rwc"), "sqlite://x.db?mode=rwc");
    }
}
