//! Seeding a database through SeaORM: the SeaORM sink of syda's seeding
//! core ([`syda::seed`]), which decides sizes, key starts, order, cycles
//! and sequences; this file opens the transaction and runs `insert_many`,
//! the deferred updates and PostgreSQL's `setval`.

use std::sync::Arc;

use sea_orm::sea_query::{TableName, TableRef};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, TransactionTrait};
use syda::engine::Engine;
use syda::output::Dialect;
use syda::plan::DeferredKey;
use syda::plan::Planner;
use syda::seed::{self as relax, AsyncChunks, AsyncSink, DeferredUpdate, KeyState, PlanConfig, RunOptions};
use syda::{Row, Schema, Table};

pub use syda::seed::{SeedReport, TableReport};

use crate::entities::{AnyEntity, Entities};
use crate::error::{Error, Result};

/// Rows per `INSERT` unless [`Seeder::batch_size`] says otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 500;

/// Bound parameters per statement stay under this (SQLite allows 32 766,
/// PostgreSQL and MySQL 65 535).
const MAX_PARAMETERS: usize = 30_000;

type Plan = Arc<dyn for<'s> Fn(Planner<'s>) -> Planner<'s> + Send + Sync>;

/// Generates related rows for a set of entities and inserts them.
///
/// - **Order.** Tables are inserted parents first (the planner's order); a
///   foreign key that closes a cycle between tables is inserted NULL and
///   filled with an `UPDATE` once its parent rows exist. A cycle of NOT
///   NULL foreign keys is inserted with the checks relaxed inside the
///   transaction: deferred to the commit on PostgreSQL (the constraint must
///   be `DEFERRABLE`; one that is not is an error naming the column) and
///   SQLite; on MySQL and MariaDB turned off, then every foreign key checked
///   by query before the commit, and turned back on (on rollback too).
/// - **Batches.** `insert_many` with [`DEFAULT_BATCH_SIZE`] rows (fewer for
///   wide tables, so a statement stays under every backend's parameter limit).
/// - **One transaction.** Any error — a value that does not fit, a
///   constraint the database enforces that the entities do not declare, a
///   failing generator — rolls everything back: no rows stay.
/// - **Keys.** A sole integer primary key is generated explicitly, counting
///   on from the largest key already in the table, so children can
///   reference their parents in the same batch, self-references and cycles
///   work, and the keys match the generated data set. On PostgreSQL the
///   key's sequence is then moved past the new keys (MySQL, MariaDB and
///   SQLite advance theirs on explicit inserts), so later inserts that let
///   the database assign a key keep working.
///
/// Rows are generated on a thread of their own while earlier batches are
/// inserted. The decisions are syda's seeding core ([`syda::seed`]); this
/// crate is its SeaORM sink.
#[derive(Clone)]
pub struct Seeder<'e> {
    entities: &'e Entities,
    rows: u64,
    sizes: Vec<(String, u64)>,
    batch_size: usize,
    plan: Option<Plan>,
}

impl std::fmt::Debug for Seeder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seeder")
            .field("entities", self.entities)
            .field("rows", &self.rows)
            .field("sizes", &self.sizes)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl<'e> Seeder<'e> {
    /// A seeder for `entities`, [`syda::plan::DEFAULT_ROWS`] rows per table.
    pub fn new(entities: &'e Entities) -> Self {
        Seeder {
            entities,
            rows: syda::plan::DEFAULT_ROWS,
            sizes: Vec::new(),
            batch_size: DEFAULT_BATCH_SIZE,
            plan: None,
        }
    }

    /// Rows for every table without its own size.
    pub fn rows(mut self, rows: u64) -> Self {
        self.rows = rows;
        self
    }

    /// Rows for one table.
    pub fn size(mut self, table: &str, rows: u64) -> Self {
        self.sizes.push((table.to_owned(), rows));
        self
    }

    /// Sizes for several tables.
    pub fn sizes<'a>(mut self, sizes: impl IntoIterator<Item = (&'a str, u64)>) -> Self {
        self.sizes
            .extend(sizes.into_iter().map(|(t, n)| (t.to_owned(), n)));
        self
    }

    /// Rows per `INSERT` (at least 1).
    pub fn batch_size(mut self, rows: usize) -> Self {
        self.batch_size = rows.max(1);
        self
    }

    /// Any other planner setting (fan-outs, consistency rules):
    /// `.plan(|p| p.fan_out("lineitem", "order_id", FanOut::PerParent { min: 1, max: 5 }))`.
    pub fn plan(mut self, plan: impl for<'s> Fn(Planner<'s>) -> Planner<'s> + Send + Sync + 'static) -> Self {
        self.plan = Some(Arc::new(plan));
        self
    }

    /// Generates every table with `engine` and inserts the rows into `db`
    /// inside one transaction.
    pub async fn run<C, G>(&self, db: &C, engine: &G) -> Result<SeedReport>
    where
        C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync,
        G: Engine + 'static,
    {
        let schema = self.entities.schema()?;
        let entities = schema
            .tables
            .iter()
            .map(|t| self.entities.get(&t.name).ok_or_else(|| unknown(&t.name)))
            .collect::<Result<Vec<_>>>()?;
        let mut plan = PlanConfig::rows(self.rows);
        for (table, rows) in &self.sizes {
            plan = plan.size(table, *rows);
        }
        if let Some(hook) = self.plan.clone() {
            plan = plan.with(move |p| hook(p));
        }
        let mut sink = SeaSink {
            db,
            backend: db.get_database_backend(),
            entities,
            batch_size: self.batch_size,
            txn: None,
            statements: 0,
            relaxed: false,
        };
        syda::seed::run_async(&mut sink, &schema, &plan, engine, &RunOptions::default()).await
    }
}

