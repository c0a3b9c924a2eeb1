//! Rows into Rust values: each value put in the form its field's type reads
//! ([`Shape`]), then deserialised through serde; and the generators that
//! build structured JSON columns (lists, maps, nested structs).

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rand::RngExt;
use serde_json::{Map, Value as Json, json};

use crate::engine::{EngineRng, Generators, OfflineEngine};
use crate::error::{Error, Result};
use crate::schema::{Column, Table};
use crate::synthetic::{Field, Shape, Synthetic};
use crate::value::{Row, Value};

/// One row as a JSON object keyed by column name, each value in its
/// field's form, deserialised into `T`.
pub(crate) fn to_typed<T: Synthetic>(table: &Table, index: u64, row: &Row) -> Result<T> {
    let fail = |message: String, source: Option<serde_json::Error>| Error::Deserialize {
        table: table.name.to_string(),
        row: index,
        message,
        source: source.map(Into::into),
    };
    let mut object = Map::with_capacity(row.len());
    for (column, value) in table.columns.iter().zip(row) {
        let json = value.to_json();
        let (key, json) = match field_of(T::FIELDS, &column.name) {
            Some(field) => (
                field.key.unwrap_or(&column.name).to_owned(),
                reshape(json, field.shape).map_err(|e| {
                    let hint = if field.shape.is_structured() {
                        "; generate the table with `syda::typed_generators` registered on the engine"
                    } else {
                        ""
                    };
                    fail(format!("column `{}`: {e}{hint}", column.name), None)
                })?,
            ),
            None => (column.name.to_string(), json),
        };
        object.insert(key, json);
    }
    serde_json::from_value(Json::Object(object)).map_err(|e| fail(e.to_string(), Some(e)))
}

fn field_of<'f>(fields: &'f [Field], column: &str) -> Option<&'f Field> {
    fields.iter().find(|f| f.column == column)
}

/// `value` in the form `shape` reads.
fn reshape(value: Json, shape: Shape) -> std::result::Result<Json, String> {
    if value.is_null() {
        return Ok(value);
    }
    let text = || {
        value
            .as_str()
            .ok_or_else(|| format!("expected text, found {value}"))
    };
    Ok(match shape {
        Shape::Plain => value,
        Shape::NaiveDateTime => json!(datetime(text()?)?.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
        Shape::TimeDate => {
            let d = date(text()?)?;
            json!([d.year(), d.ordinal()])
        }
        Shape::TimeOfDay => {
            let t = time(text()?)?;
            json!([t.hour(), t.minute(), t.second(), t.nanosecond()])
        }
        Shape::TimePrimitiveDateTime | Shape::TimeOffsetDateTime => {
            let t = datetime(text()?)?;
            let mut parts = vec![
                json!(t.year()),
                json!(t.ordinal()),
                json!(t.hour()),
                json!(t.minute()),
                json!(t.second()),
                json!(t.nanosecond()),
            ];
            if matches!(shape, Shape::TimeOffsetDateTime) {
                parts.extend([json!(0), json!(0), json!(0)]);
            }
            Json::Array(parts)
        }
        Shape::Duration => match &value {
            Json::Number(n) if n.as_u64().is_some() => json!({ "secs": n.as_u64(), "nanos": 0 }),
            Json::Number(n) if n.as_f64().is_some_and(|x| x >= 0.0) => {
                let x = n.as_f64().unwrap_or_default();
                json!({ "secs": x.trunc() as u64, "nanos": (x.fract() * 1e9) as u32 })
            }
            other => {
                return Err(format!(
                    "expected a non-negative number of seconds, found {other}"
                ));
            }
        },
        Shape::Bytes => Json::Array(hex(text()?)?.into_iter().map(Json::from).collect()),
        Shape::List(element) => match value {
            Json::Array(items) => Json::Array(
                items
                    .into_iter()
                    .map(|item| reshape(item, element.shape))
                    .collect::<std::result::Result<_, _>>()?,
            ),
            other => return Err(format!("expected a JSON array, found {other}")),
        },
        Shape::Map(element) => match value {
            Json::Object(entries) => Json::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| Ok((k, reshape(v, element.shape)?)))
                    .collect::<std::result::Result<_, String>>()?,
            ),
            other => return Err(format!("expected a JSON object, found {other}")),
        },
        Shape::Object(nested) => match value {
            Json::Object(entries) => Json::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| match field_of(nested.fields, &k) {
                        Some(field) => {
                            let v = reshape(v, field.shape).map_err(|e| format!("key `{k}`: {e}"))?;
                            Ok((field.key.map_or(k, str::to_owned), v))
                        }
                        None => Ok((k, v)),
                    })
                    .collect::<std::result::Result<_, String>>()?,
            ),
            other => return Err(format!("expected a JSON object, found {other}")),
        },
    })
}

