//! Reading a table's rows back as [`Value`]s, for fitting models to them.
//!
//! The column types come from the catalog (the same one [`introspect`]
//! reads), and every column is turned into text by the server in a
//! canonical form — dates `YYYY-MM-DD`, date-times `YYYY-MM-DDTHH:MM:SS`
//! (`…Z` for PostgreSQL `timestamptz`, converted to UTC), PostgreSQL arrays
//! as JSON — then parsed into the [`Value`] its catalog type calls for. One
//! decoding path serves every backend and every type, including ones sqlx
//! has no Rust type for (enums, domains, `interval`, `inet`, …).
//!
//! [`introspect`]: super::introspect

use super::catalog::{DbColumn, DbTable, SqlType};
use super::{Backend, Database, db_error, ident, read_catalog};
use crate::error::{Error, Result};
use crate::value::{Row, Value};
use sqlx::AssertSqlSafe;

/// Which rows [`read_table`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// PostgreSQL schema (default `public`) or MySQL database (default the
    /// URL's). Ignored for SQLite.
    pub schema: Option<String>,
    /// At most this many rows (all when `None`): fit a huge table on a
    /// bounded sample.
    pub limit: Option<u64>,
    /// With a `limit`: a uniform random sample (`ORDER BY random()`,
    /// `RAND()` on MySQL) instead of the first rows in storage order. The
    /// server still scans the whole table once (keeping only the `limit`
    /// best rows), and the sample differs from run to run. Without it the
    /// first rows are cheap but may be biased (oldest rows first).
    pub random: bool,
}

impl ReadOptions {
    /// Reads at most `limit` rows.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Picks the rows at random (see [`ReadOptions::random`]).
    pub fn random(mut self, random: bool) -> Self {
        self.random = random;
        self
    }

    /// Reads from this PostgreSQL schema or MySQL database.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }
}

/// Reads the rows of `table`: its column names in table order and one
/// [`Row`] per database row.
///
/// Types become values as elsewhere in syda: integers `Int` (an unsigned
/// 64-bit value beyond `i64` stays text), floats `Float`, booleans `Bool`
/// (MySQL `tinyint(1)` included), numeric/decimal canonical text (exact;
/// the statistical engine reads it as a number), dates, times, date-times
/// and UUIDs canonical text, `json`/`jsonb` and arrays `Json`, enums and
/// other text `Text`. Binary columns (`bytea`, `BLOB`, `VARBINARY`) become
/// lowercase hex text — kept so the row shape matches the table, though
/// they carry little a model can learn.
///
/// A table that does not exist is an error naming it and the tables that do.
pub async fn read_table(
    db: &Database,
    table: &str,
    options: &ReadOptions,
) -> Result<(Vec<String>, Vec<Row>)> {
    let found = find_table(db, table, options.schema.as_deref()).await?;
    let backend = db.backend();
    let sql = select_sql(backend, &found, options);
    let context = || format!("reading table `{table}`");
    let columns = &found.columns;
    let dynamic: Vec<bool> = columns
        .iter()
        .map(|c| backend == Backend::Sqlite && sqlite_untyped(c))
        .collect();
    let texts = match db {
        Database::Postgres(pool) => fetch_texts(
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .persistent(false)
                .fetch_all(pool)
                .await,
            columns.len(),
        ),
        Database::MySql(pool) => fetch_texts(
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .persistent(false)
                .fetch_all(pool)
                .await,
            columns.len(),
        ),
        Database::Sqlite(pool) => fetch_texts(
            sqlx::query(AssertSqlSafe(sql.as_str()))
                .persistent(false)
                .fetch_all(pool)
                .await,
            columns.len(),
        ),
    }
    .map_err(|e| db_error(context(), e))?;
    let rows = texts
        .into_iter()
        .map(|texts| {
            texts
                .into_iter()
                .zip(columns.iter().zip(&dynamic))
                .map(|(text, (column, &dynamic))| match text {
                    Some(text) if dynamic => Ok(dynamic_value(text)),
                    text => decode(text, column, table),
                })
                .collect::<Result<Row>>()
        })
        .collect::<Result<Vec<Row>>>()?;
    Ok((columns.iter().map(|c| c.name.clone()).collect(), rows))
}