fn unknown(table: &str) -> Error {
    Error::Setup(format!("no entity was added for table `{table}`"))
}

/// The SeaORM side of a seed: one transaction, an entity per table.
struct SeaSink<'a, C> {
    db: &'a C,
    backend: DbBackend,
    /// The entity of each table, in schema order.
    entities: Vec<&'a dyn AnyEntity>,
    batch_size: usize,
    txn: Option<DatabaseTransaction>,
    statements: u64,
    /// The foreign-key checks are relaxed (a cycle of NOT NULL keys).
    relaxed: bool,
}

impl<C> SeaSink<'_, C> {
    fn txn(&self) -> Result<&DatabaseTransaction> {
        self.txn
            .as_ref()
            .ok_or_else(|| Error::Setup("seeding outside its transaction".to_owned()))
    }

    fn dialect(&self) -> Dialect {
        match self.backend {
            DbBackend::MySql => Dialect::MySql,
            DbBackend::Sqlite => Dialect::Sqlite,
            _ => Dialect::Postgres,
        }
    }

    /// The quoted, qualified name of table `name` (its entity's, when one was added).
    fn relation(&self, name: &str) -> String {
        match self.entities.iter().find(|e| e.table().name == name) {
            Some(entity) => quoted(self.dialect(), &entity.table_ref()),
            None => self.dialect().quote(name),
        }
    }

    /// Runs `sql` (one BIGINT column `v`) and returns its value.
    async fn count(&self, sql: String, values: Vec<sea_orm::Value>, context: String) -> Result<i64> {
        let row = self
            .txn()?
            .query_one_raw(Statement::from_sql_and_values(self.backend, sql, values))
            .await
            .map_err(Error::db(context.clone()))?;
        match row {
            Some(row) => row.try_get::<i64>("", "v").map_err(Error::db(context)),
            None => Ok(0),
        }
    }

    async fn run_raw(&self, sql: &str, context: &str) -> Result<()> {
        self.txn()?
            .execute_unprepared(sql)
            .await
            .map(drop)
            .map_err(Error::db(context))
    }
}

impl<C> AsyncSink for SeaSink<'_, C>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync,
{
    type Error = Error;

    async fn begin(&mut self) -> Result<()> {
        self.txn = Some(
            self.db
                .begin()
                .await
                .map_err(Error::db("starting the transaction"))?,
        );
        Ok(())
    }

    async fn commit(&mut self) -> Result<()> {
        match self.txn.take() {
            Some(txn) => txn
                .commit()
                .await
                .map_err(Error::db("committing the transaction")),
            None => Ok(()),
        }
    }

    async fn rollback(&mut self) {
        if let Some(txn) = self.txn.take() {
            // MySQL's switch outlives the transaction: the pool must not get
            // a connection with the checks off.
            if let Some(restore) = self.relaxed.then(|| relax::restore_sql(self.dialect())).flatten() {
                let _ = txn.execute_unprepared(restore).await;
            }
            // Nothing was committed either way.
            let _ = txn.rollback().await;
        }
    }

    async fn relax_foreign_keys(&mut self, keys: &[DeferredKey]) -> Result<()> {
        if self.backend == DbBackend::Postgres {
            let mut problems = Vec::new();
            for key in keys {
                let values = vec![
                    self.relation(&key.table).into(),
                    self.relation(&key.parent).into(),
                    key.columns.join(",").into(),
                ];
                let context = format!(
                    "reading whether the foreign keys of table `{}` are DEFERRABLE",
                    key.table
                );
                if self
                    .count(relax::PG_NOT_DEFERRABLE_SQL.to_owned(), values, context)
                    .await?
                    > 0
                {
                    problems.push(relax::not_deferrable(key));
                }
            }
            if !problems.is_empty() {
                return Err(syda::Error::InvalidSchema {
                    origin: "entities against the PostgreSQL database".to_owned(),
                    problems,
                }
                .into());
            }
        }
        self.run_raw(
            relax::relax_sql(self.dialect()),
            "relaxing the foreign-key checks (a cycle of NOT NULL foreign keys)",
        )
        .await?;
        self.relaxed = true;
        Ok(())
    }

