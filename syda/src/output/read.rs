use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::Format;
use crate::error::{BoxError, Error, Result};
use crate::schema::{DataType, Table};
use crate::value::{Row, Value};

/// Reads a CSV, JSON (array), JSONL or Parquet file of `table` rows back
/// into rows in the table's column order. Reading is lenient about types: a value that
/// does not parse as its column's type is kept as text, so that
/// [`crate::check`] can report it rather than the read failing. Columns the
/// file lacks are NULL; an unparseable file is an error naming it. SQL
/// scripts are not read back: load them, then read the database.
pub fn read_table(path: &Path, format: Format, table: &Table) -> Result<Vec<Row>> {
    match format {
        #[cfg(feature = "parquet")]
        Format::Parquet => return super::parquet::read(path, table),
        #[cfg(not(feature = "parquet"))]
        Format::Parquet => {
            return Err(Error::Parse {
                source: None,
                origin: path.display().to_string(),
                message: "reading Parquet needs syda's `parquet` feature (the syda CLI has it)".to_owned(),
            });
        }
        Format::Sql(_) => {
            return Err(Error::Parse {
                source: None,
                origin: path.display().to_string(),
                message: "a SQL script is not read back; load it into a database and read that".to_owned(),
            });
        }
        _ => {}
    }
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let bad = |line: Option<u64>, message: String, source: BoxError| Error::Parse {
        origin: match line {
            Some(l) => format!("{}:{l}", path.display()),
            None => path.display().to_string(),
        },
        message,
        source: Some(source),
    };
    match format {
        Format::Csv => {
            let mut reader = csv::Reader::from_reader(BufReader::new(file));
            let headers = reader
                .headers()
                .map_err(|e| bad(None, e.to_string(), e.into()))?
                .clone();
            let positions: Vec<Option<usize>> = table
                .columns
                .iter()
                .map(|c| headers.iter().position(|h| h == c.name))
                .collect();
            let mut rows = Vec::new();
            for record in reader.records() {
                let record =
                    record.map_err(|e| bad(e.position().map(|p| p.line()), e.to_string(), e.into()))?;
                let row = table
                    .columns
                    .iter()
                    .zip(&positions)
                    .map(|(col, pos)| match pos.and_then(|p| record.get(p)) {
                        None | Some("") => Value::Null,
                        Some(field) => parse_field(col.ty, field),
                    })
                    .collect();
                rows.push(row);
            }
            Ok(rows)
        }
        Format::Json => {
            let objects: Vec<serde_json::Map<String, serde_json::Value>> =
                serde_json::from_reader(BufReader::new(file)).map_err(|e| {
                    bad(
                        Some(e.line() as u64),
                        format!("expected an array of objects: {e}"),
                        e.into(),
                    )
                })?;
            Ok(objects.iter().map(|o| json_row(table, o)).collect())
        }
        Format::Jsonl => {
            let mut rows = Vec::new();
            for (i, line) in BufReader::new(file).lines().enumerate() {
                let line = line.map_err(|source| Error::Io {
                    path: path.to_owned(),
                    source,
                })?;
                if line.trim().is_empty() {
                    continue;
                }
                let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line)
                    .map_err(|e| {
                        bad(
                            Some(i as u64 + 1),
                            format!("expected one JSON object per line: {e}"),
                            e.into(),
                        )
                    })?;
                rows.push(json_row(table, &object));
            }
            Ok(rows)
        }
        Format::Parquet | Format::Sql(_) => unreachable!("handled above"),
    }
}

fn json_row(table: &Table, object: &serde_json::Map<String, serde_json::Value>) -> Row {
    table
        .columns
        .iter()
        .map(|col| match object.get(col.name.as_ref()) {
            None | Some(serde_json::Value::Null) => Value::Null,
            Some(serde_json::Value::Bool(b)) => Value::Bool(*b),
            Some(serde_json::Value::Number(n)) => match n.as_i64() {
                Some(i) if col.ty != DataType::Float => Value::Int(i),
                _ => n.as_f64().map_or(Value::Text(n.to_string()), Value::Float),
            },
            Some(serde_json::Value::String(s)) if col.ty == DataType::Json => {
                serde_json::from_str(s).map_or_else(|_| Value::Text(s.clone()), Value::Json)
            }
            Some(serde_json::Value::String(s)) => Value::Text(s.clone()),
            Some(other) => Value::Json(other.clone()),
        })
        .collect()
}

fn parse_field(ty: DataType, field: &str) -> Value {
    let text = || Value::Text(field.to_owned());
    match ty {
        DataType::Integer => field.parse().map_or_else(|_| text(), Value::Int),
        DataType::Float => field.parse().map_or_else(|_| text(), Value::Float),
        DataType::Boolean => match field {
            "true" | "TRUE" | "True" | "t" | "1" => Value::Bool(true),
            "false" | "FALSE" | "False" | "f" | "0" => Value::Bool(false),
            _ => text(),
        },
        DataType::Json => serde_json::from_str(field).map_or_else(|_| text(), Value::Json),
        _ => text(),
    }
}