/// The catalog entry of `table`, or an error naming it and listing the others.
pub(crate) async fn find_table(db: &Database, table: &str, schema: Option<&str>) -> Result<DbTable> {
    let tables = read_catalog(db, schema).await?;
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    tables.into_iter().find(|t| t.name == table).ok_or_else(|| {
        let place = match (db.backend(), schema) {
            (Backend::Sqlite, _) => "the SQLite database".to_owned(),
            (Backend::Postgres, s) => format!("PostgreSQL schema `{}`", s.unwrap_or("public")),
            (Backend::MySql, Some(s)) => format!("MySQL database `{s}`"),
            (Backend::MySql, None) => "the URL's MySQL database".to_owned(),
        };
        Error::Database {
            source: None,
            context: format!("reading table `{table}`"),
            message: format!(
                "no table `{table}` in {place}; tables there: {}",
                if names.is_empty() {
                    "(none)".to_owned()
                } else {
                    names.join(", ")
                }
            ),
        }
    })
}

fn fetch_texts<R: sqlx::Row>(
    rows: std::result::Result<Vec<R>, sqlx::Error>,
    width: usize,
) -> std::result::Result<Vec<Vec<Option<String>>>, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    rows?
        .iter()
        .map(|row| (0..width).map(|i| row.try_get::<Option<String>, _>(i)).collect())
        .collect()
}

/// `SELECT` of every column of `table` as canonical text.
fn select_sql(backend: Backend, table: &DbTable, options: &ReadOptions) -> String {
    let list: Vec<String> = table.columns.iter().map(|c| text_expr(backend, c)).collect();
    let mut sql = format!("SELECT {} FROM {}", list.join(", "), table.qualified(backend));
    if let Some(limit) = options.limit {
        if options.random {
            sql.push_str(match backend {
                Backend::MySql => " ORDER BY RAND()",
                Backend::Postgres | Backend::Sqlite => " ORDER BY random()",
            });
        }
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    sql
}

/// The server-side expression that renders `column` as canonical text.
fn text_expr(backend: Backend, column: &DbColumn) -> String {
    let c = ident::quote(backend, &column.name);
    match backend {
        Backend::Postgres => match &column.ty {
            SqlType::Date => format!("to_char({c}, 'YYYY-MM-DD')"),
            SqlType::Timestamp if column.sql.contains("with time zone") => {
                format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
            }
            SqlType::Timestamp => format!("to_char({c}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"),
            SqlType::Array(_) => format!("array_to_json({c})::text"),
            SqlType::Bytes => format!("encode({c}, 'hex')"),
            // `$1,234.56` in the server's locale otherwise.
            SqlType::Decimal { .. } if column.sql == "money" => format!("{c}::numeric::text"),
            _ => format!("{c}::text"),
        },
        // CAST … AS CHAR everywhere: some functions return binary strings.
        Backend::MySql => match &column.ty {
            SqlType::Date => format!("CAST(DATE_FORMAT({c}, '%Y-%m-%d') AS CHAR)"),
            SqlType::Timestamp => format!("CAST(DATE_FORMAT({c}, '%Y-%m-%dT%H:%i:%s') AS CHAR)"),
            SqlType::Bytes => format!("CAST(LOWER(HEX({c})) AS CHAR)"),
            _ => format!("CAST({c} AS CHAR)"),
        },
        // SQLite stores what it was given (dates are already text), and any
        // column may hold a blob: decide per value. Its text form of a REAL
        // keeps 15 digits; 17 make every double exact.
        Backend::Sqlite if matches!(column.ty, SqlType::Float) || sqlite_untyped(column) => format!(
            "CASE typeof({c}) WHEN 'blob' THEN lower(hex({c})) WHEN 'real' THEN printf('%!.17g', {c}) \
             ELSE CAST({c} AS TEXT) END"
        ),
        Backend::Sqlite => {
            format!("CASE typeof({c}) WHEN 'blob' THEN lower(hex({c})) ELSE CAST({c} AS TEXT) END")
        }
    }
}

/// An SQLite column declared without a (known) type: it holds whatever was
/// stored, so numbers come back as numbers.
fn sqlite_untyped(column: &DbColumn) -> bool {
    match &column.ty {
        SqlType::Other(_) => true,
        SqlType::Bytes => !column.sql.to_ascii_uppercase().contains("BLOB"),
        _ => false,
    }
}

/// A value of an untyped SQLite column: a number when it reads as one.
fn dynamic_value(text: String) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        Value::Int(i)
    } else if let Ok(x) = text.parse::<f64>() {
        Value::Float(x)
    } else {
        Value::Text(text)
    }
}

/// The value of one cell, from its canonical text and catalog type.
fn decode(text: Option<String>, column: &DbColumn, table: &str) -> Result<Value> {
    let Some(text) = text else {
        return Ok(Value::Null);
    };
    Ok(match &column.ty {
        t if t.is_integer() || *t == SqlType::Year => {
            text.trim().parse::<i64>().map_or(Value::Text(text), Value::Int)
        }
        SqlType::Bool => match text.trim() {
            "t" | "true" | "TRUE" | "1" => Value::Bool(true),
            "f" | "false" | "FALSE" | "0" => Value::Bool(false),
            _ => Value::Text(text),
        },
        SqlType::Float => text.trim().parse::<f64>().map_or(Value::Text(text), Value::Float),
        SqlType::Json | SqlType::Array(_) => {
            Value::Json(serde_json::from_str(&text).map_err(|e| Error::Database {
                context: format!("reading table `{table}`"),
                message: format!(
                    "column `{}` ({}) holds invalid JSON: {e}",
                    column.name, column.sql
                ),
                source: Some(e.into()),
            })?)
        }
        _ => Value::Text(text),
    })
}

