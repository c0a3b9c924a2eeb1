//! Seeding through sqlx: the database side of [`crate::seed`]. This file
//! matches the schema to the catalog and is the core's sink: it opens the
//! transaction, reads key maxima, loads each table by the backend's fastest
//! safe path, runs the deferred UPDATEs and moves sequences. What to do and
//! in which order is the core's.

use std::fmt;
use std::sync::Arc;

use super::catalog::{DbColumn, DbTable};
use super::fill::register_database_types;
use super::load::{PgLoad, Target, Tx};
use super::{Database, read_catalog};
use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::error::{Error, Problem, Result};
use crate::plan::DeferredKey;
use crate::schema::{Schema, Table};
use crate::seed::{AsyncChunks, AsyncSink, DeferredUpdate, KeyState, RunOptions};

pub use crate::seed::{PlanConfig, Progress, SeedReport, TableReport};

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
    /// [`load`]: a data set's sole integer primary keys (and the keys
    /// referencing them) moved past the largest key each table holds
    /// ([`RunOptions::keys_past_existing`]); [`seed`] always does so with
    /// the keys it generates.
    pub keys_past_existing: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            truncate: false,
            schema: None,
            progress: None,
            postgres: PgLoad::Copy,
            chunk_rows: 4096,
            keys_past_existing: false,
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
            .field("keys_past_existing", &self.keys_past_existing)
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

    /// [`load`] moves a data set's keys past the existing ones
    /// ([`SeedOptions::keys_past_existing`]).
    pub fn keys_past_existing(mut self, yes: bool) -> Self {
        self.keys_past_existing = yes;
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

impl SeedOptions {
    fn run_options(&self) -> RunOptions {
        RunOptions {
            truncate: self.truncate,
            chunk_rows: self.chunk_rows,
            progress: self.progress.clone(),
            keys_past_existing: self.keys_past_existing,
        }
    }
}

/// Generates every table of `schema` (sizes from `plan`, values from
/// `engine`) in foreign-key order and loads it into `db`, streaming: rows
/// are generated on a thread of their own while earlier chunks load.
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
    let (targets, catalog) = resolve(db, schema, options).await?;
    let mut engine = engine.clone();
    register_database_types(&mut engine, schema, &targets)?;
    let mut sink = SqlxSink::new(db, schema, targets, catalog, options);
    crate::seed::run_async(&mut sink, schema, plan, &engine, &options.run_options()).await
}

/// Loads rows already in memory (a generated or read [`Dataset`]) the same
/// way [`seed`] does: parents first, one transaction, deferred keys by
/// UPDATE. Keys are inserted as they are in the data set.
pub async fn load(db: &Database, data: &Dataset, options: &SeedOptions) -> Result<SeedReport> {
    let schema = data.schema();
    let (targets, catalog) = resolve(db, schema, options).await?;
    let mut sink = SqlxSink::new(db, schema, targets, catalog, options);
    crate::seed::load_async(&mut sink, data, &options.run_options()).await
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

/// The sqlx side of a seed: one transaction on `db`, the schema's tables
/// matched to the catalog.
struct SqlxSink<'d> {
    db: &'d Database,
    schema: &'d Schema,
    targets: Vec<Target>,
    catalog: Vec<DbTable>,
    postgres: PgLoad,
    tx: Option<Tx>,
    statements: u64,
}

impl<'d> SqlxSink<'d> {
    fn new(
        db: &'d Database,
        schema: &'d Schema,
        targets: Vec<Target>,
        catalog: Vec<DbTable>,
        options: &SeedOptions,
    ) -> SqlxSink<'d> {
        SqlxSink {
            db,
            schema,
            targets,
            catalog,
            postgres: options.postgres,
            tx: None,
            statements: 0,
        }
    }

    fn tx(&mut self) -> Result<&mut Tx> {
        self.tx.as_mut().ok_or_else(|| Error::Database {
            source: None,
            context: "seeding".to_owned(),
            message: "no open transaction".to_owned(),
        })
    }

    /// The catalog tables the schema seeds.
    fn in_schema(&self) -> Vec<&DbTable> {
        self.catalog
            .iter()
            .filter(|t| self.schema.table(&t.name).is_some())
            .collect()
    }
}

