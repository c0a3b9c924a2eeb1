//! Live databases: read a PostgreSQL, MySQL/MariaDB or SQLite schema from its
//! catalogs, and fill it with generated rows, fast and atomically.
//!
//! Enabled by the `db` cargo feature (sqlx with tokio and rustls).
//!
//! - [`introspect`] turns tables, columns, types, keys, simple CHECK
//!   constraints and comments into a [`Schema`] that [`Schema::to_yaml`]
//!   writes as an editable schema file.
//! - [`read_table`] reads a table's rows back as [`Value`](crate::Value)s
//!   (all, the first `n` or a random sample of `n`), for fitting the
//!   statistical engine to them.
//! - [`seed`] generates every table in foreign-key order with the
//!   [`Planner`](crate::plan::Planner) and loads it with the fastest safe
//!   path of the backend — PostgreSQL `COPY … FROM STDIN` (CSV), MySQL
//!   multi-row `INSERT` with bound parameters, SQLite prepared multi-row
//!   `INSERT`s — all in one transaction: on any error nothing is left.
//!
//! ```no_run
//! use syda::db::{Database, IntrospectOptions, PlanConfig, SeedOptions};
//! use syda::engine::OfflineEngine;
//!
//! # async fn run() -> syda::Result<()> {
//! let db = Database::connect("postgres://postgres@127.0.0.1/shop").await?;
//! let schema = syda::db::introspect(&db, &IntrospectOptions::default()).await?;
//! println!("{}", schema.to_yaml());
//! let plan = PlanConfig::rows(1000).size("orders", 5000);
//! let report = syda::db::seed(&db, &schema, &plan, &OfflineEngine::new(), &SeedOptions::default()).await?;
//! println!("{report}");
//! # Ok(()) }
//! ```
//!
//! # Keys the database would assign
//!
//! Identity, serial and AUTO_INCREMENT keys are generated explicitly, not
//! read back: a sole integer primary key counts up from one past the
//! largest key already in the table (from 1 after `truncate`), so children
//! can reference parents while both stream through COPY. Afterwards the
//! PostgreSQL sequence is moved past the new keys with `setval` (MySQL and
//! SQLite advance their counters themselves), so the application's own
//! inserts keep working.

mod catalog;
mod check;
mod encode;
mod fill;
pub mod ident;
mod load;
mod mysql;
mod postgres;
mod read;
mod seed;
mod sqlite;

use std::fmt;

pub use load::PgLoad;
pub use read::{ReadOptions, read_dataset, read_table};
pub use seed::{PlanConfig, Progress, SeedOptions, SeedReport, TableReport, load, seed};

use crate::error::{Error, Result};
use crate::schema::Schema;

/// How long [`Database::connect`] keeps trying an unreachable server.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Which kind of server a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
}

/// The script dialect of a live backend: one quoting rule for both.
impl From<Backend> for crate::output::Dialect {
    fn from(backend: Backend) -> Self {
        match backend {
            Backend::Postgres => crate::output::Dialect::Postgres,
            Backend::MySql => crate::output::Dialect::MySql,
            Backend::Sqlite => crate::output::Dialect::Sqlite,
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Postgres => "PostgreSQL",
            Backend::MySql => "MySQL",
            Backend::Sqlite => "SQLite",
        })
    }
}

/// A connection pool to one database. Cheap to clone; share it with the
/// rest of an application (build it from your own sqlx pool with `From`).
#[derive(Debug, Clone)]
pub enum Database {
    /// A PostgreSQL pool.
    Postgres(sqlx::PgPool),
    /// A MySQL / MariaDB pool.
    MySql(sqlx::MySqlPool),
    /// An SQLite pool.
    Sqlite(sqlx::SqlitePool),
}

impl From<sqlx::PgPool> for Database {
    fn from(pool: sqlx::PgPool) -> Database {
        Database::Postgres(pool)
    }
}

impl From<sqlx::MySqlPool> for Database {
    fn from(pool: sqlx::MySqlPool) -> Database {
        Database::MySql(pool)
    }
}

impl From<sqlx::SqlitePool> for Database {
    fn from(pool: sqlx::SqlitePool) -> Database {
        Database::Sqlite(pool)
    }
}

