//! A schema inferred from example rows (an uploaded CSV, a spreadsheet
//! sheet, a document table): types, NULLs, uniques, numeric and date
//! ranges, and small category sets. [`infer_table`] is the one entry point,
//! so a fitted statistical model can take its place later.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use syda::{Column, DataType, Literal, Range, Schema, Table};

use crate::error::ApiError;

/// Rows of text cells under a header, as read from a file. `None` is an empty cell.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RawTable {
    /// Table name (file stem, sheet name, `table_N`).
    pub name: String,
    /// Column names, made unique and non-empty.
    pub headers: Vec<String>,
    /// Cells, one vector per row, as wide as `headers`.
    pub rows: Vec<Vec<Option<String>>>,
}

/// At most this many distinct values make a column a category (`one_of`).
const MAX_CATEGORIES: usize = 20;
/// A column is declared unique only when this many values are all distinct.
const MIN_ROWS_FOR_UNIQUE: usize = 10;

impl RawTable {
    /// A table from a header row and data rows; names are cleaned, short rows padded.
    pub fn new(name: &str, headers: Vec<String>, rows: Vec<Vec<Option<String>>>) -> RawTable {
        let mut seen = HashSet::new();
        let headers: Vec<String> = headers
            .into_iter()
            .enumerate()
            .map(|(i, h)| {
                let base = if h.trim().is_empty() {
                    format!("column_{}", i + 1)
                } else {
                    h.trim().to_owned()
                };
                let mut name = base.clone();
                let mut n = 2;
                while !seen.insert(name.clone()) {
                    name = format!("{base}_{n}");
                    n += 1;
                }
                name
            })
            .collect();
        let width = headers.len();
        let rows = rows
            .into_iter()
            .map(|mut r| {
                r.resize(width, None);
                r
            })
            .collect();
        RawTable {
            name: clean_name(name),
            headers,
            rows,
        }
    }
}

/// A table name from a file or sheet name: letters, digits and `_`.
pub fn clean_name(name: &str) -> String {
    let cleaned: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches('_').to_owned();
    if cleaned.is_empty() {
        "table".to_owned()
    } else {
        cleaned
    }
}

