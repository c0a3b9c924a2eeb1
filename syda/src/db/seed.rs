//! Seeding: generate in foreign-key order, load in one transaction.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::RngExt;
use tokio::sync::mpsc;

use super::catalog::{DbColumn, DbTable, SqlType};
use super::load::{self, Chunks, PgLoad, Target, Tx};
use super::{Database, read_catalog};
use crate::dataset::Dataset;
use crate::engine::{Engine, GenContext};
use crate::error::{Error, Problem, Result};
use crate::plan::{DEFAULT_ROWS, DeferredKey, FanOut, Planner};
use crate::schema::{DataType, Literal, Range, Schema, Table};
use crate::value::{Row, Value};

/// Table sizes and fan-outs: what a [`Planner`] is told, as a value that
/// can be passed around (the planner borrows its schema).
#[derive(Debug, Clone)]
pub struct PlanConfig {
    /// Rows for every table without its own size.
    pub rows: u64,
    /// Rows per table.
    pub sizes: Vec<(String, u64)>,
    /// Fan-outs per `(table, foreign-key column)`.
    pub fan_out: Vec<(String, String, FanOut)>,
}

impl Default for PlanConfig {
    fn default() -> Self {
        PlanConfig::rows(DEFAULT_ROWS)
    }
}

impl PlanConfig {
    /// `rows` rows in every table.
    pub fn rows(rows: u64) -> PlanConfig {
        PlanConfig {
            rows,
            sizes: Vec::new(),
            fan_out: Vec::new(),
        }
    }

    /// Rows for one table.
    pub fn size(mut self, table: &str, rows: u64) -> PlanConfig {
        self.sizes.push((table.to_owned(), rows));
        self
    }

    /// How children of the foreign key starting at `table.column` spread
    /// over their parents.
    pub fn fan_out(mut self, table: &str, column: &str, fan_out: FanOut) -> PlanConfig {
        self.fan_out.push((table.to_owned(), column.to_owned(), fan_out));
        self
    }

    /// The planner for `schema`.
    pub fn planner<'s>(&self, schema: &'s Schema) -> Planner<'s> {
        let mut planner = Planner::new(schema)
            .rows(self.rows)
            .sizes(self.sizes.iter().map(|(t, n)| (t.as_str(), *n)));
        for (table, column, fan_out) in &self.fan_out {
            planner = planner.fan_out(table, column, fan_out.clone());
        }
        planner
    }

    fn expected(&self, table: &str) -> Option<u64> {
        if self
            .fan_out
            .iter()
            .any(|(t, _, f)| t == table && !matches!(f, FanOut::Uniform))
        {
            return None;
        }
        Some(
            self.sizes
                .iter()
                .rev()
                .find(|(t, _)| t == table)
                .map_or(self.rows, |(_, n)| *n),
        )
    }
}

/// Told about each table as it loads: drive a progress bar with it.
pub trait Progress: Send + Sync {
    /// `table` starts loading; `expected_rows` when the plan fixes it.
    fn table_started(&self, table: &str, expected_rows: Option<u64>) {
        let _ = (table, expected_rows);
    }

    /// `rows` rows of `table` are loaded so far.
    fn rows_loaded(&self, table: &str, rows: u64) {
        let _ = (table, rows);
    }

    /// `table` is loaded: `rows` rows in `elapsed`.
    fn table_finished(&self, table: &str, rows: u64, elapsed: Duration) {
        let _ = (table, rows, elapsed);
    }
}

/// How [`seed`] and [`load`] run.
#[derive(Clone)]
pub struct SeedOptions {
    /// Empty the target tables first (inside the transaction). Refused
    /// when a table outside the schema references one of them.
    pub truncate: bool,
    /// PostgreSQL schema (default `public`) or MySQL database (default the
    /// URL's) holding the tables.
    pub schema: Option<String>,
    /// Told about each table's progress.
    pub progress: Option<Arc<dyn Progress>>,
    /// How PostgreSQL tables are loaded (default COPY).
    pub postgres: PgLoad,
    /// Rows handed from the generator to the loader at a time.
    pub chunk_rows: usize,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            truncate: false,
            schema: None,
            progress: None,
            postgres: PgLoad::Copy,
            chunk_rows: 4096,
        }
    }
}

impl fmt::Debug for SeedOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedOptions")
            .field("truncate", &self.truncate)
            .field("schema", &self.schema)
            .field("progress", &self.progress.is_some())
            .field("postgres", &self.postgres)
            .field("chunk_rows", &self.chunk_rows)
            .finish()
    }
}

impl SeedOptions {
    /// Empty the target tables first.
    pub fn truncate(mut self, truncate: bool) -> Self {
        self.truncate = truncate;
        self
    }

    /// The PostgreSQL schema / MySQL database holding the tables.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Reports progress to `progress`.
    pub fn progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// How PostgreSQL tables are loaded.
    pub fn postgres(mut self, method: PgLoad) -> Self {
        self.postgres = method;
        self
    }
}

