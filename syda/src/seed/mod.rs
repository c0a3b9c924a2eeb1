//! One seeding core for every backend: `syda::db` (sqlx: PostgreSQL,
//! MySQL/MariaDB, SQLite), Diesel connections (`syda-diesel`) and SeaORM
//! (`syda-seaorm`).
//!
//! A seed generates every table in foreign-key order and inserts it in one
//! transaction. Everything that decides *what* happens is here, once:
//!
//! - the plan ([`PlanConfig`], or a [`Planner`]): sizes, fan-outs, rules;
//! - the key strategy ([`sequential_key`], [`KeyState`]): a sole integer primary key is generated
//!   explicitly, starting past the largest key already in the table and
//!   within its SQL type, and a table whose default row count its key type
//!   cannot hold is cut, with a note;
//! - the insert order: parents first; a table that arrives before a parent
//!   (children of tables on a cycle) waits;
//! - cycles: a nullable deferred foreign key goes in NULL and is filled by
//!   one UPDATE pass at the end; a NOT NULL one is inserted with the checks
//!   relaxed, where the backend can ([`Sink::relax_foreign_keys`]);
//! - the sequences moved afterwards: each loaded table's generated key and
//!   every column the database numbers itself;
//! - one [`SeedReport`], and errors that keep the backend's own.
//!
//! A backend is a small sink that does the I/O: [`Sink`] for blocking
//! connections (Diesel), [`AsyncSink`] for async ones (sqlx, SeaORM).
//! [`run`] drives a `Sink` on the calling thread: generation and inserts
//! take turns. [`run_async`] (feature `db` or `async-seed`) generates on a
//! thread of its own and hands chunks of rows over a bounded channel while
//! the sink awaits the database, so PostgreSQL COPY streams at the speed of
//! the slower side. Both step through the same state (`state.rs`); only
//! the awaiting differs.
//!
//! Any error rolls the transaction back: nothing of the seed is left.

mod keys;
mod plan;
mod relax;
mod report;
mod sink;
mod state;
mod text;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

pub use keys::{KeyState, sequential_key};
pub use plan::PlanConfig;
pub use relax::{
    MYSQL_FOREIGN_KEYS_SQL, PG_NOT_DEFERRABLE_SQL, checked_at_commit, declared_foreign_keys, not_deferrable,
    orphans_message, orphans_sql, relax_sql, restore_sql,
};
pub use report::{Progress, SeedReport, TableReport};
pub use sink::{AsyncChunks, AsyncSink, Chunks, DeferredUpdate, Sink, cycle_unsupported};
pub use text::{redact_url, sql_datetime};

use self::keys::KeyPlan;
use self::state::{Seeding, Step};
use crate::dataset::Dataset;
use crate::engine::Engine;
use crate::error::{Error, Result, SeedStop};
use crate::plan::{DeferredKey, Planner};
use crate::schema::Schema;
use crate::value::Row;

/// Rows per chunk handed to the sink unless [`RunOptions::chunk_rows`] says otherwise.
pub const DEFAULT_CHUNK_ROWS: usize = 4096;

/// How the core runs a seed, whatever the backend.
#[derive(Clone)]
pub struct RunOptions {
    /// Empty the target tables first, inside the transaction.
    pub truncate: bool,
    /// Rows handed from the generator to the sink at a time.
    pub chunk_rows: usize,
    /// Told about each table's progress.
    pub progress: Option<Arc<dyn Progress>>,
    /// For [`load`] and `load_async`: each table's sole integer primary
    /// key, and every key referencing it, moved past the largest key the
    /// table already holds (as [`run`] does with the keys it generates),
    /// so a data set goes in beside the rows already there. Off by
    /// default: a data set's keys go in as they are.
    pub keys_past_existing: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            truncate: false,
            chunk_rows: DEFAULT_CHUNK_ROWS,
            progress: None,
            keys_past_existing: false,
        }
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("truncate", &self.truncate)
            .field("chunk_rows", &self.chunk_rows)
            .field("progress", &self.progress.is_some())
            .field("keys_past_existing", &self.keys_past_existing)
            .finish()
    }
}

/// The NOT NULL deferred keys: inserted with the checks relaxed.
fn required(deferred: &[DeferredKey]) -> Vec<DeferredKey> {
    deferred.iter().filter(|d| d.required).cloned().collect()
}