impl AsyncSink for SqlxSink<'_> {
    type Error = Error;

    async fn begin(&mut self) -> Result<()> {
        self.tx = Some(Tx::begin(self.db).await?);
        Ok(())
    }

    async fn commit(&mut self) -> Result<()> {
        match self.tx.take() {
            Some(tx) => tx.commit().await,
            None => Ok(()),
        }
    }

    async fn rollback(&mut self) {
        if let Some(tx) = self.tx.take() {
            tx.rollback().await;
        }
    }

    /// Refused when a table outside the schema references one of them.
    async fn truncate(&mut self, tables: &[usize]) -> Result<()> {
        let inside = |name: &str| self.schema.table(name).is_some();
        for t in self.catalog.iter().filter(|t| !inside(&t.name)) {
            if let Some(fk) = t
                .foreign_keys
                .iter()
                .find(|fk| inside(&fk.table) && fk.schema == t.schema)
            {
                return Err(Error::Database {
                    source: None,
                    context: "emptying the target tables (--truncate)".to_owned(),
                    message: format!(
                        "table `{}` (not in the schema) references `{}`; add it to the schema or seed without truncate",
                        t.name, fk.table
                    ),
                });
            }
        }
        let ordered: Vec<Target> = tables.iter().map(|&t| self.targets[t].clone()).collect();
        let ordered: Vec<&Target> = ordered.iter().collect();
        self.tx()?.truncate(&ordered).await
    }

    async fn key_state(&mut self, t: usize, table: &Table, column: usize) -> Result<KeyState> {
        let type_max = self.targets[t].columns[column].ty.integer_max();
        let target = self.targets[t].clone();
        let largest = self.tx()?.max_of(&target, &table.columns[column].name).await?;
        Ok(KeyState { largest, type_max })
    }

    fn numbered_by_database(&self, t: usize, column: usize) -> bool {
        self.targets[t].columns[column].auto
    }

    /// Checks deferred (PostgreSQL, SQLite) or off until an orphan query at
    /// the end (MySQL). PostgreSQL can only defer a `DEFERRABLE`
    /// constraint: any other is an error naming it.
    async fn relax_foreign_keys(&mut self, keys: &[DeferredKey]) -> Result<()> {
        let mut problems = Vec::new();
        for d in keys {
            let fk = self
                .catalog
                .iter()
                .filter(|t| t.name == d.table)
                .flat_map(|t| &t.foreign_keys)
                .find(|fk| fk.table == d.parent && fk.columns == d.columns);
            if fk.is_some_and(|fk| !fk.deferrable) {
                problems.push(crate::seed::not_deferrable(d));
            }
        }
        if !problems.is_empty() {
            return Err(Error::InvalidSchema {
                origin: format!("schema against the {} database", self.db.backend()),
                problems,
            });
        }
        self.tx()?.relax_foreign_keys().await
    }

    async fn restore_foreign_keys(&mut self, _schema: &Schema) -> Result<()> {
        let tables: Vec<DbTable> = self.in_schema().into_iter().cloned().collect();
        let tables: Vec<&DbTable> = tables.iter().collect();
        self.tx()?.restore_foreign_keys(&tables).await
    }

    async fn load_table<C: AsyncChunks>(&mut self, t: usize, _table: &Table, rows: &mut C) -> Result<()> {
        let target = self.targets[t].clone();
        let postgres = self.postgres;
        let statements = self.tx()?.load(&target, rows, postgres).await?;
        self.statements += statements;
        Ok(())
    }

    async fn update_keys(&mut self, t: usize, _table: &Table, update: &DeferredUpdate) -> Result<u64> {
        let target = self.targets[t].clone();
        self.tx()?
            .update(&target, &update.key, &update.set, &update.rows)
            .await?;
        Ok(update.rows.len() as u64)
    }

    async fn advance_sequence(&mut self, t: usize, _table: &Table, column: usize) -> Result<()> {
        let target = self.targets[t].clone();
        let col: DbColumn = target.columns[column].clone();
        self.tx()?.fix_sequence(&target, &col).await
    }

    fn statements(&self) -> u64 {
        self.statements
    }
}