/// Rows loaded into one table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableReport {
    /// Table name.
    pub table: String,
    /// Rows inserted.
    pub rows: u64,
    /// Time from the table's first row to its last.
    pub elapsed: Duration,
}

/// What a seed did.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedReport {
    /// Tables in the order they were loaded.
    pub tables: Vec<TableReport>,
    /// Rows whose deferred foreign keys were filled by UPDATE afterwards.
    pub updated_rows: u64,
    /// Total time, generation and commit included.
    pub elapsed: Duration,
    /// What the seed decided on its own, one line each (a table given
    /// fewer rows than asked because its key type holds no more).
    pub notes: Vec<String>,
}

impl SeedReport {
    /// Rows inserted over all tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self.tables.iter().map(|t| t.table.len()).max().unwrap_or(0);
        for t in &self.tables {
            let secs = t.elapsed.as_secs_f64();
            writeln!(
                f,
                "{:width$}  {:>10} rows  {:>8.2} s  {:>10.0} rows/s",
                t.table,
                t.rows,
                secs,
                t.rows as f64 / secs.max(1e-9)
            )?;
        }
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        if self.updated_rows > 0 {
            writeln!(
                f,
                "{} rows got their deferred foreign keys by UPDATE",
                self.updated_rows
            )?;
        }
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "seeded {} rows in {} table{} in {secs:.2} s ({:.0} rows/s)",
            self.rows(),
            self.tables.len(),
            if self.tables.len() == 1 { "" } else { "s" },
            self.rows() as f64 / secs.max(1e-9)
        )
    }
}

enum Msg {
    Table(usize),
    Rows(Vec<Row>),
    End,
}

/// Generates every table of `schema` (sizes from `plan`, values from
/// `engine`) in foreign-key order and loads it into `db`, streaming: rows
/// are generated on a blocking thread while earlier chunks load.
///
/// Everything happens in one transaction: on any error — a value the
/// database refuses, a CHECK or foreign key violated, a failing custom
/// generator — it is rolled back and nothing is left.
///
/// The schema's tables and columns must exist in the database (the error
/// lists every one that does not, and every NOT NULL column without a
/// default that the schema leaves out). Sole integer primary keys count
/// up from past the largest existing key; see the [module docs](super).
/// Arrays (PostgreSQL) get short generated arrays of their element type
/// unless a generator is registered for the column.
pub async fn seed<E>(
    db: &Database,
    schema: &Schema,
    plan: &PlanConfig,
    engine: &E,
    options: &SeedOptions,
) -> Result<SeedReport>
where
    E: Engine + Send + Sync + 'static,
{
    let started = Instant::now();
    let (targets, catalog) = resolve(db, schema, options).await?;
    let mut tx = Tx::begin(db).await?;
    let mut notes = Vec::new();
    let result = async {
        prepare(&mut tx, schema, &targets, &catalog, options).await?;
        let working = with_key_offsets(&mut tx, schema, &targets, engine).await?;
        let plan = &within_key_ranges(plan, &working, engine, &mut notes);
        let mut engine = engine.clone();
        register_database_types(&mut engine, &working, &targets)?;
        let order = plan.planner(&working).order()?;
        let relaxed = relax_for_cycles(&mut tx, &catalog, &order.deferred).await?;
        let mut driver = Driver::new(&working, &targets, &order.deferred, options, plan);
        stream_into(
            &mut tx,
            &mut driver,
            working.clone(),
            plan.clone(),
            engine,
            options.chunk_rows,
        )
        .await?;
        let done = driver.finish(&mut tx).await?;
        if relaxed {
            tx.restore_foreign_keys(&in_schema(schema, &catalog)).await?;
        }
        Ok(done)
    }
    .await;
    finish(tx, result, started, notes).await
}

/// Loads rows already in memory (a generated or read [`Dataset`]) the same
/// way [`seed`] does: parents first, one transaction, deferred keys by
/// UPDATE. Keys are inserted as they are in the data set.
pub async fn load(db: &Database, data: &Dataset, options: &SeedOptions) -> Result<SeedReport> {
    let started = Instant::now();
    let schema = data.schema();
    let (targets, catalog) = resolve(db, schema, options).await?;
    let mut tx = Tx::begin(db).await?;
    let result = async {
        prepare(&mut tx, schema, &targets, &catalog, options).await?;
        let plan = PlanConfig::default();
        let relaxed = relax_for_cycles(&mut tx, &catalog, data.deferred()).await?;
        let mut driver = Driver::new(schema, &targets, data.deferred(), options, &plan);
        while let Some(t) = (0..schema.tables.len()).find(|&t| !driver.loaded[t] && driver.ready(t)) {
            let rows = data.table(&schema.tables[t].name).unwrap_or(&[]);
            let mut source = Slices { rows, step: 65_536 };
            driver.load(&mut tx, t, &mut source).await?;
        }
        if let Some(t) = driver.loaded.iter().position(|l| !l) {
            return Err(Error::Database {
                context: format!("loading table `{}`", schema.tables[t].name),
                message: "its parent tables never became loadable (a cycle of required foreign keys)"
                    .to_owned(),
            });
        }
        let done = driver.finish(&mut tx).await?;
        if relaxed {
            tx.restore_foreign_keys(&in_schema(schema, &catalog)).await?;
        }
        Ok(done)
    }
    .await;
    finish(tx, result, started, Vec::new()).await
}