/// Every row of every table of `schema`, read from `db` into a
/// [`Dataset`](crate::Dataset) in the schema's column order, so
/// [`check`](crate::check::check) can test the live rows against it (foreign
/// keys, uniques, NOT NULL, types, ranges, patterns). Database columns the
/// schema does not name are left out; a schema column the table lacks is an
/// error naming both. All rows are held in memory.
pub async fn read_dataset(
    db: &Database,
    schema: &crate::Schema,
    db_schema: Option<&str>,
) -> Result<crate::Dataset> {
    let options = ReadOptions {
        schema: db_schema.map(str::to_owned),
        limit: None,
        random: false,
    };
    let mut tables = Vec::with_capacity(schema.tables.len());
    for table in &schema.tables {
        let (names, rows) = read_table(db, &table.name, &options).await?;
        let positions: Vec<usize> = table
            .columns
            .iter()
            .map(|c| {
                names
                    .iter()
                    .position(|n| *n == c.name)
                    .ok_or_else(|| Error::Database {
                        source: None,
                        context: format!("reading table `{}`", table.name),
                        message: format!("the schema's column `{}` is not in the database table", c.name),
                    })
            })
            .collect::<Result<_>>()?;
        tables.push(
            rows.into_iter()
                .map(|row| positions.iter().map(|&i| row[i].clone()).collect())
                .collect(),
        );
    }
    crate::Dataset::from_tables(schema.clone(), tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, ty: SqlType, sql: &str) -> DbColumn {
        DbColumn {
            name: name.into(),
            ty,
            sql: sql.into(),
            nullable: true,
            has_default: false,
            auto: false,
            comment: None,
            sequence: None,
            filled_by_db: None,
            byte_length: None,
        }
    }

    #[test]
    fn decodes_by_catalog_type() {
        let int = column("n", SqlType::BigInt, "bigint");
        assert_eq!(decode(Some("42".into()), &int, "t").unwrap(), Value::Int(42));
        assert_eq!(
            decode(Some("18446744073709551615".into()), &int, "t").unwrap(),
            Value::Text("18446744073709551615".into())
        );
        let flag = column("b", SqlType::Bool, "boolean");
        assert_eq!(decode(Some("t".into()), &flag, "t").unwrap(), Value::Bool(true));
        assert_eq!(decode(Some("0".into()), &flag, "t").unwrap(), Value::Bool(false));
        let x = column("x", SqlType::Float, "real");
        assert_eq!(decode(Some("1.1".into()), &x, "t").unwrap(), Value::Float(1.1));
        assert_eq!(decode(None, &x, "t").unwrap(), Value::Null);
        let j = column("j", SqlType::Json, "jsonb");
        assert_eq!(
            decode(Some("{\"a\":[1]}".into()), &j, "t").unwrap(),
            Value::Json(serde_json::json!({"a": [1]}))
        );
        let err = decode(Some("{oops".into()), &j, "events")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`events`") && err.contains("`j`"), "{err}");
    }

    #[test]
    fn sampling_sql_per_backend() {
        let table = DbTable {
            schema: "s".into(),
            name: "we\"ird`t".into(),
            comment: None,
            columns: vec![column("d", SqlType::Date, "date")],
            primary_key: vec![],
            unique: vec![],
            foreign_keys: vec![],
            checks: vec![],
            patterns: vec![],
            filled_by_trigger: None,
            trigger_targets: vec![],
        };
        let all = select_sql(Backend::Postgres, &table, &ReadOptions::default());
        assert_eq!(
            all,
            "SELECT to_char(\"d\", 'YYYY-MM-DD') FROM \"s\".\"we\"\"ird`t\""
        );
        let sample = select_sql(
            Backend::MySql,
            &table,
            &ReadOptions::default().limit(10).random(true),
        );
        assert!(
            sample.ends_with("FROM `s`.`we\"ird``t` ORDER BY RAND() LIMIT 10"),
            "{sample}"
        );
        let first = select_sql(Backend::Sqlite, &table, &ReadOptions::default().limit(3));
        assert!(
            first.ends_with(" LIMIT 3") && !first.contains("random"),
            "{first}"
        );
    }
}
