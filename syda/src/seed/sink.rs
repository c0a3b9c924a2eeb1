//! What a backend implements to be seeded into: the I/O only. Every
//! decision — sizes, key starts, insert order, which columns wait for an
//! UPDATE, which sequences move, the report — is the core's.
//!
//! Tables are named by their index in the schema being seeded (the
//! schema's order) and handed over with the [`Table`] itself, so a sink can
//! keep per-table state in a `Vec` built from the same schema.

use std::borrow::Cow;
use std::future::Future;

use super::keys::KeyState;
use crate::error::{Error, Problem, Result};
use crate::plan::DeferredKey;
use crate::schema::{Schema, Table};
use crate::value::{Row, Value};

/// A table's rows, a chunk at a time, for a blocking [`Sink`].
pub trait Chunks {
    /// The next chunk, `None` at the end of the table. An error is the
    /// generator's (or [`Error::SeedStopped`]): stop and return it.
    fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>>;
}

/// A table's rows, a chunk at a time, for an [`AsyncSink`].
pub trait AsyncChunks: Send {
    /// The next chunk, `None` at the end of the table.
    fn next(&mut self) -> impl Future<Output = Result<Option<Cow<'_, [Row]>>>> + Send;
}

/// Deferred foreign keys of one table, filled by UPDATE after every table
/// is in: `UPDATE table SET set… WHERE key…`, one per row.
#[derive(Debug, Clone, PartialEq)]
pub struct DeferredUpdate {
    /// Columns (indexes into the table) that find the row: its primary
    /// key, else a unique key.
    pub key: Vec<usize>,
    /// The deferred foreign-key columns to set.
    pub set: Vec<usize>,
    /// Per row: the key's values, then the values to set.
    pub rows: Vec<(Vec<Value>, Vec<Value>)>,
}

/// A backend a seed writes to, blocking (Diesel connections). Every method
/// runs inside the transaction [`Sink::begin`] opened, except `begin`.
pub trait Sink {
    /// The backend's error; the core's own (planning, generation) convert
    /// into it.
    type Error: From<Error>;

    /// Opens the one transaction of the seed.
    fn begin(&mut self) -> Result<(), Self::Error>;

    /// Commits it.
    fn commit(&mut self) -> Result<(), Self::Error>;

    /// Rolls it back (after an error; nothing is kept).
    fn rollback(&mut self);

    /// Empties `tables` (indexes, parents before children) before loading.
    fn truncate(&mut self, tables: &[usize]) -> Result<(), Self::Error> {
        let _ = tables;
        Err(unsupported("emptying the tables first").into())
    }

    /// What the database says of key column `column` of table `t`.
    fn key_state(&mut self, t: usize, table: &Table, column: usize) -> Result<KeyState, Self::Error>;

    /// Whether the database numbers column `column` of table `t` itself
    /// (identity, serial, AUTO_INCREMENT, a `nextval` default): its
    /// sequence is moved past the seeded values afterwards.
    fn numbered_by_database(&self, t: usize, column: usize) -> bool {
        let _ = (t, column);
        false
    }

    /// Lets rows reference rows inserted later in the transaction, for
    /// cycles of NOT NULL foreign keys (`keys`).
    fn relax_foreign_keys(&mut self, keys: &[DeferredKey]) -> Result<(), Self::Error> {
        Err(cycle_unsupported(keys).into())
    }

    /// Checks what the relaxed checks let through (every foreign key of
    /// `schema`'s tables, where the database does not at the commit) and
    /// turns them back on.
    fn restore_foreign_keys(&mut self, schema: &Schema) -> Result<(), Self::Error> {
        let _ = schema;
        Ok(())
    }

    /// Inserts every chunk of `rows` into table `t`.
    fn load_table(&mut self, t: usize, table: &Table, rows: &mut dyn Chunks) -> Result<(), Self::Error>;

    /// Runs `update`; returns the rows it changed.
    fn update_keys(&mut self, t: usize, table: &Table, update: &DeferredUpdate) -> Result<u64, Self::Error>;

