//! The HTTP handlers. Each one times itself, authenticates, does its work
//! and hands the outcome to [`AppState::finish`], which writes the audit row
//! (failures included) before the client is answered.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::audit::Audit;
use crate::auth::{Auth, Caller};
use crate::db::{CreateProjectError, Project, Transaction};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Extracted, FileKind, extract, read_xlsx};
use crate::fitting::{fit_tables, parse_models};
use crate::generation::{EngineChoice, OutFormat, Task, check_engine};
use crate::infer::{RawTable, infer_schema, read_csv};
use crate::jobs::JobStatus;

/// A JSON body whose rejection (bad JSON, too large, wrong type) is an
/// [`ApiError`] in the common format.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        _ => "bad_request",
    };
    ApiError::new(status, code, rejection.body_text())
}

type Body<T> = Result<ApiJson<T>, ApiError>;

/// `POST /projects` body.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateProject {
    /// Unique name: letters, digits, `-`, `_`, `.`; 1 to 100 characters.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
}

/// `POST /generate` and `POST /generate/test-data` body.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct GenerateRequest {
    /// The project the rows are for.
    pub project: String,
    /// The schema: a YAML or JSON document as text, or the JSON object
    /// itself (the `tables:` form, one table's `columns:`, or the seed's
    /// flat `{column: type}` map). Required, except with `engine: stats`,
    /// where it defaults to the tables of the `fitted` models.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub schema: Value,
    /// Rows per table (default 100; 10 for test data).
    pub rows: Option<u64>,
    /// Rows for named tables.
    #[serde(default)]
    pub sizes: BTreeMap<String, u64>,
    /// Seed; the same request gives the same rows (default 0).
    pub seed: Option<u64>,
    /// Share of NULLs in nullable columns, 0 to 1.
    pub null_rate: Option<f64>,
    /// `offline` (default); `llm` (rows written by the language model the
    /// server is configured with, see `prompt`); `stats` (rows sampled from
    /// the `fitted` models).
    pub engine: Option<String>,
    /// Instructions for the `llm` engine ("B2B customers in Europe"),
    /// added to every table's request; recorded, unused by the other engines.
    pub prompt: Option<String>,
    /// For `engine: stats`: a fitted model (the JSON `syda fit` writes) or
    /// an array of them. Tables of the schema with a model are sampled
    /// from it; the others come from the offline engine.
    #[schema(value_type = Option<Object>)]
    pub fitted: Option<Value>,
    /// `json` (default) or `csv` (one table).
    pub format: Option<String>,
    /// Return only this table (its parents are still generated).
    pub table: Option<String>,
}

/// The JSON answer of a generation (CSV answers are the table's CSV text).
#[derive(Debug, Serialize, ToSchema)]
pub struct GenerateResponse {
    /// Project.
    pub project: String,
    /// Engine used.
    pub engine: String,
    /// Seed used.
    pub seed: u64,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// Rows as objects, per table.
    #[schema(value_type = Object)]
    pub tables: Value,
    /// For test data: whether every row satisfies the schema, and the report.
    #[schema(value_type = Option<Object>)]
    pub check: Option<Value>,
    /// For uploads: the schema the rows follow (the fitted models' tables,
    /// or inferred from the file).
    #[schema(value_type = Option<Object>)]
    pub schema: Option<Value>,
    /// For uploads: per table, how its rows were made —
    /// `{"method": "stats", "rows": <rows fitted>}`, or `{"method":
    /// "inferred", "reason": "…"}` when the table could not be fitted
    /// (no data rows) and its schema was inferred instead.
    #[schema(value_type = Option<Object>)]
    pub fit: Option<Value>,
    /// For `engine: llm`: requests, retries, cache hits, input and output
    /// tokens, rows, rejected rows and estimated `cost_usd` (null when the
    /// model's price is unknown).
    #[schema(value_type = Option<Object>)]
    pub usage: Option<Value>,
}

/// The answer when a request runs as a background job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobAccepted {
    /// Job id.
    pub job_id: String,
    /// Always `running`.
    pub status: String,
    /// Rows to generate.
    pub total: u64,
    /// Poll here for status and progress.
    pub status_url: String,
    /// Download here once succeeded.
    pub result_url: String,
}