fn date(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("`{s}` is not a date (YYYY-MM-DD): {e}"))
}

fn time(s: &str) -> std::result::Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .map_err(|e| format!("`{s}` is not a time of day (HH:MM:SS): {e}"))
}

/// The UTC date-time of RFC 3339 text, or of text without an offset.
fn datetime(s: &str) -> std::result::Result<NaiveDateTime, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.naive_utc());
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
        .map_err(|e| format!("`{s}` is not a date-time (RFC 3339): {e}"))
}

fn hex(s: &str) -> std::result::Result<Vec<u8>, String> {
    let digits = s.strip_prefix("\\x").unwrap_or(s);
    if !digits.len().is_multiple_of(2) {
        return Err(format!("`{s}` is not hexadecimal bytes: odd number of digits"));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| {
            digits
                .get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("`{s}` is not hexadecimal bytes"))
        })
        .collect()
}

/// Custom generators for the columns of `T` that hold structured JSON: a
/// `Vec<T>` column gets an array of one to three generated `T`s, a
/// `BTreeMap<String, T>` an object, a nested struct an object of its
/// columns. [`crate::Generator::rows`] registers them itself; pass them to
/// another engine (`with_generators`, or [`crate::engine::Engine::local_mut`])
/// when generating `T`'s table with it.
///
/// ```
/// #[derive(serde::Deserialize, syda::Synthetic)]
/// struct Post {
///     #[synthetic(primary_key)]
///     id: i64,
///     tags: Vec<String>,
/// }
///
/// let generators = syda::typed_generators::<Post>();
/// assert!(generators.column("post", "tags").is_some());
/// ```
pub fn typed_generators<T: Synthetic>() -> Generators {
    typed_generators_with_null_rate::<T>(DEFAULT_NULL_RATE)
}

/// The engine's default share of NULLs, which [`typed_generators`] gives
/// nullable structured columns.
const DEFAULT_NULL_RATE: f64 = 0.1;

/// [`typed_generators`] with nullable structured columns NULL at `null_rate`.
pub(crate) fn typed_generators_with_null_rate<T: Synthetic>(null_rate: f64) -> Generators {
    let mut generators = Generators::new();
    register(&mut generators, &T::TABLE, T::FIELDS, null_rate);
    generators
}

fn register(generators: &mut Generators, table: &Table, fields: &[Field], null_rate: f64) {
    for field in fields.iter().filter(|f| f.shape.is_structured()) {
        let Some(column) = table.column(field.column) else {
            continue;
        };
        let build = builder(column, field.shape);
        let null_rate = if column.nullable && !column.primary_key {
            null_rate
        } else {
            0.0
        };
        generators.register_column(&table.name, field.column, move |cx| {
            if null_rate > 0.0 && cx.rng().random_bool(null_rate.clamp(0.0, 1.0)) {
                Value::Null
            } else {
                Value::Json(build(cx.rng()))
            }
        });
    }
}

type Build = Arc<dyn Fn(&mut EngineRng) -> Json + Send + Sync>;