impl Database {
    /// Connects to `postgres://…` (or `postgresql://`), `mysql://…`
    /// (also `mariadb://`) or `sqlite:path` (the file must exist).
    pub async fn connect(url: &str) -> Result<Database> {
        let context = || format!("connecting to {}", redact(url));
        let fail = |e: sqlx::Error| Error::Database {
            source: None,
            context: context(),
            message: e.to_string(),
        };
        let scheme = url.split(':').next().unwrap_or_default().to_ascii_lowercase();
        match scheme.as_str() {
            "postgres" | "postgresql" => Ok(Database::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect(url)
                    .await
                    .map_err(fail)?,
            )),
            "mysql" | "mariadb" => {
                let url = url.replacen("mariadb:", "mysql:", 1);
                Ok(Database::MySql(
                    sqlx::mysql::MySqlPoolOptions::new()
                        .max_connections(2)
                        .acquire_timeout(CONNECT_TIMEOUT)
                        .connect(&url)
                        .await
                        .map_err(fail)?,
                ))
            }
            "sqlite" => {
                use std::str::FromStr;
                // Foreign keys are enforced (sqlx's default, stated here
                // because the load relies on it).
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                    .map_err(fail)?
                    .foreign_keys(true);
                Ok(Database::Sqlite(
                    sqlx::sqlite::SqlitePoolOptions::new()
                        .max_connections(1)
                        .connect_with(options)
                        .await
                        .map_err(fail)?,
                ))
            }
            _ => Err(Error::Database {
                source: None,
                context: context(),
                message: "unknown database URL scheme; use postgres://, mysql:// (mariadb://) or sqlite:"
                    .to_owned(),
            }),
        }
    }

    /// The kind of server.
    pub fn backend(&self) -> Backend {
        match self {
            Database::Postgres(_) => Backend::Postgres,
            Database::MySql(_) => Backend::MySql,
            Database::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Closes the pool's connections.
    pub async fn close(&self) {
        match self {
            Database::Postgres(p) => p.close().await,
            Database::MySql(p) => p.close().await,
            Database::Sqlite(p) => p.close().await,
        }
    }
}

/// Which tables [`introspect`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntrospectOptions {
    /// PostgreSQL schema (default `public`) or MySQL database (default the
    /// URL's). Ignored for SQLite.
    pub schema: Option<String>,
    /// Only tables matching one of these globs (`*`, `?`); all when empty.
    pub include: Vec<String>,
    /// Leave out tables matching any of these globs.
    pub exclude: Vec<String>,
}

/// Reads the schema of the selected tables from the database's catalogs:
/// columns and types (PostgreSQL enums and MySQL ENUMs become `one_of`,
/// `varchar(n)` `max_length`, arrays `json`), nullability, primary, unique
/// and foreign keys (composite and self-referencing), simple CHECK
/// constraints (`range` / `one_of`) and table and column comments (`doc`).
///
/// A foreign key to a table that is not selected is an error naming both.
pub async fn introspect(db: &Database, options: &IntrospectOptions) -> Result<Schema> {
    Ok(introspect_with_notes(db, options).await?.schema)
}

/// A schema read from a database, and what was left to the database.
#[derive(Debug, Clone, PartialEq)]
pub struct Introspection {
    /// The tables and columns to seed.
    pub schema: Schema,
    /// One line per table or column the database fills itself and that
    /// is therefore left out: tables a trigger inserts into, generated
    /// columns, columns a BEFORE INSERT trigger sets.
    pub notes: Vec<String>,
}

/// [`introspect`], with a note for each table and column left out because
/// the database fills it (a trigger's target table, a generated column, a
/// column a BEFORE trigger sets). Views and materialized views are never read.
pub async fn introspect_with_notes(db: &Database, options: &IntrospectOptions) -> Result<Introspection> {
    let tables = catalog::select(read_catalog(db, options.schema.as_deref()).await?, options);
    let (tables, notes) = catalog::leave_to_database(tables);
    let schema = catalog::to_schema(&tables, &format!("{} catalog", db.backend()))?;
    Ok(Introspection { schema, notes })
}

/// Every table of one schema as the catalogs describe it.
async fn read_catalog(db: &Database, schema: Option<&str>) -> Result<Vec<catalog::DbTable>> {
    match db {
        Database::Postgres(pool) => postgres::read_catalog(pool, schema.unwrap_or("public")).await,
        Database::MySql(pool) => mysql::read_catalog(pool, schema).await,
        Database::Sqlite(pool) => sqlite::read_catalog(pool).await,
    }
}

/// Blocking forms of [`introspect`], [`seed`] and [`read_table`], for programs without an
/// async runtime. Each call runs on a private tokio runtime.
pub mod blocking {
    use super::*;
    use crate::engine::Engine;
    use crate::value::Row;

