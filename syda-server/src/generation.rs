//! Running a generation: rows from a schema, into JSON or CSV, with a
//! progress counter that background jobs report.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use syda::engine::llm::{LlmConfig, LlmEngine, Usage};
use syda::engine::stats::{FittedModel, StatsEngine};
use syda::engine::{AnyEngine, Engine, OfflineEngine};
use syda::plan::Planner;
use syda::{Row, Schema};

use crate::error::ApiError;

/// The engine that fills a task's rows.
#[derive(Debug, Clone)]
pub(crate) enum EngineChoice {
    /// The offline engine: rows from the schema alone.
    Offline,
    /// The statistical engine: tables with a fitted model are sampled from
    /// it (never empty), the others come from the offline engine.
    Stats(Vec<FittedModel>),
    /// The LLM engine with the server's provider settings and the request's prompt.
    Llm {
        /// Provider, model, key, base URL.
        config: Box<LlmConfig>,
        /// The request's instructions.
        prompt: Option<String>,
    },
}

impl EngineChoice {
    /// `offline`, `stats` or `llm`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            EngineChoice::Offline => "offline",
            EngineChoice::Stats(_) => "stats",
            EngineChoice::Llm { .. } => "llm",
        }
    }
}

/// An LLM run's usage as JSON: requests, retries, cache hits, tokens, rows,
/// rejected rows and estimated cost (null when the model's price is unknown).
pub(crate) fn usage_json(usage: &Usage) -> Value {
    json!({
        "requests": usage.requests,
        "retries": usage.retries,
        "cache_hits": usage.cache_hits,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "rows": usage.rows,
        "rejected_rows": usage.rejected_rows,
        "cost_usd": usage.cost_usd,
    })
}

/// The output format of generated rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutFormat {
    /// `{"tables": {"name": [{col: value}, …]}, …}`.
    Json,
    /// One table as `text/csv`.
    Csv,
}

impl OutFormat {
    /// Parses `json` / `csv` (default json).
    pub(crate) fn parse(name: Option<&str>) -> Result<OutFormat, ApiError> {
        match name.map(str::to_ascii_lowercase).as_deref() {
            None | Some("json") => Ok(OutFormat::Json),
            Some("csv") => Ok(OutFormat::Csv),
            Some(other) => Err(ApiError::unprocessable(
                "bad_format",
                format!("format `{other}` is not supported; use json or csv"),
            )),
        }
    }
}

/// One generation to run, synchronously or as a job.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    /// Project the rows are for.
    pub project: String,
    /// Tables to generate.
    pub schema: Schema,
    /// Rows per table unless `sizes` says otherwise.
    pub rows: u64,
    /// Rows for named tables.
    pub sizes: Vec<(String, u64)>,
    /// Seed: the same request gives the same rows.
    pub seed: u64,
    /// Share of NULLs in nullable columns.
    pub null_rate: Option<f64>,
    /// Output format.
    pub format: OutFormat,
    /// Write only this table (CSV needs exactly one).
    pub table: Option<String>,
    /// Check the rows against the schema and include the report (`/generate/test-data`).
    pub check: bool,
    /// Extra fields copied into a JSON answer (e.g. an inferred schema).
    pub extra: Map<String, Value>,
    /// The engine.
    pub engine: EngineChoice,
}

/// A finished generation: media type, body and rows generated.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    /// `application/json` or `text/csv`.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
    /// Rows generated over all tables.
    pub rows: u64,
    /// What the LLM engine spent ([`usage_json`]); `None` for other engines.
    pub usage: Option<Value>,
}

/// A generation error as an answer: provider failures (network, rate limit,
/// an answer that never validated) are 502, everything else 422.
fn generation_error(e: syda::Error) -> ApiError {
    match e {
        syda::Error::Provider { .. }
        | syda::Error::Network { .. }
        | syda::Error::RateLimited { .. }
        | syda::Error::LlmReply { .. }
        | syda::Error::CacheMiss { .. } => {
            ApiError::new(StatusCode::BAD_GATEWAY, "llm_failed", e.to_string())
        }
        other => ApiError::unprocessable("generation_failed", other.to_string()),
    }
}

impl Task {
    /// Rows of one table.
    fn rows_of(&self, table: &str) -> u64 {
        self.sizes
            .iter()
            .rev()
            .find(|(t, _)| t == table)
            .map_or(self.rows, |(_, n)| *n)
    }

    /// Rows the task will generate, all tables together.
    pub(crate) fn total_rows(&self) -> u64 {
        self.schema
            .tables
            .iter()
            .map(|t| self.rows_of(&t.name))
            .fold(0u64, u64::saturating_add)
    }

    /// Problems visible before generating: unknown tables, CSV of several tables.
    pub(crate) fn check_request(&self) -> Result<(), ApiError> {
        for (t, _) in &self.sizes {
            if self.schema.table(t).is_none() {
                return Err(ApiError::unprocessable(
                    "unknown_table",
                    format!("sizes names table `{t}`, which the schema does not have"),
                ));
            }
        }
        if let Some(t) = &self.table
            && self.schema.table(t).is_none()
        {
            let known: Vec<&str> = self.schema.tables.iter().map(|t| t.name.as_ref()).collect();
            return Err(ApiError::unprocessable(
                "unknown_table",
                format!(
                    "table `{t}` is not in the schema; its tables: {}",
                    known.join(", ")
                ),
            ));
        }
        if self.format == OutFormat::Csv && self.table.is_none() && self.schema.tables.len() > 1 {
            return Err(ApiError::unprocessable(
                "csv_needs_one_table",
                format!(
                    "CSV holds one table but the schema has {}; name one with `table`, or ask for json",
                    self.schema.tables.len()
                ),
            ));
        }
        Ok(())
    }

