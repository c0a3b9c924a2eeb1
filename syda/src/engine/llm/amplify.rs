//! Amplify mode: the model designs each table's column generators once — a
//! vocabulary of realistic values with weights, a numeric range with a
//! distribution, a date span, a share of `true` — in syda's own declarative
//! vocabulary (data, never code), every design checked against the column's
//! constraints; then the offline engine makes any number of rows from the
//! designs. The cost is a request per table (per [`DESIGN_COLUMNS`] columns)
//! whatever the row count, and the replay cache makes it free the second time.
//!
//! ```no_run
//! # fn demo() -> syda::Result<()> {
//! use syda::engine::llm::{LlmConfig, LlmEngine};
//! use syda::plan::Planner;
//! use syda::Schema;
//!
//! let schema = Schema::from_path("examples/schemas/crm.yaml")?;
//! let llm = LlmEngine::new(LlmConfig::from_env()?).with_prompt("B2B software customers in Europe");
//! let designs = llm.design_blocking(&schema)?;        // a few requests
//! let offline = designs.apply(syda::engine::OfflineEngine::new());
//! let data = Planner::new(&schema).rows(1_000_000).generate(&offline)?; // no requests
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;

use rand::RngExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json, json};

use super::LlmEngine;
use super::http::Ctx;
use super::prompt::llm_columns;
use super::repair::near_miss;
use super::reply::{coerce, cut, salvage};
use super::schema::{adapt, column_schema};
use super::usage::Usage;
use super::wire::{Ask, wire};
use crate::check::{anchored_pattern, value_problem};
use crate::engine::{GenContext, OfflineEngine};
use crate::error::{Error, Result};
use crate::schema::{Column, DataType, Literal, Schema, Table};
use crate::value::Value;

/// Columns designed per request.
pub const DESIGN_COLUMNS: usize = 12;

/// Values a vocabulary may hold.
pub const MAX_VOCABULARY: usize = 300;

/// The system message of a design request.
const DESIGN_SYSTEM: &str = "You design realistic synthetic data generators for database columns. \
Reply with JSON only.";

/// How one column's values are made: syda's declarative vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnDesign {
    /// One of `values`, drawn with `weights` (equal when empty).
    Vocabulary {
        /// The values, each valid for the column.
        #[serde(with = "json_values")]
        values: Vec<Value>,
        /// Relative weights, one per value; empty for equal weights.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        weights: Vec<f64>,
    },
    /// A number between `min` and `max` (inclusive).
    Number {
        /// Lowest value.
        min: f64,
        /// Highest value.
        max: f64,
        /// How values spread between them.
        distribution: Distribution,
    },
    /// A date (or date-time) between two days, as `YYYY-MM-DD`.
    Dates {
        /// First day.
        from: String,
        /// Last day.
        to: String,
    },
    /// `true` with this probability.
    Flag {
        /// Share of `true`, 0 to 1.
        true_share: f64,
    },
}

/// Values written as their JSON (`2.0` stays a float: serde_json keeps the
/// decimal point).
mod json_values {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value as Json;

    use crate::value::Value;

    pub(super) fn serialize<S: Serializer>(values: &[Value], s: S) -> Result<S::Ok, S::Error> {
        values.iter().map(Value::to_json).collect::<Vec<_>>().serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Value>, D::Error> {
        let list = Vec::<Json>::deserialize(d)?;
        Ok(list
            .into_iter()
            .map(|j| match j {
                Json::Null => Value::Null,
                Json::Bool(b) => Value::Bool(b),
                Json::Number(n) => n
                    .as_i64()
                    .map_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0)), Value::Int),
                Json::String(s) => Value::Text(s),
                other => Value::Json(other),
            })
            .collect())
    }
}

/// How a [`ColumnDesign::Number`] spreads its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Every value equally likely.
    Uniform,
    /// Bell-shaped around the middle (σ a sixth of the span), cut at the bounds.
    Normal,
    /// Skewed to the low end, a long tail up (prices, amounts); needs `min > 0`.
    LogNormal,
}

/// The designs of a schema's tables: per table, per column. Columns
/// without a design (keys, foreign keys, unique or pattern columns, the
/// ones whose design failed validation) keep the offline engine's generators.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Designs {
    /// `table → column → design`.
    pub tables: BTreeMap<String, BTreeMap<String, ColumnDesign>>,
    /// Why a designed column was left to the offline engine.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<String>,
    /// What the design requests cost.
    #[serde(skip)]
    pub usage: Usage,
}

