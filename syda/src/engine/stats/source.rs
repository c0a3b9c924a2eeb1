//! Where real rows come from: files read as a stream (twice: once to infer
//! the column types, once to collect them), or rows already in memory.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::error::{BoxError, Error, Result};
use crate::value::{Row, Value};

/// Real data to learn from.
///
/// Files are streamed, never loaded whole: fitting reads them twice. A
/// database table is read into [`Source::Rows`] by `Source::database`
/// (feature `db`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Source {
    /// A CSV file with a header row; an empty field, `NA`, `N/A`, `NULL`,
    /// `null`, `NaN` and `None` are NULL.
    Csv(PathBuf),
    /// One JSON object per line (`.jsonl`, `.ndjson`).
    Jsonl(PathBuf),
    /// One JSON array of objects (`.json`).
    Json(PathBuf),
    /// Rows already in memory (a database table, a query result, a test fixture).
    Rows {
        /// Table name the model takes.
        name: String,
        /// Column names, in the order of the values of each row.
        columns: Vec<String>,
        /// The rows.
        rows: Vec<Row>,
    },
}

/// One value as read, before its column's type is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a str),
}

impl Source {
    /// A source chosen by the file's extension: `.csv`, `.jsonl`/`.ndjson`, `.json`.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Source> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Source::Csv(path.to_owned())),
            Some("jsonl" | "ndjson") => Ok(Source::Jsonl(path.to_owned())),
            Some("json") => Ok(Source::Json(path.to_owned())),
            _ => Err(Error::Parse {
                source: None,
                origin: path.display().to_string(),
                message: "expected a .csv, .jsonl, .ndjson or .json file of rows".into(),
            }),
        }
    }

    /// Rows in memory, named `name`, with a value per column per row.
    pub fn rows(name: impl Into<String>, columns: Vec<String>, rows: Vec<Row>) -> Source {
        Source::Rows {
            name: name.into(),
            columns,
            rows,
        }
    }

    /// The table name a model of this source takes: the file stem or the given name.
    pub fn name(&self) -> String {
        match self {
            Source::Csv(p) | Source::Jsonl(p) | Source::Json(p) => p
                .file_stem()
                .map_or_else(|| "data".to_owned(), |s| s.to_string_lossy().into_owned()),
            Source::Rows { name, .. } => name.clone(),
        }
    }

    /// Where the data comes from, for messages.
    pub fn origin(&self) -> String {
        match self {
            Source::Csv(p) | Source::Jsonl(p) | Source::Json(p) => p.display().to_string(),
            Source::Rows { name, .. } => format!("<rows of {name}>"),
        }
    }

    /// Column names, in order. JSON sources list every key in order of
    /// first appearance (one extra pass over the file).
    pub(crate) fn columns(&self) -> Result<Vec<String>> {
        match self {
            Source::Csv(path) => {
                let mut reader = csv::Reader::from_reader(BufReader::new(open(path)?));
                let headers = reader
                    .headers()
                    .map_err(|e| self.parse_error(None, &e.to_string(), e))?;
                Ok(headers.iter().map(str::to_owned).collect())
            }
            Source::Jsonl(_) | Source::Json(_) => {
                let mut columns: Vec<String> = Vec::new();
                self.json_objects(&mut |object| {
                    for key in object.keys() {
                        if !columns.iter().any(|c| c == key) {
                            columns.push(key.clone());
                        }
                    }
                    Ok(())
                })?;
                Ok(columns)
            }
            Source::Rows { columns, .. } => Ok(columns.clone()),
        }
    }

    /// Calls `visit` with the cells of every row, in `columns` order.
    pub(crate) fn scan(
        &self,
        columns: &[String],
        visit: &mut dyn FnMut(&[Cell<'_>]) -> Result<()>,
    ) -> Result<u64> {
        let mut count = 0u64;
        match self {
            Source::Csv(path) => {
                let mut reader = csv::Reader::from_reader(BufReader::with_capacity(256 * 1024, open(path)?));
                let headers = reader
                    .headers()
                    .map_err(|e| self.parse_error(None, &e.to_string(), e))?
                    .clone();
                let positions: Vec<Option<usize>> = columns
                    .iter()
                    .map(|c| headers.iter().position(|h| h == c))
                    .collect();
                let mut record = csv::StringRecord::new();
                loop {
                    let more = reader
                        .read_record(&mut record)
                        .map_err(|e| self.parse_error(e.position().map(|p| p.line()), &e.to_string(), e))?;
                    if !more {
                        break;
                    }
                    let cells: Vec<Cell<'_>> = positions
                        .iter()
                        .map(|p| match p.and_then(|p| record.get(p)) {
                            None => Cell::Null,
                            Some(field) if is_null_token(field) => Cell::Null,
                            Some(field) => Cell::Text(field),
                        })
                        .collect();
                    visit(&cells)?;
                    count += 1;
                }
            }
            Source::Jsonl(_) | Source::Json(_) => {
                let mut nested: Vec<String> = Vec::new();
                self.json_objects(&mut |object| {
                    nested.clear();
                    for key in columns {
                        if let Some(v @ (serde_json::Value::Array(_) | serde_json::Value::Object(_))) =
                            object.get(key)
                        {
                            nested.push(v.to_string());
                        }
                    }
                    let mut next_nested = nested.iter();
                    let cells: Vec<Cell<'_>> = columns
                        .iter()
                        .map(|key| match object.get(key) {
                            None | Some(serde_json::Value::Null) => Cell::Null,
                            Some(serde_json::Value::Bool(b)) => Cell::Bool(*b),
                            Some(serde_json::Value::Number(n)) => n
                                .as_i64()
                                .map(Cell::Int)
                                .or_else(|| n.as_f64().map(Cell::Float))
                                .unwrap_or(Cell::Null),
                            Some(serde_json::Value::String(s)) => Cell::Text(s),
                            Some(_) => next_nested.next().map_or(Cell::Null, |s| Cell::Text(s)),
                        })
                        .collect();
                    count += 1;
                    visit(&cells)
                })?;
            }
            Source::Rows {
                columns: own, rows, ..
            } => {
                let positions: Vec<Option<usize>> =
                    columns.iter().map(|c| own.iter().position(|o| o == c)).collect();
                for row in rows {
                    let json: Vec<Option<String>> = row
                        .iter()
                        .map(|v| match v {
                            Value::Json(j) => Some(j.to_string()),
                            _ => None,
                        })
                        .collect();
                    let cells: Vec<Cell<'_>> = positions
                        .iter()
                        .map(|p| match p.and_then(|p| row.get(p).map(|v| (p, v))) {
                            None | Some((_, Value::Null)) => Cell::Null,
                            Some((_, Value::Bool(b))) => Cell::Bool(*b),
                            Some((_, Value::Int(i))) => Cell::Int(*i),
                            Some((_, Value::Float(x))) => Cell::Float(*x),
                            Some((_, Value::Text(s))) => Cell::Text(s),
                            Some((p, Value::Json(_))) => json[p].as_deref().map_or(Cell::Null, Cell::Text),
                        })
                        .collect();
                    visit(&cells)?;
                    count += 1;
                }
            }
        }
        Ok(count)
    }

    fn json_objects(
        &self,
        visit: &mut dyn FnMut(&serde_json::Map<String, serde_json::Value>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Source::Jsonl(path) => {
                for (i, line) in BufReader::new(open(path)?).lines().enumerate() {
                    let line = line.map_err(|source| Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&line)
                        .map_err(|e| {
                            self.parse_error(
                                Some(i as u64 + 1),
                                &format!("expected one JSON object per line: {e}"),
                                e,
                            )
                        })?;
                    visit(&object)?;
                }
                Ok(())
            }
            Source::Json(path) => {
                let objects: Vec<serde_json::Map<String, serde_json::Value>> =
                    serde_json::from_reader(BufReader::new(open(path)?)).map_err(|e| {
                        self.parse_error(
                            Some(e.line() as u64),
                            &format!("expected an array of objects: {e}"),
                            e,
                        )
                    })?;
                objects.iter().try_for_each(visit)
            }
            _ => Ok(()),
        }
    }

    fn parse_error(&self, line: Option<u64>, message: &str, source: impl Into<BoxError>) -> Error {
        Error::Parse {
            origin: match line {
                Some(l) => format!("{}:{l}", self.origin()),
                None => self.origin(),
            },
            message: message.to_owned(),
            source: Some(source.into()),
        }
    }
}

/// CSV spellings of a missing value (R writes `NA`, pandas `NaN`).
fn is_null_token(field: &str) -> bool {
    matches!(
        field.trim(),
        "" | "NA" | "N/A" | "NULL" | "null" | "NaN" | "nan" | "None"
    )
}

fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}