    /// Moves the sequence behind column `column` of table `t` past its
    /// largest value (a no-op where the database does it by itself).
    fn advance_sequence(&mut self, t: usize, table: &Table, column: usize) -> Result<(), Self::Error> {
        let _ = (t, table, column);
        Ok(())
    }

    /// Insert statements run so far, where the backend counts them.
    fn statements(&self) -> u64 {
        0
    }
}

/// [`Sink`] for backends with async I/O (sqlx, SeaORM): the same methods,
/// awaited. The core generates rows on a thread of its own meanwhile.
pub trait AsyncSink: Send {
    /// The backend's error; the core's own convert into it.
    type Error: From<Error> + Send;

    /// Opens the one transaction of the seed.
    fn begin(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Commits it.
    fn commit(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Rolls it back (after an error; nothing is kept).
    fn rollback(&mut self) -> impl Future<Output = ()> + Send;

    /// Empties `tables` (indexes, parents before children) before loading.
    fn truncate(&mut self, tables: &[usize]) -> impl Future<Output = Result<(), Self::Error>> + Send {
        let _ = tables;
        async { Err(unsupported("emptying the tables first").into()) }
    }

    /// What the database says of key column `column` of table `t`.
    fn key_state(
        &mut self,
        t: usize,
        table: &Table,
        column: usize,
    ) -> impl Future<Output = Result<KeyState, Self::Error>> + Send;

    /// Whether the database numbers column `column` of table `t` itself.
    fn numbered_by_database(&self, t: usize, column: usize) -> bool {
        let _ = (t, column);
        false
    }

    /// Lets rows reference rows inserted later in the transaction.
    fn relax_foreign_keys(
        &mut self,
        keys: &[DeferredKey],
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        let err = cycle_unsupported(keys);
        async move { Err(err.into()) }
    }

    /// Checks what the relaxed checks let through (every foreign key of
    /// `schema`'s tables, where the database does not at the commit) and
    /// turns them back on.
    fn restore_foreign_keys(
        &mut self,
        schema: &Schema,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        let _ = schema;
        async { Ok(()) }
    }

    /// Inserts every chunk of `rows` into table `t`.
    fn load_table<C: AsyncChunks>(
        &mut self,
        t: usize,
        table: &Table,
        rows: &mut C,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Runs `update`; returns the rows it changed.
    fn update_keys(
        &mut self,
        t: usize,
        table: &Table,
        update: &DeferredUpdate,
    ) -> impl Future<Output = Result<u64, Self::Error>> + Send;

    /// Moves the sequence behind column `column` of table `t` past its
    /// largest value.
    fn advance_sequence(
        &mut self,
        t: usize,
        table: &Table,
        column: usize,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send {
        let _ = (t, table, column);
        async { Ok(()) }
    }

    /// Insert statements run so far, where the backend counts them.
    fn statements(&self) -> u64 {
        0
    }
}

fn unsupported(what: &str) -> Error {
    Error::InvalidSchema {
        origin: "seeding".to_owned(),
        problems: vec![Problem::schema(format!("this backend does not support {what}"))],
    }
}

/// The error of a backend that cannot insert a cycle of NOT NULL foreign
/// keys (what [`Sink::relax_foreign_keys`] returns unless a sink says
/// otherwise): each key named, with the ways out.
pub fn cycle_unsupported(keys: &[DeferredKey]) -> Error {
    Error::InvalidSchema {
        origin: "seeding".to_owned(),
        problems: keys
            .iter()
            .map(|key| {
                Problem::column(
                    &key.table,
                    &key.columns.join(", "),
                    format!(
                        "closes a cycle of NOT NULL foreign keys (to `{}`), which this seeder cannot insert \
                         (it would insert NULL first); seed it with syda::db (`syda seed`), which defers the checks, \
                         or make a column of the cycle nullable",
                        key.parent
                    ),
                )
            })
            .collect(),
    }
}