/// Per table, its sequential key column, if any.
fn sequential_keys<E: Engine>(schema: &Schema, engine: &E) -> Vec<Option<usize>> {
    schema.tables.iter().map(|t| sequential_key(t, engine)).collect()
}

/// The (table, column) of every key a load moves past the existing ones,
/// when the options ask for it.
fn load_keys(schema: &Schema, options: &RunOptions) -> Vec<(usize, usize)> {
    if !options.keys_past_existing || options.truncate {
        return Vec::new();
    }
    (schema.tables.iter().enumerate())
        .filter_map(|(t, table)| Some((t, keys::own_key(table)?)))
        .collect()
}

/// Parents before children: the order a truncation reverses.
fn truncate_order(schema: &Schema) -> Result<Vec<usize>> {
    Ok(Planner::new(schema).order()?.tables)
}

// ---------------------------------------------------------------------------
// Blocking driver.

/// Seeds through a blocking `sink`: every table the planner covers is
/// generated with `engine` and inserted, in one transaction. See the
/// [module docs](self).
pub fn run<S: Sink, E: Engine>(
    sink: &mut S,
    planner: &Planner<'_>,
    engine: &E,
    options: &RunOptions,
) -> Result<SeedReport, S::Error> {
    let started = Instant::now();
    let schema = planner.schema();
    schema.validate()?;
    sink.begin()?;
    let mut notes = Vec::new();
    let result = seed_blocking(sink, planner, engine, options, &mut notes);
    let mut report = commit_or_roll_back(sink, result)?;
    report.notes = notes;
    report.elapsed = started.elapsed();
    Ok(report)
}

fn commit_or_roll_back<S: Sink>(
    sink: &mut S,
    result: Result<SeedReport, S::Error>,
) -> Result<SeedReport, S::Error> {
    match result.and_then(|r| sink.commit().map(|()| r)) {
        Ok(mut report) => {
            report.statements = sink.statements();
            Ok(report)
        }
        Err(err) => {
            sink.rollback();
            Err(err)
        }
    }
}

fn seed_blocking<S: Sink, E: Engine>(
    sink: &mut S,
    planner: &Planner<'_>,
    engine: &E,
    options: &RunOptions,
    notes: &mut Vec<String>,
) -> Result<SeedReport, S::Error> {
    let schema = planner.schema();
    if options.truncate {
        sink.truncate(&truncate_order(schema)?)?;
    }
    let mut states = Vec::with_capacity(schema.tables.len());
    for (t, key) in sequential_keys(schema, engine).into_iter().enumerate() {
        states.push(match key {
            Some(c) => Some((c, sink.key_state(t, &schema.tables[t], c)?)),
            None => None,
        });
    }
    let keys = KeyPlan::new(schema, &states);
    let working = keys.working(schema);
    let planner = keys.shape(planner.retarget(&working), notes);
    let order = planner.order()?;
    let relaxed = required(&order.deferred);
    if !relaxed.is_empty() {
        sink.relax_foreign_keys(&relaxed)?;
    }
    let mut state = Seeding::new(
        &working,
        Some(&planner),
        &order.deferred,
        keys,
        options.progress.clone(),
    );
    let chunk_rows = options.chunk_rows.max(1);
    let mut failure = None;
    let streamed = planner.stream(engine, |table, rows| {
        let t = working
            .table_index(&table.name)
            .ok_or(Error::SeedStopped(SeedStop::GenerationEnded))?;
        let loaded = if state.ready(t) {
            let mut source = Iter { rows, chunk_rows };
            load_blocking(sink, &mut state, t, &mut source).and_then(|()| flush_blocking(sink, &mut state))
        } else {
            state.hold(t, rows.collect::<Result<Vec<Row>>>()?);
            Ok(())
        };
        // The sink's error is kept; the generator only learns to stop.
        loaded.map_err(|e| {
            failure = Some(e);
            Error::SeedStopped(SeedStop::SinkFailed)
        })
    });
    if let Some(err) = failure {
        return Err(err);
    }
    streamed?;
    finish_blocking(sink, state, !relaxed.is_empty())
}

