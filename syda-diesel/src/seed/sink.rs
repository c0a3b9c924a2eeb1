//! The Diesel sink of syda's seeding core: one transaction on a Diesel
//! connection, multi-row `INSERT`s with bound parameters, the deferred
//! UPDATEs and PostgreSQL's sequences. What to insert, in which order and
//! with which keys is decided by [`syda::seed`].

use std::collections::HashMap;

use diesel::connection::TransactionManager;
use syda::plan::DeferredKey;
use syda::seed::{self as relax, Chunks, DeferredUpdate, KeyState, Sink};
use syda::{Row, Schema, Table, Value};

use super::{Backend, Bind, MAX_BATCH_ROWS, SeedConnection, placeholder, to_bind, values_sql};
use crate::Error;

/// What the database says of one table (PostgreSQL only; empty elsewhere).
#[derive(Debug, Default)]
struct TableInfo {
    /// Declared type per column, for the parameter casts.
    types: HashMap<String, String>,
    /// A `GENERATED ALWAYS` identity column is written.
    overriding: bool,
}

/// Seeds through `conn`.
pub(super) struct DieselSink<'c, C> {
    conn: &'c mut C,
    backend: Backend,
    max_binds: usize,
    batch_rows: Option<usize>,
    tables: HashMap<usize, TableInfo>,
    statements: u64,
    /// The foreign-key checks are relaxed (a cycle of NOT NULL keys).
    relaxed: bool,
}

impl<'c, C: SeedConnection> DieselSink<'c, C> {
    pub(super) fn new(conn: &'c mut C, batch_rows: Option<usize>) -> Result<Self, Error> {
        let backend = conn.backend();
        let max_binds = conn.max_binds().map_err(|source| Error::Database {
            table: None,
            action: "reading the bind limit".to_owned(),
            source,
        })?;
        Ok(DieselSink {
            conn,
            backend,
            max_binds,
            batch_rows,
            tables: HashMap::new(),
            statements: 0,
            relaxed: false,
        })
    }

    /// The table's declared types, read once; a table PostgreSQL does not
    /// have is an error saying to run the migrations.
    fn info(&mut self, t: usize, table: &Table) -> Result<&TableInfo, Error> {
        if !self.tables.contains_key(&t) {
            let mut info = TableInfo::default();
            if self.backend == Backend::Postgres {
                let columns = self.conn.columns(&table.name).map_err(|source| Error::Database {
                    table: Some(table.name.to_string()),
                    action: "reading its columns".to_owned(),
                    source,
                })?;
                if columns.is_empty() {
                    return Err(Error::Seed {
                        table: Some(table.name.to_string()),
                        message: "not found in the database: create it (run the migrations) first".to_owned(),
                    });
                }
                for c in columns {
                    info.overriding |= c.identity == "a" && table.column(&c.name).is_some();
                    info.types.insert(c.name, c.ty);
                }
            }
            self.tables.insert(t, info);
        }
        Ok(&self.tables[&t])
    }

    fn transaction(action: &str) -> impl FnOnce(diesel::result::Error) -> Error {
        let action = action.to_owned();
        move |source| Error::Database {
            table: None,
            action,
            source,
        }
    }
}

/// The largest value of a PostgreSQL integer type (`None`: 64 bits or unknown).
fn type_max(sql: &str) -> Option<i64> {
    match sql {
        "smallint" => Some(i64::from(i16::MAX)),
        "integer" => Some(i64::from(i32::MAX)),
        _ => None,
    }
}

