//! Seeding a database through SeaORM: every table in foreign-key order,
//! batched `insert_many`, one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::sea_query::{TableName, TableRef};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, TransactionTrait};
use syda::engine::Engine;
use syda::plan::Planner;
use syda::{Literal, Range, Value};

use crate::entities::Entities;
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
///   filled with an `UPDATE` once its parent rows exist.
/// - **Batches.** `insert_many` with [`DEFAULT_BATCH_SIZE`] rows (fewer for
///   wide tables, so a statement stays under every backend's parameter limit).
/// - **One transaction.** Any error — a value that does not fit, a
///   constraint the database enforces that the entities do not declare — rolls
///   everything back: no rows stay.
/// - **Keys.** Auto-increment integer keys are generated explicitly,
///   counting on from the largest key already in the table, so children can
///   reference their parents in the same batch, self-references and cycles
///   work, and the keys match the generated data set. On PostgreSQL the
///   key's sequence is then moved past the new keys (MySQL, MariaDB and
///   SQLite advance theirs on explicit inserts), so later inserts that let
///   the database assign a key keep working.
///
/// Generation happens in memory before the first insert, so a failed
/// generation never touches the database.
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

/// What a seeding run inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    /// Rows inserted per table, in insert order.
    pub tables: Vec<(String, u64)>,
    /// Foreign keys filled by `UPDATE` after insert (cycles), as `table(columns)`.
    pub deferred: Vec<String>,
}

impl SeedReport {
    /// Rows inserted into `table`.
    pub fn rows(&self, table: &str) -> Option<u64> {
        self.tables.iter().find(|(t, _)| t == table).map(|&(_, n)| n)
    }

    /// Rows inserted in all.
    pub fn total(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
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
        C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
        G: Engine,
    {
        let mut schema = self.entities.schema()?;
        let backend = db.get_database_backend();
        let txn = db.begin().await.map_err(Error::db("starting the transaction"))?;

        // Auto-increment keys count on from what the table holds.
        for table in &mut schema.tables {
            let entity = self.entity(&table.name)?;
            let Some(key) = entity.auto_key() else { continue };
            let start = entity.max_key(&txn).await?.unwrap_or(0).saturating_add(1);
            if let Some(col) = table.columns.to_mut().iter_mut().find(|c| c.name == key.column) {
                col.range = Some(Range {
                    min: Literal::Int(start),
                    max: Literal::Int(key.limit),
                });
            }
        }

        let mut planner = Planner::new(&schema).rows(self.rows);
        for (table, rows) in &self.sizes {
            planner = planner.size(table, *rows);
        }
        if let Some(plan) = &self.plan {
            planner = plan(planner);
        }
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
        let data = planner.generate(engine)?;

        let mut report = SeedReport {
            tables: Vec::new(),
            deferred: Vec::new(),
        };
        let mut nulled: HashMap<&str, Vec<usize>> = HashMap::new();
        for key in &order.deferred {
            let table = schema.table(&key.table).ok_or_else(|| unknown(&key.table))?;
            let entry = nulled.entry(key.table.as_str()).or_default();
            entry.extend(key.columns.iter().filter_map(|c| table.column_index(c)));
        }
        for &t in &order.tables {
            let table = &schema.tables[t];
            let entity = self.entity(&table.name)?;
            let rows = data.table(&table.name).unwrap_or_default();
            let batch = self
                .batch_size
                .min(MAX_PARAMETERS / table.columns.len().max(1))
                .max(1);
            let blank = nulled.get(table.name.as_ref());
            let mut inserted = 0;
            for (b, chunk) in rows.chunks(batch).enumerate() {
                let first = (b * batch) as u64;
                inserted += match blank {
                    None => entity.insert(&txn, table, chunk, first).await?,
                    Some(columns) => {
                        let chunk: Vec<_> = chunk
                            .iter()
                            .map(|row| {
                                let mut row = row.clone();
                                columns.iter().for_each(|&c| row[c] = Value::Null);
                                row
                            })
                            .collect();
                        entity.insert(&txn, table, &chunk, first).await?
                    }
                };
            }
            report.tables.push((table.name.to_string(), inserted));
        }
        for key in &order.deferred {
            let table = schema.table(&key.table).ok_or_else(|| unknown(&key.table))?;
            let rows = data.table(&key.table).unwrap_or_default();
            self.entity(&key.table)?
                .update(&txn, table, rows, &key.columns)
                .await?;
            report
                .deferred
                .push(format!("{}({})", key.table, key.columns.join(", ")));
        }

        if backend == DbBackend::Postgres {
            for table in &schema.tables {
                let entity = self.entity(&table.name)?;
                let Some(key) = entity.auto_key() else { continue };
                let Some(at) = table.column_index(&key.column) else {
                    continue;
                };
                let rows = data.table(&table.name).unwrap_or_default();
                let Some(max) = rows.iter().filter_map(|r| r[at].as_i64()).max() else {
                    continue;
                };
                let sql = "SELECT setval(pg_get_serial_sequence($1, $2), $3)";
                let values = vec![
                    quoted(&entity.table_ref()).into(),
                    key.column.clone().into(),
                    max.into(),
                ];
                txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
                    .await
                    .map_err(Error::db(format!(
                        "moving the key sequence of table `{}` past {max}",
                        table.name
                    )))?;
            }
        }

        txn.commit()
            .await
            .map_err(Error::db("committing the transaction"))?;
        Ok(report)
    }

    fn entity(&self, table: &str) -> Result<&'e dyn crate::entities::AnyEntity> {
        self.entities.get(table).ok_or_else(|| unknown(table))
    }
}

fn unknown(table: &str) -> Error {
    Error::Setup(format!("no entity was added for table `{table}`"))
}

/// `"schema"."table"` for `pg_get_serial_sequence`, which parses its first
/// argument as SQL (so `order` and mixed case need quotes).
fn quoted(table: &TableRef) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
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
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
    G: Engine,
{
    Seeder::new(entities).sizes(sizes).run(db, engine).await
}