impl Designs {
    /// `offline` with a column generator per design: it then makes any
    /// number of rows with the model's vocabularies and ranges.
    pub fn apply(&self, mut offline: OfflineEngine) -> OfflineEngine {
        for (table, columns) in &self.tables {
            for (column, design) in columns {
                let design = Arc::new(design.clone());
                offline
                    .generators_mut()
                    .register_column(table, column, move |ctx| draw(&design, ctx));
            }
        }
        offline
    }

    /// Columns designed, over all tables.
    pub fn columns(&self) -> usize {
        self.tables.values().map(BTreeMap::len).sum()
    }
}

/// The shape of design a column gets, or `None` to leave it offline.
fn shape(table: &Table, col: &Column) -> Option<Shape> {
    if col.is_unique_in(table) || col.pattern.is_some() || col.generator.is_some() {
        // A vocabulary cannot give 100 000 distinct values; patterns and
        // named generators already say how values look.
        return None;
    }
    Some(match col.ty {
        DataType::Text if col.one_of.is_some() => Shape::Weights,
        DataType::Text => Shape::Vocabulary,
        DataType::Integer | DataType::Float | DataType::Decimal if col.one_of.is_some() => Shape::Weights,
        DataType::Integer | DataType::Float | DataType::Decimal => Shape::Number,
        DataType::Date | DataType::DateTime => Shape::Dates,
        DataType::Boolean => Shape::Flag,
        DataType::Time | DataType::Uuid | DataType::Json => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Vocabulary,
    Weights,
    Number,
    Dates,
    Flag,
}

/// The schema of one column's design.
fn design_schema(table: &Table, col: &Column, shape: Shape) -> Json {
    let mut value = column_schema(table, col);
    if let Some(map) = value.as_object_mut() {
        // Vocabulary entries are values, never NULL (the null rate adds those).
        map.insert("type".into(), json!(super_type(col.ty)));
        if let Some(Json::Array(list)) = map.get_mut("enum") {
            list.retain(|v| !v.is_null());
        }
    }
    match shape {
        Shape::Vocabulary => json!({
            "type": "object",
            "properties": {
                "values": { "type": "array", "items": value, "minItems": 1, "maxItems": MAX_VOCABULARY },
                "weights": { "type": "array", "items": { "type": "number", "minimum": 0 } },
            },
            "required": ["values", "weights"],
            "additionalProperties": false,
        }),
        Shape::Weights => json!({
            "type": "object",
            "properties": {
                "weights": { "type": "array", "items": { "type": "number", "minimum": 0 } },
            },
            "required": ["weights"],
            "additionalProperties": false,
        }),
        Shape::Number => {
            let bound = json!({ "type": "number" });
            json!({
                "type": "object",
                "properties": {
                    "min": bound, "max": bound,
                    "distribution": { "type": "string", "enum": ["uniform", "normal", "log_normal"] },
                },
                "required": ["min", "max", "distribution"],
                "additionalProperties": false,
            })
        }
        Shape::Dates => json!({
            "type": "object",
            "properties": {
                "from": { "type": "string", "format": "date" },
                "to": { "type": "string", "format": "date" },
            },
            "required": ["from", "to"],
            "additionalProperties": false,
        }),
        Shape::Flag => json!({
            "type": "object",
            "properties": { "true_share": { "type": "number", "minimum": 0, "maximum": 1 } },
            "required": ["true_share"],
            "additionalProperties": false,
        }),
    }
}

fn super_type(ty: DataType) -> &'static str {
    match ty {
        DataType::Integer => "integer",
        DataType::Float => "number",
        DataType::Boolean => "boolean",
        _ => "string",
    }
}

/// The user message of one design request.
fn design_prompt(table: &Table, group: &[(usize, Shape)], prompt: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(doc) = &table.doc {
        let _ = writeln!(out, "Model Description: {}\n", doc.trim());
    }
    let _ = writeln!(out, "Table: {}\n", table.name);
    out.push_str("Fields:\n");
    for &(c, _) in group {
        let _ = writeln!(
            out,
            "{}",
            crate::schema::describe::describe_column(table, &table.columns[c])
        );
    }
    if let Some(prompt) = prompt.map(str::trim).filter(|p| !p.is_empty()) {
        let _ = writeln!(out, "\n{prompt}");
    }
    out.push_str(
        "\nDo not write records. Design how each field's values are generated, as one JSON object keyed by field name:\n",
    );
    for &(c, shape) in group {
        let col = &table.columns[c];
        let how = match shape {
            Shape::Vocabulary => format!(
                "{{\"values\": [...], \"weights\": [...]}}: 30 to {MAX_VOCABULARY} distinct realistic values, \
                 each fitting the field, and a relative weight for each (how common it is)"
            ),
            Shape::Weights => {
                let values: Vec<String> = col
                    .one_of
                    .iter()
                    .flat_map(|l| l.iter())
                    .map(Literal::to_string)
                    .collect();
                format!(
                    "{{\"weights\": [...]}}: a relative weight for each of {}, in that order",
                    values.join(", ")
                )
            }
            Shape::Number => {
                "{\"min\": n, \"max\": n, \"distribution\": \"uniform\" | \"normal\" | \"log_normal\"}: \
                 a plausible range and how values spread in it"
                    .to_owned()
            }
            Shape::Dates => {
                "{\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"}: a plausible span of days".to_owned()
            }
            Shape::Flag => "{\"true_share\": 0..1}: how often the field is true".to_owned(),
        };
        let _ = writeln!(out, "- {}: {how}", col.name);
    }
    out
}