    /// A private multi-threaded runtime for one blocking call.
    pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Error::Database {
                context: "starting the async runtime".to_owned(),
                message: e.to_string(),
                source: Some(e.into()),
            })
    }

    /// [`super::introspect`] of the database at `url`.
    pub fn introspect(url: &str, options: &IntrospectOptions) -> Result<Schema> {
        runtime()?.block_on(async {
            let db = Database::connect(url).await?;
            let schema = super::introspect(&db, options).await;
            db.close().await;
            schema
        })
    }

    /// [`super::introspect_with_notes`] of the database at `url`.
    pub fn introspect_with_notes(url: &str, options: &IntrospectOptions) -> Result<Introspection> {
        runtime()?.block_on(async {
            let db = Database::connect(url).await?;
            let schema = super::introspect_with_notes(&db, options).await;
            db.close().await;
            schema
        })
    }

    /// [`super::seed`] into the database at `url`.
    pub fn seed<E: Engine + Send + Sync + 'static>(
        url: &str,
        schema: &Schema,
        plan: &PlanConfig,
        engine: &E,
        options: &SeedOptions,
    ) -> Result<SeedReport> {
        runtime()?.block_on(async {
            let db = Database::connect(url).await?;
            let report = super::seed(&db, schema, plan, engine, options).await;
            db.close().await;
            report
        })
    }

    /// [`super::read_dataset`] of the database at `url`.
    pub fn read_dataset(url: &str, schema: &Schema, db_schema: Option<&str>) -> Result<crate::Dataset> {
        runtime()?.block_on(async {
            let db = Database::connect(url).await?;
            let data = super::read_dataset(&db, schema, db_schema).await;
            db.close().await;
            data
        })
    }

    /// [`super::read_table`] of the database at `url`.
    pub fn read_table(url: &str, table: &str, options: &ReadOptions) -> Result<(Vec<String>, Vec<Row>)> {
        runtime()?.block_on(async {
            let db = Database::connect(url).await?;
            let rows = super::read_table(&db, table, options).await;
            db.close().await;
            rows
        })
    }
}

/// The tables of `schema` that `include` globs pick (all when empty) and
/// `exclude` globs do not drop, for schemas read from a file. A kept table
/// whose foreign key points at a dropped one is an error naming both.
pub fn select_tables(schema: &Schema, include: &[String], exclude: &[String]) -> Result<Schema> {
    if include.is_empty() && exclude.is_empty() {
        return Ok(schema.clone());
    }
    let kept: Vec<crate::schema::Table> = schema
        .tables
        .iter()
        .filter(|t| ident::selected(&t.name, include, exclude))
        .cloned()
        .collect();
    let mut problems = Vec::new();
    for t in &kept {
        for fk in t.all_foreign_keys() {
            if !kept.iter().any(|k| k.name == fk.table) {
                problems.push(crate::error::Problem::column(
                    &t.name,
                    &fk.columns.join(", "),
                    format!(
                        "references `{}`, which --include/--exclude leave out; keep it or leave out this table too",
                        fk.table
                    ),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::InvalidSchema {
            origin: "tables picked by --include/--exclude".to_owned(),
            problems,
        });
    }
    Ok(Schema::new(kept))
}

/// `url` without its password, for messages ([`crate::seed::redact_url`]).
pub fn redact(url: &str) -> String {
    crate::seed::redact_url(url)
}

/// A database error with PostgreSQL's detail, hint, context, column and
/// constraint where the server gave them.
pub(crate) fn db_error(context: impl Into<String>, err: sqlx::Error) -> Error {
    let mut message = err.to_string();
    if let sqlx::Error::Database(db) = &err {
        message = db.message().to_owned();
        if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
            if let Some(detail) = pg.detail() {
                message.push_str(&format!("; {detail}"));
            }
            if let Some(hint) = pg.hint() {
                message.push_str(&format!("; hint: {hint}"));
            }
            if let Some(column) = pg.column() {
                message.push_str(&format!(" (column `{column}`)"));
            }
            if let Some(constraint) = pg.constraint() {
                message.push_str(&format!(" (constraint `{constraint}`)"));
            }
            if let Some(place) = pg.r#where() {
                message.push_str(&format!(" [{place}]"));
            }
        }
        if let Some(code) = db.code() {
            message.push_str(&format!(" (code {code})"));
        }
    }
    Error::Database {
        context: context.into(),
        message,
        source: Some(err.into()),
    }
}