/// Loads rows already in memory (a generated or read [`Dataset`]) through
/// a blocking `sink` the way [`run`] does: parents first, one transaction,
/// deferred keys by UPDATE. Keys go in as they are in the data set, or
/// past the existing ones ([`RunOptions::keys_past_existing`]).
pub fn load<S: Sink>(sink: &mut S, data: &Dataset, options: &RunOptions) -> Result<SeedReport, S::Error> {
    let started = Instant::now();
    let schema = data.schema();
    schema.validate()?;
    sink.begin()?;
    let result = (|| {
        if options.truncate {
            sink.truncate(&truncate_order(schema)?)?;
        }
        let relaxed = required(data.deferred());
        if !relaxed.is_empty() {
            sink.relax_foreign_keys(&relaxed)?;
        }
        let mut states = Vec::new();
        for (t, c) in load_keys(schema, options) {
            states.push((t, c, sink.key_state(t, &schema.tables[t], c)?));
        }
        let mut state = Seeding::new(
            schema,
            None,
            data.deferred(),
            KeyPlan::past_existing(data, &states)?,
            options.progress.clone(),
        );
        while let Some(t) = (0..schema.tables.len()).find(|&t| !state.is_loaded(t) && state.ready(t)) {
            let rows = data.table(&schema.tables[t].name).unwrap_or(&[]);
            load_blocking(sink, &mut state, t, &mut Slices { rows, step: 65_536 })?;
        }
        finish_blocking(sink, state, !relaxed.is_empty())
    })();
    let mut report = commit_or_roll_back(sink, result)?;
    report.elapsed = started.elapsed();
    Ok(report)
}

fn load_blocking<S: Sink>(
    sink: &mut S,
    state: &mut Seeding<'_>,
    t: usize,
    rows: &mut dyn Chunks,
) -> Result<(), S::Error> {
    let mut load = state.start(t)?;
    let table = &state.schema.tables[t];
    sink.load_table(
        t,
        table,
        &mut Passing {
            inner: rows,
            load: &mut load,
        },
    )?;
    state.finish(t, load);
    Ok(())
}

fn flush_blocking<S: Sink>(sink: &mut S, state: &mut Seeding<'_>) -> Result<(), S::Error> {
    while let Some((t, rows)) = state.next_ready() {
        load_blocking(
            sink,
            state,
            t,
            &mut Slices {
                rows: &rows,
                step: 65_536,
            },
        )?;
    }
    Ok(())
}

fn finish_blocking<S: Sink>(
    sink: &mut S,
    mut state: Seeding<'_>,
    relaxed: bool,
) -> Result<SeedReport, S::Error> {
    state.check_complete()?;
    let mut updated = 0;
    for step in state.final_steps(|t, c| sink.numbered_by_database(t, c)) {
        match step {
            Step::Update(t, update) => updated += sink.update_keys(t, &state.schema.tables[t], &update)?,
            Step::Advance(t, c) => sink.advance_sequence(t, &state.schema.tables[t], c)?,
        }
    }
    if relaxed {
        sink.restore_foreign_keys(state.schema)?;
    }
    Ok(state.report(updated))
}

/// Chunks of a row iterator (the planner's stream).
struct Iter<'r> {
    rows: &'r mut dyn Iterator<Item = Result<Row>>,
    chunk_rows: usize,
}

impl Chunks for Iter<'_> {
    fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>> {
        let chunk: Vec<Row> = (&mut *self.rows).take(self.chunk_rows).collect::<Result<_>>()?;
        Ok((!chunk.is_empty()).then_some(Cow::Owned(chunk)))
    }
}

/// Rows in memory, a slice at a time.
struct Slices<'a> {
    rows: &'a [Row],
    step: usize,
}

impl Slices<'_> {
    fn take(&mut self) -> Option<&[Row]> {
        if self.rows.is_empty() {
            return None;
        }
        let (head, tail) = self.rows.split_at(self.step.min(self.rows.len()));
        self.rows = tail;
        Some(head)
    }
}

impl Chunks for Slices<'_> {
    fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>> {
        Ok(self.take().map(Cow::Borrowed))
    }
}

/// A table's chunks through its [`state::TableLoad`].
struct Passing<'c, C: ?Sized> {
    inner: &'c mut C,
    load: &'c mut state::TableLoad,
}

impl<C: Chunks + ?Sized> Chunks for Passing<'_, C> {
    fn next(&mut self) -> Result<Option<Cow<'_, [Row]>>> {
        Ok(self.inner.next()?.map(|chunk| self.load.pass(chunk)))
    }
}

#[cfg(feature = "async-seed")]
mod drive_async;
#[cfg(feature = "async-seed")]
pub use drive_async::{load_async, run_async};