impl LlmEngine {
    /// The model's designs for every table of `schema` ([`Designs`]): one
    /// request per table and per [`DESIGN_COLUMNS`] designed columns,
    /// through the retries and the record/replay cache of ordinary requests.
    pub async fn design(&self, schema: &Schema) -> Result<Designs> {
        let config = self.config.clone();
        config.check()?;
        let ctx = Ctx::new(
            config,
            wire(self.config.provider),
            Arc::clone(&self.shared.permits),
        )?;
        let dialect = ctx.wire.dialect();
        let mut designs = Designs::default();
        for table in &schema.tables {
            let cols: Vec<(usize, Shape)> = llm_columns(&self.local, table)
                .into_iter()
                .filter_map(|c| shape(table, &table.columns[c]).map(|s| (c, s)))
                .collect();
            for group in cols.chunks(DESIGN_COLUMNS) {
                let mut properties = Map::new();
                for &(c, shape) in group {
                    let col = &table.columns[c];
                    properties.insert(col.name.to_string(), design_schema(table, col, shape));
                }
                let names: Vec<&str> = group
                    .iter()
                    .map(|&(c, _)| table.columns[c].name.as_ref())
                    .collect();
                let schema = adapt(
                    json!({
                        "type": "object",
                        "properties": properties,
                        "required": names,
                        "additionalProperties": false,
                    }),
                    dialect,
                );
                let prompt = self.prompt_for(&table.name);
                let user = design_prompt(table, group, prompt.as_deref());
                let ask = Ask {
                    system: DESIGN_SYSTEM,
                    user: &user,
                    schema: &schema,
                };
                let answer = ctx.ask(&ask).await?.map_err(|none| Error::LlmReply {
                    table: table.name.to_string(),
                    message: format!("no design came back: {}", none.why),
                    raw: cut(&none.raw, 2000),
                })?;
                let found = parse_object(&answer.text).ok_or_else(|| Error::LlmReply {
                    table: table.name.to_string(),
                    message: "the design is not a JSON object".to_owned(),
                    raw: cut(&answer.text, 2000),
                })?;
                for &(c, shape) in group {
                    let col = &table.columns[c];
                    match validate(table, col, shape, &found[col.name.as_ref()]) {
                        Ok(design) => {
                            designs
                                .tables
                                .entry(table.name.to_string())
                                .or_default()
                                .insert(col.name.to_string(), design);
                        }
                        Err(why) => designs.rejected.push(format!(
                            "{}.{}: {why}; left to the offline engine",
                            table.name, col.name
                        )),
                    }
                }
            }
        }
        let mut usage = ctx.usage.lock().map(|u| u.clone()).unwrap_or_default();
        usage.price(ctx.config.model_price());
        self.record(&usage);
        designs.usage = usage;
        Ok(designs)
    }

    /// [`LlmEngine::design`] from sync code.
    pub fn design_blocking(&self, schema: &Schema) -> Result<Designs> {
        super::block_on(self.design(schema))?
    }
}