/// Multipart form of the upload endpoints.
#[derive(Debug, ToSchema)]
pub struct UploadForm {
    /// The project.
    pub project: String,
    /// The file.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Rows to generate (default: as many as the file has; per sheet for XLSX).
    pub rows: Option<u64>,
    /// Seed.
    pub seed: Option<u64>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// `POST /upload/unstructured` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnstructuredResponse {
    /// What was read.
    #[serde(flatten)]
    pub extracted: ExtractedView,
    /// Schema inferred from the tables found, or null if there are none.
    #[schema(value_type = Option<Object>)]
    pub schema: Option<Value>,
}

/// Extracted content with table previews.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtractedView {
    /// File kind.
    pub kind: FileKind,
    /// Document text.
    pub text: Option<String>,
    /// Tables found, with up to 20 rows each.
    pub tables: Vec<TablePreview>,
    /// Image metadata.
    pub image: Option<crate::extract::ImageInfo>,
}

/// A table found in a file.
#[derive(Debug, Serialize, ToSchema)]
pub struct TablePreview {
    /// Table name.
    pub name: String,
    /// Column names.
    pub headers: Vec<String>,
    /// Rows in the file.
    pub row_count: usize,
    /// The first rows.
    pub rows: Vec<Vec<Option<String>>>,
}

/// A page of audit rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionPage {
    /// Rows, newest first.
    pub items: Vec<Transaction>,
    /// Rows in all pages.
    pub total: i64,
    /// Page size.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
}

/// Pagination of `/projects/{name}/transactions`.
#[derive(Debug, Deserialize, Serialize, IntoParams)]
pub struct PageQuery {
    /// Rows per page (default 50, at most the server's page cap).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
}

/// `POST /admin/keys` body.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct CreateKey {
    /// Projects the key may use.
    #[serde(default)]
    pub projects: Vec<String>,
    /// Whether the key may use every project and create keys.
    #[serde(default)]
    pub admin: bool,
}

/// A new API key, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyCreated {
    /// The key: send it as `Authorization: Bearer <key>`. Not stored; not shown again.
    pub key: String,
    /// Its public id, recorded as the caller in audit rows.
    pub id: String,
    /// Projects it may use.
    pub projects: Vec<String>,
    /// Whether it is an admin key.
    pub admin: bool,
}

fn json_response(status: StatusCode, value: impl Serialize) -> Response {
    (status, Json(value)).into_response()
}

fn valid_project_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "invalid_name",
            format!("project name `{name}` must be 1 to 100 letters, digits, `-`, `_` or `.`"),
        ))
    }
}

/// Create a project. The key that creates it may use it.
#[utoipa::path(post, path = "/projects", tag = "projects", request_body = CreateProject,
    responses((status = 201, body = Project), (status = 401, body = ErrorBody), (status = 409, description = "name taken", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn create_project(
    State(state): State<AppState>,
    auth: Auth,
    body: Body<CreateProject>,
) -> Response {
    let mut audit = Audit::start("create_project");
    let result = async {
        let caller = audit.caller(auth)?;
        let ApiJson(req) = body?;
        audit.project(&req.name);
        audit.parameters = json!({ "name": req.name, "description": req.description });
        valid_project_name(&req.name)?;
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
        Ok(json_response(StatusCode::CREATED, project))
    }
    .await;
    state.finish(audit, result).await
}

/// List the projects this key may use.
#[utoipa::path(get, path = "/projects", tag = "projects",
    responses((status = 200, body = Vec<Project>), (status = 401, body = ErrorBody)), security(("api_key" = [])))]
pub async fn list_projects(State(state): State<AppState>, auth: Auth) -> Response {
    let mut audit = Audit::start("list_projects");
    let result = async {
        let caller = audit.caller(auth)?;
        let projects = state
            .db
            .projects((!caller.admin).then_some(caller.key_id.as_str()))
            .await?;
        Ok(json_response(StatusCode::OK, projects))
    }
    .await;
    state.finish(audit, result).await
}