    /// Every table's rows, made by `engine`.
    fn collect<E: Engine>(&self, engine: &E, progress: &Arc<AtomicU64>) -> syda::Result<Vec<Vec<Row>>> {
        let planner = Planner::new(&self.schema)
            .rows(self.rows)
            .sizes(self.sizes.iter().map(|(t, n)| (t.as_str(), *n)));
        let mut tables: Vec<Vec<Row>> = vec![Vec::new(); self.schema.tables.len()];
        planner.stream(engine, |table, rows| {
            let slot = self.schema.table_index(&table.name).unwrap_or(0);
            for row in rows {
                tables[slot].push(row?);
                progress.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })?;
        Ok(tables)
    }

    /// Generates the rows; `progress` counts rows as they are made.
    pub(crate) fn run(&self, progress: &Arc<AtomicU64>) -> Result<Output, ApiError> {
        let failed = |e: syda::Error| ApiError::unprocessable("generation_failed", e.to_string());
        let mut local = OfflineEngine::new().with_seed(self.seed);
        if let Some(rate) = self.null_rate {
            local = local.with_null_rate(rate);
        }
        let engine: AnyEngine = match &self.engine {
            EngineChoice::Offline => local.into(),
            EngineChoice::Stats(models) => {
                let mut models = models.iter().cloned();
                let first = models.next().ok_or_else(|| {
                    ApiError::unprocessable("missing_model", "the stats engine needs a fitted model")
                })?;
                models
                    .fold(StatsEngine::new(first), StatsEngine::with_model)
                    .with_local(local)
                    .into()
            }
            EngineChoice::Llm { config, prompt } => {
                let mut engine = LlmEngine::new(LlmConfig::clone(config)).with_local(local);
                if let Some(p) = prompt {
                    engine = engine.with_prompt(p.clone());
                }
                engine.into()
            }
        };
        let tables = self.collect(&engine, progress);
        let usage = engine.llm_usage().map(|u| usage_json(&u));
        let tables = tables.map_err(generation_error)?;
        let rows = tables.iter().map(|t| t.len() as u64).sum();
        let wanted = |name: &str| self.table.as_deref().is_none_or(|t| t == name);
        match self.format {
            OutFormat::Csv => {
                let (table, data) = self
                    .schema
                    .tables
                    .iter()
                    .zip(&tables)
                    .find(|(t, _)| wanted(&t.name))
                    .ok_or_else(|| ApiError::unprocessable("unknown_table", "no table to write"))?;
                let mut out = csv::Writer::from_writer(Vec::new());
                let csv_err = |e: csv::Error| ApiError::internal("writing CSV", e);
                out.write_record(table.columns.iter().map(|c| c.name.as_bytes()))
                    .map_err(csv_err)?;
                for row in data {
                    out.write_record(row.iter().map(ToString::to_string))
                        .map_err(csv_err)?;
                }
                let bytes = out
                    .into_inner()
                    .map_err(|e| ApiError::internal("writing CSV", e))?;
                Ok(Output {
                    content_type: "text/csv; charset=utf-8",
                    body: String::from_utf8_lossy(&bytes).into_owned(),
                    rows,
                    usage,
                })
            }
            OutFormat::Json => {
                let mut doc = Map::new();
                doc.insert("project".into(), self.project.clone().into());
                doc.insert("engine".into(), self.engine.name().into());
                doc.insert("seed".into(), self.seed.into());
                let mut counts = Map::new();
                let mut out = Map::new();
                for (table, data) in self.schema.tables.iter().zip(&tables) {
                    if !wanted(&table.name) {
                        continue;
                    }
                    counts.insert(table.name.to_string(), data.len().into());
                    let objects = data
                        .iter()
                        .map(|row| {
                            Value::Object(
                                table
                                    .columns
                                    .iter()
                                    .zip(row)
                                    .map(|(c, v)| (c.name.to_string(), v.to_json()))
                                    .collect(),
                            )
                        })
                        .collect();
                    out.insert(table.name.to_string(), Value::Array(objects));
                }
                doc.insert("rows".into(), Value::Object(counts));
                doc.insert("tables".into(), Value::Object(out));
                if self.check {
                    let data = syda::Dataset::from_tables(self.schema.clone(), tables).map_err(failed)?;
                    let report = syda::check::check(&data);
                    doc.insert(
                        "check".into(),
                        serde_json::json!({ "clean": report.is_clean(), "report": report.to_string() }),
                    );
                }
                for (k, v) in &self.extra {
                    doc.insert(k.clone(), v.clone());
                }
                if let Some(u) = &usage {
                    doc.insert("usage".into(), u.clone());
                }
                Ok(Output {
                    content_type: "application/json",
                    body: Value::Object(doc).to_string(),
                    rows,
                    usage,
                })
            }
        }
    }
}
