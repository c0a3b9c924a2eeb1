//! Seeding real databases through Diesel: a whole schema in foreign-key
//! order ([`seed_schema`], [`seed_planned`], [`seed_url`]) or one typed
//! table ([`seed()`]).

mod backend;
mod typed;

use std::collections::{HashMap, HashSet};

use syda::engine::Engine;
use syda::plan::{DEFAULT_ROWS, DeferredKey, Planner};
use syda::{DataType, Row, Schema, Table, Value};

pub use backend::{Backend, Bind, DbColumn, Dialect};
pub use typed::{InsertRows, seed, seed_with};

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

/// What [`seed_schema`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SeedReport {
    /// Each table in insertion order.
    pub tables: Vec<TableReport>,
    /// Rows updated afterwards to fill foreign keys of table cycles.
    pub updated_rows: u64,
    /// INSERT statements run.
    pub statements: u64,
}

impl SeedReport {
    /// Rows inserted into `table`.
    pub fn rows(&self, table: &str) -> Option<u64> {
        self.tables.iter().find(|t| t.table == table).map(|t| t.rows)
    }

    /// Rows inserted in all.
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

/// One seeded table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableReport {
    /// Table name.
    pub table: String,
    /// Rows inserted.
    pub rows: u64,
    /// Added to the generated integer primary key (and to every foreign key
    /// pointing at it) because the table already had rows: its largest key.
    pub key_offset: i64,
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
///   row actually inserted. A table that already has rows gets its keys
///   shifted past its largest key, and every foreign key to it follows.
///   Afterwards PostgreSQL sequences (serial and identity columns) are set
///   to the largest key, so the application's own inserts go on from
///   there; MySQL's AUTO_INCREMENT and SQLite's rowid follow explicit keys
///   by themselves. `GENERATED ALWAYS` identity columns are written with
///   `OVERRIDING SYSTEM VALUE`.
/// - **Cycles.** A foreign key the planner defers to break a cycle
///   ([`DeferredKey`]) is inserted NULL and set by an UPDATE once both
///   tables exist.
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
    let order = planner.order()?;
    if let Some(key) = order.deferred.iter().find(|d| d.required) {
        return Err(syda::Error::Generate {
            table: key.table.clone(),
            column: key.columns.join(", "),
            message: format!(
                "closes a cycle of NOT NULL foreign keys (to `{}`), which this seeder inserts NULL first; \
                 seed it with syda::db (`syda seed`), which defers the checks, or make a column of the cycle nullable",
                key.parent
            ),
        }
        .into());
    }
    let backend = conn.backend();
    let max_binds = conn.max_binds().map_err(|source| Error::Database {
        table: None,
        action: "reading the bind limit".to_owned(),
        source,
    })?;
    conn.transaction(|conn| {
        let mut loader = Loader {
            backend,
            max_binds,
            batch_rows: options.batch_size,
            deferred: &order.deferred,
            inserted: HashSet::new(),
            waiting: Vec::new(),
            offsets: HashMap::new(),
            updates: Vec::new(),
            report: SeedReport::default(),
            failure: None,
        };
        let streamed = planner.stream(engine, |table, rows| loader.accept(conn, table, rows));
        if let Some(failure) = loader.failure.take() {
            return Err(failure);
        }
        streamed?;
        // Only reachable if a table waited on a parent that never came.
        for (table, rows) in std::mem::take(&mut loader.waiting) {
            loader.insert(conn, &table, &mut rows.into_iter().map(Ok))?;
        }
        loader.finish(conn)?;
        Ok(loader.report)
    })
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
        url: redact(url),
        source,
    })
}

#[allow(dead_code)] // unused when every backend feature is on
fn missing_feature(url: &str, feature: &str) -> Error {
    Error::Seed {
        table: None,
        message: format!(
            "{}: syda-diesel was built without its `{feature}` feature",
            redact(url)
        ),
    }
}

/// `url` with the password replaced by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// An UPDATE per row of a table, filling one deferred foreign key.
struct PendingUpdate {
    table: String,
    set: Vec<(String, DataType)>,
    key: Vec<(String, DataType)>,
    /// Per row: the foreign-key values, then the primary-key values.
    rows: Vec<(Vec<Value>, Vec<Value>)>,
    pg_types: HashMap<String, String>,
}