/// One project.
#[utoipa::path(get, path = "/projects/{name}", tag = "projects", params(("name" = String, Path, description = "Project name")),
    responses((status = 200, body = Project), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn get_project(State(state): State<AppState>, auth: Auth, Path(name): Path<String>) -> Response {
    let mut audit = Audit::start("get_project");
    let result = async {
        let caller = audit.caller(auth)?;
        audit.project(&name);
        let project = state.authorize(&caller, &name).await?;
        Ok(json_response(StatusCode::OK, project))
    }
    .await;
    state.finish(audit, result).await
}

/// A project's audit trail, newest first, a page at a time.
#[utoipa::path(get, path = "/projects/{name}/transactions", tag = "projects",
    params(("name" = String, Path, description = "Project name"), PageQuery),
    responses((status = 200, body = TransactionPage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn list_transactions(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    query: Result<Query<PageQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let mut audit = Audit::start("list_transactions");
    let result = async {
        let caller = audit.caller(auth)?;
        audit.project(&name);
        let Query(page) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
        audit.parameters = json!(page);
        state.authorize(&caller, &name).await?;
        let max = i64::from(state.config.max_page_size);
        let limit = page.limit.unwrap_or(50);
        let offset = page.offset.unwrap_or(0);
        if !(1..=max).contains(&limit) || offset < 0 {
            return Err(ApiError::unprocessable(
                "bad_page",
                format!("limit must be 1 to {max} and offset 0 or more"),
            ));
        }
        let (items, total) = state.db.transactions(&name, limit, offset).await?;
        Ok(json_response(
            StatusCode::OK,
            TransactionPage {
                items,
                total,
                limit,
                offset,
            },
        ))
    }
    .await;
    state.finish(audit, result).await
}

fn parse_schema(value: &Value) -> Result<syda::Schema, ApiError> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Object(_) => value.to_string(),
        _ => {
            return Err(ApiError::unprocessable(
                "invalid_schema",
                "`schema` must be a YAML/JSON document as text or a JSON object",
            ));
        }
    };
    syda::Schema::parse(&text, "request schema", "table")
        .map_err(|e| ApiError::unprocessable("invalid_schema", e.to_string()))
}

fn generate_params(req: &GenerateRequest, schema: &syda::Schema) -> Value {
    json!({
        "project": req.project,
        "tables": schema.tables.iter().map(|t| t.name.to_string()).collect::<Vec<_>>(),
        "rows": req.rows, "sizes": req.sizes, "seed": req.seed, "null_rate": req.null_rate,
        "engine": req.engine.as_deref().unwrap_or("offline"), "prompt": req.prompt,
        "format": req.format, "table": req.table,
        "fitted": fitted_tables(req.fitted.as_ref()),
    })
}

/// The tables named by a request's fitted models, for the audit row (the
/// models themselves can be large).
fn fitted_tables(fitted: Option<&Value>) -> Value {
    let name = |m: &Value| m.get("table").cloned().unwrap_or(Value::Null);
    match fitted {
        None => Value::Null,
        Some(Value::Array(items)) => items.iter().map(name).collect(),
        Some(one) => Value::Array(vec![name(one)]),
    }
}

/// The engine a `/generate` request names, ready to run, with the schema
/// (for `stats` without a schema: the models' tables).
fn choose_engine(state: &AppState, req: &GenerateRequest) -> Result<(EngineChoice, syda::Schema), ApiError> {
    let engine = check_engine(req.engine.as_deref())?;
    if engine != "stats" && req.fitted.is_some() {
        return Err(ApiError::unprocessable(
            "unexpected_field",
            format!("`fitted` is read by `engine: stats` only, not `{engine}`"),
        ));
    }
    match engine {
        "stats" => {
            let fitted = req.fitted.as_ref().ok_or_else(|| {
                ApiError::unprocessable(
                    "missing_model",
                    "`engine: stats` needs `fitted`: the model JSON `syda fit` writes (or an array of them); \
                     to learn from a CSV, upload it to /upload/generate instead",
                )
            })?;
            let models = parse_models(fitted)?;
            let schema = if req.schema.is_null() {
                syda::Schema::new(models.iter().map(syda::engine::stats::FittedModel::to_table))
            } else {
                parse_schema(&req.schema)?
            };
            Ok((EngineChoice::Stats(models), schema))
        }
        "llm" => {
            let config = state
                .llm
                .as_ref()
                .as_ref()
                .map_err(|why| ApiError::unprocessable("engine_unavailable", why.clone()))?;
            let schema = parse_schema(&req.schema)?;
            Ok((
                EngineChoice::Llm {
                    config: Box::new(config.clone()),
                    prompt: req.prompt.clone(),
                },
                schema,
            ))
        }
        _ => Ok((EngineChoice::Offline, parse_schema(&req.schema)?)),
    }
}

/// Generate rows for a schema with the `offline`, `llm` or `stats` engine.
/// Over the server's row threshold the request runs as a job (202).
///
/// `llm` uses the provider the server was started with (`SYDA_PROVIDER`,
/// `SYDA_MODEL`, `OPENAI_API_KEY`/`ANTHROPIC_API_KEY`/`GEMINI_API_KEY`,
/// `OPENAI_BASE_URL`); the answer's `usage` (or, for CSV, the
/// `X-Syda-Usage` header) says what it cost. `stats` samples the models in
/// `fitted`.
#[utoipa::path(post, path = "/generate", tag = "generate", request_body = GenerateRequest,
    responses((status = 200, description = "rows (JSON, or CSV for format=csv)", body = GenerateResponse,
            headers(("x-syda-usage" = String, description = "engine llm: the usage object as JSON"))),
        (status = 202, body = JobAccepted),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "bad request, unknown engine, `llm` not configured (`engine_unavailable`), `stats` without a valid `fitted` model", body = ErrorBody),
        (status = 502, description = "the LLM provider failed (`llm_failed`)", body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn generate(State(state): State<AppState>, auth: Auth, body: Body<GenerateRequest>) -> Response {
    generate_common(state, auth, body, "generate", false).await
}

/// Generate a small test data set and check every row against the schema;
/// the answer carries the check report.
#[utoipa::path(post, path = "/generate/test-data", tag = "generate", request_body = GenerateRequest,
    responses((status = 200, body = GenerateResponse), (status = 202, body = JobAccepted), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 502, description = "the LLM provider failed (`llm_failed`)", body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn generate_test_data(
    State(state): State<AppState>,
    auth: Auth,
    body: Body<GenerateRequest>,
) -> Response {
    generate_common(state, auth, body, "generate_test_data", true).await
}

async fn generate_common(
    state: AppState,
    auth: Auth,
    body: Body<GenerateRequest>,
    op: &'static str,
    test_data: bool,
) -> Response {
    let mut audit = Audit::start(op);
    let result = async {
        let caller = audit.caller(auth)?;
        let ApiJson(req) = body?;
        audit.project(&req.project);
        audit.parameters = json!({ "project": req.project, "engine": req.engine });
        let (engine, schema) = choose_engine(&state, &req)?;
        audit.parameters = generate_params(&req, &schema);
        state.authorize(&caller, &req.project).await?;
        if let Some(rate) = req.null_rate
            && !(0.0..=1.0).contains(&rate)
        {
            return Err(ApiError::unprocessable(
                "bad_null_rate",
                "null_rate must be from 0 to 1",
            ));
        }
        let task = Task {
            project: req.project.clone(),
            schema,
            rows: req.rows.unwrap_or(if test_data { 10 } else { 100 }),
            sizes: req.sizes.iter().map(|(t, n)| (t.clone(), *n)).collect(),
            seed: req.seed.unwrap_or(0),
            null_rate: req.null_rate,
            format: OutFormat::parse(req.format.as_deref())?,
            table: req.table.clone(),
            check: test_data,
            extra: Map::new(),
            engine,
        };
        state.dispatch(&mut audit, op, task, &caller).await
    }
    .await;
    state.finish(audit, result).await
}

impl AppState {
    /// Runs a generation now, or as a job when it is over the row threshold;
    /// refuses it over the row cap.
    async fn dispatch(
        &self,
        audit: &mut Audit,
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
            audit.job_id = Some(id.clone());
            return Ok(json_response(
                StatusCode::ACCEPTED,
                JobAccepted {
                    status_url: format!("/jobs/{id}"),
                    result_url: format!("/jobs/{id}/result"),
                    job_id: id,
                    status: "running".to_owned(),
                    total,
                },
            ));
        }
        let out = blocking(move || task.run(&Arc::new(AtomicU64::new(0)))).await?;
        audit.rows_out = Some(i64::try_from(out.rows).unwrap_or(i64::MAX));
        let mut response = ([(header::CONTENT_TYPE, out.content_type)], out.body).into_response();
        if let Some(usage) = out.usage {
            // A CSV body has no room for it: the header carries it there too.
            if let Ok(v) = header::HeaderValue::from_str(&usage.to_string()) {
                response.headers_mut().insert(USAGE_HEADER, v);
            }
            audit.parameters["usage"] = usage;
        }
        Ok(response)
    }
}

/// Response header with the LLM engine's usage as compact JSON.
pub const USAGE_HEADER: &str = "x-syda-usage";

/// Runs CPU-bound work (generation, parsing) off the async threads; a panic
/// in it becomes an error answer, not a crash.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) if e.is_panic() => Err(ApiError::unprocessable(
            "malformed_file",
            "the input could not be processed (the parser failed on it)",
        )),
        Err(e) => Err(ApiError::internal("a worker thread", e)),
    }
}

