//! Seeding real databases through Diesel: a whole schema in foreign-key
//! order ([`seed_schema`], [`seed_planned`], [`seed_url`]) or one typed
//! table ([`seed()`]).

mod backend;
mod typed;

mod sink;

use syda::engine::Engine;
use syda::plan::{DEFAULT_ROWS, Planner};
use syda::seed::RunOptions;
use syda::{DataType, Schema, Value};

pub use backend::{Backend, Bind, DbColumn, Dialect};
pub use syda::seed::{SeedReport, TableReport};
pub use typed::{InsertRows, seed, seed_with};

use self::sink::DieselSink;
use crate::Error;

/// A Diesel connection syda can seed: `PgConnection`, `SqliteConnection`
/// or `MysqlConnection` (each behind its feature). A pooled connection
/// derefs to one: pass `&mut *pooled`.
pub trait SeedConnection: Dialect {}

impl<C: Dialect> SeedConnection for C {}

/// The most rows one INSERT carries, whatever the bind limit allows: larger
/// statements stop paying off and cost memory.
const MAX_BATCH_ROWS: usize = 1_000;

/// How many rows each table gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes {
    /// Rows for every table without its own size.
    pub rows: u64,
    /// Per-table sizes, by table name.
    pub tables: Vec<(String, u64)>,
}

impl Default for Sizes {
    fn default() -> Sizes {
        Sizes::new(DEFAULT_ROWS)
    }
}

impl Sizes {
    /// `rows` rows in every table.
    pub fn new(rows: u64) -> Sizes {
        Sizes {
            rows,
            tables: Vec::new(),
        }
    }

    /// `rows` rows in `table`.
    pub fn size(mut self, table: impl Into<String>, rows: u64) -> Sizes {
        self.tables.push((table.into(), rows));
        self
    }

    /// Parses a `table=N` size, as the command line writes it.
    ///
    /// ```
    /// assert_eq!(syda_diesel::Sizes::parse_size("users=20")?, ("users".to_owned(), 20));
    /// assert!(syda_diesel::Sizes::parse_size("users").is_err());
    /// # Ok::<(), syda_diesel::Error>(())
    /// ```
    pub fn parse_size(spec: &str) -> Result<(String, u64), Error> {
        let bad = || Error::Seed {
            table: None,
            message: format!("size `{spec}`: expected TABLE=ROWS, e.g. `users=20`"),
        };
        let (table, rows) = spec.split_once('=').ok_or_else(bad)?;
        let rows = rows.trim().parse::<u64>().map_err(|_| bad())?;
        if table.trim().is_empty() {
            return Err(bad());
        }
        Ok((table.trim().to_owned(), rows))
    }

    /// A planner for `schema` with these sizes; a size for a table the
    /// schema lacks is an error naming it.
    pub fn planner<'s>(&self, schema: &'s Schema) -> Result<Planner<'s>, Error> {
        let mut planner = Planner::new(schema).rows(self.rows);
        for (table, rows) in &self.tables {
            if schema.table(table).is_none() {
                let known: Vec<&str> = schema.tables.iter().map(|t| t.name.as_ref()).collect();
                return Err(Error::Seed {
                    table: Some(table.clone()),
                    message: format!(
                        "a size is given but the schema has no such table; tables: {}",
                        known.join(", ")
                    ),
                });
            }
            planner = planner.size(table, *rows);
        }
        Ok(planner)
    }
}

/// Tuning for [`seed_planned`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeedOptions {
    /// Rows per INSERT statement; `None` fits as many as the database's bind
    /// limit allows (up to 1000). `Some(1)` inserts row by row.
    pub batch_size: Option<usize>,
}

impl SeedOptions {
    /// The defaults: batches as large as the bind limit allows.
    pub fn new() -> SeedOptions {
        SeedOptions::default()
    }

    /// At most `rows` rows per INSERT (at least one).
    pub fn batch_size(mut self, rows: usize) -> SeedOptions {
        self.batch_size = Some(rows.max(1));
        self
    }
}

/// Generates every table of `schema` in foreign-key order and inserts it
/// through `conn` in one transaction. See [`seed_planned`].
///
/// ```no_run
/// use diesel::Connection;
/// use syda::engine::OfflineEngine;
///
/// let schema = syda_diesel::schema_from_file("src/schema.rs")?;
/// let mut conn = diesel::SqliteConnection::establish("blog.sqlite").expect("database");
/// let sizes = syda_diesel::Sizes::new(50).size("users", 10);
/// let report = syda_diesel::seed_schema(&mut conn, &schema, &sizes, &OfflineEngine::new().with_seed(7))?;
/// println!("{} rows", report.total_rows());
/// # Ok::<(), syda_diesel::Error>(())
/// ```
pub fn seed_schema<C: SeedConnection, E: Engine>(
    conn: &mut C,
    schema: &Schema,
    sizes: &Sizes,
    engine: &E,
) -> Result<SeedReport, Error> {
    seed_planned(conn, &sizes.planner(schema)?, engine, &SeedOptions::new())
}

