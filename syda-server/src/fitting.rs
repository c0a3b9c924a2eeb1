//! Uploaded tables → the statistical engine: each table with data rows is
//! fitted (`syda::engine::stats`); a table that cannot be fitted (no data
//! rows) falls back to a schema inferred from its header and values.

use serde_json::{Map, Value as Json, json};
use syda::engine::stats::{FittedModel, Source, fit};
use syda::{Schema, Value};

use crate::error::ApiError;
use crate::generation::EngineChoice;
use crate::infer::{RawTable, infer_table};

/// What fitting uploaded tables gave.
#[derive(Debug)]
pub(crate) struct Fitted {
    /// One table per upload table: the model's table, or the inferred one.
    pub schema: Schema,
    /// The engine: `stats` when at least one table was fitted, else `offline`.
    pub engine: EngineChoice,
    /// Per table: `{"method": "stats", "rows": n}` or
    /// `{"method": "inferred", "reason": "…"}`.
    pub report: Json,
}

/// Fits every table; tables that cannot be fitted get an inferred schema.
pub(crate) fn fit_tables(tables: &[RawTable]) -> Result<Fitted, ApiError> {
    let mut schema_tables = Vec::with_capacity(tables.len());
    let mut models: Vec<FittedModel> = Vec::new();
    let mut report = Map::new();
    for raw in tables {
        let rows = raw
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| c.as_deref().map_or(Value::Null, Value::from))
                    .collect()
            })
            .collect();
        let source = Source::rows(raw.name.clone(), raw.headers.clone(), rows);
        match fit(&source) {
            Ok(model) => {
                report.insert(raw.name.clone(), json!({ "method": "stats", "rows": model.rows }));
                schema_tables.push(model.to_table());
                models.push(model);
            }
            Err(e) => {
                report.insert(
                    raw.name.clone(),
                    json!({ "method": "inferred", "reason": e.to_string() }),
                );
                schema_tables.push(infer_table(raw));
            }
        }
    }
    let schema = Schema::new(schema_tables);
    schema
        .validate()
        .map_err(|e| ApiError::unprocessable("schema_inference_failed", e.to_string()))?;
    let engine = if models.is_empty() {
        EngineChoice::Offline
    } else {
        EngineChoice::Stats(models)
    };
    Ok(Fitted {
        schema,
        engine,
        report: Json::Object(report),
    })
}

/// Fitted models from a request's `fitted` field: one model object (as
/// `syda fit` writes it) or an array of them.
pub(crate) fn parse_models(value: &Json) -> Result<Vec<FittedModel>, ApiError> {
    let items: Vec<&Json> = match value {
        Json::Array(items) => items.iter().collect(),
        Json::Object(_) => vec![value],
        _ => {
            return Err(ApiError::unprocessable(
                "invalid_model",
                "`fitted` must be a fitted model object (the JSON `syda fit` writes) or an array of them",
            ));
        }
    };
    if items.is_empty() {
        return Err(ApiError::unprocessable(
            "invalid_model",
            "`fitted` is an empty array; give at least one fitted model",
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            FittedModel::from_json(&m.to_string(), &format!("fitted[{i}]"))
                .map_err(|e| ApiError::unprocessable("invalid_model", e.to_string()))
        })
        .collect()
}