/// Form fields and the one file of a multipart upload.
#[derive(Debug, Default)]
struct Upload {
    fields: BTreeMap<String, String>,
    file: Option<(String, Bytes)>,
}

impl Upload {
    fn project(&self) -> Result<&str, ApiError> {
        self.fields
            .get("project")
            .map(String::as_str)
            .ok_or_else(|| ApiError::unprocessable("missing_field", "the form needs a `project` field"))
    }

    fn number(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.fields
            .get(name)
            .map(|v| {
                v.trim().parse().map_err(|_| {
                    ApiError::unprocessable(
                        "bad_field",
                        format!("`{name}` must be a whole number, found `{v}`"),
                    )
                })
            })
            .transpose()
    }

    fn file(&self) -> Result<(&str, &Bytes), ApiError> {
        self.file
            .as_ref()
            .map(|(n, b)| (n.as_str(), b))
            .ok_or_else(|| ApiError::unprocessable("missing_field", "the form needs a `file` field"))
    }

    fn params(&self) -> Value {
        let mut p: Map<String, Value> = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        if let Some((name, bytes)) = &self.file {
            p.insert("file".into(), json!({ "name": name, "bytes": bytes.len() }));
        }
        Value::Object(p)
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError, limit: usize) -> ApiError {
    let status = e.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            "payload_too_large",
            format!("the upload is larger than this server's limit of {limit} bytes"),
        )
    } else {
        ApiError::new(status, "bad_multipart", e.body_text())
    }
}