/// The first JSON object in `text` (prose and code fences around it skipped).
fn parse_object(text: &str) -> Option<Map<String, Json>> {
    if let Ok(Json::Object(map)) = serde_json::from_str(text.trim()) {
        return Some(map);
    }
    let start = text.find('{')?;
    let end = text.rfind('}')?;
    match serde_json::from_str(text.get(start..=end)?) {
        Ok(Json::Object(map)) => Some(map),
        _ => {
            // A cut-off reply: take what salvage finds as one object.
            salvage(text).rows.into_iter().flatten().find_map(|j| match j {
                Json::Object(map) => Some(map),
                _ => None,
            })
        }
    }
}

/// The model's design for `col`, checked: every vocabulary value valid for
/// the column (repaired where nothing is lost, dropped otherwise, repeats
/// removed), weights non-negative and one per value, ranges inside the
/// column's `range` and with `min ≤ max`, dates real days in order.
fn validate(
    table: &Table,
    col: &Column,
    shape: Shape,
    raw: &Json,
) -> std::result::Result<ColumnDesign, String> {
    let weights = |raw: &Json, n: usize| -> Vec<f64> {
        let w: Vec<f64> = raw["weights"]
            .as_array()
            .map(|a| a.iter().filter_map(Json::as_f64).collect())
            .unwrap_or_default();
        let fine =
            w.len() == n && w.iter().all(|x| x.is_finite() && *x >= 0.0) && w.iter().sum::<f64>() > 0.0;
        if fine { w } else { Vec::new() }
    };
    match shape {
        Shape::Vocabulary => {
            let pattern = anchored_pattern(col);
            let given = raw["values"].as_array().ok_or("no `values` list")?;
            let given_weights: Vec<Option<f64>> = raw["weights"]
                .as_array()
                .filter(|w| w.len() == given.len())
                .map(|w| w.iter().map(Json::as_f64).collect())
                .unwrap_or_default();
            let mut values: Vec<Value> = Vec::new();
            let mut kept_weights: Vec<f64> = Vec::new();
            for (i, v) in given.iter().take(MAX_VOCABULARY).enumerate() {
                let Ok(value) = coerce(col, v) else { continue };
                let value = match value_problem(col, pattern.as_ref(), &value) {
                    None => value,
                    Some(_) => match near_miss(table, col, &value) {
                        Some(fixed) if value_problem(col, pattern.as_ref(), &fixed).is_none() => fixed,
                        _ => continue,
                    },
                };
                if value.is_null() || values.contains(&value) {
                    continue;
                }
                values.push(value);
                if let Some(w) = given_weights.get(i) {
                    kept_weights.push(w.unwrap_or(-1.0));
                }
            }
            if values.is_empty() {
                return Err("no value of the vocabulary fits the column".to_owned());
            }
            let fine = kept_weights.len() == values.len()
                && kept_weights.iter().all(|x| x.is_finite() && *x >= 0.0)
                && kept_weights.iter().sum::<f64>() > 0.0;
            Ok(ColumnDesign::Vocabulary {
                values,
                weights: if fine { kept_weights } else { Vec::new() },
            })
        }
        Shape::Weights => {
            let one_of = col.one_of.as_deref().unwrap_or_default();
            let values: Vec<Value> = one_of.iter().map(|l| literal_value(col.ty, l)).collect();
            let weights = weights(raw, values.len());
            if weights.is_empty() {
                return Err(format!("expected {} non-negative weights", values.len()));
            }
            Ok(ColumnDesign::Vocabulary { values, weights })
        }
        Shape::Number => {
            let (Some(mut min), Some(mut max)) = (raw["min"].as_f64(), raw["max"].as_f64()) else {
                return Err("no numeric `min` and `max`".to_owned());
            };
            if let Some(range) = &col.range {
                if let Some(lo) = range.min.as_f64() {
                    min = min.max(lo);
                }
                if let Some(hi) = range.max.as_f64() {
                    max = max.min(hi);
                }
            }
            if col.ty == DataType::Integer {
                min = min.ceil();
                max = max.floor();
            }
            if !(min.is_finite() && max.is_finite() && min <= max) {
                return Err(format!(
                    "the range {min}..{max} is empty or outside the column's range"
                ));
            }
            let distribution = match raw["distribution"].as_str() {
                Some("normal") => Distribution::Normal,
                Some("log_normal" | "lognormal") if min > 0.0 => Distribution::LogNormal,
                _ => Distribution::Uniform,
            };
            Ok(ColumnDesign::Number {
                min,
                max,
                distribution,
            })
        }
        Shape::Dates => {
            let day = |key: &str| {
                raw[key]
                    .as_str()
                    .and_then(|s| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
            };
            let (Some(from), Some(to)) = (day("from"), day("to")) else {
                return Err("`from` and `to` are not YYYY-MM-DD days".to_owned());
            };
            let (from, to) = if from <= to { (from, to) } else { (to, from) };
            Ok(ColumnDesign::Dates {
                from: from.to_string(),
                to: to.to_string(),
            })
        }
        Shape::Flag => {
            let share = raw["true_share"].as_f64().filter(|x| (0.0..=1.0).contains(x));
            share
                .map(|true_share| ColumnDesign::Flag { true_share })
                .ok_or_else(|| "`true_share` is not between 0 and 1".to_owned())
        }
    }
}

fn literal_value(ty: DataType, lit: &Literal) -> Value {
    match (ty, lit) {
        (_, Literal::Bool(b)) => Value::Bool(*b),
        (DataType::Text | DataType::Decimal, Literal::Int(i)) => Value::Text(i.to_string()),
        (DataType::Text | DataType::Decimal, Literal::Float(x)) => Value::Text(x.to_string()),
        (DataType::Float, Literal::Int(i)) => Value::Float(*i as f64),
        (_, Literal::Int(i)) => Value::Int(*i),
        (_, Literal::Float(x)) => Value::Float(*x),
        (_, Literal::Text(s)) => Value::Text(s.to_string()),
    }
}

/// One value from `design`, with the cell's own random numbers.
fn draw(design: &ColumnDesign, ctx: &mut GenContext<'_>) -> Value {
    let ty = ctx.column().ty;
    let rng = ctx.rng();
    match design {
        ColumnDesign::Vocabulary { values, weights } => {
            if weights.is_empty() {
                return values[rng.random_range(0..values.len())].clone();
            }
            let total: f64 = weights.iter().sum();
            let mut at = rng.random_range(0.0..total);
            for (value, w) in values.iter().zip(weights) {
                if at < *w {
                    return value.clone();
                }
                at -= w;
            }
            values[values.len() - 1].clone()
        }
        ColumnDesign::Number {
            min,
            max,
            distribution,
        } => {
            let (min, max) = (*min, *max);
            let x = if min == max {
                min
            } else {
                match distribution {
                    Distribution::Uniform => rng.random_range(min..=max),
                    Distribution::Normal => {
                        let mid = (min + max) / 2.0;
                        (mid + normal(rng) * (max - min) / 6.0).clamp(min, max)
                    }
                    Distribution::LogNormal => {
                        // Median a tenth of the way up the log span: a long tail.
                        let (lo, hi) = (min.ln(), max.ln());
                        let centre = lo + (hi - lo) * 0.3;
                        (centre + normal(rng) * (hi - lo) / 4.0)
                            .clamp(lo, hi)
                            .exp()
                            .clamp(min, max)
                    }
                }
            };
            match ty {
                DataType::Integer => Value::Int(x.round().clamp(min, max) as i64),
                DataType::Decimal => Value::Text(format!("{:.2}", round2(x, min, max))),
                _ => Value::Float(round2(x, min, max)),
            }
        }
        ColumnDesign::Dates { from, to } => {
            let parse = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            let (Some(from), Some(to)) = (parse(from), parse(to)) else {
                return Value::Null;
            };
            let span = (to - from).num_days().max(0);
            let day = from + chrono::Duration::days(rng.random_range(0..=span));
            if ty == DataType::DateTime {
                let seconds = rng.random_range(0..86_400);
                let time =
                    chrono::NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).unwrap_or_default();
                Value::Text(day.and_time(time).format("%Y-%m-%dT%H:%M:%S").to_string())
            } else {
                Value::Text(day.to_string())
            }
        }
        ColumnDesign::Flag { true_share } => Value::Bool(rng.random_bool(true_share.clamp(0.0, 1.0))),
    }
}

/// Two decimals, kept inside `[min, max]`.
fn round2(x: f64, min: f64, max: f64) -> f64 {
    let r = (x * 100.0).round() / 100.0;
    if r < min {
        (min * 100.0).ceil() / 100.0
    } else if r > max {
        (max * 100.0).floor() / 100.0
    } else {
        r
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut crate::engine::EngineRng) -> f64 {
    let u: f64 = rng.random_range(f64::EPSILON..1.0);
    let v: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