async fn finish(
    tx: Tx,
    result: Result<(Vec<TableReport>, u64)>,
    started: Instant,
    notes: Vec<String>,
) -> Result<SeedReport> {
    match result {
        Ok((tables, updated_rows)) => {
            tx.commit().await?;
            Ok(SeedReport {
                tables,
                updated_rows,
                elapsed: started.elapsed(),
                notes,
            })
        }
        Err(err) => {
            tx.rollback().await;
            Err(err)
        }
    }
}

/// The catalog tables the schema seeds.
fn in_schema<'c>(schema: &Schema, catalog: &'c [DbTable]) -> Vec<&'c DbTable> {
    catalog
        .iter()
        .filter(|t| schema.table(&t.name).is_some())
        .collect()
}

/// A cycle of NOT NULL foreign keys is inserted with its keys in place and
/// the checks deferred (or, on MySQL, off until an orphan query at the
/// end). PostgreSQL can only defer a `DEFERRABLE` constraint: any other is
/// an error naming it. Returns whether the checks were relaxed.
async fn relax_for_cycles(tx: &mut Tx, catalog: &[DbTable], deferred: &[DeferredKey]) -> Result<bool> {
    let required: Vec<&DeferredKey> = deferred.iter().filter(|d| d.required).collect();
    if required.is_empty() {
        return Ok(false);
    }
    let mut problems = Vec::new();
    for d in &required {
        let fk = catalog
            .iter()
            .filter(|t| t.name == d.table)
            .flat_map(|t| &t.foreign_keys)
            .find(|fk| fk.table == d.parent && fk.columns == d.columns);
        if fk.is_some_and(|fk| !fk.deferrable) {
            problems.push(Problem::column(
                &d.table,
                &d.columns.join(", "),
                format!(
                    "closes a cycle of NOT NULL foreign keys (to `{}`), which PostgreSQL can only insert with the constraint DEFERRABLE; \
                     `ALTER TABLE … ALTER CONSTRAINT … DEFERRABLE`, or make a column of the cycle nullable",
                    d.parent
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::InvalidSchema {
            origin: format!("schema against the {} database", tx.backend()),
            problems,
        });
    }
    tx.relax_foreign_keys().await?;
    Ok(true)
}

/// Matches every schema table and column to the database; collects every
/// mismatch into one error.
async fn resolve(
    db: &Database,
    schema: &Schema,
    options: &SeedOptions,
) -> Result<(Vec<Target>, Vec<DbTable>)> {
    schema.validate()?;
    let catalog = read_catalog(db, options.schema.as_deref()).await?;
    let backend = db.backend();
    let mut problems = Vec::new();
    let mut targets = Vec::new();
    for table in &schema.tables {
        let Some(db_table) = catalog.iter().find(|t| t.name == table.name) else {
            let known: Vec<&str> = catalog.iter().map(|t| t.name.as_str()).collect();
            problems.push(Problem::table(
                &table.name,
                format!(
                    "no such table in the database; it has: {}",
                    if known.is_empty() {
                        "no tables".to_owned()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
            continue;
        };
        let mut columns = Vec::new();
        for col in table.columns.iter() {
            match db_table.column(&col.name) {
                Some(DbColumn {
                    filled_by_db: Some(why),
                    ..
                }) => problems.push(Problem::column(
                    &table.name,
                    &col.name,
                    format!("is filled by the database ({why}); leave it out of the schema"),
                )),
                Some(c) => columns.push(c.clone()),
                None => problems.push(Problem::column(
                    &table.name,
                    &col.name,
                    format!(
                        "no such column in the database table; it has: {}",
                        db_table
                            .columns
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        for c in &db_table.columns {
            if !c.nullable && !c.has_default && c.filled_by_db.is_none() && table.column(&c.name).is_none() {
                problems.push(Problem::column(
                    &table.name,
                    &c.name,
                    "is NOT NULL without a default in the database, but the schema does not fill it; add it to the schema",
                ));
            }
        }
        targets.push(Target::new(backend, db_table, columns));
    }
    if problems.is_empty() {
        Ok((targets, catalog))
    } else {
        Err(Error::InvalidSchema {
            origin: format!("schema against the {backend} database"),
            problems,
        })
    }
}

/// Truncation, when asked, after checking no other table references the targets.
async fn prepare(
    tx: &mut Tx,
    schema: &Schema,
    targets: &[Target],
    catalog: &[DbTable],
    options: &SeedOptions,
) -> Result<()> {
    if !options.truncate {
        return Ok(());
    }
    let inside = |name: &str| schema.table(name).is_some();
    for t in catalog.iter().filter(|t| !inside(&t.name)) {
        if let Some(fk) = t
            .foreign_keys
            .iter()
            .find(|fk| inside(&fk.table) && fk.schema == t.schema)
        {
            return Err(Error::Database {
                context: "emptying the target tables (--truncate)".to_owned(),
                message: format!(
                    "table `{}` (not in the schema) references `{}`; add it to the schema or seed without truncate",
                    t.name, fk.table
                ),
            });
        }
    }
    // Children first: the planner's order reversed.
    let order = Planner::new(schema).order()?;
    let ordered: Vec<&Target> = order.tables.iter().map(|&t| &targets[t]).collect();
    tx.truncate(&ordered).await
}

/// A copy of the schema whose sequential integer keys start past the
/// largest key in the database, within the column type's range.
async fn with_key_offsets<E: Engine>(
    tx: &mut Tx,
    schema: &Schema,
    targets: &[Target],
    engine: &E,
) -> Result<Schema> {
    let mut working = schema.clone();
    for (t, table) in working.tables.iter_mut().enumerate() {
        let Some(c) = sequential_key(table, engine) else {
            continue;
        };
        let target = &targets[t];
        let limit = load::integer_limit(&target.columns[c].ty).unwrap_or(i64::MAX);
        let existing = tx.max_of(target, &table.columns[c].name).await?;
        let column = &mut table.columns.to_mut()[c];
        let (min, max) = match &column.range {
            Some(Range {
                min: Literal::Int(lo),
                max,
            }) => (*lo, max.as_f64().map_or(limit, |m| (m as i64).min(limit))),
            _ => (1, limit),
        };
        let start = existing.map_or(min, |m| min.max(m.saturating_add(1)));
        column.range = Some(Range {
            min: Literal::Int(start),
            max: Literal::Int(max.max(start)),
        });
    }
    Ok(working)
}

/// `plan` with each table whose row count comes from the default `rows`
/// (not its own size) cut to what its sequential key's range holds: a
/// TINYINT key takes 255 rows, not 1000. Each cut is a note.
fn within_key_ranges<E: Engine>(
    plan: &PlanConfig,
    working: &Schema,
    engine: &E,
    notes: &mut Vec<String>,
) -> PlanConfig {
    let mut plan = plan.clone();
    for table in &working.tables {
        if plan.sizes.iter().any(|(t, _)| *t == table.name) {
            continue;
        }
        let Some(c) = sequential_key(table, engine) else {
            continue;
        };
        let column = &table.columns[c];
        let Some(Range {
            min: Literal::Int(lo),
            max: Literal::Int(hi),
        }) = &column.range
        else {
            continue;
        };
        let room = u64::try_from(hi.saturating_sub(*lo).saturating_add(1)).unwrap_or(0);
        if room < plan.rows {
            notes.push(format!(
                "table `{}` gets {room} rows, not {}: its key `{}` holds no more (give it a --size to be told instead)",
                table.name, plan.rows, column.name
            ));
            plan = plan.size(&table.name, room);
        }
    }
    plan
}

/// The column the offline engine counts 1, 2, 3… in: a sole integer
/// primary key that no generator or foreign key fills.
fn sequential_key<E: Engine>(table: &Table, engine: &E) -> Option<usize> {
    let mut keys = table.columns.iter().enumerate().filter(|(_, c)| c.primary_key);
    let (i, col) = keys.next()?;
    let generators = engine.local().generators();
    let filled = col.generator.is_some()
        || col.foreign_key.is_some()
        || generators.column(&table.name, &col.name).is_some()
        || col.kind.as_deref().is_some_and(|k| generators.kind(k).is_some());
    (keys.next().is_none() && col.ty == DataType::Integer && !filled).then_some(i)
}

/// Values the database accepts for the columns whose type the schema file
/// cannot say (PostgreSQL arrays of any element type, bytea, ltree, inet,
/// cidr, macaddr, tsvector, interval, point, xml, ranges, …), registered as
/// column generators where the schema leaves the column to the engine. A
/// type syda cannot fill is an error naming the column and the way out.
fn register_database_types<E: Engine>(engine: &mut E, schema: &Schema, targets: &[Target]) -> Result<()> {
    let mut problems = Vec::new();
    for (table, target) in schema.tables.iter().zip(targets) {
        for (col, db_col) in table.columns.iter().zip(&target.columns) {
            let generators = engine.local_mut().generators_mut();
            let given = col.generator.is_some()
                || col.one_of.is_some()
                || col.pattern.is_some()
                || col.foreign_key.is_some()
                || generators.column(&table.name, &col.name).is_some()
                || col.kind.as_deref().is_some_and(|k| generators.kind(k).is_some());
            if given {
                continue;
            }
            let fill: Option<Fill> = match &db_col.ty {
                SqlType::Array(elem) if col.ty == DataType::Json => {
                    if let Some(name) = unknown(elem) {
                        problems.push(cannot_fill(&table.name, &col.name, &format!("{name}[]")));
                        continue;
                    }
                    Some(Fill::Array((**elem).clone()))
                }
                SqlType::Bytes if db_col.sql == "bytea" => Some(Fill::Bytes(db_col.byte_length)),
                SqlType::Other(name) if col.ty == DataType::Text => match special(name) {
                    Some(_) => Some(Fill::Special(name.clone(), db_col.sql.clone())),
                    None => {
                        problems.push(cannot_fill(&table.name, &col.name, &db_col.sql));
                        continue;
                    }
                },
                _ => None,
            };
            let Some(fill) = fill else {
                continue;
            };
            let nullable = col.nullable;
            let unique = col.unique || col.primary_key;
            generators.register_column(&table.name, &col.name, move |ctx: &mut GenContext<'_>| {
                let index = ctx.index();
                let rng = ctx.rng();
                if nullable && rng.random_bool(0.1) {
                    return Value::Null;
                }
                let serial = unique.then_some(index);
                match &fill {
                    Fill::Array(elem) => {
                        let n = rng.random_range(0..=3);
                        let items: Vec<serde_json::Value> = (0..n)
                            .map(|_| element(elem, rng))
                            .filter(|v| !v.is_null())
                            .collect();
                        Value::Json(serde_json::Value::Array(items))
                    }
                    Fill::Bytes(len) => Value::Text(bytea(*len, serial, rng)),
                    Fill::Special(name, sql) => Value::Text(special_value(name, sql, serial, rng)),
                }
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidSchema {
            origin: "schema against the database".to_owned(),
            problems,
        })
    }
}

enum Fill {
    Array(SqlType),
    Bytes(Option<u32>),
    Special(String, String),
}

fn cannot_fill(table: &str, column: &str, sql: &str) -> Problem {
    Problem::column(
        table,
        column,
        format!(
            "has type `{sql}`, which syda cannot fill; give the column a `pattern` or `one_of` in the schema file, \
             register a generator for it (Generators::register_column), or leave it out if it is nullable or has a default"
        ),
    )
}

/// The name of an array element type syda cannot fill.
fn unknown(elem: &SqlType) -> Option<&str> {
    match elem {
        SqlType::Other(name) if special(name).is_none() => Some(name),
        _ => None,
    }
}

/// PostgreSQL types with a generator here (by `pg_type.typname`).
fn special(name: &str) -> Option<()> {
    matches!(
        name,
        "ltree"
            | "lquery"
            | "inet"
            | "cidr"
            | "macaddr"
            | "macaddr8"
            | "tsvector"
            | "tsquery"
            | "interval"
            | "point"
            | "box"
            | "circle"
            | "lseg"
            | "polygon"
            | "path"
            | "xml"
            | "hstore"
            | "bit"
            | "varbit"
            | "int4range"
            | "int8range"
            | "numrange"
            | "daterange"
            | "tsrange"
            | "tstzrange"
            | "oid"
    )
    .then_some(())
}

const WORDS: [&str; 12] = [
    "alpha", "beta", "gamma", "delta", "epsilon", "kappa", "lambda", "sigma", "omega", "north", "south",
    "river",
];

fn word(rng: &mut impl rand::Rng) -> &'static str {
    WORDS[rng.random_range(0..WORDS.len())]
}

/// One array element as JSON (the loader writes a PostgreSQL array literal).
fn element(elem: &SqlType, rng: &mut impl rand::Rng) -> serde_json::Value {
    match elem {
        t if t.is_integer() => serde_json::Value::from(rng.random_range(0..=i64::from(i16::MAX))),
        SqlType::Float | SqlType::Decimal { .. } => {
            serde_json::Value::from(f64::from(rng.random_range(0..100_000)) / 100.0)
        }
        SqlType::Bool => serde_json::Value::from(rng.random_bool(0.5)),
        SqlType::Enum(labels) if !labels.is_empty() => {
            serde_json::Value::from(labels[rng.random_range(0..labels.len())].clone())
        }
        SqlType::Text { max } => {
            let w = word(rng);
            let len = max.map_or(w.len(), |m| (m as usize).min(w.len()));
            serde_json::Value::from(&w[..len])
        }
        SqlType::Date => serde_json::Value::from(format!(
            "20{:02}-{:02}-{:02}",
            rng.random_range(10..30),
            rng.random_range(1..=12),
            rng.random_range(1..=28)
        )),
        SqlType::Timestamp => serde_json::Value::from(format!(
            "20{:02}-{:02}-{:02}T{:02}:{:02}:00Z",
            rng.random_range(10..30),
            rng.random_range(1..=12),
            rng.random_range(1..=28),
            rng.random_range(0..24),
            rng.random_range(0..60)
        )),
        SqlType::Time => serde_json::Value::from(format!(
            "{:02}:{:02}:00",
            rng.random_range(0..24),
            rng.random_range(0..60)
        )),
        SqlType::Uuid => serde_json::Value::from(uuid(rng)),
        SqlType::Json => serde_json::json!({ "k": word(rng) }),
        SqlType::Bytes => serde_json::Value::from(bytea(Some(8), None, rng)),
        SqlType::Other(name) if special(name).is_some() => {
            serde_json::Value::from(special_value(name, name, None, rng))
        }
        _ => serde_json::Value::Null,
    }
}

fn uuid(rng: &mut impl rand::Rng) -> String {
    let b: [u8; 16] = rng.random();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
        (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
        u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
    )
}

/// `\x…` hex of `len` bytes (8 to 32 when the column says nothing); a
/// unique column starts with its row number.
fn bytea(len: Option<u32>, serial: Option<u64>, rng: &mut impl rand::Rng) -> String {
    let len = len.map_or_else(|| rng.random_range(8..=32), |n| n as usize);
    let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
    if let Some(n) = serial {
        for (i, b) in n.to_be_bytes().iter().rev().enumerate().take(len) {
            bytes[i] = *b;
        }
    }
    let mut out = String::with_capacity(2 + 2 * len);
    out.push_str("\\x");
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn x(rng: &mut impl rand::Rng) -> f64 {
    f64::from(rng.random_range(-18_000..18_000)) / 100.0
}

/// A value of PostgreSQL type `name` (`sql` is the declared type, for
/// bit lengths). `serial` (the row number) keeps unique columns distinct.
fn special_value(name: &str, sql: &str, serial: Option<u64>, rng: &mut impl rand::Rng) -> String {
    let n = serial.unwrap_or_else(|| rng.random_range(0..1 << 24));
    let (a, b, c) = ((n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    match name {
        "ltree" | "lquery" => {
            let depth = rng.random_range(1..=3);
            let mut path = vec!["Top".to_owned()];
            path.extend((0..depth).map(|_| word(rng).to_owned()));
            if serial.is_some() {
                path.push(format!("n{n}"));
            }
            path.join(".")
        }
        "inet" => format!("10.{a}.{b}.{c}"),
        "cidr" => format!("10.{a}.{b}.{c}/32"),
        "macaddr" => format!("08:00:2b:{a:02x}:{b:02x}:{c:02x}"),
        "macaddr8" => format!("08:00:2b:ff:fe:{a:02x}:{b:02x}:{c:02x}"),
        "tsvector" => {
            let mut words: Vec<&str> = (0..rng.random_range(1..=4)).map(|_| word(rng)).collect();
            words.sort_unstable();
            words.dedup();
            let mut v = words.join(" ");
            if serial.is_some() {
                v.push_str(&format!(" n{n}"));
            }
            v
        }
        "tsquery" => format!("{} & {}", word(rng), word(rng)),
        "interval" => match serial {
            Some(n) => format!("{n} seconds"),
            None => format!("{} minutes", rng.random_range(1..=10_000)),
        },
        "point" => format!("({},{})", x(rng), x(rng)),
        "box" | "lseg" => format!("(({},{}),({},{}))", x(rng), x(rng), x(rng), x(rng)),
        "circle" => format!("<({},{}),{}>", x(rng), x(rng), rng.random_range(1..100)),
        "polygon" | "path" => format!(
            "(({},{}),({},{}),({},{}))",
            x(rng),
            x(rng),
            x(rng),
            x(rng),
            x(rng),
            x(rng)
        ),
        "xml" => format!("<item><id>{n}</id><name>{}</name></item>", word(rng)),
        "hstore" => format!("\"{}\"=>\"{n}\"", word(rng)),
        "bit" | "varbit" => {
            let declared = sql
                .split_once('(')
                .and_then(|(_, r)| r.trim_end_matches(')').parse::<usize>().ok())
                .unwrap_or(if name == "bit" { 1 } else { 16 });
            let len = if name == "bit" {
                declared
            } else {
                rng.random_range(1..=declared.max(1))
            };
            (0..len)
                .map(|i| {
                    if i < 64 && (n >> i) & 1 == 1 || rng.random_bool(0.5) {
                        '1'
                    } else {
                        '0'
                    }
                })
                .collect()
        }
        "int4range" | "int8range" | "numrange" => {
            let lo = rng.random_range(0..10_000);
            format!("[{lo},{})", lo + rng.random_range(1..1000))
        }
        "daterange" => {
            let (y, m) = (rng.random_range(2010..2030), rng.random_range(1..=12));
            format!("[{y}-{m:02}-01,{y}-{m:02}-28)")
        }
        "tsrange" | "tstzrange" => {
            let (y, m) = (rng.random_range(2010..2030), rng.random_range(1..=12));
            format!("[{y}-{m:02}-01 00:00:00,{y}-{m:02}-28 12:00:00)")
        }
        _ => n.to_string(),
    }
}

/// Runs the planner on a blocking thread and loads what it sends.
async fn stream_into<E>(
    tx: &mut Tx,
    driver: &mut Driver<'_>,
    schema: Schema,
    plan: PlanConfig,
    engine: E,
    chunk_rows: usize,
) -> Result<()>
where
    E: Engine + Send + Sync + 'static,
{
    let (sender, mut receiver) = mpsc::channel::<Msg>(4);
    let chunk_rows = chunk_rows.max(1);
    // Set when the generator stops because the loader went away (the
    // loader's error is then the cause); otherwise a generator error is.
    let loader_left = Arc::new(AtomicBool::new(false));
    let left = Arc::clone(&loader_left);
    let generator = tokio::task::spawn_blocking(move || {
        let planner = plan.planner(&schema);
        let gone = |_| {
            left.store(true, Ordering::Relaxed);
            loader_gone()
        };
        planner.stream(&engine, |table, rows| {
            let t = schema
                .table_index(&table.name)
                .ok_or_else(load::generation_stopped)?;
            sender.blocking_send(Msg::Table(t)).map_err(gone)?;
            loop {
                let chunk: Vec<Row> = (&mut *rows).take(chunk_rows).collect::<Result<_>>()?;
                if chunk.is_empty() {
                    break;
                }
                sender.blocking_send(Msg::Rows(chunk)).map_err(gone)?;
            }
            sender.blocking_send(Msg::End).map_err(gone)
        })
    });
    let loaded = load_stream(tx, driver, &mut receiver).await;
    drop(receiver);
    let generated = generator.await.map_err(|e| Error::Database {
        context: "generating rows".to_owned(),
        message: format!("the generator thread failed: {e}"),
    })?;
    match (loaded, generated) {
        (Ok(()), Ok(_)) => Ok(()),
        // The generator failed on its own: its error explains a stream that stopped early.
        (_, Err(g)) if !loader_left.load(Ordering::Relaxed) => Err(g),
        (Err(e), _) => Err(e),
        (Ok(()), Err(g)) => Err(g),
    }
}

fn loader_gone() -> Error {
    Error::Database {
        context: "seeding".to_owned(),
        message: "the loader stopped".to_owned(),
    }
}

async fn load_stream(tx: &mut Tx, driver: &mut Driver<'_>, receiver: &mut mpsc::Receiver<Msg>) -> Result<()> {
    while let Some(msg) = receiver.recv().await {
        let Msg::Table(t) = msg else {
            return Err(load::generation_stopped());
        };
        if driver.ready(t) {
            driver
                .load(
                    tx,
                    t,
                    &mut Channel {
                        receiver,
                        done: false,
                    },
                )
                .await?;
            driver.load_waiting(tx).await?;
        } else {
            // A child whose parent comes later (tables on a cycle are held
            // by the planner): kept until the parent is in.
            let mut rows = Vec::new();
            let mut channel = Channel {
                receiver,
                done: false,
            };
            while let Some(chunk) = channel.next().await? {
                rows.extend(chunk.into_owned());
            }
            driver.waiting.push((t, rows));
        }
    }
    if let Some((t, _)) = driver.waiting.first() {
        return Err(Error::Database {
            context: format!("loading table `{}`", driver.schema.tables[*t].name),
            message: "its parent tables were never loaded (generation stopped)".to_owned(),
        });
    }
    Ok(())
}

/// Rows from the generator thread, until the table's end marker.
struct Channel<'r> {
    receiver: &'r mut mpsc::Receiver<Msg>,
    done: bool,
}

impl Chunks for Channel<'_> {
    async fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>> {
        if self.done {
            return Ok(None);
        }
        match self.receiver.recv().await {
            Some(Msg::Rows(rows)) => Ok(Some(Cow::Owned(rows))),
            Some(Msg::End) => {
                self.done = true;
                Ok(None)
            }
            Some(Msg::Table(_)) | None => Err(load::generation_stopped()),
        }
    }
}

/// Rows in memory, a slice at a time.
struct Slices<'a> {
    rows: &'a [Row],
    step: usize,
}

impl Chunks for Slices<'_> {
    async fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>> {
        if self.rows.is_empty() {
            return Ok(None);
        }
        let (head, tail) = self.rows.split_at(self.step.min(self.rows.len()));
        self.rows = tail;
        Ok(Some(Cow::Borrowed(head)))
    }
}

/// Nulls a table's deferred foreign-key columns on the way in and keeps
/// their values, with the row's key, for the UPDATE afterwards.
struct Deferring<'c, C> {
    inner: &'c mut C,
    key: &'c [usize],
    columns: &'c [usize],
    updates: &'c mut Vec<(Vec<Value>, Vec<Value>)>,
}

impl<C: Chunks> Chunks for Deferring<'_, C> {
    async fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>> {
        let Some(chunk) = self.inner.next().await? else {
            return Ok(None);
        };
        let mut rows = chunk.into_owned();
        for row in &mut rows {
            if self.columns.iter().all(|&c| row[c].is_null()) {
                continue;
            }
            let key = self.key.iter().map(|&c| row[c].clone()).collect();
            let values = self
                .columns
                .iter()
                .map(|&c| std::mem::replace(&mut row[c], Value::Null))
                .collect();
            self.updates.push((key, values));
        }
        Ok(Some(Cow::Owned(rows)))
    }
}

struct Pending {
    table: usize,
    key: Vec<usize>,
    columns: Vec<usize>,
    rows: Vec<(Vec<Value>, Vec<Value>)>,
}

/// Which tables are in, which wait for a parent, which keys to UPDATE.
struct Driver<'a> {
    schema: &'a Schema,
    targets: &'a [Target],
    deferred: Vec<DeferredKey>,
    options: &'a SeedOptions,
    plan: &'a PlanConfig,
    loaded: Vec<bool>,
    waiting: Vec<(usize, Vec<Row>)>,
    pending: Vec<Pending>,
    reports: Vec<TableReport>,
    updated: u64,
}

impl<'a> Driver<'a> {
    fn new(
        schema: &'a Schema,
        targets: &'a [Target],
        deferred: &[DeferredKey],
        options: &'a SeedOptions,
        plan: &'a PlanConfig,
    ) -> Driver<'a> {
        Driver {
            schema,
            targets,
            deferred: deferred.to_vec(),
            options,
            plan,
            loaded: vec![false; schema.tables.len()],
            waiting: Vec::new(),
            pending: Vec::new(),
            reports: Vec::new(),
            updated: 0,
        }
    }

    fn is_deferred(&self, table: &str, columns: &[Cow<'static, str>]) -> bool {
        self.deferred.iter().any(|d| {
            d.table == table
                && d.columns
                    .iter()
                    .map(String::as_str)
                    .eq(columns.iter().map(|c| c.as_ref()))
        })
    }

    /// Whether every parent reached by a non-deferred foreign key is loaded.
    fn ready(&self, t: usize) -> bool {
        let table = &self.schema.tables[t];
        table.all_foreign_keys().iter().all(|fk| {
            fk.table == table.name
                || self.is_deferred(&table.name, &fk.columns)
                || self.schema.table_index(&fk.table).is_some_and(|p| self.loaded[p])
        })
    }

    async fn load(&mut self, tx: &mut Tx, t: usize, chunks: &mut impl Chunks) -> Result<()> {
        let table = &self.schema.tables[t];
        let target = &self.targets[t];
        let started = Instant::now();
        let progress = self.options.progress.clone();
        if let Some(p) = &progress {
            p.table_started(&table.name, self.plan.expected(&table.name));
        }
        let mut report = |rows: u64| {
            if let Some(p) = &progress {
                p.rows_loaded(&table.name, rows);
            }
        };
        // Required deferred keys go in with their values (checks relaxed).
        let deferred_columns: Vec<usize> = self
            .deferred
            .iter()
            .filter(|d| d.table == table.name && !d.required)
            .flat_map(|d| d.columns.iter().filter_map(|c| table.column_index(c)))
            .collect();
        let rows = if deferred_columns.is_empty() {
            tx.load(target, chunks, self.options.postgres, &mut report)
                .await?
        } else {
            let key = row_key(table).ok_or_else(|| Error::Database {
                context: format!("loading table `{}`", table.name),
                message: "its foreign keys form a cycle, filled by UPDATE afterwards, but it has no primary or unique key to find its rows by".to_owned(),
            })?;
            let mut updates = Vec::new();
            let mut deferring = Deferring {
                inner: chunks,
                key: &key,
                columns: &deferred_columns,
                updates: &mut updates,
            };
            let rows = tx
                .load(target, &mut deferring, self.options.postgres, &mut report)
                .await?;
            self.pending.push(Pending {
                table: t,
                key,
                columns: deferred_columns,
                rows: updates,
            });
            rows
        };
        let elapsed = started.elapsed();
        if let Some(p) = &progress {
            p.table_finished(&table.name, rows, elapsed);
        }
        self.loaded[t] = true;
        self.reports.push(TableReport {
            table: table.name.to_string(),
            rows,
            elapsed,
        });
        Ok(())
    }

    /// Loads held tables whose parents are now in.
    async fn load_waiting(&mut self, tx: &mut Tx) -> Result<()> {
        while let Some(i) = self.waiting.iter().position(|(t, _)| self.ready(*t)) {
            let (t, rows) = self.waiting.remove(i);
            let mut source = Slices {
                rows: &rows,
                step: 65_536,
            };
            self.load(tx, t, &mut source).await?;
        }
        Ok(())
    }

    /// Deferred keys by UPDATE, then sequences past the new keys.
    async fn finish(mut self, tx: &mut Tx) -> Result<(Vec<TableReport>, u64)> {
        for pending in std::mem::take(&mut self.pending) {
            let target = &self.targets[pending.table];
            tx.update(target, &pending.key, &pending.columns, &pending.rows)
                .await?;
            self.updated += pending.rows.len() as u64;
        }
        for (t, target) in self.targets.iter().enumerate() {
            if !self.loaded[t] {
                continue;
            }
            for col in target.columns.iter().filter(|c: &&DbColumn| c.auto) {
                tx.fix_sequence(target, col).await?;
            }
        }
        Ok((self.reports, self.updated))
    }
}

/// Columns that find one row: the primary key, else a unique key.
fn row_key(table: &Table) -> Option<Vec<usize>> {
    let pk: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.primary_key)
        .map(|(i, _)| i)
        .collect();
    if !pk.is_empty() {
        return Some(pk);
    }
    if let Some(i) = table.columns.iter().position(|c| c.unique && !c.nullable) {
        return Some(vec![i]);
    }
    table
        .unique
        .iter()
        .map(|k| k.iter().filter_map(|c| table.column_index(c)).collect::<Vec<_>>())
        .find(|k| !k.is_empty())
}