/// Reads the form; the project is noted on `audit` as soon as it is read,
/// so a failure later in the body (too large, malformed) is audited under it.
async fn read_upload(
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
    limit: usize,
    audit: &mut Audit,
) -> Result<Upload, ApiError> {
    let mut multipart = multipart.map_err(|e| ApiError::new(e.status(), "bad_multipart", e.body_text()))?;
    let mut upload = Upload::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload").to_owned();
            let bytes = field.bytes().await.map_err(|e| multipart_error(e, limit))?;
            upload.file = Some((file_name, bytes));
        } else {
            let text = field.text().await.map_err(|e| multipart_error(e, limit))?;
            if name == "project" {
                audit.project(&text);
            }
            upload.fields.insert(name, text);
        }
    }
    Ok(upload)
}

type Form = Result<Multipart, axum::extract::multipart::MultipartRejection>;

/// Reads an upload and checks that the caller may use its project: the
/// caller, the upload and its project. The audit row gets the caller, the
/// parameters and the project on the way.
async fn authorized_upload(
    state: &AppState,
    auth: Auth,
    form: Form,
    audit: &mut Audit,
) -> Result<(Caller, Upload, String), ApiError> {
    let caller = audit.caller(auth)?;
    let upload = read_upload(form, state.config.max_body_bytes, audit).await?;
    audit.parameters = upload.params();
    let project = upload.project()?.to_owned();
    audit.project(&project);
    state.authorize(&caller, &project).await?;
    Ok((caller, upload, project))
}

