//! Rows from a schema: `POST /generate` and `POST /generate/test-data`.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::audit::Audit;
use crate::auth::Caller;
use crate::dto::{EngineName, FormatName, GenerateRequest, GenerateResponse, JobAccepted};
use crate::error::{ApiError, ErrorBody};
use crate::fitting::parse_models;
use crate::generation::{EngineChoice, OutFormat, Task};
use crate::input::{ApiJson, check_int64, check_name};

pub(crate) fn parse_schema(value: &Value) -> Result<syda::Schema, ApiError> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Object(_) => value.to_string(),
        Value::Null => {
            return Err(ApiError::unprocessable(
                "invalid_schema",
                "`schema` is required (it may be null only with `engine: stats` and `fitted`)",
            ));
        }
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

/// The tables named by a request's fitted models, for the audit row (the
/// models themselves can be large).
fn fitted_tables(fitted: Option<&Value>) -> Value {
    let name = |m: &Value| m.get("table").cloned().unwrap_or(Value::Null);
    match fitted {
        None | Some(Value::Null) => Value::Null,
        Some(Value::Array(items)) => items.iter().map(name).collect(),
        Some(one) => Value::Array(vec![name(one)]),
    }
}

/// The engine a request names, ready to run, with the schema (for `stats`
/// without a schema: the models' tables).
fn choose_engine(state: &AppState, req: &GenerateRequest) -> Result<(EngineChoice, syda::Schema), ApiError> {
    let fitted = req.fitted.as_ref().filter(|f| !f.is_null());
    if req.engine != EngineName::Stats && fitted.is_some() {
        return Err(ApiError::unprocessable(
            "unexpected_field",
            format!(
                "`fitted` is read by `engine: stats` only, not `{}`",
                req.engine.as_str()
            ),
        ));
    }
    match req.engine {
        EngineName::Stats => {
            let fitted = fitted.ok_or_else(|| {
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
        EngineName::Llm => {
            let config = state
                .llm
                .as_ref()
                .as_ref()
                .map_err(|why| ApiError::unprocessable("engine_unavailable", why.clone()))?;
            let schema = parse_schema(&req.schema)?;
            let llm = EngineChoice::Llm {
                config: Box::new(config.clone()),
                prompt: req.prompt.clone(),
            };
            Ok((llm, schema))
        }
        EngineName::Offline => Ok((EngineChoice::Offline, parse_schema(&req.schema)?)),
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
#[utoipa::path(post, path = "/generate", operation_id = "generate", tag = "generate", request_body = GenerateRequest,
    responses(
        (status = 200, description = "rows (JSON, or CSV for format=csv)",
            content((GenerateResponse = "application/json"), (String = "text/csv")),
            headers(("x-syda-usage" = String, description = "engine llm: the usage object as JSON"))),
        (status = 202, description = "over the job threshold: a job was started", body = JobAccepted),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key has no access to the project", body = ErrorBody),
        (status = 404, description = "no such project", body = ErrorBody),
        (status = 413, description = "body over the size limit", body = ErrorBody),
        (status = 415, description = "not `application/json`", body = ErrorBody),
        (status = 422, description = "invalid body or schema, unknown table, too many rows, `llm` not configured (`engine_unavailable`), `stats` without a valid `fitted` model", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody),
        (status = 502, description = "the LLM provider failed (`llm_failed`)", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn generate(
    State(state): State<AppState>,
    audit: Audit,
    caller: Caller,
    ApiJson(req): ApiJson<GenerateRequest>,
) -> Result<Response, ApiError> {
    run(state, audit, caller, req, "generate", false).await
}

/// Generate a small test data set (10 rows per table by default) and check
/// every row against the schema; the answer carries the check report.
#[utoipa::path(post, path = "/generate/test-data", operation_id = "generate_test_data", tag = "generate", request_body = GenerateRequest,
    responses(
        (status = 200, description = "rows and `check: {clean, report}`",
            content((GenerateResponse = "application/json"), (String = "text/csv"))),
        (status = 202, description = "over the job threshold: a job was started", body = JobAccepted),
        (status = 400, description = "malformed JSON", body = ErrorBody),
        (status = 401, description = "no valid API key", body = ErrorBody),
        (status = 403, description = "the key has no access to the project", body = ErrorBody),
        (status = 404, description = "no such project", body = ErrorBody),
        (status = 413, description = "body over the size limit", body = ErrorBody),
        (status = 415, description = "not `application/json`", body = ErrorBody),
        (status = 422, description = "invalid body or schema, unknown table, too many rows, engine unavailable", body = ErrorBody),
        (status = 500, description = "a server fault", body = ErrorBody),
        (status = 502, description = "the LLM provider failed (`llm_failed`)", body = ErrorBody)),
    security(("api_key" = [])))]
pub(crate) async fn test_data(
    State(state): State<AppState>,
    audit: Audit,
    caller: Caller,
    ApiJson(req): ApiJson<GenerateRequest>,
) -> Result<Response, ApiError> {
    run(state, audit, caller, req, "generate_test_data", true).await
}

async fn run(
    state: AppState,
    audit: Audit,
    caller: Caller,
    req: GenerateRequest,
    op: &'static str,
    test_data: bool,
) -> Result<Response, ApiError> {
    audit.project(&req.project);
    audit.parameters(json!({
        "project": req.project, "rows": req.rows, "sizes": req.sizes, "seed": req.seed,
        "null_rate": req.null_rate, "engine": req.engine, "prompt": req.prompt,
        "format": req.format, "table": req.table, "fitted": fitted_tables(req.fitted.as_ref()),
    }));
    check_name("project name", &req.project)?;
    for (what, n) in [("`rows`", req.rows), ("`seed`", req.seed)] {
        n.map(|n| check_int64(what, n)).transpose()?;
    }
    for (table, n) in &req.sizes {
        check_int64(&format!("`sizes.{table}`"), *n)?;
    }
    state.authorize(&caller, &req.project).await?;
    if let Some(rate) = req.null_rate
        && !(0.0..=1.0).contains(&rate)
    {
        return Err(ApiError::unprocessable(
            "bad_null_rate",
            "null_rate must be from 0 to 1",
        ));
    }
    let (engine, schema) = choose_engine(&state, &req)?;
    audit.parameter(
        "tables",
        schema
            .tables
            .iter()
            .map(|t| t.name.to_string())
            .collect::<Vec<_>>()
            .into(),
    );
    let task = Task {
        project: req.project.clone(),
        schema,
        rows: req.rows.unwrap_or(if test_data { 10 } else { 100 }),
        sizes: req.sizes.iter().map(|(t, n)| (t.clone(), *n)).collect(),
        seed: req.seed.unwrap_or(0),
        null_rate: req.null_rate,
        format: match req.format {
            FormatName::Json => OutFormat::Json,
            FormatName::Csv => OutFormat::Csv,
        },
        table: req.table.clone(),
        check: test_data,
        extra: Map::new(),
        engine,
    };
    state.dispatch(&audit, op, task, &caller).await
}