/// Generates every table the planner covers and inserts it through `conn`.
///
/// - **One transaction.** Any error — a generator, a constraint, a type the
///   database refuses — rolls everything back: no table keeps a row.
/// - **Batched, bound.** Multi-row `INSERT … VALUES (…), (…)` with every
///   value a bound parameter typed from the column's [`DataType`]
///   (`BigInt`, `Double`, `Bool`, else `Text`), as many rows per statement
///   as the bind limit allows (PostgreSQL and MySQL 65 535, SQLite 32 766,
///   or 999 before 3.32). On PostgreSQL each parameter is cast to the
///   column's declared type, so dates, UUIDs, JSON and enum labels land in
///   their own types.
/// - **Keys are explicit.** Generated integer primary keys are inserted as
///   they are and foreign keys point at them, so every reference is to a
///   row actually inserted. A table that already has rows gets keys from
///   past its largest key ([`TableReport::first_key`]), within the column's
///   type (a table whose default size its key type cannot hold is cut, with
///   a note in the report).
///   Afterwards PostgreSQL sequences (serial and identity columns) are set
///   to the largest key, so the application's own inserts go on from
///   there; MySQL's AUTO_INCREMENT and SQLite's rowid follow explicit keys
///   by themselves. `GENERATED ALWAYS` identity columns are written with
///   `OVERRIDING SYSTEM VALUE`.
/// - **Cycles.** A foreign key the planner defers to break a cycle
///   ([`syda::plan::DeferredKey`]) is inserted NULL and set by an UPDATE
///   once both tables exist. A cycle of NOT NULL foreign keys is inserted
///   with the checks relaxed inside the transaction: PostgreSQL defers
///   them to the commit (the constraint must be `DEFERRABLE`; one that is
///   not is an error naming the column before anything is inserted),
///   SQLite too (`PRAGMA defer_foreign_keys`), MySQL and MariaDB turn them
///   off and check every foreign key by query before the commit (and turn
///   them back on, on rollback too).
///
/// The decisions are syda's seeding core ([`syda::seed`]); this crate is
/// its Diesel sink.
///
/// SQLite checks foreign keys only with `PRAGMA foreign_keys = ON` (set it
/// before seeding if the connection should); the data is consistent either
/// way.
pub fn seed_planned<C: SeedConnection, E: Engine>(
    conn: &mut C,
    planner: &Planner<'_>,
    engine: &E,
    options: &SeedOptions,
) -> Result<SeedReport, Error> {
    let mut sink = DieselSink::new(conn, options.batch_size)?;
    syda::seed::run(&mut sink, planner, engine, &RunOptions::default())
}

/// Connects to `url` and seeds `schema` there: `postgres://` or
/// `postgresql://`, `mysql://` (MySQL and MariaDB), else SQLite (a file
/// path, `sqlite://path` or `file:path`; `:memory:` works but is gone when
/// the connection closes). This is what `syda seed --diesel` runs.
pub fn seed_url<E: Engine>(
    url: &str,
    schema: &Schema,
    sizes: &Sizes,
    engine: &E,
) -> Result<SeedReport, Error> {
    let planner = sizes.planner(schema)?;
    seed_url_planned(url, &planner, engine, &SeedOptions::new())
}

/// [`seed_url`] with a configured planner and options.
pub fn seed_url_planned<E: Engine>(
    url: &str,
    planner: &Planner<'_>,
    engine: &E,
    options: &SeedOptions,
) -> Result<SeedReport, Error> {
    match scheme(url) {
        Scheme::Postgres => {
            #[cfg(feature = "postgres")]
            {
                let mut conn = establish::<diesel::PgConnection>(url)?;
                seed_planned(&mut conn, planner, engine, options)
            }
            #[cfg(not(feature = "postgres"))]
            Err(missing_feature(url, "postgres"))
        }
        Scheme::Mysql => {
            #[cfg(feature = "mysql")]
            {
                let mut conn = establish::<diesel::MysqlConnection>(url)?;
                seed_planned(&mut conn, planner, engine, options)
            }
            #[cfg(not(feature = "mysql"))]
            Err(missing_feature(url, "mysql"))
        }
        Scheme::Sqlite(path) => {
            #[cfg(feature = "sqlite")]
            {
                let mut conn = establish::<diesel::SqliteConnection>(path)?;
                seed_planned(&mut conn, planner, engine, options)
            }
            #[cfg(not(feature = "sqlite"))]
            {
                let _ = path;
                Err(missing_feature(url, "sqlite"))
            }
        }
    }
}

enum Scheme<'a> {
    Postgres,
    Mysql,
    Sqlite(&'a str),
}

fn scheme(url: &str) -> Scheme<'_> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Scheme::Postgres
    } else if url.starts_with("mysql://") {
        Scheme::Mysql
    } else {
        Scheme::Sqlite(url.strip_prefix("sqlite://").unwrap_or(url))
    }
}

/// Opens a Diesel connection; the error names the URL without its password.
pub fn establish<C: diesel::Connection>(url: &str) -> Result<C, Error> {
    C::establish(url).map_err(|source| Error::Connect {
        url: syda::seed::redact_url(url),
        source,
    })
}