/// Upload a CSV; the statistical engine is fitted to it (types, NULLs,
/// distributions, categories, correlations) and look-alike rows are
/// sampled. A file with no data rows falls back to a schema inferred from
/// its header; the answer's `fit` says which was used.
#[utoipa::path(post, path = "/upload/generate", tag = "upload", request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = GenerateResponse), (status = 202, body = JobAccepted), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, description = "malformed CSV or too many rows", body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn upload_generate(State(state): State<AppState>, auth: Auth, form: Form) -> Response {
    let mut audit = Audit::start("upload_generate");
    let result = async {
        let (caller, upload, project) = authorized_upload(&state, auth, form, &mut audit).await?;
        let (name, bytes) = upload.file()?;
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s).to_owned();
        let bytes = bytes.clone();
        let max_rows = state.config.max_rows;
        let (raw_rows, fitted) = blocking(move || {
            let raw = read_csv(&bytes, &stem, max_rows)?;
            Ok((raw.rows.len(), fit_tables(std::slice::from_ref(&raw))?))
        })
        .await?;
        audit.rows_in = Some(raw_rows as i64);
        audit.parameters["fit"] = fitted.report.clone();
        let mut extra = Map::new();
        extra.insert("schema".into(), fitted.schema.to_json());
        extra.insert("fit".into(), fitted.report);
        let task = Task {
            project,
            rows: upload.number("rows")?.unwrap_or(raw_rows as u64),
            schema: fitted.schema,
            sizes: Vec::new(),
            seed: upload.number("seed")?.unwrap_or(0),
            null_rate: None,
            format: OutFormat::parse(upload.fields.get("format").map(String::as_str))?,
            table: None,
            check: false,
            extra,
            engine: fitted.engine,
        };
        state.dispatch(&mut audit, "upload_generate", task, &caller).await
    }
    .await;
    state.finish(audit, result).await
}

fn preview(tables: &[RawTable]) -> Vec<TablePreview> {
    tables
        .iter()
        .map(|t| TablePreview {
            name: t.name.clone(),
            headers: t.headers.clone(),
            row_count: t.rows.len(),
            rows: t.rows.iter().take(20).cloned().collect(),
        })
        .collect()
}

/// Upload a document (text, CSV, XLSX, DOCX, PDF) or an image: its text
/// and tables come back, with a schema inferred from the tables; images
/// give their metadata only.
#[utoipa::path(post, path = "/upload/unstructured", tag = "upload", request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = UnstructuredResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 415, description = "unsupported file", body = ErrorBody), (status = 422, description = "malformed file", body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn upload_unstructured(State(state): State<AppState>, auth: Auth, form: Form) -> Response {
    let mut audit = Audit::start("upload_unstructured");
    let result = async {
        let (_caller, upload, _project) = authorized_upload(&state, auth, form, &mut audit).await?;
        let (name, bytes) = upload.file()?;
        let (name, bytes) = (name.to_owned(), bytes.clone());
        let (max_rows, max_unzipped) = (state.config.max_rows, state.config.max_decompressed_bytes);
        let found: Extracted = blocking(move || extract(&bytes, &name, max_rows, max_unzipped)).await?;
        audit.rows_in = Some(found.tables.iter().map(|t| t.rows.len() as i64).sum());
        let schema = if found.tables.is_empty() {
            None
        } else {
            Some(infer_schema(&found.tables)?.to_json())
        };
        let view = ExtractedView {
            kind: found.kind,
            text: found.text,
            tables: preview(&found.tables),
            image: found.image,
        };
        Ok(json_response(
            StatusCode::OK,
            UnstructuredResponse {
                extracted: view,
                schema,
            },
        ))
    }
    .await;
    state.finish(audit, result).await
}

/// Upload an XLSX workbook: every sheet becomes a table (first row the
/// header), is fitted like a CSV upload (`fit` says how, per sheet) and
/// look-alike rows are sampled per sheet.
#[utoipa::path(post, path = "/upload/unstructured/generate", tag = "upload", request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 200, body = GenerateResponse), (status = 202, body = JobAccepted), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, description = "not a readable XLSX", body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn upload_unstructured_generate(State(state): State<AppState>, auth: Auth, form: Form) -> Response {
    let mut audit = Audit::start("upload_unstructured_generate");
    let result = async {
        let (caller, upload, project) = authorized_upload(&state, auth, form, &mut audit).await?;
        let (name, bytes) = upload.file()?;
        let (name, bytes) = (name.to_owned(), bytes.clone());
        let (max_rows, max_unzipped) = (state.config.max_rows, state.config.max_decompressed_bytes);
        let sheets = blocking(move || {
            if crate::extract::detect(&bytes, &name)? != FileKind::Xlsx {
                return Err(ApiError::unprocessable(
                    "malformed_file",
                    format!("{name}: expected an XLSX workbook"),
                ));
            }
            let sheets = read_xlsx(&bytes, &name, max_rows, max_unzipped)?;
            let counts: Vec<(String, u64)> = sheets
                .iter()
                .map(|t| (t.name.clone(), t.rows.len() as u64))
                .collect();
            Ok((counts, fit_tables(&sheets)?))
        })
        .await?;
        let (counts, fitted) = sheets;
        audit.rows_in = Some(counts.iter().map(|(_, n)| *n as i64).sum());
        audit.parameters["fit"] = fitted.report.clone();
        let rows = upload.number("rows")?;
        let sizes = counts.into_iter().map(|(t, n)| (t, rows.unwrap_or(n))).collect();
        let mut extra = Map::new();
        extra.insert("schema".into(), fitted.schema.to_json());
        extra.insert("fit".into(), fitted.report);
        let task = Task {
            project,
            schema: fitted.schema,
            rows: 0,
            sizes,
            seed: upload.number("seed")?.unwrap_or(0),
            null_rate: None,
            format: OutFormat::parse(upload.fields.get("format").map(String::as_str))?,
            table: None,
            check: false,
            extra,
            engine: fitted.engine,
        };
        state
            .dispatch(&mut audit, "upload_unstructured_generate", task, &caller)
            .await
    }
    .await;
    state.finish(audit, result).await
}