impl<C: SeedConnection> Sink for DieselSink<'_, C> {
    type Error = Error;

    fn begin(&mut self) -> Result<(), Error> {
        C::TransactionManager::begin_transaction(self.conn)
            .map_err(Self::transaction("starting the transaction"))
    }

    fn commit(&mut self) -> Result<(), Error> {
        C::TransactionManager::commit_transaction(self.conn)
            .map_err(Self::transaction("committing the transaction"))
    }

    fn rollback(&mut self) {
        // Nothing was committed either way; a connection whose rollback
        // failed is broken and reports so on its next use.
        let _ = C::TransactionManager::rollback_transaction(self.conn);
        // MySQL's switch outlives the transaction: the caller's connection
        // must not keep its checks off.
        if let Some(restore) = self
            .relaxed
            .then(|| relax::restore_sql(self.backend.into()))
            .flatten()
        {
            let _ = self.conn.run(restore, Vec::new());
        }
    }

    fn relax_foreign_keys(&mut self, keys: &[DeferredKey]) -> Result<(), Error> {
        let backend = self.backend;
        if backend == Backend::Postgres {
            let mut problems = Vec::new();
            for key in keys {
                let binds = vec![
                    Bind::Text(Some(backend.quote(&key.table))),
                    Bind::Text(Some(backend.quote(&key.parent))),
                    Bind::Text(Some(key.columns.join(","))),
                ];
                let fixed = self
                    .conn
                    .ints(relax::PG_NOT_DEFERRABLE_SQL, binds)
                    .map_err(|source| Error::Database {
                        table: Some(key.table.clone()),
                        action: "reading whether its foreign keys are DEFERRABLE".to_owned(),
                        source,
                    })?;
                if fixed.first().copied().flatten().unwrap_or(0) > 0 {
                    problems.push(relax::not_deferrable(key));
                }
            }
            if !problems.is_empty() {
                return Err(syda::Error::InvalidSchema {
                    origin: "schema against the PostgreSQL database".to_owned(),
                    problems,
                }
                .into());
            }
        }
        self.conn
            .run(relax::relax_sql(backend.into()), Vec::new())
            .map_err(|source| Error::Database {
                table: None,
                action: "relaxing the foreign-key checks (a cycle of NOT NULL foreign keys)".to_owned(),
                source,
            })?;
        self.relaxed = true;
        Ok(())
    }

    /// MySQL: every foreign key of the seeded tables is checked by query,
    /// then the checks go back on. PostgreSQL and SQLite check at the commit.
    fn restore_foreign_keys(&mut self, schema: &Schema) -> Result<(), Error> {
        let dialect = self.backend.into();
        if relax::checked_at_commit(dialect) {
            return Ok(());
        }
        let declared = self
            .conn
            .texts(relax::MYSQL_FOREIGN_KEYS_SQL, Vec::new())
            .map_err(|source| Error::Database {
                table: None,
                action: "reading the foreign keys the database declares".to_owned(),
                source,
            })?;
        for (table, fk) in relax::declared_foreign_keys(&declared, schema) {
            let sql = relax::orphans_sql(
                dialect,
                &self.backend.quote(&table),
                &fk,
                &self.backend.quote(&fk.table),
            );
            let action = format!(
                "checking its foreign key ({}) → `{}`",
                fk.columns.join(", "),
                fk.table
            );
            let orphans = self
                .conn
                .ints(&sql, Vec::new())
                .map_err(|source| Error::Database {
                    table: Some(table.clone()),
                    action,
                    source,
                })?;
            let orphans = orphans.first().copied().flatten().unwrap_or(0);
            if orphans > 0 {
                return Err(Error::Seed {
                    message: relax::orphans_message(&table, &fk, orphans),
                    table: Some(table),
                });
            }
        }
        if let Some(restore) = relax::restore_sql(dialect) {
            self.conn
                .run(restore, Vec::new())
                .map_err(|source| Error::Database {
                    table: None,
                    action: "turning the foreign-key checks back on".to_owned(),
                    source,
                })?;
        }
        self.relaxed = false;
        Ok(())
    }

    fn key_state(&mut self, t: usize, table: &Table, column: usize) -> Result<KeyState, Error> {
        let name = &table.columns[column].name;
        let type_max = self
            .info(t, table)?
            .types
            .get(name.as_ref())
            .and_then(|ty| type_max(ty));
        let sql = format!(
            "SELECT {} AS v FROM {}",
            self.backend.max_as_bigint(name),
            self.backend.quote(&table.name)
        );
        let largest = self
            .conn
            .ints(&sql, Vec::new())
            .map_err(|source| Error::Database {
                table: Some(table.name.to_string()),
                action: format!("reading the largest `{name}`"),
                source,
            })?;
        Ok(KeyState {
            largest: largest.into_iter().next().flatten(),
            type_max,
        })
    }

    fn load_table(&mut self, t: usize, table: &Table, rows: &mut dyn Chunks) -> Result<(), Error> {
        let backend = self.backend;
        let info = self.info(t, table)?;
        let head = format!(
            "INSERT INTO {} ({}){} VALUES ",
            backend.quote(&table.name),
            table
                .columns
                .iter()
                .map(|c| backend.quote(&c.name))
                .collect::<Vec<_>>()
                .join(", "),
            if info.overriding {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            }
        );
        let casts: Vec<String> = table
            .columns
            .iter()
            .map(|c| info.types.get(c.name.as_ref()).cloned().unwrap_or_default())
            .collect();
        let width = table.columns.len().max(1);
        let per_statement = (self.max_binds / width)
            .clamp(1, MAX_BATCH_ROWS)
            .min(self.batch_rows.unwrap_or(usize::MAX));
        let mut full_sql: Option<String> = None;
        let mut done: u64 = 0;
        let mut batch: Vec<Row> = Vec::with_capacity(per_statement.min(1024));
        let mut insert = |sink: &mut Self, batch: &mut Vec<Row>| -> Result<(), Error> {
            let n = batch.len();
            let mut binds = Vec::with_capacity(n * width);
            for row in batch.drain(..) {
                for (value, column) in row.into_iter().zip(table.columns.iter()) {
                    binds.push(to_bind(backend, column.ty, value));
                }
            }
            let sql = if n == per_statement {
                full_sql.get_or_insert_with(|| values_sql(backend, &head, &casts, n))
            } else {
                &values_sql(backend, &head, &casts, n)
            };
            sink.conn.run(sql, binds).map_err(|source| Error::Database {
                table: Some(table.name.to_string()),
                action: format!("inserting rows {}..={}", done + 1, done + n as u64),
                source,
            })?;
            done += n as u64;
            sink.statements += 1;
            Ok(())
        };
        while let Some(chunk) = rows.next()? {
            for row in chunk.iter() {
                batch.push(row.clone());
                if batch.len() == per_statement {
                    insert(self, &mut batch)?;
                }
            }
        }
        if !batch.is_empty() {
            insert(self, &mut batch)?;
        }
        Ok(())
    }

    fn update_keys(&mut self, t: usize, table: &Table, update: &DeferredUpdate) -> Result<u64, Error> {
        let backend = self.backend;
        let info = self.info(t, table)?;
        let mut n = 0;
        let mut next = |c: usize| {
            n += 1;
            let name = &table.columns[c].name;
            format!(
                "{} = {}",
                backend.quote(name),
                placeholder(backend, info.types.get(name.as_ref()).map(String::as_str), n)
            )
        };
        let set: Vec<String> = update.set.iter().map(|&c| next(c)).collect();
        let key: Vec<String> = update.key.iter().map(|&c| next(c)).collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE {}",
            backend.quote(&table.name),
            set.join(", "),
            key.join(" AND ")
        );
        let mut changed = 0;
        for (i, (key_values, set_values)) in update.rows.iter().enumerate() {
            let bind = |(&c, v): (&usize, &Value)| to_bind(backend, table.columns[c].ty, v.clone());
            let binds: Vec<Bind> = update
                .set
                .iter()
                .zip(set_values)
                .chain(update.key.iter().zip(key_values))
                .map(bind)
                .collect();
            changed += self.conn.run(&sql, binds).map_err(|source| Error::Database {
                table: Some(table.name.to_string()),
                action: format!("filling a foreign key of a table cycle (row {})", i + 1),
                source,
            })? as u64;
        }
        Ok(changed)
    }

    /// PostgreSQL: the sequence a serial or identity column owns is set to
    /// the largest key, so the application's next insert does not collide.
    /// MySQL's AUTO_INCREMENT and SQLite's rowid follow explicit keys.
    fn advance_sequence(&mut self, _t: usize, table: &Table, column: usize) -> Result<(), Error> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let backend = self.backend;
        let name = &table.columns[column].name;
        let sql = format!(
            "SELECT setval(s.seq, m.v) AS v FROM \
             (SELECT pg_get_serial_sequence($1, $2) AS seq) s, \
             (SELECT {} AS v FROM {}) m WHERE s.seq IS NOT NULL AND m.v IS NOT NULL",
            backend.max_as_bigint(name),
            backend.quote(&table.name)
        );
        let binds = vec![
            Bind::Text(Some(backend.quote(&table.name))),
            Bind::Text(Some(name.to_string())),
        ];
        self.conn.ints(&sql, binds).map_err(|source| Error::Database {
            table: Some(table.name.to_string()),
            action: format!("setting the sequence of `{name}`"),
            source,
        })?;
        Ok(())
    }

    fn statements(&self) -> u64 {
        self.statements
    }
}