struct Loader<'o> {
    backend: Backend,
    max_binds: usize,
    batch_rows: Option<usize>,
    deferred: &'o [DeferredKey],
    inserted: HashSet<String>,
    /// Tables whose parents are not all in the database yet.
    waiting: Vec<(Table, Vec<Row>)>,
    /// (table, integer primary-key column) → what its keys were shifted by.
    offsets: HashMap<(String, String), i64>,
    updates: Vec<PendingUpdate>,
    report: SeedReport,
    /// The first database error; the planner only sees a stop signal.
    failure: Option<Error>,
}

/// How one column of a table is written.
struct ColumnPlan {
    ty: DataType,
    /// Added to integer values: the table's own key offset, or its parent's.
    shift: i64,
    /// Written NULL and filled by an UPDATE later.
    deferred: bool,
}

impl Loader<'_> {
    fn accept<C: SeedConnection>(
        &mut self,
        conn: &mut C,
        table: &Table,
        rows: &mut dyn Iterator<Item = syda::Result<Row>>,
    ) -> syda::Result<()> {
        let result = if self.ready(table) {
            self.insert(conn, table, rows)
                .and_then(|()| self.flush_waiting(conn))
        } else {
            let rows = rows.collect::<syda::Result<Vec<Row>>>()?;
            self.waiting.push((table.clone(), rows));
            Ok(())
        };
        result.map_err(|e| match e {
            Error::Generate(e) => e,
            other => {
                self.failure = Some(other);
                syda::Error::Io {
                    path: "<database>".into(),
                    source: std::io::Error::other("seeding stopped by a database error"),
                }
            }
        })
    }

    fn is_deferred(&self, table: &Table, columns: &[impl AsRef<str>]) -> bool {
        self.deferred.iter().any(|d| {
            d.table == table.name.as_ref()
                && d.columns.len() == columns.len()
                && d.columns.iter().zip(columns).all(|(a, b)| a == b.as_ref())
        })
    }

    /// Whether every parent `table` references at insert time is in.
    fn ready(&self, table: &Table) -> bool {
        table.all_foreign_keys().iter().all(|fk| {
            fk.table == table.name
                || self.is_deferred(table, &fk.columns)
                || self.inserted.contains(fk.table.as_ref())
        })
    }

    fn flush_waiting<C: SeedConnection>(&mut self, conn: &mut C) -> Result<(), Error> {
        while let Some(i) = self.waiting.iter().position(|(t, _)| self.ready(t)) {
            let (table, rows) = self.waiting.remove(i);
            self.insert(conn, &table, &mut rows.into_iter().map(Ok))?;
        }
        Ok(())
    }

    fn db_error(table: &Table, action: String) -> impl FnOnce(diesel::result::Error) -> Error {
        let table = table.name.to_string();
        move |source| Error::Database {
            table: Some(table),
            action,
            source,
        }
    }

    /// The table's own key offset: its largest integer primary key, if it
    /// has rows already.
    /// Returns the key column's index and the offset.
    fn own_offset<C: SeedConnection>(
        &mut self,
        conn: &mut C,
        table: &Table,
    ) -> Result<Option<(usize, i64)>, Error> {
        let mut pk = table.primary_key();
        let (Some(key), None) = (pk.next(), pk.next()) else {
            return Ok(None);
        };
        let Some(index) = table
            .column_index(&key.name)
            .filter(|_| key.ty == DataType::Integer)
        else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT {} AS v FROM {}",
            self.backend.max_as_bigint(&key.name),
            self.backend.quote(&table.name)
        );
        let max = conn.ints(&sql, Vec::new()).map_err(Self::db_error(
            table,
            format!("reading the largest `{}`", key.name),
        ))?;
        let offset = max.into_iter().next().flatten().unwrap_or(0).max(0);
        self.offsets
            .insert((table.name.to_string(), key.name.to_string()), offset);
        Ok(Some((index, offset)))
    }

    fn insert<C: SeedConnection>(
        &mut self,
        conn: &mut C,
        table: &Table,
        rows: &mut dyn Iterator<Item = syda::Result<Row>>,
    ) -> Result<(), Error> {
        let backend = self.backend;
        let name = table.name.to_string();
        let mut pg_types = HashMap::new();
        let mut overriding = false;
        if backend == Backend::Postgres {
            let columns = conn
                .columns(&name)
                .map_err(Self::db_error(table, "reading its columns".to_owned()))?;
            if columns.is_empty() {
                return Err(Error::Seed {
                    table: Some(name),
                    message: "not found in the database: create it (run the migrations) first".to_owned(),
                });
            }
            for c in columns {
                overriding |= c.identity == "a" && table.column(&c.name).is_some();
                pg_types.insert(c.name, c.ty);
            }
        }
        let offset = self.own_offset(conn, table)?;
        let mut plans: Vec<ColumnPlan> = table
            .columns
            .iter()
            .map(|c| ColumnPlan {
                ty: c.ty,
                shift: 0,
                deferred: false,
            })
            .collect();
        if let Some((i, shift)) = offset {
            plans[i].shift = shift;
        }
        let offset = offset.map_or(0, |(_, shift)| shift);
        let fks = table.all_foreign_keys();
        let mut deferred_fks = Vec::new();
        for fk in &fks {
            let deferred = self.is_deferred(table, &fk.columns);
            for (col, parent_col) in fk.columns.iter().zip(fk.references.iter()) {
                let Some(i) = table.column_index(col) else {
                    continue;
                };
                if let Some(&shift) = self.offsets.get(&(fk.table.to_string(), parent_col.to_string())) {
                    plans[i].shift = shift;
                }
                plans[i].deferred |= deferred;
            }
            if deferred {
                deferred_fks.push(
                    fk.columns
                        .iter()
                        .filter_map(|c| table.column_index(c))
                        .collect::<Vec<_>>(),
                );
            }
        }
        let key_columns: Vec<usize> = table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.primary_key)
            .map(|(i, _)| i)
            .collect();
        if !deferred_fks.is_empty() && key_columns.is_empty() {
            return Err(Error::Seed {
                table: Some(name),
                message: "a foreign key of a table cycle is filled by UPDATE after the insert, which needs a primary key; declare one"
                    .to_owned(),
            });
        }
        let pending_start = self.updates.len();
        for fk_columns in &deferred_fks {
            self.updates.push(PendingUpdate {
                table: name.clone(),
                set: fk_columns
                    .iter()
                    .map(|&i| (table.columns[i].name.to_string(), table.columns[i].ty))
                    .collect(),
                key: key_columns
                    .iter()
                    .map(|&i| (table.columns[i].name.to_string(), table.columns[i].ty))
                    .collect(),
                rows: Vec::new(),
                pg_types: pg_types.clone(),
            });
        }

        let width = table.columns.len().max(1);
        let per_statement = (self.max_binds / width)
            .clamp(1, MAX_BATCH_ROWS)
            .min(self.batch_rows.unwrap_or(usize::MAX));
        let head = format!(
            "INSERT INTO {} ({}){} VALUES ",
            backend.quote(&name),
            table
                .columns
                .iter()
                .map(|c| backend.quote(&c.name))
                .collect::<Vec<_>>()
                .join(", "),
            if overriding {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            }
        );
        let placeholders: Vec<String> = table
            .columns
            .iter()
            .map(|c| pg_types.get(c.name.as_ref()).cloned().unwrap_or_default())
            .collect();
        let mut full_sql: Option<String> = None;
        let mut done: u64 = 0;
        let mut batch: Vec<Row> = Vec::with_capacity(per_statement.min(1024));
        loop {
            batch.clear();
            for row in (&mut *rows).take(per_statement) {
                batch.push(row?);
            }
            if batch.is_empty() {
                break;
            }
            let mut binds = Vec::with_capacity(batch.len() * width);
            for row in batch.drain(..) {
                let row = shift_row(table, &plans, row)?;
                for (u, fk_columns) in deferred_fks.iter().enumerate() {
                    let set = fk_columns.iter().map(|&i| row[i].clone()).collect::<Vec<_>>();
                    if set.iter().all(Value::is_null) {
                        continue;
                    }
                    let key = key_columns.iter().map(|&i| row[i].clone()).collect();
                    self.updates[pending_start + u].rows.push((set, key));
                }
                for (value, plan) in row.into_iter().zip(&plans) {
                    let value = if plan.deferred { Value::Null } else { value };
                    binds.push(to_bind(backend, plan.ty, value));
                }
            }
            let n = binds.len() / width;
            let sql = if n == per_statement {
                full_sql.get_or_insert_with(|| values_sql(backend, &head, &placeholders, n))
            } else {
                &values_sql(backend, &head, &placeholders, n)
            };
            conn.run(sql, binds).map_err(Self::db_error(
                table,
                format!("inserting rows {}..={}", done + 1, done + n as u64),
            ))?;
            done += n as u64;
            self.report.statements += 1;
        }
        self.inserted.insert(name.clone());
        self.report.tables.push(TableReport {
            table: name,
            rows: done,
            key_offset: offset,
        });
        Ok(())
    }

    /// Deferred foreign keys, then PostgreSQL sequences.
    fn finish<C: SeedConnection>(&mut self, conn: &mut C) -> Result<(), Error> {
        let backend = self.backend;
        for update in std::mem::take(&mut self.updates) {
            let cast = |column: &str, n: usize| {
                placeholder(backend, update.pg_types.get(column).map(String::as_str), n)
            };
            let mut n = 0;
            let mut next = || {
                n += 1;
                n
            };
            let set = update
                .set
                .iter()
                .map(|(c, _)| format!("{} = {}", backend.quote(c), cast(c, next())))
                .collect::<Vec<_>>()
                .join(", ");
            let key = update
                .key
                .iter()
                .map(|(c, _)| format!("{} = {}", backend.quote(c), cast(c, next())))
                .collect::<Vec<_>>()
                .join(" AND ");
            let sql = format!("UPDATE {} SET {set} WHERE {key}", backend.quote(&update.table));
            for (i, (set_values, key_values)) in update.rows.into_iter().enumerate() {
                let binds = set_values
                    .into_iter()
                    .zip(&update.set)
                    .chain(key_values.into_iter().zip(&update.key))
                    .map(|(v, (_, ty))| to_bind(backend, *ty, v))
                    .collect();
                let changed = conn.run(&sql, binds).map_err(|source| Error::Database {
                    table: Some(update.table.clone()),
                    action: format!("filling a foreign key of a table cycle (row {})", i + 1),
                    source,
                })?;
                self.report.updated_rows += changed as u64;
            }
        }
        if backend == Backend::Postgres {
            for (table, column) in self.offsets.keys() {
                // Serial and identity columns own a sequence; set it to the
                // largest key so the application's next insert does not collide.
                let sql = format!(
                    "SELECT setval(s.seq, m.v) AS v FROM \
                     (SELECT pg_get_serial_sequence($1, $2) AS seq) s, \
                     (SELECT {} AS v FROM {}) m WHERE s.seq IS NOT NULL AND m.v IS NOT NULL",
                    backend.max_as_bigint(column),
                    backend.quote(table)
                );
                let binds = vec![
                    Bind::Text(Some(backend.quote(table))),
                    Bind::Text(Some(column.clone())),
                ];
                conn.ints(&sql, binds).map_err(|source| Error::Database {
                    table: Some(table.clone()),
                    action: format!("setting the sequence of `{column}`"),
                    source,
                })?;
            }
        }
        Ok(())
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

/// Shifts integer keys by their table's offset.
fn shift_row(table: &Table, plans: &[ColumnPlan], mut row: Row) -> Result<Row, Error> {
    for (i, (value, plan)) in row.iter_mut().zip(plans).enumerate() {
        if plan.shift == 0 {
            continue;
        }
        if let Value::Int(v) = value {
            *v = v.checked_add(plan.shift).ok_or_else(|| Error::Seed {
                table: Some(table.name.to_string()),
                message: format!(
                    "column `{}`: key {v} shifted past the existing rows (by {}) overflows a 64-bit integer",
                    table.columns[i].name, plan.shift
                ),
            })?;
        }
    }
    Ok(row)
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
            Bind::Text(Some(plain_datetime(s)))
        }
        (_, Value::Text(s)) => Bind::Text(Some(s)),
        (_, Value::Json(v)) => Bind::Text(Some(v.to_string())),
        (_, Value::Int(i)) => Bind::Text(Some(i.to_string())),
        (_, Value::Float(x)) => Bind::Text(Some(x.to_string())),
        (_, Value::Bool(b)) => Bind::Text(Some(b.to_string())),
    }
}

/// `2024-05-06T07:08:09Z` as `2024-05-06 07:08:09`: the form MySQL's
/// DATETIME accepts and SQLite's date functions (and Diesel's SQLite
/// timestamp parsing) read. Other text is left alone.
fn plain_datetime(s: String) -> String {
    let b = s.as_bytes();
    if b.len() >= 19 && b[10] == b'T' && s.ends_with('Z') {
        format!("{} {}", &s[..10], &s[11..s.len() - 1])
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("mysql://root@h/db"), "mysql://root@h/db");
        assert_eq!(redact("blog.sqlite"), "blog.sqlite");
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