/// A job's status and progress.
#[utoipa::path(get, path = "/jobs/{id}", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    responses((status = 200, body = JobStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn get_job(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> Response {
    let mut audit = Audit::start("get_job");
    let result = async {
        let caller = audit.caller(auth)?;
        audit.parameters = json!({ "job_id": id });
        audit.job_id = Some(id.clone());
        let job = state
            .db
            .job(&id, false)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no job `{id}`")))?;
        audit.project(&job.project);
        state.authorize(&caller, &job.project).await?;
        Ok(json_response(
            StatusCode::OK,
            JobStatus::from_row(job, &state.jobs),
        ))
    }
    .await;
    state.finish(audit, result).await
}

/// Download a finished job's result (JSON or CSV, as requested).
#[utoipa::path(get, path = "/jobs/{id}/result", tag = "jobs", params(("id" = String, Path, description = "Job id")),
    responses((status = 200, description = "the rows", body = GenerateResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "still running, or failed", body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn get_job_result(State(state): State<AppState>, auth: Auth, Path(id): Path<String>) -> Response {
    let mut audit = Audit::start("get_job_result");
    let result = async {
        let caller = audit.caller(auth)?;
        audit.parameters = json!({ "job_id": id });
        audit.job_id = Some(id.clone());
        let job = state
            .db
            .job(&id, true)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no job `{id}`")))?;
        audit.project(&job.project);
        state.authorize(&caller, &job.project).await?;
        match (job.status.as_str(), job.result) {
            ("succeeded", Some(body)) => {
                audit.rows_out = Some(job.progress);
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
    .await;
    state.finish(audit, result).await
}

/// Create an API key (admin keys only). The key is in the answer and nowhere else.
#[utoipa::path(post, path = "/admin/keys", tag = "admin", request_body = CreateKey,
    responses((status = 201, body = KeyCreated), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("api_key" = [])))]
pub async fn create_key(State(state): State<AppState>, auth: Auth, body: Body<CreateKey>) -> Response {
    let mut audit = Audit::start("create_key");
    let result = async {
        let caller = audit.caller(auth)?;
        let ApiJson(req) = body?;
        audit.parameters = json!({ "projects": req.projects, "admin": req.admin });
        if !caller.admin {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "only an admin key may create keys",
            ));
        }
        for p in &req.projects {
            valid_project_name(p)?;
        }
        let key = state
            .create_key(&req.projects, req.admin)
            .await
            .map_err(|e| ApiError::internal("creating a key", e))?;
        audit.parameters["id"] = key.id.clone().into();
        Ok(json_response(
            StatusCode::CREATED,
            KeyCreated {
                key: key.token,
                id: key.id,
                projects: req.projects,
                admin: req.admin,
            },
        ))
    }
    .await;
    state.finish(audit, result).await
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "alive")))]
pub async fn healthz() -> Response {
    json_response(StatusCode::OK, json!({ "status": "ok" }))
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, description = "ready"), (status = 503, body = ErrorBody)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => json_response(StatusCode::OK, json!({ "status": "ready" })),
        Err(e) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "db_unavailable",
            format!("database unreachable: {e}"),
        )
        .into_response(),
    }
}