    /// MySQL: every foreign key of the seeded tables is checked by query,
    /// then the checks go back on. PostgreSQL and SQLite check at the commit.
    async fn restore_foreign_keys(&mut self, schema: &Schema) -> Result<()> {
        let dialect = self.dialect();
        if relax::checked_at_commit(dialect) {
            return Ok(());
        }
        let context = "reading the foreign keys the database declares";
        let declared: Vec<String> = self
            .txn()?
            .query_all_raw(Statement::from_string(
                self.backend,
                relax::MYSQL_FOREIGN_KEYS_SQL,
            ))
            .await
            .map_err(Error::db(context))?
            .iter()
            .map(|row| row.try_get::<String>("", "v"))
            .collect::<std::result::Result<_, _>>()
            .map_err(Error::db(context))?;
        for (table, fk) in relax::declared_foreign_keys(&declared, schema) {
            let sql = relax::orphans_sql(dialect, &self.relation(&table), &fk, &self.relation(&fk.table));
            let context = format!(
                "checking the foreign key `{table}.({})` → `{}`",
                fk.columns.join(", "),
                fk.table
            );
            let orphans = self.count(sql, Vec::new(), context).await?;
            if orphans > 0 {
                return Err(Error::Setup(relax::orphans_message(&table, &fk, orphans)));
            }
        }
        if let Some(restore) = relax::restore_sql(dialect) {
            self.run_raw(restore, "turning the foreign-key checks back on")
                .await?;
        }
        self.relaxed = false;
        Ok(())
    }

    async fn key_state(&mut self, t: usize, table: &Table, column: usize) -> Result<KeyState> {
        let name = &table.columns[column].name;
        let entity = self.entities[t];
        Ok(KeyState {
            largest: entity.max_of(self.txn()?, name).await?,
            type_max: entity.integer_limit(name),
        })
    }

    fn numbered_by_database(&self, t: usize, column: usize) -> bool {
        let entity = self.entities[t];
        entity.auto_key().is_some_and(|k| {
            entity
                .table()
                .columns
                .get(column)
                .is_some_and(|c| c.name == k.column)
        })
    }

    async fn load_table<R: AsyncChunks>(&mut self, t: usize, table: &Table, rows: &mut R) -> Result<()> {
        let entity = self.entities[t];
        let batch = self
            .batch_size
            .min(MAX_PARAMETERS / table.columns.len().max(1))
            .max(1);
        let mut pending: Vec<Row> = Vec::with_capacity(batch);
        let mut first = 0u64;
        while let Some(chunk) = rows.next().await? {
            for row in chunk.iter() {
                pending.push(row.clone());
                if pending.len() == batch {
                    first += entity.insert(self.txn()?, table, &pending, first).await?;
                    self.statements += 1;
                    pending.clear();
                }
            }
        }
        if !pending.is_empty() {
            entity.insert(self.txn()?, table, &pending, first).await?;
            self.statements += 1;
        }
        Ok(())
    }

    async fn update_keys(&mut self, t: usize, table: &Table, update: &DeferredUpdate) -> Result<u64> {
        self.entities[t].update(self.txn()?, table, update).await
    }

    /// PostgreSQL: the sequence behind the key is moved to its largest value.
    async fn advance_sequence(&mut self, t: usize, table: &Table, column: usize) -> Result<()> {
        if self.backend != DbBackend::Postgres {
            return Ok(());
        }
        let name = &table.columns[column].name;
        let relation = quoted(Dialect::Postgres, &self.entities[t].table_ref());
        let sql = format!(
            "SELECT setval(s.seq, m.v) FROM (SELECT pg_get_serial_sequence($1, $2) AS seq) s, \
             (SELECT CAST(MAX(\"{}\") AS BIGINT) AS v FROM {relation}) m WHERE s.seq IS NOT NULL AND m.v IS NOT NULL",
            name.replace('"', "\"\"")
        );
        let values = vec![relation.clone().into(), name.to_string().into()];
        self.txn()?
            .execute_raw(Statement::from_sql_and_values(self.backend, sql, values))
            .await
            .map_err(Error::db(format!(
                "moving the key sequence of table `{}` past its largest key",
                table.name
            )))?;
        Ok(())
    }

    fn statements(&self) -> u64 {
        self.statements
    }
}

/// `"schema"."table"` (for `pg_get_serial_sequence`, which parses its first
/// argument as SQL, so `order` and mixed case need quotes), or
/// `` `schema`.`table` `` for MySQL.
fn quoted(dialect: Dialect, table: &TableRef) -> String {
    let quote = |s: &str| dialect.quote(s);
    match table {
        TableRef::Table(TableName(Some(schema), name), _) => {
            format!("{}.{}", quote(&schema.1.to_string()), quote(&name.to_string()))
        }
        TableRef::Table(TableName(None, name), _) => quote(&name.to_string()),
        other => format!("{other:?}"),
    }
}

/// Generates rows for every entity (sizes per table, [`syda::plan::DEFAULT_ROWS`]
/// otherwise) and inserts them into `db` in one transaction: [`Seeder`] with
/// its defaults.
pub async fn seed_related<'a, C, G>(
    db: &C,
    entities: &Entities,
    sizes: impl IntoIterator<Item = (&'a str, u64)>,
    engine: &G,
) -> Result<SeedReport>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction> + Sync,
    G: Engine + 'static,
{
    Seeder::new(entities).sizes(sizes).run(db, engine).await
}