/// Reads CSV bytes (UTF-8, header row, equal-width rows) into a [`RawTable`].
pub fn read_csv(bytes: &[u8], name: &str, max_rows: u64) -> Result<RawTable, ApiError> {
    let malformed = |m: String| ApiError::unprocessable("malformed_file", format!("{name}: {m}"));
    let text = std::str::from_utf8(bytes).map_err(|e| malformed(format!("not UTF-8 text ({e})")))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| malformed(format!("bad CSV header: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
        return Err(malformed(
            "no header row: the first line must name the columns".to_owned(),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| malformed(format!("bad CSV: {e}")))?;
        if rows.len() as u64 >= max_rows {
            return Err(ApiError::unprocessable(
                "too_many_rows",
                format!("{name} has more than {max_rows} rows, the server's row cap"),
            ));
        }
        rows.push(
            record
                .iter()
                .map(|f| (!f.is_empty()).then(|| f.to_owned()))
                .collect(),
        );
    }
    Ok(RawTable::new(name, headers, rows))
}

/// The schema of one table of example rows.
pub fn infer_table(raw: &RawTable) -> Table {
    let mut table = Table::new(raw.name.clone());
    for (i, header) in raw.headers.iter().enumerate() {
        let values: Vec<&str> = raw
            .rows
            .iter()
            .filter_map(|r| r.get(i).and_then(|v| v.as_deref()))
            .collect();
        table = table.with_column(infer_column(header, &values, values.len() < raw.rows.len()));
    }
    table
}

/// The schema of several tables, validated.
pub fn infer_schema(tables: &[RawTable]) -> Result<Schema, ApiError> {
    let schema = Schema::new(tables.iter().map(infer_table));
    schema
        .validate()
        .map_err(|e| ApiError::unprocessable("schema_inference_failed", e.to_string()))?;
    Ok(schema)
}

fn infer_column(name: &str, values: &[&str], has_nulls: bool) -> Column {
    let ty = infer_type(values);
    let mut col = Column::new(name.to_owned(), ty);
    if has_nulls || values.is_empty() {
        col = col.nullable();
    }
    let distinct: HashSet<&str> = values.iter().copied().collect();
    let all_distinct = values.len() >= MIN_ROWS_FOR_UNIQUE && distinct.len() == values.len() && !has_nulls;
    match ty {
        DataType::Integer => {
            let nums: Vec<i64> = values.iter().filter_map(|v| v.trim().parse().ok()).collect();
            if all_distinct && looks_like_key(name) {
                // Keys keep no range: the observed one could be too narrow
                // for more rows than the sample had.
                col = if name.eq_ignore_ascii_case("id") {
                    col.primary_key()
                } else {
                    col.unique()
                };
            } else if let (Some(&min), Some(&max)) = (nums.iter().min(), nums.iter().max())
                && min < max
            {
                col.range = Some(Range {
                    min: Literal::Int(min),
                    max: Literal::Int(max),
                });
            }
        }
        DataType::Float => {
            let nums: Vec<f64> = values.iter().filter_map(|v| v.trim().parse().ok()).collect();
            let min = nums.iter().copied().fold(f64::INFINITY, f64::min);
            let max = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if min.is_finite() && max.is_finite() && min < max {
                col.range = Some(Range {
                    min: Literal::Float(min),
                    max: Literal::Float(max),
                });
            }
        }
        DataType::Date => {
            let mut dates: Vec<&str> = values.iter().map(|v| v.trim()).collect();
            dates.sort_unstable();
            if let (Some(min), Some(max)) = (dates.first(), dates.last())
                && min < max
            {
                col.range = Some(Range {
                    min: Literal::Text(Cow::Owned((*min).to_owned())),
                    max: Literal::Text(Cow::Owned((*max).to_owned())),
                });
            }
        }
        DataType::Text => {
            if !distinct.is_empty() && distinct.len() <= MAX_CATEGORIES && values.len() >= 2 * distinct.len()
            {
                let mut cats: Vec<&str> = distinct.into_iter().collect();
                cats.sort_unstable();
                col.one_of = Some(Cow::Owned(
                    cats.into_iter()
                        .map(|c| Literal::Text(Cow::Owned(c.to_owned())))
                        .collect(),
                ));
            } else {
                if all_distinct {
                    col = col.unique();
                }
                let longest = values.iter().map(|v| v.chars().count()).max().unwrap_or(0);
                col.max_length = u32::try_from(longest.max(1)).ok();
            }
        }
        _ => {}
    }
    col
}

/// Whether a column name reads like an identifier (`id`, `user_id`, `sku`,
/// `order_no`): distinct integers elsewhere (ages, counts) are a small sample,
/// not a key.
fn looks_like_key(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || ["_id", "id_", "key", "_no", "number", "code", "sku"]
            .iter()
            .any(|k| lower.ends_with(k) || lower.starts_with(k))
}

fn infer_type(values: &[&str]) -> DataType {
    let all = |f: fn(&str) -> bool| !values.is_empty() && values.iter().all(|v| f(v.trim()));
    if all(|v| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false")) {
        DataType::Boolean
    } else if all(|v| v.parse::<i64>().is_ok()) {
        DataType::Integer
    } else if all(|v| v.parse::<f64>().is_ok_and(f64::is_finite)) {
        DataType::Float
    } else if all(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok()) {
        DataType::Date
    } else if all(|v| {
        chrono::DateTime::parse_from_rfc3339(v).is_ok()
            || NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S").is_ok()
            || NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S").is_ok()
    }) {
        DataType::DateTime
    } else {
        DataType::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(csv: &str) -> RawTable {
        read_csv(csv.as_bytes(), "people", 1000).unwrap()
    }

    #[test]
    fn types_nulls_uniques_and_categories_come_from_the_values() {
        let mut csv = String::from("id,age,score,joined,plan,active,note\n");
        for i in 0..30 {
            let plan = ["free", "pro", "team"][i % 3];
            let note = if i % 5 == 0 {
                String::new()
            } else {
                format!("note {i}")
            };
            csv.push_str(&format!(
                "{i},{},{}.5,2024-01-{:02},{plan},{},{note}\n",
                20 + i % 7,
                i,
                1 + i % 28,
                i % 2 == 0
            ));
        }
        let table = infer_table(&raw(&csv));
        let col = |n: &str| table.column(n).unwrap();
        assert_eq!(col("id").ty, DataType::Integer);
        assert!(col("id").primary_key);
        assert_eq!(
            col("age").range,
            Some(Range {
                min: Literal::Int(20),
                max: Literal::Int(26)
            })
        );
        assert!(!col("age").unique);
        assert_eq!(col("score").ty, DataType::Float);
        assert_eq!(col("joined").ty, DataType::Date);
        assert_eq!(col("plan").one_of.as_ref().map(|o| o.len()), Some(3));
        assert_eq!(col("active").ty, DataType::Boolean);
        assert!(col("note").nullable);
        assert!(!col("plan").nullable);
    }

    #[test]
    fn ragged_and_binary_csv_are_refused_with_the_file_name() {
        let err = read_csv(b"a,b\n1,2\n3\n", "bad.csv", 10).unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err.message.contains("bad.csv"), "{}", err.message);
        let err = read_csv(&[0xff, 0xfe, 0x00, 0x41], "bin.csv", 10).unwrap_err();
        assert!(err.message.contains("UTF-8"), "{}", err.message);
    }

    #[test]
    fn row_cap_applies_while_reading() {
        let err = read_csv(b"a\n1\n2\n3\n", "t.csv", 2).unwrap_err();
        assert_eq!(err.code, "too_many_rows");
    }

    #[test]
    fn empty_and_duplicate_headers_get_names() {
        let t = raw("a,,a\n1,2,3\n");
        assert_eq!(t.headers, ["a", "column_2", "a_2"]);
    }
}