#[allow(dead_code)] // unused when every backend feature is on
fn missing_feature(url: &str, feature: &str) -> Error {
    Error::Seed {
        table: None,
        message: format!(
            "{}: syda-diesel was built without its `{feature}` feature",
            syda::seed::redact_url(url)
        ),
    }
}

/// `head` followed by `rows` groups of placeholders.
fn values_sql(backend: Backend, head: &str, pg_types: &[String], rows: usize) -> String {
    let width = pg_types.len();
    let mut sql = String::with_capacity(head.len() + rows * width * 8);
    sql.push_str(head);
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for (c, ty) in pg_types.iter().enumerate() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&placeholder(
                backend,
                Some(ty).filter(|t| !t.is_empty()).map(String::as_str),
                n,
            ));
        }
        sql.push(')');
    }
    sql
}

/// Parameter `n`, cast to the column's declared type on PostgreSQL (the
/// bound value is BIGINT, DOUBLE, BOOL or TEXT; the cast makes it a date,
/// UUID, enum label, …).
fn placeholder(backend: Backend, pg_type: Option<&str>, n: usize) -> String {
    match (backend, pg_type) {
        (Backend::Postgres, Some(ty)) => format!("CAST(${n} AS {ty})"),
        _ => backend.placeholder(n),
    }
}

/// A value bound with the SQL type its column's [`DataType`] calls for.
pub(crate) fn to_bind(backend: Backend, ty: DataType, value: Value) -> Bind {
    match (ty, value) {
        (DataType::Integer, Value::Null) => Bind::Int(None),
        (DataType::Float, Value::Null) => Bind::Float(None),
        (DataType::Boolean, Value::Null) => Bind::Bool(None),
        (_, Value::Null) => Bind::Text(None),
        (DataType::Integer, Value::Int(i)) => Bind::Int(Some(i)),
        (DataType::Float, Value::Float(x)) => Bind::Float(Some(x)),
        #[allow(clippy::cast_precision_loss)]
        (DataType::Float, Value::Int(i)) => Bind::Float(Some(i as f64)),
        (DataType::Boolean, Value::Bool(b)) => Bind::Bool(Some(b)),
        (DataType::DateTime, Value::Text(s)) if backend != Backend::Postgres => {
            Bind::Text(Some(syda::seed::sql_datetime(&s).into_owned()))
        }
        (_, Value::Text(s)) => Bind::Text(Some(s)),
        (_, Value::Json(v)) => Bind::Text(Some(v.to_string())),
        (_, Value::Int(i)) => Bind::Text(Some(i.to_string())),
        (_, Value::Float(x)) => Bind::Text(Some(x.to_string())),
        (_, Value::Bool(b)) => Bind::Text(Some(b.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syda::Table;

    #[test]
    fn identifiers_are_quoted_per_backend() {
        assert_eq!(Backend::Postgres.quote(r#"we"ird"#), r#""we""ird""#);
        assert_eq!(Backend::Mysql.quote("a`b"), "`a``b`");
        assert_eq!(Backend::Sqlite.quote("order"), r#""order""#);
    }

    #[test]
    fn insert_sql_has_one_placeholder_per_value() {
        let head = "INSERT INTO t (a, b) VALUES ";
        let types = vec!["integer".to_owned(), "date".to_owned()];
        assert_eq!(
            values_sql(Backend::Postgres, head, &types, 2),
            "INSERT INTO t (a, b) VALUES (CAST($1 AS integer), CAST($2 AS date)), (CAST($3 AS integer), CAST($4 AS date))"
        );
        let untyped = vec![String::new(), String::new()];
        assert_eq!(
            values_sql(Backend::Mysql, head, &untyped, 2),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
    }

    #[test]
    fn values_bind_with_the_column_type() {
        assert_eq!(
            to_bind(Backend::Sqlite, DataType::Integer, Value::Null),
            Bind::Int(None)
        );
        assert_eq!(
            to_bind(Backend::Sqlite, DataType::Float, Value::Int(2)),
            Bind::Float(Some(2.0))
        );
        assert_eq!(
            to_bind(
                Backend::Mysql,
                DataType::DateTime,
                Value::Text("2024-05-06T07:08:09Z".into())
            ),
            Bind::Text(Some("2024-05-06 07:08:09".into()))
        );
        assert_eq!(
            to_bind(
                Backend::Postgres,
                DataType::DateTime,
                Value::Text("2024-05-06T07:08:09Z".into())
            ),
            Bind::Text(Some("2024-05-06T07:08:09Z".into()))
        );
        assert_eq!(
            to_bind(
                Backend::Postgres,
                DataType::Json,
                Value::Json(serde_json::json!({"a": 1}))
            ),
            Bind::Text(Some(r#"{"a":1}"#.into()))
        );
    }

    #[test]
    fn sizes_reject_unknown_tables() {
        let schema = Schema::new([Table::new("users")]);
        let e = Sizes::new(1)
            .size("ghosts", 3)
            .planner(&schema)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("table `ghosts`: a size is given but the schema has no such table; tables: users")
        );
    }
}