/// What fills one structured value.
fn builder(column: &Column, shape: Shape) -> Build {
    match shape {
        Shape::List(element) | Shape::Map(element) => {
            let mut table_column = element.column.clone();
            // Element columns take the field's name: it guides kind inference.
            table_column.name = column.name.clone();
            table_column.primary_key = false;
            let table = Table::new(format!("{}_item", column.name)).with_column(table_column);
            let mut engine = OfflineEngine::new().with_null_rate(0.0);
            register(
                engine.generators_mut(),
                &table,
                &[Field::new(leak(&column.name), element.shape)],
                0.0,
            );
            let is_map = matches!(shape, Shape::Map(_));
            Arc::new(move |rng| {
                let count = rng.random_range(1..=3u64);
                let start = rng.random_range(0..1u64 << 40);
                let items: Vec<Json> = match engine.rows_range(&table, start..start + count) {
                    Ok(rows) => rows
                        .filter_map(|row| row.ok())
                        .filter_map(|mut row| row.pop())
                        .map(|v| v.to_json())
                        .collect(),
                    Err(_) => Vec::new(),
                };
                if is_map {
                    Json::Object(
                        items
                            .into_iter()
                            .enumerate()
                            .map(|(i, v)| (format!("key{}", i + 1), v))
                            .collect(),
                    )
                } else {
                    Json::Array(items)
                }
            })
        }
        Shape::Object(nested) => {
            let table = nested.table.clone();
            let mut engine = OfflineEngine::new().with_null_rate(0.0);
            register(engine.generators_mut(), &table, nested.fields, 0.0);
            Arc::new(move |rng| {
                let start = rng.random_range(0..1u64 << 40);
                let row = engine
                    .rows_range(&table, start..start + 1)
                    .ok()
                    .and_then(|mut rows| rows.next())
                    .and_then(|row| row.ok())
                    .unwrap_or_default();
                Json::Object(
                    table
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| (c.name.to_string(), v.to_json()))
                        .collect(),
                )
            })
        }
        _ => Arc::new(|_| Json::Null),
    }
}

/// A column name as `'static`: element tables are built once per
/// registered column, so this leaks a few bytes per structured column.
fn leak(name: &str) -> &'static str {
    Box::leak(name.to_owned().into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_lose_their_offset_for_naive_types() {
        let out = reshape(json!("2024-05-01T10:20:30Z"), Shape::NaiveDateTime).expect("valid");
        assert_eq!(out, json!("2024-05-01T10:20:30"));
    }

    #[test]
    fn time_crate_types_get_serde_tuple_forms() {
        assert_eq!(
            reshape(json!("2024-02-01"), Shape::TimeDate).ok(),
            Some(json!([2024, 32]))
        );
        assert_eq!(
            reshape(json!("10:20:30"), Shape::TimeOfDay).ok(),
            Some(json!([10, 20, 30, 0]))
        );
        assert_eq!(
            reshape(json!("2024-02-01T01:02:03Z"), Shape::TimeOffsetDateTime).ok(),
            Some(json!([2024, 32, 1, 2, 3, 0, 0, 0, 0]))
        );
    }

    #[test]
    fn bytes_come_from_hex_and_bad_hex_is_an_error() {
        assert_eq!(
            reshape(json!("00ff10"), Shape::Bytes).ok(),
            Some(json!([0, 255, 16]))
        );
        assert!(reshape(json!("abc"), Shape::Bytes).is_err());
        assert!(reshape(json!("zz"), Shape::Bytes).is_err());
    }

    #[test]
    fn durations_come_from_seconds() {
        assert_eq!(
            reshape(json!(90), Shape::Duration).ok(),
            Some(json!({ "secs": 90, "nanos": 0 }))
        );
        assert!(reshape(json!(-1), Shape::Duration).is_err());
    }

    #[test]
    fn nulls_stay_null_whatever_the_shape() {
        assert_eq!(reshape(Json::Null, Shape::TimeDate).ok(), Some(Json::Null));
    }
}
